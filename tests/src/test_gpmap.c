// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "src/gmem.h"
#include "src/gpmap.h"
#include "tests/src/memfixture.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)

struct range {
	uint64_t gpa, hpa, len;
};

struct ranges {
	struct range r[64];
	unsigned n;
	int stop_after; /* return 7 after this many (0: never) */
};

static int collect(void *ctx, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	struct ranges *rs = ctx;

	if (rs->n < 64)
		rs->r[rs->n] = (struct range){ gpa, hpa, len };
	rs->n++;
	if (rs->stop_after && rs->n == (unsigned)rs->stop_after)
		return 7;
	return 0;
}

/*
 * A guest with every page size: 4 KiB pages at gpa 0 (two hpa-contiguous,
 * one elsewhere), a 2 MiB page at 2 MiB, a 1 GiB page at 4 GiB (in the
 * pattern region of the host image) and, with 5 levels, a page above the
 * 48-bit space.
 */
static void build_all_sizes(struct memimg *m, enum vg_gpmap_kind kind,
			    int levels, uint64_t *root)
{
	memimg_init(m, 8 * MiB, 4 * GiB, 4 * MiB);
	*root = memimg_alloc(m);
	slat_map(m, kind, levels, *root, 0, 0x10000, 4 * KiB);
	slat_map(m, kind, levels, *root, 4 * KiB, 0x11000, 4 * KiB);
	slat_map(m, kind, levels, *root, 8 * KiB, 0x30000, 4 * KiB);
	slat_map(m, kind, levels, *root, 2 * MiB, 2 * MiB, 2 * MiB);
	slat_map(m, kind, levels, *root, 4 * GiB, 1 * GiB, 1 * GiB);
	if (levels == 5)
		slat_map(m, kind, levels, *root, 1ull << 50, 0x40000, 4 * KiB);
}

static void check_all_sizes(enum vg_gpmap_kind kind, int levels)
{
	struct memimg m;
	struct vg_gmem g;
	struct ranges rs = { .n = 0 };
	uint64_t root, hpa, psz;

	build_all_sizes(&m, kind, levels, &root);
	assert_int_equal(vg_gpmap_init(&g, &m.hm, kind,
				       kind == VG_GPMAP_EPT ? root | 0x5e :
							      root,
				       levels),
			 0);
	assert_int_equal(g.walk(&g, collect, &rs), 0);
	assert_int_equal(rs.n, levels == 5 ? 5 : 4);
	/* 0 and 4K coalesce (hpa contiguous), 8K does not. */
	assert_true(rs.r[0].gpa == 0 && rs.r[0].hpa == 0x10000 &&
		    rs.r[0].len == 8 * KiB);
	assert_true(rs.r[1].gpa == 8 * KiB && rs.r[1].hpa == 0x30000 &&
		    rs.r[1].len == 4 * KiB);
	assert_true(rs.r[2].gpa == 2 * MiB && rs.r[2].hpa == 2 * MiB &&
		    rs.r[2].len == 2 * MiB);
	assert_true(rs.r[3].gpa == 4 * GiB && rs.r[3].hpa == GiB &&
		    rs.r[3].len == GiB);
	if (levels == 5)
		assert_true(rs.r[4].gpa == 1ull << 50 &&
			    rs.r[4].hpa == 0x40000);
	assert_int_equal(g.stats.pages_present,
			 3 + 512 + 262144 + (levels == 5));
	assert_int_equal(g.stats.nerrors, 0);
	assert_string_equal(g.stats.first_error, "");

	assert_int_equal(vg_gpmap_translate(&g, 4 * KiB + 5, &hpa, &psz), 0);
	assert_true(hpa == 0x11005 && psz == 4 * KiB);
	assert_int_equal(vg_gpmap_translate(&g, 3 * MiB + 7, &hpa, &psz), 0);
	assert_true(hpa == 3 * MiB + 7 && psz == 2 * MiB);
	assert_int_equal(vg_gpmap_translate(&g, 4 * GiB + 12345, &hpa, &psz),
			 0);
	assert_true(hpa == GiB + 12345 && psz == GiB);
	assert_int_equal(vg_gpmap_translate(&g, 12 * KiB, &hpa, NULL), 1);
	if (levels == 5) {
		assert_int_equal(vg_gpmap_translate(&g, (1ull << 50) + 8, &hpa,
						    NULL),
				 0);
		assert_true(hpa == 0x40008);
	} else {
		assert_int_equal(vg_gpmap_translate(&g, 1ull << 50, &hpa, NULL),
				 1);
	}
	vg_gmem_release(&g);
	assert_null(g.priv);
	memimg_free(&m);
}

