// SPDX-License-Identifier: GPL-2.0-or-later
#include "src/vcpu.h"

#include <stddef.h>

const char *vg_protection_name(enum vg_protection p)
{
	switch (p) {
	case VG_PROT_SW_PROTECTED:
		return "sw-protected";
	case VG_PROT_SEV:
		return "sev";
	case VG_PROT_SEV_ES:
		return "sev-es";
	case VG_PROT_SEV_SNP:
		return "sev-snp";
	case VG_PROT_TDX:
		return "tdx";
	default:
		return NULL;
	}
}
