/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A host dump (/proc/vmcore, an ELF vmcore file, a makedumpfile
 * kdump-compressed file) opened through libkdumpfile and exposed as a
 * struct vg_hostmem plus an iterator over the host RAM it holds.
 */
#ifndef VG_HOSTDUMP_H
#define VG_HOSTDUMP_H

#include <stddef.h>
#include <stdint.h>

#include "src/hostmem.h"

struct vg_hostdump;

/*
 * Open and sanity-check a dump.  On failure returns NULL with a one-line
 * message in err ("not an ELF or kdump-compressed dump", "truncated: ...",
 * "no PT_LOAD segments", "corrupt ELF note ...").
 */
struct vg_hostdump *vg_hostdump_open(const char *path, char *err, size_t errsz);
void vg_hostdump_close(struct vg_hostdump *hd);

struct vg_hostmem *vg_hostdump_mem(struct vg_hostdump *hd);

/* "elf", "kdump-compressed" (what libkdumpfile calls it) */
const char *vg_hostdump_format(const struct vg_hostdump *hd);

/* The open file descriptor (for note lookups by kexec/dumpnotes.h). */
int vg_hostdump_fd(const struct vg_hostdump *hd);

/*
 * The next run of host RAM pages the dump holds at or above from:
 * returns 1 with [*start, *end), 0 when there is none, -1 on error.
 * Page aligned; the iterator itself keeps no per-page state.
 */
int vg_hostdump_next_range(void *hd, uint64_t from, uint64_t *start,
			   uint64_t *end);

#endif
