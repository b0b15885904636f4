#!/bin/bash
# The L1 host of make check-vms-debian: a real Debian 12 system.
#   mkimage-debian.sh base        the cached Debian part (mmdebstrap)
#   mkimage-debian.sh disk OUT.img [DEB...]
#                                 OUT.img: ext4 of an overlay of the base
#                                 with our packages installed by apt
# The base is made once with mmdebstrap from Debian's archive (bookworm:
# systemd, linux-image-amd64, kdump-tools with USE_KDUMP=1 through its
# debconf question, libvirt-daemon-system, qemu-system-x86, ...) and
# cached as a directory in $VG_CACHE/debian-l1/<key>/, the key being a
# hash of the package list and of make_base (the recipe); a fresh
# machine builds it once (docs/testing.md has the figures).
# "disk" mounts an overlay of the base (the cache stays clean), makes a
# local apt repository of the DEBs (default: build/deb/*.deb of make deb),
# installs vmcore-guests and the patched kexec-tools from it with apt-get
# (the upgrade of Debian's kexec-tools), checks the kdump initrd that
# kdump-tools' own kernel hook made in the base, adds the test's own unit
# (test-vms/debian/) and the L2 guest's initramfs, and writes the tree
# into a fresh ext4 image (mkfs.ext4 -d, no loop mount); the image's
# kernel and initrd go beside it for QEMU's -kernel/-initrd.  Root only.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
PATH=$PATH:/sbin:/usr/sbin

suite=bookworm
mirror=${VG_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# The Debian packages of the L1 host (mmdebstrap --include); Recommends
# are not installed (mmdebstrap's default), so each piece is named.
pkgs=(systemd-sysv udev kmod dbus initramfs-tools linux-image-amd64
	kdump-tools kexec-tools makedumpfile
	libvirt-daemon-system libvirt-daemon-driver-qemu libvirt-clients
	qemu-system-x86 procps)
[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap, chroot, overlay mounts)"

make_base() {
	[ -d "$base/root" ] && return 0
	need_cmd mmdebstrap
	mkdir -p "$cache"
	rm -rf --one-file-system "$base.new"
	mkdir -p "$base.new"
	note "making the Debian $suite L1 image (once; cached in $base)"
	local t=$SECONDS
	# Both initrds (the kernel's and kdump-tools' own) are made in a
	# chroot, where initramfs-tools' MODULES=dep (what kdump-tools
	# switches the default "most" to) cannot find the root device: the
	# image's initramfs-tools is configured for its known hardware
	# instead, MODULES=list with the virtio-blk ext4 root's modules.
	# shellcheck disable=SC2016 # expanded by mmdebstrap's hook shell
	local initramfs_conf='mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/usr/share/initramfs-tools/modules.d" &&
		echo MODULES=list >"$1/etc/initramfs-tools/conf.d/vgtest-l1" &&
		printf "%s\n" virtio_pci virtio_blk ext4 crc32c_generic >"$1/usr/share/initramfs-tools/modules.d/vgtest-l1"'
	# kdump-tools asks whether to enable kdump (USE_KDUMP in
	# /etc/default/kdump-tools): answered yes before it is installed;
	# kexec-tools is not to take over reboots.
	# shellcheck disable=SC2016 # the hooks' $1 is mmdebstrap's
	if ! mmdebstrap --variant=minbase --include="$(
		IFS=,
		echo "${pkgs[*]}"
	)" \
		--essential-hook='printf "%s\n" "kdump-tools kdump-tools/use_kdump boolean true" "kexec-tools kexec-tools/load_kexec boolean false" | chroot "$1" debconf-set-selections' \
		--essential-hook="$initramfs_conf" \
		"$suite" "$base.new/root" "$mirror" \
		"deb $mirror $suite-updates main" \
		"deb ${mirror%/debian}/debian-security $suite-security main" \
		>"$base.new/mmdebstrap.log" 2>&1; then
		tail -20 "$base.new/mmdebstrap.log" >&2
		die "mmdebstrap failed (log $base.new/mmdebstrap.log)"
	fi
	echo "$((SECONDS - t))" >"$base.new/build-seconds"
	printf '%s\n' "${pkgs[@]}" >"$base.new/packages"
	rm -rf --one-file-system "$base"
	mv "$base.new" "$base"
	note "base made in $((SECONDS - t)) s ($(du -sh "$base/root" | cut -f1))"
}

