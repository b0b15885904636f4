/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The vendor-neutral state of one guest vCPU, as recovered from a host
 * dump.  VMX and SVM extraction fill it; the guest-core writer and the
 * report read it.  Whatever could not be recovered has its "known" bit
 * clear and is never invented.
 */
#ifndef VG_VCPU_H
#define VG_VCPU_H

#include <stdint.h>

enum vg_vendor { VG_VENDOR_VMX = 1, VG_VENDOR_SVM = 2 };

/* General-purpose registers in x86 encoding order (KVM's VCPU_REGS_*). */
enum vg_gpr {
	VG_RAX,
	VG_RCX,
	VG_RDX,
	VG_RBX,
	VG_RSP,
	VG_RBP,
	VG_RSI,
	VG_RDI,
	VG_R8,
	VG_R9,
	VG_R10,
	VG_R11,
	VG_R12,
	VG_R13,
	VG_R14,
	VG_R15,
	VG_NR_GPRS
};

/* Segment registers in VMX field order. */
enum vg_segreg {
	VG_ES,
	VG_CS,
	VG_SS,
	VG_DS,
	VG_FS,
	VG_GS,
	VG_LDTR,
	VG_TR,
	VG_NR_SEGS
};

/*
 * attr uses the VMX access-rights layout (SDM 24.4.1): bits 3:0 type,
 * 4 S, 6:5 DPL, 7 P, 12 AVL, 13 L, 14 D/B, 15 G, 16 unusable.
 */
#define VG_SEG_UNUSABLE (1u << 16)

struct vg_seg {
	uint16_t selector;
	uint32_t limit;
	uint32_t attr;
	uint64_t base;
};

struct vg_dtable {
	uint64_t base;
	uint32_t limit;
};

/* Bits of vg_vcpu.known. */
#define VG_K_RIP (1u << 0)
#define VG_K_RFLAGS (1u << 1)
#define VG_K_CR0 (1u << 2)
#define VG_K_CR2 (1u << 3)
#define VG_K_CR3 (1u << 4)
#define VG_K_CR4 (1u << 5)
#define VG_K_EFER (1u << 6)
#define VG_K_SEGS (1u << 7) /* seg[] */
#define VG_K_DTABLES (1u << 8) /* gdtr, idtr */
#define VG_K_KERNEL_GS_BASE (1u << 9)
#define VG_K_EXIT_REASON (1u << 10)
#define VG_K_GUEST_MODE (1u << 11) /* in_guest_mode is meaningful */
#define VG_K_CR8 (1u << 12)
/*
 * seg[].attr: decoded into the layout above.  Unknown when the layout has
 * no access-rights fields, or their in-memory format (enum vg_ar_format)
 * is neither stated nor inferable; one segment's attr can still be unknown
 * when its bit is set in vg_vcpu.attr_unknown.  Use vg_seg_attr_known().
 */
#define VG_K_SEG_ATTR (1u << 13)
#define VG_K_CPL (1u << 14)

/*
 * How a VMCS keeps the guest segment access rights in memory (Bochs
 * cpu/vmx.h; real CPUs are undocumented, ../shared/DESIGN.md section 6):
 * the architectural 32-bit value; that value rotated left by 8 (0x93 as
 * 0x9300, unusable bit 16 at bit 24); packed into 16 bits (bits 7:0 and
 * 15:12 as architectural, unusable at bit 11, bits 10:8 zero).
 */
enum vg_ar_format {
	VG_AR_UNKNOWN = 0,
	VG_AR_ARCH,
	VG_AR_ROT8,
	VG_AR_PACK16,
};

/*
 * Memory and register protection of the guest, weakest first (SEV and
 * SEV-ES from the VMCB; SEV-SNP, TDX and sw-protected only through the
 * KVM walk's kvm->arch.vm_type).  sw-protected encrypts nothing: its
 * private memory lives in guest_memfd, outside QEMU's mapping.
 */
enum vg_protection {
	VG_PROT_NONE = 0,
	VG_PROT_SW_PROTECTED,
	VG_PROT_SEV,
	VG_PROT_SEV_ES,
	VG_PROT_SEV_SNP,
	VG_PROT_TDX,
};

/* A guest field left unknown because its value was implausible. */
struct vg_unknown {
	const char *field; /* report name: "cr0", "cs.attr", ... (static) */
	const char *reason; /* static text */
};
#define VG_MAX_UNKNOWN 16

struct vg_vcpu {
	int index; /* vCPU index within its guest, 0-based */
	enum vg_vendor vendor;
	uint64_t state_paddr; /* host physical address of the VMCS/VMCB */

	uint64_t gpr[VG_NR_GPRS];
	uint32_t gpr_known; /* bit i: gpr[i] is known */
	uint32_t known; /* VG_K_* */

	uint64_t rip, rflags;
	uint64_t cr0, cr2, cr3, cr4, cr8, efer;
	uint64_t kernel_gs_base;
	struct vg_seg seg[VG_NR_SEGS];
	struct vg_dtable gdtr, idtr;

	/* VMX: basic exit reason (bits 15:0) plus flags; SVM: EXITCODE. */
	uint64_t exit_reason;
	int in_guest_mode;
	/* SEV-ES/SNP, TDX: the register state is encrypted and left unknown. */
	int state_encrypted;
	/* No VMCS/VMCB at all (a TD vCPU): state_paddr means nothing. */
	int no_state;
	enum vg_protection protection;

	uint8_t cpl; /* VG_K_CPL */
	uint32_t attr_unknown; /* bit i: seg[i].attr implausible, unknown */
	enum vg_ar_format ar_format; /* VMX: the format used to decode */
	const char *ar_format_from; /* "layout", "inferred" or NULL */
	const char *ar_why; /* VMX: why attrs are all unknown, or NULL */

	struct vg_unknown unknown[VG_MAX_UNKNOWN];
	unsigned int nunknown;
};

/* Mark a field unknown for a reason (both static strings). */
static inline void vg_vcpu_unknown(struct vg_vcpu *v, const char *field,
				   const char *reason)
{
	if (v->nunknown < VG_MAX_UNKNOWN) {
		v->unknown[v->nunknown].field = field;
		v->unknown[v->nunknown].reason = reason;
		v->nunknown++;
	}
}

/*
 * Per-field trust: a register whose plausibility check found nothing
 * wrong (why NULL) becomes known (bit), else it is marked unknown.
 */
static inline void vg_vcpu_keep(struct vg_vcpu *v, uint32_t bit,
				const char *field, const char *why)
{
	if (why)
		vg_vcpu_unknown(v, field, why);
	else
		v->known |= bit;
}

static inline int vg_seg_attr_known(const struct vg_vcpu *v, int s)
{
	return (v->known & VG_K_SEG_ATTR) && !(v->attr_unknown & (1u << s));
}

/* "es.attr" ... "tr.attr": names for vg_vcpu_unknown(). */
static inline const char *vg_seg_attr_field(int s)
{
	static const char *const n[VG_NR_SEGS] = {
		"es.attr", "cs.attr", "ss.attr",   "ds.attr",
		"fs.attr", "gs.attr", "ldtr.attr", "tr.attr",
	};

	return s >= 0 && s < VG_NR_SEGS ? n[s] : "attr";
}

/* "architectural", "rotated-8", "packed-16"; NULL for VG_AR_UNKNOWN. */
const char *vg_ar_format_name(enum vg_ar_format f);
/* "sw-protected", "sev", "sev-es", "sev-snp", "tdx"; NULL for none. */
const char *vg_protection_name(enum vg_protection p);

#endif
