/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names of VM exit reasons: VMX basic exit reasons (Intel SDM vol. 3,
 * appendix C) and SVM exit codes (AMD APM vol. 2, appendix C), spelled as
 * the kernel's VMX_EXIT_REASONS / SVM_EXIT_REASONS tables do.
 */
#ifndef VG_EXITNAMES_H
#define VG_EXITNAMES_H

#include <stddef.h>
#include <stdint.h>

#include "src/vcpu.h"

/*
 * Writes the name into buf ("HLT", "NMI", "EXCEPTION_NMI",
 * "CR_WRITE(3)", "unknown(0x..)") and returns buf.  VMX: the basic exit
 * reason is bits 15:0 of the exit reason; "VM-entry failure" (bit 31) is
 * prefixed.
 */
const char *vg_exit_reason_name(enum vg_vendor vendor, uint64_t code, char *buf,
				size_t bufsz);

#endif
