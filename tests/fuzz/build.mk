# tests/fuzz/: libFuzzer targets (clang -fsanitize=fuzzer,address,undefined).
# Not part of "make check".  The targets and the code they reach are
# built into build/fuzz by a make of their own:
#
#   make fuzz-hostdump [FUZZ_SECONDS=N]   seeds, then N s of libFuzzer
#   make fuzz [FUZZ_SECONDS=N]            every target
#
# Seeds come from the unit-test fixtures (tests/fuzz/mkseeds.c); the
# committed minimised corpus is tests/fuzz/corpus/<target>/; what a run
# finds goes to build/fuzz/findings/<target>/.
FUZZ_B := build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_CC := clang
FUZZ_SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
FUZZ_TARGETS := hostdump kvmdesc vmcsinfo kvminfo vmcoreinfo elfnote \
	loadnotes vmcs vmcb gpmap guestcore kvmwalk kallsyms hostbtf hostmods
FUZZ_MAX_LEN_hostdump := 49152
FUZZ_MAX_LEN_kvmdesc := 4096
FUZZ_MAX_LEN_vmcsinfo := 8192
FUZZ_MAX_LEN_kvminfo := 8192
FUZZ_MAX_LEN_vmcoreinfo := 8192
FUZZ_MAX_LEN_elfnote := 16384
FUZZ_MAX_LEN_loadnotes := 16384
FUZZ_MAX_LEN_vmcs := 4096
FUZZ_MAX_LEN_vmcb := 4096
FUZZ_MAX_LEN_gpmap := 65544
FUZZ_MAX_LEN_guestcore := 65540
FUZZ_MAX_LEN_kvmwalk := 4096
FUZZ_MAX_LEN_kallsyms := 4096
FUZZ_MAX_LEN_hostbtf := 16384
FUZZ_MAX_LEN_hostmods := 4096
# The targets on the unit tests' KVM host keep its 32 MiB image.
FUZZ_RSS_kvmdesc := 160
FUZZ_RSS_kvmwalk := 160
FUZZ_RSS_kallsyms := 160
FUZZ_RSS_hostbtf := 160
FUZZ_RSS_hostmods := 160
FUZZ_RSS_loadnotes := 96
# One job, in process (-jobs=1 would run it in a worker logging to
# ./fuzz-0.log); the first finding ends the run.
FUZZ_ARGS = -rss_limit_mb=$(or $(FUZZ_RSS_$*),64) -malloc_limit_mb=64 \
	-timeout=10 -print_final_stats=1

# Inside the build/fuzz make: the fuzzer binaries and the seed maker.
FUZZ_HOST_OBJ := $(B)/obj/tests/fuzz/fuzzhost.o $(B)/obj/tests/src/fixture.o \
	$(B)/obj/tests/src/kvmfixture.o $(B)/obj/tests/src/ksymfixture.o \
	$(B)/obj/tests/src/kdescfixture.o
$(B)/fuzz/fuzz_%: $(B)/obj/tests/fuzz/fuzz_%.o $(B)/obj/tests/fuzz/fuzzlib.o \
		$(VG_LIB) $(VGNOTES_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -fsanitize=fuzzer -o $@ $(filter %.o,$^) \
		$(filter %.a,$^) $(VG_LDLIBS) \
		$(VGNOTES_LDLIBS) $(KVMINFO_LDLIBS)

# The targets on the unit tests' KVM host (tests/fuzz/fuzzhost.c).
$(foreach t,kvmwalk kallsyms hostbtf hostmods,$(B)/fuzz/fuzz_$(t)): \
	$(FUZZ_HOST_OBJ)
# fuzz_kvmdesc damages the self-described host itself.
$(B)/fuzz/fuzz_kvmdesc: $(filter-out %/fuzzhost.o,$(FUZZ_HOST_OBJ))

$(B)/fuzz/mkseeds: $(B)/obj/tests/fuzz/mkseeds.o \
		$(B)/obj/tests/fuzz/fuzzlib.o $(FUZZ_HOST_OBJ) \
		$(B)/obj/tests/src/memfixture.o $(VG_LIB) $(VGNOTES_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) \
		$(VG_LDLIBS) $(VGNOTES_LDLIBS) \
		$(KVMINFO_LDLIBS)

# libkdumpfile alone on a file, for the reproducers of
# docs/libkdumpfile-bugs.md (a plain build: make build/lkf_open).
$(B)/lkf_open: $(B)/obj/tests/fuzz/lkf_open.o
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(VG_LDLIBS)

FUZZ_MAKE = $(MAKE) --no-print-directory B=$(FUZZ_B) CC=$(FUZZ_CC) \
	OPT="-O1 -g" SANFLAGS="$(FUZZ_SANFLAGS)" \
	CFLAGS="-fsanitize=fuzzer-no-link"

.PHONY: fuzz $(FUZZ_TARGETS:%=fuzz-%) $(FUZZ_TARGETS:%=fuzz-build-%)
fuzz: $(FUZZ_TARGETS:%=fuzz-%)

$(FUZZ_TARGETS:%=fuzz-build-%): fuzz-build-%:
	$(FUZZ_MAKE) $(FUZZ_B)/fuzz/fuzz_$* $(FUZZ_B)/fuzz/mkseeds
	@mkdir -p $(FUZZ_B)/seeds/$* $(FUZZ_B)/corpus/$* \
		$(FUZZ_B)/findings/$*
	ASAN_OPTIONS=detect_leaks=0 $(FUZZ_B)/fuzz/mkseeds $* $(FUZZ_B)/seeds/$*

# Runs on a scratch corpus (new inputs land in build/fuzz/corpus/), with
# the committed corpus and the seeds as read-only inputs.
$(FUZZ_TARGETS:%=fuzz-%): fuzz-%: fuzz-build-%
	ASAN_OPTIONS=quarantine_size_mb=8:malloc_context_size=20 \
	$(FUZZ_B)/fuzz/fuzz_$* $(FUZZ_ARGS) \
		-max_len=$(FUZZ_MAX_LEN_$*) -max_total_time=$(FUZZ_SECONDS) \
		-artifact_prefix=$(FUZZ_B)/findings/$*/ \
		$(FUZZ_B)/corpus/$* $(FUZZ_B)/seeds/$* \
		$(wildcard tests/fuzz/corpus/$*)
