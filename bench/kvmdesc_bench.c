// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * make bench-kvmdesc: what deriving the KVM description from a host dump
 * costs (src/kvmdesc.h), on a generated ELF host dump of SIZE MiB whose
 * kernel carries this machine's real vmlinux BTF (/sys/kernel/btf/vmlinux)
 * and a kallsyms table of all of this machine's vmlinux symbols
 * (/proc/kallsyms), with kvm and kvm_amd on the module lists, laid out
 * with the real BTF's struct module / btf_module offsets.
 *
 *   kvmdesc_bench gen OUT SIZE_MIB [BTF] [KALLSYMS]   write the dump
 *
 * bench/kvmdesc.sh then times `vmcsinfo kvminfo --from-dump OUT` against
 * `vmcsinfo read OUT` (the same open and note read, no description).
 * A benchmark, not a test: it prints figures and fails only when the
 * description cannot be derived.
 */
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notes/kvminfo.h"
#include "tests/src/fixture.h"
#include "tests/src/ksymfixture.h"

#define MiB (1ull << 20)
#define DMAP 0xffff888000000000ull
#define KROOT 0x1000ull
#define IMG_PA (16 * MiB)
#define IMG_SIZE (32 * MiB)
#define IMG_VA 0xffffffff9a000000ull
#define I_PCPU 0x1000
#define I_NRCPU 0x1100
#define I_MODULES 0x2000
#define I_BTFMODS 0x3000
#define I_KALLSYMS (2 * MiB)
#define I_BTF (12 * MiB)
#define MOD_PA (8 * MiB) /* modules, their tables and BTF */
#define NMODSYMS 3000
#define MAXSYMS 400000

static struct ksfx_sym *syms;
static size_t nsyms;

static uint64_t off(struct btf *b, const char *path)
{
	struct btf *bs[1] = { b };
	unsigned long long v;

	if (!kvminfo_btf_value(bs, 1, KVMINFO_OFFSET, path, &v)) {
		fprintf(stderr, "bench: the BTF has no %s\n", path);
		exit(2);
	}
	return v;
}

static void add_sym(const char *name, char type, uint64_t addr)
{
	if (nsyms < MAXSYMS)
		syms[nsyms++] = (struct ksfx_sym){ strdup(name), type, addr };
}

/* This machine's vmlinux symbols, moved to the image; ours override. */
static void read_kallsyms(const char *path)
{
	char line[1024], name[600], type;
	unsigned long long a, text = 0;
	FILE *f = fopen(path, "re");

	if (!f) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f)) {
		if (strchr(line, '[') ||
		    sscanf(line, "%llx %c %599s", &a, &type, name) != 3)
			continue;
		if (!strcmp(name, "_text"))
			text = a;
		if (!text || a < text || a - text >= (1ull << 30))
			continue; /* per-CPU, or before _text */
		if (!strcmp(name, "_stext") || !strcmp(name, "modules") ||
		    !strcmp(name, "btf_modules") ||
		    !strcmp(name, "__start_BTF") ||
		    !strcmp(name, "__stop_BTF") ||
		    !strcmp(name, "nr_cpu_ids") ||
		    !strcmp(name, "__per_cpu_offset") ||
		    !strcmp(name, "runqueues"))
			continue;
		add_sym(name, type, IMG_VA + (a - text));
	}
	fclose(f);
}

/* kvm and kvm_amd split BTF: struct kvm, kvm_vcpu, vcpu_svm + padding. */
static struct btf *module_btf(struct btf *base, int amd)
{
	struct btf *b = btf__new_empty_split(base);
	int i32 = btf__find_by_name_kind(base, "int", BTF_KIND_INT);
	char name[32];

	if (!b || i32 <= 0)
		exit(2);
	if (amd) {
		btf__add_struct(b, "vcpu_svm", 8192);
		btf__add_field(b, "svm_vcpu_pad", i32, 0, 0);
	} else {
		btf__add_struct(b, "kvm", 4096);
		btf__add_field(b, "userspace_pid", i32, 32, 0);
		btf__add_struct(b, "kvm_vcpu", 1024);
		btf__add_field(b, "vcpu_id", i32, 64, 0);
	}
	/* kvm.ko has about 4000 types (163 KB): pad to that */
	for (int i = 0; i < (amd ? 800 : 4000); i++) {
		snprintf(name, sizeof(name), "%s_pad_%d", amd ? "svm" : "kvm",
			 i);
		btf__add_struct(b, name, 8);
		btf__add_field(b, "a", i32, 0, 0);
		btf__add_field(b, "b", i32, 32, 0);
	}
	return b;
}