static void ept4_all_page_sizes(void **state)
{
	(void)state;
	check_all_sizes(VG_GPMAP_EPT, 4);
}

static void ept5_all_page_sizes(void **state)
{
	(void)state;
	check_all_sizes(VG_GPMAP_EPT, 5);
}

static void npt4_all_page_sizes(void **state)
{
	(void)state;
	check_all_sizes(VG_GPMAP_NPT, 4);
}

static void npt5_all_page_sizes(void **state)
{
	(void)state;
	check_all_sizes(VG_GPMAP_NPT, 5);
}

static void eptp_levels(void **state)
{
	(void)state;
	assert_int_equal(vg_gpmap_ept_levels(0x1234000 | 0x1e), 4);
	assert_int_equal(vg_gpmap_ept_levels(0x1234000 | 0x5e), 4); /* A/D */
	assert_int_equal(vg_gpmap_ept_levels(0x1234000 | 0x26), 5);
	assert_int_equal(vg_gpmap_ept_levels(0x1234000 | 0x18), 4); /* UC */
	assert_int_equal(vg_gpmap_ept_levels(0x1234000 | 0x16), -1); /* wl 2 */
	assert_int_equal(vg_gpmap_ept_levels(0x1234000 | 0x19), -1); /* WC */
	assert_int_equal(vg_gpmap_ept_levels(0x1234000 | 0x11e), -1);
	assert_int_equal(vg_gpmap_ept_levels((1ull << 60) | 0x1e), -1);
}

static void init_rejects_bad_roots(void **state)
{
	struct memimg m;
	struct vg_gmem g;

	(void)state;
	memimg_init(&m, 64 * KiB, 64 * KiB, 0);
	assert_int_equal(vg_gpmap_init(&g, &m.hm, VG_GPMAP_EPT, 1 * MiB, 4),
			 -1);
	assert_non_null(strstr(g.stats.first_error, "beyond host memory"));
	assert_int_equal(vg_gpmap_init(&g, &m.hm, VG_GPMAP_NPT, 0, 3), -1);
	assert_non_null(strstr(g.stats.first_error, "3 levels"));
	assert_int_equal(vg_gpmap_init(&g, &m.hm, (enum vg_gpmap_kind)9, 0, 4),
			 -1);
	vg_gmem_release(&g); /* safe after a failed init */
	memimg_free(&m);
}

