// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Guest page classification from the guest's own mem_map
 * (src/pageclass.h).  The rules are makedumpfile's (1.7.x,
 * __exclude_unnecessary_pages), restated:
 *   - sparse memory sections: SYMBOL(mem_section) is the root array
 *     (SPARSEMEM_EXTREME when LENGTH(mem_section) is the number of roots
 *     or absent; tried once more as a pointer to it), section_mem_map
 *     with the present bit, low 5 bits masked, encoded relative to the
 *     section's first pfn;
 *   - a compound tail (compound_head bit 0) is left to its head;
 *   - a head's order and destructor are the next struct page's
 *     compound_order / compound_dtor bytes; an order that does not fit
 *     the pfn's alignment is 0;
 *   - free: PG_buddy, else _mapcount == PAGE_BUDDY_MAPCOUNT_VALUE and not
 *     PG_slab; 2^private pages (private below LENGTH(zone.free_area));
 *   - cache: PG_lru, or PG_swapcache with PG_swapbacked, and mapping
 *     without PAGE_MAPPING_ANON; "private" when PG_private;
 *   - user: mapping with PAGE_MAPPING_ANON, or a hugetlb head
 *     (compound_dtor == HUGETLB_PAGE_DTOR); the whole compound page;
 *   - always: PG_hwpoison, and offline (_mapcount ==
 *     PAGE_OFFLINE_MAPCOUNT_VALUE, not PG_slab).
 */
#include "src/pageclass.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE VG_GPAGE_SIZE
#define START_KERNEL_MAP 0xffffffff80000000ull
#define KERNEL_HALF 0xffff800000000000ull
#define CACHED 512 /* struct pages per read, as makedumpfile's PGMM_CACHED */
#define MAX_SPAGE 256 /* largest SIZE(page) accepted */
#define NONE (~0ull)

const char *vg_vmci_get(const char *text, const char *key, char *val,
			size_t valsz)
{
	size_t kl = strlen(key);

	for (const char *l = text; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t ll = nl ? (size_t)(nl - l) : strlen(l);

		if (ll > kl && !memcmp(l, key, kl) && l[kl] == '=') {
			size_t vl = ll - kl - 1;

			if (vl >= valsz)
				vl = valsz - 1;
			memcpy(val, l + kl + 1, vl);
			val[vl] = '\0';
			return val;
		}
		l = nl ? nl + 1 : NULL;
	}
	return NULL;
}

int vg_vmci_num(const char *text, const char *key, int base, uint64_t *v)
{
	char buf[40], *end;

	if (!text || !vg_vmci_get(text, key, buf, sizeof(buf)) || !buf[0])
		return 0;
	errno = 0;
	*v = strtoull(buf, &end, base);
	return !errno && *end == '\0';
}

/* What the classification needs from the VMCOREINFO. */
struct layout {
	uint64_t mem_section, sec_len, sec_size, sec_map_off;
	uint64_t section_bits, physmem_bits;
	uint64_t spage, o_flags, o_mapping, o_mapcount, o_private;
	uint64_t o_dtor, o_order, o_head;
	uint64_t pg_lru, pg_private, pg_swapcache, pg_swapbacked, pg_slab;
	uint64_t pg_hwpoison, pg_head_mask, pg_buddy;
	uint64_t buddy_mc, offline_mc, hugetlb_dtor, max_order;
	int short_order; /* before 4.16: order and dtor are u16 */
};

struct pc {
	struct vg_gmem *gm;
	uint64_t cr3;
	int la57;
	struct layout l;
	int level;
	const uint8_t *bm1;
	uint8_t *bm2;
	uint64_t max_pfn;
	struct vg_pageclass_stats *st;
	uint64_t skip_until; /* pfns below were excluded with their head */
	/* One cached translation of a kernel virtual range. */
	uint64_t tva, tlen, tpa;
	uint8_t buf[(CACHED + 1) * MAX_SPAGE];
};

static uint64_t num(const char *t, const char *key, uint64_t dflt)
{
	uint64_t v;

	return vg_vmci_num(t, key, 10, &v) ? v : dflt;
}

/* Read guest kernel virtual memory through the guest's tables. */
static int kread(struct pc *p, uint64_t va, void *dst, size_t len)
{
	uint8_t *d = dst;

	while (len) {
		size_t n;

		if (!(p->tlen && va >= p->tva && va - p->tva < p->tlen)) {
			uint64_t pa, sz;

			if (vg_gva_translate(p->gm, p->cr3, p->la57, va, &pa,
					     &sz))
				return -1;
			p->tva = va & ~(sz - 1);
			p->tpa = pa & ~(sz - 1);
			p->tlen = sz;
		}
		n = p->tva + p->tlen - va;
		if (n > len)
			n = len;
		if (vg_gmem_read(p->gm, p->tpa + (va - p->tva), d, n) !=
		    VG_HM_OK)
			return -1;
		va += n;
		d += n;
		len -= n;
	}
	return 0;
}

