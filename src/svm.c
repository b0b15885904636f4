// SPDX-License-Identifier: GPL-2.0-or-later
#include "src/svm.h"

#include <string.h>

#define PAGE_SZ 4096u
#define PADDR_MASK 0x000ffffffffff000ull
#define EFER_SVME (1ull << 12)
/* EFER bits AMD defines: SCE, LME, LMA, NXE, SVME, LMSLE, FFXSR, TCE,
 * MCOMMIT, INTWB, UAIE, AIBRSE. */
#define EFER_DEFINED 0x3ffd01ull
#define NP_ENABLE 1ull
#define SEV_ES_ENABLE 4ull

static uint64_t g64(const uint8_t *p, unsigned int off)
{
	uint64_t v;

	memcpy(&v, p + off, 8);
	return v;
}

static uint32_t g32(const uint8_t *p, unsigned int off)
{
	uint32_t v;

	memcpy(&v, p + off, 4);
	return v;
}

static uint16_t g16(const uint8_t *p, unsigned int off)
{
	uint16_t v;

	memcpy(&v, p + off, 2);
	return v;
}

static int zero(const uint8_t *p, unsigned int from, unsigned int to)
{
	for (unsigned int i = from; i < to; i++)
		if (p[i])
			return 0;
	return 1;
}

int vg_svm_prefilter(const uint8_t *page)
{
	return (g32(page, VMCB_INTERCEPT_WORD4) & 1) &&
	       (g64(page, VMCB_EFER) & EFER_SVME);
}

uint32_t vg_svm_attr_to_ar(uint16_t attrib)
{
	uint32_t ar = (attrib & 0xffu) | ((attrib & 0xf00u) << 4);

	if (!(attrib & 0x80)) /* not present */
		ar |= VG_SEG_UNUSABLE;
	return ar;
}

/* The control area, and for SEV-ES the VMSA pointer. */
static const char *check_control(const uint8_t *page, uint64_t max_paddr)
{
	uint64_t nctl = g64(page, VMCB_NESTED_CTL);
	uint64_t ncr3 = g64(page, VMCB_NCR3);
	uint64_t vmsa = g64(page, VMCB_VMSA_PA);

	if (!(g32(page, VMCB_INTERCEPT_WORD4) & 1))
		return "VMRUN intercept clear";
	if (g32(page, VMCB_ASID) == 0)
		return "ASID 0 (reserved for the host)";
	if (!(nctl & NP_ENABLE))
		return "nested paging disabled (shadow paging is not supported)";
	if (nctl >> 8)
		return "nested control reserved bits set";
	if ((ncr3 & 0xfe7) || (ncr3 >> 52) || !(ncr3 & PADDR_MASK) ||
	    (ncr3 & PADDR_MASK) >= max_paddr)
		return "nCR3 not a page-aligned address in host memory";
	/* Reserved control-area space (reserved_8) must be zero. */
	if (!zero(page, 0x200, 0x3e0))
		return "reserved control area not zero";
	if ((nctl & SEV_ES_ENABLE) &&
	    (!vmsa || (vmsa & 0xfff) || vmsa >= max_paddr))
		return "SEV-ES without a VMSA page";
	return NULL;
}

/* The save area (plain SVM and SEV: not encrypted). */
static const char *check_save(const uint8_t *page)
{
	uint64_t efer = g64(page, VMCB_EFER);
	uint64_t cr0 = g64(page, VMCB_CR0);
	uint64_t rflags = g64(page, VMCB_RFLAGS);

	if (!(efer & EFER_SVME) || (efer & ~EFER_DEFINED))
		return "EFER.SVME clear or EFER reserved bits set";
	if ((efer & (1u << 10)) && !(efer & (1u << 8)))
		return "EFER.LMA without LME";
	if ((cr0 >> 32) || ((cr0 & 0x80000000u) && !(cr0 & 1)) ||
	    ((cr0 & 0x20000000u) && !(cr0 & 0x40000000u)))
		return "implausible CR0";
	if (g64(page, VMCB_CR4) >> 32)
		return "CR4 reserved bits set";
	if (g64(page, VMCB_CR3) >> 52)
		return "CR3 reserved bits set";
	if ((rflags & 0x8028) || !(rflags & 2) || (rflags >> 22))
		return "RFLAGS reserved bits wrong";
	if (page[VMCB_CPL] > 3)
		return "CPL above 3";
	for (unsigned int s = 0; s < 10; s++)
		if (g16(page, VMCB_ES + 16 * s + 2) & 0xf000)
			return "segment attribute reserved bits set";
	if (!zero(page, 0x4a0, 0x4ca) || !zero(page, 0x4cc, 0x4d0) ||
	    !zero(page, 0x4d8, 0x548))
		return "reserved save area not zero";
	return NULL;
}

