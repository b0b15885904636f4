#!/bin/bash
# Build the patched kexec-tools:
#
#   build.sh OUTDIR [SERIES]
#
# SERIES (default patches/kexec-tools/series) lists the patches to apply,
# by file name in patches/kexec-tools/; the tests build with an empty one
# (the unpatched baseline) and with every prefix of the series.
#
# KT_BASE picks the source the series is applied to:
#   debian   (default) Debian 12's kexec-tools 2.0.25 source package
#            (fetch.sh), extracted with dpkg-source -x, which applies
#            Debian's own patches;
#   upstream the upstream release tarball (the orig.tar of the
#            kexec-tools source package of Debian $KT_UPSTREAM_SUITE,
#            default trixie: fetch.sh --suite), extracted as it is,
#            without Debian's patches.
# Then it applies our series in the order of patches/kexec-tools/series
# (patch -F0: every hunk must apply without fuzz), regenerates configure
# (autoreconf, as Debian's own package build does with dh_autoreconf: the
# KVMINFO patch changes configure.ac), configures and builds, then
# installs OUTDIR/sbin/kexec.  The extracted, patched and built tree is
# kept as OUTDIR/src for inspection and for the tests.
#
# KT_CONFIGURE_FLAGS adds options to ./configure (the tests build once
# with --without-libbpf).
#
# KT_REUSE=1 (test/check-each.sh) builds incrementally: when OUTDIR/src
# was built from the same source and configure flags with a series that
# is a prefix of SERIES, its copy gets only the remaining patches and
# "make" rebuilds what they touch (kexec-tools' makefiles track header
# dependencies with -MD); configure runs again only when one of them
# changes configure.ac or Makefile.in.
#
# Parallel-safe: one build at a time per OUTDIR (flock), everything is built
# in OUTDIR/src.new and moved into place only when it succeeded, so a failed
# or interrupted build never leaves a half-patched OUTDIR/src or a stale
# OUTDIR/sbin/kexec behind a newer patch.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# Under "make -n" make still runs us (the rule is marked "+" to share the
# jobserver): do nothing then.
mflags=${MAKEFLAGS:-}
mflags=${mflags%% *}
if [[ $mflags != -* && $mflags == *n* ]]; then
	echo "build.sh: would build the patched kexec-tools into ${1:-?}"
	exit 0
fi
out=${1:?usage: build.sh OUTDIR [SERIES]}
series=${2:-$here/series}
mkdir -p "$out"
out=$(cd "$out" && pwd)

exec 9>"$out/.lock"
flock 9

case ${KT_BASE:-debian} in
debian)
	dsc=$("$here/fetch.sh")
	name=$(basename "$dsc" .dsc)
	;;
upstream)
	dsc=$("$here/fetch.sh" --suite "${KT_UPSTREAM_SUITE:-trixie}")
	orig=$(awk '/^Files:/{f=1;next} /^[^ ]/{f=0} f && $3 ~ /\.orig\.tar\./{print $3}' "$dsc")
	[ -n "$orig" ] || { echo "build.sh: no orig tarball in $dsc" >&2; exit 1; }
	name=${orig%.orig.tar.*}
	name=${name/_/-}
	;;
*)
	echo "build.sh: KT_BASE must be debian or upstream" >&2
	exit 1
	;;
esac
mapfile -t patches < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$series")
key="$name ${KT_CONFIGURE_FLAGS:-}"
# Each patch by name and content, so that a changed patch is applied anew.
applied=()
for p in "${patches[@]}"; do
	applied+=("$p $(sha256sum <"$here/$p" | cut -c1-16)")
done

# What OUTDIR/src was built from: the key, then one applied patch a line.
new=$out/src.new
rm -rf "$new"
done_n=0
if [ "${KT_REUSE:-}" = 1 ] && [ -f "$out/src/.kt-build" ]; then
	mapfile -t built <"$out/src/.kt-build"
	if [ "${built[0]}" = "$key" ] && [ $((${#built[@]} - 1)) -le ${#patches[@]} ] &&
		[ "${built[*]:1}" = "${applied[*]:0:${#built[@]}-1}" ]; then
		done_n=$((${#built[@]} - 1))
		cp -a "$out/src" "$new"
	fi
fi
reconf=1
if [ -d "$new" ]; then
	reconf=0
elif [ "${KT_BASE:-debian}" = debian ]; then
	dpkg-source --no-check -x "$dsc" "$new" >/dev/null
else
	mkdir "$new"
	tar -xf "$(dirname "$dsc")/$orig" -C "$new" --strip-components=1
fi

for p in "${patches[@]:done_n}"; do
	if ! patch -d "$new" -p1 -F0 --batch --forward --no-backup-if-mismatch \
		-s <"$here/$p"; then
		echo "build.sh: $p does not apply" >&2
		exit 1
	fi
	if grep -qE '^\+\+\+ b/(configure\.ac|Makefile\.in)$' "$here/$p"; then
		reconf=1
	fi
done
echo "kexec-tools: $name + ${#patches[@]} patches$([ $done_n = 0 ] || echo " ($done_n already built)")"

(
	cd "$new"
	# The tree is unpacked under build/, inside our git work tree: keep
	# kexec-tools' configure away from our git and our CFLAGS.
	unset CFLAGS CPPFLAGS LDFLAGS
	if [ $reconf = 1 ]; then
		# autoconf 2.71 warns about the obsolete macros of 2.0.25's
		# configure.ac; only a failure matters.  (The orig tarball has a
		# configure, but the series may change configure.ac.)
		autoreconf -fi >autoreconf.log 2>&1 || {
			tail -20 autoreconf.log >&2
			exit 1
		}
		# shellcheck disable=SC2086 # KT_CONFIGURE_FLAGS is a word list
		./configure --prefix=/usr --sbindir=/sbin --mandir=/usr/share/man \
			${KT_CONFIGURE_FLAGS:-} >configure.log 2>&1 || {
			tail -20 configure.log >&2
			exit 1
		}
	fi
	${MAKE:-make} >make.log 2>&1 || {
		grep -E 'error|Error' make.log | head -20 >&2
		exit 1
	}
	# kexec-tools must stay warning-free with our patches.  The one
	# warning 2.0.25 and upstream already have (purgatory's 16-bit debug
	# entry object lacks .note.GNU-stack) is not ours.
	if grep 'warning:' make.log |
		grep -v 'ld: warning: .*missing .note.GNU-stack' >&2; then
		echo "build.sh: the patched kexec-tools builds with warnings" >&2
		exit 1
	fi
	printf '%s\n' "$key" "${applied[@]}" >.kt-build
)

rm -rf "$out/src"
mv "$new" "$out/src"
mkdir -p "$out/sbin"
cp "$out/src/build/sbin/kexec" "$out/sbin/kexec.new"
mv -f "$out/sbin/kexec.new" "$out/sbin/kexec"
echo "kexec-tools: installed $out/sbin/kexec"
