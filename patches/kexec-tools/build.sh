#!/bin/bash
# Build the patched kexec-tools:
#
#   build.sh OUTDIR [SERIES]
#
# SERIES (default patches/kexec-tools/series) lists the patches to apply,
# by file name in patches/kexec-tools/; the tests build with an empty one
# (the unpatched baseline) and with every prefix of the series.
#
# Fetches Debian's kexec-tools source package (fetch.sh, cached), extracts
# it fresh (dpkg-source -x applies Debian's own patches), applies our
# series in the order of patches/kexec-tools/series, regenerates configure
# (autoreconf, as Debian's own package build does with dh_autoreconf: patch
# 0005 changes configure.ac), configures and builds, then installs
# OUTDIR/sbin/kexec.  The extracted, patched and built tree is kept as
# OUTDIR/src for inspection and for the tests.
#
# KT_CONFIGURE_FLAGS adds options to ./configure (the tests build once
# with --without-libbpf).
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

dsc=$("$here/fetch.sh")
new=$out/src.new
rm -rf "$new"
dpkg-source --no-check -x "$dsc" "$new" >/dev/null

n=0
while read -r p; do
	p=${p%%#*}
	p=${p//[[:space:]]/}
	[ -n "$p" ] || continue
	if ! patch -d "$new" -p1 --batch --forward --no-backup-if-mismatch \
		-s <"$here/$p"; then
		echo "build.sh: $p does not apply" >&2
		exit 1
	fi
	n=$((n + 1))
done <"$series"
echo "kexec-tools: $(basename "$dsc" .dsc) + $n patches"

(
	cd "$new"
	# The tree is unpacked under build/, inside our git work tree: keep
	# kexec-tools' configure away from our git and our CFLAGS.
	unset CFLAGS CPPFLAGS LDFLAGS
	# autoconf 2.71 warns about the obsolete macros of 2.0.25's
	# configure.ac; only a failure matters.
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
	${MAKE:-make} >make.log 2>&1 || {
		grep -E 'error|Error' make.log | head -20 >&2
		exit 1
	}
	# kexec-tools must stay warning-free with our patches.  The one
	# warning upstream 2.0.25 already has (purgatory's 16-bit debug entry
	# object lacks .note.GNU-stack) is not ours.
	if grep 'warning:' make.log |
		grep -v 'ld: warning: .*missing .note.GNU-stack' >&2; then
		echo "build.sh: the patched kexec-tools builds with warnings" >&2
		exit 1
	fi
)

rm -rf "$out/src"
mv "$new" "$out/src"
mkdir -p "$out/sbin"
cp "$out/src/build/sbin/kexec" "$out/sbin/kexec.new"
mv -f "$out/sbin/kexec.new" "$out/sbin/kexec"
echo "kexec-tools: installed $out/sbin/kexec"
