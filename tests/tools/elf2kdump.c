// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * elf2kdump: write an ELF guest vmcore (one vmcore-guests or QEMU wrote)
 * again through the kdump-compressed guest writer, with its PT_LOADs as
 * the guest's physical memory.  Used by tests/kdump-compare.sh to hold
 * the pages kept at a dump level against makedumpfile's on the same
 * guest.  The output has the VMCOREINFO note but no register notes.
 *
 *   elf2kdump [-d LEVEL] [-c zlib|lzo|snappy|zstd] IN.vmcore OUT
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notes/vgerr.h"
#include "src/hostdump.h"
#include "src/kdumpcore.h"
#include "src/pageclass.h"

struct ident {
	struct vg_hostdump *hd;
};

static int ident_walk(struct vg_gmem *g, vg_range_cb cb, void *ctx)
{
	struct ident *id = g->priv;
	uint64_t from = 0, start, end;
	int r;

	while ((r = vg_hostdump_next_range(id->hd, from, &start, &end)) == 1) {
		int c = cb(ctx, start, start, end - start);

		if (c)
			return c;
		g->stats.pages_present += (end - start) / VG_GPAGE_SIZE;
		from = end;
	}
	return r < 0 ? -1 : 0;
}

static int ident_translate(struct vg_gmem *g, uint64_t gpa, uint64_t *hpa,
			   uint64_t *page_size)
{
	(void)g;
	*hpa = gpa;
	if (page_size)
		*page_size = VG_GPAGE_SIZE;
	return 0;
}

static void say(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "elf2kdump: %s\n", msg);
}

int main(int argc, char **argv)
{
	struct vg_guestcore_opts o = { .compress = VG_GC_ZLIB,
				       .dump_level = VG_DL_MAX,
				       .log = say };
	struct vg_guestcore_result res;
	struct vg_error err = { 0 };
	struct ident id;
	struct vg_gmem g;
	int c, fd, r;

	while ((c = getopt(argc, argv, "d:c:")) != -1) {
		if (c == 'd')
			o.dump_level = atoi(optarg);
		else if (c == 'c' && vg_gc_compress_parse(optarg) > VG_GC_ELF)
			o.compress = vg_gc_compress_parse(optarg);
		else
			goto usage;
	}
	if (argc - optind != 2)
		goto usage;
	id.hd = vg_hostdump_open(argv[optind], &err);
	if (!id.hd) {
		fprintf(stderr, "elf2kdump: %s\n", err.msg);
		return 2;
	}
	memset(&g, 0, sizeof(g));
	g.walk = ident_walk;
	g.translate = ident_translate;
	g.hm = vg_hostdump_mem(id.hd);
	g.priv = &id;
	fd = open(argv[optind + 1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror(argv[optind + 1]);
		return 2;
	}
	r = vg_guestcore_write(fd, &g, NULL, 0, &o, &res);
	close(fd);
	vg_hostdump_close(id.hd);
	printf("dump_level %d classified %d dumped %llu zero %llu "
	       "cache %llu private %llu user %llu free %llu size %llu%s%s\n",
	       res.dump_level, res.classified,
	       (unsigned long long)res.pages_dumpable,
	       (unsigned long long)res.pages_zero,
	       (unsigned long long)res.excl_cache,
	       (unsigned long long)res.excl_cache_private,
	       (unsigned long long)res.excl_user,
	       (unsigned long long)res.excl_free,
	       (unsigned long long)res.file_size,
	       res.filter_note[0] ? " note: " : "", res.filter_note);
	if (res.error[0])
		fprintf(stderr, "elf2kdump: %s\n", res.error);
	return r == 0 ? 0 : 1;
usage:
	fprintf(stderr, "usage: elf2kdump [-d LEVEL] [-c zlib|lzo|snappy|zstd] "
			"IN.vmcore OUT\n");
	return 2;
}
