// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Building one ELF note (see loadnotes.h).
 * libc only: the kexec-tools patch series carries the same source.
 */
#include <string.h>

#include "loadnotes.h"

#define ALIGN4(x) (((x) + 3) & ~(size_t)3)

/* The three words of an Elf64_Nhdr (same layout as Elf32_Nhdr). */
struct loadnote_nhdr {
	uint32_t n_namesz;
	uint32_t n_descsz;
	uint32_t n_type;
};

size_t loadnote_size(const char *name, size_t desclen)
{
	size_t namesz;

	if (!name || !*name)
		return 0;
	namesz = strlen(name) + 1;
	if (namesz > UINT32_MAX || desclen > UINT32_MAX - 3 ||
	    desclen > LOADNOTES_MAX_SIZE)
		return 0;
	return sizeof(struct loadnote_nhdr) + ALIGN4(namesz) + ALIGN4(desclen);
}

size_t loadnote_build(void *buf, size_t bufsz, const char *name, uint32_t type,
		      const void *desc, size_t desclen)
{
	struct loadnote_nhdr nh;
	size_t size = loadnote_size(name, desclen);
	unsigned char *p = buf;

	if (!size || !buf || bufsz < size || (desclen && !desc))
		return 0;
	memset(p, 0, size);
	nh.n_namesz = (uint32_t)(strlen(name) + 1);
	nh.n_descsz = (uint32_t)desclen;
	nh.n_type = type;
	memcpy(p, &nh, sizeof(nh));
	p += sizeof(nh);
	memcpy(p, name, nh.n_namesz - 1);
	p += ALIGN4(nh.n_namesz);
	if (desclen)
		memcpy(p, desc, desclen);
	return size;
}
