#!/bin/bash
# make check-vms-amd: crash a KVM host (L1, QEMU TCG, nested AMD SVM) that
# runs the tiny guest, and judge what the capture kernel produced, from
# outside, with readelf, gdb, jq, makedumpfile and our vmcsinfo.
#
#   A  kexec -p + fixture VMCS tree: VMCSINFO in /proc/vmcore and in the
#      saved host dump; the guest's vmcore and report
#   B  kexec -s -p + fixture tree: VMCSINFO reaches the capture kernel
#      through the initrd carrier, not through /proc/vmcore's notes; the
#      tiny guest runs in 64-bit mode at CPL 3 (kvmguest --long): its
#      segment attributes, CPL and control registers through report.json
#      and gdb, beside every check A makes of the real-mode one
#   C  kexec -p, no tree: no VMCSINFO; the notes are otherwise A's
#   D  a real Linux L2 guest under QEMU -enable-kvm in L1 beside the tiny
#      guest, written with the shipped guest_core_collector (kdump-
#      compressed, dump level 31, lzo): makedumpfile --dump-dmesg and drgn
#      read it, it keeps makedumpfile's pages; the post.d hook writes an
#      ELF copy, on which vmcore-dmesg prints the marker the guest wrote
#      to its kernel log.  The other scenarios write ELF guests
#      (guest_core_collector = --compress none)
#   E  a deliberately broken vmcore-guests that segfaults: the host vmcore
#      is still saved, the final action still happens, the kdump log says
#   F  a broken vmcore-guests that never ends (ignores SIGTERM): killed at
#      time_budget + kill_grace, host vmcore saved, final action happens
#   G  as A, with a systemd capture initramfs: the module's
#      vmcore-guests-capture.service does the job instead of shell hooks;
#      its config says scan = yes: the host scan cross-checks the walk
#      (the other scenarios find their guests by the walk alone)
#   H  as D, but loaded with Debian's own /usr/sbin/kexec -s -p: no
#      KVMINFO note, no carrier, no fixture; the KVM walk runs from the
#      dump's own description (kallsyms, BTF, module list) and must give
#      D's results (names, uuid, every GPR, every page, threads)
#   I  (only with VG_SCENARIOS=I: not yet reliable, see docs/testing.md)
#      as D, and the Linux L2 is a KVM host itself, running the tiny guest
#      (L3, nested in L2 under L1's nested SVM under TCG): its vCPU is
#      found through L2's vmcb12, its memory through L2's own nested page
#      tables (NPT12) and L2's memslots, written like any guest and linked
#      to its L1 (report.json guests[].l1, memory.source l1-npt)
#
# Every scenario with a KVMINFO note also checks that the note and the
# dump's own description agree key by key (report.json kvm.*).
#
# The capture initramfs is built by real dracut with our module in
# standalone mode (mkinitramfs-dracut.sh): it saves the host dump, then
# the guests, runs the test's post.d collection hook, then powers off.
#
#   VG_SCENARIOS  which to run (default "A B C D E F G H"; C compares with
#                 A's notes; I only when asked: it catches the L3 in one run
#                 of two or three)
#   VG_KEXEC      kexec to load with (default build/kexec-tools/sbin/kexec)
#   VG_PARTIAL=1  run the cycles even when a piece is missing (development;
#                 the missing piece's checks still fail)
#   VG_JUDGE_ONLY=1  no new cycles, judge the results of the last ones again
#                 (development)
# Details, timings, logs: docs/testing.md.  Exit 0 only when every check of
# every scenario passed.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=verdicts.sh
. "$TV_DIR/verdicts.sh"
PATH=$PATH:/sbin:/usr/sbin

need_cmd qemu-system-x86_64 readelf gdb jq makedumpfile debugfs cpio dracut
load_kernel

missing=$(vg_pieces "$TOP/build/test-vms/vg-crash|make" "$TOP/build/test-vms/vg-hang|make")
fixture=$TV_DIR/fixtures/vmcs-sysfs
if [ ! -x "$kexec" ]; then
	kexec=/usr/sbin/kexec
	echo "check-vms-amd: VG_PARTIAL=1: loading with the stock $kexec" >&2
fi

scenarios=${VG_SCENARIOS:-A B C D E F G H}
case " $scenarios " in
*" D "* | *" H "*) need_cmd vmcore-dmesg ;;
esac
case " $scenarios " in
*" D "*) need_cmd python3 crash ;;
esac
stock_kexec=${VG_STOCK_KEXEC:-/usr/sbin/kexec}

mkdir -p "$VG_OUT" "$VG_BUILD"
"$kvmguest" --expect >"$VG_OUT/expect.env"
"$kvmguest" --expect --long >"$VG_OUT/expect-long.env"
# shellcheck source=/dev/null
. "$VG_OUT/expect.env"
if [ -x "$vmcsinfo" ]; then
	"$vmcsinfo" show --sysfs "$fixture" >"$VG_OUT/fixture.vmcsinfo" ||
		die "vmcsinfo show --sysfs $fixture failed on the build machine"
