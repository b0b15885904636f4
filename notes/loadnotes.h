/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Load-time notes: ELF notes built in the first kernel at kexec load time
 * (VMCSINFO, later KVMINFO) and the carrier that brings them to the
 * capture kernel when userspace cannot add a PT_NOTE to the elfcorehdr
 * (kexec_file_load, "kexec -s"): a newc cpio archive appended to the
 * capture initrd that holds one file, LOADNOTES_CPIO_NAME, whose content
 * is a plain sequence of ELF notes laid out exactly as in a PT_NOTE.
 * docs/loadtime-notes.md describes the mechanism and its limits.
 *
 * This file has no dependencies beyond libc: the kexec-tools patch series
 * carries the same source.
 */
#ifndef LOADNOTES_CPIO_H
#define LOADNOTES_CPIO_H

#include <stddef.h>
#include <stdint.h>

/* Path of the notes file inside the archive (no leading slash)... */
#define LOADNOTES_CPIO_NAME "etc/vmcore-guests/loadtime.notes"
/* ...and where the capture kernel sees it. */
#define LOADNOTES_PATH "/etc/vmcore-guests/loadtime.notes"
/* Readers refuse notes files larger than this. */
#define LOADNOTES_MAX_SIZE (1024 * 1024)

/*
 * Size of one ELF note (Elf64_Nhdr, name with its NUL padded to 4 bytes,
 * descriptor padded to 4 bytes), or 0 when name is empty or the sizes do
 * not fit in 32 bits.
 */
size_t loadnote_size(const char *name, size_t desclen);

/*
 * Write one ELF note in host byte order into buf.  Padding bytes are zero.
 * Returns the number of bytes written (loadnote_size()), or 0 when buf is
 * too small or the note cannot be represented.
 */
size_t loadnote_build(void *buf, size_t bufsz, const char *name, uint32_t type,
		      const void *desc, size_t desclen);

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
