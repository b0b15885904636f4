#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hold our filtered, compressed guest dump against makedumpfile's on a
# real Linux guest (docs/guest-vmcore.md, "Dump levels").
#
#   tests/kdump-compare.sh [-b BUILD] GUEST.vmcore [OURS.kdump]
#
# GUEST.vmcore is an ELF guest vmcore (vmcore-guests --compress none).
# Without OURS.kdump, tests/tools/elf2kdump writes it from GUEST.vmcore at
# --dump-level 31 --compress zlib.  makedumpfile -c -d 31 (or -l for an
# lzo OURS) of GUEST.vmcore must keep the same pages (bitmaps compared),
# ours must be at most 1.25 times its size, and makedumpfile --dump-dmesg
# must print the same log from both.  Prints one verdict line per check;
# exit 0 when all pass.
set -u
build=build
[ "${1:-}" = -b ] && { build=$2; shift 2; }
[ $# -ge 1 ] || { sed -n 4,14p "$0"; exit 2; }
elf=$1 ours=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
rc=0
say() { echo "kdump-compare: $*"; }
fail() { say "FAIL: $*"; rc=1; }

if [ -z "$ours" ]; then
	ours=$tmp/ours.kdump
	"$build/tests/elf2kdump" -d 31 -c zlib "$elf" "$ours" >"$tmp/e2k.out" \
		2>"$tmp/e2k.err" || { cat "$tmp/e2k.err"; fail "elf2kdump"; exit 1; }
fi
# The compression our file used decides makedumpfile's (-c zlib, -l lzo).
status=$(od -An -tu4 -j424 -N4 "$ours" | tr -d ' ')
case $status in
1 | 9) mflag=-c ;;
2 | 10) mflag=-l ;;
*) say "our dump uses status $status: size compared with -c"; mflag=-c ;;
esac
makedumpfile $mflag -d 31 "$elf" "$tmp/mdf.kdump" >"$tmp/mdf.log" 2>&1 ||
	{ tail -3 "$tmp/mdf.log"; fail "makedumpfile $mflag -d 31"; exit 1; }
if python3 "$here/kdump-bitmaps.py" "$ours" "$tmp/mdf.kdump" >"$tmp/bm"; then
	say "ok: same pages as makedumpfile $mflag -d 31 ($(tail -1 "$tmp/bm"))"
else
	cat "$tmp/bm"
	fail "the pages kept differ from makedumpfile's"
fi
a=$(stat -c %s "$ours") b=$(stat -c %s "$tmp/mdf.kdump")
if [ $((a * 100)) -le $((b * 125)) ]; then
	say "ok: $a bytes, makedumpfile $b ($(awk "BEGIN{printf \"%.3f\", $a/$b}")x)"
else
	fail "$a bytes, over 1.25 x makedumpfile's $b"
fi
if makedumpfile --dump-dmesg "$ours" "$tmp/ours.dmesg" >/dev/null 2>&1 &&
	makedumpfile --dump-dmesg "$tmp/mdf.kdump" "$tmp/mdf.dmesg" \
		>/dev/null 2>&1 && [ -s "$tmp/ours.dmesg" ] &&
	cmp -s "$tmp/ours.dmesg" "$tmp/mdf.dmesg"; then
	say "ok: makedumpfile --dump-dmesg: $(wc -l <"$tmp/ours.dmesg") lines, as from makedumpfile's"
else
	fail "makedumpfile --dump-dmesg of our dump"
fi
exit $rc
