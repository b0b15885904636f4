#!/bin/bash
# make check-vms-intel: the whole Intel chain on a CPU with VMX.  Bochs
# (corei7_haswell_4770: VMX with EPT) runs an L1 KVM host that loads
# kvm-intel and our vmcsinfo-intel module; the patched kexec -p takes
# VMCSINFO from the module's real sysfs tree; the tiny guest runs (IF=1);
# sysrq crashes L1; the capture initramfs (real dracut with our module, as
# for check-vms-amd, on an ATA disk) saves the host dump and runs
# vmcore-guests on /proc/vmcore.  Judged here, outside the VM, with
# readelf, gdb, jq, makedumpfile and our vmcsinfo:
#
#   - L1's /sys/devices/system/cpu/vmcs tree (kept as vmcs-sysfs.tar) is
#     valid for "vmcsinfo show --sysfs", has the fields vmcore-guests
#     reads, and every offset it gives is where Bochs keeps that field;
#     vmcs_ar_format says rotated-8 (Bochs' access-rights format);
#   - loaded again while the guest runs (KVM has VMX on), the module
#     publishes the same layout and the guest keeps running (L1 checks);
#   - on a CPU without VMX (QEMU qemu64, a few seconds) it refuses to load
#     with its one-line reason and publishes nothing;
#   - /proc/vmcore and the saved host dump carry that layout as VMCSINFO;
#   - report.json and the guest vmcore's NT_PRSTATUS and QEMU notes give
#     the guest's RIP, RSP, RFLAGS, CS selector and CS base; report.json
#     the CS and SS access rights and the CPL, decoded as rotated-8;
#   - the KVM walk ran on kvm-intel's structures (KVMINFO note from the
#     same kexec -p): the guest is named after its process, has every GPR
#     the runner set and all its pages.
#
# Three scenarios: vmx (the Bochs crash cycle and everything above),
# stock (a second Bochs cycle with Debian's own, unpatched kexec -s -p: no
# VMCSINFO or KVMINFO note anywhere, so vmcore-guests takes the VMCS
# layout from vmcsinfo-intel's memory and KVM's layout from the dump's
# own kallsyms and BTF, and must still give every register and page the
# vmx scenario gives; its tiny guest runs in 64-bit mode at CPL 3, so the
# access rights, the CPL and CR0/CR3/CR4 are those of long mode) and novmx
# (the refusal on a CPU without VMX).
#
#   VG_INTEL_SCENARIOS  which to run (default "vmx stock novmx")
#   VG_STOCK_KEXEC      the unpatched kexec for "stock" (default
#                       /usr/sbin/kexec, Debian's kexec-tools)
#   VG_KEXEC, VG_PARTIAL=1, VG_BOCHS_TIMEOUT: as for check-vms-amd.sh and
#   run-bochs.sh.  VG_JUDGE_ONLY=1: no new cycle, judge the results of the
#   last one again (development).  Logs and results: $VG_OUT/intel/
#   (docs/testing.md).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=verdicts.sh
. "$TV_DIR/verdicts.sh"
PATH=$PATH:/sbin:/usr/sbin

need_cmd bochs-bin readelf gdb jq makedumpfile debugfs cpio tar dracut
load_kernel

ko=${VG_VMCSINFO_KO:-$TOP/build/kernel/vmcsinfo-intel/vmcsinfo-intel.ko}
missing=$(vg_pieces "$ko|make vmcsinfo-intel")
scenarios=${VG_INTEL_SCENARIOS:-vmx stock novmx}
stock_kexec=${VG_STOCK_KEXEC:-/usr/sbin/kexec}

out=$VG_OUT/intel
mkdir -p "$out" "$VG_BUILD"
"$kvmguest" --expect >"$out/expect.env"
"$kvmguest" --expect --long >"$out/expect-long.env"
# shellcheck source=/dev/null
. "$out/expect.env"

