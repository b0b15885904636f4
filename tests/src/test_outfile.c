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

static void writeback_windows(void **state)
{
	const uint64_t W = VG_WRITEBACK_WINDOW;
	uint64_t start = 7, n = 7;

	(void)state;
	/* Inside one window, or ending right before a boundary: nothing. */
	assert_int_equal(vg_writeback_window(0, W - 1, &start, &n), 0);
	assert_int_equal(vg_writeback_window(W + 5, W - 5 - 1, &start, &n), 0);
	assert_int_equal(start, 7);
	/* Ending on the boundary completes the window. */
	assert_int_equal(vg_writeback_window(W - 4096, 4096, &start, &n), 1);
	assert_int_equal(start, 0);
	assert_int_equal(n, W);
	/* Crossing two boundaries: the window it began in and the next. */
	assert_int_equal(vg_writeback_window(W + 1, 2 * W, &start, &n), 1);
	assert_int_equal(start, W);
	assert_int_equal(n, 2 * W);
	/* No overflow at the end of the offset space. */
	assert_int_equal(vg_writeback_window(UINT64_MAX - 10, 100, &start, &n),
			 0);
	assert_int_equal(vg_writeback_window(0, 0, &start, &n), 0);
}

/* Writes that start writeback write what they were given, nothing else. */
static void pwrite_all_with_writeback(void **state)
{
	char path[] = "/tmp/vg-test-wb-XXXXXX";
	const size_t chunk = 3 << 20, total = 7 * chunk; /* 21 MiB, 2 kicks */
	uint8_t *buf = malloc(chunk), *back = malloc(chunk);
	int fd;

	(void)state;
	assert_non_null(buf);
	assert_non_null(back);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	for (size_t off = 0; off < total; off += chunk) {
		memset(buf, (int)(off / chunk) + 1, chunk);
		assert_int_equal(vg_pwrite_all(fd, buf, chunk, (off_t)off), 0);
	}
	for (size_t off = 0; off < total; off += chunk) {
		memset(buf, (int)(off / chunk) + 1, chunk);
		assert_int_equal(pread(fd, back, chunk, (off_t)off),
				 (ssize_t)chunk);
		assert_memory_equal(back, buf, chunk);
	}
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, (off_t)total);
	close(fd);
	unlink(path);
	free(buf);
	free(back);
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
		cmocka_unit_test(writeback_windows),
		cmocka_unit_test(pwrite_all_with_writeback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
