// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One run of vmcore-guests (src/run.h): open, layouts, scan, KVM walk,
 * guests, report, each a step of its own on the one run context.
 */
#include "src/run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "notes/keyval.h"
#include "notes/vmcsinfo-parse.h"
#include "src/gpmap.h"
#include "src/kvmdesc.h"
#include "src/kvmguests.h"
#include "src/nestmem.h"
#include "src/outfile.h"
#include "src/slotmem.h"
#include "src/svm.h"
#include "src/vmx.h"

static const char *const prog = "vmcore-guests";

/* One line on stderr. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Read a whole small text file (descriptor text); 0 or <0 with err. */
static int read_small(const char *path, size_t max, char **out, size_t *len,
		      struct vg_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;
	size_t n = 0;
	char *buf;

	if (fd < 0) {
		e = errno;
		return vg_error_set(err, -e, "cannot open %s: %s", path,
				    strerror(e));
	}
	buf = malloc(max + 1);
	if (!buf) {
		close(fd);
		return vg_error_set(err, -ENOMEM, "out of memory");
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, max + 1 - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || n + (size_t)(r > 0 ? r : 0) > max) {
			e = r < 0 ? errno : EFBIG;
			close(fd);
			free(buf);
			return r < 0 ? vg_error_set(err, -e,
						    "cannot read %s: %s", path,
						    strerror(e)) :
				       vg_error_set(err, -e,
						    "%s: larger than %zu bytes",
						    path, max);
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* --vmcsinfo FILE|DIR into vi; 0 or <0 with err. */
static int load_vmcsinfo_arg(const char *path, struct vmcsinfo *vi,
			     struct vg_error *err)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int r;

	if (stat(path, &st) < 0)
		return vg_error_set(err, -errno, "--vmcsinfo %s: %s", path,
				    strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		r = vmcsinfo_from_sysfs(path, vi, err);
		if (r == -ENOENT)
			return vg_error_set(err, r,
					    "--vmcsinfo %s: no vmcs_id / vmcs/ "
					    "tree there",
					    path);
	} else {
		r = read_small(path, VMCSINFO_TEXT_MAX, &text, &len, err);
		if (r < 0) {
			vg_error_wrap(err, "--vmcsinfo");
			return r;
		}
		r = vmcsinfo_parse(text, len, vi, err);
		free(text);
	}
	if (r == 0)
		r = vg_vmx_layout_usable(vi, err);
	if (r < 0)
		vg_error_wrap(err, "--vmcsinfo %s", path);
	return r < 0 ? r : 0;
}

/* Create OUTDIR (0700) when missing; open it without following links. */
static int open_outdir(const char *path, struct vg_error *err)
{
	struct stat st;
	int fd;

	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return vg_error_set(err, -errno,
				    "cannot create output directory %s: %s",
				    path, strerror(errno));
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return vg_error_set(err, -ELOOP,
				    "output directory %s is a symbolic link, "
				    "refusing",
				    path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return vg_error_set(err, -errno, "output directory %s: %s",
				    path, strerror(errno));
	if (faccessat(fd, ".", W_OK | X_OK, AT_EACCESS) < 0) {
		vg_error_set(err, -errno,
			     "output directory %s is not writable: %s", path,
			     strerror(errno));
		close(fd);
		return err ? err->code : -EACCES;
	}
	return fd;
}

/* The host's VMCOREINFO and what the run needs of it up front. */
static void host_facts(struct vg_run *run)
{
	char v[16];

	if (vg_hostdump_vmcoreinfo(run->hd, &run->vmcoreinfo,
				   &run->vmcoreinfo_len, NULL) != 0) {
		run->vmcoreinfo = NULL;
		run->vmcoreinfo_len = 0;
		return;
	}
	if (keyval_get(run->vmcoreinfo, run->vmcoreinfo_len,
		       "NUMBER(pgtable_l5_enabled)", v, sizeof(v)) == 0)
		run->la57 = strcmp(v, "0") != 0;
}

/* Step 1: the dump, the output directory, the carrier.  0 or <0. */
static int run_open(struct vg_run *run, struct vg_error *err)
{
	int r;

	if (run->o.vmcsinfo_path &&
	    load_vmcsinfo_arg(run->o.vmcsinfo_path, &run->arg_vi, err))
		return -1;
	run->hd = vg_hostdump_open(run->o.dump, err);
	if (!run->hd)
		return -1;
	run->hm = vg_hostdump_mem(run->hd);
	if (*vg_hostdump_damage(run->hd)) {
		/* guests before the cut are whole, the others partial */
		vg_report_error(&run->rep, "%s", vg_hostdump_damage(run->hd));
		run->exit_code = VG_EXIT_SOME;
	}
	run->dirfd = open_outdir(run->o.outdir, err);
	if (run->dirfd < 0)
		return -1;
	run->rep.format = vg_hostdump_format(run->hd);
	/* The clock of --time-budget starts here, before the scan. */
	{
		struct timespec t1;

		clock_gettime(CLOCK_MONOTONIC, &t1);
		run->rep.capture.secs_open =
			(double)(t1.tv_sec - run->t0.tv_sec) +
			(double)(t1.tv_nsec - run->t0.tv_nsec) / 1e9;
	}
	vg_budget_init(&run->bud, run->o.time_budget, run->o.reserve,
		       run->dirfd, run->o.progress ? stderr : NULL);
	run->gopts.progress = vg_budget_progress;
	run->gopts.progress_ctx = &run->bud;
	run->gopts.compress = run->o.compress;
	run->gopts.dump_level = run->o.dump_level;
	vg_budget_mem_init(&run->kvm_mem, run->hm, &run->bud);
	vg_budget_mem_init(&run->guest_mem, run->hm, &run->bud);
	r = vg_loadtime_init(&run->lt, run->hd, run->o.dump, run->o.notes_path,
			     err);
	if (r < 0)
		return r;
	host_facts(run);
	return 0;
}

static void add_layout(struct vg_scan_cfg *cfg, const struct vmcsinfo *vi,
		       const char *source)
{
	for (int i = 0; i < cfg->nlayouts; i++)
		if (cfg->layouts[i].vi->revision_id == vi->revision_id)
			return; /* an earlier source wins */
	if (cfg->nlayouts >= VG_SCAN_MAX_LAYOUTS)
		return;
	cfg->layouts[cfg->nlayouts].vi = vi;
	cfg->layouts[cfg->nlayouts].source = source;
	cfg->nlayouts++;
}

/* The VMCSINFO note (dump or carrier); its problems go into the report. */
static void note_layout(struct vg_run *run)
{
	struct vg_error err = { 0 };
	const char *from = NULL;
	const void *desc;
	size_t len;
	int r;

	r = vg_loadtime_find(&run->lt, VMCSINFO_NOTE_NAME, VMCSINFO_NOTE_TYPE,
			     &desc, &len, &from, &err);
	if (r < 0) {
		vg_report_error(&run->rep, "VMCSINFO note: %.200s", err.msg);
		return;
	}
	if (r > 0)
		return;
	if (vmcsinfo_parse(desc, len, &run->note_vi, &err) == 0 &&
	    vg_vmx_layout_usable(&run->note_vi, &err) == 0) {
		run->have_note = 1;
		return;
	}
	vg_report_error(&run->rep, "VMCSINFO note in %s unusable: %.150s", from,
			err.msg);
}

/*
 * The layout vmcsinfo-intel keeps in its own memory, found through the
 * dump's kallsyms, BTF and module list (vg_kvmdesc_vmcsinfo()).  Only
 * asked for without a VMCSINFO note; "not there" (an AMD host, an older
 * module, a dump without kallsyms) is silent, a damaged one reported.
 */
static int module_layout(struct vg_run *run)
{
	static char text[VMCSINFO_TEXT_MAX];
	struct vg_error err = { 0 };
	struct vg_hostkv kv;
	int n;

	if (run->have_note || !run->vmcoreinfo ||
	    vg_hostkv_init(&kv, &run->kvm_mem.hm, run->vmcoreinfo,
			   run->vmcoreinfo_len, NULL) < 0)
		return 0;
	n = vg_kvmdesc_vmcsinfo(&kv, run->vmcoreinfo, run->vmcoreinfo_len, text,
				sizeof(text), &err);
	if (n == -ENOENT)
		return 0;
	if (n >= 0 &&
	    vmcsinfo_parse(text, (size_t)n, &run->mod_vi, &err) == 0 &&
	    vg_vmx_layout_usable(&run->mod_vi, &err) == 0)
		return 1;
	vg_report_error(&run->rep, "VMCSINFO in %s's memory unusable: %.150s",
			VG_VMCSINFO_MODULE, err.msg);
	return 0;
}

/* Step 2: the layouts, in order of trust. */
static void run_layouts(struct vg_run *run)
{
	struct vg_scan_cfg *cfg = &run->cfg;

	note_layout(run);
	if (run->have_note)
		add_layout(cfg, &run->note_vi, "VMCSINFO note");
	if (run->o.vmcsinfo_path)
		add_layout(cfg, &run->arg_vi, "--vmcsinfo");
	run->have_module = module_layout(run);
	if (run->have_module)
		add_layout(cfg, &run->mod_vi, "module memory");
	add_layout(cfg, vg_vmcs12_layout(), "built-in vmcs12");
	cfg->hm = run->hm;
	cfg->next_range = vg_hostdump_next_range;
	cfg->range_ctx = run->hd;
	cfg->verbose = run->o.verbose ? stderr : NULL;
	cfg->stop = vg_budget_expired;
	cfg->stop_ctx = &run->bud;
	run->rep.layouts = cfg->layouts;
	run->rep.nlayouts = cfg->nlayouts;
}

/*
 * Step 3: walk KVM's own structures, as the KVMINFO note (dump, else
 * carrier) or the dump's own description says (vg_kvm_from_notes()).
 */
static void run_walk(struct vg_run *run)
{
	struct vg_report *rep = &run->rep;
	struct vg_error err = { 0 };
	const char *from;
	const void *ki;
	size_t klen;
	int r;

	if (run->o.no_kvm) {
		snprintf(rep->kvm_status, sizeof(rep->kvm_status),
			 "--no-kvm: scan only");
		return;
	}
	if (vg_budget_expired(&run->bud)) {
		snprintf(rep->kvm_status, sizeof(rep->kvm_status),
			 "not walked: %s", run->bud.reason);
		run->exit_code = VG_EXIT_SOME;
		return;
	}
	r = vg_loadtime_find(&run->lt, VG_KVMINFO_NOTE_NAME,
			     VG_KVMINFO_NOTE_TYPE, &ki, &klen, &from, &err);
	/* the note's, else (or with --check-note) the dump's own one */
	run->walked = vg_kvm_from_notes(
		r == 0 ? ki : NULL, r == 0 ? klen : 0,
		from == run->lt.dump_path ? "note" : "carrier",
		r == 0 ? NULL : vg_error_msg(&err), run->vmcoreinfo,
		run->vmcoreinfo_len, run->o.check_note, &run->kvm_mem.hm,
		&run->kv, &run->kw, &rep->kvm, rep->kvm_status,
		sizeof(rep->kvm_status));
	if (run->kvm_mem.refused) {
		/* What the walk says of the reads it was refused is noise. */
		snprintf(rep->kvm_status, sizeof(rep->kvm_status),
			 "KVM walk stopped: %s", run->bud.reason);
		say("KVM walk stopped: %s", run->bud.reason);
		run->exit_code = VG_EXIT_SOME;
	}
	if (run->walked)
		rep->kw = &run->kw;
}

/*
 * Step 4: the vCPU states.  Walk first: the state pages the walk points
 * to, each checked as the scan checks a page; the pass over all of host
 * RAM only when the walk is unavailable or cannot stand alone, or with
 * --scan (the cross-check).  0 or <0.
 */
static int run_find(struct vg_run *run, struct vg_error *err)
{
	struct vg_report_capture *cap = &run->rep.capture;
	char why[sizeof(cap->why) - 40];
	int r;

	run->rep.scan = &run->res;
	if (run->walked && !run->o.scan && run->kvm_mem.refused) {
		snprintf(cap->why, sizeof(cap->why),
			 "the walk cannot stand alone: %s", run->bud.reason);
	} else if (run->walked && !run->o.scan) {
		r = vg_kvm_states(&run->kw, &run->cfg, &run->res, why,
				  sizeof(why));
		if (r < 0)
			return vg_error_set(err, r, "out of memory");
		if (r == 0) {
			cap->mode = "walk";
			return 0;
		}
		vg_scan_result_free(&run->res);
		snprintf(cap->why, sizeof(cap->why),
			 "the walk cannot stand alone: %s", why);
		if (run->o.verbose)
			say("%s: scanning all of host RAM", cap->why);
	} else if (run->walked) {
		snprintf(cap->why, sizeof(cap->why), "--scan: cross-check");
	} else {
		snprintf(cap->why, sizeof(cap->why), "%s",
			 run->o.no_kvm ? "--no-kvm" : "no KVM walk");
	}
	cap->mode = run->walked && run->o.scan ? "walk+scan" : "scan";
	return vg_scan(&run->cfg, &run->res, err) < 0 ? -1 : 0;
}

/*
 * A VMCS can only exist on a VMX host.  On an AMD host pages that merely
 * look like one are noise, so they are not reported.  The host is known to
 * be AMD when an SVM guest was found or, in the capture kernel, from
 * /proc/cpuinfo: the capture kernel runs on the CPUs that crashed.
 */
static int host_is_amd(const char *dump, const struct vg_scan_result *res)
{
	char line[256];
	int amd = 0;
	FILE *f;

	for (size_t i = 0; i < res->nfound; i++)
		if (res->found[i].vcpu.vendor == VG_VENDOR_SVM)
			return 1;
	if (strcmp(dump, "/proc/vmcore") != 0)
		return 0;
	f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "vendor_id", 9) != 0)
			continue;
		amd = strstr(line, "AuthenticAMD") ||
		      strstr(line, "HygonGenuine");
		break;
	}
	fclose(f);
	return amd;
}

