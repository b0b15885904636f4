#!/bin/sh
# dracut cmdline hook of the crash tests: the first progress mark of the
# capture kernel on the console (test-vms/run-vm.sh reads "VGTEST: ").
echo "VGTEST: CAPTURE_UP t=$(cut -d' ' -f1 /proc/uptime)" >/dev/console
