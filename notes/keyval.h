/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one reader of "KEY=VALUE" line text, the form of VMCOREINFO and of
 * our VMCSINFO and KVMINFO descriptors (docs/vmcsinfo-note.md,
 * docs/kvminfo-note.md).  Lines end in '\n' (the last one may not); a
 * NUL ends the text.  Nothing here allocates.
 */
#ifndef KEYVAL_H
#define KEYVAL_H

#include <stddef.h>
#include <stdint.h>

#include "vgerr.h"

/*
 * Is text[0..len) descriptor text: printable ASCII and '\n', optionally
 * followed by NUL padding only?  0, or -EINVAL naming the first bad byte.
 */
int keyval_check_text(const char *text, size_t len, struct vg_error *err);

/* One line: the key and the value, pointers into the text. */
struct keyval {
	const char *key;
	size_t klen;
	const char *val;
	size_t vlen;
	unsigned int lineno; /* 1-based */
};

struct keyval_iter {
	const char *p, *end;
	unsigned int lineno;
};

/* Iterate over text[0..len), stopping at a NUL byte. */
void keyval_init(struct keyval_iter *it, const char *text, size_t len);

/*
 * The next non-empty line.  Returns 1 with *kv filled, 0 at the end, or
 * -EINVAL for a line without '=' (err names the line and its start).
 */
int keyval_next(struct keyval_iter *it, struct keyval *kv,
		struct vg_error *err);

/* Does kv's key equal key? */
int keyval_is(const struct keyval *kv, const char *key);

/*
 * The value of the first line whose key is key, copied into buf
 * (NUL-terminated, cut to bufsz - 1).  0, or -ENOENT when absent.
 * Lines without '=' are skipped.
 */
int keyval_get(const char *text, size_t len, const char *key, char *buf,
	       size_t bufsz);

/*
 * A value as an unsigned number in base (10 or 16; VMCOREINFO writes
 * SYMBOL() in hex without 0x and NUMBER() in decimal), every byte
 * consumed, no sign, no white space, no overflow.  0 or -EINVAL.
 */
int keyval_u64(const char *val, size_t vlen, int base, uint64_t *out);

#endif
