// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvminfo: the descriptor text from synthetic BTF (btf_fixtures.h, written
 * at test time), a fake kallsyms and a fake possible-CPU list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <sys/utsname.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/notes/btf_fixtures.h"
#include "tests/kexec/kexec_fixtures.h"
#include "notes/notebuild.h"
#include "notes/kvminfo.h"
#include "notes/loadnotes.h"

#define OSREL "6.1.0-test"
#define HEADER(vendor) "KVMINFO_VERSION=1\nOSRELEASE=" OSREL "\n" vendor

static char *dir;
static char btf[PATH_MAX], ksyms[PATH_MAX], cpus[PATH_MAX];
static char text[KVMINFO_TEXT_MAX];
static struct vg_error err;

static int setup(void **state)
{
	(void)state;
	dir = fx_tmpdir();
	snprintf(btf, sizeof(btf), "%s/btf", dir);
	snprintf(ksyms, sizeof(ksyms), "%s/kallsyms", dir);
	snprintf(cpus, sizeof(cpus), "%s/cpu", dir);
	mkdir(cpus, 0755);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fx_rmtree(dir);
	return 0;
}

/* Fresh fixture files for one test. */
static void layout(const struct fx_kvm_opts *o, const char *kallsyms,
		   const char *possible)
{
	char path[PATH_MAX + 16];
	static const char *const files[] = { "vmlinux", "kvm", "kvm_amd",
					     "kvm_intel" };
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", btf, files[i]);
		unlink(path);
	}
	fx_kvm_btf(btf, o);
	fx_puts(dir, "kallsyms", kallsyms);
	snprintf(path, sizeof(path), "%s/possible", cpus);
	unlink(path);
	if (possible)
		fx_puts(cpus, "possible", possible);
}

static int format(void)
{
	struct kvminfo_source src = { btf, ksyms, cpus, OSREL };

	err.msg[0] = '\0';
	return kvminfo_format(&src, text, sizeof(text), &err);
}

/* The exact text, and a length that matches it. */
static void text_is(const char *want)
{
	int n = format();

	if (n < 0)
		fail_msg("kvminfo_format: %d (%s)", n, err.msg);
	assert_string_equal(text, want);
	assert_int_equal(n, strlen(want));
	assert_string_equal(err.msg, "");
}

static void no_note(int want_rc, const char *reason)
{
	int n = format();

	assert_int_equal(n, want_rc);
	if (!strstr(err.msg, reason))
		fail_msg("reason \"%s\" does not mention \"%s\"", err.msg,
			 reason);
	assert_null(strchr(err.msg, '\n'));
}

static void new_layout_svm(void **state)
{
	struct fx_kvm_opts o = { .vendor = FX_SVM };

	(void)state;
	layout(&o, FX_KALLSYMS, FX_CPU_POSSIBLE);
	text_is(HEADER("VENDOR=svm\n") FX_KVM_NEW_BODY);
	/* well under the documented maximum */
	assert_true(strlen(text) < KVMINFO_TEXT_MAX / 2);
}

/*
 * A kernel with kvm->arch.vm_type (>= 6.8; a u8 since 6.10) gets its
 * offset and size, after kvm.userspace_pid; without it (the 6.1 layout
 * above, which has struct kvm_arch too) neither key is written.
 */
static void vm_type_written(void **state)
{
	struct fx_kvm_opts o = { .vendor = FX_SVM, .vm_type = 1 };

	(void)state;
	layout(&o, FX_KALLSYMS, FX_CPU_POSSIBLE);
	assert_true(format() > 0);
	if (!strstr(text, "OFFSET(kvm.userspace_pid)=4560\n"
			  "OFFSET(kvm.arch.vm_type)=1053\n"
			  "SIZE(kvm.arch.vm_type)=1\n"))
		fail_msg("no vm_type keys in\n%s", text);
	o.vm_type = 0;
	layout(&o, FX_KALLSYMS, FX_CPU_POSSIBLE);
	assert_true(format() > 0);
	assert_null(strstr(text, "vm_type"));
}

static void old_layout_vmx(void **state)
{
	struct fx_kvm_opts o = { .old = 1, .vendor = FX_VMX };

	(void)state;
	layout(&o, FX_KALLSYMS, FX_CPU_POSSIBLE);
	text_is(HEADER("VENDOR=vmx\n") FX_KVM_OLD_BODY);
}

