#!/bin/bash
# make demo: install what is needed, build, crash a KVM host under QEMU
# (nested AMD SVM) that runs a Linux guest and a tiny guest, and show what
# the capture kernel recovered: the host dump, one vmcore per guest with
# its registers at the crash, and the end of the Linux guest's kernel log
# read back from its recovered vmcore (filtered and compressed like the
# host's, by default) with makedumpfile --dump-dmesg.
#
# This is scenario D of the crash test (docs/testing.md): the capture
# initramfs is built by real dracut with our 99vmcore-guests module in
# standalone mode, which saves the host vmcore, then the guests, then
# powers off, by itself (docs/integration.md).
# ls -l output is shown to the reader as it is.
# shellcheck disable=SC2012
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

say() { printf '\n== %s\n' "$*"; }
die() {
	echo "demo: $*" >&2
	exit 1
}

say "installing dependencies (make deps)"
make -s deps
say "building vmcore-guests, vmcsinfo, the patched kexec-tools, fetching the test kernel (and its debug vmlinux, for crash)"
make -s -j2 all
make -s kexec-tools test-vms-kernel test-vms-dbg

say "crash cycle: L1 KVM host under QEMU TCG, Linux L2 guest + tiny guest, sysrq crash"
if ! VG_SCENARIOS=D test-vms/check-vms-amd.sh; then
	die "the crash cycle failed; console log: test-vms/out/D/console.log"
fi

r=$top/test-vms/out/D/results
rep=$r/guests/report.json
[ -f "$rep" ] || die "no report.json in $r/guests"

dumpdir=$r/$(cat "$r/dumpdir")
say "what the capture kernel said (console, dracut + 99vmcore-guests)"
# Each line is also in the kernel log (for kdump's saved dmesg), which
# echoes it on the console a second time: show the first copy only.
grep -a 'vmcore-guests: ' "$top/test-vms/out/D/console.log" | grep -av '^\[[ 0-9.]*\] \[ *[0-9]*\.[0-9]*\] ' |
	sed 's/^\[ *\([0-9.]*\)\] /  +\1s /'

say "host vmcore, saved first (makedumpfile -l -d 31 in the capture kernel)"
echo "dump directory on the dump target: /$(cat "$r/dumpdir")"
ls -l "$dumpdir" | sed 's/^/  /'
echo "VMCSINFO note in the host dump (load-time layout, here a fixture tree):"
build/bin/vmcsinfo read "$r/host.kdump" | sed -n '1,3p;$p'

say "guest vmcores written by vmcore-guests /proc/vmcore in the capture kernel"
jq -r '.guests[] | "\(.name)\t\(.vendor)\t\(.file)\tpages present \(.memory.pages_present)"' "$rep" |
	while IFS=$'\t' read -r name vendor file pages; do
		echo "guest $name ($vendor): $dumpdir/guests/$file, $pages"
		ls -l "$dumpdir/guests/$file" | sed 's/^/  /'
	done

say "registers at the crash, and what each vCPU was doing (report.json)"
jq -r '.guests[] | .name as $n | .vcpus[] |
	"\($n) vcpu \(.index): rip \(.regs.rip) rsp \(.regs.rsp) rflags \(.regs.rflags) cr3 \(.regs.cr3) cs \(.regs.cs.selector):\(.regs.cs.base)",
	"  last exit \(.exit_reason) (\(.exit_reason_name // "?")), \(.kvm.mode // "mode unknown")" +
	(if .kvm.thread.last_ran_seconds_before_crash != null
	 then ", thread \(.kvm.thread.tid) last ran \(.kvm.thread.last_ran_seconds_before_crash) s before the crash"
	 else "" end)' "$rep"

say "the Linux guest's kernel log, recovered from its vmcore (makedumpfile --dump-dmesg, last lines)"
shown=0
log=$(mktemp)
for f in "$r"/guests/*.vmcore; do
	if makedumpfile --dump-dmesg "$f" "$log" >/dev/null 2>&1 && [ -s "$log" ]; then
		echo "$(basename "$f") (kdump-compressed, dump level 31, lzo):"
		tail -n 8 "$log" | sed 's/^/  /'
		shown=1
	fi
done
rm -f "$log"
[ $shown = 1 ] || die "makedumpfile --dump-dmesg read no guest vmcore"

say "crash(8) on the Linux guest's filtered, compressed vmcore (the test kernel's debug vmlinux)"
out=$r/guests/vgtest-l2.vmcore.crash.out
[ -s "$out" ] || die "no crash output ($out): scenario D runs crash on the guest"
echo "crash -s vmlinux vgtest-l2.vmcore, commands sys and bt (the registers are the vCPU's, from its VMCB):"
grep -E '^ +(DUMPFILE|RELEASE|CPUS|MEMORY): ' "$out" | sed 's/^/  /'
sed -n '/^PID: /,/^ *#3 /p' "$out" | sed 's/^/  /'

say "done: everything above came out of the crashed host's memory"
