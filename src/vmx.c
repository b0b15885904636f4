// SPDX-License-Identifier: GPL-2.0-or-later
#include "src/vmx.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "notes/vmcsinfo-parse.h"

#define PAGE_SZ 4096u
#define PADDR_MASK 0x000ffffffffff000ull

static unsigned int width(uint16_t enc)
{
	switch ((enc >> 13) & 3) {
	case 0:
		return 2;
	case 1:
		return (enc & 1) ? 4 : 8; /* "high" access of a 64-bit field */
	case 2:
		return 4;
	default:
		return 8;
	}
}

/*
 * KVM's vmcs12 offsets, from the CHECK_OFFSET list in
 * arch/x86/kvm/vmx/vmcs12.h (a save/restore ABI, so they never move),
 * written as runs: n fields of one width whose encodings follow each
 * other (enc, enc + 2, ...) and that are consecutive members of struct
 * vmcs12 (off, off + width, ...).  Sorted by encoding.
 */
static const struct {
	uint16_t enc, off, n;
} vmcs12_runs[] = {
	{ 0x0800, 964, 8 }, /* GUEST_ES_SELECTOR ... GUEST_TR_SELECTOR */
	{ 0x201a, 120, 1 }, /* EPT_POINTER */
	{ 0x2800, 176, 1 }, /* VMCS_LINK_POINTER */
	{ 0x2806, 200, 1 }, /* GUEST_IA32_EFER */
	{ 0x2c02, 264, 1 }, /* HOST_IA32_EFER */
	{ 0x4002, 748, 1 }, /* CPU_BASED_VM_EXEC_CONTROL */
	{ 0x4012, 780, 1 }, /* VM_ENTRY_CONTROLS */
	{ 0x401e, 804, 1 }, /* SECONDARY_VM_EXEC_CONTROL */
	{ 0x4402, 812, 1 }, /* VM_EXIT_REASON */
	/* GUEST_ES_LIMIT ... GUEST_IDTR_LIMIT, then
	 * GUEST_ES_AR_BYTES ... GUEST_TR_AR_BYTES */
	{ 0x4800, 840, 18 },
	/* CR0_GUEST_HOST_MASK, CR4_GUEST_HOST_MASK, CR0_READ_SHADOW,
	 * CR4_READ_SHADOW */
	{ 0x6000, 344, 4 },
	{ 0x6400, 408, 1 }, /* EXIT_QUALIFICATION */
	/* GUEST_CR0, GUEST_CR3, GUEST_CR4, GUEST_ES_BASE ... GUEST_IDTR_BASE,
	 * GUEST_DR7, GUEST_RSP, GUEST_RIP, GUEST_RFLAGS */
	{ 0x6800, 424, 17 },
	{ 0x6c00, 584, 3 }, /* HOST_CR0, HOST_CR3, HOST_CR4 */
	{ 0x6c14, 664, 2 }, /* HOST_RSP, HOST_RIP */
};

const struct vmcsinfo *vg_vmcs12_layout(void)
{
	static struct vmcsinfo vi;
	unsigned int n = 0;

	if (vi.nfields)
		return &vi;
	vi.revision_id = VG_VMCS12_REVISION;
	for (size_t r = 0; r < sizeof(vmcs12_runs) / sizeof(vmcs12_runs[0]);
	     r++) {
		uint16_t enc = vmcs12_runs[r].enc;
		unsigned int w = width(enc);

		for (unsigned int i = 0; i < vmcs12_runs[r].n; i++, n++) {
			vi.fields[n].encoding = (uint16_t)(enc + 2 * i);
			vi.fields[n].offset =
				(uint16_t)(vmcs12_runs[r].off + w * i);
		}
	}
	vi.nfields = n;
	snprintf(vi.info, sizeof(vi.info),
		 "SOURCE=kvm-vmcs12\n" VMCSINFO_KEY_AR_FORMAT
		 "=architectural\n");
	return &vi;
}

int vg_vmx_offset(const struct vmcsinfo *vi, uint16_t encoding)
{
	unsigned int n = vi->nfields;

	if (n > VMCSINFO_MAX_FIELDS)
		n = VMCSINFO_MAX_FIELDS;
	for (unsigned int i = 0; i < n; i++) {
		if (vi->fields[i].encoding != encoding)
			continue;
		/* Never trust an offset to stay inside the region. */
		if (vi->fields[i].offset < 8 ||
		    vi->fields[i].offset + width(encoding) > PAGE_SZ)
			return -1;
		return vi->fields[i].offset;
	}
	return -1;
}

