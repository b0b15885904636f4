// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Damaged host dumps through the dump handle (src/hostdump.c): ranges
 * that fail to read (reads that really fail: tests/src/eio.h), one bad
 * page among good ones, a dead device; and the exact answer on dumps cut
 * short (a hole between PT_LOADs is absent, not cut; a page the cut runs
 * through is cut; a VMCB just before the cut is found).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/hostdump.h"
#include "src/scan.h"
#include "src/vmx.h"
#include "tests/src/eio.h"
#include "tests/src/fixture.h"

#define MiB (1ull << 20)

static int setup(void **state)
{
	*state = fx_scratch_new();
	eio_clear();
	return 0;
}

static int teardown(void **state)
{
	eio_clear();
	fx_scratch_free(*state);
	return 0;
}

/* File offset of host physical paddr in the ELF dump at path. */
static uint64_t file_off(const char *path, uint64_t paddr)
{
	int fd = open(path, O_RDONLY);
	uint64_t off = 0;
	size_t n = 0;
	GElf_Phdr ph;
	Elf *e;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(e);
	assert_int_equal(elf_getphdrnum(e, &n), 0);
	for (size_t i = 0; i < n && !off; i++)
		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD &&
		    ph.p_paddr <= paddr && paddr < ph.p_paddr + ph.p_filesz)
			off = ph.p_offset + (paddr - ph.p_paddr);
	elf_end(e);
	close(fd);
	assert_true(off > 0);
	return off;
}

/* 8 MiB of RAM from 4 KiB on, a VMCB at vmcb; written as ELF to path. */
static void write_host(const char *path, uint64_t vmcb, int kdump)
{
	struct fx *fx = fx_new(8 * MiB, 6 * MiB);
	uint64_t ncr3 = fx_alloc_page(fx);
	struct fx_cpu c;

	fx_hole(fx, 0, FX_PAGE);
	for (uint64_t pa = FX_PAGE; pa < 6 * MiB; pa += 8)
		fx_put64(fx, pa, pa * 0x9e3779b97f4a7c15ull);
	fx_cpu_realmode(&c, ncr3);
	fx_make_vmcb(fx, vmcb, &c);
	if (kdump)
		assert_int_equal(fx_write_kdump(fx, path, NULL), 0);
	else
		assert_int_equal(fx_write_elf(fx, path, NULL), 0);
	fx_free(fx);
}

static struct vg_hostdump *open_ok(const char *path)
{
	struct vg_error err = { 0 };
	struct vg_hostdump *hd = vg_hostdump_open(path, &err);

	if (!hd)
		fail_msg("%s", err.msg);
	return hd;
}

static void scan_dump(struct vg_hostdump *hd, struct vg_scan_result *res)
{
	struct vg_scan_cfg cfg;
	struct vg_error err = { 0 };

	memset(&cfg, 0, sizeof(cfg));
	cfg.hm = vg_hostdump_mem(hd);
	cfg.next_range = vg_hostdump_next_range;
	cfg.range_ctx = hd;
	cfg.layouts[0].vi = vg_vmcs12_layout();
	cfg.layouts[0].source = "built-in vmcs12";
	cfg.nlayouts = 1;
	if (vg_scan(&cfg, res, &err))
		fail_msg("%s", err.msg);
}

/*
 * One page fails to read (EIO) in the middle of a 1 MiB scan chunk that
 * also holds a VMCB: that page alone is absent, counted and named; the
 * VMCB is found; a second read of the bad page does not touch the file.
 */
