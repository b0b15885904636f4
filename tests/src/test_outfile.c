// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/outfile.h"

static void sanitize_keeps_plain_names(void **state)
{
	char out[VG_NAME_MAX + 1];

	(void)state;
	assert_int_equal(vg_sanitize_name("web-01.example", out, sizeof(out)),
			 0);
	assert_string_equal(out, "web-01.example");
}

static void sanitize_cannot_escape(void **state)
{
	char out[VG_NAME_MAX + 1];

	(void)state;
	assert_int_equal(vg_sanitize_name("../../etc/passwd", out, sizeof(out)),
			 0);
	assert_null(strchr(out, '/'));
	assert_true(out[0] != '.');
	assert_string_equal(out, "etc_passwd");
	assert_int_equal(vg_sanitize_name("-rf guest", out, sizeof(out)), 0);
	assert_string_equal(out, "rf_guest");
	assert_int_equal(vg_sanitize_name("a\nb\x1b[31mc", out, sizeof(out)),
			 0);
	assert_string_equal(out, "a_b_31mc");
}

static void sanitize_rejects_empty(void **state)
{
	char out[VG_NAME_MAX + 1];

	(void)state;
	assert_int_equal(vg_sanitize_name("", out, sizeof(out)), -1);
	assert_int_equal(vg_sanitize_name("..", out, sizeof(out)), -1);
	assert_int_equal(vg_sanitize_name("/// ", out, sizeof(out)), -1);
	assert_int_equal(vg_sanitize_name("\xff\xfe", out, sizeof(out)), -1);
}

static void sanitize_truncates(void **state)
{
	char in[300], out[VG_NAME_MAX + 1], small[5];

	(void)state;
	memset(in, 'x', sizeof(in) - 1);
	in[sizeof(in) - 1] = '\0';
	assert_int_equal(vg_sanitize_name(in, out, sizeof(out)), 0);
	assert_int_equal(strlen(out), VG_NAME_MAX);
	assert_int_equal(vg_sanitize_name("abcdefgh", small, sizeof(small)), 0);
	assert_string_equal(small, "abcd");
}

static int make_tmpdir(char *path, size_t sz)
{
	snprintf(path, sz, "%s/vg-test-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(path) ? 0 : -1;
}

static void create_is_private_and_unique(void **state)
{
	char dir[256], name[128], path[512];
	struct stat st;
	int dfd, fd1, fd2;

	(void)state;
	assert_int_equal(make_tmpdir(dir, sizeof(dir)), 0);
	dfd = open(dir, O_DIRECTORY | O_RDONLY);
	assert_true(dfd >= 0);
	umask(0);
	fd1 = vg_create_unique(dfd, "guest", ".vmcore", name, sizeof(name));
	assert_true(fd1 >= 0);
	assert_string_equal(name, "guest.vmcore");
	assert_int_equal(fstat(fd1, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	fd2 = vg_create_unique(dfd, "guest", ".vmcore", name, sizeof(name));
	assert_true(fd2 >= 0);
	assert_string_equal(name, "guest-2.vmcore");
	umask(022);
	close(fd1);
	close(fd2);
	snprintf(path, sizeof(path), "%s/guest.vmcore", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/guest-2.vmcore", dir);
	unlink(path);
	close(dfd);
	rmdir(dir);
}

static void create_refuses_symlink(void **state)
{
	char dir[256], name[128], path[512];
	int dfd;

	(void)state;
	assert_int_equal(make_tmpdir(dir, sizeof(dir)), 0);
	dfd = open(dir, O_DIRECTORY | O_RDONLY);
	snprintf(path, sizeof(path), "%s/evil.vmcore", dir);
	assert_int_equal(symlink("/etc/passwd", path), 0);
	/* The existing link is skipped, never followed or replaced. */
	int fd = vg_create_unique(dfd, "evil", ".vmcore", name, sizeof(name));
	assert_true(fd >= 0);
	assert_string_equal(name, "evil-2.vmcore");
	close(fd);
	unlinkat(dfd, "evil-2.vmcore", 0);
	unlink(path);
	/* A stem with a slash never reaches openat. */
	assert_int_equal(vg_create_unique(dfd, "a/b", ".vmcore", name,
					  sizeof(name)),
			 -1);
	close(dfd);
	rmdir(dir);
}

static void pwrite_all_reports_full_disk(void **state)
{
	char buf[4096] = { 0 };
	int fd;

	(void)state;
	fd = open("/dev/full", O_WRONLY);
	if (fd < 0)
		skip();
	assert_int_equal(vg_pwrite_all(fd, buf, sizeof(buf), 0), -1);
	assert_int_equal(errno, ENOSPC);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sanitize_keeps_plain_names),
		cmocka_unit_test(sanitize_cannot_escape),
		cmocka_unit_test(sanitize_rejects_empty),
		cmocka_unit_test(sanitize_truncates),
		cmocka_unit_test(create_is_private_and_unique),
		cmocka_unit_test(create_refuses_symlink),
		cmocka_unit_test(pwrite_all_reports_full_disk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
