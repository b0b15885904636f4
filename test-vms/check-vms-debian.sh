#!/bin/bash
# make check-vms-debian: crash a real Debian 12 KVM host under its own
# kdump service and judge, from outside and from its disk, what
# kdump-tools and our packages saved (issue 12 item 3).
#
# L1 (test-vms/mkimage-debian.sh): Debian bookworm made with mmdebstrap,
# kdump-tools (USE_KDUMP=1, crashkernel= on the command line, its own
# initramfs-tools kdump initrd), libvirt-daemon-system + qemu-system-x86,
# and vmcore-guests + the patched kexec-tools installed with apt from a
# local repository of make deb's output.  QEMU TCG with nested SVM boots
# its kernel and initrd from the image; kdump-tools.service loads the
# crash kernel with our kexec; the test's unit defines and starts a
# libvirt domain (virsh define, virsh start) running a Linux guest that
# writes a marker to its kernel log, then crashes the host with sysrq.
# The capture boot is kdump-tools' own (kdump-tools-dump.service on the
# real root file system): it saves /var/crash/<stamp>/dump.<stamp>, our
# drop-in the guests beside it in guests/, then it reboots, which ends
# QEMU (-no-reboot).  The verdict reads the image's disk with debugfs.
#
#   VG_TIMEOUT      limit for the whole QEMU run in seconds (default 900)
#   VG_L1_DEADLINE  seconds L1 may take to crash itself (default 300; it
#                   took 88-128 s): an L1 the emulator froze after the
#                   crash kernel was loaded gets one more try, on a
#                   fresh disk
#   VG_QEMU_CPU     -cpu (default qemu64,+svm,+npt,+nrip-save)
#   VG_JUDGE_ONLY=1 no new image and run: judge the last run again
#   VG_KEEP_DISK=1  keep the image after a passing run (debugging)
# Root only (mmdebstrap, overlay mounts).  Exit 0 only when every check
# passed.  Details and timings: docs/testing.md.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=verdicts.sh
. "$TV_DIR/verdicts.sh"
PATH=$PATH:/sbin:/usr/sbin

need_cmd qemu-system-x86_64 timeout truncate flock debugfs jq makedumpfile \
	vmcore-dmesg journalctl
[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap, chroot, overlay mounts)"
dom=vgtest-deb-l2
dom2=vgtest-deb-bios
out=$VG_OUT/debian
img=$VG_BUILD/debian/l1.img
timeout_s=${VG_TIMEOUT:-900}
deadline=${VG_L1_DEADLINE:-300}
cpu=${VG_QEMU_CPU:-qemu64,+svm,+npt,+nrip-save}
scen=debian
# The crash: L1's unit says PANIC_NOW through journald, which may reach
# the console after the kernel's own sysrq line, or never.
panic_re='VGTEST: PANIC_NOW|sysrq: Trigger a crash'

run_l1() {
	local marker=$1 log=$out/console.log start rc pipe dog
	local append="root=/dev/vda ro console=ttyS0,115200 crashkernel=384M vg_l2=$marker"
	local cmd=(qemu-system-x86_64 -machine q35 -accel tcg -cpu "$cpu" -smp 2 -m 2048
		-kernel "$VG_BUILD/debian/vmlinuz" -initrd "$VG_BUILD/debian/initrd.img"
		-append "$append" -display none -serial stdio -monitor none -no-reboot
		-nic none -drive "file=$img,format=raw,if=virtio")
	printf '%q ' timeout "$timeout_s" "${cmd[@]}" >"$out/qemu.cmd"
	echo >>"$out/qemu.cmd"
	echo "check-vms-debian: booting the Debian L1 ($(cat "$VG_BUILD/debian/kernel-version")), limit ${timeout_s}s"
	start=${EPOCHREALTIME/./}
	: >"$log"
	set +e
	(
		echo "$BASHPID" >"$out/timeout.pid"
		exec timeout --kill-after=10 "$timeout_s" "${cmd[@]}" </dev/null 2>&1
	) | vm_stamp "$start" >"$log" &
	pipe=$!
	(
		i=0
		while [ "$i" -lt "$deadline" ]; do
			sleep 1
			i=$((i + 1))
			grep -aqE "$panic_re" "$log" && exit 0
			grep -aq 'VGTEST: FAIL' "$log" && exit 0
		done
		echo "L1 did not crash itself within ${deadline}s" >"$out/l1-froze"
		kill -TERM "$(cat "$out/timeout.pid")"
	) >/dev/null 2>&1 &
	dog=$!
	wait "$pipe"
	rc=$?
	kill "$dog" 2>/dev/null
	wait "$dog" 2>/dev/null
	set -e
	wall=$(((${EPOCHREALTIME/./} - start) / 1000000))
	echo "qemu_rc=$rc" >"$out/run.env"
	echo "wall=$wall" >>"$out/run.env"
}

