// SPDX-License-Identifier: GPL-2.0-or-later
/* Runs the built vmcsinfo binary (next to this test: ../bin/vmcsinfo). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libgen.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "tests/notes/btf_fixtures.h"
#include "tests/kexec/kexec_fixtures.h"
#include "notes/notebuild.h"
#include "notes/kvminfo.h"
#include "notes/carrier.h"
#include "notes/loadnotes.h"
#include "notes/vmcsinfo-parse.h"

static char bin[PATH_MAX];
static char *dir;

static const char cpuinfo[] = "processor\t: 0\nvendor_id\t: GenuineIntel\n"
			      "cpu family\t: 6\nmodel\t\t: 85\n"
			      "stepping\t: 4\nmicrocode\t: 0x2006e05\n\n";

static const char expected[] = "VMCSINFO_VERSION=1\n"
			       "REVISION_ID=0x2b\n"
			       "FIELD(0x0800)=0x10\n"
			       "FIELD(0x2800)=0x20\n"
			       "FIELD(0x681e)=0x1f8\n"
			       "SOURCE=sysfs\n"
			       "CPU_VENDOR=GenuineIntel\n"
			       "CPU_FAMILY=6\n"
			       "CPU_MODEL=85\n"
			       "CPU_STEPPING=4\n"
			       "MICROCODE=0x2006e05\n";

/* Run "vmcsinfo ARGS" in dir; stdout to dir/out, stderr to dir/err. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int run(const char *fmt, ...)
{
	char args[2048], *cmd;
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	if (asprintf(&cmd, "cd '%s' && '%s' %s >out 2>err", dir, bin, args) < 0)
		abort();
	st = system(cmd);
	free(cmd);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static char *slurp_in(const char *name, size_t *len)
{
	char path[PATH_MAX + 64];
	size_t l = 0;
	char *s;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	s = fx_slurp(path, &l);
	assert_non_null(s);
	s = realloc(s, l + 1);
	s[l] = '\0';
	if (len)
		*len = l;
	return s;
}

/* stderr is exactly one line containing what. */
static void err_is(const char *what)
{
	char *e = slurp_in("err", NULL);

	if (!strstr(e, what) || !strchr(e, '\n') || strchr(e, '\n')[1])
		fail_msg("stderr \"%s\", wanted one line with \"%s\"", e, what);
	free(e);
}

static void out_is(const char *want)
{
	char *o = slurp_in("out", NULL);

	assert_string_equal(o, want);
	free(o);
}