if [ "${VG_JUDGE_ONLY:-0}" != 1 ] && { has_scen vmx || has_scen stock; }; then
	test-vms/mkinitramfs-dracut.sh --ata --conf "$TV_DIR/dracut/vmcore-guests-bochs.conf" \
		"$VG_BUILD/capture-ata.img"
	if has_scen vmx; then
		VG_KEXEC=$kexec VG_VMCSINFO_KO=$ko test-vms/mkinitramfs-l1.sh --intel \
			"$VG_BUILD/capture-ata.img" "$VG_BUILD/l1-intel.cpio.gz"
	fi
	if has_scen stock; then
		[ -x "$stock_kexec" ] || die "no stock kexec at $stock_kexec (kexec-tools)"
		VG_KEXEC=$stock_kexec VG_VMCSINFO_KO=$ko test-vms/mkinitramfs-l1.sh --intel \
			"$VG_BUILD/capture-ata.img" "$VG_BUILD/l1-intel-stock.cpio.gz"
	fi
fi

# ------------------------------------------------------- Intel verdicts

# The encodings src/vmx.h names (what vmcore-guests reads).
vmx_h_fields() {
	sed -n 's/^#define VMCS_[A-Z0-9_]* 0x\([0-9a-f]\{4\}\)$/\1/p' "$TOP/src/vmx.h"
}

