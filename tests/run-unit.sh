#!/bin/bash
# Run cmocka test binaries and print one summary line:
#   "<label>: N passed, N failed"
# Usage: tests/run-unit.sh LABEL BINARY...
set -uo pipefail
label=$1; shift
passed=0; failed=0; broken=()
for t in "$@"; do
	out=$(CMOCKA_MESSAGE_OUTPUT=stdout "$t" 2>&1); rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' | tail -1)
	passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
	# A binary that died (sanitizer report, signal) may print no totals.
	if [ $rc -ne 0 ] && [ -z "$f" ]; then failed=$((failed + 1)); fi
	[ $rc -ne 0 ] && broken+=("$(basename "$t")")
done
echo "$label: $passed passed, $failed failed"
if [ ${#broken[@]} -ne 0 ]; then
	echo "$label: failing: ${broken[*]}" >&2
	exit 1
fi
