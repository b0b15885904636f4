// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * keyval: the one KEY=VALUE reader (VMCSINFO, KVMINFO, VMCOREINFO).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "notes/keyval.h"

static void lines(void **state)
{
	static const char t[] = "A=1\n\nBB=x=y\nC=\nD=4";
	struct keyval_iter it;
	struct keyval kv;
	struct vg_error err = { 0 };

	(void)state;
	keyval_init(&it, t, sizeof(t) - 1);
	assert_int_equal(keyval_next(&it, &kv, &err), 1);
	assert_true(keyval_is(&kv, "A"));
	assert_int_equal(kv.vlen, 1);
	assert_int_equal(kv.lineno, 1);
	assert_int_equal(keyval_next(&it, &kv, &err), 1);
	assert_true(keyval_is(&kv, "BB"));
	assert_false(keyval_is(&kv, "B"));
	assert_int_equal(kv.vlen, 3); /* the value keeps its '=' */
	assert_int_equal(kv.lineno, 3);
	assert_int_equal(keyval_next(&it, &kv, &err), 1);
	assert_int_equal(kv.vlen, 0);
	assert_int_equal(keyval_next(&it, &kv, &err), 1);
	assert_memory_equal(kv.val, "4", 1); /* no final newline */
	assert_int_equal(keyval_next(&it, &kv, &err), 0);
}

static void bad_line_and_nul(void **state)
{
	static const char t[] = "A=1\nnot a pair\nB=2";
	static const char n[] = "A=1\0B=2\n";
	struct keyval_iter it;
	struct keyval kv;
	struct vg_error err = { 0 };
	char buf[8];

	(void)state;
	keyval_init(&it, t, sizeof(t) - 1);
	assert_int_equal(keyval_next(&it, &kv, &err), 1);
	assert_int_equal(keyval_next(&it, &kv, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_non_null(strstr(err.msg, "not a pair"));
	/* keyval_get skips such lines */
	assert_int_equal(keyval_get(t, sizeof(t) - 1, "B", buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, "2");
	/* a NUL ends the text */
	assert_int_equal(keyval_get(n, sizeof(n) - 1, "B", buf, sizeof(buf)),
			 -ENOENT);
	assert_int_equal(keyval_check_text(n, sizeof(n) - 1, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "after the terminating NUL"));
	assert_int_equal(keyval_check_text("A=1\n\0\0", 6, &err), 0);
	assert_int_equal(keyval_check_text("A=\x01\n", 4, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not printable"));
}

static void get_cuts_to_buffer(void **state)
{
	static const char t[] = "OSRELEASE=6.1.0-13-amd64\n";
	char buf[4];

	(void)state;
	assert_int_equal(
		keyval_get(t, sizeof(t) - 1, "OSRELEASE", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "6.1");
	assert_int_equal(keyval_get(t, sizeof(t) - 1, "OSRELEAS", buf,
				    sizeof(buf)),
			 -ENOENT);
}

static void numbers(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(keyval_u64("ffffffff81000000", 16, 16, &v), 0);
	assert_true(v == 0xffffffff81000000ull);
	assert_int_equal(keyval_u64("123", 3, 10, &v), 0);
	assert_true(v == 123);
	assert_int_equal(keyval_u64("12a", 3, 10, &v), -EINVAL);
	assert_int_equal(keyval_u64("-1", 2, 10, &v), -EINVAL);
	assert_int_equal(keyval_u64(" 1", 2, 10, &v), -EINVAL);
	assert_int_equal(keyval_u64("", 0, 10, &v), -EINVAL);
	assert_int_equal(keyval_u64("18446744073709551615", 20, 10, &v), 0);
	assert_int_equal(keyval_u64("18446744073709551616", 20, 10, &v),
			 -EINVAL);
	assert_int_equal(keyval_u64("10000000000000000", 17, 16, &v), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines),
		cmocka_unit_test(bad_line_and_nul),
		cmocka_unit_test(get_cuts_to_buffer),
		cmocka_unit_test(numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
