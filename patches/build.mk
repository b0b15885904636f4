# patches/: the kexec-tools patch series (patches/kexec-tools/, applied in
# the order of its "series" file to Debian 12's kexec-tools source).
#
#   make kexec-tools     fetch (cached), patch, build: build/kexec-tools/sbin/kexec
#
# Not part of "make all": the first run needs Debian's source archive.  The
# kexec-tools build is independent of SAN=1 and always goes to build/.
KT_DIR := build/kexec-tools
KT_PATCHDIR := patches/kexec-tools
KT_SERIES := $(KT_PATCHDIR)/series
KT_PATCHES := $(addprefix $(KT_PATCHDIR)/,$(shell sed -e 's/\#.*//' $(KT_SERIES)))
KT_KEXEC := $(KT_DIR)/sbin/kexec

# "+": build.sh runs make itself and shares our jobserver.
$(KT_KEXEC): $(KT_SERIES) $(KT_PATCHES) $(KT_PATCHDIR)/build.sh \
		$(KT_PATCHDIR)/fetch.sh
	+$(KT_PATCHDIR)/build.sh $(KT_DIR)

.PHONY: kexec-tools
kexec-tools: $(KT_KEXEC)

# The copies of kexec/vmcsinfo.[ch] and kexec/loadnotes-cpio.[ch] that
# patch 0001 carries must be byte-identical to ours.
.PHONY: check-kexec-patch-sync
check-kexec-patch-sync:
	$(KT_PATCHDIR)/check-sync.sh

CHECKS += check-kexec-patch-sync
