/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Synthetic BTF for the KVMINFO tests (header-only), written at test time
 * with libbpf's BTF writer: a fake vmlinux and the split BTF of the kvm,
 * kvm_amd and kvm_intel modules on top of it, laid out like Linux 6.1
 * ("new": xarray of vCPUs, memslot rb-tree, task_struct.__state) or like
 * Linux 5.10 ("old": array of vCPU pointers, memslot array,
 * task_struct.state).  The offsets are made up but fixed, and
 * FX_KVM_NEW_TEXT / FX_KVM_OLD_TEXT are the descriptors they must give.
 * Link with libbpf.
 */
#ifndef TESTS_KEXEC_BTF_FIXTURES_H
#define TESTS_KEXEC_BTF_FIXTURES_H

#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A member: name ("" = anonymous), type id, byte offset, bitfield bits. */
struct fxf {
	const char *name;
	int type;
	unsigned int off;
	unsigned int bits;
};

#define FXF_END               \
	{                     \
		NULL, 0, 0, 0 \
	}

static inline int fx_ok(int id)
{
	if (id <= 0) {
		fprintf(stderr, "btf fixture: libbpf writer failed (%d)\n", id);
		abort();
	}
	return id;
}

/* A struct (or union) and its members; returns its type id. */
static inline int fx_btf_struct(struct btf *b, int is_union, const char *name,
				unsigned int size, const struct fxf *f)
{
	int id = fx_ok(is_union ? btf__add_union(b, name, size) :
				  btf__add_struct(b, name, size));

	for (; f->name; f++)
		if (btf__add_field(b, f->name, f->type, f->off * 8, f->bits))
			abort();
	return id;
}

static inline int fx_btf_array(struct btf *b, int index, int elem,
			       unsigned int n)
{
	return fx_ok(btf__add_array(b, index, elem, n));
}

/* Write the BTF (for split BTF: only the module's part) to dir/name. */
static inline void fx_btf_write(struct btf *b, const char *dir,
				const char *name)
{
	const void *raw;
	__u32 size = 0;
	char *path;
	FILE *f;

	raw = btf__raw_data(b, &size);
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		abort();
	f = fopen(path, "wb");
	if (!raw || !f || fwrite(raw, 1, size, f) != size || fclose(f))
		abort();
	free(path);
}

/* Base types of the fake vmlinux (ids valid in the split BTFs too). */
struct fx_base {
	int t_int, t_uint, t_char, t_uchar, t_short, t_ushort, t_ulong, t_u64;
	int t_ptr; /* void * */
	int list_head, hlist_head, hlist_node, rb_node, rb_root, xarray;
	int atomic_t, pid_t, gfn_t;
};

enum fx_vendor { FX_NONE, FX_SVM, FX_VMX };

/* Where the layout variants differ. */
struct fx_kvm_opts {
	int old; /* Linux 5.10 layout instead of 6.1 */
	enum fx_vendor vendor; /* which vendor module BTF to write */
	int no_kvm_btf; /* do not write <dir>/kvm */
	int minimal; /* kvm and kvm_vcpu without members */
	int bitfield; /* task_struct.on_cpu and kvm_vcpu.mode as bitfields */
	int vm_type; /* 6.1 layout with the u8 kvm->arch.vm_type of >= 6.10 */
};

static inline struct btf *fx_vmlinux(const struct fx_kvm_opts *o,
				     struct fx_base *t)
{
	struct btf *b = btf__new_empty();
	int chars16, slots, upids, hlist4, hnode4, spin, lock, se, si, mmanon;
	int xnode_u, u32;

