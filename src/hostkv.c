// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host kernel and user virtual addresses in a host dump (src/hostkv.h).
 */
#include "src/hostkv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "src/gmem.h"
#include "notes/keyval.h"
#include "notes/kvminfo-parse.h"

#define PG 4096ull

static int host_entry(void *ctx, uint64_t paddr, uint64_t *e)
{
	struct vg_hostmem *hm = ctx;

	if (paddr + sizeof(*e) > hm->max_paddr)
		return VG_HM_ABSENT;
	return vg_hostmem_read(hm, paddr, e, sizeof(*e));
}

int vg_pt_walk(struct vg_hostmem *hm, uint64_t root, int la57, int user,
	       uint64_t va, uint64_t *pa, uint64_t *size)
{
	return vg_x86_walk(host_entry, hm, root, la57, user, va, pa, size);
}

int vg_hostkv_init(struct vg_hostkv *kv, struct vg_hostmem *hm,
		   const char *vmci, size_t len, struct vg_error *err)
{
	char buf[80], *end;
	unsigned long long sym;
	long long phys_base = 0;

	memset(kv, 0, sizeof(*kv));
	kv->hm = hm;
	if (keyval_get(vmci, len, "SYMBOL(init_top_pgt)", buf, sizeof(buf)) &&
	    keyval_get(vmci, len, "SYMBOL(swapper_pg_dir)", buf, sizeof(buf)))
		return vg_error_set(
			err, -ENOENT,
			"host VMCOREINFO has no SYMBOL(init_top_pgt)");
	errno = 0;
	sym = strtoull(buf, &end, 16);
	if (errno || *end || sym < VG_START_KERNEL_MAP)
		return vg_error_set(
			err, -EINVAL,
			"host VMCOREINFO: bad SYMBOL(init_top_pgt)=%.20s", buf);
	if (keyval_get(vmci, len, "NUMBER(phys_base)", buf, sizeof(buf)) == 0) {
		errno = 0;
		phys_base = strtoll(buf, &end, 10);
		if (errno || *end)
			return vg_error_set(
				err, -EINVAL,
				"host VMCOREINFO: bad NUMBER(phys_base)=%.20s",
				buf);
	}
	if (keyval_get(vmci, len, "NUMBER(pgtable_l5_enabled)", buf,
		       sizeof(buf)) == 0)
		kv->la57 = strcmp(buf, "0") != 0;
	if (keyval_get(vmci, len, "OSRELEASE", kv->osrelease,
		       sizeof(kv->osrelease)))
		kv->osrelease[0] = '\0';
	kv->kernel_root = sym - VG_START_KERNEL_MAP + (uint64_t)phys_base;
	if ((kv->kernel_root & (PG - 1)) || kv->kernel_root >= hm->max_paddr)
		return vg_error_set(err, -EINVAL,
				    "host page table root 0x%" PRIx64
				    " is not a page in the dump",
				    kv->kernel_root);
	return 0;
}

int vg_hostkv_vtop(struct vg_hostkv *kv, uint64_t va, uint64_t *pa)
{
	uint64_t vpage = va & ~(PG - 1), p, size;
	unsigned slot = (unsigned)((va >> 12) % VG_HOSTKV_TLB);
	int r;

	if (kv->tlb[slot].ppage && kv->tlb[slot].vpage == vpage) {
		*pa = kv->tlb[slot].ppage | (va & (PG - 1));
		return 0;
	}
	r = vg_pt_walk(kv->hm, kv->kernel_root, kv->la57, 0, va, &p, &size);
	if (r)
		return r;
	if (p >= kv->hm->max_paddr)
		return 1;
	*pa = p;
	if ((p & ~(PG - 1)) != 0) {
		kv->tlb[slot].vpage = vpage;
		kv->tlb[slot].ppage = p & ~(PG - 1);
	}
	return 0;
}

static int read_virt(struct vg_hostkv *kv, int user, uint64_t pgd_pa,
		     uint64_t va, void *buf, size_t len)
{
	char *out = buf;

	while (len) {
		uint64_t in_page = PG - (va & (PG - 1)), pa, size;
		size_t n = len < in_page ? len : (size_t)in_page;
		int r = user ? vg_pt_walk(kv->hm, pgd_pa, kv->la57, 1, va, &pa,
					  &size) :
			       vg_hostkv_vtop(kv, va, &pa);

		if (r < 0)
			return VG_HM_ERROR;
		if (r > 0 || pa + n > kv->hm->max_paddr)
			return VG_HM_ABSENT;
		r = vg_hostmem_read(kv->hm, pa, out, n);
		if (r != VG_HM_OK)
			return r;
		out += n;
		va += n;
		len -= n;
	}
	return VG_HM_OK;
}

int vg_hostkv_read(struct vg_hostkv *kv, uint64_t va, void *buf, size_t len)
{
	return read_virt(kv, 0, 0, va, buf, len);
}

int vg_hostkv_uread(struct vg_hostkv *kv, uint64_t pgd_pa, uint64_t va,
		    void *buf, size_t len)
{
	return read_virt(kv, 1, pgd_pa, va, buf, len);
}

int vg_kv_u64(struct vg_hostkv *kv, uint64_t va, uint64_t *v)
{
	return vg_hostkv_read(kv, va, v, sizeof(*v)) == VG_HM_OK ? 0 : -1;
}

int vg_kv_u32(struct vg_hostkv *kv, uint64_t va, uint32_t *v)
{
	return vg_hostkv_read(kv, va, v, sizeof(*v)) == VG_HM_OK ? 0 : -1;
}

int vg_kv_u16(struct vg_hostkv *kv, uint64_t va, uint16_t *v)
{
	return vg_hostkv_read(kv, va, v, sizeof(*v)) == VG_HM_OK ? 0 : -1;
}

int vg_kv_u8(struct vg_hostkv *kv, uint64_t va, uint8_t *v)
{
	return vg_hostkv_read(kv, va, v, sizeof(*v)) == VG_HM_OK ? 0 : -1;
}
