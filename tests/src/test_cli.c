// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmcore-guests end to end: synthetic host dumps written by the fixture,
 * the real binary run on them, report.json, exit codes, file modes and
 * the guest cores read back with libelf.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <elf.h>

#include "notes/notebuild.h"
#include "notes/elfnote.h"
#include "notes/kvminfo-parse.h"
#include "notes/vgerr.h"
#include "notes/vmcsinfo.h"
#include "src/hostdump.h"
#include "src/vmx.h"
#include "tests/src/fixture.h"
#include "tests/src/kvmfixture.h"

#define MiB (1ull << 20)

static char bin[PATH_MAX];
static char eio_so[PATH_MAX]; /* tests/src/eio.h, preloaded */
static const char *child_eio; /* VG_TEST_EIO for the next run_tool */

struct run {
	long maxrss_kb;
	int status;
	char out[16384];
	char err[16384];
};

static void slurp(const char *path, char *buf, size_t sz)
{
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (!f)
		return;
	n = fread(buf, 1, sz - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Run vmcore-guests with args (NULL-terminated); fsize_limit 0 = none. */
static void run_tool(struct run *r, const char *dir, rlim_t fsize_limit,
		     const char *const *args)
{
	char outp[PATH_MAX], errp[PATH_MAX];
	const char *argv[16];
	int n = 0, st;
	pid_t pid;

	snprintf(outp, sizeof(outp), "%s/stdout", dir);
	snprintf(errp, sizeof(errp), "%s/stderr", dir);
	argv[n++] = bin;
	for (; *args && n < 15; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(o, 1);
		dup2(e, 2);
		if (fsize_limit) {
			struct rlimit rl = { fsize_limit, fsize_limit };

			setrlimit(RLIMIT_FSIZE, &rl);
		}
		alarm(60); /* a hang fails the test instead of the CI job */
		if (child_eio) {
			char asan[512];
			const char *a = getenv("ASAN_OPTIONS");

			/* the preload comes before the CLI's ASan runtime */
			snprintf(asan, sizeof(asan),
				 "%s%sverify_asan_link_order=0", a ? a : "",
				 a ? ":" : "");
			setenv("ASAN_OPTIONS", asan, 1);
			setenv("LD_PRELOAD", eio_so, 1);
			setenv("VG_TEST_EIO", child_eio, 1);
		}
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	{
		struct rusage ru;

		assert_int_equal(wait4(pid, &st, 0, &ru), pid);
		r->maxrss_kb = ru.ru_maxrss;
	}
	if (!WIFEXITED(st))
		fail_msg("vmcore-guests died with signal %d", WTERMSIG(st));
	r->status = WEXITSTATUS(st);
	slurp(outp, r->out, sizeof(r->out));
	slurp(errp, r->err, sizeof(r->err));
	unlink(outp);
	unlink(errp);
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/*
 * The host of the nested-VM crash test in miniature: a real-mode guest
 * with 2 MiB of RAM behind nested page tables, its code at CS base 0x10000
 * + RIP 0x2340, and decoy pages.
 */
#define GUEST_HPA 0x200000ull
static const uint8_t code[] = { 0xf4, 0xeb, 0xfd, 0x90, 0x0f, 0x0b };

static struct fx *svm_host(uint64_t *ncr3_out)
{
	struct fx *fx = fx_new(8 * MiB, 5 * MiB);
	uint64_t ncr3 = fx_alloc_page(fx);
	struct fx_cpu c;

	for (uint64_t gpa = 0; gpa < 2 * MiB; gpa += FX_PAGE)
		fx_map(fx, ncr3, gpa, GUEST_HPA + gpa, FX_PAGE, 0x7);
	memcpy(fx_ptr(fx, GUEST_HPA + 0x12340), code, sizeof(code));
	memset(fx_ptr(fx, GUEST_HPA + 0x100000), 0xab, FX_PAGE);
	fx_cpu_realmode(&c, ncr3);
	fx_make_vmcb(fx, 0x100000, &c);
	/* Decoy: VMRUN intercept and SVME set, nothing else right. */
	fx_put32(fx, 0x101000 + 0x10, 1);
	fx_put64(fx, 0x101000 + 0x4d0, 0x1000);
	*ncr3_out = ncr3;
	return fx;
}

static const char vmcoreinfo[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";

struct core_info {
	int nprstatus, nqemu;
	uint8_t bytes[sizeof(code)];
	int have_bytes;
	uint64_t prstatus_rip;
};

/* Read a guest core with libelf: notes and the bytes at gpa 0x12340. */
static void read_core(const char *path, struct core_info *ci)
{
	int fd = open(path, O_RDONLY);
	Elf *e;
	size_t phnum;

	memset(ci, 0, sizeof(*ci));
	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(e);
	assert_int_equal(elf_getphdrnum(e, &phnum), 0);
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		assert_non_null(gelf_getphdr(e, (int)i, &ph));
		if (ph.p_type == PT_NOTE) {
			Elf_Data *d =
				elf_getdata_rawchunk(e, (int64_t)ph.p_offset,
						     ph.p_filesz, ELF_T_NHDR);
			size_t off = 0, no, doff;
			GElf_Nhdr nh;

			assert_non_null(d);
			while ((off = gelf_getnote(d, off, &nh, &no, &doff)) >
			       0) {
				const char *name = (const char *)d->d_buf + no;

				if (!strcmp(name, "CORE") && nh.n_type == 1) {
					ci->nprstatus++;
					/* regs at 112, rip is the 17th */
					memcpy(&ci->prstatus_rip,
					       (const char *)d->d_buf + doff +
						       112 + 16 * 8,
					       8);
				}
				if (!strcmp(name, "QEMU"))
					ci->nqemu++;
			}
		}
		if (ph.p_type == PT_LOAD && ph.p_paddr <= 0x12340 &&
		    ph.p_paddr + ph.p_filesz >= 0x12340 + sizeof(code)) {
			assert_int_equal(pread(fd, ci->bytes, sizeof(code),
					       (off_t)(ph.p_offset + 0x12340 -
						       ph.p_paddr)),
					 sizeof(code));
			ci->have_bytes = 1;
		}
	}
	elf_end(e);
	close(fd);
}

static void svm_end_to_end(void **state)
{
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char path[2 * PATH_MAX], report[32768], name[64];
	struct core_info ci;
	struct run r;
	struct stat st;
	uint64_t ncr3;
	struct fx *fx = svm_host(&ncr3);

	(void)state;
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/out/guests", dir); /* parent missing */
	fx_note(fx, "VMCOREINFO", 0, vmcoreinfo, sizeof(vmcoreinfo) - 1);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	snprintf(path, sizeof(path), "%s/out", dir);
	assert_int_equal(mkdir(path, 0755), 0);

	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	snprintf(name, sizeof(name), "svm-%llx", (unsigned long long)ncr3);
	assert_non_null(strstr(r.out, name));
	assert_non_null(strstr(r.out, "rip 0x2340"));
	assert_non_null(strstr(r.out, "cs 1000:0x10000"));

	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/report.json", out);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	slurp(path, report, sizeof(report));
	assert_non_null(strstr(report, "\"vendor\": \"svm\""));
	assert_non_null(strstr(report, "\"rip\": \"0x2340\""));
	assert_non_null(strstr(report, "\"rsp\": \"0x7000\""));
	assert_non_null(strstr(report, "\"rflags\": \"0x202\""));
	assert_non_null(strstr(report, "\"cr0\": \"0x60000010\""));
	assert_non_null(strstr(report, "\"cr3\": \"0x0\""));
	assert_non_null(strstr(report, "\"efer\": \"0x1000\""));
	assert_non_null(strstr(report, "\"selector\": \"0x1000\""));
	assert_non_null(strstr(report, "\"base\": \"0x10000\""));
	assert_non_null(strstr(report, "\"exit_reason\": \"0x78\""));
	assert_non_null(strstr(report, "\"pages_present\": 512"));
	assert_non_null(strstr(report, "\"partial\": false"));
	assert_non_null(strstr(report, "\"vmcb\": 1")); /* the decoy */
	assert_non_null(strstr(report, "\"exit_code\": 0"));
	assert_non_null(strstr(report, "no KVMINFO note"));

	snprintf(path, sizeof(path), "%s/%s.vmcore", out, name);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_non_null(strstr(report, "\"file\": \"svm-"));
	read_core(path, &ci);
	assert_int_equal(ci.nprstatus, 1);
	assert_int_equal(ci.nqemu, 1);
	assert_true(ci.have_bytes);
	assert_memory_equal(ci.bytes, code, sizeof(code));
	assert_int_equal(ci.prstatus_rip, 0x2340);

	/* A second run never replaces the first one's files. */
	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	assert_int_equal(r.status, 0);
	snprintf(path, sizeof(path), "%s/%s-2.vmcore", out, name);
	assert_int_equal(stat(path, &st), 0);

	fx_rm_rf(dir);
	fx_free(fx);
}

/*
 * SEV, SEV-ES and a plain guest on one host: the protected two are
 * listed with their protection and skipped with the reason (exit 1), no
 * file of theirs; plain SEV's save-area registers are still reported.
 */
static void protected_guests_not_dumped(void **state)
{
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char path[2 * PATH_MAX + 64], report[65536];
	uint64_t plain, sev, sev_es;
	struct fx *fx = svm_host(&plain);
	struct fx_cpu c;
	struct stat st;
	struct run r;

	(void)state;
	sev = fx_alloc_page(fx);
	sev_es = fx_alloc_page(fx);
	fx_cpu_long(&c, sev);
	c.sev = 1;
	fx_make_vmcb(fx, 0x102000, &c);
	fx_cpu_long(&c, sev_es);
	c.sev_es = 1;
	c.vmsa = fx_alloc_page(fx);
	fx_make_vmcb(fx, 0x103000, &c);
	fx_put64(fx, 0x103000 + 0x4d0, 0x1d01);
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(
		r.err,
		"the guest is protected (sev), its memory is encrypted"));
	assert_non_null(strstr(r.err, "the guest is protected (sev-es)"));
	assert_non_null(strstr(r.out, "state encrypted (sev-es)"));
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	assert_non_null(strstr(report, "\"exit_code\": 1"));
	assert_non_null(strstr(report, "\"protection\": \"sev\""));
	assert_non_null(strstr(report, "\"protection\": \"sev-es\""));
	assert_non_null(strstr(report, "\"protection\": null"));
	assert_non_null(strstr(report, "SEV-ES or SEV-SNP"));
	assert_non_null(strstr(report, "\"skipped\": true"));
	/* Plain SEV: the save area is plaintext. */
	assert_non_null(strstr(report, "\"rip\": \"0xffffffff81000000\""));
	assert_non_null(strstr(report, "\"cpl\": 0"));
	assert_non_null(strstr(report, "\"regs_unknown\": {}"));
	snprintf(path, sizeof(path), "%s/svm-%llx.vmcore", out,
		 (unsigned long long)plain);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/svm-%llx.vmcore", out,
		 (unsigned long long)sev);
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/svm-%llx.vmcore", out,
		 (unsigned long long)sev_es);
	assert_int_equal(stat(path, &st), -1);
	fx_rm_rf(dir);
	fx_free(fx);
}

/*
 * An LA57 AMD host without KVMINFO: the nested page tables have the
 * host's paging depth, which only the host's VMCOREINFO tells
 * (NUMBER(pgtable_l5_enabled)=1).  The guest's 512 pages and its code
 * must come out through a 5-level nCR3; a 4-level walk of the same
 * tables finds neither.
 */
static void la57_host_without_kvminfo(void **state)
{
	static const char vmci57[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n"
				     "NUMBER(pgtable_l5_enabled)=1\n";
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char path[2 * PATH_MAX], report[32768], name[64];
	struct fx *fx = fx_new(8 * MiB, 5 * MiB);
	uint64_t pml4 = fx_alloc_page(fx), pml5 = fx_alloc_page(fx);
	struct core_info ci;
	struct fx_cpu c;
	struct run r;

	(void)state;
	for (uint64_t gpa = 0; gpa < 2 * MiB; gpa += FX_PAGE)
		fx_map(fx, pml4, gpa, GUEST_HPA + gpa, FX_PAGE, 0x7);
	fx_put64(fx, pml5, pml4 | 0x7); /* PML5[0]: the first 128 PiB */
	memcpy(fx_ptr(fx, GUEST_HPA + 0x12340), code, sizeof(code));
	fx_cpu_realmode(&c, pml5);
	fx_make_vmcb(fx, 0x100000, &c);
	fx_note(fx, "VMCOREINFO", 0, vmci57, sizeof(vmci57) - 1);
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);

	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	assert_non_null(strstr(report, "\"pages_present\": 512"));
	snprintf(name, sizeof(name), "svm-%llx", (unsigned long long)pml5);
	snprintf(path, sizeof(path), "%s/%s.vmcore", out, name);
	read_core(path, &ci);
	assert_true(ci.have_bytes);
	assert_memory_equal(ci.bytes, code, sizeof(code));
	fx_rm_rf(dir);
	fx_free(fx);
}

/*
 * /proc/vmcore lists the kernel-text mapping first, overlapping a RAM
 * PT_LOAD; the scan must still reach every page after it.
 */
static void kernel_text_overlap(void **state)
{
	struct fx_write_opts o = { .kernel_text_start = 0x80000,
				   .kernel_text_len = 0x40000 };
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char path[2 * PATH_MAX], report[32768];
	struct run r;
	uint64_t ncr3;
	struct fx *fx = svm_host(&ncr3);

	(void)state;
	fx_hole(fx, 0,
		FX_PAGE); /* as on PCs; RAM from 0 confuses libkdumpfile */
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	/* What x86_64 kernels publish; libkdumpfile needs the paging mode. */
	static const char vmci[] =
		"OSRELEASE=6.1.0-test\nPAGESIZE=4096\n"
		"SYMBOL(_stext)=ffffffff80000000\nNUMBER(phys_base)=0\n"
		"NUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=0\n";

	fx_note(fx, "VMCOREINFO", 0, vmci, sizeof(vmci) - 1);
	assert_int_equal(fx_write_elf(fx, dump, &o), 0);
	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	assert_non_null(strstr(r.out, "rip 0x2340"));
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	assert_non_null(strstr(report, "\"pages_present\": 512"));
	fx_rm_rf(dir);
	fx_free(fx);
}

static void write_layout_file(const char *path, const struct vmcsinfo *vi)
{
	char text[VMCSINFO_TEXT_MAX];
	int n = vmcsinfo_format(vi, text, sizeof(text));
	FILE *f;

	assert_true(n > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite(text, 1, (size_t)n, f);
	fclose(f);
}

/* A made-up hardware layout: fields in another order than vmcs12. */
static void made_up_layout(struct vmcsinfo *vi);

/*
 * An AMD host cannot have a VMCS: pages that look like one (here a real
 * VMCS image with a revision nobody described) are not reported once an
 * SVM guest shows the host is AMD.  Without the SVM guest the same page is
 * reported (vmx_layout_sources checks the message).
 */
static void amd_host_ignores_vmcs_like_pages(void **state)
{
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char path[2 * PATH_MAX], report[32768];
	struct vmcsinfo vi;
	struct fx_cpu c;
	struct run r;
	uint64_t ncr3;
	struct fx *fx = svm_host(&ncr3);

	(void)state;
	made_up_layout(&vi);
	fx_cpu_realmode(&c, 0x5000000 | 0x1e);
	fx_make_vmcs(fx, 0x104000, &vi, &c);
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	fx_note(fx, "VMCOREINFO", 0, vmcoreinfo, sizeof(vmcoreinfo) - 1);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	assert_null(strstr(r.err, "no layout"));
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	assert_null(strstr(report, "no layout"));
	assert_non_null(strstr(report, "\"vendor\": \"svm\""));
	fx_rm_rf(dir);
	fx_free(fx);
}

static void made_up_layout(struct vmcsinfo *vi)
{
	const struct vmcsinfo *v12 = vg_vmcs12_layout();

	memset(vi, 0, sizeof(*vi));
	vi->revision_id = 0x2b;
	vi->nfields = v12->nfields;
	for (unsigned int i = 0; i < v12->nfields; i++) {
		vi->fields[i].encoding = v12->fields[i].encoding;
		vi->fields[i].offset = (uint16_t)(0xff8 - 8 * i);
	}
}

static struct fx *vmx_host(const struct vmcsinfo *vi, uint64_t *eptp)
{
	struct fx *fx = fx_new(8 * MiB, 5 * MiB);
	uint64_t root = fx_alloc_page(fx);
	struct fx_cpu c;

	/* One 2 MiB EPT page: the whole guest. */
	fx_map(fx, root, 0, GUEST_HPA, 2 * MiB, 0x7);
	memcpy(fx_ptr(fx, GUEST_HPA + 0x12340), code, sizeof(code));
	*eptp = root | 0x5e;
	fx_cpu_realmode(&c, *eptp);
	c.exit_code = 0;
	fx_make_vmcs(fx, 0x100000, vi, &c);
	fx_make_vmcs(fx, 0x101000, vi, &c);
	fx_put32(fx, 0x102000, vi->revision_id); /* VMXON region */
	fx_put32(fx, 0x103000, vi->revision_id); /* decoy */
	memset(fx_ptr(fx, 0x103100), 0xff, 64);
	return fx;
}

/* DIR/loadtime.notes: a kexec -s carrier holding layout vi's VMCSINFO note. */
static void write_carrier(char *path, size_t pathsz, const char *dir,
			  const struct vmcsinfo *vi)
{
	char note[VMCSINFO_TEXT_MAX + 64];
	int n = vmcsinfo_note(vi, note, sizeof(note));
	FILE *f;

	assert_true(n > 0);
	snprintf(path, pathsz, "%s/loadtime.notes", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(note, 1, (size_t)n, f), (size_t)n);
	fclose(f);
}

/*
 * With the host's own VMCSINFO note, a VMCS-like page of another revision
 * (here a real VMCS image of revision 0x40) cannot be one of this host's
 * VMCSs: it is not reported.  A layout given with --vmcsinfo says nothing
 * about the host, so there the page is still reported.
 */
static void vmx_note_ignores_other_revisions(void **state)
{
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char lay[PATH_MAX + 16], path[2 * PATH_MAX];
	struct vmcsinfo vi, other;
	struct fx_cpu c;
	struct run r;
	uint64_t eptp;
	struct fx *fx;

	(void)state;
	made_up_layout(&vi);
	fx = vmx_host(&vi, &eptp);
	other = vi;
	other.revision_id = 0x40;
	fx_cpu_realmode(&c, eptp);
	c.exit_code = 0;
	fx_make_vmcs(fx, 0x104000, &other, &c);
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(lay, sizeof(lay), "%s/layout.txt", dir);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);

	write_layout_file(lay, &vi);
	run_tool(&r, dir, 0,
		 (const char *[]){ "--vmcsinfo", lay, dump, out, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "1 VMCS regions with revision 0x40"));
	fx_rm_rf(out);

	write_carrier(path, sizeof(path), dir, &vi);
	run_tool(&r, dir, 0,
		 (const char *[]){ "--notes", path, dump, out, NULL });
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	assert_null(strstr(r.err, "revision 0x40"));
	fx_rm_rf(dir);
	fx_free(fx);
}

static void vmx_layout_sources(void **state)
{
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char lay[PATH_MAX + 16], path[2 * PATH_MAX], report[32768];
	char note[VMCSINFO_TEXT_MAX + 64];
	struct vmcsinfo vi;
	struct core_info ci;
	struct run r;
	uint64_t eptp;
	struct fx *fx;
	int n;

	(void)state;
	made_up_layout(&vi);
	fx = vmx_host(&vi, &eptp);
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(lay, sizeof(lay), "%s/layout.txt", dir);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);

	/* No layout: the regions are reported, nothing is written. */
	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(
		r.err,
		"2 VMCS regions with revision 0x2b, no layout: load vmcsinfo-intel before kdump or pass --vmcsinfo"));
	assert_non_null(strstr(r.out, "no guests found"));

	/* --vmcsinfo FILE */
	write_layout_file(lay, &vi);
	run_tool(&r, dir, 0,
		 (const char *[]){ "-v", "--vmcsinfo", lay, dump, out, NULL });
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	assert_non_null(strstr(r.err, "rejected VMCS candidate at 0x103000"));
	/* The VMXON region is named as such, not as a broken VMCS. */
	assert_non_null(strstr(
		r.err,
		"0x102000 (revision 0x2b): all zero after the header: a VMXON region"));
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	assert_non_null(strstr(report, "\"vendor\": \"vmx\""));
	assert_non_null(strstr(report, "\"layout\": \"--vmcsinfo\""));
	assert_non_null(strstr(report, "\"rip\": \"0x2340\""));
	/* The file states no access-rights format: the values decide. */
	assert_non_null(strstr(report, "\"ar_format\": \"architectural\""));
	assert_non_null(strstr(report, "\"ar_format_from\": \"inferred\""));
	assert_non_null(strstr(report, "\"attr\": \"0x9b\""));
	assert_non_null(strstr(report, "\"exit_reason\": \"0x0\""));
	assert_non_null(strstr(report, "\"kernel_gs_base\": null"));
	assert_non_null(strstr(report, "\"pages_present\": 512"));
	snprintf(path, sizeof(path), "%s/vmx-%llx.vmcore", out,
		 (unsigned long long)eptp);
	read_core(path, &ci);
	assert_int_equal(ci.nprstatus, 2);
	assert_true(ci.have_bytes);
	assert_memory_equal(ci.bytes, code, sizeof(code));
	fx_rm_rf(out);

	/* kexec -s: the note comes from the carrier file (--notes). */
	write_carrier(path, sizeof(path), dir, &vi);
	run_tool(&r, dir, 0,
		 (const char *[]){ "--notes", path, dump, out, NULL });
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	assert_non_null(strstr(report, "\"layout\": \"VMCSINFO note\""));
	fx_rm_rf(out);
	/* A carrier file that is garbage is refused in one line. */
	snprintf(path, sizeof(path), "%s/loadtime.notes", dir);
	{
		FILE *f = fopen(path, "w");

		fputs("\x05\x00\x00\x00\xff\xff\xff\x7fjunkjunk", f);
		fclose(f);
	}
	run_tool(&r, dir, 0,
		 (const char *[]){ "--notes", path, dump, out, NULL });
	if (r.status != 2 || count_lines(r.err) != 1)
		fail_msg("exit %d: %s", r.status, r.err);

	n = vmcsinfo_note(&vi, note, sizeof(note));
	assert_true(n > 0);
	memcpy(fx->notes + fx->notes_len, note, (size_t)n);
	fx->notes_len += (size_t)n;
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	assert_non_null(strstr(report, "\"layout\": \"VMCSINFO note\""));
	fx_rm_rf(out);
	fx_free(fx);

	/* KVM's vmcs12 is built in. */
	fx = vmx_host(vg_vmcs12_layout(), &eptp);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	slurp(path, report, sizeof(report));
	assert_non_null(strstr(report, "\"layout\": \"built-in vmcs12\""));
	assert_non_null(strstr(report, "\"rip\": \"0x2340\""));
	fx_rm_rf(dir);
	fx_free(fx);
}