	if (!b)
		abort();
	t->t_int = fx_ok(btf__add_int(b, "int", 4, BTF_INT_SIGNED));
	t->t_uint = fx_ok(btf__add_int(b, "unsigned int", 4, 0));
	t->t_char = fx_ok(btf__add_int(b, "char", 1, BTF_INT_CHAR));
	t->t_uchar = fx_ok(btf__add_int(b, "unsigned char", 1, 0));
	t->t_short = fx_ok(btf__add_int(b, "short int", 2, BTF_INT_SIGNED));
	t->t_ushort = fx_ok(btf__add_int(b, "short unsigned int", 2, 0));
	t->t_ulong = fx_ok(btf__add_int(b, "long unsigned int", 8, 0));
	t->t_u64 = fx_ok(btf__add_int(b, "long long unsigned int", 8, 0));
	t->t_ptr = fx_ok(btf__add_ptr(b, 0));
	u32 = fx_ok(btf__add_typedef(b, "u32", t->t_uint));
	t->pid_t = fx_ok(btf__add_typedef(b, "pid_t", t->t_int));
	t->gfn_t = fx_ok(btf__add_typedef(b, "gfn_t", t->t_u64));
	{
		const struct fxf f[] = { { "counter", t->t_int, 0, 0 },
					 FXF_END };
		int anon = fx_btf_struct(b, 0, NULL, 4, f);

		t->atomic_t = fx_ok(btf__add_typedef(b, "atomic_t", anon));
	}
	{
		const struct fxf f[] = { { "next", t->t_ptr, 0, 0 },
					 { "prev", t->t_ptr, 8, 0 },
					 FXF_END };

		t->list_head = fx_btf_struct(b, 0, "list_head", 16, f);
	}
	{
		const struct fxf f[] = { { "first", t->t_ptr, 0, 0 }, FXF_END };

		t->hlist_head = fx_btf_struct(b, 0, "hlist_head", 8, f);
	}
	{
		const struct fxf f[] = { { "next", t->t_ptr, 0, 0 },
					 { "pprev", t->t_ptr, 8, 0 },
					 FXF_END };

		t->hlist_node = fx_btf_struct(b, 0, "hlist_node", 16, f);
	}
	{
		const struct fxf f[] = { { "__rb_parent_color", t->t_ulong, 0,
					   0 },
					 { "rb_right", t->t_ptr, 8, 0 },
					 { "rb_left", t->t_ptr, 16, 0 },
					 FXF_END };

		t->rb_node = fx_btf_struct(b, 0, "rb_node", 24, f);
	}
	{
		const struct fxf f[] = { { "rb_node", t->t_ptr, 0, 0 },
					 FXF_END };

		t->rb_root = fx_btf_struct(b, 0, "rb_root", 8, f);
	}
	{
		const struct fxf f[] = { { "val", t->t_uint, 0, 0 }, FXF_END };

		lock = fx_btf_struct(b, 0, "raw_spinlock", 4, f);
		spin = fx_ok(btf__add_typedef(b, "spinlock_t", lock));
	}
	{
		const struct fxf f[] = { { "xa_lock", spin, 0, 0 },
					 { "xa_flags", t->t_uint, 4, 0 },
					 { "xa_head", t->t_ptr, 8, 0 },
					 FXF_END };

		t->xarray = fx_btf_struct(b, 0, "xarray", 16, f);
	}
	slots = fx_btf_array(b, t->t_int, t->t_ptr, 64);
	{
		const struct fxf u[] = { { "private_list", t->list_head, 0, 0 },
					 { "rcu_head", t->list_head, 0, 0 },
					 FXF_END };
		xnode_u = fx_btf_struct(b, 1, NULL, 16, u);
	}
	{
		const struct fxf f[] = { { "shift", t->t_uchar, 0, 0 },
					 { "offset", t->t_uchar, 1, 0 },
					 { "count", t->t_uchar, 2, 0 },
					 { "nr_values", t->t_uchar, 3, 0 },
					 { "parent", t->t_ptr, 8, 0 },
					 { "array", t->t_ptr, 16, 0 },
					 { "", xnode_u, 24, 0 },
					 { "slots", slots, 40, 0 },
					 FXF_END };

		fx_btf_struct(b, 0, "xa_node", 576, f);
	}
	{
		const struct fxf f[] = { { "nr", t->t_int, 0, 0 },
					 { "ns", t->t_ptr, 8, 0 },
					 FXF_END };
		int upid = fx_btf_struct(b, 0, "upid", 16, f);

		upids = fx_btf_array(b, t->t_int, upid, 0); /* flexible */
	}
	hlist4 = fx_btf_array(b, t->t_int, t->hlist_head, 4);
	{
		const struct fxf f[] = { { "count", t->atomic_t, 0, 0 },
					 { "level", t->t_uint, 4, 0 },
					 { "lock", spin, 8, 0 },
					 { "tasks", hlist4, 16, 0 },
					 { "inodes", t->hlist_head, 48, 0 },
					 { "numbers", upids, 96, 0 },
					 FXF_END };

		fx_btf_struct(b, 0, "pid", 96, f);
	}
	{
		const struct fxf f[] = { { "exec_start", t->t_u64, 72, 0 },
					 FXF_END };

		se = fx_btf_struct(b, 0, "sched_entity", 256, f);
	}
	{
		const struct fxf f[] = { { "pcount", t->t_ulong, 0, 0 },
					 { "run_delay", t->t_u64, 8, 0 },
					 { "last_arrival", t->t_u64, 16, 0 },
					 { "last_queued", t->t_u64, 24, 0 },
					 FXF_END };

		si = fx_btf_struct(b, 0, "sched_info", 32, f);
	}
	chars16 = fx_btf_array(b, t->t_int, t->t_char, 16);
	hnode4 = fx_btf_array(b, t->t_int, t->hlist_node, 4);
	if (!o->old) {
		const struct fxf f[] = { { "__state", t->t_uint, 24, 0 },
					 { "on_cpu", t->t_int, 52,
					   o->bitfield ? 1 : 0 },
					 { "se", se, 128, 0 },
					 { "sched_info", si, 880, 0 },
					 { "pid", t->pid_t, 1480, 0 },
					 { "tgid", t->pid_t, 1484, 0 },
					 { "pid_links", hnode4, 1560, 0 },
					 { "comm", chars16, 2936, 0 },
					 FXF_END };

		fx_btf_struct(b, 0, "task_struct", 9792, f);
	} else {
		int vlong =
			fx_ok(btf__add_int(b, "long int", 8, BTF_INT_SIGNED));
		const struct fxf f[] = {
			{ "state", fx_ok(btf__add_volatile(b, vlong)), 16, 0 },
			{ "on_cpu", t->t_int, 68, 0 },
			{ "se", se, 192, 0 },
			{ "sched_info", si, 1000, 0 },
			{ "pid", t->pid_t, 1432, 0 },
			{ "tgid", t->pid_t, 1436, 0 },
			{ "pid_links", hnode4, 1512, 0 },
			{ "comm", chars16, 2680, 0 },
			FXF_END
		};

		fx_btf_struct(b, 0, "task_struct", 7680, f);
	}
	{
		const struct fxf f[] = { { "nr_running", t->t_uint, 4, 0 },
					 { "clock", t->t_u64, 2432, 0 },
					 FXF_END };

		fx_btf_struct(b, 0, "rq", 4096, f);
	}
	{
		/* mm_struct: everything in one anonymous struct (Linux 4.19+) */
		const struct fxf a[] = { { "pgd", t->t_ptr, 80, 0 },
					 { "arg_start", t->t_ulong, 296, 0 },
					 { "arg_end", t->t_ulong, 304, 0 },
					 FXF_END };
		int bitmap;

		mmanon = fx_btf_struct(b, 0, NULL, 896, a);
		bitmap = fx_btf_array(b, t->t_int, t->t_ulong, 0);
		{
			const struct fxf f[] = { { "", mmanon, 0, 0 },
						 { "cpu_bitmap", bitmap, 896,
						   0 },
						 FXF_END };

			fx_btf_struct(b, 0, "mm_struct", 896, f);
		}
	}
	(void)u32;
	return b;
}

