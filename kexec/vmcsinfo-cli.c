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

#include "kexec/dumpnotes.h"
#include "kexec/kvminfo.h"
#include "kexec/loadnotes-cpio.h"
#include "kexec/vmcsinfo.h"

#define VMCSINFO_CLI_VERSION "0.1"

enum { EXIT_NONE = 1, EXIT_BAD = 2 };

static const char usage_text[] =
	"usage: vmcsinfo show [--sysfs DIR] [--cpuinfo FILE]\n"
	"       vmcsinfo note [--sysfs DIR] [--cpuinfo FILE] -o FILE\n"
	"       vmcsinfo carrier [--sysfs DIR] [--cpuinfo FILE] -o FILE\n"
	"       vmcsinfo kvminfo [--btf DIR] [--kallsyms FILE] [--sysfs-cpu DIR]\n"
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
	char err[512];
	int rc = vmcsinfo_from_sysfs(sysfs, vi, err, sizeof(err));

	if (rc == -ENOENT) {
		fprintf(stderr, "vmcsinfo: %s\n", err);
		return EXIT_NONE;
	}
	if (rc < 0) {
		fprintf(stderr, "vmcsinfo: bad VMCS layout: %s\n", err);
		return EXIT_BAD;
	}
	vmcsinfo_add_cpuinfo(vi, cpuinfo);
	return 0;
}

/*
 * A KVMINFO descriptor must be printable text: "KVMINFO_VERSION=<n>"
 * first, then KEY=VALUE lines.  0, or -1 with a message in err.
 */
static int check_kvminfo(const char *text, size_t len, char *err, size_t errsz)
{
	static const char first[] = "KVMINFO_VERSION=";
	unsigned int lineno = 0;
	size_t i, start;

	for (i = strnlen(text, len); i < len; i++) {
		if (text[i]) {
			snprintf(err, errsz,
				 "data after the terminating NUL at byte %zu",
				 strnlen(text, len));
			return -1;
		}
	}
	len = strnlen(text, len);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c < 0x20 && c != '\n') || c >= 0x7f) {
			snprintf(err, errsz,
				 "byte %zu: not printable ASCII (0x%02x)", i,
				 c);
			return -1;
		}
	}
	if (len < sizeof(first) || memcmp(text, first, sizeof(first) - 1) ||
	    text[sizeof(first) - 1] < '1' || text[sizeof(first) - 1] > '9') {
		snprintf(err, errsz, "does not start with %s<number>", first);
		return -1;
	}
	for (start = 0; start < len;) {
		const char *nl = memchr(text + start, '\n', len - start);
		size_t l = nl ? (size_t)(nl - (text + start)) : len - start;
		const char *eq = memchr(text + start, '=', l);

		lineno++;
		if (l && (!eq || eq == text + start)) {
			snprintf(err, errsz, "line %u: not a KEY=VALUE line",
				 lineno);
			return -1;
		}
		start += l + 1;
	}
	return 0;
}

static int cmd_read(const char *dump, const char *notes_file, const char *name)
{
	int kvm = !strcmp(name, KVMINFO_NOTE_NAME);
	struct vmcsinfo vi;
	const char *from = NULL;
	char err[512];
	size_t len;
	void *desc;
	int rc;

	rc = dumpnotes_find_ex(dump, notes_file, name,
			       kvm ? KVMINFO_NOTE_TYPE : VMCSINFO_NOTE_TYPE,
			       &desc, &len, &from, err, sizeof(err));
	if (rc == 1) {
		fprintf(stderr, "vmcsinfo: %s\n", err);
		return EXIT_NONE;
	}
	if (rc < 0) {
		fprintf(stderr, "vmcsinfo: %s\n", err);
		return EXIT_BAD;
	}
	if (kvm ? check_kvminfo(desc, len, err, sizeof(err)) < 0 :
		  vmcsinfo_parse(desc, len, &vi, err, sizeof(err)) < 0) {
		fprintf(stderr, "vmcsinfo: %s: %s note is invalid: %s\n", from,
			name, err);
		free(desc);
		return EXIT_BAD;
	}
	if (from != dump)
		fprintf(stderr, "vmcsinfo: %s has no %s note; using %s\n", dump,
			name, from);
	len = strnlen(desc, len); /* up to the NUL padding, checked above */
	fwrite(desc, 1, len, stdout);
	if (len && ((char *)desc)[len - 1] != '\n')
		putchar('\n');
	free(desc);
	return fflush(stdout) ? EXIT_BAD : 0;
}

