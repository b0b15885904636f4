// SPDX-License-Identifier: GPL-2.0-or-later
#include "src/scan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "src/svm.h"
#include "src/vmx.h"

#define PAGE_SZ 4096u
#define CHUNK (1u << 20) /* one large sequential read at a time */

static int add_found(struct vg_scan_result *res, const struct vg_vcpu *v,
		     uint64_t root, const char *layout)
{
	if (res->nfound >= VG_SCAN_MAX_VCPUS) {
		res->too_many = 1;
		return 0;
	}
	if (res->nfound == res->cap) {
		size_t cap = res->cap ? res->cap * 2 : 16;
		struct vg_found *n = realloc(res->found, cap * sizeof(*n));

		if (!n)
			return -1;
		res->found = n;
		res->cap = cap;
	}
	memset(&res->found[res->nfound], 0, sizeof(res->found[0]));
	res->found[res->nfound].vcpu = *v;
	res->found[res->nfound].root = root;
	res->found[res->nfound].layout = layout;
	res->nfound++;
	return 0;
}

static void note_nolayout(struct vg_scan_result *res, uint32_t rev)
{
	for (unsigned int i = 0; i < res->nnolayout; i++) {
		if (res->nolayout[i].revision == rev) {
			res->nolayout[i].count++;
			return;
		}
	}
	if (res->nnolayout < VG_SCAN_MAX_NOLAYOUT) {
		res->nolayout[res->nnolayout].revision = rev;
		res->nolayout[res->nnolayout].count = 1;
		res->nnolayout++;
	}
}

static const char no_layout_why[] = "a VMCS of a revision without a layout";

/*
 * One page: kept as a vCPU state (1), not one (0, *whyp says why when
 * whyp is given), or -1 when a found vCPU could not be kept.
 */
static int scan_page(const struct vg_scan_cfg *cfg, struct vg_scan_result *res,
		     const uint8_t *page, uint64_t paddr, const char **whyp)
{
	uint64_t max = cfg->hm->max_paddr, root;
	struct vg_vcpu v;
	const char *why;
	uint32_t rev;
	int i;

	memcpy(&rev, page, 4);
	for (i = 0; i < cfg->nlayouts; i++)
		if (cfg->layouts[i].vi->revision_id == rev)
			break;
	if (i < cfg->nlayouts) {
		why = vg_vmx_check(page, cfg->layouts[i].vi, max, &v, &root);
		if (!why) {
			v.state_paddr = paddr;
			return add_found(res, &v, root,
					 cfg->layouts[i].source) < 0 ?
				       -1 :
				       1;
		}
		if (whyp)
			*whyp = why;
		if (!strncmp(why, "all zero", 8))
			res->vmxon_like++;
		else
			res->rejected_vmcs++;
		if (cfg->verbose)
			fprintf(cfg->verbose,
				"rejected VMCS candidate at 0x%llx (revision 0x%x): %s\n",
				(unsigned long long)paddr, rev, why);
		return 0;
	}
	if (vg_svm_prefilter(page)) {
		why = vg_svm_check(page, max, &v, &root);
		if (!why) {
			v.state_paddr = paddr;
			return add_found(res, &v, root, NULL) < 0 ? -1 : 1;
		}
		if (whyp)
			*whyp = why;
		res->rejected_vmcb++;
		if (cfg->verbose)
			fprintf(cfg->verbose,
				"rejected VMCB candidate at 0x%llx: %s\n",
				(unsigned long long)paddr, why);
		return 0;
	}
	if (whyp)
		*whyp = "neither a VMCB nor a VMCS of a known revision";
	if (vg_vmx_looks_like_vmcs(page)) {
		note_nolayout(res, rev);
		if (whyp)
			*whyp = no_layout_why;
	}
	return 0;
}

/*
 * Read host RAM [start, end) in chunks and look at every page.  0, or
 * -ENOMEM when a found vCPU could not be kept.
 */
static int scan_range(const struct vg_scan_cfg *cfg, struct vg_scan_result *res,
		      uint8_t *buf, uint64_t start, uint64_t end)
{
	for (uint64_t p = start; p + PAGE_SZ <= end;) {
		uint64_t len = end - p;
		int r;

		if (cfg->stop && cfg->stop(cfg->stop_ctx)) {
			res->stopped = 1;
			return 0;
		}
		if (len > CHUNK)
			len = CHUNK;
		len &= ~(uint64_t)(PAGE_SZ - 1);
		r = vg_hostmem_read(cfg->hm, p, buf, len);
		for (uint64_t o = 0; o < len; o += PAGE_SZ) {
			int pr = r;

			/*
			 * A failed chunk is retried page by page: one absent
			 * or bad page costs that page.  The dump handle keeps
			 * bad pages and bounds a dead device (src/hostdump.h).
			 */
			if (r != VG_HM_OK)
				pr = vg_hostmem_read(cfg->hm, p + o, buf + o,
						     PAGE_SZ);
			if (pr == VG_HM_ABSENT) {
				res->pages_absent++;
				continue;
			}
			if (pr != VG_HM_OK) {
				res->pages_unreadable++;
				continue;
			}
			res->pages_scanned++;
			if (scan_page(cfg, res, buf + o, p + o, NULL) < 0)
				return -ENOMEM;
		}
		p += len;
	}
	return 0;
}

