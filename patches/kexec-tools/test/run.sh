#!/bin/bash
# Functional test of the patched kexec without a VM and without a
# crashkernel: kexec runs a complete crash-kernel load under the LD_PRELOAD
# shim (kexec-shim.c), which serves /proc/iomem, /proc/kcore,
# /proc/kallsyms and /sys from a fixture tree and records what would have
# been handed to kexec_load / kexec_file_load.  kt-fixture then checks
# those bytes.  The unpatched build of the same source is the reference
# for "behaves exactly like unpatched".
#
#   run.sh PATCHED_KEXEC UNPATCHED_KEXEC SHIM KT_FIXTURE
set -euo pipefail

kexec=$1 plain=$2 shim=$3 fx=$4
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
pass=0

fail() {
	echo "FAIL: $*" >&2
	exit 1
}
ok() {
	echo "ok: $*"
	pass=$((pass + 1))
}

# The fixture machine: 2 GiB of RAM, 256 MiB crashkernel at 512 MiB.
root=$t/root
mkdir -p "$root/proc" "$root/sys/kernel" "$root/sys/devices/system/cpu"
cat >"$root/proc/iomem" <<'IOMEM'
00000000-00000fff : Reserved
00001000-0009fbff : System RAM
0009fc00-000fffff : Reserved
00100000-7fffffff : System RAM
  01000000-01ffffff : Kernel code
  02000000-027fffff : Kernel rodata
  02800000-02bfffff : Kernel data
  20000000-2fffffff : Crash kernel
fec00000-fec003ff : IOAPIC 0
IOMEM
echo "ffffffff81000000 T _stext" >"$root/proc/kallsyms"
echo "7c000000 1024" >"$root/sys/kernel/vmcoreinfo"
"$fx" kcore "$root/proc/kcore"
"$fx" bzimage "$t/bzImage"
printf 'fake-initrd-13' >"$t/initrd" # 14 bytes: needs padding

# A good VMCS tree (values in both bases, one absent field) and a bad one.
good=$t/vmcs-good
mkdir -p "$good/vmcs"
echo 0x2b >"$good/vmcs_id"
echo 0x1f8 >"$good/vmcs/0800"
echo 506 >"$good/vmcs/0802"
echo 0x300 >"$good/vmcs/681e"
echo 0 >"$good/vmcs/4402"
bad=$t/vmcs-bad
cp -r "$good" "$bad"
echo 0x301 >"$bad/vmcs/681e" # natural-width field, misaligned