/* Guest registers from a save area that passed check_save. */
static void decode_save(const uint8_t *page, struct vg_vcpu *vcpu)
{
	/* VMCB order ES CS SS DS FS GS; LDTR and TR after GDTR. */
	static const unsigned int off[VG_NR_SEGS] = {
		[VG_ES] = 0x400,       [VG_CS] = 0x410,	  [VG_SS] = 0x420,
		[VG_DS] = 0x430,       [VG_FS] = 0x440,	  [VG_GS] = 0x450,
		[VG_LDTR] = VMCB_LDTR, [VG_TR] = VMCB_TR,
	};

	vcpu->rip = g64(page, VMCB_RIP);
	vcpu->rflags = g64(page, VMCB_RFLAGS);
	vcpu->gpr[VG_RSP] = g64(page, VMCB_RSP);
	vcpu->gpr[VG_RAX] = g64(page, VMCB_RAX);
	vcpu->gpr_known = (1u << VG_RSP) | (1u << VG_RAX);
	vcpu->cr0 = g64(page, VMCB_CR0);
	vcpu->cr2 = g64(page, VMCB_CR2);
	vcpu->cr3 = g64(page, VMCB_CR3);
	vcpu->cr4 = g64(page, VMCB_CR4);
	vcpu->cr8 = g32(page, VMCB_INT_CTL) & 0xf;
	vcpu->efer = g64(page, VMCB_EFER);
	vcpu->kernel_gs_base = g64(page, VMCB_KERNEL_GS_BASE);
	for (int i = 0; i < VG_NR_SEGS; i++) {
		vcpu->seg[i].selector = g16(page, off[i]);
		vcpu->seg[i].attr = vg_svm_attr_to_ar(g16(page, off[i] + 2));
		vcpu->seg[i].limit = g32(page, off[i] + 4);
		vcpu->seg[i].base = g64(page, off[i] + 8);
	}
	vcpu->gdtr.limit = g32(page, VMCB_GDTR + 4);
	vcpu->gdtr.base = g64(page, VMCB_GDTR + 8);
	vcpu->idtr.limit = g32(page, VMCB_IDTR + 4);
	vcpu->idtr.base = g64(page, VMCB_IDTR + 8);
	vcpu->known |= VG_K_RIP | VG_K_RFLAGS | VG_K_CR0 | VG_K_CR2 | VG_K_CR3 |
		       VG_K_CR4 | VG_K_CR8 | VG_K_EFER | VG_K_SEGS |
		       VG_K_SEG_ATTR | VG_K_DTABLES | VG_K_KERNEL_GS_BASE;
}

const char *vg_svm_check(const uint8_t *page, uint64_t max_paddr,
			 struct vg_vcpu *vcpu, uint64_t *ncr3_out)
{
	/* SEV-ES: the save area is encrypted (in the VMSA), not checked. */
	int sev_es = !!(g64(page, VMCB_NESTED_CTL) & SEV_ES_ENABLE);
	const char *why = check_control(page, max_paddr);

	if (!why && !sev_es)
		why = check_save(page);
	if (why)
		return why;
	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vendor = VG_VENDOR_SVM;
	vcpu->exit_reason = g64(page, VMCB_EXITCODE);
	vcpu->known = VG_K_EXIT_REASON;
	if (sev_es)
		vcpu->state_encrypted = 1;
	else
		decode_save(page, vcpu);
	*ncr3_out = g64(page, VMCB_NCR3);
	return NULL;
}
