// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmcsinfo: show the host's VMCS layout as VMCSINFO text, write it as an
 * ELF note or as the "kexec -s" cpio carrier, and read it back from a
 * crash dump; the same for KVM's layout and addresses (KVMINFO).  Exit
 * status: 0 ok, 1 nothing there (no provider, KVM not loaded, no note),
 * 2 unusable input or usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notes/notebuild.h"
#include "src/kvmdesc.h"
#include "notes/kvminfo-parse.h"
#include "notes/kvminfo.h"
#include "notes/carrier.h"
#include "notes/loadnotes.h"
#include "notes/vmcsinfo-parse.h"
#include "src/hostdump.h"
#include "src/loadtime.h"

#define VMCSINFO_CLI_VERSION "0.1"

enum { EXIT_NONE = 1, EXIT_BAD = 2 };

static const char usage_text[] =
	"usage: vmcsinfo show [--sysfs DIR] [--cpuinfo FILE]\n"
	"       vmcsinfo note [--sysfs DIR] [--cpuinfo FILE] -o FILE\n"
	"       vmcsinfo carrier [--sysfs DIR] [--cpuinfo FILE] -o FILE\n"
	"       vmcsinfo kvminfo [--btf DIR] [--kallsyms FILE] [--sysfs-cpu DIR]\n"
	"       vmcsinfo kvminfo --from-dump DUMP\n"
	"       vmcsinfo kvminfo-note [--btf DIR] [--kallsyms FILE]\n"
	"                [--sysfs-cpu DIR] -o FILE\n"
	"       vmcsinfo read [--name VMCSINFO|KVMINFO] [--notes FILE] DUMP\n"
	"       vmcsinfo --help | --version\n"
	"\n"
	"show          print the VMCSINFO descriptor text of this host\n"
	"note          write the VMCSINFO ELF note (header, name, descriptor)\n"
	"carrier       write the cpio archive that carries the note for kexec -s\n"
	"kvminfo       print the KVMINFO descriptor text of this host (KVM's\n"
	"              symbol addresses and struct layout; needs root)\n"
	"              With --from-dump: the description DUMP holds of itself\n"
	"              (its kallsyms, BTF and module list; no note needed)\n"
	"kvminfo-note  write the KVMINFO ELF note\n"
	"read          print the VMCSINFO (or --name KVMINFO) text found in DUMP\n"
	"              (ELF vmcore, /proc/vmcore, kdump-compressed); when DUMP\n"
	"              has none, look in --notes FILE, or for /proc/vmcore in\n"
	"              " LOADNOTES_PATH "\n"
	"\n"
	"--sysfs DIR      tree holding vmcs_id and vmcs/ (default " VMCSINFO_SYSFS_ROOT
	")\n"
	"--cpuinfo FILE   informational CPU keys from FILE (default /proc/cpuinfo)\n"
	"--btf DIR        BTF of vmlinux, kvm, kvm_amd, kvm_intel (default " KVMINFO_BTF_DIR
	")\n"
	"--kallsyms FILE  symbol addresses (default " KVMINFO_KALLSYMS ")\n"
	"--sysfs-cpu DIR  directory holding \"possible\" (default " KVMINFO_CPU_DIR
	")\n"
	"--name NAME      the note read looks for: VMCSINFO (default) or KVMINFO\n"
	"-o FILE          output file, '-' for standard output\n"
	"\n"
	"exit status: 0 ok, 1 no VMCS layout / KVM not loaded / no such note,\n"
	"2 bad input\n";

static int usage_error(const char *msg)
{
	fprintf(stderr, "vmcsinfo: %s\n%s", msg, usage_text);
	return EXIT_BAD;
}

