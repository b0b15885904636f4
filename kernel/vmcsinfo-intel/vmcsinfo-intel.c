// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmcsinfo-intel: find out where this CPU keeps each VMCS field in the
 * 4 KiB VMCS region and publish it for kdump (the VMCSINFO note):
 *
 *   /sys/devices/system/cpu/vmcs_id       the VMCS revision identifier
 *   /sys/devices/system/cpu/vmcs/<enc>    byte offset of field <enc>
 *                                         (4 hex digits), 0 = absent
 *   /sys/devices/system/cpu/vmcs_ar_format  how the access-rights fields
 *                                         are stored (when found)
 *
 * Intel does not document the in-memory VMCS layout, so it is measured:
 *
 *  1. Discovery.  Fill a VMCS region with a pattern in which every 16-bit
 *     word names its own offset, VMPTRLD it and VMREAD every field the
 *     SDM defines and the VMX capability MSRs say this CPU has: the value
 *     read back spells the field's offset.  This works for read-only
 *     (VM-exit information) fields too.  A second, different pattern must
 *     give the same offsets.
 *  2. Self-check.  In a zeroed region, VMWRITE a distinct value to every
 *     writable field found, VMCLEAR, and compare the memory at each
 *     discovered offset with what VMREAD returned for the field.
 *
 *  3. Access rights.  VMREAD returns the architectural value of the eight
 *     guest segment access-rights fields, but CPUs may store them in a
 *     form of their own (Bochs: rotated left by 8).  Two rounds of
 *     distinct values are VMWRITten and each is looked for in memory
 *     under every format seen in practice (architectural, rotated-8,
 *     packed-16); the one format that places all eight fields at one
 *     offset each, the same in both rounds, is published in vmcs_ar_format
 *     with the offsets.
 *
 * Other fields stored in a form other than their architectural value,
 * misaligned or failing the self-check are published as 0: "could not be
 * decoded".  The work is done
 * on every online CPU with interrupts disabled.  When KVM (or anyone) has
 * VMX on, the current-VMCS pointer is saved with VMPTRST and loaded back
 * afterwards; otherwise this module does VMXON/VMXOFF itself and puts CR4
 * back as it was.  Guests are never touched.
 *
 * ABI: docs/vmcsinfo-note.md and Documentation/ABI/testing/
 * sysfs-devices-system-cpu-vmcs beside this file.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/cpu.h>
#include <linux/device.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/sysfs.h>
#include <linux/version.h>
#include <asm/asm.h>
#include <asm/cpu_device_id.h>
#include <asm/cpufeature.h>
#include <asm/hypervisor.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#define VMCS_SIZE 4096u
#define VMCS_HEADER 8u /* revision id + VMX-abort indicator */

/* Capability MSRs (Intel SDM vol. 3, appendix A). */
#define MSR_VMX_BASIC 0x480
#define MSR_VMX_PINBASED 0x481
#define MSR_VMX_PROCBASED 0x482
#define MSR_VMX_EXIT 0x483
#define MSR_VMX_ENTRY 0x484
#define MSR_VMX_MISC 0x485
#define MSR_VMX_CR0_FIXED0 0x486
#define MSR_VMX_CR0_FIXED1 0x487
#define MSR_VMX_CR4_FIXED0 0x488
#define MSR_VMX_CR4_FIXED1 0x489
#define MSR_VMX_VMCS_ENUM 0x48a
#define MSR_VMX_PROCBASED2 0x48b
#define MSR_VMX_VMFUNC 0x491
#define MSR_VMX_PROCBASED3 0x492
#define MSR_FEATURE_CONTROL 0x3a

#define FC_LOCKED BIT_ULL(0)
#define FC_VMX_OUTSIDE_SMX BIT_ULL(2)
#define BASIC_32BIT_ADDR BIT_ULL(48)
#define BASIC_MEMTYPE(b) (((b) >> 50) & 0xf)
#define MEMTYPE_WB 6
#define MISC_VMWRITE_ANY BIT_ULL(29)

/* Encoding bits 14:13 give the width, bit 0 the "high" access type. */
#define ENC_WIDTH(e) (((e) >> 13) & 3)
#define ENC_HIGH(e) ((e)&1)
#define ENC_TYPE(e) (((e) >> 10) & 3) /* 1 = VM-exit information (RO) */
#define ENC_INDEX(e) (((e) >> 1) & 0x1ff)
#define W16 0
#define W64 1
#define W32 2
#define WNAT 3

/*
 * Which capability says a field exists: a bit of an allowed-1 control
 * mask, "always", or "any" (no capability bit known to us: VMREAD alone
 * decides).  Some fields exist when either of two controls does.
 */
enum cap {
	C_ANY,
	C_ALWAYS,
	C_PIN,
	C_PROC,
	C_PROC2,
	C_PROC3,
	C_EXIT,
	C_ENTRY,
	C_VMFUNC,
	NR_CAPS
};

struct field_def {
	u16 enc;
	const char *name;
	/* The field exists when cap1's bit1 (or cap2's bit2) may be 1;
	 * cap1 C_ANY: no capability known, cap2 C_ANY: no second one. */
	u8 cap1, bit1, cap2, bit2;
};

/*
 * Every field of the Intel SDM vol. 3, appendix B, with the control whose
 * allowed-1 setting makes it exist (vol. 3, chapter 25, "VMCS fields").
 * 64-bit fields are listed once; their "high" encoding (enc | 1) is
 * published too.
 */
