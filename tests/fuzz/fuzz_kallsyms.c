// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the kallsyms decoder (src/kallsyms.c) on the unit
 * tests' self-described KVM host, with the input's patches
 * (tests/fuzz/fuzz.h) over its kallsyms tables, looking up what the KVM
 * description looks up.  The empty input is the intact host: every
 * symbol must be found.
 */
#include "src/hostkv.h"
#include "src/kallsyms.h"
#include "tests/fuzz/pieces.h"
#include "tests/src/kvmfixture-layout.h"
#include "tests/src/kvmfixture.h"

static const struct vg_ksym wanted[] = {
	{ "__start_BTF", NULL, 0, 0, 0 },  { "__stop_BTF", NULL, 0, 0, 0 },
	{ "modules", "dDbB", 0, 0, 0 },	   { "btf_modules", "dDbB", 0, 0, 0 },
	{ "runqueues", "dDbBA", 0, 0, 0 }, { "nr_cpu_ids", "dDbBrRA", 0, 0, 0 },
};
#define NWANTED (sizeof(wanted) / sizeof(wanted[0]))

static struct fz_host host;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_undo undo;
	struct vg_ksym want[NWANTED];
	struct vg_kallsyms_info info;
	struct vg_hostkv kv;
	struct vg_error err;
	int rc;

	if (!host.fx)
		fz_host_init(&host, 1);
	fz_patch(host.fx->ram, fz_pieces_kallsyms,
		 FZ_NPIECES(fz_pieces_kallsyms), data, size, &undo);
	if (vg_hostkv_init(&kv, &host.hm, host.vmci, host.vlen, &err))
		abort();
	memcpy(want, wanted, sizeof(want));
	rc = vg_kallsyms_find(&kv, host.vmci, host.vlen, want, NWANTED, &info,
			      &err);
	fz_one_line(rc, &err);
	if (size == 0)
		for (size_t i = 0; i < NWANTED; i++)
			if (rc || !want[i].found)
				abort(); /* the intact host */
	if (rc == 0 && info.num_syms > VG_KALLSYMS_MAX_SYMS)
		abort();
	fz_unpatch(&undo);
	return 0;
}
