// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The synthetic host describes itself (kfx_opts.self_describe): kallsyms
 * located by VMCOREINFO, vmlinux BTF at __start_BTF, kvm and kvm_amd on
 * the module list with their symbol tables, and their BTF on
 * btf_modules, laid out so that the description derived from them is
 * the KVMINFO note of tests/src/kvmfixture.c.  The BTF is written with
 * libbpf at test time.
 */
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/notes/btf_fixtures.h"
#include "tests/src/ksymfixture.h"
#include "tests/src/kvmfixture-layout.h"

/* Module structures, in the direct map. */
#define MOD_KVM 0x310000ull
#define MOD_AMD 0x311000ull
#define KS_KVM 0x312000ull /* struct mod_kallsyms */
#define SYMTAB 0x313000ull
#define STRTAB 0x314000ull
#define TYPETAB 0x314800ull
#define BTFMOD_KVM 0x315000ull
#define BTFMOD_AMD 0x315100ull
#define BTF_KVM 0x316000ull /* struct btf */
#define BTF_AMD 0x316800ull
#define BTFDATA_KVM 0x320000ull
#define BTFDATA_AMD 0x330000ull
#define GARBAGE 0x33f000ull
#define MOD_VMCS 0x317000ull /* vmcsinfo_intel */
#define KS_VMCS 0x317800ull
#define SYMTAB_VMCS 0x318000ull
#define STRTAB_VMCS 0x318800ull
#define TEXT_VMCS 0x319000ull /* 16 KiB */

/* Their layout, as the vmlinux BTF below says. */
#define O_MOD_LIST 8
#define O_MOD_NAME 24
#define O_MOD_KALLSYMS 456
#define O_KS_NUM 8
#define O_KS_STRTAB 16
#define O_KS_TYPETAB 24
#define O_BM_MODULE 16
#define O_BM_BTF 24
#define O_BTF_SIZE 88

struct types {
	int i32, u32, u8, u16, u64, chr, ptr, list, hhead, hnode, rbnode;
};

static void base_types(struct btf *b, struct types *t)
{
	t->i32 = fx_ok(btf__add_int(b, "int", 4, BTF_INT_SIGNED));
	t->u32 = fx_ok(btf__add_int(b, "unsigned int", 4, 0));
	t->u8 = fx_ok(btf__add_int(b, "unsigned char", 1, 0));
	t->u16 = fx_ok(btf__add_int(b, "short unsigned int", 2, 0));
	t->u64 = fx_ok(btf__add_int(b, "long unsigned int", 8, 0));
	t->chr = fx_ok(btf__add_int(b, "char", 1, BTF_INT_CHAR));
	t->ptr = fx_ok(btf__add_ptr(b, 0));
}