/* struct kvm_vcpu in module BTF b (kvm, or a vendor module's copy). */
static inline int fx_kvm_vcpu(struct btf *b, const struct fx_base *t,
			      const struct fx_kvm_opts *o)
{
	int regs = fx_btf_array(b, t->t_int, t->t_ulong, 17), arch, tdef, c;
	const struct fxf af[] = { { "regs", regs, 0, 0 },
				  { "regs_avail", t->t_uint, 136, 0 },
				  { "regs_dirty", t->t_uint, 140, 0 },
				  FXF_END };

	arch = fx_btf_struct(b, 0, "kvm_vcpu_arch", 8000, af);
	/* reach arch through a typedef and a const: both are skipped */
	c = fx_ok(btf__add_const(b, arch));
	tdef = fx_ok(btf__add_typedef(b, "kvm_vcpu_arch_t", c));
	if (o->minimal) {
		const struct fxf f[] = { FXF_END };

		return fx_btf_struct(b, 0, "kvm_vcpu", 9600, f);
	}
	if (!o->old) {
		const struct fxf f[] = { { "kvm", t->t_ptr, 0, 0 },
					 { "cpu", t->t_int, 24, 0 },
					 { "vcpu_id", t->t_int, 28, 0 },
					 { "vcpu_idx", t->t_int, 32, 0 },
					 { "mode", t->t_int, 40,
					   o->bitfield ? 3 : 0 },
					 { "pid", t->t_ptr, 152, 0 },
					 { "arch", tdef, 512, 0 },
					 FXF_END };

		return fx_btf_struct(b, 0, "kvm_vcpu", 9600, f);
	} else {
		const struct fxf f[] = { { "kvm", t->t_ptr, 0, 0 },
					 { "cpu", t->t_int, 32, 0 },
					 { "vcpu_id", t->t_int, 36, 0 },
					 { "mode", t->t_int, 48, 0 },
					 { "pid", t->t_ptr, 128, 0 },
					 { "arch", tdef, 448, 0 },
					 FXF_END };

		return fx_btf_struct(b, 0, "kvm_vcpu", 9216, f);
	}
}