static void only_and_no_guests(void **state)
{
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char name[64], path[2 * PATH_MAX];
	struct run r;
	struct stat st;
	uint64_t ncr3;
	struct fx *fx = svm_host(&ncr3);

	(void)state;
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	run_tool(&r, dir, 0,
		 (const char *[]){ "--only", "nosuch", dump, out, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "no guest named nosuch"));
	snprintf(name, sizeof(name), "svm-%llx", (unsigned long long)ncr3);
	run_tool(&r, dir, 0,
		 (const char *[]){ "--only", name, dump, out, NULL });
	assert_int_equal(r.status, 0);
	snprintf(path, sizeof(path), "%s/%s.vmcore", out, name);
	assert_int_equal(stat(path, &st), 0);
	fx_free(fx);

	/* A host without guests: a clean run, exit 0, an empty list. */
	fx = fx_new(4 * MiB, 2 * MiB);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	snprintf(path, sizeof(path), "%s/rep.json", dir);
	run_tool(&r, dir, 0,
		 (const char *[]){ "--report", path, dump, out, NULL });
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "no guests found"));
	assert_int_equal(stat(path, &st), 0);
	fx_rm_rf(dir);
	fx_free(fx);
}

/* --time-budget, --reserve, --progress and an --only list. */
static void budgets_and_progress(void **state)
{
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char name[64], list[2 * PATH_MAX], path[2 * PATH_MAX], rep[16384];
	struct run r;
	struct stat st;
	uint64_t ncr3;
	struct fx *fx = svm_host(&ncr3);

	(void)state;
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(name, sizeof(name), "svm-%llx", (unsigned long long)ncr3);
	snprintf(path, sizeof(path), "%s/%s.vmcore", out, name);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);

	/* A budget of 0 s covers the scan and the KVM walk too: neither
	 * reads the dump, nothing is written, and the run says so. */
	run_tool(&r, dir, 0,
		 (const char *[]){ "--time-budget", "0", dump, out, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "scan stopped after 0 host pages: "
				      "time budget of 0 s used up"));
	assert_non_null(strstr(r.out, "stopped: time budget of 0 s used up"));
	assert_int_not_equal(stat(path, &st), 0);
	snprintf(list, sizeof(list), "%s/report.json", out);
	slurp(list, rep, sizeof(rep));
	assert_non_null(strstr(rep, "\"time_budget_s\": 0,"));
	assert_non_null(strstr(rep, "\"stopped\": true"));
	assert_non_null(strstr(rep, "not walked: time budget of 0 s used up"));

	/* A reserve larger than any free space: skipped, says so. */
	run_tool(&r, dir, 0,
		 (const char *[]){ "--reserve", "1000000000", dump, out,
				   NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "skipped: free space on the target"));
	assert_non_null(strstr(r.err, "at the reserve of 1000000000 MiB"));
	assert_int_not_equal(stat(path, &st), 0);

	/* Generous limits, progress on: written, a final progress line. */
	snprintf(list, sizeof(list), "other,%s", name);
	run_tool(&r, dir, 0,
		 (const char *[]){ "--time-budget", "600", "--reserve", "1",
				   "--progress", "--only", list, dump, out,
				   NULL });
	assert_int_equal(r.status, 0);
	assert_int_equal(stat(path, &st), 0);
	snprintf(list, sizeof(list), "vmcore-guests: %s: 100%% 2.00/2.00 MiB",
		 name);
	assert_non_null(strstr(r.err, list));
	assert_non_null(strstr(r.err, "MiB/s, done\n"));

	/* Bad values are usage errors. */
	run_tool(&r, dir, 0,
		 (const char *[]){ "--time-budget", "-3", dump, out, NULL });
	assert_int_equal(r.status, 2);
	run_tool(&r, dir, 0,
		 (const char *[]){ "--reserve", "2G", dump, out, NULL });
	assert_int_equal(r.status, 2);
	fx_rm_rf(dir);
	fx_free(fx);
}