static void one_bad_page(void **state)
{
	struct fx_scratch *t = *state;
	struct vg_scan_result res;
	struct vg_hostdump *hd;
	uint8_t page[FX_PAGE];
	unsigned long hits;

	write_host(t->path, 0x300000, 0);
	assert_int_equal(
		eio_fail(t->path, file_off(t->path, 0x305000) + 100, 8), 0);
	hd = open_ok(t->path);
	scan_dump(hd, &res);
	assert_int_equal(res.nfound, 1);
	assert_int_equal(res.found[0].vcpu.state_paddr, 0x300000);
	assert_int_equal(res.pages_absent, 1);
	assert_int_equal(res.pages_unreadable, 0);
	assert_int_equal(res.pages_scanned, 8 * MiB / FX_PAGE - 2);
	if (!strstr(vg_hostdump_io_errors(hd), "(Input/output error): 1 "
					       "pages absent, host physical "
					       "0x305000-0x306000") ||
	    strstr(vg_hostdump_io_errors(hd), "in a row"))
		fail_msg("%s", vg_hostdump_io_errors(hd));
	hits = eio_hits();
	assert_int_equal(vg_hostmem_read(vg_hostdump_mem(hd), 0x305000, page,
					 FX_PAGE),
			 VG_HM_ABSENT);
	assert_int_equal(eio_hits(), hits);
	/* its neighbours read, byte for byte */
	assert_int_equal(vg_hostmem_read(vg_hostdump_mem(hd), 0x304000, page,
					 FX_PAGE),
			 VG_HM_OK);
	for (uint64_t o = 0; o < FX_PAGE; o += 8) {
		uint64_t v;

		memcpy(&v, page + o, 8);
		assert_true(v == (0x304000 + o) * 0x9e3779b97f4a7c15ull);
	}
	assert_int_equal(vg_hostdump_cut_reads(hd), 0);
	assert_true(vg_hostdump_io_reads(hd) > 0);
	vg_scan_result_free(&res);
	vg_hostdump_close(hd);
	/* the same through libkdumpfile's reads of the ELF file */
	eio_clear();
	assert_int_equal(eio_fail(t->path, file_off(t->path, 0x305000), 8), 0);
	hd = open_ok(t->path);
	assert_int_equal(vg_hostdump_set_direct(hd, 0), 0);
	scan_dump(hd, &res);
	assert_int_equal(res.nfound, 1);
	assert_int_equal(res.pages_absent, 1);
	assert_non_null(strstr(vg_hostdump_io_errors(hd), "0x305000-0x306000"));
	vg_scan_result_free(&res);
	vg_hostdump_close(hd);
}

/*
 * A dead device: everything from 2 MiB on fails.  After 16 page reads
 * failed in a row the rest of the range is absent without being read:
 * the whole scan costs some 20 failed reads, not one per page.
 */
static void dead_device(void **state)
{
	struct fx_scratch *t = *state;
	struct vg_scan_result res;
	struct vg_hostdump *hd;
	struct stat st;
	uint64_t from;

	write_host(t->path, 0x100000, 0);
	from = file_off(t->path, 2 * MiB);
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(eio_fail(t->path, from, (uint64_t)st.st_size - from),
			 0);
	hd = open_ok(t->path);
	scan_dump(hd, &res);
	assert_int_equal(res.nfound, 1);
	assert_int_equal(res.pages_absent, 6 * MiB / FX_PAGE);
	assert_int_equal(res.pages_scanned, 2 * MiB / FX_PAGE - 1);
	/* 16 in a row, and the chunk and page reads that ran into 2 MiB */
	if (eio_hits() > 20)
		fail_msg("%lu failed reads", eio_hits());
	if (!strstr(vg_hostdump_io_errors(hd),
		    "1536 pages absent, host physical 0x200000-0x800000; "
		    "after 16 failures in a row"))
		fail_msg("%s", vg_hostdump_io_errors(hd));
	vg_scan_result_free(&res);
	vg_hostdump_close(hd);
}

/*
 * Bad pages found out of order merge into one range; more separate bad
 * ranges than the handle keeps (64) make the rest of the range dead.
 */
