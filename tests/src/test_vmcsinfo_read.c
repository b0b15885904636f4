// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * "vmcsinfo read": the note text from a host dump, read through the same
 * dump handle as vmcore-guests (src/hostdump.c) and the same carrier
 * lookup (src/loadtime.c): ELF and kdump-compressed dumps from the
 * fixture, the --notes fallback, the unpacked kexec -s carrier, and
 * every kind of unusable input with its exit status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "notes/carrier.h"
#include "notes/loadnotes.h"
#include "tests/src/fixture.h"

static char bin[PATH_MAX];
static struct fx_scratch *t;

static const char vmcs_text[] = "VMCSINFO_VERSION=1\n"
				"REVISION_ID=0x2b\n"
				"FIELD(0x0800)=0x10\n"
				"FIELD(0x681e)=0x1f8\n"
				"SOURCE=sysfs\n";
static const char kvm_text[] = "KVMINFO_VERSION=1\n"
			       "OSRELEASE=6.1.0-test\n"
			       "VENDOR=svm\n"
			       "SYMBOL(vm_list)=ffffffffc0a01230\n"
			       "OFFSET(kvm.mm)=4660\n";
static const char vmci[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";

/* Run "vmcsinfo ARGS" in the scratch dir; stdout to out, stderr to err. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int run(const char *fmt, ...)
{
	char args[2048], *cmd;
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	if (asprintf(&cmd, "cd '%s' && '%s' %s >out 2>err", t->dir, bin, args) <
	    0)
		abort();
	st = system(cmd);
	free(cmd);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static char *slurp_in(const char *name)
{
	char path[8192], *s = calloc(1, 65536);
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(fread(s, 1, 65535, f) < 65535);
	fclose(f);
	return s;
}

/* stderr is exactly one line containing what. */
static void err_is(const char *what)
{
	char *e = slurp_in("err");

	if (!strstr(e, what) || !strchr(e, '\n') || strchr(e, '\n')[1])
		fail_msg("stderr \"%s\", wanted one line with \"%s\"", e, what);
	free(e);
}

static void out_is(const char *want)
{
	char *o = slurp_in("out");

	assert_string_equal(o, want);
	free(o);
}

/* A small host dump with VMCOREINFO and the given notes. */
static void dump(const char *name, int kdump, const char *vmcs, const char *kvm,
		 uint64_t cut)
{
	struct fx *fx = fx_new(4ull << 20, 1ull << 20);
	struct fx_write_opts o = { .truncate_to = cut };
	char path[8192];

	fx_note(fx, "CORE", 1, (char[336]){ 0 }, 336);
	fx_note(fx, "VMCOREINFO", 0, vmci, sizeof(vmci) - 1);
	if (vmcs)
		fx_note(fx, "VMCSINFO", 0, vmcs, strlen(vmcs));
	if (kvm)
		fx_note(fx, "KVMINFO", 0, kvm, strlen(kvm));
	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	assert_int_equal(kdump ? fx_write_kdump(fx, path, &o) :
				 fx_write_elf(fx, path, &o),
			 0);
	fx_free(fx);
}

/* A plain note sequence (what the carrier holds) in the scratch dir. */
static void notes_file(const char *name, const char *note_name,
		       const char *text)
{
	unsigned char buf[4096];
	size_t n = loadnote_build(buf, sizeof(buf), note_name, 0, text,
				  strlen(text));
	char path[8192];
	FILE *f;

	assert_true(n > 0);
	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, n, f), n);
	fclose(f);
}

static int setup(void **state)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	(void)state;
	if (n < 0)
		return -1;
	exe[n] = '\0';
	snprintf(bin, sizeof(bin), "%s/../bin/vmcsinfo", dirname(exe));
	if (access(bin, X_OK))
		return -1;
	t = fx_scratch_new();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_scratch_free(t);
	return 0;
}

static void elf_and_kdump(void **state)
{
	(void)state;
	dump("vmcore", 0, vmcs_text, kvm_text, 0);
	assert_int_equal(run("read vmcore"), 0);
	out_is(vmcs_text);
	assert_int_equal(run("read --name KVMINFO vmcore"), 0);
	out_is(kvm_text);
	/* binutils sees the same note */
	{
		char cmd[8192 + 128];

		snprintf(
			cmd, sizeof(cmd),
			"readelf -n '%s/vmcore' | grep -q 'VMCSINFO  *0x0*%zx'",
			t->dir, strlen(vmcs_text));
		assert_int_equal(system(cmd), 0);
	}
	dump("dump.kdump", 1, vmcs_text, kvm_text, 0);
	assert_int_equal(run("read dump.kdump"), 0);
	out_is(vmcs_text);
	assert_int_equal(run("read --name KVMINFO dump.kdump"), 0);
	out_is(kvm_text);
}

