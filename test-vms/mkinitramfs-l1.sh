#!/bin/bash
# Build the L1 host initramfs of the crash tests:
#   mkinitramfs-l1.sh [--l2|--l3] [--intel] CAPTURE.cpio.gz OUT.cpio.gz
# busybox, kvm-amd (+ deps) of the cached kernel, the kernel itself and the
# capture initramfs for kexec, the kexec binary (VG_KEXEC, default the
# patched build/kexec-tools/sbin/kexec) with its libraries, the tiny guest
# and the fixture VMCS sysfs tree; init/l1-init.sh as /init.
# --l2 adds what a real Linux L2 guest needs: qemu-system-x86_64 with its
# libraries, firmware and option ROMs at their usual paths, and the L2
# initramfs (busybox + init/l2-init.sh); L2 boots the same kernel.
# --l3 is --l2 with kvm-amd and kvmguest in the L2 initramfs too, for
# vg_l3=1 (scenario I: the L2 runs the tiny guest itself).
# --intel is for the Bochs (VMX) test: kvm-intel instead of kvm-amd, plus
# the vmcsinfo-intel module (VG_VMCSINFO_KO, default
# build/kernel/vmcsinfo-intel/vmcsinfo-intel.ko) as
# /lib/modules/<KV>/extra/vmcsinfo-intel.ko.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

with_l2=0
with_l3=0
intel=0
while [ $# -gt 0 ]; do
	case "$1" in
	--l2) with_l2=1 ;;
	--l3) with_l2=1 with_l3=1 ;;
	--intel) intel=1 ;;
	*) break ;;
	esac
	shift
done
[ $# = 2 ] || die "usage: $tv_prog [--l2|--l3] [--intel] CAPTURE.cpio.gz OUT.cpio.gz"
capture=$1
out=$2
kexec=${VG_KEXEC:-$TOP/build/kexec-tools/sbin/kexec}
need_cmd cpio gzip modprobe ldd
load_kernel
need_file "$capture"
[ -x "$kexec" ] || die "no kexec at $kexec: run 'make kexec-tools' (or set VG_KEXEC)"
[ -x "$TOP/build/test-vms/kvmguest" ] || die "no build/test-vms/kvmguest: run 'make'"

root=$VG_BUILD/l1.root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,fixtures}
cp /bin/busybox "$root/bin/busybox"
install -m 0755 "$TV_DIR/init/l1-init.sh" "$root/init"
install -D -m 0644 "$TV_DIR/init/common.sh" "$root/lib/vgtest-common.sh"
if [ $intel = 1 ]; then
	ko=${VG_VMCSINFO_KO:-$TOP/build/kernel/vmcsinfo-intel/vmcsinfo-intel.ko}
	[ -f "$ko" ] || die "no $ko: run 'make vmcsinfo-intel' (or set VG_VMCSINFO_KO)"
	copy_modules "$root" kvm_intel
	install -D -m 0644 "$ko" "$root/lib/modules/$KV/extra/vmcsinfo-intel.ko"
else
	copy_modules "$root" kvm_amd
fi
copy_bin "$root" "$kexec"
if [ "$kexec" != /usr/sbin/kexec ]; then
	mv "$root$kexec" "$root/usr/sbin/kexec"
	rm -rf "${root:?}$TOP"
fi
cp "$TOP/build/test-vms/kvmguest" "$root/kvmguest"
cp -r "$TV_DIR/fixtures/vmcs-sysfs" "$root/fixtures/"
cp "$KROOT/boot/vmlinuz-$KV" "$root/vmlinuz"
cp "$capture" "$root/capture.cpio.gz"

if [ $with_l2 = 1 ]; then
	need_cmd qemu-system-x86_64
	qemu=$(command -v qemu-system-x86_64)
	copy_bin "$root" "$qemu"
	# What QEMU opens at run time to boot -kernel with -nodefaults.
	for f in /usr/share/seabios/bios-256k.bin /usr/share/qemu/kvmvapic.bin \
		/usr/share/qemu/linuxboot.bin /usr/share/qemu/linuxboot_dma.bin; do
		[ -f "$f" ] || die "missing $f (packages qemu-system-x86, seabios)"
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
	done
	l2=$VG_BUILD/l2.root
	rm -rf "$l2"
	mkdir -p "$l2"/{bin,proc,dev}
	cp /bin/busybox "$l2/bin/busybox"
	install -m 0755 "$TV_DIR/init/l2-init.sh" "$l2/init"
	if [ $with_l3 = 1 ]; then
		# For vg_l3=1 (l2-init.sh): L2 is a KVM host too, running the
		# tiny guest (L3): kvm-amd of the same kernel, and kvmguest.
		copy_modules "$l2" kvm_amd
		cp "$TOP/build/test-vms/kvmguest" "$l2/kvmguest"
	fi
	mkcpio "$l2" "$root/l2.cpio.gz"
fi
mkcpio "$root" "$out"
echo "L1 initramfs: $out ($(du -h "$out" | cut -f1)), kexec: $kexec"