/* Not-present entries, KVM MMIO markers and reserved bits are skipped. */
static void holes_mmio_and_reserved_bits(void **state)
{
	struct memimg m;
	struct vg_gmem g;
	struct ranges rs = { .n = 0 };
	uint64_t root, pt, npt_root;

	(void)state;
	memimg_init(&m, 4 * MiB, 4 * MiB, 1 * MiB);
	root = memimg_alloc(&m);
	slat_map(&m, VG_GPMAP_EPT, 4, root, 0, 0x1000, 4 * KiB);
	pt = slat_entry(&m, VG_GPMAP_EPT, 4, root, 0, 1);
	memimg_put64(&m, pt + 8, 0x2000 | 0x6); /* W+X, no R: MMIO */
	memimg_put64(&m, pt + 16, 0x3000 | 0x7 | (2 << 3)); /* memtype 2 */
	memimg_put64(&m, pt + 24, 0x4000 | 0x7 | (7 << 3)); /* memtype 7 */
	memimg_put64(&m, pt + 32, 0x5000 | 0x4); /* execute-only: present */
	/* A misaligned 2 MiB page at gpa 2M, a table pointer with bit 3. */
	memimg_put64(&m, slat_entry(&m, VG_GPMAP_EPT, 4, root, 2 * MiB, 2),
		     0x201000 | 0x87 | (6 << 3));
	memimg_put64(&m, slat_entry(&m, VG_GPMAP_EPT, 4, root, 4 * MiB, 2),
		     memimg_alloc(&m) | 0xf);
	/* PML4 entry with the large-page bit. */
	memimg_put64(&m, root + 8, 0x100000 | 0x87);
	assert_int_equal(vg_gpmap_init(&g, &m.hm, VG_GPMAP_EPT, root, 4), 0);
	assert_int_equal(g.walk(&g, collect, &rs), 0);
	assert_int_equal(rs.n, 2);
	assert_true(rs.r[0].gpa == 0 && rs.r[0].len == 4 * KiB);
	assert_true(rs.r[1].gpa == 16 * KiB && rs.r[1].hpa == 0x5000);
	assert_int_equal(g.stats.mmio_entries, 1);
	assert_int_equal(g.stats.bad_entries, 5);
	assert_int_equal(g.stats.not_present, 512 - 5);
	assert_non_null(strstr(g.stats.first_error, "reserved memory type"));
	vg_gmem_release(&g);

	/* NPT: bit 51 is KVM's MMIO marker, PS in a PML4E is reserved. */
	npt_root = memimg_alloc(&m);
	slat_map(&m, VG_GPMAP_NPT, 4, npt_root, 0, 0x1000, 4 * KiB);
	pt = slat_entry(&m, VG_GPMAP_NPT, 4, npt_root, 0, 1);
	memimg_put64(&m, pt + 8, (1ull << 51) | 0x2000 | 0x1);
	memimg_put64(&m, npt_root + 8, 0x100000 | 0x81);
	/* 2 MiB page with PAT (bit 12) is fine; bit 13 is not. */
	memimg_put64(&m, slat_entry(&m, VG_GPMAP_NPT, 4, npt_root, 2 * MiB, 2),
		     0x200000 | 0x1000 | 0x81);
	memimg_put64(&m, slat_entry(&m, VG_GPMAP_NPT, 4, npt_root, 4 * MiB, 2),
		     0x200000 | 0x2000 | 0x81);
	rs.n = 0;
	assert_int_equal(vg_gpmap_init(&g, &m.hm, VG_GPMAP_NPT, npt_root, 4),
			 0);
	assert_int_equal(g.walk(&g, collect, &rs), 0);
	assert_int_equal(rs.n, 2);
	assert_true(rs.r[1].gpa == 2 * MiB && rs.r[1].hpa == 2 * MiB);
	assert_int_equal(g.stats.mmio_entries, 1);
	assert_int_equal(g.stats.bad_entries, 2);
	vg_gmem_release(&g);
	memimg_free(&m);
}

/* Entries pointing back at their own path are loops, not recursion. */
static void loops_and_self_references(void **state)
{
	struct memimg m;
	struct vg_gmem g;
	struct ranges rs = { .n = 0 };
	uint64_t root, pd;

	(void)state;
	memimg_init(&m, 2 * MiB, 2 * MiB, 1 * MiB);
	root = memimg_alloc(&m);
	slat_map(&m, VG_GPMAP_EPT, 4, root, 0, 0x1000, 4 * KiB);
	memimg_put64(&m, root + 8, root | 7); /* PML4 -> itself */
	pd = slat_entry(&m, VG_GPMAP_EPT, 4, root, 0, 2) & ~4095ull;
	memimg_put64(&m, pd + 8, root | 7); /* PD -> PML4 */
	memimg_put64(&m, pd + 16, pd | 7); /* PD -> itself */
	assert_int_equal(vg_gpmap_init(&g, &m.hm, VG_GPMAP_EPT, root, 4), 0);
	assert_int_equal(g.walk(&g, collect, &rs), 0);
	assert_int_equal(rs.n, 1);
	assert_int_equal(g.stats.loops, 3);
	assert_non_null(strstr(g.stats.first_error, "own path"));
	vg_gmem_release(&g);
	memimg_free(&m);
}

/*
 * Every entry of every level points at the same next table: 512^4 pages
 * of aliases.  The caps stop it quickly, with truncated set.
 */
static void aliasing_blowup_is_bounded(void **state)
{
	struct memimg m;
	struct vg_gmem g;
	struct ranges rs = { .n = 0 };
	uint64_t t[4];

	(void)state;
	memimg_init(&m, 1 * MiB, 1 * MiB, 64 * KiB);
	for (int i = 0; i < 4; i++)
		t[i] = memimg_alloc(&m);
	for (int l = 0; l < 4; l++)
		for (int i = 0; i < 512; i++)
			memimg_put64(&m, t[l] + 8 * i,
				     l < 3 ? (t[l + 1] | 7) : (0x1000 | 0x37));
	assert_int_equal(vg_gpmap_init(&g, &m.hm, VG_GPMAP_EPT, t[0], 4), 0);
	assert_int_equal(g.walk(&g, collect, &rs), 0);
	assert_int_equal(g.stats.truncated, 1);
	assert_true(g.stats.pages_present * 4096 <= 8 * MiB + GiB);
	assert_true(m.reads < 4096);
	vg_gmem_release(&g);

	/* A tighter table cap stops it earlier. */
	assert_int_equal(vg_gpmap_init(&g, &m.hm, VG_GPMAP_EPT, t[0], 4), 0);
	vg_gpmap_set_limits(&g, 10, 0);
	rs.n = 0;
	assert_int_equal(g.walk(&g, collect, &rs), 0);
	assert_int_equal(g.stats.truncated, 1);
	assert_true(g.stats.tables_visited <= 10);
	assert_non_null(strstr(g.stats.first_error, "table pages"));
	vg_gmem_release(&g);
	memimg_free(&m);
}

