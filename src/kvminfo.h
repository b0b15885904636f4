/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The capture side of the KVMINFO note (docs/kvminfo-note.md): the text is
 * parsed into a table indexed by enum vg_ki; a key the note does not carry
 * stays unknown and the walk that needs it is not attempted.
 *
 * Also a small reader of VMCOREINFO-style text ("KEY=VALUE" lines) for the
 * host's own VMCOREINFO note.
 */
#ifndef VG_KVMINFO_H
#define VG_KVMINFO_H

#include <stddef.h>
#include <stdint.h>

#define VG_KVMINFO_NOTE_NAME "KVMINFO"
#define VG_KVMINFO_NOTE_TYPE 0
#define VG_KVMINFO_TEXT_MAX (64u << 10)

/* Every key the walk may use, in the order of docs/kvminfo-note.md. */
enum vg_ki {
	KI_SYM_VM_LIST,
	KI_SYM_RUNQUEUES,
	KI_SYM_PER_CPU_OFFSET,
	KI_NUM_NR_CPU_IDS,
	KI_OFF_LIST_HEAD_NEXT,
	KI_SIZE_KVM,
	KI_OFF_KVM_VM_LIST,
	KI_OFF_KVM_MM,
	KI_OFF_KVM_MEMSLOTS,
	KI_LEN_KVM_MEMSLOTS,
	KI_OFF_KVM_ONLINE_VCPUS,
	KI_OFF_KVM_USERSPACE_PID,
	KI_OFF_KVM_VCPU_ARRAY,
	KI_OFF_KVM_VCPUS,
	KI_LEN_KVM_VCPUS,
	KI_OFF_XARRAY_XA_HEAD,
	KI_OFF_XA_NODE_SHIFT,
	KI_OFF_XA_NODE_SLOTS,
	KI_LEN_XA_NODE_SLOTS,
	KI_OFF_MEMSLOTS_GFN_TREE,
	KI_OFF_MEMSLOTS_NODE_IDX,
	KI_OFF_MEMSLOTS_MEMSLOTS,
	KI_OFF_MEMSLOTS_USED_SLOTS,
	KI_SIZE_MEMORY_SLOT,
	KI_OFF_SLOT_GFN_NODE,
	KI_OFF_SLOT_BASE_GFN,
	KI_OFF_SLOT_NPAGES,
	KI_OFF_SLOT_USERSPACE_ADDR,
	KI_OFF_SLOT_FLAGS,
	KI_OFF_SLOT_ID,
	KI_OFF_SLOT_AS_ID,
	KI_OFF_RB_ROOT_RB_NODE,
	KI_OFF_RB_NODE_RB_LEFT,
	KI_OFF_RB_NODE_RB_RIGHT,
	KI_SIZE_RB_NODE,
	KI_SIZE_VCPU,
	KI_OFF_VCPU_KVM,
	KI_OFF_VCPU_VCPU_ID,
	KI_OFF_VCPU_VCPU_IDX,
	KI_OFF_VCPU_PID,
	KI_OFF_VCPU_MODE,
	KI_OFF_VCPU_REGS,
	KI_LEN_VCPU_REGS,
	KI_OFF_VCPU_REGS_AVAIL,
	KI_OFF_VCPU_REGS_DIRTY,
	KI_OFF_SVM_VCPU,
	KI_OFF_SVM_CURRENT_VMCB,
	KI_OFF_SVM_VMCB01,
	KI_OFF_VMCB_INFO_PA,
	KI_OFF_SVM_NESTED_VMCB12_GPA,
	KI_OFF_SVM_NESTED_VMCB02,
	KI_OFF_VMX_VCPU,
	KI_OFF_VMX_LOADED_VMCS,
	KI_OFF_VMX_VMCS01,
	KI_OFF_LOADED_VMCS_VMCS,
	KI_OFF_VMX_NESTED_CACHED_VMCS12,
	KI_OFF_VMX_NESTED_CURRENT_VMPTR,
	KI_OFF_PID_NUMBERS,
	KI_OFF_UPID_NR,
	KI_OFF_PID_TASKS,
	KI_OFF_HLIST_HEAD_FIRST,
	KI_OFF_TASK_PID_LINKS,
	KI_OFF_TASK_PID,
	KI_OFF_TASK_TGID,
	KI_OFF_TASK_COMM,
	KI_SIZE_TASK_COMM,
	KI_OFF_TASK_STATE, /* task_struct.__state, or .state before 5.14 */
	KI_OFF_TASK_ON_CPU,
	KI_OFF_TASK_EXEC_START,
	KI_OFF_TASK_LAST_ARRIVAL,
	KI_OFF_RQ_CLOCK,
	KI_OFF_MM_PGD,
	KI_OFF_MM_ARG_START,
	KI_OFF_MM_ARG_END,
	KI_NR
};

enum vg_ki_vendor { VG_KI_VENDOR_UNKNOWN, VG_KI_VENDOR_SVM, VG_KI_VENDOR_VMX };

struct vg_kvminfo {
	int version;
	char osrelease[65];
	enum vg_ki_vendor vendor;
	uint64_t val[KI_NR];
	uint8_t have[KI_NR];
};

/*
 * Parse the descriptor text (len bytes, need not be NUL-terminated).
 * Unknown keys are ignored; a known key with a malformed value, a missing
 * or unsupported KVMINFO_VERSION fail with one line in err.
 */
int vg_kvminfo_parse(const char *text, size_t len, struct vg_kvminfo *ki,
		     char *err, size_t errsz);

/* The key text of k ("OFFSET(kvm.mm)"), for messages. */
const char *vg_kvminfo_key(enum vg_ki k);

/*
 * Are all of keys[0..n) present?  Returns 1, or 0 with the first missing
 * key's name in *missing.
 */
int vg_kvminfo_has(const struct vg_kvminfo *ki, const enum vg_ki *keys,
		   size_t n, const char **missing);

/*
 * Value of "key=" in VMCOREINFO-style text (lines "KEY=VALUE"), copied
 * into buf (NUL-terminated, truncated to bufsz - 1).  Returns 0, or -1
 * when the key is absent.
 */
int vg_keyval_get(const char *text, size_t len, const char *key, char *buf,
		  size_t bufsz);

#endif
