#!/bin/bash
# Fetch the debug vmlinux of the test kernel (test-vms/fetch-kernel.sh) into
# the cache, so the crash tests can run crash(8) on the guest vmcores as a
# user would: Debian ships it only in linux-image-<abi>-amd64-dbg (about
# 860 MB; the System.map in linux-image is a placeholder).  Only
# usr/lib/debug/boot/vmlinux-<abi> is extracted (about 630 MB) and the .deb
# is deleted afterwards.
#
# The result is $VG_CACHE/dbg/<abi>/vmlinux, recorded with the package's
# SHA256 in $VG_CACHE/dbg/<abi>/resolved; once both exist this script does
# nothing and needs no apt and no network.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

res=$VG_CACHE/kernel.resolved
[ -r "$res" ] || die "no $res: run test-vms/fetch-kernel.sh first"
# shellcheck source=/dev/null
. "$res"
dst=$VG_CACHE/dbg/$KV
if [ -s "$dst/vmlinux" ] && [ -r "$dst/resolved" ]; then
	echo "debug vmlinux: $KV (cached in $dst)"
	exit 0
fi

need_cmd apt-get dpkg-deb tar sha256sum
pkg=linux-image-$KV-dbg
mkdir -p "$dst"
rm -rf "$dst/tmp"
mkdir "$dst/tmp"
echo "debug vmlinux: downloading $pkg"
(cd "$dst/tmp" && apt-get download -q -o APT::Sandbox::User=root "$pkg") ||
	die "apt-get download $pkg failed"
deb=$(find "$dst/tmp" -maxdepth 1 -name "${pkg}_*_amd64.deb" | head -1)
[ -n "$deb" ] || die "apt-get download left no ${pkg}_*_amd64.deb"
echo "debug vmlinux: extracting usr/lib/debug/boot/vmlinux-$KV"
dpkg-deb --fsys-tarfile "$deb" |
	tar -x -C "$dst/tmp" "./usr/lib/debug/boot/vmlinux-$KV" ||
	die "$deb has no usr/lib/debug/boot/vmlinux-$KV"
sum=$(sha256sum "$deb" | cut -d' ' -f1)
mv "$dst/tmp/usr/lib/debug/boot/vmlinux-$KV" "$dst/vmlinux"
cat >"$dst/resolved.tmp" <<EOF
# written by test-vms/fetch-dbg-vmlinux.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ)
KV=$KV
DEB=$(basename "$deb")
SHA256=$sum
EOF
mv "$dst/resolved.tmp" "$dst/resolved"
rm -rf "$dst/tmp"
echo "debug vmlinux: $KV ready in $dst"
