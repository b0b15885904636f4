/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A host dump (/proc/vmcore, an ELF vmcore file, a makedumpfile
 * kdump-compressed file) opened through libkdumpfile and exposed as a
 * struct vg_hostmem plus an iterator over the host RAM it holds.  The
 * memory of ELF dumps is read with pread(2) (vg_hostdump_set_direct()).
 */
#ifndef VG_HOSTDUMP_H
#define VG_HOSTDUMP_H

#include <stddef.h>
#include <stdint.h>

#include "notes/vgerr.h"
#include "src/hostmem.h"

struct vg_hostdump;

/*
 * Open a dump: its headers are checked first (src/dumphdr.h), its notes
 * read once into the handle, then libkdumpfile opens it.  On failure
 * returns NULL with a one-line message in err ("not an ELF or
 * kdump-compressed dump", "truncated dump: ...", "no PT_LOAD segments",
 * "corrupt ELF note ...").  path must outlive the handle (messages).
 */
struct vg_hostdump *vg_hostdump_open(const char *path, struct vg_error *err);
void vg_hostdump_close(struct vg_hostdump *hd);

struct vg_hostmem *vg_hostdump_mem(struct vg_hostdump *hd);

/*
 * The first note called name (without its NUL) of type type among the
 * dump's notes (ELF: the PT_NOTE segments, each up to its terminator;
 * kdump-compressed: the note section of header version >= 4).  Returns
 * 0 with *desc pointing into the handle (valid until close), 1 not found
 * (err says where it looked, and why a dump cannot have notes), <0 when
 * the descriptor is larger than ELFNOTE_MAX_DESC.
 */
int vg_hostdump_find_note(const struct vg_hostdump *hd, const char *name,
			  uint32_t type, const void **desc, size_t *len,
			  struct vg_error *err);

/*
 * The dump's VMCOREINFO text as libkdumpfile found it (the blob that
 * kdump_vmcoreinfo_raw() returns: the VMCOREINFO note, or the
 * kdump-compressed VMCOREINFO section), NUL-terminated; the handle keeps
 * it.  0, 1 when the dump has none, <0 error.
 */
int vg_hostdump_vmcoreinfo(struct vg_hostdump *hd, const char **text,
			   size_t *len, struct vg_error *err);

/*
 * ELF dumps and /proc/vmcore: host memory is read with pread(2) from the
 * PT_LOADs' file data directly, in the sizes asked for (the scan reads 1
 * MiB at a time), not through libkdumpfile's page-sized reads; a read
 * that is not all inside PT_LOAD file data still goes to libkdumpfile.
 * On by default; off: every read through libkdumpfile (the unit tests
 * compare the two).  kdump-compressed dumps always use libkdumpfile.
 * 0, or -1 when on is asked of a dump that is not ELF.
 */
int vg_hostdump_set_direct(struct vg_hostdump *hd, int on);

/*
 * /proc/vmcore (procfs): that file data is read through a 4 MiB window
 * mapped with mmap(2), moved for reads of 64 KiB or more, as makedumpfile
 * does (read(2) of old memory maps and unmaps each page in the kernel);
 * smaller reads outside the window, and every read after an mmap that
 * failed, use pread(2).  On by default for /proc/vmcore only: the page
 * cache of a mapped regular file would count in our RSS.  on = 1 asks it
 * of another ELF dump (the unit tests).  0, or -1 when not ELF.
 */
int vg_hostdump_set_mmap(struct vg_hostdump *hd, int on);

/*
 * How host memory was read: "mmap", "pread", "mmap: <error>" (mmap
 * failed, pread since), or "libkdumpfile" (kdump-compressed).
 */
const char *vg_hostdump_read_method(const struct vg_hostdump *hd);

/*
 * Bytes read from the dump so far: its notes and every read of host
 * memory through vg_hostdump_mem() (a read that fails counts too).
 */
uint64_t vg_hostdump_bytes_read(const struct vg_hostdump *hd);

/* "elf", "kdump-compressed" (what libkdumpfile calls it) */
/*
 * "" for a whole dump; for one whose file ends before its headers do (a
 * copy cut short by a full disk or a reset), one line saying so: the
 * memory past the end reads as absent (VG_HM_ABSENT), the rest as usual.
 */
const char *vg_hostdump_damage(const struct vg_hostdump *hd);

/*
 * Reads so far answered absent because they lie in the missing tail of
 * a PT_LOAD past such a cut (a read in a hole between PT_LOADs is absent
 * as on an intact dump and not counted).
 */
uint64_t vg_hostdump_cut_reads(const struct vg_hostdump *hd);

/*
 * Ranges of the dump that fail to read (pread(2) or libkdumpfile's read
 * fails: EIO from a bad disk, an error of /proc/vmcore) are absent, like
 * a cut: a read that touches one returns VG_HM_ABSENT.  A read that
 * fails is retried page by page inside the handle, so only the bad pages
 * are lost and recorded; after 16 page reads failed in a row (a dead
 * device) the rest of that range of RAM (the vg_hostdump_next_range()
 * range: an ELF dump's PT_LOADs, a kdump-compressed dump's run of pages)
 * is absent without being read.  vg_hostdump_io_reads(): reads answered
 * absent so far because of such errors; vg_hostdump_io_errors(): "" or
 * one line naming the error and the ranges ("read errors in DUMP
 * (Input/output error): N pages absent, host physical 0x..-0x..").
 */
uint64_t vg_hostdump_io_reads(const struct vg_hostdump *hd);
const char *vg_hostdump_io_errors(struct vg_hostdump *hd);

const char *vg_hostdump_format(const struct vg_hostdump *hd);

/*
 * The next run of host RAM pages the dump holds at or above from:
 * returns 1 with [*start, *end), 0 when there is none, -1 on error.
 * Page aligned; the iterator itself keeps no per-page state.
 */
int vg_hostdump_next_range(void *hd, uint64_t from, uint64_t *start,
			   uint64_t *end);

#endif
