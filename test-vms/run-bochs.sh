#!/bin/bash
# Run one crash cycle of an L1 host under Bochs, which emulates Intel VMX
# with EPT (QEMU's TCG does not emulate VMX):
#   run-bochs.sh OUTDIR L1.cpio.gz [L1 kernel command line words...]
# Bochs boots a FAT16 disk with syslinux, the cached Debian kernel and the
# L1 initramfs (ATA disk 0); the capture kernel writes its results to an
# ext4 disk labelled vgresults (ATA disk 1) and powers off.  The results
# are read back without mounting (debugfs rdump) into OUTDIR/results/.
# Kept in OUTDIR: console.log (the serial console, each line prefixed with
# seconds since Bochs started), bochsrc, syslinux.cfg, bochs.log,
# bochs.stdout, timings.txt.
#
#   VG_BOCHS_TIMEOUT  hard limit for the whole cycle in seconds (default 1500)
#   VG_BOCHS_IPS      emulated instructions per second (default 50000000)
#   VG_BOCHS_MODEL    Bochs CPU model (default corei7_haswell_4770: VMX+EPT)
#
# Exit 0 when the capture kernel finished (VGTEST: CAPTURE_DONE) and the
# results were read back; otherwise 1, after printing the last progress
# marker reached and the tail of the console log.  Facts about Bochs that
# shaped this (docs/design.md §6): no display-less build in Debian, so
# the RFB display runs with timeout=0; without a sound card the ALSA
# driver aborts Bochs ("buffer overflow detected"), so the speaker is off
# and the sound drivers are dummies; the built-in debugger waits for a
# "c" command (given with -rc); a reboot (a panic with panic=-1) would boot
# L1 again, so a second L1_UP ends the run.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: $tv_prog OUTDIR L1.cpio.gz [cmdline words...]"
outdir=$1
l1=$2
shift 2
PATH=$PATH:/sbin:/usr/sbin
need_cmd bochs-bin timeout truncate flock mkfs.vfat mcopy syslinux mkfs.ext4 debugfs tail
load_kernel
need_file "$l1" /usr/share/bochs/BIOS-bochs-latest /usr/share/vgabios/vgabios.bin

timeout_s=${VG_BOCHS_TIMEOUT:-1500}
ips=${VG_BOCHS_IPS:-50000000}
model=${VG_BOCHS_MODEL:-corei7_haswell_4770}
mem=1024

vm_lock

rm -rf "$outdir"
mkdir -p "$outdir"
outdir=$(cd "$outdir" && pwd)

# Bochs wants flat images of exactly cylinders x 16 heads x 63 sectors.
chs=$((16 * 63 * 512))
cylinders() { echo $((($1 + chs - 1) / chs)); }

# Boot disk: a FAT16 "superfloppy" with syslinux, the kernel and L1.
vmlinuz=$KROOT/boot/vmlinuz-$KV
need=$(($(stat -c %s "$vmlinuz") + $(stat -c %s "$l1") + 8 * 1024 * 1024))
boot_cyl=$(cylinders "$need")
[ "$boot_cyl" -ge 100 ] || boot_cyl=100
boot=$outdir/boot.img
truncate -s $((boot_cyl * chs)) "$boot"
mkfs.vfat -F 16 -n VGBOOT "$boot" >/dev/null || die "mkfs.vfat $boot failed"
cat >"$outdir/syslinux.cfg" <<EOF
SERIAL 0 115200
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  KERNEL vmlinuz
  INITRD l1.gz
  APPEND console=ttyS0,115200 crashkernel=256M panic=-1 $*
EOF
mcopy -i "$boot" "$vmlinuz" ::vmlinuz
mcopy -i "$boot" "$l1" ::l1.gz
mcopy -i "$boot" "$outdir/syslinux.cfg" ::syslinux.cfg
syslinux --install "$boot" || die "syslinux --install $boot failed"

# Results disk: ext4, found by its label in the capture kernel.
img=$outdir/results.img
res_cyl=$(cylinders $((1024 * 1024 * 1024)))
truncate -s $((res_cyl * chs)) "$img"
mkfs.ext4 -q -F -L vgresults "$img" || die "mkfs.ext4 $img failed"

cat >"$outdir/bochsrc" <<EOF
memory: guest=$mem, host=$mem
cpu: model=$model, count=1, ips=$ips, reset_on_triple_fault=1, ignore_bad_msrs=1
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
pci: enabled=1, chipset=i440fx
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=disk, path=$boot, mode=flat, cylinders=$boot_cyl, heads=16, spt=63
ata1: enabled=1, ioaddr1=0x170, ioaddr2=0x370, irq=15
ata1-master: type=disk, path=$img, mode=flat, cylinders=$res_cyl, heads=16, spt=63
boot: disk
com1: enabled=1, mode=file, dev=$outdir/serial.log
display_library: rfb, options="timeout=0"
log: $outdir/bochs.log
clock: sync=none, time0=local
panic: action=fatal
error: action=report
info: action=ignore
debug: action=ignore
mouse: enabled=0
speaker: enabled=0
sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
EOF
echo c >"$outdir/debugger.rc"
: >"$outdir/serial.log"
printf '%q ' timeout "$timeout_s" bochs-bin -q -f "$outdir/bochsrc" -rc "$outdir/debugger.rc" >"$outdir/bochs.cmd"
echo >>"$outdir/bochs.cmd"

log=$outdir/console.log
start=${EPOCHREALTIME/./}
echo "run-bochs: $(basename "$outdir"): booting L1 ($KV, $model, cmdline: $*), limit ${timeout_s}s"
set +e
timeout --kill-after=10 "$timeout_s" bochs-bin -q -f "$outdir/bochsrc" \
	-rc "$outdir/debugger.rc" </dev/null >"$outdir/bochs.stdout" 2>&1 &
bpid=$!
# The console is a file Bochs writes: follow it while Bochs runs.  A
# second L1_UP means the machine rebooted (a panic somewhere): stop.
tail -n +1 -s 0.5 -F --pid="$bpid" "$outdir/serial.log" 2>/dev/null |
	vm_stamp "$start" | while IFS= read -r line; do
	printf '%s\n' "$line"
	case "$line" in
	*"VGTEST: L1_UP"*)
		ups=$((${ups:-0} + 1))
		if [ "$ups" -gt 1 ]; then
			echo "run-bochs: L1 booted a second time (reboot after a panic): stopping Bochs" >&2
			kill "$bpid" 2>/dev/null
		fi
		;;
	esac
done >"$log"
wait "$bpid"
rc=$?
set -e
wall=$(((${EPOCHREALTIME/./} - start) / 1000000))
rm -f "$boot"
vm_finish "$outdir" "$rc" "$wall" "$timeout_s" bochs "$img"
