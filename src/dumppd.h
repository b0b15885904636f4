/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The page descriptors of a kdump-compressed dump, checked before
 * libkdumpfile reads a page through one.  libkdumpfile 0.5.1 takes a
 * compressed page of up to 256 KiB into a buffer of one page
 * (docs/libkdumpfile-bugs.md, K1): a hostile descriptor overflows its
 * heap.  So before each kdump_read() we find the page's descriptor the
 * way libkdumpfile does (its rank in the page bitmap) and refuse one
 * that claims more than a page.  At open, the bitmap is read once to
 * rank it in blocks and to check that every descriptor it promises lies
 * in the file (which also bounds what libkdumpfile allocates for the
 * bitmap's runs by the file size).
 */
#ifndef VG_DUMPPD_H
#define VG_DUMPPD_H

#include <stddef.h>
#include <stdint.h>

#include "notes/vgerr.h"
#include "src/dumphdr.h"

struct vg_dumppd {
	int fd;
	struct vg_dump_span bitmap; /* h->dump_bitmap */
	uint64_t desc_offset;
	uint64_t ndesc_total; /* bits set in the bitmap */
	uint64_t file_size; /* UINT64_MAX: unknown */
	/*
	 * The file ends before the last page's data (a copy cut short in
	 * the data): pages whose data is not whole in it are absent.
	 */
	int cut;
	uint64_t *rank; /* bits set before each block of 4096 bits */
	size_t nblocks;
	/* the last bitmap block and descriptors read */
	uint64_t blk_no;
	int blk_valid;
	uint8_t blk[512];
	uint64_t desc_first; /* index of desc[0] */
	size_t ndesc;
	uint8_t desc[170 * 24];
};

/* Rank the bitmap and check the descriptor table.  0 or <0 with err. */
int vg_dumppd_init(struct vg_dumppd *pd, int fd, const struct vg_dumphdr *h,
		   const char *name, struct vg_error *err);

/*
 * May libkdumpfile read page pfn?  0 yes (also when the dump does not
 * hold the page: libkdumpfile says so), 1 no: the dump is cut short
 * (pd->cut) and the page's descriptor or data is not in the file,
 * -EINVAL when its descriptor claims more than a page, -EIO when it
 * cannot be read.
 */
int vg_dumppd_check(struct vg_dumppd *pd, uint64_t pfn);

void vg_dumppd_free(struct vg_dumppd *pd);

#endif
