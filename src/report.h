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
	/*
	 * memory.source when not the default ("memslots" / "ept" / "npt"):
	 * for L2 guests "l1-ept", "l1-npt" (L1's own tables, then L1's
	 * memslots), "l1-memslots" (L1 runs L2 without EPT/NPT), or
	 * "shadow-ept", "shadow-npt" (KVM's shadow tables only).
	 */
	const char *mem_source;
	uint64_t l1_root; /* l1-ept/l1-npt: the L1-physical EPTP / nCR3 */
	const char *l1_root_from; /* "vmcs12" (cached_vmcs12), "vmcb12" */
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
	const char *read_method; /* vg_hostdump_read_method() */
	/* Seconds on the budget's clock: layouts and KVM walk, finding the
	 * vCPU states (walk or scan), writing the guests. */
	double secs_open; /* opening the dump, before the budget clock */
	double secs_kvm, secs_states, secs_guests;
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

/*
 * The guest's protection: the stronger of what its vCPUs' VMCBs say and
 * what the KVM walk's kvm->arch.vm_type says (VG_PROT_NONE: none).
 */
enum vg_protection vg_report_protection(const struct vg_report_guest *rg);

/*
 * report.json guests[].protection_note into out: what the kind cannot
 * tell (SEV-ES vs SNP without vm_type), or where vm_type and the VMCB
 * disagree; "" when there is nothing to say.
 */
void vg_report_protection_note(const struct vg_report_guest *rg, char *out,
			       size_t outsz);

/* report.json; returns 0 or -1 (errno from the stream). */
int vg_report_json(FILE *f, const struct vg_report *r);

/* The human summary. */
void vg_report_summary(FILE *f, const struct vg_report *r);

/* JSON string literal with everything outside printable ASCII escaped. */
void vg_json_string(FILE *f, const char *s);

#endif
