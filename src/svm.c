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
#define SEV_ENABLE 2ull
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
	if ((nctl & SEV_ES_ENABLE) && !(nctl & SEV_ENABLE))
		return "SEV-ES enabled without SEV";
	if ((nctl & SEV_ES_ENABLE) &&
	    (!vmsa || (vmsa & 0xfff) || vmsa >= max_paddr))
		return "SEV-ES without a VMSA page";
	return NULL;
}

/*
 * The structure of the save area (plain SVM and SEV: not encrypted):
 * KVM forces EFER.SVME, and the reserved parts are zero.  The guest's own
 * values are judged one by one in decode_save().
 */
static const char *check_save(const uint8_t *page)
{
	if (!(g64(page, VMCB_EFER) & EFER_SVME))
		return "EFER.SVME clear";
	if (!zero(page, 0x4a0, 0x4ca) || !zero(page, 0x4cc, 0x4d0) ||
	    !zero(page, 0x4d8, 0x548))
		return "reserved save area not zero";
	return NULL;
}

static const char *efer_why(uint64_t efer)
{
	if (efer & ~EFER_DEFINED)
		return "reserved bits set";
	if ((efer & (1u << 10)) && !(efer & (1u << 8)))
		return "LMA set without LME";
	return NULL;
}

static const char *cr0_why(uint64_t cr0)
{
	if (cr0 >> 32)
		return "reserved bits 63:32 set";
	if ((cr0 & 0x80000000u) && !(cr0 & 1))
		return "PG set without PE";
	if ((cr0 & 0x20000000u) && !(cr0 & 0x40000000u))
		return "NW set without CD";
	return NULL;
}

static int exitcode_ok(uint64_t code)
{
	/* APM: 0x0-0x403 (VMGEXIT), and the negative codes -1 to -4. */
	return code <= 0x403 || code >= (uint64_t)-4 || code == 0xf0000000u;
}

/* Control registers, RFLAGS, EFER, CPL: each kept only when plausible. */
static void decode_ctl_regs(const uint8_t *page, struct vg_vcpu *v)
{
	uint64_t f = g64(page, VMCB_RFLAGS);

	v->rflags = f;
	vg_vcpu_keep(v, VG_K_RFLAGS, "rflags",
		     (f & 0x8028) || !(f & 2) || (f >> 22) ?
			     "reserved bits wrong" :
			     NULL);
	v->cr0 = g64(page, VMCB_CR0);
	vg_vcpu_keep(v, VG_K_CR0, "cr0", cr0_why(v->cr0));
	v->cr3 = g64(page, VMCB_CR3);
	vg_vcpu_keep(v, VG_K_CR3, "cr3",
		     v->cr3 >> 52 ? "reserved bits set" : NULL);
	v->cr4 = g64(page, VMCB_CR4);
	vg_vcpu_keep(v, VG_K_CR4, "cr4",
		     v->cr4 >> 32 ? "reserved bits 63:32 set" : NULL);
	v->efer = g64(page, VMCB_EFER);
	vg_vcpu_keep(v, VG_K_EFER, "efer", efer_why(v->efer));
	v->cpl = page[VMCB_CPL];
	vg_vcpu_keep(v, VG_K_CPL, "cpl", v->cpl > 3 ? "above 3" : NULL);
	v->rflags *= !!(v->known & VG_K_RFLAGS);
	v->cr0 *= !!(v->known & VG_K_CR0);
	v->cr3 *= !!(v->known & VG_K_CR3);
	v->cr4 *= !!(v->known & VG_K_CR4);
	v->efer *= !!(v->known & VG_K_EFER);
	v->cpl = (uint8_t)(v->cpl * !!(v->known & VG_K_CPL));
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
	vcpu->gpr[VG_RSP] = g64(page, VMCB_RSP);
	vcpu->gpr[VG_RAX] = g64(page, VMCB_RAX);
	vcpu->gpr_known = (1u << VG_RSP) | (1u << VG_RAX);
	vcpu->cr2 = g64(page, VMCB_CR2);
	vcpu->cr8 = g32(page, VMCB_INT_CTL) & 0xf;
	vcpu->kernel_gs_base = g64(page, VMCB_KERNEL_GS_BASE);
	decode_ctl_regs(page, vcpu);
	for (int i = 0; i < VG_NR_SEGS; i++) {
		uint16_t attrib = g16(page, off[i] + 2);

		vcpu->seg[i].selector = g16(page, off[i]);
		vcpu->seg[i].attr = vg_svm_attr_to_ar(attrib);
		if (attrib & 0xf000) {
			vcpu->seg[i].attr = 0;
			vcpu->attr_unknown |= 1u << i;
			vg_vcpu_unknown(vcpu, vg_seg_attr_field(i),
					"segment attribute reserved bits set");
		}
		vcpu->seg[i].limit = g32(page, off[i] + 4);
		vcpu->seg[i].base = g64(page, off[i] + 8);
	}
	vcpu->gdtr.limit = g32(page, VMCB_GDTR + 4);
	vcpu->gdtr.base = g64(page, VMCB_GDTR + 8);
	vcpu->idtr.limit = g32(page, VMCB_IDTR + 4);
	vcpu->idtr.base = g64(page, VMCB_IDTR + 8);
	vcpu->known |= VG_K_RIP | VG_K_CR2 | VG_K_CR8 | VG_K_SEGS |
		       VG_K_SEG_ATTR | VG_K_DTABLES | VG_K_KERNEL_GS_BASE;
}

const char *vg_svm_check(const uint8_t *page, uint64_t max_paddr,
			 struct vg_vcpu *vcpu, uint64_t *ncr3_out)
{
	uint64_t nctl = g64(page, VMCB_NESTED_CTL);
	/* SEV-ES: the save area is encrypted (in the VMSA), not checked. */
	int sev_es = !!(nctl & SEV_ES_ENABLE);
	const char *why = check_control(page, max_paddr);
	uint64_t code = g64(page, VMCB_EXITCODE);

	if (!why && !sev_es)
		why = check_save(page);
	if (why)
		return why;
	memset(vcpu, 0, sizeof(*vcpu));
	vcpu->vendor = VG_VENDOR_SVM;
	vg_vcpu_keep(vcpu, VG_K_EXIT_REASON, "exit_reason",
		     exitcode_ok(code) ? NULL :
					 "not an exit code the APM defines");
	vcpu->exit_reason = exitcode_ok(code) ? code : 0;
	/* SEV-SNP also sets SEV-ES here: the VMCB cannot tell them apart. */
	vcpu->protection = sev_es	       ? VG_PROT_SEV_ES :
			   (nctl & SEV_ENABLE) ? VG_PROT_SEV :
						 VG_PROT_NONE;
	if (sev_es)
		vcpu->state_encrypted = 1;
	else
		decode_save(page, vcpu);
	*ncr3_out = g64(page, VMCB_NCR3);
	return NULL;
}
