# shellcheck shell=bash
# The crash tests' verdict helpers, shared by check-vms-amd.sh and
# check-vms-intel.sh.  Sourced, never run.  Each check function prints why
# it fails (one line) and returns non-zero; check DESC FN ARGS... counts
# the result.  A helper that finds a value prints it on stdout (callers
# take it with $(...)); the only state here is the tally below.  Uses:
# $scen (scenario name for the lines), $scenarios (the chosen ones),
# $vmcsinfo, $guestcheck (lib.sh), $VG_OUT, the KG_* values of expect.env.
# shellcheck disable=SC2154 # scenarios and KG_* come from the sourcing script
nfail=0
npass=0
failed=()
scen=
declare -A timing # cycle name -> its wall time, for the summary line
ok() {
	npass=$((npass + 1))
	echo "  ok    $scen: $*"
}
bad() {
	nfail=$((nfail + 1))
	failed+=("$scen: $1")
	echo "  FAIL  $scen: $*"
}
# check DESC CMD...: ok when CMD succeeds; CMD prints why when it fails.
check() {
	local desc=$1 why
	shift
	if why=$("$@" 2>&1); then
		ok "$desc"
	else
		bad "$desc" "${why:+-- $(echo "$why" | head -5 | tr '\n' ' ')}"
	fi
}

# The layout part of a VMCSINFO descriptor (version, revision, fields,
# source): the other informational keys (CPU_*, MICROCODE) describe the
# machine that ran kexec, so they differ between L1 and the build machine.
layout() { grep -E '^(VMCSINFO_VERSION|REVISION_ID|FIELD\(|SOURCE=|AR_FORMAT=)' || true; }

same_layout() { # FILE [REF]: its layout equals REF's (default: the fixture's)
	local got want ref=${2:-$VG_OUT/fixture.vmcsinfo}
	[ -f "$1" ] || {
		echo "no $(basename "$1") (see ${1}.err)"
		return 1
	}
	got=$(layout <"$1")
	want=$(layout <"$ref" 2>/dev/null || true)
	[ -n "$want" ] || {
		echo "no reference layout in $ref (vmcsinfo show failed or is missing)"
		return 1
	}
	[ "$got" = "$want" ] || {
		echo "layout differs from $(basename "$ref"):"
		diff <(echo "$want") <(echo "$got") | head -8
		return 1
	}
}

# The VMCSINFO note of readelf -n /proc/vmcore (RESULTS/notes.readelf)
# has the layout of REF (default: the fixture's).
notes_layout() { # RESULTS [REF]
	readelf_vmcsinfo "$1/notes.readelf" "$1/notes.vmcsinfo" >/dev/null 2>&1 || {
		echo "no VMCSINFO note in readelf -n /proc/vmcore"
		return 1
	}
	same_layout "$1/notes.vmcsinfo" "${2:-}"
}

rc_is() { # FILE WANT
	local rc
	rc=$(cat "$1" 2>/dev/null || echo missing)
	[ "$rc" = "$2" ] || {
		echo "exit code $rc (want $2; $(cat "${1%.rc}.err" "${1%.rc}.log" 2>/dev/null | head -c 300 || true))"
		return 1
	}
}

# The description of the first OWNER note as readelf -n prints it
# ("description data: xx xx ..."): the hex bytes.
note_bytes() { # READELF-OUTPUT OWNER
	awk -v o="$2" '$1 == o {f=1; next} f && /description data:/ {sub(/.*description data: */,""); print; exit}' "$1"
}

# VMCSINFO descriptor as readelf -n printed it (hex bytes), as text.
readelf_vmcsinfo() { # NOTES.txt OUT
	local hex
	hex=$(note_bytes "$1" VMCSINFO)
	[ -n "$hex" ] || {
		echo "no VMCSINFO note with description data in readelf -n"
		return 1
	}
	# shellcheck disable=SC2059
	printf "$(echo "$hex" | sed -e 's/ *$//' -e 's/\([0-9a-f][0-9a-f]\) */\\x\1/g')" | tr -d '\0' >"$2"
}

readelf_has_vmcsinfo() { grep -qE '^  VMCSINFO ' "$1"; }
no_vmcsinfo_in() {
	if readelf_has_vmcsinfo "$1"; then
		echo "readelf -n shows a VMCSINFO note"
		return 1
	fi
}