/* Step 5: what the scan's (or the walk's) findings mean for the report. */
static void scan_verdict(struct vg_run *run)
{
	struct vg_scan_result *res = &run->res;

	if (res->stopped) {
		vg_report_error(&run->rep,
				"scan stopped after %llu host pages: %s",
				(unsigned long long)res->pages_scanned,
				run->bud.reason);
		say("scan stopped after %llu host pages: %s",
		    (unsigned long long)res->pages_scanned, run->bud.reason);
		run->exit_code = VG_EXIT_SOME;
	}
	if (res->pages_unreadable) {
		vg_report_error(&run->rep,
				"%llu host pages could not be read from the "
				"dump",
				(unsigned long long)res->pages_unreadable);
		run->exit_code = VG_EXIT_SOME;
	}
	if (res->nnolayout && host_is_amd(run->o.dump, res)) {
		if (run->o.verbose)
			say("AMD host: ignoring %u revision id(s) of VMCS-like "
			    "pages",
			    res->nnolayout);
		res->nnolayout = 0;
	}
	/*
	 * The VMCSINFO note, and vmcsinfo-intel's copy in its memory,
	 * describe the host's own CPUs, and every hardware VMCS of one host
	 * carries their revision id (vmcs12 is built in): VMCS-like pages
	 * with another revision id are ordinary pages.  Under Bochs about
	 * twenty of them appeared in every crash test.
	 */
	if (res->nnolayout && (run->have_note || run->have_module)) {
		if (run->o.verbose)
			say("the %s gives the host's VMCS revision 0x%x: "
			    "ignoring %u other revision id(s) of VMCS-like "
			    "pages",
			    run->have_note ? "VMCSINFO note" :
					     "layout in " VG_VMCSINFO_MODULE
					     "'s memory",
			    run->have_note ? run->note_vi.revision_id :
					     run->mod_vi.revision_id,
			    res->nnolayout);
		res->nnolayout = 0;
	}
	for (unsigned int i = 0; i < res->nnolayout; i++) {
		vg_report_error(&run->rep,
				"%u VMCS regions with revision 0x%x, no "
				"layout: load vmcsinfo-intel before kdump or "
				"pass --vmcsinfo",
				res->nolayout[i].count,
				res->nolayout[i].revision);
		run->exit_code = VG_EXIT_SOME;
	}
	if (res->too_many) {
		vg_report_error(&run->rep,
				"more than %d vCPU states found: the rest "
				"were skipped",
				VG_SCAN_MAX_VCPUS);
		run->exit_code = VG_EXIT_SOME;
	}
}