static const struct field_def fields[] = {
	/* 16-bit control fields */
	{ 0x0000, "VIRTUAL_PROCESSOR_ID", C_PROC2, 5 },
	{ 0x0002, "POSTED_INTR_NV", C_PIN, 7 },
	{ 0x0004, "EPTP_INDEX", C_PROC2, 18 },
	{ 0x0006, "HLAT_PREFIX_SIZE", C_PROC3, 1 },
	{ 0x0008, "LAST_PID_POINTER_INDEX", C_PROC3, 4 },
	/* 16-bit guest-state fields */
	{ 0x0800, "GUEST_ES_SELECTOR", C_ALWAYS },
	{ 0x0802, "GUEST_CS_SELECTOR", C_ALWAYS },
	{ 0x0804, "GUEST_SS_SELECTOR", C_ALWAYS },
	{ 0x0806, "GUEST_DS_SELECTOR", C_ALWAYS },
	{ 0x0808, "GUEST_FS_SELECTOR", C_ALWAYS },
	{ 0x080a, "GUEST_GS_SELECTOR", C_ALWAYS },
	{ 0x080c, "GUEST_LDTR_SELECTOR", C_ALWAYS },
	{ 0x080e, "GUEST_TR_SELECTOR", C_ALWAYS },
	{ 0x0810, "GUEST_INTR_STATUS", C_PROC2, 9 },
	{ 0x0812, "GUEST_PML_INDEX", C_PROC2, 17 },
	{ 0x0814, "GUEST_UINV", C_ANY },
	/* 16-bit host-state fields */
	{ 0x0c00, "HOST_ES_SELECTOR", C_ALWAYS },
	{ 0x0c02, "HOST_CS_SELECTOR", C_ALWAYS },
	{ 0x0c04, "HOST_SS_SELECTOR", C_ALWAYS },
	{ 0x0c06, "HOST_DS_SELECTOR", C_ALWAYS },
	{ 0x0c08, "HOST_FS_SELECTOR", C_ALWAYS },
	{ 0x0c0a, "HOST_GS_SELECTOR", C_ALWAYS },
	{ 0x0c0c, "HOST_TR_SELECTOR", C_ALWAYS },
	/* 64-bit control fields */
	{ 0x2000, "IO_BITMAP_A", C_ALWAYS },
	{ 0x2002, "IO_BITMAP_B", C_ALWAYS },
	{ 0x2004, "MSR_BITMAP", C_PROC, 28 },
	{ 0x2006, "VM_EXIT_MSR_STORE_ADDR", C_ALWAYS },
	{ 0x2008, "VM_EXIT_MSR_LOAD_ADDR", C_ALWAYS },
	{ 0x200a, "VM_ENTRY_MSR_LOAD_ADDR", C_ALWAYS },
	{ 0x200c, "EXECUTIVE_VMCS_POINTER", C_ANY },
	{ 0x200e, "PML_ADDRESS", C_PROC2, 17 },
	{ 0x2010, "TSC_OFFSET", C_ALWAYS },
	{ 0x2012, "VIRTUAL_APIC_PAGE_ADDR", C_PROC, 21 },
	{ 0x2014, "APIC_ACCESS_ADDR", C_PROC2, 0 },
	{ 0x2016, "POSTED_INTR_DESC_ADDR", C_PIN, 7 },
	{ 0x2018, "VM_FUNCTION_CONTROL", C_PROC2, 13 },
	{ 0x201a, "EPT_POINTER", C_PROC2, 1 },
	{ 0x201c, "EOI_EXIT_BITMAP0", C_PROC2, 9 },
	{ 0x201e, "EOI_EXIT_BITMAP1", C_PROC2, 9 },
	{ 0x2020, "EOI_EXIT_BITMAP2", C_PROC2, 9 },
	{ 0x2022, "EOI_EXIT_BITMAP3", C_PROC2, 9 },
	{ 0x2024, "EPTP_LIST_ADDRESS", C_VMFUNC, 0 },
	{ 0x2026, "VMREAD_BITMAP", C_PROC2, 14 },
	{ 0x2028, "VMWRITE_BITMAP", C_PROC2, 14 },
	{ 0x202a, "VE_INFORMATION_ADDRESS", C_PROC2, 18 },
	{ 0x202c, "XSS_EXIT_BITMAP", C_PROC2, 20 },
	{ 0x202e, "ENCLS_EXITING_BITMAP", C_PROC2, 15 },
	{ 0x2030, "SPP_TABLE_POINTER", C_PROC2, 23 },
	{ 0x2032, "TSC_MULTIPLIER", C_PROC2, 25 },
	{ 0x2034, "TERTIARY_VM_EXEC_CONTROL", C_PROC, 17 },
	{ 0x2036, "ENCLV_EXITING_BITMAP", C_PROC2, 28 },
	{ 0x2038, "LOW_PASID_DIRECTORY", C_ANY },
	{ 0x203a, "HIGH_PASID_DIRECTORY", C_ANY },
	{ 0x203c, "SHARED_EPT_POINTER", C_ANY },
	{ 0x203e, "PCONFIG_EXITING_BITMAP", C_ANY },
	{ 0x2040, "HLAT_POINTER", C_PROC3, 1 },
	{ 0x2042, "PID_POINTER_TABLE", C_PROC3, 4 },
	{ 0x2044, "SECONDARY_VM_EXIT_CONTROLS", C_EXIT, 31 },
	{ 0x204a, "SPEC_CTRL_MASK", C_ANY },
	{ 0x204c, "SPEC_CTRL_SHADOW", C_ANY },
	/* 64-bit read-only data field */
	{ 0x2400, "GUEST_PHYSICAL_ADDRESS", C_PROC2, 1 },
	/* 64-bit guest-state fields */
	{ 0x2800, "VMCS_LINK_POINTER", C_ALWAYS },
	{ 0x2802, "GUEST_IA32_DEBUGCTL", C_ALWAYS },
	{ 0x2804, "GUEST_IA32_PAT", C_ENTRY, 14, C_EXIT, 18 },
	{ 0x2806, "GUEST_IA32_EFER", C_ENTRY, 15, C_EXIT, 20 },
	{ 0x2808, "GUEST_IA32_PERF_GLOBAL_CTRL", C_ENTRY, 13 },
	{ 0x280a, "GUEST_PDPTE0", C_PROC2, 1 },
	{ 0x280c, "GUEST_PDPTE1", C_PROC2, 1 },
	{ 0x280e, "GUEST_PDPTE2", C_PROC2, 1 },
	{ 0x2810, "GUEST_PDPTE3", C_PROC2, 1 },
	{ 0x2812, "GUEST_IA32_BNDCFGS", C_ENTRY, 16, C_EXIT, 23 },
	{ 0x2814, "GUEST_IA32_RTIT_CTL", C_ENTRY, 18, C_EXIT, 25 },
	{ 0x2816, "GUEST_IA32_LBR_CTL", C_ENTRY, 21 },
	{ 0x2818, "GUEST_IA32_PKRS", C_ENTRY, 22 },
	/* 64-bit host-state fields */
	{ 0x2c00, "HOST_IA32_PAT", C_EXIT, 19 },
	{ 0x2c02, "HOST_IA32_EFER", C_EXIT, 21 },
	{ 0x2c04, "HOST_IA32_PERF_GLOBAL_CTRL", C_EXIT, 12 },
	{ 0x2c06, "HOST_IA32_PKRS", C_EXIT, 29 },
	/* 32-bit control fields */
	{ 0x4000, "PIN_BASED_VM_EXEC_CONTROL", C_ALWAYS },
	{ 0x4002, "CPU_BASED_VM_EXEC_CONTROL", C_ALWAYS },
	{ 0x4004, "EXCEPTION_BITMAP", C_ALWAYS },
	{ 0x4006, "PAGE_FAULT_ERROR_CODE_MASK", C_ALWAYS },
	{ 0x4008, "PAGE_FAULT_ERROR_CODE_MATCH", C_ALWAYS },
	{ 0x400a, "CR3_TARGET_COUNT", C_ALWAYS },
	{ 0x400c, "VM_EXIT_CONTROLS", C_ALWAYS },
	{ 0x400e, "VM_EXIT_MSR_STORE_COUNT", C_ALWAYS },
	{ 0x4010, "VM_EXIT_MSR_LOAD_COUNT", C_ALWAYS },
	{ 0x4012, "VM_ENTRY_CONTROLS", C_ALWAYS },
	{ 0x4014, "VM_ENTRY_MSR_LOAD_COUNT", C_ALWAYS },
	{ 0x4016, "VM_ENTRY_INTR_INFO", C_ALWAYS },
	{ 0x4018, "VM_ENTRY_EXCEPTION_ERROR_CODE", C_ALWAYS },
	{ 0x401a, "VM_ENTRY_INSTRUCTION_LEN", C_ALWAYS },
	{ 0x401c, "TPR_THRESHOLD", C_PROC, 21 },
	{ 0x401e, "SECONDARY_VM_EXEC_CONTROL", C_PROC, 31 },
	{ 0x4020, "PLE_GAP", C_PROC2, 10 },
	{ 0x4022, "PLE_WINDOW", C_PROC2, 10 },
	{ 0x4024, "NOTIFY_WINDOW", C_PROC2, 31 },
	/* 32-bit read-only data fields */
	{ 0x4400, "VM_INSTRUCTION_ERROR", C_ALWAYS },
	{ 0x4402, "VM_EXIT_REASON", C_ALWAYS },
	{ 0x4404, "VM_EXIT_INTR_INFO", C_ALWAYS },
	{ 0x4406, "VM_EXIT_INTR_ERROR_CODE", C_ALWAYS },
	{ 0x4408, "IDT_VECTORING_INFO", C_ALWAYS },
	{ 0x440a, "IDT_VECTORING_ERROR_CODE", C_ALWAYS },
	{ 0x440c, "VM_EXIT_INSTRUCTION_LEN", C_ALWAYS },
	{ 0x440e, "VMX_INSTRUCTION_INFO", C_ALWAYS },
	/* 32-bit guest-state fields */
	{ 0x4800, "GUEST_ES_LIMIT", C_ALWAYS },
	{ 0x4802, "GUEST_CS_LIMIT", C_ALWAYS },
	{ 0x4804, "GUEST_SS_LIMIT", C_ALWAYS },
	{ 0x4806, "GUEST_DS_LIMIT", C_ALWAYS },
	{ 0x4808, "GUEST_FS_LIMIT", C_ALWAYS },
	{ 0x480a, "GUEST_GS_LIMIT", C_ALWAYS },
	{ 0x480c, "GUEST_LDTR_LIMIT", C_ALWAYS },
	{ 0x480e, "GUEST_TR_LIMIT", C_ALWAYS },
	{ 0x4810, "GUEST_GDTR_LIMIT", C_ALWAYS },
	{ 0x4812, "GUEST_IDTR_LIMIT", C_ALWAYS },
	{ 0x4814, "GUEST_ES_AR_BYTES", C_ALWAYS },
	{ 0x4816, "GUEST_CS_AR_BYTES", C_ALWAYS },
	{ 0x4818, "GUEST_SS_AR_BYTES", C_ALWAYS },
	{ 0x481a, "GUEST_DS_AR_BYTES", C_ALWAYS },
	{ 0x481c, "GUEST_FS_AR_BYTES", C_ALWAYS },
	{ 0x481e, "GUEST_GS_AR_BYTES", C_ALWAYS },
	{ 0x4820, "GUEST_LDTR_AR_BYTES", C_ALWAYS },
	{ 0x4822, "GUEST_TR_AR_BYTES", C_ALWAYS },
	{ 0x4824, "GUEST_INTERRUPTIBILITY_INFO", C_ALWAYS },
	{ 0x4826, "GUEST_ACTIVITY_STATE", C_ALWAYS },
	{ 0x4828, "GUEST_SMBASE", C_ALWAYS },
	{ 0x482a, "GUEST_SYSENTER_CS", C_ALWAYS },
	{ 0x482e, "VMX_PREEMPTION_TIMER_VALUE", C_PIN, 6 },
	/* 32-bit host-state field */
	{ 0x4c00, "HOST_IA32_SYSENTER_CS", C_ALWAYS },
	/* natural-width control fields */
	{ 0x6000, "CR0_GUEST_HOST_MASK", C_ALWAYS },
	{ 0x6002, "CR4_GUEST_HOST_MASK", C_ALWAYS },
	{ 0x6004, "CR0_READ_SHADOW", C_ALWAYS },
	{ 0x6006, "CR4_READ_SHADOW", C_ALWAYS },
	{ 0x6008, "CR3_TARGET_VALUE0", C_ALWAYS },
	{ 0x600a, "CR3_TARGET_VALUE1", C_ALWAYS },
	{ 0x600c, "CR3_TARGET_VALUE2", C_ALWAYS },
	{ 0x600e, "CR3_TARGET_VALUE3", C_ALWAYS },
	/* natural-width read-only data fields */
	{ 0x6400, "EXIT_QUALIFICATION", C_ALWAYS },
	{ 0x6402, "IO_RCX", C_ALWAYS },
	{ 0x6404, "IO_RSI", C_ALWAYS },
	{ 0x6406, "IO_RDI", C_ALWAYS },
	{ 0x6408, "IO_RIP", C_ALWAYS },
	{ 0x640a, "GUEST_LINEAR_ADDRESS", C_ALWAYS },
	/* natural-width guest-state fields */
	{ 0x6800, "GUEST_CR0", C_ALWAYS },
	{ 0x6802, "GUEST_CR3", C_ALWAYS },
	{ 0x6804, "GUEST_CR4", C_ALWAYS },
	{ 0x6806, "GUEST_ES_BASE", C_ALWAYS },
	{ 0x6808, "GUEST_CS_BASE", C_ALWAYS },
	{ 0x680a, "GUEST_SS_BASE", C_ALWAYS },
	{ 0x680c, "GUEST_DS_BASE", C_ALWAYS },
	{ 0x680e, "GUEST_FS_BASE", C_ALWAYS },
	{ 0x6810, "GUEST_GS_BASE", C_ALWAYS },
	{ 0x6812, "GUEST_LDTR_BASE", C_ALWAYS },
	{ 0x6814, "GUEST_TR_BASE", C_ALWAYS },
	{ 0x6816, "GUEST_GDTR_BASE", C_ALWAYS },
	{ 0x6818, "GUEST_IDTR_BASE", C_ALWAYS },
	{ 0x681a, "GUEST_DR7", C_ALWAYS },
	{ 0x681c, "GUEST_RSP", C_ALWAYS },
	{ 0x681e, "GUEST_RIP", C_ALWAYS },
	{ 0x6820, "GUEST_RFLAGS", C_ALWAYS },
	{ 0x6822, "GUEST_PENDING_DBG_EXCEPTIONS", C_ALWAYS },
	{ 0x6824, "GUEST_SYSENTER_ESP", C_ALWAYS },
	{ 0x6826, "GUEST_SYSENTER_EIP", C_ALWAYS },
	{ 0x6828, "GUEST_S_CET", C_ENTRY, 20 },
	{ 0x682a, "GUEST_SSP", C_ENTRY, 20 },
	{ 0x682c, "GUEST_INTR_SSP_TABLE", C_ENTRY, 20 },
	/* natural-width host-state fields */
	{ 0x6c00, "HOST_CR0", C_ALWAYS },
	{ 0x6c02, "HOST_CR3", C_ALWAYS },
	{ 0x6c04, "HOST_CR4", C_ALWAYS },
	{ 0x6c06, "HOST_FS_BASE", C_ALWAYS },
	{ 0x6c08, "HOST_GS_BASE", C_ALWAYS },
	{ 0x6c0a, "HOST_TR_BASE", C_ALWAYS },
	{ 0x6c0c, "HOST_GDTR_BASE", C_ALWAYS },
	{ 0x6c0e, "HOST_IDTR_BASE", C_ALWAYS },
	{ 0x6c10, "HOST_IA32_SYSENTER_ESP", C_ALWAYS },
	{ 0x6c12, "HOST_IA32_SYSENTER_EIP", C_ALWAYS },
	{ 0x6c14, "HOST_RSP", C_ALWAYS },
	{ 0x6c16, "HOST_RIP", C_ALWAYS },
	{ 0x6c18, "HOST_S_CET", C_EXIT, 28 },
	{ 0x6c1a, "HOST_SSP", C_EXIT, 28 },
	{ 0x6c1c, "HOST_INTR_SSP_TABLE", C_EXIT, 28 },
};

