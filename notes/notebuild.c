// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VMCSINFO and KVMINFO as whole ELF notes (notes/notebuild.h).
 */
#include "notebuild.h"

#include <errno.h>
#include <stdlib.h>

#include "loadnotes.h"

int vmcsinfo_note(const struct vmcsinfo *vi, void *buf, size_t bufsz)
{
	char *text = malloc(VMCSINFO_TEXT_MAX);
	size_t size;
	int len;

	if (!text)
		return -ENOMEM;
	len = vmcsinfo_format(vi, text, VMCSINFO_TEXT_MAX);
	if (len < 0) {
		free(text);
		return len;
	}
	size = loadnote_build(buf, bufsz, VMCSINFO_NOTE_NAME,
			      VMCSINFO_NOTE_TYPE, text, (size_t)len);
	free(text);
	return size ? (int)size : -ENOSPC;
}
