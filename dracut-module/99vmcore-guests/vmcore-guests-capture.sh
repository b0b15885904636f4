#!/bin/sh
# vmcore-guests standalone capture (docs/integration.md): the whole kdump
# job in a dracut capture initramfs that has no distro kdump module.
#
#   1. mount dump_target, save the host vmcore with makedumpfile
#      (compression + dump_level from /etc/vmcore-guests.conf) as
#      <dump_path>/127.0.0.1-<date>/vmcore, plus vmcore-dmesg.txt;
#   2. only then the guests: vmcore-guests into <dumpdir>/guests, within
#      time_budget and above the free-space reserve (vg_run_guests);
#   3. /etc/vmcore-guests/post.d/* hooks with DUMPDIR and the status;
#   4. sync, unmount, final_action.
# Whatever happens in 2 and 3, 1 is already on disk and 4 happens.
#
# Installed as /usr/lib/vmcore-guests/vmcore-guests-capture; run by
# vmcore-guests-capture.service (systemd initramfs) or the pre-mount hook
# (dracut's shell init).  Never returns when it ran the final action.
# No "set -e": every failure is logged and the job goes on.

# shellcheck source-path=SCRIPTDIR source=vmcore-guests-lib.sh
. /usr/lib/vmcore-guests/vmcore-guests-lib.sh

# Everything written next to the dumps is for root only.
umask 077
VG_CONF=${VG_CONF:-/etc/vmcore-guests.conf}
MNT=/run/vmcore-guests/target
STATUS=

vg_status() { # KEY=VALUE: recorded in DUMPDIR/vmcore-guests.status
	STATUS="$STATUS$1
"
}

# The device node for dump_target (LABEL=, UUID=, PARTUUID=, PARTLABEL=,
# /dev/...); empty dump_target means the root= device.
target_dev() {
	_t=$VG_DUMP_TARGET
	if [ -z "$_t" ]; then
		_t=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^root=//p' | tail -n 1)
		_t=${_t#block:}
	fi
	case "$_t" in
	LABEL=*) echo "/dev/disk/by-label/${_t#LABEL=}" ;;
	UUID=*) echo "/dev/disk/by-uuid/${_t#UUID=}" ;;
	PARTUUID=*) echo "/dev/disk/by-partuuid/${_t#PARTUUID=}" ;;
	PARTLABEL=*) echo "/dev/disk/by-partlabel/${_t#PARTLABEL=}" ;;
	/dev/*) echo "$_t" ;;
	*) echo "" ;;
	esac
}

wait_dev() { # DEV: up to device_timeout s
	_i=0
	while [ ! -b "$1" ]; do
		[ "$_i" -ge $((VG_DEVICE_TIMEOUT * 10)) ] && return 1
		if [ "$_i" = 0 ] && command -v udevadm >/dev/null 2>&1; then
			udevadm settle --timeout=10 >/dev/null 2>&1
			[ -b "$1" ] && break
		fi
		_i=$((_i + 1))
		sleep 0.1
	done
}

final_action() {
	sync
	VG_LOGFILE= # on the target, which is unmounted now
	if [ -n "${DUMPDIR:-}" ]; then
		umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
	fi
	vg_log "final action: $VG_FINAL_ACTION"
	case "$VG_FINAL_ACTION" in
	poweroff) poweroff -f ;;
	halt) halt -f ;;
	shell)
		echo "vmcore-guests: final_action = shell; 'exit' reboots" >/dev/console
		sh -i </dev/console >/dev/console 2>&1
		reboot -f
		;;
	*) reboot -f ;;
	esac
	# Still here: the command is missing or failed.  sysrq: o = power
	# off, b = reboot (halt has no sysrq; power off is the closest).
	case "$VG_FINAL_ACTION" in
	poweroff | halt) echo o >/proc/sysrq-trigger 2>/dev/null ;;
	*) echo b >/proc/sysrq-trigger 2>/dev/null ;;
	esac
	sleep 60
}

save_host() {
	dev=$(target_dev)
	if [ -z "$dev" ]; then
		vg_log "no dump target (dump_target empty and no root= on the command line): host vmcore NOT saved"
		return 1
	fi
	if ! wait_dev "$dev"; then
		vg_log "dump target $dev did not appear within $VG_DEVICE_TIMEOUT s: host vmcore NOT saved"
		return 1
	fi
	mkdir -p "$MNT"
	if [ "$VG_DUMP_FSTYPE" = auto ]; then
		mount "$dev" "$MNT"
	else
		mount -t "$VG_DUMP_FSTYPE" "$dev" "$MNT"
	fi || {
		vg_log "cannot mount $dev on $MNT: host vmcore NOT saved"
		return 1
	}
	DUMPDIR=$(echo "$MNT/$VG_DUMP_PATH/127.0.0.1-$(date +%Y-%m-%d-%H:%M:%S)" | tr -s /)
	mkdir -p "$DUMPDIR" || {
		vg_log "cannot create $DUMPDIR: host vmcore NOT saved"
		return 1
	}
	# shellcheck disable=SC2034 # read by vg_log
	VG_LOGFILE=$DUMPDIR/vmcore-guests.log
	vg_log "saving the host vmcore to $dev:${DUMPDIR#"$MNT"} (makedumpfile $(vg_compression_flag) -d $VG_DUMP_LEVEL)"
	t0=$(vg_uptime_cs)
	# shellcheck disable=SC2046 # the flag is one word or none
	makedumpfile $(vg_compression_flag) -d "$VG_DUMP_LEVEL" --message-level 7 \
		/proc/vmcore "$DUMPDIR/vmcore-incomplete"
	rc=$?
	vg_status "host_rc=$rc"
	if [ "$rc" != 0 ]; then
		vg_log "makedumpfile failed (exit $rc): host vmcore incomplete in ${DUMPDIR#"$MNT"}/vmcore-incomplete"
		sync
		return 1
	fi
	mv "$DUMPDIR/vmcore-incomplete" "$DUMPDIR/vmcore"
	sync
	# The host phase ends when the vmcore is on the disk (after sync).
	t1=$(vg_uptime_cs)
	vg_log "host vmcore saved: ${DUMPDIR#"$MNT"}/vmcore ($(($(stat -c %s "$DUMPDIR/vmcore") / 1048576)) MiB in $(vg_secs "$t0" "$t1") s)"
	makedumpfile --dump-dmesg /proc/vmcore "$DUMPDIR/vmcore-dmesg.txt" >/dev/null 2>&1 ||
		vg_log "makedumpfile --dump-dmesg failed (the vmcore is saved)"
	return 0
}

main() {
	vg_conf_load "$VG_CONF"
	if [ ! -e /proc/vmcore ]; then
		vg_log "no /proc/vmcore: not a capture kernel, nothing to do"
		return 0
	fi
	DUMPDIR=
	host=failed
	save_host && host=saved
	vg_status "host=$host"
	if [ -n "$DUMPDIR" ]; then
		VG_MNT=$MNT vg_run_guests "$DUMPDIR"
		vg_status "guests_rc=${VG_GUESTS_RC:-none}"
		vg_status "guests=$VG_OUTCOME"
		printf '%s' "$STATUS" >"$DUMPDIR/vmcore-guests.status"
		sync
	fi
	for hook in /etc/vmcore-guests/post.d/*; do
		[ -x "$hook" ] || continue
		vg_log "running $hook"
		VG_TARGET_MNT=$MNT "$hook" "${DUMPDIR:-}" "$host" ||
			vg_log "$hook failed (exit $?)"
	done
	final_action
}

main "$@"
