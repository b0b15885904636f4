/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest vmcore writer: an ELF64 ET_CORE file in the layout QEMU's
 * dump-guest-memory writes (docs/guest-vmcore.md):
 *   PT_NOTE: CORE/NT_PRSTATUS per vCPU, QEMU (QEMUCPUState v1) per vCPU,
 *            the guest's own VMCOREINFO note when found in guest RAM;
 *   PT_LOAD per guest-physical range (p_paddr = gpa), and, when the guest
 *            VMCOREINFO was found, kernel-text PT_LOADs with kernel virtual
 *            addresses and (when page_offset_base was verified) direct-map
 *            p_vaddr on the physical PT_LOADs, as /proc/vmcore has them.
 * Streaming, constant memory: guest RAM is read once, zero pages become
 * file holes, absent host pages split PT_LOADs.
 */
#ifndef VG_GUESTCORE_H
#define VG_GUESTCORE_H

#include <stddef.h>
#include <stdint.h>

#include "src/gmem.h"
#include "src/vcpu.h"

struct vg_guestcore_opts {
	int no_vmcoreinfo; /* do not scan guest RAM for VMCOREINFO */
	int no_virtual; /* physical PT_LOADs only (p_vaddr 0, as QEMU) */
	/* Extra PT_LOAD slots for splits at absent host pages; 0 = 256.
	 * When used up, further absent pages stay inside their PT_LOAD
	 * as zero holes (still counted in pages_absent). */
	unsigned split_reserve;
	/* Optional progress/diagnostic lines (no trailing newline). */
	void (*log)(void *ctx, const char *msg);
	void *log_ctx;
	/*
	 * Optional: called once before the copy and after every copied
	 * batch (at most 256 KiB) with the pages done so far out of the
	 * pages the nested tables map.  Returning nonzero stops the copy
	 * (time budget, free-space reserve: src/budget.h) after what was
	 * copied has been written: the file is finished consistently, the
	 * reason it put into why (nul-terminated) becomes res->error and
	 * VG_GC_PARTIAL is returned, as for ENOSPC.
	 */
	int (*progress)(void *ctx, uint64_t pages_done, uint64_t pages_total,
			char *why, size_t whysz);
	void *progress_ctx;
	/*
	 * compress: VG_GC_ELF (0) writes the ELF core above; the others
	 * write makedumpfile's kdump-compressed format (src/kdumpcore.h)
	 * with pages compressed that way.  dump_level: makedumpfile's -d
	 * bits (src/pageclass.h); in the ELF core only bit 1 (zero pages
	 * are holes) applies, and it always does.
	 */
	int compress;
	int dump_level;
};

#define VG_GC_ELF 0
#define VG_GC_KDUMP_NONE 1 /* kdump-compressed format, pages stored */
#define VG_GC_ZLIB 2
#define VG_GC_LZO 3
#define VG_GC_SNAPPY 4
#define VG_GC_ZSTD 5

struct vg_guestcore_result {
	uint64_t pages_present; /* mapped pages copied from the host dump */
	uint64_t pages_zero; /* of those, all-zero pages left as holes */
	uint64_t pages_absent; /* mapped, but not in the host dump: holes */
	uint64_t bytes_written; /* data bytes actually written */
	uint64_t file_size;
	unsigned phys_loads; /* PT_LOADs by guest-physical address */
	unsigned virt_loads; /* extra kernel-text PT_LOADs */
	int vmcoreinfo_found;
	unsigned vmcoreinfo_candidates; /* magic hits in guest RAM */
	uint64_t vmcoreinfo_gpa;
	char osrelease[65];
	int phys_base_known;
	uint64_t phys_base;
	int page_offset_base_known; /* direct map verified */
	uint64_t page_offset_base;
	struct vg_gmem_stats walk; /* copy of the memory source's stats */
	/* kdump-compressed output only (compress != VG_GC_ELF): */
	int kdump; /* the file is kdump-compressed */
	int dump_level; /* the level applied (bit 1 only when no mem_map) */
	int classified; /* pages classified from the guest's mem_map */
	char filter_note[160]; /* why not classified ("" when it was) */
	uint64_t pages_dumpable; /* pages with a descriptor */
	uint64_t excl_cache, excl_cache_private, excl_user, excl_free;
	uint64_t excl_hwpoison, excl_offline;
	uint64_t pages_compressed; /* stored compressed */
	uint64_t vmcoreinfo_scan_bytes; /* guest bytes read to find it */
	uint64_t bitmap_bytes; /* memory held for the bitmaps */
	int partial; /* file consistent but incomplete (see error) */
	char error[200]; /* first problem ("" if none) */
};

/* Return values of vg_guestcore_write besides 0 (complete). */
#define VG_GC_PARTIAL 1 /* written, consistent, incomplete: res->error */
#define VG_GC_FAILED (-1) /* no usable file: res->error */

/*
 * Write the guest core to fd (a regular file opened for writing by the
 * caller, empty; it is written with pwrite and may be sparse).  vcpus
 * (nvcpus, may be 0) become the notes in order; registers whose known bit
 * is clear are written as 0 (elf_prstatus has no validity bits: the
 * report says which are unknown).  opts may be NULL.  Output errors
 * (ENOSPC, EFBIG) stop the copy; the headers are then rewritten to
 * describe what did land and VG_GC_PARTIAL is returned.
 */
int vg_guestcore_write(int fd, struct vg_gmem *gm, const struct vg_vcpu *vcpus,
		       unsigned nvcpus, const struct vg_guestcore_opts *opts,
		       struct vg_guestcore_result *res);

/* Shared with src/kdumpcore.c. */
/* 1 when a valid VMCOREINFO note is at gpa: note (24 + 4096 + 8 bytes)
 * gets the raw note, text (4097) its text, *descsz its n_descsz. */
int vg_gc_vmcoreinfo_load(struct vg_gmem *gm, uint64_t gpa, uint8_t *note,
			  char *text, uint32_t *descsz);
/* Upper bound of vg_gc_notes()'s size. */
size_t vg_gc_notes_size(unsigned nvcpus);
/* The notes blob (NT_PRSTATUS, QEMU, VMCOREINFO when vmci_note). */
size_t vg_gc_notes(uint8_t *buf, const struct vg_vcpu *vcpus, unsigned nvcpus,
		   const uint8_t *vmci_note, uint32_t vmci_descsz);

#endif
