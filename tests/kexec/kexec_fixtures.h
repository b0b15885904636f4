/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small fixture helpers shared by the tests/kexec tests (header-only). */
#ifndef TESTS_KEXEC_FIXTURES_H
#define TESTS_KEXEC_FIXTURES_H

#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static inline void fx_write(const char *dir, const char *name, const void *data,
			    size_t len)
{
	char *path;
	FILE *f;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		abort();
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		abort();
	}
	if (len && fwrite(data, 1, len, f) != len)
		abort();
	if (fclose(f))
		abort();
	free(path);
}

static inline void fx_puts(const char *dir, const char *name, const char *s)
{
	fx_write(dir, name, s, strlen(s));
}

static inline char *fx_tmpdir(void)
{
	char tmpl[] = "/tmp/vgnotes-test.XXXXXX";
	char *d = mkdtemp(tmpl);

	if (!d)
		abort();
	return strdup(d);
}

static inline int fx_rm_one(const char *path, const struct stat *st, int flag,
			    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void fx_rmtree(char *dir)
{
	if (dir)
		nftw(dir, fx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static inline void *fx_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r);
	fclose(f);
	*len = n;
	return buf;
}

/* A segment of a generated ELF core. */
struct fx_seg {
	uint32_t type; /* PT_NOTE, PT_LOAD */
	const void *data;
	size_t len;
	uint64_t fake_filesz; /* when non-zero: p_filesz claimed, not written */
};

/*
 * Write an ELF64 little-endian core: header, program headers, segment
 * data; then cut the file to cut bytes when cut is non-zero.
 */
static inline void fx_elf_core(const char *path, const struct fx_seg *segs,
			       int nseg, uint16_t e_type, size_t cut)
{
	size_t off = sizeof(Elf64_Ehdr) + (size_t)nseg * sizeof(Elf64_Phdr);
	size_t total = off, pos;
	unsigned char *buf;
	Elf64_Ehdr eh;
	int i;

	for (i = 0; i < nseg; i++)
		total += segs[i].len;
	buf = calloc(1, total);
	if (!buf)
		abort();
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = e_type;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(Elf64_Ehdr);
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)nseg;
	memcpy(buf, &eh, sizeof(eh));
	pos = off;
	for (i = 0; i < nseg; i++) {
		Elf64_Phdr ph;

		memset(&ph, 0, sizeof(ph));
		ph.p_type = segs[i].type;
		ph.p_offset = pos;
		ph.p_filesz = segs[i].fake_filesz ? segs[i].fake_filesz :
						    segs[i].len;
		ph.p_memsz = ph.p_filesz;
		ph.p_align = segs[i].type == PT_NOTE ? 4 : 4096;
		memcpy(buf + sizeof(Elf64_Ehdr) + (size_t)i * sizeof(ph), &ph,
		       sizeof(ph));
		if (segs[i].len)
			memcpy(buf + pos, segs[i].data, segs[i].len);
		pos += segs[i].len;
	}
	{
		FILE *f = fopen(path, "wb");

		if (!f ||
		    fwrite(buf, 1, cut ? cut : total, f) !=
			    (cut ? cut : total) ||
		    fclose(f))
			abort();
	}
	free(buf);
}

/*
 * Write a makedumpfile kdump-compressed dump header (x86_64 layout of
 * diskdump_mod.h): disk_dump_header in block 0, kdump_sub_header in
 * block 1, the notes at note_off (0: right after the sub-header).
 */
static inline void fx_kdump(const char *path, int32_t version, int32_t bsize,
			    const void *notes, size_t nlen, uint64_t note_off,
			    uint64_t claim_size, size_t cut)
{
	size_t total = 4 * 4096 + nlen;
	unsigned char *buf = calloc(1, total);
	int32_t subsize = 2;
	uint64_t size = claim_size ? claim_size : nlen;

	if (!buf)
		abort();
	if (!note_off)
		note_off = (uint64_t)bsize + 64;
	memcpy(buf, "KDUMP   ", 8);
	memcpy(buf + 8, &version, 4);
	memcpy(buf + 12, "Linux", 5); /* utsname.sysname */
	memcpy(buf + 428, &bsize, 4);
	memcpy(buf + 432, &subsize, 4);
	if (bsize > 0 && (size_t)bsize + 64 <= total) {
		memcpy(buf + bsize + 48, &note_off, 8);
		memcpy(buf + bsize + 56, &size, 8);
	}
	if (nlen && note_off + nlen <= total)
		memcpy(buf + note_off, notes, nlen);
	{
		FILE *f = fopen(path, "wb");

		if (!f ||
		    fwrite(buf, 1, cut ? cut : total, f) !=
			    (cut ? cut : total) ||
		    fclose(f))
			abort();
	}
	free(buf);
}

#endif
