# tests/fuzz/: libFuzzer targets (clang -fsanitize=fuzzer,address,undefined).
# Not part of "make check" (.ci/run runs check-fuzz after it).  The
# targets and the code they reach are built into build/fuzz by a make of
# their own:
#
#   make fuzz-<target> [FUZZ_SECONDS=N]   seeds, then N s of libFuzzer
#   make fuzz [FUZZ_SECONDS=N] [FUZZ_JOBS=J]  every target, J at a time
#   make check-fuzz                       CI: every target 30 s, 2 at a time
#
# The targets and their inputs: docs/fuzzing.md.
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
# gpmap also walks L2 through L1 (three walkers a run), its nested seeds
# are 36 KiB: 57 MiB peak in 120 s from the seeds here (52 before), 64
# after 180 s with a grown corpus.
FUZZ_RSS_gpmap := 96
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

FUZZ_JOBS ?= 1

.PHONY: fuzz check-fuzz fuzz-build-all $(FUZZ_TARGETS:%=fuzz-%) \
	$(FUZZ_TARGETS:%=fuzz-build-%) $(FUZZ_TARGETS:%=fuzz-run-%)

# Every target FUZZ_SECONDS, FUZZ_JOBS at a time, after one build.
fuzz: fuzz-build-all
	@$(MAKE) --no-print-directory -k -j$(FUZZ_JOBS) \
		$(FUZZ_TARGETS:%=fuzz-run-%)

# CI (.ci/run, after make check): every target 30 s, two at a time on the
# two cores: 8 rounds, 240 s of fuzzing, plus the build (docs/fuzzing.md).
check-fuzz:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30 FUZZ_JOBS=2

FUZZ_SEEDS = mkdir -p $(FUZZ_B)/seeds/$(1) $(FUZZ_B)/corpus/$(1) \
	$(FUZZ_B)/findings/$(1) $(FUZZ_B)/logs && \
	ASAN_OPTIONS=detect_leaks=0 $(FUZZ_B)/fuzz/mkseeds $(1) \
	$(FUZZ_B)/seeds/$(1)

fuzz-build-all:
	$(FUZZ_MAKE) -j2 $(FUZZ_TARGETS:%=$(FUZZ_B)/fuzz/fuzz_%) \
		$(FUZZ_B)/fuzz/mkseeds
	@$(foreach t,$(FUZZ_TARGETS),$(call FUZZ_SEEDS,$(t)) &&) true

$(FUZZ_TARGETS:%=fuzz-build-%): fuzz-build-%:
	$(FUZZ_MAKE) $(FUZZ_B)/fuzz/fuzz_$* $(FUZZ_B)/fuzz/mkseeds
	@$(call FUZZ_SEEDS,$*)

$(FUZZ_TARGETS:%=fuzz-%): fuzz-%: fuzz-build-%
	@$(MAKE) --no-print-directory fuzz-run-$*

# Runs on a scratch corpus (new inputs land in build/fuzz/corpus/), with
# the committed corpus and the seeds as read-only inputs; libFuzzer's
# output goes to build/fuzz/logs/<target>.log, of which the last lines
# (coverage, final stats, "Done N runs") are shown, or the report of what
# it found, which fails the target.
$(FUZZ_TARGETS:%=fuzz-run-%): fuzz-run-%:
	@echo "fuzz $*: $(FUZZ_SECONDS) s"; \
	log=$(FUZZ_B)/logs/$*.log; \
	ASAN_OPTIONS=quarantine_size_mb=8:malloc_context_size=20 \
	$(FUZZ_B)/fuzz/fuzz_$* $(FUZZ_ARGS) \
		-max_len=$(FUZZ_MAX_LEN_$*) -max_total_time=$(FUZZ_SECONDS) \
		-artifact_prefix=$(FUZZ_B)/findings/$*/ \
		$(FUZZ_B)/corpus/$* $(FUZZ_B)/seeds/$* \
		$(wildcard tests/fuzz/corpus/$*) >$$log 2>&1; rc=$$?; \
	if [ $$rc = 0 ]; then \
		grep -E '^#[0-9]+' $$log | tail -n 1 | sed 's/^/fuzz $*: /'; \
		grep -E '^(stat::|Done )' $$log | sed 's/^/fuzz $*: /'; \
	else \
		tail -n 60 $$log | sed 's/^/fuzz $*: /'; \
		echo "fuzz $*: FAILED (exit $$rc), input in $(FUZZ_B)/findings/$*/"; \
	fi; exit $$rc

# Every committed corpus input through the CLI (tests/fuzz/replay.c): the
# plain build, gcc, no libFuzzer; part of make check.
$(B)/tests/fuzz-replay: $(B)/obj/tests/fuzz/replay.o \
		$(B)/obj/tests/fuzz/fuzzlib.o $(VG_FIXTURE_OBJ) $(VG_LIB) \
		$(VGNOTES_LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(VG_LDLIBS) $(VGNOTES_LDLIBS) \
		$(KVMINFO_LDLIBS)

PROGRAMS += $(B)/tests/fuzz-replay

.PHONY: check-corpus
check-corpus: $(B)/tests/fuzz-replay $(B)/bin/vmcore-guests
	@rc=0; for t in $(FUZZ_TARGETS); do \
		$(B)/tests/fuzz-replay $(B)/bin/vmcore-guests $$t \
			tests/fuzz/corpus/$$t || rc=1; \
	done; exit $$rc

# Before the VM tests: it takes a minute, they take most of an hour.
CHECKS := check-corpus $(CHECKS)
