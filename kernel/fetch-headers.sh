#!/bin/bash
# Fetch the Debian kernel headers that match the test kernel (the ABI
# test-vms/fetch-kernel.sh resolved) into the cache and extract them there;
# nothing is installed on this machine.  Prints nothing but progress; the
# headers tree to build modules against is
#   $VG_CACHE/headers/<KV>/usr/src/linux-headers-<KV>
# (fetch-headers.sh --print-kdir prints that path and fetches if needed).
#
# Debian splits the headers into three packages: linux-headers-<KV> (the
# arch part, "include /usr/src/linux-headers-<ver>-common/Makefile"),
# linux-headers-<ver>-common and linux-kbuild-<major> (the host tools the
# scripts/ link points to).  All three are extracted into one root; the one
# absolute include is rewritten to point into it.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../test-vms/lib.sh
. "$(dirname "$0")/../test-vms/lib.sh"

print_kdir=0
if [ "${1:-}" = --print-kdir ]; then
	print_kdir=1
	shift
fi
[ $# = 0 ] || die "usage: $tv_prog [--print-kdir]"

# The kernel's ABI (and the kernel itself, which the tests need anyway).
"$TV_DIR/fetch-kernel.sh" >&2
load_kernel

root=$VG_CACHE/headers/$KV
kdir=$root/usr/src/linux-headers-$KV
done_file=$root/.complete
if [ ! -f "$done_file" ] || [ ! -f "$kdir/Makefile" ]; then
	need_cmd apt-get apt-cache dpkg-deb
	mkdir -p "$VG_CACHE/debs"
	# The image's version: the headers must be exactly that build.
	want=$(dpkg-deb -f "$VG_CACHE/debs/$DEB" Version)
	pkgs=("linux-headers-$KV")
	deps=$(apt-cache depends "linux-headers-$KV" 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-headers-[^ ]*-common\|linux-kbuild-[^ ]*\)$/\1/p')
	[ -n "$deps" ] ||
		die "apt-cache does not know linux-headers-$KV (run apt-get update; is $KV still in the archive?)"
	# shellcheck disable=SC2206
	pkgs+=($deps)
	debs=()
	for p in "${pkgs[@]}"; do
		d=
		for f in "$VG_CACHE/debs/${p}"_*.deb; do
			[ -f "$f" ] && [ "$(dpkg-deb -f "$f" Version)" = "$want" ] && d=$f
		done
		if [ -z "$d" ]; then
			echo "headers: downloading $p=$want into $VG_CACHE/debs" >&2
			(cd "$VG_CACHE/debs" && apt-get download -q -o APT::Sandbox::User=root "$p=$want" >&2) ||
				die "apt-get download $p=$want failed"
			for f in "$VG_CACHE/debs/${p}"_*.deb; do
				[ -f "$f" ] && [ "$(dpkg-deb -f "$f" Version)" = "$want" ] && d=$f
			done
			[ -n "$d" ] || die "apt-get download left no ${p}_*.deb of version $want in $VG_CACHE/debs"
		fi
		debs+=("$d")
	done
	rm -rf "$root" "$root.tmp"
	mkdir -p "$root.tmp"
	for d in "${debs[@]}"; do
		echo "headers: extracting $(basename "$d")" >&2
		dpkg-deb -x "$d" "$root.tmp" || die "dpkg-deb -x $d failed"
	done
	mv "$root.tmp" "$root"
	# "include /usr/src/linux-headers-<ver>-common/Makefile" -> the cache.
	sed -i "s|^include /usr/src/|include $root/usr/src/|" "$kdir/Makefile"
	grep -q "^include $root/" "$kdir/Makefile" ||
		die "unexpected $kdir/Makefile: $(head -3 "$kdir/Makefile")"
	[ -x "$kdir/scripts/basic/fixdep" ] ||
		die "no scripts/basic/fixdep in $kdir (linux-kbuild not extracted?)"
	date -u +%Y-%m-%dT%H:%M:%SZ >"$done_file"
	echo "headers: $KV ready in $kdir" >&2
fi
if [ $print_kdir = 1 ]; then
	echo "$kdir"
fi
