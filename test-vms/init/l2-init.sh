#!/bin/busybox sh
# shellcheck shell=dash
# /init of the Linux L2 guest (runs under qemu -enable-kvm inside L1).
# Writes the marker given as vg_marker= on its command line to its kernel
# log (the crash test looks for it with vmcore-dmesg in the guest vmcore
# that vmcore-guests writes), says so on its serial console, then idles.
set -u
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t devtmpfs dev /dev
marker=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^vg_marker=//p' | tail -1)
[ -n "$marker" ] || marker=VGTEST-L2-NO-MARKER-GIVEN
echo "$marker" >/dev/kmsg
# A debug-level record reaches no console: only the printk ring buffer in
# guest memory has it.
echo "<7>$marker-DEBUG-ONLY-IN-RAM" >/dev/kmsg
echo "VGTEST: L2_MARKER_WRITTEN $marker"
while :; do
	sleep 1
done
