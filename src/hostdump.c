// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host dumps through libkdumpfile.  Before libkdumpfile sees an ELF file we
 * check its program headers ourselves with libelf: libkdumpfile accepts a
 * vmcore whose PT_LOADs run past the end of the file and only fails later,
 * page by page, which would hide a truncated dump behind a long scan.
 */
#include "src/hostdump.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <libkdumpfile/kdumpfile.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE_SZ 4096ull
/* Notes in a vmcore are a few KiB per CPU; anything this big is garbage. */
#define MAX_NOTES_SIZE (16ull << 20)

struct vg_hostdump {
	int fd;
	kdump_ctx_t *ctx;
	kdump_bmp_t *pagemap; /* kdump-compressed: the dump's page bitmap */
	/*
	 * ELF: host physical ranges of the PT_LOADs, sorted and merged.
	 * libkdumpfile's pagemap of an ELF vmcore stops short when the
	 * kernel-text PT_LOAD overlaps a RAM PT_LOAD, as in /proc/vmcore.
	 */
	struct hd_range {
		uint64_t start, end;
	} * ranges;
	size_t nranges;
	struct vg_hostmem hm;
	char format[64];
	uint64_t max_pfn;
};

static void seterr(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errsz)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

/* Walk the notes of one PT_NOTE; 0 when well formed. */
static int check_notes(const uint8_t *p, uint64_t len, uint64_t *bad_at)
{
	uint64_t off = 0;

	while (off + 12 <= len) {
		uint32_t namesz, descsz;
		uint64_t need;

		memcpy(&namesz, p + off, 4);
		memcpy(&descsz, p + off + 4, 4);
		if (namesz == 0 && descsz == 0)
			return 0; /* padding / terminator */
		need = 12 + (((uint64_t)namesz + 3) & ~3ull) +
		       (((uint64_t)descsz + 3) & ~3ull);
		if (need > len - off) {
			*bad_at = off;
			return -1;
		}
		off += need;
	}
	return 0;
}

/* Checks libkdumpfile does not make up front.  0 or -1 with err set. */
static int cmp_range(const void *a, const void *b)
{
	const struct hd_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Sort and merge overlapping or adjacent ranges in place. */
static size_t merge_ranges(struct hd_range *r, size_t n)
{
	size_t out = 0;

	qsort(r, n, sizeof(*r), cmp_range);
	for (size_t i = 0; i < n; i++) {
		if (out && r[i].start <= r[out - 1].end) {
			if (r[i].end > r[out - 1].end)
				r[out - 1].end = r[i].end;
			continue;
		}
		r[out++] = r[i];
	}
	return out;
}

static int check_elf(struct vg_hostdump *hd, int fd, uint64_t fsize, int sized,
		     char *err, size_t errsz)
{
	Elf *e;
	GElf_Ehdr eh;
	size_t phnum = 0, nload = 0;
	int ret = -1;

	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		seterr(err, errsz, "not a valid ELF file: %s", elf_errmsg(-1));
		goto out;
	}
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_machine != EM_X86_64) {
		seterr(err, errsz,
		       "not an x86_64 ELF64 vmcore (class %d, machine %d)",
		       eh.e_ident[EI_CLASS], eh.e_machine);
		goto out;
	}
	if (eh.e_type != ET_CORE) {
		seterr(err, errsz, "ELF file is not a core dump (e_type %d)",
		       eh.e_type);
		goto out;
	}
	if (elf_getphdrnum(e, &phnum) != 0) {
		seterr(err, errsz, "corrupt ELF program headers: %s",
		       elf_errmsg(-1));
		goto out;
	}
	hd->ranges = calloc(phnum ? phnum : 1, sizeof(*hd->ranges));
	if (!hd->ranges) {
		seterr(err, errsz, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(e, (int)i, &ph)) {
			seterr(err, errsz, "corrupt ELF program header %zu: %s",
			       i, elf_errmsg(-1));
			goto out;
		}
		if (ph.p_type != PT_LOAD && ph.p_type != PT_NOTE)
			continue;
		if (ph.p_offset + ph.p_filesz < ph.p_offset ||
		    (sized && ph.p_offset + ph.p_filesz > fsize)) {
			seterr(err, errsz,
			       "truncated dump: %s segment at file offset 0x%llx (+0x%llx bytes) ends past the end of the file (0x%llx bytes)",
			       ph.p_type == PT_LOAD ? "PT_LOAD" : "PT_NOTE",
			       (unsigned long long)ph.p_offset,
			       (unsigned long long)ph.p_filesz,
			       (unsigned long long)fsize);
			goto out;
		}
		if (ph.p_type == PT_LOAD) {
			uint64_t start = ph.p_paddr & ~(PAGE_SZ - 1);
			uint64_t end = ph.p_paddr + ph.p_filesz;

			nload++;
			if (end > start && end > ph.p_paddr) {
				hd->ranges[hd->nranges].start = start;
				hd->ranges[hd->nranges].end =
					(end + PAGE_SZ - 1) & ~(PAGE_SZ - 1);
				hd->nranges++;
			}
			continue;
		}
		if (ph.p_filesz > MAX_NOTES_SIZE) {
			seterr(err, errsz,
			       "oversized PT_NOTE segment (%llu bytes, limit %llu)",
			       (unsigned long long)ph.p_filesz,
			       (unsigned long long)MAX_NOTES_SIZE);
			goto out;
		}
		if (ph.p_filesz) {
			uint8_t *buf = malloc(ph.p_filesz);
			uint64_t bad = 0;
			ssize_t r;

			if (!buf) {
				seterr(err, errsz, "out of memory");
				goto out;
			}
			r = pread(fd, buf, ph.p_filesz, (off_t)ph.p_offset);
			if (r != (ssize_t)ph.p_filesz ||
			    check_notes(buf, ph.p_filesz, &bad)) {
				free(buf);
				seterr(err, errsz,
				       "corrupt ELF note at file offset 0x%llx",
				       (unsigned long long)(ph.p_offset + bad));
				goto out;
			}
			free(buf);
		}
	}
	if (!nload) {
		seterr(err, errsz,
		       "no PT_LOAD segments: the dump holds no memory");
		goto out;
	}
	hd->nranges = merge_ranges(hd->ranges, hd->nranges);
	ret = 0;
