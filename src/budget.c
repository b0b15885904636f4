// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Time budget, free-space reserve, progress lines and the --only list
 * (src/budget.h).
 */
#include "src/budget.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#define MiB (1024.0 * 1024.0)
#define PAGE 4096.0

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fs_avail(int dirfd, uint64_t *bytes)
{
	struct statvfs sv;

	if (fstatvfs(dirfd, &sv) < 0)
		return -1;
	*bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
	return 0;
}

void vg_budget_init(struct vg_budget *b, double time_budget, uint64_t reserve,
		    int dirfd, FILE *progress)
{
	memset(b, 0, sizeof(*b));
	b->time_budget = time_budget;
	b->reserve = reserve;
	b->dirfd = dirfd;
	b->progress = progress;
	b->progress_every = 2.0;
	b->now = mono_now;
	b->avail = fs_avail;
	b->start = b->now();
}

double vg_budget_elapsed(const struct vg_budget *b)
{
	return b->now() - b->start;
}

/* A limit is hit: 1 with b->reason set, else 0.  extra: bytes about to
 * be written beyond what is on disk already. */
static int limit_hit(struct vg_budget *b, uint64_t extra)
{
	uint64_t avail;

	if (b->time_budget >= 0 && vg_budget_elapsed(b) >= b->time_budget) {
		snprintf(b->reason, sizeof(b->reason),
			 "time budget of %g s used up", b->time_budget);
		return 1;
	}
	if (b->reserve) {
		if (b->avail(b->dirfd, &avail) < 0) {
			snprintf(
				b->reason, sizeof(b->reason),
				"cannot check the free space for the reserve: %s",
				strerror(errno));
			return 1;
		}
		if (avail < b->reserve || avail - b->reserve < extra) {
			snprintf(
				b->reason, sizeof(b->reason),
				"free space on the target (%.0f MiB) at the reserve of %.0f MiB",
				(double)avail / MiB, (double)b->reserve / MiB);
			return 1;
		}
	}
	return 0;
}

int vg_budget_expired(void *ctx)
{
	struct vg_budget *b = ctx;

	if (b->stopped)
		return 1;
	if (b->time_budget < 0 || vg_budget_elapsed(b) < b->time_budget)
		return 0;
	snprintf(b->reason, sizeof(b->reason), "time budget of %g s used up",
		 b->time_budget);
	b->stopped = 1;
	return 1;
}

static int budget_mem_read(struct vg_hostmem *hm, uint64_t paddr, void *buf,
			   size_t len)
{
	struct vg_budget_mem *m = hm->priv;

	if (m->b && vg_budget_expired(m->b)) {
		m->refused++;
		return VG_HM_ERROR;
	}
	return m->under->read(m->under, paddr, buf, len);
}

/* As a read: nothing once the budget is up (the read after is refused). */
static int budget_mem_map(struct vg_hostmem *hm, uint64_t paddr, size_t len,
			  const void **p)
{
	struct vg_budget_mem *m = hm->priv;

	if (m->b && vg_budget_expired(m->b))
		return -1;
	return vg_hostmem_map(m->under, paddr, len, p);
}

void vg_budget_mem_init(struct vg_budget_mem *m, struct vg_hostmem *under,
			struct vg_budget *b)
{
	memset(m, 0, sizeof(*m));
	m->hm.read = budget_mem_read;
	m->hm.map = budget_mem_map;
	m->hm.max_paddr = under->max_paddr;
	m->hm.priv = m;
	m->under = under;
	m->b = b;
}

int vg_budget_before_guest(struct vg_budget *b, const char *name)
{
	b->guest = name;
	if (!b->stopped && limit_hit(b, VG_BUDGET_MARGIN))
		b->stopped = 1;
	if (b->stopped)
		return 1;
	b->guest_start = b->last_line = b->now();
	b->last_pages = b->last_total = 0;
	b->calls = 0;
	return 0;
}

static void progress_line(struct vg_budget *b, uint64_t done, uint64_t total,
			  const char *tail)
{
	double t = b->now() - b->guest_start;
	double mib = (double)done * PAGE / MiB;
	double pct = total ? 100.0 * (double)done / (double)total : 100.0;
	double unit = MiB, size = (double)total * PAGE;
	int prec = 0;

	if (!b->progress)
		return;
	if (pct > 100.0)
		pct = 100.0;
	/* Tiny guests (the test's) in KiB, small ones with decimals. */
	if (size < MiB)
		unit = 1024.0;
	else if (size < 10 * MiB)
		prec = 2;
	fprintf(b->progress,
		"vmcore-guests: %s: %3d%% %.*f/%.*f %s %.1f MiB/s%s%s\n",
		b->guest ? b->guest : "guest", (int)pct, prec,
		(double)done * PAGE / unit, prec, size / unit,
		unit == MiB ? "MiB" : "KiB", t > 0 ? mib / t : 0.0,
		tail ? ", " : "", tail ? tail : "");
	fflush(b->progress);
}

int vg_budget_progress(void *ctx, uint64_t pages_done, uint64_t pages_total,
		       char *why, size_t whysz)
{
	struct vg_budget *b = ctx;
	double t = b->now();

	b->last_pages = pages_done;
	b->last_total = pages_total;
	b->calls++;
	if (limit_hit(b, VG_BUDGET_MARGIN)) {
		b->stopped = 1;
		snprintf(why, whysz, "stopped: %s", b->reason);
		return 1;
	}
	if (pages_done && t - b->last_line >= b->progress_every) {
		b->last_line = t;
		progress_line(b, pages_done, pages_total, NULL);
	}
	return 0;
}

void vg_budget_after_guest(struct vg_budget *b)
{
	char tail[200];

	if (!b->calls)
		return;
	if (b->stopped) {
		snprintf(tail, sizeof(tail), "stopped: %s", b->reason);
		progress_line(b, b->last_pages, b->last_total, tail);
	} else {
		progress_line(b, b->last_pages, b->last_total, "done");
	}
}

int vg_budget_parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0)
		return -1;
	*out = v;
	return 0;
}

int vg_budget_parse_mib(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > (UINT64_MAX >> 20))
		return -1;
	*bytes = (uint64_t)v << 20;
	return 0;
}

int vg_name_listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	if (!n)
		return 0;
	for (const char *p = list; p && *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);

		if (len == n && !strncmp(p, name, n))
			return 1;
		p = c ? c + 1 : NULL;
	}
	return 0;
}