static int parse(struct pc *p, const char *t, char *why, size_t whysz)
{
	struct layout *l = &p->l;
	char rel[65];
	unsigned maj = 0, min = 0;
	static const char *const need[] = {
		"SIZE(page)",
		"OFFSET(page.flags)",
		"OFFSET(page.mapping)",
		"SIZE(mem_section)",
		"OFFSET(mem_section.section_mem_map)",
		"NUMBER(SECTION_SIZE_BITS)",
		"NUMBER(MAX_PHYSMEM_BITS)",
		"NUMBER(PG_lru)",
		"NUMBER(PG_private)",
		"NUMBER(PG_swapcache)",
		"NUMBER(PG_slab)",
	};
	uint64_t v;

	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if (!vg_vmci_num(t, need[i], 10, &v)) {
			snprintf(why, whysz, "guest VMCOREINFO has no %s",
				 need[i]);
			return -1;
		}
	if (!vg_vmci_num(t, "SYMBOL(mem_section)", 16, &l->mem_section)) {
		snprintf(why, whysz,
			 "guest VMCOREINFO has no "
			 "SYMBOL(mem_section) (not SPARSEMEM)");
		return -1;
	}
	l->sec_len = num(t, "LENGTH(mem_section)", NONE);
	l->sec_size = num(t, "SIZE(mem_section)", 0);
	l->sec_map_off = num(t, "OFFSET(mem_section.section_mem_map)", 0);
	l->section_bits = num(t, "NUMBER(SECTION_SIZE_BITS)", 0);
	l->physmem_bits = num(t, "NUMBER(MAX_PHYSMEM_BITS)", 0);
	l->spage = num(t, "SIZE(page)", 0);
	l->o_flags = num(t, "OFFSET(page.flags)", 0);
	l->o_mapping = num(t, "OFFSET(page.mapping)", 0);
	l->o_mapcount = num(t, "OFFSET(page._mapcount)", NONE);
	l->o_private = num(t, "OFFSET(page.private)", NONE);
	l->o_dtor = num(t, "OFFSET(page.compound_dtor)", NONE);
	l->o_order = num(t, "OFFSET(page.compound_order)", NONE);
	l->o_head = num(t, "OFFSET(page.compound_head)", NONE);
	l->pg_lru = num(t, "NUMBER(PG_lru)", 0);
	l->pg_private = num(t, "NUMBER(PG_private)", 0);
	l->pg_swapcache = num(t, "NUMBER(PG_swapcache)", 0);
	l->pg_swapbacked = num(t, "NUMBER(PG_swapbacked)", NONE);
	l->pg_slab = num(t, "NUMBER(PG_slab)", 0);
	l->pg_hwpoison = num(t, "NUMBER(PG_hwpoison)", NONE);
	l->pg_head_mask = num(t, "NUMBER(PG_head_mask)", 0);
	l->pg_buddy = num(t, "NUMBER(PG_buddy)", NONE);
	l->buddy_mc = num(t, "NUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)", NONE);
	l->offline_mc = num(t, "NUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)", NONE);
	l->hugetlb_dtor = num(t, "NUMBER(HUGETLB_PAGE_DTOR)", NONE);
	l->max_order = num(t, "LENGTH(zone.free_area)", NONE);
	if (vg_vmci_get(t, "OSRELEASE", rel, sizeof(rel)))
		sscanf(rel, "%u.%u", &maj, &min);
	l->short_order = maj < 4 || (maj == 4 && min < 16);
	if (l->spage < 32 || l->spage > MAX_SPAGE || l->sec_size < 8 ||
	    l->sec_size > PAGE || l->section_bits < 12 ||
	    l->section_bits > 40 || l->physmem_bits > 57 ||
	    l->physmem_bits < l->section_bits || l->o_flags + 8 > l->spage ||
	    l->o_mapping + 8 > l->spage || l->sec_map_off + 8 > l->sec_size ||
	    l->pg_lru > 63 || l->pg_private > 63 || l->pg_swapcache > 63 ||
	    l->pg_slab > 63) {
		snprintf(why, whysz, "guest VMCOREINFO page layout not sane");
		return -1;
	}
	return 0;
}

static int page_table_root(struct pc *p, const char *t, uint64_t cr3)
{
	uint64_t pgt, phys_base, l5 = 0;

	vg_vmci_num(t, "NUMBER(pgtable_l5_enabled)", 10, &l5);
	p->la57 = l5 == 1;
	if (vg_vmci_num(t, "SYMBOL(init_top_pgt)", 16, &pgt) &&
	    vg_vmci_num(t, "NUMBER(phys_base)", 10, &phys_base) &&
	    pgt >= START_KERNEL_MAP) {
		p->cr3 = pgt - START_KERNEL_MAP + phys_base;
		return 0;
	}
	p->cr3 = cr3 & 0x000ffffffffff000ull;
	return cr3 ? 0 : -1;
}

