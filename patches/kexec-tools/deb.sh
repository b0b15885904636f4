#!/bin/bash
# Build the patched kexec-tools as a Debian package:
#
#   deb.sh WORKDIR     -> WORKDIR/kexec-tools_<version>_amd64.deb (and the rest
#                         of dpkg-buildpackage's output)
#
# Debian 12's kexec-tools source package (fetch.sh, cached) is extracted
# as it is; our series (patches/kexec-tools/series) is copied into its
# debian/patches/ after Debian's own patches, and dpkg-buildpackage
# applies it (dpkg-source --before-build, "patch -F0": no fuzz) and builds
# the package with Debian's own debian/rules (which runs dh_autoreconf:
# patch 0004 changes configure.ac).  The changelog gets one entry, version
# <Debian's version>+vmcoreguests<N>: apt takes it as an upgrade of
# Debian's package, and it says it is patched.  libbpf-dev joins
# Build-Depends (patch 0004 links kexec with libbpf for the KVMINFO note).
#
# VG_KT_REVISION (default 1) is the N; VG_MAINTAINER the changelog's
# signer.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=${1:?usage: deb.sh WORKDIR}
rev=${VG_KT_REVISION:-1}
maint=${VG_MAINTAINER:-vmcore-guests maintainers <maintainers@users.noreply.h-seed-cdac1738.example>}

dsc=$("$here/fetch.sh")
rm -rf "$work"
mkdir -p "$work"
work=$(cd "$work" && pwd)
dver=$(awk '/^Version:/ {print $2; exit}' "$dsc")
uver=${dver#*:}
uver=${uver%-*}
src=$work/kexec-tools-$uver
dpkg-source --no-check -x "$dsc" "$src" >/dev/null

mapfile -t patches < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$here/series")
{
	echo "# vmcore-guests: the load-time notes (patches/kexec-tools/ of vmcore-guests)"
	for p in "${patches[@]}"; do
		cp "$here/$p" "$src/debian/patches/$p"
		echo "$p"
	done
} >>"$src/debian/patches/series"

# One Build-Depends line in Debian's control: append to it.
grep -q '^Build-Depends:.*$' "$src/debian/control" ||
	{ echo "deb.sh: no one-line Build-Depends in debian/control" >&2; exit 1; }
sed -i -e '/^Build-Depends:/ s/$/, libbpf-dev/' "$src/debian/control"

version=$dver+vmcoreguests$rev
suite=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Distribution)
{
	echo "kexec-tools ($version) $suite; urgency=medium"
	echo
	echo "  * Add the vmcore-guests series (debian/patches/000[1-4]-*): load-time"
	echo "    crash notes, the VMCSINFO note (the VMCS layout vmcsinfo-intel"
	echo "    publishes), the kexec -s initrd carrier of those notes, and the"
	echo "    KVMINFO note (KVM's layout from BTF, linked with libbpf)."
	echo "  * Build-Depends: libbpf-dev."
	echo
	echo " -- $maint  $(date -R -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")"
	echo
	cat "$src/debian/changelog"
} >"$src/debian/changelog.new"
mv "$src/debian/changelog.new" "$src/debian/changelog"

echo "kexec-tools: building $version (Debian's $dver + ${#patches[@]} patches)"
log=$work/build.log
# -nc: the tree is freshly extracted; Debian's clean target would run
# configure first only to clean it again.
if ! (cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
	dpkg-buildpackage -us -uc -b -nc) >"$log" 2>&1; then
	tail -30 "$log" >&2
	echo "deb.sh: dpkg-buildpackage failed (log $log)" >&2
	exit 1
fi
ls "$work"/kexec-tools_"${version#*:}"_*.deb