else
	: >"$VG_OUT/fixture.vmcsinfo"
fi

# The images the chosen scenarios boot.
build_images() {
	local tb=$SECONDS
	if has_scen A || has_scen B || has_scen C; then
		test-vms/mkinitramfs-dracut.sh "$VG_BUILD/capture.img"
	fi
	if has_scen D || has_scen I; then
		test-vms/mkinitramfs-dracut.sh --conf "$TV_DIR/dracut/vmcore-guests-default.conf" \
			"$VG_BUILD/capture-default.img"
	fi
	if has_scen A || has_scen B || has_scen C; then
		VG_KEXEC=$kexec test-vms/mkinitramfs-l1.sh "$VG_BUILD/capture.img" "$VG_BUILD/l1.cpio.gz"
	fi
	if has_scen D; then
		VG_KEXEC=$kexec test-vms/mkinitramfs-l1.sh --l2 "$VG_BUILD/capture-default.img" "$VG_BUILD/l1-l2.cpio.gz"
	fi
	if has_scen I; then
		VG_KEXEC=$kexec test-vms/mkinitramfs-l1.sh --l3 "$VG_BUILD/capture-default.img" "$VG_BUILD/l1-l3.cpio.gz"
	fi
	if has_scen E; then
		test-vms/mkinitramfs-dracut.sh --vmcore-guests "$TOP/build/test-vms/vg-crash" "$VG_BUILD/capture-crash.img"
		VG_KEXEC=$kexec test-vms/mkinitramfs-l1.sh "$VG_BUILD/capture-crash.img" "$VG_BUILD/l1-crash.cpio.gz"
	fi
	if has_scen F; then
		test-vms/mkinitramfs-dracut.sh --vmcore-guests "$TOP/build/test-vms/vg-hang" \
			--conf "$TV_DIR/dracut/vmcore-guests-hang.conf" "$VG_BUILD/capture-hang.img"
		VG_KEXEC=$kexec test-vms/mkinitramfs-l1.sh "$VG_BUILD/capture-hang.img" "$VG_BUILD/l1-hang.cpio.gz"
	fi
	if has_scen H; then
		[ -x "$stock_kexec" ] || die "no stock kexec at $stock_kexec (kexec-tools)"
		[ -n "$(ls "$VG_BUILD/capture.img" 2>/dev/null)" ] ||
			test-vms/mkinitramfs-dracut.sh "$VG_BUILD/capture.img"
		VG_KEXEC=$stock_kexec test-vms/mkinitramfs-l1.sh --l2 "$VG_BUILD/capture.img" "$VG_BUILD/l1-stock.cpio.gz"
	fi
	if has_scen G; then
		test-vms/mkinitramfs-dracut.sh --systemd --conf "$TV_DIR/dracut/vmcore-guests-scan.conf" \
			"$VG_BUILD/capture-systemd.img"
		VG_KEXEC=$kexec test-vms/mkinitramfs-l1.sh "$VG_BUILD/capture-systemd.img" "$VG_BUILD/l1-systemd.cpio.gz"
	fi
	echo "check-vms-amd: images built in $((SECONDS - tb)) s"
}
[ "${VG_JUDGE_ONLY:-0}" = 1 ] || build_images

# ---------------------------------------------------------------- checks
# The Linux guest's file is named after QEMU's -name and carries its uuid.
l2_named() { # RESULTS
	local j=$1/guests/report.json
	[ -f "$1/guests/vgtest-l2.vmcore" ] || {
		echo "no guests/vgtest-l2.vmcore ($(cd "$1/guests" && echo *))"
		return 1
	}
	jq -e '.guests[] | select(.name == "vgtest-l2") |
		.uuid == "76677465-7374-4c32-8000-000000000001" and .pid != null' \
		"$j" >/dev/null || {
		echo "report.json: no guest vgtest-l2 with the uuid and a pid"
		return 1
	}
}

# The KVM walk used the note (or carrier), and the dump's own description
# agrees with it key by key.
note_dump_agree() { # REPORT
	jq -e '.kvm.walked and (.kvm.source == "note" or .kvm.source == "carrier")
		and .kvm.note_dump_differences == 0' "$1" >/dev/null || {
		echo "kvm: $(jq -c '.kvm | {source, status, dump_description,
			note_dump_differences, note_dump_diff}' "$1" 2>&1)"
		return 1
	}
}

