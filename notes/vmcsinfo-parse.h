/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VMCSINFO, the reading side: the capture side parses the descriptor text
 * of the note (or of --vmcsinfo FILE) back into a struct vmcsinfo.
 */
#ifndef VMCSINFO_PARSE_H
#define VMCSINFO_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "vgerr.h"
#include "vmcsinfo.h"

/*
 * Parse descriptor text (need not be NUL-terminated) and validate it.
 * Unknown keys are ignored.  0, or -EINVAL with the line in err.
 */
int vmcsinfo_parse(const char *text, size_t len, struct vmcsinfo *vi,
		   struct vg_error *err);

/* vmcsinfo_check() naming fields FIELD(0x....); 0 or -EINVAL + err. */
int vmcsinfo_validate(const struct vmcsinfo *vi, struct vg_error *err);

/* Offset of a field, or -1 when the layout does not have it. */
int vmcsinfo_offset(const struct vmcsinfo *vi, uint16_t encoding);

/* Copy the value of an informational key into buf; 0 or -ENOENT. */
int vmcsinfo_get_info(const struct vmcsinfo *vi, const char *key, char *buf,
		      size_t bufsz);

#endif