static int write_out(const char *path, const void *buf, size_t len)
{
	const char *p = buf;
	int fd, e;

	if (!strcmp(path, "-"))
		fd = STDOUT_FILENO;
	else
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "vmcsinfo: %s: %s\n", path, strerror(errno));
		return EXIT_BAD;
	}
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			e = errno;
			fprintf(stderr, "vmcsinfo: %s: %s\n", path,
				strerror(e));
			if (fd != STDOUT_FILENO) {
				close(fd);
				unlink(path);
			}
			return EXIT_BAD;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fd != STDOUT_FILENO && close(fd) < 0) {
		fprintf(stderr, "vmcsinfo: %s: %s\n", path, strerror(errno));
		unlink(path);
		return EXIT_BAD;
	}
	return 0;
}

/* Layout of this host; exit status on failure, 0 on success. */
static int load_layout(const char *sysfs, const char *cpuinfo,
		       struct vmcsinfo *vi)
{
	struct vg_error err;
	int rc = vmcsinfo_from_sysfs(sysfs, vi, &err);

	if (rc == -ENOENT) {
		fprintf(stderr, "vmcsinfo: %s\n", err.msg);
		return EXIT_NONE;
	}
	if (rc < 0) {
		fprintf(stderr, "vmcsinfo: bad VMCS layout: %s\n", err.msg);
		return EXIT_BAD;
	}
	vmcsinfo_add_cpuinfo(vi, cpuinfo);
	return 0;
}

/* Is the note's text a valid descriptor?  0, or <0 with err. */
static int check_note(const char *name, const void *desc, size_t len,
		      struct vg_error *err)
{
	static struct vg_kvminfo ki;
	struct vmcsinfo vi;

	if (!strcmp(name, KVMINFO_NOTE_NAME))
		return vg_kvminfo_parse(desc, len, &ki, err);
	return vmcsinfo_parse(desc, len, &vi, err);
}

/* Print a note's text as it is (up to its NUL padding), newline-ended. */
static int print_text(const char *desc, size_t len)
{
	len = strnlen(desc, len);
	fwrite(desc, 1, len, stdout);
	if (len && desc[len - 1] != '\n')
		putchar('\n');
	return fflush(stdout) ? EXIT_BAD : 0;
}

/*
 * read: the note from the dump (opened once, through the same handle as
 * vmcore-guests uses), else from the carrier.
 */
static int cmd_read(const char *dump, const char *notes_file, const char *name)
{
	int kvm = !strcmp(name, KVMINFO_NOTE_NAME);
	struct vg_error err = { 0 };
	struct vg_loadtime lt;
	struct vg_hostdump *hd;
	const char *from = NULL;
	const void *desc;
	size_t len;
	int rc;

	hd = vg_hostdump_open(dump, &err);
	if (!hd) {
		fprintf(stderr, "vmcsinfo: %s\n", err.msg);
		return EXIT_BAD;
	}
	rc = vg_loadtime_init(&lt, hd, dump, notes_file, &err);
	if (rc == 0)
		rc = vg_loadtime_find(
			&lt, name, kvm ? KVMINFO_NOTE_TYPE : VMCSINFO_NOTE_TYPE,
			&desc, &len, &from, &err);
	if (rc != 0) {
		fprintf(stderr, "vmcsinfo: %s\n", err.msg);
		rc = rc > 0 ? EXIT_NONE : EXIT_BAD;
	} else if (check_note(name, desc, len, &err) < 0) {
		fprintf(stderr, "vmcsinfo: %s: %s note is invalid: %s\n", from,
			name, err.msg);
		rc = EXIT_BAD;
	} else {
		if (from != dump)
			fprintf(stderr,
				"vmcsinfo: %s has no %s note; using %s\n", dump,
				name, from);
		rc = print_text(desc, len);
	}
	vg_loadtime_release(&lt);
	vg_hostdump_close(hd);
	return rc;
}

/* kvminfo --from-dump DUMP. */
static int cmd_kvminfo_dump(const char *dump)
{
	char *text = malloc(KVMINFO_TEXT_MAX);
	struct vg_error err;
	int n;

	if (!text)
		return EXIT_BAD;
	n = vg_kvmdesc_from_file(dump, text, KVMINFO_TEXT_MAX, NULL, &err);
	if (n >= 0)
		fwrite(text, 1, (size_t)n, stdout);
	free(text);
	if (n < 0) {
		fprintf(stderr, "vmcsinfo: no KVMINFO from %s: %s\n", dump,
			err.msg);
		return n == -ENOENT ? EXIT_NONE : EXIT_BAD;
	}
	return fflush(stdout) ? EXIT_BAD : 0;
}