out:
	if (e)
		elf_end(e);
	return ret;
}

static int hd_read(struct vg_hostmem *hm, uint64_t paddr, void *buf, size_t len)
{
	struct vg_hostdump *hd = hm->priv;
	size_t got = len;
	kdump_status st;

	st = kdump_read(hd->ctx, KDUMP_MACHPHYSADDR, paddr, buf, &got);
	if (st == KDUMP_OK && got == len)
		return VG_HM_OK;
	if (st == KDUMP_ERR_NODATA)
		return VG_HM_ABSENT;
	return VG_HM_ERROR;
}

struct vg_hostdump *vg_hostdump_open(const char *path, char *err, size_t errsz)
{
	struct vg_hostdump *hd = NULL;
	unsigned char magic[16];
	struct stat st;
	kdump_status ks;
	kdump_attr_t attr;
	kdump_num_t num;
	const char *s;
	ssize_t r;
	int fd;

	hd = calloc(1, sizeof(*hd));
	if (!hd) {
		seterr(err, errsz, "out of memory");
		return NULL;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		seterr(err, errsz, "cannot open %s: %s", path, strerror(errno));
		free(hd);
		return NULL;
	}
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		seterr(err, errsz, "%s: not a dump file", path);
		goto fail;
	}
	memset(magic, 0, sizeof(magic));
	r = pread(fd, magic, sizeof(magic), 0);
	if (r < 0) {
		seterr(err, errsz, "cannot read %s: %s", path, strerror(errno));
		goto fail;
	}
	if (r >= 4 && !memcmp(magic, ELFMAG, SELFMAG)) {
		if (check_elf(hd, fd, (uint64_t)st.st_size, S_ISREG(st.st_mode),
			      err, errsz))
			goto fail;
	} else if (r >= 12 && !memcmp(magic, "makedumpfile", 12)) {
		seterr(err, errsz,
		       "%s is in makedumpfile's flattened format: convert it with makedumpfile -R first",
		       path);
		goto fail;
	} else if (!(r >= 8 && (!memcmp(magic, "KDUMP   ", 8) ||
				!memcmp(magic, "DISKDUMP", 8)))) {
		seterr(err, errsz, "%s: not an ELF or kdump-compressed dump",
		       path);
		goto fail;
	}

	hd->fd = fd;
	hd->ctx = kdump_new();
	if (!hd->ctx) {
		seterr(err, errsz, "out of memory (libkdumpfile)");
		goto fail;
	}
	/*
	 * read(2), never mmap(2): mapped dump pages count in our RSS and the
	 * capture kernel has ~256 MiB for a dump of any size.
	 */
	ks = kdump_set_number_attr(hd->ctx, KDUMP_ATTR_FILE_MMAP_POLICY,
				   KDUMP_MMAP_NEVER);
	if (ks != KDUMP_OK) {
		seterr(err, errsz, "libkdumpfile: %s", kdump_get_err(hd->ctx));
		goto fail;
	}
	ks = kdump_open_fd(hd->ctx, fd);
	if (ks != KDUMP_OK) {
		seterr(err, errsz, "%s: %s", path, kdump_get_err(hd->ctx));
		goto fail;
	}
	if (kdump_get_string_attr(hd->ctx, KDUMP_ATTR_FILE_FORMAT, &s) ==
	    KDUMP_OK)
		snprintf(hd->format, sizeof(hd->format), "%s", s);
	else
		snprintf(hd->format, sizeof(hd->format), "unknown");
	if (kdump_get_string_attr(hd->ctx, KDUMP_ATTR_ARCH_NAME, &s) !=
		    KDUMP_OK ||
	    strcmp(s, KDUMP_ARCH_X86_64) != 0) {
		seterr(err, errsz, "%s: not an x86_64 dump", path);
		goto fail;
	}
	/* ELF: the PT_LOADs say where memory ends, whatever else is known. */
	if (hd->nranges)
		num = hd->ranges[hd->nranges - 1].end / PAGE_SZ;
	else if (kdump_get_number_attr(hd->ctx, "max_pfn", &num) != KDUMP_OK)
		num = 0;
	if (num == 0) {
		seterr(err, errsz, "%s: the dump describes no memory", path);
		goto fail;
	}
	hd->max_pfn = num;
	attr.type = KDUMP_BITMAP;
	if (!hd->ranges &&
	    kdump_get_typed_attr(hd->ctx, KDUMP_ATTR_FILE_PAGEMAP, &attr) ==
		    KDUMP_OK) {
		hd->pagemap = attr.val.bitmap; /* we own this reference */
	}
	hd->hm.read = hd_read;
	hd->hm.max_paddr = hd->max_pfn * PAGE_SZ;
	hd->hm.priv = hd;
	return hd;