# Owner + type of every note, sizes left out.
note_list() {
	awk '/^  [A-Za-z]/ && $1 != "Owner" {o=$1; $1=""; $2=""; sub(/^ +/,""); print o, $0}' "$1"
}

host_dump_ok() { # RESULTS: a saved, makedumpfile-readable kdump-compressed dump of this crash
	local r=$1
	rc_is "$r/host.kdump.rc" 0 || return 1
	[ -s "$r/host.kdump" ] || {
		echo "host.kdump missing or empty"
		return 1
	}
	rm -f "$r/host.dmesg" # makedumpfile never overwrites (a re-judged cycle)
	makedumpfile --dump-dmesg "$r/host.kdump" "$r/host.dmesg" >"$r/host.dmesg.log" 2>&1 || {
		echo "makedumpfile --dump-dmesg failed: $(tail -2 "$r/host.dmesg.log")"
		return 1
	}
	grep -q 'sysrq: Trigger a crash' "$r/host.dmesg" || {
		echo "the host dump's kernel log has no 'sysrq: Trigger a crash'"
		return 1
	}
}

saved_dump_layout() { # RESULTS [REF]: the saved dump's VMCSINFO = REF's (default: the fixture)
	[ -x "$vmcsinfo" ] || {
		echo "no $vmcsinfo"
		return 1
	}
	"$vmcsinfo" read "$1/host.kdump" >"$1/host.vmcsinfo" 2>"$1/host.vmcsinfo.err" || {
		echo "vmcsinfo read host.kdump: $(head -2 "$1/host.vmcsinfo.err")"
		return 1
	}
	same_layout "$1/host.vmcsinfo" "${2:-}"
}

saved_dump_no_vmcsinfo() { # RESULTS: vmcsinfo read finds nothing (exit 1)
	local rc=0
	[ -x "$vmcsinfo" ] || {
		echo "no $vmcsinfo"
		return 1
	}
	"$vmcsinfo" read "$1/host.kdump" >/dev/null 2>"$1/host.vmcsinfo.err" || rc=$?
	[ "$rc" = 1 ] || {
		echo "vmcsinfo read host.kdump exited $rc (want 1 = no note)"
		return 1
	}
}

guests_rc0() { # RESULTS
	rc_is "$1/guests.rc" 0 >/dev/null || {
		echo "exit code $(cat "$1/guests.rc"): $(grep -v '^ ' "$1/guests.log" | head -4 | tr '\n' ' ')"
		return 1
	}
}

# One guest of VENDOR (default svm) in report.json whose vmcore is there:
# prints that file (or why not, and fails).
one_guest() { # RESULTS [VENDOR]
	local r=$1 vendor=${2:-svm} n f
	[ -f "$r/guests/report.json" ] || {
		echo "no guests/report.json (vmcore-guests exit code $(cat "$r/guests.rc"))"
		return 1
	}
	n=$(jq '.guests | length' "$r/guests/report.json")
	[ "$n" = 1 ] || {
		echo "report.json lists $n guests (want 1)"
		return 1
	}
	[ "$(jq -r '.guests[0].vendor' "$r/guests/report.json")" = "$vendor" ] || {
		echo "guest vendor is $(jq -r '.guests[0].vendor' "$r/guests/report.json"), not $vendor"
		return 1
	}
	f=$(jq -r '.guests[0].file' "$r/guests/report.json")
	[ -f "$r/guests/$(basename "$f")" ] || {
		echo "report.json names $f, which is not in guests/"
		return 1
	}
	echo "$r/guests/$(basename "$f")"
}

# The check "one VENDOR guest, its vmcore written", then, when it passed,
# FN... GUEST.vmcore (the checks of that guest).
with_one_guest() { # RESULTS VENDOR FN...
	local r=$1 vendor=$2 g
	shift 2
	if g=$(one_guest "$r" "$vendor" 2>&1); then
		ok "vmcore-guests: one $vendor guest, its vmcore written"
		"$@" "$g"
	else
		bad "vmcore-guests: one $vendor guest, its vmcore written" "-- $g"
	fi
}

hexeq() { [ -n "$1" ] && [ "$1" != null ] && [ $(($1)) -eq $(($2)) ]; }