/*
 * Members this kernel does not have are left out, each key on its own:
 * here kvm and kvm_vcpu have no members, no vendor module is loaded, and
 * kallsyms has vm_list only.
 */
static void missing_members_omitted(void **state)
{
	struct fx_kvm_opts o = { .minimal = 1 };

	(void)state;
	layout(&o, "ffffffffc0a4d2d0 d vm_list\t[kvm]\n", NULL);
	text_is(HEADER("") "SYMBOL(vm_list)=ffffffffc0a4d2d0\n"
			   "OFFSET(list_head.next)=0\n"
			   "SIZE(kvm)=4608\n"
			   "OFFSET(xarray.xa_head)=8\n"
			   "OFFSET(xa_node.shift)=0\n"
			   "OFFSET(xa_node.slots)=40\n"
			   "LENGTH(xa_node.slots)=64\n"
			   "OFFSET(rb_root.rb_node)=0\n"
			   "OFFSET(rb_node.rb_left)=16\n"
			   "OFFSET(rb_node.rb_right)=8\n"
			   "SIZE(rb_node)=24\n"
			   "SIZE(kvm_vcpu)=9600\n"
			   "OFFSET(pid.numbers)=96\n"
			   "OFFSET(upid.nr)=0\n"
			   "OFFSET(pid.tasks)=16\n"
			   "OFFSET(hlist_head.first)=0\n"
			   "OFFSET(task_struct.pid_links)=1560\n"
			   "OFFSET(task_struct.pid)=1480\n"
			   "OFFSET(task_struct.tgid)=1484\n"
			   "OFFSET(task_struct.comm)=2936\n"
			   "SIZE(task_struct.comm)=16\n"
			   "OFFSET(task_struct.__state)=24\n"
			   "OFFSET(task_struct.on_cpu)=52\n"
			   "OFFSET(task_struct.se.exec_start)=200\n"
			   "OFFSET(task_struct.sched_info.last_arrival)=896\n"
			   "OFFSET(rq.clock)=2432\n"
			   "OFFSET(mm_struct.pgd)=80\n"
			   "OFFSET(mm_struct.arg_start)=296\n"
			   "OFFSET(mm_struct.arg_end)=304\n");
}

/* Bitfield members are refused: their keys are left out. */
static void bitfields_refused(void **state)
{
	struct fx_kvm_opts o = { .vendor = FX_SVM, .bitfield = 1 };
	char *p;

	(void)state;
	layout(&o, FX_KALLSYMS, FX_CPU_POSSIBLE);
	assert_true(format() > 0);
	assert_null(strstr(text, "OFFSET(task_struct.on_cpu)="));
	assert_null(strstr(text, "OFFSET(kvm_vcpu.mode)="));
	/* the neighbours are still there */
	p = strstr(text, "OFFSET(kvm_vcpu.pid)=152\n"
			 "OFFSET(kvm_vcpu.arch.regs)=512\n");
	assert_non_null(p);
	assert_non_null(strstr(text,
			       "OFFSET(task_struct.__state)=24\n"
			       "OFFSET(task_struct.se.exec_start)=200\n"));
}

static void no_kvm_module_btf(void **state)
{
	struct fx_kvm_opts o = { .vendor = FX_SVM, .no_kvm_btf = 1 };

	(void)state;
	layout(&o, FX_KALLSYMS, FX_CPU_POSSIBLE);
	no_note(-ENOENT, "kvm not loaded");
	assert_non_null(strstr(err.msg, "/btf/kvm missing"));
}

static void no_vmlinux_btf(void **state)
{
	struct kvminfo_source src = { NULL, ksyms, cpus, OSREL };
	char nowhere[PATH_MAX + 16];

	(void)state;
	snprintf(nowhere, sizeof(nowhere), "%s/nowhere", dir);
	src.btf_dir = nowhere;
	assert_int_equal(kvminfo_format(&src, text, sizeof(text), &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "no kernel BTF"));
}

static void corrupt_btf(void **state)
{
	struct fx_kvm_opts o = { .vendor = FX_SVM };

	(void)state;
	layout(&o, FX_KALLSYMS, FX_CPU_POSSIBLE);
	fx_puts(btf, "kvm_amd", "this is not BTF at all");
	no_note(-EINVAL, "/btf/kvm_amd: not usable BTF");
	fx_puts(btf, "vmlinux", "");
	no_note(-EINVAL, "/btf/vmlinux: not usable BTF");
}

