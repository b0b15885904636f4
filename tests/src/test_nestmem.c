// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests of src/nestmem.c on in-memory host images (memfixture): an L1
 * guest whose memory (L1-physical 0..4 MiB, behind an EPT in host
 * memory) holds the EPT tables L1 built for its L2 guest; L2's pages come
 * out in host terms, with the markers L1's pages hold, and hostile L1
 * tables end.  The KVM side (vmcs12, vmcb12, the CLI) is in test_cli.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "src/nestmem.h"
#include "tests/src/memfixture.h"

#define PG 4096ull
#define MiB (1024ull * 1024)
#define L1_HPA (4 * MiB) /* host memory behind L1-physical 0 */
#define L1_SIZE (4 * MiB)
#define L1_HOLE 0x20000ull /* an L1 page L1's own EPT does not map */
/* L1's EPT for L2 (EPT12), in L1 memory */
#define E12_PML4 0x100000ull
#define E12_PDPT 0x101000ull
#define E12_PD 0x102000ull
#define E12_PT 0x103000ull
#define EPT_WB (6ull << 3)

struct img {
	struct memimg m;
	uint64_t ept01; /* L1's EPT (host-physical): L1 gpa -> hpa */
};

static uint64_t marker(uint64_t l1gpa)
{
	return 0xa11a000000000000ull | l1gpa;
}

static void put_l1(struct img *im, uint64_t l1gpa, uint64_t v)
{
	memimg_put64(&im->m, L1_HPA + l1gpa, v);
}

/*
 * L1: 4 MiB, linear at L1_HPA except L1_HOLE; every page starts with its
 * marker.  EPT12: L2 0..16 pages -> L1 0x10000.., L2 2 MiB at 0x200000
 * -> L1 0x200000 (a large page), and two bad leaves: L2 page 16 -> L1
 * 16 MiB (beyond L1), L2 page 17 -> L1_HOLE.
 */
static void img_build(struct img *im)
{
	memimg_init(&im->m, 8 * MiB, 256 * MiB, 1 * MiB);
	im->ept01 = memimg_alloc(&im->m);
	for (uint64_t a = 0; a < L1_SIZE; a += PG) {
		if (a == L1_HOLE)
			continue;
		slat_map(&im->m, VG_GPMAP_EPT, 4, im->ept01, a, L1_HPA + a, PG);
		put_l1(im, a, marker(a));
	}
	put_l1(im, E12_PML4, E12_PDPT | 7);
	put_l1(im, E12_PDPT, E12_PD | 7);
	put_l1(im, E12_PD, E12_PT | 7);
	put_l1(im, E12_PD + 8, 0x200000 | 0x80 | EPT_WB | 7);
	for (uint64_t i = 0; i < 16; i++)
		put_l1(im, E12_PT + 8 * i, (0x10000 + i * PG) | EPT_WB | 7);
	put_l1(im, E12_PT + 8 * 16, (16 * MiB) | EPT_WB | 7);
	put_l1(im, E12_PT + 8 * 17, L1_HOLE | EPT_WB | 7);
}

static void l2_init_top(struct vg_gmem *g, struct img *im, uint64_t root,
			uint64_t l1_top)
{
	struct vg_gmem l1;

	assert_int_equal(vg_gpmap_init(&l1, &im->m.hm, VG_GPMAP_EPT,
				       im->ept01 | 0x1e, 4),
			 0);
	assert_int_equal(vg_nestmem_init(g, &im->m.hm, &l1, l1_top,
					 VG_GPMAP_EPT, root, 4),
			 0);
	assert_null(l1.priv); /* moved into g */
}

static void l2_init(struct vg_gmem *g, struct img *im, uint64_t root)
{
	l2_init_top(g, im, root, L1_SIZE);
}

struct runs {
	uint64_t gpa[8], hpa[8], len[8];
	int n;
};

static int runs_cb(void *ctx, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	struct runs *r = ctx;

	if (r->n < 8) {
		r->gpa[r->n] = gpa;
		r->hpa[r->n] = hpa;
		r->len[r->n] = len;
	}
	r->n++;
	return 0;
}

/* Every page L1 gave L2, in host terms, coalesced; the bad leaves counted. */
static void walk_through_l1(void **state)
{
	struct img im;
	struct vg_gmem g;
	struct runs r;

	(void)state;
	memset(&r, 0, sizeof(r));
	img_build(&im);
	l2_init(&g, &im, E12_PML4 | 0x1e);
	assert_int_equal(g.walk(&g, runs_cb, &r), 0);
	assert_int_equal(r.n, 2);
	assert_true(r.gpa[0] == 0 && r.hpa[0] == L1_HPA + 0x10000 &&
		    r.len[0] == 16 * PG);
	assert_true(r.gpa[1] == 0x200000 && r.hpa[1] == L1_HPA + 0x200000 &&
		    r.len[1] == 2 * MiB);
	assert_true(g.stats.pages_present == 16 + 512);
	assert_true(g.stats.out_of_range == 1); /* L1 16 MiB */
	assert_true(g.stats.not_present >= 1); /* L1_HOLE */
	assert_true(g.stats.tables_visited == 4);
	assert_non_null(strstr(g.stats.first_error, "L1"));
	vg_gmem_release(&g);
	memimg_free(&im.m);
}

