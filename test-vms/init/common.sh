#!/bin/busybox sh
# shellcheck shell=dash
# Sourced first by the crash tests' L1 and capture /init scripts (installed
# as /lib/vgtest-common.sh in both initramfs images): busybox applets, the
# pseudo filesystems, progress marks and the failure exit.
set -u
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

mark() { echo "VGTEST: $* t=$(cut -d' ' -f1 /proc/uptime)"; }
fail() {
	echo "VGTEST: FAIL $*"
	poweroff -f
	sleep 60
}
