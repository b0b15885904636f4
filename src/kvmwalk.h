/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The KVM-aware walk: vm_list -> struct kvm -> vCPUs, memslots, the
 * owning QEMU process (argv: -name, -uuid), vCPU threads and scheduler
 * timestamps, all through the offsets of the KVMINFO note
 * (docs/kvminfo-note.md) and host virtual memory (src/hostkv.h).
 *
 * Everything read is bounded by the caps below; a corrupt structure stops
 * that part of the walk with a reason, never the program.
 */
#ifndef VG_KVMWALK_H
#define VG_KVMWALK_H

#include <stdint.h>

#include "src/hostkv.h"
#include "notes/kvminfo-parse.h"

#define VG_KW_MAX_VMS 256
#define VG_KW_MAX_VCPUS 1024 /* per VM */
#define VG_KW_MAX_SLOTS 1024 /* per VM, address space 0 */
#define VG_KW_MAX_ARGV (64u << 10)
#define VG_KW_NREGS 17 /* VCPU_REGS_RAX .. VCPU_REGS_RIP */
#define VG_KW_REG_RIP 16

/* kvm_vcpu.mode */
enum {
	VG_KW_OUTSIDE_GUEST_MODE,
	VG_KW_IN_GUEST_MODE,
	VG_KW_EXITING_GUEST_MODE,
	VG_KW_READING_SHADOW_PAGE_TABLES
};

/* vg_kw_vcpu.l2_tdp */
enum {
	VG_KW_L2_UNKNOWN, /* L1's tables for L2 not found: l2_why */
	VG_KW_L2_EPT, /* l2_root is vmcs12's EPTP */
	VG_KW_L2_NO_EPT, /* L1 runs L2 without EPT: L2-physical = L1-physical */
	VG_KW_L2_VMCB12, /* vmcb12_gpa: read nCR3 from L1 memory */
};

struct vg_kw_slot {
	uint64_t base_gfn, npages, hva;
	uint32_t flags;
	int id;
};

struct vg_kw_vcpu {
	uint64_t va; /* struct kvm_vcpu */
	int vcpu_id, vcpu_idx;
	uint64_t state_pa; /* VMCB / VMCS in use at the crash */
	uint64_t l1_state_pa; /* vmcb01 / vmcs01: the guest's own state */
	int have_state;
	int nested; /* state_pa != l1_state_pa: running an L2 guest */
	/*
	 * Running L2: L1's own tables for it.  VMX: vmcs12's EPT_POINTER
	 * (L1-physical) from KVM's cached_vmcs12; SVM: vmcb12's address in
	 * L1 memory (its nCR3 is read from there, src/run.c).
	 */
	int l2_tdp; /* VG_KW_L2_* */
	uint64_t l2_root; /* VMX: the vmcs12 EPTP */
	uint64_t vmcb12_gpa; /* SVM: svm->nested.vmcb12_gpa */
	char l2_why[80]; /* l2_tdp == VG_KW_L2_UNKNOWN: why */
	uint64_t regs[VG_KW_NREGS];
	uint32_t regs_avail, regs_dirty;
	int nregs; /* regs[] read (0: unknown) */
	int mode, have_mode;
	int tid; /* vCPU thread */
	char comm[17];
	uint32_t task_state;
	int on_cpu;
	int have_task;
	uint64_t exec_start;
	int have_exec_start;
	char error[120];
};

/*
 * kvm->arch.vm_type (Linux >= 6.8; arch/x86/include/uapi/asm/kvm.h).
 * Older kernels have no such member: have_vm_type stays 0 there.
 */
enum {
	VG_KW_VM_DEFAULT = 0,
	VG_KW_VM_SW_PROTECTED = 1, /* guest_memfd private memory, testing */
	VG_KW_VM_SEV = 2,
	VG_KW_VM_SEV_ES = 3,
	VG_KW_VM_SNP = 4,
	VG_KW_VM_TDX = 5,
};

/* kvm_memory_slot.flags: KVM_MEM_GUEST_MEMFD (include/uapi/linux/kvm.h) */
#define VG_KW_MEM_GUEST_MEMFD (1u << 2)

struct vg_kw_vm {
	uint64_t va; /* struct kvm */
	int pid; /* kvm->userspace_pid, 0 unknown */
	uint64_t vm_type; /* kvm->arch.vm_type, when have_vm_type */
	int have_vm_type;
	int slot_flags_known; /* OFFSET(kvm_memory_slot.flags) was given */
	char name[80]; /* QEMU -name guest=..., "" unknown */
	char uuid[48]; /* QEMU -uuid, "" unknown */
	char argv0[64]; /* basename of argv[0] */
	uint64_t pgd_pa; /* QEMU's page directory */
	int have_mm;
	struct vg_kw_slot *slots;
	unsigned nslots;
	struct vg_kw_vcpu *vcpus;
	unsigned nvcpus;
	unsigned online_vcpus;
	char error[200]; /* first problem with this VM ("" none) */
};

struct vg_kw_result {
	struct vg_kw_vm *vms;
	unsigned nvms;
	int truncated; /* more VMs than VG_KW_MAX_VMS, or a list loop */
	uint64_t crash_clock; /* ns, max of the CPUs' rq->clock */
	int have_crash_clock;
	char error[200];
};

/*
 * Which description the walk used, and how the load-time note and the
 * dump's own description (src/kvmdesc.h) compare (report.json kvm.*).
 */
struct vg_kvm_choice {
	char source[16]; /* "note", "carrier", "dump"; "" none */
	unsigned int ndiff; /* keys where note and dump differ */
	char diff[1024]; /* "KEY: note V, dump V; ..." */
	int compared; /* both existed and were compared */
	char dump[256]; /* the dump's description: how, or why not */
};

/*
 * Walk.  Returns 0 (per-VM problems are in vms[].error), or -1 when the
 * walk could not start (missing keys, vm_list unreadable): res->error.
 */
int vg_kvm_walk(struct vg_hostkv *kv, const struct vg_kvminfo *ki,
		struct vg_kw_result *res);
void vg_kw_result_free(struct vg_kw_result *res);

/*
 * QEMU's command line (NUL-separated, len bytes): -name [guest=]NAME[,...]
 * and -uuid UUID.  Exposed for the unit tests.
 */
void vg_kw_parse_argv(const char *args, size_t len, struct vg_kw_vm *vm);

/* Nanoseconds since the vCPU thread last ran; 0 with *known = 0. */
uint64_t vg_kw_last_ran(const struct vg_kw_result *res,
			const struct vg_kw_vcpu *c, int *known);

/* "running", "sleeping", ... for task_struct.__state (TASK_* bits). */
const char *vg_kw_task_state(uint32_t state);

/*
 * "default", "sw-protected", "sev", "sev-es", "sev-snp", "tdx", or NULL
 * for a value this tool does not know.
 */
const char *vg_kw_vm_type_name(uint64_t vm_type);

/* A TD (vm_type TDX): its vCPUs have no VMCS guest state to read. */
static inline int vg_kw_vm_is_td(const struct vg_kw_vm *vm)
{
	return vm->have_vm_type && vm->vm_type == VG_KW_VM_TDX;
}

/* "outside", "in-guest", "exiting", "reading-spt". */
const char *vg_kw_mode_name(int mode);

#endif
