// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kdump-compressed guest dump and the dump levels (src/kdumpcore.c,
 * src/pageclass.c), on a generated guest with a Linux-like VMCOREINFO,
 * mem_section, mem_map and page tables.  Every file is read back with
 * libkdumpfile (through src/hostdump.c, as vmcore-guests opens dumps).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notes/vgerr.h"
#include "src/gpmap.h"
#include "src/hostdump.h"
#include "src/kdumpcore.h"
#include "src/pageclass.h"
#include "tests/src/memfixture.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define START_KERNEL_MAP 0xffffffff80000000ull
#define POB 0xffff888000000000ull
#define GOFF (4 * MiB) /* hpa = gpa + GOFF */
#define GSIZE (4 * MiB)
#define NPFN (GSIZE / 4096)
#define VMCI_GPA 0x7000ull
#define ROOTS_GPA 0x100000ull /* mem_section roots */
#define SECS_GPA 0x101000ull /* the sections of root 0 */
#define MAP_GPA 0x200000ull /* mem_map: 1024 struct pages of 64 bytes */
#define PGT_GPA 0x300000ull /* guest page tables from here */
#define ZERO_PFN 0x30

/* Linux 6.1's layout (as its VMCOREINFO says). */
#define PG_LRU 4
#define PG_SLAB 9
#define PG_SWAPCACHE 10
#define PG_PRIVATE 13
#define PG_HEAD 16
#define PG_SWAPBACKED 19
#define PG_HWPOISON 23

/* What each interesting pfn is, and what makedumpfile drops it for. */
enum cls { KEEP, CACHE, CACHE_PRI, USER, FREE, ALWAYS };

struct special {
	uint64_t pfn, n; /* n pages from pfn */
	enum cls cls;
};

static const struct special specials[] = {
	{ 0x10, 1, CACHE }, /* LRU, file mapping */
	{ 0x11, 1, CACHE_PRI }, /* LRU, PG_private */
	{ 0x12, 1, USER }, /* anonymous */
	{ 0x13, 1, CACHE }, /* swap cache, swap backed */
	{ 0x14, 1, KEEP }, /* PG_swapcache without PG_swapbacked */
	{ 0x20, 4, FREE }, /* buddy, order 2 */
	{ 0x24, 1, KEEP }, /* slab with the buddy _mapcount */
	{ 0x25, 1, KEEP }, /* buddy order 11: not believable */
	{ 0x40, 8, USER }, /* anonymous compound page, order 3 */
	{ 0x48, 8, USER }, /* hugetlb page, order 3 */
	{ 0x50, 1, ALWAYS }, /* hwpoison */
	{ 0x51, 1, ALWAYS }, /* offline */
	{ 0x60, 4, CACHE }, /* file compound page, order 2 */
	{ 0x66, 1, CACHE }, /* a misaligned "head" of order 2: order 0 */
};

struct guest {
	struct memimg m;
	struct vg_gmem g;
	uint64_t root;
	char path[64];
	int fd;
};

static uint64_t page_va(uint64_t pfn)
{
	return POB + MAP_GPA + pfn * 64;
}

static void put_page(struct guest *t, uint64_t pfn, uint64_t flags,
		     uint64_t mapping, uint64_t priv, int32_t mapcount)
{
	uint64_t h = GOFF + MAP_GPA + pfn * 64;

	memimg_put64(&t->m, h, flags);
	memimg_put64(&t->m, h + 24, mapping);
	memimg_put64(&t->m, h + 40, priv);
	memimg_put64(&t->m, h + 48, (uint32_t)mapcount | (1ull << 32));
}

/* Head at pfn of 2^order pages; dtor and order in the first tail. */
static void put_compound(struct guest *t, uint64_t pfn, unsigned order,
			 uint8_t dtor, uint64_t flags, uint64_t mapping)
{
	put_page(t, pfn, flags | (1ull << PG_HEAD), mapping, 0, -1);
	for (uint64_t i = 1; i < (1ull << order); i++)
		memimg_put64(&t->m, GOFF + MAP_GPA + (pfn + i) * 64 + 8,
			     page_va(pfn) | 1);
	t->m.buf[GOFF + MAP_GPA + (pfn + 1) * 64 + 16] = dtor;
	t->m.buf[GOFF + MAP_GPA + (pfn + 1) * 64 + 17] = (uint8_t)order;
}