/* Each bad input: exit 2 and exactly one line on stderr saying why. */
static void bad_inputs(void **state)
{
	static const struct {
		struct fx_write_opts o;
		const char *msg;
	} cases[] = {
		{ { .no_ptloads = 1 }, "no PT_LOAD segments" },
		{ { .truncate_to = 40 }, "not a valid ELF" },
		{ { .garbage_note = 1 }, "corrupt ELF note" },
		{ { .huge_note = 1 }, "PT_NOTE segment" },
	};
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char path[2 * PATH_MAX];
	struct run r;
	uint64_t ncr3;
	struct fx *fx = svm_host(&ncr3);
	struct vmcsinfo vi;
	FILE *f;

	(void)state;
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	fx_note(fx, "VMCOREINFO", 0, vmcoreinfo, sizeof(vmcoreinfo) - 1);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(fx_write_elf(fx, dump, &cases[i].o), 0);
		run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
		if (r.status != 2 || !strstr(r.err, cases[i].msg) ||
		    count_lines(r.err) != 1)
			fail_msg("case %zu: exit %d, stderr: %s", i, r.status,
				 r.err);
	}

	/* Not a dump at all. */
	f = fopen(dump, "w");
	fputs("hello, this is not a vmcore\n", f);
	fclose(f);
	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "not an ELF or kdump-compressed dump"));
	assert_int_equal(count_lines(r.err), 1);
	run_tool(&r, dir, 0, (const char *[]){ "/nonexistent", out, NULL });
	assert_int_equal(r.status, 2);
	run_tool(&r, dir, 0, (const char *[]){ dump, NULL });
	assert_int_equal(r.status, 2);

	/* VMCSINFO whose offsets leave the region. */
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	made_up_layout(&vi);
	snprintf(path, sizeof(path), "%s/layout.txt", dir);
	write_layout_file(path, &vi);
	{
		char text[VMCSINFO_TEXT_MAX], *p;

		slurp(path, text, sizeof(text));
		/* Move the first field (ES selector) past the region. */
		p = strstr(text, "FIELD(0x0800)=0xff8\n");
		assert_non_null(p);
		f = fopen(path, "w");
		fwrite(text, 1, (size_t)(p - text), f);
		fputs("FIELD(0x0800)=0x1ff8\n", f);
		fputs(p + strlen("FIELD(0x0800)=0xff8\n"), f);
		fclose(f);
	}
	run_tool(&r, dir, 0,
		 (const char *[]){ "--vmcsinfo", path, dump, out, NULL });
	if (r.status != 2 || count_lines(r.err) != 1 ||
	    !strstr(r.err, "--vmcsinfo"))
		fail_msg("exit %d, stderr: %s", r.status, r.err);
	run_tool(&r, dir, 0,
		 (const char *[]){ "--vmcsinfo", dir, dump, out, NULL });
	assert_int_equal(r.status, 2);
	assert_int_equal(count_lines(r.err), 1);

	/* OUTDIR is a file, or a symlink: refused. */
	run_tool(&r, dir, 0, (const char *[]){ dump, path, NULL });
	assert_int_equal(r.status, 2);
	assert_int_equal(count_lines(r.err), 1);
	snprintf(out, sizeof(out), "%s/link", dir);
	assert_int_equal(symlink("/tmp", out), 0);
	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	if (r.status != 2 || !strstr(r.err, "symbolic link"))
		fail_msg("exit %d, stderr: %s", r.status, r.err);
	fx_rm_rf(dir);
	fx_free(fx);
}

