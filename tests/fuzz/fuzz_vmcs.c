// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the VMCS decoder (src/vmx.c) on one host page, with
 * the built-in vmcs12 layout.  The input is the page (zero-padded to
 * 4 KiB); the revision id of the layout is put at its head when the
 * input's first byte is odd, so that most inputs get past the id check.
 */
#include "src/vmx.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vmcsinfo *vi = vg_vmcs12_layout();
	static uint8_t page[4096];
	struct vg_vcpu vcpu;
	uint64_t eptp = 0;
	const char *why;

	memset(page, 0, sizeof(page));
	memcpy(page, data, size < sizeof(page) ? size : sizeof(page));
	if (size && (data[0] & 1))
		memcpy(page, &vi->revision_id, 4);
	vg_vmx_looks_like_vmcs(page);
	memset(&vcpu, 0, sizeof(vcpu));
	why = vg_vmx_check(page, vi, 1ull << 36, &vcpu, &eptp);
	if (why && !why[0])
		abort(); /* a rejection without its reason */
	return 0;
}