static void kallsyms_hidden(void **state)
{
	struct fx_kvm_opts o = { .vendor = FX_SVM };

	(void)state;
	layout(&o, FX_KALLSYMS_HIDDEN, FX_CPU_POSSIBLE);
	no_note(-EACCES, "vm_list at address 0");
}

static void kallsyms_without_vm_list(void **state)
{
	struct fx_kvm_opts o = { .vendor = FX_SVM };
	struct kvminfo_source src = { btf, NULL, cpus, OSREL };
	char nowhere[PATH_MAX + 16];

	(void)state;
	/* vm_list of another module, or not a data symbol: not ours */
	layout(&o,
	       "ffffffff81000000 T _stext\n"
	       "ffffffffc0b01000 d vm_list\t[not_kvm]\n"
	       "ffffffffc0b02000 t vm_list\t[kvm]\n",
	       FX_CPU_POSSIBLE);
	no_note(-ENOENT, "no vm_list in");
	/* no kallsyms at all */
	snprintf(nowhere, sizeof(nowhere), "%s/nowhere", dir);
	src.kallsyms = nowhere;
	assert_int_equal(kvminfo_format(&src, text, sizeof(text), &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "nowhere: missing"));
}

/*
 * KVM built into vmlinux: vm_list without a module is taken, but a [kvm]
 * one wins; over-long lines are skipped whole.
 */
static void kallsyms_parsing(void **state)
{
	struct fx_kvm_opts o = { .vendor = FX_SVM };
	char *ks = malloc(8192);

	(void)state;
	/*
	 * A 2073-byte line whose third 1023-byte piece looks like a line of
	 * its own: it must not be taken for one.
	 */
	strcpy(ks, "ffffffff81000000 T _stext\nffffffff81111111 d ");
	memset(ks + strlen(ks), 'x', 2046 - 19);
	strcpy(ks + 26 + 2046, "ffffffff8bbbbbbb D vm_list\n");
	strcat(ks, "ffffffff82222222 D vm_list\n"
		   "ffffffff83333333 D runqueues\n"
		   "ffffffff84444444 D runqueues\n");
	layout(&o, ks, "0\n");
	assert_true(format() > 0);
	assert_non_null(strstr(text, "SYMBOL(vm_list)=ffffffff82222222\n"
				     "SYMBOL(runqueues)=ffffffff83333333\n"
				     "NUMBER(nr_cpu_ids)=1\n"
				     "OFFSET(list_head.next)=0\n"));
	strcat(ks, "ffffffffc0a4d2d0 b vm_list\t[kvm]\n"
		   "ffffffffc0a4d2f0 d vm_list\n");
	fx_puts(dir, "kallsyms", ks);
	assert_true(format() > 0);
	assert_non_null(strstr(text, "SYMBOL(vm_list)=ffffffffc0a4d2d0\n"));
	free(ks);
}

static void nr_cpu_ids(void **state)
{
	static const struct {
		const char *possible;
		const char *key; /* NULL: left out */
	} cases[] = {
		{ "0-3\n", "NUMBER(nr_cpu_ids)=4\n" },
		{ "0\n", "NUMBER(nr_cpu_ids)=1\n" },
		{ "0,2-5\n", "NUMBER(nr_cpu_ids)=6\n" },
		{ "0-7,16-23", "NUMBER(nr_cpu_ids)=24\n" },
		{ "", NULL },
		{ "3-1\n", NULL },
		{ "0-\n", NULL },
		{ "0-3 junk\n", NULL },
		{ "x\n", NULL },
	};
	struct fx_kvm_opts o = { .vendor = FX_SVM };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		layout(&o, FX_KALLSYMS, cases[i].possible);
		assert_true(format() > 0);
		if (cases[i].key)
			assert_non_null(strstr(text, cases[i].key));
		else
			assert_null(strstr(text, "NUMBER(nr_cpu_ids)"));
	}
	/* no file: left out too */
	layout(&o, FX_KALLSYMS, NULL);
	assert_true(format() > 0);
	assert_null(strstr(text, "NUMBER(nr_cpu_ids)"));
}

