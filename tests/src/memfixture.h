/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * In-memory host images for the memory-side tests: a struct vg_hostmem
 * over a malloc'd buffer, with helpers to build EPT/NPT tables and the
 * guest's own page tables in it.  Above the buffer (up to max_paddr) the
 * image reads as a pattern, so tables can map large pages far away without
 * allocating them; single pages can be marked absent or unreadable.
 */
#ifndef VG_TEST_MEMFIXTURE_H
#define VG_TEST_MEMFIXTURE_H

#include <stdint.h>

#include "src/gpmap.h"

#define MEMIMG_MAX_MARKS 32

struct memimg {
	struct vg_hostmem hm;
	uint8_t *buf;
	uint64_t size; /* bytes backed by buf */
	uint64_t next; /* bump allocator for tables */
	uint64_t absent[MEMIMG_MAX_MARKS], error[MEMIMG_MAX_MARKS];
	unsigned nabsent, nerror;
	uint64_t reads; /* read() calls, for the bounded-walk tests */
	/*
	 * memimg_offer_map(): map() hands out a copy in mapbuf, poisoned
	 * at the next read or map, so that a caller using a mapping after
	 * it is no longer valid reads garbage.  maps counts them.
	 */
	uint8_t *mapbuf;
	size_t maplen;
	uint64_t maps;
};

/* size bytes of real memory (tables from alloc_from up), max_paddr total. */
void memimg_init(struct memimg *m, uint64_t size, uint64_t max_paddr,
		 uint64_t alloc_from);
void memimg_free(struct memimg *m);
/* Offer hm.map for ranges of real memory with no marked page in them. */
void memimg_offer_map(struct memimg *m);
uint64_t memimg_alloc(struct memimg *m); /* a zeroed page, its hpa */
void memimg_mark_absent(struct memimg *m, uint64_t hpa);
void memimg_mark_error(struct memimg *m, uint64_t hpa);
/* Value the pattern region returns for the 8 bytes at aligned hpa. */
uint64_t memimg_pattern(uint64_t hpa);
void memimg_put64(struct memimg *m, uint64_t hpa, uint64_t v);
uint64_t memimg_get64(struct memimg *m, uint64_t hpa);

/*
 * Map [gpa, gpa + page_size) to hpa in the second-level tables at root
 * (an hpa from memimg_alloc), creating tables as needed.  page_size is
 * 4 KiB, 2 MiB or 1 GiB.
 */
void slat_map(struct memimg *m, enum vg_gpmap_kind kind, int levels,
	      uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t page_size);
/* Address of the entry for gpa at level (creating tables above it). */
uint64_t slat_entry(struct memimg *m, enum vg_gpmap_kind kind, int levels,
		    uint64_t root, uint64_t gpa, int level);

/*
 * Guest page tables in guest RAM where gpa == hpa - offset (the tests map
 * guest memory linearly): map va to pa with 4 KiB / 2 MiB / 1 GiB pages.
 * The tables are allocated from the host image; the caller must have
 * mapped them into the guest (hpa - offset must be inside guest RAM).
 */
void gpt_map(struct memimg *m, uint64_t offset, uint64_t cr3_hpa, int levels,
	     uint64_t va, uint64_t pa, uint64_t page_size);

#endif
