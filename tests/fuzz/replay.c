// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fuzz corpora through the CLI (make check-corpus): each input of a
 * target's corpus becomes the host dump, or the option file, that its
 * bytes stand for in the target, and vmcore-guests (the plain build, no
 * sanitizer) runs on it as the capture kernel would.  Whatever the bytes,
 * the CLI must end by exit 0, 1 or 2, with a message on stderr when not
 * 0, within 60 s and in at most 32 MiB of RSS.  The intact host of each
 * target is run first and must give exit 0: the mapping below is right.
 *
 *   fuzz-replay CLI TARGET DIR|FILE...
 *
 * What an input is, by target (the targets: docs/fuzzing.md):
 *   hostdump   the dump file itself
 *   kvmwalk, kallsyms, hostmods
 *              its patches (tests/fuzz/fuzz.h) over the pieces of
 *              tests/fuzz/pieces.h in the unit tests' KVM host; kallsyms
 *              and hostmods on the host that describes itself and has no
 *              KVMINFO note, so that the CLI reads what they damage
 *   kvmdesc    byte 0 a piece, bytes 1-2 an offset, the rest written there
 *   hostbtf    the blob over the vmlinux BTF, or with byte 0 bit 0 over
 *              kvm's BTF
 *   vmcs, vmcb the page as vCPU 0's VMCS (an Intel host; odd byte 0: the
 *              vmcs12 revision id at its head) or VMCB
 *   gpmap      its pages over the first page tables the host allocated
 *              (the kernel's, QEMU's, the NPT)
 *   guestcore  its pages as the guest's RAM from gpa 0; byte 1 bit 1:
 *              --compress zlib --dump-level 31
 *   vmcsinfo   the text as --vmcsinfo FILE on an Intel host
 *   kvminfo, vmcoreinfo
 *              the text as the dump's KVMINFO or VMCOREINFO note
 *   elfnote    the bytes as the dump's PT_NOTE
 *   loadnotes  the file as --notes FILE on a host without KVMINFO note
 *
 * The CLI is started by a runner forked before any host is built: a
 * child's maxrss counts what it had before exec, and ours is 70 MiB.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "notes/elfnote.h"
#include "src/vmx.h"
#include "tests/fuzz/pieces.h"
#include "tests/src/fixture.h"
#include "tests/src/kvmfixture.h"

#define RSS_MAX_KB (32 * 1024)
#define INPUT_MAX (16u << 20)

static char tmp[PATH_MAX - 64], dump[PATH_MAX], out[PATH_MAX],
	optfile[PATH_MAX], errpath[PATH_MAX];
static int to_runner = -1, from_runner = -1;

