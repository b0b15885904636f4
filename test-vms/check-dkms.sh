#!/bin/bash
# DKMS for real (issue 12 item 4): "apt install ./vmcsinfo-intel-dkms_*.deb"
# in a Debian 12 chroot that has linux-headers-amd64 must build and
# install vmcsinfo-intel.ko through DKMS with no compiler warning, and
# modinfo must show the installed module.
#
#   check-dkms.sh [DEB]     default: the newest build/deb/vmcsinfo-intel-dkms_*.deb
#
# The chroot is made once with mmdebstrap from Debian's archive (bookworm:
# apt, dkms, linux-headers-amd64 and what they pull in) and cached as a
# directory in ${VG_CACHE:-~/.cache/vmcore-guests}/dkms-chroot/; each run
# installs into an overlay of it (the cache is the read-only lower layer,
# the upper one is temporary), so the package always goes into a chroot
# that never saw it and the cache stays clean.  Root only (chroot, mounts).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${VG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmcore-guests}/dkms-chroot
suite=bookworm
base=$cache/$suite-dkms
mirror=${VG_DEBIAN_MIRROR:-http://deb.debian.org/debian}

die() {
	echo "check-dkms: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "needs root (chroot and mounts)"
deb=${1:-}
if [ -z "$deb" ]; then
	for f in "$top"/build/deb/vmcsinfo-intel-dkms_*_all.deb; do
		[ -f "$f" ] && deb=$f
	done
fi
[ -f "$deb" ] || die "no vmcsinfo-intel-dkms .deb (run make deb)"

if [ ! -d "$base" ]; then
	command -v mmdebstrap >/dev/null || die "mmdebstrap is not installed (make deps)"
	mkdir -p "$cache"
	echo "check-dkms: making the $suite chroot (once; cached in $cache)"
	rm -rf --one-file-system "$base.new"
	# --variant=apt: essential packages and apt; dkms brings the compiler
	# (it depends on gcc and make), linux-headers-amd64 the Kbuild tree of
	# the current bookworm kernel.
	mmdebstrap --variant=apt --include=dkms,linux-headers-amd64 \
		"$suite" "$base.new" "$mirror" \
		"deb $mirror $suite-updates main" \
		"deb ${mirror%/debian}/debian-security $suite-security main" \
		>"$cache/mmdebstrap.log" 2>&1 ||
		{
			tail -20 "$cache/mmdebstrap.log" >&2
			die "mmdebstrap failed (log $cache/mmdebstrap.log)"
		}
	mv "$base.new" "$base"
fi

tmp=$(mktemp -d /tmp/vg-dkms.XXXXXX)
root=$tmp/root
mkdir -p "$tmp/upper" "$tmp/work" "$root"
mounted=()
cleanup() {
	local i
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		umount -l "${mounted[i]}" 2>/dev/null || true
	done
	rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT
mount -t overlay overlay \
	-o "lowerdir=$base,upperdir=$tmp/upper,workdir=$tmp/work" "$root" ||
	die "cannot mount an overlay of $base"
mounted+=("$root")
mount -t proc proc "$root/proc" && mounted+=("$root/proc")
mount -t sysfs sysfs "$root/sys" && mounted+=("$root/sys")
mount --bind /dev "$root/dev" && mounted+=("$root/dev")
mount --bind /dev/pts "$root/dev/pts" && mounted+=("$root/dev/pts")

# The kernels whose headers the chroot has (the running kernel is the
# build machine's, not the chroot's).
mapfile -t kvers < <(cd "$root/lib/modules" && ls)
[ ${#kvers[@]} -gt 0 ] || die "the chroot has no kernel headers"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	DEBIAN_FRONTEND=noninteractive "$@"; }

cp "$deb" "$root/tmp/"
log=$top/build/deb/check-dkms.log
mkdir -p "$(dirname "$log")"
echo "check-dkms: apt install ./$(basename "$deb") in a $suite chroot with headers ${kvers[*]}"
# The chroot already holds every dependency of the package (dkms, the
# headers): apt resolves the .deb against what is installed.
if ! in_root apt-get install -y "/tmp/$(basename "$deb")" >"$log" 2>&1; then
	tail -30 "$log" >&2
	die "apt install failed (log $log)"
fi

fail=0
name=vmcsinfo-intel
for dir in "$root/var/lib/dkms/$name"/*/; do
	# source is a symbolic link to /usr/src/NAME-VERSION inside the chroot.
	[ -L "${dir}source" ] || [ -d "${dir}source" ] || continue
	ver=$(basename "$dir")
done
[ -n "${ver:-}" ] || die "DKMS does not know $name after the install (log $log)"
src=$root/usr/src/$name-$ver
[ -f "$src/dkms.conf" ] || { echo "check-dkms: no $src/dkms.conf" >&2; fail=1; }
for kv in "${kvers[@]}"; do
	mlog=$root/var/lib/dkms/$name/$ver/$kv/x86_64/log/make.log
	[ -f "$mlog" ] || mlog=$root/var/lib/dkms/$name/$ver/build/make.log
	if [ ! -f "$mlog" ]; then
		echo "check-dkms: $kv: no DKMS make.log" >&2
		fail=1
		continue
	fi
	# The headers package has no vmlinux: Kbuild's BTF note is information.
	if grep -v 'Skipping BTF generation' "$mlog" | grep -i 'warning'; then
		echo "check-dkms: $kv: the DKMS build printed warnings ($mlog)" >&2
		fail=1
	else
		echo "  $kv: ${mlog#"$root"}: $(grep -c 'CC \[M\]' "$mlog") compiled, no warning"
	fi
	st=$(in_root dkms status -m "$name" -v "$ver" -k "$kv" 2>&1)
	case $st in
	*": installed"*) ;;
	*)
		echo "check-dkms: $kv: dkms status says: $st" >&2
		fail=1
		;;
	esac
	if ! info=$(in_root modinfo -k "$kv" "$name" 2>&1); then
		echo "check-dkms: $kv: modinfo: $info" >&2
		fail=1
		continue
	fi
	echo "$info" | grep -E '^(filename|description|license|vermagic):' | sed "s/^/  $kv: /"
	case $(echo "$info" | awk '/^filename:/ {print $2}') in
	/lib/modules/"$kv"/updates/dkms/$name.ko*) ;;
	*)
		echo "check-dkms: $kv: modinfo finds the module outside updates/dkms" >&2
		fail=1
		;;
	esac
done
[ $fail = 0 ] || die "FAIL (apt log $log)"
echo "check-dkms: PASS: $name $ver built by DKMS without warnings and installed for ${kvers[*]}"
