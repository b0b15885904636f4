#!/bin/bash
# make check-vms-amd: crash a KVM host (L1, QEMU TCG, nested AMD SVM) that
# runs the tiny guest, and judge what the capture kernel produced, from
# outside, with readelf, gdb, jq, makedumpfile and our vmcsinfo.
#
#   A  kexec -p + fixture VMCS tree: VMCSINFO in /proc/vmcore and in the
#      saved host dump; the guest's vmcore and report
#   B  kexec -s -p + fixture tree: VMCSINFO reaches the capture kernel
#      through the initrd carrier, not through /proc/vmcore's notes
#   C  kexec -p, no tree: no VMCSINFO; the notes are otherwise A's
#   D  (not yet in the default set) a real Linux L2 guest under QEMU
#      -enable-kvm in L1 beside the tiny guest: vmcore-dmesg on its guest
#      vmcore prints the marker it wrote to its kernel log
#
#   VG_SCENARIOS  which to run (default "A B C D"; C compares with A's notes)
#   VG_KEXEC      kexec to load with (default build/kexec-tools/sbin/kexec)
#   VG_PARTIAL=1  run the cycles even when a piece is missing (development;
#                 the missing piece's checks still fail)
# Details, timings, logs: docs/testing.md.  Exit 0 only when every check of
# every scenario passed.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
PATH=$PATH:/sbin:/usr/sbin

need_cmd qemu-system-x86_64 readelf gdb jq makedumpfile debugfs cpio
load_kernel

# shellcheck disable=SC2119 # no extra pieces
vg_pieces
fixture=$TV_DIR/fixtures/vmcs-sysfs
if [ ! -x "$kexec" ]; then
	kexec=/usr/sbin/kexec
	echo "check-vms-amd: VG_PARTIAL=1: loading with the stock $kexec" >&2
fi

scenarios=${VG_SCENARIOS:-A B C D}
case " $scenarios " in
*" D "*) need_cmd vmcore-dmesg ;;
esac

mkdir -p "$VG_OUT" "$VG_BUILD"
"$kvmguest" --expect >"$VG_OUT/expect.env"
# shellcheck source=/dev/null
. "$VG_OUT/expect.env"
if [ -x "$vmcsinfo" ]; then
	"$vmcsinfo" show --sysfs "$fixture" >"$VG_OUT/fixture.vmcsinfo" ||
		die "vmcsinfo show --sysfs $fixture failed on the build machine"
else
	: >"$VG_OUT/fixture.vmcsinfo"
fi

test-vms/mkinitramfs-capture.sh "$VG_BUILD/capture.cpio.gz"
VG_KEXEC=$kexec test-vms/mkinitramfs-l1.sh "$VG_BUILD/capture.cpio.gz" "$VG_BUILD/l1.cpio.gz"
case " $scenarios " in
*" D "*)
	VG_KEXEC=$kexec test-vms/mkinitramfs-l1.sh --l2 "$VG_BUILD/capture.cpio.gz" "$VG_BUILD/l1-l2.cpio.gz"
	;;
esac

# ---------------------------------------------------------------- checks
# shellcheck source-path=SCRIPTDIR source=verdicts.sh
. "$TV_DIR/verdicts.sh"

carrier_listed() { grep -q 'loadtime.notes' "$1" || {
	echo "no /etc/vmcore-guests/loadtime.notes in the capture rootfs: $(head -3 "$1")"
	return 1
}; }

# ------------------------------------------------------------- scenarios
declare -A timing
run_cycle() { # NAME L1-IMAGE cmdline...
	local name=$1 image=$2
	shift 2
	if test-vms/run-vm.sh "$VG_OUT/$name" "$image" "$@"; then
		timing[$name]=$(sed -n 's/^wall=//p' "$VG_OUT/$name/timings.txt")
		return 0
	fi
	timing[$name]="$(sed -n 's/^wall=//p' "$VG_OUT/$name/timings.txt" 2>/dev/null)(failed)"
	bad "crash cycle" "(console: $VG_OUT/$name/console.log)"
	return 1
}

