// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hand a file to libkdumpfile alone, as vmcore-guests did before
 * src/dumphdr.c: kdump_open_fd(), then a page read.  For replaying the
 * reproducers of docs/libkdumpfile-bugs.md against a libkdumpfile build
 * (LD_LIBRARY_PATH) with and without a fix.  Usage: lkf_open FILE...
 */
#include <fcntl.h>
#include <libkdumpfile/kdumpfile.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		kdump_ctx_t *ctx = kdump_new();
		int fd = open(argv[i], O_RDONLY);
		unsigned char page[4096];
		size_t n = sizeof(page);
		kdump_status st;

		if (!ctx || fd < 0) {
			perror(argv[i]);
			return 2;
		}
		kdump_set_number_attr(ctx, KDUMP_ATTR_FILE_MMAP_POLICY,
				      KDUMP_MMAP_NEVER);
		st = kdump_open_fd(ctx, fd);
		printf("%s: open: %s\n", argv[i],
		       st == KDUMP_OK ? "ok" : kdump_get_err(ctx));
		if (st == KDUMP_OK) {
			st = kdump_read(ctx, KDUMP_MACHPHYSADDR, 0x1000, page,
					&n);
			printf("%s: read: %s\n", argv[i],
			       st == KDUMP_OK ? "ok" : kdump_get_err(ctx));
		}
		kdump_free(ctx);
		close(fd);
	}
	return 0;
}
