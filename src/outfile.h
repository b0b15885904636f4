/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Output files for guest dumps: names that cannot escape the target
 * directory, files that are private to root and never replace anything.
 */
#ifndef VG_OUTFILE_H
#define VG_OUTFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Longest file name stem we produce (without suffix and uniqueness tag). */
#define VG_NAME_MAX 64

/*
 * Turn an arbitrary string (a VM name taken from guest-controlled or
 * QEMU-controlled memory) into a safe file name stem: only [A-Za-z0-9._+-]
 * survive, everything else becomes '_', leading dots and dashes are
 * dropped, the result is at most VG_NAME_MAX bytes.  Returns 0, or -1 when
 * nothing usable is left (the caller picks a fallback name).
 */
int vg_sanitize_name(const char *in, char *out, size_t outsz);

/*
 * Create "<stem><suffix>" inside the directory dirfd, open for reading and
 * writing (writers may read back what they wrote), with mode 0600, O_EXCL
 * and O_NOFOLLOW.  When the name exists, "<stem>-2<suffix>",
 * "<stem>-3<suffix>"... are tried (up to 999).  The stem must come from
 * vg_sanitize_name().  The name actually used is stored in chosen
 * (chosen_sz bytes).  Returns the open fd, or -1 with errno set.
 */
int vg_create_unique(int dirfd, const char *stem, const char *suffix,
		     char *chosen, size_t chosen_sz);

/*
 * Write all of buf at offset off.  Returns 0, or -1 with errno set (ENOSPC
 * for a full disk, EIO when the device gave up).  A write that crosses a
 * VG_WRITEBACK_WINDOW boundary of the file also starts the kernel's
 * writeback of the windows it completed (sync_file_range(2),
 * SYNC_FILE_RANGE_WRITE, not waiting for it): the guest files go to the
 * disk while the next pages are read and compressed, instead of piling up
 * as dirty page cache in the capture kernel's little memory for the final
 * sync to write out while the capture waits.
 */
int vg_pwrite_all(int fd, const void *buf, size_t len, off_t off);

#define VG_WRITEBACK_WINDOW (8ULL << 20)

/*
 * For a write of len bytes at off: 1 and the range [*start, *start + *n)
 * of whole windows to hand to writeback when the write crosses a window
 * boundary (from the start of the window it began in to the last boundary
 * it crossed), else 0.
 */
int vg_writeback_window(uint64_t off, uint64_t len, uint64_t *start,
			uint64_t *n);

#endif