static void put_mem_map(struct guest *t)
{
	for (uint64_t p = 0; p < NPFN; p++)
		put_page(t, p, 0, 0, 0, -1);
	put_page(t, 0x10, 1ull << PG_LRU, POB + 0x1000, 0, -1);
	put_page(t, 0x11, 1ull << PG_LRU | 1ull << PG_PRIVATE, POB + 0x1000, 0,
		 -1);
	put_page(t, 0x12, 1ull << PG_LRU | 1ull << PG_SWAPBACKED, POB + 0x2001,
		 0, -1);
	put_page(t, 0x13, 1ull << PG_SWAPCACHE | 1ull << PG_SWAPBACKED,
		 POB + 0x1000, 0, -1);
	put_page(t, 0x14, 1ull << PG_SWAPCACHE, POB + 0x1000, 0, -1);
	put_page(t, 0x20, 0, 0, 2, -129);
	put_page(t, 0x24, 1ull << PG_SLAB, 0, 2, -129);
	put_page(t, 0x25, 0, 0, 11, -129);
	put_compound(t, 0x40, 3, 1, 0, POB + 0x3001);
	put_compound(t, 0x48, 3, 2, 0, 0);
	put_page(t, 0x50, 1ull << PG_HWPOISON, 0, 0, -1);
	put_page(t, 0x51, 0, 0, 0, -257);
	put_compound(t, 0x60, 2, 1, 1ull << PG_LRU, POB + 0x1000);
	put_compound(t, 0x66, 2, 1, 1ull << PG_LRU, POB + 0x1000);
	/* 0x66's "tails" are plain pages: undo the compound_head marks. */
	for (uint64_t i = 1; i < 4; i++)
		memimg_put64(&t->m, GOFF + MAP_GPA + (0x66 + i) * 64 + 8, 0);
}

static void put_vmcoreinfo(struct guest *t, uint64_t pgt_gpa)
{
	char text[2048];
	Elf64_Nhdr nh = { 11, 0, 0 };
	uint8_t *p = t->m.buf + GOFF + VMCI_GPA;
	int n;

	n = snprintf(text, sizeof(text),
		     "OSRELEASE=6.1.0-99-amd64\nPAGESIZE=4096\n"
		     "SYMBOL(mem_section)=%llx\nLENGTH(mem_section)=4096\n"
		     "SIZE(mem_section)=32\n"
		     "OFFSET(mem_section.section_mem_map)=0\n"
		     "NUMBER(SECTION_SIZE_BITS)=27\n"
		     "NUMBER(MAX_PHYSMEM_BITS)=46\nSIZE(page)=64\n"
		     "OFFSET(page.flags)=0\nOFFSET(page._refcount)=52\n"
		     "OFFSET(page.mapping)=24\nOFFSET(page.lru)=8\n"
		     "OFFSET(page._mapcount)=48\nOFFSET(page.private)=40\n"
		     "OFFSET(page.compound_dtor)=16\n"
		     "OFFSET(page.compound_order)=17\n"
		     "OFFSET(page.compound_head)=8\n"
		     "LENGTH(zone.free_area)=11\nNUMBER(PG_lru)=4\n"
		     "NUMBER(PG_private)=13\nNUMBER(PG_swapcache)=10\n"
		     "NUMBER(PG_swapbacked)=19\nNUMBER(PG_slab)=9\n"
		     "NUMBER(PG_hwpoison)=23\nNUMBER(PG_head_mask)=65536\n"
		     "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
		     "NUMBER(HUGETLB_PAGE_DTOR)=2\n"
		     "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\n"
		     "NUMBER(phys_base)=0\nSYMBOL(init_top_pgt)=%llx\n"
		     "NUMBER(pgtable_l5_enabled)=0\n",
		     (unsigned long long)(POB + ROOTS_GPA),
		     (unsigned long long)(START_KERNEL_MAP + pgt_gpa));
	nh.n_descsz = (uint32_t)n + 1;
	memset(p, 0, 24 + (size_t)n + 8);
	memcpy(p, &nh, sizeof(nh));
	memcpy(p + 12, "VMCOREINFO", 11);
	memcpy(p + 24, text, (size_t)n + 1);
}