static const uint16_t required[] = {
	VMCS_LINK_POINTER, VMCS_EPT_POINTER, VMCS_HOST_CR0,	VMCS_HOST_CR3,
	VMCS_HOST_CR4,	   VMCS_GUEST_CR0,   VMCS_GUEST_CR3,	VMCS_GUEST_CR4,
	VMCS_GUEST_RIP,	   VMCS_GUEST_RSP,   VMCS_GUEST_RFLAGS,
};

int vg_vmx_layout_usable(const struct vmcsinfo *vi, struct vg_error *err)
{
	if (vi->revision_id & 0x80000000u)
		return vg_error_set(
			err, -EINVAL,
			"VMCSINFO revision 0x%x has bit 31 set (a shadow VMCS id)",
			vi->revision_id);
	for (unsigned int i = 0; i < vi->nfields && i < VMCSINFO_MAX_FIELDS;
	     i++) {
		uint16_t e = vi->fields[i].encoding;

		if (vi->fields[i].offset < 8 ||
		    vi->fields[i].offset + width(e) > PAGE_SZ)
			return vg_error_set(
				err, -EINVAL,
				"VMCSINFO field %04x: offset %u is outside the 4096-byte VMCS region",
				e, vi->fields[i].offset);
	}
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (vg_vmx_offset(vi, required[i]) < 0)
			return vg_error_set(
				err, -EINVAL,
				"VMCSINFO for revision 0x%x lacks field %04x",
				vi->revision_id, required[i]);
	return 0;
}

/* Read a field; returns 0 when the layout lacks it (*ok cleared). */
static uint64_t rd(const uint8_t *page, const struct vmcsinfo *vi, uint16_t enc,
		   int *ok)
{
	int off = vg_vmx_offset(vi, enc);
	uint64_t v = 0;

	if (off < 0) {
		if (ok)
			*ok = 0;
		return 0;
	}
	memcpy(&v, page + off, width(enc));
	return v;
}

/*
 * The structural checks, in the order a reason is reported: the region
 * header (abort indicator, VMCS link pointer), then the host state.
 */
static const char *check_host(const uint8_t *page, const struct vmcsinfo *vi,
			      uint64_t max_paddr)
{
	uint32_t abort_ind;
	uint64_t hcr0, hcr3, hcr4;

	memcpy(&abort_ind, page + 4, 4);
	if (abort_ind > 5)
		return "abort indicator is not a VMX-abort code";
	if (rd(page, vi, VMCS_LINK_POINTER, NULL) != ~0ull) {
		int zero = 1;

		for (unsigned int i = 8; i < PAGE_SZ && zero; i++)
			zero = page[i] == 0;
		return zero ? "all zero after the header: a VMXON region" :
			      "VMCS link pointer is not all ones";
	}
	hcr0 = rd(page, vi, VMCS_HOST_CR0, NULL);
	hcr3 = rd(page, vi, VMCS_HOST_CR3, NULL);
	hcr4 = rd(page, vi, VMCS_HOST_CR4, NULL);
	if (!(hcr4 & (1u << 13)) || (hcr4 >> 32))
		return "HOST_CR4.VMXE clear or reserved bits set";
	if ((hcr0 & 0x80000001u) != 0x80000001u || (hcr0 >> 32))
		return "HOST_CR0 without PE/PG";
	hcr3 &= ~(1ull << 63);
	if (!(hcr4 & (1u << 17)) && (hcr3 & 0xfff))
		return "HOST_CR3 not page aligned";
	if (!(hcr3 & PADDR_MASK) || (hcr3 >> 52) ||
	    (hcr3 & PADDR_MASK) >= max_paddr)
		return "HOST_CR3 zero or outside host memory";
	return NULL;
}

static const char *check_eptp(uint64_t eptp, uint64_t max_paddr)
{
	uint64_t root = eptp & PADDR_MASK;

	if (!eptp)
		return "EPT pointer is zero (shadow paging is not supported)";
	if ((eptp & 7) != 0 && (eptp & 7) != 6)
		return "EPTP memory type is neither UC nor WB";
	if (((eptp >> 3) & 7) != 3 && ((eptp >> 3) & 7) != 4)
		return "EPTP page-walk length is not 4 or 5";
	if ((eptp & 0xf00) || (eptp >> 52))
		return "EPTP reserved bits set";
	if (!root || root >= max_paddr)
		return "EPT root outside host memory";
	return NULL;
}

