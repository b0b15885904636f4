// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Page descriptors of a kdump-compressed dump (src/dumppd.h), found as
 * libkdumpfile 0.5.1 finds them (diskdump.c read_bitmap(),
 * pfn_regions_from_bitmap(): LSB-first bitmap, one 24-byte struct
 * page_desc per set bit, in bit order).
 */
#include "src/dumppd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE_SZ 4096u
#define BLOCK_BITS 4096u /* bits per rank block: 512 bitmap bytes */
#define DESC_SZ 24u
/* makedumpfile's DUMP_DH_COMPRESSED_{ZLIB,LZO,SNAPPY,ZSTD} */
#define PD_COMPRESSED (0x1u | 0x2u | 0x4u | 0x20u)

static int load_desc(struct vg_dumppd *pd, uint64_t idx, const uint8_t **d);

/* Is the page data of descriptor d written and inside the file? */
static int desc_in_file(const struct vg_dumppd *pd, const uint8_t *d)
{
	uint64_t off;
	uint32_t size;

	memcpy(&off, d, 8);
	memcpy(&size, d + 8, 4);
	if (!off && !size)
		return 0; /* never written */
	return pd->file_size == UINT64_MAX ||
	       (off <= pd->file_size && size <= pd->file_size - off);
}

int vg_dumppd_init(struct vg_dumppd *pd, int fd, const struct vg_dumphdr *h,
		   const char *name, struct vg_error *err)
{
	uint64_t set = 0, done = 0, size = h->dump_bitmap.size;
	const size_t csz = 64 << 10;
	uint8_t *chunk;

	memset(pd, 0, sizeof(*pd));
	pd->fd = fd;
	pd->bitmap = h->dump_bitmap;
	pd->desc_offset = h->desc_offset;
	pd->nblocks = (size_t)((size * 8 + BLOCK_BITS - 1) / BLOCK_BITS);
	pd->rank = calloc(pd->nblocks ? pd->nblocks : 1, sizeof(*pd->rank));
	chunk = malloc(csz);
	if (!pd->rank || !chunk) {
		free(chunk);
		return vg_error_set(err, -ENOMEM, "out of memory");
	}
	while (done < size) {
		size_t n = size - done < csz ? (size_t)(size - done) : csz;

		if (vg_pread_full(fd, chunk, n, pd->bitmap.offset + done)) {
			free(chunk);
			return vg_error_set(err, -EIO,
					    "%s: cannot read the page bitmap",
					    name);
		}
		for (size_t i = 0; i < n; i++) {
			uint64_t byte = done + i;

			if (byte % (BLOCK_BITS / 8) == 0)
				pd->rank[byte / (BLOCK_BITS / 8)] = set;
			set += (uint64_t)__builtin_popcount(chunk[i]);
		}
		done += n;
	}
	free(chunk);
	pd->ndesc_total = set;
	pd->file_size = h->file_size;
	if (h->file_size == UINT64_MAX || !set)
		return 0;
	/*
	 * Every descriptor the bitmap promises must be in the file: that
	 * also bounds what libkdumpfile allocates for the bitmap's runs by
	 * the file size (a small hostile file cannot promise millions).
	 */
	if (set > (h->file_size - pd->desc_offset) / DESC_SZ)
		return vg_error_set(
			err, -EINVAL,
			"truncated dump: %s: the page bitmap promises %llu page descriptors at file offset %llu, past the end of the %llu-byte file",
			name, (unsigned long long)set,
			(unsigned long long)pd->desc_offset,
			(unsigned long long)h->file_size);
	/*
	 * A copy cut short (full disk, reset) in the page data, where it
	 * nearly always ends (the descriptors take 24 bytes a page, the
	 * data up to 4096): makedumpfile writes descriptors and data in
	 * runs, so the last descriptors may be unwritten (zero) too.
	 * Pages not found whole in the file are absent (vg_dumppd_check()).
	 */
	{
		const uint8_t *d;

		if (load_desc(pd, set - 1, &d))
			return vg_error_set(
				err, -EIO,
				"%s: cannot read its page descriptors", name);
		pd->cut = !desc_in_file(pd, d);
	}
	return 0;
}

/* The bitmap block of pfn, cached; 0 or -EIO. */
static int load_block(struct vg_dumppd *pd, uint64_t blk)
{
	uint64_t off = blk * (BLOCK_BITS / 8);
	uint64_t n = pd->bitmap.size - off;

	if (pd->blk_valid && pd->blk_no == blk)
		return 0;
	memset(pd->blk, 0, sizeof(pd->blk));
	if (n > sizeof(pd->blk))
		n = sizeof(pd->blk);
	pd->blk_valid = 0;
	if (vg_pread_full(pd->fd, pd->blk, (size_t)n, pd->bitmap.offset + off))
		return -EIO;
	pd->blk_no = blk;
	pd->blk_valid = 1;
	return 0;
}

/* Descriptor number idx (cached in runs of 170); 0 or -EIO. */
static int load_desc(struct vg_dumppd *pd, uint64_t idx, const uint8_t **d)
{
	if (!pd->ndesc || idx < pd->desc_first ||
	    idx >= pd->desc_first + pd->ndesc) {
		uint64_t n = sizeof(pd->desc) / DESC_SZ;

		if (idx >= pd->ndesc_total)
			return -EIO;
		if (n > pd->ndesc_total - idx)
			n = pd->ndesc_total - idx;
		pd->ndesc = 0;
		if (vg_pread_full(pd->fd, pd->desc, (size_t)n * DESC_SZ,
				  pd->desc_offset + idx * DESC_SZ))
			return -EIO;
		pd->desc_first = idx;
		pd->ndesc = (size_t)n;
	}
	*d = pd->desc + (idx - pd->desc_first) * DESC_SZ;
	return 0;
}

int vg_dumppd_check(struct vg_dumppd *pd, uint64_t pfn)
{
	uint64_t blk = pfn / BLOCK_BITS, idx;
	unsigned int bit = (unsigned int)(pfn % BLOCK_BITS);
	const uint8_t *d;
	uint32_t size, flags;

	if (blk >= pd->nblocks)
		return 0; /* past the bitmap: libkdumpfile has no page */
	if (load_block(pd, blk))
		return -EIO;
	if (!(pd->blk[bit / 8] & (1u << (bit % 8))))
		return 0; /* not in the dump */
	idx = pd->rank[blk];
	for (unsigned int i = 0; i < bit / 8; i++)
		idx += (uint64_t)__builtin_popcount(pd->blk[i]);
	idx += (uint64_t)__builtin_popcount(pd->blk[bit / 8] &
					    ((1u << (bit % 8)) - 1));
	if (load_desc(pd, idx, &d))
		return -EIO;
	memcpy(&size, d + 8, 4);
	memcpy(&flags, d + 12, 4);
	if (pd->cut && !desc_in_file(pd, d))
		return 1;
	if ((flags & PD_COMPRESSED) && size > PAGE_SZ)
		return -EINVAL;
	return 0;
}

void vg_dumppd_free(struct vg_dumppd *pd)
{
	free(pd->rank);
	pd->rank = NULL;
}
