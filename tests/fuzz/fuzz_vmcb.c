// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the VMCB decoder (src/svm.c) on one host page.  The
 * input is the page (zero-padded to 4 KiB).
 */
#include "src/svm.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t page[4096];
	struct vg_vcpu vcpu;
	uint64_t ncr3 = 0;
	const char *why;

	memset(page, 0, sizeof(page));
	memcpy(page, data, size < sizeof(page) ? size : sizeof(page));
	if (!vg_svm_prefilter(page))
		return 0;
	memset(&vcpu, 0, sizeof(vcpu));
	why = vg_svm_check(page, 1ull << 36, &vcpu, &ncr3);
	if (why && !why[0])
		abort();
	for (int i = 0; i < 10; i++) {
		uint16_t a;

		memcpy(&a, page + VMCB_ES + 16 * i + 2, 2);
		vg_svm_attr_to_ar(a);
	}
	return 0;
}
