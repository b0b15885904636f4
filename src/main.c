// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmcore-guests: find the KVM guests in a host dump and write one
 * crash-readable vmcore per guest.  docs/vmcore-guests.md is the manual.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kexec/dumpnotes.h"
#include "notes/vgerr.h"
#include "notes/vmcsinfo-parse.h"
#include "src/budget.h"
#include "src/gpmap.h"
#include "src/guestcore.h"
#include "src/hostdump.h"
#include "src/hostkv.h"
#include "src/kvmguests.h"
#include "notes/kvminfo-parse.h"
#include "src/kvmwalk.h"
#include "src/outfile.h"
#include "src/report.h"
#include "src/scan.h"
#include "src/slotmem.h"
#include "src/vmx.h"

#define VG_VERSION "0.1"
#define EXIT_ALL 0
#define EXIT_SOME 1
#define EXIT_NOINPUT 2

static const char usage[] =
	"usage: vmcore-guests [options] HOST_DUMP OUTDIR\n"
	"Find the KVM guests in a host crash dump (/proc/vmcore, ELF vmcore or\n"
	"makedumpfile kdump-compressed) and write OUTDIR/<guest>.vmcore for each,\n"
	"plus OUTDIR/report.json.\n"
	"\n"
	"  --vmcsinfo FILE|DIR  VMCS layout: descriptor text or sysfs-style tree\n"
	"  --notes FILE         load-time notes carrier (kexec -s)\n"
	"  --report FILE        write the JSON report here (default OUTDIR/report.json)\n"
	"  --only NAME          write only the guest called NAME\n"
	"  --no-kvm             do not walk KVM's structures (scan only)\n"
	"  --stall SECONDS      flag vCPU threads that had not run for this\n"
	"                       long before the crash (default 5)\n"
	"  --only NAME[,NAME..] write only the guests with these names\n"
	"  --time-budget SECS   stop writing guests after SECS seconds\n"
	"  --reserve MIB        keep MIB MiB free on OUTDIR's file system\n"
	"  --progress           per-guest progress lines on stderr\n"
	"  -v, --verbose        say which candidates were rejected and why\n"
	"  -h, --help           this text\n"
	"  -V, --version        print the version\n"
	"\n"
	"Exit status: 0 every guest written (or none found), 1 some guests\n"
	"partial or skipped, 2 no usable input.\n";

static const char *prog = "vmcore-guests";

static void die_usage(const char *msg)
{
	fprintf(stderr, "%s: %s\n%s", prog, msg,
		"Try 'vmcore-guests --help' for more information.\n");
	exit(EXIT_NOINPUT);
}

