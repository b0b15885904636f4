/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host's loaded modules in a dump: the kernel's `modules` list
 * (struct module, linked by module.list), each module's symbol table
 * (module.kallsyms -> struct mod_kallsyms: symtab, num_symtab, strtab,
 * typetab since Linux 5.2), and the module BTFs the kernel keeps on
 * `btf_modules` (struct btf_module -> struct btf: data, data_size).
 * Member offsets come from vmlinux BTF, so no layout is assumed.  Lists
 * are walked at most VG_HOSTMODS_MAX entries; a list that does not come
 * back to its head by then is reported, never followed forever.
 */
#ifndef VG_HOSTMODS_H
#define VG_HOSTMODS_H

#include <stddef.h>
#include <stdint.h>

#include "notes/vgerr.h"
#include "src/hostkv.h"

struct btf;

#define VG_HOSTMODS_MAX 8192 /* modules on a list */
#define VG_HOSTMODS_MAX_SYMS (1u << 20) /* symbols of one module */
#define VG_HOSTMODS_NAME 56 /* MODULE_NAME_LEN on 64-bit */
#define VG_HOSTMODS_NAME_MAX 512 /* longest symbol name compared */

/* Offsets (from vmlinux BTF) of what the walks read. */
struct vg_modlayout {
	uint64_t list_next; /* list_head.next */
	uint64_t mod_list, mod_name, mod_kallsyms;
	uint64_t ks_symtab, ks_num_symtab, ks_strtab, ks_typetab;
	int have_typetab;
	uint64_t bm_list, bm_module, bm_btf; /* struct btf_module */
	uint64_t btf_data, btf_data_size; /* struct btf */
	int have_btf_modules; /* btf_module and btf are in the BTF */
};

/* The layout from vmlinux BTF: 0, or -ENOENT naming the missing member. */
int vg_modlayout_init(struct btf *vmlinux, struct vg_modlayout *l,
		      struct vg_error *err);

/*
 * In the module called mod on the list at modules_va, the first symbol
 * called sym whose nm(1) type is in types (NULL: any).  Returns 1 with
 * *addr, 0 when no such module or symbol is there, <0 with err (a
 * list that loops, a module whose tables are not in the dump, ...).
 */
int vg_hostmods_sym(struct vg_hostkv *kv, const struct vg_modlayout *l,
		    uint64_t modules_va, const char *mod, const char *sym,
		    const char *types, uint64_t *addr, struct vg_error *err);

/*
 * The BTF the kernel keeps for the module called mod (btf_modules at
 * btf_modules_va): 1 with its data address and size, 0 when the list
 * has none for mod, <0 with err.
 */
int vg_hostmods_btf(struct vg_hostkv *kv, const struct vg_modlayout *l,
		    uint64_t btf_modules_va, const char *mod, uint64_t *data,
		    uint64_t *size, struct vg_error *err);

#endif