# Seconds of the first console line matching ERE (after the first line
# matching AFTER, when given).
at() {
	awk -v re="$1" -v after="${2:-}" '
		after != "" && !seen { if ($0 ~ after) seen = 1; next }
		$0 ~ re { if (match($0, /^\[ *[0-9.]+\]/)) { t = substr($0, 2, RLENGTH - 2); gsub(/ /, "", t); print t }; exit }
	' "$out/console.log"
}

timings() {
	{
		cat "$out/run.env"
		echo "L1_UP=$(at 'VGTEST: L1_UP')"
		echo "KEXEC_LOADED=$(at 'VGTEST: KEXEC_LOADED')"
		echo "L2_STARTED=$(at 'VGTEST: L2_STARTED')"
		echo "L2_MARKER_SEEN=$(at 'VGTEST: L2_MARKER_SEEN')"
		echo "PANIC_NOW=$(at "$panic_re")"
		echo "CAPTURE_KERNEL=$(at 'Linux version' "$panic_re")"
		echo "CAPTURE_UP=$(at 'Starting .*Kernel crash dump capture service|Starting kdump-tools' "$panic_re")"
		echo "MAKEDUMPFILE_START=$(at 'running makedumpfile -F')"
		echo "HOST_DUMP_SAVED=$(at 'saved vmcore in')"
		echo "GUESTS_DONE=$(at 'vmcore-guests: guests saved')"
		echo "REBOOT=$(at 'reboot: Restarting system')"
	} >"$out/timings.txt"
}

if [ "${VG_JUDGE_ONLY:-0}" != 1 ]; then
	need_file "$TOP/build/deb"
	mkdir -p "$VG_BUILD/debian"
	tb=$SECONDS
	"$TV_DIR/mkimage-debian.sh" disk "$img"
	image_s=$((SECONDS - tb))
	vm_lock
	rm -rf "$out"
	mkdir -p "$out"
	echo "image_seconds=$image_s" >"$out/image.env"
	marker="VGTEST-DEB-L2-MARKER-$(date +%s)-$RANDOM"
	echo "$marker" >"$out/marker"
	run_l1 "$marker"
	# An L1 the emulator froze after the crash kernel was loaded (while
	# libvirt started the guests: the test's own setup) gets one more
	# try on a fresh disk, as run_cycle gives the AMD test's cycles; a
	# freeze before that is a failure.  The frozen attempt stays in
	# $out.froze/.
	if [ -f "$out/l1-froze" ] && grep -aq 'VGTEST: KEXEC_LOADED' "$out/console.log"; then
		echo "check-vms-debian: $(cat "$out/l1-froze") (emulator, after KEXEC_LOADED: $(grep -a 'VGTEST: ' "$out/console.log" | tail -1 | sed 's/.*VGTEST: //' | cut -c1-60)); once more on a fresh disk"
		rm -rf "$out.froze"
		mv "$out" "$out.froze"
		mkdir -p "$out"
		cp "$out.froze/image.env" "$out.froze/marker" "$out/"
		"$TV_DIR/mkimage-debian.sh" disk "$img"
		run_l1 "$marker"
		echo "retried_after=$out.froze" >>"$out/run.env"
	fi
	rm -rf "$out/results"
	mkdir -p "$out/results"
	debugfs -R "rdump /var/crash /var/lib/vgtest /var/log/journal $out/results" "$img" \
		2>"$out/debugfs.log" || die "debugfs could not read back $img (see $out/debugfs.log)"
fi
marker=$(cat "$out/marker")
r=$out/results
timings

# ---------------------------------------------------------------- checks
jn() { journalctl -D "$r/journal" --no-pager "$@" 2>/dev/null; }

