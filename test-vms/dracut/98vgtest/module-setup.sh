#!/bin/bash
# shellcheck disable=SC2154 # moddir: dracut's
# dracut module of the crash tests only (test-vms/mkinitramfs-dracut.sh):
# what the verdict needs beyond the product, the collection of
# readelf -n /proc/vmcore, vmcsinfo read and the kexec -s carrier, runs
# from /etc/vmcore-guests/post.d (the product's own hook point, installed
# by 99vmcore-guests from VMCORE_GUESTS_POSTD), plus a progress mark.
check() {
    return 255
}

depends() {
    echo vmcore-guests
}

install() {
    inst_multiple readelf ls
    if [[ ${VGTEST_VMCSINFO:-} && -x $VGTEST_VMCSINFO ]]; then
        inst_binary "$VGTEST_VMCSINFO" /usr/bin/vmcsinfo
    fi
    inst_hook cmdline 10 "$moddir/vgtest-mark.sh"
}
