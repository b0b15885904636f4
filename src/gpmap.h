/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Second-level address translation walker: Intel EPT and AMD NPT tables
 * in host memory, presented as a struct vg_gmem (src/gmem.h).
 *
 * EPT: an entry is present when any of R/W/X (bits 2:0) is set, except
 * the write-without-read pattern KVM uses to mark MMIO (not memory); bit 7
 * is a large page at the 2 MiB and 1 GiB levels; address bits 51:12.
 * NPT: the x86-64 long-mode format (present bit 0, PS bit 7 at PDE/PDPTE).
 * Both 4- and 5-level.
 */
#ifndef VG_GPMAP_H
#define VG_GPMAP_H

#include <stdint.h>

#include "src/gmem.h"

enum vg_gpmap_kind { VG_GPMAP_EPT = 1, VG_GPMAP_NPT = 2 };

/* Default caps (see vg_gpmap_set_limits). */
#define VG_GPMAP_DEFAULT_MAX_TABLES (1u << 22) /* 16 GiB of table pages */

/*
 * Levels implied by a raw EPTP (bits 5:3 = page-walk length - 1): 4 or 5,
 * or -1 when the EPTP is not a usable pointer (walk length, memory type
 * or reserved bits 11:7).
 */
int vg_gpmap_ept_levels(uint64_t eptp);

/*
 * Set up g as the guest-physical view through the tables at root:
 * EPT: root is the raw EPTP (flags in bits 11:0 are ignored except as
 * checked by vg_gpmap_ept_levels), levels is 4 or 5 (pass
 * vg_gpmap_ept_levels(eptp)); NPT: root is nCR3, levels 4 or 5 (the
 * host's paging mode).  Returns 0, or -1 with g->stats.first_error set
 * (bad kind/levels, root beyond hm->max_paddr).  Allocates one small
 * fixed-size struct; vg_gmem_release() frees it.
 */
int vg_gpmap_init(struct vg_gmem *g, struct vg_hostmem *hm,
		  enum vg_gpmap_kind kind, uint64_t root, int levels);

/*
 * Override the caps: max_tables = table pages a walk may read (0 = default,
 * otherwise also at most 4 * host pages + 64), max_mapped_bytes = guest
 * memory a walk may report before it stops as truncated (0 = default:
 * 8 * hm->max_paddr + 1 GiB; guest RAM can exceed host RAM only through
 * sharing such as KSM, never by orders of magnitude).
 */
void vg_gpmap_set_limits(struct vg_gmem *g, uint64_t max_tables,
			 uint64_t max_mapped_bytes);

/* Convenience: g->translate(). */
int vg_gpmap_translate(struct vg_gmem *g, uint64_t gpa, uint64_t *hpa,
		       uint64_t *page_size);

#endif
