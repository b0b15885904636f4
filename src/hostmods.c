// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host's modules, their symbols and their BTF (src/hostmods.h).
 */
#include "src/hostmods.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "notes/kvminfo.h"

#define KERNEL_HALF 0xffff800000000000ull
#define SYM_SIZE 24 /* Elf64_Sym */
#define SYM_CHUNK 170 /* Elf64_Syms read at once: 4080 bytes */

static int off_of(struct btf *vmlinux, const char *path, uint64_t *v,
		  struct vg_error *err)
{
	struct btf *b[1] = { vmlinux };
	unsigned long long val;

	if (!kvminfo_btf_value(b, 1, KVMINFO_OFFSET, path, &val))
		return vg_error_set(err, -ENOENT,
				    "vmlinux BTF has no %s (a kernel too "
				    "old, or built without modules?)",
				    path);
	*v = val;
	return 0;
}

int vg_modlayout_init(struct btf *vmlinux, struct vg_modlayout *l,
		      struct vg_error *err)
{
	static const struct {
		const char *path;
		size_t at;
	} need[] = {
		{ "list_head.next", offsetof(struct vg_modlayout, list_next) },
		{ "module.list", offsetof(struct vg_modlayout, mod_list) },
		{ "module.name", offsetof(struct vg_modlayout, mod_name) },
		{ "module.kallsyms",
		  offsetof(struct vg_modlayout, mod_kallsyms) },
		{ "mod_kallsyms.symtab",
		  offsetof(struct vg_modlayout, ks_symtab) },
		{ "mod_kallsyms.num_symtab",
		  offsetof(struct vg_modlayout, ks_num_symtab) },
		{ "mod_kallsyms.strtab",
		  offsetof(struct vg_modlayout, ks_strtab) },
	}, bm[] = {
		{ "btf_module.list", offsetof(struct vg_modlayout, bm_list) },
		{ "btf_module.module",
		  offsetof(struct vg_modlayout, bm_module) },
		{ "btf_module.btf", offsetof(struct vg_modlayout, bm_btf) },
		{ "btf.data", offsetof(struct vg_modlayout, btf_data) },
		{ "btf.data_size",
		  offsetof(struct vg_modlayout, btf_data_size) },
	};
	size_t i;
	int rc;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		rc = off_of(vmlinux, need[i].path,
			    (uint64_t *)((char *)l + need[i].at), err);
		if (rc)
			return rc;
	}
	l->have_typetab = off_of(vmlinux, "mod_kallsyms.typetab",
				 &l->ks_typetab, NULL) == 0;
	l->have_btf_modules = 1;
	for (i = 0; i < sizeof(bm) / sizeof(bm[0]); i++)
		if (off_of(vmlinux, bm[i].path,
			   (uint64_t *)((char *)l + bm[i].at), NULL))
			l->have_btf_modules = 0;
	return 0;
}

static int rd(struct vg_hostkv *kv, uint64_t va, void *buf, size_t len,
	      const char *what, struct vg_error *err)
{
	int r = vg_hostkv_read(kv, va, buf, len);

	if (r == VG_HM_OK)
		return 0;
	return vg_error_set(err, r == VG_HM_ABSENT ? -ENODATA : -EIO,
			    "%s at 0x%" PRIx64 " is not in the dump", what, va);
}

/*
 * Call fn(ctx, entry) for each entry of the list at head (entry = node -
 * member); fn returns 0 to go on, 1 to stop, <0 on error.
 */
static int walk_list(struct vg_hostkv *kv, const struct vg_modlayout *l,
		     uint64_t head, uint64_t member, const char *what,
		     int (*fn)(void *, uint64_t, struct vg_error *), void *ctx,
		     struct vg_error *err)
{
	uint64_t node = head;
	int n, rc;

	for (n = 0; n <= VG_HOSTMODS_MAX; n++) {
		rc = rd(kv, node + l->list_next, &node, sizeof(node), what,
			err);
		if (rc)
			return rc;
		if (node == head)
			return 0;
		if (node < KERNEL_HALF || node < member)
			return vg_error_set(err, -EINVAL,
					    "%s: entry %d points to 0x%" PRIx64
					    " (corrupt list)",
					    what, n, node);
		rc = fn(ctx, node - member, err);
		if (rc)
			return rc;
	}
	return vg_error_set(err, -ELOOP,
			    "%s does not come back to its head after %d "
			    "entries (a loop?)",
			    what, VG_HOSTMODS_MAX);
}

/* Is the module at mod_va called name? */
static int named(struct vg_hostkv *kv, const struct vg_modlayout *l,
		 uint64_t mod_va, const char *name, struct vg_error *err)
{
	char buf[VG_HOSTMODS_NAME];
	size_t len = strlen(name) + 1;
	int rc;

	if (len > sizeof(buf))
		return 0;
	rc = rd(kv, mod_va + l->mod_name, buf, len, "module name", err);
	if (rc)
		return rc;
	return memcmp(buf, name, len) == 0;
}

struct sym_ctx {
	struct vg_hostkv *kv;
	const struct vg_modlayout *l;
	const char *mod, *sym, *types;
	uint64_t addr;
};