/*
 * What vmcore-guests needs to recognise a VMCS and read a guest's state
 * (src/vmx.c): without these the layout is of no use, and loading fails.
 */
static const u16 core_fields[] = {
	0x2800, 0x201a, 0x6c00, 0x6c02, 0x6c04, 0x6800,
	0x6802, 0x6804, 0x681e, 0x681c, 0x6820,
};

/* One published encoding: a field, or the high half of a 64-bit field. */
enum slot_state {
	S_UNSUPPORTED, /* the CPU does not have it (capabilities, VMREAD) */
	S_UNDECODED, /* VMREAD works, but the value is not stored plainly */
	S_FOUND, /* offset known and self-checked */
};

struct slot {
	u16 enc;
	u16 offset;
	u8 state;
	s8 cap; /* cap_says(): -1 unknown, 0 absent, 1 present */
	const char *name;
	const char *why; /* for S_UNDECODED: the reason, for the log */
	struct device_attribute attr;
	char fname[8];
};

static struct slot *slots;
static unsigned int nslots;
static u32 revision_id;

/* ---------------------------------------------------------------- VMX */

/* clang-format would write "% l[fault]" in the asm goto statements. */
/* clang-format off */
static inline int vmx_on(u64 pa)
{
	asm goto("1: vmxon %[pa]\n\t"
		 "jbe %l[vmfail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [pa] "m"(pa) : "cc", "memory" : vmfail, fault);
	return 0;
vmfail:
	return -EIO;
fault:
	return -EFAULT;
}

static inline void vmx_off(void)
{
	asm volatile("vmxoff" : : : "cc", "memory");
}

/* VMPTRST; -EFAULT when the CPU is not in VMX operation after all. */
static inline int vmx_ptrst(u64 *pa)
{
	asm goto("1: vmptrst %[pa]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [pa] "m"(*pa) : "memory" : fault);
	return 0;
fault:
	return -EFAULT;
}
/* clang-format on */

static inline bool vmx_ptrld(u64 pa)
{
	bool fail;

	asm volatile("vmptrld %[pa]\n\t"
		     "setna %[fail]"
		     : [fail] "=qm"(fail)
		     : [pa] "m"(pa)
		     : "cc", "memory");
	return !fail;
}

static inline bool vmx_clear(u64 pa)
{
	bool fail;

	asm volatile("vmclear %[pa]\n\t"
		     "setna %[fail]"
		     : [fail] "=qm"(fail)
		     : [pa] "m"(pa)
		     : "cc", "memory");
	return !fail;
}

static inline bool vmx_read(unsigned long enc, u64 *val)
{
	unsigned long v = 0;
	bool fail;

	asm volatile("vmread %[enc], %[v]\n\t"
		     "setna %[fail]"
		     : [v] "+r"(v), [fail] "=qm"(fail)
		     : [enc] "r"(enc)
		     : "cc", "memory");
	*val = v;
	return !fail;
}

static inline bool vmx_write(unsigned long enc, u64 val)
{
	bool fail;

	asm volatile("vmwrite %[v], %[enc]\n\t"
		     "setna %[fail]"
		     : [fail] "=qm"(fail)
		     : [v] "rm"((unsigned long)val), [enc] "r"(enc)
		     : "cc", "memory");
	return !fail;
}

/* ------------------------------------------------------- capabilities */

struct caps {
	u64 basic, misc, vmcs_enum;
	u32 allowed1[NR_CAPS]; /* allowed-1 masks; PROC3: low 32 bits */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

static struct caps caps;

static u32 allowed1(u32 msr)
{
	u64 v;

	return rdmsrl_safe(msr, &v) ? 0 : (u32)(v >> 32);
}

static int read_caps(struct caps *c)
{
	u64 v;

	memset(c, 0, sizeof(*c));
	if (rdmsrl_safe(MSR_VMX_BASIC, &c->basic) ||
	    rdmsrl_safe(MSR_VMX_MISC, &c->misc) ||
	    rdmsrl_safe(MSR_VMX_CR0_FIXED0, &c->cr0_fixed0) ||
	    rdmsrl_safe(MSR_VMX_CR0_FIXED1, &c->cr0_fixed1) ||
	    rdmsrl_safe(MSR_VMX_CR4_FIXED0, &c->cr4_fixed0) ||
	    rdmsrl_safe(MSR_VMX_CR4_FIXED1, &c->cr4_fixed1))
		return -ENODEV;
	if (rdmsrl_safe(MSR_VMX_VMCS_ENUM, &c->vmcs_enum))
		c->vmcs_enum = 0x1ff << 1; /* unknown: every index */
	c->allowed1[C_ALWAYS] = ~0u;
	c->allowed1[C_PIN] = allowed1(MSR_VMX_PINBASED);
	c->allowed1[C_PROC] = allowed1(MSR_VMX_PROCBASED);
	c->allowed1[C_EXIT] = allowed1(MSR_VMX_EXIT);
	c->allowed1[C_ENTRY] = allowed1(MSR_VMX_ENTRY);
	/* The secondary/tertiary/VM-function MSRs exist only with their
	 * control. */
	if (c->allowed1[C_PROC] & BIT(31))
		c->allowed1[C_PROC2] = allowed1(MSR_VMX_PROCBASED2);
	if ((c->allowed1[C_PROC] & BIT(17)) &&
	    !rdmsrl_safe(MSR_VMX_PROCBASED3, &v))
		c->allowed1[C_PROC3] = (u32)v; /* a 64-bit allowed-1 mask */
	if ((c->allowed1[C_PROC2] & BIT(13)) &&
	    !rdmsrl_safe(MSR_VMX_VMFUNC, &v))
		c->allowed1[C_VMFUNC] = (u32)v;
	return 0;
}

/* -1: no capability known (VMREAD decides), 0: absent, 1: present. */
static int cap_says(const struct field_def *f)
{
	if (f->cap1 == C_ANY)
		return -1;
	if (caps.allowed1[f->cap1] & BIT(f->bit1))
		return 1;
	return f->cap2 != C_ANY && (caps.allowed1[f->cap2] & BIT(f->bit2));
}

/* ------------------------------------------------------------ patterns */

static unsigned int enc_bytes(u16 enc)
{
	switch (ENC_WIDTH(enc)) {
	case W16:
		return 2;
	case W32:
		return 4;
	case W64:
		return ENC_HIGH(enc) ? 4 : 8;
	default:
		return 8; /* natural width, 64-bit mode */
	}
}

/*
 * Two fills of the region: the 16-bit word at byte offset o holds
 * tag(p, o), which names o and cannot be mistaken for the other pattern.
 */
static u16 tag(int p, unsigned int o)
{
	return p ? 0x4000 | (~(o >> 1) & 0x7ff) : 0x8000 | (o >> 1);
}

static int untag(int p, u16 w)
{
	if (p)
		return (w & 0xf800) == 0x4000 ? (int)((~w & 0x7ff) << 1) : -1;
	return (w & 0xf800) == 0x8000 ? (int)((w & 0x7ff) << 1) : -1;
}

static void fill_pattern(u8 *region, int p)
{
	unsigned int o;

	for (o = VMCS_HEADER; o < VMCS_SIZE; o += 2)
		*(u16 *)(region + o) = tag(p, o);
}

/*
 * The offset a VMREAD value of enc spells in pattern p, or a negative
 * number with *why set: every byte of the field must come from its own
 * place, in order, as the pattern has it.
 */
static int decode(int p, u16 enc, u64 val, const char **why)
{
	unsigned int n = enc_bytes(enc), i;
	int o = untag(p, (u16)val);

	if (o < 0) {
		*why = "value is not the stored bytes (another storage format)";
		return -1;
	}
	if (o < (int)VMCS_HEADER || o + n > VMCS_SIZE) {
		*why = "offset outside the VMCS data area";
		return -1;
	}
	for (i = 1; i < 4; i++) {
		u16 want = i < n / 2 ? tag(p, o + 2 * i) : 0;

		if ((u16)(val >> (16 * i)) != want) {
			*why = "field not stored contiguously as read";
			return -1;
		}
	}
	if (o % n) {
		*why = "offset not aligned to the field width";
		return -1;
	}
	return o;
}

/* A value for the self-check: distinct per field, no zero 16-bit word. */
static u64 check_value(u16 enc)
{
	u64 v = 0;
	unsigned int i;

	for (i = 0; i < 4; i++)
		v |= (u64)(u16)(0x1001 + (enc ^ (0x5a3c * (i + 1))))
		     << (16 * i);
	/* AR bytes: keep the reserved bits (31:17, 11:8) clear. */
	if (enc >= 0x4814 && enc <= 0x4822)
		v &= 0x1f0ff;
	switch (enc_bytes(enc)) {
	case 2:
		return v & 0xffff;
	case 4:
		return v & 0xffffffff;
	default:
		return v;
	}
}

/* ------------------------------------------------ access-rights format */

/* The in-memory formats of the access rights (docs/vmcsinfo-note.md). */
enum ar_fmt { AR_UNKNOWN, AR_ARCH, AR_ROT8, AR_PACK16, NR_AR_FMTS };

static const char *const ar_fmt_names[NR_AR_FMTS] = {
	[AR_UNKNOWN] = "unknown",
	[AR_ARCH] = "architectural",
	[AR_ROT8] = "rotated-8",
	[AR_PACK16] = "packed-16",
};

#define NR_AR 8
#define AR_ENC(k) (0x4814 + 2 * (k)) /* GUEST_ES_AR_BYTES ... TR */
#define IS_AR(e) ((e) >= 0x4814 && (e) <= 0x4822 && !((e)&1))

/* What the first CPU found, published and checked on the others. */
static int ar_format = AR_UNKNOWN;
static u16 ar_offsets[NR_AR];

static struct slot *ar_slot(unsigned int k)
{
	unsigned int i;

	for (i = 0; i < nslots; i++)
		if (slots[i].enc == AR_ENC(k))
			return &slots[i];
	return NULL;
}

/* The bytes format f keeps the architectural value v in; their number. */
static unsigned int ar_store(int f, u32 v, u8 out[4])
{
	u32 w;

	switch (f) {
	case AR_ARCH:
		w = v;
		break;
	case AR_ROT8:
		w = (v << 8) | (v >> 24);
		break;
	case AR_PACK16: /* unusable (bit 16) at bit 11, bits 10:8 zero */
		w = (v & 0xf0ff) | ((v >> 5) & 0x800);
		memcpy(out, &w, 2);
		return 2;
	default:
		return 0;
	}
	memcpy(out, &w, 4);
	return 4;
}

/*
 * Distinct valid access rights for field k in round r: type and DPL
 * differ per field; round 1 sets G, L, AVL and the unusable bit, which
 * round 0 leaves clear, so that no two formats store both alike.
 */
static u32 ar_value(int r, unsigned int k)
{
	if (r)
		return 0x1b090 | k | ((~k & 3) << 5);
	return 0x4090 | k | ((k & 3) << 5);
}

/* --------------------------------------------------- the per-CPU work */

enum job { JOB_DISCOVER, JOB_CHECK };

struct ctx {
	enum job job;
	u8 *vmcs; /* VMCS region (page) */
	u8 *vmxon; /* VMXON region (page), used only when VMX was off */
	int err;
	const char *what; /* step that failed, for the log */
	unsigned long cr4_before, cr4_after;
	u64 cur_before, cur_after;
	bool did_vmxon;
	unsigned int checked, bad;
	u16 first_bad;
	u64 bad_mem, bad_want;
	/* The access-rights search on this CPU (enum ar_fmt, offsets). */
	int ar_fmt;
	u16 ar_off[8];
	const char *ar_why;
};

static void fail(struct ctx *c, int err, const char *what)
{
	if (!c->err) {
		c->err = err;
		c->what = what;
	}
}

static void set_header(u8 *region)
{
	*(u32 *)region = revision_id;
	*(u32 *)(region + 4) = 0;
}

/* Discovery pass with pattern p over every slot not yet ruled out. */
static void discover(struct ctx *c, int p, u64 pa)
{
	unsigned int i;

	fill_pattern(c->vmcs, p);
	set_header(c->vmcs);
	if (!vmx_ptrld(pa)) {
		fail(c, -EIO, "VMPTRLD of the pattern region");
		return;
	}
	for (i = 0; i < nslots; i++) {
		struct slot *s = &slots[i];
		const char *why = NULL;
		u64 val;
		int o;

		if (s->state == S_UNSUPPORTED || s->state == S_UNDECODED)
			continue;
		if (!vmx_read(s->enc, &val)) {
			/* VMfail: the CPU does not have this field. */
			s->state = S_UNSUPPORTED;
			if (s->cap == 1 && !ENC_HIGH(s->enc))
				pr_info("%04x %s: the capability MSRs allow it, VMREAD refuses it\n",
					s->enc, s->name);
			continue;
		}
		o = decode(p, s->enc, val, &why);
		if (o < 0) {
			s->state = S_UNDECODED;
			s->why = why;
		} else if (p == 0) {
			s->offset = (u16)o;
			s->state = S_FOUND;
		} else if (s->offset != o) {
			s->state = S_UNDECODED;
			s->why = "the two patterns disagree";
		}
	}
	if (!vmx_clear(pa))
		fail(c, -EIO, "VMCLEAR of the pattern region");
}

/*
 * Self-check: VMWRITE a distinct value to each writable field found,
 * VMCLEAR, and compare the region's bytes at each offset with what VMREAD
 * returned.  On the discovering CPU a failing field is dropped; on the
 * others any difference fails the module (the CPUs disagree).
 */
static void self_check(struct ctx *c, u64 pa)
{
	static u64 readback[ARRAY_SIZE(fields) * 2];
	bool written[ARRAY_SIZE(fields) * 2];
	unsigned int i;

	memset(c->vmcs, 0, VMCS_SIZE);
	set_header(c->vmcs);
	if (!vmx_ptrld(pa)) {
		fail(c, -EIO, "VMPTRLD of the self-check region");
		return;
	}
	for (i = 0; i < nslots; i++) {
		struct slot *s = &slots[i];

		written[i] = false;
		if (s->state != S_FOUND || ENC_HIGH(s->enc))
			continue;
		if (!vmx_write(s->enc, check_value(s->enc)))
			continue; /* read-only field: discovery checked it */
		if (!vmx_read(s->enc, &readback[i])) {
			fail(c, -EIO, "VMREAD after VMWRITE");
			break;
		}
		written[i] = true;
	}
	if (!vmx_clear(pa)) {
		fail(c, -EIO, "VMCLEAR of the self-check region");
		return;
	}
	for (i = 0; i < nslots; i++) {
		struct slot *s = &slots[i];
		u64 mem = 0, want;
		unsigned int n;

		if (!written[i])
			continue;
		n = enc_bytes(s->enc);
		want = readback[i];
		if (IS_AR(s->enc) && ar_format != AR_UNKNOWN) {
			u8 b[4] = { 0 };

			n = ar_store(ar_format, (u32)readback[i], b);
			want = 0;
			memcpy(&want, b, n);
		}
		memcpy(&mem, c->vmcs + s->offset, n);
		c->checked++;
		if (mem == want &&
		    (i + 1 >= nslots || slots[i + 1].enc != (s->enc | 1) ||
		     slots[i + 1].state != S_FOUND ||
		     slots[i + 1].offset == s->offset + 4))
			continue;
		if (!c->bad) {
			c->first_bad = s->enc;
			c->bad_mem = mem;
			c->bad_want = want;
		}
		c->bad++;
		if (c->job == JOB_DISCOVER) {
			s->state = S_UNDECODED;
			s->why = "self-check: memory differs from VMREAD";
			/* Its high half goes with it. */
			if (i + 1 < nslots &&
			    slots[i + 1].enc == (s->enc | 1) &&
			    slots[i + 1].state == S_FOUND) {
				slots[i + 1].state = S_UNDECODED;
				slots[i + 1].why =
					"self-check of the full field";
			}
		}
	}
}

/* The only offset, aligned to n, where these n bytes are; -1 none, -2 more. */
static int find_unique(const u8 *region, const u8 *b, unsigned int n)
{
	unsigned int o;
	int at = -1;

	for (o = VMCS_HEADER; o + n <= VMCS_SIZE; o += n) {
		if (memcmp(region + o, b, n))
			continue;
		if (at >= 0)
			return -2;
		at = (int)o;
	}
	return at;
}

/*
 * One round: VMWRITE the round's values, VMCLEAR, and where each field
 * sits under each format (off[f][k], negative: not exactly once).
 */
static bool ar_round(struct ctx *c, u64 pa, int r, int off[NR_AR_FMTS][NR_AR])
{
	u32 rb[NR_AR];
	unsigned int k, f;

	memset(c->vmcs, 0, VMCS_SIZE);
	set_header(c->vmcs);
	if (!vmx_ptrld(pa)) {
		fail(c, -EIO, "VMPTRLD of the access-rights region");
		return false;
	}
	for (k = 0; k < NR_AR; k++) {
		u64 v;

		if (!vmx_write(AR_ENC(k), ar_value(r, k)) ||
		    !vmx_read(AR_ENC(k), &v)) {
			c->ar_why =
				"VMWRITE/VMREAD of an access-rights field failed";
			vmx_clear(pa);
			return false;
		}
		rb[k] = (u32)v; /* what the CPU made of it */
	}
	if (!vmx_clear(pa)) {
		fail(c, -EIO, "VMCLEAR of the access-rights region");
		return false;
	}
	for (f = AR_ARCH; f < NR_AR_FMTS; f++)
		for (k = 0; k < NR_AR; k++) {
			u8 b[4];

			off[f][k] =
				find_unique(c->vmcs, b, ar_store(f, rb[k], b));
		}
	return true;
}

/* Which format, and where: the one that fits all eight in both rounds. */
static void ar_search(struct ctx *c, u64 pa)
{
	static int off[2][NR_AR_FMTS][NR_AR];
	unsigned int f, k, fits = 0;

	c->ar_fmt = AR_UNKNOWN;
	memset(c->ar_off, 0, sizeof(c->ar_off));
	c->ar_why = NULL;
	for (k = 0; k < NR_AR; k++)
		if (!ar_slot(k) || ar_slot(k)->state == S_UNSUPPORTED) {
			c->ar_why = "the CPU has no access-rights fields";
			return;
		}
	if (!ar_round(c, pa, 0, off[0]) || !ar_round(c, pa, 1, off[1]))
		return;
	for (f = AR_ARCH; f < NR_AR_FMTS; f++) {
		for (k = 0; k < NR_AR; k++)
			if (off[0][f][k] < 0 || off[0][f][k] != off[1][f][k])
				break;
		if (k == NR_AR) {
			fits++;
			c->ar_fmt = f;
		}
	}
	if (fits != 1) {
		c->ar_why = fits ? "the values fit more than one format" :
				   "the values are in no known format";
		c->ar_fmt = AR_UNKNOWN;
		return;
	}
	for (k = 0; k < NR_AR; k++)
		c->ar_off[k] = (u16)off[0][c->ar_fmt][k];
}

/*
 * Runs with interrupts disabled on one CPU (smp_call_function_single).
 * Enters VMX operation unless it is on already, does the job, and leaves
 * the CPU as it found it: CR4, VMX operation, current-VMCS pointer.
 */
static void on_cpu(void *arg)
{
	struct ctx *c = arg;
	u64 vmcs_pa = __pa(c->vmcs), cur = ~0ull;
	unsigned long cr0 = read_cr0();
	int rc;

	c->cr4_before = __read_cr4();
	c->did_vmxon = false;
	if (!(c->cr4_before & X86_CR4_VMXE)) {
		u64 vmxon_pa = __pa(c->vmxon);

		if ((cr0 & caps.cr0_fixed0) != caps.cr0_fixed0 ||
		    (cr0 & ~caps.cr0_fixed1)) {
			fail(c, -ENODEV, "CR0 does not allow VMXON");
			return;
		}
		if (((c->cr4_before | X86_CR4_VMXE) & caps.cr4_fixed0) !=
			    caps.cr4_fixed0 ||
		    ((c->cr4_before | X86_CR4_VMXE) & ~caps.cr4_fixed1)) {
			fail(c, -ENODEV, "CR4 does not allow VMXON");
			return;
		}
		memset(c->vmxon, 0, VMCS_SIZE);
		*(u32 *)c->vmxon = revision_id;
		cr4_set_bits(X86_CR4_VMXE);
		rc = vmx_on(vmxon_pa);
		if (rc) {
			cr4_clear_bits(X86_CR4_VMXE);
			fail(c, rc == -EFAULT ? -ENODEV : -EIO,
			     rc == -EFAULT ? "VMXON faulted" : "VMXON failed");
			return;
		}
		c->did_vmxon = true;
	} else if (vmx_ptrst(&cur)) {
		/* CR4.VMXE set by someone who is not in VMX operation. */
		fail(c, -EBUSY, "CR4.VMXE is set but VMPTRST faults");
		return;
	}
	c->cur_before = cur;

	if (!vmx_clear(vmcs_pa)) {
		fail(c, -EIO, "VMCLEAR of our region");
	} else if (c->job == JOB_DISCOVER) {
		discover(c, 0, vmcs_pa);
		if (!c->err)
			discover(c, 1, vmcs_pa);
		if (!c->err)
			self_check(c, vmcs_pa);
	} else {
		self_check(c, vmcs_pa);
	}
	if (!c->err)
		ar_search(c, vmcs_pa);
	/* Our region is clear: it is not current and not cached. */
	vmx_clear(vmcs_pa);

	if (c->did_vmxon) {
		vmx_off();
		cr4_clear_bits(X86_CR4_VMXE);
		c->cur_after = ~0ull;
	} else {
		if (cur != ~0ull && !vmx_ptrld(cur))
			fail(c, -EIO, "reloading the previous current VMCS");
		c->cur_after = ~0ull;
		vmx_ptrst(&c->cur_after);
	}
	c->cr4_after = __read_cr4();
}

static int run_on(unsigned int cpu, struct ctx *c)
{
	int rc;

	c->err = 0;
	c->what = NULL;
	c->checked = 0;
	c->bad = 0;
	rc = smp_call_function_single(cpu, on_cpu, c, 1);
	if (rc)
		return rc;
	if (c->cr4_after != c->cr4_before || c->cur_after != c->cur_before) {
		pr_err("CPU %u: state not restored: CR4 %#lx -> %#lx, current VMCS %#llx -> %#llx\n",
		       cpu, c->cr4_before, c->cr4_after, c->cur_before,
		       c->cur_after);
		WARN_ON_ONCE(1);
		return -EIO;
	}
	if (c->err)
		pr_err("CPU %u: %s\n", cpu, c->what);
	return c->err;
}

/*
 * The first CPU's search result into the slots: the eight fields are
 * located, in the format found.  A result that contradicts discovery
 * (which proved architectural storage) is not used.
 */
static void apply_ar(struct ctx *c)
{
	unsigned int k;

	for (k = 0; k < NR_AR && c->ar_fmt != AR_UNKNOWN; k++) {
		struct slot *s = ar_slot(k);

		if (s->state == S_FOUND && s->offset != c->ar_off[k]) {
			c->ar_fmt = AR_UNKNOWN;
			c->ar_why = "the search contradicts discovery";
		}
	}
	if (c->ar_fmt == AR_UNKNOWN) {
		pr_info("access rights: format not found: %s\n",
			c->ar_why ? c->ar_why : "?");
		memset(c->ar_off, 0, sizeof(c->ar_off));
		return;
	}
	for (k = 0; k < NR_AR; k++) {
		struct slot *s = ar_slot(k);

		s->offset = c->ar_off[k];
		s->state = S_FOUND;
		s->why = NULL;
	}
	ar_format = c->ar_fmt;
	memcpy(ar_offsets, c->ar_off, sizeof(ar_offsets));
	pr_info("access rights: stored %s, all eight located\n",
		ar_fmt_names[ar_format]);
}

/* Another CPU's search must have found the same. */
static int same_ar(unsigned int cpu, const struct ctx *c)
{
	if (c->ar_fmt == ar_format &&
	    !memcmp(c->ar_off, ar_offsets, sizeof(ar_offsets)))
		return 0;
	pr_err("CPU %u: access rights stored %s at %#x..., the first CPU: %s at %#x...\n",
	       cpu, ar_fmt_names[c->ar_fmt], c->ar_off[0],
	       ar_fmt_names[ar_format], ar_offsets[0]);
	return -EIO;
}

/* ------------------------------------------------------------- result */

static bool overlaps(unsigned int a, unsigned int b)
{
	const struct slot *x = &slots[a], *y = &slots[b];
	unsigned int xe = x->offset + enc_bytes(x->enc);
	unsigned int ye = y->offset + enc_bytes(y->enc);

	/* A 64-bit field and its own high half share bytes by design. */
	if ((x->enc | 1) == (y->enc | 1))
		return false;
	return x->offset < ye && y->offset < xe;
}

static int check_result(void)
{
	unsigned int i, j, found = 0, undecoded = 0;
	int missing = 0;

	for (i = 0; i < nslots; i++)
		for (j = i + 1; j < nslots; j++)
			if (slots[i].state == S_FOUND &&
			    slots[j].state == S_FOUND && overlaps(i, j)) {
				pr_err("fields %04x and %04x overlap at %#x/%#x\n",
				       slots[i].enc, slots[j].enc,
				       slots[i].offset, slots[j].offset);
				return -EIO;
			}
	for (i = 0; i < nslots; i++) {
		if (slots[i].state == S_FOUND)
			found++;
		if (slots[i].state == S_UNDECODED) {
			undecoded++;
			pr_info("%04x %s: not published: %s\n", slots[i].enc,
				slots[i].name, slots[i].why);
		}
	}
	for (i = 0; i < ARRAY_SIZE(core_fields); i++) {
		for (j = 0; j < nslots; j++)
			if (slots[j].enc == core_fields[i])
				break;
		if (j == nslots || slots[j].state != S_FOUND) {
			pr_err("field %04x (%s) could not be located: the layout is of no use to vmcore-guests\n",
			       core_fields[i],
			       j < nslots ? slots[j].name : "?");
			missing++;
		}
	}
	pr_info("VMCS revision %#x: %u encodings located, %u not stored plainly, %u not supported\n",
		revision_id, found, undecoded, nslots - found - undecoded);
	return missing ? -ENODEV : 0;
}

/* ------------------------------------------------------ in the dump too */

/*
 * The published layout as VMCSINFO text (docs/vmcsinfo-note.md), kept
 * in the module's own memory: a crash dump then holds it without any
 * load-time note, and vmcore-guests finds it through the module list
 * (module vmcsinfo_intel, symbol vmcsinfo_text, NUL-terminated;
 * docs/kvminfo-note.md, src/kvmdesc.h).  Static and in .bss, so it is in
 * the module's symbol table with CONFIG_KALLSYMS_ALL.
 */
static char vmcsinfo_text[16384] __used;

static void keep_text(void)
{
	size_t len;
	unsigned int i;

	len = scnprintf(vmcsinfo_text, sizeof(vmcsinfo_text),
			"VMCSINFO_VERSION=1\nREVISION_ID=0x%x\n", revision_id);
	for (i = 0; i < nslots; i++) {
		/* a line that does not fit is left out whole */
		if (slots[i].state != S_FOUND ||
		    sizeof(vmcsinfo_text) - len < 24)
			continue;
		len += scnprintf(vmcsinfo_text + len,
				 sizeof(vmcsinfo_text) - len,
				 "FIELD(0x%04x)=0x%x\n", slots[i].enc,
				 slots[i].offset);
	}
	if (ar_format != AR_UNKNOWN)
		scnprintf(vmcsinfo_text + len, sizeof(vmcsinfo_text) - len,
			  "AR_FORMAT=%s\n", ar_fmt_names[ar_format]);
}

/* --------------------------------------------------------------- sysfs */

static ssize_t offset_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	const struct slot *s = container_of(attr, struct slot, attr);

	return sysfs_emit(buf, "0x%x\n",
			  s->state == S_FOUND ? (unsigned int)s->offset : 0u);
}

static ssize_t vmcs_id_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "0x%x\n", revision_id);
}

