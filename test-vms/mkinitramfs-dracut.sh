#!/bin/bash
# Build the crash tests' capture (kdump) initramfs with real dracut and
# our module in standalone mode:
#   mkinitramfs-dracut.sh [--systemd] [--ata] [--vmcore-guests BIN] [--conf FILE] OUT.img
# dracut (dracut-core, 059 on Debian 12) runs against the cached, never
# installed kernel (--kver/--kmoddir) with a private dracutbasedir: links
# to the system's dracut and its modules, plus dracut-module/99vmcore-guests
# (the real module, as shipped) and test-vms/dracut/98vgtest (the test's
# collection hook).  IN_KDUMP=1 as kdumpctl sets it.  --vmcore-guests BIN
# installs another program as /usr/sbin/vmcore-guests (the broken builds
# of scenarios E, F); default build/bin/vmcore-guests.  --conf FILE is the
# /etc/vmcore-guests.conf to install (default test-vms/dracut/vmcore-guests.conf).
# --systemd builds a systemd initramfs (the module then installs its
# vmcore-guests-capture.service instead of dracut shell-init hooks).
# --ata: the results disk is an ATA disk (Bochs, check-vms-intel), not
# virtio (QEMU).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
PATH=$PATH:/sbin:/usr/sbin

bin=$TOP/build/bin/vmcore-guests
conf=$TV_DIR/dracut/vmcore-guests.conf
mods="base vmcore-guests vgtest"
# crc64_rocksoft_generic: sd_mod needs it through t10-pi (crypto API).
drivers="virtio_pci virtio_blk ext4"
while [ $# -gt 1 ]; do
	case "$1" in
	--vmcore-guests) bin=$2 ;;
	--conf) conf=$2 ;;
	--systemd)
		mods="systemd systemd-initrd $mods"
		shift
		continue
		;;
	--ata)
		drivers="ata_piix sd_mod crc64_rocksoft_generic ext4"
		shift
		continue
		;;
	*) break ;;
	esac
	shift 2
done
[ $# = 1 ] || die "usage: $tv_prog [--systemd] [--ata] [--vmcore-guests BIN] [--conf FILE] OUT.img"
out=$1
need_cmd dracut makedumpfile readelf
load_kernel
sysbase=/usr/lib/dracut
[ -x "$sysbase/dracut-install" ] || die "no $sysbase/dracut-install: install dracut-core (make deps)"
[ -x "$bin" ] || die "no $bin (make)"
[ -f "$conf" ] || die "no $conf"

base=$VG_BUILD/dracut-base
rm -rf "$base"
mkdir -p "$base/modules.d"
for f in "$sysbase"/*; do
	[ "$(basename "$f")" = modules.d ] || ln -s "$f" "$base/"
done
for m in "$sysbase"/modules.d/*; do
	ln -s "$m" "$base/modules.d/"
done
ln -s "$TOP/dracut-module/99vmcore-guests" "$base/modules.d/99vmcore-guests"
ln -s "$TV_DIR/dracut/98vgtest" "$base/modules.d/98vgtest"

tmp=$VG_BUILD/dracut-tmp
rm -rf "$tmp"
mkdir -p "$tmp" "$VG_BUILD/dracut-conf.d" "$(dirname "$out")"
log=$VG_BUILD/dracut-$(basename "$out").log
t0=$SECONDS
# -m: exactly these modules (and their dependencies); by default the
# shell init, no systemd: what a minimal kdump image needs, fast to build
# and boot.
if ! IN_KDUMP=1 dracutbasedir=$base \
	VMCORE_GUESTS_BIN=$bin \
	VMCORE_GUESTS_CONF=$conf \
	VMCORE_GUESTS_POSTD=$TV_DIR/dracut/post.d \
	VGTEST_VMCSINFO=$TOP/build/bin/vmcsinfo \
	dracut --force --quiet --no-hostonly --no-early-microcode \
	--conf /dev/null --confdir "$VG_BUILD/dracut-conf.d" --tmpdir "$tmp" \
	--kver "$KV" --kmoddir "$KMOD" \
	-m "$mods" \
	--add-drivers "$drivers" \
	--gzip "$out.tmp" >"$log" 2>&1; then
	tail -n 20 "$log" >&2
	die "dracut failed (log: $log)"
fi
mv "$out.tmp" "$out"
rm -rf "$tmp"
echo "capture initramfs (dracut $(dracut --version 2>/dev/null | awk '{print $2}'), modules: $mods): $out ($(du -h "$out" | cut -f1), $((SECONDS - t0)) s)"
