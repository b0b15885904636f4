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

int vg_gva_translate(struct vg_gmem *g, uint64_t cr3, int la57, uint64_t gva,
		     uint64_t *gpa, uint64_t *page_size)
{
	int levels = la57 ? 5 : 4;
	int vbits = la57 ? 57 : 48;
	uint64_t table = cr3 & ADDR_MASK;
	int64_t sx = (int64_t)(gva << (64 - vbits)) >> (64 - vbits);

	if ((uint64_t)sx != gva)
		return 1; /* non-canonical: never mapped */
	for (int level = levels; level >= 1; level--) {
		int shift = 12 + 9 * (level - 1);
		uint64_t e, size = 1ull << shift;
		int r = vg_gmem_read(g, table + 8 * ((gva >> shift) & 511), &e,
				     sizeof(e));

		if (r != VG_HM_OK)
			return -1;
		if (!(e & 1))
			return 1;
		if (level == 1 || ((e & 0x80) && (level == 2 || level == 3))) {
			uint64_t a = e & ADDR_MASK & ~(size - 1);

			if (level > 1 &&
			    (e & ADDR_MASK & (size - 1) & ~0x1000ull))
				return -1; /* reserved bits in a large page */
			*gpa = a | (gva & (size - 1));
			if (page_size)
				*page_size = size;
			return 0;
		}
		if (e & 0x80)
			return -1; /* PS at PML4/PML5 is reserved */
		table = e & ADDR_MASK;
	}
	return -1;
}