/* A full disk (file size limit): the guest is partial, the exit 1. */
static void full_outdir(void **state)
{
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char path[2 * PATH_MAX], report[32768];
	struct run r;
	uint64_t ncr3;
	struct fx *fx = svm_host(&ncr3);

	(void)state;
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	assert_int_equal(mkdir(out, 0700), 0);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	run_tool(&r, dir, 1 * MiB, (const char *[]){ dump, out, NULL });
	assert_int_equal(r.status, 1);
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	assert_non_null(strstr(report, "\"exit_code\": 1"));
	assert_true(strstr(report, "\"partial\": true") ||
		    strstr(report, "\"written\": false"));
	/* The report itself cannot be written: still one clear line. */
	run_tool(&r, dir, 0,
		 (const char *[]){ "--report", "/dev/full", dump, out, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "cannot write report"));
	fx_rm_rf(dir);
	fx_free(fx);
}

/* File offset of the first PT_LOAD of the ELF dump at path. */
static uint64_t first_load_offset(const char *path)
{
	int fd = open(path, O_RDONLY);
	uint64_t off = 0;
	size_t n = 0;
	GElf_Phdr ph;
	Elf *e;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(e);
	assert_int_equal(elf_getphdrnum(e, &n), 0);
	for (size_t i = 0; i < n && !off; i++)
		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD)
			off = ph.p_offset;
	elf_end(e);
	close(fd);
	assert_true(off > 0);
	return off;
}

/*
 * A host dump whose copy ended early (full disk, reset capture kernel):
 * opened with the tail absent.  A guest whose pages all lie before the
 * cut is written whole, one cut through is partial with its absent
 * pages counted; exit 1 and one line naming the truncation.  The nested
 * page tables lie below the guest, so the cut leaves them readable.
 */
static void truncated_dump_keeps_guests(void **state)
{
	static const struct {
		uint64_t cut; /* host physical address the file ends at */
		const char *present, *absent, *partial;
	} cases[] = {
		{ 6 * MiB, "\"pages_present\": 512", "\"pages_absent\": 0",
		  "\"partial\": false" },
		{ 3 * MiB, "\"pages_present\": 256", "\"pages_absent\": 256",
		  "\"partial\": true" },
	};
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char path[2 * PATH_MAX], report[32768];
	struct fx *fx = fx_new(8 * MiB, 0x180000);
	uint64_t ncr3 = fx_alloc_page(fx), base;
	struct fx_cpu c;
	struct stat st;
	struct run r;

	(void)state;
	for (uint64_t gpa = 0; gpa < 2 * MiB; gpa += FX_PAGE)
		fx_map(fx, ncr3, gpa, GUEST_HPA + gpa, FX_PAGE, 0x7);
	memcpy(fx_ptr(fx, GUEST_HPA + 0x12340), code, sizeof(code));
	fx_cpu_realmode(&c, ncr3);
	fx_make_vmcb(fx, 0x100000, &c);
	fx_note(fx, "VMCOREINFO", 0, vmcoreinfo, sizeof(vmcoreinfo) - 1);
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
		base = first_load_offset(dump);
		assert_int_equal(truncate(dump, (off_t)(base + cases[i].cut)),
				 0);
		fx_rm_rf(out);
		run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
		/* one line on the truncation, one per guest cut through */
		if (r.status != 1 ||
		    count_lines(r.err) != 1 + (i > 0 ? 1 : 0) ||
		    !strstr(r.err, "truncated dump: ") ||
		    strstr(strstr(r.err, "truncated dump: ") + 1,
			   "truncated dump: ") ||
		    (i > 0 && !strstr(r.err, "partial: 256 of its pages")))
			fail_msg("cut at %llu: exit %d, %d lines, stderr: %s",
				 (unsigned long long)cases[i].cut, r.status,
				 count_lines(r.err), r.err);
		snprintf(path, sizeof(path), "%s/report.json", out);
		slurp(path, report, sizeof(report));
		if (!strstr(report, cases[i].present) ||
		    !strstr(report, cases[i].absent) ||
		    !strstr(report, cases[i].partial))
			fail_msg("cut at %llu: %.900s",
				 (unsigned long long)cases[i].cut,
				 strstr(report, "\"memory\"") ?
					 strstr(report, "\"memory\"") :
					 report);
		snprintf(path, sizeof(path), "%s/svm-%llx.vmcore", out,
			 (unsigned long long)ncr3);
		if (access(path, F_OK) != 0)
			fail_msg("no %s: %s", path, r.out);
	}
	/* kdump-compressed, cut in the data of its last pages */
	assert_int_equal(fx_write_kdump(fx, dump, NULL), 0);
	assert_int_equal(stat(dump, &st), 0);
	assert_int_equal(truncate(dump, st.st_size - 3000), 0);
	fx_rm_rf(out);
	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	if (r.status != 1 || count_lines(r.err) != 1 ||
	    !strstr(r.err, "truncated dump: "))
		fail_msg("kdump cut: exit %d, stderr: %s", r.status, r.err);
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	if (!strstr(report, "\"pages_present\": 512") ||
	    !strstr(report, "\"partial\": false"))
		fail_msg("kdump cut: %.900s",
			 strstr(report, "\"memory\"") ?
				 strstr(report, "\"memory\"") :
				 report);
	fx_rm_rf(dir);
	fx_free(fx);
}