/* Exit reasons the SDM defines (basic reason 0-100, no reserved bits). */
static int exit_reason_ok(uint64_t reason)
{
	return (reason & 0xffff) <= 100 && !(reason & 0x07ff0000);
}

/*
 * A guest control register as the guest sees it: the bits the host owns
 * (set in the guest/host mask) come from the read shadow, when the layout
 * has both fields.
 */
static uint64_t guest_view(const uint8_t *page, const struct vmcsinfo *vi,
			   uint16_t reg, uint16_t mask_enc, uint16_t shadow_enc)
{
	int ok = 1;
	uint64_t v = rd(page, vi, reg, NULL);
	uint64_t mask = rd(page, vi, mask_enc, &ok);
	uint64_t shadow = rd(page, vi, shadow_enc, &ok);

	return ok ? (v & ~mask) | (shadow & mask) : v;
}

static const char *cr0_why(uint64_t cr0)
{
	if (cr0 >> 32)
		return "reserved bits 63:32 set";
	if ((cr0 & 0x80000000u) && !(cr0 & 1))
		return "PG set without PE";
	return NULL;
}

/* Control registers, RFLAGS, EFER, the exit reason: each on its own. */
static void decode_regs(const uint8_t *page, const struct vmcsinfo *vi,
			struct vg_vcpu *vcpu)
{
	int eok = 1, cok = 1, ok = 1;
	uint64_t efer = rd(page, vi, VMCS_GUEST_IA32_EFER, &eok);
	uint64_t entry = rd(page, vi, VMCS_VM_ENTRY_CONTROLS, &cok);
	uint64_t reason = rd(page, vi, VMCS_VM_EXIT_REASON, &ok);
	uint64_t gcr0 = rd(page, vi, VMCS_GUEST_CR0, NULL);
	uint64_t gcr4 = rd(page, vi, VMCS_GUEST_CR4, NULL);
	uint64_t f = rd(page, vi, VMCS_GUEST_RFLAGS, NULL);
	uint64_t cr3 = rd(page, vi, VMCS_GUEST_CR3, NULL);

	vcpu->vendor = VG_VENDOR_VMX;
	vcpu->rip = rd(page, vi, VMCS_GUEST_RIP, NULL);
	vcpu->gpr[VG_RSP] = rd(page, vi, VMCS_GUEST_RSP, NULL);
	vcpu->gpr_known = 1u << VG_RSP;
	vcpu->known = VG_K_RIP;
	/* Bit 1 always reads 1; 3, 5, 15 and 63:22 are reserved zero. */
	vg_vcpu_keep(vcpu, VG_K_RFLAGS, "rflags",
		     (f & 2) && !(f & 0x8028) && !(f >> 22) ?
			     NULL :
			     "reserved bits wrong");
	vcpu->rflags = f;
	vg_vcpu_keep(vcpu, VG_K_CR0, "cr0", cr0_why(gcr0));
	vcpu->cr0 = guest_view(page, vi, VMCS_GUEST_CR0,
			       VMCS_CR0_GUEST_HOST_MASK, VMCS_CR0_READ_SHADOW);
	vg_vcpu_keep(vcpu, VG_K_CR4, "cr4",
		     gcr4 >> 32 ? "reserved bits 63:32 set" : NULL);
	vcpu->cr4 = guest_view(page, vi, VMCS_GUEST_CR4,
			       VMCS_CR4_GUEST_HOST_MASK, VMCS_CR4_READ_SHADOW);
	vg_vcpu_keep(vcpu, VG_K_CR3, "cr3",
		     (cr3 >> 52) || (!(gcr4 & (1u << 17)) && (cr3 & 0xfe7)) ?
			     "not a page-aligned address" :
			     NULL);
	vcpu->cr3 = cr3;
	/* The field is only live when VM entry loads IA32_EFER. */
	if (eok && cok && (entry & (1u << 15))) {
		/* Intel defines SCE, LME, LMA and NXE. */
		vg_vcpu_keep(vcpu, VG_K_EFER, "efer",
			     efer & ~0xd01ull ? "reserved bits set" : NULL);
		vcpu->efer = efer;
	}
	if (ok) {
		vg_vcpu_keep(vcpu, VG_K_EXIT_REASON, "exit_reason",
			     exit_reason_ok(reason) ?
				     NULL :
				     "not an exit reason the SDM defines");
		vcpu->exit_reason = reason;
	}
	/* Whatever is unknown is not kept either. */
	vcpu->rflags *= !!(vcpu->known & VG_K_RFLAGS);
	vcpu->cr0 *= !!(vcpu->known & VG_K_CR0);
	vcpu->cr3 *= !!(vcpu->known & VG_K_CR3);
	vcpu->cr4 *= !!(vcpu->known & VG_K_CR4);
	vcpu->efer *= !!(vcpu->known & VG_K_EFER);
	vcpu->exit_reason *= !!(vcpu->known & VG_K_EXIT_REASON);
}

