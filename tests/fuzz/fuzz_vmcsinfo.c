// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the VMCSINFO text parser (notes/vmcsinfo-parse.c) as
 * the note, --vmcsinfo and vmcsinfo_intel's text reach it, then what the
 * CLI asks of a parsed layout (src/vmx.c).  The input is the text, not
 * NUL-terminated.
 */
#include "notes/vmcsinfo-parse.h"
#include "src/vmx.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vmcsinfo vi;
	struct vg_error err;
	char buf[VMCSINFO_INFO_VALUE_MAX + 1];
	int rc = vmcsinfo_parse((const char *)data, size, &vi, &err);

	fz_one_line(rc, &err);
	if (rc < 0)
		return 0;
	if (vmcsinfo_validate(&vi, &err) < 0)
		abort(); /* parse accepted what validate refuses */
	rc = vg_vmx_layout_usable(&vi, &err);
	fz_one_line(rc, &err);
	for (unsigned i = 0; i < vi.nfields; i++)
		if (vmcsinfo_offset(&vi, vi.fields[i].encoding) !=
		    vi.fields[i].offset)
			abort(); /* a field parsed but not found */
	vmcsinfo_get_info(&vi, "BUILD", buf, sizeof(buf));
	vg_vmx_offset(&vi, VMCS_GUEST_RIP);
	return 0;
}