/*
 * Ranges of the host dump that fail to read (EIO; the pread(2) of the
 * preloaded tests/src/eio.c, docs/testing.md): like a cut.  Bad pages in
 * the guest: it is written partial with them absent and counted; bad
 * pages elsewhere: the guest is complete.  Either way exit 1 and one line
 * naming the error and the range.
 */
static void read_errors_keep_guests(void **state)
{
	static const struct {
		uint64_t paddr, len; /* host physical range that fails */
		const char *partial, *absent;
	} cases[] = {
		{ 3 * MiB, 8192, "\"partial\": true", "\"pages_absent\": 2," },
		{ 6 * MiB, 4096, "\"partial\": false", "\"pages_absent\": 0," },
	};
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char path[2 * PATH_MAX], report[32768], spec[2 * PATH_MAX], want[128];
	struct fx *fx = fx_new(8 * MiB, 0x180000);
	uint64_t ncr3 = fx_alloc_page(fx), base;
	struct fx_cpu c;
	struct run r;

	(void)state;
	for (uint64_t gpa = 0; gpa < 2 * MiB; gpa += FX_PAGE)
		fx_map(fx, ncr3, gpa, GUEST_HPA + gpa, FX_PAGE, 0x7);
	memcpy(fx_ptr(fx, GUEST_HPA + 0x12340), code, sizeof(code));
	fx_cpu_realmode(&c, ncr3);
	fx_make_vmcb(fx, 0x100000, &c);
	fx_note(fx, "VMCOREINFO", 0, vmcoreinfo, sizeof(vmcoreinfo) - 1);
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	base = first_load_offset(dump);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(spec, sizeof(spec), "%s:0x%llx+%llu", dump,
			 (unsigned long long)(base + cases[i].paddr),
			 (unsigned long long)cases[i].len);
		snprintf(want, sizeof(want),
			 "(Input/output error): %llu pages absent, host "
			 "physical 0x%llx-0x%llx\n",
			 (unsigned long long)(cases[i].len / FX_PAGE),
			 (unsigned long long)cases[i].paddr,
			 (unsigned long long)(cases[i].paddr + cases[i].len));
		fx_rm_rf(out);
		child_eio = spec;
		run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
		child_eio = NULL;
		if (r.status != 1 || count_lines(r.err) != 1 + (i == 0) ||
		    !strstr(r.err, "read errors in ") || !strstr(r.err, want) ||
		    (i == 0 && !strstr(r.err, "partial: 2 of its pages are "
					      "absent: the host dump failed "
					      "to read them")))
			fail_msg("case %zu: exit %d, stderr: %s", i, r.status,
				 r.err);
		snprintf(path, sizeof(path), "%s/report.json", out);
		slurp(path, report, sizeof(report));
		if (!strstr(report, cases[i].partial) ||
		    !strstr(report, cases[i].absent) ||
		    !strstr(report, "read errors in "))
			fail_msg("case %zu: %.900s", i, report);
		snprintf(path, sizeof(path), "%s/svm-%llx.vmcore", out,
			 (unsigned long long)ncr3);
		if (access(path, F_OK) != 0)
			fail_msg("no %s: %s", path, r.out);
	}
	/* without the preload the same dump is whole: exit 0 */
	fx_rm_rf(out);
	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	assert_int_equal(r.status, 0);
	fx_rm_rf(dir);
	fx_free(fx);
}

/* A sparse ELF vmcore: one PT_LOAD of size bytes, all zero. */
static void write_sparse_dump(const char *path, uint64_t size)
{
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph[2];
	} h;
	int fd;

	memset(&h, 0, sizeof(h));
	memcpy(h.eh.e_ident, ELFMAG, SELFMAG);
	h.eh.e_ident[EI_CLASS] = ELFCLASS64;
	h.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	h.eh.e_ident[EI_VERSION] = EV_CURRENT;
	h.eh.e_type = ET_CORE;
	h.eh.e_machine = EM_X86_64;
	h.eh.e_version = EV_CURRENT;
	h.eh.e_phoff = sizeof(h.eh);
	h.eh.e_ehsize = sizeof(h.eh);
	h.eh.e_phentsize = sizeof(Elf64_Phdr);
	h.eh.e_phnum = 2;
	h.ph[0].p_type = PT_NOTE;
	h.ph[0].p_offset = 4096;
	h.ph[1].p_type = PT_LOAD;
	h.ph[1].p_offset = 4096;
	h.ph[1].p_filesz = h.ph[1].p_memsz = size;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, &h, sizeof(h)), sizeof(h));
	assert_int_equal(ftruncate(fd, (off_t)(4096 + size)), 0);
	close(fd);
}

/* Peak memory must not grow with the dump: 64 MiB vs 1 GiB of RAM. */
static void memory_does_not_grow(void **state)
{
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	struct run small, big;

	(void)state;
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	write_sparse_dump(dump, 64 * MiB);
	run_tool(&small, dir, 0, (const char *[]){ dump, out, NULL });
	assert_int_equal(small.status, 0);
	write_sparse_dump(dump, 1024 * MiB);
	run_tool(&big, dir, 0, (const char *[]){ dump, out, NULL });
	assert_int_equal(big.status, 0);
	assert_non_null(strstr(big.out, "scanned 262144 host pages"));
	if (big.maxrss_kb > small.maxrss_kb + 8 * 1024)
		fail_msg("peak RSS grew from %ld KiB to %ld KiB",
			 small.maxrss_kb, big.maxrss_kb);
	fx_rm_rf(dir);
}

static void walk_mode_costs(const char *report);

/*
 * With a KVMINFO note: the guest is named after QEMU's -name, holds every
 * resident page (not just the one the NPT maps), all GPRs, and the report
 * says when each vCPU thread last ran; --stall flags the idle one.
 */
static void kvm_end_to_end(void **state)
{
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char path[2 * PATH_MAX], report[65536], want[128];
	struct fx *fx = kfx_build(NULL);
	struct run r;
	struct stat st;

	(void)state;
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/guests", dir);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	fx_free(fx);

	run_tool(&r, dir, 0,
		 (const char *[]){ "--stall", "2", dump, out, NULL });
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	snprintf(path, sizeof(path), "%s/" KFX_NAME ".vmcore", out);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_non_null(strstr(r.out,
			       "guest " KFX_NAME
			       " (svm, 2 vCPUs, pid 4242, uuid " KFX_UUID ")"));
	assert_non_null(strstr(
		r.out, "thread 4251 \"CPU 1/KVM\" sleeping, last ran 3.000 s"));
	assert_non_null(strstr(r.out, "STALLED"));
	assert_null(strstr(strstr(r.out, "vcpu 0:"),
			   "STALLED: this vCPU thread had not run for 0.5"));
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	assert_non_null(strstr(report, "\"source\": \"kvm\""));
	assert_non_null(strstr(report, "\"source\": \"memslots\""));
	snprintf(want, sizeof(want), "\"pages_present\": %d",
		 KFX_PRESENT_PAGES);
	assert_non_null(strstr(report, want));
	snprintf(want, sizeof(want), "\"rbx\": \"0x%llx\"",
		 (unsigned long long)kfx_gpr(1, 3));
	assert_non_null(strstr(report, want));
	assert_non_null(
		strstr(report, "\"last_ran_seconds_before_crash\": 0.500"));
	assert_non_null(strstr(report, "\"exit_reason_name\": "));
	assert_non_null(strstr(report, "\"uuid\": \"" KFX_UUID "\""));
	walk_mode_costs(report);

	/* --no-kvm: the scan alone, one NPT-mapped page. */
	snprintf(out, sizeof(out), "%s/scan", dir);
	run_tool(&r, dir, 0, (const char *[]){ "--no-kvm", dump, out, NULL });
	assert_int_equal(r.status, 0);
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	assert_non_null(strstr(report, "\"pages_present\": 1,"));
	assert_null(strstr(report, "\"source\": \"kvm\""));
	assert_non_null(
		strstr(report, "\"mode\": \"scan\",\n  \"why\": \"--no-kvm\""));
	fx_rm_rf(dir);
}

static uint64_t json_u64(const char *report, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\": ", key);
	p = strstr(report, k);
	if (!p)
		fail_msg("no %s in the report", key);
	return strtoull(p + strlen(k), NULL, 10);
}

/*
 * Walk mode: the two VMCBs the walk points to are the only pages judged,
 * and what is read of the host dump is the guest's pages plus the walk
 * (page tables, KVM's structures, the VMCOREINFO, the notes), far less
 * than the 32 MiB of host RAM the fixture has.
 */
