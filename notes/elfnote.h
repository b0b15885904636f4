/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading ELF notes: the one walker over a sequence of notes as laid out
 * in a PT_NOTE (4-byte aligned Elf64_Nhdr, host byte order), used for the
 * notes of a host dump (src/hostdump.c), of the load-time notes carrier
 * (LOADNOTES_PATH, notes/loadnotes.h) and of guest cores in tests.  The
 * writing side is loadnote_build() in notes/loadnotes.h.
 */
#ifndef ELFNOTE_H
#define ELFNOTE_H

#include <stddef.h>
#include <stdint.h>

#include "vgerr.h"

/* Largest descriptor elfnote_find() returns. */
#define ELFNOTE_MAX_DESC (4u << 20)

/* One note as the walker sees it; pointers into the walked buffer. */
struct elfnote {
	const char *name; /* namesz bytes, normally NUL-terminated */
	uint32_t namesz;
	uint32_t type;
	const void *desc;
	uint32_t descsz;
	size_t offset; /* of the note header in the buffer */
	size_t end; /* offset just past the note, padding included */
};

/* Walker callback: return 0 to go on, anything else stops the walk. */
typedef int (*elfnote_cb)(const struct elfnote *note, void *arg);

/*
 * Walk the notes in buf.  A note with n_namesz == 0 ends the sequence (as
 * in the kernel's /proc/vmcore).  The last note may lack the padding
 * after its descriptor.  Returns 0 at the end, the callback's non-zero
 * value when it stopped the walk, or -EINVAL when a note runs past len or
 * trailing bytes are not zero.
 */
int elfnote_walk(const void *buf, size_t len, elfnote_cb cb, void *arg,
		 struct vg_error *err);

/*
 * Bytes of buf the notes take up to their terminator (padding of the
 * last note included, at most len): what to keep of a PT_NOTE whose
 * segment is longer than its notes.  <0 as elfnote_walk().
 */
long elfnote_used(const void *buf, size_t len, struct vg_error *err);

/*
 * The first note called name (without its NUL) with type type.  On
 * success *desc points into buf.  Returns 0 found, 1 not found, <0 a
 * corrupt sequence or a descriptor larger than ELFNOTE_MAX_DESC.
 */
int elfnote_find(const void *buf, size_t len, const char *name, uint32_t type,
		 const void **desc, size_t *desclen, struct vg_error *err);

/*
 * Read a plain notes file (the load-time notes carrier's
 * LOADNOTES_PATH, or a copy of it) into a malloc()ed buffer, refusing
 * files larger than LOADNOTES_MAX_SIZE and anything but a regular file.
 * 0, or <0 with err.
 */
int elfnote_read_file(const char *path, void **buf, size_t *len,
		      struct vg_error *err);

#endif