static void unheld_line(void *arg, const char *text)
{
	vg_report_error(arg, "%s", text);
}

/*
 * Step 6: the walk names the guests, orders their vCPUs, adds regs[],
 * and lists the TDs, which have no vCPU state to find; a walked VM that
 * no guest holds after that is a warning (exit 1), not only a note in
 * the report: a vCPU or the whole VM is missing.  0 or -ENOMEM.
 */
static int run_merge(struct vg_run *run)
{
	int r;

	if (!run->walked)
		return 0;
	vg_kvm_merge(&run->kw, &run->res, run->guests, run->nguests);
	for (size_t i = 0; i < run->nguests; i++) {
		struct vg_guest *g = &run->guests[i];

		if (!g->vm && !g->nested && !g->note[0])
			snprintf(g->note, sizeof(g->note),
				 "not in KVM's vm_list (state of a destroyed "
				 "VM?): found by the scan only");
	}
	r = vg_kvm_add_tds(&run->kw, &run->res, &run->guests, &run->nguests);
	if (r == 0 && vg_kvm_unheld(&run->kw, &run->res, run->guests,
				    run->nguests, unheld_line, &run->rep))
		run->exit_code = VG_EXIT_SOME;
	return r;
}

/* 5-level NPT when L1 (the vCPU whose vmcb01 is at pa) has CR4.LA57. */
static int l1_la57(const struct vg_run *run, uint64_t pa)
{
	for (size_t i = 0; i < run->res.nfound; i++) {
		const struct vg_vcpu *v = &run->res.found[i].vcpu;

		if (v->state_paddr == pa)
			return (v->known & VG_K_CR4) && (v->cr4 & (1u << 12));
	}
	return 0;
}