vm_ended() { # the emulator ended by itself, after the capture boot's reboot
	local qemu_rc
	qemu_rc=$(sed -n 's/^qemu_rc=//p' "$out/run.env")
	[ ! -f "$out/l1-froze" ] || { cat "$out/l1-froze"; return 1; }
	grep -aq 'VGTEST: FAIL' "$out/console.log" && {
		grep -a 'VGTEST: FAIL' "$out/console.log" | head -1
		return 1
	}
	[ "$qemu_rc" = 0 ] || { echo "qemu exit code $qemu_rc (124/137: killed at the ${timeout_s}s limit)"; return 1; }
	grep -aq 'reboot: Restarting system' "$out/console.log" ||
		{ echo "no 'reboot: Restarting system' on the console"; return 1; }
}

kdump_loaded() { # L1's kdump-tools loaded the crash kernel with our kexec
	local e=$r/vgtest/l1.env
	[ -f "$e" ] || { echo "no /var/lib/vgtest/l1.env (L1's unit did not get that far)"; return 1; }
	grep -qx 'kexec_crash_loaded=1' "$e" || { echo "$(grep kexec_crash "$e")"; return 1; }
	grep -q '^kexec_tools=.*+vmcoreguests' "$e" || { echo "kexec-tools: $(grep kexec_tools= "$e")"; return 1; }
	grep -q '^cmdline=.* crashkernel=' "$e" || { echo "no crashkernel= in $(grep cmdline= "$e")"; return 1; }
	# kdump-config keeps the command it loaded with in
	# /var/crash/kexec_cmd and logs it (logger).
	local want='^/sbin/kexec -p .*--initrd=/var/lib/kdump/initrd.img /var/lib/kdump/vmlinuz'
	grep -q "$want" "$r/crash/kexec_cmd" 2>/dev/null ||
		{ echo "/var/crash/kexec_cmd: $(cat "$r/crash/kexec_cmd" 2>&1)"; return 1; }
	jn -b -1 -o cat >"$out/first-boot.journal"
	grep -q "$want" "$out/first-boot.journal" ||
		{ echo "no '/sbin/kexec -p ... /var/lib/kdump/vmlinuz' in the first boot's journal"; return 1; }
}

stampdir() { # prints the one /var/crash/<stamp> directory
	local d n=0 found=
	for d in "$r"/crash/[0-9]*/; do
		[ -d "$d" ] || continue
		n=$((n + 1))
		found=${d%/}
	done
	[ "$n" = 1 ] || { echo "want one /var/crash/<stamp>/, found $n: $(ls "$r/crash" 2>&1 | tr '\n' ' ')"; return 1; }
	echo "$found"
}

capture_was_kdump_tools() { # the capture boot: kdump-tools-dump.service on the real root
	# (Whole outputs into files: grep -q would end journalctl early, and
	# pipefail would count its SIGPIPE.)
	jn -b 0 -k -o cat >"$out/capture-boot.kernel"
	grep -q 'Command line:.*systemd.unit=kdump-tools-dump.service' "$out/capture-boot.kernel" ||
		{ echo "the last boot's kernel command line has no systemd.unit=kdump-tools-dump.service"; return 1; }
	jn -b 0 -u kdump-tools-dump.service -o cat >"$out/capture-service.log"
	[ -s "$out/capture-service.log" ] ||
		{ echo "no journal entries of kdump-tools-dump.service in the capture boot"; return 1; }
}

host_dump_complete() { # STAMPDIR
	local d=$1 s
	s=$(basename "$d")
	[ -s "$d/dump.$s" ] || { echo "no dump.$s in /var/crash/$s ($(ls "$d" | tr '\n' ' '))"; return 1; }
	[ ! -e "$d/dump-incomplete" ] || { echo "dump-incomplete is still there"; return 1; }
	# makedumpfile's own last words, and kdump-config's.
	jn -b 0 -u kdump-tools-dump.service -o cat >"$out/capture-service.log"
	grep -q 'makedumpfile Completed' "$out/capture-service.log" ||
		{ echo "no 'makedumpfile Completed' in the kdump-tools-dump.service log"; return 1; }
	grep -q "saved vmcore in /var/crash/$s" "$out/capture-service.log" ||
		{ echo "no 'saved vmcore in /var/crash/$s' in the kdump-tools-dump.service log"; return 1; }
	# The flattened dump (kdump-tools' -F) reassembles and makedumpfile
	# reads the crashed host's log out of it.
	rm -f "$out/host.dump" "$out/host.dmesg"
	makedumpfile -R "$out/host.dump" <"$d/dump.$s" >"$out/host.R.log" 2>&1 ||
		{ echo "makedumpfile -R: $(tail -2 "$out/host.R.log")"; return 1; }
	makedumpfile --dump-dmesg "$out/host.dump" "$out/host.dmesg" >"$out/host.dmesg.log" 2>&1 ||
		{ echo "makedumpfile --dump-dmesg: $(tail -2 "$out/host.dmesg.log")"; return 1; }
	grep -q 'sysrq: Trigger a crash' "$out/host.dmesg" ||
		{ echo "the host dump's log has no 'sysrq: Trigger a crash'"; return 1; }
	rm -f "$out/host.dump"
}