static inline struct btf *fx_kvm(struct btf *base, const struct fx_base *t,
				 const struct fx_kvm_opts *o)
{
	struct btf *b = btf__new_empty_split(base);
	int slot, memslots_p2;

	if (!b)
		abort();
	fx_kvm_vcpu(b, t, o);
	if (o->minimal) {
		const struct fxf f[] = { FXF_END };

		fx_btf_struct(b, 0, "kvm", 4608, f);
		return b;
	}
	memslots_p2 = fx_btf_array(b, t->t_int, t->t_ptr, 2);
	if (!o->old) {
		int gfn2 = fx_btf_array(b, t->t_int, t->rb_node, 2);
		int id2 = fx_btf_array(b, t->t_int, t->hlist_node, 2);
		int hash = fx_btf_array(b, t->t_int, t->hlist_head, 128);
		const struct fxf sf[] = { { "id_node", id2, 0, 0 },
					  { "gfn_node", gfn2, 128, 0 },
					  { "base_gfn", t->gfn_t, 176, 0 },
					  { "npages", t->t_ulong, 184, 0 },
					  { "userspace_addr", t->t_ulong, 224,
					    0 },
					  { "flags", t->t_uint, 232, 0 },
					  { "id", t->t_short, 236, 0 },
					  { "as_id", t->t_ushort, 238, 0 },
					  FXF_END };
		int anon_u, anon_s;

		slot = fx_btf_struct(b, 0, "kvm_memory_slot", 240, sf);
		{
			const struct fxf f[] = {
				{ "generation", t->t_u64, 0, 0 },
				{ "gfn_tree", t->rb_root, 32, 0 },
				{ "id_hash", hash, 40, 0 },
				{ "node_idx", t->t_int, 1064, 0 },
				FXF_END
			};

			fx_btf_struct(b, 0, "kvm_memslots", 1072, f);
		}
		/* online_vcpus two anonymous levels deep */
		{
			const struct fxf u[] = {
				{ "online_vcpus", t->atomic_t, 0, 0 },
				{ "online_vcpus_long", t->t_ulong, 0, 0 },
				FXF_END
			};

			anon_u = fx_btf_struct(b, 1, NULL, 8, u);
		}
		{
			const struct fxf s[] = { { "pad", t->t_int, 0, 0 },
						 { "", anon_u, 8, 0 },
						 FXF_END };

			anon_s = fx_btf_struct(b, 0, NULL, 16, s);
		}
		{
			/* struct kvm_arch: vm_type only since 6.8 */
			struct fxf af[] = {
				{ "n_used_mmu_pages", t->t_ulong, 0, 0 },
				{ "mmu_valid_gen", t->t_uchar, 28, 0 },
				{ "vm_type", t->t_uchar, 29, 0 },
				FXF_END
			};
			int arch;

			if (!o->vm_type)
				af[2] = af[3];
			arch = fx_btf_struct(b, 0, "kvm_arch", 2048, af);
			{
				const struct fxf f[] = {
					{ "mm", t->t_ptr, 56, 0 },
					{ "arch", arch, 1024, 0 },
					{ "memslots", memslots_p2, 4352, 0 },
					{ "vcpu_array", t->xarray, 4368, 0 },
					{ "", anon_s, 4384, 0 },
					{ "vm_list", t->list_head, 4400, 0 },
					{ "userspace_pid", t->pid_t, 4560, 0 },
					FXF_END
				};

				fx_btf_struct(b, 0, "kvm", 4608, f);
			}
		}
	} else {
		int vcpus = fx_btf_array(b, t->t_int, t->t_ptr, 288);
		int idx = fx_btf_array(b, t->t_int, t->t_short, 512);
		int slots;
		const struct fxf sf[] = { { "base_gfn", t->gfn_t, 0, 0 },
					  { "npages", t->t_ulong, 8, 0 },
					  { "userspace_addr", t->t_ulong, 48,
					    0 },
					  { "flags", t->t_uint, 56, 0 },
					  { "id", t->t_short, 60, 0 },
					  { "as_id", t->t_ushort, 62, 0 },
					  FXF_END };

		slot = fx_btf_struct(b, 0, "kvm_memory_slot", 64, sf);
		slots = fx_btf_array(b, t->t_int, slot, 0);
		{
			const struct fxf f[] = {
				{ "generation", t->t_u64, 0, 0 },
				{ "id_to_index", idx, 8, 0 },
				{ "lru_slot", t->atomic_t, 1032, 0 },
				{ "used_slots", t->t_int, 1036, 0 },
				{ "memslots", slots, 1040, 0 },
				FXF_END
			};

			fx_btf_struct(b, 0, "kvm_memslots", 1040, f);
		}
		{
			const struct fxf f[] = {
				{ "mm", t->t_ptr, 64, 0 },
				{ "memslots", memslots_p2, 152, 0 },
				{ "vcpus", vcpus, 168, 0 },
				{ "online_vcpus", t->atomic_t, 2472, 0 },
				{ "vm_list", t->list_head, 2480, 0 },
				{ "userspace_pid", t->pid_t, 4208, 0 },
				FXF_END
			};

			fx_btf_struct(b, 0, "kvm", 4224, f);
		}
	}
	(void)slot;
	return b;
}