static DEVICE_ATTR_RO(vmcs_id);

static ssize_t vmcs_ar_format_show(struct device *dev,
				   struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n", ar_fmt_names[ar_format]);
}

static DEVICE_ATTR_RO(vmcs_ar_format);

static struct attribute **vmcs_attrs;
static struct attribute_group vmcs_group = { .name = "vmcs" };
static bool group_added, id_added, ar_added;

/* The /sys/devices/system/cpu device. */
static struct device *cpu_root;

static int publish(void)
{
	unsigned int i;
	int rc;

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	cpu_root = bus_get_dev_root(&cpu_subsys);
#else
	cpu_root = get_device(cpu_subsys.dev_root);
#endif
	if (!cpu_root)
		return -ENODEV;
	vmcs_attrs = kcalloc(nslots + 1, sizeof(*vmcs_attrs), GFP_KERNEL);
	if (!vmcs_attrs)
		return -ENOMEM;
	for (i = 0; i < nslots; i++) {
		struct slot *s = &slots[i];

		snprintf(s->fname, sizeof(s->fname), "%04x", s->enc);
		sysfs_attr_init(&s->attr.attr);
		s->attr.attr.name = s->fname;
		s->attr.attr.mode = 0444;
		s->attr.show = offset_show;
		vmcs_attrs[i] = &s->attr.attr;
	}
	vmcs_group.attrs = vmcs_attrs;
	rc = sysfs_create_group(&cpu_root->kobj, &vmcs_group);
	if (rc)
		return rc;
	group_added = true;
	if (ar_format != AR_UNKNOWN) {
		rc = device_create_file(cpu_root, &dev_attr_vmcs_ar_format);
		if (rc)
			return rc;
		ar_added = true;
	}
	/* vmcs_id last: readers take it as "the tree is complete". */
	rc = device_create_file(cpu_root, &dev_attr_vmcs_id);
	if (rc)
		return rc;
	id_added = true;
	return 0;
}

