// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * src/budget.c with a fake clock and a fake free-space query: the time
 * budget, the reserve, progress lines, option parsing, the --only list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notes/elfnote.h"
#include "src/budget.h"
#include "src/hostkv.h"
#include "src/kvmguests.h"
#include "src/kvmwalk.h"
#include "src/scan.h"
#include "tests/src/ksymfixture.h"
#include "tests/src/kvmfixture.h"

#define MiB (1024ull * 1024)

static double fake_t;
static uint64_t fake_free;
static int fake_err;

static double fake_now(void)
{
	return fake_t;
}

static int fake_avail(int dirfd, uint64_t *bytes)
{
	(void)dirfd;
	if (fake_err) {
		errno = fake_err;
		return -1;
	}
	*bytes = fake_free;
	return 0;
}

static void setup(struct vg_budget *b, double budget, uint64_t reserve,
		  FILE *out)
{
	fake_t = 100.0;
	fake_free = 10000 * MiB;
	fake_err = 0;
	vg_budget_init(b, budget, reserve, -1, out);
	b->now = fake_now;
	b->avail = fake_avail;
	b->start = fake_now();
}

static void no_limits_never_stop(void **state)
{
	struct vg_budget b;
	char why[160] = "";

	(void)state;
	setup(&b, -1, 0, NULL);
	fake_t += 1e6;
	fake_free = 0;
	assert_int_equal(vg_budget_before_guest(&b, "g"), 0);
	assert_int_equal(vg_budget_progress(&b, 10, 20, why, sizeof(why)), 0);
	assert_string_equal(why, "");
	assert_int_equal(b.stopped, 0);
}

static void zero_budget_skips_every_guest(void **state)
{
	struct vg_budget b;

	(void)state;
	setup(&b, 0, 0, NULL);
	assert_int_equal(vg_budget_before_guest(&b, "a"), 1);
	assert_non_null(strstr(b.reason, "time budget of 0 s used up"));
	assert_int_equal(vg_budget_before_guest(&b, "b"), 1);
	assert_int_equal(b.stopped, 1);
}

static void budget_stops_mid_copy_then_skips(void **state)
{
	struct vg_budget b;
	char why[160] = "";

	(void)state;
	setup(&b, 30, 0, NULL);
	assert_int_equal(vg_budget_before_guest(&b, "a"), 0);
	fake_t += 29.9;
	assert_int_equal(vg_budget_progress(&b, 1, 100, why, sizeof(why)), 0);
	fake_t += 0.2;
	assert_int_equal(vg_budget_progress(&b, 2, 100, why, sizeof(why)), 1);
	assert_string_equal(why, "stopped: time budget of 30 s used up");
	/* Every later guest is skipped without looking again. */
	fake_t = 0;
	assert_int_equal(vg_budget_before_guest(&b, "b"), 1);
	assert_non_null(strstr(b.reason, "time budget"));
}

static void reserve_larger_than_free_space_skips(void **state)
{
	struct vg_budget b;

	(void)state;
	setup(&b, -1, 512 * MiB, NULL);
	fake_free = 300 * MiB;
	assert_int_equal(vg_budget_before_guest(&b, "a"), 1);
	assert_string_equal(
		b.reason,
		"free space on the target (300 MiB) at the reserve of 512 MiB");
}

static void reserve_keeps_a_write_batch_of_margin(void **state)
{
	struct vg_budget b;
	char why[160] = "";

	(void)state;
	setup(&b, -1, 100 * MiB, NULL);
	fake_free = 100 * MiB + VG_BUDGET_MARGIN;
	assert_int_equal(vg_budget_before_guest(&b, "a"), 0);
	assert_int_equal(vg_budget_progress(&b, 1, 9, why, sizeof(why)), 0);
	fake_free -= 1;
	assert_int_equal(vg_budget_progress(&b, 2, 9, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "at the reserve of 100 MiB"));
	assert_int_equal(vg_budget_before_guest(&b, "b"), 1);
}

static void statvfs_failure_stops(void **state)
{
	struct vg_budget b;

	(void)state;
	setup(&b, -1, 1 * MiB, NULL);
	fake_err = EIO;
	assert_int_equal(vg_budget_before_guest(&b, "a"), 1);
	assert_non_null(strstr(b.reason, strerror(EIO)));
}

static void progress_lines(void **state)
{
	struct vg_budget b;
	char why[160], *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(out);
	setup(&b, -1, 0, out);
	assert_int_equal(vg_budget_before_guest(&b, "web1"), 0);
	/* 64 MiB of 256 MiB after 2 s: a line; 0.5 s later: none. */
	fake_t += 2;
	vg_budget_progress(&b, 64 * MiB / 4096, 256 * MiB / 4096, why,
			   sizeof(why));
	fake_t += 0.5;
	vg_budget_progress(&b, 65 * MiB / 4096, 256 * MiB / 4096, why,
			   sizeof(why));
	fake_t += 5.5;
	vg_budget_progress(&b, 256 * MiB / 4096, 256 * MiB / 4096, why,
			   sizeof(why));
	vg_budget_after_guest(&b);
	fclose(out);
	assert_string_equal(
		buf,
		"vmcore-guests: web1:  25% 64/256 MiB 32.0 MiB/s\n"
		"vmcore-guests: web1: 100% 256/256 MiB 32.0 MiB/s\n"
		"vmcore-guests: web1: 100% 256/256 MiB 32.0 MiB/s, done\n");
	free(buf);
}

