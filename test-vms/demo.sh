#!/bin/bash
# make demo: install what is needed, build, crash a KVM host under QEMU
# (nested AMD SVM) that runs a Linux guest and a tiny guest, and show what
# the capture kernel recovered: the host dump, one vmcore per guest with
# its registers at the crash, and the end of the Linux guest's kernel log
# read back from its recovered vmcore with vmcore-dmesg.
#
# This is scenario D of the crash test (docs/testing.md); the capture
# kernel here is the test's busybox one, not yet a dracut-built kdump image.
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
say "building vmcore-guests, vmcsinfo, the patched kexec-tools, fetching the test kernel"
make -s -j2 all
make -s kexec-tools test-vms-kernel

say "crash cycle: L1 KVM host under QEMU TCG, Linux L2 guest + tiny guest, sysrq crash"
if ! VG_SCENARIOS=D test-vms/check-vms-amd.sh; then
	die "the crash cycle failed; console log: test-vms/out/D/console.log"
fi

r=$top/test-vms/out/D/results
rep=$r/guests/report.json
[ -f "$rep" ] || die "no report.json in $r/guests"

say "host vmcore (makedumpfile -l -d 31 in the capture kernel)"
ls -l "$r/host.kdump"
echo "VMCSINFO note in the host dump (load-time layout, here a fixture tree):"
build/bin/vmcsinfo read "$r/host.kdump" | sed -n '1,3p;$p'

say "guest vmcores written by vmcore-guests /proc/vmcore in the capture kernel"
jq -r '.guests[] | "\(.name)\t\(.vendor)\t\(.file)\tpages present \(.memory.pages_present)"' "$rep" |
	while IFS=$'\t' read -r name vendor file pages; do
		echo "guest $name ($vendor): $r/guests/$file, $pages"
		ls -l "$r/guests/$file" | sed 's/^/  /'
	done

say "registers at the crash (report.json)"
jq -r '.guests[] | .name as $n | .vcpus[] |
	"\($n) vcpu \(.index): rip \(.regs.rip) rsp \(.regs.rsp) rflags \(.regs.rflags) cr3 \(.regs.cr3) cs \(.regs.cs.selector):\(.regs.cs.base) exit \(.exit_reason)"' "$rep"

say "the Linux guest's kernel log, recovered from its vmcore (vmcore-dmesg, last lines)"
shown=0
for f in "$r"/guests/*.vmcore; do
	if out=$(vmcore-dmesg "$f" 2>/dev/null) && [ -n "$out" ]; then
		echo "$(basename "$f"):"
		printf '%s\n' "$out" | tail -n 8 | sed 's/^/  /'
		shown=1
	fi
done
[ $shown = 1 ] || die "vmcore-dmesg read no guest vmcore"

say "done: everything above came out of the crashed host's memory"
