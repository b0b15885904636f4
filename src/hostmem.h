/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host physical memory as a dump holds it.  The capture side reads host
 * RAM only through this interface: src/hostdump.c implements it over
 * libkdumpfile, unit tests implement it over small in-memory images.
 */
#ifndef VG_HOSTMEM_H
#define VG_HOSTMEM_H

#include <stddef.h>
#include <stdint.h>

/* Return values of vg_hostmem.read. */
#define VG_HM_OK 0
#define VG_HM_ABSENT 1 /* not in the dump (hole, filtered page) */
#define VG_HM_ERROR (-1) /* I/O error, corrupt dump: give up on this read */

struct vg_hostmem {
	/*
	 * Read len bytes of host physical memory at paddr into buf.  A read
	 * that crosses into an absent page returns VG_HM_ABSENT.
	 */
	int (*read)(struct vg_hostmem *hm, uint64_t paddr, void *buf,
		    size_t len);
	/*
	 * Optional (NULL: not offered).  Point *p at len bytes of host
	 * physical memory at paddr without copying them, valid until the
	 * next read or map of this hostmem: 0 when mapped, anything else
	 * when the caller is to read() them instead (a range not mappable
	 * may still read fine, absent pages and errors are read()'s to say).
	 */
	int (*map)(struct vg_hostmem *hm, uint64_t paddr, size_t len,
		   const void **p);
	/* One past the highest host physical address the dump covers. */
	uint64_t max_paddr;
	void *priv;
};

static inline int vg_hostmem_read(struct vg_hostmem *hm, uint64_t paddr,
				  void *buf, size_t len)
{
	return hm->read(hm, paddr, buf, len);
}

/* 0 and *p set when hm maps [paddr, paddr + len), else -1: read() it. */
static inline int vg_hostmem_map(struct vg_hostmem *hm, uint64_t paddr,
				 size_t len, const void **p)
{
	return hm->map ? hm->map(hm, paddr, len, p) : -1;
}

#endif
