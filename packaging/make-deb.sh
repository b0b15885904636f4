#!/bin/bash
# make deb: the three Debian packages into build/deb/ (docs/packaging.md):
#   vmcore-guests_<v>_amd64.deb, vmcsinfo-intel-dkms_<v>_all.deb   (debian/)
#   kexec-tools_<Debian's version>+vmcoreguests1_amd64.deb (patches/kexec-tools/deb.sh)
# then lintian on each: an error fails the build; every hint is kept in
# build/deb/lintian.txt, and the kept warnings are listed with their
# reasons in docs/packaging.md.
#
# Our source package is built from a copy of the tree's files (tracked,
# and untracked ones git does not ignore) in build/deb/stage/, so that
# dpkg-buildpackage's clean never touches the work tree's build/.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build/deb
stage=$out/stage
cd "$top"
ver=$(dpkg-parsechangelog -l debian/changelog -S Version)
rm -rf "$stage"
mkdir -p "$stage/vmcore-guests-$ver"
src=$stage/vmcore-guests-$ver
git ls-files -z --cached --others --exclude-standard |
	while IFS= read -r -d '' f; do
		[ -e "$f" ] && printf '%s\0' "$f"
	done | tar --null -T - -cf - | tar -xf - -C "$src"

echo "deb: building vmcore-guests $ver"
if ! (cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" \
	dpkg-buildpackage -us -uc -b) >"$out/vmcore-guests.build.log" 2>&1; then
	tail -30 "$out/vmcore-guests.build.log" >&2
	echo "deb: dpkg-buildpackage failed (log $out/vmcore-guests.build.log)" >&2
	exit 1
fi

"$top/patches/kexec-tools/deb.sh" "$out/kexec-tools" >/dev/null

rm -f "$out"/*.deb
cp "$stage"/vmcore-guests_"$ver"_amd64.deb \
	"$stage"/vmcsinfo-intel-dkms_"$ver"_all.deb "$out/"
cp "$out"/kexec-tools/kexec-tools_*_amd64.deb "$out/"

# lintian: ours must have no error.  Debian's kexec-tools packaging has
# one error of its own (the same on Debian's unpatched package;
# docs/packaging.md); it is reported, not fatal.
lint=$out/lintian.txt
: >"$lint"
rc=0
for c in "$stage"/vmcore-guests_"$ver"_amd64.changes "$out"/kexec-tools/kexec-tools_*_amd64.changes; do
	lintian --info --display-info "$c" 2>&1 | grep -v 'running with root privileges' >>"$lint" || true
done
if grep -E '^E: (vmcore-guests|vmcsinfo-intel-dkms)' "$lint"; then
	rc=1
fi
grep -E '^[EW]: ' "$lint" | sed 's/^/  lintian: /' || true
[ $rc = 0 ] || { echo "deb: lintian errors on our packages ($lint)" >&2; exit 1; }
for d in "$out"/*.deb; do
	echo "deb: $(dpkg-deb -f "$d" Package) $(dpkg-deb -f "$d" Version) -> ${d#"$top"/}"
done