/*
 * L1's nCR3 for L2 from its vmcb12 in L1 memory: 0 (root, levels set),
 * 1 when L1 runs L2 without nested paging, -1 (rg->mem_note says why).
 */
static int vmcb12_root(struct vg_run *run, struct vg_report_guest *rg,
		       struct vg_gmem *l1, uint64_t *root, int *levels)
{
	const struct vg_kw_vcpu *c = rg->g->l1_vcpu;
	uint64_t nctl;

	if (vg_gmem_read(l1, c->vmcb12_gpa + VMCB_NESTED_CTL, &nctl, 8) ||
	    vg_gmem_read(l1, c->vmcb12_gpa + VMCB_NCR3, root, 8)) {
		snprintf(rg->mem_note, sizeof(rg->mem_note),
			 "vmcb12 at L1 gpa 0x%llx not in L1's memory",
			 (unsigned long long)c->vmcb12_gpa);
		return -1;
	}
	if (!(nctl & 1))
		return 1;
	*levels = l1_la57(run, c->l1_state_pa) ? 5 : 4;
	return 0;
}

/*
 * An L2 guest through L1's own tables for it (vmcs12's EPTP, vmcb12's
 * nCR3), read from L1's memory (its memslots), then L1's memslots:
 * src/nestmem.h.  0 (gm set, rg->mem_source says how), or 1 with
 * rg->mem_note saying why not.
 */
