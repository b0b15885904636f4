# src/ memory side: guest-physical memory (EPT/NPT walker, guest page
# tables) and the guest vmcore writer, linked into libvmcoreguests.a.
# This fragment is read before src/build.mk ('-' sorts before '.'), so
# VG_LIB is not set yet: the library is named by its path here, and the
# objects are extra prerequisites of it ($^ in its rule picks them up).
MEM_SRCS := src/gmem.c src/gpmap.c src/guestcore.c src/pageclass.c src/kdumpcore.c \
	src/nestmem.c
# The kdump-compressed guest dump compresses with these.
COMPRESS_LDLIBS := -lz -llzo2 -lsnappy -lzstd
MEM_LIB := $(B)/lib/libvmcoreguests.a
$(MEM_LIB): $(patsubst %.c,$(B)/obj/%.o,$(MEM_SRCS))

# Tests: cmocka + libelf (the cores are checked with gelf).
MEM_TESTS := test_gpmap test_guestcore test_slotmem test_nestmem
MEM_TEST_LIBS = $(CMOCKA_LIBS) -lelf $(COMPRESS_LDLIBS)

$(B)/tests/test_gpmap: $(B)/obj/tests/src/test_gpmap.o \
		$(B)/obj/tests/src/memfixture.o $(MEM_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(MEM_TEST_LIBS)

$(B)/tests/test_guestcore: $(B)/obj/tests/src/test_guestcore.o \
		$(B)/obj/tests/src/memfixture.o $(MEM_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(MEM_TEST_LIBS)

$(B)/tests/test_slotmem: $(B)/obj/tests/src/test_slotmem.o \
		$(B)/obj/tests/src/memfixture.o $(MEM_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(MEM_TEST_LIBS)

$(B)/tests/test_nestmem: $(B)/obj/tests/src/test_nestmem.o \
		$(B)/obj/tests/src/memfixture.o $(MEM_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(MEM_TEST_LIBS)

UNIT_TESTS += $(addprefix $(B)/tests/,$(MEM_TESTS))

# make bench: walk + write a large synthetic guest, report MiB/s and RSS.
$(B)/bench/guestcore_bench: $(B)/obj/bench/guestcore_bench.o $(MEM_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(COMPRESS_LDLIBS)

# Built with everything (so both compilers see it), run only by make bench.
PROGRAMS += $(B)/bench/guestcore_bench

# make bench, end to end: vmcore-guests on generated sparse host dumps of
# 1, 4 and 16 GiB (the unit tests' synthetic KVM host scaled up), walk
# mode against cp --sparse=always, the forced scan against cat + cp.
$(B)/bench/kvmhost_bench: $(B)/obj/bench/kvmhost_bench.o \
		$(B)/obj/tests/src/fixture.o $(B)/obj/tests/src/kvmfixture.o \
		$(B)/obj/tests/src/ksymfixture.o \
		$(B)/obj/tests/src/kdescfixture.o \
		$(B)/lib/libvmcoreguests.a $(B)/lib/libvgnotes.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(VG_LDLIBS) $(VGNOTES_LDLIBS) \
		$(KVMINFO_LDLIBS)

PROGRAMS += $(B)/bench/kvmhost_bench

.PHONY: bench
bench: $(B)/bench/guestcore_bench $(B)/bench/kvmhost_bench \
		$(B)/bin/vmcore-guests
	bench/run.sh $(B)/bench/guestcore_bench
	bench/hosts.sh $(B)/bench/kvmhost_bench $(B)/bin/vmcore-guests \
		$(B)/bench

# make bench-kvmdesc: the cost of deriving the KVM description from a
# generated 1 GiB host dump with this machine's vmlinux BTF and kallsyms.
$(B)/bench/kvmdesc_bench: $(B)/obj/bench/kvmdesc_bench.o \
		$(B)/obj/tests/src/fixture.o $(B)/obj/tests/src/ksymfixture.o \
		$(B)/lib/libvmcoreguests.a $(B)/lib/libvgnotes.a
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(VG_LDLIBS) $(KVMINFO_LDLIBS)

PROGRAMS += $(B)/bench/kvmdesc_bench

.PHONY: bench-kvmdesc
bench-kvmdesc: $(B)/bench/kvmdesc_bench $(B)/bin/vmcsinfo \
		$(B)/bin/vmcore-guests
	bench/kvmdesc.sh $(B)/bench/kvmdesc_bench $(B)/bin/vmcsinfo \
		$(B)/bin/vmcore-guests

