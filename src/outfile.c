// SPDX-License-Identifier: GPL-2.0-or-later
#include "src/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int name_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
	       c == '+';
}

int vg_sanitize_name(const char *in, char *out, size_t outsz)
{
	size_t n = 0, max = outsz ? outsz - 1 : 0;
	int seen_real = 0;

	if (!in || !out || outsz < 2)
		return -1;
	if (max > VG_NAME_MAX)
		max = VG_NAME_MAX;
	for (; *in && n < max; in++) {
		unsigned char c = (unsigned char)*in;

		/* No hidden files, nothing that looks like an option. */
		if (n == 0 && (c == '.' || c == '-'))
			continue;
		if (name_char_ok(c)) {
			out[n++] = (char)c;
			if (c != '.' && c != '_')
				seen_real = 1;
		} else if (n > 0 && out[n - 1] != '_') {
			out[n++] = '_';
		}
	}
	while (n > 0 && out[n - 1] == '_')
		n--;
	out[n] = '\0';
	return seen_real ? 0 : -1;
}

int vg_create_unique(int dirfd, const char *stem, const char *suffix,
		     char *chosen, size_t chosen_sz)
{
	for (int i = 1; i < 1000; i++) {
		int len, fd;

		if (i == 1)
			len = snprintf(chosen, chosen_sz, "%s%s", stem, suffix);
		else
			len = snprintf(chosen, chosen_sz, "%s-%d%s", stem, i,
				       suffix);
		if (len < 0 || (size_t)len >= chosen_sz ||
		    strchr(chosen, '/')) {
			errno = ENAMETOOLONG;
			return -1;
		}
		fd = openat(dirfd, chosen,
			    O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    0600);
		if (fd >= 0) {
			/* umask may have narrowed it; never widened. */
			if (fchmod(fd, 0600) < 0) {
				int e = errno;

				close(fd);
				unlinkat(dirfd, chosen, 0);
				errno = e;
				return -1;
			}
			return fd;
		}
		if (errno != EEXIST)
			return -1;
	}
	errno = EEXIST;
	return -1;
}

int vg_writeback_window(uint64_t off, uint64_t len, uint64_t *start,
			uint64_t *n)
{
	uint64_t b0 = off / VG_WRITEBACK_WINDOW;
	uint64_t b1 = (len > UINT64_MAX - off ? UINT64_MAX : off + len) /
		      VG_WRITEBACK_WINDOW;

	if (b1 == b0)
		return 0;
	*start = b0 * VG_WRITEBACK_WINDOW;
	*n = (b1 - b0) * VG_WRITEBACK_WINDOW;
	return 1;
}

int vg_pwrite_all(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;
	uint64_t wb_start, wb_len;
	int kick = off >= 0 &&
		   vg_writeback_window((uint64_t)off, len, &wb_start, &wb_len);

	while (len) {
		ssize_t w = pwrite(fd, p, len, off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = ENOSPC;
			return -1;
		}
		p += w;
		len -= (size_t)w;
		off += w;
	}
	/*
	 * Advisory: an error (a pipe, a file system without it) changes
	 * nothing; the data is written either way.
	 */
	if (kick)
		(void)sync_file_range(fd, (off_t)wb_start, (off_t)wb_len,
				      SYNC_FILE_RANGE_WRITE);
	return 0;
}
