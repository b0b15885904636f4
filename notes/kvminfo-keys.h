/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The KVMINFO keys (docs/kvminfo-note.md), the one table both sides
 * share: notes/kvminfo.c writes every key of it that the running kernel
 * has, in this order; notes/kvminfo-parse.c reads them into an array
 * indexed by enum kvminfo_key.  A key is KIND(path): SYMBOL(name) from
 * kallsyms (hex), NUMBER(name) (decimal), OFFSET/SIZE/LENGTH(struct[.member
 * ...]) from BTF (decimal).  Where kernel versions renamed a member both
 * names have a key and the kernel has one of them (task_struct.__state,
 * task_struct.state before 5.14).  A member only newer kernels have
 * (kvm.arch.vm_type, Linux >= 6.8) is simply left out by older ones.
 *
 * libc only, header only: the kexec-tools series carries it.
 */
#ifndef KVMINFO_KEYS_H
#define KVMINFO_KEYS_H

enum kvminfo_kind {
	KVMINFO_SYMBOL,
	KVMINFO_NUMBER,
	KVMINFO_OFFSET,
	KVMINFO_SIZE,
	KVMINFO_LENGTH,
};

/* X(enumerator, kind, path) for every key, in the order of the note. */
#define KVMINFO_KEYS(X)                                                       \
	X(KI_SYM_VM_LIST, SYMBOL, "vm_list")                                  \
	X(KI_SYM_RUNQUEUES, SYMBOL, "runqueues")                              \
	X(KI_SYM_PER_CPU_OFFSET, SYMBOL, "__per_cpu_offset")                  \
	X(KI_NUM_NR_CPU_IDS, NUMBER, "nr_cpu_ids")                            \
	X(KI_OFF_LIST_HEAD_NEXT, OFFSET, "list_head.next")                    \
	X(KI_SIZE_KVM, SIZE, "kvm")                                           \
	X(KI_OFF_KVM_VM_LIST, OFFSET, "kvm.vm_list")                          \
	X(KI_OFF_KVM_MM, OFFSET, "kvm.mm")                                    \
	X(KI_OFF_KVM_MEMSLOTS, OFFSET, "kvm.memslots")                        \
	X(KI_LEN_KVM_MEMSLOTS, LENGTH, "kvm.memslots")                        \
	X(KI_OFF_KVM_ONLINE_VCPUS, OFFSET, "kvm.online_vcpus")                \
	X(KI_OFF_KVM_USERSPACE_PID, OFFSET, "kvm.userspace_pid")              \
	X(KI_OFF_KVM_VM_TYPE, OFFSET, "kvm.arch.vm_type")                     \
	X(KI_SIZE_KVM_VM_TYPE, SIZE, "kvm.arch.vm_type")                      \
	X(KI_OFF_KVM_VCPU_ARRAY, OFFSET, "kvm.vcpu_array")                    \
	X(KI_OFF_KVM_VCPUS, OFFSET, "kvm.vcpus")                              \
	X(KI_LEN_KVM_VCPUS, LENGTH, "kvm.vcpus")                              \
	X(KI_OFF_XARRAY_XA_HEAD, OFFSET, "xarray.xa_head")                    \
	X(KI_OFF_XA_NODE_SHIFT, OFFSET, "xa_node.shift")                      \
	X(KI_OFF_XA_NODE_SLOTS, OFFSET, "xa_node.slots")                      \
	X(KI_LEN_XA_NODE_SLOTS, LENGTH, "xa_node.slots")                      \
	X(KI_OFF_MEMSLOTS_GFN_TREE, OFFSET, "kvm_memslots.gfn_tree")          \
	X(KI_OFF_MEMSLOTS_NODE_IDX, OFFSET, "kvm_memslots.node_idx")          \
	X(KI_OFF_MEMSLOTS_MEMSLOTS, OFFSET, "kvm_memslots.memslots")          \
	X(KI_OFF_MEMSLOTS_USED_SLOTS, OFFSET, "kvm_memslots.used_slots")      \
	X(KI_SIZE_MEMORY_SLOT, SIZE, "kvm_memory_slot")                       \
	X(KI_OFF_SLOT_GFN_NODE, OFFSET, "kvm_memory_slot.gfn_node")           \
	X(KI_OFF_SLOT_BASE_GFN, OFFSET, "kvm_memory_slot.base_gfn")           \
	X(KI_OFF_SLOT_NPAGES, OFFSET, "kvm_memory_slot.npages")               \
	X(KI_OFF_SLOT_USERSPACE_ADDR, OFFSET,                                 \
	  "kvm_memory_slot.userspace_addr")                                   \
	X(KI_OFF_SLOT_FLAGS, OFFSET, "kvm_memory_slot.flags")                 \
	X(KI_OFF_SLOT_ID, OFFSET, "kvm_memory_slot.id")                       \
	X(KI_OFF_SLOT_AS_ID, OFFSET, "kvm_memory_slot.as_id")                 \
	X(KI_OFF_RB_ROOT_RB_NODE, OFFSET, "rb_root.rb_node")                  \
	X(KI_OFF_RB_NODE_RB_LEFT, OFFSET, "rb_node.rb_left")                  \
	X(KI_OFF_RB_NODE_RB_RIGHT, OFFSET, "rb_node.rb_right")                \
	X(KI_SIZE_RB_NODE, SIZE, "rb_node")                                   \
	X(KI_SIZE_VCPU, SIZE, "kvm_vcpu")                                     \
	X(KI_OFF_VCPU_KVM, OFFSET, "kvm_vcpu.kvm")                            \
	X(KI_OFF_VCPU_VCPU_ID, OFFSET, "kvm_vcpu.vcpu_id")                    \
	X(KI_OFF_VCPU_VCPU_IDX, OFFSET, "kvm_vcpu.vcpu_idx")                  \
	X(KI_OFF_VCPU_PID, OFFSET, "kvm_vcpu.pid")                            \
	X(KI_OFF_VCPU_MODE, OFFSET, "kvm_vcpu.mode")                          \
	X(KI_OFF_VCPU_REGS, OFFSET, "kvm_vcpu.arch.regs")                     \
	X(KI_LEN_VCPU_REGS, LENGTH, "kvm_vcpu.arch.regs")                     \
	X(KI_OFF_VCPU_REGS_AVAIL, OFFSET, "kvm_vcpu.arch.regs_avail")         \
	X(KI_OFF_VCPU_REGS_DIRTY, OFFSET, "kvm_vcpu.arch.regs_dirty")         \
	X(KI_OFF_SVM_VCPU, OFFSET, "vcpu_svm.vcpu")                           \
	X(KI_OFF_SVM_CURRENT_VMCB, OFFSET, "vcpu_svm.current_vmcb")           \
	X(KI_OFF_SVM_VMCB01, OFFSET, "vcpu_svm.vmcb01")                       \
	X(KI_OFF_VMCB_INFO_PA, OFFSET, "kvm_vmcb_info.pa")                    \
	X(KI_OFF_SVM_NESTED_VMCB12_GPA, OFFSET, "vcpu_svm.nested.vmcb12_gpa") \
	X(KI_OFF_SVM_NESTED_VMCB02, OFFSET, "vcpu_svm.nested.vmcb02")         \
	X(KI_OFF_VMX_VCPU, OFFSET, "vcpu_vmx.vcpu")                           \
	X(KI_OFF_VMX_LOADED_VMCS, OFFSET, "vcpu_vmx.loaded_vmcs")             \
	X(KI_OFF_VMX_VMCS01, OFFSET, "vcpu_vmx.vmcs01")                       \
	X(KI_OFF_LOADED_VMCS_VMCS, OFFSET, "loaded_vmcs.vmcs")                \
	X(KI_OFF_VMX_NESTED_CACHED_VMCS12, OFFSET,                            \
	  "vcpu_vmx.nested.cached_vmcs12")                                    \
	X(KI_OFF_VMX_NESTED_CURRENT_VMPTR, OFFSET,                            \
	  "vcpu_vmx.nested.current_vmptr")                                    \
	X(KI_OFF_PID_NUMBERS, OFFSET, "pid.numbers")                          \
	X(KI_OFF_UPID_NR, OFFSET, "upid.nr")                                  \
	X(KI_OFF_PID_TASKS, OFFSET, "pid.tasks")                              \
	X(KI_OFF_HLIST_HEAD_FIRST, OFFSET, "hlist_head.first")                \
	X(KI_OFF_TASK_PID_LINKS, OFFSET, "task_struct.pid_links")             \
	X(KI_OFF_TASK_PID, OFFSET, "task_struct.pid")                         \
	X(KI_OFF_TASK_TGID, OFFSET, "task_struct.tgid")                       \
	X(KI_OFF_TASK_COMM, OFFSET, "task_struct.comm")                       \
	X(KI_SIZE_TASK_COMM, SIZE, "task_struct.comm")                        \
	X(KI_OFF_TASK_STATE, OFFSET, "task_struct.__state")                   \
	X(KI_OFF_TASK_STATE_OLD, OFFSET, "task_struct.state")                 \
	X(KI_OFF_TASK_ON_CPU, OFFSET, "task_struct.on_cpu")                   \
	X(KI_OFF_TASK_EXEC_START, OFFSET, "task_struct.se.exec_start")        \
	X(KI_OFF_TASK_LAST_ARRIVAL, OFFSET,                                   \
	  "task_struct.sched_info.last_arrival")                              \
	X(KI_OFF_RQ_CLOCK, OFFSET, "rq.clock")                                \
	X(KI_OFF_MM_PGD, OFFSET, "mm_struct.pgd")                             \
	X(KI_OFF_MM_ARG_START, OFFSET, "mm_struct.arg_start")                 \
	X(KI_OFF_MM_ARG_END, OFFSET, "mm_struct.arg_end")

#define KVMINFO_KEY_ENUM(id, kind, path) id,
enum kvminfo_key { KVMINFO_KEYS(KVMINFO_KEY_ENUM) KI_NR };
#undef KVMINFO_KEY_ENUM

struct kvminfo_keydef {
	enum kvminfo_kind kind;
	const char *path;
};

/*
 * The table itself, indexed by enum kvminfo_key: static in every file
 * that includes it with KVMINFO_KEYS_TABLE defined (one table, one
 * source of truth; the two users are in different programs).
 */
#ifdef KVMINFO_KEYS_TABLE
#define KVMINFO_KEY_DEF(id, kind, path) [id] = { KVMINFO_##kind, path },
static const struct kvminfo_keydef kvminfo_keys[KI_NR] = { KVMINFO_KEYS(
	KVMINFO_KEY_DEF) };
#undef KVMINFO_KEY_DEF
#endif

/* The key's kind as it is written: "SYMBOL", "OFFSET", ... */
static inline const char *kvminfo_kind_name(enum kvminfo_kind k)
{
	static const char *const names[] = { "SYMBOL", "NUMBER", "OFFSET",
					     "SIZE", "LENGTH" };

	return (unsigned int)k < 5 ? names[k] : "?";
}

#endif
