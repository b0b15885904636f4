/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The headers of a host dump, checked by us before libkdumpfile sees the
 * file.  libkdumpfile 0.5.1 trusts what the headers say (counts, sizes,
 * offsets, entry sizes) and crashes or allocates gigabytes on a few
 * hundred hostile bytes (docs/libkdumpfile-bugs.md), so nothing reaches
 * kdump_open_fd() that this validator has not accepted:
 *
 *  - ELF64 x86_64 little-endian core: the ELF header, the program header
 *    table (e_phoff, e_phnum, e_phentsize, PN_XNUM), every PT_LOAD and
 *    PT_NOTE against the file size with overflow checks, the section
 *    header table libkdumpfile would read (a vmcore has none);
 *  - makedumpfile kdump-compressed (disk_dump_header, kdump_sub_header of
 *    each version): every field libkdumpfile reads, against the file
 *    size and against caps, and read the way libkdumpfile reads it (it
 *    tries the 32-bit layout first);
 *  - the notes libkdumpfile will parse (vg_dumphdr_check_notes()).
 *
 * Every cap below bounds what a header can make us or libkdumpfile
 * allocate; a file can only make either allocate in proportion to its
 * own size (the page bitmap of a kdump-compressed dump).
 */
#ifndef VG_DUMPHDR_H
#define VG_DUMPHDR_H

#include <stddef.h>
#include <stdint.h>

#include "notes/vgerr.h"

/* Program headers libkdumpfile will hold (it keeps ~80 bytes each). */
#define VG_DUMPHDR_MAX_PHNUM 65536u
/* All PT_NOTEs, or the kdump-compressed note section, together. */
#define VG_DUMPHDR_MAX_NOTES (16u << 20)
/* The kdump-compressed VMCOREINFO and eraseinfo sections. */
#define VG_DUMPHDR_MAX_VMCOREINFO (1u << 20)
#define VG_DUMPHDR_MAX_ERASEINFO (16u << 20)
/* kdump_sub_header blocks (makedumpfile writes 1). */
#define VG_DUMPHDR_MAX_SUB_HDR 64
/* x86_64 physical addresses have at most 52 bits. */
#define VG_DUMPHDR_MAX_PADDR (1ull << 52)
/* CPUs a disk_dump_header may claim. */
#define VG_DUMPHDR_MAX_CPUS 65536

enum vg_dump_format {
	VG_DUMP_ELF = 1,
	VG_DUMP_KDUMP, /* makedumpfile kdump-compressed ("KDUMP   ") */
};

/* A part of the file: [offset, offset + size). */
struct vg_dump_span {
	uint64_t offset, size;
};

/*
 * One ELF PT_LOAD.  present is how many of its size bytes the file
 * holds: less than size when the file ends inside the segment (a dump
 * cut short; the rest is absent, vg_dumphdr.cut_bytes counts it).
 */
struct vg_dump_load {
	uint64_t paddr; /* p_paddr */
	uint64_t size; /* p_filesz */
	uint64_t memsz; /* p_memsz */
	uint64_t offset; /* p_offset */
	uint64_t present; /* bytes of the data in the file */
};

struct vg_dumphdr {
	enum vg_dump_format format;
	uint64_t file_size; /* UINT64_MAX when unknown (not a regular file) */
	/* bytes the headers place past the end of the file (cut short) */
	uint64_t cut_bytes;
	/* ELF: the PT_LOADs in header order */
	struct vg_dump_load *loads;
	size_t nloads;
	/* where the notes are: each PT_NOTE, or the kdump note section */
	struct vg_dump_span *notes;
	size_t nnotes;
	/* kdump-compressed only */
	int32_t header_version;
	uint32_t block_size;
	uint64_t max_mapnr; /* max_mapnr_64 from header version 6 on */
	struct vg_dump_span bitmap; /* both bitmaps, as the header says */
	/*
	 * The bitmap of the pages in the file, as libkdumpfile picks it
	 * (the second half of bitmap unless max_mapnr needs more), and
	 * where the page descriptors start: the descriptor of page pfn is
	 * at desc_offset + 24 * (bits set in dump_bitmap before pfn).
	 */
	struct vg_dump_span dump_bitmap;
	uint64_t desc_offset;
	struct vg_dump_span vmcoreinfo; /* header version >= 3; size 0: none */
	/*
	 * Why the dump cannot hold notes (kdump-compressed header version
	 * < 4), or "" when it can.
	 */
	char no_notes_why[160];
};

/*
 * Read and check the headers of the dump open on fd (name is for the
 * messages).  Fills h (vg_dumphdr_free() it, also after a failure).
 * Returns 0, or -EINVAL (bad or unsupported header, one line in err
 * naming the field), -EFBIG (a cap), -ENOMEM, -EIO.
 */
int vg_dumphdr_read(int fd, const char *name, struct vg_dumphdr *h,
		    struct vg_error *err);

/*
 * Check a note sequence the way libkdumpfile 0.5.1 will walk it (it
 * reads past a terminator and parses some notes without looking at
 * their size): refuses Xen notes, a CORE/NT_PRSTATUS of the wrong size
 * and a VMCOREINFO whose PAGESIZE is not 4096.  0 or -EINVAL.
 */
int vg_dumphdr_check_notes(const void *buf, size_t len, struct vg_error *err);

void vg_dumphdr_free(struct vg_dumphdr *h);

/* Read exactly len bytes of fd at off: 0, -EIO (short) or -errno. */
int vg_pread_full(int fd, void *buf, size_t len, uint64_t off);

#endif