/* The text never exceeds the buffer; KVMINFO_TEXT_MAX is the bound. */
static void size_limit(void **state)
{
	struct fx_kvm_opts o = { .vendor = FX_SVM };
	struct kvminfo_source src = { btf, ksyms, cpus, OSREL };
	char *small;
	int n;

	(void)state;
	layout(&o, FX_KALLSYMS, FX_CPU_POSSIBLE);
	n = format();
	assert_true(n > 0 && n < KVMINFO_TEXT_MAX);
	/* exactly enough: text + NUL */
	small = malloc((size_t)n + 1);
	assert_int_equal(kvminfo_format(&src, small, (size_t)n + 1, &err), n);
	assert_string_equal(small, text);
	/* one byte short */
	memset(small, 'x', (size_t)n + 1);
	assert_int_equal(kvminfo_format(&src, small, (size_t)n, &err), -ENOSPC);
	assert_non_null(strstr(err.msg, "does not fit"));
	assert_non_null(memchr(small, '\0', (size_t)n));
	assert_int_equal(kvminfo_format(&src, NULL, 0, &err), -ENOSPC);
	free(small);
}

/* OSRELEASE from uname(2) by default; no control characters. */
static void osrelease(void **state)
{
	struct fx_kvm_opts o = { .vendor = FX_SVM };
	struct kvminfo_source src = { btf, ksyms, cpus, NULL };
	struct utsname uts;
	char want[256];

	(void)state;
	layout(&o, FX_KALLSYMS, FX_CPU_POSSIBLE);
	assert_int_equal(uname(&uts), 0);
	assert_true(kvminfo_format(&src, text, sizeof(text), &err) > 0);
	snprintf(want, sizeof(want), "KVMINFO_VERSION=1\nOSRELEASE=%s\n",
		 uts.release);
	assert_memory_equal(text, want, strlen(want));
	src.osrelease = "6.1\nSYMBOL(vm_list)=0";
	assert_true(kvminfo_format(&src, text, sizeof(text), &err) > 0);
	assert_non_null(strstr(text, "OSRELEASE=6.1?SYMBOL(vm_list)=0\n"));
}

static void both_vendors(void **state)
{
	struct fx_kvm_opts o = { .vendor = FX_SVM };
	struct fx_kvm_opts i = { .vendor = FX_VMX };
	char tmp[PATH_MAX + 16], amd[PATH_MAX + 16];

	(void)state;
	layout(&o, FX_KALLSYMS, FX_CPU_POSSIBLE);
	snprintf(amd, sizeof(amd), "%s/kvm_amd.keep", dir);
	snprintf(tmp, sizeof(tmp), "%s/kvm_amd", btf);
	assert_int_equal(rename(tmp, amd), 0);
	layout(&i, FX_KALLSYMS, FX_CPU_POSSIBLE);
	assert_int_equal(rename(amd, tmp), 0);
	assert_true(format() > 0);
	/* which one runs is unknown: no VENDOR, both layouts */
	assert_null(strstr(text, "VENDOR="));
	assert_non_null(strstr(text, "OFFSET(vcpu_svm.vmcb01)=9608\n"));
	assert_non_null(strstr(text, "OFFSET(vcpu_vmx.vmcs01)=9256\n"));
}

static void note(void **state)
{
	struct fx_kvm_opts o = { .vendor = FX_SVM };
	struct kvminfo_source src = { btf, ksyms, cpus, OSREL };
	static const char want[] = HEADER("VENDOR=svm\n") FX_KVM_NEW_BODY;
	static unsigned char buf[KVMINFO_TEXT_MAX + 64];
	size_t size = loadnote_size(KVMINFO_NOTE_NAME, strlen(want));
	uint32_t nh[3];
	int n;

	(void)state;
	layout(&o, FX_KALLSYMS, FX_CPU_POSSIBLE);
	n = kvminfo_note(&src, buf, sizeof(buf), &err);
	assert_int_equal(n, size);
	memcpy(nh, buf, sizeof(nh));
	assert_int_equal(nh[0], sizeof(KVMINFO_NOTE_NAME));
	assert_int_equal(nh[1], strlen(want));
	assert_int_equal(nh[2], KVMINFO_NOTE_TYPE);
	assert_memory_equal(buf + 12, "KVMINFO\0", 8);
	assert_memory_equal(buf + 20, want, strlen(want));
	/* too small for the note */
	assert_int_equal(kvminfo_note(&src, buf, size - 1, &err), -ENOSPC);
	/* no note: the reason comes through */
	layout(&o, FX_KALLSYMS_HIDDEN, FX_CPU_POSSIBLE);
	assert_int_equal(kvminfo_note(&src, buf, sizeof(buf), &err), -EACCES);
}

