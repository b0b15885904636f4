// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The synthetic KVM host (tests/src/kvmfixture.h).
 */
#include "tests/src/kvmfixture.h"

#include <stdio.h>
#include <string.h>

#include "src/vmx.h"
#include "tests/src/kvmfixture-layout.h"

uint64_t kfx_marker(uint64_t gpa)
{
	return gpa ^ 0x5a5a5a5a00000000ull;
}

uint64_t kfx_gpr(int v, int i)
{
	return 0x1000000000ull * (uint64_t)(v + 1) + 0x1111ull * (uint64_t)i;
}

static const char argv_text[] = "/usr/bin/qemu-system-x86_64\0"
				"-enable-kvm\0"
				"-name\0"
				"guest=" KFX_NAME ",debug-threads=on\0"
				"-uuid\0" KFX_UUID "\0"
				"-m\0"
				"3\0";

static int vm_type_size(const struct kfx_opts *o)
{
	return o->vm_type_size ? o->vm_type_size : 1;
}

static void put_kvminfo(struct fx *fx, const struct kfx_opts *o)
{
	char t[4096], vend[512];
	int n;

	if (o->vmx)
		snprintf(vend, sizeof(vend),
			 "OFFSET(vcpu_vmx.vcpu)=%d\n"
			 "OFFSET(vcpu_vmx.loaded_vmcs)=%d\n"
			 "OFFSET(vcpu_vmx.vmcs01)=%d\n"
			 "OFFSET(loaded_vmcs.vmcs)=%d\n%s",
			 O_VMX_VCPU, O_VMX_LOADED, O_VMX_VMCS01, O_LOADED_VMCS,
			 o->nested ? "OFFSET(vcpu_vmx.nested.cached_vmcs12)=" :
				     "");
	else
		snprintf(vend, sizeof(vend),
			 "OFFSET(vcpu_svm.vcpu)=%d\n"
			 "OFFSET(vcpu_svm.current_vmcb)=%d\n"
			 "OFFSET(vcpu_svm.vmcb01)=%d\n"
			 "OFFSET(kvm_vmcb_info.pa)=%d\n%s",
			 O_SVM_VCPU, O_SVM_CUR, O_SVM_VMCB01, O_INFO_PA,
			 o->nested ? "OFFSET(vcpu_svm.nested.vmcb12_gpa)=" :
				     "");
	if (o->nested)
		snprintf(vend + strlen(vend), sizeof(vend) - strlen(vend),
			 "%d\n", o->vmx ? O_VMX_CACHED12 : O_SVM_VMCB12_GPA);
	n = snprintf(
		t, sizeof(t),
		"KVMINFO_VERSION=1\nOSRELEASE=%s\nVENDOR=%s\n"
		"SYMBOL(vm_list)=%llx\nSYMBOL(runqueues)=%llx\n"
		"SYMBOL(__per_cpu_offset)=%llx\nNUMBER(nr_cpu_ids)=2\n"
		"FUTURE_KEY(whatever)=1\n"
		"OFFSET(list_head.next)=0\nSIZE(kvm)=4096\n"
		"SIZE(kvm_memory_slot)=512\nSIZE(kvm_vcpu)=1024\n"
		"OFFSET(kvm.vm_list)=%d\nOFFSET(kvm.mm)=%d\n"
		"OFFSET(kvm.memslots)=%d\nLENGTH(kvm.memslots)=2\n"
		"OFFSET(kvm.online_vcpus)=%d\nOFFSET(kvm.userspace_pid)=%d\n"
		"OFFSET(kvm.vcpu_array)=%d\nOFFSET(xarray.xa_head)=%d\n"
		"OFFSET(xa_node.shift)=0\nOFFSET(xa_node.slots)=%d\n"
		"LENGTH(xa_node.slots)=64\n"
		"OFFSET(kvm_memslots.gfn_tree)=%d\n"
		"OFFSET(kvm_memslots.node_idx)=%d\n"
		"OFFSET(kvm_memory_slot.gfn_node)=%d\n"
		"OFFSET(kvm_memory_slot.base_gfn)=%d\n"
		"OFFSET(kvm_memory_slot.npages)=%d\n"
		"OFFSET(kvm_memory_slot.userspace_addr)=%d\n"
		"OFFSET(kvm_memory_slot.flags)=%d\n"
		"OFFSET(kvm_memory_slot.id)=%d\n"
		"OFFSET(kvm_memory_slot.as_id)=%d\n"
		"OFFSET(rb_root.rb_node)=0\nOFFSET(rb_node.rb_left)=%d\n"
		"OFFSET(rb_node.rb_right)=%d\nSIZE(rb_node)=%d\n"
		"OFFSET(kvm_vcpu.kvm)=0\nOFFSET(kvm_vcpu.vcpu_id)=%d\n"
		"OFFSET(kvm_vcpu.vcpu_idx)=%d\nOFFSET(kvm_vcpu.pid)=%d\n"
		"OFFSET(kvm_vcpu.mode)=%d\nOFFSET(kvm_vcpu.arch.regs)=%d\n"
		"LENGTH(kvm_vcpu.arch.regs)=17\n"
		"OFFSET(kvm_vcpu.arch.regs_avail)=%d\n"
		"OFFSET(kvm_vcpu.arch.regs_dirty)=%d\n"
		"%s"
		"OFFSET(pid.numbers)=%d\nOFFSET(upid.nr)=0\n"
		"OFFSET(pid.tasks)=%d\nOFFSET(hlist_head.first)=0\n"
		"OFFSET(task_struct.pid_links)=%d\n"
		"OFFSET(task_struct.pid)=%d\nOFFSET(task_struct.comm)=%d\n"
		"SIZE(task_struct.comm)=16\nOFFSET(task_struct.__state)=%d\n"
		"OFFSET(task_struct.on_cpu)=%d\n"
		"OFFSET(task_struct.se.exec_start)=%d\n"
		"OFFSET(rq.clock)=%d\nOFFSET(mm_struct.pgd)=%d\n"
		"OFFSET(mm_struct.arg_start)=%d\n"
		"OFFSET(mm_struct.arg_end)=%d\n",
		o->osrelease ? o->osrelease : "6.1.0-test",
		o->vmx || o->tdx ? "vmx" : "svm",
		(unsigned long long)DM(VM_LIST), (unsigned long long)RQ0,
		(unsigned long long)KIMG_VA(KI_PCPU_OFF), O_KVM_VM_LIST,
		O_KVM_MM, O_KVM_MEMSLOTS, O_KVM_ONLINE, O_KVM_PID,
		O_KVM_VCPU_ARRAY, O_XA_HEAD, O_XA_SLOTS, O_MS_GFN_TREE,
		O_MS_NODE_IDX, O_SLOT_GFN_NODE, O_SLOT_BASE, O_SLOT_NPAGES,
		O_SLOT_HVA, O_SLOT_FLAGS, O_SLOT_ID, O_SLOT_AS, O_RB_LEFT,
		O_RB_RIGHT, S_RB, O_VCPU_ID, O_VCPU_IDX, O_VCPU_PID,
		O_VCPU_MODE, O_VCPU_REGS, O_VCPU_AVAIL, O_VCPU_DIRTY, vend,
		O_PID_NUMBERS, O_PID_TASKS, O_TASK_LINKS, O_TASK_PID,
		O_TASK_COMM, O_TASK_STATE, O_TASK_ON_CPU, O_TASK_EXEC,
		O_RQ_CLOCK, O_MM_PGD, O_MM_ARG_START, O_MM_ARG_END);
	if (o->has_vm_type)
		n += snprintf(t + n, sizeof(t) - (size_t)n,
			      "OFFSET(kvm.arch.vm_type)=%d\n"
			      "SIZE(kvm.arch.vm_type)=%d\n",
			      O_KVM_VM_TYPE, vm_type_size(o));
	fx_note(fx, "KVMINFO", 0, t, (size_t)n);
}