/* The guest; with_vmci 0: no VMCOREINFO in its RAM. */
static void guest_init(struct guest *t, int with_vmci)
{
	struct memimg *m = &t->m;
	uint64_t pgt;

	memimg_init(m, 16 * MiB, 16 * MiB, 12 * MiB);
	t->root = memimg_alloc(m);
	for (uint64_t a = 0; a < GSIZE; a += 4 * KiB)
		slat_map(m, VG_GPMAP_EPT, 4, t->root, a, a + GOFF, 4 * KiB);
	for (uint64_t a = 0; a < GSIZE; a += 8)
		if (a / 4096 != ZERO_PFN)
			memimg_put64(m, a + GOFF, memimg_pattern(a));
	/* Tables in guest RAM: the direct map with 2 MiB pages. */
	m->next = GOFF + PGT_GPA;
	pgt = memimg_alloc(m);
	for (uint64_t a = 0; a < GSIZE; a += 2 * MiB)
		gpt_map(m, GOFF, pgt, 4, POB + a, a, 2 * MiB);
	m->next = 13 * MiB;
	/* mem_section: root 0 -> sections; section 0 -> mem_map | present */
	memset(m->buf + GOFF + ROOTS_GPA, 0, 2 * 4096);
	memimg_put64(m, GOFF + ROOTS_GPA, POB + SECS_GPA);
	memimg_put64(m, GOFF + SECS_GPA, (POB + MAP_GPA) | 1 | 2);
	memset(m->buf + GOFF + MAP_GPA, 0, NPFN * 64);
	put_mem_map(t);
	if (with_vmci)
		put_vmcoreinfo(t, pgt - GOFF);
	assert_int_equal(vg_gpmap_init(&t->g, &m->hm, VG_GPMAP_EPT,
				       t->root | 0x5e, 4),
			 0);
	snprintf(t->path, sizeof(t->path), "/tmp/vg-kdumpcore-XXXXXX");
	t->fd = mkstemp(t->path);
	assert_true(t->fd >= 0);
}

static void guest_fini(struct guest *t)
{
	vg_gmem_release(&t->g);
	memimg_free(&t->m);
	close(t->fd);
	if (!getenv("KDC_KEEP"))
		unlink(t->path);
}

/* Is pfn dropped at level (with the mem_map known)? */
static int excluded(uint64_t pfn, int level)
{
	static const int bit[] = { 0, VG_DL_CACHE, VG_DL_CACHE_PRI, VG_DL_USER,
				   VG_DL_FREE };

	for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++) {
		const struct special *s = &specials[i];

		if (pfn < s->pfn || pfn >= s->pfn + s->n)
			continue;
		if (s->cls == ALWAYS)
			return 1;
		if (s->cls == CACHE)
			return !!(level & (VG_DL_CACHE | VG_DL_CACHE_PRI));
		return s->cls != KEEP && (level & bit[s->cls]);
	}
	return 0;
}

/* Open the file with libkdumpfile and check every guest page. */
static void check_file(struct guest *t, int level, int classified,
		       uint64_t absent_pfn)
{
	struct vg_error err = { 0 };
	struct vg_hostdump *hd = vg_hostdump_open(t->path, &err);
	struct vg_hostmem *hm;
	uint8_t buf[4096], want[4096];
	const char *text;
	size_t len;
	uint64_t kept = 0;

	if (!hd)
		fail_msg("libkdumpfile: %s", err.msg);
	assert_string_equal(vg_hostdump_format(hd), "diskdump");
	hm = vg_hostdump_mem(hd);
	for (uint64_t p = 0; p < NPFN; p++) {
		int drop = (classified && excluded(p, level)) ||
			   p == absent_pfn;
		int r = vg_hostmem_read(hm, p * 4096, buf, sizeof(buf));

		if (drop) {
			if (r != VG_HM_ABSENT)
				fail_msg("pfn 0x%llx kept at level %d",
					 (unsigned long long)p, level);
			continue;
		}
		if (r != VG_HM_OK)
			fail_msg("pfn 0x%llx dropped at level %d",
				 (unsigned long long)p, level);
		memcpy(want, t->m.buf + GOFF + p * 4096, 4096);
		assert_memory_equal(buf, want, 4096);
		kept++;
	}
	assert_int_equal(vg_hostdump_vmcoreinfo(hd, &text, &len, &err),
			 classified ? 0 : 1);
	if (classified)
		assert_non_null(strstr(text, "OSRELEASE=6.1.0-99-amd64\n"));
	vg_hostdump_close(hd);
	(void)kept;
}

