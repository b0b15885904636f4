// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmcsinfo: show the host's VMCS layout as VMCSINFO text, write it as an
 * ELF note or as the "kexec -s" cpio carrier, and read it back from a
 * crash dump.  Exit status: 0 ok, 1 nothing there (no provider, no note),
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
#include "kexec/loadnotes-cpio.h"
#include "kexec/vmcsinfo.h"

#define VMCSINFO_CLI_VERSION "0.1"

enum { EXIT_NONE = 1, EXIT_BAD = 2 };

static const char usage_text[] =
	"usage: vmcsinfo show [--sysfs DIR] [--cpuinfo FILE]\n"
	"       vmcsinfo note [--sysfs DIR] [--cpuinfo FILE] -o FILE\n"
	"       vmcsinfo carrier [--sysfs DIR] [--cpuinfo FILE] -o FILE\n"
	"       vmcsinfo read [--notes FILE] DUMP\n"
	"       vmcsinfo --help | --version\n"
	"\n"
	"show     print the VMCSINFO descriptor text of this host\n"
	"note     write the VMCSINFO ELF note (header, name, descriptor)\n"
	"carrier  write the cpio archive that carries the note for kexec -s\n"
	"read     print the VMCSINFO text found in DUMP (ELF vmcore,\n"
	"         /proc/vmcore, kdump-compressed); when DUMP has none, look\n"
	"         in --notes FILE, or for /proc/vmcore in " LOADNOTES_PATH "\n"
	"\n"
	"--sysfs DIR    tree holding vmcs_id and vmcs/ (default " VMCSINFO_SYSFS_ROOT
	")\n"
	"--cpuinfo FILE informational CPU keys from FILE (default /proc/cpuinfo)\n"
	"-o FILE        output file, '-' for standard output\n"
	"\n"
	"exit status: 0 ok, 1 no VMCS layout / no VMCSINFO note, 2 bad input\n";

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

static int cmd_read(const char *dump, const char *notes_file)
{
	struct vmcsinfo vi;
	const char *from = NULL;
	char err[512];
	size_t len;
	void *desc;
	int rc;

	rc = dumpnotes_find_ex(dump, notes_file, VMCSINFO_NOTE_NAME,
			       VMCSINFO_NOTE_TYPE, &desc, &len, &from, err,
			       sizeof(err));
	if (rc == 1) {
		fprintf(stderr, "vmcsinfo: %s\n", err);
		return EXIT_NONE;
	}
	if (rc < 0) {
		fprintf(stderr, "vmcsinfo: %s\n", err);
		return EXIT_BAD;
	}
	if (vmcsinfo_parse(desc, len, &vi, err, sizeof(err)) < 0) {
		fprintf(stderr, "vmcsinfo: %s: VMCSINFO note is invalid: %s\n",
			from, err);
		free(desc);
		return EXIT_BAD;
	}
	len = strlen(desc); /* up to the NUL padding, parse checked it */
	if (from != dump)
		fprintf(stderr, "vmcsinfo: %s has no VMCSINFO note; using %s\n",
			dump, from);
	fwrite(desc, 1, len, stdout);
	if (len && ((char *)desc)[len - 1] != '\n')
		putchar('\n');
	free(desc);
	return fflush(stdout) ? EXIT_BAD : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sysfs", required_argument, NULL, 's' },
		{ "cpuinfo", required_argument, NULL, 'c' },
		{ "notes", required_argument, NULL, 'n' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sysfs = NULL, *cpuinfo = NULL, *notes = NULL, *out = NULL;
	const char *cmd;
	struct vmcsinfo vi;
	int c, rc;

	if (argc >= 2 && !strcmp(argv[1], "--help")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc >= 2 && !strcmp(argv[1], "--version")) {
		printf("vmcsinfo %s (VMCSINFO_VERSION=%d)\n",
		       VMCSINFO_CLI_VERSION, VMCSINFO_VERSION);
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
		if (sysfs || cpuinfo || out)
			return usage_error("read takes only --notes and DUMP");
		if (optind != argc - 1)
			return usage_error("read needs exactly one DUMP");
		return cmd_read(argv[optind], notes);
	}
	if (strcmp(cmd, "show") && strcmp(cmd, "note") &&
	    strcmp(cmd, "carrier"))
		return usage_error("unknown command");
	if (optind != argc)
		return usage_error("unexpected argument");
	if (notes)
		return usage_error("--notes is for read");
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