static void out_of_range_absent_and_unreadable_tables(void **state)
{
	struct memimg m;
	struct vg_gmem g;
	struct ranges rs = { .n = 0 };
	uint64_t root, pd;

	(void)state;
	memimg_init(&m, 2 * MiB, 2 * MiB, 1 * MiB);
	root = memimg_alloc(&m);
	slat_map(&m, VG_GPMAP_NPT, 4, root, 0, 0x1000, 4 * KiB);
	pd = slat_entry(&m, VG_GPMAP_NPT, 4, root, 0, 2) & ~4095ull;
	memimg_put64(&m, pd + 8, (64 * GiB) | 7); /* table beyond */
	memimg_put64(&m, pd + 16, (1 * GiB) | 0x87); /* 2M page beyond */
	slat_map(&m, VG_GPMAP_NPT, 4, root, 6 * MiB, 0x2000, 4 * KiB);
	slat_map(&m, VG_GPMAP_NPT, 4, root, 8 * MiB, 0x3000, 4 * KiB);
	memimg_mark_absent(&m,
			   slat_entry(&m, VG_GPMAP_NPT, 4, root, 6 * MiB, 1));
	memimg_mark_error(&m,
			  slat_entry(&m, VG_GPMAP_NPT, 4, root, 8 * MiB, 1));
	slat_map(&m, VG_GPMAP_NPT, 4, root, 10 * MiB, 0x4000, 4 * KiB);
	assert_int_equal(vg_gpmap_init(&g, &m.hm, VG_GPMAP_NPT, root, 4), 0);
	assert_int_equal(g.walk(&g, collect, &rs), 0);
	assert_int_equal(rs.n, 2);
	assert_true(rs.r[1].gpa == 10 * MiB && rs.r[1].hpa == 0x4000);
	assert_int_equal(g.stats.out_of_range, 2);
	assert_int_equal(g.stats.table_absent, 1);
	assert_int_equal(g.stats.table_errors, 1);
	assert_int_equal(g.stats.nerrors, 4);
	vg_gmem_release(&g);

	/* Unreadable root: the walk cannot start. */
	memimg_mark_absent(&m, root);
	assert_int_equal(vg_gpmap_init(&g, &m.hm, VG_GPMAP_NPT, root, 4), 0);
	assert_int_equal(g.walk(&g, collect, &rs), -1);
	assert_non_null(strstr(g.stats.first_error, "not in the host dump"));
	vg_gmem_release(&g);
	memimg_free(&m);
}

static void callback_stops_walk(void **state)
{
	struct memimg m;
	struct vg_gmem g;
	struct ranges rs = { .n = 0, .stop_after = 2 };
	uint64_t root;

	(void)state;
	build_all_sizes(&m, VG_GPMAP_EPT, 4, &root);
	assert_int_equal(vg_gpmap_init(&g, &m.hm, VG_GPMAP_EPT, root, 4), 0);
	assert_int_equal(g.walk(&g, collect, &rs), 7);
	assert_int_equal(rs.n, 2);
	vg_gmem_release(&g);
	memimg_free(&m);
}

/* Guest RAM: gpa X at hpa X + 1 MiB, 4 MiB of it, as 4 KiB pages. */
#define GOFF (1 * MiB)
static void linear_guest(struct memimg *m, struct vg_gmem *g, uint64_t *root)
{
	memimg_init(m, 8 * MiB, 8 * MiB, 6 * MiB);
	*root = memimg_alloc(m);
	for (uint64_t a = 0; a < 4 * MiB; a += 4 * KiB)
		slat_map(m, VG_GPMAP_EPT, 4, *root, a, a + GOFF, 4 * KiB);
	assert_int_equal(vg_gpmap_init(g, &m->hm, VG_GPMAP_EPT, *root, 4), 0);
	m->next = GOFF + 1 * MiB; /* guest tables go to gpa 1 MiB.. */
}

