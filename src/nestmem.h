/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An L2 (nested) guest's memory through its L1's own tables: L2-physical
 * --(L1's EPT / NPT, read from L1's memory)--> L1-physical --(L1's
 * memory source: memslots + QEMU's page tables, or any struct vg_gmem)-->
 * host physical.  The root is L1-physical: vmcs12's EPT_POINTER (KVM's
 * cached_vmcs12) or vmcb12's nCR3 (docs/design.md, "Nested guests").
 * Unlike KVM's shadow of those tables (vmcs02's EPTP, vmcb02's nCR3,
 * host-physical) it maps every page L1 gave L2, not only the pages L2
 * touched since KVM last dropped its shadow pages.
 *
 * A struct vg_gmem like the others (src/gmem.h).  L1's tables are walked
 * by the EPT/NPT walker (src/gpmap.h) with L1's memory in place of host
 * memory, so the same bounds hold: loops, 5 levels, a table cap relative
 * to L1's memory, and at most 8 times the smaller of L1's and the host's
 * memory (+ 1 GiB) reported, however L1's tables alias.
 */
#ifndef VG_NESTMEM_H
#define VG_NESTMEM_H

#include "src/gmem.h"
#include "src/gpmap.h"

/*
 * hm: host memory (what g->hm is, for the writers); l1: L1's memory,
 * moved into g (the caller must not use or release it afterwards; g
 * releases it, on failure too); l1_top: one past L1's highest physical
 * address; kind/root/levels as for vg_gpmap_init() but root L1-physical.
 * Returns 0, or -1 with g->stats.first_error.
 */
int vg_nestmem_init(struct vg_gmem *g, struct vg_hostmem *hm,
		    struct vg_gmem *l1, uint64_t l1_top,
		    enum vg_gpmap_kind kind, uint64_t root, int levels);

/* vg_gpmap_set_limits() for the walk of L1's tables (L1-relative). */
void vg_nestmem_set_limits(struct vg_gmem *g, uint64_t max_tables,
			   uint64_t max_mapped_bytes);

#endif
