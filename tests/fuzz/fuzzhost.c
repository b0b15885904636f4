// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The unit tests' synthetic KVM host for the fuzz targets
 * (tests/fuzz/fuzz.h).
 */
#include "notes/elfnote.h"
#include "tests/fuzz/fuzz.h"
#include "tests/src/ksymfixture.h"
#include "tests/src/kvmfixture.h"

static char *note_copy(struct fx *fx, const char *name, size_t *len)
{
	const void *d;
	char *copy;

	if (elfnote_find(fx->notes, fx->notes_len, name, 0, &d, len, NULL))
		abort();
	copy = malloc(*len);
	if (!copy)
		abort();
	memcpy(copy, d, *len);
	return copy;
}

void fz_host_init(struct fz_host *h, int self_describe)
{
	/* kvmwalk's host (no self-description) has a >= 6.8 vm_type too */
	struct kfx_opts o = { .self_describe = self_describe,
			      .has_vm_type = !self_describe,
			      .vm_type = 4 };

	h->fx = kfx_build(&o);
	h->vmci = note_copy(h->fx, "VMCOREINFO", &h->vlen);
	h->kvminfo = note_copy(h->fx, "KVMINFO", &h->klen);
	ksfx_hostmem(h->fx, &h->hm);
}