static void put_list(struct fx *fx, uint64_t head, const uint64_t *node, int n)
{
	for (int i = 0; i < n; i++)
		fx_put64(fx, i ? node[i - 1] : IMG_PA + head, DMAP + node[i]);
	fx_put64(fx, node[n - 1], IMG_VA + head);
}

static void put_modules(struct fx *fx, struct btf *vml)
{
	uint64_t m_list = off(vml, "module.list"),
		 m_name = off(vml, "module.name");
	uint64_t m_ks = off(vml, "module.kallsyms");
	uint64_t k_num = off(vml, "mod_kallsyms.num_symtab");
	uint64_t k_str = off(vml, "mod_kallsyms.strtab");
	uint64_t k_type = off(vml, "mod_kallsyms.typetab");
	uint64_t b_mod = off(vml, "btf_module.module");
	uint64_t b_btf = off(vml, "btf_module.btf");
	uint64_t b_data = off(vml, "btf.data"),
		 b_size = off(vml, "btf.data_size");
	uint64_t mod[2] = { MOD_PA, MOD_PA + 0x2000 };
	uint64_t ks = MOD_PA + 0x4000, symtab = MOD_PA + 0x10000;
	uint64_t strtab = MOD_PA + 0x40000, typetab = MOD_PA + 0x60000;
	uint64_t bm[2] = { MOD_PA + 0x5000, MOD_PA + 0x5100 };
	uint64_t bt[2] = { MOD_PA + 0x6000, MOD_PA + 0x6800 };
	uint64_t data[2] = { MOD_PA + 0x100000, MOD_PA + 0x200000 };
	uint64_t nodes[2] = { mod[0] + m_list, mod[1] + m_list }, s = 1;
	const char *names[2] = { "kvm_amd", "kvm" };

	for (int i = 0; i < 2; i++) {
		struct btf *b = module_btf(vml, i == 0);
		__u32 size;
		const void *raw = btf__raw_data(b, &size);

		memcpy(fx_ptr(fx, mod[i] + m_name), names[i],
		       strlen(names[i]) + 1);
		memcpy(fx_ptr(fx, data[i]), raw, size);
		fx_put64(fx, bt[i] + b_data, DMAP + data[i]);
		fx_put32(fx, bt[i] + b_size, size);
		fx_put64(fx, bm[i] + b_mod, DMAP + mod[i]);
		fx_put64(fx, bm[i] + b_btf, DMAP + bt[i]);
		printf("module %s: BTF %u bytes\n", names[i], size);
		btf__free(b);
	}
	put_list(fx, I_MODULES, nodes, 2);
	put_list(fx, I_BTFMODS, bm, 2);
	/* kvm's symbols, vm_list last: the whole table is searched */
	fx_put64(fx, mod[1] + m_ks, DMAP + ks);
	fx_put64(fx, ks, DMAP + symtab);
	fx_put32(fx, ks + k_num, NMODSYMS);
	fx_put64(fx, ks + k_str, DMAP + strtab);
	fx_put64(fx, ks + k_type, DMAP + typetab);
	for (int i = 0; i < NMODSYMS; i++) {
		char n[32];

		snprintf(n, sizeof(n),
			 i == NMODSYMS - 1 ? "vm_list" : "kvm_sym_%d", i);
		fx_put32(fx, symtab + 24 * i, (uint32_t)s);
		fx_put64(fx, symtab + 24 * i + 8, 0xffffffffc0a00000ull + i);
		memcpy(fx_ptr(fx, strtab + s), n, strlen(n) + 1);
		*(char *)fx_ptr(fx, typetab + i) = i == NMODSYMS - 1 ? 'b' :
								       't';
		s += strlen(n) + 1;
	}
}

/*
 * A kernel without CONFIG_DEBUG_INFO_BTF_MODULES has no struct
 * btf_module: add it (Linux 6.1's layout) so the module BTF walk runs.
 */
