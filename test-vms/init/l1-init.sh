#!/bin/busybox sh
# shellcheck shell=dash
# /init of the L1 host (a KVM host under QEMU TCG with nested SVM, or under
# Bochs with VMX).  Loads kvm-amd or kvm-intel (+ the vmcsinfo-intel
# module when the image has it), starts the tiny guest, loads the crash
# kernel with the kexec the image carries, crashes with sysrq.  Kernel
# command line:
#   vg_kexec=p|sp     kexec -p (kexec_load) or kexec -s -p (kexec_file_load)
#   vg_fixture=0|1    pass --vmcsinfo-sysfs=/fixtures/vmcs-sysfs (1) or
#                     nothing (0: kexec reads the real sysfs, where the
#                     vmcsinfo-intel module published the layout)
#   vg_l2=MARKER      also run a Linux L2 guest (qemu -enable-kvm, image
#                     built with mkinitramfs-l1.sh --l2) that writes MARKER
#                     to its kernel log; wait for it before the crash
#   vg_l3=1           with vg_l2: passed on to the L2, which then runs the
#                     tiny guest itself (L3, nested) before its marker
#   vg_tiny=long      run the tiny guest in 64-bit mode at CPL 3
#                     (kvmguest --long) instead of real mode
# Progress lines start with "VGTEST: " (read by test-vms/run-vm.sh); any
# failure prints "VGTEST: FAIL <why>" and powers off.
# No "set -e": an init that exits panics the kernel; failures go through
# fail(), which says why and powers off.
set -u
. /lib/vgtest-common.sh
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^$1=//p" | tail -1; }

mark L1_UP
KV=$(uname -r)
grep -q crashkernel= /proc/cmdline || fail "no crashkernel= on the L1 command line"
grep -qi 'crash kernel' /proc/iomem || fail "no crash kernel region reserved in /proc/iomem"
if grep -qw vmx /proc/cpuinfo; then
	vendor=vmx
elif grep -qw svm /proc/cpuinfo; then
	vendor=svm
else
	fail "the L1 CPU has neither the vmx nor the svm flag (QEMU -cpu ...,+svm; Bochs corei7_haswell_4770)"
fi

while read -r m; do
	# crc32c-intel needs SSE4.2 (not in qemu64): its failure is harmless.
	insmod "/lib/modules/$KV/$m" 2>/dev/null || echo "insmod $m failed"
done <"/lib/modules/$KV/load.order"
[ -c /dev/kvm ] || fail "/dev/kvm missing after loading KVM: $(dmesg | grep -iE 'kvm|svm|vmx' | tail -3)"
mark KVM_LOADED "vendor=$vendor"

# The VMCS layout provider, with KVM loaded (and VMX off until a VM runs).
# Its tree goes to the capture kernel inside the initramfs (/l1), so the
# verdict can compare it with the VMCSINFO note.
capture=/capture.cpio.gz
cpu=/sys/devices/system/cpu
ko=/lib/modules/$KV/extra/vmcsinfo-intel.ko
if [ -f "$ko" ]; then
	insmod "$ko" || fail "insmod vmcsinfo-intel failed: $(dmesg | grep vmcsinfo | tail -5)"
	if [ ! -r $cpu/vmcs_id ] || [ ! -d $cpu/vmcs ]; then
		fail "vmcsinfo-intel loaded but $cpu/vmcs_id or $cpu/vmcs is missing"
	fi
	dmesg | grep vmcsinfo_intel
	mkdir -p /tmp/l1x/l1 /tmp/vmcs-sysfs/vmcs
	cat $cpu/vmcs_id >/tmp/vmcs-sysfs/vmcs_id
	n=0
	for f in "$cpu"/vmcs/*; do
		cat "$f" >"/tmp/vmcs-sysfs/vmcs/${f##*/}"
		n=$((n + 1))
	done
	# How the access rights are stored: only when the module found it.
	ar=
	if [ -r $cpu/vmcs_ar_format ]; then
		cat $cpu/vmcs_ar_format >/tmp/vmcs-sysfs/vmcs_ar_format
		ar=vmcs_ar_format
	fi
	# shellcheck disable=SC2086
	(cd /tmp/vmcs-sysfs && tar cf /tmp/l1x/l1/vmcs-sysfs.tar vmcs_id vmcs $ar) ||
		fail "cannot pack $cpu/vmcs into a tar"
	(cd /tmp/l1x && find . | cpio -o -H newc 2>/dev/null | gzip) >/tmp/l1x.cpio.gz
	# Concatenated (compressed) cpio archives make one initramfs.
	cat /capture.cpio.gz /tmp/l1x.cpio.gz >/tmp/capture.cpio.gz
	capture=/tmp/capture.cpio.gz
	mark VMCSINFO_LOADED "vmcs_id=$(cat $cpu/vmcs_id) fields=$n" \
		"located=$(grep -L '^0x0$' /tmp/vmcs-sysfs/vmcs/* | wc -l)"
fi

