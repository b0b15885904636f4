# test-vms/: the nested-VM crash tests (QEMU TCG with nested AMD SVM;
# Bochs with Intel VMX).  See docs/testing.md.
#
#   make test-vms-kernel   fetch + extract the Debian kernel into the cache
#   make check-vms-amd     the crash scenarios A-H (in CHECKS; I on request)
#   make check-vms-intel   the Intel chain under Bochs: vmcsinfo-intel,
#                          kexec -p with the real sysfs, crash, capture
#                          and a second crash with the stock kexec -s -p
#                          (in CHECKS; about 25 minutes)
#   make check-vms-debian  a real Debian 12 host (mmdebstrap) crashed under
#                          its own kdump-tools with a libvirt guest (in
#                          CHECKS; root)

TV_BIN := $(B)/test-vms

# kvmguest runs inside the L1 initramfs: static, so it needs no libraries.
TV_STATIC := $(if $(filter 1,$(SAN)),,-static)

$(TV_BIN)/kvmguest: $(B)/obj/test-vms/guest/kvmguest.o
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) $(TV_STATIC) -o $@ $^

$(TV_BIN)/guestcheck: $(B)/obj/test-vms/guest/guestcheck-main.o \
		$(B)/obj/test-vms/guest/guestcheck.o
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^

# Deliberately broken stand-ins for vmcore-guests (scenarios E and F).
$(TV_BIN)/vg-crash: $(B)/obj/test-vms/guest/vg-crash.o
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^

$(TV_BIN)/vg-hang: $(B)/obj/test-vms/guest/vg-hang.o
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^

PROGRAMS += $(TV_BIN)/kvmguest $(TV_BIN)/guestcheck $(TV_BIN)/vg-crash \
	$(TV_BIN)/vg-hang

# guestcheck judges the guest memory of the crash tests: a unit test shows
# it passes a complete guest and fails incomplete ones.
$(B)/tests/test_guestcheck: $(B)/obj/test-vms/guest/test_guestcheck.o \
		$(B)/obj/test-vms/guest/guestcheck.o
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CMOCKA_LIBS)

UNIT_TESTS += $(B)/tests/test_guestcheck

.PHONY: test-vms-kernel
test-vms-kernel:
	test-vms/fetch-kernel.sh

# The test kernel's debug vmlinux, for crash(8) on the guest vmcores
# (about 860 MB downloaded once, 630 MB kept in the cache).
.PHONY: test-vms-dbg
test-vms-dbg: test-vms-kernel
	test-vms/fetch-dbg-vmlinux.sh

.PHONY: check-vms-amd
check-vms-amd: all kexec-tools test-vms-kernel test-vms-dbg
	test-vms/check-vms-amd.sh

CHECKS += check-vms-amd

.PHONY: check-vms-intel
check-vms-intel: all kexec-tools test-vms-kernel vmcsinfo-intel
	test-vms/check-vms-intel.sh

CHECKS += check-vms-intel

# A real Debian 12 host (mmdebstrap image, cached) crashed under its own
# kdump-tools with a libvirt guest; our packages come from make deb
# through apt.  Root only.  In CHECKS: about 5 minutes with the image
# cached, 3 more once to make it (docs/testing.md).
.PHONY: check-vms-debian
check-vms-debian: deb
	test-vms/check-vms-debian.sh

CHECKS += check-vms-debian