static void bad_ranges_merge_and_cap(void **state)
{
	struct fx_scratch *t = *state;
	struct vg_scan_result res;
	struct vg_hostdump *hd;
	struct vg_hostmem *hm;
	uint8_t page[FX_PAGE];

	write_host(t->path, 0x100000, 0);
	for (uint64_t pa = 0x300000; pa < 0x303000; pa += FX_PAGE)
		assert_int_equal(eio_fail(t->path, file_off(t->path, pa), 1),
				 0);
	hd = open_ok(t->path);
	hm = vg_hostdump_mem(hd);
	assert_int_equal(vg_hostmem_read(hm, 0x302000, page, 8), VG_HM_ABSENT);
	assert_int_equal(vg_hostmem_read(hm, 0x300000, page, 8), VG_HM_ABSENT);
	assert_non_null(
		strstr(vg_hostdump_io_errors(hd),
		       "2 pages absent, host physical 0x300000-0x301000, "
		       "0x302000-0x303000"));
	assert_int_equal(vg_hostmem_read(hm, 0x301000, page, 8), VG_HM_ABSENT);
	if (!strstr(vg_hostdump_io_errors(hd), "3 pages absent, host physical "
					       "0x300000-0x303000") ||
	    strstr(vg_hostdump_io_errors(hd), "more"))
		fail_msg("%s", vg_hostdump_io_errors(hd));
	vg_hostdump_close(hd);

	/* every other page bad from 4 MiB on: 100 separate ranges */
	eio_clear();
	for (uint64_t i = 0; i < 100; i++)
		assert_int_equal(
			eio_fail(t->path,
				 file_off(t->path, 4 * MiB + 2 * i * FX_PAGE),
				 FX_PAGE),
			0);
	hd = open_ok(t->path);
	scan_dump(hd, &res);
	assert_int_equal(res.nfound, 1);
	/* 63 bad pages kept one by one, then the rest of RAM is dead */
	assert_int_equal(res.pages_absent,
			 63 + (8 * MiB - (4 * MiB + 2 * 63 * FX_PAGE)) /
					 FX_PAGE);
	if (eio_hits() > 64 + 4)
		fail_msg("%lu failed reads", eio_hits());
	assert_non_null(
		strstr(vg_hostdump_io_errors(hd), "and 60 more ranges"));
	vg_scan_result_free(&res);
	vg_hostdump_close(hd);
}

/*
 * kdump-compressed: libkdumpfile reads the page data itself; a range of
 * the file that fails is absent pages, the rest of the dump is scanned.
 */
static void kdump_bad_range(void **state)
{
	struct fx_scratch *t = *state;
	struct vg_scan_result res;
	struct vg_hostdump *hd;
	struct stat st;

	write_host(t->path, 0x100000, 1);
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(eio_fail(t->path, (uint64_t)st.st_size / 2, 8192), 0);
	hd = open_ok(t->path);
	scan_dump(hd, &res);
	assert_int_equal(res.nfound, 1);
	assert_int_equal(res.pages_unreadable, 0);
	if (res.pages_absent < 1 || res.pages_absent > 16 ||
	    res.pages_scanned + res.pages_absent != 8 * MiB / FX_PAGE - 1)
		fail_msg("%llu absent, %llu scanned",
			 (unsigned long long)res.pages_absent,
			 (unsigned long long)res.pages_scanned);
	assert_non_null(strstr(vg_hostdump_io_errors(hd), "read errors in "));
	assert_true(eio_hits() > 0);
	vg_scan_result_free(&res);
	vg_hostdump_close(hd);
}

/*
 * A cut ELF dump, exactly: a hole between PT_LOADs is absent as on an
 * intact dump (not counted as cut); a page the cut runs through is cut
 * (absent, counted), the bytes before the cut read.
 */