/* Segment registers and descriptor-table registers. */
static void decode_segs(const uint8_t *page, const struct vmcsinfo *vi,
			struct vg_vcpu *vcpu)
{
	uint32_t raw[VG_NR_SEGS];
	int sok = 1, aok = 1;

	for (int i = 0; i < VG_NR_SEGS && sok; i++) {
		uint16_t d = (uint16_t)(2 * i);
		struct vg_seg *s = &vcpu->seg[i];

		s->selector = (uint16_t)rd(
			page, vi, (uint16_t)(VMCS_GUEST_ES_SELECTOR + d), &sok);
		s->limit = (uint32_t)rd(
			page, vi, (uint16_t)(VMCS_GUEST_ES_LIMIT + d), &sok);
		s->base =
			rd(page, vi, (uint16_t)(VMCS_GUEST_ES_BASE + d), &sok);
		/* Optional: not in the layout when the provider could not
		 * locate them (docs/vmcsinfo-intel.md). */
		raw[i] = (uint32_t)rd(page, vi,
				      (uint16_t)(VMCS_GUEST_ES_AR + d), &aok);
	}
	if (sok) {
		vcpu->known |= VG_K_SEGS;
		if (aok)
			vg_vmx_decode_ar(vcpu, raw, vg_vmx_ar_format(vi));
		else
			vcpu->ar_why =
				"the VMCS layout has no access-rights fields";
	}
	sok = 1;
	vcpu->gdtr.base = rd(page, vi, VMCS_GUEST_GDTR_BASE, &sok);
	vcpu->gdtr.limit = (uint32_t)rd(page, vi, VMCS_GUEST_GDTR_LIMIT, &sok);
	vcpu->idtr.base = rd(page, vi, VMCS_GUEST_IDTR_BASE, &sok);
	vcpu->idtr.limit = (uint32_t)rd(page, vi, VMCS_GUEST_IDTR_LIMIT, &sok);
	if (sok)
		vcpu->known |= VG_K_DTABLES;
}

const char *vg_vmx_check(const uint8_t *page, const struct vmcsinfo *vi,
			 uint64_t max_paddr, struct vg_vcpu *vcpu,
			 uint64_t *eptp_out)
{
	uint64_t eptp = rd(page, vi, VMCS_EPT_POINTER, NULL);
	const char *why;

	/* Only the structure decides; guest fields are trusted one by one. */
	why = check_host(page, vi, max_paddr);
	if (!why)
		why = check_eptp(eptp, max_paddr);
	if (why)
		return why;
	memset(vcpu, 0, sizeof(*vcpu));
	decode_regs(page, vi, vcpu);
	decode_segs(page, vi, vcpu);
	*eptp_out = eptp;
	return NULL;
}

int vg_vmx_looks_like_vmcs(const uint8_t *page)
{
	uint32_t rev, abort_ind;
	unsigned int nonzero = 0, ones = 0;

	memcpy(&rev, page, 4);
	memcpy(&abort_ind, page + 4, 4);
	/* Hardware revision ids are small numbers. */
	if (rev == 0 || rev >= 0x10000 || abort_ind != 0)
		return 0;
	for (unsigned int off = 8; off < PAGE_SZ; off += 8) {
		uint64_t v;

		memcpy(&v, page + off, 8);
		if (v == ~0ull)
			ones++;
		else if (v)
			nonzero++;
	}
	return ones >= 1 && ones <= 4 && nonzero >= 16;
}
