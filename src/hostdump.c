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
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "notes/elfnote.h"
#include "src/dumphdr.h"
#include "src/dumppd.h"

#define PAGE_SZ 4096ull
#define HD_IO_MAX 64 /* failed ranges kept */
#define HD_IO_CONSEC 16 /* page reads failed in a row: the rest is dead */
#define HD_WIN (4ull << 20) /* mmap window of /proc/vmcore */
#define HD_WIN_MIN (64u << 10) /* smaller reads outside the window: pread */
#ifndef PROC_SUPER_MAGIC
#define PROC_SUPER_MAGIC 0x9fa0
#endif

struct vg_hostdump {
	int fd;
	const char *path; /* for messages; the caller's string */
	kdump_ctx_t *ctx;
	kdump_bmp_t *pagemap; /* kdump-compressed: the dump's page bitmap */
	/*
	 * ELF: host physical ranges of the PT_LOADs' file data, page
	 * aligned, sorted and merged: only what vg_hostdump_next_range()
	 * lists (reads ask segs[] below).  libkdumpfile's pagemap of an ELF vmcore stops short when the
	 * kernel-text PT_LOAD overlaps a RAM PT_LOAD, as in /proc/vmcore.
	 */
	struct hd_range {
		uint64_t start, end;
	} * ranges;
	size_t nranges;
	/*
	 * ELF: every PT_LOAD, sorted by address: the one lookup of what a
	 * host physical address is (find_seg()): in file data [start, end),
	 * in the missing tail of a dump cut short [end, mem_end), or in no
	 * PT_LOAD (a hole).  File data is read with pread(2) directly
	 * (vg_hostdump_set_direct()).
	 */
	struct hd_seg {
		uint64_t start, end, mem_end, offset;
		uint64_t reach; /* the highest mem_end of this and all before */
	} * segs;
	size_t nsegs;
	int direct;
	/*
	 * /proc/vmcore: file data through a window of HD_WIN bytes mapped
	 * with mmap(2), as makedumpfile reads it: a read(2) of old memory
	 * maps and unmaps every page in the kernel (copy_oldmem_page()).
	 * The kernel maps the window with remap_pfn_range(): no page of it
	 * counts in our RSS.  Off for other files (their page cache would
	 * count), and for good after the first mmap that fails (map_why).
	 */
	int map_on;
	uint8_t *win;
	uint64_t win_off, win_len, file_size;
	char map_why[96];
	/*
	 * The file ends before its headers do (a copy cut short): what
	 * lies past the end is absent, and damage[] says so in one line.
	 */
	uint64_t cut_bytes;
	uint64_t mem_end; /* ELF: where the PT_LOADs end, cut or not */
	uint64_t cut_reads; /* reads answered absent because of the cut */
	char damage[256];
	/*
	 * Ranges that failed to read (EIO and other read errors): absent,
	 * like a cut.  io[] holds the failed pages merged into ranges,
	 * sorted; a range that is dead (HD_IO_CONSEC failures in a row, or
	 * the list full) reaches to the end of the dump's range of RAM it
	 * lies in, which is then never read again.
	 */
	struct hd_io {
		uint64_t start, end;
		int dead;
	} io[HD_IO_MAX];
	size_t nio;
	unsigned io_consec; /* page reads failed in a row */
	uint64_t io_reads; /* reads answered absent because of them */
	char io_why[128]; /* the first error, e.g. "Input/output error" */
	char io_line[512];
	uint8_t page[PAGE_SZ]; /* a page read while finding the bad ones */
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
 * every PT_LOAD for the reads.
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

