#!/bin/bash
# Run one crash cycle of an L1 host under QEMU TCG with nested SVM:
#   run-vm.sh OUTDIR L1.cpio.gz [L1 kernel command line words...]
# The L1 kernel boots the L1 initramfs, which crashes itself; the capture
# kernel writes its results to an ext4 disk (OUTDIR/results.img) and powers
# off.  Afterwards the disk is read back without mounting (debugfs rdump)
# into OUTDIR/results/.  Kept in OUTDIR: console.log (each line prefixed
# with seconds since QEMU started), qemu.cmd, timings.txt.
#
#   VG_TIMEOUT   hard limit for the whole cycle in seconds (default 420)
#   VG_L1_DEADLINE  seconds L1 may take to crash itself (default 180; it
#                takes 15-40 s): a TCG emulator that froze L1 is stopped
#                early instead of at VG_TIMEOUT; the cycle then fails with
#                "L1 froze" and the caller may run it again
#   VG_QEMU_CPU  -cpu (default qemu64,+svm,+npt,+nrip-save)
#
# Exit 0 when the capture kernel finished (VGTEST: CAPTURE_DONE) and the
# results were read back; otherwise 1, after printing the last progress
# marker reached and the tail of the console log.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: $tv_prog OUTDIR L1.cpio.gz [cmdline words...]"
outdir=$1
l1=$2
shift 2
need_cmd qemu-system-x86_64 timeout truncate flock
PATH=$PATH:/sbin:/usr/sbin
need_cmd mkfs.ext4 debugfs
load_kernel
need_file "$l1"

timeout_s=${VG_TIMEOUT:-420}
deadline=${VG_L1_DEADLINE:-180}
cpu=${VG_QEMU_CPU:-qemu64,+svm,+npt,+nrip-save}

vm_lock

rm -rf "$outdir"
mkdir -p "$outdir"
img=$outdir/results.img
truncate -s 1G "$img"
mkfs.ext4 -q -F -L vgresults "$img" || die "mkfs.ext4 $img failed"

append="console=ttyS0,115200 crashkernel=256M panic=-1 $*"
cmd=(qemu-system-x86_64 -machine q35 -accel tcg -cpu "$cpu" -smp 2 -m 1024
	-kernel "$KROOT/boot/vmlinuz-$KV" -initrd "$l1" -append "$append"
	-display none -serial stdio -monitor none -no-reboot -nic none
	-drive "file=$img,format=raw,if=virtio")
printf '%q ' timeout "$timeout_s" "${cmd[@]}" >"$outdir/qemu.cmd"
echo >>"$outdir/qemu.cmd"

log=$outdir/console.log
start=${EPOCHREALTIME/./}
echo "run-vm: $(basename "$outdir"): booting L1 ($KV, cmdline: $*), limit ${timeout_s}s"
set +e
: >"$log"
# The subshell becomes timeout (exec): its pid is the one to signal.
(
	echo "$BASHPID" >"$outdir/timeout.pid"
	exec timeout --kill-after=10 "$timeout_s" "${cmd[@]}" </dev/null 2>&1
) | vm_stamp "$start" >"$log" &
pipe=$!
# Watchdog: L1 must crash itself (PANIC_NOW) within the deadline.  Polls
# once a second, its output to /dev/null: killing it leaves no long sleep
# holding the caller's pipes open.
(
	i=0
	while [ "$i" -lt "$deadline" ]; do
		sleep 1
		i=$((i + 1))
		grep -aq 'VGTEST: PANIC_NOW' "$log" && exit 0
	done
	echo "L1 froze: no PANIC_NOW within ${deadline}s" >"$outdir/l1-froze"
	kill -TERM "$(cat "$outdir/timeout.pid")"
) >/dev/null 2>&1 &
dog=$!
wait "$pipe"
rc=$?
kill "$dog" 2>/dev/null
wait "$dog" 2>/dev/null
set -e
wall=$(((${EPOCHREALTIME/./} - start) / 1000000))
vm_finish "$outdir" "$rc" "$wall" "$timeout_s" qemu "$img"