static void unpublish(void)
{
	if (id_added)
		device_remove_file(cpu_root, &dev_attr_vmcs_id);
	if (ar_added)
		device_remove_file(cpu_root, &dev_attr_vmcs_ar_format);
	if (group_added)
		sysfs_remove_group(&cpu_root->kobj, &vmcs_group);
	ar_added = false;
	id_added = false;
	group_added = false;
	put_device(cpu_root);
	cpu_root = NULL;
	kfree(vmcs_attrs);
	vmcs_attrs = NULL;
}

/* ---------------------------------------------------------------- init */

static int build_slots(void)
{
	unsigned int i, n = 0, max_index = ENC_INDEX(caps.vmcs_enum);

	slots = kcalloc(ARRAY_SIZE(fields) * 2, sizeof(*slots), GFP_KERNEL);
	if (!slots)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		const struct field_def *f = &fields[i];
		int says = cap_says(f);
		u8 st = S_FOUND; /* "candidate" until discovery says more */

		if (says == 0 || ENC_INDEX(f->enc) > max_index)
			st = S_UNSUPPORTED;
		slots[n++] = (struct slot){
			.enc = f->enc, .name = f->name, .state = st, .cap = says
		};
		if (ENC_WIDTH(f->enc) == W64)
			slots[n++] = (struct slot){ .enc = f->enc | 1,
						    .name = f->name,
						    .state = st,
						    .cap = says };
	}
	nslots = n;
	return 0;
}

