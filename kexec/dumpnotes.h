/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Find an ELF note in a crash dump: an ELF vmcore (/proc/vmcore or a saved
 * file; only the program headers and PT_NOTE segments are read, never the
 * PT_LOADs) or a makedumpfile kdump-compressed dump (the note section that
 * kdump_sub_header version >= 4 points to).  For /proc/vmcore the lookup
 * falls back to the load-time notes file the "kexec -s" carrier puts into
 * the capture initramfs (LOADNOTES_PATH, docs/loadtime-notes.md).
 *
 * Every size and offset read from the dump is checked against the file
 * and against the limits below; bad input gives one line in err.
 * Link with $(VGNOTES_LIB) $(VGNOTES_LDLIBS) (libelf).
 */
#ifndef DUMPNOTES_H
#define DUMPNOTES_H

#include <stddef.h>
#include <stdint.h>

/* Most note bytes read from one dump (all PT_NOTEs together). */
#define DUMPNOTES_MAX_NOTES (64u << 20)
/* Largest descriptor dumpnotes_find*() returns. */
#define DUMPNOTES_MAX_DESC (4u << 20)

/*
 * Look for the first note called name (the note name without its NUL)
 * with type type in a note sequence.  On success *desc points into buf.
 * Returns 0 found, 1 not found, <0 error (corrupt sequence, descriptor
 * larger than DUMPNOTES_MAX_DESC).
 */
int dumpnotes_find_in_buf(const void *buf, size_t len, const char *name,
			  uint32_t type, const void **desc, size_t *desclen,
			  char *err, size_t errsz);

/*
 * Read all notes of a dump into a malloc()ed buffer (the PT_NOTE segments
 * of an ELF core one after the other, or the note section of a
 * kdump-compressed dump).  Returns 0 (*notes may be NULL when *len is 0),
 * 1 when the format cannot hold notes (kdump-compressed header version
 * < 4; err says so), <0 error.
 */
int dumpnotes_read(const char *path, void **notes, size_t *len, char *err,
		   size_t errsz);

/*
 * Find a note in the dump at path; when the dump has none, look in
 * notes_file (a plain note sequence, e.g. a copy of the capture kernel's
 * LOADNOTES_PATH), or, when notes_file is NULL and path is /proc/vmcore,
 * in LOADNOTES_PATH if it exists.  *desc is malloc()ed (free() it), with
 * a NUL byte after its *desclen bytes.  Returns 0 found, 1 not found
 * (err says where it looked), <0 error.  *from, when not NULL, is set to
 * the file the note came from (path or the notes file).
 */
int dumpnotes_find_ex(const char *path, const char *notes_file,
		      const char *name, uint32_t type, void **desc,
		      size_t *desclen, const char **from, char *err,
		      size_t errsz);

/* dumpnotes_find_ex(path, NULL, ...) without *from. */
int dumpnotes_find(const char *path, const char *name, uint32_t type,
		   void **desc, size_t *desclen, char *err, size_t errsz);

/* Find a note in a plain notes file only (as dumpnotes_find_ex). */
int dumpnotes_find_in_file(const char *notes_file, const char *name,
			   uint32_t type, void **desc, size_t *desclen,
			   char *err, size_t errsz);

#endif
