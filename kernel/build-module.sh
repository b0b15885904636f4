#!/bin/bash
# Build vmcsinfo-intel.ko out of tree with W=1, warnings as errors:
#   build-module.sh OUTDIR [KDIR]
# KDIR defaults to the Debian headers of the test kernel, fetched into the
# cache by kernel/fetch-headers.sh.  The sources are copied to OUTDIR so
# that Kbuild's objects stay out of the source tree.  Fails when the build
# prints any warning; the whole log is OUTDIR/build.log.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 OUTDIR [KDIR]" >&2
	exit 2
fi
out=$1
kdir=${2:-}
if [ -z "$kdir" ]; then
	kdir=$("$top/kernel/fetch-headers.sh" --print-kdir)
fi
[ -f "$kdir/Makefile" ] || {
	echo "build-module: no kernel build tree at $kdir" >&2
	exit 1
}
src=$top/kernel/vmcsinfo-intel
mkdir -p "$out"
out=$(cd "$out" && pwd)
cp "$src/vmcsinfo-intel.c" "$src/Makefile" "$out/"
log=$out/build.log
rc=0
# Kbuild's make runs on its own, not in the caller's job server: under
# "make -j2" it would otherwise warn "jobserver unavailable", a warning
# this script counts.  The module is one file; -j1 costs nothing.
env -u MAKEFLAGS -u MFLAGS make -C "$kdir" M="$out" W=1 KCFLAGS=-Werror modules >"$log" 2>&1 || rc=$?
# "Skipping BTF generation ... unavailability of vmlinux" is information:
# the headers package has no vmlinux.
if [ $rc != 0 ] || grep -v 'Skipping BTF generation' "$log" | grep -qi 'warning'; then
	cat "$log" >&2
	echo "build-module: vmcsinfo-intel.ko failed to build warning-free (rc $rc; log $log)" >&2
	exit 1
fi
echo "vmcsinfo-intel.ko: built with W=1, no warnings, against $(basename "$kdir") ($out)"