# run NAME KEXEC ARGS...: run under the shim, stderr in $t/NAME.err.
run() {
	local name=$1 bin=$2
	shift 2
	mkdir -p "$t/$name" "$t/$name.notes"
	KT_SHIM_ROOT=$root KT_SHIM_OUT=$t/$name LD_PRELOAD=$shim \
		"$bin" "$@" 2>"$t/$name.err" >/dev/null ||
		fail "$name: kexec exited $? ($(cat "$t/$name.err"))"
}
same_load() {
	diff -r "$t/$1" "$t/$2" >/dev/null ||
		fail "$1: what kexec loaded differs from unpatched ($2)"
}
# The descriptor must be exactly the good tree: version, revision id and
# one FIELD line per non-zero offset, in encoding order.
check_desc() {
	local d=$1 want
	want=$(printf 'VMCSINFO_VERSION=1\nREVISION_ID=0x2b\n'
		for f in "$good"/vmcs/*; do
			v=$(($(cat "$f")))
			[ $v = 0 ] || printf 'FIELD(0x%s)=0x%x\n' "$(basename "$f")" $v
		done)
	[ "$(grep -v -e '^SOURCE=' -e '^CPU_' -e '^MICROCODE=' "$d")" = "$want" ] ||
		fail "$d: descriptor is not the fixture's layout: $(cat "$d")"
	grep -qx 'SOURCE=sysfs' "$d" || fail "$d: no SOURCE=sysfs"
}
lines() { grep -c . "$1" || true; }

kargs=(-p "$t/bzImage" --append="console=ttyS0 irqpoll")

# kexec_load.
run plain-p "$plain" "${kargs[@]}"
run p-good "$kexec" "${kargs[@]}" --vmcsinfo-sysfs="$good"
[ "$(lines "$t/p-good.err")" = 0 ] || fail "p-good: $(cat "$t/p-good.err")"
"$fx" segnotes "$t/p-good" "$t/p-good.notes" >"$t/p-good.out" ||
	fail "p-good: $(cat "$t/p-good.out")"
grep -qx 'load-time PT_NOTEs: 1' "$t/p-good.out" || fail "p-good: no PT_NOTE"
[ "$(grep -c '^note ' "$t/p-good.out")" = 1 ] || fail "p-good: not one note"
check_desc "$t/p-good.notes/VMCSINFO.desc"
ok "kexec -p: VMCSINFO in its own segment, PT_NOTE with terminator, kept out of the e820, elfcorehdr= points at the header"

run p-none "$kexec" "${kargs[@]}"
[ "$(lines "$t/p-none.err")" = 1 ] &&
	grep -q '^vmcsinfo: no VMCS layout in /sys/devices/system/cpu' "$t/p-none.err" ||
	fail "p-none: want one info line, got: $(cat "$t/p-none.err")"
same_load p-none plain-p
ok "kexec -p without a tree: one info line, load identical to unpatched"

run p-bad "$kexec" "${kargs[@]}" --vmcsinfo-sysfs="$bad"
[ "$(lines "$t/p-bad.err")" = 1 ] &&
	grep -q "^vmcsinfo: warning: .*$bad/vmcs/681e" "$t/p-bad.err" ||
	fail "p-bad: want one warning naming 681e, got: $(cat "$t/p-bad.err")"
same_load p-bad plain-p
ok "kexec -p with a bad tree: one warning naming the file, load identical to unpatched"

run p-off "$kexec" "${kargs[@]}" --vmcsinfo-sysfs="$good" --no-vmcsinfo
[ "$(lines "$t/p-off.err")" = 0 ] || fail "p-off: $(cat "$t/p-off.err")"
same_load p-off plain-p
ok "kexec -p --no-vmcsinfo: silent, load identical to unpatched"

# kexec_file_load.
sargs=(-s "${kargs[@]}" --initrd="$t/initrd")
run plain-s "$plain" "${sargs[@]}"
run s-good "$kexec" "${sargs[@]}" --vmcsinfo-sysfs="$good"
[ "$(lines "$t/s-good.err")" = 0 ] || fail "s-good: $(cat "$t/s-good.err")"
"$fx" initrdnotes "$t/s-good/initrd.bin" "$t/initrd" "$t/s-good.notes" \
	>"$t/s-good.out" || fail "s-good: $(cat "$t/s-good.out")"
check_desc "$t/s-good.notes/VMCSINFO.desc"
cmp -s "$t/s-good.notes/VMCSINFO.desc" "$t/p-good.notes/VMCSINFO.desc" ||
	fail "s-good: note differs from the kexec_load one"
cmp -s "$t/s-good/cmdline.txt" "$t/plain-s/cmdline.txt" ||
	fail "s-good: command line changed"
ok "kexec -s -p: initrd + padding + cpio with etc/vmcore-guests/loadtime.notes (0400), same note as kexec -p"

run s-none "$kexec" "${sargs[@]}"
grep -q '^vmcsinfo: no VMCS layout' "$t/s-none.err" &&
	[ "$(lines "$t/s-none.err")" = 1 ] || fail "s-none: $(cat "$t/s-none.err")"
same_load s-none plain-s
ok "kexec -s -p without a tree: one info line, load identical to unpatched"

run s-noinitrd "$kexec" -s "${kargs[@]}" --vmcsinfo-sysfs="$good"
grep -q '^kexec: no initrd' "$t/s-noinitrd.err" &&
	[ "$(lines "$t/s-noinitrd.err")" = 1 ] ||
	fail "s-noinitrd: $(cat "$t/s-noinitrd.err")"
[ ! -e "$t/s-noinitrd/initrd.bin" ] || fail "s-noinitrd: an initrd was made"
ok "kexec -s -p without an initrd: one line, nothing carried"

KT_SHIM_FAIL_FILE_LOAD=1 run s-retry "$kexec" "${sargs[@]}" \
	--vmcsinfo-sysfs="$good"
[ "$(grep -c '^kexec_file_load call=' "$t/s-retry/load.txt")" = 2 ] ||
	fail "s-retry: not retried"
cmp -s "$t/s-retry/initrd.bin" "$t/initrd" ||
	fail "s-retry: retry did not use the original initrd"
grep -q 'retrying without them' "$t/s-retry.err" || fail "s-retry: no message"
ok "kexec -s -p refused with the notes: retried with the original initrd"

run plain-l "$plain" -s -l "$t/bzImage" --initrd="$t/initrd"
run s-l "$kexec" -s -l "$t/bzImage" --initrd="$t/initrd" \
	--vmcsinfo-sysfs="$good"
[ "$(lines "$t/s-l.err")" = 0 ] || fail "s-l: $(cat "$t/s-l.err")"
same_load s-l plain-l
ok "kexec -s -l (not a crash kernel): no notes, identical to unpatched"

echo "kexec-tools patches: $pass checks passed"