static int __init vmcsinfo_init(void)
{
	struct ctx c = { .job = JOB_DISCOVER };
	gfp_t gfp = GFP_KERNEL | __GFP_ZERO;
	unsigned int cpu, this;
	u64 fc, basic;
	int rc;

	if (!boot_cpu_has(X86_FEATURE_VMX)) {
		pr_info("this CPU has no VMX (or it is disabled): nothing to do\n");
		return -ENODEV;
	}
	if (x86_hyper_type == X86_HYPER_MS_HYPERV) {
		/* KVM may use enlightened VMCSs there, which VMPTRST does
		 * not see. */
		pr_info("running on Hyper-V: not probing the VMCS\n");
		return -ENODEV;
	}
	if (rdmsrl_safe(MSR_FEATURE_CONTROL, &fc) || !(fc & FC_LOCKED) ||
	    !(fc & FC_VMX_OUTSIDE_SMX)) {
		pr_info("VMX is disabled by the firmware (IA32_FEATURE_CONTROL)\n");
		return -ENODEV;
	}
	if (read_caps(&caps)) {
		pr_info("the VMX capability MSRs cannot be read\n");
		return -ENODEV;
	}
	basic = caps.basic;
	revision_id = (u32)(basic & 0x7fffffff);
	if (BASIC_MEMTYPE(basic) != MEMTYPE_WB) {
		pr_info("VMCS memory type %llu is not write-back: not supported\n",
			BASIC_MEMTYPE(basic));
		return -ENODEV;
	}
	if (((basic >> 32) & 0x1fff) > VMCS_SIZE) {
		pr_info("VMCS region of %llu bytes: larger than a page\n",
			(basic >> 32) & 0x1fff);
		return -ENODEV;
	}
	if (basic & BASIC_32BIT_ADDR)
		gfp |= GFP_DMA32;

	rc = build_slots();
	if (rc)
		return rc;
	c.vmcs = (u8 *)__get_free_page(gfp);
	c.vmxon = (u8 *)__get_free_page(gfp);
	rc = -ENOMEM;
	if (!c.vmcs || !c.vmxon)
		goto out;

	cpus_read_lock();
	this = get_cpu();
	put_cpu();
	rc = run_on(this, &c);
	if (!rc) {
		pr_info("CPU %u: VMX was %s, %u fields self-checked, %u dropped\n",
			this, c.did_vmxon ? "off (VMXON done here)" : "on",
			c.checked, c.bad);
		apply_ar(&c);
		rc = check_result();
	}
	/* Every other CPU must agree with the layout. */
	c.job = JOB_CHECK;
	for_each_online_cpu(cpu)
	{
		u64 b;

		if (rc || cpu == this)
			continue;
		rc = rdmsrl_safe_on_cpu(cpu, MSR_VMX_BASIC, &b) ? -EIO : 0;
		if (!rc && b != basic) {
			pr_err("CPU %u: IA32_VMX_BASIC %#llx differs from CPU %u's %#llx\n",
			       cpu, b, this, basic);
			rc = -EIO;
		}
		if (!rc)
			rc = run_on(cpu, &c);
		if (!rc && c.bad) {
			pr_err("CPU %u: field %04x holds %#llx in memory, VMREAD says %#llx\n",
			       cpu, c.first_bad, c.bad_mem, c.bad_want);
			rc = -EIO;
		}
		if (!rc)
			rc = same_ar(cpu, &c);
	}
	cpus_read_unlock();
	if (!rc)
		keep_text();
	if (!rc)
		rc = publish();
	if (rc)
		unpublish();
out:
	free_page((unsigned long)c.vmcs);
	free_page((unsigned long)c.vmxon);
	if (rc) {
		kfree(slots);
		slots = NULL;
		pr_info("not loaded (%d): no VMCS layout published\n", rc);
	}
	return rc;
}

static void __exit vmcsinfo_exit(void)
{
	vmcsinfo_text[0] = '\0';
	unpublish();
	kfree(slots);
}

module_init(vmcsinfo_init);
module_exit(vmcsinfo_exit);

static const struct x86_cpu_id vmcsinfo_cpu_ids[] = {
	X86_MATCH_FEATURE(X86_FEATURE_VMX, NULL),
	{}
};
MODULE_DEVICE_TABLE(x86cpu, vmcsinfo_cpu_ids);

MODULE_DESCRIPTION("VMCS field offsets of this CPU, for kdump (VMCSINFO)");
MODULE_LICENSE("GPL");
