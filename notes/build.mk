# notes/: the note formats, each note's writer and reader side by side
# (VMCSINFO, KVMINFO, the load-time notes carrier), the one ELF note
# walker, the one KEY=VALUE reader and the error object, as libvgnotes.a.
# libc only, except notes/kvminfo.c (the KVMINFO writer, libbpf):
# programs that call kvminfo_*() also link $(KVMINFO_LDLIBS).  The root
# Makefile reads this file before every other build.mk.
VGNOTES_SRCS := notes/vgerr.c notes/elfnote.c notes/keyval.c notes/carrier.c \
	notes/loadnotes.c notes/vmcsinfo.c notes/vmcsinfo-parse.c \
	notes/kvminfo.c notes/kvminfo-parse.c notes/notebuild.c \
	notes/notebuild-kvm.c
VGNOTES_LIB := $(B)/lib/libvgnotes.a
VGNOTES_LDLIBS := $(shell pkg-config --libs libelf 2>/dev/null || echo -lelf)
KVMINFO_LDLIBS := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf)

$(VGNOTES_LIB): $(VGNOTES_SRCS:%.c=$(B)/obj/%.o)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

LIBS_ALL += $(VGNOTES_LIB)
PROGRAMS += $(VGNOTES_LIB)

# Unit tests (tests/notes/test_<module>.c).
NOTES_TESTS := vmcsinfo loadnotes kvminfo elfnote keyval roundtrip

$(NOTES_TESTS:%=$(B)/tests/test_%): $(B)/tests/test_%: \
		$(B)/obj/tests/notes/test_%.o $(VGNOTES_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(VGNOTES_LDLIBS) \
		$(KVMINFO_LDLIBS)

UNIT_TESTS += $(NOTES_TESTS:%=$(B)/tests/test_%)