static void put_slot(struct fx *fx, uint64_t slot, uint64_t gfn, uint64_t n,
		     uint64_t hva, int id)
{
	fx_put64(fx, slot + O_SLOT_BASE, gfn);
	fx_put64(fx, slot + O_SLOT_NPAGES, n);
	fx_put64(fx, slot + O_SLOT_HVA, hva);
	fx_put32(fx, slot + O_SLOT_FLAGS, 0);
	fx_put16(fx, slot + O_SLOT_AS, 0);
	fx_put16(fx, slot + O_SLOT_ID, (uint16_t)id);
}

static void put_vcpu(struct fx *fx, int vmx, int v, uint64_t svm, uint64_t vmcb,
		     uint64_t pidp, uint64_t task, int tid, uint64_t exec)
{
	uint64_t vcpu = svm + O_SVM_VCPU;
	char comm[16];

	fx_put64(fx, vcpu, DM(KVM));
	fx_put32(fx, vcpu + O_VCPU_ID, (uint32_t)v);
	fx_put32(fx, vcpu + O_VCPU_IDX, (uint32_t)v);
	fx_put32(fx, vcpu + O_VCPU_MODE, v == 0 ? 1 : 0);
	fx_put64(fx, vcpu + O_VCPU_PID, DM(pidp));
	for (int i = 0; i < 16; i++)
		fx_put64(fx, vcpu + O_VCPU_REGS + 8 * i, kfx_gpr(v, i));
	fx_put64(fx, vcpu + O_VCPU_REGS + 8 * 16, 0x2340);
	fx_put32(fx, vcpu + O_VCPU_AVAIL, 0x1ffff);
	fx_put32(fx, vcpu + O_VCPU_DIRTY, 0);
	/*
	 * SVM: current_vmcb -> vmcb01 (embedded), vmcb01.pa; VMX: the same
	 * places are loaded_vmcs -> vmcs01 (embedded), vmcs01.vmcs (a
	 * kernel virtual address).
	 */
	fx_put64(fx, svm + O_SVM_CUR, DM(svm + O_SVM_VMCB01));
	fx_put64(fx, svm + O_SVM_VMCB01 + O_INFO_PA, vmx ? DM(vmcb) : vmcb);
	/* struct pid, task */
	fx_put32(fx, pidp + O_PID_NUMBERS, (uint32_t)tid);
	fx_put64(fx, pidp + O_PID_TASKS, DM(task + O_TASK_LINKS));
	fx_put32(fx, task + O_TASK_PID, (uint32_t)tid);
	fx_put32(fx, task + O_TASK_STATE, v == 0 ? 0 : 1);
	fx_put32(fx, task + O_TASK_ON_CPU, 0);
	fx_put64(fx, task + O_TASK_EXEC, exec);
	memset(comm, 0, sizeof(comm));
	snprintf(comm, sizeof(comm), "CPU %d/KVM", v);
	memcpy(fx_ptr(fx, task + O_TASK_COMM), comm, sizeof(comm));
}

