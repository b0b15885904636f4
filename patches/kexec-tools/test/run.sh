#!/bin/bash
# Functional test of the patched kexec without a VM and without a
# crashkernel: kexec runs a complete crash-kernel load under the LD_PRELOAD
# shim (kexec-shim.c), which serves /proc/iomem, /proc/kcore,
# /proc/kallsyms and /sys from a fixture tree and records what would have
# been handed to kexec_load / kexec_file_load.  kt-fixture then checks
# those bytes.  The unpatched build of the same source is the reference
# for "behaves exactly like unpatched".
#
#   run.sh PATCHED_KEXEC UNPATCHED_KEXEC SHIM KT_FIXTURE [NOBPF_KEXEC]
#
# NOBPF_KEXEC is the full series configured --without-libbpf.
set -euo pipefail

kexec=$1 plain=$2 shim=$3 fx=$4 nobpf=${5:-}
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
echo 0-3 >"$root/sys/devices/system/cpu/possible" # NUMBER(nr_cpu_ids)
echo 65536 >"$root/sys/kernel/crash_elfcorehdr_size" # for --hotplug (>= 2.0.27)
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

# KVMINFO sources: synthetic BTF (vmlinux, kvm, kvm_amd), a kallsyms with
# KVM loaded and one as a non-root reader sees it.  The fixture root has
# no /sys/kernel/btf: by default kexec finds no KVM there.
"$fx" btf "$t/btf"
cat >"$t/kallsyms" <<'KALLSYMS'
ffffffff81000000 T _stext
0000000000033340 D runqueues
ffffffff82a1c0a0 D __per_cpu_offset
ffffffffc0a1f000 t kvm_vm_ioctl	[kvm]
ffffffffc0a4d2d0 d vm_list	[kvm]
KALLSYMS
sed 's/^[0-9a-f]*/0000000000000000/' "$t/kallsyms" >"$t/kallsyms-hidden"
kvm_good=(--kvminfo-btf="$t/btf" --kvminfo-kallsyms="$t/kallsyms")
# What kt-fixture's layout and that kallsyms must give, key by key.
kvm_want=$(printf '%s\n' KVMINFO_VERSION=1 "OSRELEASE=$(uname -r)" \
	VENDOR=svm 'SYMBOL(vm_list)=ffffffffc0a4d2d0' \
	'SYMBOL(runqueues)=33340' 'SYMBOL(__per_cpu_offset)=ffffffff82a1c0a0' \
	'NUMBER(nr_cpu_ids)=4' 'OFFSET(list_head.next)=0' 'SIZE(kvm)=4608' \
	'OFFSET(kvm.vm_list)=4400' 'SIZE(kvm_vcpu)=9600' \
	'OFFSET(kvm_vcpu.kvm)=0' 'OFFSET(kvm_vcpu.vcpu_id)=28' \
	'OFFSET(kvm_vcpu.arch.regs)=512' 'LENGTH(kvm_vcpu.arch.regs)=17' \
	'OFFSET(vcpu_svm.vmcb01)=9608' 'OFFSET(kvm_vmcb_info.pa)=8' \
	'OFFSET(task_struct.pid)=1480' 'OFFSET(task_struct.comm)=2936' \
	'SIZE(task_struct.comm)=16' 'OFFSET(task_struct.__state)=24' \
	'OFFSET(mm_struct.pgd)=80')

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
# The KVMINFO descriptor is exactly kvm_want (the text ends in '\n').
check_kvm() {
	[ "$(cat "$1")" = "$kvm_want" ] && [ -z "$(tail -c1 "$1" | tr -d '\n')" ] ||
		fail "$1: KVMINFO is not the fixture's: $(cat "$1")"
}

# -c: kexec_load, which kexec-tools 2.0.27 and later no longer use by
# default.
crash=(-p "$t/bzImage" --append="console=ttyS0 irqpoll")
kargs=(-c "${crash[@]}")
# The --debug lines of the providers (kexec -d prints much more).
debug_lines() { grep -E '^(vmcsinfo|kvminfo): ' "$1" || true; }

