#!/bin/bash
# Build the capture (kdump) initramfs of the crash tests:
#   mkinitramfs-capture.sh [--ata] OUT.cpio.gz
# busybox, virtio (--ata: IDE/ATA, for Bochs) + ext4 modules of the cached
# kernel, readelf, makedumpfile, our vmcsinfo and vmcore-guests (with their shared libraries), and
# init/capture-init.sh as /init.  The L1 builder takes any capture initramfs
# (VG_CAPTURE_INITRD), so this one can be swapped for a dracut-built image
# that honours the same results-disk contract (docs/testing.md).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

disk_modules="virtio_pci virtio_blk"
if [ "${1:-}" = --ata ]; then
	# crc64-rocksoft (sd_mod via t10-pi) wants its generic crypto driver.
	disk_modules="crc64_rocksoft_generic ata_piix sd_mod"
	shift
fi
[ $# = 1 ] || die "usage: $tv_prog [--ata] OUT.cpio.gz"
out=$1
need_cmd cpio gzip modprobe ldd
load_kernel

busybox=/bin/busybox
! ldd "$busybox" >/dev/null 2>&1 ||
	die "$busybox is not the static busybox; install busybox-static (make deps)"

root=$VG_BUILD/capture.root
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,proc,sys,dev,tmp,etc,results}
cp "$busybox" "$root/bin/busybox"
install -m 0755 "$TV_DIR/init/capture-init.sh" "$root/init"
install -D -m 0644 "$TV_DIR/init/common.sh" "$root/lib/vgtest-common.sh"
# shellcheck disable=SC2086
copy_modules "$root" $disk_modules ext4
copy_bin "$root" /usr/bin/readelf /usr/bin/makedumpfile

# Our binaries: the test fails later (clearly) when they are missing, but a
# development run may still want the rest of the cycle.
for b in vmcsinfo vmcore-guests; do
	if [ -x "$TOP/build/bin/$b" ]; then
		copy_bin "$root" "$TOP/build/bin/$b"
		mv "$root$TOP/build/bin/$b" "$root/usr/bin/$b"
	else
		note "warning: $TOP/build/bin/$b not built; the capture image has no $b"
	fi
done
rm -rf "${root:?}$TOP"
mkdir -p "$(dirname "$out")"
mkcpio "$root" "$out"
echo "capture initramfs: $out ($(du -h "$out" | cut -f1))"
