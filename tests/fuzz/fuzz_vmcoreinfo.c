// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the host's VMCOREINFO text as the key=value reader
 * (notes/keyval.c) and vg_hostkv_init() (src/hostkv.c) take it, then one
 * kernel address translated through the root it gave, over a small host
 * memory of zeros.  The input is the text, not NUL-terminated.
 */
#include "notes/keyval.h"
#include "src/hostkv.h"
#include "tests/fuzz/fuzz.h"

#define HOST_SIZE (1ull << 20)

static uint8_t host[HOST_SIZE];

static int host_read(struct vg_hostmem *hm, uint64_t pa, void *buf, size_t len)
{
	(void)hm;
	if (pa >= HOST_SIZE || len > HOST_SIZE - pa)
		return VG_HM_ABSENT;
	memcpy(buf, host + pa, len);
	return VG_HM_OK;
}

static void iterate(const char *text, size_t len)
{
	struct keyval_iter it;
	struct keyval kv;
	struct vg_error err;
	uint64_t v;
	int rc;

	keyval_init(&it, text, len);
	while ((rc = keyval_next(&it, &kv, &err)) > 0) {
		if (kv.key + kv.klen > text + len ||
		    kv.val + kv.vlen > text + len)
			abort(); /* a key or value outside the text */
		keyval_u64(kv.val, kv.vlen, 0, &v);
		keyval_u64(kv.val, kv.vlen, 16, &v);
	}
	fz_one_line(rc, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vg_hostmem hm = { .read = host_read, .max_paddr = HOST_SIZE };
	const char *text = (const char *)data;
	struct vg_hostkv kv;
	struct vg_error err;
	char buf[80];
	uint64_t word;
	int rc = keyval_check_text(text, size, &err);

	fz_one_line(rc, &err);
	if (rc == 0)
		iterate(text, size);
	keyval_get(text, size, "OSRELEASE", buf, sizeof(buf));
	keyval_get(text, size, "SYMBOL(init_top_pgt)", buf, sizeof(buf));
	rc = vg_hostkv_init(&kv, &hm, text, size, &err);
	fz_one_line(rc, &err);
	if (rc == 0)
		vg_kv_u64(&kv, VG_START_KERNEL_MAP, &word);
	return 0;
}