# kexec_load.
run plain-p "$plain" "${kargs[@]}"
run plain-p-d "$plain" -d "${kargs[@]}"
run p-good "$kexec" "${kargs[@]}" --vmcsinfo-sysfs="$good" --no-kvminfo
[ "$(lines "$t/p-good.err")" = 0 ] || fail "p-good: $(cat "$t/p-good.err")"
"$fx" segnotes "$t/p-good" "$t/p-good.notes" >"$t/p-good.out" ||
	fail "p-good: $(cat "$t/p-good.out")"
grep -qx 'load-time PT_NOTEs: 1' "$t/p-good.out" || fail "p-good: no PT_NOTE"
[ "$(grep -c '^note ' "$t/p-good.out")" = 1 ] || fail "p-good: not one note"
check_desc "$t/p-good.notes/VMCSINFO.desc"
ok "kexec -p: VMCSINFO in its own segment, PT_NOTE with terminator, kept out of the e820, elfcorehdr= points at the header"

run p-none "$kexec" "${kargs[@]}"
[ "$(lines "$t/p-none.err")" = 0 ] ||
	fail "p-none: want no message, got: $(cat "$t/p-none.err")"
same_load p-none plain-p
run p-none-d "$kexec" -d "${kargs[@]}"
debug_lines "$t/p-none-d.err" >"$t/p-none-d.dbg"
[ "$(lines "$t/p-none-d.dbg")" = 2 ] &&
	grep -qx 'vmcsinfo: no VMCS layout in /sys/devices/system/cpu, no VMCSINFO note' "$t/p-none-d.dbg" &&
	grep -qx 'kvminfo: no kernel BTF (/sys/kernel/btf/vmlinux missing: .*), no KVMINFO note' "$t/p-none-d.dbg" ||
	fail "p-none-d: want one debug line per provider, got: $(cat "$t/p-none-d.dbg")"
same_load p-none-d plain-p-d
ok "kexec -p without a tree and without KVM: silent (one line each with -d), load identical to unpatched"

run p-bad "$kexec" "${kargs[@]}" --vmcsinfo-sysfs="$bad" --no-kvminfo
[ "$(lines "$t/p-bad.err")" = 1 ] &&
	grep -q "^vmcsinfo: warning: .*$bad/vmcs/681e" "$t/p-bad.err" ||
	fail "p-bad: want one warning naming 681e, got: $(cat "$t/p-bad.err")"
same_load p-bad plain-p
ok "kexec -p with a bad tree: one warning naming the file, load identical to unpatched"

run p-off "$kexec" "${kargs[@]}" --vmcsinfo-sysfs="$good" --no-vmcsinfo \
	"${kvm_good[@]}" --no-kvminfo
[ "$(lines "$t/p-off.err")" = 0 ] || fail "p-off: $(cat "$t/p-off.err")"
same_load p-off plain-p
ok "kexec -p --no-vmcsinfo --no-kvminfo: silent, load identical to unpatched"

# KVMINFO.
run p-kvm "$kexec" "${kargs[@]}" --vmcsinfo-sysfs="$good" "${kvm_good[@]}"
[ "$(lines "$t/p-kvm.err")" = 0 ] || fail "p-kvm: $(cat "$t/p-kvm.err")"
"$fx" segnotes "$t/p-kvm" "$t/p-kvm.notes" >"$t/p-kvm.out" ||
	fail "p-kvm: $(cat "$t/p-kvm.out")"
grep -qx 'load-time PT_NOTEs: 1' "$t/p-kvm.out" || fail "p-kvm: no PT_NOTE"
[ "$(grep '^note ' "$t/p-kvm.out" | cut -d' ' -f2 | tr '\n' ' ')" = \
	"VMCSINFO KVMINFO " ] || fail "p-kvm: want VMCSINFO then KVMINFO: $(cat "$t/p-kvm.out")"
