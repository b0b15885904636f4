// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Patches over a memory image for the fuzz targets (tests/fuzz/fuzz.h).
 */
#include "tests/fuzz/fuzz.h"

unsigned fz_patch(uint8_t *ram, const struct fz_piece *pieces, size_t npieces,
		  const uint8_t *data, size_t size, struct fz_undo *u)
{
	uint64_t total = 0;
	size_t i = 0;

	u->ram = ram;
	u->n = 0;
	for (size_t k = 0; k < npieces; k++)
		total += pieces[k].len;
	while (total && i + 4 <= size && u->n < FZ_MAX_PATCHES) {
		uint64_t off = (data[i] | (uint64_t)data[i + 1] << 8 |
				(uint64_t)data[i + 2] << 16) %
			       total;
		size_t len = data[i + 3], k = 0;

		i += 4;
		if (len > size - i)
			len = size - i;
		while (off >= pieces[k].len)
			off -= pieces[k++].len;
		if (len > pieces[k].len - off)
			len = pieces[k].len - off;
		u->p[u->n].pa = pieces[k].pa + off;
		u->p[u->n].len = len;
		memcpy(u->p[u->n].old, ram + pieces[k].pa + off, len);
		memcpy(ram + pieces[k].pa + off, data + i, len);
		u->n++;
		i += data[i - 1] < size - i ? data[i - 1] : size - i;
	}
	return u->n;
}

void fz_unpatch(struct fz_undo *u)
{
	while (u->n) {
		u->n--;
		memcpy(u->ram + u->p[u->n].pa, u->p[u->n].old, u->p[u->n].len);
	}
}

size_t fz_record(uint8_t *buf, uint32_t off, const void *bytes, uint8_t len)
{
	buf[0] = (uint8_t)off;
	buf[1] = (uint8_t)(off >> 8);
	buf[2] = (uint8_t)(off >> 16);
	buf[3] = len;
	memcpy(buf + 4, bytes, len);
	return 4 + (size_t)len;
}