# The registers the tiny guest's runner set up (RIP anywhere in its loop):
# prints each of RIP RSP RFLAGS CS-SELECTOR CS-BASE that is not, as
# "name=value (want ...) ", nothing when all are.
regs_differ() { # RIP RSP RFLAGS CS-SELECTOR CS-BASE
	local err=
	{ [ "$1" != null ] && [ $(($1)) -ge $((KG_RIP_MIN)) ] && [ $(($1)) -le $((KG_RIP_MAX)) ]; } ||
		err+="rip=$1 not in [$KG_RIP_MIN,$KG_RIP_MAX] "
	hexeq "$2" "$KG_RSP" || err+="rsp=$2 (want $KG_RSP) "
	hexeq "$3" "$KG_RFLAGS" || err+="rflags=$3 (want $KG_RFLAGS) "
	hexeq "$4" "$KG_CS_SELECTOR" || err+="cs.selector=$4 (want $KG_CS_SELECTOR) "
	hexeq "$5" "$KG_CS_BASE" || err+="cs.base=$5 (want $KG_CS_BASE) "
	printf '%s' "$err"
}

report_regs() { # REPORT.json
	local j=$1 q='.guests[0].vcpus[0]' rip rsp rfl sel base lim pages err
	rip=$(jq -r "$q.regs.rip" "$j")
	rsp=$(jq -r "$q.regs.rsp" "$j")
	rfl=$(jq -r "$q.regs.rflags" "$j")
	sel=$(jq -r "$q.regs.cs.selector" "$j")
	base=$(jq -r "$q.regs.cs.base" "$j")
	lim=$(jq -r "$q.regs.cs.limit" "$j")
	pages=$(jq -r '.guests[0].memory.pages_present' "$j")
	err=$(regs_differ "$rip" "$rsp" "$rfl" "$sel" "$base")
	hexeq "$lim" "$KG_CS_LIMIT" || err+="cs.limit=$lim (want $KG_CS_LIMIT, $KG_MODE mode) "
	# At least the code page: NPT maps what the guest touched.
	{ [ "$pages" != null ] && [ "$pages" -ge 1 ]; } ||
		err+="memory.pages_present=$pages (want >= 1) "
	[ -z "$err" ] || {
		echo "$err"
		return 1
	}
}

guest_notes() { # GUEST.vmcore: one CORE/NT_PRSTATUS and one QEMU note (1 vCPU)
	local out
	out=$(readelf -n "$1") || return 1
	[ "$(grep -cE '^[[:space:]]+CORE[[:space:]]+0x[0-9a-f]+[[:space:]]+NT_PRSTATUS' <<<"$out")" = 1 ] || {
		echo "want exactly 1 CORE/NT_PRSTATUS note: $(grep -E '^  [A-Z]' <<<"$out" | tr '\n' ' ')"
		return 1
	}
	[ "$(grep -cE '^[[:space:]]+QEMU[[:space:]]+0x' <<<"$out")" = 1 ] || {
		echo "want exactly 1 QEMU note: $(grep -E '^  [A-Z]' <<<"$out" | tr '\n' ' ')"
		return 1
	}
}

gdb_regs() { # GUEST.vmcore
	local out rip rsp
	out=$(gdb -nx -batch -c "$1" -ex 'info registers' 2>&1) || true
	echo "$out" >"$1.gdb.txt"
	rip=$(awk '$1 == "rip" {print $2}' <<<"$out")
	rsp=$(awk '$1 == "rsp" {print $2}' <<<"$out")
	{ [ -n "$rip" ] && [ $((rip)) -ge $((KG_RIP_MIN)) ] && [ $((rip)) -le $((KG_RIP_MAX)) ]; } || {
		echo "gdb rip=${rip:-none} not in [$KG_RIP_MIN,$KG_RIP_MAX]: $(tail -3 <<<"$out" | tr '\n' ' ')"
		return 1
	}
	hexeq "$rsp" "$KG_RSP" || {
		echo "gdb rsp=${rsp:-none} (want $KG_RSP)"
		return 1
	}
}

