# man/: the man pages, written in scdoc (man/*.scd) and rendered into
# build/man/; "make install" installs them.
#
#   make man         build/man/vmcore-guests.8, vmcsinfo.8, vmcore-guests.conf.5
#   make check-man   every page renders with no "man --warnings" output
#                    (in CHECKS; about a second)
MAN_SRCS := $(wildcard man/*.scd)
MAN_PAGES := $(patsubst man/%.scd,build/man/%,$(MAN_SRCS))

build/man/%: man/%.scd
	@mkdir -p $(@D)
	scdoc <$< >$@

.PHONY: man
man: $(MAN_PAGES)

# man prints groff's warnings on stderr; any output is a failure.
.PHONY: check-man
check-man: $(MAN_PAGES)
	@bad=0; for p in $(MAN_PAGES); do \
		out=$$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$$p" 2>&1 >/dev/null); \
		if [ -n "$$out" ]; then echo "$$p:"; echo "$$out"; bad=1; fi; \
	done; \
	[ $$bad = 0 ] && echo "check-man: $(words $(MAN_PAGES)) pages, no warnings"

CHECKS += check-man

.PHONY: install-man
install-man: $(MAN_PAGES)
	@set -e; for p in $(MAN_PAGES); do \
		s=$${p##*.}; \
		install -D -m 0644 $$p $(DESTDIR)$(PREFIX)/share/man/man$$s/$${p##*/}; \
	done

install: install-man