static int nested_memory(struct vg_run *run, struct vg_report_guest *rg,
			 struct vg_gmem *gm)
{
	const struct vg_guest *g = rg->g;
	const struct vg_kw_vm *vm = g->l1_vm;
	const struct vg_kw_vcpu *c = g->l1_vcpu;
	int vmx = g->vendor == VG_VENDOR_VMX, levels = -1, r = 0;
	struct vg_gmem l1;
	uint64_t root = 0, top;

	if (!vm || !c || c->l2_tdp == VG_KW_L2_UNKNOWN) {
		snprintf(rg->mem_note, sizeof(rg->mem_note),
			 "L1's tables for L2 unknown (%.100s)",
			 c && c->l2_why[0] ? c->l2_why : "no L1 vCPU");
		return 1;
	}
	if (!vm->have_mm || !vm->nslots ||
	    vg_slotmem_init(&l1, &run->guest_mem.hm, vm->pgd_pa, run->la57,
			    vm->slots, vm->nslots) < 0) {
		snprintf(rg->mem_note, sizeof(rg->mem_note),
			 "L1's memory (memslots) unknown");
		return 1;
	}
	if (vmx && c->l2_tdp == VG_KW_L2_EPT) {
		root = c->l2_root;
		levels = vg_gpmap_ept_levels(root);
	} else if (!vmx && c->l2_tdp == VG_KW_L2_VMCB12) {
		r = vmcb12_root(run, rg, &l1, &root, &levels);
	} else {
		r = 1; /* VG_KW_L2_NO_EPT */
	}
	if (r == 1) { /* L2-physical is L1-physical */
		*gm = l1;
		rg->mem_source = "l1-memslots";
		return 0;
	}
	if (r == 0 && levels < 0)
		snprintf(rg->mem_note, sizeof(rg->mem_note),
			 "vmcs12 EPTP 0x%llx unusable",
			 (unsigned long long)root);
	if (r < 0 || levels < 0) {
		vg_gmem_release(&l1);
		return 1;
	}
	top = (vm->slots[vm->nslots - 1].base_gfn +
	       vm->slots[vm->nslots - 1].npages) *
	      VG_GPAGE_SIZE;
	if (vg_nestmem_init(gm, &run->guest_mem.hm, &l1, top,
			    vmx ? VG_GPMAP_EPT : VG_GPMAP_NPT, root,
			    levels) < 0) {
		snprintf(rg->mem_note, sizeof(rg->mem_note), "%.190s",
			 gm->stats.first_error);
		vg_gmem_release(gm);
		memset(gm, 0, sizeof(*gm));
		return 1;
	}
	rg->mem_source = vmx ? "l1-ept" : "l1-npt";
	rg->l1_root = root;
	rg->l1_root_from = vmx ? "vmcs12" : "vmcb12";
	return 0;
}

