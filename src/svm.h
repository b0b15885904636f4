/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * AMD SVM: recognising VMCB pages in host memory and reading guest state
 * from them.  Offsets are the architectural VMCB layout (AMD APM vol. 2
 * appendix B), the same as Linux's struct vmcb_control_area and struct
 * vmcb_save_area in arch/x86/include/asm/svm.h.
 */
#ifndef VG_SVM_H
#define VG_SVM_H

#include <stdint.h>

#include "src/vcpu.h"

/* Control area */
#define VMCB_INTERCEPT_WORD4 0x010 /* bit 0: VMRUN */
#define VMCB_ASID 0x058
#define VMCB_INT_CTL 0x060 /* bits 3:0 V_TPR */
#define VMCB_EXITCODE 0x070
#define VMCB_EXITINFO1 0x078
#define VMCB_EXITINFO2 0x080
#define VMCB_NESTED_CTL 0x090 /* bit 0 NP, 1 SEV, 2 SEV-ES */
#define VMCB_NCR3 0x0b0
#define VMCB_VMSA_PA 0x108
/* Save area */
#define VMCB_SAVE 0x400
#define VMCB_ES 0x400 /* ES CS SS DS FS GS GDTR LDTR IDTR TR, 16 bytes */
#define VMCB_GDTR 0x460
#define VMCB_LDTR 0x470
#define VMCB_IDTR 0x480
#define VMCB_TR 0x490
#define VMCB_CPL 0x4cb
#define VMCB_EFER 0x4d0
#define VMCB_CR4 0x548
#define VMCB_CR3 0x550
#define VMCB_CR0 0x558
#define VMCB_DR7 0x560
#define VMCB_DR6 0x568
#define VMCB_RFLAGS 0x570
#define VMCB_RIP 0x578
#define VMCB_RSP 0x5d8
#define VMCB_RAX 0x5f8
#define VMCB_KERNEL_GS_BASE 0x620
#define VMCB_CR2 0x640

/* Cheap first filter: VMRUN intercept and EFER.SVME set.  1 = candidate. */
int vg_svm_prefilter(const uint8_t *page);

/*
 * Full validation of a candidate.  Returns NULL and fills vcpu/ncr3 when
 * the page is a VMCB, else a short static reason for -v.
 */
const char *vg_svm_check(const uint8_t *page, uint64_t max_paddr,
			 struct vg_vcpu *vcpu, uint64_t *ncr3);

/* SVM segment attributes to VMX access rights (0 = not present). */
uint32_t vg_svm_attr_to_ar(uint16_t attrib);

#endif
