/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One run of vmcore-guests, from an opened host dump to report.json: the
 * run context owns the dump handle (opened once: memory, notes and
 * VMCOREINFO all come through it), the load-time notes carrier, the VMCS
 * layouts, the scan, the KVM walk, the guests, the budget and the report.
 * src/main.c only parses the command line into struct vg_run_opts.
 */
#ifndef VG_RUN_H
#define VG_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "notes/vgerr.h"
#include "notes/vmcsinfo.h"
#include "src/budget.h"
#include "src/guestcore.h"
#include "src/hostdump.h"
#include "src/hostkv.h"
#include "src/kvmwalk.h"
#include "src/loadtime.h"
#include "src/report.h"
#include "src/scan.h"

#define VG_VERSION "0.1"

/* Exit status of a run. */
#define VG_EXIT_ALL 0 /* every guest written, or none found */
#define VG_EXIT_SOME 1 /* some guests partial or skipped, or a warning */
#define VG_EXIT_NOINPUT 2 /* no usable input */

struct vg_run_opts {
	const char *dump, *outdir;
	const char *vmcsinfo_path; /* --vmcsinfo FILE|DIR */
	const char *notes_path; /* --notes FILE: the kexec -s carrier */
	const char *report_path; /* --report FILE */
	const char *only; /* --only NAME[,NAME...] */
	int no_kvm, verbose, progress;
	int scan; /* --scan: the full host scan also when the walk ran */
	int check_note; /* --check-note: the dump's description vs the note */
	double stall; /* seconds */
	double time_budget; /* seconds, < 0: none */
	uint64_t reserve; /* bytes */
	int compress; /* --compress: VG_GC_* (src/guestcore.h) */
	int dump_level; /* --dump-level */
};

struct vg_run {
	struct vg_run_opts o;
	struct timespec t0; /* the start of vg_run() */
	struct vg_hostdump *hd;
	struct vg_hostmem *hm;
	int dirfd;
	/* Where the load-time notes are: the dump, else the carrier. */
	struct vg_loadtime lt;
	/* The host's VMCOREINFO, through the dump handle. */
	const char *vmcoreinfo;
	size_t vmcoreinfo_len;
	/* Host paging mode (NUMBER(pgtable_l5_enabled)): nCR3 depth too. */
	int la57;
	struct vmcsinfo arg_vi, note_vi, mod_vi;
	int have_note;
	int have_module; /* mod_vi: vmcsinfo-intel's copy in its memory */
	struct vg_scan_cfg cfg;
	struct vg_scan_result res;
	struct vg_guest *guests;
	size_t nguests;
	struct vg_hostkv kv;
	struct vg_kw_result kw;
	int walked;
	struct vg_budget bud;
	/* run->hm under the time budget, for the KVM walk (src/budget.h). */
	struct vg_budget_mem kvm_mem;
	/* guest memory reads (tables and pages): refused past the budget */
	struct vg_budget_mem guest_mem;
	struct vg_guestcore_opts gopts;
	struct vg_report rep;
	int exit_code;
};

/*
 * Run: open everything, scan, walk, write the guests and the report.
 * Returns the exit status; fatal problems are printed as one line.
 */
int vg_run(const struct vg_run_opts *opts);

#endif