# The long-mode tiny guest (kvmguest --long): 64-bit code at CPL 3, as
# report.json decodes it: CS and SS selectors and attributes (CS.L = 1,
# DPL 3), DS and ES, the CPL, CR0.PG and PE, CR3 (its tables), CR4.PAE,
# and with "efer" EFER.LME and LMA too.
report_long_mode() { # REPORT [efer]
	local q='.guests[0].vcpus[0].regs' got want cr0 cr3 cr4 efer
	got=$(jq -r "[$q.cs.selector, $q.cs.attr, $q.ss.selector, $q.ss.attr, $q.ds.attr, $q.es.attr, $q.cpl] | map(tostring) | join(\" \")" "$1")
	want=$(printf '0x%x 0x%x 0x%x 0x%x 0x%x 0x%x %d' "$KG_CS_SELECTOR" "$KG_CS_ATTR" \
		"$KG_DS_SELECTOR" "$KG_DS_ATTR" "$KG_DS_ATTR" "$KG_DS_ATTR" "$KG_CPL")
	[ "$got" = "$want" ] || {
		echo "cs.selector cs.attr ss.selector ss.attr ds.attr es.attr cpl = $got (want $want; regs_unknown: $(jq -c '.guests[0].vcpus[0].regs_unknown' "$1"))"
		return 1
	}
	got=$(jq -r "[$q.cr0, $q.cr3, $q.cr4, $q.efer] | map(tostring) | join(\" \")" "$1")
	read -r cr0 cr3 cr4 efer <<<"$got"
	{ hexeq "$cr0" "$cr0" && [ $((cr0 & 0x80000001)) -eq $((0x80000001)) ] &&
		hexeq "$cr3" "$KG_CR3" && hexeq "$cr4" "$cr4" && [ $((cr4 & 0x20)) -ne 0 ]; } || {
		echo "cr0 cr3 cr4 = $cr0 $cr3 $cr4 (want PG|PE, $KG_CR3, PAE)"
		return 1
	}
	[ "${2:-}" != efer ] || { hexeq "$efer" "$efer" && [ $((efer & 0x500)) -eq $((0x500)) ]; } || {
		echo "efer = $efer (want LME|LMA)"
		return 1
	}
}

# gdb's view of the same: CS and SS selectors (RPL 3), RFLAGS.
gdb_long_mode() { # GUEST.vmcore (after gdb_regs wrote GUEST.vmcore.gdb.txt)
	local cs ss rfl
	cs=$(awk '$1 == "cs" {print $2}' "$1.gdb.txt")
	ss=$(awk '$1 == "ss" {print $2}' "$1.gdb.txt")
	rfl=$(awk '$1 == "eflags" {print $2}' "$1.gdb.txt")
	{ hexeq "$cs" "$KG_CS_SELECTOR" && hexeq "$ss" "$KG_DS_SELECTOR" && hexeq "$rfl" "$KG_RFLAGS"; } || {
		echo "gdb cs ss eflags = ${cs:-none} ${ss:-none} ${rfl:-none} (want $KG_CS_SELECTOR $KG_DS_SELECTOR $KG_RFLAGS)"
		return 1
	}
}

mode_0600() {
	local m
	m=$(stat -c %a "$1")
	[ "$m" = 600 ] || {
		echo "mode $m"
		return 1
	}
}

# ---- the KVM walk (KVMINFO note): names, all GPRs, complete memory
# How the guests were found (report.json capture.mode, docs/report-json.md);
# in walk mode the host dump is read for the guests' pages and the walk
# only: at most 1.25 x the pages written + 48 MiB (issue 15).
capture_mode() { # REPORT MODE
	local got
	got=$(jq -r '.capture.mode' "$1" 2>&1)
	[ "$got" = "$2" ] || {
		echo "capture.mode $got (want $2): $(jq -r '.capture.why' "$1" 2>&1)"
		return 1
	}
	[ "$2" = walk ] || return 0
	jq -e '.capture.host_bytes_read <=
		([.guests[].memory.pages_present] | add // 0) * 4096 * 1.25 + 48 * 1048576' \
		"$1" >/dev/null || {
		echo "read $(jq .capture.host_bytes_read "$1") bytes of the host dump for $(jq '[.guests[].memory.pages_present] | add' "$1") guest pages"
		return 1
	}
}

kvm_walked() { # REPORT
	[ "$(jq -r '.kvm.walked' "$1")" = true ] || {
		echo "the KVM walk did not run: $(jq -r '.kvm.status' "$1")"
		return 1
	}
}

# No note and no carrier: the walk ran on the dump's own description.
kvm_from_dump() { # REPORT
	jq -e '.kvm.walked and .kvm.source == "dump" and
		.kvm.note_dump_differences == null' "$1" >/dev/null || {
		echo "kvm: $(jq -c '.kvm | {walked, source, status, dump_description}' "$1" 2>&1)"
		return 1
	}
}