static uint64_t get_ul(const uint8_t *sp, uint64_t off)
{
	uint64_t v;

	memcpy(&v, sp + off, 8);
	return v;
}

static uint32_t get_u32(const uint8_t *sp, uint64_t off)
{
	uint32_t v;

	if (off == NONE)
		return 0;
	memcpy(&v, sp + off, 4);
	return v;
}

static unsigned get_small(const struct pc *p, const uint8_t *sp, uint64_t off)
{
	uint16_t v;

	if (off == NONE || off + 2 > p->l.spage)
		return 0;
	if (!p->l.short_order)
		return sp[off];
	memcpy(&v, sp + off, 2);
	return v;
}

static int bit(uint64_t flags, uint64_t nr)
{
	return nr < 64 && ((flags >> nr) & 1);
}

static void exclude(struct pc *p, uint64_t pfn, uint64_t n, uint64_t *ctr)
{
	for (uint64_t i = pfn; i < pfn + n && i < p->max_pfn; i++)
		if (vg_bit(p->bm2, i)) {
			vg_bit_clear(p->bm2, i);
			(*ctr)++;
		}
	if (pfn + n > p->skip_until)
		p->skip_until = pfn + n;
}

static int is_cache(const struct layout *l, uint64_t flags)
{
	if (bit(flags, l->pg_lru))
		return 1;
	return (l->pg_swapbacked == NONE || bit(flags, l->pg_swapbacked)) &&
	       bit(flags, l->pg_swapcache);
}

/* One struct page (sp; next is the following one or NULL). */
static void classify(struct pc *p, uint64_t pfn, const uint8_t *sp,
		     const uint8_t *next)
{
	const struct layout *l = &p->l;
	struct vg_pageclass_stats *st = p->st;
	uint64_t flags = get_ul(sp, l->o_flags);
	uint64_t mapping = get_ul(sp, l->o_mapping);
	uint64_t priv = l->o_private == NONE ? 0 : get_ul(sp, l->o_private);
	int32_t mc = (int32_t)get_u32(sp, l->o_mapcount);
	unsigned order = 0, dtor = 0;
	int anon = mapping & 1, slab = bit(flags, l->pg_slab);

	if (l->o_head != NONE && (get_ul(sp, l->o_head) & 1))
		return; /* tail: excluded with its head, or kept */
	if (next && (flags & l->pg_head_mask)) {
		order = get_small(p, next, l->o_order);
		dtor = get_small(p, next, l->o_dtor);
		if (order >= 64 || (pfn & ((1ull << order) - 1)))
			order = 0;
	}
	if ((p->level & VG_DL_FREE) && l->o_private != NONE &&
	    (l->pg_buddy != NONE ?
		     bit(flags, l->pg_buddy) :
		     (l->buddy_mc != NONE && l->o_mapcount != NONE && !slab &&
		      mc == (int32_t)l->buddy_mc))) {
		if (l->max_order != NONE && priv >= l->max_order)
			return; /* not a believable free block */
		exclude(p, pfn, 1ull << priv, &st->free);
	} else if ((p->level & VG_DL_CACHE) && is_cache(l, flags) &&
		   !bit(flags, l->pg_private) && !anon) {
		exclude(p, pfn, 1ull << order, &st->cache);
	} else if ((p->level & VG_DL_CACHE_PRI) && is_cache(l, flags) &&
		   !anon) {
		exclude(p, pfn, 1ull << order,
			bit(flags, l->pg_private) ? &st->cache_private :
						    &st->cache);
	} else if ((p->level & VG_DL_USER) &&
		   (anon ||
		    (l->hugetlb_dtor != NONE && dtor == l->hugetlb_dtor))) {
		exclude(p, pfn, 1ull << order, &st->user);
	} else if (l->pg_hwpoison != NONE && bit(flags, l->pg_hwpoison)) {
		exclude(p, pfn, 1ull << order, &st->hwpoison);
	} else if (l->offline_mc != NONE && l->o_mapcount != NONE && !slab &&
		   mc == (int32_t)l->offline_mc) {
		exclude(p, pfn, 1ull << order, &st->offline);
	}
}

