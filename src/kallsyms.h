/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host kernel's own symbol table, decoded from a host dump: since
 * Linux 6.0 VMCOREINFO gives the addresses of the kallsyms tables
 * (SYMBOL(kallsyms_names), kallsyms_num_syms, kallsyms_token_table,
 * kallsyms_token_index, kallsyms_offsets with kallsyms_relative_base, or
 * kallsyms_addresses).  VMCOREINFO's SYMBOL() values are run-time
 * addresses (KASLR included), and so are the addresses kallsyms encodes
 * once decoded: the encoding in use (base-relative, absolute per-CPU,
 * place-relative, absolute) is the one that gives SYMBOL(_stext) (or
 * SYMBOL(init_top_pgt)) of VMCOREINFO back.
 *
 * The tables are read through the host's page tables (src/hostkv.h) in
 * bounded chunks; nothing is kept but the few symbols asked for.  Every
 * count and length is checked against a cap, so corrupt tables give a
 * one-line reason, never a crash or an unbounded read.
 */
#ifndef VG_KALLSYMS_H
#define VG_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

#include "notes/vgerr.h"
#include "src/hostkv.h"

/* Caps: more than any kernel has (Debian 12: about 200 000 symbols). */
#define VG_KALLSYMS_MAX_SYMS (1u << 22)
#define VG_KALLSYMS_MAX_NAMES (64u << 20) /* bytes of kallsyms_names */
#define VG_KALLSYMS_NAME_MAX 512 /* KSYM_NAME_LEN */

/* One symbol the caller wants. */
struct vg_ksym {
	const char *name;
	const char *types; /* accepted nm(1) types ("dDbB"), NULL: any */
	uint64_t addr; /* out */
	char type; /* out */
	int found; /* out: the first symbol of that name and type */
};

/* How the addresses were encoded (for reports and tests). */
enum vg_kallsyms_enc {
	VG_KS_ENC_NONE,
	VG_KS_ENC_ABSOLUTE, /* unsigned long kallsyms_addresses[] */
	VG_KS_ENC_RELATIVE, /* relative_base + (u32)offset */
	VG_KS_ENC_ABS_PERCPU, /* >= 0: absolute; < 0: base - 1 - offset */
	VG_KS_ENC_PLACE, /* &kallsyms_offsets[i] + offset (Linux >= 7.0) */
};

struct vg_kallsyms_info {
	uint32_t num_syms;
	int long_names; /* two-byte lengths (Linux >= 6.1) */
	enum vg_kallsyms_enc enc;
	uint64_t names_bytes; /* bytes of kallsyms_names walked */
};

/*
 * Look up want[0..n) in the host's kallsyms, as VMCOREINFO (vmci,
 * vlen bytes) locates it; kv reads the host's kernel memory.  Fills
 * found/addr/type of each entry kallsyms has.  info may be NULL.
 * Returns 0, or:
 *   -ENOENT   VMCOREINFO does not locate the tables (Linux < 6.0, or
 *             CONFIG_KALLSYMS=n)
 *   -ENODATA  a page of the tables is not in the dump
 *   -EINVAL   the tables are corrupt, or no encoding gives _stext back
 * with one line in err.
 */
int vg_kallsyms_find(struct vg_hostkv *kv, const char *vmci, size_t vlen,
		     struct vg_ksym *want, size_t n,
		     struct vg_kallsyms_info *info, struct vg_error *err);

#endif
