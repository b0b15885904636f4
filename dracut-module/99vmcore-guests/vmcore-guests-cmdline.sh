#!/bin/sh
# dracut cmdline hook (shell init only, standalone mode): in a capture
# kernel nothing mounts a root file system, so tell dracut's init that
# root is handled; the pre-mount hook then does the kdump job and the
# final action.  Outside a capture kernel it does nothing.
if [ -e /proc/vmcore ]; then
	[ -n "${root:-}" ] || root=vmcore-guests
	# shellcheck disable=SC2034 # read by dracut's init
	rootok=1
fi