/* The structs of the walk that vmlinux has, at the note's offsets. */
static void vmlinux_walk_types(struct btf *b, struct types *t)
{
	int slots = fx_btf_array(b, t->i32, t->ptr, 64);
	int comm = fx_btf_array(b, t->i32, t->chr, 16), upid, se, anon;
	const struct fxf list[] = { { "next", t->ptr, 0, 0 },
				    { "prev", t->ptr, 8, 0 },
				    FXF_END };
	const struct fxf hh[] = { { "first", t->ptr, 0, 0 }, FXF_END };
	const struct fxf hn[] = { { "next", t->ptr, 0, 0 },
				  { "pprev", t->ptr, 8, 0 },
				  FXF_END };
	const struct fxf xa[] = { { "xa_head", t->ptr, O_XA_HEAD, 0 },
				  FXF_END };
	const struct fxf xn[] = { { "shift", t->u8, 0, 0 },
				  { "slots", slots, O_XA_SLOTS, 0 },
				  FXF_END };
	const struct fxf rbn[] = { { "__rb_parent_color", t->u64, 0, 0 },
				   { "rb_right", t->ptr, O_RB_RIGHT, 0 },
				   { "rb_left", t->ptr, O_RB_LEFT, 0 },
				   FXF_END };
	const struct fxf rbr[] = { { "rb_node", t->ptr, 0, 0 }, FXF_END };
	const struct fxf up[] = { { "nr", t->i32, 0, 0 }, FXF_END };

	t->list = fx_btf_struct(b, 0, "list_head", 16, list);
	t->hhead = fx_btf_struct(b, 0, "hlist_head", 8, hh);
	t->hnode = fx_btf_struct(b, 0, "hlist_node", 16, hn);
	fx_btf_struct(b, 0, "xarray", 16, xa);
	fx_btf_struct(b, 0, "xa_node", 576, xn);
	t->rbnode = fx_btf_struct(b, 0, "rb_node", S_RB, rbn);
	fx_btf_struct(b, 0, "rb_root", 8, rbr);
	upid = fx_btf_struct(b, 0, "upid", 16, up);
	{
		const struct fxf pid[] = {
			{ "tasks", fx_btf_array(b, t->i32, t->hhead, 4),
			  O_PID_TASKS, 0 },
			{ "numbers", fx_btf_array(b, t->i32, upid, 1),
			  O_PID_NUMBERS, 0 },
			FXF_END
		};
		const struct fxf sef[] = { { "exec_start", t->u64, 0, 0 },
					   FXF_END };

		fx_btf_struct(b, 0, "pid", 80, pid);
		se = fx_btf_struct(b, 0, "sched_entity", 256, sef);
	}
	{
		const struct fxf ts[] = {
			{ "__state", t->u32, O_TASK_STATE, 0 },
			{ "on_cpu", t->i32, O_TASK_ON_CPU, 0 },
			{ "pid", t->i32, O_TASK_PID, 0 },
			{ "pid_links", fx_btf_array(b, t->i32, t->hnode, 4),
			  O_TASK_LINKS, 0 },
			{ "comm", comm, O_TASK_COMM, 0 },
			{ "se", se, O_TASK_EXEC, 0 },
			FXF_END
		};
		const struct fxf rq[] = { { "clock", t->u64, O_RQ_CLOCK, 0 },
					  FXF_END };
		const struct fxf an[] = {
			{ "pgd", t->ptr, O_MM_PGD, 0 },
			{ "arg_start", t->u64, O_MM_ARG_START, 0 },
			{ "arg_end", t->u64, O_MM_ARG_END, 0 },
			FXF_END
		};

		fx_btf_struct(b, 0, "task_struct", 2048, ts);
		fx_btf_struct(b, 0, "rq", 4096, rq);
		anon = fx_btf_struct(b, 0, NULL, 1024, an);
	}
	{
		const struct fxf mm[] = { { "", anon, 0, 0 }, FXF_END };

		fx_btf_struct(b, 0, "mm_struct", 1024, mm);
	}
}

/* struct module and friends: what the module walks read. */
static void vmlinux_module_types(struct btf *b, const struct types *t)
{
	const struct fxf mod[] = {
		{ "state", t->u32, 0, 0 },
		{ "list", t->list, O_MOD_LIST, 0 },
		{ "name", fx_btf_array(b, t->i32, t->chr, 56), O_MOD_NAME, 0 },
		{ "kallsyms", t->ptr, O_MOD_KALLSYMS, 0 },
		FXF_END
	};
	const struct fxf ks[] = { { "symtab", t->ptr, 0, 0 },
				  { "num_symtab", t->u32, O_KS_NUM, 0 },
				  { "strtab", t->ptr, O_KS_STRTAB, 0 },
				  { "typetab", t->ptr, O_KS_TYPETAB, 0 },
				  FXF_END };
	const struct fxf bm[] = { { "list", t->list, 0, 0 },
				  { "module", t->ptr, O_BM_MODULE, 0 },
				  { "btf", t->ptr, O_BM_BTF, 0 },
				  FXF_END };
	const struct fxf bt[] = { { "data", t->ptr, 0, 0 },
				  { "data_size", t->u32, O_BTF_SIZE, 0 },
				  FXF_END };

	fx_btf_struct(b, 0, "module", 1024, mod);
	fx_btf_struct(b, 0, "mod_kallsyms", 32, ks);
	fx_btf_struct(b, 0, "btf_module", 48, bm);
	fx_btf_struct(b, 0, "btf", 256, bt);
}

/*
 * struct kvm_arch: vm_type only when the kernel has it (>= 6.8; u8 since
 * 6.10, unsigned long before), as in 6.1 nothing else the walk reads.
 */
static int kvm_arch_type(struct btf *b, const struct types *t,
			 const struct kfx_opts *o)
{
	int size = o->vm_type_size ? o->vm_type_size : 1;
	struct fxf arch[] = { { "n_used_mmu_pages", t->u64, 0, 0 },
			      { "vm_type",
				size == 8 ? t->u64 :
				size == 4 ? t->u32 :
				size == 2 ? t->u16 :
					    t->u8,
				O_ARCH_VM_TYPE, 0 },
			      FXF_END };

	if (!o->has_vm_type)
		arch[1] = arch[2];
	return fx_btf_struct(b, 0, "kvm_arch", 1024, arch);
}

