#!/bin/bash
# Every patch of the series must build on its own: build the source with
# the first 1..N-1 patches (the whole series is "make kexec-tools") and
# fail on the first prefix that does not build warning-free.
#
#   check-each.sh WORKDIR [UNPATCHED_OUTDIR]
#
# KT_BASE (debian or upstream, see build.sh) picks the source.  The
# prefixes are built incrementally (build.sh with KT_REUSE=1): patch k is
# applied to a copy of the tree built with patches 1..k-1 and only what it
# touches is rebuilt.  UNPATCHED_OUTDIR, a build.sh OUTDIR of the same
# source without patches, is the starting tree when given.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
work=${1:?usage: check-each.sh WORKDIR [UNPATCHED_OUTDIR]}
seed=${2:-}
mkdir -p "$work"
mapfile -t series < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/series")
rm -rf "$work/prefix"
if [ -n "$seed" ] && [ -f "$seed/src/.kt-build" ]; then
	mkdir -p "$work/prefix"
	cp -a "$seed/src" "$work/prefix/src"
fi
for ((k = 1; k < ${#series[@]}; k++)); do
	printf '%s\n' "${series[@]:0:k}" >"$work/series.$k"
	KT_REUSE=1 "$here/build.sh" "$work/prefix" "$work/series.$k" >/dev/null ||
		{ echo "FAIL: the series does not build on ${KT_BASE:-debian} after ${series[k - 1]}" >&2; exit 1; }
	echo "ok: builds on ${KT_BASE:-debian} after ${series[k - 1]}"
done
rm -rf "$work/prefix"
