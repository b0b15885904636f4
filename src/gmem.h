/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A source of guest physical memory.  Today the EPT/NPT walker
 * (src/gpmap.h) implements it; a KVM-memslot source can later implement
 * the same interface.  The guest-core writer (src/guestcore.h) reads guest
 * RAM only through it.
 *
 * All walks are bounded and use constant memory: hostile tables are
 * counted in vg_gmem_stats, never followed forever.
 */
#ifndef VG_GMEM_H
#define VG_GMEM_H

#include <stddef.h>
#include <stdint.h>

#include "src/hostmem.h"

#define VG_GPAGE_SIZE 4096ull

/*
 * Called for each present guest-physical range: [gpa, gpa + len) is backed
 * by host physical [hpa, hpa + len).  Ranges come in ascending gpa order,
 * coalesced while both gpa and hpa stay contiguous; gpa, hpa and len are
 * multiples of 4 KiB.  A nonzero return value stops the walk and is
 * returned by walk().
 */
typedef int (*vg_range_cb)(void *ctx, uint64_t gpa, uint64_t hpa, uint64_t len);

/* What a walk saw.  Reset at the start of every walk(). */
struct vg_gmem_stats {
	uint64_t pages_present; /* 4 KiB guest pages mapped */
	uint64_t tables_visited; /* table pages read */
	uint64_t not_present; /* non-present leaf-level entries in tables */
	uint64_t bad_entries; /* reserved bits / misconfigured: skipped */
	uint64_t mmio_entries; /* KVM MMIO markers (not memory): skipped */
	uint64_t out_of_range; /* table or page beyond hostmem max_paddr */
	uint64_t loops; /* entry pointing back to a table on its own path */
	uint64_t table_absent; /* table page not in the host dump */
	uint64_t table_errors; /* host read error on a table page */
	int truncated; /* a cap (tables visited, mapped size) stopped the walk */
	unsigned nerrors; /* all of the above problems counted together */
	char first_error[160]; /* first problem, human readable ("" if none) */
};

struct vg_gmem {
	/*
	 * Present ranges in ascending gpa.  Returns 0 when the walk finished
	 * (problems, if any, are in stats), the callback's value when it
	 * stopped the walk, or -1 when the walk could not start (unreadable
	 * root table: stats.first_error says why).
	 */
	int (*walk)(struct vg_gmem *g, vg_range_cb cb, void *ctx);
	/*
	 * One guest-physical address to host physical.  Returns 0 and sets
	 * *hpa (and *page_size when not NULL: 4 KiB, 2 MiB or 1 GiB), 1 when
	 * gpa is not mapped, -1 on a corrupt/unreadable table.
	 */
	int (*translate)(struct vg_gmem *g, uint64_t gpa, uint64_t *hpa,
			 uint64_t *page_size);
	void (*release)(struct vg_gmem *g); /* may be NULL */
	struct vg_hostmem *hm;
	void *priv;
	struct vg_gmem_stats stats;
};

/* Free what the source's init allocated.  Safe on a zeroed struct. */
void vg_gmem_release(struct vg_gmem *g);

/*
 * Read len bytes of guest physical memory at gpa (may cross pages).
 * Returns VG_HM_OK, VG_HM_ABSENT (a page is unmapped or not in the host
 * dump) or VG_HM_ERROR.
 */
int vg_gmem_read(struct vg_gmem *g, uint64_t gpa, void *buf, size_t len);

/*
 * The x86-64 long-mode page walk (4- or 5-level, 2 MiB / 1 GiB pages),
 * over any memory: read_entry reads the 8-byte entry at a physical address
 * of that memory and returns VG_HM_OK or another VG_HM_* value.  user: the
 * tables are a process's, where PROT_NONE / NUMA-hinting leaves (present
 * bit clear, bit 8 set) count as present, as pte_present() has it.
 * Returns 0 with *pa and *size (the page size), 1 when not mapped (*size =
 * the aligned span unmapped at the level the walk stopped, so callers can
 * skip it), -1 when an entry cannot be read or is malformed.
 */
typedef int (*vg_pt_read_fn)(void *ctx, uint64_t paddr, uint64_t *entry);
int vg_x86_walk(vg_pt_read_fn read_entry, void *ctx, uint64_t root, int la57,
		int user, uint64_t va, uint64_t *pa, uint64_t *size);

/*
 * Guest paging (the guest's own page tables, which live in guest RAM):
 * translate a guest virtual address through the long-mode tables rooted at
 * cr3 (4-level, or 5-level when la57 is nonzero).  Returns 0 and sets
 * *gpa (and *page_size when not NULL), 1 when not mapped, -1 when a table
 * could not be read or an entry is malformed.
 */
int vg_gva_translate(struct vg_gmem *g, uint64_t cr3, int la57, uint64_t gva,
		     uint64_t *gpa, uint64_t *page_size);

#endif
