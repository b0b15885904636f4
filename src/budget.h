/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Limits of a run in the capture kernel (docs/vmcore-guests.md,
 * "Budgets"): the host dump is already saved, the guests come second and
 * must neither delay the final action past a time budget nor fill the
 * dump target past a free-space reserve.  Also the per-guest progress
 * lines on the console (percent, MiB/s) and the --only name list.
 *
 * Wiring: vg_budget_before_guest() before each guest (skip it when it
 * returns nonzero), vg_budget_progress() as the guest core writer's
 * progress callback (src/guestcore.h), vg_budget_after_guest() after it.
 */
#ifndef VG_BUDGET_H
#define VG_BUDGET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "src/hostmem.h"

struct vg_budget {
	/* Configuration (vg_budget_init). */
	double time_budget; /* seconds from start; < 0: none */
	uint64_t reserve; /* bytes to leave free on the output fs; 0: none */
	int dirfd; /* the output directory, for fstatvfs */
	FILE *progress; /* progress lines go here; NULL: quiet */
	double progress_every; /* seconds between progress lines */

	/* Replaceable for the tests. */
	double (*now)(void); /* monotonic seconds */
	/* Bytes available to us on the fs of dirfd; 0 or -1 (errno). */
	int (*avail)(int dirfd, uint64_t *bytes);

	/* State. */
	double start; /* now() at init */
	const char *guest; /* the guest being written */
	double guest_start, last_line;
	uint64_t last_pages, last_total; /* from the last progress call */
	int calls; /* progress calls for this guest */
	int stopped; /* a limit was hit: the remaining guests are skipped */
	char reason[160]; /* why, when stopped or skipped */
};

/* Margin kept above the reserve: one write batch of the core writer. */
#define VG_BUDGET_MARGIN (256u * 1024)

void vg_budget_init(struct vg_budget *b, double time_budget, uint64_t reserve,
		    int dirfd, FILE *progress);

/*
 * Before writing guest name: 0 to go ahead, 1 to skip it (b->reason says
 * why: time budget used up, free space at or below the reserve, or an
 * earlier guest already stopped on a limit).
 */
int vg_budget_before_guest(struct vg_budget *b, const char *name);

/* The guest core writer's progress callback (ctx = struct vg_budget *). */
int vg_budget_progress(void *ctx, uint64_t pages_done, uint64_t pages_total,
		       char *why, size_t whysz);

/* After the guest: its last progress line (done, or where it stopped);
 * none when the copy never started. */
void vg_budget_after_guest(struct vg_budget *b);

/* Seconds since vg_budget_init. */
double vg_budget_elapsed(const struct vg_budget *b);

/*
 * The time budget alone (no free-space query), for the steps before the
 * copying: the scan and the KVM walk poll it (vg_scan_cfg.stop,
 * vg_hostkv.stop) so that a hostile dump cannot hold the capture kernel
 * past the budget there either.  ctx is the struct vg_budget.  Returns 1
 * once the budget is used up, with b->reason set and b->stopped, so that
 * every guest is skipped; else 0.
 */
int vg_budget_expired(void *ctx);

/*
 * Host memory that refuses every read (VG_HM_ERROR) once the time budget
 * is used up: what the KVM walk and the dump's own description read
 * through, so that they end quickly then.  b NULL: reads pass through.
 */
struct vg_budget_mem {
	struct vg_hostmem hm; /* read through this */
	struct vg_hostmem *under;
	struct vg_budget *b;
	uint64_t refused; /* reads refused */
};

void vg_budget_mem_init(struct vg_budget_mem *m, struct vg_hostmem *under,
			struct vg_budget *b);

/*
 * Parse a --time-budget value (seconds, non-negative, fractions allowed)
 * or a --reserve value (MiB, non-negative integer).  0 or -1.
 */
int vg_budget_parse_seconds(const char *s, double *out);
int vg_budget_parse_mib(const char *s, uint64_t *bytes);

/*
 * Is name in list, a comma-separated list of guest names (the --only
 * value)?  Empty items never match.
 */
int vg_name_listed(const char *list, const char *name);

#endif