# The tiny guest's runner passes no -name: named <argv0>-<pid>, from KVM.
tiny_named() { # REPORT GUEST.vmcore
	local n s
	n=$(jq -r '.guests[0].name' "$1")
	s=$(jq -r '.guests[0].source' "$1")
	{ [[ $n == kvmguest-[0-9]* ]] && [ "$s" = kvm ]; } || {
		echo "guest named '$n' from '$s' (want kvmguest-<pid> from kvm; $(jq -r '.guests[0].note' "$1"))"
		return 1
	}
	[ "$(basename "$2")" = "$n.vmcore" ] || {
		echo "file $(basename "$2") is not $n.vmcore"
		return 1
	}
}

GPRS="rbx rcx rdx rsi rdi rbp r8 r9 r10 r11 r12 r13 r14 r15"

# Every GPR the runner set; RAX as set or with the bits the loop flips
# (the low 16 in real mode, the low 32 in long mode) flipped.
report_gprs() { # REPORT
	local r v want err=
	for r in $GPRS; do
		v=$(jq -r ".guests[0].vcpus[0].regs.$r" "$1")
		want=KG_${r^^}
		hexeq "$v" "${!want}" || err+="$r=$v (want ${!want}) "
	done
	v=$(jq -r '.guests[0].vcpus[0].regs.rax' "$1")
	{ [ "$v" != null ] && [ $((v & ~KG_RAX_FLIP)) -eq $((KG_RAX & ~KG_RAX_FLIP)) ] &&
		{ [ $((v & KG_RAX_FLIP)) -eq $((KG_RAX & KG_RAX_FLIP)) ] ||
			[ $((v & KG_RAX_FLIP)) -eq $((~KG_RAX & KG_RAX_FLIP)) ]; }; } ||
		err+="rax=$v (want $KG_RAX, its bits $KG_RAX_FLIP flipped or not) "
	[ -z "$err" ] || {
		echo "$err"
		return 1
	}
}

gdb_gprs() { # GUEST.vmcore (after gdb_regs wrote GUEST.vmcore.gdb.txt)
	local r v want err=
	for r in $GPRS; do
		v=$(awk -v r="$r" '$1 == r {print $2}' "$1.gdb.txt")
		want=KG_${r^^}
		hexeq "$v" "${!want}" || err+="$r=${v:-none} (want ${!want}) "
	done
	[ -z "$err" ] || {
		echo "gdb: $err"
		return 1
	}
}

# Each vCPU the walk found has its thread and a last-ran figure.
last_ran_all() { # REPORT
	jq -e '[.guests[] | select(.source == "kvm") | .vcpus[]] as $v |
		($v | length) > 0 and
		($v | all(.kvm.thread.tid != null and
			  .kvm.thread.last_ran_ns_before_crash != null))' \
		"$1" >/dev/null || {
		echo "vCPUs without thread/last-ran: $(jq -c '[.guests[].vcpus[] | {name: .index, thread: .kvm.thread}]' "$1" | head -c 300)"
		return 1
	}
}

# The KVM walk's part of the tiny guest's verdict: named from the walk,
# every GPR (report and gdb), the vCPU thread, all of the runner's pages
# (memslots, not only what EPT/NPT maps).
tiny_walk_checks() { # REPORT GUEST.vmcore (gdb_regs has run on it)
	check "KVM walk ran" kvm_walked "$1"
	check "guest named after its process (kvmguest-<pid>), from the KVM walk" tiny_named "$1" "$2"
	check "report.json: every GPR the runner set (rbx..r15, rax)" report_gprs "$1"
	check "gdb -c guest vmcore: every GPR the runner set" gdb_gprs "$2"
	check "report.json: thread and last-ran figures for every vCPU" last_ran_all "$1"
	check "guest memory: all $KG_PAGES pages with their markers, code bytes at 0x${KG_CODE_GPA#0x}" "$guestcheck" "$2"
}

