// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Guest dump in the kdump-compressed format (src/kdumpcore.h).
 *
 * Passes over the guest: (1) the tables, for the highest page frame, and
 * (2) again to set the present bitmap; (3) guest RAM in ascending order
 * until a valid VMCOREINFO note is met; then the guest's mem_map
 * (src/pageclass.c) clears the excluded pages from the dumped bitmap;
 * (4) the copy: every dumped page is read once, checked for zeros,
 * compressed and appended, its descriptor written at its rank in the
 * dumped bitmap.  The layout is fixed before the copy, so an output
 * error or a stop only shortens the data: pages not written are then
 * taken out of the dumped bitmap, the descriptors of the written ones
 * moved down, and the header marked incomplete.
 */
#include "src/kdumpcore.h"

#include <errno.h>
#include <inttypes.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "src/outfile.h"
#include "src/pageclass.h"

#define PAGE VG_GPAGE_SIZE
#define CHUNK (256u * 1024)
#define START_KERNEL_MAP 0xffffffff80000000ull
#define VMCI_MAGIC "VMCOREINFO\0\0OSRELEASE="
#define VMCI_MAGIC_LEN 22
#define RANK_BLOCK 512 /* pfns per rank table entry: 8 words to count */
#define CBUF_SIZE (2 * PAGE + 1024) /* above every compressor's bound */

/* makedumpfile's diskdump_mod.h, x86_64 layout. */
#define KDUMP_SIG "KDUMP   "
#define DH_ZLIB 0x1
#define DH_LZO 0x2
#define DH_SNAPPY 0x4
#define DH_INCOMPLETE 0x8
#define DH_ZSTD 0x20

struct kd_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65],
		domainname[65];
};

struct kd_header {
	char signature[8];
	int32_t header_version;
	struct kd_utsname utsname;
	int64_t tv_sec, tv_usec;
	uint32_t status;
	int32_t block_size, sub_hdr_size;
	uint32_t bitmap_blocks, max_mapnr, total_ram_blocks, device_blocks,
		written_blocks, current_cpu;
	int32_t nr_cpus;
};

struct kd_sub_header {
	uint64_t phys_base;
	int32_t dump_level, split;
	uint64_t start_pfn, end_pfn;
	uint64_t offset_vmcoreinfo, size_vmcoreinfo;
	uint64_t offset_note, size_note;
	uint64_t offset_eraseinfo, size_eraseinfo;
	uint64_t start_pfn_64, end_pfn_64, max_mapnr_64;
};

struct kd_desc {
	uint64_t offset;
	uint32_t size, flags;
	uint64_t page_flags;
};

_Static_assert(sizeof(struct kd_header) == 464, "disk_dump_header");
_Static_assert(offsetof(struct kd_header, tv_sec) == 408, "timestamp");
_Static_assert(sizeof(struct kd_sub_header) == 104, "kdump_sub_header");
_Static_assert(sizeof(struct kd_desc) == 24, "page_desc");

#define DESC_BATCH (CHUNK / sizeof(struct kd_desc))

struct kd {
	int fd;
	struct vg_gmem *gm;
	const struct vg_guestcore_opts *opts;
	struct vg_guestcore_result *res;
	int level, stop;

	uint64_t max_pfn, bmbytes;
	uint8_t *bm1, *bm2, *done;
	uint64_t *rank; /* dumped pages below each RANK_BLOCK */
	uint64_t ndump, nwritten;

	int have_vmci;
	int vmci_aligned; /* this pass looks at page offset 12 only ... */
	int vmci_mapped; /* ... in the chunks that were mapped */
	uint8_t note[24 + 4096 + 8];
	char vmci[4097];
	uint32_t descsz;

	uint64_t off_bitmap, off_desc, off_data, next_data, zero_off;
	uint64_t pages_done, pages_total; /* mapped pages (progress) */

	/* Buffered descriptors: pbuf holds pn of them from index pidx. */
	struct kd_desc pbuf[DESC_BATCH];
	uint64_t pidx;
	size_t pn;
	/* Buffered data from file offset doff. */
	uint8_t dbuf[CHUNK];
	uint64_t doff;
	size_t dlen;

	uint8_t rbuf[CHUNK];
	uint8_t cbuf[CBUF_SIZE];
	uint8_t lzo_wrk[LZO1X_1_11_MEM_COMPRESS];
	ZSTD_CCtx *zctx;
};