/* kvminfo and kvminfo-note. */
static int cmd_kvminfo(const struct kvminfo_source *src, const char *out)
{
	char err[512];
	int n;

	if (!out) {
		char *text = malloc(KVMINFO_TEXT_MAX);

		if (!text)
			return EXIT_BAD;
		n = kvminfo_format(src, text, KVMINFO_TEXT_MAX, err,
				   sizeof(err));
		if (n >= 0)
			fwrite(text, 1, (size_t)n, stdout);
		free(text);
	} else {
		static unsigned char note[KVMINFO_TEXT_MAX + 64];

		n = kvminfo_note(src, note, sizeof(note), err, sizeof(err));
		if (n >= 0)
			return write_out(out, note, (size_t)n);
	}
	if (n == -ENOENT) {
		fprintf(stderr, "vmcsinfo: no KVMINFO: %s\n", err);
		return EXIT_NONE;
	}
	if (n < 0) {
		fprintf(stderr, "vmcsinfo: no KVMINFO: %s\n", err);
		return EXIT_BAD;
	}
	return fflush(stdout) ? EXIT_BAD : 0;
}

int main(int argc, char **argv)
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sysfs = NULL, *cpuinfo = NULL, *notes = NULL, *out = NULL;
	const char *name = NULL;
	struct kvminfo_source ksrc = { NULL, NULL, NULL, NULL };
	int kvm_opts = 0;
	const char *cmd;
	struct vmcsinfo vi;
	int c, rc;

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
	cmd = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			sysfs = optarg;
			break;
		case 'c':
			cpuinfo = optarg;
			break;
		case 'n':
			notes = optarg;
			break;
		case 'N':
			name = optarg;
			break;
		case 'b':
			ksrc.btf_dir = optarg;
			kvm_opts = 1;
			break;
		case 'k':
			ksrc.kallsyms = optarg;
			kvm_opts = 1;
			break;
		case 'C':
			ksrc.cpu_dir = optarg;
			kvm_opts = 1;
			break;
		case 'o':
			out = optarg;
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

	if (!strcmp(cmd, "read")) {
		if (sysfs || cpuinfo || out || kvm_opts)
			return usage_error("read takes only --name, --notes "
					   "and DUMP");
		if (optind != argc - 1)
			return usage_error("read needs exactly one DUMP");
		if (!name)
			name = VMCSINFO_NOTE_NAME;
		if (strcmp(name, VMCSINFO_NOTE_NAME) &&
		    strcmp(name, KVMINFO_NOTE_NAME))
			return usage_error("--name is VMCSINFO or KVMINFO");
		return cmd_read(argv[optind], notes, name);
	}
	if (optind != argc)
		return usage_error("unexpected argument");
	if (notes || name)
		return usage_error("--notes and --name are for read");
	if (!strcmp(cmd, "kvminfo") || !strcmp(cmd, "kvminfo-note")) {
		if (sysfs || cpuinfo)
			return usage_error("--sysfs and --cpuinfo are for the "
					   "VMCSINFO commands");
		if (!strcmp(cmd, "kvminfo") && out)
			return usage_error("kvminfo prints to standard output");
		if (!strcmp(cmd, "kvminfo-note") && !out)
			return usage_error("-o FILE is required");
		return cmd_kvminfo(&ksrc, out);
	}
	if (strcmp(cmd, "show") && strcmp(cmd, "note") &&
	    strcmp(cmd, "carrier"))
		return usage_error("unknown command");
	if (kvm_opts)
		return usage_error("--btf, --kallsyms and --sysfs-cpu are for "
				   "the kvminfo commands");
	if (!strcmp(cmd, "show") && out)
		return usage_error("show prints to standard output");
	if (strcmp(cmd, "show") && !out)
		return usage_error("-o FILE is required");

	rc = load_layout(sysfs, cpuinfo, &vi);
	if (rc)
		return rc;
	if (!strcmp(cmd, "show")) {
		char text[VMCSINFO_TEXT_MAX];
		int n = vmcsinfo_format(&vi, text, sizeof(text));

		if (n < 0) {
			fprintf(stderr, "vmcsinfo: descriptor too large\n");
			return EXIT_BAD;
		}
		fwrite(text, 1, (size_t)n, stdout);
		return fflush(stdout) ? EXIT_BAD : 0;
	} else {
		static unsigned char note[VMCSINFO_TEXT_MAX + 64];
		unsigned char *cpio;
		size_t clen;
		int n = vmcsinfo_note(&vi, note, sizeof(note));

		if (n < 0) {
			fprintf(stderr, "vmcsinfo: cannot build the note: %s\n",
				strerror(-n));
			return EXIT_BAD;
		}
		if (!strcmp(cmd, "note"))
			return write_out(out, note, (size_t)n);
		clen = loadnotes_cpio_size((size_t)n);
		cpio = malloc(clen);
		if (!cpio || loadnotes_cpio_build(cpio, clen, note, (size_t)n,
						  0) != clen) {
			fprintf(stderr, "vmcsinfo: cannot build the archive\n");
			free(cpio);
			return EXIT_BAD;
		}
		rc = write_out(out, cpio, clen);
		free(cpio);
		return rc;
	}
}
