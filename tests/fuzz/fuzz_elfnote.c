// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the ELF note finder (notes/elfnote.c) over a dump's
 * PT_NOTE bytes: a walk that checks each note lies inside the buffer,
 * elfnote_used(), and the look-ups the CLI makes.
 */
#include "notes/elfnote.h"
#include "tests/fuzz/fuzz.h"

struct span {
	const uint8_t *buf;
	size_t len, last_end;
};

static int check(const struct elfnote *n, void *arg)
{
	struct span *s = arg;
	const uint8_t *d = n->desc;

	if (n->offset < s->last_end || n->end > s->len || n->end < n->offset)
		abort(); /* notes overlap or run past the buffer */
	if ((const uint8_t *)n->name < s->buf ||
	    (const uint8_t *)n->name + n->namesz > s->buf + s->len)
		abort();
	if (d < s->buf || d + n->descsz > s->buf + s->len)
		abort();
	s->last_end = n->end;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "VMCSINFO", "KVMINFO",
					     "VMCOREINFO", "CORE" };
	struct span s = { data, size, 0 };
	struct vg_error err;
	const void *desc;
	size_t len;
	long used;
	int rc = elfnote_walk(data, size, check, &s, &err);

	fz_one_line(rc, &err);
	used = elfnote_used(data, size, &err);
	fz_one_line(used < 0 ? -1 : 0, &err);
	if (used > (long)size)
		abort();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		rc = elfnote_find(data, size, names[i], 0, &desc, &len, &err);
		fz_one_line(rc, &err);
		if (rc == 0 && ((const uint8_t *)desc < data ||
				(const uint8_t *)desc + len > data + size))
			abort();
	}
	return 0;
}