/*
 * Guest memory for g into gm: the memslots when the walk found them,
 * else the EPT/NPT; an L2 guest through its L1 (nested_memory()), else
 * KVM's shadow tables.  0, or -1 with rg->error set.
 */
static int guest_memory(struct vg_run *run, struct vg_report_guest *rg,
			struct vg_gmem *gm)
{
	const struct vg_guest *g = rg->g;
	const char *tables = g->vendor == VG_VENDOR_VMX ? "EPT" : "NPT";
	int levels;

	if (g->nested) {
		char why[sizeof(rg->mem_note)];

		if (nested_memory(run, rg, gm) == 0)
			return 0;
		snprintf(why, sizeof(why), "%s", rg->mem_note);
		snprintf(rg->mem_note, sizeof(rg->mem_note),
			 "%.110s: KVM's shadow tables only (what L2 touched "
			 "since KVM last dropped them)",
			 why);
		rg->mem_source = g->vendor == VG_VENDOR_VMX ? "shadow-ept" :
							      "shadow-npt";
	}
	if (g->vm && g->vm->have_mm && g->vm->nslots) {
		if (vg_slotmem_init(gm, &run->guest_mem.hm, g->vm->pgd_pa,
				    run->la57, g->vm->slots,
				    g->vm->nslots) == 0)
			return 0;
		snprintf(rg->mem_note, sizeof(rg->mem_note),
			 "memslots unusable (%.120s): guest memory from the %s",
			 gm->stats.first_error, tables);
		vg_gmem_release(gm);
		memset(gm, 0, sizeof(*gm));
	}
	if (g->vendor == VG_VENDOR_VMX)
		levels = vg_gpmap_ept_levels(g->root);
	else
		levels = run->la57 ? 5 : 4; /* nCR3: the host's paging mode */
	if (levels >= 0 &&
	    vg_gpmap_init(gm, &run->guest_mem.hm,
			  g->vendor == VG_VENDOR_VMX ? VG_GPMAP_EPT :
						       VG_GPMAP_NPT,
			  g->root, levels) == 0)
		return 0;
	snprintf(rg->error, sizeof(rg->error),
		 "cannot walk the %s tables at 0x%llx: %s", tables,
		 (unsigned long long)g->root,
		 gm->stats.first_error[0] ? gm->stats.first_error : "bad root");
	return -1;
}

/* Write the core file of one guest whose memory is in gm. */
static void write_core(struct vg_run *run, struct vg_report_guest *rg,
		       struct vg_gmem *gm, const struct vg_vcpu *vcpus)
{
	const struct vg_guest *g = rg->g;
	char stem[VG_NAME_MAX + 1];
	int fd, r;

	if (vg_sanitize_name(g->name, stem, sizeof(stem)) < 0)
		snprintf(stem, sizeof(stem), "guest");
	fd = vg_create_unique(run->dirfd, stem, ".vmcore", rg->file,
			      sizeof(rg->file));
	if (fd < 0) {
		snprintf(rg->error, sizeof(rg->error),
			 "cannot create %s.vmcore: %s", stem, strerror(errno));
		return;
	}
	r = vg_guestcore_write(fd, gm, vcpus, (unsigned int)g->n, &run->gopts,
			       &rg->core);
	rg->have_core = 1;
	if (close(fd) < 0 && r == 0) {
		r = VG_GC_PARTIAL;
		snprintf(rg->core.error, sizeof(rg->core.error),
			 "closing the file: %s", strerror(errno));
	}
	if (r == VG_GC_FAILED) {
		snprintf(rg->error, sizeof(rg->error), "%s: %s", rg->file,
			 rg->core.error[0] ? rg->core.error : "write failed");
		unlinkat(run->dirfd, rg->file, 0);
		rg->have_core = 0;
		return;
	}
	rg->written = 1;
	if (r == VG_GC_PARTIAL || rg->core.partial) {
		rg->partial = 1;
		snprintf(rg->error, sizeof(rg->error), "partial: %s",
			 rg->core.error[0] ? rg->core.error :
					     "incomplete guest memory");
	}
	if (run->o.verbose && rg->core.walk.first_error[0])
		say("guest %s: %s", g->name, rg->core.walk.first_error);
}