/* Read a whole small text file (descriptor text); NULL + err on failure. */
static char *read_small(const char *path, size_t max, size_t *len, char *err,
			size_t errsz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	size_t n = 0;

	if (fd < 0) {
		snprintf(err, errsz, "cannot open %s: %s", path,
			 strerror(errno));
		return NULL;
	}
	buf = malloc(max + 1);
	if (!buf) {
		close(fd);
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	for (;;) {
		ssize_t r = read(fd, buf + n, max + 1 - n);

		if (r < 0) {
			snprintf(err, errsz, "cannot read %s: %s", path,
				 strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > max) {
			snprintf(err, errsz, "%s: larger than %zu bytes", path,
				 max);
			goto fail;
		}
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

/* --vmcsinfo FILE|DIR into vi; 0 or -1 with err. */
static int load_vmcsinfo_arg(const char *path, struct vmcsinfo *vi, char *err,
			     size_t errsz)
{
	struct vg_error verr;
	char e2[256] = "";
	struct stat st;
	size_t len;
	char *text;
	int r;

	if (stat(path, &st) < 0) {
		snprintf(err, errsz, "--vmcsinfo %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		r = vmcsinfo_from_sysfs(path, vi, &verr);
		if (r < 0) {
			snprintf(err, errsz, "--vmcsinfo %s: %.200s", path,
				 r == -ENOENT ?
					 "no vmcs_id / vmcs/ tree there" :
					 verr.msg);
			return -1;
		}
	} else {
		text = read_small(path, VMCSINFO_TEXT_MAX, &len, e2,
				  sizeof(e2));
		if (!text) {
			snprintf(err, errsz, "--vmcsinfo: %s", e2);
			return -1;
		}
		r = vmcsinfo_parse(text, len, vi, &verr);
		free(text);
		if (r < 0) {
			snprintf(err, errsz, "--vmcsinfo %s: %.200s", path,
				 verr.msg);
			return -1;
		}
	}
	if (vg_vmx_layout_usable(vi, &verr)) {
		snprintf(err, errsz, "--vmcsinfo %s: %s", path,
			 vg_error_msg(&verr));
		return -1;
	}
	return 0;
}

static int add_layout(struct vg_scan_cfg *cfg, const struct vmcsinfo *vi,
		      const char *source)
{
	for (int i = 0; i < cfg->nlayouts; i++)
		if (cfg->layouts[i].vi->revision_id == vi->revision_id)
			return 0; /* an earlier source wins */
	if (cfg->nlayouts >= VG_SCAN_MAX_LAYOUTS)
		return 0;
	cfg->layouts[cfg->nlayouts].vi = vi;
	cfg->layouts[cfg->nlayouts].source = source;
	cfg->nlayouts++;
	return 1;
}

/*
 * The VMCSINFO note from the dump, or from the kexec -s carrier file.
 * Returns 1 with vi filled, 0 when there is none or it is unusable (the
 * reason goes into the report), -1 when --notes FILE itself is bad.
 */
static int load_note_layout(const char *dump, const char *notes_path,
			    struct vmcsinfo *vi, struct vg_report *rep)
{
	char err[256] = "";
	struct vg_error verr;
	const char *from = NULL;
	void *desc = NULL;
	size_t len = 0;
	int r;

	r = dumpnotes_find_ex(dump, notes_path, VMCSINFO_NOTE_NAME,
			      VMCSINFO_NOTE_TYPE, &desc, &len, &from, err,
			      sizeof(err));
	if (r < 0 && notes_path) {
		fprintf(stderr, "%s: --notes %s: %s\n", prog, notes_path, err);
		return -1;
	}
	if (r < 0) {
		vg_report_error(rep, "VMCSINFO note: %s", err);
		return 0;
	}
	if (r > 0)
		return 0;
	r = vmcsinfo_parse(desc, len, vi, &verr);
	if (r == 0)
		r = vg_vmx_layout_usable(vi, &verr);
	if (r == 0) {
		free(desc);
		return 1;
	}
	vg_report_error(rep, "VMCSINFO note in %s unusable: %.200s",
			from ? from : dump, vg_error_msg(&verr));
	free(desc);
	return 0;
}

/* Create OUTDIR (0700) when missing; open it without following links. */
static int open_outdir(const char *path, char *err, size_t errsz)
{
	struct stat st;
	int fd;

	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errsz, "cannot create output directory %s: %s",
			 path, strerror(errno));
		return -1;
	}
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		snprintf(err, errsz,
			 "output directory %s is a symbolic link, refusing",
			 path);
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errsz, "output directory %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (faccessat(fd, ".", W_OK | X_OK, AT_EACCESS) < 0) {
		snprintf(err, errsz, "output directory %s is not writable: %s",
			 path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The host's paging mode (VMCOREINFO pgtable_l5_enabled), once known. */
static int host_la57;

static void write_guest(int dirfd, struct vg_hostmem *hm,
			struct vg_report_guest *rg, int verbose,
			const struct vg_guestcore_opts *gopts)
{
	const struct vg_guest *g = rg->g;
	struct vg_vcpu *vcpus;
	struct vg_gmem gm;
	char stem[VG_NAME_MAX + 1];
	int fd, levels, r;

	memset(&gm, 0, sizeof(gm));
	if (vg_sanitize_name(g->name, stem, sizeof(stem)) < 0)
		snprintf(stem, sizeof(stem), "guest");
	vcpus = calloc(g->n, sizeof(*vcpus));
	if (!vcpus) {
		snprintf(rg->error, sizeof(rg->error), "out of memory");
		return;
	}
	for (size_t i = 0; i < g->n; i++)
		vcpus[i] = rg->vcpus[i].vcpu;
	if (g->vm && g->vm->have_mm && g->vm->nslots) {
		if (vg_slotmem_init(&gm, hm, g->vm->pgd_pa, host_la57,
				    g->vm->slots, g->vm->nslots) == 0)
			goto have_memory;
		snprintf(rg->mem_note, sizeof(rg->mem_note),
			 "memslots unusable (%.120s): guest memory from the %s",
			 gm.stats.first_error,
			 g->vendor == VG_VENDOR_VMX ? "EPT" : "NPT");
		vg_gmem_release(&gm);
		memset(&gm, 0, sizeof(gm));
	}
	if (g->vendor == VG_VENDOR_VMX)
		levels = vg_gpmap_ept_levels(g->root);
	else
		levels = host_la57 ? 5 : 4; /* nCR3: the host's paging mode */
	if (levels < 0 ||
	    vg_gpmap_init(&gm, hm,
			  g->vendor == VG_VENDOR_VMX ? VG_GPMAP_EPT :
						       VG_GPMAP_NPT,
			  g->root, levels) < 0) {
		snprintf(rg->error, sizeof(rg->error),
			 "cannot walk the %s tables at 0x%llx: %s",
			 g->vendor == VG_VENDOR_VMX ? "EPT" : "NPT",
			 (unsigned long long)g->root,
			 gm.stats.first_error[0] ? gm.stats.first_error :
						   "bad root");
		goto out;
	}
have_memory:
	fd = vg_create_unique(dirfd, stem, ".vmcore", rg->file,
			      sizeof(rg->file));
	if (fd < 0) {
		snprintf(rg->error, sizeof(rg->error),
			 "cannot create %s.vmcore: %s", stem, strerror(errno));
		goto out;
	}
	r = vg_guestcore_write(fd, &gm, vcpus, (unsigned int)g->n, gopts,
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
		unlinkat(dirfd, rg->file, 0);
		rg->have_core = 0;
		goto out;
	}
	rg->written = 1;
	if (r == VG_GC_PARTIAL || rg->core.partial) {
		rg->partial = 1;
		snprintf(rg->error, sizeof(rg->error), "partial: %s",
			 rg->core.error[0] ? rg->core.error :
					     "incomplete guest memory");
	}
	if (verbose && rg->core.walk.first_error[0])
		fprintf(stderr, "%s: guest %s: %s\n", prog, g->name,
			rg->core.walk.first_error);
out:
	vg_gmem_release(&gm);
	free(vcpus);
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

static FILE *open_report(int dirfd, const char *path, char *err, size_t errsz)
{
	int fd;
	FILE *f;

	if (path)
		fd = open(path,
			  O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
			  0600);
	else
		fd = openat(dirfd, "report.json",
			    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
				    O_CLOEXEC,
			    0600);
	if (fd < 0) {
		snprintf(err, errsz, "cannot write report %s: %s",
			 path ? path : "report.json", strerror(errno));
		return NULL;
	}
	f = fdopen(fd, "w");
	if (!f) {
		snprintf(err, errsz, "cannot write report: %s",
			 strerror(errno));
		close(fd);
	}
	return f;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vmcsinfo", required_argument, NULL, 'm' },
		{ "notes", required_argument, NULL, 'n' },
		{ "report", required_argument, NULL, 'r' },
		{ "only", required_argument, NULL, 'o' },
		{ "no-kvm", no_argument, NULL, 'K' },
		{ "stall", required_argument, NULL, 'S' },
		{ "time-budget", required_argument, NULL, 't' },
		{ "reserve", required_argument, NULL, 'R' },
		{ "progress", no_argument, NULL, 'P' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *vmcsinfo_path = NULL, *notes_path = NULL;
	const char *report_path = NULL, *only = NULL;
	static struct vmcsinfo arg_vi, note_vi;
	int have_note = 0;
	struct vg_scan_cfg cfg;
	struct vg_scan_result res;
	struct vg_report rep;
	struct vg_guest *guests = NULL;
	struct vg_hostdump *hd;
	struct vg_error serr;
	char err[512];
	struct vg_error verr;
	int verbose = 0, c, dirfd, exit_code = EXIT_ALL, no_kvm = 0;
	double stall = 5.0;
	static struct vg_hostkv kv;
	static struct vg_kw_result kw;
	int walked = 0;
	int progress = 0;
	double time_budget = -1;
	uint64_t reserve = 0;
	struct vg_budget bud;
	struct vg_guestcore_opts gopts;
	long ng;
	FILE *rf;

	/* A size limit must fail a write with EFBIG, not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	while ((c = getopt_long(argc, argv, "vhV", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			vmcsinfo_path = optarg;
			break;
		case 'n':
			notes_path = optarg;
			break;
		case 'r':
			report_path = optarg;
			break;
		case 'o':
			only = optarg;
			break;
		case 'K':
			no_kvm = 1;
			break;
		case 'S': {
			char *end;

			stall = strtod(optarg, &end);
			if (*end || !(stall >= 0) || stall > 1e9)
				die_usage("--stall needs a number of seconds");
			break;
		}
		case 't':
			if (vg_budget_parse_seconds(optarg, &time_budget))
				die_usage("--time-budget wants seconds >= 0");
			break;
		case 'R':
			if (vg_budget_parse_mib(optarg, &reserve))
				die_usage("--reserve wants a size in MiB");
			break;
		case 'P':
			progress = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'V':
			printf("vmcore-guests %s\n", VG_VERSION);
			return 0;
		default:
			die_usage("bad option");
		}
	}
	if (argc - optind != 2)
		die_usage("need HOST_DUMP and OUTDIR");

	memset(&cfg, 0, sizeof(cfg));
	memset(&rep, 0, sizeof(rep));
	rep.version = VG_VERSION;
	rep.host_dump = argv[optind];

	if (vmcsinfo_path) {
		if (load_vmcsinfo_arg(vmcsinfo_path, &arg_vi, err,
				      sizeof(err))) {
			fprintf(stderr, "%s: %s\n", prog, err);
			return EXIT_NOINPUT;
		}
	}

	hd = vg_hostdump_open(argv[optind], &verr);
	if (!hd) {
		fprintf(stderr, "%s: %s\n", prog, vg_error_msg(&verr));
		return EXIT_NOINPUT;
	}
	dirfd = open_outdir(argv[optind + 1], err, sizeof(err));
	if (dirfd < 0) {
		fprintf(stderr, "%s: %s\n", prog, err);
		vg_hostdump_close(hd);
		return EXIT_NOINPUT;
	}
	rep.format = vg_hostdump_format(hd);
	/* The clock of --time-budget starts here, before the scan. */
	vg_budget_init(&bud, time_budget, reserve, dirfd,
		       progress ? stderr : NULL);
	memset(&gopts, 0, sizeof(gopts));
	gopts.progress = vg_budget_progress;
	gopts.progress_ctx = &bud;

	have_note = load_note_layout(argv[optind], notes_path, &note_vi, &rep);
	if (have_note < 0) {
		vg_hostdump_close(hd);
		close(dirfd);
		return EXIT_NOINPUT;
	}
	if (have_note)
		add_layout(&cfg, &note_vi, "VMCSINFO note");
	if (vmcsinfo_path)
		add_layout(&cfg, &arg_vi, "--vmcsinfo");
	add_layout(&cfg, vg_vmcs12_layout(), "built-in vmcs12");

	cfg.hm = vg_hostdump_mem(hd);
	cfg.next_range = vg_hostdump_next_range;
	cfg.range_ctx = hd;
	cfg.verbose = verbose ? stderr : NULL;
	rep.layouts = cfg.layouts;
	rep.nlayouts = cfg.nlayouts;
	if (vg_scan(&cfg, &res, &serr) < 0) {
		fprintf(stderr, "%s: %s\n", prog, vg_error_msg(&serr));
		vg_scan_result_free(&res);
		vg_hostdump_close(hd);
		close(dirfd);
		return EXIT_NOINPUT;
	}
	rep.scan = &res;
	if (res.pages_unreadable) {
		vg_report_error(
			&rep, "%llu host pages could not be read from the dump",
			(unsigned long long)res.pages_unreadable);
		exit_code = EXIT_SOME;
	}
	if (res.nnolayout && host_is_amd(argv[optind], &res)) {
		if (verbose)
			fprintf(stderr,
				"%s: AMD host: ignoring %u revision id(s) of VMCS-like pages\n",
				prog, res.nnolayout);
		res.nnolayout = 0;
	}
	/*
	 * The VMCSINFO note describes the host's own CPUs, and every hardware
	 * VMCS of one host carries their revision id (vmcs12 is built in):
	 * VMCS-like pages with another revision id are ordinary pages.  Under
	 * Bochs about twenty of them appeared in every crash test.
	 */
	if (res.nnolayout && have_note) {
		if (verbose)
			fprintf(stderr,
				"%s: the VMCSINFO note gives the host's VMCS revision 0x%x: ignoring %u other revision id(s) of VMCS-like pages\n",
				prog, note_vi.revision_id, res.nnolayout);
		res.nnolayout = 0;
	}
	for (unsigned int i = 0; i < res.nnolayout; i++) {
		vg_report_error(
			&rep,
			"%u VMCS regions with revision 0x%x, no layout: load vmcsinfo-intel before kdump or pass --vmcsinfo",
			res.nolayout[i].count, res.nolayout[i].revision);
		exit_code = EXIT_SOME;
	}
	if (res.too_many) {
		vg_report_error(
			&rep,
			"more than %d vCPU states found: the rest were skipped",
			VG_SCAN_MAX_VCPUS);
		exit_code = EXIT_SOME;
	}

	ng = vg_group(&res, &guests);
	if (ng < 0) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return EXIT_NOINPUT;
	}
	rep.stall_seconds = stall;
	if (no_kvm) {
		snprintf(rep.kvm_status, sizeof(rep.kvm_status),
			 "--no-kvm: scan only");
	} else {
		walked = vg_kvm_from_dump(argv[optind], notes_path, cfg.hm, &kv,
					  &kw, rep.kvm_status,
					  sizeof(rep.kvm_status));
		if (walked) {
			host_la57 = kv.la57;
			rep.kw = &kw;
			vg_kvm_merge(&kw, &res, guests, (size_t)ng);
			for (long i = 0; i < ng; i++)
				if (!guests[i].vm && !guests[i].nested &&
				    !guests[i].note[0])
					snprintf(
						guests[i].note,
						sizeof(guests[i].note),
						"not in KVM's vm_list (state of a destroyed VM?): found by the scan only");
		}
	}
	if (verbose)
		fprintf(stderr, "%s: KVM: %s\n", prog, rep.kvm_status);
	rep.guests = ng ? calloc((size_t)ng, sizeof(*rep.guests)) : NULL;
	if (ng && !rep.guests) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return EXIT_NOINPUT;
	}
	rep.nguests = (size_t)ng;
	{
		int matched = 0;

		for (long i = 0; i < ng; i++) {
			struct vg_report_guest *rg = &rep.guests[i];

			rg->g = &guests[i];
			rg->vcpus = &res.found[guests[i].first];
			rg->selected = !only ||
				       vg_name_listed(only, guests[i].name);
			if (!rg->selected)
				continue;
			matched++;
			if (vg_budget_before_guest(&bud, guests[i].name)) {
				rg->skipped = 1;
				snprintf(rg->error, sizeof(rg->error),
					 "skipped: %s", bud.reason);
				exit_code = EXIT_SOME;
				fprintf(stderr, "%s: guest %s: %s\n", prog,
					guests[i].name, rg->error);
				continue;
			}
			write_guest(dirfd, cfg.hm, rg, verbose, &gopts);
			vg_budget_after_guest(&bud);
			if (!rg->written || rg->partial)
				exit_code = EXIT_SOME;
			if (rg->error[0])
				fprintf(stderr, "%s: guest %s: %s\n", prog,
					guests[i].name, rg->error);
		}
		if (only && !matched) {
			vg_report_error(&rep, "no guest named %s", only);
			fprintf(stderr, "%s: no guest named %s\n", prog, only);
			exit_code = EXIT_SOME;
		}
	}
	rep.limits.time_budget = time_budget;
	rep.limits.reserve_mib = reserve >> 20;
	rep.limits.elapsed = vg_budget_elapsed(&bud);
	rep.limits.stopped = bud.stopped;
	rep.limits.reason = bud.reason;
	if (rep.nerrors && exit_code == EXIT_ALL)
		exit_code = EXIT_SOME;
	rep.exit_code = exit_code;
	for (unsigned int i = 0; i < rep.nerrors; i++)
		fprintf(stderr, "%s: %s\n", prog, rep.errors[i]);
	vg_report_summary(stdout, &rep);

	rf = open_report(dirfd, report_path, err, sizeof(err));
	if (!rf) {
		fprintf(stderr, "%s: %s\n", prog, err);
		exit_code = EXIT_SOME;
	} else {
		int bad = vg_report_json(rf, &rep);

		if (fclose(rf) != 0 || bad) {
			fprintf(stderr, "%s: cannot write report: %s\n", prog,
				strerror(errno));
			exit_code = EXIT_SOME;
		}
	}
	fflush(stdout);
	free(rep.guests);
	free(guests);
	if (walked)
		vg_kw_result_free(&kw);
	vg_scan_result_free(&res);
	vg_hostdump_close(hd);
	close(dirfd);
	return exit_code;
}
