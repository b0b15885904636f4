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

# ------------------------------------------------ the crash tests' pieces

# Our binaries the crash tests put into the VMs or judge with.
kexec=${VG_KEXEC:-$TOP/build/kexec-tools/sbin/kexec}
vmcsinfo=$TOP/build/bin/vmcsinfo
vmcore_guests=$TOP/build/bin/vmcore-guests
kvmguest=$TOP/build/test-vms/kvmguest
guestcheck=$TOP/build/test-vms/guestcheck

# vg_pieces [EXTRA...]: the missing ones of the pieces above and of EXTRA
# ("FILE|how to build it" pairs), one a line on stdout (nothing when all
# are there).  Without VG_PARTIAL=1 a missing piece ends the test; with it
# the test runs anyway (development) and fails at the end.
vg_pieces() {
	local b x
	local -a absent=()
	[ -x "$kexec" ] || absent+=("$kexec (the patched kexec: make kexec-tools)")
	for b in "$vmcsinfo" "$vmcore_guests" "$kvmguest" "$guestcheck"; do
		[ -x "$b" ] || absent+=("$b (make)")
	done
	for x in "$@"; do
		[ -e "${x%%|*}" ] || absent+=("${x%%|*} (${x#*|})")
	done
	[ ${#absent[@]} -gt 0 ] || return 0
	for x in "${absent[@]}"; do
		echo "$tv_prog: FAIL: missing $x" >&2
	done
	[ "${VG_PARTIAL:-0}" = 1 ] || die "cannot run the crash tests without the pieces above"
	echo "$tv_prog: VG_PARTIAL=1: running anyway; the result is FAIL" >&2
	printf '%s\n' "${absent[@]}"
}

# ------------------------------------------------ running a crash cycle
# Shared by run-vm.sh (QEMU) and run-bochs.sh (Bochs).

# vm_lock: take the machine-wide test-VM lock on fd 9 (one test VM at a
# time on the 2-core build machines); wait for another run for at most
# VG_LOCK_WAIT seconds (default an hour: a Bochs cycle holds the lock for
# up to 25 minutes).
vm_lock() {
	local lock=${TMPDIR:-/tmp}/vmcore-guests-test-vm.lock
	local wait=${VG_LOCK_WAIT:-3600}
	exec 9>>"$lock"
	if ! flock -n 9; then
		note "another test VM is running (lock $lock); waiting for it"
		flock -w "$wait" 9 || die "still locked after $wait s: $lock"
	fi
}

# vm_stamp START: stdin to stdout, each line prefixed with the seconds
# since START (microseconds, as ${EPOCHREALTIME/./}), carriage returns cut.
vm_stamp() {
	local start=$1 line d
	while IFS= read -r line; do
		d=$((${EPOCHREALTIME/./} - start))
		printf '[%4d.%03d] %s\n' $((d / 1000000)) $((d / 1000 % 1000)) "${line%$'\r'}"
	done
}

# Progress markers written to timings.txt, in cycle order.
VM_MARKERS="L1_UP KVM_LOADED VMCSINFO_LOADED KEXEC_LOADED L2_STARTED GUEST_RUNNING L2_MARKER_SEEN PANIC_NOW CAPTURE_UP MAKEDUMPFILE_DONE VMCORE_GUESTS_DONE CAPTURE_DONE"

# vm_marker LOG NAME: seconds since start of the line "VGTEST: NAME".
vm_marker() {
	grep -a "VGTEST: $2\\b" "$1" | head -1 | sed -n 's/^\[ *\([0-9.]*\)\].*/\1/p'
}

# vm_finish OUTDIR RC WALL LIMIT EMULATOR IMG: after the emulator exited
# with RC: OUTDIR/timings.txt, then the verdict on the cycle (exit 1 with
# the last marker and the console tail when it failed), then the results
# disk IMG read back into OUTDIR/results/ (debugfs, no mount).
vm_finish() {
	local outdir=$1 rc=$2 wall=$3 limit=$4 emu=$5 img=$6 m last why
	local panic_re='Kernel panic - not syncing|BUG:|Oops|general protection fault|kernel BUG at'
	local log=$outdir/console.log
	{
		echo "wall=$wall"
		echo "${emu}_rc=$rc"
		for m in $VM_MARKERS; do
			echo "$m=$(vm_marker "$log" "$m")"
		done
	} >"$outdir/timings.txt"
	if grep -aq 'VGTEST: FAIL' "$log"; then
		echo "$tv_prog: $(grep -a 'VGTEST: FAIL' "$log" | head -1 | sed 's/^\[[^]]*\] //')" >&2
		# The tiny guest gave up on the emulator's glitches (kvmguest.c,
		# recover()) before the crash: the test's own setup, not
		# anything under test, so run_cycle tries once more.
		if grep -aq 'VGTEST: FAIL kvmguest died before the crash' "$log" &&
			grep -aq 'kvmguest: giving up after [0-9]* recoveries' "$log"; then
			echo "the tiny guest died of emulator glitches before the crash ($(grep -ao -m1 'giving up after [0-9]* recoveries' "$log"))" >"$outdir/guest-glitched"
		fi
	elif [ -f "$outdir/l1-froze" ]; then
		echo "$tv_prog: $(cat "$outdir/l1-froze"): $emu stopped" >&2
	elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo "$tv_prog: $emu killed after the ${limit}s limit" >&2
	elif ! grep -aq 'VGTEST: CAPTURE_DONE' "$log"; then
		echo "$tv_prog: the capture kernel did not finish ($emu exit code $rc)" >&2
	else
		rm -rf "$outdir/results"
		mkdir -p "$outdir/results"
		debugfs -R "rdump / $outdir/results" "$img" 2>"$outdir/debugfs.log" ||
			die "debugfs could not read back $img (see $outdir/debugfs.log)"
		[ -f "$outdir/results/done" ] ||
			die "the results disk has no 'done' file: the capture kernel did not finish writing"
		rm -f "$img"
		if grep -aq 'VGTEST: PANIC_NOW' "$log"; then
			echo "$tv_prog: $(basename "$outdir"): cycle done in ${wall}s (crash at $(vm_marker "$log" PANIC_NOW)s, capture done at $(vm_marker "$log" CAPTURE_DONE)s)"
			return 0
		fi
		# A capture without PANIC_NOW is the L1's own crash, not the
		# test's: the guests were caught at some other moment (in CI
		# once before the L2 had written its marker), so the checks
		# would judge the wrong thing.  Said with the L1's panic line
		# and its trace; the results stay for a look.
		last=$(grep -a 'VGTEST: ' "$log" | sed -n '/CAPTURE_UP/q;p' | tail -1 | sed 's/^\[[^]]*\] //' || true)
		why=$(grep -aE -m1 "$panic_re" "$log" | sed 's/^\[[^]]*\] //' || true)
		echo "L1 crashed on its own before the test's crash (after ${last:-no marker}): ${why:-no panic line on the console}" >"$outdir/l1-crashed"
		echo "$tv_prog: $(cat "$outdir/l1-crashed")" >&2
		grep -aE -A40 -m1 "$panic_re" "$log" |
			grep -aE '\] (RIP: 0010|Call Trace| [A-Za-z0-9_.]+\+0x)' | head -15 | sed 's/^/    /' >&2 || true
	fi
	last=$(grep -a 'VGTEST: ' "$log" | tail -1 || true)
	echo "$tv_prog: last marker reached: ${last:-none (L1 never reached its /init)}" >&2
	# A kernel's own stall report names the stuck task; the tail shows
	# only the end of its stack.
	local stall
	stall=$(grep -aE -A40 -m1 'soft lockup|hard LOCKUP|blocked for more than|rcu_.*stall|self-detected stall' "$log" || true)
	if [ -n "$stall" ]; then
		echo "$tv_prog: first kernel stall report: ${stall%%$'\n'*}" >&2
		printf '%s\n' "$stall" |
			grep -aE '\] (RIP: 0010|Call Trace| [A-Za-z0-9_.]+\+0x)' | head -15 | sed 's/^/    /' >&2
	fi
	echo "$tv_prog: console tail ($log):" >&2
	tail -n 25 "$log" | sed 's/^/    /' >&2
	return 1
}
