#!/bin/bash
# Fetch Debian 12's kexec-tools source package into the cache (once) and
# print the path of its .dsc.  Reruns with a filled cache need no network.
#
#   fetch.sh [VERSION]      default: the version in Debian's archive
#
# The cache is ${VG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmcore-guests}/src.
# When apt has no deb-src entry for bookworm, one is added in
# /etc/apt/sources.list.d/vmcore-guests-src.sources (root only), mirroring
# the bookworm entries of debian.sources.
set -euo pipefail

pkg=kexec-tools
cache=${VG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmcore-guests}/src
mkdir -p "$cache"

# A cached, complete source package wins: pick the newest .dsc whose files
# are all present.
cached_dsc() {
	local dsc f ok best=
	for dsc in "$cache"/${pkg}_*.dsc; do
		[ -f "$dsc" ] || continue
		[ -z "${1:-}" ] || [ "$dsc" = "$cache/${pkg}_$1.dsc" ] || continue
		ok=1
		for f in $(awk '/^Files:/{f=1;next} /^[^ ]/{f=0} f{print $3}' "$dsc"); do
			[ -f "$cache/$f" ] || ok=0
		done
		[ $ok = 1 ] && best=$dsc
	done
	[ -n "$best" ] && echo "$best"
}

if dsc=$(cached_dsc "${1:-}"); then
	echo "$dsc"
	exit 0
fi

have_deb_src() {
	grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list \
		/etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources
}

if ! have_deb_src; then
	if [ "$(id -u)" != 0 ]; then
		echo "fetch.sh: apt has no deb-src entry; add one or run as root" >&2
		exit 1
	fi
	src=/etc/apt/sources.list.d/debian.sources
	[ -f "$src" ] || { echo "fetch.sh: no $src to mirror" >&2; exit 1; }
	# Same stanzas, deb -> deb-src.
	sed -e 's/^Types:.*/Types: deb-src/' "$src" \
		>/etc/apt/sources.list.d/vmcore-guests-src.sources
	echo "fetch.sh: added /etc/apt/sources.list.d/vmcore-guests-src.sources" >&2
	apt-get update -qq
fi

tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# apt downloads as _apt when it can write there (no "unsandboxed" warning).
if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
	chown _apt "$tmp"
fi
(cd "$tmp" && apt-get source --download-only -qq "$pkg${1:+=$1}") >&2
for f in "$tmp"/*; do
	mv -f "$f" "$cache/"
done
cached_dsc "${1:-}" || { echo "fetch.sh: download incomplete" >&2; exit 1; }