static int sym_matches(struct sym_ctx *c, uint64_t strtab, uint64_t typetab,
		       uint32_t i, const uint8_t *s, struct vg_error *err)
{
	size_t len = strlen(c->sym) + 1;
	uint32_t st_name;
	char name[VG_HOSTMODS_NAME_MAX], type = (char)s[4];
	int rc;

	memcpy(&st_name, s, sizeof(st_name));
	if (len > sizeof(name))
		return 0;
	rc = rd(c->kv, strtab + st_name, name, len, "module strtab", err);
	if (rc)
		return rc;
	if (memcmp(name, c->sym, len))
		return 0;
	if (c->l->have_typetab) {
		rc = rd(c->kv, typetab + i, &type, 1, "module typetab", err);
		if (rc)
			return rc;
	}
	if (c->types && !(type && strchr(c->types, type)))
		return 0;
	memcpy(&c->addr, s + 8, sizeof(c->addr));
	return 1;
}

/* Search one module's symbol table. */
static int mod_sym(void *ctx, uint64_t mod_va, struct vg_error *err)
{
	struct sym_ctx *c = ctx;
	const struct vg_modlayout *l = c->l;
	uint64_t ks, symtab, strtab, typetab = 0;
	uint8_t chunk[SYM_CHUNK * SYM_SIZE];
	uint32_t num, i, k, n;
	int rc = named(c->kv, l, mod_va, c->mod, err);

	if (rc <= 0)
		return rc;
	rc = rd(c->kv, mod_va + l->mod_kallsyms, &ks, 8, "module.kallsyms",
		err);
	if (rc == 0)
		rc = rd(c->kv, ks + l->ks_symtab, &symtab, 8, "mod_kallsyms",
			err);
	if (rc == 0)
		rc = rd(c->kv, ks + l->ks_strtab, &strtab, 8, "mod_kallsyms",
			err);
	if (rc == 0)
		rc = rd(c->kv, ks + l->ks_num_symtab, &num, 4, "mod_kallsyms",
			err);
	if (rc == 0 && l->have_typetab)
		rc = rd(c->kv, ks + l->ks_typetab, &typetab, 8, "mod_kallsyms",
			err);
	if (rc)
		return vg_error_wrap(err, "module %s", c->mod);
	if (num > VG_HOSTMODS_MAX_SYMS)
		return vg_error_set(err, -EINVAL,
				    "module %s: %u symbols, more than %u "
				    "(corrupt)",
				    c->mod, num, VG_HOSTMODS_MAX_SYMS);
	for (i = 0; i < num; i += n) {
		n = num - i < SYM_CHUNK ? num - i : SYM_CHUNK;
		rc = rd(c->kv, symtab + (uint64_t)i * SYM_SIZE, chunk,
			(size_t)n * SYM_SIZE, "module symtab", err);
		if (rc)
			return vg_error_wrap(err, "module %s", c->mod);
		for (k = 0; k < n; k++) {
			rc = sym_matches(c, strtab, typetab, i + k,
					 chunk + (size_t)k * SYM_SIZE, err);
			if (rc)
				return rc;
		}
	}
	return 2; /* the module, without the symbol: stop */
}

int vg_hostmods_sym(struct vg_hostkv *kv, const struct vg_modlayout *l,
		    uint64_t modules_va, const char *mod, const char *sym,
		    const char *types, uint64_t *addr, struct vg_error *err)
{
	struct sym_ctx c = { kv, l, mod, sym, types, 0 };
	int rc = walk_list(kv, l, modules_va, l->mod_list, "modules list",
			   mod_sym, &c, err);

	if (rc == 1)
		*addr = c.addr;
	return rc < 0 ? rc : rc == 1;
}

struct btf_ctx {
	struct vg_hostkv *kv;
	const struct vg_modlayout *l;
	const char *mod;
	uint64_t data, size;
};

static int mod_btf(void *ctx, uint64_t bm_va, struct vg_error *err)
{
	struct btf_ctx *c = ctx;
	uint64_t mod, btf;
	uint32_t size;
	int rc;

	rc = rd(c->kv, bm_va + c->l->bm_module, &mod, 8, "btf_module", err);
	if (rc)
		return rc;
	if (mod < KERNEL_HALF)
		return 0;
	rc = named(c->kv, c->l, mod, c->mod, err);
	if (rc <= 0)
		return rc;
	rc = rd(c->kv, bm_va + c->l->bm_btf, &btf, 8, "btf_module", err);
	if (rc == 0)
		rc = rd(c->kv, btf + c->l->btf_data, &c->data, 8, "struct btf",
			err);
	if (rc == 0)
		rc = rd(c->kv, btf + c->l->btf_data_size, &size, 4,
			"struct btf", err);
	if (rc)
		return vg_error_wrap(err, "BTF of module %s", c->mod);
	c->size = size;
	return 1;
}

int vg_hostmods_btf(struct vg_hostkv *kv, const struct vg_modlayout *l,
		    uint64_t btf_modules_va, const char *mod, uint64_t *data,
		    uint64_t *size, struct vg_error *err)
{
	struct btf_ctx c = { kv, l, mod, 0, 0 };
	int rc;

	if (!l->have_btf_modules)
		return 0;
	rc = walk_list(kv, l, btf_modules_va, l->bm_list, "btf_modules list",
		       mod_btf, &c, err);
	if (rc == 1) {
		*data = c.data;
		*size = c.size;
	}
	return rc < 0 ? rc : rc == 1;
}
