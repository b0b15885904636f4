/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest physical memory through KVM's memslots (src/kvmwalk.h): guest
 * frame -> QEMU virtual address (userspace_addr) -> QEMU's page tables ->
 * host physical, including THP and hugetlbfs pages.  This sees every
 * guest page the host holds, whether or not EPT/NPT maps it; pages QEMU
 * never touched or that were swapped out are holes (stats.not_present).
 * A struct vg_gmem like the EPT/NPT walker (src/gmem.h).
 */
#ifndef VG_SLOTMEM_H
#define VG_SLOTMEM_H

#include "src/gmem.h"
#include "src/kvmwalk.h"

/*
 * pgd_pa: QEMU's page directory (host physical); la57: host paging mode;
 * slots sorted by base_gfn, not overlapping (vg_kvm_walk does that); they
 * are copied.  Returns 0, or -1 with g->stats.first_error.
 */
int vg_slotmem_init(struct vg_gmem *g, struct vg_hostmem *hm, uint64_t pgd_pa,
		    int la57, const struct vg_kw_slot *slots, unsigned nslots);

#endif