/* A VMCB, or (opts.vmx) a VMCS in the vmcs12 layout, at pa. */
static void put_state(struct fx *fx, const struct kfx_opts *o, uint64_t pa,
		      const struct fx_cpu *c)
{
	if (o->vmx)
		fx_make_vmcs(fx, pa, vg_vmcs12_layout(), c);
	else
		fx_make_vmcb(fx, pa, c);
}

static void put_l1(struct fx *fx, uint64_t l1gpa, uint64_t v)
{
	fx_put64(fx, RAM_A + l1gpa,
		 v); /* slot A: L1 gfn i at RAM_A + i pages */
}

/*
 * opts.nested (tests/src/kvmfixture.h): vCPU 0 of L1 runs L2.  The
 * vmcs12 offsets are KVM's (arch/x86/kvm/vmx/vmcs12.h CHECK_OFFSET),
 * written here as numbers, not taken from src/vmx.c.
 */
static void put_nested(struct fx *fx, const struct kfx_opts *o)
{
	uint64_t shadow = fx_alloc_page(fx), st02 = fx_alloc_page(fx);
	struct fx_cpu c;

	put_l1(fx, KFX_T12, (KFX_T12 + 0x1000) | 7);
	put_l1(fx, KFX_T12 + 0x1000, (KFX_T12 + 0x2000) | 7);
	put_l1(fx, KFX_T12 + 0x2000, (KFX_T12 + 0x3000) | 7);
	/* slot B is not 2 MiB aligned in L1: a second PT, not a large page */
	put_l1(fx, KFX_T12 + 0x2000 + 8, (KFX_T12 + 0x4000) | 7);
	for (uint64_t i = 0; i < 512; i++)
		put_l1(fx, KFX_T12 + 0x4000 + 8 * i,
		       (KFX_L2_LARGE_L1 + i * FX_PAGE) | 7);
	for (uint64_t i = 0; i < KFX_L2_SMALL; i++)
		put_l1(fx, KFX_T12 + 0x3000 + 8 * i,
		       (KFX_L2_SMALL_L1 + i * FX_PAGE) | 7);
	put_l1(fx, KFX_T12 + 0x3000 + 8 * KFX_L2_SMALL,
	       (KFX_HOLE_GFN * FX_PAGE) | 7);
	/* KVM's shadow: L2 page 0 only, host-physical */
	fx_map(fx, shadow, 0, RAM_A + KFX_L2_SMALL_L1, FX_PAGE, 0x7);
	fx_cpu_realmode(&c, o->vmx ? shadow | 0x1e : shadow);
	c.rip = KFX_L2_RIP;
	put_state(fx, o, st02, &c);
	fx_put64(fx, SVM0 + O_SVM_CUR, DM(SVM0 + O_STATE02));
	fx_put64(fx, SVM0 + O_STATE02 + O_INFO_PA, o->vmx ? DM(st02) : st02);
	if (o->vmx) {
		uint64_t v12 = fx_alloc_page(fx);

		fx_put32(fx, v12,
			 o->vmcs12_revision ? o->vmcs12_revision :
					      VG_VMCS12_REVISION);
		fx_put64(fx, v12 + 120, /* ept_pointer */
			 (o->l2_root_beyond_l1 ? 1ull << 30 : KFX_T12) | 0x1e);
		fx_put32(fx, v12 + 748, 1u << 31); /* secondary controls on */
		fx_put32(fx, v12 + 804, o->l1_no_tdp ? 0 : 2); /* EPT */
		fx_put64(fx, SVM0 + O_VMX_CACHED12, DM(v12));
	} else {
		put_l1(fx, KFX_VMCB12_GPA + 0x90, o->l1_no_tdp ? 0 : 1);
		put_l1(fx, KFX_VMCB12_GPA + 0xb0,
		       o->l2_root_beyond_l1 ? 1ull << 30 : KFX_T12);
		fx_put64(fx, SVM0 + O_SVM_VMCB12_GPA, KFX_VMCB12_GPA);
	}
}