fail:
	if (hd->ctx)
		kdump_free(hd->ctx);
	free(hd->ranges);
	free(hd);
	close(fd);
	return NULL;
}

void vg_hostdump_close(struct vg_hostdump *hd)
{
	if (!hd)
		return;
	if (hd->pagemap)
		kdump_bmp_decref(hd->pagemap);
	kdump_free(hd->ctx);
	close(hd->fd);
	free(hd->ranges);
	free(hd);
}

struct vg_hostmem *vg_hostdump_mem(struct vg_hostdump *hd)
{
	return &hd->hm;
}

const char *vg_hostdump_format(const struct vg_hostdump *hd)
{
	return hd->format;
}

int vg_hostdump_fd(const struct vg_hostdump *hd)
{
	return hd->fd;
}

int vg_hostdump_next_range(void *arg, uint64_t from, uint64_t *start,
			   uint64_t *end)
{
	struct vg_hostdump *hd = arg;
	kdump_addr_t idx = (from + PAGE_SZ - 1) / PAGE_SZ;

	if (idx >= hd->max_pfn)
		return 0;
	if (hd->ranges) {
		uint64_t pos = idx * PAGE_SZ;

		for (size_t i = 0; i < hd->nranges; i++) {
			if (hd->ranges[i].end <= pos)
				continue;
			*start = hd->ranges[i].start > pos ?
					 hd->ranges[i].start :
					 pos;
			*end = hd->ranges[i].end;
			return 1;
		}
		return 0;
	}
	if (!hd->pagemap) {
		*start = idx * PAGE_SZ;
		*end = hd->max_pfn * PAGE_SZ;
		return 1;
	}
	if (kdump_bmp_find_set(hd->pagemap, &idx) != KDUMP_OK ||
	    idx >= hd->max_pfn)
		return 0;
	*start = idx * PAGE_SZ;
	if (kdump_bmp_find_clear(hd->pagemap, &idx) != KDUMP_OK ||
	    idx > hd->max_pfn)
		idx = hd->max_pfn;
	*end = idx * PAGE_SZ;
	return 1;
}
