// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KVMINFO as a whole ELF note (notes/notebuild.h); apart from
 * notebuild.c because it needs libbpf through kvminfo_format().
 */
#include "notebuild.h"

#include <errno.h>
#include <stdlib.h>

#include "loadnotes.h"

int kvminfo_note(const struct kvminfo_source *src, void *buf, size_t bufsz,
		 struct vg_error *err)
{
	char *text = malloc(KVMINFO_TEXT_MAX);
	size_t size;
	int len;

	if (!text)
		return vg_error_set(err, -ENOMEM, "out of memory");
	len = kvminfo_format(src, text, KVMINFO_TEXT_MAX, err);
	if (len < 0) {
		free(text);
		return len;
	}
	size = loadnote_build(buf, bufsz, KVMINFO_NOTE_NAME, KVMINFO_NOTE_TYPE,
			      text, (size_t)len);
	free(text);
	if (!size)
		return vg_error_set(
			err, -ENOSPC,
			"the KVMINFO note (%zu bytes) does not fit in %zu "
			"bytes",
			loadnote_size(KVMINFO_NOTE_NAME, (size_t)len), bufsz);
	return (int)size;
}