static void levels_and_compressors(void **state)
{
	static const int levels[] = { 0, 1, 2, 4, 8, 16, 31 };
	static const int comp[] = { VG_GC_ZLIB, VG_GC_LZO, VG_GC_SNAPPY,
				    VG_GC_ZSTD, VG_GC_KDUMP_NONE };
	struct vg_guestcore_result res;

	(void)state;
	for (size_t c = 0; c < sizeof(comp) / sizeof(comp[0]); c++)
		for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]);
		     l++) {
			struct vg_guestcore_opts o = {
				.compress = comp[c], .dump_level = levels[l]
			};
			struct guest t;

			guest_init(&t, 1);
			assert_int_equal(vg_guestcore_write(t.fd, &t.g, NULL, 0,
							    &o, &res),
					 0);
			if (!res.classified)
				fail_msg("not classified: %s", res.filter_note);
			assert_true(res.kdump);
			assert_int_equal(res.dump_level, levels[l]);
			assert_true(res.vmcoreinfo_found &&
				    res.vmcoreinfo_gpa == VMCI_GPA);
			assert_true(res.pages_zero >= 1);
			if (comp[c] != VG_GC_KDUMP_NONE)
				assert_true(res.pages_compressed > 0);
			else
				assert_int_equal(res.pages_compressed, 0);
			check_file(&t, levels[l], 1, ~0ull);
			guest_fini(&t);
		}
}

static void counts_at_31(void **state)
{
	struct vg_guestcore_opts o = { .compress = VG_GC_ZLIB,
				       .dump_level = 31 };
	struct vg_guestcore_result res;
	struct guest t;

	(void)state;
	guest_init(&t, 1);
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, NULL, 0, &o, &res), 0);
	assert_int_equal(res.excl_cache, 1 + 1 + 4 + 1);
	assert_int_equal(res.excl_cache_private, 1);
	assert_int_equal(res.excl_user, 1 + 8 + 8);
	assert_int_equal(res.excl_free, 4);
	assert_int_equal(res.excl_hwpoison, 1);
	assert_int_equal(res.excl_offline, 1);
	assert_int_equal(res.pages_dumpable, NPFN - 7 - 1 - 17 - 4 - 2);
	assert_string_equal(res.filter_note, "");
	/* Bitmaps: 3 bits per page frame, and the rank table. */
	assert_true(res.bitmap_bytes <= 3 * 4096 + 64);
	guest_fini(&t);
}

/*
 * The VMCOREINFO is looked for from the top of guest RAM down (Linux
 * allocates it high): one at the top page is found in the first chunk,
 * one at the bottom still found.
 */
static void vmcoreinfo_searched_top_down(void **state)
{
	const uint64_t top = GSIZE - 4096;
	struct vg_guestcore_opts o = { .compress = VG_GC_LZO,
				       .dump_level = 31 };
	struct vg_guestcore_result res;
	struct guest t;

	(void)state;
	guest_init(&t, 1);
	memcpy(t.m.buf + GOFF + top, t.m.buf + GOFF + VMCI_GPA, 4096);
	memset(t.m.buf + GOFF + VMCI_GPA, 0, 4096);
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, NULL, 0, &o, &res), 0);
	assert_true(res.vmcoreinfo_found && res.vmcoreinfo_gpa == top);
	if (res.vmcoreinfo_scan_bytes > 256 * KiB)
		fail_msg("searched %llu bytes for a VMCOREINFO at the top",
			 (unsigned long long)res.vmcoreinfo_scan_bytes);
	guest_fini(&t);
	guest_init(&t, 1);
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, NULL, 0, &o, &res), 0);
	assert_true(res.vmcoreinfo_found && res.vmcoreinfo_gpa == VMCI_GPA);
	guest_fini(&t);
}

/*
 * A VMCOREINFO not at the start of a page (Linux before 4.15 kept it in
 * the kernel's .bss).  Host memory read into a buffer: every byte of it
 * is searched in the one pass.  Mapped: the page-aligned pass finds
 * nothing, the search of every byte after it does.
 */
static void vmcoreinfo_unaligned_found(void **state)
{
	const uint64_t at = VMCI_GPA + 0x128;
	struct vg_guestcore_opts o = { .compress = VG_GC_LZO,
				       .dump_level = 31 };
	struct vg_guestcore_result res;
	struct guest t;

	(void)state;
	for (int mapped = 0; mapped < 2; mapped++) {
		guest_init(&t, 1);
		if (mapped)
			memimg_offer_map(&t.m);
		memmove(t.m.buf + GOFF + at, t.m.buf + GOFF + VMCI_GPA,
			4096 - (at - VMCI_GPA));
		memset(t.m.buf + GOFF + VMCI_GPA, 0, at - VMCI_GPA);
		assert_int_equal(
			vg_guestcore_write(t.fd, &t.g, NULL, 0, &o, &res), 0);
		assert_true(res.vmcoreinfo_found && res.vmcoreinfo_gpa == at);
		assert_int_equal(res.classified, 1);
		if (mapped)
			assert_true(res.vmcoreinfo_scan_bytes > GSIZE);
		else
			assert_true(res.vmcoreinfo_scan_bytes <= GSIZE);
		check_file(&t, 31, 1, ~0ull);
		guest_fini(&t);
	}
}

