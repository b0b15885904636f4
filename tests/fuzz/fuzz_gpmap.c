// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the EPT / NPT walk and translation (src/gpmap.c),
 * the guest's own x86-64 tables through them (src/gmem.c) and the host
 * kernel's walk (src/hostkv.c vg_pt_walk), and an L2 guest's memory
 * through L1's tables in L1's memory (src/nestmem.c), all over a
 * hostile host memory image.
 *
 * Input: 8 control bytes, then the image (host physical 0 up; at most
 * 16 pages; past it, up to 16 MiB, every page is absent from the dump).
 *   [0] bit 0: NPT (else EPT); bit 1: 5 levels; bit 2: user walk;
 *       bit 3: also L2 through L1 (L1 = the tables at [1], L1's root
 *       for L2 = the L1 page [2])
 *   [1] root page; [2] guest CR3 page; [3..7] a guest/host address
 * Every range the walk reports must translate back to where it said.
 */
#include "src/gpmap.h"
#include "src/hostkv.h"
#include "src/nestmem.h"
#include "tests/fuzz/fuzz.h"

#define IMG_MAX (16 * 4096)
#define MAX_PADDR (16ull << 20)

static uint8_t img[IMG_MAX];
static size_t img_len;

static int img_read(struct vg_hostmem *hm, uint64_t pa, void *buf, size_t len)
{
	(void)hm;
	if (pa >= MAX_PADDR || len > MAX_PADDR - pa)
		return VG_HM_ABSENT;
	if (pa >= img_len || len > img_len - pa)
		return VG_HM_ABSENT;
	memcpy(buf, img + pa, len);
	return VG_HM_OK;
}

struct ranges {
	struct vg_gmem *g;
	uint64_t next; /* lowest gpa the next range may start at */
	unsigned n;
};

static int range_cb(void *ctx, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	struct ranges *r = ctx;
	uint64_t got, size;
	uint8_t b[16];

	if (!len || gpa < r->next || gpa + len < gpa)
		abort(); /* empty, out of order, overlapping or wrapping */
	r->next = gpa + len;
	if (r->n++ >= 64)
		return 0;
	if (vg_gpmap_translate(r->g, gpa, &got, &size) != 0 || got != hpa)
		abort(); /* the walk and the translation disagree */
	if (vg_gpmap_translate(r->g, gpa + len - 1, &got, &size) != 0 ||
	    got != hpa + len - 1)
		abort();
	vg_gmem_read(r->g, gpa + len - 8, b, sizeof(b));
	return 0;
}

/* L2 through L1's tables at root12 (L1-physical), L1 behind root. */
static void nested(struct vg_hostmem *hm, enum vg_gpmap_kind kind,
		   uint64_t root, uint64_t root12, int levels)
{
	struct vg_gmem l1, l2;
	struct ranges r = { &l2, 0, 0 };

	if (vg_gpmap_init(&l1, hm, kind, root, levels))
		return;
	vg_gpmap_set_limits(&l1, 1024, 0);
	if (vg_nestmem_init(&l2, hm, &l1, MAX_PADDR, kind, root12, levels))
		return;
	vg_nestmem_set_limits(&l2, 1024, 64ull << 20);
	if (l2.walk(&l2, range_cb, &r) == 0 && l2.stats.pages_present && !r.n &&
	    !l2.stats.truncated)
		abort(); /* pages counted but no range reported */
	vg_gmem_release(&l2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vg_hostmem hm = { .read = img_read, .max_paddr = MAX_PADDR };
	struct vg_gmem g;
	struct ranges r = { &g, 0, 0 };
	uint64_t addr = 0, pa, ps, root;
	int levels, user;

	if (size < 8)
		return 0;
	levels = data[0] & 2 ? 5 : 4;
	user = !!(data[0] & 4);
	root = (uint64_t)data[1] << 12;
	memcpy(&addr, data + 3, 5);
	addr <<= 12;
	img_len = size - 8 < IMG_MAX ? size - 8 : IMG_MAX;
	memcpy(img, data + 8, img_len);

	vg_pt_walk(&hm, root, levels == 5, user, addr, &pa, &ps);
	vg_pt_walk(&hm, root, levels == 5, user, ~addr, &pa, &ps);
	if (vg_gpmap_init(&g, &hm, data[0] & 1 ? VG_GPMAP_NPT : VG_GPMAP_EPT,
			  root, levels))
		return 0;
	vg_gpmap_set_limits(&g, 1024, 0);
	if (g.walk(&g, range_cb, &r) == 0 && g.stats.pages_present && !r.n &&
	    !g.stats.truncated)
		abort(); /* pages counted but no range reported */
	vg_gva_translate(&g, (uint64_t)data[2] << 12, levels == 5,
			 0xffff800000000000ull | addr, &pa, &ps);
	vg_gva_translate(&g, (uint64_t)data[2] << 12, levels == 5, addr, &pa,
			 &ps);
	vg_gmem_release(&g);
	if (data[0] & 8)
		nested(&hm, data[0] & 1 ? VG_GPMAP_NPT : VG_GPMAP_EPT, root,
		       (uint64_t)data[2] << 12, levels);
	return 0;
}