static inline struct btf *fx_kvm_amd(struct btf *base, const struct fx_base *t,
				     const struct fx_kvm_opts *o)
{
	struct btf *b = btf__new_empty_split(base);
	int vcpu, info, nested;

	if (!b)
		abort();
	vcpu = fx_kvm_vcpu(b, t, o); /* module BTF has its own copy */
	{
		const struct fxf f[] = { { "ptr", t->t_ptr, 0, 0 },
					 { "pa", t->t_ulong, 8, 0 },
					 { "cpu", t->t_int, 16, 0 },
					 { "asid_generation", t->t_u64, 24, 0 },
					 FXF_END };

		info = fx_btf_struct(b, 0, "kvm_vmcb_info", 32, f);
	}
	{
		const struct fxf f[] = { { "vmcb02", info, 0, 0 },
					 { "hsave_msr", t->t_u64, 32, 0 },
					 { "vm_cr_msr", t->t_u64, 40, 0 },
					 { "vmcb12_gpa", t->t_u64, 48, 0 },
					 FXF_END };

		nested = fx_btf_struct(b, 0, "svm_nested_state", 200, f);
	}
	{
		const struct fxf f[] = { { "vcpu", vcpu, 0, 0 },
					 { "vmcb", t->t_ptr, 9600, 0 },
					 { "vmcb01", info, 9608, 0 },
					 { "current_vmcb", t->t_ptr, 9640, 0 },
					 { "nested", nested, 9800, 0 },
					 FXF_END };

		fx_btf_struct(b, 0, "vcpu_svm", 11008, f);
	}
	return b;
}

