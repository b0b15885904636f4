#!/bin/bash
# Regenerate the kexec-tools patch series after one of our imported files
# (patches/kexec-tools/imports) changed: the patch that creates a file
# gets the repository's current copy, the later patches are re-applied on
# top (3-way) and everything is exported again with git format-patch.
# Commit dates are the author dates, so an unchanged series is exported
# byte for byte.
#
# The export has two lines of context and no indent heuristic (EXPORT
# below): that way every hunk's context is the same in Debian 12's 2.0.25
# and in upstream kexec-tools (upstream added a dbgprintf() right before
# the kexec_file_load() call, 2.0.29 has no braces around the line before
# the initramfs comment), so one series applies to both with patch -F0.
#
#   refresh.sh [-k DIR]
#
# -k DIR keeps the git tree used for it in DIR (branch "series" on top of
# tag "base" = the extracted Debian source): edit or add patches there,
# then export them with
#   git -C DIR -c diff.indentHeuristic=false format-patch -U2 \
#       --no-signature -o patches/kexec-tools base --
# and list them in patches/kexec-tools/series.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
keep=
if [ "${1:-}" = -k ]; then
	keep=${2:?-k needs a directory}
	[ ! -e "$keep" ] || { echo "refresh.sh: $keep exists" >&2; exit 1; }
fi
mapfile -t imports < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/imports")
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
	for line in "${imports[@]}"; do
		read -r src f <<<"$line"
		if grep -qxF "+++ b/$f" "$here/$p"; then
			cp "$root/$src" "$f"
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
git -c diff.indentHeuristic=false format-patch -q -U2 --no-signature \
	-o "$tmp/out" base --
rm -f "$here"/[0-9][0-9][0-9][0-9]-*.patch
mv "$tmp"/out/*.patch "$here/"
(cd "$here" && ls [0-9][0-9][0-9][0-9]-*.patch) >"$here/series"
echo "refresh.sh: $(wc -l <"$here/series") patches in $here"
