// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tests of src/slotmem.c on in-memory host images (memfixture): guest
 * memory through a memslot and QEMU's page tables, how often the walk
 * reads the dump, and hostile or unreadable tables.  The KVM structures
 * around it are tested in test_kvmwalk.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "src/slotmem.h"
#include "tests/src/memfixture.h"

#define PG 4096ull
#define MiB (1024ull * 1024)
#define HVA 0x7f1234000000ull /* QEMU's mapping of guest RAM, 2 MiB aligned */
#define RAM_HPA (64 * MiB) /* host pages behind it: the pattern region */

struct img {
	struct memimg m;
	uint64_t pgd;
};

/* A host image whose QEMU page tables map HVA.. with n4k 4 KiB pages,
 * then one 2 MiB page, to host RAM at RAM_HPA.. (linear). */
static void img_build(struct img *im, unsigned n4k)
{
	memimg_init(&im->m, 8 * MiB, 256 * MiB, 1 * MiB);
	im->pgd = memimg_alloc(&im->m);
	for (unsigned i = 0; i < n4k; i++)
		gpt_map(&im->m, 0, im->pgd, 4, HVA + i * PG, RAM_HPA + i * PG,
			PG);
	gpt_map(&im->m, 0, im->pgd, 4, HVA + 4 * 2 * MiB, RAM_HPA + 4 * 2 * MiB,
		2 * MiB);
}

static void slot_init(struct vg_gmem *g, struct img *im, uint64_t npages)
{
	struct vg_kw_slot slot;

	memset(&slot, 0, sizeof(slot));
	slot.base_gfn = 0;
	slot.npages = npages;
	slot.hva = HVA;
	assert_int_equal(vg_slotmem_init(g, &im->m.hm, im->pgd, 0, &slot, 1),
			 0);
}

struct runs {
	uint64_t pages, next_gpa;
	int linear; /* every run maps gpa to RAM_HPA + gpa */
};

static int runs_cb(void *ctx, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	struct runs *r = ctx;

	if (hpa != RAM_HPA + gpa)
		r->linear = 0;
	r->pages += len / PG;
	r->next_gpa = gpa + len;
	return 0;
}

/*
 * 2048 pages of 4 KiB (4 page tables) and a 2 MiB page: every page is
 * found, and the walk reads each table page once, not an entry per page
 * per level (which was ~4 x 2560 reads of the dump).
 */
static void walk_reads_each_table_once(void **state)
{
	struct img im;
	struct vg_gmem g;
	struct runs r = { 0, 0, 1 };

	(void)state;
	img_build(&im, 2048);
	slot_init(&g, &im, 5 * 512);
	im.m.reads = 0;
	assert_int_equal(g.walk(&g, runs_cb, &r), 0);
	assert_true(r.linear);
	assert_true(r.pages == 5 * 512);
	assert_true(g.stats.pages_present == 5 * 512);
	assert_true(g.stats.nerrors == 0);
	/* PML4, PDPT, PD, 4 PTs: 7 table pages. */
	assert_true(im.m.reads <= 7);
	vg_gmem_release(&g);
	memimg_free(&im.m);
}

/* translate() agrees with the walk, across table pages and the large page. */
static void translate_through_the_cache(void **state)
{
	struct img im;
	struct vg_gmem g;
	uint64_t hpa, gpa;

	(void)state;
	img_build(&im, 2048);
	slot_init(&g, &im, 5 * 512);
	for (gpa = 0; gpa < 5 * 512 * PG; gpa += 511 * PG + 8) {
		assert_int_equal(g.translate(&g, gpa, &hpa, NULL), 0);
		assert_true(hpa == RAM_HPA + gpa);
	}
	/* beyond the slot */
	assert_int_equal(g.translate(&g, 5 * 512 * PG, &hpa, NULL), 1);
	vg_gmem_release(&g);
	memimg_free(&im.m);
}