check_desc "$t/p-kvm.notes/VMCSINFO.desc"
check_kvm "$t/p-kvm.notes/KVMINFO.desc"
ok "kexec -p with KVM: VMCSINFO and KVMINFO in the notes segment, KVMINFO = the BTF/kallsyms fixture"

run p-kvm-only "$kexec" "${kargs[@]}" --no-vmcsinfo "${kvm_good[@]}"
[ "$(lines "$t/p-kvm-only.err")" = 0 ] || fail "p-kvm-only: $(cat "$t/p-kvm-only.err")"
"$fx" segnotes "$t/p-kvm-only" "$t/p-kvm-only.notes" >"$t/p-kvm-only.out" ||
	fail "p-kvm-only: $(cat "$t/p-kvm-only.out")"
[ "$(grep -c '^note ' "$t/p-kvm-only.out")" = 1 ] || fail "p-kvm-only: not one note"
check_kvm "$t/p-kvm-only.notes/KVMINFO.desc"
ok "kexec -p --no-vmcsinfo with KVM: the KVMINFO note alone"

run p-nobtf "$kexec" -d "${kargs[@]}" --no-vmcsinfo \
	--kvminfo-btf="$t/nowhere" --kvminfo-kallsyms="$t/kallsyms"
debug_lines "$t/p-nobtf.err" >"$t/p-nobtf.dbg"
[ "$(lines "$t/p-nobtf.dbg")" = 1 ] &&
	grep -q "^kvminfo: no kernel BTF ($t/nowhere/vmlinux missing" "$t/p-nobtf.dbg" ||
	fail "p-nobtf: want one debug line, got: $(cat "$t/p-nobtf.dbg")"
same_load p-nobtf plain-p-d
ok "kexec -p without BTF: one debug line, load identical to unpatched"

mkdir -p "$t/btf-nokvm"
cp "$t/btf/vmlinux" "$t/btf-nokvm/"
run p-nokvm "$kexec" -d "${kargs[@]}" --no-vmcsinfo \
	--kvminfo-btf="$t/btf-nokvm" --kvminfo-kallsyms="$t/kallsyms"
debug_lines "$t/p-nokvm.err" >"$t/p-nokvm.dbg"
[ "$(lines "$t/p-nokvm.dbg")" = 1 ] &&
	grep -q "^kvminfo: no BTF of the kvm module .*kvm not loaded, no KVMINFO note" "$t/p-nokvm.dbg" ||
	fail "p-nokvm: want one debug line, got: $(cat "$t/p-nokvm.dbg")"
same_load p-nokvm plain-p-d
ok "kexec -p without the kvm module's BTF: one debug line, load identical to unpatched"

run p-hidden "$kexec" "${kargs[@]}" --no-vmcsinfo \
	--kvminfo-btf="$t/btf" --kvminfo-kallsyms="$t/kallsyms-hidden"
[ "$(lines "$t/p-hidden.err")" = 1 ] &&
	grep -q "^kvminfo: warning: .*vm_list at address 0.*; loading without the KVMINFO note" "$t/p-hidden.err" ||
	fail "p-hidden: want one warning, got: $(cat "$t/p-hidden.err")"
same_load p-hidden plain-p
ok "kexec -p with kallsyms addresses hidden: one warning, load identical to unpatched"

run p-nokvminfo "$kexec" "${kargs[@]}" --no-vmcsinfo "${kvm_good[@]}" \
	--no-kvminfo
[ "$(lines "$t/p-nokvminfo.err")" = 0 ] || fail "p-nokvminfo: $(cat "$t/p-nokvminfo.err")"
same_load p-nokvminfo plain-p
ok "kexec -p --no-kvminfo with KVM: silent, load identical to unpatched"

# kexec_file_load.
sargs=(-s "${crash[@]}" --initrd="$t/initrd")
run plain-s "$plain" "${sargs[@]}"
run s-good "$kexec" "${sargs[@]}" --vmcsinfo-sysfs="$good" --no-kvminfo
[ "$(lines "$t/s-good.err")" = 0 ] || fail "s-good: $(cat "$t/s-good.err")"
"$fx" initrdnotes "$t/s-good/initrd.bin" "$t/initrd" "$t/s-good.notes" \
	>"$t/s-good.out" || fail "s-good: $(cat "$t/s-good.out")"
