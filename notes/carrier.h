/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The load-time notes carrier: when userspace cannot add a PT_NOTE to
 * the elfcorehdr (kexec_file_load, "kexec -s"), kexec appends a newc cpio
 * archive to the capture initrd that holds one file, LOADNOTES_CPIO_NAME,
 * whose content is the sequence of load-time notes (notes/loadnotes.h)
 * exactly as in a PT_NOTE.  The capture side reads it back with
 * elfnote_read_file() (notes/elfnote.h).  docs/loadtime-notes.md
 * describes the mechanism and its limits.
 *
 * This file has no dependencies beyond libc: the kexec-tools patch series
 * carries the same source.
 */
#ifndef LOADNOTES_CARRIER_H
#define LOADNOTES_CARRIER_H

#include <stddef.h>
#include <stdint.h>

#include "loadnotes.h"

/* Path of the notes file inside the archive (no leading slash)... */
#define LOADNOTES_CPIO_NAME "etc/vmcore-guests/loadtime.notes"
/* ...and where the capture kernel sees it. */
#define LOADNOTES_PATH "/etc/vmcore-guests/loadtime.notes"

/* Size of the cpio archive that carries noteslen bytes of notes. */
size_t loadnotes_cpio_size(size_t noteslen);

/*
 * Write the newc cpio archive: directory entries "etc" (0755) and
 * "etc/vmcore-guests" (0700), the file LOADNOTES_CPIO_NAME (mode 0400,
 * owner root) holding the notes, and the "TRAILER!!!" entry; every header
 * and every file body starts on a 4-byte boundary and the archive length
 * is a multiple of 4.  mtime is stored in every entry (0 gives
 * reproducible archives).  Returns the number of bytes written, or 0 when
 * buf is too small or noteslen exceeds LOADNOTES_MAX_SIZE.
 */
size_t loadnotes_cpio_build(void *buf, size_t bufsz, const void *notes,
			    size_t noteslen, uint32_t mtime);

#endif
