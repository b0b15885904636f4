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

#include "src/budget.h"

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
	};

	return cmocka_run_group_tests_name("budget", tests, NULL, NULL);
}
