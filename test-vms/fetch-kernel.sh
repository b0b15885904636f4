#!/bin/bash
# Fetch the stock Debian 12 kernel (current ABI of linux-image-amd64) into
# the cache and extract it there; it is never installed on this machine.
#
# What was resolved is recorded in $VG_CACHE/kernel.resolved (KV, DEB,
# SHA256): once that file and the extracted tree exist, this script does
# nothing and needs no apt and no network.  Set VG_KERNEL=6.1.0-NN-amd64 to
# pin another ABI.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

res=$VG_CACHE/kernel.resolved
if [ -r "$res" ] && [ -z "${VG_KERNEL:-}" ]; then
	# shellcheck source=/dev/null
	. "$res"
	if [ -f "$VG_CACHE/kernel/$KV/boot/vmlinuz-$KV" ] &&
		[ -f "$VG_CACHE/kernel/$KV/lib/modules/$KV/modules.dep" ]; then
		echo "kernel: $KV (cached in $VG_CACHE)"
		exit 0
	fi
fi

need_cmd apt-get apt-cache dpkg-deb depmod sha256sum
mkdir -p "$VG_CACHE/debs"

KV=${VG_KERNEL:-}
if [ -z "$KV" ]; then
	KV=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: linux-image-\([0-9.]*-[0-9]*-amd64\)$/\1/p' | head -1)
	if [ -z "$KV" ]; then
		note "apt-cache does not know linux-image-amd64; running apt-get update"
		apt-get update -qq || die "apt-get update failed (need root and Debian's archive)"
		KV=$(apt-cache depends linux-image-amd64 |
			sed -n 's/^ *Depends: linux-image-\([0-9.]*-[0-9]*-amd64\)$/\1/p' | head -1)
	fi
	[ -n "$KV" ] || die "cannot resolve the kernel ABI from 'apt-cache depends linux-image-amd64'"
fi
pkg=linux-image-$KV

deb=$(find "$VG_CACHE/debs" -maxdepth 1 -name "${pkg}_*_amd64.deb" | sort | tail -1)
if [ -z "$deb" ]; then
	echo "kernel: downloading $pkg into $VG_CACHE/debs"
	(cd "$VG_CACHE/debs" && apt-get download -q -o APT::Sandbox::User=root "$pkg") ||
		die "apt-get download $pkg failed"
	deb=$(find "$VG_CACHE/debs" -maxdepth 1 -name "${pkg}_*_amd64.deb" | sort | tail -1)
	[ -n "$deb" ] || die "apt-get download left no ${pkg}_*_amd64.deb in $VG_CACHE/debs"
fi

dst=$VG_CACHE/kernel/$KV
mkdir -p "$VG_CACHE/kernel"
rm -rf "$dst" "$dst.tmp"
echo "kernel: extracting $(basename "$deb")"
dpkg-deb -x "$deb" "$dst.tmp" || die "dpkg-deb -x $deb failed"
depmod -b "$dst.tmp" "$KV" || die "depmod on the extracted kernel failed"
[ -f "$dst.tmp/boot/vmlinuz-$KV" ] || die "$deb has no boot/vmlinuz-$KV"
mv "$dst.tmp" "$dst"

sum=$(sha256sum "$deb" | cut -d' ' -f1)
cat >"$res.tmp" <<EOF
# written by test-vms/fetch-kernel.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ)
KV=$KV
DEB=$(basename "$deb")
SHA256=$sum
EOF
mv "$res.tmp" "$res"
echo "kernel: $KV ready in $dst"
