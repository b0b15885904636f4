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
cpu=${VG_QEMU_CPU:-qemu64,+svm,+npt,+nrip-save}

# One VM at a time on this machine (the build machines have 2 cores):
# a second run waits for the first.
lock=${TMPDIR:-/tmp}/vmcore-guests-test-vm.lock
exec 9>>"$lock"
if ! flock -n 9; then
	note "another test VM is running (lock $lock); waiting for it"
	# A Bochs (Intel) cycle holds it for up to 25 minutes.
	lock_wait=${VG_LOCK_WAIT:-3600}
	flock -w "$lock_wait" 9 || die "still locked after $lock_wait s: $lock"
fi

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
timeout --kill-after=10 "$timeout_s" "${cmd[@]}" </dev/null 2>&1 |
	while IFS= read -r line; do
		d=$((${EPOCHREALTIME/./} - start))
		printf '[%4d.%03d] %s\n' $((d / 1000000)) $((d / 1000 % 1000)) "${line%$'\r'}"
	done >"$log"
rc=${PIPESTATUS[0]}
set -e
wall=$(((${EPOCHREALTIME/./} - start) / 1000000))

# marker NAME: seconds since start of the console line with VGTEST: NAME
marker() {
	grep -a "VGTEST: $1\\b" "$log" | head -1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'
}
{
	echo "wall=$wall"
	echo "qemu_rc=$rc"
	for m in L1_UP KVM_LOADED L2_STARTED GUEST_RUNNING L2_MARKER_SEEN KEXEC_LOADED PANIC_NOW \
		CAPTURE_UP MAKEDUMPFILE_DONE VMCORE_GUESTS_DONE CAPTURE_DONE; do
		echo "$m=$(marker "$m")"
	done
} >"$outdir/timings.txt"

tail_log() {
	local last
	last=$(grep -a 'VGTEST: ' "$log" | tail -1 || true)
	echo "run-vm: last marker reached: ${last:-none (L1 never reached its /init)}" >&2
	echo "run-vm: console tail ($log):" >&2
	tail -n 25 "$log" | sed 's/^/    /' >&2
}

if grep -aq 'VGTEST: FAIL' "$log"; then
	echo "run-vm: $(grep -a 'VGTEST: FAIL' "$log" | head -1 | sed 's/^\[[^]]*\] //')" >&2
	tail_log
	exit 1
fi
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	echo "run-vm: QEMU killed after the ${timeout_s}s limit" >&2
	tail_log
	exit 1
fi
if ! grep -aq 'VGTEST: CAPTURE_DONE' "$log"; then
	echo "run-vm: the capture kernel did not finish (QEMU exit code $rc)" >&2
	tail_log
	exit 1
fi

rm -rf "$outdir/results"
mkdir -p "$outdir/results"
debugfs -R "rdump / $outdir/results" "$img" 2>"$outdir/debugfs.log" ||
	die "debugfs could not read back $img (see $outdir/debugfs.log)"
[ -f "$outdir/results/done" ] ||
	die "the results disk has no 'done' file: the capture kernel did not finish writing"
rm -f "$img"
echo "run-vm: $(basename "$outdir"): cycle done in ${wall}s (crash at $(marker PANIC_NOW)s, capture done at $(marker CAPTURE_DONE)s)"