struct fx *kfx_build(const struct kfx_opts *o)
{
	static const struct kfx_opts none;
	struct fx *fx = fx_new(32 * MiB, 16 * MiB);
	uint64_t ncr3 = fx_alloc_page(fx), pgd = PGD;
	struct fx_cpu c;
	char vmci[4096];
	int n;

	if (!o)
		o = &none;
	/* The host kernel: direct map of all RAM in 2 MiB pages, image. */
	for (uint64_t pa = 0; pa < 32 * MiB; pa += 2 * MiB)
		fx_map(fx, KROOT, DM(pa), pa, 2 * MiB, 0x3);
	for (uint64_t off = 0; off < KIMG_SIZE; off += 2 * MiB)
		fx_map(fx, KROOT, KIMG_VA(off), KIMG_PA(off), 2 * MiB, 0x3);
	n = snprintf(vmci, sizeof(vmci),
		     "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n"
		     "SYMBOL(init_top_pgt)=%llx\nNUMBER(phys_base)=0\n"
		     "NUMBER(pgtable_l5_enabled)=0\n"
		     "SYMBOL(_stext)=%llx\nKERNELOFFSET=%llx\n",
		     0xffffffff80000000ull + KROOT, KIMG_VA(KI_STEXT),
		     KFX_KASLR);
	if (o->self_describe) {
		kfx_self_describe(fx, o, vmci, sizeof(vmci));
		n = (int)strlen(vmci);
	}
	fx_note(fx, "VMCOREINFO", 0, vmci, (size_t)n);
	if (!o->no_kvminfo)
		put_kvminfo(fx, o);

	/* vm_list <-> kvm->vm_list */
	fx_put64(fx, VM_LIST, DM(KVM + O_KVM_VM_LIST));
	fx_put64(fx, KVM + O_KVM_VM_LIST,
		 o->vm_list_loop ? DM(KVM + O_KVM_VM_LIST) : DM(VM_LIST));
	fx_put32(fx, KVM + O_KVM_PID, KFX_PID);
	/* all 8 bytes: what lies past a narrower vm_type is not part of it */
	if (o->has_vm_type)
		fx_put64(fx, KVM + O_KVM_VM_TYPE, o->vm_type);
	fx_put64(fx, KVM + O_KVM_MM, DM(MM));
	fx_put64(fx, MM + O_MM_PGD, DM(pgd));
	fx_put64(fx, MM + O_MM_ARG_START, ARGV_HVA);
	fx_put64(fx, MM + O_MM_ARG_END, ARGV_HVA + sizeof(argv_text) - 1);
	fx_map(fx, pgd, ARGV_HVA, ARGV_PA, FX_PAGE, 0x7);
	memcpy(fx_ptr(fx, ARGV_PA), argv_text, sizeof(argv_text) - 1);