static void kvm_types(struct btf *b, const struct types *t,
		      const struct kfx_opts *o)
{
	int vm_list_off = o->kvm_vm_list_offset;
	const struct fxf arch[] = {
		{ "regs", fx_btf_array(b, t->i32, t->u64, 17), 0, 0 },
		{ "regs_avail", t->u32, O_VCPU_AVAIL - O_VCPU_REGS, 0 },
		{ "regs_dirty", t->u32, O_VCPU_DIRTY - O_VCPU_REGS, 0 },
		FXF_END
	};
	int a = fx_btf_struct(b, 0, "kvm_vcpu_arch", 512, arch);
	const struct fxf vcpu[] = { { "kvm", t->ptr, 0, 0 },
				    { "vcpu_id", t->i32, O_VCPU_ID, 0 },
				    { "vcpu_idx", t->i32, O_VCPU_IDX, 0 },
				    { "mode", t->i32, O_VCPU_MODE, 0 },
				    { "pid", t->ptr, O_VCPU_PID, 0 },
				    { "arch", a, O_VCPU_REGS, 0 },
				    FXF_END };
	const struct fxf slot[] = { { "gfn_node",
				      fx_btf_array(b, t->i32, t->rbnode, 2),
				      O_SLOT_GFN_NODE, 0 },
				    { "base_gfn", t->u64, O_SLOT_BASE, 0 },
				    { "npages", t->u64, O_SLOT_NPAGES, 0 },
				    { "userspace_addr", t->u64, O_SLOT_HVA, 0 },
				    { "flags", t->u32, O_SLOT_FLAGS, 0 },
				    { "as_id", t->u16, O_SLOT_AS, 0 },
				    { "id", t->u16, O_SLOT_ID, 0 },
				    FXF_END };
	int rbroot =
		fx_ok(btf__find_by_name_kind(b, "rb_root", BTF_KIND_STRUCT));
	int xarray =
		fx_ok(btf__find_by_name_kind(b, "xarray", BTF_KIND_STRUCT));
	const struct fxf ms[] = { { "gfn_tree", rbroot, O_MS_GFN_TREE, 0 },
				  { "node_idx", t->i32, O_MS_NODE_IDX, 0 },
				  FXF_END };
	const struct fxf kvm[] = {
		{ "mm", t->ptr, O_KVM_MM, 0 },
		{ "memslots", fx_btf_array(b, t->i32, t->ptr, 2),
		  O_KVM_MEMSLOTS, 0 },
		{ "vcpu_array", xarray, O_KVM_VCPU_ARRAY, 0 },
		{ "online_vcpus", t->i32, O_KVM_ONLINE, 0 },
		{ "userspace_pid", t->i32, O_KVM_PID, 0 },
		{ "vm_list", t->list, vm_list_off ? vm_list_off : O_KVM_VM_LIST,
		  0 },
		{ "arch", kvm_arch_type(b, t, o), O_KVM_ARCH, 0 },
		FXF_END
	};

	fx_btf_struct(b, 0, "kvm_vcpu", 1024, vcpu);
	fx_btf_struct(b, 0, "kvm_memory_slot", 512, slot);
	fx_btf_struct(b, 0, "kvm_memslots", 256, ms);
	fx_btf_struct(b, 0, "kvm", 4096, kvm);
}

static void kvm_amd_types(struct btf *b, const struct types *t)
{
	const struct fxf none[] = { FXF_END };
	const struct fxf info[] = { { "ptr", t->ptr, 0, 0 },
				    { "pa", t->u64, O_INFO_PA, 0 },
				    FXF_END };
	int vcpu = fx_btf_struct(b, 0, "kvm_vcpu", 1024, none);
	int vi = fx_btf_struct(b, 0, "kvm_vmcb_info", 32, info);
	const struct fxf svm[] = { { "vcpu", vcpu, O_SVM_VCPU, 0 },
				   { "current_vmcb", t->ptr, O_SVM_CUR, 0 },
				   { "vmcb01", vi, O_SVM_VMCB01, 0 },
				   FXF_END };

	fx_btf_struct(b, 0, "vcpu_svm", 4096, svm);
}

/* Copy b's raw data (split: its own part) to pa; returns its size. */
static uint32_t put_btf(struct fx *fx, struct btf *b, uint64_t pa)
{
	__u32 size = 0;
	const void *raw = btf__raw_data(b, &size);

	if (!raw || size > 0x10000)
		abort();
	memcpy(fx_ptr(fx, pa), raw, size);
	return size;
}