static inline struct btf *fx_kvm_intel(struct btf *base,
				       const struct fx_base *t,
				       const struct fx_kvm_opts *o)
{
	struct btf *b = btf__new_empty_split(base);
	int vcpu, lv, nested;

	if (!b)
		abort();
	vcpu = fx_kvm_vcpu(b, t, o);
	{
		const struct fxf f[] = { { "vmcs", t->t_ptr, 0, 0 },
					 { "shadow_vmcs", t->t_ptr, 8, 0 },
					 { "cpu", t->t_int, 16, 0 },
					 FXF_END };

		lv = fx_btf_struct(b, 0, "loaded_vmcs", 120, f);
	}
	{
		const struct fxf f[] = { { "vmxon", t->t_uchar, 0, 0 },
					 { "vmxon_ptr", t->t_u64, 8, 0 },
					 { "current_vmptr", t->t_u64, 16, 0 },
					 { "cached_vmcs12", t->t_ptr, 24, 0 },
					 FXF_END };

		nested = fx_btf_struct(b, 0, "nested_vmx", 400, f);
	}
	{
		const struct fxf f[] = { { "vcpu", vcpu, 0, 0 },
					 { "loaded_vmcs", t->t_ptr, 9240, 0 },
					 { "vmcs01", lv, 9256, 0 },
					 { "nested", nested, 9600, 0 },
					 FXF_END };

		fx_btf_struct(b, 0, "vcpu_vmx", 10240, f);
	}
	return b;
}

/* Write dir/vmlinux, dir/kvm and the vendor module's BTF. */
static inline void fx_kvm_btf(const char *dir, const struct fx_kvm_opts *o)
{
	struct fx_base t;
	struct btf *v = fx_vmlinux(o, &t), *m;

	mkdir(dir, 0755);
	fx_btf_write(v, dir, "vmlinux");
	if (!o->no_kvm_btf) {
		m = fx_kvm(v, &t, o);
		fx_btf_write(m, dir, "kvm");
		btf__free(m);
	}
	if (o->vendor == FX_SVM) {
		m = fx_kvm_amd(v, &t, o);
		fx_btf_write(m, dir, "kvm_amd");
		btf__free(m);
	} else if (o->vendor == FX_VMX) {
		m = fx_kvm_intel(v, &t, o);
		fx_btf_write(m, dir, "kvm_intel");
		btf__free(m);
	}
	btf__free(v);
}

/* A kallsyms excerpt: vmlinux symbols, then modules ('d' = local). */
#define FX_KALLSYMS                                \
	"ffffffff81000000 T _stext\n"              \
	"0000000000033340 D runqueues\n"           \
	"ffffffff82a1c0a0 D __per_cpu_offset\n"    \
	"ffffffff82c0b1e0 d vm_list_other\n"       \
	"ffffffffc0a1f000 t kvm_vm_ioctl\t[kvm]\n" \
	"ffffffffc0a4d2d0 d vm_list\t[kvm]\n"      \
	"ffffffffc0b01000 d vm_list\t[not_kvm]\n"  \
	"ffffffffc0c02000 t svm_vcpu_run\t[kvm_amd]\n"

/* The same with every address zero, as non-root readers see it. */
#define FX_KALLSYMS_HIDDEN                      \
	"0000000000000000 T _stext\n"           \
	"0000000000000000 D runqueues\n"        \
	"0000000000000000 D __per_cpu_offset\n" \
	"0000000000000000 d vm_list\t[kvm]\n"

#define FX_CPU_POSSIBLE "0-3\n"

/* The keys every layout variant shares, after OSRELEASE and VENDOR. */
#define FX_SYMBOLS                                    \
	"SYMBOL(vm_list)=ffffffffc0a4d2d0\n"          \
	"SYMBOL(runqueues)=33340\n"                   \
	"SYMBOL(__per_cpu_offset)=ffffffff82a1c0a0\n" \
	"NUMBER(nr_cpu_ids)=4\n"

