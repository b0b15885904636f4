# kexec/: the vmcsinfo CLI (load side: show and build the load-time
# notes; capture side: read them back from a dump).  The note formats
# themselves are notes/ (libvgnotes.a).
PROGRAMS += $(B)/bin/vmcsinfo

# read opens dumps through the src library's dump handle (libkdumpfile),
# kvminfo --from-dump derives the dump's own description (src/kvmdesc.h).
$(B)/bin/vmcsinfo: $(B)/obj/kexec/vmcsinfo-cli.o $(B)/lib/libvmcoreguests.a \
		$(VGNOTES_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(VG_LDLIBS) $(VGNOTES_LDLIBS) \
		$(KVMINFO_LDLIBS)

# Unit tests (tests/kexec/test_<module>.c).
VGKEXEC_TESTS :=

$(VGKEXEC_TESTS:%=$(B)/tests/test_%): $(B)/tests/test_%: \
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

UNIT_TESTS += $(VGKEXEC_TESTS:%=$(B)/tests/test_%) $(B)/tests/test_vmcsinfo_cli