/*
 * Where the host dump maps its memory (the capture kernel's /proc/vmcore)
 * the writer takes pages from the mapping: every page is as the guest
 * had it, at every level.  The fixture poisons a mapping at the next
 * host read, so one used after it is no longer valid shows.
 */
static void mapped_host_memory_same_dump(void **state)
{
	static const int levels[] = { 1, 31 };
	struct vg_guestcore_result ra, rb;

	(void)state;
	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		struct vg_guestcore_opts o = { .compress = VG_GC_LZO,
					       .dump_level = levels[l] };
		struct guest a, b;

		guest_init(&a, 1);
		assert_int_equal(
			vg_guestcore_write(a.fd, &a.g, NULL, 0, &o, &ra), 0);
		guest_init(&b, 1);
		memimg_offer_map(&b.m);
		assert_int_equal(
			vg_guestcore_write(b.fd, &b.g, NULL, 0, &o, &rb), 0);
		assert_true(b.m.maps >= GSIZE / (256 * KiB));
		check_file(&b, levels[l], 1, ~0ull);
		assert_int_equal(rb.file_size, ra.file_size);
		assert_int_equal(rb.pages_dumpable, ra.pages_dumpable);
		assert_int_equal(rb.pages_zero, ra.pages_zero);
		assert_int_equal(rb.vmcoreinfo_gpa, VMCI_GPA);
		guest_fini(&a);
		guest_fini(&b);
	}
}

/*
 * A page that starts like the note and is not one, right below it, in
 * the same chunk: checking it reads the host (and ends the mapping), the
 * page-aligned pass still finds the note after it, in one pass.
 */
static void vmcoreinfo_false_candidate_mapped(void **state)
{
	struct vg_guestcore_opts o = { .compress = VG_GC_LZO,
				       .dump_level = 31 };
	struct vg_guestcore_result res;
	uint8_t *fake;
	struct guest t;

	(void)state;
	guest_init(&t, 1);
	memimg_offer_map(&t.m);
	fake = t.m.buf + GOFF + VMCI_GPA - 4096;
	memcpy(fake, t.m.buf + GOFF + VMCI_GPA, 64);
	memcpy(fake + 4, &(uint32_t){ 0xffffffffu }, 4); /* n_descsz */
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, NULL, 0, &o, &res), 0);
	assert_true(res.vmcoreinfo_found && res.vmcoreinfo_gpa == VMCI_GPA);
	assert_int_equal(res.vmcoreinfo_candidates, 2);
	if (res.vmcoreinfo_scan_bytes > GSIZE)
		fail_msg("searched %llu bytes: the aligned pass missed it",
			 (unsigned long long)res.vmcoreinfo_scan_bytes);
	check_file(&t, 31, 1, ~0ull);
	guest_fini(&t);
}

/* No VMCOREINFO in guest RAM: zero pages only, and it says so. */
static void no_vmcoreinfo_zero_pages_only(void **state)
{
	struct vg_guestcore_opts o = { .compress = VG_GC_LZO,
				       .dump_level = 31 };
	struct vg_guestcore_result res;
	struct guest t;

	(void)state;
	guest_init(&t, 0);
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, NULL, 0, &o, &res), 0);
	assert_int_equal(res.classified, 0);
	assert_int_equal(res.dump_level, 1);
	assert_string_equal(res.filter_note,
			    "no guest VMCOREINFO: zero pages excluded only");
	assert_int_equal(res.pages_dumpable, NPFN);
	check_file(&t, 1, 0, ~0ull);
	guest_fini(&t);
}