# The cache key: the package list and the recipe itself (make_base as
# bash prints it), so that any change to either makes a new base.
key=$(printf '%s\n' "$suite" "$mirror" "${pkgs[@]}" "$(declare -f make_base)" | sha256sum | cut -c1-16)
cache=$VG_CACHE/debian-l1
base=$cache/$key

case ${1:-} in
base)
	make_base
	echo "$base/root"
	exit 0
	;;
disk) ;;
*) die "usage: $tv_prog base | disk OUT.img [DEB...]" ;;
esac

shift
out=$(realpath -m "${1:?usage: $tv_prog disk OUT.img [DEB...]}")
shift
debs=("$@")
if [ ${#debs[@]} = 0 ]; then
	for f in "$TOP"/build/deb/vmcore-guests_*_amd64.deb "$TOP"/build/deb/kexec-tools_*_amd64.deb; do
		[ -f "$f" ] && debs+=("$f")
	done
fi
[ ${#debs[@]} -ge 2 ] || die "no vmcore-guests and kexec-tools .debs in build/deb (run make deb)"
need_cmd dpkg-scanpackages mkfs.ext4 cpio gzip systemd-id128
make_base

tmp=$(mktemp -d /tmp/vg-debian-l1.XXXXXX)
root=$tmp/root
mkdir -p "$tmp/upper" "$tmp/work" "$root" "$tmp/repo"
mounted=()
# The mounts inside the overlay (the overlay itself stays until cleanup:
# mkfs.ext4 -d reads it).
umount_all() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
	done
	mounted=()
}
cleanup() {
	umount_all
	umount "$root" 2>/dev/null || umount -l "$root" 2>/dev/null || true
	rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
mount -t overlay overlay \
	-o "lowerdir=$base/root,upperdir=$tmp/upper,workdir=$tmp/work" "$root" ||
	die "cannot mount an overlay of $base/root"
mount -t proc proc "$root/proc" && mounted+=("$root/proc")
mount -t sysfs sysfs "$root/sys" && mounted+=("$root/sys")
mount --bind /dev "$root/dev" && mounted+=("$root/dev")
mount --bind /dev/pts "$root/dev/pts" && mounted+=("$root/dev/pts")
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	DEBIAN_FRONTEND=noninteractive "$@"; }

log=${out%.img}.apt.log
: >"$log"
# The local repository: make deb's output, indexed as apt wants it.
cp "${debs[@]}" "$tmp/repo/"
(cd "$tmp/repo" && dpkg-scanpackages --multiversion . 2>>"$log" >Packages)
mkdir -p "$root/mnt/vgtest-repo"
mount --bind "$tmp/repo" "$root/mnt/vgtest-repo" && mounted+=("$root/mnt/vgtest-repo")
list=$root/etc/apt/sources.list.d/vgtest-local.list
echo "deb [trusted=yes] file:/mnt/vgtest-repo ./" >"$list"
note "apt-get install vmcore-guests kexec-tools from the local repository ($(cd "$tmp/repo" && echo *.deb))"
# Debian's kexec-tools is installed: ours is a newer version, so apt
# takes it as an upgrade.  Whatever else vmcore-guests needs (its
# libraries) apt fetches from Debian's archive.
if ! { in_root apt-get update && in_root apt-get install -y vmcore-guests kexec-tools; } >>"$log" 2>&1; then
	tail -20 "$log" >&2
	die "apt-get install failed (log $log)"
fi
rm -f "$list"
in_root apt-get update >>"$log" 2>&1 || true
# shellcheck disable=SC2016 # dpkg-query's own ${Version}
kx=$(in_root dpkg-query -W -f '${Version}' kexec-tools)
case $kx in
*+vmcoreguests*) ;;
*) die "kexec-tools in the image is $kx, not ours" ;;
esac

mapfile -t kvers < <(cd "$root/lib/modules" && ls)
[ ${#kvers[@]} = 1 ] || die "the image has ${#kvers[@]} kernels (${kvers[*]}), want one"
kv=${kvers[0]}
echo "/dev/vda / ext4 errors=remount-ro 0 1" >"$root/etc/fstab"
echo vgtest-debian-l1 >"$root/etc/hostname"
# An installed system's own machine id (mmdebstrap leaves it empty, for
# the first boot to make one): both boots journal into one directory.
systemd-id128 new >"$root/etc/machine-id"
mkdir -p "$root/var/log/journal"
# kdump-tools' own hook made /var/lib/kdump/initrd.img-KV when the kernel
# was installed (in the base); the links kdump-config loads from:
in_root kdump-config symlinks "$kv" >>"$log" 2>&1 || die "kdump-config symlinks failed (log $log)"
[ -s "$root/var/lib/kdump/initrd.img-$kv" ] || die "no kdump initrd /var/lib/kdump/initrd.img-$kv in the image"
# kdump-config load remakes that initrd (about 2 minutes under TCG) when
# /etc/kdump/sysctl.conf differs from the copy it keeps of the one the
# initrd was made with; its first load on a real host records that copy.
# The image is a host after that first boot: the copy is there.
cp "$root/etc/kdump/sysctl.conf" "$root/var/lib/kdump/latest_sysctls-$kv"

# The test's own pieces (not packaged: they are the test, not the
# product): the unit that starts the guest and crashes the host, and the
# L2 guest (the image's kernel, a busybox initramfs whose /init writes
# the marker, test-vms/init/l2-init.sh).
install -D -m 0755 "$TV_DIR/debian/vgtest-l1.sh" "$root/usr/local/sbin/vgtest-l1"
install -D -m 0644 "$TV_DIR/debian/vgtest-l1.service" "$root/etc/systemd/system/vgtest-l1.service"
in_root systemctl enable vgtest-l1.service >>"$log" 2>&1 || die "systemctl enable vgtest-l1 failed"
mkdir -p "$root/var/lib/libvirt/boot"
cp "$root/boot/vmlinuz-$kv" "$root/var/lib/libvirt/boot/vgtest-l2.vmlinuz"
l2=$tmp/l2
mkdir -p "$l2"/{bin,proc,dev}
cp /bin/busybox "$l2/bin/busybox"
install -m 0755 "$TV_DIR/init/l2-init.sh" "$l2/init"
mkcpio "$l2" "$root/var/lib/libvirt/boot/vgtest-l2.cpio.gz"

# What the test boots with -kernel/-initrd (the image's own files).
outdir=$(dirname "$out")
cp "$root/boot/vmlinuz-$kv" "$outdir/vmlinuz"
cp "$root/boot/initrd.img-$kv" "$outdir/initrd.img"
echo "$kv" >"$outdir/kernel-version"
umount_all
# Room for the host dump (makedumpfile -c -d 31 of 2 GiB) and the guest.
mb=$(($(du -smx "$root" | cut -f1) + 2560))
rm -f "$out"
truncate -s "${mb}M" "$out"
mkfs.ext4 -q -F -L vgtest-l1 -d "$root" "$out" >>"$log" 2>&1 || die "mkfs.ext4 -d failed (log $log)"
note "disk $out (${mb} MiB): Debian $suite, kernel $kv, kexec-tools $kx, vmcore-guests $(dpkg-deb -f "${debs[0]}" Version)"