check_desc "$t/s-good.notes/VMCSINFO.desc"
cmp -s "$t/s-good.notes/VMCSINFO.desc" "$t/p-good.notes/VMCSINFO.desc" ||
	fail "s-good: note differs from the kexec_load one"
cmp -s "$t/s-good/cmdline.txt" "$t/plain-s/cmdline.txt" ||
	fail "s-good: command line changed"
ok "kexec -s -p: initrd + padding + cpio with etc/vmcore-guests/loadtime.notes (0400), same note as kexec -p"

run s-kvm "$kexec" "${sargs[@]}" --vmcsinfo-sysfs="$good" "${kvm_good[@]}"
[ "$(lines "$t/s-kvm.err")" = 0 ] || fail "s-kvm: $(cat "$t/s-kvm.err")"
"$fx" initrdnotes "$t/s-kvm/initrd.bin" "$t/initrd" "$t/s-kvm.notes" \
	>"$t/s-kvm.out" || fail "s-kvm: $(cat "$t/s-kvm.out")"
[ "$(grep '^note ' "$t/s-kvm.out" | cut -d' ' -f2 | tr '\n' ' ')" = \
	"VMCSINFO KVMINFO " ] || fail "s-kvm: want VMCSINFO then KVMINFO: $(cat "$t/s-kvm.out")"
check_kvm "$t/s-kvm.notes/KVMINFO.desc"
cmp -s "$t/s-kvm.notes/KVMINFO.desc" "$t/p-kvm.notes/KVMINFO.desc" ||
	fail "s-kvm: KVMINFO differs from the kexec_load one"
ok "kexec -s -p with KVM: loadtime.notes carries VMCSINFO and KVMINFO, same notes as kexec -p"

run s-nokvm "$kexec" "${sargs[@]}" --no-vmcsinfo \
	--kvminfo-btf="$t/nowhere" --kvminfo-kallsyms="$t/kallsyms"
[ "$(lines "$t/s-nokvm.err")" = 0 ] || fail "s-nokvm: $(cat "$t/s-nokvm.err")"
same_load s-nokvm plain-s
ok "kexec -s -p without BTF: silent, initrd unchanged"

run s-none "$kexec" "${sargs[@]}" --no-kvminfo
[ "$(lines "$t/s-none.err")" = 0 ] || fail "s-none: $(cat "$t/s-none.err")"
same_load s-none plain-s
ok "kexec -s -p without a tree: silent, load identical to unpatched"

run s-noinitrd "$kexec" -s "${crash[@]}" --vmcsinfo-sysfs="$good" \
	"${kvm_good[@]}"
grep -q '^kexec: no initrd' "$t/s-noinitrd.err" &&
	[ "$(lines "$t/s-noinitrd.err")" = 1 ] ||
	fail "s-noinitrd: $(cat "$t/s-noinitrd.err")"
[ ! -e "$t/s-noinitrd/initrd.bin" ] || fail "s-noinitrd: an initrd was made"
ok "kexec -s -p without an initrd: one line, nothing carried"

KT_SHIM_FAIL_FILE_LOAD=1 run s-retry "$kexec" "${sargs[@]}" \
	--vmcsinfo-sysfs="$good" "${kvm_good[@]}"
[ "$(grep -c '^kexec_file_load call=' "$t/s-retry/load.txt")" = 2 ] ||
	fail "s-retry: not retried"
cmp -s "$t/s-retry/initrd.bin" "$t/initrd" ||
	fail "s-retry: retry did not use the original initrd"
grep -q 'retrying without them' "$t/s-retry.err" || fail "s-retry: no message"
ok "kexec -s -p refused with the notes: retried with the original initrd"

run plain-l "$plain" -s -l "$t/bzImage" --initrd="$t/initrd"
run s-l "$kexec" -s -l "$t/bzImage" --initrd="$t/initrd" \
	--vmcsinfo-sysfs="$good" "${kvm_good[@]}"