# Without check_note the note was used as it is: nothing compared.
note_as_is() { # REPORT
	jq -e '.kvm.walked and .kvm.source == "note" and .kvm.note_dump_differences == null
		and (.kvm.dump_description | startswith("not derived: the note'"'"'s KVMINFO was used as it is"))' "$1" >/dev/null || {
		echo "kvm: $(jq -c '.kvm | {source, status, dump_description, note_dump_differences}' "$1" 2>&1)"
		return 1
	}
}

# The tiny guest's GPRs, wherever it is among the guests.
tiny_gprs_among() { # REPORT
	local t
	t=$(mktemp)
	jq '{guests: [.guests[] | select(.name | startswith("kvmguest-"))]}' "$1" >"$t"
	report_gprs "$t"
	local rc=$?
	rm -f "$t"
	return $rc
}

carrier_listed() { grep -q 'loadtime.notes' "$1" || {
	echo "no /etc/vmcore-guests/loadtime.notes in the capture rootfs: $(head -3 "$1")"
	return 1
}; }

# ------------------------------------------------------------- scenarios
# Each runs its crash cycle (run-vm.sh, QEMU TCG) and judges it; a failed
# cycle is one failed check and ends the scenario.

# The tiny guest's vmcore (beside its report.json), as A judges it.
tiny_guest_checks() { # GUEST.vmcore
	local j
	j=$(dirname "$1")/report.json
	check "guest vmcore mode 0600" mode_0600 "$1"
	check "report.json: rip/rsp/rflags/cs/pages as set up" report_regs "$j"
	check "readelf -n guest vmcore: CORE/NT_PRSTATUS + QEMU notes" guest_notes "$1"
	check "gdb -c guest vmcore 'info registers': rip, rsp" gdb_regs "$1"
	tiny_walk_checks "$j" "$1"
}

scenario_A() {
	scen=A
	echo "== A: kexec -p --vmcsinfo-sysfs=FIXTURE, tiny guest running"
	run_cycle run-vm.sh "$VG_OUT/A" "$VG_BUILD/l1.cpio.gz" vg_kexec=p vg_fixture=1 || return 0
	local r=$VG_OUT/A/results
	check "readelf -n /proc/vmcore exits 0" rc_is "$r/notes.readelf.rc" 0
	check "readelf -n /proc/vmcore: VMCSINFO = fixture layout" notes_layout "$r"
	check "vmcsinfo read /proc/vmcore exits 0" rc_is "$r/vmcsinfo.read.rc" 0
	check "vmcsinfo read /proc/vmcore = fixture layout" same_layout "$r/vmcsinfo.read"
	check "dracut capture: host dump, then the guests' outcome line, then poweroff" \
		capture_flow "$VG_OUT/A" 'guests saved in .*: 1 of 1 written \(0 partial, 0 skipped\)'
	check "outcome line in the dump's vmcore-guests.log and the kernel log" \
		outcome_logged "$r" 'guests saved in .*: 1 of 1 written'
	check "vmcore-guests.log and .status beside the dump are 0600" logs_0600 "$r"
	check "host dump saved (makedumpfile -l -d 31), its log has the sysrq crash" host_dump_ok "$r"
	check "vmcsinfo read on the saved host dump = fixture layout" saved_dump_layout "$r"
	check "vmcore-guests /proc/vmcore exits 0" guests_rc0 "$r"
	check "KVMINFO note and the dump's own description agree key by key" note_dump_agree "$r/guests/report.json"
	check "guests from the KVM walk alone, host dump read for their pages only" capture_mode "$r/guests/report.json" walk
	with_one_guest "$r" svm tiny_guest_checks
}

scenario_B() {
	scen=B
	echo "== B: kexec -s -p --vmcsinfo-sysfs=FIXTURE (kexec_file_load)"
	run_cycle run-vm.sh "$VG_OUT/B" "$VG_BUILD/l1.cpio.gz" vg_kexec=sp vg_fixture=1 vg_tiny=long || return 0
	local r=$VG_OUT/B/results
	# shellcheck source=/dev/null
	. "$VG_OUT/expect-long.env"
	check "carrier in the capture rootfs (/etc/vmcore-guests/loadtime.notes)" carrier_listed "$r/carrier.ls"
	check "vmcsinfo read /proc/vmcore exits 0 (via the carrier)" rc_is "$r/vmcsinfo.read.rc" 0
	check "vmcsinfo read /proc/vmcore = fixture layout" same_layout "$r/vmcsinfo.read"
	check "readelf -n /proc/vmcore exits 0" rc_is "$r/notes.readelf.rc" 0
	check "readelf -n /proc/vmcore: no VMCSINFO (the kernel builds the headers)" no_vmcsinfo_in "$r/notes.readelf"
	check "host dump saved, its log has the sysrq crash" host_dump_ok "$r"
	check "carrier kept beside the host dump (0600): vmcsinfo read --notes it on the saved dump = fixture layout" \
		carrier_beside_dump "$r"
	check "vmcore-guests /proc/vmcore exits 0" guests_rc0 "$r"
	check "KVM walk ran (KVMINFO through the carrier)" kvm_walked "$r/guests/report.json"
	check "the carrier's KVMINFO and the dump's own description agree key by key" note_dump_agree "$r/guests/report.json"
	check "guests from the KVM walk alone, host dump read for their pages only" capture_mode "$r/guests/report.json" walk
	with_one_guest "$r" svm long_guest_checks
	# shellcheck source=/dev/null
	. "$VG_OUT/expect.env"
}

# The long-mode tiny guest: A's checks (against expect-long.env), then
# its 64-bit state: CS.L, DPL 3 and CPL 3, CR0/CR3/CR4/EFER in the
# report, CS and SS in gdb.
long_guest_checks() { # GUEST.vmcore
	tiny_guest_checks "$1"
	check "report.json: 64-bit code at CPL 3: cs $KG_CS_SELECTOR attr $KG_CS_ATTR, ss/ds/es $KG_DS_SELECTOR attr $KG_DS_ATTR, cpl $KG_CPL, PG, CR3 $KG_CR3, PAE, LMA" \
		report_long_mode "$(dirname "$1")/report.json" efer
	check "gdb -c guest vmcore: cs $KG_CS_SELECTOR, ss $KG_DS_SELECTOR, eflags $KG_RFLAGS" gdb_long_mode "$1"
}

# The capture copies the kexec -s carrier to <dumpdir>/loadtime.notes: with
# it, the saved dump alone (no note inside) still yields the layout.
carrier_beside_dump() { # RESULTS
	local n
	n=$1/$(cat "$1/dumpdir" 2>/dev/null)/loadtime.notes
	[ -s "$n" ] || {
		echo "no $n"
		return 1
	}
	mode_0600 "$n" || return 1
	"$vmcsinfo" read --notes "$n" "$1/host.kdump" >"$1/offline.vmcsinfo" 2>"$1/offline.vmcsinfo.err" || {
		echo "vmcsinfo read --notes: $(head -2 "$1/offline.vmcsinfo.err")"
		return 1
	}
	same_layout "$1/offline.vmcsinfo"
}

scenario_C() {
	scen=C
	echo "== C: kexec -p, no VMCS tree"
	run_cycle run-vm.sh "$VG_OUT/C" "$VG_BUILD/l1.cpio.gz" vg_kexec=p vg_fixture=0 || return 0
	local r=$VG_OUT/C/results a=$VG_OUT/A/results/notes.readelf
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
	check "KVMINFO note and the dump's own description agree key by key" note_dump_agree "$r/guests/report.json"
	check "guests from the KVM walk alone, host dump read for their pages only" capture_mode "$r/guests/report.json" walk
}

# A guest vmcore whose kernel log (vmcore-dmesg) has the marker.
marker_in_guest() { # RESULTS MARKER [GUESTS-DIR]
	local f g=${3:-$1/guests}
	[ -d "$g" ] || {
		echo "no $(basename "$g")/ (vmcore-guests: $(tail -2 "$1/guests.log" 2>/dev/null | tr '\n' ' '))"
		return 1
	}
	for f in "$g"/*.vmcore; do
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
	echo "no guest vmcore's vmcore-dmesg shows $2 ($(cd "$g" && echo *))"
	return 1
}

tiny_guest_among() { # RESULTS [GUESTS-DIR]: one of the guest vmcores is the tiny guest
	local f why=
	for f in "${2:-$1/guests}"/*.vmcore; do
		[ -f "$f" ] || continue
		"$guestcheck" "$f" >/dev/null 2>&1 && return 0
		why+=" ${f##*/}: $("$guestcheck" "$f" 2>&1 | sed -n "1p;\$p" | uniq | tr '\n' ' ');"
	done
	echo "guestcheck passes on no guest vmcore:${why:- none there}"
	return 1
}

