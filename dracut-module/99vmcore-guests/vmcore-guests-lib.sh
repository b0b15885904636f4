# shellcheck shell=sh
# The VG_* variables are this library's interface: set here, read by the
# scripts that source it.  dash, bash and busybox sh all have test -nt.
# shellcheck disable=SC2034,SC2094,SC3013
# vmcore-guests: shell functions shared by the capture-side scripts
# (docs/integration.md).  POSIX sh: it runs under dash, bash and busybox,
# in a dracut capture initramfs, in a Fedora/RHEL kdump initramfs and in
# Debian's kdump-tools capture boot.  Sourced, never run; installed as
# /usr/lib/vmcore-guests/vmcore-guests-lib.sh.
#
#   vg_conf_load FILE          /etc/vmcore-guests.conf -> VG_* variables
#   vg_find_kdump_dumpdir ROOT the dump kdump-utils just saved (post.d)
#   vg_find_stamp_dumpdir DIR  the dump kdump-tools just saved
#   vg_run_guests DUMPDIR      vmcore-guests into DUMPDIR/guests, budgets,
#                              one outcome line
#   vg_log MSG                 console + kernel log (+ VG_LOGFILE)

VG_TAG=vmcore-guests

# vg_sync_bounded's watchdog signals the script's shell.
trap ':' USR1

# ---------------------------------------------------------------- logging

# vg_log MSG...: one line on stderr (the console in the capture kernel),
# in the kernel log (so kdump's saved dmesg has it) and in VG_LOGFILE.
# Uptime in centiseconds (0 if /proc/uptime is unreadable), and the time
# between two of them as seconds with two decimals: the capture prints its
# host-dump phase and its guest phase to 0.01 s, so the two can be compared.
vg_uptime_cs() {
	_up=0.00
	read -r _up _ </proc/uptime 2>/dev/null || _up=0.00
	case "$_up" in
	*.??) echo $((${_up%.*} * 100 + 1${_up#*.} - 100)) ;;
	*) echo 0 ;;
	esac
}

vg_secs() { # T0-CS T1-CS
	_d=$(($2 - $1))
	[ "$_d" -ge 0 ] || _d=0
	printf '%d.%02d' $((_d / 100)) $((_d % 100))
}

vg_log() {
	echo "$VG_TAG: $*" >&2
	if [ -w /dev/kmsg ] && [ -z "${VG_NO_KMSG:-}" ]; then
		echo "<5>$VG_TAG: $*" >/dev/kmsg 2>/dev/null || :
	fi
	if [ -n "${VG_LOGFILE:-}" ]; then
		echo "$VG_TAG: $*" >>"$VG_LOGFILE" 2>/dev/null || :
	fi
}

# ----------------------------------------------------------------- config

# Defaults; docs/integration.md and kdump-hooks/vmcore-guests.conf say
# what each one means.
vg_conf_defaults() {
	VG_ENABLE=yes
	VG_GUESTS=all
	VG_TIME_BUDGET=300
	VG_RESERVE=256
	VG_PROGRESS=yes
	VG_SCAN=no
	VG_CHECK_NOTE=no
	VG_KILL_GRACE=30
	VG_DUMP_TARGET=
	VG_DUMP_FSTYPE=auto
	VG_DUMP_PATH=/var/crash
	VG_DUMP_LEVEL=31
	VG_COMPRESSION=lzo
	VG_FINAL_ACTION=reboot
	VG_DEVICE_TIMEOUT=60
	VG_GUEST_COLLECTOR="--dump-level 31 --compress lzo"
	VG_CONF_ERRORS=0
}

vg_conf_bad() { # FILE LINENO MSG
	vg_log "$1:$2: $3 (ignored)"
	VG_CONF_ERRORS=$((VG_CONF_ERRORS + 1))
}

# vg_collector_ok VALUE: VALUE is a guest_core_collector vmcore-guests
# takes: "--dump-level N" (0..31) and "--compress zlib|lzo|snappy|zstd|
# none", each at most once, "=" or a blank before the value; levels above
# 1 need a compression other than none (the ELF vmcore is not filtered).
# Prints the normalized options.  Checked here so that a typo costs the
# default, never the guests (vmcore-guests exits 2 on a bad option).
vg_collector_ok() {
	_lvl=
	_cmp=
	# Split on blanks, no globbing (this runs in a command substitution).
	set -f
	# shellcheck disable=SC2046 # word splitting is the point
	set -- $(printf '%s' "$1" | tr '=' ' ')
	while [ $# -gt 0 ]; do
		[ $# -ge 2 ] || return 1
		case "$1" in
		--dump-level)
			[ -z "$_lvl" ] && vg_is_uint "$2" && [ "$2" -le 31 ] || return 1
			_lvl=$2
			;;
		--compress)
			case "$2" in
			zlib | lzo | snappy | zstd | none) [ -z "$_cmp" ] || return 1 ;;
			*) return 1 ;;
			esac
			_cmp=$2
			;;
		*) return 1 ;;
		esac
		shift 2
	done
	if [ "${_lvl:-0}" -gt 1 ] && [ "${_cmp:-none}" = none ]; then
		return 1
	fi
	printf '%s' "${_lvl:+--dump-level $_lvl}${_lvl:+${_cmp:+ }}${_cmp:+--compress $_cmp}"
}