static void stopped_line_says_why(void **state)
{
	struct vg_budget b;
	char why[160], *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(out);
	setup(&b, 1, 0, out);
	assert_int_equal(vg_budget_before_guest(&b, "db"), 0);
	fake_t += 1;
	assert_int_equal(vg_budget_progress(&b, 256, 1024, why, sizeof(why)),
			 1);
	vg_budget_after_guest(&b);
	fclose(out);
	assert_string_equal(
		buf,
		"vmcore-guests: db:  25% 1.00/4.00 MiB 1.0 MiB/s, stopped: time budget of 1 s used up\n");
	free(buf);
}

static void tiny_guest_in_kib(void **state)
{
	struct vg_budget b;
	char why[160], *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(out);
	setup(&b, -1, 0, out);
	assert_int_equal(vg_budget_before_guest(&b, "tiny"), 0);
	fake_t += 0.5;
	assert_int_equal(vg_budget_progress(&b, 1, 1, why, sizeof(why)), 0);
	vg_budget_after_guest(&b);
	fclose(out);
	assert_string_equal(
		buf, "vmcore-guests: tiny: 100% 4/4 KiB 0.0 MiB/s, done\n");
	free(buf);
}

static void no_line_when_the_copy_never_started(void **state)
{
	struct vg_budget b;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	(void)state;
	setup(&b, -1, 0, out);
	assert_int_equal(vg_budget_before_guest(&b, "x"), 0);
	vg_budget_after_guest(&b);
	fclose(out);
	assert_int_equal(len, 0);
	free(buf);
}

static void parse_options(void **state)
{
	double s;
	uint64_t m;

	(void)state;
	assert_int_equal(vg_budget_parse_seconds("0", &s), 0);
	assert_true(s == 0);
	assert_int_equal(vg_budget_parse_seconds("2.5", &s), 0);
	assert_true(s == 2.5);
	assert_int_equal(vg_budget_parse_seconds("-1", &s), -1);
	assert_int_equal(vg_budget_parse_seconds("", &s), -1);
	assert_int_equal(vg_budget_parse_seconds("10s", &s), -1);
	assert_int_equal(vg_budget_parse_seconds("inf", &s), -1);
	assert_int_equal(vg_budget_parse_mib("256", &m), 0);
	assert_true(m == 256 * MiB);
	assert_int_equal(vg_budget_parse_mib("0", &m), 0);
	assert_true(m == 0);
	assert_int_equal(vg_budget_parse_mib("-5", &m), -1);
	assert_int_equal(vg_budget_parse_mib("1G", &m), -1);
	assert_int_equal(vg_budget_parse_mib("99999999999999999999", &m), -1);
	assert_int_equal(vg_budget_parse_mib("17592186044416", &m), -1);
}

static void name_lists(void **state)
{
	(void)state;
	assert_true(vg_name_listed("web1", "web1"));
	assert_true(vg_name_listed("web1,db", "db"));
	assert_true(vg_name_listed("a,,b", "b"));
	assert_false(vg_name_listed("web1,db", "web"));
	assert_false(vg_name_listed("web10", "web1"));
	assert_false(vg_name_listed("", "x"));
	assert_false(vg_name_listed("a,", ""));
}

/*
 * The scan and the KVM walk under the time budget, on the fake clock:
 * each read of host memory advances it by tick seconds, so where the
 * budget runs out is the same on every run.
 */
struct ticking {
	struct vg_hostmem hm;
	struct vg_hostmem *under;
	double tick;
	uint64_t reads;
};

static int tick_read(struct vg_hostmem *hm, uint64_t pa, void *buf, size_t len)
{
	struct ticking *t = hm->priv;

	t->reads++;
	fake_t += t->tick;
	return t->under->read(t->under, pa, buf, len);
}

static void ticking_init(struct ticking *t, struct vg_hostmem *under,
			 double tick)
{
	memset(t, 0, sizeof(*t));
	t->hm.read = tick_read;
	t->hm.max_paddr = under->max_paddr;
	t->hm.priv = t;
	t->under = under;
	t->tick = tick;
}

static int zero_read(struct vg_hostmem *hm, uint64_t pa, void *buf, size_t len)
{
	(void)hm;
	(void)pa;
	memset(buf, 0, len);
	return VG_HM_OK;
}