/* The pfns [start, end) of one section whose struct pages are at map. */
static void do_section(struct pc *p, uint64_t map, uint64_t start, uint64_t end)
{
	uint64_t sz = p->l.spage;

	for (uint64_t b = start; b < end; b += CACHED) {
		uint64_t n = end - b < CACHED ? end - b : CACHED;
		int any = 0;
		uint64_t have = n + 1;

		for (uint64_t i = 0; i < n && !any; i++)
			any = vg_bit(p->bm1, b + i) && b + i >= p->skip_until;
		if (!any)
			continue;
		/* One struct page more: a head's order is in the next. */
		if (kread(p, map + (b - start) * sz, p->buf, have * sz)) {
			have = n;
			if (kread(p, map + (b - start) * sz, p->buf, n * sz)) {
				p->st->map_read_errors += n;
				continue;
			}
		}
		for (uint64_t i = 0; i < n; i++) {
			uint64_t pfn = b + i;

			if (pfn < p->skip_until || !vg_bit(p->bm1, pfn))
				continue;
			classify(p, pfn, p->buf + i * sz,
				 i + 1 < have ? p->buf + (i + 1) * sz : NULL);
		}
	}
}

/* mem_map of section nr through root array roots; 0 none, NONE error. */
static uint64_t section_map(struct pc *p, uint64_t roots, int extreme,
			    uint64_t nr)
{
	uint64_t spr = extreme ? PAGE / p->l.sec_size : 1, addr, map;

	if (extreme) {
		if (kread(p, roots + 8 * (nr / spr), &addr, 8))
			return NONE;
		if (addr < KERNEL_HALF)
			return 0;
		addr += (nr % spr) * p->l.sec_size;
	} else {
		addr = roots + nr * p->l.sec_size;
	}
	if (kread(p, addr + p->l.sec_map_off, &map, 8))
		return NONE;
	if (!(map & 1))
		return 0;
	map = (map & ~31ull) + (nr << (p->l.section_bits - 12)) * p->l.spage;
	return map >= KERNEL_HALF ? map : NONE;
}

/* Count sections with a mem_map through roots; -1 when one is bad. */
static int64_t sections_valid(struct pc *p, uint64_t roots, int extreme,
			      uint64_t nsec)
{
	int64_t n = 0;

	for (uint64_t nr = 0; nr < nsec; nr++) {
		uint64_t m = section_map(p, roots, extreme, nr);

		if (m == NONE)
			return -1;
		n += m != 0;
	}
	return n;
}

int vg_pageclass_filter(struct vg_gmem *gm, const char *vmci, uint64_t cr3,
			int level, const uint8_t *bm1, uint8_t *bm2,
			uint64_t max_pfn, struct vg_pageclass_stats *st,
			char *why, size_t whysz)
{
	struct pc *p;
	uint64_t pps, nsec, roots, nroots_ext;
	int extreme, r = -1;

	memset(st, 0, sizeof(*st));
	if (!gm || !vmci || !bm1 || !bm2 || !max_pfn) {
		snprintf(why, whysz, "no guest VMCOREINFO");
		return -1;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(why, whysz, "out of memory");
		return -1;
	}
	p->gm = gm;
	p->level = level;
	p->bm1 = bm1;
	p->bm2 = bm2;
	p->max_pfn = max_pfn;
	p->st = st;
	if (parse(p, vmci, why, whysz))
		goto out;
	if (page_table_root(p, vmci, cr3)) {
		snprintf(why, whysz,
			 "no guest page table root (init_top_pgt, "
			 "phys_base or a vCPU's CR3)");
		goto out;
	}
	pps = 1ull << (p->l.section_bits - 12);
	nsec = (max_pfn + pps - 1) / pps;
	nroots_ext = ((1ull << (p->l.physmem_bits - p->l.section_bits)) +
		      PAGE / p->l.sec_size - 1) /
		     (PAGE / p->l.sec_size);
	extreme = p->l.sec_len == NONE || p->l.sec_len == nroots_ext;
	roots = p->l.mem_section;
	if (sections_valid(p, roots, extreme, nsec) <= 0) {
		/* SYMBOL(mem_section) may be the pointer to the roots. */
		if (!extreme || kread(p, p->l.mem_section, &roots, 8) ||
		    sections_valid(p, roots, extreme, nsec) <= 0) {
			snprintf(why, whysz,
				 "guest mem_section at 0x%" PRIx64
				 " not readable or not valid",
				 p->l.mem_section);
			goto out;
		}
	}
	st->free_unknown =
		(level & VG_DL_FREE) &&
		(p->l.o_private == NONE ||
		 (p->l.pg_buddy == NONE &&
		  (p->l.buddy_mc == NONE || p->l.o_mapcount == NONE)));
	for (uint64_t nr = 0; nr < nsec; nr++) {
		uint64_t m = section_map(p, roots, extreme, nr);
		uint64_t end = (nr + 1) * pps < max_pfn ? (nr + 1) * pps :
							  max_pfn;

		if (m == 0 || m == NONE)
			continue;
		st->sections++;
		st->mem_map_end = end;
		do_section(p, m, nr * pps, end);
	}
	r = 0;
out:
	free(p);
	return r;
}