static void problem(struct kd *k, int partial, const char *fmt, ...)
{
	va_list ap;

	if (partial)
		k->res->partial = 1;
	if (k->res->error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(k->res->error, sizeof(k->res->error), fmt, ap);
	va_end(ap);
}

static void logf_(struct kd *k, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!k->opts->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	k->opts->log(k->opts->log_ctx, msg);
}

static int out(struct kd *k, const void *buf, size_t len, uint64_t off,
	       const char *what)
{
	if (vg_pwrite_all(k->fd, buf, len, (off_t)off) == 0)
		return 0;
	problem(k, 1, "writing %s at offset %" PRIu64 ": %s", what, off,
		strerror(errno));
	k->stop = 1;
	return -1;
}

int vg_gc_compress_parse(const char *name)
{
	static const char *const names[] = { "none", "none",   "zlib",
					     "lzo",  "snappy", "zstd" };

	for (int i = 1; i < 6; i++)
		if (!strcmp(name, names[i]))
			return i == 1 ? VG_GC_ELF : i;
	return -1;
}

const char *vg_gc_compress_name(int c)
{
	switch (c) {
	case VG_GC_ZLIB:
		return "zlib";
	case VG_GC_LZO:
		return "lzo";
	case VG_GC_SNAPPY:
		return "snappy";
	case VG_GC_ZSTD:
		return "zstd";
	case VG_GC_KDUMP_NONE:
		return "stored";
	default:
		return "none";
	}
}

/* ---- passes over the tables ------------------------------------------ */

static int max_cb(void *ctx, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	struct kd *k = ctx;

	(void)hpa;
	if ((gpa + len) / PAGE > k->max_pfn)
		k->max_pfn = (gpa + len) / PAGE;
	return 0;
}

static int present_cb(void *ctx, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	struct kd *k = ctx;

	(void)hpa;
	for (uint64_t p = gpa / PAGE; p < (gpa + len) / PAGE && p < k->max_pfn;
	     p++)
		k->bm1[p >> 3] |= (uint8_t)(1u << (p & 7));
	return 0;
}

/* ---- VMCOREINFO ------------------------------------------------------ */

/*
 * n bytes of host memory at hpa: mapped, no copy, where the host dump
 * offers that (valid until the next host read), else read into k->rbuf.
 * NULL when the read did not give them all.
 */
static const uint8_t *host_span(struct kd *k, uint64_t hpa, size_t n)
{
	const void *p;

	if (!vg_hostmem_map(k->gm->hm, hpa, n, &p))
		return p;
	if (vg_hostmem_read(k->gm->hm, hpa, k->rbuf, n) == VG_HM_OK)
		return k->rbuf;
	return NULL;
}

/* Is the VMCOREINFO at gpa (the magic 12 bytes in)?  Reads the host. */
static int vmci_try(struct kd *k, uint64_t at)
{
	k->res->vmcoreinfo_candidates++;
	if (at < 12 || !vg_gc_vmcoreinfo_load(k->gm, at - 12, k->note, k->vmci,
					      &k->descsz))
		return 0;
	k->res->vmcoreinfo_found = 1;
	k->res->vmcoreinfo_gpa = at - 12;
	return 1;
}

/*
 * Look for the magic in the n bytes at guest gpa, host hpa, that src
 * holds; 1 when found.  The aligned pass compares page offset 12 only
 * where the host memory is mapped (then it costs one load a page):
 * Linux 4.15 and later allocate the note a page of its own
 * (alloc_pages_exact()), so its magic follows the 12-byte note header
 * there.  A chunk that had to be read into rbuf is searched byte by byte
 * at once, as is every chunk in the second pass, which runs only when
 * the first found nothing in what it mapped (older kernels keep the note
 * in the kernel's .bss).  A candidate's check reads the host: a mapped
 * src is fetched again after it.
 */
static int vmci_in(struct kd *k, uint64_t gpa, uint64_t hpa, const uint8_t *src,
		   size_t n)
{
	const uint8_t *h;
	size_t o = 0;

	k->res->vmcoreinfo_scan_bytes += n;
	if (k->vmci_aligned && src != k->rbuf) {
		k->vmci_mapped = 1;
		for (o = 0; o + PAGE <= n; o += PAGE) {
			if (memcmp(src + o + 12, VMCI_MAGIC, VMCI_MAGIC_LEN))
				continue;
			if (vmci_try(k, gpa + o + 12))
				return 1;
			if (src != k->rbuf && !(src = host_span(k, hpa, n)))
				return 0;
		}
		return 0;
	}
	while (o < n &&
	       (h = memmem(src + o, n - o, VMCI_MAGIC, VMCI_MAGIC_LEN))) {
		o = (size_t)(h - src);
		if (vmci_try(k, gpa + o))
			return 1;
		if (src != k->rbuf && !(src = host_span(k, hpa, n)))
			return 0;
		o++;
	}
	return 0;
}

static int vmci_cb(void *ctx, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	struct kd *k = ctx;

	for (uint64_t done = 0; done < len;) {
		uint64_t n = len - done < CHUNK ? len - done : CHUNK;
		const uint8_t *src = host_span(k, hpa + done, n);

		if (src) {
			if (vmci_in(k, gpa + done, hpa + done, src, n))
				return 1;
		} else {
			/* Page by page around what is missing. */
			for (uint64_t o = 0; o < n; o += PAGE) {
				src = host_span(k, hpa + done + o, PAGE);
				if (src && vmci_in(k, gpa + done + o,
						   hpa + done + o, src, PAGE))
					return 1;
			}
		}
		done += n;
	}
	return 0;
}

/*
 * The top 64 MiB of guest RAM is searched first, from the top down:
 * Linux takes the VMCOREINFO page (get_zeroed_page() at boot) where the
 * buddy allocator hands out its first pages, high in RAM below what the
 * boot loader put there (the crash tests' Linux guest: at 79 of its 100
 * MiB, under its initramfs; its BIOS ROM at 4 GiB does not count, as
 * "top" is counted in present bytes).  The rest follows bottom up.
 */
#define VMCI_TOP (64ull << 20)
#define VMCI_TOP_RANGES 65536u /* 1.5 MiB of ranges at the most */

struct vmci_top {
	struct kd *k;
	uint64_t skip; /* present bytes below the top window */
	uint64_t seen; /* present bytes walked so far */
	uint64_t from; /* gpa where the top window starts */
	struct vmci_range {
		uint64_t gpa, hpa, len;
	} * r;
	size_t n;
};

static int top_cb(void *ctx, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	struct vmci_top *t = ctx;
	uint64_t below = t->seen < t->skip ? t->skip - t->seen : 0;

	t->seen += len;
	if (below >= len)
		return 0;
	if (!t->n)
		t->from = gpa + below;
	if (t->n == VMCI_TOP_RANGES)
		return 1; /* too fragmented: searched with the rest */
	t->r[t->n].gpa = gpa + below;
	t->r[t->n].hpa = hpa + below;
	t->r[t->n].len = len - below;
	t->n++;
	return 0;
}

static int below_cb(void *ctx, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	struct vmci_top *t = ctx;

	if (gpa >= t->from)
		return 0;
	return vmci_cb(t->k, gpa, hpa,
		       gpa + len > t->from ? t->from - gpa : len);
}

/* One range of the top window, its last CHUNK first; 1 when found. */
static int vmci_down(struct kd *k, const struct vmci_range *r)
{
	for (uint64_t end = r->len; end > 0;) {
		uint64_t n = end < CHUNK ? end : CHUNK;

		end -= n;
		if (vmci_cb(k, r->gpa + end, r->hpa + end, n))
			return 1;
	}
	return 0;
}

static void search_vmcoreinfo(struct kd *k)
{
	uint64_t total = k->pages_total * PAGE;
	struct vmci_top t = { .k = k,
			      .skip = total > VMCI_TOP ? total - VMCI_TOP : 0,
			      .from = UINT64_MAX };

	t.r = malloc(VMCI_TOP_RANGES * sizeof(*t.r));
	if (t.r && k->gm->walk(k->gm, top_cb, &t) == 0) {
		for (size_t i = t.n; i-- > 0;)
			if (vmci_down(k, &t.r[i])) {
				free(t.r);
				return;
			}
	} else {
		t.from = UINT64_MAX; /* the top was not searched */
	}
	free(t.r);
	k->gm->walk(k->gm, below_cb, &t);
}

static void find_vmcoreinfo(struct kd *k)
{
	char rel[65];

	if (k->opts->no_vmcoreinfo)
		return;
	/* Page-aligned notes first where mapped, then every byte. */
	k->vmci_aligned = 1;
	search_vmcoreinfo(k);
	if (!k->res->vmcoreinfo_found && !k->stop && k->vmci_mapped) {
		k->vmci_aligned = 0;
		search_vmcoreinfo(k);
	}
	if (!k->res->vmcoreinfo_found)
		return;
	k->have_vmci = 1;
	if (vg_vmci_get(k->vmci, "OSRELEASE", rel, sizeof(rel)))
		memcpy(k->res->osrelease, rel, sizeof(rel));
	if (vg_vmci_num(k->vmci, "NUMBER(phys_base)", 10, &k->res->phys_base))
		k->res->phys_base_known = 1;
	logf_(k,
	      "guest VMCOREINFO at gpa 0x%" PRIx64 " (%s), after %" PRIu64
	      " MiB",
	      k->res->vmcoreinfo_gpa, k->res->osrelease,
	      k->res->vmcoreinfo_scan_bytes >> 20);
}

/* ---- classification and layout ---------------------------------------- */

static void classify(struct kd *k, const struct vg_vcpu *vcpus, unsigned nvcpus)
{
	struct vg_guestcore_result *res = k->res;
	struct vg_pageclass_stats st;
	uint64_t cr3 = 0;

	res->dump_level = k->level & VG_DL_ZERO;
	if (!k->have_vmci) {
		snprintf(res->filter_note, sizeof(res->filter_note),
			 "no guest VMCOREINFO: zero pages excluded only");
		return;
	}
	for (unsigned i = 0; i < nvcpus && !cr3; i++)
		if ((vcpus[i].known & VG_K_CR3) && !vcpus[i].state_encrypted)
			cr3 = vcpus[i].cr3 & ~0x1fffull;
	if (vg_pageclass_filter(k->gm, k->vmci, cr3, k->level, k->bm1, k->bm2,
				k->max_pfn, &st, res->filter_note,
				sizeof(res->filter_note))) {
		size_t l = strlen(res->filter_note);

		snprintf(res->filter_note + l, sizeof(res->filter_note) - l,
			 ": zero pages excluded only");
		return;
	}
	res->classified = 1;
	res->dump_level = k->level;
	/*
	 * As makedumpfile: the dump ends with the last section the kernel
	 * has a mem_map for (firmware ranges above are not its memory).
	 */
	if (st.mem_map_end && st.mem_map_end < k->max_pfn) {
		for (uint64_t p = st.mem_map_end; p < k->max_pfn; p++) {
			vg_bit_clear(k->bm1, p);
			vg_bit_clear(k->bm2, p);
		}
		k->max_pfn = st.mem_map_end;
		k->bmbytes = ((k->max_pfn + 7) / 8 + PAGE - 1) / PAGE * PAGE;
	}
	res->excl_cache = st.cache;
	res->excl_cache_private = st.cache_private;
	res->excl_user = st.user;
	res->excl_free = st.free;
	res->excl_hwpoison = st.hwpoison;
	res->excl_offline = st.offline;
	if (st.free_unknown)
		snprintf(res->filter_note, sizeof(res->filter_note),
			 "free pages kept: no buddy test in the VMCOREINFO");
	logf_(k,
	      "mem_map: %" PRIu64 " sections; excluded cache %" PRIu64
	      " private %" PRIu64 " user %" PRIu64 " free %" PRIu64,
	      st.sections, st.cache, st.cache_private, st.user, st.free);
}

/* Bitmap word i (64 page frames); the bitmaps are whole blocks. */
static uint64_t word(const uint8_t *bm, uint64_t i)
{
	uint64_t w;

	memcpy(&w, bm + 8 * i, 8);
	return w;
}

static void build_rank(struct kd *k)
{
	uint64_t n = 0;

	for (uint64_t b = 0; b * RANK_BLOCK < k->max_pfn; b++) {
		k->rank[b] = n;
		for (uint64_t i = b * RANK_BLOCK / 64;
		     i < (b + 1) * RANK_BLOCK / 64 && 8 * i < k->bmbytes; i++)
			n += (uint64_t)__builtin_popcountll(word(k->bm2, i));
	}
	k->ndump = n;
}

/* Descriptor index of pfn: the dumped pages below it. */
static uint64_t rank_of(const struct kd *k, uint64_t pfn)
{
	uint64_t r = k->rank[pfn / RANK_BLOCK];

	for (uint64_t i = pfn / RANK_BLOCK * RANK_BLOCK / 64; i < pfn / 64; i++)
		r += (uint64_t)__builtin_popcountll(word(k->bm2, i));
	return r + (uint64_t)__builtin_popcountll(word(k->bm2, pfn / 64) &
						  ((1ull << (pfn & 63)) - 1));
}

/* ---- the copy --------------------------------------------------------- */

static void flush_data(struct kd *k)
{
	if (k->dlen && !k->stop)
		out(k, k->dbuf, k->dlen, k->doff, "guest pages");
	if (!k->stop)
		k->res->bytes_written += k->dlen;
	k->doff += k->dlen;
	k->dlen = 0;
}

static void flush_desc(struct kd *k)
{
	if (k->pn && !k->stop)
		out(k, k->pbuf, k->pn * sizeof(struct kd_desc),
		    k->off_desc + k->pidx * sizeof(struct kd_desc),
		    "page descriptors");
	k->pidx += k->pn;
	k->pn = 0;
}

static void put_desc(struct kd *k, uint64_t idx, const struct kd_desc *d)
{
	if (k->pn && (idx != k->pidx + k->pn || k->pn == DESC_BATCH))
		flush_desc(k);
	if (!k->pn)
		k->pidx = idx;
	k->pbuf[k->pn++] = *d;
}

/* Compressed size into k->cbuf, or 0 when it is to be stored. */
static size_t compress_page(struct kd *k, const uint8_t *src, uint32_t *flag)
{
	size_t n = 0;

	switch (k->opts->compress) {
	case VG_GC_ZLIB: {
		uLongf zl = CBUF_SIZE;

		if (compress2(k->cbuf, &zl, src, PAGE, Z_BEST_SPEED) == Z_OK)
			n = zl;
		*flag = DH_ZLIB;
		break;
	}
	case VG_GC_LZO: {
		lzo_uint ll = CBUF_SIZE;

		/*
		 * LZO1X-1(11): the same LZO1X stream as makedumpfile's
		 * lzo1x_1_compress (lzo1x_decompress_safe reads both), with
		 * a 2^11-entry dictionary that it clears per call.  The
		 * default's 2^14 entries are 32 KiB cleared for every 4 KiB
		 * page: 57 % of the instructions on the test guest's pages,
		 * for 0.7 % smaller output.
		 */
		if (lzo1x_1_11_compress(src, PAGE, k->cbuf, &ll, k->lzo_wrk) ==
		    LZO_E_OK)
			n = ll;
		*flag = DH_LZO;
		break;
	}
	case VG_GC_SNAPPY: {
		size_t sl = CBUF_SIZE;

		if (snappy_compress((const char *)src, PAGE, (char *)k->cbuf,
				    &sl) == SNAPPY_OK)
			n = sl;
		*flag = DH_SNAPPY;
		break;
	}
	case VG_GC_ZSTD:
		n = ZSTD_compressCCtx(k->zctx, k->cbuf, CBUF_SIZE, src, PAGE,
				      1);
		if (ZSTD_isError(n))
			n = 0;
		*flag = DH_ZSTD;
		break;
	}
	return n && n < PAGE ? n : 0;
}

static int is_zero(const uint8_t *p)
{
	static const uint8_t zero[PAGE];

	return !memcmp(p, zero, PAGE);
}

static void add_data(struct kd *k, const void *p, size_t n)
{
	if (k->dlen + n > CHUNK)
		flush_data(k);
	if (!k->dlen)
		k->doff = k->next_data;
	memcpy(k->dbuf + k->dlen, p, n);
	k->dlen += n;
	k->next_data += n;
}

/* A page the dump keeps: in the dumped bitmap and not written yet. */
static int wanted(const struct kd *k, uint64_t pfn)
{
	return pfn < k->max_pfn && vg_bit(k->bm2, pfn) && !vg_bit(k->done, pfn);
}

static void copy_page(struct kd *k, uint64_t pfn, const uint8_t *data)
{
	struct kd_desc d = { 0, 0, 0, 0 };
	size_t n;

	if (!wanted(k, pfn))
		return;
	k->res->pages_present++;
	if (is_zero(data)) {
		k->res->pages_zero++;
		if (k->level & VG_DL_ZERO) {
			d.offset = k->zero_off;
			d.size = PAGE;
			goto put;
		}
	}
	n = compress_page(k, data, &d.flags);
	d.offset = k->next_data;
	if (n) {
		d.size = (uint32_t)n;
		add_data(k, k->cbuf, n);
		k->res->pages_compressed++;
	} else {
		d.flags = 0;
		d.size = PAGE;
		add_data(k, data, PAGE);
	}
put:
	put_desc(k, rank_of(k, pfn), &d);
	k->done[pfn >> 3] |= (uint8_t)(1u << (pfn & 7));
	k->nwritten++;
}

static void progress(struct kd *k)
{
	char why[160] = "";

	if (!k->opts->progress || k->stop)
		return;
	if (!k->opts->progress(k->opts->progress_ctx, k->pages_done,
			       k->pages_total, why, sizeof(why)))
		return;
	flush_data(k);
	flush_desc(k);
	problem(k, 1, "%s", why[0] ? why : "stopped by the caller");
	k->stop = 1;
}

/*
 * Copy the kept pages of [gpa, gpa + len), host [hpa, hpa + len): where
 * the host dump maps its memory, straight from the mapping; elsewhere
 * only the kept pages are read, in runs of up to CHUNK, as makedumpfile
 * reads only the pages its bitmap keeps.  The pages the dump level
 * leaves out (free, cache, user pages) cost no copy either way.
 */
static int copy_cb(void *ctx, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	struct kd *k = ctx;
	uint64_t done = 0, since = 0;

	while (done < len && !k->stop) {
		const void *src;
		uint64_t n;
		int r;

		while (done < len && !wanted(k, (gpa + done) / PAGE)) {
			done += PAGE;
			k->pages_done++;
			if (++since >= CHUNK / PAGE) {
				since = 0;
				progress(k);
			}
		}
		if (done >= len || k->stop)
			break;
		/*
		 * Mapped (the capture kernel's /proc/vmcore): the next CHUNK
		 * of the range, no copy, its pages not kept passed over.
		 */
		n = len - done < CHUNK ? len - done : CHUNK;
		if (!vg_hostmem_map(k->gm->hm, hpa + done, n, &src)) {
			for (uint64_t o = 0; o < n && !k->stop; o += PAGE)
				copy_page(k, (gpa + done + o) / PAGE,
					  (const uint8_t *)src + o);
			done += n;
			k->pages_done += n / PAGE;
			since = 0;
			progress(k);
			continue;
		}
		for (n = 0; n < CHUNK && done + n < len &&
			    wanted(k, (gpa + done + n) / PAGE);)
			n += PAGE;
		r = vg_hostmem_read(k->gm->hm, hpa + done, k->rbuf, n);
		if (r != VG_HM_OK) /* a read refused once the budget is up */
			progress(k);
		for (uint64_t o = 0; o < n && !k->stop; o += PAGE) {
			uint64_t pfn = (gpa + done + o) / PAGE;

			if (r != VG_HM_OK) {
				int r1 = vg_hostmem_read(k->gm->hm,
							 hpa + done + o,
							 k->rbuf + o, PAGE);

				if (r1 == VG_HM_ERROR)
					problem(k, 1,
						"host read error at 0x%" PRIx64
						" (guest 0x%" PRIx64 ")",
						hpa + done + o, gpa + done + o);
				if (r1 != VG_HM_OK) {
					k->res->pages_absent++;
					continue;
				}
			}
			copy_page(k, pfn, k->rbuf + o);
		}
		done += n;
		k->pages_done += n / PAGE;
		since = 0;
		progress(k);
	}
	return k->stop ? 1 : 0;
}

/*
 * Pages of the dumped bitmap that were not written (absent from the host
 * dump, or the copy stopped): drop them and move the descriptors of the
 * written pages down to their new rank.
 */
static void compact(struct kd *k)
{
	uint64_t oi = 0, ni = 0;
	struct kd_desc d;

	for (uint64_t pfn = 0; pfn < k->max_pfn; pfn++) {
		if (!vg_bit(k->bm2, pfn))
			continue;
		if (vg_bit(k->done, pfn)) {
			if (oi != ni &&
			    (pread(k->fd, &d, sizeof(d),
				   (off_t)(k->off_desc + oi * sizeof(d))) !=
				     (ssize_t)sizeof(d) ||
			     out(k, &d, sizeof(d), k->off_desc + ni * sizeof(d),
				 "page descriptors")))
				return;
			ni++;
		} else {
			vg_bit_clear(k->bm2, pfn);
		}
		oi++;
	}
}

/* ---- headers ---------------------------------------------------------- */

static void utsname(struct kd *k, struct kd_utsname *u)
{
	uint64_t sym, off = 0;

	memset(u, 0, sizeof(*u));
	if (k->have_vmci && k->res->phys_base_known &&
	    vg_vmci_num(k->vmci, "SYMBOL(init_uts_ns)", 16, &sym) &&
	    sym >= START_KERNEL_MAP) {
		vg_vmci_num(k->vmci, "OFFSET(uts_namespace.name)", 10, &off);
		if (vg_gmem_read(k->gm,
				 sym - START_KERNEL_MAP + k->res->phys_base +
					 off,
				 u, sizeof(*u)) == VG_HM_OK &&
		    !strcmp(u->sysname, "Linux"))
			return;
	}
	/* Not in guest memory: what is known; libkdumpfile wants a sysname,
	 * a release and a version before it takes the machine. */
	memset(u, 0, sizeof(*u));
	strcpy(u->sysname, "Linux");
	strcpy(u->machine, "x86_64");
	strcpy(u->version, "unknown");
	if (k->res->osrelease[0])
		memcpy(u->release, k->res->osrelease, sizeof(u->release) - 1);
	else
		strcpy(u->release, "unknown");
}

static int write_headers(struct kd *k, const struct vg_vcpu *vcpus,
			 unsigned nvcpus, const uint8_t *notes,
			 size_t notes_len, int sub_blocks)
{
	static const uint32_t flag[] = { 0,	 0,	    DH_ZLIB,
					 DH_LZO, DH_SNAPPY, DH_ZSTD };
	struct kd_header h;
	struct kd_sub_header sh;
	struct timeval tv;

	(void)vcpus;
	memset(&sh, 0, sizeof(sh));
	sh.phys_base = k->res->phys_base_known ? k->res->phys_base : 0;
	sh.dump_level = k->res->dump_level;
	sh.offset_note = PAGE + sizeof(sh);
	sh.size_note = notes_len;
	if (k->have_vmci) {
		/* The VMCOREINFO note is the last one: its text. */
		sh.offset_vmcoreinfo =
			sh.offset_note + notes_len - ((k->descsz + 3) & ~3u);
		sh.size_vmcoreinfo = k->descsz;
	}
	sh.max_mapnr_64 = k->max_pfn;
	memset(&h, 0, sizeof(h));
	memcpy(h.signature, KDUMP_SIG, 8);
	h.header_version = 6;
	utsname(k, &h.utsname);
	gettimeofday(&tv, NULL);
	h.tv_sec = tv.tv_sec;
	/*
	 * tv_usec stays 0: libkdumpfile tries the 32-bit header layout
	 * first, whose block_size is here (src/dumphdr.c says why).
	 */
	h.status = flag[k->opts->compress] |
		   (k->res->partial ? DH_INCOMPLETE : 0);
	h.block_size = PAGE;
	h.sub_hdr_size = sub_blocks;
	h.bitmap_blocks = (uint32_t)(2 * k->bmbytes / PAGE);
	h.max_mapnr = k->max_pfn > UINT32_MAX ? UINT32_MAX :
						(uint32_t)k->max_pfn;
	h.nr_cpus = nvcpus ? (int32_t)nvcpus : 1;
	if (out(k, notes, notes_len, sh.offset_note, "the notes") ||
	    out(k, &sh, sizeof(sh), PAGE, "the sub header") ||
	    out(k, k->bm1, k->bmbytes, k->off_bitmap, "the bitmaps") ||
	    out(k, k->bm2, k->bmbytes, k->off_bitmap + k->bmbytes,
		"the bitmaps") ||
	    out(k, &h, sizeof(h), 0, "the header"))
		return -1;
	return 0;
}

/* ---- driver ----------------------------------------------------------- */

static int setup(struct kd *k, struct vg_gmem *gm)
{
	int w = gm->walk(gm, max_cb, k);

	/* Each walk starts its statistics again: keep the total. */
	k->pages_total = gm->stats.pages_present;

	/*
	 * The walks and the VMCOREINFO search before the copy are under the
	 * caller's clock too: look at it after each (the reads of a walk
	 * the budget cut short fail, which is not the guest's fault).
	 */
	progress(k);
	if (w < 0 && !k->stop) {
		problem(k, 1, "guest memory: %s", gm->stats.first_error);
		return -1;
	}
	if (!k->stop && (gm->stats.truncated || gm->stats.table_absent ||
			 gm->stats.table_errors))
		problem(k, 1, "guest memory incomplete: %s",
			gm->stats.first_error);
	k->bmbytes = ((k->max_pfn + 7) / 8 + PAGE - 1) / PAGE * PAGE;
	if (!k->bmbytes)
		k->bmbytes = PAGE;
	k->bm1 = calloc(1, k->bmbytes);
	k->bm2 = calloc(1, k->bmbytes);
	k->done = calloc(1, k->bmbytes);
	k->rank = calloc(k->max_pfn / RANK_BLOCK + 1, sizeof(*k->rank));
	if (k->opts->compress == VG_GC_ZSTD)
		k->zctx = ZSTD_createCCtx();
	if (!k->bm1 || !k->bm2 || !k->done || !k->rank ||
	    (k->opts->compress == VG_GC_ZSTD && !k->zctx) ||
	    (k->opts->compress == VG_GC_LZO && lzo_init() != LZO_E_OK)) {
		problem(k, 1,
			"out of memory for the page bitmaps (%" PRIu64
			" bytes)",
			3 * k->bmbytes);
		return -1;
	}
	k->res->bitmap_bytes = 3 * k->bmbytes +
			       (k->max_pfn / RANK_BLOCK + 1) * sizeof(*k->rank);
	if (!k->stop)
		gm->walk(gm, present_cb, k);
	progress(k);
	memcpy(k->bm2, k->bm1, k->bmbytes);
	return 0;
}

static int run(struct kd *k, const struct vg_vcpu *vcpus, unsigned nvcpus)
{
	static const uint8_t zero[PAGE];
	uint8_t *notes;
	size_t notes_len;
	int sub_blocks, r;

	if (!k->stop)
		find_vmcoreinfo(k);
	progress(k);
	if (!k->stop)
		classify(k, vcpus, nvcpus);
	build_rank(k);
	notes = malloc(vg_gc_notes_size(nvcpus));
	if (!notes) {
		problem(k, 1, "out of memory for the notes");
		return VG_GC_FAILED;
	}
	notes_len = vg_gc_notes(notes, vcpus, nvcpus,
				k->have_vmci ? k->note : NULL, k->descsz);
	sub_blocks =
		(int)((sizeof(struct kd_sub_header) + notes_len + PAGE - 1) /
		      PAGE);
	k->off_bitmap = (1 + (uint64_t)sub_blocks) * PAGE;
	k->off_desc = k->off_bitmap + 2 * k->bmbytes;
	k->off_data = k->off_desc + k->ndump * sizeof(struct kd_desc);
	k->next_data = k->off_data;
	/* Room for the headers first, so a full disk meets the data. */
	r = vg_pwrite_all(k->fd, zero, PAGE, 0) ? -1 : 0;
	if (r == 0 && (k->level & VG_DL_ZERO)) {
		k->zero_off = k->next_data;
		add_data(k, zero, PAGE);
	}
	if (r) {
		problem(k, 1, "cannot write the header: %s", strerror(errno));
		free(notes);
		return VG_GC_FAILED;
	}
	progress(k);
	if (!k->stop)
		k->gm->walk(k->gm, copy_cb, k);
	flush_data(k);
	flush_desc(k);
	k->stop = 0; /* the headers go where the file was sized for */
	if (k->nwritten < k->ndump) {
		if (!k->res->error[0] && k->res->pages_absent)
			problem(k, 1,
				"%" PRIu64 " guest pages not in the host dump",
				k->res->pages_absent);
		compact(k);
	}
	k->res->pages_dumpable = k->nwritten;
	if (ftruncate(k->fd, (off_t)k->next_data))
		problem(k, 1, "cannot size the file: %s", strerror(errno));
	r = write_headers(k, vcpus, nvcpus, notes, notes_len, sub_blocks);
	free(notes);
	k->res->file_size = k->next_data;
	if (r)
		return VG_GC_FAILED;
	return k->res->partial ? VG_GC_PARTIAL : 0;
}

int vg_kdumpcore_write(int fd, struct vg_gmem *gm, const struct vg_vcpu *vcpus,
		       unsigned nvcpus, const struct vg_guestcore_opts *opts,
		       struct vg_guestcore_result *res)
{
	struct kd *k;
	int r = VG_GC_FAILED;

	memset(res, 0, sizeof(*res));
	res->kdump = 1;
	if (fd < 0 || !gm || !gm->walk || (nvcpus && !vcpus) ||
	    opts->compress < VG_GC_KDUMP_NONE || opts->compress > VG_GC_ZSTD ||
	    opts->dump_level < 0 || opts->dump_level > VG_DL_MAX) {
		snprintf(res->error, sizeof(res->error),
			 "vg_kdumpcore_write: bad arguments");
		return VG_GC_FAILED;
	}
	k = calloc(1, sizeof(*k));
	if (!k) {
		snprintf(res->error, sizeof(res->error), "out of memory");
		return VG_GC_FAILED;
	}
	k->fd = fd;
	k->gm = gm;
	k->opts = opts;
	k->res = res;
	k->level = opts->dump_level;
	if (setup(k, gm) == 0)
		r = run(k, vcpus, nvcpus);
	res->walk = gm->stats;
	ZSTD_freeCCtx(k->zctx);
	free(k->bm1);
	free(k->bm2);
	free(k->done);
	free(k->rank);
	free(k);
	return r;
}
