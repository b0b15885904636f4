// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the KVM description a host dump holds of itself
 * (src/kvmdesc.h) on the synthetic KVM host of the unit tests
 * (tests/src/kvmfixture.c, self_describe), with the input written over
 * one of the pieces the description reads: byte 0 picks the piece (the
 * kallsyms tables, vmlinux BTF, the module structures and symbol table,
 * kvm's BTF), bytes 1-2 the offset into it, the rest is written there.
 * The empty input is the intact host, which must describe itself.
 * Whatever the bytes, the build must end with a text or one line.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "notes/elfnote.h"
#include "src/hostkv.h"
#include "src/kvmdesc.h"
#include "tests/fuzz/pieces.h"
#include "tests/src/ksymfixture.h"
#include "tests/src/kvmfixture-layout.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPIECES FZ_NPIECES(fz_pieces_kvmdesc)

static struct fx *fx;
static uint8_t *saved[NPIECES];
static char *vmci;
static size_t vlen;

static void setup(void)
{
	struct kfx_opts o = { .self_describe = 1 };
	const void *d;

	fx = kfx_build(&o);
	if (elfnote_find(fx->notes, fx->notes_len, "VMCOREINFO", 0, &d, &vlen,
			 NULL))
		abort();
	vmci = malloc(vlen);
	memcpy(vmci, d, vlen);
	for (size_t i = 0; i < NPIECES; i++) {
		saved[i] = malloc(fz_pieces_kvmdesc[i].len);
		memcpy(saved[i], fx_ptr(fx, fz_pieces_kvmdesc[i].pa),
		       fz_pieces_kvmdesc[i].len);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[8192];
	struct vg_hostmem hm;
	struct vg_hostkv kv;
	struct vg_error err;
	size_t which = 0, off = 0;
	int n;

	if (!fx)
		setup();
	if (size >= 3) {
		which = data[0] % NPIECES;
		off = ((size_t)data[1] | (size_t)data[2] << 8) %
		      fz_pieces_kvmdesc[which].len;
		size -= 3;
		if (size > fz_pieces_kvmdesc[which].len - off)
			size = fz_pieces_kvmdesc[which].len - off;
		memcpy(fx_ptr(fx, fz_pieces_kvmdesc[which].pa + off), data + 3,
		       size);
	}
	ksfx_hostmem(fx, &hm);
	if (vg_hostkv_init(&kv, &hm, vmci, vlen, NULL))
		abort();
	n = vg_kvmdesc_build(&kv, vmci, vlen, text, sizeof(text), NULL, &err);
	if (n < 0 && (!err.msg[0] || strchr(err.msg, '\n')))
		abort(); /* a failure without its one line */
	if (size == 0 && n < 0)
		abort(); /* the intact host must describe itself */
	memcpy(fx_ptr(fx, fz_pieces_kvmdesc[which].pa), saved[which],
	       fz_pieces_kvmdesc[which].len);
	return 0;
}
