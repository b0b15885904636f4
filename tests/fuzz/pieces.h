/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pieces of the unit tests' KVM host (tests/src/kvmfixture.c) that
 * the patch targets write their inputs over (tests/fuzz/fuzz.h): shared
 * by the targets and by tests/fuzz/replay.c, which writes the same bytes
 * into a whole host dump for the CLI.
 */
#ifndef VG_FUZZ_PIECES_H
#define VG_FUZZ_PIECES_H

#include "tests/fuzz/fuzz.h"
#include "tests/src/kvmfixture-layout.h"

#define FZ_NPIECES(p) (sizeof(p) / sizeof((p)[0]))

/* fuzz_kvmwalk: the KVM structures, the top page table, the first tables */
static const struct fz_piece fz_pieces_kvmwalk[] = {
	{ 0x300000, 0x10000 }, /* struct kvm .. argv (kvmfixture-layout.h) */
	{ KROOT, 0x1000 },
	{ 16 * MiB, 0x8000 }, /* the tables fx_map() allocated first */
};

/* fuzz_kallsyms: the kallsyms tables */
static const struct fz_piece fz_pieces_kallsyms[] = {
	{ KIMG_PA(KI_KALLSYMS), 0x10000 },
};

/* fuzz_hostmods: the module lists and the module structures */
static const struct fz_piece fz_pieces_hostmods[] = {
	{ KIMG_PA(KI_MODULES), 0x40 },
	{ KIMG_PA(KI_BTF_MODULES), 0x40 },
	{ 0x310000, 0x10000 }, /* struct module ... typetab (kdescfixture.c) */
};

/* fuzz_kvmdesc: byte 0 of an input picks one of these */
static const struct fz_piece fz_pieces_kvmdesc[] = {
	{ KIMG_BASE_PA + KI_KALLSYMS, 0x10000 },
	{ KIMG_BASE_PA + KI_BTF, 0x4000 },
	{ 0x310000, 0x10000 }, /* struct module ... typetab (kdescfixture.c) */
	{ 0x320000, 0x10000 }, /* kvm's BTF */
};

#endif
