# vmcore-guests: top-level build.  See README.md for the two commands.
#
#   make              build every program and library (build/)
#   make CC=clang     the same with clang
#   make check        unit tests, again under ASan+UBSan, then the VM tests
#   make deps         install every Debian build/test dependency (root, apt-get)
#   make format       reformat the C sources with .clang-format
#   make format-check fail when a C source is not formatted
#
# Each part of the tree adds its programs and tests in its own build.mk
# (or build-<part>.mk);
# this file only holds the shared rules.

.DEFAULT_GOAL := all
SHELL := /bin/bash
.DELETE_ON_ERROR:
.SUFFIXES:

# SAN=1 builds everything with AddressSanitizer and UBSan into build/san.
SAN ?= 0
ifeq ($(SAN),1)
B := build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer
OPT := -O1 -g
else
B := build
SANFLAGS :=
OPT := -O2 -g
endif

WARNFLAGS := -Wall -Wextra -Werror
ALL_CFLAGS = -std=gnu11 $(WARNFLAGS) $(OPT) $(SANFLAGS) -D_GNU_SOURCE \
	     -I. -MMD -MP $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)

# Filled in by the build.mk fragments.
PROGRAMS :=
UNIT_TESTS :=
CHECKS :=

# The libraries first: later fragments name them in prerequisites.
FIRST_MK := notes/build.mk $(sort $(wildcard src/build-*.mk)) src/build.mk
include $(FIRST_MK)
include $(filter-out $(FIRST_MK),$(sort $(wildcard */build.mk */build-*.mk)))

OBJS_ALL := $(shell find $(B)/obj -name '*.o' 2>/dev/null)
-include $(OBJS_ALL:.o=.d)

$(B)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

.PHONY: all
all: $(PROGRAMS)

# Unit tests: every binary in UNIT_TESTS runs; tests/run-unit.sh sums up
# the cmocka results into one "N passed, N failed" line.
.PHONY: unit-tests
unit-tests: $(UNIT_TESTS)
	@tests/run-unit.sh $(if $(filter 1,$(SAN)),"unit (asan+ubsan)","unit") \
		$(UNIT_TESTS)

.PHONY: check
check:
	$(MAKE) unit-tests
	$(MAKE) SAN=1 unit-tests
	$(MAKE) format-check
	@set -e; for c in $(CHECKS); do $(MAKE) $$c; done

.PHONY: deps
deps:
	ci/install-deps.sh

C_SOURCES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)

.PHONY: format
format:
	clang-format -i $(C_SOURCES)

.PHONY: format-check
format-check:
	@bad=0; for f in $(C_SOURCES); do \
		if ! clang-format --dry-run --Werror "$$f" >/dev/null 2>&1; then \
			echo "not formatted: $$f (run: make format)"; bad=1; fi; \
	done; \
	[ $$bad = 0 ] && echo "format-check: $(words $(C_SOURCES)) files ok"

.PHONY: demo
demo:
	test-vms/demo.sh

.PHONY: clean
clean:
	rm -rf build