/* kvminfo and kvminfo-note. */
static int cmd_kvminfo(const struct kvminfo_source *src, const char *out)
{
	struct vg_error err;
	int n;

	if (!out) {
		char *text = malloc(KVMINFO_TEXT_MAX);

		if (!text)
			return EXIT_BAD;
		n = kvminfo_format(src, text, KVMINFO_TEXT_MAX, &err);
		if (n >= 0)
			fwrite(text, 1, (size_t)n, stdout);
		free(text);
	} else {
		static unsigned char note[KVMINFO_TEXT_MAX + 64];

		n = kvminfo_note(src, note, sizeof(note), &err);
		if (n >= 0)
			return write_out(out, note, (size_t)n);
	}
	if (n == -ENOENT) {
		fprintf(stderr, "vmcsinfo: no KVMINFO: %s\n", err.msg);
		return EXIT_NONE;
	}
	if (n < 0) {
		fprintf(stderr, "vmcsinfo: no KVMINFO: %s\n", err.msg);
		return EXIT_BAD;
	}
	return fflush(stdout) ? EXIT_BAD : 0;
}

/* The VMCSINFO commands: show, note, carrier. */
static int cmd_vmcsinfo(const char *cmd, const char *sysfs, const char *cpuinfo,
			const char *out)
{
	static unsigned char note[VMCSINFO_TEXT_MAX + 64];
	char text[VMCSINFO_TEXT_MAX];
	unsigned char *cpio;
	struct vmcsinfo vi;
	size_t clen;
	int n, rc;

	rc = load_layout(sysfs, cpuinfo, &vi);
	if (rc)
		return rc;
	if (!strcmp(cmd, "show")) {
		n = vmcsinfo_format(&vi, text, sizeof(text));
		if (n < 0) {
			fprintf(stderr, "vmcsinfo: descriptor too large\n");
			return EXIT_BAD;
		}
		fwrite(text, 1, (size_t)n, stdout);
		return fflush(stdout) ? EXIT_BAD : 0;
	}
	n = vmcsinfo_note(&vi, note, sizeof(note));
	if (n < 0) {
		fprintf(stderr, "vmcsinfo: cannot build the note: %s\n",
			strerror(-n));
		return EXIT_BAD;
	}
	if (!strcmp(cmd, "note"))
		return write_out(out, note, (size_t)n);
	clen = loadnotes_cpio_size((size_t)n);
	cpio = malloc(clen);
	if (!cpio ||
	    loadnotes_cpio_build(cpio, clen, note, (size_t)n, 0) != clen) {
		fprintf(stderr, "vmcsinfo: cannot build the archive\n");
		free(cpio);
		return EXIT_BAD;
	}
	rc = write_out(out, cpio, clen);
	free(cpio);
	return rc;
}

/* What the command line asked for. */
struct cli {
	const char *cmd, *sysfs, *cpuinfo, *notes, *out, *name, *from_dump;
	struct kvminfo_source ksrc;
	int kvm_opts;
	const char *dump; /* read's argument */
};

/*
 * Options into cli.  Returns -1 to go on, else the exit status (--help,
 * --version, a usage error).
 */