static void walk_mode_costs(const char *report)
{
	uint64_t bytes = json_u64(report, "host_bytes_read");
	uint64_t guest = (uint64_t)KFX_PRESENT_PAGES * 4096;

	assert_non_null(strstr(report, "\"mode\": \"walk\",\n  \"why\": null"));
	assert_int_equal(json_u64(report, "pages_scanned"), 2);
	if (bytes < guest || bytes > guest + guest / 4 + MiB)
		fail_msg("walk mode read %llu bytes for %llu guest bytes",
			 (unsigned long long)bytes, (unsigned long long)guest);
}

/*
 * A state page the walk points to that is no VMCB: the walk cannot stand
 * alone, the whole host is scanned and the scan's result is used, as it
 * was before walk mode, with one line naming the VM the walk and the
 * scan disagree on (exit 1); --scan scans although the walk is good, and
 * gives the walk's guest.
 */
static void walk_falls_back_and_scan_option(void **state)
{
	struct kfx_opts bad = { .vcpu1_vmcb_elsewhere = 1 };
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char path[2 * PATH_MAX], report[65536];
	struct fx *fx = kfx_build(&bad);
	struct run r;

	(void)state;
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/fallback", dir);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	fx_free(fx);
	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	/* a vCPU the walk knows is missing: a warning, exit 1 */
	assert_int_equal(r.status, 1);
	assert_int_equal(count_lines(r.err), 1);
	assert_non_null(strstr(r.err, "VM " KFX_NAME
				      ": the KVM walk and the scan disagree "
				      "(1 of its 2 vCPU states found"));
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	assert_non_null(strstr(report, "\"mode\": \"scan\""));
	assert_non_null(strstr(report,
			       "the walk cannot stand alone: VM " KFX_NAME
			       " vCPU 1: state at 0x102000"));
	assert_non_null(strstr(report, "disagree"));
	assert_true(json_u64(report, "pages_scanned") > 2);
	assert_non_null(strstr(r.out, "guests from the host scan: the walk"));

	fx = kfx_build(NULL);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	fx_free(fx);
	snprintf(out, sizeof(out), "%s/scan", dir);
	run_tool(&r, dir, 0, (const char *[]){ "--scan", dump, out, NULL });
	assert_int_equal(r.status, 0);
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	assert_non_null(strstr(report, "\"mode\": \"walk+scan\""));
	assert_non_null(strstr(report, "\"why\": \"--scan: cross-check\""));
	assert_true(json_u64(report, "pages_scanned") > 2);
	assert_true(json_u64(report, "host_bytes_read") > 16 * MiB);
	assert_non_null(strstr(report, "\"source\": \"kvm\""));
	snprintf(path, sizeof(path), "%s/" KFX_NAME ".vmcore", out);
	assert_int_equal(access(path, F_OK), 0);
	fx_rm_rf(dir);
}

/*
 * Without any KVMINFO note (a dump taken with the stock kexec -s): the
 * dump's own description gives everything the note gives, and
 * report.json says where it came from.
 */
static void kvm_from_the_dump_itself(void **state)
{
	struct kfx_opts o = { .self_describe = 1, .no_kvminfo = 1 };
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char path[2 * PATH_MAX], report[65536], want[PATH_MAX + 64];
	struct fx *fx = kfx_build(&o);
	struct run r;
	struct stat st;

	(void)state;
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/guests", dir);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	fx_free(fx);

	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	snprintf(path, sizeof(path), "%s/" KFX_NAME ".vmcore", out);
	assert_int_equal(stat(path, &st), 0);
	assert_non_null(strstr(r.out,
			       "guest " KFX_NAME
			       " (svm, 2 vCPUs, pid 4242, uuid " KFX_UUID ")"));
	assert_non_null(strstr(
		r.out, "thread 4251 \"CPU 1/KVM\" sleeping, last ran 3.000 s"));
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	assert_non_null(strstr(report, "\"source\": \"dump\""));
	assert_non_null(strstr(report, "\"note_dump_differences\": null"));
	/* kvm.status says why no note was used, in the lookup's words */
	snprintf(want, sizeof(want), "no KVMINFO note in %s", dump);
	if (!strstr(report, want))
		fail_msg("kvm.status does not say \"%s\": %s", want, report);
	assert_non_null(strstr(report, "\"source\": \"memslots\""));
	snprintf(want, sizeof(want), "\"pages_present\": %d",
		 KFX_PRESENT_PAGES);
	assert_non_null(strstr(report, want));
	for (int i = 0; i < 16; i++) {
		static const char *const names[16] = {
			"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
			"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"
		};

		if (i == 0 || i == 4) /* the VMCB's own RAX and RSP */
			continue;
		snprintf(want, sizeof(want), "\"%s\": \"0x%llx\"", names[i],
			 (unsigned long long)kfx_gpr(1, i));
		if (!strstr(report, want))
			fail_msg("no %s in the report", want);
	}
	fx_rm_rf(dir);
}

/* The 8 bytes at guest physical gpa of a guest core (its PT_LOADs). */
static int core_u64(const char *path, uint64_t gpa, uint64_t *v)
{
	int fd = open(path, O_RDONLY), found = 0;
	Elf *e;
	size_t phnum;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(e);
	assert_int_equal(elf_getphdrnum(e, &phnum), 0);
	for (size_t i = 0; i < phnum && !found; i++) {
		GElf_Phdr ph;

		assert_non_null(gelf_getphdr(e, (int)i, &ph));
		if (ph.p_type != PT_LOAD || ph.p_paddr > gpa ||
		    ph.p_paddr + ph.p_filesz < gpa + 8)
			continue;
		assert_int_equal(pread(fd, v, 8,
				       (off_t)(ph.p_offset + gpa - ph.p_paddr)),
				 8);
		found = 1;
	}
	elf_end(e);
	close(fd);
	return found ? 0 : -1;
}

/*
 * A vCPU of L1 running an L2 guest (kvmfixture opts.nested): the L2
 * guest's memory comes through L1's own tables in L1's memory (vmcs12's
 * EPTP from KVM's cached_vmcs12, or vmcb12's nCR3), then L1's memslots:
 * every page L1 gave L2, with the markers of L1's pages, where KVM's
 * shadow tables hold one page.  The report links L2 to its L1.
 */
static void nested_l2_case(const struct kfx_opts *o, const char *source,
			   const char *root)
{
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char path[2 * PATH_MAX], report[65536], want[128];
	struct fx *fx = kfx_build(o);
	const char *l2;
	struct run r;
	struct stat st;
	uint64_t v;

	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/guests", dir);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	fx_free(fx);
	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	if (r.status != 0)
		fail_msg("exit %d: %s%s", r.status, r.out, r.err);
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	l2 = strstr(report, "\"name\": \"" KFX_NAME "-L2\"");
	if (!l2)
		fail_msg("no L2 guest: %s", report);
	assert_non_null(strstr(l2, "\"nested_l2\": true"));
	assert_non_null(strstr(l2, "\"l1\": \"" KFX_NAME "\""));
	/* L1's vCPU running L2: its other GPRs are unknowable, and said so */
	{
		const char *u = strstr(report, "\"gprs\": \"L1 runs L2: ");

		assert_non_null(u);
		assert_true(u < l2);
		assert_null(strstr(u + 1, "\"gprs\": \"L1 runs L2: "));
	}
	snprintf(want, sizeof(want), "\"source\": \"%s\"", source);
	if (!strstr(l2, want))
		fail_msg("no %s in %s", want, l2);
	if (root) {
		snprintf(want, sizeof(want), "\"l1_root\": \"%s\"", root);
		assert_non_null(strstr(l2, want));
		assert_non_null(
			strstr(l2, o->vmx ? "\"l1_root_from\": \"vmcs12\"" :
					    "\"l1_root_from\": \"vmcb12\""));
		assert_int_equal(json_u64(l2, "pages_present"), KFX_L2_PAGES);
	}
	snprintf(want, sizeof(want), "\"rip\": \"0x%x\"", KFX_L2_RIP);
	assert_non_null(strstr(l2, want));
	snprintf(path, sizeof(path), "%s/" KFX_NAME "-L2.vmcore", out);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	if (root) {
		for (uint64_t i = 0; i < KFX_L2_SMALL; i += 5) {
			assert_int_equal(core_u64(path, i * 4096, &v), 0);
			assert_true(v ==
				    kfx_marker(KFX_L2_SMALL_L1 + i * 4096));
		}
		assert_int_equal(core_u64(path, KFX_L2_LARGE + 9 * 4096, &v),
				 0);
		assert_true(v == kfx_marker(KFX_L2_LARGE_L1 + 9 * 4096));
		/* L2 page 16 is L1's hole */
		assert_int_equal(core_u64(path, KFX_L2_SMALL * 4096, &v), -1);
	} else {
		/* no EPT/NPT: L2-physical is L1-physical */
		assert_int_equal(core_u64(path, 7 * 4096, &v), 0);
		assert_true(v == kfx_marker(7 * 4096));
		assert_int_equal(json_u64(l2, "pages_present"),
				 KFX_PRESENT_PAGES);
	}
	/* L1 is still whole */
	snprintf(path, sizeof(path), "%s/" KFX_NAME ".vmcore", out);
	assert_int_equal(core_u64(path, 7 * 4096, &v), 0);
	assert_true(v == kfx_marker(7 * 4096));
	fx_rm_rf(dir);
}

