#!/bin/bash
# Fuzz for SECONDS in total, one in-process libFuzzer job at a time,
# starting it again after each finding (a crash, leak, OOM or timeout ends
# an in-process run), and count the findings.  libFuzzer's -fork mode does
# the same but its parent process counts against -rss_limit_mb too.
#   tests/fuzz/loop.sh FUZZER SECONDS CORPUS FINDINGS [DIR...] [-- ARGS]
# The last line sums up: runs, exec/s, findings by kind, corpus size.
set -uo pipefail
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
fuzzer=$(abs "$1") seconds=$2 corpus=$(abs "$3") findings=$(abs "$4")
shift 4
dirs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do dirs+=("$(abs "$1")"); shift; done
[ "${1:-}" = -- ] && shift
mkdir -p "$corpus" "$findings"
# ASan's quarantine of freed memory (256 MiB by default) would count
# against -rss_limit_mb: libkdumpfile allocates and frees a 4 MiB page
# cache on every open.
export ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=8:malloc_context_size=20}
# -jobs=1 runs the fuzzer in a worker that logs to ./fuzz-0.log.
cd "$findings" || exit 2
end=$(($(date +%s) + seconds)) runs=0 n=0
while left=$((end - $(date +%s))); [ $left -gt 0 ]; do
	log=$findings/run-$n.log
	"$fuzzer" -jobs=1 -rss_limit_mb=64 -malloc_limit_mb=64 -timeout=10 \
		-print_final_stats=1 -max_total_time=$left \
		-artifact_prefix="$findings/" "$@" "$corpus" "${dirs[@]}" \
		>"$log" 2>&1
	cat fuzz-0.log >>"$log" 2>/dev/null
	r=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	runs=$((runs + ${r:-0}))
	n=$((n + 1))
done
count() { ls "$findings" | grep -c "^$1-"; }
echo "$(basename "$fuzzer"): $runs runs in $seconds s" \
	"($((runs / seconds)) exec/s), $n libFuzzer runs; findings:" \
	"$(count crash) crash, $(count oom) oom, $(count leak) leak," \
	"$(count timeout) timeout; corpus $(ls "$corpus" | wc -l) files"
