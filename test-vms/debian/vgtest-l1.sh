#!/bin/sh
# /usr/local/sbin/vgtest-l1 in the Debian L1 host (make check-vms-debian).
# Checks that kdump-tools loaded the crash kernel, defines and starts a
# libvirt domain (virsh define + virsh start) that boots a small Linux
# guest writing the marker vg_l2= of the kernel command line to its kernel
# log, and a second one (no kernel, no disk: SeaBIOS finds nothing to boot
# and halts), waits for the marker, records what the verdict needs in
# /var/lib/vgtest/, then crashes the host with sysrq.  Progress lines "VGTEST: NAME" on the
# console are the test's timing markers.
set -u
state=/var/lib/vgtest
boot=/var/lib/libvirt/boot
dom=vgtest-deb-l2
dom2=vgtest-deb-bios
serial=/var/log/libvirt/qemu/$dom-serial.log
mkdir -p "$state"

mark() { echo "VGTEST: $*"; }
fail() {
	echo "VGTEST: FAIL $*"
	echo "$*" >"$state/fail"
	sync
	poweroff -f
	exit 1
}

mark L1_UP "$(uname -r)"
marker=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^vg_l2=//p' | tail -1)
[ -n "$marker" ] || fail "no vg_l2= on the kernel command line"

modprobe kvm_amd 2>/dev/null
[ -c /dev/kvm ] || fail "no /dev/kvm (kvm_amd: $(modprobe -n -v kvm_amd 2>&1))"
mark KVM_LOADED
# The udev rule of vmcore-guests reloads the crash kernel when kvm_amd
# appears (kdump-config try-reload from a transient unit a few seconds
# later): wait until no such reload is pending or running and the crash
# kernel is loaded.
udevadm settle -t 60
i=0
while [ "$i" -lt 180 ]; do
	busy=$(systemctl list-units --all --plain --no-legend 'vmcore-guests-kdump-reload-*' 2>/dev/null |
		awk '$3 == "active" || $3 == "activating" || $3 == "reloading"')
	if [ -z "$busy" ] && [ ! -e /run/vmcore-guests/kdump-reload.pending ] &&
		[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ]; then
		break
	fi
	sleep 1
	i=$((i + 1))
done

# kdump-tools.service ran before basic.target: the crash kernel is loaded.
[ "$(cat /sys/kernel/kexec_crash_loaded)" = 1 ] ||
	fail "no crash kernel loaded: $(kdump-config status 2>&1 | tr '\n' ' ')"
{
	echo "kexec_crash_loaded=$(cat /sys/kernel/kexec_crash_loaded)"
	echo "kexec_crash_size=$(cat /sys/kernel/kexec_crash_size)"
	echo "kexec_tools=$(dpkg-query -W -f '${Version}' kexec-tools)"
	echo "vmcore_guests=$(dpkg-query -W -f '${Version}' vmcore-guests)"
	echo "cmdline=$(cat /proc/cmdline)"
} >"$state/l1.env"
kdump-config status >"$state/kdump-status.txt" 2>&1
mark KEXEC_LOADED "$(tr '\n' ' ' <"$state/kdump-status.txt")"


cat >"$state/$dom.xml" <<XML
<domain type='kvm'>
  <name>$dom</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$boot/vgtest-l2.vmlinuz</kernel>
    <initrd>$boot/vgtest-l2.cpio.gz</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet vg_marker=$marker</cmdline>
  </os>
  <cpu mode='host-passthrough'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <serial type='file'><source path='$serial'/><target port='0'/></serial>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
XML
virsh -c qemu:///system define "$state/$dom.xml" || fail "virsh define failed"
virsh -c qemu:///system start "$dom" || fail "virsh start failed"
virsh -c qemu:///system domuuid "$dom" | sed '/^$/d' >"$state/domain.uuid"
virsh -c qemu:///system dominfo "$dom" >"$state/dominfo.txt" 2>&1
pid=$(cat "/run/libvirt/qemu/$dom.pid" 2>/dev/null)
tr '\0' ' ' <"/proc/$pid/cmdline" >"$state/qemu.cmdline" 2>/dev/null
mark L2_STARTED "uuid=$(cat "$state/domain.uuid") pid=$pid"

i=0
while ! grep -q "L2_MARKER_WRITTEN $marker" "$serial" 2>/dev/null; do
	[ "$(virsh -c qemu:///system domstate "$dom" 2>/dev/null)" = running ] ||
		fail "the domain stopped: $(tail -5 "/var/log/libvirt/qemu/$dom.log")"
	i=$((i + 1))
	[ "$i" -lt 300 ] || fail "the guest wrote no marker within 300 s: $(tail -5 "$serial")"
	sleep 1
done
mark L2_MARKER_SEEN
# The second domain, started once the first one has written its marker
# (its SeaBIOS would slow that guest's boot), costs little: SeaBIOS runs,
# finds no boot device and, with rebootTimeout -1, waits in hlt for ever.
# No Linux in it, so no VMCOREINFO: vmcore-guests writes it with zero
# pages excluded only.
cat >"$state/$dom2.xml" <<XML
<domain type='kvm'>
  <name>$dom2</name>
  <memory unit='MiB'>16</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <boot dev='hd'/>
    <bootmenu enable='no'/>
    <bios rebootTimeout='-1'/>
  </os>
  <cpu mode='host-passthrough'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <controller type='usb' model='none'/>
    <memballoon model='none'/>
  </devices>
</domain>
XML
timeout 120 virsh -c qemu:///system define "$state/$dom2.xml" ||
	fail "virsh define $dom2 failed"
timeout 180 virsh -c qemu:///system start "$dom2" ||
	fail "virsh start $dom2 failed or took over 180 s: $(tail -5 "/var/log/libvirt/qemu/$dom2.log")"
virsh -c qemu:///system domuuid "$dom2" | sed '/^$/d' >"$state/domain2.uuid"
pid2=$(cat "/run/libvirt/qemu/$dom2.pid" 2>/dev/null)
tr '\0' ' ' <"/proc/$pid2/cmdline" >"$state/qemu2.cmdline" 2>/dev/null
mark L2B_STARTED "uuid=$(cat "$state/domain2.uuid") pid=$pid2"

sleep 5
[ "$(virsh -c qemu:///system domstate "$dom2" 2>/dev/null)" = running ] ||
	fail "the domain $dom2 stopped: $(tail -5 "/var/log/libvirt/qemu/$dom2.log")"
tr -d '\r' <"$serial" | tail -3 | sed 's/^/L2| /'
sync
mark PANIC_NOW
echo c >/proc/sysrq-trigger
sleep 30
fail "sysrq c did not crash the host"
