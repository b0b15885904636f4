// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the KVM walk (src/kvmwalk.c: vm_list, the memslot
 * rb-tree, the vCPU xarray, tasks, run queues, QEMU's argv through its
 * page tables) over the unit tests' KVM host with the input's patches
 * (tests/fuzz/fuzz.h) written over the KVM structures, the kernel's top
 * page table and the first page-table pages.  The empty input is the
 * intact host: its one VM and two vCPUs must be found.
 */
#include "notes/kvminfo-parse.h"
#include "src/hostkv.h"
#include "src/kvmwalk.h"
#include "tests/fuzz/pieces.h"
#include "tests/src/kvmfixture-layout.h"
#include "tests/src/kvmfixture.h"

static struct fz_host host;
static struct vg_kvminfo ki;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_undo undo;
	struct vg_kw_result res;
	struct vg_hostkv kv;
	struct vg_error err;

	if (!host.fx) {
		fz_host_init(&host, 0);
		if (vg_kvminfo_parse(host.kvminfo, host.klen, &ki, &err))
			abort();
	}
	fz_patch(host.fx->ram, fz_pieces_kvmwalk, FZ_NPIECES(fz_pieces_kvmwalk),
		 data, size, &undo);
	if (vg_hostkv_init(&kv, &host.hm, host.vmci, host.vlen, &err))
		abort();
	memset(&res, 0, sizeof(res));
	if (vg_kvm_walk(&kv, &ki, &res) == 0) {
		if (size == 0 && (res.nvms != 1 || res.vms[0].nvcpus != 2))
			abort(); /* the intact host */
		for (unsigned i = 0; i < res.nvms; i++) {
			const struct vg_kw_vm *vm = &res.vms[i];

			if (vm->nvcpus > VG_KW_MAX_VCPUS ||
			    vm->nslots > VG_KW_MAX_SLOTS ||
			    strnlen(vm->error, sizeof(vm->error)) ==
				    sizeof(vm->error))
				abort();
			for (unsigned c = 0; c < vm->nvcpus; c++)
				vg_kw_last_ran(&res, &vm->vcpus[c],
					       &(int){ 0 });
		}
	} else if (size == 0) {
		abort();
	}
	vg_kw_result_free(&res);
	fz_unpatch(&undo);
	return 0;
}
