#!/bin/bash
# Shell-level tests of the capture-side integration (no VM): the config
# parser, kdump-utils' dump-directory discovery, the post.d hook with
# fake vmcore-guests programs (fine, crashing, hanging), the Debian
# kdump-tools ExecStart (host dump first, guests, then the reboot), the
# udev reload's coalescing and the dracut module's check().
# Run by "make check-hooks" (part of make check).  Prints
# "hooks: N passed, N failed".
# The checks are eval'd strings and fake programs: single quotes on purpose.
# shellcheck disable=SC2016
set -uo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
MOD=$TOP/dracut-module/99vmcore-guests
HOOKS=$TOP/kdump-hooks
T=$(mktemp -d /tmp/vg-hooks-XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
export VG_NO_KMSG=1

npass=0
nfail=0
ok() {
	npass=$((npass + 1))
	echo "  ok    $*"
}
bad() {
	nfail=$((nfail + 1))
	echo "  FAIL  $*"
}
# t DESC CMD...: CMD must succeed.
t() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
eq() { # GOT WANT
	[ "$1" = "$2" ] && return 0
	echo "      got:  '$1'"
	echo "      want: '$2'"
	return 1
}
has() { # FILE-OR-STRING PATTERN: grep -q in a file
	grep -q -- "$2" "$1" && return 0
	echo "      '$2' not in $1:"
	sed 's/^/        /' "$1" | head -20
	return 1
}

# shellcheck source-path=SCRIPTDIR source=../../dracut-module/99vmcore-guests/vmcore-guests-lib.sh
. "$MOD/vmcore-guests-lib.sh"

# ------------------------------------------------------------------ config
echo "== config parsing"
vg_conf_load "$T/no-such-file" 2>/dev/null
t "missing file: defaults" eq "$VG_ENABLE $VG_GUESTS $VG_TIME_BUDGET $VG_RESERVE $VG_COMPRESSION $VG_FINAL_ACTION $VG_CONF_ERRORS" \
	"yes all 300 256 lzo reboot 0"
t "the shipped config parses cleanly, to the defaults" \
	eval 'vg_conf_load "$HOOKS/vmcore-guests.conf" 2>"$T/err"; eq "$VG_CONF_ERRORS $VG_ENABLE $VG_TIME_BUDGET $VG_DUMP_PATH $VG_DUMP_LEVEL" "0 yes 300 /var/crash 31"'
cat >"$T/conf" <<'EOF'
# comment
  enable=no   # trailing comment
guests =  web1, db2   x
time_budget = 45
reserve=1024
progress = false
scan = yes
compression = zstd
dump_target = LABEL=crash
dump_fstype = ext4
dump_path = /srv/dumps
dump_level = 17
final_action = poweroff
EOF
vg_conf_load "$T/conf" 2>"$T/err"
t "every key read" eq "$VG_ENABLE|$VG_GUESTS|$VG_TIME_BUDGET|$VG_RESERVE|$VG_PROGRESS|$VG_SCAN|$VG_COMPRESSION|$VG_DUMP_TARGET|$VG_DUMP_FSTYPE|$VG_DUMP_PATH|$VG_DUMP_LEVEL|$VG_FINAL_ACTION|$VG_CONF_ERRORS" \
	"no|web1,db2,x|45|1024|no|yes|zstd|LABEL=crash|ext4|/srv/dumps|17|poweroff|0"
t "compression maps to makedumpfile's flag" eq "$(vg_compression_flag)" "-z"
cat >"$T/conf" <<'EOF'
time_budget = 10m
reserve = -5
dump_level = 32
compression = gzip
final_action = explode
guests = a;rm -rf /
dump_path = relative
colour = blue
just a line
EOF
vg_conf_load "$T/conf" 2>"$T/err"
t "bad values: 9 errors, defaults kept" eq "$VG_CONF_ERRORS|$VG_TIME_BUDGET|$VG_RESERVE|$VG_DUMP_LEVEL|$VG_COMPRESSION|$VG_FINAL_ACTION|$VG_GUESTS|$VG_DUMP_PATH" \
	"9|300|256|31|lzo|reboot|all|/var/crash"
t "each bad line is reported with its line number" has "$T/err" "conf:8: unknown key 'colour' (ignored)"
t "guest core collector: lzo at level 31 by default" eq "$VG_GUEST_COLLECTOR" "--dump-level 31 --compress lzo"
for c in "--compress=zstd --dump-level=17|--dump-level 17 --compress zstd" \
	"--dump-level 1|--dump-level 1" "|" "--compress none|--compress none"; do
	printf 'guest_core_collector = %s\n' "${c%%|*}" >"$T/conf"
	vg_conf_load "$T/conf" 2>"$T/err"
	t "guest_core_collector '${c%%|*}'" eq "$VG_GUEST_COLLECTOR|$VG_CONF_ERRORS" "${c#*|}|0"
done
for c in "--dump-level 31" "--dump-level 31 --compress none" "--compress gzip" \
	"--dump-level 40 --compress lzo" "--dump-level" "-d 31 -l" \
	"--compress lzo --compress zlib" "--dump-level 31 --compress lzo; reboot"; do
	printf 'guest_core_collector = %s\n' "$c" >"$T/conf"
	vg_conf_load "$T/conf" 2>"$T/err"
	t "bad guest_core_collector '$c': default kept, reported" eq \
		"$VG_GUEST_COLLECTOR|$VG_CONF_ERRORS|$(grep -c guest_core_collector "$T/err")" \
		"--dump-level 31 --compress lzo|1|1"
done
printf 'time_budget = 7' >"$T/conf" # no final newline
vg_conf_load "$T/conf" 2>/dev/null
t "last line without a newline is read" eq "$VG_TIME_BUDGET" 7

# ------------------------------------------------- kdump-utils dump dirs
echo "== kdump-utils: dump directory discovery"
R=$T/root
mkdir -p "$R/etc" "$R/proc" "$R/kdumproot/mnt/crash/192.168.1.5-2026-11-20-10:00:00" \
	"$R/kdumproot/mnt/crash/127.0.0.1-2026-11-21-21:30:00" \
	"$R/kdumproot/mnt/crash/127.0.0.1-2026-11-21-21:40:00"
cat >"$R/etc/kdump.conf" <<'EOF'
ext4 /dev/disk/by-uuid/1234
path /crash
core_collector makedumpfile -l --message-level 7 -d 31
EOF
echo "/dev/vdb /kdumproot/mnt ext4 rw 0 0" >"$R/proc/mounts"
d=$R/kdumproot/mnt/crash
: >"$d/192.168.1.5-2026-11-20-10:00:00/vmcore"
: >"$d/127.0.0.1-2026-11-21-21:30:00/vmcore-incomplete"
touch -d '2026-11-20 10:00' "$d/192.168.1.5-2026-11-20-10:00:00"
touch -d '2026-11-21 21:30' "$d/127.0.0.1-2026-11-21-21:30:00"
# Newest, but no dump in it: not ours.
touch -d '2026-11-21 21:40' "$d/127.0.0.1-2026-11-21-21:40:00"
t "newest directory with a vmcore under the target's mount + path" \
	eq "$(vg_find_kdump_dumpdir "$R" 2>&1)" "$d/127.0.0.1-2026-11-21-21:30:00"
: >"$d/127.0.0.1-2026-11-21-21:40:00/vmcore"
touch -d '2026-11-21 21:40' "$d/127.0.0.1-2026-11-21-21:40:00"
t "a vmcore in the newest one: that one" \
	eq "$(vg_find_kdump_dumpdir "$R" 2>&1)" "$d/127.0.0.1-2026-11-21-21:40:00"
R2=$T/root2
mkdir -p "$R2/etc" "$R2/proc" "$R2/sysroot/var/crash/127.0.0.1-2026-11-21-22:00:00"
: >"$R2/sysroot/var/crash/127.0.0.1-2026-11-21-22:00:00/vmcore"
: >"$R2/proc/mounts"
t "no kdump.conf: /var/crash on /sysroot" \
	eq "$(vg_find_kdump_dumpdir "$R2" 2>&1)" "$R2/sysroot/var/crash/127.0.0.1-2026-11-21-22:00:00"
printf 'ssh kdump@backup\npath /var/crash\n' >"$R2/etc/kdump.conf"
t "ssh target: none, and it says why" eval \
	'! out=$(vg_find_kdump_dumpdir "$R2" 2>&1) && [[ $out == *"ssh target"* ]]'
printf 'path /elsewhere\n' >"$R2/etc/kdump.conf"
t "nothing under the configured path: none" eval '! vg_find_kdump_dumpdir "$R2" >/dev/null 2>&1'

echo "== kdump-tools: dump directory discovery"
mkdir -p "$T/var-crash/202611202100" "$T/var-crash/202611212130" "$T/var-crash/kexec_cmd.d"
: >"$T/var-crash/202611202100/dump.202611202100"
: >"$T/var-crash/202611212130/dump.202611212130"
touch -d '2026-11-20 21:00' "$T/var-crash/202611202100"
t "newest stamp directory with a dump" eq "$(vg_find_stamp_dumpdir "$T/var-crash")" "$T/var-crash/202611212130"

# ---------------------------------------------------- the post.d hook
echo "== kdump-utils post.d hook"
fakebin=$T/bin
mkdir -p "$fakebin"
# A well-behaved fake: records its arguments, writes a report.
cat >"$fakebin/vg-ok" <<'EOF'
#!/bin/sh
echo "$*" >"$VG_ARGS_OUT"
for last; do :; done
mkdir -p "$last"
echo "vmcore-guests: svm-1000: 100% 1/1 MiB 9.0 MiB/s, done" >&2
cat >"$last/report.json" <<'J'
{
  "limits": {
    "stopped": false,
    "reason": null
  },
  "guests": [
    {
      "vendor": "svm",
      "written": true,
      "partial": false,
      "skipped": false
    }
  ]
}
J
exit 0
EOF
printf '#!/bin/sh\nkill -SEGV $$\n' >"$fakebin/vg-segv"
printf '#!/bin/sh\nexec sleep 60\n' >"$fakebin/vg-hang"
chmod +x "$fakebin"/*
: >"$T/vmcore"
printf 'PRETEND-NOTES' >"$T/loadtime.notes"
cat >"$T/hook.conf" <<'EOF'
guests = web1 db2
time_budget = 2
kill_grace = 1
reserve = 64
EOF
hook() { # BIN STATUS: run the hook, output in $T/hook.out
	VG_LIBDIR=$MOD VG_CONF=$T/hook.conf VG_ROOT=$R VG_VMCORE=$T/vmcore \
		VG_BIN=$fakebin/$1 VG_NOTES=$T/loadtime.notes VG_ARGS_OUT=$T/args \
		"$HOOKS/kdump-post.d-vmcore-guests" "$2" >"$T/hook.out" 2>&1
}
dd=$d/127.0.0.1-2026-11-21-21:40:00
t "hook exits 0" hook vg-ok 0
t "vmcore-guests got the limits, the guest list, the carrier" has "$T/args" \
	"^--time-budget 2 --reserve 64 --dump-level 31 --compress lzo --progress --only web1,db2 --notes $T/loadtime.notes $T/vmcore $dd/guests\$"
t "carrier copied beside the host dump, 0600" eval \
	'[ "$(cat "$dd/loadtime.notes")" = PRETEND-NOTES ] && [ "$(stat -c %a "$dd/loadtime.notes")" = 600 ]'
t "progress line on the console" has "$T/hook.out" "svm-1000: 100% 1/1 MiB"
t "one outcome line" has "$T/hook.out" "vmcore-guests: guests saved in $dd/guests: 1 of 1 written (0 partial, 0 skipped) in [0-9]*\.[0-9][0-9] s, exit 0; the host vmcore is unaffected"
t "the sync after the guests, timed" has "$T/hook.out" "the guests' files are on the disk (sync [0-9]*\.[0-9][0-9] s)"
t "log file in the dump directory" has "$dd/vmcore-guests.log" "guests saved in"
t "  ... mode 0600" eq "$(stat -c %a "$dd/vmcore-guests.log")" 600
t "crashing vmcore-guests: hook still exits 0" hook vg-segv 0
t "crash is named in the outcome line" has "$T/hook.out" "guests not saved: vmcore-guests crashed (signal 11)"
t "hanging vmcore-guests: hook still exits 0" hook vg-hang 0
t "killed at budget + grace, said so" has "$T/hook.out" "guests not saved: vmcore-guests killed after [34]\.[0-9][0-9] s (limit: time budget 2 s + 1 s grace, then SIGTERM, SIGKILL 5 s later)"
t "  ... without the shell's job notice" eval '! grep -q Killed "$T/hook.out"'
printf '#!/bin/sh\ntrap "" TERM\nsleep 60 & wait; wait\n' >"$fakebin/vg-hang-hard"
chmod +x "$fakebin/vg-hang-hard"
t "vmcore-guests ignoring SIGTERM: hook still exits 0" hook vg-hang-hard 0
t "  ... killed with SIGKILL 5 s later, said so" has "$T/hook.out" "killed after [89]\.[0-9][0-9] s"
mkdir -p "$T/slowsync"
printf '#!/bin/sh\nexec sleep 30\n' >"$T/slowsync/sync"
chmod +x "$T/slowsync/sync"
t0=$(date +%s)
t "hanging sync after the guests: hook still exits 0" eval 'PATH=$T/slowsync:$PATH hook vg-ok 0'
t "  ... waited no longer than the 1 s kill grace, said so" eval \
	'[ $(($(date +%s) - t0)) -lt 10 ] && grep -q "not yet on the disk after 1 s of sync" "$T/hook.out"'
t "  ... and the outcome line still came" has "$T/hook.out" "guests saved in $dd/guests: 1 of 1 written"
t "failed host dump: still tries, says so" hook vg-ok 1
t "  ... and the status is in the log" has "$T/hook.out" "dump status 1"
printf 'time_budget = 2\nkill_grace = 1\nreserve = 64\nscan = yes\ncheck_note = yes\n' >"$T/hook.conf"
t "scan = yes, check_note = yes: hook exits 0" hook vg-ok 0
t "  ... vmcore-guests got --scan --check-note" has "$T/args" "^--time-budget 2 --reserve 64 --dump-level 31 --compress lzo --progress --scan --check-note --notes "
echo "enable = no" >"$T/hook.conf"
t "disabled: exit 0" hook vg-ok 0
t "  ... says disabled" has "$T/hook.out" "disabled in"

# ------------------------------------------- Debian kdump-tools ExecStart
echo "== kdump-tools ExecStart with the drop-in"
K=$T/kt
mkdir -p "$K/crash"
cat >"$K/defaults" <<EOF
USE_KDUMP=1
KDUMP_COREDIR=$K/crash
KDUMP_FAIL_CMD="echo FAILCMD >>$K/order"
EOF
cat >"$K/kdump-config" <<EOF
#!/bin/sh
[ "\$1" = savecore ] || exit 9
echo "savecore" >>$K/order
s=\$(date +%Y%m%d%H%M)
mkdir -p "$K/crash/\$s" && : >"$K/crash/\$s/dump.\$s"
exit \${SAVE_RC:-0}
EOF
cat >"$K/vg" <<EOF
#!/bin/sh
echo "guests \$*" >>$K/order
EOF
printf '#!/bin/sh\necho "init $*" >>%s/order\n' "$K" >"$K/init"
chmod +x "$K/kdump-config" "$K/vg" "$K/init"
printf 'time_budget = 5\n' >"$K/conf"
kt() { # run the ExecStart replacement
	: >"$K/order"
	KDUMP_DEFAULTS=$K/defaults KDUMP_INIT=$K/init KDUMP_SCRIPT=$K/kdump-config \
		VG_VMCORE=$1 VG_REBOOT="echo REBOOT" VG_LIBDIR=$MOD VG_CONF=$K/conf \
		VG_BIN=$K/vg VG_NOTES=/nonexistent \
		"$HOOKS/debian/vmcore-guests-kdump-tools" >>"$K/order" 2>"$K/err"
}
echo x >"$K/vmcore"
kt "$K/vmcore"
t "order: savecore, guests into the new stamp dir, reboot" eval \
	'sed "s/^Starting kdump-tools: //" "$K/order" | grep -E "^(savecore|guests|REBOOT|FAILCMD|init)" | sed "s/ .*//" | tr "\n" " " | grep -qx "savecore guests REBOOT "'
t "guests go to <stampdir>/guests" has "$K/order" "^guests --time-budget 5 .* $K/vmcore $K/crash/2[0-9]*/guests\$"
SAVE_RC=1 kt "$K/vmcore"
t "savecore failed: guests, then KDUMP_FAIL_CMD, no reboot" eval \
	'sed "s/^Starting kdump-tools: //" "$K/order" | grep -E "^(savecore|guests|REBOOT|FAILCMD)" | sed "s/ .*//" | tr "\n" " " | grep -qx "savecore guests FAILCMD "'
kt "$K/no-vmcore"
t "normal boot: the original init script loads kdump" eval \
	'[ "$(grep -v "^$" "$K/order")" = "init start" ]'

# ----------------------------------------------------------- udev reload
echo "== udev rule: kdump reload"
U=$T/udev
mkdir -p "$U/bin" "$U/systemd"
for c in systemd-run kdumpctl kdump-config logger; do
	printf '#!/bin/sh\necho "%s $*" >>%s/calls\n' "$c" "$U" >"$U/bin/$c"
done
printf '#!/bin/sh\n[ "$3" = "$ACTIVE" ]\n' >"$U/bin/systemctl"
chmod +x "$U/bin"/*
reload() {
	PATH=$U/bin:$PATH VG_STATE_DIR=$U/state VG_SYSTEMD_DIR=$U/systemd \
		"$HOOKS/udev/vmcore-guests-kdump-reload" "$@"
}
: >"$U/calls"
reload request kvm_intel
reload request vmcsinfo_intel
t "two module loads: one reload scheduled (systemd-run --on-active)" eval \
	'[ "$(grep -c "^systemd-run .*--on-active=5 .*vmcore-guests-kdump-reload run" "$U/calls")" = 1 ]'
t "  ... the second one says it is coalesced" has "$U/calls" "already pending (vmcsinfo_intel loaded)"
: >"$U/calls"
ACTIVE=kdump.service reload run
t "run, kdump-utils active: kdumpctl reload" has "$U/calls" "^kdumpctl reload"
reload request kvm_amd
t "after the run a new load schedules again" has "$U/calls" "^systemd-run"
: >"$U/calls"
ACTIVE=kdump-tools.service reload run
t "run, kdump-tools active: kdump-config try-reload" has "$U/calls" "^kdump-config try-reload"
: >"$U/calls"
ACTIVE=none reload run
t "run, kdump inactive: nothing reloaded" eval '! grep -qE "^(kdumpctl|kdump-config)" "$U/calls"'
t "the rule matches the three modules and runs the script" has \
	"$HOOKS/udev/90-vmcore-guests-kdump-reload.rules" \
	'^ACTION=="add", SUBSYSTEM=="module", KERNEL=="kvm_intel|kvm_amd|vmcsinfo_intel", RUN+="/usr/lib/vmcore-guests/vmcore-guests-kdump-reload request %k"$'

# ------------------------------------------------------- dracut check()
echo "== dracut module check()"
mcheck() { (
	# shellcheck source-path=SCRIPTDIR source=../../dracut-module/99vmcore-guests/module-setup.sh
	. "$MOD/module-setup.sh"
	check
); }
t "IN_KDUMP set: 0 (pulled into kdump images)" eval 'IN_KDUMP=1 mcheck'
t "IN_KDUMP unset: 255 (only when asked for)" eval 'IN_KDUMP= mcheck; [ $? = 255 ]'

# --------------------------------------------------------------- shellcheck
if command -v shellcheck >/dev/null 2>&1; then
	echo "== shellcheck"
	t "shellcheck: module, hooks, capture script" shellcheck -x \
		"$MOD"/*.sh "$HOOKS/kdump-post.d-vmcore-guests" \
		"$HOOKS/debian/vmcore-guests-kdump-tools" "$HOOKS/udev/vmcore-guests-kdump-reload"
fi

echo "hooks: $npass passed, $nfail failed"
[ "$nfail" = 0 ]
