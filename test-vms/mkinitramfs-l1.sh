#!/bin/bash
# Build the L1 host initramfs of the crash tests:
#   mkinitramfs-l1.sh CAPTURE.cpio.gz OUT.cpio.gz
# busybox, kvm-amd (+ deps) of the cached kernel, the kernel itself and the
# capture initramfs for kexec, the kexec binary (VG_KEXEC, default the
# patched build/kexec-tools/sbin/kexec) with its libraries, the tiny guest
# and the fixture VMCS sysfs tree; init/l1-init.sh as /init.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

[ $# = 2 ] || die "usage: $tv_prog CAPTURE.cpio.gz OUT.cpio.gz"
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
copy_modules "$root" kvm_amd
copy_bin "$root" "$kexec"
if [ "$kexec" != /usr/sbin/kexec ]; then
	mv "$root$kexec" "$root/usr/sbin/kexec"
	rm -rf "${root:?}$TOP"
fi
cp "$TOP/build/test-vms/kvmguest" "$root/kvmguest"
cp -r "$TV_DIR/fixtures/vmcs-sysfs" "$root/fixtures/"
cp "$KROOT/boot/vmlinuz-$KV" "$root/vmlinuz"
cp "$capture" "$root/capture.cpio.gz"
mkcpio "$root" "$out"
echo "L1 initramfs: $out ($(du -h "$out" | cut -f1)), kexec: $kexec"
