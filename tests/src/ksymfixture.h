/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host kallsyms for the unit tests: lays out kallsyms_num_syms,
 * kallsyms_relative_base, kallsyms_token_index, kallsyms_token_table,
 * kallsyms_offsets (or kallsyms_addresses) and kallsyms_names for a list
 * of symbols in a test image, the way scripts/kallsyms.c does (tokens of
 * several characters, the type inside the first token), in each of the
 * kernel's address encodings, and writes the VMCOREINFO lines that
 * locate them.  Also a struct vg_hostmem over a test image.
 */
#ifndef VG_TEST_KSYMFIXTURE_H
#define VG_TEST_KSYMFIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "src/hostmem.h"
#include "src/kallsyms.h"
#include "tests/src/fixture.h"

struct ksfx_sym {
	const char *name;
	char type;
	uint64_t addr;
};

struct ksfx_opts {
	enum vg_kallsyms_enc enc; /* VG_KS_ENC_NONE: absolute per-CPU */
	int long_names; /* two-byte lengths for names of 128+ tokens */
	int no_relative_base_line; /* leave SYMBOL(kallsyms_relative_base) out */
};

/*
 * Write the tables for syms[0..n) at physical pa of fx, which the caller
 * maps at kernel virtual va; append the SYMBOL(kallsyms_*) lines to vmci
 * (a NUL-terminated string of vmcisz bytes).  Returns the bytes used.
 * Addresses below 2 GiB are per-CPU (absolute) in VG_KS_ENC_ABS_PERCPU.
 */
uint64_t ksfx_write(struct fx *fx, uint64_t pa, uint64_t va,
		    const struct ksfx_sym *syms, size_t n,
		    const struct ksfx_opts *o, char *vmci, size_t vmcisz);

/* Where ksfx_write() put each table (offsets from pa). */
#define KSFX_NUM_SYMS 0
#define KSFX_RELATIVE_BASE 8
#define KSFX_TOKEN_INDEX 16
#define KSFX_TOKEN_TABLE 528
#define KSFX_OFFSETS 4096

/* Host physical memory = the image (reads past ram_size are absent). */
void ksfx_hostmem(struct fx *fx, struct vg_hostmem *hm);

#endif