# The crash kernel is loaded before any guest starts, as on a real host:
# kdump loads it at boot and our udev rule reloads it when KVM's modules
# (or the VMCS layout provider) come, so the notes describe this KVM.
# Nothing in the notes depends on which guests run.
mode=$(arg vg_kexec)
fixture=$(arg vg_fixture)
case "$mode" in
p) kx="-p" ;;
sp) kx="-s -p" ;;
*) fail "vg_kexec=$mode: want p or sp" ;;
esac
case "$fixture" in
1) kx="$kx --vmcsinfo-sysfs=/fixtures/vmcs-sysfs" ;;
0) ;;
*) fail "vg_fixture=$fixture: want 0 or 1" ;;
esac
append="console=ttyS0,115200 irqpoll nr_cpus=1 reset_devices panic=-1"
mark KEXEC_LOAD "kexec $kx"
# shellcheck disable=SC2086
kexec $kx /vmlinuz --initrd=$capture --append="$append" ||
	fail "kexec $kx failed (rc $?)"
[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] ||
	fail "kexec returned 0 but /sys/kernel/kexec_crash_loaded is not 1"
mark KEXEC_LOADED

l2marker=$(arg vg_l2)
# vg_l3=1: the L2 QEMU on CPU 1 and the tiny guest on CPU 0 (see the crash
# below); otherwise wherever the scheduler puts them.
l2cpu=
gcpu=
if [ "$(arg vg_l3)" = 1 ]; then
	l2cpu="taskset 2"
	gcpu="taskset 1"
fi
# start_l2: the Linux L2 guest in the background, its pid in l2pid.
start_l2() {
	$l2cpu qemu-system-x86_64 -enable-kvm -cpu host -m 128 -smp 1 -nodefaults \
		-display none -monitor none -serial file:/tmp/l2.log -no-reboot \
		-name guest=vgtest-l2 -uuid 76677465-7374-4c32-8000-000000000001 \
		-kernel /vmlinuz -initrd /l2.cpio.gz \
		-append "console=ttyS0 panic=-1 quiet vg_marker=$l2marker $(tr ' ' '\n' </proc/cmdline | grep -x vg_l3=1)" \
		>/tmp/l2-qemu.log 2>&1 &
	l2pid=$!
	l2start=$(cut -d' ' -f1 /proc/uptime)
}
if [ -n "$l2marker" ]; then
	[ -x /usr/bin/qemu-system-x86_64 ] || fail "vg_l2 given but the L1 image has no QEMU (build it with --l2)"
	start_l2
	l2tries=1
	mark L2_STARTED pid=$l2pid
fi

case "$(arg vg_tiny)" in
long) tiny=--long ;;
'' | real) tiny= ;;
*) fail "vg_tiny=$(arg vg_tiny): want real or long" ;;
esac
# shellcheck disable=SC2086 # $tiny: one option or none
$gcpu /kvmguest $tiny >/tmp/guest.log 2>&1 &
gpid=$!
i=0
while ! grep -q GUEST_RUNNING /tmp/guest.log; do
	kill -0 "$gpid" 2>/dev/null || fail "kvmguest exited: $(cat /tmp/guest.log)"
	i=$((i + 1))
	[ "$i" -lt 600 ] || fail "kvmguest not running after 60 s: $(cat /tmp/guest.log)"
	sleep 0.1
done
cat /tmp/guest.log
mark GUEST_RUNNING pid=$gpid

# vmcsinfo-intel again, now that a VM runs and KVM has VMX on: the module
# must work around KVM's current VMCS (VMPTRST, VMPTRLD), publish the same
# layout and leave the running guest alone (it keeps ticking in its loop).
if [ -f "$ko" ]; then
	t0=$(grep -c 'tick' /tmp/guest.log)
	rmmod vmcsinfo_intel || fail "rmmod vmcsinfo_intel failed"
	[ ! -e /sys/devices/system/cpu/vmcs_id ] || fail "vmcs_id still there after rmmod"
	insmod "$ko" || fail "insmod vmcsinfo-intel with VMX on failed: $(dmesg | grep vmcsinfo | tail -5)"
	dmesg | grep vmcsinfo_intel | tail -1 | grep -q 'VMCS revision' ||
		fail "vmcsinfo-intel reloaded without its summary line"
	dmesg | grep 'vmcsinfo_intel: CPU' | tail -1 | grep -q 'VMX was on' ||
		fail "vmcsinfo-intel reloaded but did not see VMX on: $(dmesg | grep 'vmcsinfo_intel: CPU' | tail -1)"
	same=yes
	for f in /tmp/vmcs-sysfs/vmcs/*; do
		[ "$(cat "$cpu/vmcs/${f##*/}")" = "$(cat "$f")" ] || same="no (${f##*/})"
	done
	[ "$(cat "$cpu/vmcs_id")" = "$(cat /tmp/vmcs-sysfs/vmcs_id)" ] || same="no (vmcs_id)"
	[ "$(cat "$cpu/vmcs_ar_format" 2>/dev/null)" = "$(cat /tmp/vmcs-sysfs/vmcs_ar_format 2>/dev/null)" ] ||
		same="no (vmcs_ar_format)"
	[ "$same" = yes ] || fail "vmcsinfo-intel with VMX on published another layout: $same"
	i=0
	while [ "$(grep -c 'tick' /tmp/guest.log)" -le "$t0" ]; do
		kill -0 "$gpid" 2>/dev/null || fail "kvmguest died after the reload: $(tail -3 /tmp/guest.log)"
		i=$((i + 1))
		[ "$i" -lt 600 ] || fail "kvmguest made no progress within 60 s of the reload: $(tail -3 /tmp/guest.log)"
		sleep 0.1
	done
	! grep -q 'left the loop\|unexpected exit\|RECOVERED' /tmp/guest.log ||
		fail "the guest was disturbed: $(grep 'left the loop\|unexpected exit\|RECOVERED' /tmp/guest.log | head -2)"
	mark VMCSINFO_RELOADED "vmx=on same_layout=$same guest=$(tail -1 /tmp/guest.log)"
