#!/bin/bash
# Fail when the copies of our sources inside the kexec-tools patch series
# differ from the files in this repository.
#
#   check-sync.sh [REPO_ROOT]
#
# patches/kexec-tools/imports lists the files the series carries verbatim
# and where they are in kexec-tools; exactly one patch may create each and
# no other patch may touch it.  Every file a patch creates under an
# imported file's directory must be listed there or be one of the
# series' own (kexec/loadnote*.[ch]).  After changing an imported file run
# patches/kexec-tools/refresh.sh.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=${1:-$(cd "$here/../.." && pwd)}
mapfile -t imports < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/imports")
mapfile -t series < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$here/series")

# Print the content of the file a patch creates (one @@ -0,0 +1,N @@ hunk).
extract() {
	awk -v want="+++ b/$2" '
		$0 == want { found = 1; next }
		found == 1 && /^@@ -0,0 \+1(,[0-9]+)? @@/ {
			n = 1
			if (match($0, /\+1,[0-9]+/))
				n = substr($0, RSTART + 3, RLENGTH - 3)
			found = 2
			next
		}
		found == 1 && /^@@/ { print "not a new file" > "/dev/stderr"; exit 2 }
		found == 2 && n > 0 {
			if (substr($0, 1, 1) != "+") {
				print "short hunk" > "/dev/stderr"; exit 2
			}
			line = substr($0, 2)
			n--
			printf "%s", (count++ ? "\n" : "") line
			next
		}
		found == 2 && n == 0 {
			if ($0 ~ /^\\ No newline at end of file/)
				nonl = 1
			exit 0
		}
		END {
			if (found == 0)
				exit 3
			if (count && !nonl)
				printf "\n"
		}
	' "$1"
}

bad=0
for line in "${imports[@]}"; do
	read -r src f <<<"$line"
	owner=
	for p in "${series[@]}"; do
		if grep -qxF "+++ b/$f" "$here/$p"; then
			if [ -n "$owner" ]; then
				echo "check-sync: $p changes $f again (only $owner may)" >&2
				bad=1
			fi
			owner=$p
		fi
	done
	if [ -z "$owner" ]; then
		echo "check-sync: no patch in the series imports $f" >&2
		bad=1
		continue
	fi
	if ! extract "$here/$owner" "$f" | cmp -s - "$root/$src"; then
		echo "check-sync: $src differs from the copy in $owner" >&2
		extract "$here/$owner" "$f" | diff -u --label "$owner:$f" \
			--label "$src" - "$root/$src" | head -20 >&2 || true
		bad=1
	fi
done
# A new file in the series that is neither listed nor the series' own
# would be an import nobody checks.
for p in "${series[@]}"; do
	while read -r f; do
		case $f in kexec/loadnote-*.c | kexec/loadnotes.[ch]) continue ;; esac
		if ! printf '%s\n' "${imports[@]}" | awk '{print $2}' | grep -qxF "$f"; then
			echo "check-sync: $p creates $f, which imports does not list" >&2
			bad=1
		fi
	done < <(awk '/^--- \/dev\/null$/ { getline; sub(/^\+\+\+ b\//, ""); print }' "$here/$p")
done
if [ $bad != 0 ]; then
	echo "check-sync: FAIL (run patches/kexec-tools/refresh.sh)" >&2
	exit 1
fi
echo "check-sync: ${#imports[@]} files identical to their copies in the series"