static void carrier_fallback(void **state)
{
	(void)state;
	dump("plain", 0, NULL, NULL, 0);
	assert_int_equal(run("read plain"), 1);
	err_is("no VMCSINFO note in plain");
	out_is("");
	notes_file("v.note", "VMCSINFO", vmcs_text);
	assert_int_equal(run("read --notes v.note plain"), 0);
	out_is(vmcs_text);
	err_is("plain has no VMCSINFO note; using v.note");
	assert_int_equal(run("read --name KVMINFO --notes v.note plain"), 1);
	err_is("no KVMINFO note in plain nor in v.note");
	/* the dump's own note wins over the file */
	dump("own", 0,
	     "VMCSINFO_VERSION=1\nREVISION_ID=0x11\n"
	     "FIELD(0x0800)=0x10\n",
	     NULL, 0);
	assert_int_equal(run("read --notes v.note own"), 0);
	out_is("VMCSINFO_VERSION=1\nREVISION_ID=0x11\nFIELD(0x0800)=0x10\n");
	/* the cpio carrier, unpacked as the kernel unpacks it */
	{
		unsigned char note[4096], *cpio;
		size_t n = loadnote_build(note, sizeof(note), "VMCSINFO", 0,
					  vmcs_text, strlen(vmcs_text));
		size_t clen = loadnotes_cpio_size(n);
		char path[8192];
		FILE *f;

		cpio = malloc(clen);
		assert_int_equal(loadnotes_cpio_build(cpio, clen, note, n, 0),
				 clen);
		snprintf(path, sizeof(path), "%s/c.cpio", t->dir);
		f = fopen(path, "w");
		assert_int_equal(fwrite(cpio, 1, clen, f), clen);
		fclose(f);
		free(cpio);
	}
	assert_int_equal(system("true"), 0);
	{
		char cmd[8192 + 128];

		snprintf(cmd, sizeof(cmd),
			 "cd '%s' && mkdir -p root && cd root && "
			 "cpio -id --quiet < ../c.cpio",
			 t->dir);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(run("read --notes root/" LOADNOTES_CPIO_NAME " plain"),
			 0);
	out_is(vmcs_text);
	/* a named carrier that is not a note sequence is an error */
	{
		char path[8192];
		FILE *f;

		snprintf(path, sizeof(path), "%s/bad.notes", t->dir);
		f = fopen(path, "w");
		fwrite("\x09\0\0\0\xff\xff\0\0\0\0\0\0", 1, 12, f);
		fclose(f);
	}
	assert_int_equal(run("read --notes bad.notes plain"), 2);
	err_is("--notes bad.notes");
	assert_int_equal(run("read --notes missing.notes plain"), 2);
	err_is("missing.notes");
}

static void unusable_input(void **state)
{
	char path[8192];
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/junk", t->dir);
	f = fopen(path, "w");
	fputs("this is not a dump at all", f);
	fclose(f);
	assert_int_equal(run("read junk"), 2);
	err_is("not an ELF or kdump-compressed dump");
	snprintf(path, sizeof(path), "%s/flat", t->dir);
	f = fopen(path, "w");
	fwrite("makedumpfile\0\0\0\0", 1, 16, f);
	for (int i = 0; i < 4096; i++)
		fputc(0, f);
	fclose(f);
	assert_int_equal(run("read flat"), 2);
	err_is("makedumpfile -R");
	assert_int_equal(run("read missing"), 2);
	err_is("missing");
	/* cut inside the notes: refused; cut after them: the notes read */
	dump("cut", 0, vmcs_text, NULL, 300);
	assert_int_equal(run("read cut"), 2);
	err_is("truncated");
	dump("cutmem", 0, vmcs_text, NULL, 3ull << 20);
	assert_int_equal(run("read cutmem"), 0);
	/* notes whose text is bad */
	dump("badv", 0, "VMCSINFO_VERSION=1\nREVISION_ID=0x8000002b\n", NULL,
	     0);
	assert_int_equal(run("read badv"), 2);
	err_is("VMCSINFO note is invalid");
	dump("badk", 0, NULL, "SYMBOL(vm_list)=1\n", 0);
	assert_int_equal(run("read --name KVMINFO badk"), 2);
	err_is("KVMINFO note is invalid: KVMINFO: no KVMINFO_VERSION line");
	dump("badk2", 0, NULL, "KVMINFO_VERSION=1\nnot a key\n", 0);
	assert_int_equal(run("read --name KVMINFO badk2"), 2);
	err_is("line 2: not a KEY=VALUE line");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(elf_and_kdump),
		cmocka_unit_test(carrier_fallback),
		cmocka_unit_test(unusable_input),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