static void *add_missing(struct btf *b, void *raw, size_t *len)
{
	int ptr, u32, list;
	__u32 size;
	const void *out;
	void *copy;

	if (btf__find_by_name_kind(b, "btf_module", BTF_KIND_STRUCT) > 0)
		return raw;
	list = btf__find_by_name_kind(b, "list_head", BTF_KIND_STRUCT);
	u32 = btf__find_by_name_kind(b, "unsigned int", BTF_KIND_INT);
	ptr = btf__add_ptr(b, 0);
	if (list <= 0 || u32 <= 0 || ptr <= 0)
		exit(2);
	btf__add_struct(b, "btf_module", 48);
	btf__add_field(b, "list", list, 0, 0);
	btf__add_field(b, "module", ptr, 128, 0);
	btf__add_field(b, "btf", ptr, 192, 0);
	if (btf__find_by_name_kind(b, "btf", BTF_KIND_STRUCT) <= 0) {
		btf__add_struct(b, "btf", 256);
		btf__add_field(b, "data", ptr, 0, 0);
		btf__add_field(b, "data_size", u32, 88 * 8, 0);
	}
	out = btf__raw_data(b, &size);
	copy = malloc(size);
	if (!out || !copy)
		exit(2);
	memcpy(copy, out, size);
	free(raw);
	*len = size;
	printf("added struct btf_module to the BTF (no module BTF in it)\n");
	return copy;
}

static void *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	size_t cap = 64 * MiB;
	char *buf = malloc(cap);

	if (!f || !buf) {
		perror(path);
		exit(2);
	}
	*len = fread(buf, 1, cap, f);
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	const char *btfp = argc > 4 ? argv[4] : "/sys/kernel/btf/vmlinux";
	const char *ksp = argc > 5 ? argv[5] : "/proc/kallsyms";
	uint64_t size = argc > 3 ? strtoull(argv[3], NULL, 10) * MiB : 0;
	char vmci[4096];
	size_t blen;
	struct btf *vml;
	struct fx *fx;
	void *raw;

	if (argc < 4 || strcmp(argv[1], "gen") || size < 64 * MiB) {
		fprintf(stderr, "usage: kvmdesc_bench gen OUT SIZE_MIB(>=64) "
				"[BTF] [KALLSYMS]\n");
		return 2;
	}
	raw = slurp(btfp, &blen);
	vml = btf__new(raw, (__u32)blen);
	if (!vml || blen > 10 * MiB) {
		fprintf(stderr, "bench: %s is not usable BTF\n", btfp);
		return 2;
	}
	raw = add_missing(vml, raw, &blen);
	syms = calloc(MAXSYMS, sizeof(*syms));
	fx = fx_new(size, size - 8 * MiB);
	for (uint64_t pa = 0; pa < size; pa += 2 * MiB)
		fx_map(fx, KROOT, DMAP + pa, pa, 2 * MiB, 0x3);
	for (uint64_t o = 0; o < IMG_SIZE; o += 2 * MiB)
		fx_map(fx, KROOT, IMG_VA + o, IMG_PA + o, 2 * MiB, 0x3);
	memcpy(fx_ptr(fx, IMG_PA + I_BTF), raw, blen);
	fx_put32(fx, IMG_PA + I_NRCPU, 2);
	put_modules(fx, vml);
	add_sym("_stext", 'T', IMG_VA);
	add_sym("runqueues", 'D', 0x33340);
	add_sym("__per_cpu_offset", 'D', IMG_VA + I_PCPU);
	add_sym("nr_cpu_ids", 'D', IMG_VA + I_NRCPU);
	add_sym("modules", 'd', IMG_VA + I_MODULES);
	add_sym("btf_modules", 'd', IMG_VA + I_BTFMODS);
	add_sym("__start_BTF", 'R', IMG_VA + I_BTF);
	add_sym("__stop_BTF", 'R', IMG_VA + I_BTF + blen);
	read_kallsyms(ksp);
	snprintf(vmci, sizeof(vmci),
		 "OSRELEASE=6.1.0-bench\nPAGESIZE=4096\n"
		 "SYMBOL(init_top_pgt)=%llx\nNUMBER(phys_base)=0\n"
		 "SYMBOL(_stext)=%llx\nKERNELOFFSET=19000000\n",
		 0xffffffff80000000ull + KROOT, IMG_VA);
	if (ksfx_write(fx, IMG_PA + I_KALLSYMS, IMG_VA + I_KALLSYMS, syms,
		       nsyms, NULL, vmci, sizeof(vmci)) > I_BTF - I_KALLSYMS) {
		fprintf(stderr, "bench: kallsyms tables too large\n");
		return 2;
	}
	fx_note(fx, "VMCOREINFO", 0, vmci, strlen(vmci));
	printf("dump %llu MiB: vmlinux BTF %zu bytes, %zu kallsyms symbols, "
	       "kvm with %d symbols\n",
	       (unsigned long long)(size / MiB), blen, nsyms, NMODSYMS);
	if (fx_write_elf(fx, argv[2], NULL))
		return 2;
	btf__free(vml);
	fx_free(fx);
	free(raw);
	return 0;
}
