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

# Functional test (no VM, no crashkernel): the patched and the unpatched
# kexec run whole crash loads under an LD_PRELOAD shim that fakes
# /proc/iomem, /proc/kcore and /sys and records the kexec syscalls;
# patches/kexec-tools/test/run.sh checks the recorded segments and initrd.
KT_TEST := $(KT_DIR)/test
KT_UNPATCHED := build/kexec-tools-unpatched

$(KT_TEST)/kexec-shim.so: $(KT_PATCHDIR)/test/kexec-shim.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARNFLAGS) -O2 -D_GNU_SOURCE -fPIC -shared \
		-o $@ $< -ldl

# kt-fixture writes the KVMINFO test's BTF with libbpf.
$(KT_TEST)/kt-fixture: $(KT_PATCHDIR)/test/kt-fixture.c
	@mkdir -p $(@D)
	$(CC) -std=gnu11 $(WARNFLAGS) -O2 -D_GNU_SOURCE -o $@ $< \
		$(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf)

$(KT_UNPATCHED)/sbin/kexec: $(KT_PATCHDIR)/build.sh $(KT_PATCHDIR)/fetch.sh
	@mkdir -p $(@D)
	+$(KT_PATCHDIR)/build.sh $(KT_UNPATCHED) /dev/null

# The full series once more, configured --without-libbpf: the KVMINFO
# provider must build and stay out of the way without it.
KT_NOBPF := build/kexec-tools-nobpf

$(KT_NOBPF)/sbin/kexec: $(KT_SERIES) $(KT_PATCHES) $(KT_PATCHDIR)/build.sh \
		$(KT_PATCHDIR)/fetch.sh
	@mkdir -p $(@D)
	+KT_CONFIGURE_FLAGS=--without-libbpf $(KT_PATCHDIR)/build.sh $(KT_NOBPF)

.PHONY: check-kexec-patches
check-kexec-patches: $(KT_KEXEC) $(KT_UNPATCHED)/sbin/kexec \
		$(KT_NOBPF)/sbin/kexec $(KT_TEST)/kexec-shim.so $(KT_TEST)/kt-fixture
	+$(KT_PATCHDIR)/test/check-each.sh build/kexec-tools-each
	$(KT_PATCHDIR)/test/run.sh $(KT_KEXEC) $(KT_UNPATCHED)/sbin/kexec \
		$(KT_TEST)/kexec-shim.so $(KT_TEST)/kt-fixture \
		$(KT_NOBPF)/sbin/kexec

CHECKS += check-kexec-patches