/* A VMCOREINFO whose mem_section is not readable: same fallback. */
static void bad_mem_section_zero_pages_only(void **state)
{
	struct vg_guestcore_opts o = { .compress = VG_GC_ZLIB,
				       .dump_level = 31 };
	struct vg_guestcore_result res;
	struct guest t;

	(void)state;
	guest_init(&t, 1);
	memimg_put64(&t.m, GOFF + ROOTS_GPA, 0);
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, NULL, 0, &o, &res), 0);
	assert_int_equal(res.classified, 0);
	assert_non_null(strstr(res.filter_note, "mem_section"));
	assert_non_null(strstr(res.filter_note, "zero pages excluded only"));
	guest_fini(&t);
}

/* A page missing from the host dump is left out of the dumped bitmap;
 * the descriptors of the pages after it move down. */
static void absent_host_page_dropped(void **state)
{
	struct vg_guestcore_opts o = { .compress = VG_GC_ZSTD,
				       .dump_level = 31 };
	struct vg_guestcore_result res;
	struct guest t;

	(void)state;
	guest_init(&t, 1);
	memimg_mark_absent(&t.m, GOFF + 0x9000);
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, NULL, 0, &o, &res),
			 VG_GC_PARTIAL);
	assert_int_equal(res.pages_absent, 1);
	assert_non_null(strstr(res.error, "not in the host dump"));
	check_file(&t, 31, 1, 9);
	guest_fini(&t);
}

static int stop_after(void *ctx, uint64_t done, uint64_t total, char *why,
		      size_t whysz)
{
	int *calls = ctx;

	/* Every mapped page of the guest, whatever pass ran before. */
	assert_int_equal(total, NPFN);
	assert_true(done <= total);
	if (!done || ++*calls < 2) /* the second copied batch */
		return 0;
	snprintf(why, whysz, "stopped: test budget");
	return 1;
}

/* Stopped mid-copy: what was written is readable, the rest is not. */
static void stop_gives_readable_partial_dump(void **state)
{
	int calls = 0;
	struct vg_guestcore_opts o = { .compress = VG_GC_ZLIB,
				       .dump_level = 1,
				       .progress = stop_after,
				       .progress_ctx = &calls };
	struct vg_guestcore_result res;
	struct vg_error err = { 0 };
	struct vg_hostdump *hd;
	uint8_t buf[4096];
	struct guest t;
	uint64_t ok = 0;

	(void)state;
	guest_init(&t, 1);
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, NULL, 0, &o, &res),
			 VG_GC_PARTIAL);
	assert_string_equal(res.error, "stopped: test budget");
	/*
	 * Two batches: 256 KiB, then the kept pages up to the always-
	 * dropped one at 0x50 (a batch is a run of kept pages).
	 */
	assert_int_equal(res.pages_dumpable, 0x50);
	hd = vg_hostdump_open(t.path, &err);
	if (!hd)
		fail_msg("libkdumpfile: %s", err.msg);
	for (uint64_t p = 0; p < NPFN; p++) {
		if (vg_hostmem_read(vg_hostdump_mem(hd), p * 4096, buf, 4096) !=
		    VG_HM_OK)
			continue;
		assert_memory_equal(buf, t.m.buf + GOFF + p * 4096, 4096);
		assert_true(p < 0x50);
		ok++;
	}
	assert_int_equal(ok, 0x50);
	vg_hostdump_close(hd);
	guest_fini(&t);
}

static void bad_arguments(void **state)
{
	struct vg_guestcore_opts o = { .compress = VG_GC_ZLIB,
				       .dump_level = 32 };
	struct vg_guestcore_result res;
	struct guest t;

	(void)state;
	guest_init(&t, 1);
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, NULL, 0, &o, &res),
			 VG_GC_FAILED);
	assert_non_null(strstr(res.error, "bad arguments"));
	assert_int_equal(vg_gc_compress_parse("lzo"), VG_GC_LZO);
	assert_int_equal(vg_gc_compress_parse("none"), VG_GC_ELF);
	assert_int_equal(vg_gc_compress_parse("gzip"), -1);
	guest_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(levels_and_compressors),
		cmocka_unit_test(counts_at_31),
		cmocka_unit_test(vmcoreinfo_searched_top_down),
		cmocka_unit_test(vmcoreinfo_unaligned_found),
		cmocka_unit_test(mapped_host_memory_same_dump),
		cmocka_unit_test(vmcoreinfo_false_candidate_mapped),
		cmocka_unit_test(no_vmcoreinfo_zero_pages_only),
		cmocka_unit_test(bad_mem_section_zero_pages_only),
		cmocka_unit_test(absent_host_page_dropped),
		cmocka_unit_test(stop_gives_readable_partial_dump),
		cmocka_unit_test(bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