static void put_list(struct fx *fx, uint64_t head_pa, uint64_t head_va,
		     const uint64_t *node_pa, int n)
{
	uint64_t prev = head_va;

	for (int i = 0; i < n; i++) {
		fx_put64(fx, (i ? node_pa[i - 1] : head_pa), DM(node_pa[i]));
		fx_put64(fx, node_pa[i] + 8, prev);
		prev = DM(node_pa[i]);
	}
	fx_put64(fx, n ? node_pa[n - 1] : head_pa, head_va);
	fx_put64(fx, head_pa + 8, prev);
}

/* kvm's symbol table: a null symbol, a function, vm_list, a bss object. */
static void put_kvm_symbols(struct fx *fx, const struct kfx_opts *o)
{
	static const char strtab[] = "\0kvm_init\0vm_list\0kvm_debugfs_dir";
	static const struct {
		uint32_t name;
		char type;
		uint64_t value;
	} s[] = { { 0, 'U', 0 },
		  { 1, 't', 0xffffffffc0a01000ull },
		  { 10, 'b', DM(VM_LIST) },
		  { 18, 'b', 0xffffffffc0a4e000ull } };

	memcpy(fx_ptr(fx, STRTAB), strtab, sizeof(strtab));
	for (size_t i = 0; i < 4; i++) {
		uint64_t e = SYMTAB + 24 * i;

		fx_put32(fx, e, s[i].name);
		*(uint8_t *)fx_ptr(fx, e + 4) = 0x11; /* STB_GLOBAL, OBJECT */
		fx_put64(fx, e + 8, s[i].value);
		*(char *)fx_ptr(fx, TYPETAB + i) = s[i].type;
	}
	fx_put64(fx, KS_KVM, DM(SYMTAB));
	fx_put32(fx, KS_KVM + O_KS_NUM,
		 o->damage == KD_NUM_SYMTAB_HUGE ? 0xffffffffu : 4);
	fx_put64(fx, KS_KVM + O_KS_STRTAB, DM(STRTAB));
	fx_put64(fx, KS_KVM + O_KS_TYPETAB, DM(TYPETAB));
	if (o->damage == KD_SYMTAB_FILTERED)
		fx_hole(fx, SYMTAB, SYMTAB + FX_PAGE);
}

/* vmcsinfo_intel: its name, a symbol table of one symbol, its text. */
static void put_vmcsinfo_module(struct fx *fx, const struct kfx_opts *o)
{
	static const char strtab[] = "\0vmcsinfo_text";

	memcpy(fx_ptr(fx, MOD_VMCS + O_MOD_NAME), "vmcsinfo_intel", 15);
	fx_put64(fx, MOD_VMCS + O_MOD_KALLSYMS, DM(KS_VMCS));
	fx_put64(fx, KS_VMCS, DM(SYMTAB_VMCS));
	fx_put32(fx, KS_VMCS + O_KS_NUM, 1);
	fx_put64(fx, KS_VMCS + O_KS_STRTAB, DM(STRTAB_VMCS));
	fx_put64(fx, KS_VMCS + O_KS_TYPETAB, DM(STRTAB_VMCS + 0x300));
	memcpy(fx_ptr(fx, STRTAB_VMCS), strtab, sizeof(strtab));
	*(char *)fx_ptr(fx, STRTAB_VMCS + 0x300) = 'b';
	fx_put32(fx, SYMTAB_VMCS, 1);
	fx_put64(fx, SYMTAB_VMCS + 8, DM(TEXT_VMCS));
	if (o->vmcsinfo_no_nul)
		memset(fx_ptr(fx, TEXT_VMCS), 'A', 16384);
	else
		memcpy(fx_ptr(fx, TEXT_VMCS), o->vmcsinfo_text,
		       strlen(o->vmcsinfo_text) + 1);
}

/* The modules and their BTF; sizes of the BTFs in *kvm, *amd. */
static void put_modules(struct fx *fx, const struct kfx_opts *o,
			struct btf *vml, const struct types *t)
{
	struct btf *kvm = btf__new_empty_split(vml);
	struct btf *amd = btf__new_empty_split(vml);
	/* newest first, as the kernel adds them: kvm_amd, then kvm */
	uint64_t mods[3] = { MOD_AMD + O_MOD_LIST, MOD_KVM + O_MOD_LIST,
			     MOD_VMCS + O_MOD_LIST };
	uint64_t bms[2] = { BTFMOD_AMD, BTFMOD_KVM };
	int n = o->damage == KD_NO_KVM ? 0 : 2;
	uint32_t size;

