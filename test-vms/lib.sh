# shellcheck shell=bash
# Shared helpers for the test-vms scripts.  Sourced, never run.
#
#   VG_CACHE   download cache (kernel .deb and its extracted tree);
#              default ${XDG_CACHE_HOME:-$HOME/.cache}/vmcore-guests
#   VG_BUILD   generated images (initramfs, disks); default build/test-vms
#   VG_OUT     per-scenario logs and results; default test-vms/out

TV_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$TV_DIR/.." && pwd)
VG_CACHE=${VG_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vmcore-guests}
VG_BUILD=${VG_BUILD:-$TOP/build/test-vms}
VG_OUT=${VG_OUT:-$TV_DIR/out}

tv_prog=$(basename "$0")

die() {
	echo "$tv_prog: error: $*" >&2
	exit 1
}

note() {
	echo "$tv_prog: $*" >&2
}

need_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			die "'$c' not found; run 'make deps' (see ci/debian-packages.txt)"
	done
}

need_file() {
	local f
	for f in "$@"; do
		[ -e "$f" ] || die "missing $f"
	done
}

# The resolved kernel: sets KV (e.g. 6.1.0-56-amd64) and KROOT (the
# extracted .deb).  Fails when test-vms/fetch-kernel.sh has not run.
load_kernel() {
	local res=$VG_CACHE/kernel.resolved
	[ -r "$res" ] || die "no cached kernel in $VG_CACHE; run test-vms/fetch-kernel.sh (make test-vms-kernel)"
	# shellcheck source=/dev/null
	. "$res"
	KROOT=$VG_CACHE/kernel/$KV
	[ -f "$KROOT/boot/vmlinuz-$KV" ] ||
		die "cached kernel $KV is incomplete ($KROOT); delete $res and rerun test-vms/fetch-kernel.sh"
	KMOD=$KROOT/lib/modules/$KV
}

# copy_bin ROOT BIN...: BIN at the same path under ROOT, with every shared
# library ldd names (dynamic loader included) at its path too.
copy_bin() {
	local root=$1 b l
	shift
	for b in "$@"; do
		[ -x "$b" ] || die "cannot copy $b into $root: not an executable"
		mkdir -p "$root$(dirname "$b")"
		cp -L "$b" "$root$b"
		# ldd exits 1 on static binaries ("not a dynamic executable").
		while read -r l; do
			[ -e "$root$l" ] && continue
			mkdir -p "$root$(dirname "$l")"
			cp -L "$l" "$root$l"
		done < <(ldd "$b" 2>/dev/null | grep -o '/[^ ]*' || true)
	done
}

# copy_modules ROOT MOD...: the named kernel modules (names as modprobe
# knows them) and every dependency from modules.dep, into
# ROOT/lib/modules/KV, plus a load order file ROOT/lib/modules/KV/load.order.
copy_modules() {
	local root=$1 m
	shift
	local dst=$root/lib/modules/$KV
	mkdir -p "$dst"
	: >"$dst/load.order"
	for m in "$@"; do
		modprobe -d "$KROOT" -S "$KV" --show-depends "$m" >"$dst/.deps" ||
			die "kernel module $m not found in $KMOD"
		local kind path
		while read -r kind path _; do
			[ "$kind" = insmod ] || continue
			local rel=${path#"$KMOD"/}
			if ! grep -qxF "$rel" "$dst/load.order"; then
				mkdir -p "$dst/$(dirname "$rel")"
				cp "$path" "$dst/$rel"
				echo "$rel" >>"$dst/load.order"
			fi
		done <"$dst/.deps"
		rm -f "$dst/.deps"
	done
}

# mkcpio DIR OUT: a gzip'd newc cpio of DIR (owned by root).
mkcpio() {
	(cd "$1" && find . -print0 | LC_ALL=C sort -z |
		cpio -o -H newc --null --quiet -R 0:0 | gzip -1) >"$2.tmp"
	mv "$2.tmp" "$2"
}
