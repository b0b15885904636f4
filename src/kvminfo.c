// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KVMINFO note parsing (docs/kvminfo-note.md).
 */
#include "src/kvminfo.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OLD_STATE "OFFSET(task_struct.state)"

static const char *const keys[KI_NR] = {
	[KI_SYM_VM_LIST] = "SYMBOL(vm_list)",
	[KI_SYM_RUNQUEUES] = "SYMBOL(runqueues)",
	[KI_SYM_PER_CPU_OFFSET] = "SYMBOL(__per_cpu_offset)",
	[KI_NUM_NR_CPU_IDS] = "NUMBER(nr_cpu_ids)",
	[KI_OFF_LIST_HEAD_NEXT] = "OFFSET(list_head.next)",
	[KI_SIZE_KVM] = "SIZE(kvm)",
	[KI_OFF_KVM_VM_LIST] = "OFFSET(kvm.vm_list)",
	[KI_OFF_KVM_MM] = "OFFSET(kvm.mm)",
	[KI_OFF_KVM_MEMSLOTS] = "OFFSET(kvm.memslots)",
	[KI_LEN_KVM_MEMSLOTS] = "LENGTH(kvm.memslots)",
	[KI_OFF_KVM_ONLINE_VCPUS] = "OFFSET(kvm.online_vcpus)",
	[KI_OFF_KVM_USERSPACE_PID] = "OFFSET(kvm.userspace_pid)",
	[KI_OFF_KVM_VCPU_ARRAY] = "OFFSET(kvm.vcpu_array)",
	[KI_OFF_KVM_VCPUS] = "OFFSET(kvm.vcpus)",
	[KI_LEN_KVM_VCPUS] = "LENGTH(kvm.vcpus)",
	[KI_OFF_XARRAY_XA_HEAD] = "OFFSET(xarray.xa_head)",
	[KI_OFF_XA_NODE_SHIFT] = "OFFSET(xa_node.shift)",
	[KI_OFF_XA_NODE_SLOTS] = "OFFSET(xa_node.slots)",
	[KI_LEN_XA_NODE_SLOTS] = "LENGTH(xa_node.slots)",
	[KI_OFF_MEMSLOTS_GFN_TREE] = "OFFSET(kvm_memslots.gfn_tree)",
	[KI_OFF_MEMSLOTS_NODE_IDX] = "OFFSET(kvm_memslots.node_idx)",
	[KI_OFF_MEMSLOTS_MEMSLOTS] = "OFFSET(kvm_memslots.memslots)",
	[KI_OFF_MEMSLOTS_USED_SLOTS] = "OFFSET(kvm_memslots.used_slots)",
	[KI_SIZE_MEMORY_SLOT] = "SIZE(kvm_memory_slot)",
	[KI_OFF_SLOT_GFN_NODE] = "OFFSET(kvm_memory_slot.gfn_node)",
	[KI_OFF_SLOT_BASE_GFN] = "OFFSET(kvm_memory_slot.base_gfn)",
	[KI_OFF_SLOT_NPAGES] = "OFFSET(kvm_memory_slot.npages)",
	[KI_OFF_SLOT_USERSPACE_ADDR] = "OFFSET(kvm_memory_slot.userspace_addr)",
	[KI_OFF_SLOT_FLAGS] = "OFFSET(kvm_memory_slot.flags)",
	[KI_OFF_SLOT_ID] = "OFFSET(kvm_memory_slot.id)",
	[KI_OFF_SLOT_AS_ID] = "OFFSET(kvm_memory_slot.as_id)",
	[KI_OFF_RB_ROOT_RB_NODE] = "OFFSET(rb_root.rb_node)",
	[KI_OFF_RB_NODE_RB_LEFT] = "OFFSET(rb_node.rb_left)",
	[KI_OFF_RB_NODE_RB_RIGHT] = "OFFSET(rb_node.rb_right)",
	[KI_SIZE_RB_NODE] = "SIZE(rb_node)",
	[KI_SIZE_VCPU] = "SIZE(kvm_vcpu)",
	[KI_OFF_VCPU_KVM] = "OFFSET(kvm_vcpu.kvm)",
	[KI_OFF_VCPU_VCPU_ID] = "OFFSET(kvm_vcpu.vcpu_id)",
	[KI_OFF_VCPU_VCPU_IDX] = "OFFSET(kvm_vcpu.vcpu_idx)",
	[KI_OFF_VCPU_PID] = "OFFSET(kvm_vcpu.pid)",
	[KI_OFF_VCPU_MODE] = "OFFSET(kvm_vcpu.mode)",
	[KI_OFF_VCPU_REGS] = "OFFSET(kvm_vcpu.arch.regs)",
	[KI_LEN_VCPU_REGS] = "LENGTH(kvm_vcpu.arch.regs)",
	[KI_OFF_VCPU_REGS_AVAIL] = "OFFSET(kvm_vcpu.arch.regs_avail)",
	[KI_OFF_VCPU_REGS_DIRTY] = "OFFSET(kvm_vcpu.arch.regs_dirty)",
	[KI_OFF_SVM_VCPU] = "OFFSET(vcpu_svm.vcpu)",
	[KI_OFF_SVM_CURRENT_VMCB] = "OFFSET(vcpu_svm.current_vmcb)",
	[KI_OFF_SVM_VMCB01] = "OFFSET(vcpu_svm.vmcb01)",
	[KI_OFF_VMCB_INFO_PA] = "OFFSET(kvm_vmcb_info.pa)",
	[KI_OFF_SVM_NESTED_VMCB12_GPA] = "OFFSET(vcpu_svm.nested.vmcb12_gpa)",
	[KI_OFF_SVM_NESTED_VMCB02] = "OFFSET(vcpu_svm.nested.vmcb02)",
	[KI_OFF_VMX_VCPU] = "OFFSET(vcpu_vmx.vcpu)",
	[KI_OFF_VMX_LOADED_VMCS] = "OFFSET(vcpu_vmx.loaded_vmcs)",
	[KI_OFF_VMX_VMCS01] = "OFFSET(vcpu_vmx.vmcs01)",
	[KI_OFF_LOADED_VMCS_VMCS] = "OFFSET(loaded_vmcs.vmcs)",
	[KI_OFF_VMX_NESTED_CACHED_VMCS12] =
		"OFFSET(vcpu_vmx.nested.cached_vmcs12)",
	[KI_OFF_VMX_NESTED_CURRENT_VMPTR] =
		"OFFSET(vcpu_vmx.nested.current_vmptr)",
	[KI_OFF_PID_NUMBERS] = "OFFSET(pid.numbers)",
	[KI_OFF_UPID_NR] = "OFFSET(upid.nr)",
	[KI_OFF_PID_TASKS] = "OFFSET(pid.tasks)",
	[KI_OFF_HLIST_HEAD_FIRST] = "OFFSET(hlist_head.first)",
	[KI_OFF_TASK_PID_LINKS] = "OFFSET(task_struct.pid_links)",
	[KI_OFF_TASK_PID] = "OFFSET(task_struct.pid)",
	[KI_OFF_TASK_TGID] = "OFFSET(task_struct.tgid)",
	[KI_OFF_TASK_COMM] = "OFFSET(task_struct.comm)",
	[KI_SIZE_TASK_COMM] = "SIZE(task_struct.comm)",
	[KI_OFF_TASK_STATE] = "OFFSET(task_struct.__state)",
	[KI_OFF_TASK_ON_CPU] = "OFFSET(task_struct.on_cpu)",
	[KI_OFF_TASK_EXEC_START] = "OFFSET(task_struct.se.exec_start)",
	[KI_OFF_TASK_LAST_ARRIVAL] =
		"OFFSET(task_struct.sched_info.last_arrival)",
	[KI_OFF_RQ_CLOCK] = "OFFSET(rq.clock)",
	[KI_OFF_MM_PGD] = "OFFSET(mm_struct.pgd)",
	[KI_OFF_MM_ARG_START] = "OFFSET(mm_struct.arg_start)",
	[KI_OFF_MM_ARG_END] = "OFFSET(mm_struct.arg_end)",
};