# The guests as the shipped guest_core_collector writes them: both
# kdump-compressed; the Linux guest classified from its mem_map at dump
# level 31, the tiny guest (no VMCOREINFO) zero pages only, said so.
kdump_default() { # REPORT
	jq -e '([.guests[].memory.dump.format] | unique) == ["kdump-compressed"]
		and (.guests[] | select(.name == "vgtest-l2") | .memory.dump |
			.classified and .dump_level == 31 and .pages_dumped > 0)
		and (.guests[] | select(.name | startswith("kvmguest-")) |
			.memory.dump.filter_note ==
			"no guest VMCOREINFO: zero pages excluded only")' \
		"$1" >/dev/null || {
		echo "dump: $(jq -c '[.guests[] | {name, dump: .memory.dump}]' "$1" 2>&1)"
		return 1
	}
	mode_0600 "$(dirname "$1")/vgtest-l2.vmcore" || return 1
	# lzo: the header's status word is 2 (DUMP_DH_COMPRESSED_LZO)
	local st
	st=$(od -An -tu4 -j424 -N4 "$(dirname "$1")/vgtest-l2.vmcore" | tr -d ' ')
	[ "$st" = 2 ] || {
		echo "vgtest-l2.vmcore: header status $st, not 2 (lzo, complete)"
		return 1
	}
}

