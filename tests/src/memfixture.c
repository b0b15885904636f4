// SPDX-License-Identifier: GPL-2.0-or-later
#include "tests/src/memfixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADDR 0x000ffffffffff000ull

static int marked(const uint64_t *list, unsigned n, uint64_t page)
{
	for (unsigned i = 0; i < n; i++)
		if (list[i] == page)
			return 1;
	return 0;
}

uint64_t memimg_pattern(uint64_t hpa)
{
	return (hpa & ~7ull) * 0x9e3779b97f4a7c15ull + 1;
}

static int img_read(struct vg_hostmem *hm, uint64_t paddr, void *buf,
		    size_t len)
{
	struct memimg *m = hm->priv;
	uint8_t *out = buf;

	m->reads++;
	if (m->mapbuf)
		memset(m->mapbuf, 0xa5, m->maplen);
	if (paddr >= hm->max_paddr || hm->max_paddr - paddr < len)
		return VG_HM_ABSENT;
	for (uint64_t p = paddr & ~4095ull; p < paddr + len; p += 4096) {
		if (marked(m->error, m->nerror, p))
			return VG_HM_ERROR;
		if (marked(m->absent, m->nabsent, p))
			return VG_HM_ABSENT;
	}
	for (size_t i = 0; i < len;) {
		uint64_t a = paddr + i;

		if (a < m->size) {
			size_t n = len - i;

			if (n > m->size - a)
				n = m->size - a;
			memcpy(out + i, m->buf + a, n);
			i += n;
		} else {
			uint64_t w = memimg_pattern(a);

			out[i] = (uint8_t)(w >> (8 * (a & 7)));
			i++;
		}
	}
	return VG_HM_OK;
}

static int img_map(struct vg_hostmem *hm, uint64_t paddr, size_t len,
		   const void **p)
{
	struct memimg *m = hm->priv;

	memset(m->mapbuf, 0xa5, m->maplen);
	if (!len || len > m->maplen || paddr >= m->size ||
	    m->size - paddr < len)
		return -1;
	for (uint64_t q = paddr & ~4095ull; q < paddr + len; q += 4096)
		if (marked(m->error, m->nerror, q) ||
		    marked(m->absent, m->nabsent, q))
			return -1;
	memcpy(m->mapbuf, m->buf + paddr, len);
	m->maps++;
	*p = m->mapbuf;
	return 0;
}

void memimg_offer_map(struct memimg *m)
{
	m->maplen = 1 << 20;
	m->mapbuf = malloc(m->maplen);
	if (!m->mapbuf)
		abort();
	m->hm.map = img_map;
}

void memimg_init(struct memimg *m, uint64_t size, uint64_t max_paddr,
		 uint64_t alloc_from)
{
	memset(m, 0, sizeof(*m));
	m->buf = calloc(1, size);
	if (!m->buf) {
		fprintf(stderr, "memimg: out of memory\n");
		abort();
	}
	m->size = size;
	m->next = alloc_from;
	m->hm.read = img_read;
	m->hm.max_paddr = max_paddr;
	m->hm.priv = m;
}

void memimg_free(struct memimg *m)
{
	free(m->buf);
	m->buf = NULL;
	free(m->mapbuf);
	m->mapbuf = NULL;
}

uint64_t memimg_alloc(struct memimg *m)
{
	uint64_t p = m->next;

	if (p + 4096 > m->size) {
		fprintf(stderr, "memimg: out of table space\n");
		abort();
	}
	m->next += 4096;
	memset(m->buf + p, 0, 4096);
	return p;
}

void memimg_mark_absent(struct memimg *m, uint64_t hpa)
{
	if (m->nabsent < MEMIMG_MAX_MARKS)
		m->absent[m->nabsent++] = hpa & ~4095ull;
}

void memimg_mark_error(struct memimg *m, uint64_t hpa)
{
	if (m->nerror < MEMIMG_MAX_MARKS)
		m->error[m->nerror++] = hpa & ~4095ull;
}

void memimg_put64(struct memimg *m, uint64_t hpa, uint64_t v)
{
	if (hpa + 8 > m->size)
		abort();
	memcpy(m->buf + hpa, &v, 8);
}

uint64_t memimg_get64(struct memimg *m, uint64_t hpa)
{
	uint64_t v;

	if (hpa + 8 > m->size)
		abort();
	memcpy(&v, m->buf + hpa, 8);
	return v;
}

static uint64_t table_flags(enum vg_gpmap_kind kind)
{
	return kind == VG_GPMAP_EPT ? 0x7 : 0x7; /* RWX / P+RW+US */
}

uint64_t slat_entry(struct memimg *m, enum vg_gpmap_kind kind, int levels,
		    uint64_t root, uint64_t gpa, int level)
{
	uint64_t table = root;

	for (int l = levels; l > level; l--) {
		uint64_t ea = table + 8 * ((gpa >> (12 + 9 * (l - 1))) & 511);
		uint64_t e = memimg_get64(m, ea);

		if (!(e & (kind == VG_GPMAP_EPT ? 7 : 1))) {
			e = memimg_alloc(m) | table_flags(kind);
			memimg_put64(m, ea, e);
		}
		table = e & ADDR;
	}
	return table + 8 * ((gpa >> (12 + 9 * (level - 1))) & 511);
}

void slat_map(struct memimg *m, enum vg_gpmap_kind kind, int levels,
	      uint64_t root, uint64_t gpa, uint64_t hpa, uint64_t page_size)
{
	int level = page_size == (1ull << 30) ? 3 :
		    page_size == (2ull << 20) ? 2 :
						1;
	uint64_t e = hpa;

	if (kind == VG_GPMAP_EPT)
		e |= 0x7 | (6 << 3); /* RWX, write-back */
	else
		e |= 0x7;
	if (level > 1)
		e |= 0x80;
	memimg_put64(m, slat_entry(m, kind, levels, root, gpa, level), e);
}

void gpt_map(struct memimg *m, uint64_t offset, uint64_t cr3_hpa, int levels,
	     uint64_t va, uint64_t pa, uint64_t page_size)
{
	int level = page_size == (1ull << 30) ? 3 :
		    page_size == (2ull << 20) ? 2 :
						1;
	uint64_t table = cr3_hpa;

	for (int l = levels; l > level; l--) {
		uint64_t ea = table + 8 * ((va >> (12 + 9 * (l - 1))) & 511);
		uint64_t e = memimg_get64(m, ea);

		if (!(e & 1)) {
			e = (memimg_alloc(m) - offset) | 0x3;
			memimg_put64(m, ea, e);
		}
		table = (e & ADDR) + offset;
	}
	memimg_put64(m, table + 8 * ((va >> (12 + 9 * (level - 1))) & 511),
		     pa | 0x3 | (level > 1 ? 0x80 : 0));
}