vg_is_uint() {
	case "$1" in
	'' | *[!0-9]*) return 1 ;;
	esac
	# Up to 9 digits: arithmetic stays within 32 bits everywhere.
	[ "${#1}" -le 9 ]
}

# vg_conf_load FILE: defaults, then FILE's "key = value" lines ('#'
# starts a comment; a missing file means all defaults).  Unknown keys and
# bad values are reported (vg_log) and ignored: a typo must never cost
# the host dump.  Sets VG_CONF_ERRORS.  Never sources the file.
vg_conf_load() {
	vg_conf_defaults
	[ -r "$1" ] || return 0
	_n=0
	while IFS= read -r _line || [ -n "$_line" ]; do
		_n=$((_n + 1))
		_line=${_line%%#*}
		# Trim; skip blank lines.
		_line=$(printf '%s' "$_line" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')
		[ -n "$_line" ] || continue
		case "$_line" in
		*=*) ;;
		*)
			vg_conf_bad "$1" "$_n" "not 'key = value': $_line"
			continue
			;;
		esac
		_key=$(printf '%s' "${_line%%=*}" | sed 's/[[:space:]]*$//')
		_val=$(printf '%s' "${_line#*=}" | sed 's/^[[:space:]]*//')
		case "$_key" in
		enable | progress | scan | check_note)
			case "$_val" in
			yes | true | 1) _val=yes ;;
			no | false | 0) _val=no ;;
			*)
				vg_conf_bad "$1" "$_n" "$_key wants yes or no, not '$_val'"
				continue
				;;
			esac
			case "$_key" in
			enable) VG_ENABLE=$_val ;;
			progress) VG_PROGRESS=$_val ;;
			scan) VG_SCAN=$_val ;;
			check_note) VG_CHECK_NOTE=$_val ;;
			esac
			;;
		guests)
			# Names separated by commas and/or blanks; "all" = every guest.
			_val=$(printf '%s' "$_val" | tr -s ', \t' ',,,' | sed -e 's/^,//' -e 's/,$//')
			case "$_val" in
			'' | all) VG_GUESTS=all ;;
			*[!A-Za-z0-9._,:+-]*)
				vg_conf_bad "$1" "$_n" "guests: names use A-Z a-z 0-9 . _ - + : only"
				;;
			*) VG_GUESTS=$_val ;;
			esac
			;;
		time_budget | reserve | dump_level | device_timeout | kill_grace)
			if ! vg_is_uint "$_val"; then
				vg_conf_bad "$1" "$_n" "$_key wants a whole number, not '$_val'"
				continue
			fi
			case "$_key" in
			time_budget) VG_TIME_BUDGET=$_val ;;
			reserve) VG_RESERVE=$_val ;;
			dump_level)
				if [ "$_val" -gt 31 ]; then
					vg_conf_bad "$1" "$_n" "dump_level is 0..31"
					continue
				fi
				VG_DUMP_LEVEL=$_val
				;;
			device_timeout) VG_DEVICE_TIMEOUT=$_val ;;
			kill_grace) VG_KILL_GRACE=$_val ;;
			esac
			;;
		compression)
			case "$_val" in
			lzo | zlib | zstd | snappy | none) VG_COMPRESSION=$_val ;;
			*) vg_conf_bad "$1" "$_n" "compression is lzo, zlib, zstd, snappy or none" ;;
			esac
			;;
		final_action)
			case "$_val" in
			reboot | poweroff | halt | shell) VG_FINAL_ACTION=$_val ;;
			*) vg_conf_bad "$1" "$_n" "final_action is reboot, poweroff, halt or shell" ;;
			esac
			;;
		guest_core_collector)
			if _c=$(vg_collector_ok "$_val"); then
				VG_GUEST_COLLECTOR=$_c
			else
				vg_conf_bad "$1" "$_n" "guest_core_collector takes --dump-level 0..31 and --compress zlib|lzo|snappy|zstd|none (levels above 1 need compression), not '$_val'"
			fi
			unset _c
			;;
		dump_target) VG_DUMP_TARGET=$_val ;;
		dump_fstype)
			case "$_val" in
			*[!a-z0-9_]* | '') vg_conf_bad "$1" "$_n" "dump_fstype: a file system type such as ext4, or auto" ;;
			*) VG_DUMP_FSTYPE=$_val ;;
			esac
			;;
		dump_path)
			case "$_val" in
			/*) VG_DUMP_PATH=$_val ;;
			*) vg_conf_bad "$1" "$_n" "dump_path must be absolute" ;;
			esac
			;;
		*) vg_conf_bad "$1" "$_n" "unknown key '$_key'" ;;
		esac
	done <"$1"
	unset _n _line _key _val
	return 0
}

# makedumpfile's format flag for VG_COMPRESSION.
vg_compression_flag() {
	case "$VG_COMPRESSION" in
	lzo) echo -l ;;
	zlib) echo -c ;;
	zstd) echo -z ;;
	snappy) echo -p ;;
	*) echo ;;
	esac
}

# -------------------------------------------------------- dump discovery

# Newest (by mtime) directory below DIR whose name matches GLOB and that
# holds a host dump file (FILEGLOB...); prints it, or nothing.
vg_newest_dumpdir() { # DIR GLOB FILEGLOB...
	_dir=$1
	_glob=$2
	shift 2
	[ -d "$_dir" ] || return 0
	# shellcheck disable=SC2012,SC2086 # names are ours or kdump's stamps
	ls -1dt "$_dir"/$_glob 2>/dev/null | while IFS= read -r _d; do
		[ -d "$_d" ] || continue
		for _f in "$@"; do
			for _m in "$_d"/$_f; do
				if [ -e "$_m" ]; then
					echo "$_d"
					return 1 # stop the loop: found
				fi
			done
		done
	done
	return 0
}

# vg_find_kdump_dumpdir [ROOT]: the directory kdump-utils' kdump.sh has
# just written (Fedora/RHEL, /etc/kdump/post.d).  The hook is not told
# where that is, so re-derive it as kdump.sh does: "path" from the
# rewritten /etc/kdump.conf of the initramfs (default /var/crash) below
# the dump target's mount point, which is /sysroot (dump to the root fs)
# or a mount under /kdumproot (any other local or NFS target), then the
# newest <host-ip>-<date> directory holding vmcore or vmcore-incomplete.
# ROOT (default /) prefixes every path, for tests.  Prints the directory;
# returns 1 when there is none (ssh and raw targets have none).
vg_find_kdump_dumpdir() {
	_root=${1:-}
	_root=${_root%/}
	_conf=$_root/etc/kdump.conf
	_path=/var/crash
	_remote=
	if [ -r "$_conf" ]; then
		_p=$(sed -n 's/^[[:space:]]*path[[:space:]]\{1,\}\([^#[:space:]]*\).*/\1/p' "$_conf" | tail -n 1)
		[ -n "$_p" ] && _path=$_p
		if grep -qE '^[[:space:]]*(ssh|raw)[[:space:]]' "$_conf"; then
			_remote=$(sed -n 's/^[[:space:]]*\(ssh\|raw\)[[:space:]].*/\1/p' "$_conf" | head -n 1)
		fi
	fi
	if [ -n "$_remote" ]; then
		vg_log "kdump.conf dumps to a $_remote target: no local dump directory for the guests"
		return 1
	fi
	# Mount points to try: /kdumproot/* and /sysroot as /proc/mounts has
	# them, then the two bases themselves.
	_bases=$(awk '$2 ~ "^/kdumproot(/|$)" || $2 == "/sysroot" {print $2}' "$_root/proc/mounts" 2>/dev/null)
	_best=
	for _b in $_bases /kdumproot /sysroot; do
		_cand=$(vg_newest_dumpdir "$_root$_b$_path" '*' vmcore vmcore-incomplete vmcore.flat)
		[ -n "$_cand" ] || continue
		if [ -z "$_best" ] || [ "$_cand" -nt "$_best" ]; then
			_best=$_cand
		fi
	done
	unset _p _conf _bases _b _cand _remote
	[ -n "$_best" ] || return 1
	echo "$_best" | tr -s /
}