/* Parse dir/name as split BTF on base (vmlinux: base NULL). */
static struct btf *parse(const char *name, struct btf *base)
{
	char path[PATH_MAX + 16];

	snprintf(path, sizeof(path), "%s/%s", btf, name);
	return base ? btf__parse_raw_split(path, base) : btf__parse_raw(path);
}

/*
 * The core formatter on BTFs the caller parsed and symbols it found
 * writes the same text as the file path, and its reasons name the
 * sources the caller gave.
 */
static void format_from(void **state)
{
	struct fx_kvm_opts o = { .vendor = FX_SVM };
	struct btf *btfs[KVMINFO_BTF_COUNT] = { NULL };
	struct kvminfo_syms s = {
		.vm_list = 0xffffffffc0a4d2d0ull,
		.runqueues = 0x33340,
		.per_cpu_offset = 0xffffffff82a1c0a0ull,
		.nr_cpu_ids = 4,
		.have_vm_list = 1,
		.have_nr_cpu_ids = 1,
		.btf_from = "the dump",
		.no_kvm_btf = "kvm is not on btf_modules",
		.syms_from = "the dump's kallsyms",
	};
	static char from[KVMINFO_TEXT_MAX];
	int n;

	(void)state;
	layout(&o, FX_KALLSYMS, FX_CPU_POSSIBLE);
	assert_true(format() > 0);
	btfs[KVMINFO_BTF_VMLINUX] = parse("vmlinux", NULL);
	btfs[KVMINFO_BTF_KVM] = parse("kvm", btfs[0]);
	btfs[KVMINFO_BTF_KVM_AMD] = parse("kvm_amd", btfs[0]);
	assert_non_null(btfs[KVMINFO_BTF_KVM_AMD]);
	n = kvminfo_format_from(btfs, &s, OSREL, from, sizeof(from), &err);
	assert_int_equal(n, strlen(text));
	assert_string_equal(from, text);
	/* a member offset as the description computes it */
	{
		unsigned long long v = 0;

		assert_int_equal(kvminfo_btf_value(btfs, KVMINFO_BTF_COUNT,
						   KVMINFO_OFFSET,
						   "kvm_vcpu.pid", &v),
				 1);
		assert_non_null(strstr(text, "OFFSET(kvm_vcpu.pid)="));
		assert_int_equal(kvminfo_btf_value(btfs, 1, KVMINFO_SIZE, "kvm",
						   &v),
				 0); /* kvm is not in vmlinux */
	}
	s.have_vm_list = 0;
	n = kvminfo_format_from(btfs, &s, OSREL, from, sizeof(from), &err);
	assert_int_equal(n, -ENOENT);
	assert_non_null(strstr(err.msg, "no vm_list in the dump's kallsyms"));
	btf__free(btfs[KVMINFO_BTF_KVM_AMD]);
	btf__free(btfs[KVMINFO_BTF_KVM]);
	btfs[KVMINFO_BTF_KVM_AMD] = btfs[KVMINFO_BTF_KVM] = NULL;
	s.have_vm_list = 1;
	n = kvminfo_format_from(btfs, &s, OSREL, from, sizeof(from), &err);
	assert_int_equal(n, -ENOENT);
	assert_non_null(strstr(err.msg, "(kvm is not on btf_modules)"));
	btf__free(btfs[KVMINFO_BTF_VMLINUX]);
	btfs[KVMINFO_BTF_VMLINUX] = NULL;
	n = kvminfo_format_from(btfs, &s, OSREL, from, sizeof(from), &err);
	assert_int_equal(n, -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_layout_svm),
		cmocka_unit_test(vm_type_written),
		cmocka_unit_test(old_layout_vmx),
		cmocka_unit_test(missing_members_omitted),
		cmocka_unit_test(bitfields_refused),
		cmocka_unit_test(no_kvm_module_btf),
		cmocka_unit_test(no_vmlinux_btf),
		cmocka_unit_test(corrupt_btf),
		cmocka_unit_test(kallsyms_hidden),
		cmocka_unit_test(kallsyms_without_vm_list),
		cmocka_unit_test(kallsyms_parsing),
		cmocka_unit_test(nr_cpu_ids),
		cmocka_unit_test(size_limit),
		cmocka_unit_test(osrelease),
		cmocka_unit_test(both_vendors),
		cmocka_unit_test(note),
		cmocka_unit_test(format_from),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