scenario_A() {
	scen=A
	echo "== A: kexec -p --vmcsinfo-sysfs=FIXTURE, tiny guest running"
	run_cycle A "$VG_BUILD/l1.cpio.gz" vg_kexec=p vg_fixture=1 || return 0
	local r=$VG_OUT/A/results G=
	check "readelf -n /proc/vmcore exits 0" rc_is "$r/notes.readelf.rc" 0
	if readelf_vmcsinfo "$r/notes.readelf" "$r/notes.vmcsinfo" >/dev/null 2>&1; then
		check "readelf -n /proc/vmcore: VMCSINFO = fixture layout" same_layout "$r/notes.vmcsinfo"
	else
		bad "readelf -n /proc/vmcore: VMCSINFO = fixture layout" "-- no VMCSINFO note in readelf -n /proc/vmcore"
	fi
	check "vmcsinfo read /proc/vmcore exits 0" rc_is "$r/vmcsinfo.read.rc" 0
	check "vmcsinfo read /proc/vmcore = fixture layout" same_layout "$r/vmcsinfo.read"
	check "host dump saved (makedumpfile -l -d 31), its log has the sysrq crash" host_dump_ok "$r"
	check "vmcsinfo read on the saved host dump = fixture layout" saved_dump_layout "$r"
	check "vmcore-guests /proc/vmcore exits 0" guests_rc0 "$r"
	if one_guest "$r" >"$r/one_guest.txt" 2>&1; then
		ok "vmcore-guests: one svm guest, its vmcore written"
		check "guest vmcore mode 0600" mode_0600 "$G"
		check "report.json: rip/rsp/rflags/cs/pages as set up" report_regs "$r/guests/report.json"
		check "readelf -n guest vmcore: CORE/NT_PRSTATUS + QEMU notes" guest_notes "$G"
		check "gdb -c guest vmcore 'info registers': rip, rsp" gdb_regs "$G"
		# The nested page tables map what the guest touched; all of the
		# runner's pages need the memslot walk (issue 5).
		check "guest memory: every page present carries its own marker, code bytes at 0x${KG_CODE_GPA#0x}" "$guestcheck" --present "$G"
	else
		bad "vmcore-guests: one svm guest, its vmcore written" "-- $(cat "$r/one_guest.txt")"
	fi
}

scenario_B() {
	scen=B
	echo "== B: kexec -s -p --vmcsinfo-sysfs=FIXTURE (kexec_file_load)"
	run_cycle B "$VG_BUILD/l1.cpio.gz" vg_kexec=sp vg_fixture=1 || return 0
	local r=$VG_OUT/B/results G=
	check "carrier in the capture rootfs (/etc/vmcore-guests/loadtime.notes)" carrier_listed "$r/carrier.ls"
	check "vmcsinfo read /proc/vmcore exits 0 (via the carrier)" rc_is "$r/vmcsinfo.read.rc" 0
	check "vmcsinfo read /proc/vmcore = fixture layout" same_layout "$r/vmcsinfo.read"
	check "readelf -n /proc/vmcore exits 0" rc_is "$r/notes.readelf.rc" 0
	check "readelf -n /proc/vmcore: no VMCSINFO (the kernel builds the headers)" no_vmcsinfo_in "$r/notes.readelf"
	check "host dump saved, its log has the sysrq crash" host_dump_ok "$r"
	check "vmcore-guests /proc/vmcore exits 0" guests_rc0 "$r"
	check "vmcore-guests: one svm guest, its vmcore written" one_guest "$r"
}

