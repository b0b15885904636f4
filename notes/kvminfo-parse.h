/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading the KVMINFO note (docs/kvminfo-note.md): the descriptor text is
 * parsed into a table indexed by enum kvminfo_key (notes/kvminfo-keys.h,
 * shared with the writer notes/kvminfo.c); a key the note does not carry
 * stays unknown and the walk that needs it is not attempted.
 */
#ifndef KVMINFO_PARSE_H
#define KVMINFO_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "kvminfo-keys.h"
#include "vgerr.h"

#define VG_KVMINFO_NOTE_NAME "KVMINFO"
#define VG_KVMINFO_NOTE_TYPE 0
#define VG_KVMINFO_TEXT_MAX (64u << 10)

enum vg_ki_vendor { VG_KI_VENDOR_UNKNOWN, VG_KI_VENDOR_SVM, VG_KI_VENDOR_VMX };

struct vg_kvminfo {
	int version;
	char osrelease[65];
	enum vg_ki_vendor vendor;
	uint64_t val[KI_NR];
	uint8_t have[KI_NR];
};

/*
 * Parse the descriptor text (len bytes, need not be NUL-terminated).
 * Unknown keys are ignored; a known key with a malformed value, a missing
 * or unsupported KVMINFO_VERSION fail with -EINVAL and one line in err.
 * KI_OFF_TASK_STATE is also set from an older kernel's
 * OFFSET(task_struct.state).
 */
int vg_kvminfo_parse(const char *text, size_t len, struct vg_kvminfo *ki,
		     struct vg_error *err);

/* The key text of k ("OFFSET(kvm.mm)"), for messages. */
const char *vg_kvminfo_key(enum kvminfo_key k);

/*
 * Are all of keys[0..n) present?  Returns 1, or 0 with the first missing
 * key's name in *missing.
 */
int vg_kvminfo_has(const struct vg_kvminfo *ki, const enum kvminfo_key *keys,
		   size_t n, const char **missing);

/*
 * Compare two descriptions key by key (a note and the dump's own, say):
 * the number of keys that differ (present in one only, or with other
 * values; OSRELEASE and VENDOR count as one), and in out (may be NULL)
 * "KEY: aname VALUE, bname VALUE" for each, "; "-separated, cut with
 * "..." at outsz.
 */
unsigned int vg_kvminfo_diff(const struct vg_kvminfo *a, const char *aname,
			     const struct vg_kvminfo *b, const char *bname,
			     char *out, size_t outsz);

#endif
