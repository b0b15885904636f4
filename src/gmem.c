// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Helpers over any guest-physical memory source: reads that cross pages,
 * and the guest's own (long-mode) page tables.
 */
#include "src/gmem.h"

#include <string.h>

#define ADDR_MASK 0x000ffffffffff000ull

void vg_gmem_release(struct vg_gmem *g)
{
	if (g && g->release)
		g->release(g);
}

int vg_gmem_read(struct vg_gmem *g, uint64_t gpa, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		uint64_t hpa,
			in_page = VG_GPAGE_SIZE - (gpa & (VG_GPAGE_SIZE - 1));
		size_t n = len < in_page ? len : (size_t)in_page;
		int r = g->translate(g, gpa, &hpa, NULL);

		if (r < 0)
			return VG_HM_ERROR;
		if (r > 0)
			return VG_HM_ABSENT;
		r = vg_hostmem_read(g->hm, hpa, p, n);
		if (r != VG_HM_OK)
			return r;
		p += n;
		gpa += n;
		len -= n;
	}
	return VG_HM_OK;
}

int vg_x86_walk(vg_pt_read_fn read_entry, void *ctx, uint64_t root, int la57,
		int user, uint64_t va, uint64_t *pa, uint64_t *size)
{
	int levels = la57 ? 5 : 4;
	int vbits = la57 ? 57 : 48;
	uint64_t table = root & ADDR_MASK;
	int64_t sx = (int64_t)(va << (64 - vbits)) >> (64 - vbits);

	if ((uint64_t)sx != va) {
		*size = VG_GPAGE_SIZE;
		return 1; /* non-canonical: never mapped */
	}
	for (int level = levels; level >= 1; level--) {
		int shift = 12 + 9 * (level - 1);
		uint64_t e, span = 1ull << shift;
		int leaf, present;

		if (read_entry(ctx, table + 8 * ((va >> shift) & 511), &e) !=
		    VG_HM_OK)
			return -1;
		leaf = level == 1 || ((e & 0x80) && (level == 2 || level == 3));
		present = (e & 1) || (user && leaf && (e & 0x100));
		if (!present) {
			*size = span;
			return 1;
		}
		if (leaf) {
			uint64_t a = e & ADDR_MASK & ~(span - 1);

			if (level > 1 &&
			    (e & ADDR_MASK & (span - 1) & ~0x1000ull))
				return -1; /* reserved bits in a large page */
			*pa = a | (va & (span - 1));
			*size = span;
			return 0;
		}
		if (e & 0x80)
			return -1; /* PS at PML4/PML5 is reserved */
		table = e & ADDR_MASK;
	}
	return -1;
}

static int gmem_entry(void *ctx, uint64_t gpa, uint64_t *e)
{
	return vg_gmem_read(ctx, gpa, e, sizeof(*e));
}

int vg_gva_translate(struct vg_gmem *g, uint64_t cr3, int la57, uint64_t gva,
		     uint64_t *gpa, uint64_t *page_size)
{
	uint64_t size;
	int r = vg_x86_walk(gmem_entry, g, cr3, la57, 0, gva, gpa, &size);

	if (r == 0 && page_size)
		*page_size = size;
	return r;
}