/* Linux 6.1 layout with kvm_amd: every key but the old-layout ones. */
#define FX_KVM_NEW_BODY                                     \
	FX_SYMBOLS                                          \
	"OFFSET(list_head.next)=0\n"                        \
	"SIZE(kvm)=4608\n"                                  \
	"OFFSET(kvm.vm_list)=4400\n"                        \
	"OFFSET(kvm.mm)=56\n"                               \
	"OFFSET(kvm.memslots)=4352\n"                       \
	"LENGTH(kvm.memslots)=2\n"                          \
	"OFFSET(kvm.online_vcpus)=4392\n"                   \
	"OFFSET(kvm.userspace_pid)=4560\n"                  \
	"OFFSET(kvm.vcpu_array)=4368\n"                     \
	"OFFSET(xarray.xa_head)=8\n"                        \
	"OFFSET(xa_node.shift)=0\n"                         \
	"OFFSET(xa_node.slots)=40\n"                        \
	"LENGTH(xa_node.slots)=64\n"                        \
	"OFFSET(kvm_memslots.gfn_tree)=32\n"                \
	"OFFSET(kvm_memslots.node_idx)=1064\n"              \
	"SIZE(kvm_memory_slot)=240\n"                       \
	"OFFSET(kvm_memory_slot.gfn_node)=128\n"            \
	"OFFSET(kvm_memory_slot.base_gfn)=176\n"            \
	"OFFSET(kvm_memory_slot.npages)=184\n"              \
	"OFFSET(kvm_memory_slot.userspace_addr)=224\n"      \
	"OFFSET(kvm_memory_slot.flags)=232\n"               \
	"OFFSET(kvm_memory_slot.id)=236\n"                  \
	"OFFSET(kvm_memory_slot.as_id)=238\n"               \
	"OFFSET(rb_root.rb_node)=0\n"                       \
	"OFFSET(rb_node.rb_left)=16\n"                      \
	"OFFSET(rb_node.rb_right)=8\n"                      \
	"SIZE(rb_node)=24\n"                                \
	"SIZE(kvm_vcpu)=9600\n"                             \
	"OFFSET(kvm_vcpu.kvm)=0\n"                          \
	"OFFSET(kvm_vcpu.vcpu_id)=28\n"                     \
	"OFFSET(kvm_vcpu.vcpu_idx)=32\n"                    \
	"OFFSET(kvm_vcpu.pid)=152\n"                        \
	"OFFSET(kvm_vcpu.mode)=40\n"                        \
	"OFFSET(kvm_vcpu.arch.regs)=512\n"                  \
	"LENGTH(kvm_vcpu.arch.regs)=17\n"                   \
	"OFFSET(kvm_vcpu.arch.regs_avail)=648\n"            \
	"OFFSET(kvm_vcpu.arch.regs_dirty)=652\n"            \
	"OFFSET(vcpu_svm.vcpu)=0\n"                         \
	"OFFSET(vcpu_svm.current_vmcb)=9640\n"              \
	"OFFSET(vcpu_svm.vmcb01)=9608\n"                    \
	"OFFSET(kvm_vmcb_info.pa)=8\n"                      \
	"OFFSET(vcpu_svm.nested.vmcb12_gpa)=9848\n"         \
	"OFFSET(vcpu_svm.nested.vmcb02)=9800\n"             \
	"OFFSET(pid.numbers)=96\n"                          \
	"OFFSET(upid.nr)=0\n"                               \
	"OFFSET(pid.tasks)=16\n"                            \
	"OFFSET(hlist_head.first)=0\n"                      \
	"OFFSET(task_struct.pid_links)=1560\n"              \
	"OFFSET(task_struct.pid)=1480\n"                    \
	"OFFSET(task_struct.tgid)=1484\n"                   \
	"OFFSET(task_struct.comm)=2936\n"                   \
	"SIZE(task_struct.comm)=16\n"                       \
	"OFFSET(task_struct.__state)=24\n"                  \
	"OFFSET(task_struct.on_cpu)=52\n"                   \
	"OFFSET(task_struct.se.exec_start)=200\n"           \
	"OFFSET(task_struct.sched_info.last_arrival)=896\n" \
	"OFFSET(rq.clock)=2432\n"                           \
	"OFFSET(mm_struct.pgd)=80\n"                        \
	"OFFSET(mm_struct.arg_start)=296\n"                 \
	"OFFSET(mm_struct.arg_end)=304\n"