int vg_scan(const struct vg_scan_cfg *cfg, struct vg_scan_result *res,
	    struct vg_error *err)
{
	uint64_t from = 0, start, end;
	uint8_t *buf;
	int r;

	memset(res, 0, sizeof(*res));
	buf = aligned_alloc(PAGE_SZ,
			    CHUNK); /* page aligned: copies at full speed */
	if (!buf)
		return vg_error_set(err, -ENOMEM, "out of memory");
	for (;;) {
		if (cfg->next_range) {
			r = cfg->next_range(cfg->range_ctx, from, &start, &end);
			if (r < 0) {
				free(buf);
				return vg_error_set(
					err, -EIO,
					"cannot list the dump's memory ranges");
			}
			if (r == 0)
				break;
		} else {
			if (from >= cfg->hm->max_paddr)
				break;
			start = from;
			end = cfg->hm->max_paddr;
		}
		start &= ~(uint64_t)(PAGE_SZ - 1);
		if (end > cfg->hm->max_paddr)
			end = cfg->hm->max_paddr;
		if (end <= start || end <= from)
			break;
		if (scan_range(cfg, res, buf, start, end) < 0) {
			free(buf);
			return vg_error_set(err, -ENOMEM, "out of memory");
		}
		if (res->stopped)
			break;
		from = end;
	}
	free(buf);
	if (!res->pages_scanned && !res->stopped)
		return vg_error_set(
			err, -EIO,
			"no readable host memory in the dump (%llu pages absent, %llu unreadable)",
			(unsigned long long)res->pages_absent,
			(unsigned long long)res->pages_unreadable);
	return 0;
}

int vg_scan_page_at(const struct vg_scan_cfg *cfg, struct vg_scan_result *res,
		    uint64_t paddr, const char **why)
{
	uint8_t page[PAGE_SZ] __attribute__((aligned(8)));
	int r;

	*why = NULL;
	for (size_t i = 0; i < res->nfound; i++)
		if (res->found[i].vcpu.state_paddr == paddr)
			return VG_SCAN_KEPT; /* two pointers to one page */
	if (paddr % PAGE_SZ || paddr >= cfg->hm->max_paddr) {
		*why = "not a page of the dump";
		res->pages_absent++;
		return VG_SCAN_BAD;
	}
	r = vg_hostmem_read(cfg->hm, paddr, page, PAGE_SZ);
	if (r != VG_HM_OK) {
		*why = r == VG_HM_ABSENT ? "not in the dump" : "unreadable";
		if (r == VG_HM_ABSENT)
			res->pages_absent++;
		else
			res->pages_unreadable++;
		return VG_SCAN_BAD;
	}
	res->pages_scanned++;
	r = scan_page(cfg, res, page, paddr, why);
	if (r < 0)
		return -ENOMEM;
	if (r > 0)
		return res->too_many ? VG_SCAN_BAD : VG_SCAN_KEPT;
	if (*why == no_layout_why)
		return VG_SCAN_NO_LAYOUT;
	return VG_SCAN_BAD;
}

void vg_scan_result_free(struct vg_scan_result *res)
{
	free(res->found);
	res->found = NULL;
	res->nfound = res->cap = 0;
}

static uint64_t root_key(const struct vg_found *f)
{
	return f->root & 0x000ffffffffff000ull;
}

static int cmp_found(const void *a, const void *b)
{
	const struct vg_found *x = a, *y = b;

	if (x->vcpu.vendor != y->vcpu.vendor)
		return x->vcpu.vendor < y->vcpu.vendor ? -1 : 1;
	if (root_key(x) != root_key(y))
		return root_key(x) < root_key(y) ? -1 : 1;
	if (x->vcpu.state_paddr != y->vcpu.state_paddr)
		return x->vcpu.state_paddr < y->vcpu.state_paddr ? -1 : 1;
	return 0;
}

long vg_group(struct vg_scan_result *res, struct vg_guest **out)
{
	struct vg_guest *g;
	long n = 0;

	*out = NULL;
	if (!res->nfound)
		return 0;
	qsort(res->found, res->nfound, sizeof(res->found[0]), cmp_found);
	g = calloc(res->nfound, sizeof(*g));
	if (!g)
		return -1;
	for (size_t i = 0; i < res->nfound; i++) {
		struct vg_found *f = &res->found[i];

		if (n == 0 || g[n - 1].vendor != f->vcpu.vendor ||
		    root_key(&res->found[g[n - 1].first]) != root_key(f)) {
			g[n].vendor = f->vcpu.vendor;
			g[n].root = f->root;
			g[n].first = i;
			snprintf(g[n].name, sizeof(g[n].name), "%s-%llx",
				 f->vcpu.vendor == VG_VENDOR_SVM ? "svm" :
								   "vmx",
				 (unsigned long long)f->root);
			n++;
		}
		f->vcpu.index = (int)g[n - 1].n;
		g[n - 1].n++;
	}
	*out = g;
	return n;
}