# The dracut capture writes a kdump-style tree on the results disk:
# var/crash/127.0.0.1-<date>/{vmcore,vmcore-dmesg.txt,guests/,
# vmcore-guests.log,vmcore-guests.status}, and the test's post.d hook puts
# its collection (notes.readelf, vmcsinfo.read, carrier.ls, dmesg.txt,
# dumpdir, done) at the top.  The checks read host.kdump, guests/ and
# their .rc/.log at the top: link them there.
adapt_results() { # RESULTS
	local r=$1 d st
	[ -s "$r/dumpdir" ] || return 0
	d=$(cat "$r/dumpdir")
	st=$r/$d/vmcore-guests.status
	ln -sfn "$d/vmcore" "$r/host.kdump"
	ln -sfn "$d/guests" "$r/guests"
	[ -d "$r/$d/guests-elf" ] && ln -sfn "$d/guests-elf" "$r/guests-elf"
	ln -sfn "$d/vmcore-guests.log" "$r/guests.log"
	sed -n 's/^host_rc=//p' "$st" >"$r/host.kdump.rc" 2>/dev/null || true
	sed -n 's/^guests_rc=//p' "$st" >"$r/guests.rc" 2>/dev/null || true
	cp "$r/$d/vmcore-guests.log" "$r/host.kdump.log" 2>/dev/null || true
}

# The capture ran in order and ended with its final action: console
# lines "host vmcore saved", then the outcome line WANT (a pattern), then
# "final action: poweroff", and QEMU exited by itself (no timeout).
capture_flow() { # CYCLE-OUTDIR WANT
	local c=$1/console.log h o f rc
	h=$(grep -an 'vmcore-guests: host vmcore saved' "$c" | head -1 | cut -d: -f1)
	o=$(grep -anE "vmcore-guests: $2" "$c" | head -1 | cut -d: -f1)
	f=$(grep -an 'vmcore-guests: final action: poweroff' "$c" | head -1 | cut -d: -f1)
	rc=$(sed -n 's/^qemu_rc=//p' "$1/timings.txt")
	[ -n "$h" ] || {
		echo "no 'host vmcore saved' line on the console"
		return 1
	}
	[ -n "$o" ] || {
		echo "no outcome line matching '$2'; got: $(grep -a 'vmcore-guests: guests' "$c" | head -2 | tr '\n' ' ')"
		return 1
	}
	[ -n "$f" ] || {
		echo "no 'final action: poweroff' line"
		return 1
	}
	if [ "$h" -gt "$o" ] || [ "$o" -gt "$f" ]; then
		echo "out of order: host saved at line $h, outcome at $o, final action at $f"
		return 1
	fi
	# QEMU runs with -no-reboot: 0 means the capture kernel powered off
	# (Bochs' exit code says nothing: a reboot is caught by run-bochs.sh).
	[ -z "$rc" ] || [ "$rc" = 0 ] || {
		echo "QEMU exit code $rc (want 0: powered off by the capture kernel)"
		return 1
	}
}

logs_0600() { # RESULTS
	local f
	for f in "$1/$(cat "$1/dumpdir")"/vmcore-guests.log "$1/$(cat "$1/dumpdir")"/vmcore-guests.status; do
		mode_0600 "$f" || {
			echo "  ($f)"
			return 1
		}
	done
}

# The outcome line is in the dump's own log and in the capture kernel's
# kernel log (so kdump's saved dmesg has it too).
outcome_logged() { # RESULTS WANT
	local r=$1 d
	d=$r/$(cat "$r/dumpdir" 2>/dev/null)
	grep -qE "vmcore-guests: $2" "$d/vmcore-guests.log" 2>/dev/null || {
		echo "not in $d/vmcore-guests.log"
		return 1
	}
	grep -qE "vmcore-guests: $2" "$r/dmesg.txt" 2>/dev/null || {
		echo "not in the capture kernel's dmesg"
		return 1
	}
}

# ------------------------------------------------ cycles and scenarios