static void scan_stops_at_the_budget(void **state)
{
	struct vg_hostmem zeros = { .read = zero_read, .max_paddr = 8 * MiB };
	struct vg_scan_cfg cfg = { 0 };
	struct vg_scan_result res;
	struct vg_error err;
	struct vg_budget b;
	struct ticking t;

	(void)state;
	/* 8 MiB read 1 MiB a second: a 3 s budget stops it after 3. */
	ticking_init(&t, &zeros, 1.0);
	cfg.hm = &t.hm;
	cfg.stop = vg_budget_expired;
	cfg.stop_ctx = &b;
	setup(&b, 3, 0, NULL);
	assert_int_equal(vg_scan(&cfg, &res, &err), 0);
	assert_int_equal(res.stopped, 1);
	assert_int_equal(res.pages_scanned, 3 * 256);
	assert_int_equal(t.reads, 3);
	assert_int_equal(b.stopped, 1);
	assert_string_equal(b.reason, "time budget of 3 s used up");
	assert_int_equal(vg_budget_before_guest(&b, "g"), 1);
	vg_scan_result_free(&res);

	/* A budget of 0: nothing is read, and that is no error. */
	ticking_init(&t, &zeros, 1.0);
	setup(&b, 0, 0, NULL);
	assert_int_equal(vg_scan(&cfg, &res, &err), 0);
	assert_int_equal(res.stopped, 1);
	assert_int_equal(res.pages_scanned, 0);
	assert_int_equal(t.reads, 0);
	vg_scan_result_free(&res);

	/* No budget: all of it. */
	ticking_init(&t, &zeros, 1.0);
	setup(&b, -1, 0, NULL);
	assert_int_equal(vg_scan(&cfg, &res, &err), 0);
	assert_int_equal(res.stopped, 0);
	assert_int_equal(res.pages_scanned, 8 * 256);
	vg_scan_result_free(&res);
}

/* The KVM walk of the unit tests' host, read through the budget. */
static int walk_host(struct fx *fx, double budget, double tick,
		     struct ticking *t, struct vg_budget_mem *bm)
{
	static struct vg_hostmem hm;
	struct vg_hostkv kv;
	struct vg_kw_result kw;
	struct vg_kvm_choice ch;
	struct vg_budget b;
	const void *ki, *vmci;
	size_t klen, vlen;
	char why[512];
	int walked;

	assert_int_equal(elfnote_find(fx->notes, fx->notes_len, "KVMINFO", 0,
				      &ki, &klen, NULL),
			 0);
	assert_int_equal(elfnote_find(fx->notes, fx->notes_len, "VMCOREINFO", 0,
				      &vmci, &vlen, NULL),
			 0);
	ksfx_hostmem(fx, &hm);
	ticking_init(t, &hm, tick);
	setup(&b, budget, 0, NULL);
	vg_budget_mem_init(bm, &t->hm, &b);
	walked = vg_kvm_from_notes(ki, klen, "note", NULL, vmci, vlen, 1,
				   &bm->hm, &kv, &kw, &ch, why, sizeof(why));
	if (walked)
		vg_kw_result_free(&kw);
	if (bm->refused) {
		assert_int_equal(b.stopped, 1);
		assert_string_not_equal(b.reason, "");
	}
	return walked;
}

static void kvm_walk_stops_at_the_budget(void **state)
{
	struct fx *fx = kfx_build(NULL);
	struct vg_budget_mem bm;
	struct ticking t;
	uint64_t all;

	(void)state;
	/* No budget: the whole walk, every read let through. */
	assert_int_equal(walk_host(fx, -1, 0.001, &t, &bm), 1);
	assert_true(bm.refused == 0);
	all = t.reads;
	assert_true(all > 20);

	/* Half of its reads' time: no read past the budget. */
	walk_host(fx, (double)(all / 2) * 0.001, 0.001, &t, &bm);
	assert_true(bm.refused > 0);
	assert_true(t.reads <= all / 2 + 1);
	assert_true(t.reads >= all / 2 - 1);

	/* A budget of 0: not one read of the dump. */
	assert_int_equal(walk_host(fx, 0, 0.001, &t, &bm), 0);
	assert_true(bm.refused > 0);
	assert_true(t.reads == 0);

	/* No budget in the wrapper (b NULL): reads pass through. */
	vg_budget_mem_init(&bm, &t.hm, NULL);
	assert_int_equal(vg_hostmem_read(&bm.hm, 0, (uint8_t[8]){ 0 }, 8),
			 VG_HM_OK);
	fx_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_limits_never_stop),
		cmocka_unit_test(zero_budget_skips_every_guest),
		cmocka_unit_test(budget_stops_mid_copy_then_skips),
		cmocka_unit_test(reserve_larger_than_free_space_skips),
		cmocka_unit_test(reserve_keeps_a_write_batch_of_margin),
		cmocka_unit_test(statvfs_failure_stops),
		cmocka_unit_test(progress_lines),
		cmocka_unit_test(stopped_line_says_why),
		cmocka_unit_test(no_line_when_the_copy_never_started),
		cmocka_unit_test(tiny_guest_in_kib),
		cmocka_unit_test(parse_options),
		cmocka_unit_test(name_lists),
		cmocka_unit_test(scan_stops_at_the_budget),
		cmocka_unit_test(kvm_walk_stops_at_the_budget),
	};

	return cmocka_run_group_tests_name("budget", tests, NULL, NULL);
}
