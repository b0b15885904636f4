/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one error convention of vmcore-guests (notes/, kexec/, src/).
 *
 * A function that can fail takes a struct vg_error * as its last
 * argument (NULL when the caller does not want the message) and returns
 * 0 on success or a negative errno; a few document positive values for
 * "not found".  On failure it fills the error with that code and a
 * single line of text, no newline, that names what was wrong with
 * which input ("truncated dump: ...", "--vmcsinfo FILE: ...").  A caller
 * that adds context prefixes it with vg_error_wrap().
 *
 * Per-object diagnostics that are results, not failures (the first bad
 * page-table entry of a walk, why one VM of several could not be
 * walked), stay strings in the result structures and go into the report.
 *
 * libc only: the kexec-tools series carries this file.
 */
#ifndef VG_ERROR_H
#define VG_ERROR_H

#include <stddef.h>

#define VG_ERROR_MSG_MAX 512

struct vg_error {
	int code; /* 0: no error; else a negative errno (or documented code) */
	char msg[VG_ERROR_MSG_MAX];
};

/* Clear e (when not NULL). */
void vg_error_clear(struct vg_error *e);

/*
 * Fill e (when not NULL) with code and the formatted message; returns
 * code, so that "return vg_error_set(err, -EINVAL, ...);" reads well.
 */
int vg_error_set(struct vg_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Prefix the message of e with the formatted text and ": " (context
 * from a caller: "VMCSINFO note" + "bad revision id").  Returns e->code,
 * or 0 when e is NULL: a caller whose err may be NULL returns the code it
 * has, not this.
 */
int vg_error_wrap(struct vg_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The message, or "" when e is NULL or clear. */
const char *vg_error_msg(const struct vg_error *e);

#endif
