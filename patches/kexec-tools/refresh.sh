#!/bin/bash
# Regenerate the kexec-tools patch series after one of our imported files
# (kexec/vmcsinfo.[ch], kexec/loadnotes-cpio.[ch] in patch 0001,
# kexec/kvminfo.[ch] in patch 0005) changed: the patch that creates a file
# gets the repository's current copy, the later patches are re-applied on
# top (3-way) and everything is exported again with git format-patch.
# Commit dates are the author dates, so an unchanged series is exported
# byte for byte.
#
#   refresh.sh [-k DIR]
#
# -k DIR keeps the git tree used for it in DIR (branch "series" on top of
# tag "base" = the extracted Debian source): edit or add patches there,
# then export them with
#   git -C DIR format-patch --no-signature -o patches/kexec-tools base --
# and list them in patches/kexec-tools/series.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
keep=
if [ "${1:-}" = -k ]; then
	keep=${2:?-k needs a directory}
	[ ! -e "$keep" ] || { echo "refresh.sh: $keep exists" >&2; exit 1; }
fi
imports=(kexec/vmcsinfo.c kexec/vmcsinfo.h kexec/loadnotes-cpio.c
	kexec/loadnotes-cpio.h kexec/kvminfo.c kexec/kvminfo.h)
mapfile -t series < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/series")

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
tree=${keep:-$tmp/tree}
dsc=$("$here/fetch.sh")
dpkg-source --no-check -x "$dsc" "$tree" >/dev/null
cd "$tree"
export GIT_AUTHOR_NAME="vmcore-guests developers"
export GIT_AUTHOR_EMAIL=vmcore-guests@localhost
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
git init -q -b series
printf '%s\n' .pc/ '*.o' '*.d' /build/ /config.log /config.status \
	/Makefile /include/config.h '*.log' >.git/info/exclude
git add -A
GIT_COMMITTER_DATE="@0 +0000" GIT_AUTHOR_DATE="@0 +0000" \
	git commit -q -m "$(basename "$dsc" .dsc) (dpkg-source -x)"
git tag base

for p in "${series[@]}"; do
	git am -q -3 --committer-date-is-author-date "$here/$p"
	owned=()
	for f in "${imports[@]}"; do
		if grep -qxF "+++ b/$f" "$here/$p"; then
			cp "$root/$f" "$f"
			owned+=("$f")
		fi
	done
	if [ ${#owned[@]} -gt 0 ]; then
		git add "${owned[@]}"
		GIT_COMMITTER_DATE=$(git log -1 --format=%ad --date=raw) \
			git commit -q --amend --no-edit --allow-empty
	fi
done

mkdir "$tmp/out"
git format-patch -q --no-signature -o "$tmp/out" base --
rm -f "$here"/[0-9][0-9][0-9][0-9]-*.patch
mv "$tmp"/out/*.patch "$here/"
(cd "$here" && ls [0-9][0-9][0-9][0-9]-*.patch) >"$here/series"
echo "refresh.sh: $(wc -l <"$here/series") patches in $here"