static void die(const char *what)
{
	fprintf(stderr, "fuzz-replay: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void put_all(int fd, const void *b, size_t n)
{
	for (const char *p = b; n;) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			die("write");
		p += w;
		n -= (size_t)w;
	}
}

static int get_all(int fd, void *b, size_t n)
{
	for (char *p = b; n;) {
		ssize_t r = read(fd, p, n);

		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

struct result {
	int status; /* as wait4() gave it */
	long maxrss_kb;
};

/*
 * The runner: reads an argv (count, then each length and bytes), runs
 * it with stdout to /dev/null and stderr to errpath, and answers with
 * its wait status and maxrss.
 */
static void runner(int in, int res)
{
	for (;;) {
		uint32_t argc, len;
		char *argv[16] = { 0 };
		struct result r;
		struct rusage ru;
		pid_t pid;

		if (get_all(in, &argc, sizeof(argc)))
			_exit(0);
		if (argc == 0 || argc >= 16)
			_exit(2);
		for (uint32_t i = 0; i < argc; i++) {
			if (get_all(in, &len, sizeof(len)) || len > PATH_MAX ||
			    !(argv[i] = calloc(1, len + 1)) ||
			    get_all(in, argv[i], len))
				_exit(2);
		}
		pid = fork();
		if (pid < 0)
			_exit(2);
		if (pid == 0) {
			int o = open("/dev/null", O_WRONLY);
			int e = open(errpath, O_WRONLY | O_CREAT | O_TRUNC,
				     0600);

			if (o < 0 || e < 0)
				_exit(127);
			dup2(o, 1);
			dup2(e, 2);
			alarm(60); /* kept across exec: a hang dies of it */
			execv(argv[0], argv);
			_exit(127);
		}
		if (wait4(pid, &r.status, 0, &ru) != pid)
			_exit(2);
		r.maxrss_kb = ru.ru_maxrss;
		put_all(res, &r, sizeof(r));
		for (uint32_t i = 0; i < argc; i++)
			free(argv[i]);
	}
}

static void start_runner(void)
{
	int req[2], res[2];
	pid_t pid;

	if (pipe(req) || pipe(res))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(req[1]);
		close(res[0]);
		runner(req[0], res[1]);
	}
	close(req[0]);
	close(res[1]);
	to_runner = req[1];
	from_runner = res[0];
}

static void run(const char *const *argv, struct result *r)
{
	uint32_t argc = 0, len;

	while (argv[argc])
		argc++;
	put_all(to_runner, &argc, sizeof(argc));
	for (uint32_t i = 0; i < argc; i++) {
		len = (uint32_t)strlen(argv[i]);
		put_all(to_runner, &len, sizeof(len));
		put_all(to_runner, argv[i], len);
	}
	if (get_all(from_runner, r, sizeof(*r))) {
		fprintf(stderr, "fuzz-replay: the runner died\n");
		exit(2);
	}
}

static void write_file(const char *path, const void *b, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		die(path);
	put_all(fd, b, n);
	close(fd);
}

/* The input's bytes (at most INPUT_MAX); NULL when it cannot be read. */
static uint8_t *read_input(const char *path, size_t *size)
{
	uint8_t *b = malloc(INPUT_MAX);
	int fd = open(path, O_RDONLY);
	ssize_t n = 0;

	*size = 0;
	if (!b || fd < 0) {
		free(b);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	while (*size < INPUT_MAX &&
	       (n = read(fd, b + *size, INPUT_MAX - *size)) > 0)
		*size += (size_t)n;
	close(fd);
	if (n < 0) {
		free(b);
		return NULL;
	}
	return b;
}

enum kind {
	K_FILE, /* the dump itself */
	K_PATCH, /* fz_patch() over pieces */
	K_KVMDESC,
	K_HOSTBTF,
	K_PAGE, /* vmcs, vmcb */
	K_GPMAP,
	K_GUESTCORE,
	K_VMCSINFO,
	K_NOTE, /* kvminfo, vmcoreinfo: the text as a note */
	K_ELFNOTE,
	K_LOADNOTES,
};

static const struct target {
	const char *name;
	enum kind kind;
	struct kfx_opts opts;
	const struct fz_piece *pieces;
	size_t npieces;
	const char *note;
} targets[] = {
	{ "hostdump", K_FILE, { 0 }, NULL, 0, NULL },
	{ "kvmwalk",
	  K_PATCH,
	  { .has_vm_type = 1 }, /* vm_type 0: a plain VM */
	  fz_pieces_kvmwalk,
	  FZ_NPIECES(fz_pieces_kvmwalk),
	  NULL },
	{ "kallsyms",
	  K_PATCH,
	  { .self_describe = 1, .no_kvminfo = 1 },
	  fz_pieces_kallsyms,
	  FZ_NPIECES(fz_pieces_kallsyms),
	  NULL },
	{ "hostmods",
	  K_PATCH,
	  { .self_describe = 1, .no_kvminfo = 1 },
	  fz_pieces_hostmods,
	  FZ_NPIECES(fz_pieces_hostmods),
	  NULL },
	{ "kvmdesc",
	  K_KVMDESC,
	  { .self_describe = 1, .no_kvminfo = 1 },
	  fz_pieces_kvmdesc,
	  FZ_NPIECES(fz_pieces_kvmdesc),
	  NULL },
	{ "hostbtf",
	  K_HOSTBTF,
	  { .self_describe = 1, .no_kvminfo = 1 },
	  NULL,
	  0,
	  NULL },
	{ "vmcs", K_PAGE, { .vmx = 1 }, NULL, 0, NULL },
	{ "vmcb", K_PAGE, { 0 }, NULL, 0, NULL },
	{ "gpmap", K_GPMAP, { 0 }, NULL, 0, NULL },
	{ "guestcore", K_GUESTCORE, { 0 }, NULL, 0, NULL },
	{ "vmcsinfo", K_VMCSINFO, { .vmx = 1 }, NULL, 0, NULL },
	{ "kvminfo", K_NOTE, { .no_kvminfo = 1 }, NULL, 0, "KVMINFO" },
	{ "vmcoreinfo", K_NOTE, { 0 }, NULL, 0, "VMCOREINFO" },
	{ "elfnote", K_ELFNOTE, { 0 }, NULL, 0, NULL },
	{ "loadnotes", K_LOADNOTES, { .no_kvminfo = 1 }, NULL, 0, NULL },
};

/* The notes of fx without the one named (elfnote_walk() callback). */
struct keep {
	struct fx *fx;
	const char *drop;
	uint8_t notes[sizeof(((struct fx *)0)->notes)];
	size_t len;
};

static int keep_note(const struct elfnote *n, void *arg)
{
	struct keep *k = arg;
	size_t len = n->end - n->offset;

	if (n->namesz && !strncmp(n->name, k->drop, n->namesz) &&
	    strlen(k->drop) + 1 == n->namesz)
		return 0;
	if (k->len + len > sizeof(k->notes))
		return 1;
	memcpy(k->notes + k->len, k->fx->notes + n->offset, len);
	k->len += len;
	return 0;
}

static void drop_note(struct fx *fx, const char *name)
{
	static struct keep k;

	k.fx = fx;
	k.drop = name;
	k.len = 0;
	if (elfnote_walk(fx->notes, fx->notes_len, keep_note, &k, NULL))
		abort();
	memcpy(fx->notes, k.notes, k.len);
	fx->notes_len = k.len;
}

static void put(struct fx *fx, uint64_t pa, const uint8_t *b, size_t n,
		uint64_t room)
{
	memcpy(fx_ptr(fx, pa), b, n < room ? n : room);
}

/*
 * Lay the input into fx (restored before each input) as its target
 * reads it; extra CLI arguments go to args (NULL-terminated).
 */
static void apply(const struct target *t, struct fx *fx, const uint8_t *d,
		  size_t n, const char **args)
{
	static struct fz_undo undo; /* its undo is the restore */
	const struct vmcsinfo *vi = vg_vmcs12_layout();

	switch (t->kind) {
	case K_FILE:
		break;
	case K_PATCH:
		fz_patch(fx->ram, t->pieces, t->npieces, d, n, &undo);
		break;
	case K_KVMDESC:
		if (n >= 3) {
			const struct fz_piece *p =
				&t->pieces[d[0] % t->npieces];
			uint64_t off = (d[1] | (uint64_t)d[2] << 8) % p->len;

			put(fx, p->pa + off, d + 3, n - 3, p->len - off);
		}
		break;
	case K_HOSTBTF:
		if (n >= 1)
			put(fx, d[0] & 1 ? 0x320000 : KIMG_PA(KI_BTF), d + 1,
			    n - 1, 64u << 10);
		break;
	case K_PAGE:
		memset(fx_ptr(fx, KFX_VMCB0), 0, FX_PAGE);
		put(fx, KFX_VMCB0, d, n, FX_PAGE);
		if (t->opts.vmx && n && (d[0] & 1))
			memcpy(fx_ptr(fx, KFX_VMCB0), &vi->revision_id, 4);
		break;
	case K_GPMAP:
		if (n > 8)
			put(fx, 16 * MiB, d + 8, n - 8, 16 * FX_PAGE);
		break;
	case K_GUESTCORE:
		for (size_t g = 0; n > 4 && g < 16 && g * FX_PAGE < n - 4; g++)
			if (g != KFX_HOLE_GFN)
				put(fx, RAM_A + g * FX_PAGE,
				    d + 4 + g * FX_PAGE, n - 4 - g * FX_PAGE,
				    FX_PAGE);
		if (n > 1 && (d[1] & 2)) {
			*args++ = "--compress";
			*args++ = "zlib";
			*args++ = "--dump-level";
			*args++ = "31";
		}
		break;
	case K_VMCSINFO:
		write_file(optfile, d, n);
		*args++ = "--vmcsinfo";
		*args++ = optfile;
		break;
	case K_NOTE:
		drop_note(fx, t->note);
		if (n > sizeof(fx->notes) - fx->notes_len - 64)
			n = sizeof(fx->notes) - fx->notes_len - 64;
		fx_note(fx, t->note, 0, d, n);
		break;
	case K_ELFNOTE:
		if (n > sizeof(fx->notes))
			n = sizeof(fx->notes);
		memcpy(fx->notes, d, n);
		fx->notes_len = n;
		break;
	case K_LOADNOTES:
		write_file(optfile, d, n);
		*args++ = "--notes";
		*args++ = optfile;
		break;
	}
	*args = NULL;
}

struct tally {
	unsigned inputs, bad, exits[3];
	long maxrss_kb;
	char maxrss_at[PATH_MAX];
};

/* One input (NULL: the intact host); 0 when the CLI behaved. */
static int one(const char *cli, const struct target *t, struct fx *fx,
	       const uint8_t *ram, const uint8_t *notes, size_t notes_len,
	       const char *name, const uint8_t *d, size_t n, struct tally *ty)
{
	const char *argv[16] = { cli };
	char msg[256] = "";
	struct result r;
	struct stat st;
	int i = 1, bad = 0;

	if (t->kind == K_FILE && d) {
		write_file(dump, d, n);
	} else {
		memcpy(fx->ram, ram, fx->ram_size);
		memcpy(fx->notes, notes, notes_len);
		fx->notes_len = notes_len;
		if (d)
			apply(t, fx, d, n, argv + 1);
		while (argv[i])
			i++;
		if (fx_write_elf(fx, dump, NULL))
			die(dump);
	}
	argv[i++] = dump;
	argv[i++] = out;
	argv[i] = NULL;
	run(argv, &r);
	fx_rm_rf(out);
	if (stat(errpath, &st))
		st.st_size = 0;
	if (WIFSIGNALED(r.status)) {
		snprintf(msg, sizeof(msg), "died by signal %d%s",
			 WTERMSIG(r.status),
			 WTERMSIG(r.status) == SIGALRM ? " (60 s passed)" : "");
	} else if (WEXITSTATUS(r.status) > 2) {
		snprintf(msg, sizeof(msg), "exit %d", WEXITSTATUS(r.status));
	} else {
		ty->exits[WEXITSTATUS(r.status)]++;
		if (WEXITSTATUS(r.status) && !st.st_size)
			snprintf(msg, sizeof(msg), "exit %d without a message",
				 WEXITSTATUS(r.status));
		else if (!d && WEXITSTATUS(r.status))
			snprintf(msg, sizeof(msg),
				 "the intact host gives exit %d",
				 WEXITSTATUS(r.status));
	}
	if (r.maxrss_kb > ty->maxrss_kb) {
		ty->maxrss_kb = r.maxrss_kb;
		snprintf(ty->maxrss_at, sizeof(ty->maxrss_at), "%s", name);
	}
	if (!msg[0] && r.maxrss_kb > RSS_MAX_KB)
		snprintf(msg, sizeof(msg), "%ld KiB of RSS, over %d",
			 r.maxrss_kb, RSS_MAX_KB);
	if (msg[0]) {
		char line[512] = "";
		FILE *f = fopen(errpath, "r");

		if (f) {
			if (!fgets(line, sizeof(line), f))
				line[0] = '\0';
			fclose(f);
		}
		line[strcspn(line, "\n")] = '\0';
		fprintf(stderr, "fuzz-replay %s: %s: %s%s%s\n", t->name, name,
			msg, line[0] ? "; stderr: " : "", line);
		bad = 1;
	}
	ty->inputs += d != NULL;
	ty->bad += bad;
	return bad;
}

static int is_dir(const char *p)
{
	struct stat st;

	return !stat(p, &st) && S_ISDIR(st.st_mode);
}

int main(int argc, char **argv)
{
	const struct target *t = NULL;
	struct tally ty = { 0 };
	uint8_t *ram = NULL, *notes = NULL;
	struct fx *fx = NULL;
	size_t notes_len = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: fuzz-replay CLI TARGET DIR|FILE...\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		if (!strcmp(targets[i].name, argv[2]))
			t = &targets[i];
	if (!t) {
		fprintf(stderr, "fuzz-replay: no target %s\n", argv[2]);
		return 2;
	}
	if (fx_tmpdir(tmp, sizeof(tmp)))
		die("mkdtemp");
	snprintf(dump, sizeof(dump), "%s/vmcore", tmp);
	snprintf(out, sizeof(out), "%s/guests", tmp);
	snprintf(optfile, sizeof(optfile), "%s/option", tmp);
	snprintf(errpath, sizeof(errpath), "%s/stderr", tmp);
	start_runner();

	fx = kfx_build(&t->opts);
	ram = malloc(fx->ram_size);
	notes = malloc(sizeof(fx->notes));
	if (!ram || !notes)
		die("malloc");
	memcpy(ram, fx->ram, fx->ram_size);
	notes_len = fx->notes_len;
	memcpy(notes, fx->notes, notes_len);
	one(argv[1], t, fx, ram, notes, notes_len, "(the intact host)", NULL, 0,
	    &ty);

	for (int a = 3; a < argc; a++) {
		struct dirent **ents = NULL;
		int nents = 1;

		if (is_dir(argv[a])) {
			nents = scandir(argv[a], &ents, NULL, alphasort);
			if (nents < 0)
				die(argv[a]);
		}
		for (int e = 0; e < nents; e++) {
			char path[2 * PATH_MAX];
			uint8_t *d;
			size_t n;

			if (ents) {
				if (ents[e]->d_name[0] == '.') {
					free(ents[e]);
					continue;
				}
				snprintf(path, sizeof(path), "%s/%s", argv[a],
					 ents[e]->d_name);
				free(ents[e]);
			} else {
				snprintf(path, sizeof(path), "%s", argv[a]);
			}
			d = read_input(path, &n);
			if (!d)
				die(path);
			one(argv[1], t, fx, ram, notes, notes_len, path, d, n,
			    &ty);
			free(d);
		}
		free(ents);
	}
	printf("corpus %s: %u inputs: exit 0 %u, 1 %u, 2 %u; max RSS %ld KiB "
	       "(%s); %u failed\n",
	       t->name, ty.inputs, ty.exits[0], ty.exits[1], ty.exits[2],
	       ty.maxrss_kb, ty.maxrss_at, ty.bad);
	close(to_runner);
	fx_free(fx);
	free(ram);
	free(notes);
	fx_rm_rf(tmp);
	return ty.bad ? 1 : 0;
}
