#!/bin/bash
# Fuzz for SECONDS in total, one in-process libFuzzer job at a time,
# starting it again after each finding (a crash, leak, OOM or timeout ends
# an in-process run), and count the findings.  libFuzzer's -fork mode does
# the same but its parent process counts against -rss_limit_mb too.
#   tests/fuzz/loop.sh FUZZER SECONDS CORPUS FINDINGS [DIR...] [-- ARGS]
set -uo pipefail
fuzzer=$1 seconds=$2 corpus=$3 findings=$4; shift 4
dirs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do dirs+=("$1"); shift; done
[ "${1:-}" = -- ] && shift
mkdir -p "$corpus" "$findings"
end=$(($(date +%s) + seconds)) runs=0 execs=0 n=0
while left=$((end - $(date +%s))); [ $left -gt 0 ]; do
	log=$findings/run-$n.log
	"$fuzzer" -jobs=1 -rss_limit_mb=64 -malloc_limit_mb=64 -timeout=10 \
		-print_final_stats=1 -max_total_time=$left \
		-artifact_prefix="$findings/" "$@" "$corpus" "${dirs[@]}" \
		>"$log" 2>&1
	r=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	runs=$((runs + ${r:-0}))
	n=$((n + 1))
done
crashes=$(ls "$findings" | grep -c '^crash-')
ooms=$(ls "$findings" | grep -c '^oom-')
leaks=$(ls "$findings" | grep -c '^leak-')
timeouts=$(ls "$findings" | grep -c '^timeout-')
echo "$fuzzer: $runs runs in $seconds s ($((runs / seconds)) exec/s)," \
	"$n libFuzzer runs; findings: $crashes crash, $ooms oom," \
	"$leaks leak, $timeouts timeout; corpus $(ls "$corpus" | wc -l) files"