/*
 * More tables in use than the cache holds (7 here: slot hvas in far
 * apart PML4 slots) must still translate right: an evicted table is read
 * again, never served stale.
 */
static void eviction_stays_correct(void **state)
{
	struct img im;
	struct vg_gmem g;
	struct vg_kw_slot slots[3];
	uint64_t hpa;

	(void)state;
	memimg_init(&im.m, 8 * MiB, 256 * MiB, 1 * MiB);
	im.pgd = memimg_alloc(&im.m);
	memset(slots, 0, sizeof(slots));
	for (unsigned i = 0; i < 3; i++) {
		slots[i].base_gfn = i * 16;
		slots[i].npages = 16;
		slots[i].hva = (0x100000000000ull * (i + 1));
		for (unsigned p = 0; p < 16; p++)
			gpt_map(&im.m, 0, im.pgd, 4, slots[i].hva + p * PG,
				RAM_HPA + (i * 100 + p) * PG, PG);
	}
	assert_int_equal(vg_slotmem_init(&g, &im.m.hm, im.pgd, 0, slots, 3), 0);
	for (unsigned round = 0; round < 3; round++)
		for (unsigned i = 0; i < 3; i++)
			for (unsigned p = 0; p < 16; p += 5) {
				assert_int_equal(g.translate(&g,
							     (i * 16 + p) * PG,
							     &hpa, NULL),
						 0);
				assert_true(hpa ==
					    RAM_HPA + (i * 100 + p) * PG);
			}
	vg_gmem_release(&g);
	memimg_free(&im.m);
}

/* A PML4 entry that points at the PML4 itself: the walk reads the PML4
 * again as the PDPT (a cache hit), finds no entry there for the slot's
 * hva and reports the whole slot not present: it ends, it does not loop. */
static void self_referencing_table_ends(void **state)
{
	struct img im;
	struct vg_gmem g;
	struct runs r = { 0, 0, 1 };

	(void)state;
	img_build(&im, 16);
	memimg_put64(&im.m, im.pgd + 8 * ((HVA >> 39) & 511), im.pgd | 0x3);
	slot_init(&g, &im, 5 * 512);
	im.m.reads = 0;
	assert_int_equal(g.walk(&g, runs_cb, &r), 0);
	assert_true(r.pages == 0);
	assert_true(g.stats.pages_present == 0);
	assert_true(g.stats.not_present == 5 * 512);
	assert_true(g.stats.table_errors == 0);
	assert_true(im.m.reads == 1);
	vg_gmem_release(&g);
	memimg_free(&im.m);
}

/* An unreadable page table: its 512 pages are table errors, the rest of
 * the slot is still there. */
static void unreadable_table_is_skipped(void **state)
{
	struct img im;
	struct vg_gmem g;
	struct runs r = { 0, 0, 1 };
	uint64_t pd, pt;

	(void)state;
	img_build(&im, 2048);
	/* the second PT: PML4 -> PDPT -> PD -> PT[1] */
	pd = memimg_get64(&im.m, im.pgd + 8 * ((HVA >> 39) & 511)) & ~0xfffull;
	pd = memimg_get64(&im.m, pd + 8 * ((HVA >> 30) & 511)) & ~0xfffull;
	pt = memimg_get64(&im.m, pd + 8 * (((HVA >> 21) & 511) + 1)) &
	     ~0xfffull;
	memimg_mark_error(&im.m, pt);
	slot_init(&g, &im, 5 * 512);
	assert_int_equal(g.walk(&g, runs_cb, &r), 0);
	assert_true(g.stats.table_errors == 512);
	assert_true(r.pages == 4 * 512);
	assert_true(g.stats.nerrors > 0);
	vg_gmem_release(&g);
	memimg_free(&im.m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(walk_reads_each_table_once),
		cmocka_unit_test(translate_through_the_cache),
		cmocka_unit_test(eviction_stays_correct),
		cmocka_unit_test(self_referencing_table_ends),
		cmocka_unit_test(unreadable_table_is_skipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
