#!/bin/busybox sh
# shellcheck shell=dash
# /init of the Linux L2 guest (runs under qemu -enable-kvm inside L1).
# Writes the marker given as vg_marker= on its command line to its kernel
# log (the crash test looks for it with vmcore-dmesg in the guest vmcore
# that vmcore-guests writes), says so on its serial console, then idles.
# With vg_l3=1 (scenario I) it is a KVM host itself first: loads kvm-amd
# and runs the tiny guest without pauses (L3, nested in L2), so that L2's
# vCPU is running L3 when L1 crashes.
set -u
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t devtmpfs dev /dev
mkdir -p /tmp
marker=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^vg_marker=//p' | tail -1)
[ -n "$marker" ] || marker=VGTEST-L2-NO-MARKER-GIVEN
if tr ' ' '\n' </proc/cmdline | grep -qx vg_l3=1; then
	KV=$(uname -r)
	while read -r m; do
		insmod "/lib/modules/$KV/$m" 2>/dev/null || echo "insmod $m failed"
	done <"/lib/modules/$KV/load.order"
	if [ ! -c /dev/kvm ]; then
		echo "VGTEST: L3_FAILED no /dev/kvm in L2"
	else
		/kvmguest >/tmp/l3.log 2>&1 &
		i=0
		while ! grep -q GUEST_RUNNING /tmp/l3.log && [ $i -lt 1200 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		cat /tmp/l3.log
		if grep -q GUEST_RUNNING /tmp/l3.log; then
			echo "VGTEST: L3_RUNNING after $((i / 10)).$((i % 10)) s"
		else
			echo "VGTEST: L3_FAILED the tiny guest is not running in L2"
		fi
	fi
fi
echo "$marker" >/dev/kmsg
# A debug-level record reaches no console: only the printk ring buffer in
# guest memory has it.
echo "<7>$marker-DEBUG-ONLY-IN-RAM" >/dev/kmsg
echo "VGTEST: L2_MARKER_WRITTEN $marker"
while :; do
	sleep 1
done