# An L1 that the emulator froze (run-vm.sh's deadline passed without
# PANIC_NOW), that crashed on its own before PANIC_NOW (vm_finish's
# l1-crashed: a capture of the wrong moment, seen once in CI under nested
# SVM), or whose tiny guest died of the emulator's glitches (vm_finish's
# guest-glitched, seen once in CI in D) gets one more try, unless it
# happened inside the crash kernel load: before the crash only the load
# is ours (KEXEC_LOAD .. KEXEC_LOADED), the rest is the test's own setup
# (booting L1, starting the guests).  A freeze or crash inside the load
# is a failure.  The failed attempt stays in OUTDIR.froze/ and the
# timings say so.
froze_in_load() { # CONSOLE
	grep -aq 'VGTEST: KEXEC_LOAD ' "$1" && ! grep -aq 'VGTEST: KEXEC_LOADED' "$1"
}

# run_cycle RUNNER OUTDIR L1-IMAGE cmdline...: one crash cycle with
# test-vms/RUNNER (run-vm.sh or run-bochs.sh) into OUTDIR, its results
# adapted for the checks (adapt_results), its wall time in timing[].  A
# failed cycle is a failed check.  VG_JUDGE_ONLY=1: no new cycle, the last
# one's results are judged again (development).
run_cycle() {
	local runner=$1 dir=$2 image=$3 name ok=0 retried=
	shift 3
	name=$(basename "$dir")
	if [ "${VG_JUDGE_ONLY:-0}" = 1 ]; then
		[ -f "$dir/results/done" ] && ok=1
	else
		rm -rf "$dir.froze"
		"$TV_DIR/$runner" "$dir" "$image" "$@" && ok=1
		if [ $ok = 0 ] && ! froze_in_load "$dir/console.log" &&
			{ [ -f "$dir/l1-froze" ] || [ -f "$dir/l1-crashed" ] || [ -f "$dir/guest-glitched" ]; }; then
			retried=+retry
			mv "$dir" "$dir.froze"
			echo "${tv_prog%.sh}: $name: $(cat "$dir.froze/l1-froze" "$dir.froze/l1-crashed" "$dir.froze/guest-glitched" 2>/dev/null) (emulator); once more"
			"$TV_DIR/$runner" "$dir" "$image" "$@" && ok=1
			echo "retried_after=$dir.froze" >>"$dir/timings.txt"
		fi
	fi
	# Emulator glitches the L1 worked around (an L2 QEMU started again):
	# said in the test's output, not only in the console log.
	grep -a 'NOTE emulator glitch' "$dir/console.log" 2>/dev/null |
		sed "s/^\[[^]]*\] /${tv_prog%.sh}: $name: /"
	grep -aq 'VGTEST: L2_RESTARTED' "$dir/console.log" 2>/dev/null && retried=$retried+l2restart
	if [ $ok = 1 ]; then
		timing[$name]=$(sed -n 's/^wall=//p' "$dir/timings.txt")s$retried
		adapt_results "$dir/results"
		return 0
	fi
	timing[$name]="$(sed -n 's/^wall=//p' "$dir/timings.txt" 2>/dev/null)s$retried(failed)"
	bad "crash cycle" "(console: $dir/console.log)"
	return 1
}

# cycle_times: "NAME=WALLs ..." for the cycles that ran.
cycle_times() {
	local n
	for n in "${!timing[@]}"; do
		printf '%s=%s ' "$n" "${timing[$n]}"
	done
}

has_scen() { case " $scenarios " in *" $1 "*) return 0 ;; esac; return 1; }

# run_scenarios KNOWN: scenario_S for each S in $scenarios, in that order;
# a name not in KNOWN ends the test.
run_scenarios() {
	local s
	for s in $scenarios; do
		case " $1 " in
		*" $s "*) "scenario_$s" ;;
		*) die "unknown scenario '$s' (the scenarios: $1)" ;;
		esac
	done
}

# verdicts_exit MISSING: the failed checks and the missing pieces (lines,
# from vg_pieces), then exit 1 if there are any.
verdicts_exit() {
	local f
	if [ "$nfail" -gt 0 ] || [ -n "$1" ]; then
		for f in "${failed[@]}"; do
			echo "   failed: $f"
		done
		[ -z "$1" ] || echo "   (pieces missing: ${1//$'\n'/ })"
		exit 1
	fi
}
