// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The KVM-aware walk (src/kvmwalk.h).
 */
#include "src/kvmwalk.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/vmx.h"

#define KVM_MEMSLOT_INVALID (1u << 16)
#define RB_MAX_DEPTH 64
#define XA_MAX_DEPTH 11
#define MAX_CPUS 8192

#define O(k) (ki->val[k])
#define H(k) (ki->have[k])

static void vmerr(struct vg_kw_vm *vm, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void vmerr(struct vg_kw_vm *vm, const char *fmt, ...)
{
	va_list ap;

	if (vm->error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(vm->error, sizeof(vm->error), fmt, ap);
	va_end(ap);
}

static int rd_ptr(struct vg_hostkv *kv, uint64_t va, uint64_t *p)
{
	return vg_kv_u64(kv, va, p);
}

static int rd_int(struct vg_hostkv *kv, uint64_t va, int *v)
{
	uint32_t x;

	if (vg_kv_u32(kv, va, &x))
		return -1;
	*v = (int)x;
	return 0;
}

/* ---- memslots ---------------------------------------------------------- */

static int add_slot(struct vg_hostkv *kv, const struct vg_kvminfo *ki,
		    struct vg_kw_vm *vm, uint64_t slot)
{
	struct vg_kw_slot s;
	uint16_t as_id = 0, id16 = 0;

	memset(&s, 0, sizeof(s));
	if (rd_ptr(kv, slot + O(KI_OFF_SLOT_BASE_GFN), &s.base_gfn) ||
	    rd_ptr(kv, slot + O(KI_OFF_SLOT_NPAGES), &s.npages) ||
	    rd_ptr(kv, slot + O(KI_OFF_SLOT_USERSPACE_ADDR), &s.hva)) {
		vmerr(vm, "memslot at 0x%" PRIx64 " unreadable", slot);
		return -1;
	}
	if (H(KI_OFF_SLOT_FLAGS) &&
	    vg_kv_u32(kv, slot + O(KI_OFF_SLOT_FLAGS), &s.flags))
		s.flags = 0;
	if (H(KI_OFF_SLOT_ID) &&
	    !vg_kv_u16(kv, slot + O(KI_OFF_SLOT_ID), &id16))
		s.id = (int16_t)id16;
	if (H(KI_OFF_SLOT_AS_ID) &&
	    vg_kv_u16(kv, slot + O(KI_OFF_SLOT_AS_ID), &as_id))
		as_id = 0;
	if (as_id != 0 || (s.flags & KVM_MEMSLOT_INVALID) || s.npages == 0)
		return 0;
	/* gfns are 52-12 bits; anything else is garbage */
	if (s.base_gfn >= (1ull << 40) || s.npages > (1ull << 40) ||
	    s.base_gfn + s.npages > (1ull << 40) || (s.hva & 4095)) {
		vmerr(vm,
		      "memslot %d: implausible gfn 0x%" PRIx64 " + %" PRIu64,
		      s.id, s.base_gfn, s.npages);
		return -1;
	}
	if (vm->nslots >= VG_KW_MAX_SLOTS) {
		vmerr(vm, "more than %d memslots: the rest were skipped",
		      VG_KW_MAX_SLOTS);
		return -1;
	}
	vm->slots[vm->nslots++] = s;
	return 0;
}

static const enum kvminfo_key rb_keys[] = {
	KI_OFF_MEMSLOTS_GFN_TREE, KI_OFF_MEMSLOTS_NODE_IDX,
	KI_OFF_SLOT_GFN_NODE,	  KI_SIZE_RB_NODE,
	KI_OFF_RB_ROOT_RB_NODE,	  KI_OFF_RB_NODE_RB_LEFT,
	KI_OFF_RB_NODE_RB_RIGHT,
};
static const enum kvminfo_key arr_keys[] = { KI_OFF_MEMSLOTS_MEMSLOTS,
					     KI_OFF_MEMSLOTS_USED_SLOTS,
					     KI_SIZE_MEMORY_SLOT };
static const enum kvminfo_key slot_keys[] = { KI_OFF_KVM_MEMSLOTS,
					      KI_OFF_SLOT_BASE_GFN,
					      KI_OFF_SLOT_NPAGES,
					      KI_OFF_SLOT_USERSPACE_ADDR };

/* In-order walk of the gfn tree: ascending base_gfn. */
static void slots_rbtree(struct vg_hostkv *kv, const struct vg_kvminfo *ki,
			 struct vg_kw_vm *vm, uint64_t ms)
{
	uint64_t stack[RB_MAX_DEPTH], node, base;
	unsigned depth = 0, visited = 0;
	int idx;

	if (rd_int(kv, ms + O(KI_OFF_MEMSLOTS_NODE_IDX), &idx) || idx < 0 ||
	    idx > 1) {
		vmerr(vm, "kvm_memslots.node_idx unreadable or not 0/1");
		return;
	}
	base = O(KI_OFF_SLOT_GFN_NODE) + (uint64_t)idx * O(KI_SIZE_RB_NODE);
	if (rd_ptr(kv,
		   ms + O(KI_OFF_MEMSLOTS_GFN_TREE) + O(KI_OFF_RB_ROOT_RB_NODE),
		   &node)) {
		vmerr(vm, "memslot tree root unreadable");
		return;
	}
	while (node || depth) {
		while (node) {
			if (depth == RB_MAX_DEPTH) {
				vmerr(vm, "memslot tree deeper than %d",
				      RB_MAX_DEPTH);
				return;
			}
			stack[depth++] = node;
			if (rd_ptr(kv, node + O(KI_OFF_RB_NODE_RB_LEFT),
				   &node)) {
				vmerr(vm, "memslot tree node unreadable");
				return;
			}
		}
		node = stack[--depth];
		if (++visited > VG_KW_MAX_SLOTS + 1) {
			vmerr(vm, "memslot tree has a loop or too many nodes");
			return;
		}
		if (add_slot(kv, ki, vm, node - base) < 0 &&
		    vm->nslots >= VG_KW_MAX_SLOTS)
			return;
		if (rd_ptr(kv, node + O(KI_OFF_RB_NODE_RB_RIGHT), &node)) {
			vmerr(vm, "memslot tree node unreadable");
			return;
		}
	}
}

static int cmp_slot(const void *a, const void *b)
{
	const struct vg_kw_slot *x = a, *y = b;

	return x->base_gfn < y->base_gfn ? -1 : x->base_gfn > y->base_gfn;
}

static void walk_slots(struct vg_hostkv *kv, const struct vg_kvminfo *ki,
		       struct vg_kw_vm *vm)
{
	const char *missing = NULL;
	uint64_t ms;

	if (!vg_kvminfo_has(ki, slot_keys, 4, &missing)) {
		vmerr(vm, "KVMINFO lacks %s: memslots unknown", missing);
		return;
	}
	vm->slots = calloc(VG_KW_MAX_SLOTS, sizeof(*vm->slots));
	if (!vm->slots) {
		vmerr(vm, "out of memory");
		return;
	}
	if (rd_ptr(kv, vm->va + O(KI_OFF_KVM_MEMSLOTS), &ms) || !ms) {
		vmerr(vm, "kvm->memslots[0] unreadable");
		return;
	}
	if (vg_kvminfo_has(ki, rb_keys, sizeof(rb_keys) / sizeof(rb_keys[0]),
			   NULL)) {
		slots_rbtree(kv, ki, vm, ms);
	} else if (vg_kvminfo_has(ki, arr_keys, 3, &missing)) {
		int used;

		if (rd_int(kv, ms + O(KI_OFF_MEMSLOTS_USED_SLOTS), &used) ||
		    used < 0 || used > VG_KW_MAX_SLOTS) {
			vmerr(vm, "kvm_memslots.used_slots unreadable or bad");
			return;
		}
		for (int i = 0; i < used; i++)
			if (add_slot(kv, ki, vm,
				     ms + O(KI_OFF_MEMSLOTS_MEMSLOTS) +
					     (uint64_t)i *
						     O(KI_SIZE_MEMORY_SLOT)) &&
			    vm->nslots >= VG_KW_MAX_SLOTS)
				break;
	} else {
		vmerr(vm, "KVMINFO lacks %s: memslots unknown", missing);
		return;
	}
	qsort(vm->slots, vm->nslots, sizeof(*vm->slots), cmp_slot);
	/* Overlapping slots cannot exist in one address space. */
	for (unsigned i = 1; i < vm->nslots; i++)
		if (vm->slots[i].base_gfn <
		    vm->slots[i - 1].base_gfn + vm->slots[i - 1].npages) {
			vmerr(vm, "memslots overlap at gfn 0x%" PRIx64,
			      vm->slots[i].base_gfn);
			vm->nslots = 0;
			return;
		}
}

/* ---- vCPUs -------------------------------------------------------------- */

/* kvm->vcpu_array (an xarray) at index idx: 0 and *vcpu, or -1. */
static int xa_lookup(struct vg_hostkv *kv, const struct vg_kvminfo *ki,
		     uint64_t xa, uint64_t idx, uint64_t *vcpu)
{
	uint64_t e,
		nslots = H(KI_LEN_XA_NODE_SLOTS) ? O(KI_LEN_XA_NODE_SLOTS) : 64;
	int through_node = 0;

	if (nslots == 0 || (nslots & (nslots - 1)) || nslots > 4096)
		return -1;
	if (rd_ptr(kv, xa + O(KI_OFF_XARRAY_XA_HEAD), &e))
		return -1;
	for (int d = 0; d < XA_MAX_DEPTH; d++) {
		if ((e & 3) == 2 && e > 4096) { /* internal: a node */
			uint64_t node = e - 2;
			uint8_t shift;

			if (vg_kv_u8(kv, node + O(KI_OFF_XA_NODE_SHIFT),
				     &shift) ||
			    shift > 63)
				return -1;
			if (rd_ptr(kv,
				   node + O(KI_OFF_XA_NODE_SLOTS) +
					   8 * ((idx >> shift) & (nslots - 1)),
				   &e))
				return -1;
			through_node = 1;
			continue;
		}
		if (!e || (e & 3))
			return -1; /* empty, or a value/internal entry */
		if (!through_node && idx != 0)
			return -1;
		*vcpu = e;
		return 0;
	}
	return -1;
}

static void walk_task(struct vg_hostkv *kv, const struct vg_kvminfo *ki,
		      struct vg_kw_vcpu *c)
{
	static const enum kvminfo_key keys[] = {
		KI_OFF_VCPU_PID,  KI_OFF_PID_NUMBERS,	 KI_OFF_UPID_NR,
		KI_OFF_PID_TASKS, KI_OFF_TASK_PID_LINKS,
	};
	uint64_t pid, first, task;
	int tid, tpid;

	if (!vg_kvminfo_has(ki, keys, sizeof(keys) / sizeof(keys[0]), NULL))
		return;
	if (rd_ptr(kv, c->va + O(KI_OFF_VCPU_PID), &pid) || !pid)
		return; /* never ran: no thread */
	if (rd_int(kv, pid + O(KI_OFF_PID_NUMBERS) + O(KI_OFF_UPID_NR), &tid))
		return;
	c->tid = tid;
	if (rd_ptr(kv,
		   pid + O(KI_OFF_PID_TASKS) +
			   (H(KI_OFF_HLIST_HEAD_FIRST) ?
				    O(KI_OFF_HLIST_HEAD_FIRST) :
				    0),
		   &first) ||
	    !first)
		return; /* thread gone */
	task = first - O(KI_OFF_TASK_PID_LINKS);
	if (H(KI_OFF_TASK_PID) &&
	    (rd_int(kv, task + O(KI_OFF_TASK_PID), &tpid) || tpid != tid)) {
		snprintf(c->error, sizeof(c->error),
			 "task of thread %d does not match its pid", tid);
		return;
	}
	c->have_task = 1;
	if (H(KI_OFF_TASK_COMM)) {
		size_t n = H(KI_SIZE_TASK_COMM) && O(KI_SIZE_TASK_COMM) < 16 ?
				   O(KI_SIZE_TASK_COMM) :
				   16;

		if (vg_hostkv_read(kv, task + O(KI_OFF_TASK_COMM), c->comm,
				   n) != VG_HM_OK)
			c->comm[0] = '\0';
		c->comm[16] = '\0';
		for (size_t i = 0; i < 16 && c->comm[i]; i++)
			if ((unsigned char)c->comm[i] < 0x20 ||
			    (unsigned char)c->comm[i] >= 0x7f)
				c->comm[i] = '?';
	}
	if (H(KI_OFF_TASK_STATE) &&
	    vg_kv_u32(kv, task + O(KI_OFF_TASK_STATE), &c->task_state))
		c->task_state = 0;
	if (H(KI_OFF_TASK_ON_CPU) &&
	    rd_int(kv, task + O(KI_OFF_TASK_ON_CPU), &c->on_cpu))
		c->on_cpu = 0;
	if (H(KI_OFF_TASK_EXEC_START) &&
	    !vg_kv_u64(kv, task + O(KI_OFF_TASK_EXEC_START), &c->exec_start))
		c->have_exec_start = 1;
}

/*
 * A vCPU running L2 on VMX: L1's EPT for L2 is vmcs12's EPT_POINTER, in
 * KVM's copy of L1's vmcs12 (vcpu_vmx.nested.cached_vmcs12, the one KVM
 * itself reads: nested_ept_get_eptp()), in the fixed vmcs12 layout.
 */
static void nested_vmcs12(struct vg_hostkv *kv, const struct vg_kvminfo *ki,
			  uint64_t vmx, struct vg_kw_vcpu *c)
{
	const struct vmcsinfo *v12 = vg_vmcs12_layout();
	int o_eptp = vg_vmx_offset(v12, VMCS_EPT_POINTER),
	    o_pri = vg_vmx_offset(v12, VMCS_CPU_BASED_EXEC_CONTROL),
	    o_sec = vg_vmx_offset(v12, VMCS_SECONDARY_EXEC_CONTROL);
	uint32_t rev, pri, sec;
	uint64_t p, eptp;

	if (!H(KI_OFF_VMX_NESTED_CACHED_VMCS12)) {
		snprintf(c->l2_why, sizeof(c->l2_why),
			 "KVMINFO lacks vcpu_vmx.nested.cached_vmcs12");
		return;
	}
	if (rd_ptr(kv, vmx + O(KI_OFF_VMX_NESTED_CACHED_VMCS12), &p) || !p ||
	    vg_kv_u32(kv, p, &rev) ||
	    vg_kv_u32(kv, p + (unsigned)o_pri, &pri) ||
	    vg_kv_u32(kv, p + (unsigned)o_sec, &sec) ||
	    vg_kv_u64(kv, p + (unsigned)o_eptp, &eptp)) {
		snprintf(c->l2_why, sizeof(c->l2_why),
			 "cached_vmcs12 unreadable");
		return;
	}
	if (rev != VG_VMCS12_REVISION) {
		snprintf(c->l2_why, sizeof(c->l2_why),
			 "cached_vmcs12 has revision 0x%x, not a vmcs12", rev);
		return;
	}
	/* activate secondary controls (bit 31), enable EPT (bit 1) */
	if (!(pri & (1u << 31)) || !(sec & 2)) {
		c->l2_tdp = VG_KW_L2_NO_EPT;
		return;
	}
	c->l2_root = eptp;
	c->l2_tdp = VG_KW_L2_EPT;
}

/*
 * On SVM: L1's nCR3 for L2 is in L1's vmcb12, in L1 memory at
 * svm->nested.vmcb12_gpa (KVM copies it into svm->nested.ctl at VMRUN);
 * it is read from there once L1's memory is known (src/run.c).
 */
static void nested_vmcb12(struct vg_hostkv *kv, const struct vg_kvminfo *ki,
			  uint64_t svm, struct vg_kw_vcpu *c)
{
	uint64_t gpa;

	if (!H(KI_OFF_SVM_NESTED_VMCB12_GPA)) {
		snprintf(c->l2_why, sizeof(c->l2_why),
			 "KVMINFO lacks vcpu_svm.nested.vmcb12_gpa");
		return;
	}
	if (rd_ptr(kv, svm + O(KI_OFF_SVM_NESTED_VMCB12_GPA), &gpa) ||
	    (gpa & 4095)) {
		snprintf(c->l2_why, sizeof(c->l2_why),
			 "vmcb12_gpa unreadable or not page aligned");
		return;
	}
	c->vmcb12_gpa = gpa;
	c->l2_tdp = VG_KW_L2_VMCB12;
}

static void walk_state(struct vg_hostkv *kv, const struct vg_kvminfo *ki,
		       struct vg_kw_vcpu *c)
{
	int svm = ki->vendor == VG_KI_VENDOR_SVM ||
		  (ki->vendor == VG_KI_VENDOR_UNKNOWN &&
		   H(KI_OFF_SVM_CURRENT_VMCB));

	if (svm) {
		static const enum kvminfo_key k[] = { KI_OFF_SVM_VCPU,
						      KI_OFF_SVM_CURRENT_VMCB,
						      KI_OFF_SVM_VMCB01,
						      KI_OFF_VMCB_INFO_PA };
		uint64_t s, cur;

		if (!vg_kvminfo_has(ki, k, 4, NULL))
			return;
		s = c->va - O(KI_OFF_SVM_VCPU);
		if (rd_ptr(kv, s + O(KI_OFF_SVM_CURRENT_VMCB), &cur) ||
		    rd_ptr(kv, cur + O(KI_OFF_VMCB_INFO_PA), &c->state_pa) ||
		    rd_ptr(kv,
			   s + O(KI_OFF_SVM_VMCB01) + O(KI_OFF_VMCB_INFO_PA),
			   &c->l1_state_pa)) {
			snprintf(c->error, sizeof(c->error),
				 "VMCB pointers unreadable");
			return;
		}
	} else {
		static const enum kvminfo_key k[] = { KI_OFF_VMX_VCPU,
						      KI_OFF_VMX_LOADED_VMCS,
						      KI_OFF_VMX_VMCS01,
						      KI_OFF_LOADED_VMCS_VMCS };
		uint64_t x, lv, cur, l1;

		if (!vg_kvminfo_has(ki, k, 4, NULL))
			return;
		x = c->va - O(KI_OFF_VMX_VCPU);
		if (rd_ptr(kv, x + O(KI_OFF_VMX_LOADED_VMCS), &lv) ||
		    rd_ptr(kv, lv + O(KI_OFF_LOADED_VMCS_VMCS), &cur) ||
		    rd_ptr(kv,
			   x + O(KI_OFF_VMX_VMCS01) +
				   O(KI_OFF_LOADED_VMCS_VMCS),
			   &l1) ||
		    vg_hostkv_vtop(kv, cur, &c->state_pa) ||
		    vg_hostkv_vtop(kv, l1, &c->l1_state_pa)) {
			snprintf(c->error, sizeof(c->error),
				 "VMCS pointers unreadable");
			return;
		}
	}
	if ((c->state_pa | c->l1_state_pa) & 4095) {
		snprintf(c->error, sizeof(c->error),
			 "vCPU state address not page aligned");
		return;
	}
	c->have_state = 1;
	c->nested = c->state_pa != c->l1_state_pa;
	if (c->nested && svm)
		nested_vmcb12(kv, ki, c->va - O(KI_OFF_SVM_VCPU), c);
	else if (c->nested)
		nested_vmcs12(kv, ki, c->va - O(KI_OFF_VMX_VCPU), c);
}

static void walk_vcpu(struct vg_hostkv *kv, const struct vg_kvminfo *ki,
		      struct vg_kw_vm *vm, uint64_t va)
{
	struct vg_kw_vcpu *c = &vm->vcpus[vm->nvcpus++];
	uint64_t owner;

	memset(c, 0, sizeof(*c));
	c->va = va;
	c->vcpu_id = c->vcpu_idx = -1;
	if (H(KI_OFF_VCPU_KVM) &&
	    (rd_ptr(kv, va + O(KI_OFF_VCPU_KVM), &owner) || owner != vm->va)) {
		snprintf(c->error, sizeof(c->error),
			 "vcpu at 0x%" PRIx64 " does not belong to this VM",
			 va);
		return;
	}
	if (H(KI_OFF_VCPU_VCPU_ID))
		rd_int(kv, va + O(KI_OFF_VCPU_VCPU_ID), &c->vcpu_id);
	if (H(KI_OFF_VCPU_VCPU_IDX))
		rd_int(kv, va + O(KI_OFF_VCPU_VCPU_IDX), &c->vcpu_idx);
	if (H(KI_OFF_VCPU_MODE) &&
	    !rd_int(kv, va + O(KI_OFF_VCPU_MODE), &c->mode))
		c->have_mode = 1;
	if (H(KI_OFF_VCPU_REGS)) {
		int n = H(KI_LEN_VCPU_REGS) ? (int)O(KI_LEN_VCPU_REGS) :
					      VG_KW_NREGS;

		if (n > VG_KW_NREGS)
			n = VG_KW_NREGS;
		if (n >= 16 &&
		    vg_hostkv_read(kv, va + O(KI_OFF_VCPU_REGS), c->regs,
				   (size_t)n * 8) == VG_HM_OK)
			c->nregs = n;
		if (H(KI_OFF_VCPU_REGS_AVAIL))
			vg_kv_u32(kv, va + O(KI_OFF_VCPU_REGS_AVAIL),
				  &c->regs_avail);
		if (H(KI_OFF_VCPU_REGS_DIRTY))
			vg_kv_u32(kv, va + O(KI_OFF_VCPU_REGS_DIRTY),
				  &c->regs_dirty);
	}
	/* A TD vCPU (struct vcpu_tdx) has no vcpu_vmx and no VMCS. */
	if (!vg_kw_vm_is_td(vm))
		walk_state(kv, ki, c);
	walk_task(kv, ki, c);
}

static void walk_vcpus(struct vg_hostkv *kv, const struct vg_kvminfo *ki,
		       struct vg_kw_vm *vm)
{
	int online;
	int xa = H(KI_OFF_KVM_VCPU_ARRAY) && H(KI_OFF_XARRAY_XA_HEAD) &&
		 H(KI_OFF_XA_NODE_SHIFT) && H(KI_OFF_XA_NODE_SLOTS);

	if (!H(KI_OFF_KVM_ONLINE_VCPUS) || (!xa && !H(KI_OFF_KVM_VCPUS))) {
		vmerr(vm, "KVMINFO lacks the vCPU keys: vCPUs unknown");
		return;
	}
	if (rd_int(kv, vm->va + O(KI_OFF_KVM_ONLINE_VCPUS), &online) ||
	    online < 0) {
		vmerr(vm, "kvm->online_vcpus unreadable");
		return;
	}
	vm->online_vcpus = (unsigned)online;
	if (online > VG_KW_MAX_VCPUS) {
		vmerr(vm, "%d online vCPUs, only the first %d are read", online,
		      VG_KW_MAX_VCPUS);
		online = VG_KW_MAX_VCPUS;
	}
	if (H(KI_LEN_KVM_VCPUS) && !xa &&
	    (uint64_t)online > O(KI_LEN_KVM_VCPUS))
		online = (int)O(KI_LEN_KVM_VCPUS);
	vm->vcpus = calloc(online ? (size_t)online : 1, sizeof(*vm->vcpus));
	if (!vm->vcpus) {
		vmerr(vm, "out of memory");
		return;
	}
	for (int i = 0; i < online; i++) {
		uint64_t va;
		int r = xa ? xa_lookup(kv, ki,
				       vm->va + O(KI_OFF_KVM_VCPU_ARRAY),
				       (uint64_t)i, &va) :
			     rd_ptr(kv, vm->va + O(KI_OFF_KVM_VCPUS) + 8ull * i,
				    &va);

		if (r || !va) {
			vmerr(vm, "vCPU %d of %d not found", i, online);
			continue;
		}
		walk_vcpu(kv, ki, vm, va);
	}
}

/* ---- the process: -name, -uuid ------------------------------------------ */

/* QEMU option value: ",," is a literal comma, a single ',' ends it. */
static void opt_value(const char *v, char *out, size_t outsz)
{
	size_t n = 0;

	for (; *v && n + 1 < outsz; v++) {
		if (*v == ',') {
			if (v[1] != ',')
				break;
			v++;
		}
		out[n++] = *v;
	}
	out[n] = '\0';
}

void vg_kw_parse_argv(const char *args, size_t len, struct vg_kw_vm *vm)
{
	const char *p = args, *end = args + len, *prev = NULL;

	while (p < end) {
		const char *z = memchr(p, '\0', (size_t)(end - p));

		if (!z)
			break; /* cut off: ignore the partial word */
		if (prev == NULL) {
			const char *b = strrchr(p, '/');

			opt_value(b ? b + 1 : p, vm->argv0, sizeof(vm->argv0));
		} else if (!strcmp(prev, "-name") || !strcmp(prev, "--name")) {
			/* -name guest=NAME,debug-threads=on or -name NAME */
			const char *v = p, *g = strstr(p, "guest=");

			if (g && (g == p || g[-1] == ','))
				v = g + 6;
			else if (strchr(p, '=') &&
				 strchr(p, '=') <
					 (strchr(p, ',') ? strchr(p, ',') : z))
				v = NULL; /* only other keys */
			if (v)
				opt_value(v, vm->name, sizeof(vm->name));
		} else if (!strcmp(prev, "-uuid") || !strcmp(prev, "--uuid")) {
			opt_value(p, vm->uuid, sizeof(vm->uuid));
		}
		prev = p;
		p = z + 1;
	}
}

/*
 * kvm->arch.vm_type: u8 since Linux 6.10, unsigned long in 6.8 and 6.9;
 * its width is SIZE(kvm.arch.vm_type) (1 when only the offset is given).
 */
static void walk_vm_type(struct vg_hostkv *kv, const struct vg_kvminfo *ki,
			 struct vg_kw_vm *vm)
{
	uint64_t size = H(KI_SIZE_KVM_VM_TYPE) ? O(KI_SIZE_KVM_VM_TYPE) : 1;
	uint64_t va = vm->va + O(KI_OFF_KVM_VM_TYPE);
	uint32_t v32;
	uint16_t v16;
	uint8_t v8;
	int r;

	if (!H(KI_OFF_KVM_VM_TYPE))
		return;
	switch (size) {
	case 1:
		r = vg_kv_u8(kv, va, &v8);
		vm->vm_type = v8;
		break;
	case 2:
		r = vg_kv_u16(kv, va, &v16);
		vm->vm_type = v16;
		break;
	case 4:
		r = vg_kv_u32(kv, va, &v32);
		vm->vm_type = v32;
		break;
	case 8:
		r = vg_kv_u64(kv, va, &vm->vm_type);
		break;
	default:
		vmerr(vm, "SIZE(kvm.arch.vm_type)=%" PRIu64 " is no integer",
		      size);
		return;
	}
	if (r) {
		vmerr(vm, "kvm->arch.vm_type unreadable");
		vm->vm_type = 0;
		return;
	}
	vm->have_vm_type = 1;
}

const char *vg_kw_vm_type_name(uint64_t vm_type)
{
	static const char *const names[] = { "default", "sw-protected", "sev",
					     "sev-es",	"sev-snp",	"tdx" };

	return vm_type < sizeof(names) / sizeof(names[0]) ? names[vm_type] :
							    NULL;
}

static void walk_process(struct vg_hostkv *kv, const struct vg_kvminfo *ki,
			 struct vg_kw_vm *vm)
{
	uint64_t mm, pgd, as, ae;
	char *args;
	size_t len;

	if (H(KI_OFF_KVM_USERSPACE_PID))
		rd_int(kv, vm->va + O(KI_OFF_KVM_USERSPACE_PID), &vm->pid);
	if (!H(KI_OFF_KVM_MM) || !H(KI_OFF_MM_PGD)) {
		vmerr(vm,
		      "KVMINFO lacks OFFSET(kvm.mm) or OFFSET(mm_struct.pgd)");
		return;
	}
	if (rd_ptr(kv, vm->va + O(KI_OFF_KVM_MM), &mm) || !mm ||
	    rd_ptr(kv, mm + O(KI_OFF_MM_PGD), &pgd) ||
	    vg_hostkv_vtop(kv, pgd, &vm->pgd_pa) || (vm->pgd_pa & 4095)) {
		vmerr(vm,
		      "the VM's process page tables (kvm->mm->pgd) unreadable");
		return;
	}
	vm->have_mm = 1;
	if (!H(KI_OFF_MM_ARG_START) || !H(KI_OFF_MM_ARG_END) ||
	    rd_ptr(kv, mm + O(KI_OFF_MM_ARG_START), &as) ||
	    rd_ptr(kv, mm + O(KI_OFF_MM_ARG_END), &ae) || ae <= as)
		return;
	len = ae - as > VG_KW_MAX_ARGV ? VG_KW_MAX_ARGV : (size_t)(ae - as);
	args = malloc(len);
	if (!args)
		return;
	if (vg_hostkv_uread(kv, vm->pgd_pa, as, args, len) == VG_HM_OK)
		vg_kw_parse_argv(args, len, vm);
	free(args);
}

/* ---- crash time ---------------------------------------------------------- */

static void crash_clock(struct vg_hostkv *kv, const struct vg_kvminfo *ki,
			struct vg_kw_result *res)
{
	uint64_t n;

	if (!H(KI_SYM_RUNQUEUES) || !H(KI_SYM_PER_CPU_OFFSET) ||
	    !H(KI_OFF_RQ_CLOCK))
		return;
	n = H(KI_NUM_NR_CPU_IDS) ? O(KI_NUM_NR_CPU_IDS) : 1;
	if (n > MAX_CPUS)
		n = MAX_CPUS;
	for (uint64_t cpu = 0; cpu < n; cpu++) {
		uint64_t off, clk;

		if (rd_ptr(kv, O(KI_SYM_PER_CPU_OFFSET) + 8 * cpu, &off) ||
		    vg_kv_u64(kv,
			      O(KI_SYM_RUNQUEUES) + off + O(KI_OFF_RQ_CLOCK),
			      &clk))
			continue;
		if (!res->have_crash_clock || clk > res->crash_clock)
			res->crash_clock = clk;
		res->have_crash_clock = 1;
	}
}

uint64_t vg_kw_last_ran(const struct vg_kw_result *res,
			const struct vg_kw_vcpu *c, int *known)
{
	*known = 0;
	if (!c->have_task)
		return 0;
	if (c->on_cpu) {
		*known = 1;
		return 0;
	}
	if (!c->have_exec_start || !res->have_crash_clock)
		return 0;
	*known = 1;
	return res->crash_clock > c->exec_start ?
		       res->crash_clock - c->exec_start :
		       0;
}

const char *vg_kw_task_state(uint32_t s)
{
	/* TASK_* bits of include/linux/sched.h, the first match wins. */
	static const struct {
		uint32_t bits;
		const char *name;
	} states[] = {
		{ 0x0402, "idle" }, /* TASK_IDLE: UNINTERRUPTIBLE | NOLOAD */
		{ 0x0001, "sleeping" }, /* TASK_INTERRUPTIBLE */
		{ 0x0002, "uninterruptible" },
		{ 0x0004, "stopped" }, /* __TASK_STOPPED */
		{ 0x0008, "traced" }, /* __TASK_TRACED */
		{ 0x0040, "parked" }, /* TASK_PARKED */
		{ 0x0080, "dead" }, /* TASK_DEAD */
	};

	if (s == 0)
		return "running";
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if ((s & states[i].bits) == states[i].bits)
			return states[i].name;
	return "other";
}

const char *vg_kw_mode_name(int mode)
{
	switch (mode) {
	case VG_KW_OUTSIDE_GUEST_MODE:
		return "outside-guest";
	case VG_KW_IN_GUEST_MODE:
		return "in-guest";
	case VG_KW_EXITING_GUEST_MODE:
		return "exiting-guest";
	case VG_KW_READING_SHADOW_PAGE_TABLES:
		return "reading-shadow-page-tables";
	default:
		return "unknown";
	}
}

/* ---- vm_list ------------------------------------------------------------- */

int vg_kvm_walk(struct vg_hostkv *kv, const struct vg_kvminfo *ki,
		struct vg_kw_result *res)
{
	static const enum kvminfo_key need[] = { KI_SYM_VM_LIST,
						 KI_OFF_KVM_VM_LIST };
	const char *missing = NULL;
	uint64_t head, next, lnext;

	memset(res, 0, sizeof(*res));
	if (!vg_kvminfo_has(ki, need, 2, &missing)) {
		snprintf(res->error, sizeof(res->error),
			 "KVMINFO note lacks %s", missing);
		return -1;
	}
	lnext = H(KI_OFF_LIST_HEAD_NEXT) ? O(KI_OFF_LIST_HEAD_NEXT) : 0;
	head = O(KI_SYM_VM_LIST);
	if (rd_ptr(kv, head + lnext, &next)) {
		snprintf(res->error, sizeof(res->error),
			 "vm_list at 0x%" PRIx64 " is not in the dump", head);
		return -1;
	}
	res->vms = calloc(VG_KW_MAX_VMS, sizeof(*res->vms));
	if (!res->vms) {
		snprintf(res->error, sizeof(res->error), "out of memory");
		return -1;
	}
	while (next != head) {
		struct vg_kw_vm *vm;
		int loop = 0;

		if (!next) {
			snprintf(res->error, sizeof(res->error),
				 "vm_list broken (NULL link)");
			res->truncated = 1;
			break;
		}
		for (unsigned i = 0; i < res->nvms; i++)
			loop |= res->vms[i].va == next - O(KI_OFF_KVM_VM_LIST);
		if (loop || res->nvms == VG_KW_MAX_VMS) {
			snprintf(res->error, sizeof(res->error), "%s",
				 loop ? "vm_list loops back into itself" :
					"more VMs than the walk reads");
			res->truncated = 1;
			break;
		}
		vm = &res->vms[res->nvms++];
		vm->va = next - O(KI_OFF_KVM_VM_LIST);
		walk_vm_type(kv, ki, vm);
		walk_process(kv, ki, vm);
		vm->slot_flags_known = H(KI_OFF_SLOT_FLAGS);
		walk_slots(kv, ki, vm);
		walk_vcpus(kv, ki, vm);
		if (rd_ptr(kv, next + lnext, &next)) {
			snprintf(res->error, sizeof(res->error),
				 "vm_list entry at 0x%" PRIx64 " unreadable",
				 vm->va);
			res->truncated = 1;
			break;
		}
	}
	crash_clock(kv, ki, res);
	return 0;
}

void vg_kw_result_free(struct vg_kw_result *res)
{
	for (unsigned i = 0; res->vms && i < res->nvms; i++) {
		free(res->vms[i].slots);
		free(res->vms[i].vcpus);
	}
	free(res->vms);
	memset(res, 0, sizeof(*res));
}