const char *vg_kvminfo_key(enum vg_ki k)
{
	return (unsigned)k < KI_NR ? keys[k] : "?";
}

static void seterr(char *err, size_t errsz, const char *msg, const char *a,
		   size_t alen)
{
	if (err && errsz)
		snprintf(err, errsz, "%s%.*s", msg,
			 (int)(alen > 80 ? 80 : alen), a);
}

/* Parse value text [v, v + n) as hex (SYMBOL) or decimal. */
static int parse_value(const char *v, size_t n, int hex, uint64_t *out)
{
	char buf[32], *end;
	unsigned long long x;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (buf[0] == '-' || buf[0] == '+' || buf[0] == ' ')
		return -1;
	errno = 0;
	x = strtoull(buf, &end, hex ? 16 : 10);
	if (errno || *end)
		return -1;
	*out = x;
	return 0;
}

int vg_kvminfo_parse(const char *text, size_t len, struct vg_kvminfo *ki,
		     char *err, size_t errsz)
{
	const char *p = text, *end = text + len;

	memset(ki, 0, sizeof(*ki));
	if (len > VG_KVMINFO_TEXT_MAX) {
		seterr(err, errsz, "KVMINFO text too large", "", 0);
		return -1;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *eq;
		size_t klen;

		eq = memchr(p, '=', (size_t)(le - p));
		if (le == p || !eq) {
			if (le != p && !(le - p == 1 && *p == '\0')) {
				seterr(err, errsz,
				       "KVMINFO: line without '=': ", p,
				       (size_t)(le - p));
				return -1;
			}
			p = le + 1;
			continue;
		}
		klen = (size_t)(eq - p);
		if (klen == 15 && !memcmp(p, "KVMINFO_VERSION", 15)) {
			uint64_t v;

			if (parse_value(eq + 1, (size_t)(le - eq - 1), 0, &v) ||
			    v == 0) {
				seterr(err, errsz, "KVMINFO: bad version: ", p,
				       (size_t)(le - p));
				return -1;
			}
			ki->version = v > 1000 ? 1000 : (int)v;
		} else if (klen == 9 && !memcmp(p, "OSRELEASE", 9)) {
			size_t n = (size_t)(le - eq - 1);

			if (n >= sizeof(ki->osrelease))
				n = sizeof(ki->osrelease) - 1;
			memcpy(ki->osrelease, eq + 1, n);
			ki->osrelease[n] = '\0';
		} else if (klen == 6 && !memcmp(p, "VENDOR", 6)) {
			size_t n = (size_t)(le - eq - 1);

			if (n == 3 && !memcmp(eq + 1, "svm", 3))
				ki->vendor = VG_KI_VENDOR_SVM;
			else if (n == 3 && !memcmp(eq + 1, "vmx", 3))
				ki->vendor = VG_KI_VENDOR_VMX;
		} else {
			for (int k = 0; k < KI_NR; k++) {
				uint64_t v;

				if (strlen(keys[k]) != klen ||
				    memcmp(keys[k], p, klen))
					continue;
				if (parse_value(eq + 1, (size_t)(le - eq - 1),
						keys[k][0] == 'S' &&
							keys[k][1] == 'Y',
						&v)) {
					seterr(err, errsz,
					       "KVMINFO: bad value: ", p,
					       (size_t)(le - p));
					return -1;
				}
				ki->val[k] = v;
				ki->have[k] = 1;
				break;
			}
			/* Older kernels: task_struct.state. */
			if (klen == sizeof(OLD_STATE) - 1 &&
			    !memcmp(p, OLD_STATE, klen) &&
			    !ki->have[KI_OFF_TASK_STATE]) {
				uint64_t v;

				if (!parse_value(eq + 1, (size_t)(le - eq - 1),
						 0, &v)) {
					ki->val[KI_OFF_TASK_STATE] = v;
					ki->have[KI_OFF_TASK_STATE] = 1;
				}
			}
		}
		p = le + 1;
	}
	if (ki->version == 0) {
		seterr(err, errsz, "KVMINFO: no KVMINFO_VERSION line", "", 0);
		return -1;
	}
	if (ki->version != 1) {
		char v[16];

		snprintf(v, sizeof(v), "%d", ki->version);
		seterr(err, errsz, "KVMINFO: unsupported version ", v,
		       strlen(v));
		return -1;
	}
	return 0;
}

int vg_kvminfo_has(const struct vg_kvminfo *ki, const enum vg_ki *k, size_t n,
		   const char **missing)
{
	for (size_t i = 0; i < n; i++)
		if (!ki->have[k[i]]) {
			if (missing)
				*missing = keys[k[i]];
			return 0;
		}
	return 1;
}

int vg_keyval_get(const char *text, size_t len, const char *key, char *buf,
		  size_t bufsz)
{
	size_t klen = strlen(key);
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if ((size_t)(le - p) > klen && !memcmp(p, key, klen) &&
		    p[klen] == '=') {
			size_t n = (size_t)(le - p - klen - 1);

			if (bufsz) {
				if (n >= bufsz)
					n = bufsz - 1;
				memcpy(buf, p + klen + 1, n);
				buf[n] = '\0';
			}
			return 0;
		}
		p = le + 1;
	}
	return -1;
}
