/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VMCSINFO: the VMCS layout of the host's CPU (revision id and the byte
 * offset of each field), read from the sysfs ABI at load time, carried to
 * the capture kernel as an ELF note, parsed again there.  The note format
 * is docs/vmcsinfo-note.md.
 *
 * This file has no dependencies beyond libc: the kexec-tools patch series
 * carries the same source.
 */
#ifndef VMCSINFO_H
#define VMCSINFO_H

#include <stddef.h>
#include <stdint.h>

#define VMCSINFO_NOTE_NAME "VMCSINFO"
#define VMCSINFO_NOTE_TYPE 0
#define VMCSINFO_VERSION 1
#define VMCSINFO_SYSFS_ROOT "/sys/devices/system/cpu"
#define VMCSINFO_MAX_FIELDS 512
#define VMCSINFO_REGION_SIZE 4096

struct vmcsinfo_field {
	uint16_t encoding;
	uint16_t offset; /* byte offset in the VMCS region, never 0 */
};

struct vmcsinfo {
	uint32_t revision_id;
	unsigned int nfields;
	struct vmcsinfo_field fields[VMCSINFO_MAX_FIELDS]; /* by encoding */
	char info[512]; /* informational KEY=VALUE lines, '\n'-terminated */
};

/* Width in bytes of a field, from its encoding (natural width = 8). */
unsigned int vmcsinfo_field_width(uint16_t encoding);

/*
 * Read <root>/vmcs_id and <root>/vmcs/<enc>.  Returns 0, -ENOENT when the
 * tree does not exist at all (no provider), or another negative errno with
 * a one-line message naming the file in err.
 */
int vmcsinfo_from_sysfs(const char *root, struct vmcsinfo *vi, char *err,
			size_t errsz);

/* Check revision id, offsets, alignment and overlaps; 0 or -EINVAL + err. */
int vmcsinfo_validate(const struct vmcsinfo *vi, char *err, size_t errsz);

/* Descriptor text; returns its length (excluding NUL) or -ENOSPC. */
int vmcsinfo_format(const struct vmcsinfo *vi, char *buf, size_t bufsz);

/* Parse descriptor text (need not be NUL-terminated) and validate it. */
int vmcsinfo_parse(const char *text, size_t len, struct vmcsinfo *vi,
		   char *err, size_t errsz);

/* Offset of a field, or -1 when the layout does not have it. */
int vmcsinfo_offset(const struct vmcsinfo *vi, uint16_t encoding);

#endif
