# packaging/: the Debian packages (debian/ is our source package;
# docs/packaging.md).
#
#   make deb         build/deb/: vmcore-guests, vmcsinfo-intel-dkms and the
#                    patched kexec-tools .debs, lintian-checked
#   make check-dkms  "apt install" the DKMS package in a cached Debian 12
#                    chroot with linux-headers-amd64 (root; mmdebstrap);
#                    the module must build without warnings
.PHONY: deb
deb:
	packaging/make-deb.sh

.PHONY: check-dkms
check-dkms: deb
	test-vms/check-dkms.sh