	/* memslots: B is the tree root, A its left child. */
	fx_put64(fx, KVM + O_KVM_MEMSLOTS, DM(MEMSLOTS));
	fx_put32(fx, MEMSLOTS + O_MS_NODE_IDX, 1);
	fx_put64(fx, MEMSLOTS + O_MS_GFN_TREE,
		 DM(SLOT_B + O_SLOT_GFN_NODE + S_RB));
	fx_put64(fx, SLOT_B + O_SLOT_GFN_NODE + S_RB + O_RB_LEFT,
		 DM(SLOT_A + O_SLOT_GFN_NODE + S_RB));
	if (o->rb_loop)
		fx_put64(fx, SLOT_A + O_SLOT_GFN_NODE + S_RB + O_RB_LEFT,
			 DM(SLOT_A + O_SLOT_GFN_NODE + S_RB));
	put_slot(fx, SLOT_A, 0, KFX_SLOT_A_PAGES, HVA_A, 0);
	put_slot(fx, SLOT_B, KFX_SLOT_B_GFN, KFX_SLOT_B_PAGES, HVA_B, 1);
	if (o->gmem_slot)
		fx_put32(fx, SLOT_B + O_SLOT_FLAGS, 1u << 2);
	for (uint64_t i = 0; i < KFX_SLOT_A_PAGES; i++) {
		if (i == KFX_HOLE_GFN)
			continue;
		fx_map(fx, pgd, HVA_A + i * FX_PAGE, RAM_A + i * FX_PAGE,
		       FX_PAGE, 0x7);
		fx_put64(fx, RAM_A + i * FX_PAGE, kfx_marker(i * FX_PAGE));
	}
	fx_map(fx, pgd, HVA_B, RAM_B, 2 * MiB, 0x7);
	for (uint64_t i = 0; i < KFX_SLOT_B_PAGES; i++)
		fx_put64(fx, RAM_B + i * FX_PAGE,
			 kfx_marker((KFX_SLOT_B_GFN + i) * FX_PAGE));

	/* vCPUs: an xarray node holding two entries. */
	fx_put32(fx, KVM + O_KVM_ONLINE, 2);
	fx_put64(fx, KVM + O_KVM_VCPU_ARRAY + O_XA_HEAD, DM(XA_NODE) | 2);
	fx_put64(fx, XA_NODE + O_XA_SLOTS, DM(SVM0 + O_SVM_VCPU));
	fx_put64(fx, XA_NODE + O_XA_SLOTS + 8, DM(SVM1 + O_SVM_VCPU));
	put_vcpu(fx, o->vmx, 0, SVM0, KFX_VMCB0, PID0, TASK0, KFX_TID0,
		 3000000000ull);
	put_vcpu(fx, o->vmx, 1, SVM1,
		 o->vcpu1_vmcb_elsewhere ? 0x102000 : KFX_VMCB1, PID1, TASK1,
		 KFX_TID1, 500000000ull);

	/* The NPT maps only the first guest page: the walk must add the rest. */
	fx_map(fx, ncr3, 0, RAM_A, FX_PAGE, 0x7);
	fx_cpu_realmode(&c, o->vmx ? ncr3 | 0x1e : ncr3);
	c.sev = o->vmcb_sev == 1;
	c.sev_es = o->vmcb_sev == 2;
	c.vmsa = c.sev_es ? fx_alloc_page(fx) : 0;
	if (!o->no_vmcbs && !o->tdx) {
		put_state(fx, o, KFX_VMCB0, &c);
		c.rip = 0x2342;
		put_state(fx, o, KFX_VMCB1, &c);
	}
	if (o->nested)
		put_nested(fx, o);
	/* SEV-ES: KVM still sets EFER.SVME in the (plaintext) save area */
	for (int i = 0; i < 2 && c.sev_es && !o->no_vmcbs && !o->tdx; i++)
		fx_put64(fx, (i ? KFX_VMCB1 : KFX_VMCB0) + 0x4d0, 0x1d01);

	/* Run queues: cpu 1's clock is the newest. */
	fx_put64(fx, KIMG_PA(KI_PCPU_OFF), KFX_DM);
	fx_put64(fx, KIMG_PA(KI_PCPU_OFF) + 8, KFX_DM + 0x1000);
	fx_put64(fx, RQ0 + O_RQ_CLOCK, KFX_CRASH_CLOCK - 1000);
	fx_put64(fx, RQ0 + 0x1000 + O_RQ_CLOCK, KFX_CRASH_CLOCK);
	return fx;
}