guest_files() { # STAMPDIR
	local g=$1/guests f
	for f in "$g/$dom.vmcore" "$g/report.json"; do
		[ -s "$f" ] || { echo "no $(basename "$f") in guests/ ($(ls "$g" 2>&1 | tr '\n' ' '))"; return 1; }
	done
	[ "$(stat -c %a "$g/$dom.vmcore")" = 600 ] || { echo "$dom.vmcore has mode $(stat -c %a "$g/$dom.vmcore")"; return 1; }
}

guest_marker() { # STAMPDIR
	local f=$1/guests/$dom.vmcore
	# The default guest_core_collector writes makedumpfile's
	# kdump-compressed format (signature "KDUMP   "), which makedumpfile
	# reads; an ELF guest vmcore is vmcore-dmesg's.
	if [ "$(head -c 8 "$f")" = "KDUMP   " ]; then
		rm -f "$out/guest.dmesg"
		makedumpfile --dump-dmesg "$f" "$out/guest.dmesg" >"$out/guest.dmesg.log" 2>&1 ||
			{ echo "makedumpfile --dump-dmesg failed: $(tail -2 "$out/guest.dmesg.log")"; return 1; }
	else
		vmcore-dmesg "$f" >"$out/guest.dmesg" 2>&1 ||
			{ echo "vmcore-dmesg failed: $(tail -2 "$out/guest.dmesg")"; return 1; }
	fi
	grep -q "$marker" "$out/guest.dmesg" || { echo "no $marker in the guest's kernel log ($(basename "$out")/guest.dmesg)"; return 1; }
	grep -q "$marker-DEBUG-ONLY-IN-RAM" "$out/guest.dmesg" ||
		{ echo "no debug-level $marker-DEBUG-ONLY-IN-RAM record"; return 1; }
}

domain_uuid() { # STAMPDIR: the report has libvirt's uuid for the domain libvirt named
	local u j=$1/guests/report.json
	u=$(cat "$r/vgtest/domain.uuid" 2>/dev/null)
	[ -n "$u" ] || { echo "no domain.uuid (virsh domuuid) on the disk"; return 1; }
	grep -q -- "guest=$dom" "$r/vgtest/qemu.cmdline" && grep -q -- "-uuid $u" "$r/vgtest/qemu.cmdline" ||
		{ echo "libvirt's QEMU has no guest=$dom / -uuid $u: $(head -c 300 "$r/vgtest/qemu.cmdline")"; return 1; }
	jq -e --arg n "$dom" --arg u "$u" '[.guests[] | select(.name == $n and .uuid == $u)] | length == 1' \
		"$j" >/dev/null || { echo "report.json: no guest $dom with uuid $u ($(jq -c '[.guests[] | {name, uuid}]' "$j"))"; return 1; }
}