# makedumpfile --dump-dmesg on the filtered, compressed guest dump prints
# the records the guest's /init wrote.
mdf_dmesg_marker() { # GUEST.kdump MARKER
	rm -f "$1.mdf-dmesg" # makedumpfile does not overwrite (VG_JUDGE_ONLY)
	makedumpfile --dump-dmesg "$1" "$1.mdf-dmesg" >"$1.mdf-dmesg.log" 2>&1 || {
		echo "makedumpfile --dump-dmesg: $(tail -2 "$1.mdf-dmesg.log" | tr '\n' ' ')"
		return 1
	}
	grep -qE "^\[ *[0-9]+\.[0-9]+\] $2-DEBUG-ONLY-IN-RAM\$" "$1.mdf-dmesg" || {
		echo "no $2-DEBUG-ONLY-IN-RAM in its output"
		return 1
	}
}

# crash(8) on the filtered, compressed guest dump, with the test kernel's
# debug vmlinux (test-vms/fetch-dbg-vmlinux.sh): the release, the debug
# record /init wrote, the backtrace of CPU 0 from the RIP the report gives
# (our vCPU registers), and the whole task list from init_task, every
# task_struct kept at dump level 31.
crash_reads_guest() { # GUEST.kdump MARKER REPORT
	local v out rip n thr
	v=$VG_CACHE/dbg/$KV/vmlinux
	[ -s "$v" ] || {
		echo "no debug vmlinux $v (make test-vms-dbg)"
		return 1
	}
	printf '%s\n' sys 'log' 'bt' 'p nr_threads' \
		'list task_struct.tasks -h init_task' quit >"$1.crash.cmd"
	timeout 600 crash -s "$v" "$1" -i "$1.crash.cmd" >"$1.crash.out" 2>&1 </dev/null || {
		echo "crash failed: $(tail -3 "$1.crash.out" | tr '\n' ' ')"
		return 1
	}
	out=$1.crash.out
	grep -qE "^ +RELEASE: $KV\$" "$out" || {
		echo "crash sys: no RELEASE $KV: $(grep -m1 -E 'RELEASE|DUMPFILE' "$out")"
		return 1
	}
	grep -qE "\] $2-DEBUG-ONLY-IN-RAM\$" "$out" || {
		echo "crash log: no $2-DEBUG-ONLY-IN-RAM"
		return 1
	}
	rip=$(jq -r '.guests[] | select(.name == "vgtest-l2") | .vcpus[0].regs.rip' "$3" | sed 's/^0x//')
	grep -qiE "RIP: 0*$rip " "$out" || {
		echo "crash bt: no RIP $rip (the report's vCPU 0): $(grep -m1 'RIP:' "$out")"
		return 1
	}
	thr=$(sed -n 's/^nr_threads = \$[0-9]* = \([0-9]*\)$/\1/p' "$out")
	n=$(grep -cE '^ffff[0-9a-f]{12}$' "$out")
	# The list from init_task: the idle task and the nr_threads others.
	if [ -z "$thr" ] || [ "$n" != $((thr + 1)) ]; then
		echo "crash: task list from init_task has $n entries, nr_threads = ${thr:-?}"
		return 1
	fi
}