# Bochs 2.7 keeps every field at 0x10 + (((width << 2) | type) * 64 +
# (encoding & 0x3ff)) * 4 (cpu/vmcs.cc, init_generic_mapping) and the
# guest access rights rotated left by 8 bits (VMCS_AR_ROTATE): an oracle
# the module knows nothing about.
bochs_offset() { # ENC (hex, no 0x)
	local e=$((16#$1))
	echo $((0x10 + ((((e >> 13) & 3) << 2 | ((e >> 10) & 3)) * 64 + (e & 0x3ff)) * 4))
}

sysfs_tree_valid() { # DIR: vmcsinfo show --sysfs accepts it
	"$vmcsinfo" show --sysfs "$1" >"$out/l1.vmcsinfo" 2>"$out/l1.vmcsinfo.err" || {
		echo "vmcsinfo show --sysfs: $(head -2 "$out/l1.vmcsinfo.err")"
		return 1
	}
}

sysfs_has_vmx_fields() { # DIR: every field src/vmx.h names is located
	local e v miss=
	for e in $(vmx_h_fields); do
		v=$(cat "$1/vmcs/$e" 2>/dev/null || echo missing)
		[ "$v" != missing ] && [ $((v)) -ne 0 ] || miss+="$e=$v "
	done
	[ -z "$miss" ] || {
		echo "not located: $miss"
		return 1
	}
}

sysfs_matches_bochs() { # DIR: every located offset is Bochs' own
	local f e v want n=0 wrong=
	[ "$(cat "$1/vmcs_id")" = 0x2b ] || {
		echo "vmcs_id $(cat "$1/vmcs_id"), Bochs' revision is 0x2b"
		return 1
	}
	for f in "$1"/vmcs/*; do
		e=${f##*/}
		v=$(cat "$f")
		[ $((v)) -ne 0 ] || continue
		n=$((n + 1))
		want=$(bochs_offset "$e")
		[ $((v)) -eq "$want" ] || wrong+="$e=$v(want $(printf '0x%x' "$want")) "
	done
	[ "$n" -ge 100 ] || {
		echo "only $n fields located"
		return 1
	}
	[ -z "$wrong" ] || {
		echo "offsets differ from Bochs' map: $wrong"
		return 1
	}
}

ar_rotated_published() { # DIR: the access rights located, in Bochs' rotated format
	local e v bad=
	[ "$(cat "$1/vmcs_ar_format" 2>/dev/null)" = rotated-8 ] || {
		echo "vmcs_ar_format is '$(cat "$1/vmcs_ar_format" 2>/dev/null || echo missing)', Bochs stores the access rights rotated-8"
		return 1
	}
	for e in 4814 4816 4818 481a 481c 481e 4820 4822; do
		v=$(cat "$1/vmcs/$e")
		[ $((v)) -ne 0 ] && [ $((v)) -eq "$(bochs_offset "$e")" ] ||
			bad+="$e=$v(want $(printf '0x%x' "$(bochs_offset "$e")")) "
	done
	[ -z "$bad" ] || {
		echo "access-rights fields not at Bochs' offsets: $bad"
		return 1
	}
}

# One value (little endian, N bytes at OFF) of a note's description as
# note_bytes gives it.
le_at() { # HEXBYTES OFF N
	local -a b
	read -r -a b <<<"$1"
	local i v=
	for ((i = $2 + $3 - 1; i >= $2; i--)); do
		v+=${b[i]:-??}
	done
	echo "0x$v"
}

qemu_note_regs() { # GUEST.vmcore: QEMUCPUState v1: rip, rflags, rsp, cs
	local hex rip rfl rsp sel base flags err
	readelf -n "$1" >"$1.notes" || return 1
	hex=$(note_bytes "$1.notes" QEMU)
	[ -n "$hex" ] || {
		echo "no QEMU note data in readelf -n"
		return 1
	}
	# version, size, 16 GPRs (rsp is the 7th), rip, rflags, then cs:
	# selector (u32), limit, flags, pad, base (u64).
	rsp=$(le_at "$hex" $((8 + 6 * 8)) 8)
	rip=$(le_at "$hex" 136 8)
	rfl=$(le_at "$hex" 144 8)
	sel=$(le_at "$hex" 152 4)
	base=$(le_at "$hex" 168 8)
	err=$(regs_differ "$rip" "$rsp" "$rfl" "$sel" "$base")
	# Long mode: CS's flags, QEMU's descriptor bits 8-23 (L = bit 21).
	if [ "$KG_MODE" = long ]; then
		flags=$(le_at "$hex" 160 4)
		hexeq "$flags" $((KG_CS_ATTR << 8)) || err+="cs.flags=$flags (want $(printf '0x%x' $((KG_CS_ATTR << 8)))) "
	fi
	[ -z "$err" ] || {
		echo "QEMU note: $err"
		return 1
	}
}

gdb_prstatus_regs() { # GUEST.vmcore: NT_PRSTATUS via gdb: rip, rsp, eflags, cs
	local out rfl cs
	gdb_regs "$1" || return 1
	out=$(cat "$1.gdb.txt")
	rfl=$(awk '$1 == "eflags" {print $2}' <<<"$out")
	cs=$(awk '$1 == "cs" {print $2}' <<<"$out")
	hexeq "$rfl" "$KG_RFLAGS" || {
		echo "gdb eflags=${rfl:-none} (want $KG_RFLAGS)"
		return 1
	}
	hexeq "$cs" "$KG_CS_SELECTOR" || {
		echo "gdb cs=${cs:-none} (want $KG_CS_SELECTOR)"
		return 1
	}
}

# L1 reloaded the module while the guest ran (KVM had VMX on): same layout,
# the guest kept running in its loop (checked in L1, reported here).
reloaded_with_vmx_on() { # CONSOLE.log
	grep -aq 'VGTEST: VMCSINFO_RELOADED vmx=on same_layout=yes' "$1" || {
		echo "no 'VMCSINFO_RELOADED vmx=on same_layout=yes' on the console: $(grep -a 'VGTEST: ' "$1" | tail -1)"
		return 1
	}
}

report_attr_decoded() { # REPORT.json: the access rights decoded from the rotated format
	local q='.guests[0].vcpus[0]' got want="rotated-8 layout 0x93 0x93 0x93 0x82 0x8b 0"
	# Long mode (stock): the user data and 64-bit code segments kvmguest
	# --long sets, DPL 3, beside the same LDTR and TR.
	[ "$KG_MODE" != long ] ||
		want=$(printf 'rotated-8 layout 0x%x 0x%x 0x%x 0x82 0x8b %d' "$KG_DS_ATTR" "$KG_CS_ATTR" "$KG_DS_ATTR" "$KG_CPL")
	got=$(jq -r "[$q.ar_format, $q.ar_format_from, $q.regs.es.attr, $q.regs.cs.attr, $q.regs.ss.attr, $q.regs.ldtr.attr, $q.regs.tr.attr, $q.regs.cpl] | map(tostring) | join(\" \")" "$1")
	# What the VMCS holds (rotated: 0x9300, 0x8200, 0x8b00): KVM's LDTR
	# 0x82 and TR 0x8b, whose types differ, and Bochs' real-mode
	# segments, which it caches as data read/write accessed, CS too
	# (0x93 where KVM wrote 0x9b); SS.DPL 0 is CPL 0.
	[ "$got" = "$want" ] || {
		echo "ar_format ar_format_from es cs ss ldtr tr cpl = $got (want $want)"
		return 1
	}
}

# No load-time note in /proc/vmcore (the stock kexec adds none).
no_load_notes() { # RESULTS
	[ -s "$1/notes.readelf" ] || {
		echo "no readelf -n /proc/vmcore output"
		return 1
	}
	! grep -aqE '^[[:space:]]+(VMCSINFO|KVMINFO)[[:space:]]' "$1/notes.readelf" || {
		echo "a load-time note is in /proc/vmcore: $(grep -aE 'VMCSINFO|KVMINFO' "$1/notes.readelf" | tr '\n' ' ')"
		return 1
	}
}

# The VMX layout in use came from vmcsinfo-intel's memory: L1's revision
# and as many fields as L1's sysfs tree locates.
layout_from_module() { # REPORT L1.vmcsinfo
	local want rev n
	want=$(grep -c '^FIELD(' "$2")
	rev=$(sed -n 's/^REVISION_ID=//p' "$2")
	n=$(jq -r --arg rev "$rev" '[.scan.layouts[] | select(.source == "module memory" and .revision == $rev)] | .[0].fields' "$1")
	[ "$n" = "$want" ] || {
		echo "want a \"module memory\" layout, revision $rev, $want fields; layouts: $(jq -c '.scan.layouts' "$1")"
		return 1
	}
	jq -e '.guests[0].vcpus[0].layout == "module memory"' "$1" >/dev/null || {
		echo "vCPU 0 decoded with: $(jq -r '.guests[0].vcpus[0].layout' "$1")"
		return 1
	}
}

# A CPU without VMX: QEMU's qemu64 (TCG), a minimal initramfs that only
# loads the module.  Holds the test-VM lock in a subshell of its own.
novmx_refusal() {
	local root=$VG_BUILD/novmx.root log=$out/novmx-console.log
	need_cmd qemu-system-x86_64
	rm -rf "$root"
	mkdir -p "$root"/{bin,proc,sys,dev,tmp}
	cp /bin/busybox "$root/bin/busybox"
	install -D -m 0644 "$TV_DIR/init/common.sh" "$root/lib/vgtest-common.sh"
	cp "$ko" "$root/vmcsinfo-intel.ko"
	cat >"$root/init" <<'INIT'
#!/bin/busybox sh
. /lib/vgtest-common.sh
insmod /vmcsinfo-intel.ko 2>/tmp/insmod.err
rc=$?
mark INSMOD "rc=$rc vmx=$(grep -cw vmx /proc/cpuinfo) err=$(cat /tmp/insmod.err)"
dmesg | grep vmcsinfo_intel
[ -e /sys/devices/system/cpu/vmcs_id ] && mark VMCS_ID_PRESENT
[ -e /sys/devices/system/cpu/vmcs ] && mark VMCS_DIR_PRESENT
mark NOVMX_DONE
poweroff -f
INIT
	chmod 0755 "$root/init"
	mkcpio "$root" "$VG_BUILD/novmx.cpio.gz"
	(
		vm_lock
		timeout --kill-after=5 120 qemu-system-x86_64 -machine q35 -accel tcg \
			-cpu qemu64 -m 256 -kernel "$KROOT/boot/vmlinuz-$KV" \
			-initrd "$VG_BUILD/novmx.cpio.gz" -append "console=ttyS0 panic=-1 quiet" \
			-display none -serial stdio -monitor none -no-reboot -nic none </dev/null
	) >"$log" 2>&1 || true
	grep -aq 'VGTEST: NOVMX_DONE' "$log" || {
		echo "the no-VMX VM did not finish: $(tail -3 "$log" | tr '\n' ' ')"
		return 1
	}
	grep -aq 'VGTEST: INSMOD rc=[1-9][0-9]* vmx=0 .*No such device' "$log" || {
		echo "insmod on a CPU without VMX did not fail with ENODEV: $(grep -a 'VGTEST: INSMOD' "$log")"
		return 1
	}
	grep -aq 'vmcsinfo_intel: this CPU has no VMX' "$log" || {
		echo "no 'this CPU has no VMX' in the kernel log"
		return 1
	}
	! grep -aq 'VGTEST: VMCS_\(ID\|DIR\)_PRESENT' "$log" || {
		echo "a vmcs sysfs entry exists although the module refused"
		return 1
	}
}

# ------------------------------------------------------------- scenarios

# L1's /sys/devices/system/cpu/vmcs tree (packed by L1, on the results
# disk), kept and judged; its layout (l1.vmcsinfo) is the reference for
# the notes.
tree_checks() { # RESULTS CONSOLE
	[ -f "$1/l1/vmcs-sysfs.tar" ] || {
		bad "L1's /sys/devices/system/cpu/vmcs tree kept" "-- no l1/vmcs-sysfs.tar on the results disk"
		return 0
	}
	cp "$1/l1/vmcs-sysfs.tar" "$out/vmcs-sysfs.tar"
	rm -rf "$out/vmcs-sysfs"
	mkdir -p "$out/vmcs-sysfs"
	tar -xf "$out/vmcs-sysfs.tar" -C "$out/vmcs-sysfs"
	ok "L1's /sys/devices/system/cpu/vmcs tree kept ($out/vmcs-sysfs.tar)"
	check "vmcsinfo show --sysfs accepts L1's tree" sysfs_tree_valid "$out/vmcs-sysfs"
	check "L1's tree locates every field src/vmx.h reads (access rights included)" \
		sysfs_has_vmx_fields "$out/vmcs-sysfs"
	check "L1's tree: revision 0x2b, every located offset = Bochs' VMCS map" \
		sysfs_matches_bochs "$out/vmcs-sysfs"
	check "L1's tree: vmcs_ar_format rotated-8, the eight access-rights fields at Bochs' offsets" \
		ar_rotated_published "$out/vmcs-sysfs"
	check "vmcsinfo-intel reloaded with VMX on (guest running): same layout, guest undisturbed" \
		reloaded_with_vmx_on "$2"
}

# The tiny guest's vmcore (beside its report.json) from kvm-intel's VMCS.
# KG_WALK_FROM names where the KVM walk's layout came from (the label).
vmx_guest_checks() { # GUEST.vmcore
	local j
	j=$(dirname "$1")/report.json
	check "guest vmcore mode 0600" mode_0600 "$1"
	check "report.json: rip/rsp/rflags/cs selector, base, limit/pages as set up" report_regs "$j"
	if [ "$KG_MODE" = long ]; then
		check "report.json: access rights decoded as rotated-8 (the layout's format): es/ss $KG_DS_ATTR, cs $KG_CS_ATTR (L, DPL 3), ldtr 0x82, tr 0x8b, cpl $KG_CPL" report_attr_decoded "$j"
		check "report.json: 64-bit code at CPL 3: cs $KG_CS_SELECTOR attr $KG_CS_ATTR, ss/ds/es $KG_DS_SELECTOR attr $KG_DS_ATTR, cpl $KG_CPL, PG, CR3 $KG_CR3, PAE, LMA" \
			report_long_mode "$j" efer
	else
		check "report.json: access rights decoded as rotated-8 (the layout's format): es/cs/ss 0x93, ldtr 0x82, tr 0x8b, cpl 0" report_attr_decoded "$j"
	fi
	check "readelf -n guest vmcore: CORE/NT_PRSTATUS + QEMU notes" guest_notes "$1"
	check "NT_PRSTATUS (gdb 'info registers'): rip, rsp, eflags, cs" gdb_prstatus_regs "$1"
	check "QEMU note: rip, rsp, rflags, cs selector and base$([ "$KG_MODE" != long ] || echo ", flags (L)")" qemu_note_regs "$1"
	[ "$KG_MODE" != long ] ||
		check "gdb -c guest vmcore: cs $KG_CS_SELECTOR, ss $KG_DS_SELECTOR, eflags $KG_RFLAGS" gdb_long_mode "$1"
	tiny_walk_checks "$j" "$1"
}

scenario_vmx() {
	scen=intel
	echo "== intel: Bochs VMX L1, vmcsinfo-intel, kexec -p (real sysfs), tiny guest, sysrq crash"
	local dir=$out/crash cycle=0
	local r=$dir/results log=$dir/console.log l1=$out/l1.vmcsinfo
	run_cycle run-bochs.sh "$dir" "$VG_BUILD/l1-intel.cpio.gz" vg_kexec=p vg_fixture=0 || cycle=$?
	# The capture kernel's part of the console: from the crash on.
	if [ -f "$log" ]; then
		awk '/sysrq: Trigger a crash/ {f=1} f' "$log" >"$out/capture-console.log"
	fi
	[ "$cycle" = 0 ] || return 0
	ok "crash cycle (console: $log)"
	tree_checks "$r" "$log"
	check "dracut capture: host dump, then the guests' outcome line, then poweroff" \
		capture_flow "$dir" 'guests saved in .*: 1 of 1 written \(0 partial, 0 skipped\)'
	check "readelf -n /proc/vmcore exits 0" rc_is "$r/notes.readelf.rc" 0
	check "readelf -n /proc/vmcore: VMCSINFO = L1's sysfs layout" notes_layout "$r" "$l1"
	check "vmcsinfo read /proc/vmcore = L1's sysfs layout" same_layout "$r/vmcsinfo.read" "$l1"
	check "host dump saved (makedumpfile -l -d 31), its log has the sysrq crash" host_dump_ok "$r"
	check "vmcsinfo read on the saved host dump = L1's sysfs layout" saved_dump_layout "$r" "$l1"
	check "vmcore-guests /proc/vmcore exits 0" guests_rc0 "$r"
	with_one_guest "$r" vmx vmx_guest_checks
}

# The same crash with Debian's unpatched kexec -s -p: no note anywhere.
scenario_stock() {
	scen=intel-stock
	echo "== intel-stock: Bochs VMX L1, Debian's own kexec -s -p (no notes), tiny guest, sysrq crash"
	local dir=$out/stock cycle=0
	local r=$dir/results log=$dir/console.log l1=$out/stock.l1.vmcsinfo
	run_cycle run-bochs.sh "$dir" "$VG_BUILD/l1-intel-stock.cpio.gz" vg_kexec=sp vg_fixture=0 vg_tiny=long || cycle=$?
	[ "$cycle" = 0 ] || return 0
	# shellcheck source=/dev/null
	. "$out/expect-long.env"
	ok "crash cycle (console: $log)"
	if [ -f "$r/l1/vmcs-sysfs.tar" ]; then
		rm -rf "$dir/vmcs-sysfs"
		mkdir -p "$dir/vmcs-sysfs"
		tar -xf "$r/l1/vmcs-sysfs.tar" -C "$dir/vmcs-sysfs"
		"$vmcsinfo" show --sysfs "$dir/vmcs-sysfs" >"$l1" 2>/dev/null || true
	fi
	check "L1's sysfs layout kept (the reference)" test -s "$l1"
	check "dracut capture: host dump, then the guests' outcome line, then poweroff" \
		capture_flow "$dir" 'guests saved in .*: 1 of 1 written \(0 partial, 0 skipped\)'
	check "readelf -n /proc/vmcore: no VMCSINFO and no KVMINFO note" no_load_notes "$r"
	check "host dump saved (makedumpfile -l -d 31), its log has the sysrq crash" host_dump_ok "$r"
	check "vmcore-guests /proc/vmcore exits 0" guests_rc0 "$r"
	check "VMCS layout from vmcsinfo-intel's memory: L1's revision and field count" \
		layout_from_module "$r/guests/report.json" "$l1"
	check "KVM walk from the dump's own description (kvm.source = dump)" kvm_from_dump "$r/guests/report.json"
	with_one_guest "$r" vmx vmx_guest_checks
	# shellcheck source=/dev/null
	. "$out/expect.env"
}

scenario_novmx() {
	scen=intel
	echo "== intel: CPU without VMX (QEMU qemu64): vmcsinfo-intel refuses to load"
	check "CPU without VMX (QEMU qemu64): insmod fails with ENODEV and says why, nothing published" novmx_refusal
}

t0=$SECONDS
run_scenarios "vmx stock novmx"
total=$((SECONDS - t0))

echo "== check-vms-intel: $npass passed, $nfail failed in ${total}s (cycles: vmx ${timing[crash]:-none}, stock ${timing[stock]:-none})"
echo "   logs and results: $out/ (console: crash/console.log, capture-console.log; L1's tree: vmcs-sysfs.tar)"
verdicts_exit "$missing"
