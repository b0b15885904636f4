// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * EPT / NPT walker.  The tables come from a host dump and may be corrupt or
 * hostile, so every walk is bounded: the path is at most 5 tables deep
 * (one 4 KiB buffer per level, allocated once), entries that point back to
 * a table on their own path are loops, and a cap on table pages read and on
 * guest memory reported stops aliasing tricks (every PDPTE pointing at the
 * same PD) from turning the walk into years of work.
 */
#include "src/gpmap.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADDR_MASK 0x000ffffffffff000ull /* bits 51:12 */
#define ENTRIES 512
#define MAX_LEVELS 5

struct gpmap {
	enum vg_gpmap_kind kind;
	int levels;
	uint64_t root;
	uint64_t max_tables;
	uint64_t max_mapped;
	uint64_t table_pa[MAX_LEVELS + 1]; /* path of the current walk */
	uint64_t tables[MAX_LEVELS + 1][ENTRIES];
};

/* How an entry is to be treated. */
enum ent_kind { ENT_NONE, ENT_TABLE, ENT_LEAF, ENT_BAD, ENT_MMIO };

static uint64_t level_size(int level)
{
	return 1ull << (12 + 9 * (level - 1));
}

static void note_problem(struct vg_gmem *g, const char *fmt, ...)
{
	va_list ap;

	g->stats.nerrors++;
	if (g->stats.first_error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(g->stats.first_error, sizeof(g->stats.first_error), fmt, ap);
	va_end(ap);
}

static const char *kind_name(const struct gpmap *m)
{
	return m->kind == VG_GPMAP_EPT ? "EPT" : "NPT";
}

/*
 * Classify entry e at level (1 = PT ... 5 = PML5).  *why gets a short
 * reason for ENT_BAD.
 */
static enum ent_kind classify(const struct gpmap *m, int level, uint64_t e,
			      const char **why)
{
	uint64_t addr = e & ADDR_MASK;
	int large = (e >> 7) & 1;

	if (m->kind == VG_GPMAP_EPT) {
		unsigned rwx = e & 7;

		if (!rwx)
			return ENT_NONE;
		/* Write without read: KVM's MMIO marker (EPT misconfig). */
		if ((rwx & 3) == 2)
			return ENT_MMIO;
		if (level == 1 || (large && (level == 2 || level == 3))) {
			unsigned mt = (e >> 3) & 7;

			if (mt == 2 || mt == 3 || mt == 7) {
				*why = "reserved memory type";
				return ENT_BAD;
			}
			if (level > 1 && (addr & (level_size(level) - 1))) {
				*why = "misaligned large page";
				return ENT_BAD;
			}
			return ENT_LEAF;
		}
		if (level >= 4 && large) {
			*why = "large page bit at PML4/PML5";
			return ENT_BAD;
		}
		if (e & 0x78) {
			*why = "reserved bits 6:3 in a table pointer";
			return ENT_BAD;
		}
		return ENT_TABLE;
	}

	/* NPT: x86-64 long-mode format. */
	if (!(e & 1))
		return ENT_NONE;
	/* KVM marks MMIO with reserved high address bits (51 down). */
	if (e & (1ull << 51))
		return ENT_MMIO;
	if (level == 1)
		return ENT_LEAF;
	if (large) {
		if (level >= 4) {
			*why = "PS bit at PML4/PML5";
			return ENT_BAD;
		}
		/* Bit 12 is PAT; the bits between it and the size are 0. */
		if (addr & (level_size(level) - 1) & ~0x1000ull) {
			*why = "misaligned large page";
			return ENT_BAD;
		}
		return ENT_LEAF;
	}
	return ENT_TABLE;
}

static uint64_t leaf_addr(const struct gpmap *m, int level, uint64_t e)
{
	uint64_t addr = e & ADDR_MASK;

	if (m->kind == VG_GPMAP_NPT && level > 1)
		addr &= ~0x1000ull; /* PAT */
	return addr;
}

/* Read one table page; 0 ok, -1 counted problem. */
static int read_table(struct vg_gmem *g, struct gpmap *m, int level,
		      uint64_t pa)
{
	int r;

	if (pa >= g->hm->max_paddr || g->hm->max_paddr - pa < VG_GPAGE_SIZE) {
		g->stats.out_of_range++;
		note_problem(g,
			     "%s level %d table at 0x%llx is beyond host "
			     "memory (0x%llx)",
			     kind_name(m), level, (unsigned long long)pa,
			     (unsigned long long)g->hm->max_paddr);
		return -1;
	}
	r = vg_hostmem_read(g->hm, pa, m->tables[level], VG_GPAGE_SIZE);
	if (r == VG_HM_OK) {
		g->stats.tables_visited++;
		return 0;
	}
	if (r == VG_HM_ABSENT) {
		g->stats.table_absent++;
		note_problem(g,
			     "%s level %d table at 0x%llx is not in the host "
			     "dump",
			     kind_name(m), level, (unsigned long long)pa);
	} else {
		g->stats.table_errors++;
		note_problem(g, "%s level %d table at 0x%llx: host read error",
			     kind_name(m), level, (unsigned long long)pa);
	}
	return -1;
}

struct coalesce {
	vg_range_cb cb;
	void *ctx;
	uint64_t gpa, hpa, len;
};

static int emit(struct coalesce *c, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	int r = 0;

	if (c->len && c->gpa + c->len == gpa && c->hpa + c->len == hpa) {
		c->len += len;
		return 0;
	}
	if (c->len)
		r = c->cb(c->ctx, c->gpa, c->hpa, c->len);
	c->gpa = gpa;
	c->hpa = hpa;
	c->len = len;
	return r;
}

/* Where a walk is: the path of tables from the root down to level. */
struct walk {
	struct vg_gmem *g;
	struct gpmap *m;
	struct coalesce c;
	unsigned idx[MAX_LEVELS + 1]; /* next entry of each table */
	uint64_t base[MAX_LEVELS + 1]; /* gpa of each table's entry 0 */
	uint64_t mapped; /* bytes reported so far */
	int level;
	int r; /* the callback's value when it stopped the walk */
};

/* What one entry did to the walk. */
enum step {
	STEP_ON, /* go on with the next entry */
	STEP_CAP, /* a cap was reached: report what is pending and stop */
	STEP_CB, /* the callback stopped the walk: return w->r */
};

static enum step walk_leaf(struct walk *w, uint64_t e, uint64_t gpa,
			   uint64_t size)
{
	struct vg_gmem *g = w->g;
	uint64_t hpa = leaf_addr(w->m, w->level, e);

	if (hpa >= g->hm->max_paddr || g->hm->max_paddr - hpa < size) {
		g->stats.out_of_range++;
		note_problem(
			g,
			"%s maps gpa 0x%llx to hpa 0x%llx beyond host memory",
			kind_name(w->m), (unsigned long long)gpa,
			(unsigned long long)hpa);
		return STEP_ON;
	}
	if (w->mapped + size > w->m->max_mapped) {
		g->stats.truncated = 1;
		note_problem(g, "%s walk stopped: more than %llu MiB mapped",
			     kind_name(w->m),
			     (unsigned long long)(w->m->max_mapped >> 20));
		return STEP_CAP;
	}
	w->mapped += size;
	g->stats.pages_present += size / VG_GPAGE_SIZE;
	w->r = emit(&w->c, gpa, hpa, size);
	return w->r ? STEP_CB : STEP_ON;
}

/* Descend into the table entry e points to, unless it is a loop. */
static enum step walk_table(struct walk *w, uint64_t e, uint64_t gpa)
{
	struct vg_gmem *g = w->g;
	struct gpmap *m = w->m;
	uint64_t pa = e & ADDR_MASK;
	int level = w->level;

	for (int l = level; l <= m->levels; l++) {
		if (m->table_pa[l] != pa)
			continue;
		g->stats.loops++;
		note_problem(
			g,
			"%s level %d entry %u of table 0x%llx points back to table 0x%llx on its own path",
			kind_name(m), level, w->idx[level] - 1,
			(unsigned long long)m->table_pa[level],
			(unsigned long long)pa);
		return STEP_ON;
	}
	if (g->stats.tables_visited >= m->max_tables) {
		g->stats.truncated = 1;
		note_problem(g, "%s walk stopped after %llu table pages",
			     kind_name(m), (unsigned long long)m->max_tables);
		return STEP_CAP;
	}
	if (read_table(g, m, level - 1, pa) < 0)
		return STEP_ON;
	w->level = --level;
	m->table_pa[level] = pa;
	w->idx[level] = 0;
	w->base[level] = gpa;
	return STEP_ON;
}

/* The next entry of the current table. */
static enum step walk_entry(struct walk *w)
{
	struct vg_gmem *g = w->g;
	int level = w->level;
	unsigned i = w->idx[level]++;
	uint64_t e = w->m->tables[level][i];
	uint64_t size = level_size(level);
	uint64_t gpa = w->base[level] + (uint64_t)i * size;
	const char *why = "";

	switch (classify(w->m, level, e, &why)) {
	case ENT_NONE:
		if (level == 1)
			g->stats.not_present++;
		break;
	case ENT_MMIO:
		g->stats.mmio_entries++;
		break;
	case ENT_BAD:
		g->stats.bad_entries++;
		note_problem(
			g, "%s level %d entry %u of table 0x%llx (0x%llx): %s",
			kind_name(w->m), level, i,
			(unsigned long long)w->m->table_pa[level],
			(unsigned long long)e, why);
		break;
	case ENT_LEAF:
		return walk_leaf(w, e, gpa, size);
	case ENT_TABLE:
		return walk_table(w, e, gpa);
	}
	return STEP_ON;
}

static int gpmap_walk(struct vg_gmem *g, vg_range_cb cb, void *ctx)
{
	struct gpmap *m = g->priv;
	struct walk w = { .g = g, .m = m, .c = { cb, ctx, 0, 0, 0 } };

	memset(&g->stats, 0, sizeof(g->stats));
	w.level = m->levels;
	if (read_table(g, m, w.level, m->root) < 0)
		return -1;
	m->table_pa[w.level] = m->root;
	w.idx[w.level] = 0;
	w.base[w.level] = 0;
	while (w.level <= m->levels) {
		enum step s;

		if (w.idx[w.level] >= ENTRIES) {
			w.level++; /* table done: back to the parent */
			continue;
		}
		s = walk_entry(&w);
		if (s == STEP_CB)
			return w.r;
		if (s == STEP_CAP)
			break;
	}
	if (w.c.len)
		return cb(ctx, w.c.gpa, w.c.hpa, w.c.len);
	return 0;
}

static int gpmap_translate(struct vg_gmem *g, uint64_t gpa, uint64_t *hpa,
			   uint64_t *page_size)
{
	struct gpmap *m = g->priv;
	uint64_t pa = m->root;

	if (m->levels == 4 && (gpa >> 48))
		return 1;
	if (gpa >> 57)
		return 1;
	for (int level = m->levels; level >= 1; level--) {
		unsigned i = (gpa >> (12 + 9 * (level - 1))) & (ENTRIES - 1);
		uint64_t e, size = level_size(level);
		const char *why = "";
		int r;

		if (pa >= g->hm->max_paddr || g->hm->max_paddr - pa < 4096)
			return -1;
		r = vg_hostmem_read(g->hm, pa + 8ull * i, &e, sizeof(e));
		if (r != VG_HM_OK)
			return -1;
		switch (classify(m, level, e, &why)) {
		case ENT_NONE:
		case ENT_MMIO:
			return 1;
		case ENT_BAD:
			return -1;
		case ENT_LEAF: {
			uint64_t a = leaf_addr(m, level, e);

			if (a >= g->hm->max_paddr ||
			    g->hm->max_paddr - a < size)
				return -1;
			*hpa = a + (gpa & (size - 1));
			if (page_size)
				*page_size = size;
			return 0;
		}
		case ENT_TABLE:
			pa = e & ADDR_MASK;
			break;
		}
	}
	return -1; /* unreachable: level 1 entries are leaves */
}

static void gpmap_release(struct vg_gmem *g)
{
	free(g->priv);
	g->priv = NULL;
}

int vg_gpmap_ept_levels(uint64_t eptp)
{
	unsigned mt = eptp & 7, wl = (eptp >> 3) & 7;

	if (mt != 0 && mt != 6)
		return -1;
	if (eptp & 0xf00) /* bits 11:8 reserved */
		return -1;
	if (eptp >> 52)
		return -1;
	if (wl == 3)
		return 4;
	if (wl == 4)
		return 5;
	return -1;
}

int vg_gpmap_init(struct vg_gmem *g, struct vg_hostmem *hm,
		  enum vg_gpmap_kind kind, uint64_t root, int levels)
{
	struct gpmap *m;

	memset(g, 0, sizeof(*g));
	g->hm = hm;
	if (kind != VG_GPMAP_EPT && kind != VG_GPMAP_NPT) {
		note_problem(g, "unknown second-level table kind %d", kind);
		return -1;
	}
	if (levels != 4 && levels != 5) {
		note_problem(g, "%s with %d levels is not supported",
			     kind == VG_GPMAP_EPT ? "EPT" : "NPT", levels);
		return -1;
	}
	if (!hm || (root & ADDR_MASK) >= hm->max_paddr) {
		note_problem(g, "%s root 0x%llx is beyond host memory",
			     kind == VG_GPMAP_EPT ? "EPT" : "NPT",
			     (unsigned long long)root);
		return -1;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		note_problem(g, "out of memory");
		return -1;
	}
	m->kind = kind;
	m->levels = levels;
	m->root = root & ADDR_MASK;
	g->priv = m;
	g->walk = gpmap_walk;
	g->translate = gpmap_translate;
	g->release = gpmap_release;
	vg_gpmap_set_limits(g, 0, 0);
	return 0;
}

void vg_gpmap_set_limits(struct vg_gmem *g, uint64_t max_tables,
			 uint64_t max_mapped_bytes)
{
	struct gpmap *m = g->priv;
	uint64_t host_pages = g->hm->max_paddr / VG_GPAGE_SIZE;
	uint64_t cap = host_pages * 4 + 64;

	if (!m)
		return;
	if (!max_tables)
		max_tables = VG_GPMAP_DEFAULT_MAX_TABLES;
	m->max_tables = max_tables < cap ? max_tables : cap;
	if (!max_mapped_bytes) {
		uint64_t hp = g->hm->max_paddr;

		max_mapped_bytes = hp < (1ull << 56) ? hp * 8 + (1ull << 30) :
						       UINT64_MAX;
	}
	m->max_mapped = max_mapped_bytes;
}

int vg_gpmap_translate(struct vg_gmem *g, uint64_t gpa, uint64_t *hpa,
		       uint64_t *page_size)
{
	return g->translate(g, gpa, hpa, page_size);
}
