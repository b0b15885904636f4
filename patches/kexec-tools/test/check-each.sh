#!/bin/bash
# Every patch of the series must build on its own: build the source with
# the first 1..N-1 patches (the whole series is "make kexec-tools") and
# fail on the first prefix that does not build warning-free.
#
#   check-each.sh WORKDIR
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:?usage: check-each.sh WORKDIR}
mkdir -p "$work"
mapfile -t series < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/series")
for ((k = 1; k < ${#series[@]}; k++)); do
	printf '%s\n' "${series[@]:0:k}" >"$work/series.$k"
	"$here/build.sh" "$work/prefix" "$work/series.$k" >/dev/null ||
		{ echo "FAIL: the series does not build after ${series[k - 1]}" >&2; exit 1; }
	echo "ok: builds after ${series[k - 1]}"
done
rm -rf "$work/prefix"