static void nested_l2_memory(void **state)
{
	struct kfx_opts o = { .vmx = 1, .nested = 1 };

	(void)state;
	nested_l2_case(&o, "l1-ept", "0x8001e");
	o.vmx = 0;
	nested_l2_case(&o, "l1-npt", "0x80000");
	o.l1_no_tdp = 1;
	nested_l2_case(&o, "l1-memslots", NULL);
	o.vmx = 1;
	nested_l2_case(&o, "l1-memslots", NULL);
}

/*
 * L1's root for L2 past L1's memory: refused, and L2 gets what KVM's
 * shadow tables map (one page), written as partial, exit 1, the report
 * saying why.
 */
static void nested_l2_shadow_fallback(void **state)
{
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char path[2 * PATH_MAX], report[65536];
	const char *l2;
	struct run r;

	(void)state;
	for (int vmx = 0; vmx < 2; vmx++) {
		struct kfx_opts o = { .vmx = vmx,
				      .nested = 1,
				      .l2_root_beyond_l1 = 1 };
		struct fx *fx = kfx_build(&o);

		assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
		snprintf(dump, sizeof(dump), "%s/vmcore", dir);
		snprintf(out, sizeof(out), "%s/guests", dir);
		assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
		fx_free(fx);
		run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
		assert_int_equal(r.status, 1);
		assert_non_null(strstr(r.err, "shadow tables only"));
		snprintf(path, sizeof(path), "%s/report.json", out);
		slurp(path, report, sizeof(report));
		l2 = strstr(report, "\"name\": \"" KFX_NAME "-L2\"");
		assert_non_null(l2);
		assert_non_null(strstr(l2, "\"partial\": true"));
		assert_non_null(strstr(l2, vmx ? "\"source\": \"shadow-ept\"" :
						 "\"source\": \"shadow-npt\""));
		assert_non_null(strstr(l2, "beyond"));
		assert_non_null(strstr(l2, "\"l1_root\": null"));
		assert_int_equal(json_u64(l2, "pages_present"), 1);
		fx_rm_rf(dir);
	}
}

/*
 * No VMCSINFO note, but vmcsinfo-intel keeps its layout in its memory:
 * the VMCS is decoded with the layout found through the module list, and
 * like the note it names the host's revision, so a VMCS-like page with
 * another revision is noise, not an error (the Intel crash test's
 * scenario "stock" had nine such revisions).
 */
static void vmcs_layout_from_module(void **state)
{
	static char text[VMCSINFO_TEXT_MAX];
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char path[2 * PATH_MAX], report[65536];
	/* no VMCBs: not an AMD host, so other revisions would count */
	struct kfx_opts o = { .self_describe = 1,
			      .vmcsinfo_text = text,
			      .no_vmcbs = 1 };
	struct vmcsinfo vi, other;
	uint64_t root;
	struct fx_cpu c;
	struct run r;
	struct fx *fx;

	(void)state;
	made_up_layout(&vi);
	assert_true(vmcsinfo_format(&vi, text, sizeof(text)) > 0);
	fx = kfx_build(&o);
	root = fx_alloc_page(fx);
	fx_map(fx, root, 0, 0xc00000, 2 * MiB, 0x7); /* free in kvmfixture */
	fx_cpu_realmode(&c, root | 0x5e);
	c.exit_code = 0;
	fx_make_vmcs(fx, 0x104000, &vi, &c);
	other = vi;
	other.revision_id = 0x40;
	fx_make_vmcs(fx, 0x106000, &other, &c);
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/guests", dir);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	fx_free(fx);
	/* the VMCS is in no VM of vm_list: only the scan finds it */
	run_tool(&r, dir, 0, (const char *[]){ "--scan", dump, out, NULL });
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	if (!strstr(report, "\"source\": \"module memory\""))
		fail_msg("no module layout: %s\n%s", r.err, report);
	if (!strstr(report, "\"layout\": \"module memory\""))
		fail_msg("not used: %s\n%s", r.err, report);
	/* the walk's VM has zero pages for states: said, and only that */
	if (r.status != 1 || strcmp(r.err, "vmcore-guests: VM " KFX_NAME
					   ": none of its 2 vCPU states "
					   "found: not written\n"))
		fail_msg("exit %d: %s", r.status, r.err);
	assert_non_null(strstr(report, "\"vendor\": \"vmx\""));
	fx_rm_rf(dir);
}

/*
 * With both: the note is used as it is; with --check-note compared key by
 * key with the dump's own description, and used when they agree.
 */
static void kvm_note_and_dump_agree(void **state)
{
	struct kfx_opts o = { .self_describe = 1 };
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char path[2 * PATH_MAX], report[65536];
	struct fx *fx = kfx_build(&o);
	struct run r;

	(void)state;
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/guests", dir);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	fx_free(fx);
	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	assert_int_equal(r.status, 0);
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	assert_non_null(strstr(report, "\"source\": \"note\""));
	assert_non_null(strstr(report, "\"note_dump_differences\": null"));
	assert_non_null(strstr(report, "\"dump_description\": \"not derived: "
				       "the note's KVMINFO was used as it is"));
	run_tool(&r, dir, 0,
		 (const char *[]){ "--check-note", dump, out, NULL });
	assert_int_equal(r.status, 0);
	slurp(path, report, sizeof(report));
	assert_non_null(strstr(report, "\"source\": \"note\""));
	assert_non_null(strstr(report, "\"note_dump_differences\": 0"));
	assert_non_null(strstr(report, "\"dump_description\": \"derived from"));
	fx_rm_rf(dir);
}

/*
 * vmcsinfo kvminfo --from-dump: the description a saved dump holds of
 * itself, in the note's text form, key for key the note of the same host.
 */
static void vmcsinfo_from_dump(void **state)
{
	struct kfx_opts o = { .self_describe = 1 };
	char dir[PATH_MAX], dump[PATH_MAX + 16], saved[PATH_MAX];
	struct vg_kvminfo note, desc;
	struct vg_error err;
	struct fx *fx = kfx_build(&o);
	const void *d;
	size_t len;
	struct run r;

	(void)state;
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	assert_int_equal(elfnote_find(fx->notes, fx->notes_len, "KVMINFO", 0,
				      &d, &len, NULL),
			 0);
	assert_int_equal(vg_kvminfo_parse(d, len, &note, &err), 0);
	fx_free(fx);
	snprintf(saved, sizeof(saved), "%s", bin);
	snprintf(bin + strlen(bin) - strlen("vmcore-guests"),
		 sizeof(bin) - (strlen(bin) - strlen("vmcore-guests")),
		 "vmcsinfo");
	run_tool(&r, dir, 0,
		 (const char *[]){ "kvminfo", "--from-dump", dump, NULL });
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	assert_int_equal(vg_kvminfo_parse(r.out, strlen(r.out), &desc, &err),
			 0);
	assert_int_equal(vg_kvminfo_diff(&note, "note", &desc, "dump", NULL, 0),
			 0);
	assert_non_null(strstr(r.out, "KVMINFO_VERSION=1\nOSRELEASE="));
	/* a dump that cannot describe itself: exit 1 and the reason */
	fx = kfx_build(NULL);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	fx_free(fx);
	run_tool(&r, dir, 0,
		 (const char *[]){ "kvminfo", "--from-dump", dump, NULL });
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "does not locate kallsyms"));
	run_tool(&r, dir, 0,
		 (const char *[]){ "kvminfo", "--from-dump", dump, "--btf", dir,
				   NULL });
	assert_int_equal(r.status, 2);
	snprintf(bin, sizeof(bin), "%s", saved);
	fx_rm_rf(dir);
}

/*
 * --compress and --dump-level: the guest in the kdump-compressed format,
 * read back with libkdumpfile; a guest without VMCOREINFO keeps every
 * non-zero page and the report says why.  Bad values exit 2.
 */