# vg_find_stamp_dumpdir COREDIR: the directory kdump-tools' "kdump-config
# savecore" has just written (Debian): the newest COREDIR/<YYYYmmddHHMM>
# with a dump.* or vmcore.* file.
vg_find_stamp_dumpdir() {
	_d=$(vg_newest_dumpdir "$1" '2*' 'dump.*' 'dump-incomplete*' 'vmcore.*' vmcore-incomplete)
	[ -n "$_d" ] || return 1
	echo "$_d"
}

# ------------------------------------------------------------- the guests

# vg_sync_bounded SECS: sync, waiting for it at most SECS seconds.  A
# write-back that hangs (a dying disk, a lost NFS server) would otherwise
# hold the capture past the guests' time budget; the host dump before us
# was synced by its own phase.  Returns 1 and says so when the sync is
# still running, which is left to finish on its own.
#
# Not a poll: wait(1) returns the moment sync does, or when a watchdog's
# SIGUSR1 interrupts it (a signal with a trap set ends wait: POSIX, and
# dash, bash and busybox sh do so), so the phase ends when its files are
# on the disk, not at the next 0.1 s step.  The trap stays set: a USR1
# from a watchdog that fired as sync ended must not kill the capture.
# $$ is the script's shell: call this from it, not from a subshell (the
# script's trap, set when this file is sourced, keeps a stray USR1 from
# killing it even then).
vg_sync_bounded() {
	_s0=$(vg_uptime_cs)
	sync &
	_sp=$!
	trap ':' USR1
	(
		trap 'kill "$_z" 2>/dev/null; exit 0' TERM
		sleep "$1" &
		_z=$!
		wait "$_z" && kill -USR1 $$
	) </dev/null >/dev/null 2>&1 &
	_wd=$!
	wait "$_sp" 2>/dev/null
	if kill -0 "$_sp" 2>/dev/null; then
		vg_log "the guests' files were not yet on the disk after $1 s of sync; not waiting longer"
		unset _sp _wd _s0
		return 1
	fi
	kill "$_wd" 2>/dev/null
	vg_log "the guests' files are on the disk (sync $(vg_secs "$_s0" "$(vg_uptime_cs)") s)"
	unset _sp _wd _s0
	return 0
}

