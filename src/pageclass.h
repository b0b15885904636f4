/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest page classification for dump levels (docs/guest-vmcore.md, "Dump
 * levels"): the rules of makedumpfile's -d bits applied to the guest's own
 * mem_map, found through the guest's VMCOREINFO (SYMBOL(mem_section),
 * SIZE(page), OFFSET(page.*), NUMBER(PG_*), PAGE_BUDDY_MAPCOUNT_VALUE,
 * HUGETLB_PAGE_DTOR) and read through the guest's own page tables.
 * Memory: a fixed buffer of 513 struct pages and the section roots being
 * read; nothing grows with the guest.
 */
#ifndef VG_PAGECLASS_H
#define VG_PAGECLASS_H

#include <stddef.h>
#include <stdint.h>

#include "src/gmem.h"

/* makedumpfile's -d bits. */
#define VG_DL_ZERO 1
#define VG_DL_CACHE 2
#define VG_DL_CACHE_PRI 4
#define VG_DL_USER 8
#define VG_DL_FREE 16
#define VG_DL_MAX 31

struct vg_pageclass_stats {
	uint64_t cache, cache_private, user, free, hwpoison, offline;
	uint64_t sections; /* sections with a mem_map */
	uint64_t mem_map_end; /* end pfn of the last section with one */
	uint64_t map_read_errors; /* mem_map pages not readable: kept */
	int free_unknown; /* no buddy test in this VMCOREINFO: free kept */
};

/* Bit pfn of a bitmap (LSB first, as makedumpfile's). */
static inline int vg_bit(const uint8_t *bm, uint64_t pfn)
{
	return (bm[pfn >> 3] >> (pfn & 7)) & 1;
}

static inline void vg_bit_clear(uint8_t *bm, uint64_t pfn)
{
	bm[pfn >> 3] &= (uint8_t) ~(1u << (pfn & 7));
}

/*
 * Clear from bm2 every page of [0, max_pfn) set in bm1 that makedumpfile
 * would exclude at dump level `level' (bits 2-16; hwpoison and offline
 * pages always, as makedumpfile does), from the guest's struct pages.
 * vmci is the guest's VMCOREINFO text; cr3 (0 = none) is a guest page
 * table root to use when the VMCOREINFO has no init_top_pgt / phys_base.
 * Returns 0, or -1 with a one-line reason in why when the mem_map cannot
 * be used (bm2 is then unchanged).
 */
int vg_pageclass_filter(struct vg_gmem *gm, const char *vmci, uint64_t cr3,
			int level, const uint8_t *bm1, uint8_t *bm2,
			uint64_t max_pfn, struct vg_pageclass_stats *st,
			char *why, size_t whysz);

/* Value of "KEY=" in VMCOREINFO text into val; NULL when absent. */
const char *vg_vmci_get(const char *text, const char *key, char *val,
			size_t valsz);
/* Numeric value (base 10 accepts a sign, 16 for SYMBOL()): 1 found. */
int vg_vmci_num(const char *text, const char *key, int base, uint64_t *v);

#endif
