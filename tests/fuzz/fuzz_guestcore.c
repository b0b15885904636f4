// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the guest-kernel search of the guest-core writer
 * (src/guestcore.c: VMCOREINFO candidates in guest RAM and their
 * validation, phys_base and the kernel text map, the direct map found
 * through the guest's own page tables) and the core it writes, over a
 * hostile guest RAM image.
 *
 * Input: 4 control bytes, then guest RAM from gpa 0 (at most 16 pages,
 * zero-padded to a page).  [0] the vCPU's CR3 page; [1] bit 0: LA57,
 * bit 1: the kdump-compressed writer at dump level 31 (src/kdumpcore.c:
 * the same search, the mem_map classification, the copy), bit 2: the
 * host memory offers map() (as /proc/vmcore does), a copy poisoned at
 * the next read; [2] a page where the RAM is split into two ranges (0:
 * one range).  The core goes to a memfd, emptied after each input.
 */
#include <sys/mman.h>
#include <unistd.h>

#include "src/guestcore.h"
#include "tests/fuzz/fuzz.h"

#define RAM_MAX (16 * 4096)

static uint8_t ram[RAM_MAX];
static uint64_t ram_len, split;
static uint8_t mapbuf[RAM_MAX];

static int ram_read(struct vg_hostmem *hm, uint64_t pa, void *buf, size_t len)
{
	(void)hm;
	memset(mapbuf, 0xa5, sizeof(mapbuf));
	if (pa >= ram_len || len > ram_len - pa)
		return VG_HM_ABSENT;
	memcpy(buf, ram + pa, len);
	return VG_HM_OK;
}

static int ram_map(struct vg_hostmem *hm, uint64_t pa, size_t len,
		   const void **p)
{
	(void)hm;
	memset(mapbuf, 0xa5, sizeof(mapbuf));
	if (!len || pa >= ram_len || len > ram_len - pa)
		return -1;
	memcpy(mapbuf, ram + pa, len);
	*p = mapbuf;
	return 0;
}

static int ram_walk(struct vg_gmem *g, vg_range_cb cb, void *ctx)
{
	int r;

	g->stats.pages_present = ram_len / 4096;
	if (!split || split >= ram_len)
		return cb(ctx, 0, 0, ram_len);
	r = cb(ctx, 0, 0, split);
	return r ? r : cb(ctx, split, split, ram_len - split);
}

static int ram_translate(struct vg_gmem *g, uint64_t gpa, uint64_t *hpa,
			 uint64_t *page_size)
{
	(void)g;
	if (gpa >= ram_len)
		return 1;
	*hpa = gpa;
	if (page_size)
		*page_size = 4096;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	struct vg_hostmem hm = { .read = ram_read, .max_paddr = RAM_MAX };
	struct vg_gmem g = { ram_walk, ram_translate, NULL, &hm, NULL, { 0 } };
	struct vg_guestcore_opts kd = { .compress = VG_GC_LZO,
					.dump_level = 31 };
	struct vg_guestcore_result res;
	struct vg_vcpu v;
	size_t n;
	int r;

	if (size < 4)
		return 0;
	if (fd < 0)
		fd = memfd_create("fuzz-guestcore", MFD_CLOEXEC);
	if (fd < 0)
		abort();
	n = size - 4 < RAM_MAX ? size - 4 : RAM_MAX;
	memset(ram, 0, sizeof(ram));
	memcpy(ram, data + 4, n);
	ram_len = (n + 4095) & ~4095ull;
	split = (uint64_t)data[2] << 12;
	memset(&v, 0, sizeof(v));
	v.vendor = VG_VENDOR_VMX;
	v.known = VG_K_CR3 | VG_K_CR4;
	v.cr3 = (uint64_t)data[0] << 12;
	v.cr4 = data[1] & 1 ? 1u << 12 : 0;
	if (data[1] & 4)
		hm.map = ram_map;
	r = vg_guestcore_write(fd, &g, &v, 1, data[1] & 2 ? &kd : NULL, &res);
	if (r == VG_GC_FAILED && !res.error[0])
		abort(); /* a failure without its reason */
	if (res.pages_present > ram_len / 4096)
		abort();
	if (ftruncate(fd, 0))
		abort();
	return 0;
}