/* translate() and reads: L2 pages show the markers of L1's pages. */
static void translate_and_read(void **state)
{
	struct img im;
	struct vg_gmem g;
	uint64_t hpa, ps, v;

	(void)state;
	img_build(&im);
	l2_init(&g, &im, E12_PML4);
	assert_int_equal(g.translate(&g, 3 * PG + 8, &hpa, &ps), 0);
	assert_true(hpa == L1_HPA + 0x13008 && ps == PG);
	assert_int_equal(vg_gmem_read(&g, 5 * PG, &v, 8), VG_HM_OK);
	assert_true(v == marker(0x15000));
	assert_int_equal(vg_gmem_read(&g, 0x200000 + 7 * PG, &v, 8), VG_HM_OK);
	assert_true(v == marker(0x207000));
	/* the bad leaves and an unmapped L2 page */
	assert_true(g.translate(&g, 16 * PG, &hpa, NULL) != 0);
	assert_int_equal(g.translate(&g, 17 * PG, &hpa, NULL), 1);
	assert_int_equal(g.translate(&g, 0x400000, &hpa, NULL), 1);
	vg_gmem_release(&g);
	memimg_free(&im.m);
}

/*
 * Hostile L1 tables: a PD entry pointing back at the PML4 is a loop and
 * ends; a root beyond L1's memory is refused; a root in an L1 page L1's
 * memory does not hold fails the walk, without a crash.
 */
static void hostile_l1_tables(void **state)
{
	struct img im;
	struct vg_gmem g, l1;
	struct runs r;

	(void)state;
	memset(&r, 0, sizeof(r));
	img_build(&im);
	put_l1(&im, E12_PD + 16, E12_PML4 | 7);
	l2_init(&g, &im, E12_PML4);
	assert_int_equal(g.walk(&g, runs_cb, &r), 0);
	assert_true(g.stats.loops == 1);
	assert_true(g.stats.pages_present == 16 + 512);
	vg_gmem_release(&g);

	assert_int_equal(
		vg_gpmap_init(&l1, &im.m.hm, VG_GPMAP_EPT, im.ept01, 4), 0);
	assert_int_equal(vg_nestmem_init(&g, &im.m.hm, &l1, L1_SIZE,
					 VG_GPMAP_EPT, 8 * MiB, 4),
			 -1);
	assert_non_null(strstr(g.stats.first_error, "beyond"));
	assert_null(l1.priv);
	vg_gmem_release(&g);

	l2_init(&g, &im, L1_HOLE);
	assert_int_equal(g.walk(&g, runs_cb, &r), -1);
	assert_non_null(strstr(g.stats.first_error, "L1"));
	vg_gmem_release(&g);
	memimg_free(&im.m);
}

/*
 * L1 tables that alias (every PML4 entry -> one PDPT, every PDPT entry
 * -> one PD of 2 MiB leaves: 256 TiB of L2 from 4 MiB of L1): the walk
 * stops at 8 x L1's memory + 1 GiB, truncated, in bounded time; and when
 * L1's highest memslot lies far up (1 TiB here), at 8 x the host's.
 */
static void aliasing_l1_tables_stop(void **state)
{
	struct img im;
	struct vg_gmem g;
	struct runs r;

	(void)state;
	memset(&r, 0, sizeof(r));
	img_build(&im);
	for (uint64_t i = 0; i < 512; i++) {
		put_l1(&im, E12_PML4 + 8 * i, E12_PDPT | 7);
		put_l1(&im, E12_PDPT + 8 * i, E12_PD | 7);
		put_l1(&im, E12_PD + 8 * i, 0x200000 | 0x80 | EPT_WB | 7);
	}
	l2_init(&g, &im, E12_PML4);
	assert_int_equal(g.walk(&g, runs_cb, &r), 0);
	assert_true(g.stats.truncated);
	assert_true(g.stats.pages_present * PG <= 8 * L1_SIZE + (1ull << 30));
	assert_true(g.stats.pages_present * PG > 8 * L1_SIZE);
	vg_gmem_release(&g);

	l2_init_top(&g, &im, E12_PML4, 1ull << 40);
	assert_int_equal(g.walk(&g, runs_cb, &r), 0);
	assert_true(g.stats.truncated);
	assert_true(g.stats.pages_present * PG <=
		    8 * im.m.hm.max_paddr + (1ull << 30));
	vg_gmem_release(&g);
	memimg_free(&im.m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(walk_through_l1),
		cmocka_unit_test(translate_and_read),
		cmocka_unit_test(hostile_l1_tables),
		cmocka_unit_test(aliasing_l1_tables_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