static int setup(void **state)
{
	char exe[PATH_MAX], sub[PATH_MAX + 8];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	(void)state;
	if (n < 0)
		return -1;
	exe[n] = '\0';
	snprintf(bin, sizeof(bin), "%s/../bin/vmcsinfo", dirname(exe));
	if (access(bin, X_OK))
		return -1;
	dir = fx_tmpdir();
	snprintf(sub, sizeof(sub), "%s/sys", dir);
	mkdir(sub, 0755);
	snprintf(sub, sizeof(sub), "%s/sys/vmcs", dir);
	mkdir(sub, 0755);
	fx_puts(sub, "0800", "0x10\n");
	fx_puts(sub, "2800", "32\n");
	fx_puts(sub, "681e", "0x1f8\n");
	fx_puts(sub, "4000", "0\n");
	snprintf(sub, sizeof(sub), "%s/sys", dir);
	fx_puts(sub, "vmcs_id", "0x2b\n");
	fx_puts(dir, "cpuinfo", cpuinfo);
	/* KVMINFO sources: Linux 6.1 layout with kvm_amd */
	{
		struct fx_kvm_opts o = { .vendor = FX_SVM };

		snprintf(sub, sizeof(sub), "%s/kbtf", dir);
		fx_kvm_btf(sub, &o);
		fx_puts(dir, "kallsyms", FX_KALLSYMS);
		fx_puts(dir, "hidden", FX_KALLSYMS_HIDDEN);
		snprintf(sub, sizeof(sub), "%s/cpu", dir);
		mkdir(sub, 0755);
		fx_puts(sub, "possible", FX_CPU_POSSIBLE);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_rmtree(dir);
	return 0;
}

static void usage_and_version(void **state)
{
	(void)state;
	assert_int_equal(run("--help"), 0);
	{
		char *o = slurp_in("out", NULL);

		assert_non_null(strstr(o, "vmcsinfo read"));
		free(o);
	}
	assert_int_equal(run("--version"), 0);
	assert_int_equal(run("%s", ""), 2);
	assert_int_equal(run("frobnicate"), 2);
	assert_int_equal(run("show --bogus"), 2);
	assert_int_equal(run("note --sysfs sys"), 2); /* no -o */
	assert_int_equal(run("read"), 2);
	assert_int_equal(run("read a b"), 2);
	assert_int_equal(run("read --name VMCOREINFO vmcore"), 2);
	assert_int_equal(run("read --btf kbtf vmcore"), 2);
	assert_int_equal(run("kvminfo -o x"), 2);
	assert_int_equal(run("kvminfo --sysfs sys"), 2);
	assert_int_equal(run("kvminfo --name KVMINFO"), 2);
	assert_int_equal(run("kvminfo extra"), 2);
	assert_int_equal(run("kvminfo-note --btf kbtf"), 2); /* no -o */
	assert_int_equal(run("show --btf kbtf"), 2);
	assert_int_equal(run("note --kallsyms kallsyms -o x"), 2);
}

static void show(void **state)
{
	(void)state;
	assert_int_equal(run("show --sysfs sys --cpuinfo cpuinfo"), 0);
	out_is(expected);
	assert_int_equal(run("show --sysfs nowhere --cpuinfo cpuinfo"), 1);
	err_is("not loaded");
	/* a bad tree: exit 2, one line naming the file, nothing printed */
	fx_puts(dir, "sys/vmcs/0802", "0x11\n");
	assert_int_equal(run("show --sysfs sys --cpuinfo cpuinfo"), 2);
	err_is("sys/vmcs/0802");
	out_is("");
	assert_int_equal(run("note --sysfs sys -o bad.note"), 2);
	{
		char p[PATH_MAX + 32];

		snprintf(p, sizeof(p), "%s/bad.note", dir);
		assert_int_equal(access(p, F_OK), -1);
	}
	{
		char p[PATH_MAX + 32];

		snprintf(p, sizeof(p), "%s/sys/vmcs/0802", dir);
		unlink(p);
	}
}

/* note: the bytes the library builds (read is tests/src/test_vmcsinfo_read.c) */
static void note_bytes(void **state)
{
	unsigned char *note, *ref = malloc(VMCSINFO_TEXT_MAX + 64);
	struct vmcsinfo vi;
	struct vg_error err = { 0 };
	size_t len;
	int n;

	(void)state;
	assert_int_equal(run("note --sysfs sys --cpuinfo cpuinfo -o v.note"),
			 0);
	note = (unsigned char *)slurp_in("v.note", &len);
	/* the same bytes as the library builds from the same text */
	assert_int_equal(vmcsinfo_parse(expected, strlen(expected), &vi, &err),
			 0);
	n = vmcsinfo_note(&vi, ref, VMCSINFO_TEXT_MAX + 64);
	assert_int_equal(n, len);
	assert_memory_equal(note, ref, len);

	free(note);
	free(ref);
}

#define KSRC "--btf kbtf --kallsyms kallsyms --sysfs-cpu cpu"

/* kvminfo and kvminfo-note. */
static void kvminfo(void **state)
{
	struct kvminfo_source src = { "kbtf", "kallsyms", "cpu", NULL };
	static unsigned char ref[KVMINFO_TEXT_MAX + 64];
	char want[KVMINFO_TEXT_MAX], path[PATH_MAX + 32];
	struct vg_error kerr;
	unsigned char *note;
	struct utsname uts;
	size_t len;
	int n, cwd;

	(void)state;
	assert_int_equal(uname(&uts), 0);
	snprintf(want, sizeof(want),
		 "KVMINFO_VERSION=1\nOSRELEASE=%s\nVENDOR=svm\n%s", uts.release,
		 FX_KVM_NEW_BODY);
	assert_int_equal(run("kvminfo " KSRC), 0);
	out_is(want);

	/* the note: the same bytes as the library builds */
	assert_int_equal(run("kvminfo-note " KSRC " -o k.note"), 0);
	note = (unsigned char *)slurp_in("k.note", &len);
	cwd = open(".", O_RDONLY);
	assert_int_equal(chdir(dir), 0);
	n = kvminfo_note(&src, ref, sizeof(ref), &kerr);
	assert_int_equal(fchdir(cwd), 0);
	close(cwd);
	assert_int_equal(n, len);
	assert_memory_equal(note, ref, len);

	/* no KVM: exit 1; addresses hidden: exit 2; nothing written */
	assert_int_equal(run("kvminfo --btf nowhere --kallsyms kallsyms"), 1);
	err_is("no kernel BTF");
	out_is("");
	assert_int_equal(run("kvminfo-note --btf kbtf --kallsyms hidden "
			     "-o h.note"),
			 2);
	err_is("vm_list at address 0");
	snprintf(path, sizeof(path), "%s/h.note", dir);
	assert_int_equal(access(path, F_OK), -1);
	free(note);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(usage_and_version),
		cmocka_unit_test(show),
		cmocka_unit_test(note_bytes),
		cmocka_unit_test(kvminfo),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
