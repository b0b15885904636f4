#!/bin/bash
# make bench, end to end (issue 15): vmcore-guests on generated sparse
# host ELF dumps of $BENCH_HOST_SIZES MiB (default "1024 4096 16384";
# bench/kvmhost_bench.c: two guests of 512 MiB memslots, 384 MiB of each
# in 2 MiB host pages) and, for each size, $BENCH_RUNS (default 3)
# paired runs, medians printed:
#   walk   vmcore-guests (walk mode)      / cp --sparse=always of its guests
#   scan   vmcore-guests --scan (forced)  / (cat of the dump + cp of its guests)
#   fc     vmcore-guests --dump-level 31 --compress lzo (the capture's default
#          guest_core_collector): time, the guest files' size, peak RSS
# with peak RSS and the bytes read from the host dump (report.json
# capture.host_bytes_read).  The page cache is warm (the dump is read
# once first), as in the capture kernel right after makedumpfile.
# The dumps go to a directory under DIR (default build/bench), the guest
# files (ours and cp's) to one under $BENCH_OUT (default /dev/shm: on this
# shared machine the disk's writeback made single timings vary 5x; both
# sides of each ratio write to the same place); both are removed at the end.
#
#   bench/hosts.sh KVMHOST_BENCH VMCORE_GUESTS [DIR]
set -euo pipefail
gen=$1 vg=$2
top=${3:-build/bench}
sizes=${BENCH_HOST_SIZES:-1024 4096 16384}
runs=${BENCH_RUNS:-3}
mkdir -p "$top"
dir=$(mktemp -d "$top/hosts-XXXXXX")
out=$(mktemp -d "${BENCH_OUT:-/dev/shm}/vg-hosts-XXXXXX")
trap 'rm -rf "$dir" "$out"' EXIT

# Seconds a command takes (stdout/stderr to $dir/log), started after a
# sync; peak RSS (KiB) of the last one in $dir/rss.
secs() {
	sync # no dirty pages of the step before to write back
	local t0=$EPOCHREALTIME
	/usr/bin/time -f %M -o "$dir/rss" "$@" >>"$dir/log" 2>&1 || {
		echo "bench: $* failed: $(tail -3 "$dir/log")" >&2
		exit 1
	}
	echo "$EPOCHREALTIME $t0" | awk '{ printf "%.3f\n", $1 - $2 }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
bytes_read() { sed -n 's/.*"host_bytes_read": \([0-9]*\).*/\1/p' "$1/report.json"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.0f", b / 1048576 }'; }

df -h "$top" | tail -1 | awk '{ print "bench: " $4 " free on " $6 }'
printf '\n| host dump | guests present | walk s | cp s | walk/cp | walk read | walk RSS | scan s | cat s | cp s | scan/(cat+cp) | scan read | scan RSS | fc s | fc/cp | fc size | fc RSS |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
for s in $sizes; do
	d=$dir/host.elf
	present=$("$gen" "$s" "$d")
	cat "$d" >/dev/null
	: >"$dir/walk" && : >"$dir/scan" && : >"$dir/fc"
	wrss=0 srss=0 frss=0
	for _ in $(seq "$runs"); do
		rm -rf "$out/w" "$out/c" "$out/s" "$out/c2" "$out/f"
		mkdir "$out/c" "$out/c2"
		tw=$(secs "$vg" "$d" "$out/w")
		r=$(cat "$dir/rss") && [ "$r" -gt "$wrss" ] && wrss=$r
		tc=$(secs cp --sparse=always "$out"/w/*.vmcore "$out/c/")
		rm -rf "$out/c"
		ts=$(secs "$vg" --scan "$d" "$out/s")
		r=$(cat "$dir/rss") && [ "$r" -gt "$srss" ] && srss=$r
		tk=$(secs sh -c 'exec cat "$1" >/dev/null' cat "$d")
		tc2=$(secs cp --sparse=always "$out"/s/*.vmcore "$out/c2/")
		tf=$(secs "$vg" --dump-level 31 --compress lzo "$d" "$out/f")
		r=$(cat "$dir/rss") && [ "$r" -gt "$frss" ] && frss=$r
		echo "$tw $tc" >>"$dir/walk"
		echo "$ts $tk $tc2" >>"$dir/scan"
		echo "$tf $tc" >>"$dir/fc"
	done
	grep -q '"format": "kdump-compressed"' "$out/f/report.json" || {
		echo "bench: the --compress lzo run on $s MiB wrote no kdump-compressed guest" >&2
		exit 1
	}
	fsize=$(cat "$out"/f/*.vmcore | wc -c)
	grep -q '"mode": "walk"' "$out/w/report.json" || {
		echo "bench: the run on $s MiB was not in walk mode" >&2
		exit 1
	}
	printf '| %s GiB | %s MiB | %s | %s | %s | %s MiB | %s MiB | %s | %s | %s | %s | %s MiB | %s MiB | %s | %s | %s MiB | %s MiB |\n' \
		"$(awk -v m="$s" 'BEGIN { print m / 1024 }')" "$(mib "$present")" \
		"$(cut -d' ' -f1 "$dir/walk" | median)" "$(cut -d' ' -f2 "$dir/walk" | median)" \
		"$(awk '{ printf "%.2f\n", $1 / $2 }' "$dir/walk" | median)" \
		"$(mib "$(bytes_read "$out/w")")" "$(mib $((wrss * 1024)))" \
		"$(cut -d' ' -f1 "$dir/scan" | median)" "$(cut -d' ' -f2 "$dir/scan" | median)" \
		"$(cut -d' ' -f3 "$dir/scan" | median)" \
		"$(awk '{ printf "%.2f\n", $1 / ($2 + $3) }' "$dir/scan" | median)" \
		"$(mib "$(bytes_read "$out/s")")" "$(mib $((srss * 1024)))" \
		"$(cut -d' ' -f1 "$dir/fc" | median)" \
		"$(awk '{ printf "%.2f\n", $1 / $2 }' "$dir/fc" | median)" \
		"$(mib "$fsize")" "$(mib $((frss * 1024)))"
	rm -rf "$d" "$out/w" "$out/s" "$out/c2" "$out/f"
done
echo
echo "(medians of $runs paired runs; ratios per pair, then the median)"
