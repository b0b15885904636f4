/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where tests/src/kvmfixture.c puts things (host physical addresses,
 * kernel virtual addresses) and the structure offsets of its KVMINFO
 * note; shared with tests/src/kdescfixture.c, which describes the same
 * layout in BTF.
 */
#ifndef VG_TEST_KVMFIXTURE_LAYOUT_H
#define VG_TEST_KVMFIXTURE_LAYOUT_H

#include "tests/src/kvmfixture.h"

#define MiB (1ull << 20)
#define DM(pa) (KFX_DM + (pa))
#define KROOT 0x380000ull /* init_top_pgt */
#define VM_LIST 0x301000ull
#define KVM 0x300000ull
#define MEMSLOTS 0x302000ull
#define SLOT_A 0x303000ull
#define SLOT_B 0x303800ull
#define XA_NODE 0x304000ull
#define SVM0 0x305000ull
#define SVM1 0x306000ull
#define MM 0x307000ull
#define PGD 0x308000ull
#define PID0 0x309000ull
#define PID1 0x309100ull
#define TASK0 0x30a000ull
#define TASK1 0x30b000ull
#define RQ0 0x30d000ull
#define ARGV_PA 0x30f000ull
#define ARGV_HVA 0x7f0000000000ull
#define RAM_A 0x400000ull
#define RAM_B 0x600000ull
#define HVA_A 0x7f1000000000ull
#define HVA_B 0x7f1000200000ull

/* Offsets of the note below. */
#define O_KVM_VM_LIST 256
#define O_KVM_MM 8
#define O_KVM_MEMSLOTS 32
#define O_KVM_VCPU_ARRAY 64
#define O_XA_HEAD 8
#define O_XA_SLOTS 40
#define O_KVM_ONLINE 128
#define O_KVM_PID 132
#define O_KVM_ARCH 512 /* struct kvm_arch, when has_vm_type */
#define O_ARCH_VM_TYPE 40
#define O_KVM_VM_TYPE (O_KVM_ARCH + O_ARCH_VM_TYPE)
#define O_MS_GFN_TREE 48
#define O_MS_NODE_IDX 200
#define O_SLOT_GFN_NODE 48
#define S_RB 24
#define O_RB_RIGHT 8
#define O_RB_LEFT 16
#define O_SLOT_BASE 96
#define O_SLOT_NPAGES 104
#define O_SLOT_HVA 120
#define O_SLOT_FLAGS 128
#define O_SLOT_AS 132
#define O_SLOT_ID 134
#define O_VCPU_ID 48
#define O_VCPU_IDX 52
#define O_VCPU_MODE 56
#define O_VCPU_PID 64
#define O_VCPU_REGS 256
#define O_VCPU_AVAIL 400
#define O_VCPU_DIRTY 404
#define O_SVM_VCPU 64
#define O_SVM_CUR 2048
#define O_SVM_VMCB01 2064
#define O_INFO_PA 8
/* The same places in struct vcpu_vmx (opts.vmx): vcpu, loaded_vmcs,
 * vmcs01 (a struct loaded_vmcs), loaded_vmcs.vmcs. */
#define O_VMX_VCPU O_SVM_VCPU
#define O_VMX_LOADED O_SVM_CUR
#define O_VMX_VMCS01 O_SVM_VMCB01
#define O_LOADED_VMCS O_INFO_PA
#define O_VMX_CACHED12 2200 /* vcpu_vmx.nested.cached_vmcs12 */
#define O_SVM_VMCB12_GPA 2208 /* vcpu_svm.nested.vmcb12_gpa */
#define O_STATE02 3072 /* a loaded_vmcs / kvm_vmcb_info for vmcs02 / vmcb02 */
#define O_PID_NUMBERS 64
#define O_PID_TASKS 8
#define O_TASK_STATE 24
#define O_TASK_ON_CPU 32
#define O_TASK_PID 256
#define O_TASK_LINKS 512
#define O_TASK_COMM 768
#define O_TASK_EXEC 1024
#define O_RQ_CLOCK 128
#define O_MM_PGD 80
#define O_MM_ARG_START 256
#define O_MM_ARG_END 264

/*
 * The kernel image: 4 MiB at host physical 8 MiB, mapped (with a KASLR
 * offset) at KIMG_VA; KI_* are offsets into it.
 */
#define KIMG_BASE_PA 0x800000ull
#define KIMG_SIZE (4 * MiB)
#define KIMG_BASE_VA (0xffffffff81000000ull + KFX_KASLR)
#define KIMG_VA(off) (KIMG_BASE_VA + (off))
#define KIMG_PA(off) (KIMG_BASE_PA + (off))
#define KI_STEXT 0x0
#define KI_PCPU_OFF 0x1000 /* __per_cpu_offset[2] */
#define KI_NR_CPU_IDS 0x1100
#define KI_MODULES 0x2000 /* LIST_HEAD(modules) */
#define KI_BTF_MODULES 0x3000 /* LIST_HEAD(btf_modules) */
#define KI_KALLSYMS 0x100000 /* the kallsyms tables */
#define KI_BTF 0x200000 /* __start_BTF */

#endif
