// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The load-time notes carrier for kexec_file_load (see carrier.h).
 * libc only: the kexec-tools patch series carries the same source.
 */
#include <stdio.h>
#include <string.h>

#include "carrier.h"

#define ALIGN4(x) (((x) + 3) & ~(size_t)3)

/* newc: "070701" and 13 fields of 8 hex digits. */
#define NEWC_HDR_SIZE 110

struct cpio_entry {
	const char *name;
	uint32_t mode;
	uint32_t nlink;
};

static const struct cpio_entry cpio_dirs[] = {
	{ "etc", 0040755, 2 },
	{ "etc/vmcore-guests", 0040700, 2 },
};

static size_t entry_size(const char *name, size_t filesize)
{
	return ALIGN4(NEWC_HDR_SIZE + strlen(name) + 1) + ALIGN4(filesize);
}

size_t loadnotes_cpio_size(size_t noteslen)
{
	size_t size = 0, i;

	if (noteslen > LOADNOTES_MAX_SIZE)
		return 0;
	for (i = 0; i < sizeof(cpio_dirs) / sizeof(cpio_dirs[0]); i++)
		size += entry_size(cpio_dirs[i].name, 0);
	size += entry_size(LOADNOTES_CPIO_NAME, noteslen);
	size += entry_size("TRAILER!!!", 0);
	return size;
}

/* Write one entry at p (zero-filled by the caller); returns its size. */
static size_t put_entry(unsigned char *p, uint32_t ino, const char *name,
			uint32_t mode, uint32_t nlink, uint32_t mtime,
			const void *data, size_t len)
{
	char hdr[NEWC_HDR_SIZE + 1];
	size_t namesz = strlen(name) + 1;
	size_t off;

	snprintf(hdr, sizeof(hdr),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ino, mode, 0u, 0u, nlink, mtime, (uint32_t)len, 0u, 0u, 0u, 0u,
		 (uint32_t)namesz, 0u);
	memcpy(p, hdr, NEWC_HDR_SIZE);
	memcpy(p + NEWC_HDR_SIZE, name, namesz);
	off = ALIGN4(NEWC_HDR_SIZE + namesz);
	if (len)
		memcpy(p + off, data, len);
	return off + ALIGN4(len);
}

size_t loadnotes_cpio_build(void *buf, size_t bufsz, const void *notes,
			    size_t noteslen, uint32_t mtime)
{
	size_t size = loadnotes_cpio_size(noteslen), off = 0, i;
	unsigned char *p = buf;
	uint32_t ino = 1;

	if (!size || !buf || bufsz < size || (noteslen && !notes))
		return 0;
	memset(p, 0, size);
	for (i = 0; i < sizeof(cpio_dirs) / sizeof(cpio_dirs[0]); i++)
		off += put_entry(p + off, ino++, cpio_dirs[i].name,
				 cpio_dirs[i].mode, cpio_dirs[i].nlink, mtime,
				 NULL, 0);
	off += put_entry(p + off, ino++, LOADNOTES_CPIO_NAME, 0100400, 1, mtime,
			 notes, noteslen);
	off += put_entry(p + off, 0, "TRAILER!!!", 0, 1, 0, NULL, 0);
	return off;
}
