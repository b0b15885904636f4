// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host dumps through libkdumpfile; the memory of ELF dumps read directly
 * (direct_read()).  Before libkdumpfile sees the file,
 * src/dumphdr.c checks its headers and the notes libkdumpfile will parse
 * (libkdumpfile 0.5.1 trusts them: docs/libkdumpfile-bugs.md); the notes
 * are read here once, into the handle, for vg_hostdump_find_note().
 */
#include "src/hostdump.h"

#include <errno.h>
#include <fcntl.h>
#include <libkdumpfile/kdumpfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notes/elfnote.h"
#include "src/dumphdr.h"
#include "src/dumppd.h"

#define PAGE_SZ 4096ull

struct vg_hostdump {
	int fd;
	const char *path; /* for messages; the caller's string */
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
	/*
	 * ELF: the PT_LOADs' file data, sorted by address, read with
	 * pread(2) directly (vg_hostdump_set_direct()); a read that any of
	 * it does not cover goes to libkdumpfile.
	 */
	struct hd_seg {
		uint64_t start, end, offset;
		uint64_t reach; /* the highest end of this and all before */
	} * segs;
	size_t nsegs;
	int direct;
	/*
	 * The file ends before its headers do (a copy cut short): what
	 * lies past the end is absent, and damage[] says so in one line.
	 */
	uint64_t cut_bytes;
	uint64_t mem_end; /* ELF: where the PT_LOADs end, cut or not */
	uint64_t cut_reads; /* reads answered absent because of the cut */
	char damage[256];
	struct vg_hostmem hm;
	/* kdump-compressed: each page descriptor checked before a read */
	struct vg_dumppd pd;
	int have_pd;
	char format[64];
	uint64_t max_pfn;
	/* the dump's notes, read once at open: note sequence, 4-aligned */
	uint8_t *notes;
	size_t notes_len;
	char no_notes_why[160];
	char *vmcoreinfo; /* from libkdumpfile, on first use */
	size_t vmcoreinfo_len;
	uint64_t bytes_read; /* host memory and notes read through us */
};

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

static int cmp_seg(const void *a, const void *b)
{
	const struct hd_seg *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/*
 * The host RAM the PT_LOADs hold, page aligned, sorted and merged; and
 * their file data for the direct reads.
 */
static int elf_ranges(struct vg_hostdump *hd, const struct vg_dumphdr *h,
		      struct vg_error *err)
{
	hd->ranges = calloc(h->nloads ? h->nloads : 1, sizeof(*hd->ranges));
	hd->segs = calloc(h->nloads ? h->nloads : 1, sizeof(*hd->segs));
	if (!hd->ranges || !hd->segs)
		return vg_error_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < h->nloads; i++) {
		const struct vg_dump_load *l = &h->loads[i];
		uint64_t start = l->paddr & ~(PAGE_SZ - 1);
		uint64_t end = l->paddr + l->present;

		if (l->present) {
			hd->segs[hd->nsegs].start = l->paddr;
			hd->segs[hd->nsegs].end = end;
			hd->segs[hd->nsegs].offset = l->offset;
			hd->nsegs++;
		}
		if (l->paddr + l->size > hd->mem_end)
			hd->mem_end = l->paddr + l->size;

		if (end > start && end > l->paddr) {
			hd->ranges[hd->nranges].start = start;
			hd->ranges[hd->nranges].end = (end + PAGE_SZ - 1) &
						      ~(PAGE_SZ - 1);
			hd->nranges++;
		}
	}
	hd->nranges = merge_ranges(hd->ranges, hd->nranges);
	qsort(hd->segs, hd->nsegs, sizeof(*hd->segs), cmp_seg);
	for (size_t i = 0; i < hd->nsegs; i++)
		hd->segs[i].reach = i && hd->segs[i - 1].reach >
							    hd->segs[i].end ?
					    hd->segs[i - 1].reach :
					    hd->segs[i].end;
	hd->direct = 1;
	return 0;
}

