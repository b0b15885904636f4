/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where the load-time notes (VMCSINFO, KVMINFO) of a host dump are: in
 * the dump itself (the elfcorehdr's PT_NOTE that kexec_load added, kept
 * by makedumpfile), else in the carrier that kexec -s put into the
 * capture initrd (notes/carrier.h): the file given with --notes, or in
 * the capture kernel LOADNOTES_PATH.  The carrier is read and checked
 * once; lookups then need no I/O.
 */
#ifndef VG_LOADTIME_H
#define VG_LOADTIME_H

#include <stddef.h>
#include <stdint.h>

#include "notes/vgerr.h"
#include "src/hostdump.h"

struct vg_loadtime {
	struct vg_hostdump *hd; /* not owned */
	const char *dump_path;
	void *carrier; /* the carrier's note sequence, or NULL */
	size_t carrier_len;
	const char *carrier_path;
};

/*
 * Set up for the dump hd (opened from dump_path).  notes_path is the
 * carrier file the user named (NULL: LOADNOTES_PATH when dump_path is
 * /proc/vmcore and that file exists).  A named carrier that cannot be
 * read, is too large or holds a corrupt note sequence is an error: 0 or
 * <0 with err.
 */
int vg_loadtime_init(struct vg_loadtime *lt, struct vg_hostdump *hd,
		     const char *dump_path, const char *notes_path,
		     struct vg_error *err);
void vg_loadtime_release(struct vg_loadtime *lt);

/*
 * The note called name of type type: in the dump, else in the carrier.
 * 0 with *desc valid until release and *from the path it came from, 1
 * not found (err says where it looked), <0 corrupt.
 */
int vg_loadtime_find(const struct vg_loadtime *lt, const char *name,
		     uint32_t type, const void **desc, size_t *len,
		     const char **from, struct vg_error *err);

#endif