# Host-dump phase and guest phase of the capture, side by side.
phase_times() { # RESULTS CYCLE-OUTDIR
	local h g e0 e1
	h=$(sed -n 's/.*host vmcore saved: .* in \([0-9.]*\) s).*/\1/p' "$1/guests.log" | head -1)
	g=$(sed -n 's/.*guests saved in .* in \([0-9.]*\) s, exit.*/\1/p' "$1/guests.log" | head -1)
	e0=$(sed -n 's/.*VGTEST: GUESTS_ELF_START t=\([0-9.]*\).*/\1/p' "$2/console.log" | head -1)
	e1=$(sed -n 's/.*VGTEST: GUESTS_ELF_DONE t=\([0-9.]*\).*/\1/p' "$2/console.log" | head -1)
	echo "   D times: host dump (makedumpfile -l -d 31) ${h:-?} s | guests (--dump-level 31 --compress lzo) ${g:-?} s | ELF copy (--compress none, test only) $(awk "BEGIN{if (\"$e0\" != \"\" && \"$e1\" != \"\") printf \"%.1f\", $e1 - $e0; else print \"?\"}") s"
}

scenario_D() {
	scen=D
	echo "== D: kexec -p --vmcsinfo-sysfs=FIXTURE, Linux L2 guest + tiny guest, default guest_core_collector"
	local marker r=$VG_OUT/D/results n e
	marker="VGTEST-L2-MARKER-$(date +%s)-$RANDOM"
	if [ "${VG_JUDGE_ONLY:-0}" = 1 ]; then # the marker of the cycle judged
		marker=$(grep -o 'vg_l2=VGTEST-L2-MARKER-[0-9]*-[0-9]*' "$VG_OUT/D/qemu.cmd" 2>/dev/null | cut -d= -f2) || true
	fi
	run_cycle run-vm.sh "$VG_OUT/D" "$VG_BUILD/l1-l2.cpio.gz" vg_kexec=p vg_fixture=1 "vg_l2=$marker" || return 0
	e=$r/guests-elf
	check "vmcore-guests /proc/vmcore exits 0" guests_rc0 "$r"
	n=$(jq '.guests | length' "$r/guests/report.json" 2>/dev/null || echo none)
	if [ "$n" = 2 ]; then
		ok "report.json lists 2 guests"
	else
		bad "report.json lists 2 guests" "-- it lists $n"
	fi
	check "default guest_core_collector: both guests kdump-compressed (lzo), the Linux one at dump level 31 from its mem_map, the tiny one zero pages only (no VMCOREINFO), 0600" \
		kdump_default "$r/guests/report.json"
	check "makedumpfile --dump-dmesg on the L2 guest's filtered lzo dump: the debug-level record its /init wrote" \
		mdf_dmesg_marker "$r/guests/vgtest-l2.vmcore" "$marker"
	check "drgn opens the filtered lzo dump and reads the guest's utsname from its memory" \
		/usr/bin/python3 "$TV_DIR/drgn-uts.py" "$r/guests/vgtest-l2.vmcore"
	check "crash (debug vmlinux of the guest kernel) on the filtered lzo dump: sys, log marker, bt from the report's RIP, the whole task list" \
		crash_reads_guest "$r/guests/vgtest-l2.vmcore" "$marker" "$r/guests/report.json"
	check "post.d hook: vmcore-guests --compress none (the ELF copy) exits 0" rc_is "$r/guests-elf.log.rc" 0
	check "same pages as makedumpfile -l -d 31 of the ELF copy, size <= 1.25x, same --dump-dmesg" \
		"$TOP/tests/kdump-compare.sh" -b "$TOP/build" "$e/vgtest-l2.vmcore" "$r/guests/vgtest-l2.vmcore"
	check "at --dump-level 31 --compress zlib (tests/tools/elf2kdump): same pages as makedumpfile -c -d 31, size <= 1.25x" \
		"$TOP/tests/kdump-compare.sh" -b "$TOP/build" "$e/vgtest-l2.vmcore"
	check "vmcore-dmesg on the L2 guest's ELF vmcore: the records its /init wrote (one debug-level, never on a console)" marker_in_guest "$r" "$marker" "$e"
	check "the tiny guest's ELF vmcore is among them (guestcheck, all pages)" tiny_guest_among "$r" "$e"
	check "the Linux guest's vmcore is named after -name, report has its uuid and pid" l2_named "$r"
	check "report.json: thread and last-ran figures for every vCPU" last_ran_all "$r/guests/report.json"
	check "default (check_note = no): the KVMINFO note walked as it is, the dump's own description not derived" note_as_is "$r/guests/report.json"
	check "the ELF copy (--check-note): KVMINFO note and the dump's own description agree key by key" note_dump_agree "$e/report.json"
	check "guests from the KVM walk alone, host dump read for their pages only" capture_mode "$r/guests/report.json" walk
	phase_times "$r" "$VG_OUT/D"
}

no_guest_files() { # RESULTS
	local n
	n=$(find "$1/guests/" -name '*.vmcore' 2>/dev/null | wc -l)
	[ "$n" = 0 ] || {
		echo "$n guest vmcores written by a program that should have written none"
		return 1
	}
}

status_is() { # RESULTS KEY VALUE: vmcore-guests.status of the dump
	local got
	got=$(sed -n "s/^$2=//p" "$1/$(cat "$1/dumpdir" 2>/dev/null)/vmcore-guests.status" 2>/dev/null)
	[ "$got" = "$3" ] || {
		echo "$2=${got:-missing} (want $3)"
		return 1
	}
}

host_saved_guests_rc() { # RESULTS RC
	status_is "$1" host saved && status_is "$1" guests_rc "$2"
}

scenario_E() {
	scen=E
	echo "== E: broken vmcore-guests (segfaults) in the dracut capture"
	run_cycle run-vm.sh "$VG_OUT/E" "$VG_BUILD/l1-crash.cpio.gz" vg_kexec=p vg_fixture=1 || return 0
	local r=$VG_OUT/E/results
	check "host dump saved anyway, makedumpfile reads it, sysrq crash in its log" host_dump_ok "$r"
	check "status: host saved, vmcore-guests exit 139 (SIGSEGV)" \
		host_saved_guests_rc "$r" 139
	check "console: host saved, 'crashed (signal 11)', then poweroff" \
		capture_flow "$VG_OUT/E" 'guests not saved: vmcore-guests crashed \(signal 11\)'
	check "kdump log (dump's log + kernel log) names the crash" \
		outcome_logged "$r" 'guests not saved: vmcore-guests crashed \(signal 11\).*the host vmcore is unaffected'
	check "no guest vmcores" no_guest_files "$r"
}

scenario_F() {
	scen=F
	echo "== F: broken vmcore-guests (hangs, ignores SIGTERM), time_budget 5 s + kill_grace 3 s"
	run_cycle run-vm.sh "$VG_OUT/F" "$VG_BUILD/l1-hang.cpio.gz" vg_kexec=p vg_fixture=1 || return 0
	local r=$VG_OUT/F/results
	check "host dump saved anyway, makedumpfile reads it, sysrq crash in its log" host_dump_ok "$r"
	check "status: host saved, vmcore-guests killed (exit 137)" \
		host_saved_guests_rc "$r" 137
	check "console: host saved, 'killed after 13.xx s' (8 s limit, SIGTERM ignored, SIGKILL 5 s later), then poweroff" \
		capture_flow "$VG_OUT/F" 'guests not saved: vmcore-guests killed after 1[2-4]\.[0-9][0-9] s \(limit: time budget 5 s \+ 3 s grace'
	check "kdump log (dump's log + kernel log) says it was killed" \
		outcome_logged "$r" 'guests not saved: vmcore-guests killed after 1[2-4]\.[0-9][0-9] s'
}

unit_ran() { # SCENARIO: systemd started the module's unit in the capture kernel
	# systemd shortens "unit - description" to the console width.
	grep -aq "Starting .*vmcore-guests-cap.*(vmcore-guests)" "$VG_OUT/$1/console.log" || {
		echo "no 'Starting vmcore-guests-capture.service - ... (vmcore-guests)' on the console"
		return 1
	}
}

scenario_G() {
	scen=G
	echo "== G: kexec -p, tiny guest, systemd capture initramfs (vmcore-guests-capture.service)"
	run_cycle run-vm.sh "$VG_OUT/G" "$VG_BUILD/l1-systemd.cpio.gz" vg_kexec=p vg_fixture=1 || return 0
	local r=$VG_OUT/G/results
	check "systemd ran vmcore-guests-capture.service" unit_ran G
	check "console: host dump, then the guests' outcome line, then poweroff" \
		capture_flow "$VG_OUT/G" 'guests saved in .*: 1 of 1 written \(0 partial, 0 skipped\)'
	check "host dump saved, its log has the sysrq crash" host_dump_ok "$r"
	check "vmcore-guests: one svm guest, its vmcore written" one_guest "$r"
	check "KVMINFO note and the dump's own description agree key by key" note_dump_agree "$r/guests/report.json"
	check "scan = yes: the host scan ran as well (cross-check), its guest the walk's" capture_mode "$r/guests/report.json" walk+scan
	check "  ... and the walk claimed the scan's guest" jq -e '.guests[0].source == "kvm"' "$r/guests/report.json"
}

scenario_H() {
	scen=H
	echo "== H: Debian's own kexec -s -p (no notes, no carrier, no fixture), Linux L2 guest + tiny guest"
	local marker r=$VG_OUT/H/results n
	marker="VGTEST-L2-MARKER-$(date +%s)-$RANDOM"
	if [ "${VG_JUDGE_ONLY:-0}" = 1 ]; then
		marker=$(grep -o 'vg_l2=VGTEST-L2-MARKER-[0-9]*-[0-9]*' "$VG_OUT/H/qemu.cmd" 2>/dev/null | cut -d= -f2) || true
	fi
	run_cycle run-vm.sh "$VG_OUT/H" "$VG_BUILD/l1-stock.cpio.gz" vg_kexec=sp vg_fixture=0 "vg_l2=$marker" || return 0
	check "vmcore-guests /proc/vmcore exits 0" guests_rc0 "$r"
	check "no KVMINFO note and no carrier: the KVM walk ran from the dump's own description" kvm_from_dump "$r/guests/report.json"
	n=$(jq '.guests | length' "$r/guests/report.json" 2>/dev/null || echo none)
	if [ "$n" = 2 ]; then
		ok "report.json lists 2 guests"
	else
		bad "report.json lists 2 guests" "-- it lists $n"
	fi
	check "vmcore-dmesg on the L2 guest's vmcore: the records its /init wrote" marker_in_guest "$r" "$marker"
	check "the tiny guest's vmcore is among them (guestcheck, all pages)" tiny_guest_among "$r"
	check "the Linux guest's vmcore is named after -name, report has its uuid and pid" l2_named "$r"
	check "report.json: every GPR the tiny guest's runner set" tiny_gprs_among "$r/guests/report.json"
	check "report.json: thread and last-ran figures for every vCPU" last_ran_all "$r/guests/report.json"
	check "guests from the KVM walk alone, host dump read for their pages only" capture_mode "$r/guests/report.json" walk
}

# The L3 tiny guest, found nested in the Linux L2: one guest linked to
# vgtest-l2, its vCPU through vmcb12 with the registers its runner set,
# its memory through L2's NPT12 (what L3 touched: its code).
nested_l3() { # REPORT
	local j=$1 q='.guests[] | select(.l1 == "vgtest-l2")' n err="" src from nv
	n=$(jq "[$q] | length" "$j")
	[ "$n" = 1 ] || {
		echo "$n guests with l1 = vgtest-l2 (want 1): $(jq -c '[.guests[] | {name, l1}]' "$j")"
		return 1
	}
	read -r src from nv < <(jq -r "$q | [.memory.source, .memory.l1_root_from, (.vcpus | length)] | map(tostring) | join(\" \")" "$j")
	[ "$src" = l1-npt ] || err+="memory.source=$src (want l1-npt) "
	[ "$from" = vmcb12 ] || err+="memory.l1_root_from=$from (want vmcb12) "
	[ "$nv" = 1 ] || err+="$nv vCPUs (want 1) "
	local -a v
	mapfile -t v < <(jq -r "$q | .vcpus[0].regs | .rip, .rsp, .rflags, .cs.selector, .cs.base" "$j")
	err+=$(regs_differ "${v[0]:-null}" "${v[1]:-null}" "${v[2]:-null}" "${v[3]:-null}" "${v[4]:-null}")
	[ -z "$err" ] || {
		echo "$err"
		return 1
	}
}

# The L3's vmcore (the ELF copy): every page in it is the tiny guest's,
# and its code is there.
nested_l3_memory() { # REPORT GUESTS-ELF-DIR
	local name
	name=$(jq -r '.guests[] | select(.l1 == "vgtest-l2") | .file' "$1")
	if [ -z "$name" ] || [ "$name" = null ] || [ ! -f "$2/$name" ]; then
		echo "no ELF copy of the nested guest ($name) in $2"
		return 1
	fi
	"$guestcheck" --present "$2/$name"
}

scenario_I() {
	scen=I
	echo "== I: as D, the Linux L2 running the tiny guest itself (L3, nested)"
	local marker r=$VG_OUT/I/results n e
	marker="VGTEST-L2-MARKER-$(date +%s)-$RANDOM"
	if [ "${VG_JUDGE_ONLY:-0}" = 1 ]; then
		marker=$(grep -o 'vg_l2=VGTEST-L2-MARKER-[0-9]*-[0-9]*' "$VG_OUT/I/qemu.cmd" 2>/dev/null | cut -d= -f2) || true
	fi
	run_cycle run-vm.sh "$VG_OUT/I" "$VG_BUILD/l1-l3.cpio.gz" vg_kexec=p vg_fixture=1 "vg_l2=$marker" vg_l3=1 || return 0
	e=$r/guests-elf
	check "vmcore-guests /proc/vmcore exits 0" guests_rc0 "$r"
	n=$(jq '.guests | length' "$r/guests/report.json" 2>/dev/null || echo none)
	if [ "$n" = 3 ]; then
		ok "report.json lists 3 guests (the Linux L2, the L3 in it, the tiny guest in L1)"
	else
		bad "report.json lists 3 guests (the Linux L2, the L3 in it, the tiny guest in L1)" "-- it lists $n"
	fi
	check "the L3: one guest linked to vgtest-l2, its vCPU's registers through vmcb12, memory through L2's NPT12" \
		nested_l3 "$r/guests/report.json"
	check "the L3's vmcore: every page in it the tiny guest's, its code there (guestcheck --present)" \
		nested_l3_memory "$r/guests/report.json" "$e"
	check "vmcore-dmesg on the L2 guest's ELF vmcore: the records its /init wrote" marker_in_guest "$r" "$marker" "$e"
	check "the tiny guest in L1: its ELF vmcore is among them (guestcheck, all pages)" tiny_guest_among "$r" "$e"
}

t0=$SECONDS
run_scenarios "A B C D E F G H I"
total=$((SECONDS - t0))

echo "== check-vms-amd: $npass passed, $nfail failed in ${total}s (cycles: $(cycle_times))"
echo "   logs and results: $VG_OUT/<scenario>/"
verdicts_exit "$missing"
