// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Guest memory through memslots and QEMU's page tables (src/slotmem.h).
 */
#include "src/slotmem.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG 4096ull

/*
 * QEMU's page-table pages, read whole and kept: one per paging level is
 * enough for the in-order walk of the memslots, which then reads each
 * table page once instead of 4 or 5 entries for every 4 KiB guest page
 * (each a read of the dump: a syscall on /proc/vmcore, a decompression
 * lookup in a kdump-compressed file).  20 KiB, whatever the guest's size.
 */
#define SM_TABLES 5

struct sm_table {
	uint64_t pa; /* page address; valid when age != 0 */
	uint64_t age; /* last use, 0 = empty */
	uint64_t e[PG / 8];
};

struct sm {
	struct vg_hostmem *hm;
	uint64_t pgd_pa;
	int la57;
	uint64_t clock;
	struct sm_table tables[SM_TABLES];
	unsigned n;
	struct vg_kw_slot slots[];
};

static void sm_error(struct vg_gmem *g, const char *fmt, uint64_t a)
{
	g->stats.nerrors++;
	if (!g->stats.first_error[0])
		snprintf(g->stats.first_error, sizeof(g->stats.first_error),
			 fmt, a);
}

/* vg_x86_walk's entry reader over the table cache (least recently used out). */
static int sm_entry(void *ctx, uint64_t paddr, uint64_t *e)
{
	struct sm *s = ctx;
	uint64_t page = paddr & ~(PG - 1);
	struct sm_table *t, *victim = &s->tables[0];
	int r;

	for (t = s->tables; t < s->tables + SM_TABLES; t++) {
		if (t->age && t->pa == page)
			goto hit;
		if (t->age < victim->age)
			victim = t;
	}
	if (page >= s->hm->max_paddr || s->hm->max_paddr - page < PG)
		return VG_HM_ABSENT;
	t = victim;
	r = vg_hostmem_read(s->hm, page, t->e, PG);
	if (r != VG_HM_OK) {
		t->age = 0;
		return r;
	}
	t->pa = page;
hit:
	t->age = ++s->clock;
	*e = t->e[(paddr & (PG - 1)) / 8];
	return VG_HM_OK;
}

static int sm_pt_walk(struct sm *s, uint64_t hva, uint64_t *pa, uint64_t *size)
{
	return vg_x86_walk(sm_entry, s, s->pgd_pa, s->la57, 1, hva, pa, size);
}

static const struct vg_kw_slot *find_slot(const struct sm *s, uint64_t gfn)
{
	unsigned lo = 0, hi = s->n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct vg_kw_slot *x = &s->slots[mid];

		if (gfn < x->base_gfn)
			hi = mid;
		else if (gfn >= x->base_gfn + x->npages)
			lo = mid + 1;
		else
			return x;
	}
	return NULL;
}

static int sm_translate(struct vg_gmem *g, uint64_t gpa, uint64_t *hpa,
			uint64_t *page_size)
{
	struct sm *s = g->priv;
	const struct vg_kw_slot *x = find_slot(s, gpa / PG);
	uint64_t hva, pa, size;
	int r;

	if (!x)
		return 1;
	hva = x->hva + (gpa - x->base_gfn * PG);
	r = sm_pt_walk(s, hva, &pa, &size);
	if (r)
		return r;
	if (pa >= g->hm->max_paddr)
		return 1;
	*hpa = pa;
	if (page_size)
		*page_size = PG; /* the guest's view is 4 KiB-granular here */
	return 0;
}

static int sm_walk(struct vg_gmem *g, vg_range_cb cb, void *ctx)
{
	struct sm *s = g->priv;
	struct vg_gmem_stats *st = &g->stats;
	uint64_t run_gpa = 0, run_hpa = 0, run_len = 0;
	uint64_t cap = 8 * g->hm->max_paddr + (1ull << 30);
	int r;

	memset(st, 0, sizeof(*st));
	for (unsigned i = 0; i < s->n; i++) {
		const struct vg_kw_slot *x = &s->slots[i];
		uint64_t off = 0, len = x->npages * PG;

		while (off < len) {
			uint64_t hva = x->hva + off,
				 gpa = x->base_gfn * PG + off;
			uint64_t pa, size, chunk;

			r = sm_pt_walk(s, hva, &pa, &size);
			if (r < 0) {
				st->table_errors++;
				sm_error(
					g,
					"QEMU page table unreadable at hva 0x%" PRIx64,
					hva);
				chunk = PG - (hva & (PG - 1));
			} else {
				chunk = size - (hva & (size - 1));
			}
			if (chunk > len - off)
				chunk = len - off;
			if (r > 0)
				st->not_present += chunk / PG;
			if (r == 0 && pa + chunk > g->hm->max_paddr) {
				st->out_of_range++;
				sm_error(g,
					 "host page 0x%" PRIx64
					 " beyond the dump",
					 pa);
				r = 1;
			}
			if (r == 0) {
				st->pages_present += chunk / PG;
				if (st->pages_present * PG > cap) {
					st->truncated = 1;
					sm_error(
						g,
						"more guest memory than 8x host RAM at gpa 0x%" PRIx64,
						gpa);
					goto flush;
				}
				if (run_len && run_gpa + run_len == gpa &&
				    run_hpa + run_len == pa) {
					run_len += chunk;
				} else {
					if (run_len) {
						r = cb(ctx, run_gpa, run_hpa,
						       run_len);
						if (r)
							return r;
					}
					run_gpa = gpa;
					run_hpa = pa;
					run_len = chunk;
				}
			}
			off += chunk;
		}
	}
flush:
	if (run_len)
		return cb(ctx, run_gpa, run_hpa, run_len);
	return 0;
}

static void sm_release(struct vg_gmem *g)
{
	free(g->priv);
	g->priv = NULL;
}

int vg_slotmem_init(struct vg_gmem *g, struct vg_hostmem *hm, uint64_t pgd_pa,
		    int la57, const struct vg_kw_slot *slots, unsigned nslots)
{
	struct sm *s;

	memset(g, 0, sizeof(*g));
	g->hm = hm;
	if ((pgd_pa & (PG - 1)) || pgd_pa >= hm->max_paddr) {
		snprintf(g->stats.first_error, sizeof(g->stats.first_error),
			 "QEMU page directory 0x%" PRIx64 " not in the dump",
			 pgd_pa);
		return -1;
	}
	s = calloc(1, sizeof(*s) + (size_t)nslots * sizeof(s->slots[0]));
	if (!s) {
		snprintf(g->stats.first_error, sizeof(g->stats.first_error),
			 "out of memory");
		return -1;
	}
	s->hm = hm;
	s->pgd_pa = pgd_pa;
	s->la57 = la57;
	s->n = nslots;
	if (nslots)
		memcpy(s->slots, slots, (size_t)nslots * sizeof(s->slots[0]));
	g->priv = s;
	g->walk = sm_walk;
	g->translate = sm_translate;
	g->release = sm_release;
	return 0;
}