		if (l->size) {
			hd->segs[hd->nsegs].start = l->paddr;
			hd->segs[hd->nsegs].end = end;
			hd->segs[hd->nsegs].mem_end = l->paddr + l->size;
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
		hd->segs[i].reach =
			i && hd->segs[i - 1].reach > hd->segs[i].mem_end ?
				hd->segs[i - 1].reach :
				hd->segs[i].mem_end;
	hd->direct = 1;
	return 0;
}

/*
 * The PT_LOAD paddr lies in: one whose file data holds it if any (the
 * kernel-text PT_LOAD overlaps a RAM one), else one whose missing tail
 * holds it (*tail = 1), else NULL (a hole between PT_LOADs, or past them).
 */
static const struct hd_seg *find_seg(const struct vg_hostdump *hd,
				     uint64_t paddr, int *tail)
{
	const struct hd_seg *cut = NULL;
	size_t lo = 0, hi = hd->nsegs;

	*tail = 0;
	/* the last segment starting at or below paddr ... */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (hd->segs[mid].start <= paddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* ... or one before it that reaches further */
	for (size_t i = lo; i-- > 0 && paddr < hd->segs[i].reach;) {
		if (paddr < hd->segs[i].end)
			return &hd->segs[i];
		if (paddr < hd->segs[i].mem_end && !cut)
			cut = &hd->segs[i];
	}
	*tail = cut != NULL;
	return cut;
}

#define HD_HOLE 1 /* some byte in no PT_LOAD */
#define HD_TAIL 2 /* some byte in the missing tail of a cut PT_LOAD */

/* What [paddr, paddr + len) touches besides file data: HD_* bits. */
static int elf_class(const struct vg_hostdump *hd, uint64_t paddr, size_t len)
{
	uint64_t end = paddr + len;
	int c = 0, tail;

	while (paddr < end) {
		const struct hd_seg *sg = find_seg(hd, paddr, &tail);

		if (sg && !tail) {
			paddr = sg->end;
			continue;
		}
		c |= sg ? HD_TAIL : HD_HOLE;
		paddr = (paddr | (PAGE_SZ - 1)) + 1; /* the next page */
	}
	return c;
}

/* An I/O error: absent like a cut, found out page by page (hd_read()). */
#define HD_IO_ERR 2

/*
 * Map the window over [off, off + n) (n <= HD_WIN - PAGE_SZ): at its
 * HD_WIN-aligned place, or from off's page when it would end inside n.
 * 0, or -1 when not (mmap off, past the end, or the mmap failed: off for
 * good then, map_why says why).
 */
static int win_move(struct vg_hostdump *hd, uint64_t off, uint64_t n)
{
	uint64_t ws = off & ~(HD_WIN - 1), wl;
	void *p;

	if (off + n > ws + HD_WIN)
		ws = off & ~(uint64_t)(PAGE_SZ - 1);
	if (!hd->map_on || ws >= hd->file_size)
		return -1;
	if (hd->win)
		munmap(hd->win, hd->win_len);
	hd->win = NULL;
	wl = hd->file_size - ws < HD_WIN ? hd->file_size - ws : HD_WIN;
	wl = (wl + PAGE_SZ - 1) & ~(uint64_t)(PAGE_SZ - 1);
	p = mmap(NULL, wl, PROT_READ, MAP_PRIVATE, hd->fd, (off_t)ws);
	if (p == MAP_FAILED) {
		hd->map_on = 0;
		snprintf(hd->map_why, sizeof(hd->map_why), "mmap: %s",
			 strerror(errno));
		return -1;
	}
	hd->win = p;
	hd->win_off = ws;
	hd->win_len = wl;
	return 0;
}

/*
 * Copy [off, off + n) of the file from the mmap window, moving it when
 * the read is large enough to pay for that.  0 when copied, 1 when the
 * caller is to pread(2) it (small read outside the window, or mmap off).
 */
static int map_read(struct vg_hostdump *hd, uint8_t *buf, uint64_t n,
		    uint64_t off)
{
	while (n) {
		uint64_t k;

		if (!hd->win || off < hd->win_off ||
		    off >= hd->win_off + hd->win_len) {
			if (n < HD_WIN_MIN ||
			    win_move(hd, off, n < HD_WIN / 2 ? n : 0))
				return 1;
		}
		k = hd->win_off + hd->win_len - off;
		if (k > n)
			k = n;
		memcpy(buf, hd->win + (off - hd->win_off), k);
		buf += k;
		off += k;
		n -= k;
	}
	return 0;
}

/*
 * ELF: read [paddr, paddr + len), all of it in PT_LOAD file data, with
 * pread(2), as large as the caller asks (the scan: 1 MiB at a time).
 * VG_HM_OK, or HD_IO_ERR with hd->io_why set when the read fails.
 */
static int direct_read(struct vg_hostdump *hd, uint64_t paddr, uint8_t *buf,
		       size_t len)
{
	while (len) {
		int tail, rc;
		const struct hd_seg *sg = find_seg(hd, paddr, &tail);
		uint64_t n, off;

		if (!sg || tail) /* elf_class() said no: cannot happen */
			return VG_HM_ERROR;
		n = sg->end - paddr < len ? sg->end - paddr : len;
		off = sg->offset + (paddr - sg->start);
		/* the window ends inside the file: n bytes there are data */
		if ((hd->win || hd->map_on) && !map_read(hd, buf, n, off)) {
			paddr += n;
			buf += n;
			len -= (size_t)n;
			continue;
		}
		rc = vg_pread_full(hd->fd, buf, (size_t)n, off);
		if (rc) {
			if (!hd->io_why[0])
				snprintf(hd->io_why, sizeof(hd->io_why), "%s",
					 strerror(-rc));
			return HD_IO_ERR;
		}
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

/* One read, no retry: VG_HM_OK, VG_HM_ABSENT, VG_HM_ERROR or HD_IO_ERR. */
static int read_once(struct vg_hostdump *hd, uint64_t paddr, void *buf,
		     size_t len)
{
	size_t got = len;
	kdump_status st;

	if (hd->segs) {
		int c = elf_class(hd, paddr, len);

		/* a cut ELF dump: libkdumpfile would read past the end */
		if (c & HD_TAIL) {
			hd->cut_reads++;
			return VG_HM_ABSENT;
		}
		if (!c && hd->direct)
			return direct_read(hd, paddr, buf, len);
		/* a hole: libkdumpfile answers, as on an intact dump */
	}
	if (hd->have_pd && len) {
		for (uint64_t pfn = paddr / PAGE_SZ;
		     pfn <= (paddr + len - 1) / PAGE_SZ; pfn++) {
			int r = vg_dumppd_check(&hd->pd, pfn);

			if (r == -EIO && !hd->io_why[0])
				snprintf(hd->io_why, sizeof(hd->io_why),
					 "cannot read a page descriptor");
			if (r == -EIO)
				return HD_IO_ERR;
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
	if (st == KDUMP_ERR_SYSTEM) { /* read(2) failed: "...: <errno>" */
		if (!hd->io_why[0])
			snprintf(hd->io_why, sizeof(hd->io_why), "%s",
				 kdump_get_err(hd->ctx));
		return HD_IO_ERR;
	}
	return VG_HM_ERROR;
}

/* Does [paddr, paddr + len) touch a range known to fail? */
static int io_known(const struct vg_hostdump *hd, uint64_t paddr, size_t len)
{
	for (size_t i = 0; i < hd->nio; i++)
		if (hd->io[i].start < paddr + len && paddr < hd->io[i].end)
			return 1;
	return 0;
}

/* Add [start, end) to the sorted, merged list of failed ranges. */
static void io_add(struct vg_hostdump *hd, uint64_t start, uint64_t end,
		   int dead)
{
	size_t i = 0;

	while (i < hd->nio && hd->io[i].end < start)
		i++;
	if (i < hd->nio && hd->io[i].start <= end) { /* touches io[i] */
		if (start < hd->io[i].start)
			hd->io[i].start = start;
		if (end > hd->io[i].end)
			hd->io[i].end = end;
		hd->io[i].dead |= dead;
		while (i + 1 < hd->nio &&
		       hd->io[i + 1].start <= hd->io[i].end) {
			if (hd->io[i + 1].end > hd->io[i].end)
				hd->io[i].end = hd->io[i + 1].end;
			hd->io[i].dead |= hd->io[i + 1].dead;
			memmove(&hd->io[i + 1], &hd->io[i + 2],
				(hd->nio - i - 2) * sizeof(hd->io[0]));
			hd->nio--;
		}
		return;
	}
	if (hd->nio == HD_IO_MAX) { /* full: widen a neighbour, never read */
		i = i ? i - 1 : 0;
		if (start < hd->io[i].start)
			hd->io[i].start = start;
		if (end > hd->io[i].end)
			hd->io[i].end = end;
		hd->io[i].dead = 1;
		return;
	}
	memmove(&hd->io[i + 1], &hd->io[i], (hd->nio - i) * sizeof(hd->io[0]));
	hd->io[i] = (struct hd_io){ start, end, dead };
	hd->nio++;
}

/*
 * The page at paddr failed to read.  After HD_IO_CONSEC failures in a
 * row (a dead device: each failure can cost seconds of the device's own
 * retries), or with the list full, the rest of the dump's range of RAM
 * that holds it is dead: absent without being read.
 */
static void io_fail(struct vg_hostdump *hd, uint64_t paddr)
{
	uint64_t start, end = paddr + PAGE_SZ;

	if (++hd->io_consec >= HD_IO_CONSEC || hd->nio >= HD_IO_MAX - 1) {
		if (vg_hostdump_next_range(hd, paddr, &start, &end) != 1 ||
		    start > paddr || end < paddr + PAGE_SZ)
			end = paddr + PAGE_SZ;
		io_add(hd, paddr, end, 1);
		return;
	}
	io_add(hd, paddr, end, 0);
}

/*
 * A read that failed with an I/O error: find its bad pages one by one
 * (so one bad page costs that page, not the chunk), record them.
 */
static void io_find(struct vg_hostdump *hd, uint64_t paddr, size_t len)
{
	for (uint64_t p = paddr & ~(PAGE_SZ - 1); p < paddr + len;
	     p += PAGE_SZ) {
		int r;

		if (io_known(hd, p, PAGE_SZ))
			continue;
		/* a read inside one page: that page failed */
		r = (paddr ^ (paddr + len - 1)) < PAGE_SZ ?
			    HD_IO_ERR :
			    read_once(hd, p, hd->page, PAGE_SZ);
		if (r == HD_IO_ERR)
			io_fail(hd, p);
		else
			hd->io_consec = 0;
	}
}

/*
 * hm.map: [paddr, paddr + len) straight from the mmap window, no copy,
 * when it lies in one PT_LOAD's file data that no read failed in, and
 * the window holds it or len is worth moving the window for (as reads).
 */
static int hd_map(struct vg_hostmem *hm, uint64_t paddr, size_t len,
		  const void **p)
{
	struct vg_hostdump *hd = hm->priv;
	const struct hd_seg *sg;
	uint64_t off;
	int tail;

	if (!hd->map_on || !hd->direct || !hd->segs || !len ||
	    len > HD_WIN - PAGE_SZ || paddr + len < paddr)
		return -1;
	if (hd->nio && io_known(hd, paddr, len))
		return -1;
	sg = find_seg(hd, paddr, &tail);
	if (!sg || tail || paddr + len > sg->end)
		return -1;
	off = sg->offset + (paddr - sg->start);
	if (!hd->win || off < hd->win_off ||
	    off + len > hd->win_off + hd->win_len) {
		if (len < HD_WIN_MIN || win_move(hd, off, len))
			return -1;
		if (off + len > hd->win_off + hd->win_len)
			return -1; /* the file ends first: cannot happen */
	}
	hd->bytes_read += len;
	*p = hd->win + (off - hd->win_off);
	return 0;
}

static int hd_read(struct vg_hostmem *hm, uint64_t paddr, void *buf, size_t len)
{
	struct vg_hostdump *hd = hm->priv;
	int r;

	if (paddr + len < paddr)
		return VG_HM_ERROR;
	hd->bytes_read += len;
	if (hd->nio && io_known(hd, paddr, len)) {
		hd->io_reads++;
		return VG_HM_ABSENT;
	}
	r = read_once(hd, paddr, buf, len);
	if (r == VG_HM_OK)
		hd->io_consec = 0;
	if (r != HD_IO_ERR)
		return r;
	io_find(hd, paddr, len);
	hd->io_reads++;
	return VG_HM_ABSENT;
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
	hd->hm.map = hd_map;
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
	if (!rc && h.format == VG_DUMP_ELF) {
		struct statfs sf;

		hd->file_size = h.file_size;
		hd->map_on = h.file_size != UINT64_MAX &&
			     fstatfs(hd->fd, &sf) == 0 &&
			     sf.f_type == PROC_SUPER_MAGIC;
	}
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
	if (hd->win)
		munmap(hd->win, hd->win_len);
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

int vg_hostdump_set_mmap(struct vg_hostdump *hd, int on)
{
	if (on && (!hd->segs || hd->file_size == UINT64_MAX))
		return -1;
	if (!on && hd->win) {
		munmap(hd->win, hd->win_len);
		hd->win = NULL;
	}
	hd->map_on = on;
	return 0;
}

const char *vg_hostdump_read_method(const struct vg_hostdump *hd)
{
	if (!hd->segs)
		return "libkdumpfile";
	if (hd->map_on)
		return "mmap";
	return hd->map_why[0] ? hd->map_why : "pread";
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

uint64_t vg_hostdump_io_reads(const struct vg_hostdump *hd)
{
	return hd->io_reads;
}

const char *vg_hostdump_io_errors(struct vg_hostdump *hd)
{
	char *p = hd->io_line, *e = hd->io_line + sizeof(hd->io_line);
	uint64_t pages = 0;
	int dead = 0;

	hd->io_line[0] = '\0';
	if (!hd->nio)
		return hd->io_line;
	for (size_t i = 0; i < hd->nio; i++) {
		pages += (hd->io[i].end - hd->io[i].start + PAGE_SZ - 1) /
			 PAGE_SZ;
		dead |= hd->io[i].dead;
	}
	p += snprintf(p, (size_t)(e - p),
		      "read errors in %s (%s): %llu pages absent, host "
		      "physical",
		      hd->path, hd->io_why[0] ? hd->io_why : "I/O error",
		      (unsigned long long)pages);
	for (size_t i = 0; i < hd->nio && i < 4 && p < e - 1; i++)
		p += snprintf(p, (size_t)(e - p), "%s 0x%llx-0x%llx",
			      i ? "," : "", (unsigned long long)hd->io[i].start,
			      (unsigned long long)hd->io[i].end);
	if (hd->nio > 4 && p < e - 1)
		p += snprintf(p, (size_t)(e - p), " and %zu more ranges",
			      hd->nio - 4);
	if (dead && p < e - 1)
		snprintf(p, (size_t)(e - p),
			 "; after %u failures in a row the rest of the range "
			 "was not read",
			 HD_IO_CONSEC);
	return hd->io_line;
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
