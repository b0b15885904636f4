// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmcore-guests: find the KVM guests in a host dump and write one
 * crash-readable vmcore per guest.  docs/vmcore-guests.md is the manual;
 * the run itself is src/run.c.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/budget.h"
#include "src/kdumpcore.h"
#include "src/pageclass.h"
#include "src/run.h"

static const char usage[] =
	"usage: vmcore-guests [options] HOST_DUMP OUTDIR\n"
	"Find the KVM guests in a host crash dump (/proc/vmcore, ELF vmcore or\n"
	"makedumpfile kdump-compressed) and write OUTDIR/<guest>.vmcore for each,\n"
	"plus OUTDIR/report.json.\n"
	"\n"
	"  --vmcsinfo FILE|DIR  VMCS layout: descriptor text or sysfs-style tree\n"
	"  --notes FILE         load-time notes carrier (kexec -s)\n"
	"  --report FILE        write the JSON report here (default OUTDIR/report.json)\n"
	"  --only NAME[,NAME..] write only the guests with these names\n"
	"  --no-kvm             do not walk KVM's structures (scan only)\n"
	"  --scan               scan all of host RAM for vCPU states even when\n"
	"                       the KVM walk finds them (cross-check)\n"
	"  --check-note         also derive KVM's layout from the dump's own\n"
	"                       kallsyms and BTF, compare it with the KVMINFO\n"
	"                       note key by key, and walk with the dump's when\n"
	"                       they differ (cross-check)\n"
	"  --stall SECONDS      flag vCPU threads that had not run for this\n"
	"                       long before the crash (default 5)\n"
	"  --time-budget SECS   stop scanning, walking and writing guests\n"
	"                       after SECS seconds\n"
	"  --reserve MIB        keep MIB MiB free on OUTDIR's file system\n"
	"  --compress METHOD    zlib, lzo, snappy or zstd: write the guests in\n"
	"                       makedumpfile's kdump-compressed format; none\n"
	"                       (default): the ELF vmcore\n"
	"  --dump-level N       makedumpfile's -d bits (1 zero, 2 cache, 4 cache\n"
	"                       private, 8 user, 16 free pages), from the guest's\n"
	"                       own mem_map; above 1 needs --compress\n"
	"  --progress           per-guest progress lines on stderr\n"
	"  -v, --verbose        say which candidates were rejected and why\n"
	"  -h, --help           this text\n"
	"  -V, --version        print the version\n"
	"\n"
	"Exit status: 0 every guest written (or none found), 1 some guests\n"
	"partial or skipped, 2 no usable input.\n";

static void die_usage(const char *msg)
{
	fprintf(stderr, "vmcore-guests: %s\n%s", msg,
		"Try 'vmcore-guests --help' for more information.\n");
	exit(VG_EXIT_NOINPUT);
}

/* One option into o; exits on --help, --version and bad values. */
static void option(int c, struct vg_run_opts *o)
{
	char *end;

	switch (c) {
	case 'm':
		o->vmcsinfo_path = optarg;
		break;
	case 'n':
		o->notes_path = optarg;
		break;
	case 'r':
		o->report_path = optarg;
		break;
	case 'o':
		o->only = optarg;
		break;
	case 'K':
		o->no_kvm = 1;
		break;
	case 's':
		o->scan = 1;
		break;
	case 'N':
		o->check_note = 1;
		break;
	case 'S':
		o->stall = strtod(optarg, &end);
		if (*end || !(o->stall >= 0) || o->stall > 1e9)
			die_usage("--stall needs a number of seconds");
		break;
	case 't':
		if (vg_budget_parse_seconds(optarg, &o->time_budget))
			die_usage("--time-budget wants seconds >= 0");
		break;
	case 'R':
		if (vg_budget_parse_mib(optarg, &o->reserve))
			die_usage("--reserve wants a size in MiB");
		break;
	case 'C':
		o->compress = vg_gc_compress_parse(optarg);
		if (o->compress < 0)
			die_usage("--compress wants zlib, lzo, snappy, zstd or "
				  "none");
		break;
	case 'd':
		o->dump_level = (int)strtol(optarg, &end, 10);
		if (!optarg[0] || *end || o->dump_level < 0 ||
		    o->dump_level > VG_DL_MAX)
			die_usage("--dump-level wants 0 to 31");
		break;
	case 'P':
		o->progress = 1;
		break;
	case 'v':
		o->verbose = 1;
		break;
	case 'h':
		fputs(usage, stdout);
		exit(0);
	case 'V':
		printf("vmcore-guests %s\n", VG_VERSION);
		exit(0);
	default:
		die_usage("bad option");
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vmcsinfo", required_argument, NULL, 'm' },
		{ "notes", required_argument, NULL, 'n' },
		{ "report", required_argument, NULL, 'r' },
		{ "only", required_argument, NULL, 'o' },
		{ "no-kvm", no_argument, NULL, 'K' },
		{ "scan", no_argument, NULL, 's' },
		{ "check-note", no_argument, NULL, 'N' },
		{ "stall", required_argument, NULL, 'S' },
		{ "time-budget", required_argument, NULL, 't' },
		{ "reserve", required_argument, NULL, 'R' },
		{ "progress", no_argument, NULL, 'P' },
		{ "compress", required_argument, NULL, 'C' },
		{ "dump-level", required_argument, NULL, 'd' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct vg_run_opts o;
	int c;

	memset(&o, 0, sizeof(o));
	o.stall = 5.0;
	o.time_budget = -1;
	/* A size limit must fail a write with EFBIG, not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	while ((c = getopt_long(argc, argv, "vhV", opts, NULL)) != -1)
		option(c, &o);
	if (argc - optind != 2)
		die_usage("need HOST_DUMP and OUTDIR");
	if (o.compress == VG_GC_ELF && o.dump_level > VG_DL_ZERO)
		die_usage("--dump-level above 1 needs --compress (the ELF "
			  "vmcore keeps every non-zero page)");
	o.dump = argv[optind];
	o.outdir = argv[optind + 1];
	return vg_run(&o);
}