static void write_guest(struct vg_run *run, struct vg_report_guest *rg)
{
	const struct vg_guest *g = rg->g;
	struct vg_vcpu *vcpus;
	struct vg_gmem gm;
	uint64_t cut = vg_hostdump_cut_reads(run->hd);
	uint64_t io = vg_hostdump_io_reads(run->hd);

	memset(&gm, 0, sizeof(gm));
	vcpus = calloc(g->n, sizeof(*vcpus));
	if (!vcpus) {
		snprintf(rg->error, sizeof(rg->error), "out of memory");
		return;
	}
	for (size_t i = 0; i < g->n; i++)
		vcpus[i] = rg->vcpus[i].vcpu;
	if (guest_memory(run, rg, &gm) == 0)
		write_core(run, rg, &gm, vcpus);
	if (rg->written && !rg->partial && rg->mem_source &&
	    !strncmp(rg->mem_source, "shadow-", 7)) {
		rg->partial = 1;
		snprintf(rg->error, sizeof(rg->error), "partial: %s",
			 rg->mem_note);
	}
	cut = vg_hostdump_cut_reads(run->hd) != cut;
	io = vg_hostdump_io_reads(run->hd) != io;
	/* a truncated host dump cut through this guest, or read errors */
	if (rg->written && !rg->partial && (cut || io)) {
		rg->partial = 1;
		snprintf(rg->error, sizeof(rg->error),
			 "partial: %llu of its pages are absent: %s%s%s",
			 (unsigned long long)rg->core.pages_absent,
			 cut ? "they lie past the end of the truncated host "
			       "dump" :
			       "",
			 cut && io ? ", or " : "",
			 io ? "the host dump failed to read them" : "");
	}
	vg_gmem_release(&gm);
	free(vcpus);
}

/*
 * SEV, SEV-ES, SEV-SNP, TDX: the guest's memory is ciphertext, of no use
 * to crash.  It is listed with the reason, never dumped.  A sw-protected
 * VM encrypts nothing, but its private memory is in guest_memfd, which
 * QEMU's mapping (what the memslots give) does not reach: skipped when
 * it has a guest_memfd memslot, or may have one.  1 = skipped.
 */
static int skip_protected(struct vg_run *run, struct vg_report_guest *rg)
{
	enum vg_protection p = vg_report_protection(rg);
	int gmem;

	if (p == VG_PROT_NONE)
		return 0;
	if (p == VG_PROT_SW_PROTECTED) {
		gmem = rg->g->vm ? vg_kvm_gmem_slots(rg->g->vm) : -1;
		if (gmem == 0)
			return 0;
		snprintf(rg->error, sizeof(rg->error),
			 "skipped: the guest is sw-protected%s, its private "
			 "memory %s in guest_memfd, outside QEMU's mapping",
			 gmem < 0 ? " and its memslot flags are unknown" : "",
			 gmem < 0 ? "may be" : "is");
	} else {
		snprintf(rg->error, sizeof(rg->error),
			 "skipped: the guest is protected (%s), its memory "
			 "is encrypted",
			 vg_protection_name(p));
	}
	rg->skipped = 1;
	run->exit_code = VG_EXIT_SOME;
	say("guest %s: %s", rg->g->name, rg->error);
	return 1;
}

/* Step 7: every selected guest, within the budget. */
static int run_guests(struct vg_run *run)
{
	struct vg_report *rep = &run->rep;
	const char *only = run->o.only;
	int matched = 0;

	rep->guests = run->nguests ?
			      calloc(run->nguests, sizeof(*rep->guests)) :
			      NULL;
	if (run->nguests && !rep->guests)
		return -ENOMEM;
	rep->nguests = run->nguests;
	for (size_t i = 0; i < run->nguests; i++) {
		struct vg_report_guest *rg = &rep->guests[i];
		const struct vg_guest *g = &run->guests[i];

		rg->g = g;
		rg->vcpus = &run->res.found[g->first];
		rg->selected = !only || vg_name_listed(only, g->name);
		if (!rg->selected)
			continue;
		matched++;
		if (skip_protected(run, rg))
			continue;
		if (vg_budget_before_guest(&run->bud, g->name)) {
			rg->skipped = 1;
			snprintf(rg->error, sizeof(rg->error), "skipped: %s",
				 run->bud.reason);
			run->exit_code = VG_EXIT_SOME;
			say("guest %s: %s", g->name, rg->error);
			continue;
		}
		write_guest(run, rg);
		vg_budget_after_guest(&run->bud);
		if (!rg->written || rg->partial)
			run->exit_code = VG_EXIT_SOME;
		if (rg->error[0])
			say("guest %s: %s", g->name, rg->error);
	}
	if (only && !matched) {
		vg_report_error(rep, "no guest named %s", only);
		say("no guest named %s", only);
		run->exit_code = VG_EXIT_SOME;
	}
	return 0;
}

