// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: BTF read from the dump (src/hostbtf.c, then libbpf's
 * parser) on the unit tests' self-described KVM host.  The input, from
 * its second byte, is the BTF blob, put where the host's vmlinux BTF
 * lies; the first byte's bit 0 reads it as a module's split BTF on top
 * of the host's intact vmlinux BTF, else as vmlinux BTF.
 */
#include <bpf/btf.h>

#include "src/hostbtf.h"
#include "src/hostkv.h"
#include "tests/fuzz/fuzz.h"
#include "tests/src/kvmfixture-layout.h"
#include "tests/src/kvmfixture.h"

#define BLOB_MAX (64u << 10)

static struct fz_host host;
static struct btf *vmlinux;
static uint8_t saved[BLOB_MAX];
static uint64_t vmlinux_size;

static void setup(void)
{
	struct vg_hostkv kv;
	struct vg_error err;

	fz_host_init(&host, 1);
	memcpy(saved, host.fx->ram + KIMG_PA(KI_BTF), BLOB_MAX);
	if (vg_hostkv_init(&kv, &host.hm, host.vmci, host.vlen, &err))
		abort();
	/* The blob's own header says how long it is. */
	vmlinux_size =
		24 + *(uint32_t *)(saved + 16) + *(uint32_t *)(saved + 20);
	if (vg_hostbtf_load(&kv, KIMG_VA(KI_BTF), vmlinux_size, BLOB_MAX, NULL,
			    "vmlinux BTF", &vmlinux, &err))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btf *btf = NULL;
	struct vg_hostkv kv;
	struct vg_error err;
	int split, rc;

	if (!host.fx)
		setup();
	if (size < 1)
		return 0;
	split = data[0] & 1;
	size = size - 1 < BLOB_MAX ? size - 1 : BLOB_MAX;
	memcpy(host.fx->ram + KIMG_PA(KI_BTF), data + 1, size);
	if (vg_hostkv_init(&kv, &host.hm, host.vmci, host.vlen, &err))
		abort();
	rc = vg_hostbtf_load(&kv, KIMG_VA(KI_BTF), size, BLOB_MAX,
			     split ? vmlinux : NULL,
			     split ? "BTF of module kvm" : "vmlinux BTF", &btf,
			     &err);
	fz_one_line(rc, &err);
	if (rc == 0) {
		if (!btf)
			abort();
		btf__find_by_name(btf, "kvm");
		btf__free(btf);
	}
	memcpy(host.fx->ram + KIMG_PA(KI_BTF), saved, size);
	return 0;
}