static int parse_options(int argc, char **argv, struct cli *a)
{
	static const struct option opts[] = {
		{ "sysfs", required_argument, NULL, 's' },
		{ "cpuinfo", required_argument, NULL, 'c' },
		{ "notes", required_argument, NULL, 'n' },
		{ "name", required_argument, NULL, 'N' },
		{ "btf", required_argument, NULL, 'b' },
		{ "kallsyms", required_argument, NULL, 'k' },
		{ "sysfs-cpu", required_argument, NULL, 'C' },
		{ "output", required_argument, NULL, 'o' },
		{ "from-dump", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	a->cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			a->sysfs = optarg;
			break;
		case 'c':
			a->cpuinfo = optarg;
			break;
		case 'n':
			a->notes = optarg;
			break;
		case 'N':
			a->name = optarg;
			break;
		case 'b':
			a->ksrc.btf_dir = optarg;
			a->kvm_opts = 1;
			break;
		case 'k':
			a->ksrc.kallsyms = optarg;
			a->kvm_opts = 1;
			break;
		case 'C':
			a->ksrc.cpu_dir = optarg;
			a->kvm_opts = 1;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'D':
			a->from_dump = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'V':
			printf("vmcsinfo %s\n", VMCSINFO_CLI_VERSION);
			return 0;
		default:
			return usage_error("bad option");
		}
	}
	if (!strcmp(a->cmd, "read") && optind == argc - 1)
		a->dump = argv[optind++];
	if (optind != argc)
		return usage_error(!strcmp(a->cmd, "read") ?
					   "read needs exactly one DUMP" :
					   "unexpected argument");
	return -1;
}

/* Check the options against the command and run it. */
static int dispatch(struct cli *a)
{
	const char *cmd = a->cmd;

	if (!strcmp(cmd, "read")) {
		if (a->sysfs || a->cpuinfo || a->out || a->kvm_opts ||
		    a->from_dump)
			return usage_error("read takes only --name, --notes "
					   "and DUMP");
		if (!a->dump)
			return usage_error("read needs exactly one DUMP");
		if (!a->name)
			a->name = VMCSINFO_NOTE_NAME;
		if (strcmp(a->name, VMCSINFO_NOTE_NAME) &&
		    strcmp(a->name, KVMINFO_NOTE_NAME))
			return usage_error("--name is VMCSINFO or KVMINFO");
		return cmd_read(a->dump, a->notes, a->name);
	}
	if (a->notes || a->name)
		return usage_error("--notes and --name are for read");
	if (a->from_dump) {
		if (strcmp(cmd, "kvminfo") || a->kvm_opts || a->sysfs ||
		    a->cpuinfo || a->out)
			return usage_error("--from-dump DUMP goes alone with "
					   "kvminfo");
		return cmd_kvminfo_dump(a->from_dump);
	}
	if (!strcmp(cmd, "kvminfo") || !strcmp(cmd, "kvminfo-note")) {
		if (a->sysfs || a->cpuinfo)
			return usage_error("--sysfs and --cpuinfo are for the "
					   "VMCSINFO commands");
		if (!strcmp(cmd, "kvminfo") && a->out)
			return usage_error("kvminfo prints to standard output");
		if (!strcmp(cmd, "kvminfo-note") && !a->out)
			return usage_error("-o FILE is required");
		return cmd_kvminfo(&a->ksrc, a->out);
	}
	if (strcmp(cmd, "show") && strcmp(cmd, "note") &&
	    strcmp(cmd, "carrier"))
		return usage_error("unknown command");
	if (a->kvm_opts)
		return usage_error("--btf, --kallsyms and --sysfs-cpu are for "
				   "the kvminfo commands");
	if (!strcmp(cmd, "show") && a->out)
		return usage_error("show prints to standard output");
	if (strcmp(cmd, "show") && !a->out)
		return usage_error("-o FILE is required");
	return cmd_vmcsinfo(cmd, a->sysfs, a->cpuinfo, a->out);
}

int main(int argc, char **argv)
{
	struct cli a;
	int rc;

	if (argc >= 2 && !strcmp(argv[1], "--help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("vmcsinfo %s (VMCSINFO_VERSION=%d, KVMINFO_VERSION=%d)\n",
		       VMCSINFO_CLI_VERSION, VMCSINFO_VERSION, KVMINFO_VERSION);
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-')
		return usage_error("missing command");
	memset(&a, 0, sizeof(a));
	rc = parse_options(argc, argv, &a);
	return rc >= 0 ? rc : dispatch(&a);
}