static FILE *open_report(struct vg_run *run, struct vg_error *err)
{
	const int flags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC;
	const char *path = run->o.report_path;
	FILE *f;
	int fd;

	if (path)
		fd = open(path, flags, 0600);
	else
		fd = openat(run->dirfd, "report.json", flags, 0600);
	if (fd < 0) {
		vg_error_set(err, -errno, "cannot write report %s: %s",
			     path ? path : "report.json", strerror(errno));
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		vg_error_set(err, -errno, "cannot write report: %s",
			     strerror(errno));
		close(fd);
	}
	return f;
}

/* Step 8: the summary on stdout and report.json. */
static void run_report(struct vg_run *run)
{
	struct vg_report *rep = &run->rep;
	struct vg_error err = { 0 };
	FILE *rf;

	rep->limits.time_budget = run->o.time_budget;
	rep->limits.reserve_mib = run->o.reserve >> 20;
	rep->limits.elapsed = vg_budget_elapsed(&run->bud);
	rep->limits.stopped = run->bud.stopped;
	rep->limits.reason = run->bud.reason;
	rep->capture.bytes_read = vg_hostdump_bytes_read(run->hd);
	rep->capture.read_method = vg_hostdump_read_method(run->hd);
	if (*vg_hostdump_io_errors(run->hd)) /* one line, as for a cut */
		vg_report_error(rep, "%s", vg_hostdump_io_errors(run->hd));
	if (rep->nerrors && run->exit_code == VG_EXIT_ALL)
		run->exit_code = VG_EXIT_SOME;
	rep->exit_code = run->exit_code;
	for (unsigned int i = 0; i < rep->nerrors; i++)
		say("%s", rep->errors[i]);
	vg_report_summary(stdout, rep);
	rf = open_report(run, &err);
	if (!rf) {
		say("%s", err.msg);
		run->exit_code = VG_EXIT_SOME;
	} else {
		int bad = vg_report_json(rf, rep);

		if (fclose(rf) != 0 || bad) {
			say("cannot write report: %s", strerror(errno));
			run->exit_code = VG_EXIT_SOME;
		}
	}
	fflush(stdout);
}

static void run_free(struct vg_run *run)
{
	free(run->rep.guests);
	free(run->guests);
	if (run->walked)
		vg_kw_result_free(&run->kw);
	vg_scan_result_free(&run->res);
	vg_hostdump_close(run->hd);
	if (run->dirfd >= 0)
		close(run->dirfd);
	vg_loadtime_release(&run->lt);
	free(run);
}

int vg_run(const struct vg_run_opts *opts)
{
	struct vg_run *run = calloc(1, sizeof(*run));
	struct vg_error err = { 0 };
	double t = 0;
	long ng;
	int rc;

	if (!run) {
		say("out of memory");
		return VG_EXIT_NOINPUT;
	}
	run->o = *opts;
	clock_gettime(CLOCK_MONOTONIC, &run->t0);
	run->dirfd = -1;
	run->rep.version = VG_VERSION;
	run->rep.host_dump = opts->dump;
	run->rep.stall_seconds = opts->stall;
	rc = run_open(run, &err);
	if (rc == 0) {
		run_layouts(run);
		run_walk(run);
		t = vg_budget_elapsed(&run->bud);
		run->rep.capture.secs_kvm = t;
		if (opts->verbose)
			say("KVM: %s", run->rep.kvm_status);
		rc = run_find(run, &err);
	}
	if (rc < 0) {
		say("%s", err.msg);
		run_free(run);
		return VG_EXIT_NOINPUT;
	}
	scan_verdict(run);
	run->rep.capture.secs_states = vg_budget_elapsed(&run->bud) - t;
	ng = vg_group(&run->res, &run->guests);
	if (ng < 0) {
		say("out of memory");
		run_free(run);
		return VG_EXIT_NOINPUT;
	}
	run->nguests = (size_t)ng;
	if (run_merge(run) < 0) {
		say("out of memory");
		run_free(run);
		return VG_EXIT_NOINPUT;
	}
	t = vg_budget_elapsed(&run->bud);
	if (run_guests(run) < 0) {
		say("out of memory");
		run_free(run);
		return VG_EXIT_NOINPUT;
	}
	run->rep.capture.secs_guests = vg_budget_elapsed(&run->bud) - t;
	run_report(run);
	rc = run->exit_code;
	run_free(run);
	return rc;
}
