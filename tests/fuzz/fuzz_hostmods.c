// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the module list and module symbols and BTF as read
 * from the dump (src/hostmods.c) on the unit tests' self-described KVM
 * host, with the input's patches (tests/fuzz/fuzz.h) over `modules`,
 * `btf_modules` and the module structures.  The empty input is the
 * intact host: kvm's vm_list and BTF must be found.
 */
#include <bpf/btf.h>

#include "src/hostbtf.h"
#include "src/hostkv.h"
#include "src/hostmods.h"
#include "tests/fuzz/pieces.h"
#include "tests/src/kvmfixture-layout.h"
#include "tests/src/kvmfixture.h"

static struct fz_host host;
static struct vg_modlayout ml;

static void setup(void)
{
	struct vg_hostkv kv;
	struct vg_error err;
	struct btf *vmlinux;
	const uint8_t *h;

	fz_host_init(&host, 1);
	h = host.fx->ram + KIMG_PA(KI_BTF);
	if (vg_hostkv_init(&kv, &host.hm, host.vmci, host.vlen, &err) ||
	    vg_hostbtf_load(&kv, KIMG_VA(KI_BTF),
			    24 + *(const uint32_t *)(h + 16) +
				    *(const uint32_t *)(h + 20),
			    VG_HOSTBTF_VMLINUX_MAX, NULL, "vmlinux BTF",
			    &vmlinux, &err) ||
	    vg_modlayout_init(vmlinux, &ml, &err))
		abort();
	btf__free(vmlinux);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_undo undo;
	static const char *const mods[] = { "kvm", "kvm_amd", "kvm_intel" };
	struct vg_hostkv kv;
	struct vg_error err;
	uint64_t addr, bdata, bsize;
	int rc;

	if (!host.fx)
		setup();
	fz_patch(host.fx->ram, fz_pieces_hostmods,
		 FZ_NPIECES(fz_pieces_hostmods), data, size, &undo);
	if (vg_hostkv_init(&kv, &host.hm, host.vmci, host.vlen, &err))
		abort();
	rc = vg_hostmods_sym(&kv, &ml, KIMG_VA(KI_MODULES), "kvm", "vm_list",
			     "dDbB", &addr, &err);
	fz_one_line(rc, &err);
	if (size == 0 && rc != 1)
		abort();
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		rc = vg_hostmods_btf(&kv, &ml, KIMG_VA(KI_BTF_MODULES), mods[i],
				     &bdata, &bsize, &err);
		fz_one_line(rc, &err);
		if (size == 0 && i < 2 && rc != 1)
			abort();
	}
	fz_unpatch(&undo);
	return 0;
}
