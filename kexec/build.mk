# kexec/: load-time notes (VMCSINFO, KVMINFO, the cpio carrier for
# "kexec -s") and the note finder for dumps, as libvgnotes.a, plus the
# vmcsinfo CLI.  Others link $(VGNOTES_LIB) $(VGNOTES_LDLIBS), and add
# $(KVMINFO_LDLIBS) (libbpf) when they call kvminfo_*().
VGNOTES_SRCS := notes/vgerr.c kexec/vmcsinfo.c kexec/loadnotes-cpio.c kexec/dumpnotes.c \
	kexec/kvminfo.c
VGNOTES_LIB := $(B)/lib/libvgnotes.a
VGNOTES_LDLIBS := $(shell pkg-config --libs libelf 2>/dev/null || echo -lelf)
KVMINFO_LDLIBS := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf)

$(VGNOTES_LIB): $(VGNOTES_SRCS:%.c=$(B)/obj/%.o)
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

LIBS_ALL += $(VGNOTES_LIB)
PROGRAMS += $(VGNOTES_LIB) $(B)/bin/vmcsinfo

$(B)/bin/vmcsinfo: $(B)/obj/kexec/vmcsinfo-cli.o $(VGNOTES_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(VGNOTES_LDLIBS) $(KVMINFO_LDLIBS)

# Unit tests (tests/kexec/test_<module>.c).
VGNOTES_TESTS := vmcsinfo loadnotes_cpio dumpnotes kvminfo

$(VGNOTES_TESTS:%=$(B)/tests/test_%): $(B)/tests/test_%: \
		$(B)/obj/tests/kexec/test_%.o $(VGNOTES_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(VGNOTES_LDLIBS) \
		$(KVMINFO_LDLIBS)

# test_vmcsinfo_cli runs the built CLI (../bin/vmcsinfo from the test).
$(B)/tests/test_vmcsinfo_cli: $(B)/obj/tests/kexec/test_vmcsinfo_cli.o \
		$(VGNOTES_LIB) | $(B)/bin/vmcsinfo
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter-out $(B)/bin/vmcsinfo,$^) \
		$(CMOCKA_LIBS) $(VGNOTES_LDLIBS) $(KVMINFO_LDLIBS)

UNIT_TESTS += $(VGNOTES_TESTS:%=$(B)/tests/test_%) $(B)/tests/test_vmcsinfo_cli
