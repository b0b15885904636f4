/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host virtual memory in a host dump: kernel virtual addresses through the
 * host kernel's page tables (init_top_pgt from the host's VMCOREINFO) and
 * user addresses of a process through its own page directory (mm->pgd).
 * Walks are bounded (at most 5 table reads each) and read the tables
 * through struct vg_hostmem, so an absent or corrupt table is an error,
 * never a crash.  x86-64, 4- or 5-level paging.
 */
#ifndef VG_HOSTKV_H
#define VG_HOSTKV_H

#include <stddef.h>
#include <stdint.h>

#include "notes/vgerr.h"
#include "src/hostmem.h"

#define VG_START_KERNEL_MAP 0xffffffff80000000ull
#define VG_HOSTKV_TLB 64

struct vg_hostkv {
	struct vg_hostmem *hm;
	uint64_t kernel_root; /* host physical address of init_top_pgt */
	int la57;
	char osrelease[65];
	struct {
		uint64_t vpage, ppage;
	} tlb[VG_HOSTKV_TLB]; /* kernel 4 KiB translations; ppage 0 = empty */
};

/*
 * Set up from the host's VMCOREINFO text: SYMBOL(init_top_pgt) (or
 * SYMBOL(swapper_pg_dir)), NUMBER(phys_base), NUMBER(pgtable_l5_enabled)
 * (absent = 4-level), OSRELEASE.  Returns 0, or with err set -ENOENT (no
 * page-table symbol) or -EINVAL (a malformed value, or a root that is not
 * a page in the dump).
 */
int vg_hostkv_init(struct vg_hostkv *kv, struct vg_hostmem *hm,
		   const char *vmcoreinfo, size_t len, struct vg_error *err);

/* vg_x86_walk() (src/gmem.h) over host physical memory. */
int vg_pt_walk(struct vg_hostmem *hm, uint64_t root, int la57, int user,
	       uint64_t va, uint64_t *pa, uint64_t *size);

/* Kernel virtual to host physical: 0, 1 (not mapped), -1. */
int vg_hostkv_vtop(struct vg_hostkv *kv, uint64_t va, uint64_t *pa);

/* Read kernel virtual memory (may cross pages): VG_HM_OK/ABSENT/ERROR. */
int vg_hostkv_read(struct vg_hostkv *kv, uint64_t va, void *buf, size_t len);

/* Read user memory of the process whose page directory is at pgd_pa. */
int vg_hostkv_uread(struct vg_hostkv *kv, uint64_t pgd_pa, uint64_t va,
		    void *buf, size_t len);

/* Little helpers: 0 or -1 (absent or error). */
int vg_kv_u64(struct vg_hostkv *kv, uint64_t va, uint64_t *v);
int vg_kv_u32(struct vg_hostkv *kv, uint64_t va, uint32_t *v);
int vg_kv_u16(struct vg_hostkv *kv, uint64_t va, uint16_t *v);
int vg_kv_u8(struct vg_hostkv *kv, uint64_t va, uint8_t *v);

#endif
