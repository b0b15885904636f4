/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VMCSINFO, the reading side: the capture side parses the descriptor text
 * of the note (or of --vmcsinfo FILE) back into a struct vmcsinfo.
 */
#ifndef VMCSINFO_PARSE_H
#define VMCSINFO_PARSE_H

#include <stddef.h>

#include "vgerr.h"
#include "vmcsinfo.h"

/*
 * Parse descriptor text (need not be NUL-terminated) and validate it.
 * Unknown keys are ignored.  0, or -EINVAL with the line in err.
 */
int vmcsinfo_parse(const char *text, size_t len, struct vmcsinfo *vi,
		   struct vg_error *err);

#endif