/* A PT_LOAD whose file data holds paddr, or NULL. */
static const struct hd_seg *find_seg(const struct vg_hostdump *hd,
				     uint64_t paddr)
{
	size_t lo = 0, hi = hd->nsegs;

	/* the last segment starting at or below paddr ... */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (hd->segs[mid].start <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* ... or one before it that reaches further (kernel text in RAM) */
	for (size_t i = lo; i-- > 0 && paddr < hd->segs[i].reach;)
		if (paddr < hd->segs[i].end)
			return &hd->segs[i];
	return NULL;
}

/*
 * ELF: read [paddr, paddr + len) from the PT_LOADs' file data with
 * pread(2), as large as the caller asks (the scan: 1 MiB at a time).
 * VG_HM_OK, or 1 when some byte is in no PT_LOAD's file data or the
 * file is short there: libkdumpfile then answers for the whole read.
 */
static int direct_read(struct vg_hostdump *hd, uint64_t paddr, uint8_t *buf,
		       size_t len)
{
	while (len) {
		const struct hd_seg *sg = find_seg(hd, paddr);
		uint64_t n;

		if (!sg)
			return 1;
		n = sg->end - paddr < len ? sg->end - paddr : len;
		if (vg_pread_full(hd->fd, buf, (size_t)n,
				  sg->offset + (paddr - sg->start)))
			return 1;
		paddr += n;
		buf += n;
		len -= (size_t)n;
	}
	return VG_HM_OK;
}

/*
 * Read one note span to the end of hd->notes (room reserved): checked
 * as libkdumpfile will parse it, kept up to its terminator, padded.
 */
static int read_note_span(struct vg_hostdump *hd, const struct vg_dumphdr *h,
			  const struct vg_dump_span *sp, struct vg_error *err)
{
	uint8_t *p = hd->notes + hd->notes_len;
	const char *what = h->format == VG_DUMP_ELF ? "ELF note" :
						      "kdump-compressed note";
	long used;
	int rc;

	if (vg_pread_full(hd->fd, p, (size_t)sp->size, sp->offset))
		return vg_error_set(err, -EIO,
				    "%s: cannot read the notes at 0x%llx",
				    hd->path, (unsigned long long)sp->offset);
	used = elfnote_used(p, sp->size, err);
	if (used < 0)
		return vg_error_wrap(err, "corrupt %s at file offset 0x%llx",
				     what, (unsigned long long)sp->offset);
	rc = vg_dumphdr_check_notes(p, sp->size, err);
	if (rc < 0)
		return vg_error_wrap(err, "%s: %s at file offset 0x%llx",
				     hd->path, what,
				     (unsigned long long)sp->offset);
	hd->bytes_read += sp->size;
	hd->notes_len += (size_t)used;
	while (hd->notes_len % 4) /* a last note without its padding */
		hd->notes[hd->notes_len++] = 0;
	return 0;
}

/* Read every note span of the dump into hd->notes, once. */
static int read_notes(struct vg_hostdump *hd, const struct vg_dumphdr *h,
		      struct vg_error *err)
{
	size_t total = 0;

	snprintf(hd->no_notes_why, sizeof(hd->no_notes_why), "%s",
		 h->no_notes_why);
	for (size_t i = 0; i < h->nnotes; i++)
		total += (size_t)h->notes[i].size + 3; /* capped: no overflow */
	if (!total)
		return 0;
	hd->notes = malloc(total);
	if (!hd->notes)
		return vg_error_set(err, -ENOMEM, "out of memory");
	for (size_t i = 0; i < h->nnotes; i++) {
		int rc = read_note_span(hd, h, &h->notes[i], err);

		if (rc)
			return rc;
	}
	return 0;
}

/*
 * libkdumpfile parses the kdump-compressed VMCOREINFO section (header
 * version 3) as it parses the note: check it the same way.
 */
static int check_kdump_vmcoreinfo(struct vg_hostdump *hd,
				  const struct vg_dumphdr *h,
				  struct vg_error *err)
{
	uint64_t n = h->vmcoreinfo.size;
	uint8_t *buf;
	int rc = 0;

	if (h->format != VG_DUMP_KDUMP || h->header_version != 3 || !n)
		return 0;
	buf = calloc(1, 12 + 12 + n + 4);
	if (!buf)
		return vg_error_set(err, -ENOMEM, "out of memory");
	/* As a note, so that the one check of notes reads it. */
	memcpy(buf, &(uint32_t){ 11 }, 4);
	memcpy(buf + 4, &(uint32_t){ (uint32_t)n }, 4);
	memcpy(buf + 12, "VMCOREINFO", 11);
	if (vg_pread_full(hd->fd, buf + 24, (size_t)n, h->vmcoreinfo.offset))
		rc = vg_error_set(err, -EIO, "%s: cannot read VMCOREINFO",
				  hd->path);
	else if (vg_dumphdr_check_notes(buf, 24 + n, err) < 0)
		rc = vg_error_wrap(err, "%s", hd->path);
	free(buf);
	return rc;
}

/* Is all of [paddr, paddr + len) in the file's PT_LOAD data? */
static int in_ranges(const struct vg_hostdump *hd, uint64_t paddr, size_t len)
{
	size_t lo = 0, hi = hd->nranges;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (hd->ranges[mid].end <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < hd->nranges && hd->ranges[lo].start <= paddr &&
	       len <= hd->ranges[lo].end - paddr;
}

static int hd_read(struct vg_hostmem *hm, uint64_t paddr, void *buf, size_t len)
{
	struct vg_hostdump *hd = hm->priv;
	size_t got = len;
	kdump_status st;

	if (paddr + len < paddr)
		return VG_HM_ERROR;
	hd->bytes_read += len;
	/* a cut ELF dump: libkdumpfile would read past the end of the file */
	if (hd->cut_bytes && hd->ranges && !in_ranges(hd, paddr, len) &&
	    paddr < hd->mem_end) {
		hd->cut_reads++;
		return VG_HM_ABSENT;
	}
	if (hd->direct && direct_read(hd, paddr, buf, len) == VG_HM_OK)
		return VG_HM_OK;
	if (hd->have_pd && len) {
		for (uint64_t pfn = paddr / PAGE_SZ;
		     pfn <= (paddr + len - 1) / PAGE_SZ; pfn++) {
			int r = vg_dumppd_check(&hd->pd, pfn);

			if (r < 0)
				return VG_HM_ERROR;
			if (r > 0) {
				hd->cut_reads++;
				return VG_HM_ABSENT;
			}
		}
	}
	st = kdump_read(hd->ctx, KDUMP_MACHPHYSADDR, paddr, buf, &got);
	if (st == KDUMP_OK && got == len)
		return VG_HM_OK;
	if (st == KDUMP_ERR_NODATA)
		return VG_HM_ABSENT;
	return VG_HM_ERROR;
}

/* Hand the checked file to libkdumpfile. */
static int open_kdumpfile(struct vg_hostdump *hd, struct vg_error *err)
{
	kdump_status ks;
	const char *s;

	hd->ctx = kdump_new();
	if (!hd->ctx)
		return vg_error_set(err, -ENOMEM,
				    "out of memory (libkdumpfile)");
	/*
	 * read(2), never mmap(2): mapped dump pages count in our RSS and the
	 * capture kernel has ~256 MiB for a dump of any size.
	 */
	ks = kdump_set_number_attr(hd->ctx, KDUMP_ATTR_FILE_MMAP_POLICY,
				   KDUMP_MMAP_NEVER);
	if (ks != KDUMP_OK)
		return vg_error_set(err, -EINVAL, "libkdumpfile: %s",
				    kdump_get_err(hd->ctx));
	ks = kdump_open_fd(hd->ctx, hd->fd);
	if (ks != KDUMP_OK)
		return vg_error_set(err, -EINVAL, "%s: %s", hd->path,
				    kdump_get_err(hd->ctx));
	if (kdump_get_string_attr(hd->ctx, KDUMP_ATTR_FILE_FORMAT, &s) ==
	    KDUMP_OK)
		snprintf(hd->format, sizeof(hd->format), "%s", s);
	else
		snprintf(hd->format, sizeof(hd->format), "unknown");
	if (kdump_get_string_attr(hd->ctx, KDUMP_ATTR_ARCH_NAME, &s) !=
		    KDUMP_OK ||
	    strcmp(s, KDUMP_ARCH_X86_64) != 0)
		return vg_error_set(err, -EINVAL, "%s: not an x86_64 dump",
				    hd->path);
	return 0;
}

/* How much memory the dump describes, and how to find it. */
static int memory_map(struct vg_hostdump *hd, struct vg_error *err)
{
	kdump_attr_t attr;
	kdump_num_t num;

	/*
	 * ELF: the PT_LOADs say where memory ends, whatever else is known,
	 * also when the file is cut short (the rest reads as absent).
	 */
	if (hd->mem_end)
		num = (hd->mem_end + PAGE_SZ - 1) / PAGE_SZ;
	else if (kdump_get_number_attr(hd->ctx, "max_pfn", &num) != KDUMP_OK)
		num = 0;
	if (num == 0)
		return vg_error_set(err, -EINVAL,
				    "%s: the dump describes no memory",
				    hd->path);
	hd->max_pfn = num;
	attr.type = KDUMP_BITMAP;
	if (!hd->ranges &&
	    kdump_get_typed_attr(hd->ctx, KDUMP_ATTR_FILE_PAGEMAP, &attr) ==
		    KDUMP_OK) {
		/*
		 * kdump_get_typed_attr() gives no reference (kdumpfile.h):
		 * take one, which vg_hostdump_close() drops.  Dropping one
		 * never taken freed the bitmap under libkdumpfile, which
		 * then used it in kdump_free() (ASan, fuzzing against an
		 * instrumented libkdumpfile).
		 */
		hd->pagemap = attr.val.bitmap;
		kdump_bmp_incref(hd->pagemap);
	}
	hd->hm.read = hd_read;
	hd->hm.max_paddr = hd->max_pfn * PAGE_SZ;
	hd->hm.priv = hd;
	return 0;
}

struct vg_hostdump *vg_hostdump_open(const char *path, struct vg_error *err)
{
	struct vg_hostdump *hd;
	struct vg_dumphdr h;
	int rc;

	hd = calloc(1, sizeof(*hd));
	if (!hd) {
		vg_error_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	hd->path = path;
	hd->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (hd->fd < 0) {
		vg_error_set(err, -errno, "cannot open %s: %s", path,
			     strerror(errno));
		free(hd);
		return NULL;
	}
	rc = vg_dumphdr_read(hd->fd, path, &h, err);
	if (!rc && h.cut_bytes) {
		hd->cut_bytes = h.cut_bytes;
		snprintf(
			hd->damage, sizeof(hd->damage),
			"truncated dump: %s ends at byte %llu, %.1f MiB of its "
			"memory lie past the end and are absent",
			path, (unsigned long long)h.file_size,
			(double)h.cut_bytes / (1 << 20));
	}
	if (!rc && h.format == VG_DUMP_ELF)
		rc = elf_ranges(hd, &h, err);
	if (!rc)
		rc = read_notes(hd, &h, err);
	if (!rc)
		rc = check_kdump_vmcoreinfo(hd, &h, err);
	if (!rc && h.format == VG_DUMP_KDUMP) {
		rc = vg_dumppd_init(&hd->pd, hd->fd, &h, path, err);
		hd->have_pd = 1; /* vg_dumppd_free() also after a failure */
		if (!rc && hd->pd.cut)
			snprintf(hd->damage, sizeof(hd->damage),
				 "truncated dump: %s ends at byte %llu, "
				 "before the data of its last pages: those "
				 "pages are absent",
				 path, (unsigned long long)h.file_size);
	}
	vg_dumphdr_free(&h);
	if (!rc)
		rc = open_kdumpfile(hd, err);
	if (!rc)
		rc = memory_map(hd, err);
	if (rc) {
		vg_hostdump_close(hd);
		return NULL;
	}
	return hd;
}

void vg_hostdump_close(struct vg_hostdump *hd)
{
	if (!hd)
		return;
	if (hd->pagemap)
		kdump_bmp_decref(hd->pagemap);
	if (hd->ctx)
		kdump_free(hd->ctx);
	if (hd->fd >= 0)
		close(hd->fd);
	if (hd->have_pd)
		vg_dumppd_free(&hd->pd);
	free(hd->ranges);
	free(hd->segs);
	free(hd->notes);
	free(hd->vmcoreinfo);
	free(hd);
}

int vg_hostdump_find_note(const struct vg_hostdump *hd, const char *name,
			  uint32_t type, const void **desc, size_t *len,
			  struct vg_error *err)
{
	int rc;

	*desc = NULL;
	*len = 0;
	if (!hd->notes_len) {
		if (hd->no_notes_why[0])
			return vg_error_set(err, 1, "no %s note in %s: %s",
					    name, hd->path, hd->no_notes_why);
		return vg_error_set(err, 1,
				    "no %s note in %s (it has no notes)", name,
				    hd->path);
	}
	rc = elfnote_find(hd->notes, hd->notes_len, name, type, desc, len, err);
	if (rc < 0)
		return vg_error_wrap(err, "%s", hd->path);
	if (rc > 0)
		return vg_error_set(err, 1, "no %s note in %s", name, hd->path);
	return 0;
}

/*
 * The blob libkdumpfile keeps as linux.vmcoreinfo.raw, copied with a NUL.
 * kdump_vmcoreinfo_raw() reads the same blob but wants the OS type set
 * first ("OS type is not set"), and setting it makes libkdumpfile set up
 * its Linux address translation from the dump: more of the library
 * parsing hostile bytes, for nothing we use.
 */
static int copy_vmcoreinfo(struct vg_hostdump *hd, struct vg_error *err)
{
	kdump_attr_t attr;
	kdump_status ks;
	void *data;
	size_t n;

	ks = kdump_get_attr(hd->ctx, "linux.vmcoreinfo.raw", &attr);
	if (ks == KDUMP_ERR_NODATA || ks == KDUMP_ERR_NOKEY)
		return vg_error_set(err, 1, "no VMCOREINFO in %s", hd->path);
	if (ks != KDUMP_OK || attr.type != KDUMP_BLOB)
		return vg_error_set(
			err, -EINVAL, "%s: VMCOREINFO: %s", hd->path,
			ks != KDUMP_OK ? kdump_get_err(hd->ctx) : "not a blob");
	data = kdump_blob_pin(attr.val.blob);
	n = kdump_blob_size(attr.val.blob);
	hd->vmcoreinfo = malloc(n + 1);
	if (hd->vmcoreinfo) {
		if (n) /* an empty blob pins as NULL */
			memcpy(hd->vmcoreinfo, data, n);
		hd->vmcoreinfo[n] = '\0';
		hd->vmcoreinfo_len = n;
	}
	kdump_blob_unpin(attr.val.blob);
	if (!hd->vmcoreinfo)
		return vg_error_set(err, -ENOMEM, "out of memory");
	return 0;
}

int vg_hostdump_vmcoreinfo(struct vg_hostdump *hd, const char **text,
			   size_t *len, struct vg_error *err)
{
	int rc;

	*text = NULL;
	*len = 0;
	if (!hd->vmcoreinfo) {
		rc = copy_vmcoreinfo(hd, err);
		if (rc)
			return rc;
	}
	*text = hd->vmcoreinfo;
	*len = hd->vmcoreinfo_len;
	return 0;
}

struct vg_hostmem *vg_hostdump_mem(struct vg_hostdump *hd)
{
	return &hd->hm;
}

int vg_hostdump_set_direct(struct vg_hostdump *hd, int on)
{
	if (on && !hd->segs)
		return -1;
	hd->direct = on;
	return 0;
}

uint64_t vg_hostdump_bytes_read(const struct vg_hostdump *hd)
{
	return hd->bytes_read;
}

const char *vg_hostdump_damage(const struct vg_hostdump *hd)
{
	return hd->damage;
}

uint64_t vg_hostdump_cut_reads(const struct vg_hostdump *hd)
{
	return hd->cut_reads;
}

const char *vg_hostdump_format(const struct vg_hostdump *hd)
{
	return hd->format;
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