	if (!kvm || !amd)
		abort();
	kvm_types(kvm, t, o);
	kvm_amd_types(amd, t);
	memcpy(fx_ptr(fx, MOD_KVM + O_MOD_NAME), "kvm", 4);
	memcpy(fx_ptr(fx, MOD_AMD + O_MOD_NAME), "kvm_amd", 8);
	fx_put64(fx, MOD_KVM + O_MOD_KALLSYMS, DM(KS_KVM));
	put_kvm_symbols(fx, o);
	if (o->vmcsinfo_text || o->vmcsinfo_no_nul)
		put_vmcsinfo_module(fx, o);
	put_list(fx, KIMG_PA(KI_MODULES), KIMG_VA(KI_MODULES), mods,
		 n + (o->vmcsinfo_text || o->vmcsinfo_no_nul));
	put_list(fx, KIMG_PA(KI_BTF_MODULES), KIMG_VA(KI_BTF_MODULES), bms, n);
	if (o->damage == KD_MODULES_LOOP)
		fx_put64(fx, mods[0], DM(mods[0]));
	if (o->damage == KD_BTF_MODULES_LOOP)
		fx_put64(fx, bms[0], DM(bms[0]));
	fx_put64(fx, BTFMOD_KVM + O_BM_MODULE, DM(MOD_KVM));
	fx_put64(fx, BTFMOD_AMD + O_BM_MODULE, DM(MOD_AMD));
	fx_put64(fx, BTFMOD_KVM + O_BM_BTF, DM(BTF_KVM));
	fx_put64(fx, BTFMOD_AMD + O_BM_BTF, DM(BTF_AMD));
	size = put_btf(fx, kvm, BTFDATA_KVM);
	if (o->damage == KD_BTF_LIES)
		fx_put32(fx, BTFDATA_KVM + 20, size * 4); /* str_len */
	if (o->damage == KD_BTF_HUGE)
		size = 3u << 30;
	fx_put64(fx, BTF_KVM,
		 DM(o->damage == KD_BTF_GARBAGE ? GARBAGE : BTFDATA_KVM));
	fx_put32(fx, BTF_KVM + O_BTF_SIZE, size);
	memset(fx_ptr(fx, GARBAGE), 0x5a, FX_PAGE);
	fx_put64(fx, BTF_AMD, DM(BTFDATA_AMD));
	fx_put32(fx, BTF_AMD + O_BTF_SIZE, put_btf(fx, amd, BTFDATA_AMD));
	btf__free(amd);
	btf__free(kvm);
}

static void put_kallsyms(struct fx *fx, const struct kfx_opts *o,
			 uint32_t btf_size, char *vmci, size_t vmcisz)
{
	struct ksfx_sym s[] = {
		{ "runqueues", 'A', RQ0 }, /* per-CPU: absolute, as in 6.1 */
		{ "_stext", 'T', KIMG_VA(KI_STEXT) },
		{ "do_one_initcall", 't', KIMG_VA(0x40) },
		{ "__per_cpu_offset", 'D', KIMG_VA(KI_PCPU_OFF) },
		{ "nr_cpu_ids", 'D', KIMG_VA(KI_NR_CPU_IDS) },
		{ "modules", 'd', KIMG_VA(KI_MODULES) },
		{ "btf_modules", 'd', KIMG_VA(KI_BTF_MODULES) },
		{ "__start_BTF", 'R', KIMG_VA(KI_BTF) },
		{ "__stop_BTF", 'R', KIMG_VA(KI_BTF) + btf_size },
	};
	size_t n = sizeof(s) / sizeof(s[0]);
	char lines[1024] = "";

	if (o->damage == KD_NO_BTF)
		n -= 2;
	ksfx_write(fx, KIMG_PA(KI_KALLSYMS), KIMG_VA(KI_KALLSYMS), s, n, NULL,
		   lines, sizeof(lines));
	if (o->damage != KD_NO_KALLSYMS)
		snprintf(vmci + strlen(vmci), vmcisz - strlen(vmci), "%s",
			 lines);
}

void kfx_self_describe(struct fx *fx, const struct kfx_opts *o, char *vmci,
		       size_t vmcisz)
{
	struct btf *vml = btf__new_empty();
	struct types t;
	uint32_t size;

	if (!vml)
		abort();
	base_types(vml, &t);
	vmlinux_walk_types(vml, &t);
	vmlinux_module_types(vml, &t);
	size = put_btf(fx, vml, KIMG_PA(KI_BTF));
	fx_put32(fx, KIMG_PA(KI_NR_CPU_IDS), 2);
	put_modules(fx, o, vml, &t);
	put_kallsyms(fx, o, size, vmci, vmcisz);
	btf__free(vml);
}