static void cut_elf_exact(void **state)
{
	struct fx_scratch *t = *state;
	struct fx *fx = fx_new(8 * MiB, 6 * MiB);
	struct vg_hostdump *hd;
	struct vg_hostmem *hm;
	uint8_t page[FX_PAGE];

	fx_hole(fx, 0, FX_PAGE);
	fx_hole(fx, 1 * MiB, 2 * MiB);
	memset(fx_ptr(fx, 0x2ff000), 0x5a, FX_PAGE);
	assert_int_equal(fx_write_elf(fx, t->path, NULL), 0);
	fx_free(fx);
	assert_int_equal(
		truncate(t->path, (off_t)file_off(t->path, 0x300000) + 100), 0);
	hd = open_ok(t->path);
	hm = vg_hostdump_mem(hd);
	assert_non_null(strstr(vg_hostdump_damage(hd), "truncated dump"));
	/* the hole below the cut: absent, not cut */
	assert_int_equal(vg_hostmem_read(hm, 0x180000, page, FX_PAGE),
			 VG_HM_ABSENT);
	assert_int_equal(vg_hostdump_cut_reads(hd), 0);
	/* the page before the cut reads; the one it runs through is cut */
	assert_int_equal(vg_hostmem_read(hm, 0x2ff000, page, FX_PAGE),
			 VG_HM_OK);
	assert_int_equal(page[4095], 0x5a);
	assert_int_equal(vg_hostmem_read(hm, 0x300000, page, 64), VG_HM_OK);
	assert_int_equal(vg_hostmem_read(hm, 0x300000, page, FX_PAGE),
			 VG_HM_ABSENT);
	assert_int_equal(vg_hostdump_cut_reads(hd), 1);
	assert_int_equal(vg_hostdump_set_direct(hd, 0), 0);
	assert_int_equal(vg_hostmem_read(hm, 0x300000, page, FX_PAGE),
			 VG_HM_ABSENT);
	assert_int_equal(vg_hostdump_cut_reads(hd), 2);
	assert_int_equal(vg_hostmem_read(hm, 0x180000, page, 8), VG_HM_ABSENT);
	assert_int_equal(vg_hostdump_cut_reads(hd), 2);
	/* past the cut, far: cut */
	assert_int_equal(vg_hostmem_read(hm, 0x700000, page, 8), VG_HM_ABSENT);
	assert_int_equal(vg_hostdump_cut_reads(hd), 3);
	assert_string_equal(vg_hostdump_io_errors(hd), "");
	vg_hostdump_close(hd);
}

/*
 * A VMCB just before the cut, in the scan chunk the cut runs through, is
 * found: the part of the chunk before the cut is read (ELF and
 * kdump-compressed).
 */
static void vmcb_before_cut(void **state)
{
	struct fx_scratch *t = *state;
	struct vg_scan_result res;
	struct vg_hostdump *hd;
	struct stat st;

	write_host(t->path, 0x37f000, 0);
	assert_int_equal(
		truncate(t->path, (off_t)file_off(t->path, 0x380000) + 10), 0);
	hd = open_ok(t->path);
	scan_dump(hd, &res);
	assert_int_equal(res.nfound, 1);
	assert_int_equal(res.found[0].vcpu.state_paddr, 0x37f000);
	assert_int_equal(res.pages_unreadable, 0);
	vg_scan_result_free(&res);
	vg_hostdump_close(hd);

	write_host(t->path, 0x37f000, 1);
	assert_int_equal(stat(t->path, &st), 0);
	/* the fixture's top pages are zero: their data is tiny, at the end */
	assert_int_equal(truncate(t->path, st.st_size * 3 / 4), 0);
	hd = open_ok(t->path);
	assert_non_null(strstr(vg_hostdump_damage(hd), "truncated dump"));
	scan_dump(hd, &res);
	assert_int_equal(res.nfound, 1);
	assert_int_equal(res.pages_unreadable, 0);
	assert_true(res.pages_absent > 0);
	vg_scan_result_free(&res);
	vg_hostdump_close(hd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(one_bad_page, setup, teardown),
		cmocka_unit_test_setup_teardown(dead_device, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_ranges_merge_and_cap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(kdump_bad_range, setup,
						teardown),
		cmocka_unit_test_setup_teardown(cut_elf_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(vmcb_before_cut, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
