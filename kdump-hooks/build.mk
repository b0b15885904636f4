# kdump-hooks/ and dracut-module/: the capture-side integration
# (docs/integration.md).
#
#   make check-hooks   shell tests of the config parser, the dump-directory
#                      discovery, the post.d hook, the kdump-tools
#                      ExecStart and the udev reload (no VM; in CHECKS)
#   make install       install everything (DESTDIR, PREFIX=/usr)

.PHONY: check-hooks
check-hooks:
	tests/hooks/test_hooks.sh

CHECKS += check-hooks

PREFIX ?= /usr
DESTDIR ?=
VG_LIBEXEC := $(PREFIX)/lib/vmcore-guests
DRACUT_MODDIR := $(PREFIX)/lib/dracut/modules.d/99vmcore-guests
UDEV_RULESDIR := $(PREFIX)/lib/udev/rules.d
# Where the kdump-tools drop-in goes: the administrator's directory for a
# source install; the Debian package (debian/rules) puts it in the
# vendor's /lib/systemd/system, which an /etc drop-in of the same name
# overrides (README.md, "Turning it off").
SYSTEMD_UNITDIR ?= /etc/systemd/system
VG_MOD_SRC := dracut-module/99vmcore-guests

.PHONY: install
install: $(B)/bin/vmcore-guests $(B)/bin/vmcsinfo
	install -D -m 0755 $(B)/bin/vmcore-guests $(DESTDIR)$(PREFIX)/sbin/vmcore-guests
	install -D -m 0755 $(B)/bin/vmcsinfo $(DESTDIR)$(PREFIX)/sbin/vmcsinfo
	install -D -m 0644 $(VG_MOD_SRC)/vmcore-guests-lib.sh \
		$(DESTDIR)$(VG_LIBEXEC)/vmcore-guests-lib.sh
	install -D -m 0755 $(VG_MOD_SRC)/vmcore-guests-capture.sh \
		$(DESTDIR)$(VG_LIBEXEC)/vmcore-guests-capture
	install -D -m 0755 kdump-hooks/kdump-post.d-vmcore-guests \
		$(DESTDIR)$(VG_LIBEXEC)/kdump-post.d-vmcore-guests
	install -D -m 0755 kdump-hooks/debian/vmcore-guests-kdump-tools \
		$(DESTDIR)$(VG_LIBEXEC)/vmcore-guests-kdump-tools
	install -D -m 0755 kdump-hooks/udev/vmcore-guests-kdump-reload \
		$(DESTDIR)$(VG_LIBEXEC)/vmcore-guests-kdump-reload
	install -d $(DESTDIR)$(DRACUT_MODDIR)
	install -m 0755 $(VG_MOD_SRC)/module-setup.sh $(DESTDIR)$(DRACUT_MODDIR)/
	# The hooks and the capture script have a #! line: executable, as
	# dracut's own modules are; the library is only sourced.
	install -m 0755 $(VG_MOD_SRC)/vmcore-guests-cmdline.sh \
		$(VG_MOD_SRC)/vmcore-guests-pre-mount.sh \
		$(VG_MOD_SRC)/vmcore-guests-capture.sh $(DESTDIR)$(DRACUT_MODDIR)/
	install -m 0644 $(VG_MOD_SRC)/vmcore-guests-capture.service \
		$(VG_MOD_SRC)/vmcore-guests-lib.sh $(DESTDIR)$(DRACUT_MODDIR)/
	install -D -m 0644 kdump-hooks/udev/90-vmcore-guests-kdump-reload.rules \
		$(DESTDIR)$(UDEV_RULESDIR)/90-vmcore-guests-kdump-reload.rules
	install -D -m 0755 kdump-hooks/kdump-post.d-vmcore-guests \
		$(DESTDIR)/etc/kdump/post.d/50-vmcore-guests
	install -D -m 0644 \
		kdump-hooks/debian/kdump-tools-dump.service.d-vmcore-guests.conf \
		$(DESTDIR)$(SYSTEMD_UNITDIR)/kdump-tools-dump.service.d/50-vmcore-guests.conf
	test -e $(DESTDIR)/etc/vmcore-guests.conf || \
		install -D -m 0644 kdump-hooks/vmcore-guests.conf \
		$(DESTDIR)/etc/vmcore-guests.conf
