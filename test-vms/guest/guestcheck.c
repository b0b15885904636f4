// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Check the tiny test guest's memory in an ELF64 vmcore, read through its
 * PT_LOAD table (by physical address): see guestcheck.h.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "guestcheck.h"

static const uint8_t code[KG_CODE_LEN] = KG_CODE_BYTES;

struct dump {
	FILE *f;
	Elf64_Phdr *ph;
	unsigned int nph;
};

static int open_dump(struct dump *d, const char *path, FILE *out)
{
	Elf64_Ehdr eh;

	d->ph = NULL;
	d->f = fopen(path, "rb");
	if (!d->f) {
		fprintf(out, "guestcheck: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fread(&eh, sizeof(eh), 1, d->f) != 1 ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_type != ET_CORE ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0) {
		fprintf(out, "guestcheck: %s: not an ELF64 core file\n", path);
		return -1;
	}
	d->nph = eh.e_phnum;
	d->ph = calloc(d->nph, sizeof(*d->ph));
	if (!d->ph || fseeko(d->f, (off_t)eh.e_phoff, SEEK_SET) != 0 ||
	    fread(d->ph, sizeof(*d->ph), d->nph, d->f) != d->nph) {
		fprintf(out, "guestcheck: %s: cannot read program headers\n",
			path);
		return -1;
	}
	return 0;
}

/* Read len bytes at guest-physical pa; 0, or -1 when not in the dump. */
static int read_phys(struct dump *d, uint64_t pa, void *buf, size_t len)
{
	unsigned int i;

	for (i = 0; i < d->nph; i++) {
		const Elf64_Phdr *p = &d->ph[i];

		if (p->p_type != PT_LOAD || pa < p->p_paddr ||
		    pa - p->p_paddr + len > p->p_filesz)
			continue;
		if (fseeko(d->f, (off_t)(p->p_offset + (pa - p->p_paddr)),
			   SEEK_SET) != 0 ||
		    fread(buf, 1, len, d->f) != len)
			return -1;
		return 0;
	}
	return -1;
}

static void close_dump(struct dump *d)
{
	if (d->f)
		fclose(d->f);
	free(d->ph);
}

int guestcheck_run(const char *path, enum guestcheck_mode mode, FILE *out)
{
	unsigned int missing = 0, wrong = 0, good = 0, shown = 0;
	uint8_t head[KG_MARKER_LEN + 8], got[KG_CODE_LEN];
	struct dump d;
	uint64_t p, num;
	int code_ok;

	if (open_dump(&d, path, out) < 0) {
		close_dump(&d);
		return 2;
	}

	for (p = 0; p < KG_PAGES; p++) {
		if (read_phys(&d, p * KG_PAGE_SIZE, head, sizeof(head)) < 0) {
			missing++;
			if (mode == GUESTCHECK_ALL && shown++ < 10)
				fprintf(out,
					"page 0x%" PRIx64 ": not in the dump\n",
					p);
			continue;
		}
		memcpy(&num, head + KG_MARKER_LEN, sizeof(num));
		if (memcmp(head, KG_MARKER, KG_MARKER_LEN) != 0 || num != p) {
			wrong++;
			if (shown++ < 10)
				fprintf(out,
					"page 0x%" PRIx64
					": marker missing or wrong page number\n",
					p);
			continue;
		}
		good++;
	}

	code_ok = read_phys(&d, KG_CODE_GPA, got, sizeof(got)) == 0 &&
		  memcmp(got, code, sizeof(code)) == 0;
	if (!code_ok)
		fprintf(out, "code: the loop's %d bytes are not at gpa 0x%x\n",
			KG_CODE_LEN, KG_CODE_GPA);

	fprintf(out,
		"guestcheck: %u/%u pages with marker, %u missing, %u wrong; code at 0x%x %s\n",
		good, KG_PAGES, missing, wrong, KG_CODE_GPA,
		code_ok ? "ok" : "MISSING");
	close_dump(&d);
	if (mode == GUESTCHECK_PRESENT)
		return !wrong && code_ok ? 0 : 1;
	return good == KG_PAGES && code_ok ? 0 : 1;
}
