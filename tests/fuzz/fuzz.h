/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the libFuzzer targets of tests/fuzz/ share: the entry point, the
 * one-line error check, and "patches" over a fixture's memory image.
 *
 * A patch input is a sequence of records: a 3-byte little-endian offset
 * into the concatenation of the pieces, a length byte, then that many
 * bytes to write there (clipped to the piece).  fz_patch() applies them
 * and remembers the bytes they covered; fz_unpatch() puts those back, so
 * that one fixture built once serves every input.
 */
#ifndef VG_FUZZ_H
#define VG_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notes/vgerr.h"
#include "src/hostmem.h"

struct fx;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failure must come with its message, on one line. */
static inline void fz_one_line(int rc, const struct vg_error *err)
{
	if (rc < 0 && (!err->msg[0] || strchr(err->msg, '\n')))
		abort();
}

struct fz_piece {
	uint64_t pa, len;
};

#define FZ_MAX_PATCHES 64

struct fz_undo {
	uint8_t *ram;
	unsigned n;
	struct {
		uint64_t pa;
		size_t len;
		uint8_t old[255];
	} p[FZ_MAX_PATCHES];
};

/* Apply the patch records of data to ram (see above); returns how many. */
unsigned fz_patch(uint8_t *ram, const struct fz_piece *pieces, size_t npieces,
		  const uint8_t *data, size_t size, struct fz_undo *u);
/* Undo them, last first. */
void fz_unpatch(struct fz_undo *u);
/* One patch record for the seeds: writes it to buf, returns its size. */
size_t fz_record(uint8_t *buf, uint32_t off, const void *bytes, uint8_t len);

/*
 * The synthetic KVM host of the unit tests (tests/src/kvmfixture.c),
 * built once: its RAM, its VMCOREINFO and KVMINFO texts, a host memory
 * over the RAM.  self_describe: with kallsyms, BTF and modules
 * (tests/src/kdescfixture.c).
 */
struct fz_host {
	struct fx *fx;
	char *vmci, *kvminfo;
	size_t vlen, klen;
	struct vg_hostmem hm;
};

void fz_host_init(struct fz_host *h, int self_describe);

#endif
