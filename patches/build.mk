# patches/: the kexec-tools patch series (patches/kexec-tools/, applied in
# the order of its "series" file to Debian 12's kexec-tools source, and in
# the tests also to the upstream release tarball that Debian trixie's
# source package carries).
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
KT_SCRIPTS := $(KT_PATCHDIR)/build.sh $(KT_PATCHDIR)/fetch.sh

# "+": build.sh runs make itself and shares our jobserver.
$(KT_KEXEC): $(KT_SERIES) $(KT_PATCHES) $(KT_SCRIPTS)
	+$(KT_PATCHDIR)/build.sh $(KT_DIR)

.PHONY: kexec-tools
kexec-tools: $(KT_KEXEC)

# The copies of our files that the series carries (patches/kexec-tools/
# imports) must be byte-identical to ours.
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

$(KT_UNPATCHED)/sbin/kexec: $(KT_SCRIPTS)
	@mkdir -p $(@D)
	+$(KT_PATCHDIR)/build.sh $(KT_UNPATCHED) /dev/null

# The same series on upstream kexec-tools: the release tarball (orig.tar)
# of Debian trixie's source package, without Debian's patches.
KT_UP := build/kexec-tools-upstream
KT_UP_UNPATCHED := build/kexec-tools-upstream-unpatched

$(KT_UP)/sbin/kexec: $(KT_SERIES) $(KT_PATCHES) $(KT_SCRIPTS)
	@mkdir -p $(@D)
	+KT_BASE=upstream $(KT_PATCHDIR)/build.sh $(KT_UP)

$(KT_UP_UNPATCHED)/sbin/kexec: $(KT_SCRIPTS)
	@mkdir -p $(@D)
	+KT_BASE=upstream $(KT_PATCHDIR)/build.sh $(KT_UP_UNPATCHED) /dev/null

# The full series once more, configured --without-libbpf: the KVMINFO
# provider must build and stay out of the way without it.
KT_NOBPF := build/kexec-tools-nobpf

$(KT_NOBPF)/sbin/kexec: $(KT_SERIES) $(KT_PATCHES) $(KT_SCRIPTS)
	@mkdir -p $(@D)
	+KT_CONFIGURE_FLAGS=--without-libbpf $(KT_PATCHDIR)/build.sh $(KT_NOBPF)

# Both bases: every patch builds on its own (check-each.sh, incremental
# from the unpatched tree) and the full series passes run.sh.
.PHONY: check-kexec-patches
check-kexec-patches: $(KT_KEXEC) $(KT_UNPATCHED)/sbin/kexec \
		$(KT_NOBPF)/sbin/kexec $(KT_UP)/sbin/kexec \
		$(KT_UP_UNPATCHED)/sbin/kexec $(KT_TEST)/kexec-shim.so \
		$(KT_TEST)/kt-fixture
	+$(KT_PATCHDIR)/test/check-each.sh build/kexec-tools-each $(KT_UNPATCHED)
	+KT_BASE=upstream $(KT_PATCHDIR)/test/check-each.sh \
		build/kexec-tools-upstream-each $(KT_UP_UNPATCHED)
	@echo "== kexec-tools patches on Debian 12's 2.0.25"
	$(KT_PATCHDIR)/test/run.sh $(KT_KEXEC) $(KT_UNPATCHED)/sbin/kexec \
		$(KT_TEST)/kexec-shim.so $(KT_TEST)/kt-fixture \
		$(KT_NOBPF)/sbin/kexec
	@echo "== kexec-tools patches on upstream $$(awk 'NR == 1 { print $$1 }' $(KT_UP)/src/.kt-build)"
	$(KT_PATCHDIR)/test/run.sh $(KT_UP)/sbin/kexec \
		$(KT_UP_UNPATCHED)/sbin/kexec $(KT_TEST)/kexec-shim.so \
		$(KT_TEST)/kt-fixture

CHECKS += check-kexec-patches
