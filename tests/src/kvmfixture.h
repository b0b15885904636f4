/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A synthetic KVM host for the unit tests: host kernel page tables, a
 * struct kvm on vm_list with two memslots (4 KiB pages with a hole, and
 * one 2 MiB page), two vCPUs in an xarray node, their VMCBs, threads and
 * run queues, and a QEMU process whose argv carries -name and -uuid, all
 * laid out by the KVMINFO note text kfx_kvminfo() returns (offsets chosen
 * unlike any real kernel so nothing can work by accident).
 */
#ifndef VG_TEST_KVMFIXTURE_H
#define VG_TEST_KVMFIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "tests/src/fixture.h"

#define KFX_DM 0xffff888000000000ull /* direct map */
#define KFX_PID 4242
#define KFX_NAME "web01"
#define KFX_UUID "5a0d9c3e-1f2b-4c55-9d1e-0123456789ab"
#define KFX_SLOT_A_PAGES 256 /* gfn 0: 4 KiB pages, page 5 not resident */
#define KFX_HOLE_GFN 5
#define KFX_SLOT_B_GFN 0x100 /* 2 MiB page */
#define KFX_SLOT_B_PAGES 512
#define KFX_PRESENT_PAGES (KFX_SLOT_A_PAGES - 1 + KFX_SLOT_B_PAGES)
#define KFX_CRASH_CLOCK 3500000000ull
#define KFX_TID0 4250
#define KFX_TID1 4251
#define KFX_VMCB0 0x100000ull
#define KFX_VMCB1 0x101000ull
#define KFX_KASLR 0x2a000000ull /* the host kernel's KERNELOFFSET */

/*
 * opts.nested: vCPU 0 runs an L2 guest.  L1 built tables for it in its
 * own memory (EPT12 for VMX, also used as NPT12 for SVM: one format
 * fits both here) at L1 gpa KFX_T12: L2 pages 0..15 -> L1 gfn 0x40..0x4f,
 * L2 page 16 -> L1 gfn KFX_HOLE_GFN (not resident), L2 0x200000 (2 MiB,
 * through a second PT) -> L1 0x100000 (slot B).  KVM's shadow (vmcs02 EPTP / vmcb02 nCR3)
 * maps only L2 page 0.  VMX: KVM's cached_vmcs12 holds the EPTP; SVM:
 * vmcb12 is at L1 gpa KFX_VMCB12_GPA.
 */
#define KFX_T12 0x80000ull
#define KFX_L2_SMALL 16
#define KFX_L2_SMALL_L1 0x40000ull
#define KFX_L2_LARGE 0x200000ull
#define KFX_L2_LARGE_L1 0x100000ull
#define KFX_L2_PAGES (KFX_L2_SMALL + 512)
#define KFX_VMCB12_GPA 0x90000ull
#define KFX_L2_RIP 0x7770

/* What is wrong with the host's description of itself (self_describe). */
enum kfx_damage {
	KD_NONE,
	KD_NO_KALLSYMS, /* VMCOREINFO without SYMBOL(kallsyms_*) (< 6.0) */
	KD_NO_BTF, /* no __start_BTF (CONFIG_DEBUG_INFO_BTF=n) */
	KD_NO_KVM, /* kvm and kvm_amd not loaded */
	KD_MODULES_LOOP, /* kvm_amd (before kvm) points to itself */
	KD_SYMTAB_FILTERED, /* kvm's symbol table left out of the dump */
	KD_BTF_GARBAGE, /* kvm's struct btf points at bytes without magic */
	KD_BTF_LIES, /* kvm's BTF header claims more than data_size */
	KD_BTF_HUGE, /* kvm's data_size is 3 GiB */
	KD_NUM_SYMTAB_HUGE, /* kvm's num_symtab is 0xffffffff */
	KD_BTF_MODULES_LOOP, /* btf_modules loops */
};

/* Knobs for the hostile and disagreeing variants. */
struct kfx_opts {
	int vm_list_loop; /* the VM's list entry points to itself */
	int rb_loop; /* a memslot tree node is its own left child */
	int vcpu1_vmcb_elsewhere; /* vmcb01 of vCPU 1 points to a plain page */
	int no_vmcbs; /* the VMCB pages stay zero: no AMD guest to find */
	int vmx; /* an Intel host: vcpu_vmx, VMCSs in the vmcs12 layout */
	int nested; /* vCPU 0 runs an L2 guest (KFX_L2_* above) */
	int l1_no_tdp; /* nested: L1 runs L2 without EPT / NPT */
	int l2_root_beyond_l1; /* nested: L1's root for L2 lies past L1's RAM */
	uint32_t vmcs12_revision; /* nested VMX: !0 overrides VMCS12_REVISION */
	const char *osrelease; /* of the KVMINFO note; NULL = the dump's */
	int no_kvminfo; /* leave the note out */
	/*
	 * The dump describes itself: kallsyms in VMCOREINFO, vmlinux BTF
	 * in the kernel image, kvm and kvm_amd on `modules` (vm_list in
	 * kvm's symbols) and their BTF on `btf_modules`, all giving the
	 * note's values (tests/src/kdescfixture.c).
	 */
	int self_describe;
	enum kfx_damage damage;
	int kvm_vm_list_offset; /* !0: the BTF says kvm.vm_list is here */
	/*
	 * vmcsinfo_intel on the module list with this text behind its
	 * symbol vmcsinfo_text (NULL: not loaded); vmcsinfo_no_nul: the
	 * text runs to the end of its 16 KiB without a NUL.
	 */
	const char *vmcsinfo_text;
	int vmcsinfo_no_nul;
	/*
	 * The kernel has kvm->arch.vm_type (Linux >= 6.8; 6.1, the
	 * default, has not): the note and the BTF give its offset and
	 * size (vm_type_size bytes, 0 = 1 as in >= 6.10), the VM has
	 * vm_type.  tdx: that VM is a TD on an Intel host (VENDOR=vmx, no
	 * vCPU state pages at all).
	 */
	int has_vm_type;
	uint64_t vm_type;
	int vm_type_size;
	int tdx;
	int vmcb_sev; /* both VMCBs: 1 SEV, 2 SEV-ES (encrypted VMSA) */
	int gmem_slot; /* memslot B is a guest_memfd slot */
};

/* RAM holding everything; the caller writes it with fx_write_elf(). */
struct fx *kfx_build(const struct kfx_opts *o);

/*
 * Lay the description into fx (kdescfixture.c) and append its
 * VMCOREINFO lines to vmci (vmcisz bytes, NUL-terminated).
 */
void kfx_self_describe(struct fx *fx, const struct kfx_opts *o, char *vmci,
		       size_t vmcisz);

/* What the guest page at gpa holds in its first 8 bytes. */
uint64_t kfx_marker(uint64_t gpa);

/* GPR i (KVM order) of vCPU v as the fixture's regs[] has it. */
uint64_t kfx_gpr(int v, int i);

#endif