[ "$(lines "$t/s-l.err")" = 0 ] || fail "s-l: $(cat "$t/s-l.err")"
same_load s-l plain-l
ok "kexec -s -l (not a crash kernel): no notes, identical to unpatched"

# The syscall kexec picks by default (kexec_load on 2.0.25,
# kexec_file_load from 2.0.27 on): the note arrives either way.
run p-default "$kexec" "${crash[@]}" --initrd="$t/initrd" \
	--vmcsinfo-sysfs="$good" --no-kvminfo
[ "$(lines "$t/p-default.err")" = 0 ] || fail "p-default: $(cat "$t/p-default.err")"
if grep -q '^kexec_file_load ' "$t/p-default/load.txt"; then
	how=kexec_file_load
	"$fx" initrdnotes "$t/p-default/initrd.bin" "$t/initrd" \
		"$t/p-default.notes" >"$t/p-default.out"
else
	how=kexec_load
	"$fx" segnotes "$t/p-default" "$t/p-default.notes" >"$t/p-default.out"
fi || fail "p-default: $(cat "$t/p-default.out")"
check_desc "$t/p-default.notes/VMCSINFO.desc"
ok "kexec -p with the default syscall ($how): VMCSINFO carried"

# kexec --help lists the providers' options.
"$kexec" --help >"$t/help.txt" 2>&1 || true
grep -q -- '--vmcsinfo-sysfs=DIR' "$t/help.txt" &&
	grep -q -- '--no-kvminfo' "$t/help.txt" ||
	fail "kexec --help does not list the load-time note options"
ok "kexec --help lists the load-time note options"

# --hotplug (kexec-tools >= 2.0.27): the kernel rebuilds the elfcorehdr on
# hotplug and would drop the notes' PT_NOTE, so they are left out.
if "$plain" --help 2>/dev/null | grep -q -- '--hotplug'; then
	run plain-hp "$plain" "${kargs[@]}" --hotplug
	run p-hp "$kexec" "${kargs[@]}" --hotplug --vmcsinfo-sysfs="$good" \
		"${kvm_good[@]}"
	[ "$(lines "$t/p-hp.err")" = 1 ] &&
		grep -q '^kexec: with --hotplug the kernel would drop the load-time notes' "$t/p-hp.err" ||
		fail "p-hp: want one warning, got: $(cat "$t/p-hp.err")"
	same_load p-hp plain-hp
	ok "kexec -c -p --hotplug: one warning, load identical to unpatched"
fi

# kexec built without libbpf (configure --without-libbpf).
if [ -n "$nobpf" ]; then
	run nobpf-p "$nobpf" "${kargs[@]}" --no-vmcsinfo "${kvm_good[@]}"
	[ "$(lines "$t/nobpf-p.err")" = 0 ] ||
		fail "nobpf-p: want no message, got: $(cat "$t/nobpf-p.err")"
	same_load nobpf-p plain-p
	run nobpf-p-d "$nobpf" -d "${kargs[@]}" --no-vmcsinfo "${kvm_good[@]}"
	[ "$(debug_lines "$t/nobpf-p-d.err")" = \
		'kvminfo: built without libbpf, no KVMINFO note' ] ||
		fail "nobpf-p-d: want one debug line, got: $(debug_lines "$t/nobpf-p-d.err")"
	run nobpf-off "$nobpf" "${kargs[@]}" --no-vmcsinfo "${kvm_good[@]}" \
		--no-kvminfo
	[ "$(lines "$t/nobpf-off.err")" = 0 ] || fail "nobpf-off: $(cat "$t/nobpf-off.err")"
	same_load nobpf-off plain-p
	! ldd "$nobpf" | grep -q libbpf || fail "nobpf: $nobpf links libbpf"
	ok "kexec built without libbpf: silent (one debug line with -d, none with --no-kvminfo), load identical to unpatched"
fi

echo "kexec-tools patches: $pass checks passed"
