#!/bin/bash
# make bench: run the guest-core writer benchmark at growing guest sizes,
# through EPT and through memslots + QEMU's page tables, and show that peak
# RSS stays flat.  Sizes in MiB: $BENCH_SIZES
# (default "1024 4096").  Output goes to $TMPDIR and is removed.
set -euo pipefail
bin=$1
sizes=${BENCH_SIZES:-1024 4096}
out=$(mktemp "${TMPDIR:-/tmp}/vg-bench-XXXXXX")
trap 'rm -f "$out"' EXIT
for s in $sizes; do
	for mode in ept memslots; do
		"$bin" "$s" "$out" "$mode"
		rm -f "$out"
	done
done
