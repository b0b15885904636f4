// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * elfnote: the one walker over note sequences, on notes loadnote_build()
 * writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/kexec/kexec_fixtures.h"
#include "notes/elfnote.h"
#include "notes/loadnotes.h"

struct notes {
	unsigned char b[8192];
	size_t len;
};

static void add(struct notes *n, const char *name, uint32_t type,
		const void *desc, size_t len)
{
	size_t w = loadnote_build(n->b + n->len, sizeof(n->b) - n->len, name,
				  type, desc, len);

	assert_true(w > 0);
	n->len += w;
}

static void oversized_note(void **state)
{
	size_t blen = 12 + 12 + ELFNOTE_MAX_DESC + 4;
	unsigned char *buf = calloc(1, blen);
	uint32_t h[3] = { 9, ELFNOTE_MAX_DESC + 4, 0 };
	struct vg_error err = { 0 };
	const void *d;
	size_t len;

	(void)state;
	memcpy(buf, h, sizeof(h));
	memcpy(buf + 12, "VMCSINFO", 9);
	assert_int_equal(elfnote_find(buf, blen, "VMCSINFO", 0, &d, &len, &err),
			 -EFBIG);
	assert_int_equal(err.code, -EFBIG);
	assert_non_null(strstr(err.msg, "more than"));
	free(buf);
}

static void walk_rules(void **state)
{
	struct notes a = { .len = 0 };
	struct vg_error err = { 0 };
	const void *d;
	size_t len;

	(void)state;
	add(&a, "A", 0, "abc", 3);
	/* the last note may lack its descriptor padding */
	assert_int_equal(elfnote_find(a.b, a.len - 1, "A", 0, &d, &len, &err),
			 0);
	assert_int_equal(len, 3);
	assert_memory_equal(d, "abc", 3);
	/* but not part of its descriptor */
	assert_true(elfnote_find(a.b, a.len - 2, "A", 0, &d, &len, &err) < 0);
	assert_non_null(strstr(err.msg, "runs past the end"));
	/* a zero n_namesz ends the notes: what follows is not seen */
	memset(a.b + a.len, 0, 40);
	a.len += 40;
	add(&a, "B", 0, "x", 1);
	assert_int_equal(elfnote_find(a.b, a.len, "B", 0, &d, &len, &err), 1);
	assert_int_equal(elfnote_find(a.b, a.len, "A", 0, &d, &len, &err), 0);
}

static void name_type_and_garbage(void **state)
{
	struct notes a = { .len = 0 };
	struct vg_error err = { 0 };
	const void *d;
	size_t len;

	(void)state;
	add(&a, "CORE", 1, "one", 3);
	add(&a, "CORE", 2, "two", 3);
	add(&a, "COREX", 2, "three", 5);
	assert_int_equal(elfnote_find(a.b, a.len, "CORE", 2, &d, &len, &err),
			 0);
	assert_memory_equal(d, "two", 3);
	assert_int_equal(elfnote_find(a.b, a.len, "COR", 2, &d, &len, &err), 1);
	assert_int_equal(elfnote_used(a.b, a.len, &err), (long)a.len);
	/* fewer than 12 bytes after the last note must be zero */
	a.b[a.len] = 7;
	assert_true(elfnote_used(a.b, a.len + 4, &err) < 0);
	assert_non_null(strstr(err.msg, "garbage"));
	a.b[a.len] = 0;
	/* trailing zero bytes end the sequence */
	assert_int_equal(elfnote_used(a.b, a.len + 8, &err), (long)a.len);
}

static void notes_file(void **state)
{
	struct notes a = { .len = 0 };
	struct vg_error err = { 0 };
	char *dir = fx_tmpdir(), path[PATH_MAX];
	void *buf;
	size_t len;

	(void)state;
	add(&a, "VMCSINFO", 0, "x", 1);
	fx_write(dir, "n", a.b, a.len);
	snprintf(path, sizeof(path), "%s/n", dir);
	assert_int_equal(elfnote_read_file(path, &buf, &len, &err), 0);
	assert_int_equal(len, a.len);
	assert_memory_equal(buf, a.b, a.len);
	free(buf);
	assert_true(elfnote_read_file(dir, &buf, &len, &err) < 0);
	assert_non_null(strstr(err.msg, "not a regular file"));
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(elfnote_read_file(path, &buf, &len, &err), -ENOENT);
	/* a carrier is small: a larger file is refused before it is read */
	{
		char *big = calloc(1, LOADNOTES_MAX_SIZE + 4);

		fx_write(dir, "big", big, LOADNOTES_MAX_SIZE + 4);
		free(big);
		snprintf(path, sizeof(path), "%s/big", dir);
		assert_int_equal(elfnote_read_file(path, &buf, &len, &err),
				 -EFBIG);
		assert_non_null(strstr(err.msg, "more than"));
	}
	fx_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(oversized_note),
		cmocka_unit_test(walk_rules),
		cmocka_unit_test(name_type_and_garbage),
		cmocka_unit_test(notes_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