# The second domain (SeaBIOS, nothing to boot): its vmcore, 0600, under
# the name libvirt gave it, with libvirt's uuid, its vCPU's registers, and
# the zero-pages-only filter (it has no VMCOREINFO).
second_domain() { # STAMPDIR
	local f=$1/guests/$dom2.vmcore u j=$1/guests/report.json
	[ -s "$f" ] || { echo "no $dom2.vmcore in guests/ ($(ls "$1/guests" 2>&1 | tr '\n' ' '))"; return 1; }
	[ "$(stat -c %a "$f")" = 600 ] || { echo "$dom2.vmcore has mode $(stat -c %a "$f")"; return 1; }
	u=$(cat "$r/vgtest/domain2.uuid" 2>/dev/null)
	[ -n "$u" ] || { echo "no domain2.uuid (virsh domuuid $dom2) on the disk"; return 1; }
	grep -q -- "guest=$dom2" "$r/vgtest/qemu2.cmdline" && grep -q -- "-uuid $u" "$r/vgtest/qemu2.cmdline" ||
		{ echo "libvirt's QEMU has no guest=$dom2 / -uuid $u: $(head -c 300 "$r/vgtest/qemu2.cmdline")"; return 1; }
	jq -e --arg n "$dom2" --arg u "$u" '[.guests[] | select(.name == $n and .uuid == $u
		and .written and (.vcpus | length) == 1 and .vcpus[0].regs.rip != null
		and .memory.dump.filter_note == "no guest VMCOREINFO: zero pages excluded only")] | length == 1' \
		"$j" >/dev/null || { echo "report.json: $(jq -c --arg n "$dom2" '[.guests[] | select(.name == $n) | {name, uuid, written, rip: .vcpus[0].regs.rip, dump: .memory.dump.filter_note}]' "$j")"; return 1; }
}

dump_before_guests() { # the host dump was saved before our first guest write
	local saved first
	jn -b 0 -o short-monotonic >"$out/capture-boot.journal"
	saved=$(grep -n 'saved vmcore in /var/crash/' "$out/capture-boot.journal" | head -1 | cut -d: -f1)
	first=$(grep -n 'vmcore-guests: ' "$out/capture-boot.journal" | head -1 | cut -d: -f1)
	[ -n "$saved" ] || { echo "no 'saved vmcore in' in the capture boot's journal"; return 1; }
	[ -n "$first" ] || { echo "no vmcore-guests line in the capture boot's journal"; return 1; }
	[ "$saved" -lt "$first" ] || {
		echo "the first vmcore-guests line ($(sed -n "${first}p" "$out/capture-boot.journal")) comes before the host dump was saved"
		return 1
	}
	# And by the files' own times: the host dump is older than the guests.
	[ ! "$1/guests/$dom.vmcore" -ot "$1/dump.$(basename "$1")" ] || { echo "the guest vmcore is older than the host dump"; return 1; }
}

echo "== debian: Debian 12 host, kdump-tools, libvirt domain $dom"
check "the run ended by itself with the capture boot's reboot" vm_ended
check "kdump-tools loaded the crash kernel with our kexec-tools, crashkernel= given" kdump_loaded
check "the capture boot was kdump-tools' own (systemd.unit=kdump-tools-dump.service, real root)" capture_was_kdump_tools
if sd=$(stampdir 2>&1); then
	ok "one /var/crash/<stamp>/: $(basename "$sd")"
	check "host dump dump.<stamp> complete (makedumpfile Completed, saved vmcore, readable, has the sysrq crash)" host_dump_complete "$sd"
	check "guests/$dom.vmcore (0600) and guests/report.json" guest_files "$sd"
	check "the guest vmcore's kernel log (makedumpfile --dump-dmesg, or vmcore-dmesg on ELF) has the marker the guest wrote" guest_marker "$sd"
	check "report.json has the domain's name and libvirt's uuid" domain_uuid "$sd"
	check "second domain $dom2 (SeaBIOS, nothing to boot): its vmcore (0600), libvirt's uuid, registers, zero pages only" second_domain "$sd"
	check "the kdump-tools log: host dump saved before the first vmcore-guests line" dump_before_guests "$sd"
else
	bad "one /var/crash/<stamp>/" "-- $sd"
fi
[ -f "$out/timings.txt" ] && tr '\n' ' ' <"$out/timings.txt" | sed 's/^/check-vms-debian: timings: /;s/$/\n/'
[ -f "$out/image.env" ] && cat "$out/image.env" | sed 's/^/check-vms-debian: /'
echo "check-vms-debian: $npass passed, $nfail failed; ${SECONDS}s in all (logs $out)"
if [ "$nfail" = 0 ]; then
	[ "${VG_KEEP_DISK:-0}" = 1 ] || rm -f "$img"
	exit 0
fi
printf '  failed: %s\n' "${failed[@]}"
echo "check-vms-debian: console tail ($out/console.log):"
tail -n 25 "$out/console.log" | sed 's/^/    /'
exit 1
