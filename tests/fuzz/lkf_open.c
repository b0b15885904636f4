// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hand a file to libkdumpfile alone, as vmcore-guests did before
 * src/dumphdr.c: kdump_open_fd(), then a page read.  For replaying the
 * reproducers of docs/libkdumpfile-bugs.md against a libkdumpfile build
 * (LD_LIBRARY_PATH) with and without a fix.  Reads the pages at 0x1000
 * and 0x200000 (where test_dumphdr breaks one).  Usage: lkf_open FILE...
 */
#include <fcntl.h>
#include <libkdumpfile/kdumpfile.h>
#include <stdint.h>
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
		for (int j = 0; st == KDUMP_OK && j < 2; j++) {
			uint64_t pa = j ? 0x200000 : 0x1000;

			n = sizeof(page);
			st = kdump_read(ctx, KDUMP_MACHPHYSADDR, pa, page, &n);
			printf("%s: read 0x%llx: %s\n", argv[i],
			       (unsigned long long)pa,
			       st == KDUMP_OK ? "ok" : kdump_get_err(ctx));
			st = KDUMP_OK;
		}
		kdump_free(ctx);
		close(fd);
	}
	return 0;
}