/* Linux 5.10 layout with kvm_intel; no vcpu_idx, no gfn_node. */
#define FX_KVM_OLD_BODY                                      \
	FX_SYMBOLS                                           \
	"OFFSET(list_head.next)=0\n"                         \
	"SIZE(kvm)=4224\n"                                   \
	"OFFSET(kvm.vm_list)=2480\n"                         \
	"OFFSET(kvm.mm)=64\n"                                \
	"OFFSET(kvm.memslots)=152\n"                         \
	"LENGTH(kvm.memslots)=2\n"                           \
	"OFFSET(kvm.online_vcpus)=2472\n"                    \
	"OFFSET(kvm.userspace_pid)=4208\n"                   \
	"OFFSET(kvm.vcpus)=168\n"                            \
	"LENGTH(kvm.vcpus)=288\n"                            \
	"OFFSET(xarray.xa_head)=8\n"                         \
	"OFFSET(xa_node.shift)=0\n"                          \
	"OFFSET(xa_node.slots)=40\n"                         \
	"LENGTH(xa_node.slots)=64\n"                         \
	"OFFSET(kvm_memslots.memslots)=1040\n"               \
	"OFFSET(kvm_memslots.used_slots)=1036\n"             \
	"SIZE(kvm_memory_slot)=64\n"                         \
	"OFFSET(kvm_memory_slot.base_gfn)=0\n"               \
	"OFFSET(kvm_memory_slot.npages)=8\n"                 \
	"OFFSET(kvm_memory_slot.userspace_addr)=48\n"        \
	"OFFSET(kvm_memory_slot.flags)=56\n"                 \
	"OFFSET(kvm_memory_slot.id)=60\n"                    \
	"OFFSET(kvm_memory_slot.as_id)=62\n"                 \
	"OFFSET(rb_root.rb_node)=0\n"                        \
	"OFFSET(rb_node.rb_left)=16\n"                       \
	"OFFSET(rb_node.rb_right)=8\n"                       \
	"SIZE(rb_node)=24\n"                                 \
	"SIZE(kvm_vcpu)=9216\n"                              \
	"OFFSET(kvm_vcpu.kvm)=0\n"                           \
	"OFFSET(kvm_vcpu.vcpu_id)=36\n"                      \
	"OFFSET(kvm_vcpu.pid)=128\n"                         \
	"OFFSET(kvm_vcpu.mode)=48\n"                         \
	"OFFSET(kvm_vcpu.arch.regs)=448\n"                   \
	"LENGTH(kvm_vcpu.arch.regs)=17\n"                    \
	"OFFSET(kvm_vcpu.arch.regs_avail)=584\n"             \
	"OFFSET(kvm_vcpu.arch.regs_dirty)=588\n"             \
	"OFFSET(vcpu_vmx.vcpu)=0\n"                          \
	"OFFSET(vcpu_vmx.loaded_vmcs)=9240\n"                \
	"OFFSET(vcpu_vmx.vmcs01)=9256\n"                     \
	"OFFSET(loaded_vmcs.vmcs)=0\n"                       \
	"OFFSET(vcpu_vmx.nested.cached_vmcs12)=9624\n"       \
	"OFFSET(vcpu_vmx.nested.current_vmptr)=9616\n"       \
	"OFFSET(pid.numbers)=96\n"                           \
	"OFFSET(upid.nr)=0\n"                                \
	"OFFSET(pid.tasks)=16\n"                             \
	"OFFSET(hlist_head.first)=0\n"                       \
	"OFFSET(task_struct.pid_links)=1512\n"               \
	"OFFSET(task_struct.pid)=1432\n"                     \
	"OFFSET(task_struct.tgid)=1436\n"                    \
	"OFFSET(task_struct.comm)=2680\n"                    \
	"SIZE(task_struct.comm)=16\n"                        \
	"OFFSET(task_struct.state)=16\n"                     \
	"OFFSET(task_struct.on_cpu)=68\n"                    \
	"OFFSET(task_struct.se.exec_start)=264\n"            \
	"OFFSET(task_struct.sched_info.last_arrival)=1016\n" \
	"OFFSET(rq.clock)=2432\n"                            \
	"OFFSET(mm_struct.pgd)=80\n"                         \
	"OFFSET(mm_struct.arg_start)=296\n"                  \
	"OFFSET(mm_struct.arg_end)=304\n"

#endif
