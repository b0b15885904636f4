/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The guest dump in makedumpfile's kdump-compressed ("diskdump") format,
 * header version 6 (docs/guest-vmcore.md, "kdump-compressed"): one block
 * of disk_dump_header, the kdump_sub_header with the notes (the same
 * NT_PRSTATUS, QEMU and VMCOREINFO notes as the ELF core), the two page
 * bitmaps (present, dumped), one page_desc per dumped page, the page
 * data (zlib, LZO, snappy or zstd per page, stored when that does not
 * shrink it; zero pages share one zero page at dump level bit 1).
 * Pages are classified with src/pageclass.c from the guest's VMCOREINFO.
 * Memory: the bitmaps (3 bits per guest page frame up to the highest
 * guest-physical address: 96 KiB per GiB), a rank table (16 KiB per
 * GiB) and fixed buffers.
 */
#ifndef VG_KDUMPCORE_H
#define VG_KDUMPCORE_H

#include "src/guestcore.h"

/* Called by vg_guestcore_write() when opts->compress != VG_GC_ELF. */
int vg_kdumpcore_write(int fd, struct vg_gmem *gm, const struct vg_vcpu *vcpus,
		       unsigned nvcpus, const struct vg_guestcore_opts *opts,
		       struct vg_guestcore_result *res);

/* "zlib", "lzo", "snappy", "zstd", "none" (ELF) to VG_GC_*; -1 unknown. */
int vg_gc_compress_parse(const char *name);
const char *vg_gc_compress_name(int compress);

#endif