static void compressed_guest(void **state)
{
	static const char *const bad[][4] = {
		{ "--dump-level", "31", NULL, "needs --compress" },
		{ "--compress", "gzip", NULL, "--compress wants" },
		{ "--dump-level", "32", "--compress=lzo",
		  "--dump-level wants" },
	};
	char dir[PATH_MAX], dump[PATH_MAX + 16], out[PATH_MAX + 16];
	char path[2 * PATH_MAX], report[32768], name[64];
	struct vg_error err = { 0 };
	struct vg_hostdump *hd;
	uint8_t bytes[sizeof(code)];
	struct stat st;
	struct run r;
	uint64_t ncr3;
	struct fx *fx = svm_host(&ncr3);

	(void)state;
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/out", dir);
	fx_note(fx, "VMCOREINFO", 0, vmcoreinfo, sizeof(vmcoreinfo) - 1);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[] = { bad[i][0], bad[i][1], bad[i][2],
				       dump,	  out,	     NULL };

		if (!bad[i][2]) {
			args[2] = dump;
			args[3] = out;
			args[4] = NULL;
		}
		run_tool(&r, dir, 0, args);
		if (r.status != 2 || !strstr(r.err, bad[i][3]))
			fail_msg("case %zu: exit %d: %s", i, r.status, r.err);
	}
	run_tool(&r, dir, 0,
		 (const char *[]){ "--compress", "lzo", "--dump-level", "31",
				   dump, out, NULL });
	if (r.status != 0)
		fail_msg("exit %d: %s", r.status, r.err);
	assert_non_null(strstr(r.out, "kdump-compressed, dump level 1"));
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	assert_non_null(strstr(report, "\"format\": \"kdump-compressed\""));
	assert_non_null(strstr(report, "no guest VMCOREINFO: zero pages "
				       "excluded only"));
	snprintf(name, sizeof(name), "svm-%llx", (unsigned long long)ncr3);
	snprintf(path, sizeof(path), "%s/%s.vmcore", out, name);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	hd = vg_hostdump_open(path, &err);
	if (!hd)
		fail_msg("libkdumpfile: %s", err.msg);
	assert_int_equal(vg_hostmem_read(vg_hostdump_mem(hd), 0x12340, bytes,
					 sizeof(bytes)),
			 VG_HM_OK);
	assert_memory_equal(bytes, code, sizeof(code));
	vg_hostdump_close(hd);
	fx_rm_rf(dir);
	fx_free(fx);
}

/* One protected-guest case: the KVM host built with o, what must follow. */
struct prot_case {
	struct kfx_opts o;
	int status;
	int written; /* KFX_NAME.vmcore exists */
	const char *want[6]; /* in report.json */
	const char *err; /* in stderr, or NULL */
	const char *out; /* in stdout, or NULL */
};

static void prot_case_run(const struct prot_case *pc, const char *dir, size_t i)
{
	char dump[PATH_MAX + 16], out[PATH_MAX + 16], path[2 * PATH_MAX];
	static char report[65536];
	struct fx *fx = kfx_build(&pc->o);
	struct run r;

	snprintf(dump, sizeof(dump), "%s/vmcore", dir);
	snprintf(out, sizeof(out), "%s/out-%zu", dir, i);
	assert_int_equal(fx_write_elf(fx, dump, NULL), 0);
	fx_free(fx);
	run_tool(&r, dir, 0, (const char *[]){ dump, out, NULL });
	snprintf(path, sizeof(path), "%s/report.json", out);
	slurp(path, report, sizeof(report));
	if (r.status != pc->status)
		fail_msg("vm_type %llu, VMCB sev %d: exit %d, not %d: %s\n%s",
			 (unsigned long long)pc->o.vm_type, pc->o.vmcb_sev,
			 r.status, pc->status, r.err, report);
	for (int i = 0; i < 6 && pc->want[i]; i++)
		if (!strstr(report, pc->want[i]))
			fail_msg("vm_type %llu, VMCB sev %d: no %s in\n%s",
				 (unsigned long long)pc->o.vm_type,
				 pc->o.vmcb_sev, pc->want[i], report);
	if (pc->err && !strstr(r.err, pc->err))
		fail_msg("no \"%s\" in stderr: %s", pc->err, r.err);
	if (pc->out && !strstr(r.out, pc->out))
		fail_msg("no \"%s\" in stdout: %s", pc->out, r.out);
	snprintf(path, sizeof(path), "%s/" KFX_NAME ".vmcore", out);
	if ((access(path, F_OK) == 0) != pc->written)
		fail_msg("vm_type %llu, VMCB sev %d: %s %s",
			 (unsigned long long)pc->o.vm_type, pc->o.vmcb_sev,
			 path, pc->written ? "missing" : "written");
}

/*
 * kvm->arch.vm_type (Linux >= 6.8) on the synthetic KVM host, one guest
 * for each type: SEV, SEV-ES, SEV-SNP and TDX are listed and skipped
 * (exit 1), SNP no longer hides behind "sev-es", a TD is listed with no
 * vCPU state at all, sw-protected is dumped unless it has guest_memfd
 * memory; where vm_type and the VMCB disagree both are said (the other
 * combinations: protection_of_guests in test_kvmwalk.c).
 */
static void protection_from_vm_type(void **state)
{
	static const struct prot_case cases[] = {
		{ { .has_vm_type = 1, .vm_type = 0 },
		  0,
		  1,
		  { "\"vm_type\": \"default\"", "\"protection\": null,",
		    "\"protection_note\": null" },
		  NULL,
		  NULL },
		{ { .has_vm_type = 1, .vm_type = 1 },
		  0,
		  1,
		  { "\"protection\": \"sw-protected\"", "nothing is encrypted",
		    "\"vm_type\": \"sw-protected\"" },
		  NULL,
		  NULL },
		{ { .has_vm_type = 1, .vm_type = 1, .gmem_slot = 1 },
		  1,
		  0,
		  { "\"protection\": \"sw-protected\"", "\"skipped\": true" },
		  "sw-protected, its private memory is in guest_memfd",
		  NULL },
		{ { .has_vm_type = 1, .vm_type = 2, .vmcb_sev = 1 },
		  1,
		  0,
		  { "\"protection\": \"sev\"", "\"protection_note\": null",
		    "\"rip\": \"0x2340\"" },
		  "the guest is protected (sev), its memory is encrypted",
		  NULL },
		{ { .has_vm_type = 1, .vm_type = 3, .vmcb_sev = 2 },
		  1,
		  0,
		  { "\"protection\": \"sev-es\"", "\"protection_note\": null",
		    "\"state_encrypted\": true" },
		  NULL,
		  NULL },
		{ { .has_vm_type = 1, .vm_type = 4, .vmcb_sev = 2 },
		  1,
		  0,
		  { "\"protection\": \"sev-snp\"", "\"protection_note\": null",
		    "\"vm_type\": \"sev-snp\"", "\"state_encrypted\": true" },
		  "the guest is protected (sev-snp)",
		  NULL },
		{ { .has_vm_type = 1, .vm_type = 5, .tdx = 1 },
		  1,
		  0,
		  { "\"protection\": \"tdx\"",
		    "\"state_paddr\": null,\n        \"state\": null,",
		    "\"eptp\": null", "\"rip\": null",
		    "\"state\": \"TD vCPU: the TDX module keeps",
		    "\"tid\": 4251" },
		  "the guest is protected (tdx)",
		  "vcpu 1: state encrypted (tdx), no VMCS" },
		{ { .has_vm_type = 1, .vm_type = 2, .vmcb_sev = 2 },
		  1,
		  0,
		  { "\"protection\": \"sev-es\"",
		    "KVM's vm_type says sev, the VMCB says sev-es: protection "
		    "from the stronger" },
		  NULL,
		  NULL },
		/* no note: vm_type from the dump's own BTF */
		{ { .has_vm_type = 1,
		    .vm_type = 4,
		    .vmcb_sev = 2,
		    .self_describe = 1,
		    .no_kvminfo = 1 },
		  1,
		  0,
		  { "\"protection\": \"sev-snp\"", "\"protection_note\": null",
		    "\"source\": \"dump\"" },
		  NULL,
		  NULL },
	};
	char dir[PATH_MAX];

	(void)state;
	assert_int_equal(fx_tmpdir(dir, sizeof(dir)), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		prot_case_run(&cases[i], dir, i);
	fx_rm_rf(dir);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(svm_end_to_end),
		cmocka_unit_test(protected_guests_not_dumped),
		cmocka_unit_test(protection_from_vm_type),
		cmocka_unit_test(compressed_guest),
		cmocka_unit_test(kernel_text_overlap),
		cmocka_unit_test(la57_host_without_kvminfo),
		cmocka_unit_test(amd_host_ignores_vmcs_like_pages),
		cmocka_unit_test(vmx_layout_sources),
		cmocka_unit_test(kvm_end_to_end),
		cmocka_unit_test(walk_falls_back_and_scan_option),
		cmocka_unit_test(kvm_from_the_dump_itself),
		cmocka_unit_test(kvm_note_and_dump_agree),
		cmocka_unit_test(vmcs_layout_from_module),
		cmocka_unit_test(vmcsinfo_from_dump),
		cmocka_unit_test(vmx_note_ignores_other_revisions),
		cmocka_unit_test(only_and_no_guests),
		cmocka_unit_test(budgets_and_progress),
		cmocka_unit_test(bad_inputs),
		cmocka_unit_test(full_outdir),
		cmocka_unit_test(truncated_dump_keeps_guests),
		cmocka_unit_test(read_errors_keep_guests),
		cmocka_unit_test(memory_does_not_grow),
		cmocka_unit_test(nested_l2_memory),
		cmocka_unit_test(nested_l2_shadow_fallback),
	};
	char self[PATH_MAX];

	(void)argc;
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(bin, sizeof(bin), "%s/../bin/vmcore-guests", dirname(self));
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(eio_so, sizeof(eio_so), "%s/libvgeio.so", dirname(self));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
