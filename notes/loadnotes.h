/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Load-time notes: ELF notes built in the first kernel at kexec load time
 * (VMCSINFO, KVMINFO), laid out as in a PT_NOTE.  The carrier that brings
 * them to the capture kernel under kexec_file_load is notes/carrier.h;
 * the reader is notes/elfnote.h.  docs/loadtime-notes.md describes the
 * mechanism and its limits.
 *
 * This file has no dependencies beyond libc: the kexec-tools patch series
 * carries the same source.
 */
#ifndef LOADNOTES_H
#define LOADNOTES_H

#include <stddef.h>
#include <stdint.h>

/* The most bytes of load-time notes, one note or all; readers refuse more. */
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

#endif
