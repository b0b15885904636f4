#!/bin/busybox sh
# shellcheck shell=dash
# /init of the capture (kdump) kernel in the crash tests.  Collects, never
# judges: every tool's output and exit code go to the ext4 results disk
# (the disk labelled vgresults: /dev/vda under QEMU, an ATA disk under
# Bochs), the verdict is made outside the VM.
#
# Results disk layout (read back with debugfs, see docs/testing.md):
#   notes.readelf      readelf -n /proc/vmcore      (+ .rc)
#   vmcsinfo.read      vmcsinfo read /proc/vmcore   (+ .rc, .err)
#   carrier.ls         ls -lR /etc/vmcore-guests (the kexec -s carrier)
#   host.kdump         makedumpfile -l -d 31 /proc/vmcore   (+ .rc, .log)
#   guests/            vmcore-guests /proc/vmcore guests    (+ .rc, .log)
#   l1/                what L1 appended to this initramfs under /l1 (the
#                      Intel test: vmcs-sysfs.tar, L1's VMCS layout tree)
#   dmesg.txt          the capture kernel's log
#   done               written last
# No "set -e": an init that exits panics the kernel; failures go through
# fail(), which says why and powers off.
set -u
. /lib/vgtest-common.sh
# run NAME CMD...: stdout to R/NAME, stderr to R/NAME.err, exit code to
# R/NAME.rc; a missing program gives rc 127 and says so.
run() {
	n=$1
	shift
	if ! command -v "$1" >/dev/null 2>&1; then
		echo "$1 is not in the capture initramfs" >"$R/$n.err"
		echo 127 >"$R/$n.rc"
		echo "capture: $1 missing"
		return
	fi
	"$@" >"$R/$n" 2>"$R/$n.err"
	rc=$?
	echo "$rc" >"$R/$n.rc"
	echo "capture: $* -> rc $rc"
}

mark CAPTURE_UP
[ -r /proc/vmcore ] || fail "no /proc/vmcore in the capture kernel"
KV=$(uname -r)
while read -r m; do
	insmod "/lib/modules/$KV/$m" 2>/dev/null || echo "insmod $m failed"
done <"/lib/modules/$KV/load.order"
i=0
disk=
while [ -z "$disk" ]; do
	disk=$(findfs LABEL=vgresults 2>/dev/null)
	[ -n "$disk" ] && break
	i=$((i + 1))
	[ "$i" -lt 600 ] || fail "no disk labelled vgresults (results disk) after 60 s: $(cat /proc/partitions)"
	sleep 0.1
done
R=/results
mkdir -p $R
mount -t ext4 "$disk" $R || fail "cannot mount the results disk $disk as ext4"
mark RESULTS_MOUNTED "vmcore_size=$(stat -c %s /proc/vmcore)"

run notes.readelf readelf -n /proc/vmcore
mark READELF_DONE
run vmcsinfo.read vmcsinfo read /proc/vmcore
mark VMCSINFO_DONE
ls -lR /etc/vmcore-guests >$R/carrier.ls 2>&1
[ -d /l1 ] && cp -r /l1 $R/l1

# Host dump first, as kdump does; makedumpfile writes the file itself.
makedumpfile -l -d 31 /proc/vmcore $R/host.kdump >$R/host.kdump.log 2>&1
echo $? >$R/host.kdump.rc
mark MAKEDUMPFILE_DONE "rc=$(cat $R/host.kdump.rc)"

if command -v vmcore-guests >/dev/null 2>&1; then
	vmcore-guests /proc/vmcore $R/guests >$R/guests.log 2>&1
	echo $? >$R/guests.rc
else
	echo "vmcore-guests is not in the capture initramfs" >$R/guests.log
	echo 127 >$R/guests.rc
fi
mark VMCORE_GUESTS_DONE "rc=$(cat $R/guests.rc)"

dmesg >$R/dmesg.txt
date >$R/done
sync
umount $R || fail "cannot unmount the results disk"
mark CAPTURE_DONE
poweroff -f
