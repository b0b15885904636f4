/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VMCSINFO and KVMINFO as one whole ELF note each (header, name, the
 * descriptor text padded to 4), for the vmcsinfo CLI and the tests.
 * kexec builds its notes through its provider registry instead, so the
 * kexec-tools series does not carry this file.
 */
#ifndef NOTEBUILD_H
#define NOTEBUILD_H

#include <stddef.h>

#include "kvminfo.h"
#include "vgerr.h"
#include "vmcsinfo.h"

/*
 * The whole VMCSINFO note of vi, built with loadnote_build().  Returns
 * its size, or -ENOSPC / -EINVAL / -ENOMEM.
 */
int vmcsinfo_note(const struct vmcsinfo *vi, void *buf, size_t bufsz);

/*
 * The whole KVMINFO note (kvminfo_format() of src).  Returns its size,
 * or a negative errno as kvminfo_format() (-ENOSPC also when buf is too
 * small for the note).
 */
int kvminfo_note(const struct kvminfo_source *src, void *buf, size_t bufsz,
		 struct vg_error *err);

#endif
