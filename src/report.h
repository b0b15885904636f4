/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What vmcore-guests found and wrote: report.json (schema in
 * docs/report-json.md) and the human summary on stdout.
 */
#ifndef VG_REPORT_H
#define VG_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "src/guestcore.h"
#include "src/kvmwalk.h"
#include "src/scan.h"

struct vg_report_guest {
	const struct vg_guest *g;
	const struct vg_found *vcpus; /* g->n entries */
	int selected; /* not filtered out by --only */
	int written; /* a file exists (complete or partial) */
	int skipped; /* not started: a limit was hit (src/budget.h) */
	int partial;
	char file[128];
	char error[400];
	char mem_note[200]; /* why guest memory came from another source */
	int have_core; /* core is meaningful */
	struct vg_guestcore_result core;
};

#define VG_REPORT_MAX_ERRORS 8

/* --time-budget / --reserve and what became of them (src/budget.h). */
struct vg_report_limits {
	double time_budget; /* seconds; < 0: none */
	uint64_t reserve_mib; /* 0: none */
	double elapsed; /* seconds the run took */
	int stopped; /* a limit stopped or skipped a guest */
	const char *reason; /* why, when stopped */
};

/* How the guests were found, and what it cost (report.json capture.*). */
struct vg_report_capture {
	const char *mode; /* "walk", "scan", "walk+scan" (--scan) */
	char why[400]; /* why the scan ran; "" in walk mode */
	uint64_t bytes_read; /* from the host dump (vg_hostdump_bytes_read) */
};

struct vg_report {
	const char *version;
	const char *host_dump;
	const char *format;
	const struct vg_scan_result *scan;
	const struct vg_scan_layout *layouts;
	int nlayouts;
	/* The KVM walk: kw NULL when it did not run, kvm_status says why. */
	const struct vg_kw_result *kw;
	char kvm_status[512];
	struct vg_kvm_choice kvm; /* which description, note vs dump */
	double stall_seconds; /* flag vCPU threads idle longer than this */
	struct vg_report_guest *guests;
	size_t nguests;
	char errors[VG_REPORT_MAX_ERRORS][256];
	unsigned int nerrors;
	int exit_code;
	struct vg_report_limits limits;
	struct vg_report_capture capture;
};

void vg_report_error(struct vg_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The strongest protection of the guest's vCPUs (VG_PROT_NONE: none). */
enum vg_protection vg_report_protection(const struct vg_report_guest *rg);

/* report.json; returns 0 or -1 (errno from the stream). */
int vg_report_json(FILE *f, const struct vg_report *r);

/* The human summary. */
void vg_report_summary(FILE *f, const struct vg_report *r);

/* JSON string literal with everything outside printable ASCII escaped. */
void vg_json_string(FILE *f, const char *s);

#endif
