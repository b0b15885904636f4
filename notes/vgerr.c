// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The error object (notes/vgerr.h).
 */
#include "vgerr.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void vg_error_clear(struct vg_error *e)
{
	if (!e)
		return;
	e->code = 0;
	e->msg[0] = '\0';
}

int vg_error_set(struct vg_error *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int vg_error_wrap(struct vg_error *e, const char *fmt, ...)
{
	char old[VG_ERROR_MSG_MAX];
	size_t n;
	va_list ap;

	if (!e)
		return 0;
	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	if (old[0] && n + 2 < sizeof(e->msg)) {
		memcpy(e->msg + n, ": ", 3);
		n += 2;
		/* Cut the old text to what fits; the NUL stays in place. */
		strncat(e->msg + n, old, sizeof(e->msg) - n - 1);
	}
	return e->code;
}

const char *vg_error_msg(const struct vg_error *e)
{
	return e ? e->msg : "";
}
