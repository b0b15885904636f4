/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * VMCSINFO: the VMCS layout of the host's CPU (revision id and the byte
 * offset of each field), read from the sysfs ABI at load time, carried to
 * the capture kernel as an ELF note, parsed again there
 * (notes/vmcsinfo-parse.h).  The note format
 * is docs/vmcsinfo-note.md.
 *
 * This file has no dependencies beyond libc: the kexec-tools patch series
 * carries the same source.
 */
#ifndef VMCSINFO_H
#define VMCSINFO_H

#include <stddef.h>
#include <stdint.h>

#include "vgerr.h"

#define VMCSINFO_NOTE_NAME "VMCSINFO"
#define VMCSINFO_NOTE_TYPE 0
#define VMCSINFO_VERSION 1
#define VMCSINFO_SYSFS_ROOT "/sys/devices/system/cpu"
#define VMCSINFO_MAX_FIELDS 512
#define VMCSINFO_REGION_SIZE 4096
/* Revision id and VMX-abort indicator: no field may overlap them. */
#define VMCSINFO_HEADER_SIZE 8
/* Upper bound of the descriptor text vmcsinfo_format() produces. */
#define VMCSINFO_TEXT_MAX 16384
/* Longest informational value kept. */
#define VMCSINFO_INFO_VALUE_MAX 64
/* Values of the informational SOURCE key. */
#define VMCSINFO_SOURCE_SYSFS "sysfs"
#define VMCSINFO_SOURCE_VMCS12 "vmcs12"
#define VMCSINFO_SOURCE_FILE "file"
/*
 * AR_FORMAT: how the VMCS keeps the guest segment access-rights fields
 * (4814...4822) in memory; from the provider's vmcs_ar_format file.  Not
 * informational: readers decode the access rights with it
 * (docs/vmcsinfo-note.md).
 */
#define VMCSINFO_KEY_AR_FORMAT "AR_FORMAT"
#define VMCSINFO_AR_ARCHITECTURAL "architectural"
#define VMCSINFO_AR_ROTATED_8 "rotated-8"
#define VMCSINFO_AR_PACKED_16 "packed-16"

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

/*
 * Width in bytes of a field, from its encoding (bits 14:13: 0 = 16-bit,
 * 1 = 64-bit, 2 = 32-bit, 3 = natural width = 8).  A "high" access
 * encoding (bit 0 set) of a 64-bit field names its upper 4 bytes: width 4.
 * Returns 0 for an encoding that cannot name a field (reserved bits 12 or
 * 15 set, or the high access type on a field that is not 64-bit).
 */
unsigned int vmcsinfo_field_width(uint16_t encoding);

/*
 * Read <root>/vmcs_id and <root>/vmcs/<enc>.  Returns 0, -ENOENT when the
 * tree does not exist at all (no provider), or another negative errno with
 * a one-line message naming the file in err.
 */
int vmcsinfo_from_sysfs(const char *root, struct vmcsinfo *vi,
			struct vg_error *err);

/*
 * Check revision id, offsets, alignment and overlaps of a sorted layout;
 * 0 or -EINVAL + err.  Fields are named by their file in dir, or as
 * FIELD(0x....) when dir is NULL.
 */
int vmcsinfo_check(const struct vmcsinfo *vi, const char *dir,
		   struct vg_error *err);

/* Descriptor text; returns its length (excluding NUL) or -ENOSPC. */
int vmcsinfo_format(const struct vmcsinfo *vi, char *buf, size_t bufsz);

/*
 * The number syntax of the sysfs ABI and of the descriptor: base 0 as
 * strtoull(s, NULL, 0) reads it ("0x1f8", "504"), but no sign, no white
 * space, every byte of s[0..len) consumed, no overflow.  0 or -1.
 */
int vmcsinfo_number(const char *s, size_t len, uint64_t *out);

/* Sort the fields by encoding (what vmcsinfo_check() expects). */
void vmcsinfo_sort(struct vmcsinfo *vi);

/* The field with this encoding in a sorted layout, or NULL. */
const struct vmcsinfo_field *vmcsinfo_find_field(const struct vmcsinfo *vi,
						 uint16_t encoding);

/*
 * Informational keys (SOURCE, CPU_VENDOR, CPU_FAMILY, CPU_MODEL,
 * CPU_STEPPING, MICROCODE): never needed to use the layout.  Set or
 * replace one; key is [A-Z0-9_]+, value printable ASCII of at most 64
 * bytes (longer values are cut).  Returns 0, -EINVAL or -ENOSPC.
 */
int vmcsinfo_set_info(struct vmcsinfo *vi, const char *key, const char *value);

/*
 * Add CPU_VENDOR, CPU_FAMILY, CPU_MODEL, CPU_STEPPING and MICROCODE from
 * the first processor of a /proc/cpuinfo-format file (NULL: /proc/cpuinfo).
 * Whatever is missing or unreadable is left out: this never fails.
 */
void vmcsinfo_add_cpuinfo(struct vmcsinfo *vi, const char *cpuinfo_path);

#endif