static void gmem_read_crosses_pages(void **state)
{
	struct memimg m;
	struct vg_gmem g;
	uint64_t root;
	uint8_t buf[16];

	(void)state;
	memimg_init(&m, 1 * MiB, 1 * MiB, 512 * KiB);
	root = memimg_alloc(&m);
	slat_map(&m, VG_GPMAP_EPT, 4, root, 0, 0x8000, 4 * KiB);
	slat_map(&m, VG_GPMAP_EPT, 4, root, 4 * KiB, 0x3000, 4 * KiB);
	memcpy(m.buf + 0x8000 + 4088, "abcdefgh", 8);
	memcpy(m.buf + 0x3000, "ijklmnop", 8);
	assert_int_equal(vg_gpmap_init(&g, &m.hm, VG_GPMAP_EPT, root, 4), 0);
	assert_int_equal(vg_gmem_read(&g, 4088, buf, 16), VG_HM_OK);
	assert_memory_equal(buf, "abcdefghijklmnop", 16);
	assert_int_equal(vg_gmem_read(&g, 8 * KiB - 4, buf, 8), VG_HM_ABSENT);
	memimg_mark_absent(&m, 0x3000);
	assert_int_equal(vg_gmem_read(&g, 4088, buf, 16), VG_HM_ABSENT);
	vg_gmem_release(&g);
	memimg_free(&m);
}

static void guest_va_translate(int levels)
{
	struct memimg m;
	struct vg_gmem g;
	uint64_t root, cr3, gpa, psz;
	uint64_t va4k = levels == 5 ? 0xff11000000003000ull :
				      0xffff888000003000ull;
	uint64_t va2m = 0xffffffff81000000ull;

	linear_guest(&m, &g, &root);
	cr3 = memimg_alloc(&m);
	gpt_map(&m, GOFF, cr3, levels, va4k, 0x2a000, 4 * KiB);
	gpt_map(&m, GOFF, cr3, levels, va2m, 2 * MiB, 2 * MiB);
	gpt_map(&m, GOFF, cr3, levels, 0x40000000ull, 0, 1 * GiB);
	cr3 -= GOFF; /* CR3 holds a guest physical address */

	assert_int_equal(vg_gva_translate(&g, cr3 | 0x18, levels == 5, va4k + 9,
					  &gpa, &psz),
			 0);
	assert_true(gpa == 0x2a009 && psz == 4 * KiB);
	assert_int_equal(vg_gva_translate(&g, cr3, levels == 5, va2m + 0x12345,
					  &gpa, &psz),
			 0);
	assert_true(gpa == 2 * MiB + 0x12345 && psz == 2 * MiB);
	assert_int_equal(vg_gva_translate(&g, cr3, levels == 5,
					  0x40000000ull + 77, &gpa, &psz),
			 0);
	assert_true(gpa == 77 && psz == GiB);
	assert_int_equal(vg_gva_translate(&g, cr3, levels == 5, va4k + 4096,
					  &gpa, NULL),
			 1);
	/* Non-canonical addresses are never mapped. */
	assert_int_equal(vg_gva_translate(&g, cr3, levels == 5,
					  0x0100000000000000ull, &gpa, NULL),
			 1);
	/* A CR3 outside guest RAM: the table cannot be read. */
	assert_int_equal(vg_gva_translate(&g, 64 * MiB, levels == 5, va4k, &gpa,
					  NULL),
			 -1);
	vg_gmem_release(&g);
	memimg_free(&m);
}

static void guest_va_translate_4level(void **state)
{
	(void)state;
	guest_va_translate(4);
}

static void guest_va_translate_5level(void **state)
{
	(void)state;
	guest_va_translate(5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ept4_all_page_sizes),
		cmocka_unit_test(ept5_all_page_sizes),
		cmocka_unit_test(npt4_all_page_sizes),
		cmocka_unit_test(npt5_all_page_sizes),
		cmocka_unit_test(eptp_levels),
		cmocka_unit_test(init_rejects_bad_roots),
		cmocka_unit_test(holes_mmio_and_reserved_bits),
		cmocka_unit_test(loops_and_self_references),
		cmocka_unit_test(aliasing_blowup_is_bounded),
		cmocka_unit_test(out_of_range_absent_and_unreadable_tables),
		cmocka_unit_test(callback_stops_walk),
		cmocka_unit_test(gmem_read_crosses_pages),
		cmocka_unit_test(guest_va_translate_4level),
		cmocka_unit_test(guest_va_translate_5level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
