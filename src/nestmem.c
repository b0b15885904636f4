// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * L2 memory through L1's own EPT/NPT (src/nestmem.h).
 */
#include "src/nestmem.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG VG_GPAGE_SIZE

struct nm {
	struct vg_gmem l1; /* L1-physical -> host physical */
	struct vg_hostmem l1hm; /* L1's memory, as the inner walker's "host" */
	struct vg_gmem inner; /* L2-physical -> L1-physical */
};

/* The inner walker reads L1's tables through L1's memory source. */
static int l1_read(struct vg_hostmem *hm, uint64_t paddr, void *buf, size_t len)
{
	struct nm *n = hm->priv;

	return vg_gmem_read(&n->l1, paddr, buf, len);
}

static void nm_error(struct vg_gmem *g, const char *fmt, uint64_t a, uint64_t b)
{
	g->stats.nerrors++;
	if (!g->stats.first_error[0])
		snprintf(g->stats.first_error, sizeof(g->stats.first_error),
			 fmt, a, b);
}

struct compose {
	struct vg_gmem *g;
	struct nm *n;
	vg_range_cb cb;
	void *ctx;
	uint64_t gpa, hpa, len; /* the pending output run */
};

static int flush(struct compose *c)
{
	int r = 0;

	if (c->len)
		r = c->cb(c->ctx, c->gpa, c->hpa, c->len);
	c->len = 0;
	return r;
}

/*
 * One run of the inner walk, [l2, l2 + len) -> [l1, l1 + len): each L1
 * page through L1's memory, coalesced again in host terms.
 */
static int compose_cb(void *ctx, uint64_t l2, uint64_t l1, uint64_t len)
{
	struct compose *c = ctx;
	struct vg_gmem *g = c->g;

	for (uint64_t off = 0; off < len;) {
		uint64_t hpa, ps = PG, step;
		int r = c->n->l1.translate(&c->n->l1, l1 + off, &hpa, &ps);

		step = ps - ((l1 + off) & (ps - 1));
		if (step > len - off || ps < PG || (ps & (ps - 1)))
			step = PG;
		if (r > 0) {
			/* a hole of L1 (never touched, swapped): L2's too */
			g->stats.not_present += step / PG;
		} else if (r < 0) {
			g->stats.table_errors++;
			nm_error(g,
				 "L2 gpa 0x%" PRIx64 ": L1 gpa 0x%" PRIx64
				 " could not be translated",
				 l2 + off, l1 + off);
		} else if (c->len && c->gpa + c->len == l2 + off &&
			   c->hpa + c->len == hpa) {
			c->len += step;
			g->stats.pages_present += step / PG;
		} else {
			int f = flush(c);

			if (f)
				return f;
			c->gpa = l2 + off;
			c->hpa = hpa;
			c->len = step;
			g->stats.pages_present += step / PG;
		}
		off += step;
	}
	return 0;
}

/* The inner walk's counts, its first problem named as L1's. */
static void add_inner_stats(struct vg_gmem *g, const struct vg_gmem_stats *s)
{
	struct vg_gmem_stats *o = &g->stats;

	o->tables_visited += s->tables_visited;
	o->not_present += s->not_present;
	o->bad_entries += s->bad_entries;
	o->mmio_entries += s->mmio_entries;
	o->out_of_range += s->out_of_range;
	o->loops += s->loops;
	o->table_absent += s->table_absent;
	o->table_errors += s->table_errors;
	o->truncated |= s->truncated;
	o->nerrors += s->nerrors;
	if (s->first_error[0] && !o->first_error[0])
		snprintf(o->first_error, sizeof(o->first_error),
			 "L1's tables (in L1 memory): %.120s", s->first_error);
}

static int nm_walk(struct vg_gmem *g, vg_range_cb cb, void *ctx)
{
	struct nm *n = g->priv;
	struct compose c = { .g = g, .n = n, .cb = cb, .ctx = ctx };
	int r;

	memset(&g->stats, 0, sizeof(g->stats));
	r = n->inner.walk(&n->inner, compose_cb, &c);
	add_inner_stats(g, &n->inner.stats);
	if (r)
		return r;
	return flush(&c);
}

static int nm_translate(struct vg_gmem *g, uint64_t gpa, uint64_t *hpa,
			uint64_t *page_size)
{
	struct nm *n = g->priv;
	uint64_t l1, ps1 = PG, ps2 = PG;
	int r = n->inner.translate(&n->inner, gpa, &l1, &ps1);

	if (r)
		return r;
	r = n->l1.translate(&n->l1, l1, hpa, &ps2);
	if (r)
		return r;
	if (page_size)
		*page_size = ps1 < ps2 ? ps1 : ps2;
	return 0;
}

static void nm_release(struct vg_gmem *g)
{
	struct nm *n = g->priv;

	if (n) {
		vg_gmem_release(&n->inner);
		vg_gmem_release(&n->l1);
		free(n);
	}
	g->priv = NULL;
}

int vg_nestmem_init(struct vg_gmem *g, struct vg_hostmem *hm,
		    struct vg_gmem *l1, uint64_t l1_top,
		    enum vg_gpmap_kind kind, uint64_t root, int levels)
{
	struct nm *n = calloc(1, sizeof(*n));
	uint64_t base;

	memset(g, 0, sizeof(*g));
	g->hm = hm;
	if (!n) {
		vg_gmem_release(l1);
		snprintf(g->stats.first_error, sizeof(g->stats.first_error),
			 "out of memory");
		return -1;
	}
	n->l1 = *l1;
	memset(l1, 0, sizeof(*l1));
	n->l1hm.read = l1_read;
	n->l1hm.max_paddr = l1_top;
	n->l1hm.priv = n;
	if ((root & 0x000ffffffffff000ull) >= l1_top) {
		snprintf(g->stats.first_error, sizeof(g->stats.first_error),
			 "L1's %s root 0x%" PRIx64
			 " is beyond L1's memory (0x%" PRIx64 ")",
			 kind == VG_GPMAP_EPT ? "EPT" : "NPT", root, l1_top);
		g->priv = n;
		nm_release(g);
		return -1;
	}
	if (vg_gpmap_init(&n->inner, &n->l1hm, kind, root, levels) < 0) {
		snprintf(g->stats.first_error, sizeof(g->stats.first_error),
			 "L1's tables: %.140s", n->inner.stats.first_error);
		g->priv = n;
		nm_release(g);
		return -1;
	}
	/*
	 * L2 cannot hold more than L1, nor L1 more than the host: 8 times
	 * the smaller + 1 GiB, as for the host's own tables, whatever
	 * address L1's highest memslot has.
	 */
	base = l1_top < hm->max_paddr ? l1_top : hm->max_paddr;
	vg_gpmap_set_limits(&n->inner, 0, base * 8 + (1ull << 30));
	g->priv = n;
	g->walk = nm_walk;
	g->translate = nm_translate;
	g->release = nm_release;
	return 0;
}

void vg_nestmem_set_limits(struct vg_gmem *g, uint64_t max_tables,
			   uint64_t max_mapped_bytes)
{
	struct nm *n = g->priv;

	if (n)
		vg_gpmap_set_limits(&n->inner, max_tables, max_mapped_bytes);
}