fi

if [ -n "$l2marker" ]; then
	i=0
	while ! grep -q "L2_MARKER_WRITTEN $l2marker" /tmp/l2.log 2>/dev/null; do
		if ! kill -0 "$l2pid" 2>/dev/null; then
			wait "$l2pid"
			st=$?
			why_dmesg=$(dmesg | tail -3 | tr '\n' ' ')
			why="L2 QEMU exited (status $st) $(awk -v t="$l2start" '{ printf "%.1f", $1 - t }' /proc/uptime) s after its start: $(cat /tmp/l2-qemu.log) $(tail -5 /tmp/l2.log 2>/dev/null | tr -d '\r') (L1 dmesg: $why_dmesg)"
			# Under nested TCG the L2 QEMU has been seen to exit some
			# 15 s into the L2's boot with no output at all (in CI,
			# about one run in three of scenario D): the emulator's,
			# not ours (neither the crash kernel nor a guest dump is
			# involved yet).  Two more starts; an exit with any
			# output, or a third one, fails.
			if [ ! -s /tmp/l2-qemu.log ] && [ ! -s /tmp/l2.log ] && [ "$l2tries" -lt 3 ]; then
				echo "NOTE emulator glitch: $why; starting it again"
				l2tries=$((l2tries + 1))
				start_l2
				mark L2_RESTARTED "pid=$l2pid try=$l2tries"
				i=0
				continue
			fi
			fail "$why"
		fi
		i=$((i + 1))
		[ "$i" -lt 1800 ] || fail "L2 did not write its marker within 180 s: $(tail -5 /tmp/l2.log 2>/dev/null)"
		sleep 0.1
	done
	mark L2_MARKER_SEEN
	if [ "$(arg vg_l3)" = 1 ]; then
		grep -q 'VGTEST: L3_RUNNING' /tmp/l2.log ||
			fail "L3 not running in L2: $(grep -a 'L3_FAILED' /tmp/l2.log | tr -d '\r')"
		mark L3_SEEN "$(grep -a 'VGTEST: L3_RUNNING' /tmp/l2.log | tr -d '\r' | sed 's/.*L3_RUNNING //')"
	fi
fi

kill -0 "$gpid" 2>/dev/null || fail "kvmguest died before the crash: $(tail -3 /tmp/guest.log)"
if [ -n "$l2marker" ]; then
	kill -0 "$l2pid" 2>/dev/null || fail "L2 QEMU died before the crash: $(cat /tmp/l2-qemu.log)"
	tr -d '\r' </tmp/l2.log | tail -5 | sed 's/^/L2| /'
fi
grep 'RECOVERED\|left the loop\|unexpected exit' /tmp/guest.log | sed 's/^/NOTE emulator glitch: /'
tail -1 /tmp/guest.log
# vg_l3=1: the L3 is seen only while L2's vCPU runs it (KVM's guest mode,
# /sys/kernel/debug/kvm/<pid>-<fd>/vcpu0/guest_mode); L2 spends much of
# its time on L3's exits under nested TCG, so the crash waits for it.
# This shell moves to the L2 QEMU's CPU: while it runs there the vCPU
# thread does not, so the guest mode it reads holds until the crash.
gm=
if [ "$(arg vg_l3)" = 1 ]; then
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	gm=$(ls -d /sys/kernel/debug/kvm/"$l2pid"-*/vcpu0/guest_mode 2>/dev/null | head -1)
	[ -n "$gm" ] || echo "NOTE no guest_mode file for the L2 VM in debugfs: crashing without waiting"
	taskset -p 2 $$ >/dev/null || echo "NOTE taskset -p 2 $$ failed"
fi
mark PANIC_NOW
# Let the serial console drain: the panic stops user space output.
sleep 1
# Read with the shell's own read (no fork): the crash follows at once.
n=0
while [ -n "$gm" ] && [ "$n" -lt 200000 ]; do
	read -r g <"$gm"
	[ "$g" = 1 ] && break
	n=$((n + 1))
done
echo c >/proc/sysrq-trigger
fail "still alive after sysrq-trigger c"
