#!/bin/bash
# shellcheck disable=SC2154 # moddir, initdir, systemdsystemunitdir, SYSTEMCTL: dracut's
# dracut 059 module: vmcore-guests in the kdump capture initramfs
# (docs/integration.md).
#
# Pulled only into kdump images: check() returns 0 when $IN_KDUMP is set
# (kdump-utils' kdumpctl sets it; so does test-vms) and 255 otherwise, so
# an ordinary initramfs gets it only when asked for by name.
#
# Two modes, chosen at build time:
#  * with kdump-utils' kdumpbase in the image: install the program and the
#    /etc/kdump/post.d hook; kdump.sh saves the host vmcore, then runs the
#    hook, which writes <dumpdir>/guests/;
#  * standalone (any other dracut image): also the capture script, which
#    saves the host vmcore itself (makedumpfile), then the guests, then the
#    final action, as a systemd unit or as dracut shell-init hooks.
#
# Build-time overrides (tests, packaging): VMCORE_GUESTS_BIN (program to
# install as /usr/sbin/vmcore-guests), VMCORE_GUESTS_CONF (config to
# install as /etc/vmcore-guests.conf), VMCORE_GUESTS_POSTD (directory of
# extra hooks for /etc/vmcore-guests/post.d).

# called by dracut
check() {
    [[ $IN_KDUMP ]] && return 0
    return 255
}

# called by dracut
depends() {
    return 0
}

vg_bin() {
    local b=${VMCORE_GUESTS_BIN:-}
    [[ $b ]] || b=$(command -v vmcore-guests 2>/dev/null)
    [[ $b ]] || b=/usr/sbin/vmcore-guests
    echo "$b"
}

vg_lib_file() {
    # Installed tree first, then this module's own directory (source tree).
    local f
    for f in "/usr/lib/vmcore-guests/$1" "$moddir/$1" "$moddir/../../kdump-hooks/$1"; do
        [[ -f $f ]] && echo "$f" && return 0
    done
    return 1
}

# called by dracut
install() {
    local bin conf f mode
    bin=$(vg_bin)
    if [[ ! -x $bin ]]; then
        derror "vmcore-guests: $bin not found (set VMCORE_GUESTS_BIN or install vmcore-guests)"
        return 1
    fi
    inst_binary "$bin" /usr/sbin/vmcore-guests
    inst_multiple timeout tee cut sed grep tr date sync cp chmod stat
    inst_simple "$(vg_lib_file vmcore-guests-lib.sh)" /usr/lib/vmcore-guests/vmcore-guests-lib.sh

    conf=${VMCORE_GUESTS_CONF:-/etc/vmcore-guests.conf}
    if [[ -f $conf ]]; then
        inst_simple "$conf" /etc/vmcore-guests.conf
    else
        dinfo "vmcore-guests: no $conf, the capture side uses the defaults"
    fi

    if dracut_module_included kdumpbase; then
        mode=kdump-utils
        # kdumpbase copies the host's executable /etc/kdump/post.d hooks
        # too; installing ours here makes the image right even when the
        # package put it elsewhere.
        f=$(vg_lib_file kdump-post.d-vmcore-guests) &&
            inst_simple "$f" /etc/kdump/post.d/50-vmcore-guests &&
            chmod 0755 "$initdir/etc/kdump/post.d/50-vmcore-guests"
    else
        mode=standalone
        inst_multiple makedumpfile mount umount mkdir mv sleep
        inst_multiple -o udevadm poweroff reboot halt sh
        inst_script "$(vg_lib_file vmcore-guests-capture.sh)" \
            /usr/lib/vmcore-guests/vmcore-guests-capture
        if dracut_module_included systemd; then
            inst_simple "$(vg_lib_file vmcore-guests-capture.service)" \
                "$systemdsystemunitdir/vmcore-guests-capture.service"
            $SYSTEMCTL -q --root "$initdir" enable vmcore-guests-capture.service
        else
            inst_hook cmdline 90 "$(vg_lib_file vmcore-guests-cmdline.sh)"
            inst_hook pre-mount 90 "$(vg_lib_file vmcore-guests-pre-mount.sh)"
        fi
        if [[ ${VMCORE_GUESTS_POSTD:-} ]]; then
            for f in "$VMCORE_GUESTS_POSTD"/*; do
                [[ -x $f ]] || continue
                inst_script "$f" "/etc/vmcore-guests/post.d/${f##*/}"
            done
        elif [[ -d /etc/vmcore-guests/post.d ]]; then
            for f in /etc/vmcore-guests/post.d/*; do
                [[ -x $f ]] || continue
                inst_script "$f" "$f"
            done
        fi
    fi
    dinfo "vmcore-guests: $mode mode, program $bin"
}
