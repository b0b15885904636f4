# kernel/: the vmcsinfo-intel module (out of tree; DKMS config beside it)
# that publishes the CPU's VMCS layout in sysfs (docs/vmcsinfo-intel.md).
#
#   make vmcsinfo-intel             build/kernel/vmcsinfo-intel/vmcsinfo-intel.ko
#                                   against the test kernel's Debian headers
#                                   (fetched into the cache), W=1, no warnings
#   make vmcsinfo-intel KDIR=/lib/modules/$(uname -r)/build    another kernel
#
# Not part of "make all": the first build downloads the headers.  Like
# kexec-tools it always goes to build/, whatever SAN= or B= say.
VMCSINFO_DIR := build/kernel/vmcsinfo-intel
VMCSINFO_KO := $(VMCSINFO_DIR)/vmcsinfo-intel.ko
KDIR ?=

$(VMCSINFO_KO): kernel/vmcsinfo-intel/vmcsinfo-intel.c \
		kernel/vmcsinfo-intel/Makefile kernel/build-module.sh \
		kernel/fetch-headers.sh
	kernel/build-module.sh $(VMCSINFO_DIR) $(KDIR)

.PHONY: vmcsinfo-intel
vmcsinfo-intel: $(VMCSINFO_KO)