scenario_C() {
	scen=C
	echo "== C: kexec -p, no VMCS tree"
	run_cycle C "$VG_BUILD/l1.cpio.gz" vg_kexec=p vg_fixture=0 || return 0
	local r=$VG_OUT/C/results a=$VG_OUT/A/results/notes.readelf G=
	check "readelf -n /proc/vmcore exits 0" rc_is "$r/notes.readelf.rc" 0
	check "readelf -n /proc/vmcore: no VMCSINFO" no_vmcsinfo_in "$r/notes.readelf"
	check "vmcsinfo read /proc/vmcore exits 1 (no note)" rc_is "$r/vmcsinfo.read.rc" 1
	if [ -f "$a" ]; then
		note_list "$a" | grep -v '^VMCSINFO ' >"$VG_OUT/C/notes.A-minus-vmcsinfo"
		note_list "$r/notes.readelf" >"$VG_OUT/C/notes.C"
		check "note names/types = A's without VMCSINFO" \
			diff "$VG_OUT/C/notes.A-minus-vmcsinfo" "$VG_OUT/C/notes.C"
	else
		bad "note names/types = A's without VMCSINFO" "-- scenario A's notes ($a) are missing"
	fi
	check "host dump saved, its log has the sysrq crash" host_dump_ok "$r"
	check "vmcsinfo read on the saved host dump finds none" saved_dump_no_vmcsinfo "$r"
	check "vmcore-guests /proc/vmcore exits 0" guests_rc0 "$r"
	check "vmcore-guests: one svm guest, its vmcore written" one_guest "$r"
}

# A guest vmcore whose kernel log (vmcore-dmesg) has the marker.
marker_in_guest() { # RESULTS MARKER
	local f
	[ -d "$1/guests" ] || {
		echo "no guests/ (vmcore-guests: $(tail -2 "$1/guests.log" 2>/dev/null | tr '\n' ' '))"
		return 1
	}
	for f in "$1"/guests/*.vmcore; do
		[ -f "$f" ] || continue
		vmcore-dmesg "$f" >"$f.dmesg" 2>&1 || true
		# The records /init wrote, not the echo of its command line;
		# the debug-level one never reached a console.
		if grep -qE "^\[ *[0-9]+\.[0-9]+\] $2\$" "$f.dmesg" &&
			grep -qE "^\[ *[0-9]+\.[0-9]+\] $2-DEBUG-ONLY-IN-RAM\$" "$f.dmesg"; then
			echo "found in $(basename "$f")"
			return 0
		fi
	done
	echo "no guest vmcore's vmcore-dmesg shows $2 ($(cd "$1/guests" && echo *))"
	return 1
}

tiny_guest_among() { # RESULTS: one of the guest vmcores is the tiny guest
	local f
	for f in "$1"/guests/*.vmcore; do
		[ -f "$f" ] || continue
		"$guestcheck" --present "$f" >/dev/null 2>&1 && return 0
	done
	echo "guestcheck passes on no guest vmcore"
	return 1
}

scenario_D() {
	scen=D
	echo "== D: kexec -p --vmcsinfo-sysfs=FIXTURE, Linux L2 guest + tiny guest"
	local marker r=$VG_OUT/D/results n
	marker="VGTEST-L2-MARKER-$(date +%s)-$RANDOM"
	run_cycle D "$VG_BUILD/l1-l2.cpio.gz" vg_kexec=p vg_fixture=1 "vg_l2=$marker" || return 0
	check "vmcore-guests /proc/vmcore exits 0" guests_rc0 "$r"
	n=$(jq '.guests | length' "$r/guests/report.json" 2>/dev/null || echo none)
	if [ "$n" = 2 ]; then
		ok "report.json lists 2 guests"
	else
		bad "report.json lists 2 guests" "-- it lists $n"
	fi
	check "vmcore-dmesg on the L2 guest's vmcore: the records its /init wrote (one debug-level, never on a console)" marker_in_guest "$r" "$marker"
	check "the tiny guest's vmcore is among them (guestcheck)" tiny_guest_among "$r"
}

t0=$SECONDS
for s in $scenarios; do
	case "$s" in
	A | B | C | D) "scenario_$s" ;;
	*) die "unknown scenario '$s' in VG_SCENARIOS (A, B, C, D)" ;;
	esac
done
total=$((SECONDS - t0))

echo "== check-vms-amd: $npass passed, $nfail failed in ${total}s" \
	"(cycles: $(for s in "${!timing[@]}"; do printf '%s=%ss ' "$s" "${timing[$s]}"; done))"
echo "   logs and results: $VG_OUT/<scenario>/"
verdicts_exit
