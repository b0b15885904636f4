#!/bin/bash
# make bench-kvmdesc: generate a host dump of $BENCH_DUMP_MIB MiB
# (default 1024) with this machine's vmlinux BTF and kallsyms
# (bench/kvmdesc_bench.c), then time "vmcsinfo kvminfo --from-dump" and
# the baseline "vmcsinfo read" (open, notes, no description), and
# vmcore-guests with and without the KVM step, with /usr/bin/time: wall
# seconds and peak RSS.  The dump is removed.
set -euo pipefail
gen=$1 vmcsinfo=$2 guests=$3
mib=${BENCH_DUMP_MIB:-1024}
dir=$(mktemp -d "${TMPDIR:-/tmp}/vg-kvmdesc-XXXXXX")
trap 'rm -rf "$dir"' EXIT
"$gen" gen "$dir/vmcore" "$mib"
cat "$dir/vmcore" >/dev/null # page cache warm, as in the capture kernel
measure() {
	/usr/bin/time -f '%e s, %M KiB peak RSS' -o "$dir/time" "$@" \
		>"$dir/out" 2>"$dir/err" || true
	cat "$dir/time"
}
echo "baseline (vmcsinfo read: open the dump, read its notes):"
measure "$vmcsinfo" read "$dir/vmcore"
for i in 1 2 3; do
	echo "derive the description (vmcsinfo kvminfo --from-dump), run $i:"
	measure "$vmcsinfo" kvminfo --from-dump "$dir/vmcore"
done
cp "$dir/out" "$dir/kvminfo"
echo "vmcore-guests --no-kvm (scan only):"
measure "$guests" --no-kvm "$dir/vmcore" "$dir/g1"
echo "vmcore-guests (scan + the dump's own description):"
measure "$guests" "$dir/vmcore" "$dir/g2"
grep -o '"dump_description": "[^"]*"' "$dir/g2/report.json" || true
if ! grep -q '^SYMBOL(vm_list)=' "$dir/kvminfo"; then
	echo "kvmdesc bench: no description:" >&2
	cat "$dir/err" >&2
	exit 1
fi
echo "$(wc -l <"$dir/kvminfo") lines of KVMINFO text"
