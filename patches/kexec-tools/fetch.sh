#!/bin/bash
# Fetch a kexec-tools source package from Debian's archive into the cache
# (once) and print the path of its .dsc.  Reruns with a filled cache need
# no network.
#
#   fetch.sh [VERSION]               Debian 12's package (the "debian" base)
#   fetch.sh --suite SUITE [VERSION] the package of another Debian release,
#                                    e.g. trixie (its orig tarball is the
#                                    "upstream" base)
#
# VERSION defaults to the version in the archive.  The cache is
# ${VG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmcore-guests}/src, and
# SUITE's files go to its subdirectory SUITE/.
#
# Debian 12's package comes through the machine's apt: when apt has no
# deb-src entry, one is added in
# /etc/apt/sources.list.d/vmcore-guests-src.sources (root only), mirroring
# the stanzas of debian.sources.  Another suite's deb-src entry is never
# added to the machine's apt (its newer version would then win every
# "apt-get source kexec-tools"): it is generated from the same stanzas
# (Types: deb-src, Suites: SUITE) into a temporary apt state of its own,
# which "apt-get update" fills with that suite's source index only.
set -euo pipefail

pkg=kexec-tools
suite=
if [ "${1:-}" = --suite ]; then
	suite=${2:?--suite needs a Debian release name}
	shift 2
fi
version=${1:-}
cache=${VG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmcore-guests}/src
cache=$cache${suite:+/$suite}
mkdir -p "$cache"

# A cached, complete source package wins: pick the newest .dsc whose files
# are all present.
cached_dsc() {
	local dsc f ok best=
	for dsc in "$cache"/${pkg}_*.dsc; do
		[ -f "$dsc" ] || continue
		[ -z "$version" ] || [ "$dsc" = "$cache/${pkg}_$version.dsc" ] || continue
		ok=1
		for f in $(awk '/^Files:/{f=1;next} /^[^ ]/{f=0} f{print $3}' "$dsc"); do
			[ -f "$cache/$f" ] || ok=0
		done
		[ $ok = 1 ] && best=$dsc
	done
	[ -n "$best" ] && echo "$best"
}

if dsc=$(cached_dsc); then
	echo "$dsc"
	exit 0
fi

sources=/etc/apt/sources.list.d/debian.sources
have_deb_src() {
	grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list \
		/etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources
}

# The stanzas of debian.sources for the machine's own release (Suites
# naming it, not -updates or -security) as deb-src of suite $1.
suite_stanzas() {
	local codename
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$codename" ] || { echo "fetch.sh: no VERSION_CODENAME in /etc/os-release" >&2; return 1; }
	awk -v want="$codename" -v suite="$1" '
		function flush() {
			if (n && keep) {
				for (i = 1; i <= n; i++)
					print st[i]
				print ""
				found = 1
			}
			n = 0
			keep = 0
		}
		/^[[:space:]]*$/ { flush(); next }
		/^#/ { next }
		/^Types:/ { st[++n] = "Types: deb-src"; next }
		/^Suites:/ {
			for (i = 2; i <= NF; i++)
				if ($i == want)
					keep = 1
			st[++n] = "Suites: " suite
			next
		}
		{ st[++n] = $0 }
		END { flush(); exit !found }
	' "$sources"
}

apt_opts=()
state=
if [ -n "$suite" ]; then
	[ -f "$sources" ] || { echo "fetch.sh: no $sources to mirror" >&2; exit 1; }
	state=$(mktemp -d)
	trap 'rm -rf "$state"' EXIT
	chmod 755 "$state"
	mkdir -p "$state/sources.list.d" "$state/lists/partial" \
		"$state/cache/archives/partial"
	suite_stanzas "$suite" >"$state/sources.list.d/$suite-src.sources" || {
		echo "fetch.sh: no stanza for this release in $sources" >&2
		exit 1
	}
	: >"$state/sources.list"
	apt_opts=(-o "Dir::Etc::SourceList=$state/sources.list"
		-o "Dir::Etc::SourceParts=$state/sources.list.d"
		-o "Dir::State::Lists=$state/lists"
		-o "Dir::Cache=$state/cache")
	if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
		chown _apt "$state/lists/partial" "$state/cache/archives/partial"
	fi
	apt-get "${apt_opts[@]}" update -qq >&2
elif ! have_deb_src; then
	if [ "$(id -u)" != 0 ]; then
		echo "fetch.sh: apt has no deb-src entry; add one or run as root" >&2
		exit 1
	fi
	[ -f "$sources" ] || { echo "fetch.sh: no $sources to mirror" >&2; exit 1; }
	# Same stanzas, deb -> deb-src.
	sed -e 's/^Types:.*/Types: deb-src/' "$sources" \
		>/etc/apt/sources.list.d/vmcore-guests-src.sources
	echo "fetch.sh: added /etc/apt/sources.list.d/vmcore-guests-src.sources" >&2
	apt-get update -qq
fi

tmp=$(mktemp -d "$cache/.fetch.XXXXXX")
trap 'rm -rf "$tmp" ${state:+"$state"}' EXIT
# apt downloads as _apt when it can write there (no "unsandboxed" warning).
if [ "$(id -u)" = 0 ] && id _apt >/dev/null 2>&1; then
	chown _apt "$tmp"
fi
(cd "$tmp" && apt-get "${apt_opts[@]}" source --download-only -qq \
	"$pkg${version:+=$version}") >&2
for f in "$tmp"/*; do
	mv -f "$f" "$cache/"
done
cached_dsc || { echo "fetch.sh: download incomplete" >&2; exit 1; }