vg_count() { # PATTERN FILE: lines of FILE matching PATTERN
	grep -c "$1" "$2" 2>/dev/null || :
}

# vg_run_guests DUMPDIR [HOST_DUMP]: write the guests of HOST_DUMP (default
# /proc/vmcore) into DUMPDIR/guests with the configured limits, copy the
# kexec -s carrier beside the dump, log progress on the console and one
# outcome line (console, kernel log, DUMPDIR/vmcore-guests.log).  Sets
# VG_OUTCOME (that line) and VG_GUESTS_RC; returns 0 (the caller's host
# dump status is never changed by the guests).
#
#   VG_BIN       the program (default: vmcore-guests on PATH)
#   VG_NOTES     the carrier (default /etc/vmcore-guests/loadtime.notes)
#   VG_MNT       mount point of the dump target, left out of the paths
#                shown in messages (the standalone capture sets it)
vg_run_guests() {
	_dd=$1
	_src=${2:-/proc/vmcore}
	_bin=${VG_BIN:-vmcore-guests}
	_notes=${VG_NOTES:-/etc/vmcore-guests/loadtime.notes}
	VG_GUESTS_RC=
	VG_OUTCOME=
	VG_LOGFILE=$_dd/vmcore-guests.log
	_show=${_dd#"${VG_MNT:-}"}
	if [ "$VG_ENABLE" != yes ]; then
		VG_OUTCOME="guests not saved: disabled (enable = no)"
		vg_log "$VG_OUTCOME"
		return 0
	fi
	if [ "$VG_TIME_BUDGET" = 0 ]; then
		VG_OUTCOME="guests not saved: time_budget = 0"
		vg_log "$VG_OUTCOME"
		return 0
	fi
	if ! command -v "$_bin" >/dev/null 2>&1; then
		VG_OUTCOME="guests not saved: $_bin is not installed here"
		vg_log "$VG_OUTCOME"
		return 0
	fi
	set -- --time-budget "$VG_TIME_BUDGET" --reserve "$VG_RESERVE"
	# shellcheck disable=SC2086 # checked options, split on purpose
	set -- "$@" $VG_GUEST_COLLECTOR
	[ "$VG_PROGRESS" = yes ] && set -- "$@" --progress
	[ "$VG_SCAN" = yes ] && set -- "$@" --scan
	[ "$VG_CHECK_NOTE" = yes ] && set -- "$@" --check-note
	[ "$VG_GUESTS" = all ] || set -- "$@" --only "$VG_GUESTS"
	if [ -s "$_notes" ]; then
		# Offline use of a kexec -s dump needs the carrier: keep it.
		cp "$_notes" "$_dd/loadtime.notes" 2>/dev/null &&
			chmod 0600 "$_dd/loadtime.notes" 2>/dev/null
		set -- "$@" --notes "$_notes"
	fi
	_limit=$((VG_TIME_BUDGET + VG_KILL_GRACE))
	vg_log "writing the guests of $_src into $_show/guests (time budget ${VG_TIME_BUDGET} s, reserve ${VG_RESERVE} MiB)"
	_t0=$(vg_uptime_cs)
	# Progress and messages go to the console and to the log; the exit
	# code goes through a file (no pipefail in POSIX sh).  The group's
	# own stderr is dropped: only the shell's "Killed" job notice is there.
	_rcf=$_dd/.vmcore-guests.rc
	{
		timeout -k 5 "$_limit" "$_bin" "$@" "$_src" "$_dd/guests" 2>&1
		echo $? >"$_rcf"
	} 2>/dev/null | tee -a "$VG_LOGFILE" >&2
	# read(1), not cat: no process to start inside the phase.
	_rc=
	read -r _rc 2>/dev/null <"$_rcf" || :
	[ -n "$_rc" ] || _rc=255
	# Like the host phase, the guest phase ends with its files on the
	# disk, but waits for that no longer than the kill grace.
	vg_sync_bounded "$VG_KILL_GRACE"
	_t1=$(vg_uptime_cs)
	_secs=$(vg_secs "$_t0" "$_t1")
	rm -f "$_rcf"
	VG_GUESTS_RC=$_rc
	_rep=$_dd/guests/report.json
	case "$_rc" in
	0 | 1)
		_all=$(vg_count '"vendor":' "$_rep")
		_w=$(vg_count '"written": true' "$_rep")
		_p=$(vg_count '"partial": true' "$_rep")
		_s=$(vg_count '"skipped": true' "$_rep")
		VG_OUTCOME="guests saved in $_show/guests: ${_w:-0} of ${_all:-0} written (${_p:-0} partial, ${_s:-0} skipped) in ${_secs} s, exit $_rc"
		if grep -q '"stopped": true' "$_rep" 2>/dev/null; then
			_why=$(sed -n 's/^ *"reason": "\(.*\)",\{0,1\}$/\1/p' "$_rep" | head -n 1)
			VG_OUTCOME="$VG_OUTCOME; stopped: $_why"
		fi
		;;
	2) VG_OUTCOME="guests not saved: vmcore-guests found no usable input (exit 2, see $VG_LOGFILE)" ;;
	124 | 137) VG_OUTCOME="guests not saved: vmcore-guests killed after ${_secs} s (limit: time budget ${VG_TIME_BUDGET} s + ${VG_KILL_GRACE} s grace, then SIGTERM, SIGKILL 5 s later)" ;;
	127) VG_OUTCOME="guests not saved: $_bin could not be run (exit 127)" ;;
	*)
		if [ "$_rc" -gt 128 ] 2>/dev/null; then
			VG_OUTCOME="guests not saved: vmcore-guests crashed (signal $((_rc - 128))) after ${_secs} s"
		else
			VG_OUTCOME="guests not saved: vmcore-guests failed (exit $_rc)"
		fi
		;;
	esac
	vg_log "$VG_OUTCOME; the host vmcore is unaffected"
	unset _dd _show _src _bin _notes _limit _t0 _t1 _secs _rcf _rc _rep _all _w _p _s _why
	return 0
}
