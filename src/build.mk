# src/: the vmcore-guests library (libvmcoreguests.a) and CLI.
# The root Makefile includes src/build-*.mk before this file ('-' sorts
# before '.'), so VG_LIB is not set yet while they are read: their
# sources are taken in here (build-mem.mk's MEM_SRCS).
# notes/vgerr.c is in libvgnotes.a too; it is here for the library's own
# struct vg_error, so that what links only this library (the memory
# tests) has it.
VG_LIB_SRCS += notes/vgerr.c
VG_LIB_SRCS += src/outfile.c src/hostdump.c src/scan.c src/vmx.c src/vmxar.c src/vcpu.c src/svm.c \
	src/dumphdr.c src/dumppd.c src/budget.c src/report.c src/hostkv.c src/kvmwalk.c \
	src/kallsyms.c src/hostbtf.c src/hostmods.c src/kvmdesc.c \
	src/slotmem.c src/exitnames.c src/kvmguests.c src/loadtime.c src/run.c $(MEM_SRCS)
VG_LIB := $(B)/lib/libvmcoreguests.a
VG_LDLIBS := $(shell pkg-config --libs libkdumpfile libelf libbpf 2>/dev/null || \
	echo -lkdumpfile -lelf -lbpf) $(COMPRESS_LDLIBS)

$(VG_LIB): $(VG_LIB_SRCS:%.c=$(B)/obj/%.o)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

LIBS_ALL += $(VG_LIB)

$(B)/bin/vmcore-guests: $(B)/obj/src/main.o $(VG_LIB) $(VGNOTES_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(VG_LDLIBS) $(VGNOTES_LDLIBS)

PROGRAMS += $(B)/bin/vmcore-guests

# Unit tests (tests/src/test_<module>.c) on dumps tests/src/fixture.c
# generates.  test_cli runs $(B)/bin/vmcore-guests end to end.
VG_FIXTURE_OBJ := $(B)/obj/tests/src/fixture.o $(B)/obj/tests/src/kvmfixture.o \
	$(B)/obj/tests/src/ksymfixture.o $(B)/obj/tests/src/kdescfixture.o
VG_TESTS := scan cli kvmwalk budget hostdump hostdump_damage dumphdr vmcsinfo_read \
	kallsyms kvmdesc

$(VG_TESTS:%=$(B)/tests/test_%): $(B)/tests/test_%: \
		$(B)/obj/tests/src/test_%.o $(VG_FIXTURE_OBJ) $(VG_LIB) \
		$(VGNOTES_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS) $(VG_LDLIBS) \
		$(VGNOTES_LDLIBS) $(KVMINFO_LDLIBS)

$(B)/tests/test_cli: | $(B)/bin/vmcore-guests $(B)/bin/vmcsinfo \
	$(B)/tests/libvgeio.so
# Reads that really fail (tests/src/eio.h): linked into the unit test,
# preloaded into the CLI by test_cli.  The preloaded copy is built without
# the sanitizers (the CLI's own runtime comes with the CLI).
$(B)/tests/test_hostdump_damage: $(B)/obj/tests/src/eio.o
$(B)/tests/libvgeio.so: tests/src/eio.c tests/src/eio.h
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARNFLAGS) -O2 -fPIC -shared -D_GNU_SOURCE -I. \
		-o $@ tests/src/eio.c
$(B)/tests/test_vmcsinfo_read: | $(B)/bin/vmcsinfo

UNIT_TESTS += $(VG_TESTS:%=$(B)/tests/test_%)
