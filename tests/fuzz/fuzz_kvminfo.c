// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the KVMINFO text parser (notes/kvminfo-parse.c) and
 * the note-versus-dump comparison the CLI makes with what it parsed.
 * The input is the text, not NUL-terminated.
 */
#include "notes/kvminfo-parse.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vg_kvminfo ki, other;
	static const enum kvminfo_key keys[] = { KI_SYM_VM_LIST,
						 KI_OFF_KVM_VM_LIST,
						 KI_SIZE_KVM };
	struct vg_error err;
	const char *missing;
	char diff[512];
	int rc = vg_kvminfo_parse((const char *)data, size, &ki, &err);

	fz_one_line(rc, &err);
	if (rc < 0)
		return 0;
	vg_kvminfo_has(&ki, keys, sizeof(keys) / sizeof(keys[0]), &missing);
	if (vg_kvminfo_diff(&ki, "a", &ki, "b", diff, sizeof(diff)))
		abort(); /* differs from itself */
	memset(&other, 0, sizeof(other));
	vg_kvminfo_diff(&ki, "note", &other, "dump", diff, sizeof(diff));
	if (strnlen(diff, sizeof(diff)) == sizeof(diff))
		abort();
	return 0;
}
