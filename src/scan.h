/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Discovery: one sequential pass over host RAM that finds VMCS regions
 * (for every revision id we have a layout for) and VMCBs, validates them,
 * and groups the vCPUs into guests by EPTP / nested CR3.  Memory use is one
 * read buffer plus one entry per vCPU found.
 */
#ifndef VG_SCAN_H
#define VG_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "notes/vgerr.h"
#include "notes/vmcsinfo.h"
#include "src/hostmem.h"
#include "src/vcpu.h"

#define VG_SCAN_MAX_LAYOUTS 8
#define VG_SCAN_MAX_NOLAYOUT 16
#define VG_SCAN_MAX_VCPUS 4096

struct vg_scan_layout {
	const struct vmcsinfo *vi;
	const char *source; /* "note", "--vmcsinfo", "built-in vmcs12" */
};

struct vg_scan_cfg {
	struct vg_hostmem *hm;
	/* Host RAM runs (vg_hostdump_next_range); NULL: [0, max_paddr). */
	int (*next_range)(void *ctx, uint64_t from, uint64_t *start,
			  uint64_t *end);
	void *range_ctx;
	struct vg_scan_layout layouts[VG_SCAN_MAX_LAYOUTS];
	int nlayouts;
	FILE *verbose; /* -v: one line per rejected candidate */
	/*
	 * Optional: polled before every 1 MiB read; nonzero stops the scan
	 * there (the time budget: vg_budget_expired), which then returns 0
	 * with what it found so far and res->stopped set.
	 */
	int (*stop)(void *ctx);
	void *stop_ctx;
};

struct vg_kw_vcpu;
struct vg_kw_vm;

struct vg_found {
	struct vg_vcpu vcpu;
	uint64_t root; /* EPTP or nCR3 as stored */
	const char *layout; /* VMX: layout source */
	const struct vg_kw_vcpu *kvm; /* the KVM walk's vCPU, NULL if none */
};

struct vg_nolayout {
	uint32_t revision;
	unsigned int count;
};

struct vg_scan_result {
	struct vg_found *found;
	size_t nfound, cap;
	uint64_t pages_scanned, pages_absent, pages_unreadable;
	unsigned int rejected_vmcs, rejected_vmcb;
	unsigned int vmxon_like;
	struct vg_nolayout nolayout[VG_SCAN_MAX_NOLAYOUT];
	unsigned int nnolayout;
	int too_many; /* more than VG_SCAN_MAX_VCPUS candidates */
	int stopped; /* cfg->stop ended the scan before the end of RAM */
};

/*
 * 0, or a negative errno with err set: -ENOMEM, -EIO (the dump's memory
 * ranges could not be listed, or no page at all was readable).
 */
int vg_scan(const struct vg_scan_cfg *cfg, struct vg_scan_result *res,
	    struct vg_error *err);
void vg_scan_result_free(struct vg_scan_result *res);

/* What vg_scan_page_at() made of a page. */
#define VG_SCAN_KEPT 1 /* a VMCS or VMCB: in res->found */
#define VG_SCAN_BAD 0 /* absent, unreadable, or it failed a check: why */
#define VG_SCAN_NO_LAYOUT 2 /* a VMCS of a revision without a layout */

/*
 * Judge the one page at paddr as the scan judges every page (walk mode:
 * the state pages the KVM walk points to, src/kvmguests.h), adding to
 * res what the scan would add.  A page already in res is KEPT again
 * without a second entry.  Returns VG_SCAN_*, with *why set unless
 * KEPT, or -ENOMEM.
 */
int vg_scan_page_at(const struct vg_scan_cfg *cfg, struct vg_scan_result *res,
		    uint64_t paddr, const char **why);

/* One guest: the vCPUs found[first .. first + n) after vg_group(). */
struct vg_guest {
	enum vg_vendor vendor;
	uint64_t root; /* EPTP / nCR3 of the first vCPU */
	size_t first, n;
	char name[80];
	/* Set when the KVM walk (src/kvmwalk.h) claimed this guest. */
	const struct vg_kw_vm *vm;
	int nested; /* an L2 guest run by the L1 guest vm */
	/* nested: its L1 (the walked VM, the vCPU found running it, its name) */
	const struct vg_kw_vm *l1_vm;
	const struct vg_kw_vcpu *l1_vcpu;
	char l1_name[80];
	int stateless; /* a TD from the walk: no VMCS, root means nothing */
	char note[200]; /* why the scan path was used, "" if not */
};

/*
 * Sort res->found by (vendor, paging root, state address), number the
 * vCPUs of each guest from 0 and return the guests (malloc'd).
 * Returns the number of guests, or -1 when out of memory.
 */
long vg_group(struct vg_scan_result *res, struct vg_guest **guests);

#endif
