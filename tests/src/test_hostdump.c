// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dump handle (src/hostdump.c): notes and VMCOREINFO through the one
 * open of the dump, for ELF vmcores and for kdump-compressed dumps that
 * makedumpfile makes from the fixtures; truncated, oversized and
 * corrupt notes.  (They replace the dump-reader tests of the former
 * kexec/dumpnotes.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notes/elfnote.h"
#include "src/hostdump.h"
#include "src/scan.h"
#include "src/vmx.h"
#include "tests/src/fixture.h"
#include "tests/src/kvmfixture.h"

static const char vmcs_text[] = "VMCSINFO_VERSION=1\nREVISION_ID=0x2b\n"
				"FIELD(0x0800)=0x10\n";
static const char vmci[] = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n";

static int setup(void **state)
{
	*state = fx_scratch_new();
	return 0;
}

static int teardown(void **state)
{
	fx_scratch_free(*state);
	return 0;
}

/* A small host: RAM from 4 KiB on, some bytes to read back. */
static struct fx *host(void)
{
	struct fx *fx = fx_new(4ull << 20, 1ull << 20);

	fx_hole(fx, 0, FX_PAGE);
	memset(fx_ptr(fx, 0x200000), 0xab, FX_PAGE);
	return fx;
}

/* Scan the whole dump through hd (layouts: vmcs12). */
static void scan_dump(struct vg_hostdump *hd, struct vg_scan_result *res)
{
	struct vg_scan_cfg cfg;
	struct vg_error err;

	memset(&cfg, 0, sizeof(cfg));
	cfg.hm = vg_hostdump_mem(hd);
	cfg.next_range = vg_hostdump_next_range;
	cfg.range_ctx = hd;
	cfg.layouts[0].vi = vg_vmcs12_layout();
	cfg.layouts[0].source = "built-in vmcs12";
	cfg.nlayouts = 1;
	assert_int_equal(vg_scan(&cfg, res, &err), 0);
}

/*
 * ELF memory read with pread(2) straight from the PT_LOADs (the scan's 1
 * MiB reads) and through libkdumpfile: the same bytes, the same absent
 * pages, the same scan.  The synthetic KVM host with its two VMCBs, a
 * hole, and a kernel-text PT_LOAD over RAM as /proc/vmcore has it.
 */
static void direct_reads_equal_libkdumpfile(void **state)
{
	struct fx_write_opts o = { .kernel_text_start = 0x800000,
				   .kernel_text_len = 0x400000 };
	struct fx_scratch *t = *state;
	struct vg_scan_result a, b;
	static uint8_t x[1 << 20], y[1 << 20];
	struct vg_hostdump *hd;
	struct vg_hostmem *hm;
	struct vg_error err;
	struct fx *fx = kfx_build(NULL);

	fx_hole(fx, 0x1a00000, 0x1a80000);
	for (uint64_t i = 0; i < 0x100000; i += 8)
		fx_put64(fx, 0x1c00000 + i, i * 0x9e3779b97f4a7c15ull);
	assert_int_equal(fx_write_elf(fx, t->path, &o), 0);
	fx_free(fx);
	hd = vg_hostdump_open(t->path, &err);
	if (!hd)
		fail_msg("%s", err.msg);
	hm = vg_hostdump_mem(hd);
	for (uint64_t pa = 0; pa < hm->max_paddr; pa += sizeof(x)) {
		int rx, ry;

		assert_int_equal(vg_hostdump_set_direct(hd, 1), 0);
		rx = vg_hostmem_read(hm, pa, x, sizeof(x));
		assert_int_equal(vg_hostdump_set_direct(hd, 0), 0);
		ry = vg_hostmem_read(hm, pa, y, sizeof(y));
		assert_int_equal(rx, ry);
		if (rx == VG_HM_OK)
			assert_memory_equal(x, y, sizeof(x));
		else
			assert_true(pa == 0x1a00000); /* the hole */
	}
	/* a read across the end of the kernel text PT_LOAD, in RAM */
	assert_int_equal(vg_hostdump_set_direct(hd, 1), 0);
	assert_int_equal(vg_hostmem_read(hm, 0xbff000, x, 8192), VG_HM_OK);
	assert_int_equal(vg_hostdump_set_direct(hd, 0), 0);
	assert_int_equal(vg_hostmem_read(hm, 0xbff000, y, 8192), VG_HM_OK);
	assert_memory_equal(x, y, 8192);

	scan_dump(hd, &b); /* libkdumpfile */
	assert_int_equal(vg_hostdump_set_direct(hd, 1), 0);
	scan_dump(hd, &a);
	assert_int_equal(a.nfound, 2);
	assert_int_equal(a.nfound, b.nfound);
	assert_true(a.pages_scanned == b.pages_scanned);
	assert_true(a.pages_absent == b.pages_absent);
	assert_int_equal(a.pages_scanned, 32 * 256 - 128); /* but the hole */
	for (size_t i = 0; i < a.nfound; i++)
		assert_memory_equal(&a.found[i], &b.found[i],
				    sizeof(a.found[i]));
	assert_true(a.found[0].vcpu.state_paddr == KFX_VMCB0);
	vg_scan_result_free(&a);
	vg_scan_result_free(&b);
	vg_hostdump_close(hd);
}

/*
 * The window tests' ELF dump: a hole at 0x1a00000-0x1a80000, a pattern
 * at 0x1b00000, kernel text over RAM at 0x800000-0xc00000; opened.
 */
static struct vg_hostdump *window_dump(const char *path)
{
	struct fx_write_opts o = { .kernel_text_start = 0x800000,
				   .kernel_text_len = 0x400000 };
	struct fx *fx = kfx_build(NULL);
	struct vg_hostdump *hd;
	struct vg_error err;

	fx_hole(fx, 0x1a00000, 0x1a80000);
	for (uint64_t i = 0; i < 0x200000; i += 8)
		fx_put64(fx, 0x1b00000 + i, i * 0x9e3779b97f4a7c15ull + 1);
	assert_int_equal(fx_write_elf(fx, path, &o), 0);
	fx_free(fx);
	hd = vg_hostdump_open(path, &err);
	if (!hd)
		fail_msg("%s", err.msg);
	return hd;
}

/*
 * The mmap window (/proc/vmcore's reader, asked of a regular file here)
 * gives what pread(2) gives: reads of every size from 4 KiB to 1 MiB at
 * offsets that cross the 4 MiB window, a segment's end, the hole and the
 * kernel-text PT_LOAD; small reads outside the window go to pread.  A
 * regular file is read with pread unless asked.
 */
static void mmap_window_reads_equal_pread(void **state)
{
	struct fx_scratch *t = *state;
	static uint8_t x[1 << 20], y[1 << 20];
	static const uint64_t sizes[] = { 4096,	  8192,	   65536,
					  131072, 1 << 19, 1 << 20 };
	struct vg_hostdump *hd = window_dump(t->path);
	struct vg_hostmem *hm = vg_hostdump_mem(hd);
	uint64_t seed = 0x243f6a8885a308d3ull;

	assert_string_equal(vg_hostdump_read_method(hd), "pread");
	for (int k = 0; k < 400; k++) {
		uint64_t n = sizes[k % 6], pa;
		int rx, ry;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		pa = ((seed >> 20) % (hm->max_paddr - n)) & ~4095ull;
		if (k % 7 == 0) { /* right before a 4 MiB boundary */
			uint64_t w = (seed >> 24) % (hm->max_paddr >> 22);

			if (!w)
				continue;
			pa = (w << 22) - 4096;
		}
		if (pa + n > hm->max_paddr)
			continue;
		assert_int_equal(vg_hostdump_set_mmap(hd, 1), 0);
		rx = vg_hostmem_read(hm, pa, x, n);
		assert_int_equal(vg_hostdump_set_mmap(hd, 0), 0);
		ry = vg_hostmem_read(hm, pa, y, n);
		assert_int_equal(rx, ry);
		if (rx == VG_HM_OK)
			assert_memory_equal(x, y, n);
	}
	/* small reads inside the last window: from it; outside: pread */
	assert_int_equal(vg_hostdump_set_mmap(hd, 1), 0);
	assert_int_equal(vg_hostmem_read(hm, 0x1b00000, x, 1 << 20), VG_HM_OK);
	assert_int_equal(vg_hostmem_read(hm, 0x1b08000, x, 4096), VG_HM_OK);
	assert_int_equal(vg_hostmem_read(hm, 0x300000, y, 4096), VG_HM_OK);
	assert_string_equal(vg_hostdump_read_method(hd), "mmap");
	assert_int_equal(vg_hostdump_set_mmap(hd, 0), 0);
	assert_int_equal(vg_hostmem_read(hm, 0x1b08000, y, 4096), VG_HM_OK);
	assert_memory_equal(x, y, 4096);
	vg_hostdump_close(hd);
}

/*
 * hm.map (the guest writers' reads of /proc/vmcore, no copy): the bytes
 * a read gives, wherever the window must go for them (across a 4 MiB
 * boundary too); refused for a range touching the hole, with mmap off,
 * and for a small range outside the window (pread is cheaper there).
 */
static void mmap_map_equals_read(void **state)
{
	struct fx_scratch *t = *state;
	static uint8_t y[256 << 10];
	static const uint64_t sizes[] = { 65536, 131072, 256 << 10 };
	struct vg_hostdump *hd = window_dump(t->path);
	struct vg_hostmem *hm = vg_hostdump_mem(hd);
	uint64_t seed = 0x13198a2e03707344ull, mapped = 0;
	const void *p;

	assert_int_equal(vg_hostmem_map(hm, 0x1b00000, 65536, &p), -1);
	for (int k = 0; k < 300; k++) {
		uint64_t n = sizes[k % 3], pa;
		int ry, rm;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		pa = ((seed >> 20) % (hm->max_paddr - n)) & ~4095ull;
		if (k % 5 == 0) /* across a 4 MiB boundary */
			pa = ((((seed >> 24) % (hm->max_paddr >> 22)) + 1)
			      << 22) -
			     8192;
		if (pa + n > hm->max_paddr)
			continue;
		assert_int_equal(vg_hostdump_set_mmap(hd, 0), 0);
		ry = vg_hostmem_read(hm, pa, y, n);
		assert_int_equal(vg_hostdump_set_mmap(hd, 1), 0);
		rm = vg_hostmem_map(hm, pa, n, &p);
		if (pa < 0x1a80000 && pa + n > 0x1a00000) {
			if (rm == 0)
				fail_msg("0x%llx: mapped across the hole",
					 (unsigned long long)pa);
			continue;
		}
		if (ry != VG_HM_OK)
			continue;
		/* across a PT_LOAD's end (kernel text's): may be refused */
		if (rm != 0 && ((pa < 0x800000 && pa + n > 0x800000) ||
				(pa < 0xc00000 && pa + n > 0xc00000)))
			continue;
		if (rm != 0)
			fail_msg("0x%llx+0x%llx: not mapped",
				 (unsigned long long)pa, (unsigned long long)n);
		assert_memory_equal(p, y, n);
		mapped++;
	}
	assert_true(mapped > 100);
	/* small: from the window when it holds them, else not offered */
	assert_int_equal(vg_hostmem_map(hm, 0x1b00000, 256 << 10, &p), 0);
	assert_int_equal(vg_hostmem_map(hm, 0x1b08000, 4096, &p), 0);
	assert_int_equal(vg_hostmem_read(hm, 0x1b08000, y, 4096), VG_HM_OK);
	assert_memory_equal(p, y, 4096);
	assert_int_equal(vg_hostmem_map(hm, 0x300000, 4096, &p), -1);
	vg_hostdump_close(hd);
}

static uint64_t peek64(const char *path, uint64_t off)
{
	uint64_t v = 0;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &v, sizeof(v), (off_t)off), sizeof(v));
	close(fd);
	return v;
}

/* Expect vg_hostdump_open to refuse path with one line containing what. */
static void expect_refused(const char *path, const char *what)
{
	struct vg_error err;
	struct vg_hostdump *hd = vg_hostdump_open(path, &err);

	if (hd) {
		vg_hostdump_close(hd);
		fail_msg("%s opened, wanted \"%s\"", path, what);
	}
	if (err.code >= 0 || !strstr(err.msg, what))
		fail_msg("code %d err \"%s\", wanted \"%s\"", err.code, err.msg,
			 what);
	assert_null(strchr(err.msg, '\n'));
}

static struct vg_hostdump *open_ok(const char *path)
{
	struct vg_error err;
	struct vg_hostdump *hd = vg_hostdump_open(path, &err);

	if (!hd)
		fail_msg("%s: %s", path, err.msg);
	return hd;
}

static void elf_notes_and_vmcoreinfo(void **state)
{
	struct fx_scratch *t = *state;
	struct fx *fx = host();
	struct vg_hostdump *hd;
	struct vg_error err;
	const void *desc;
	const char *text;
	uint8_t page[16];
	size_t len;

	fx_note(fx, "CORE", 1, (char[336]){ 0 }, 336);
	fx_note(fx, "VMCOREINFO", 0, vmci, sizeof(vmci) - 1);
	fx_note(fx, "VMCSINFOX", 0, "no", 2); /* a longer name: no match */
	fx_note(fx, "VMCSINFO", 1, "no", 2); /* wrong type: no match */
	fx_note(fx, "VMCSINFO", 0, vmcs_text, sizeof(vmcs_text) - 1);
	assert_int_equal(fx_write_elf(fx, t->path, NULL), 0);
	hd = open_ok(t->path);
	assert_string_equal(vg_hostdump_format(hd), "elf");
	assert_int_equal(
		vg_hostdump_find_note(hd, "VMCSINFO", 0, &desc, &len, &err), 0);
	assert_int_equal(len, sizeof(vmcs_text) - 1);
	assert_memory_equal(desc, vmcs_text, len);
	assert_int_equal(
		vg_hostdump_find_note(hd, "KVMINFO", 0, &desc, &len, &err), 1);
	assert_non_null(strstr(err.msg, "no KVMINFO note in"));
	assert_int_equal(vg_hostdump_vmcoreinfo(hd, &text, &len, &err), 0);
	assert_string_equal(text, vmci);
	assert_int_equal(len, sizeof(vmci) - 1);
	/* memory through the same handle */
	assert_int_equal(vg_hostdump_mem(hd)->read(vg_hostdump_mem(hd),
						   0x200000, page,
						   sizeof(page)),
			 VG_HM_OK);
	assert_int_equal(page[0], 0xab);
	vg_hostdump_close(hd);
	fx_free(fx);
}

/*
 * Two PT_NOTEs, the first ended by a terminator and padding as
 * kexec-tools leaves them: notes after a terminator are not seen, the
 * second segment's are.
 */
static void elf_several_pt_notes(void **state)
{
	struct fx_scratch *t = *state;
	struct fx *fx = host(), *second = host();
	struct fx_write_opts o = { 0 };
	struct vg_hostdump *hd;
	struct vg_error err;
	const void *desc;
	size_t len;

	fx_note(fx, "VMCOREINFO", 0, vmci, sizeof(vmci) - 1);
	fx->notes_len += 64; /* terminator and padding */
	fx_note(fx, "HIDDEN", 0, "x", 1);
	fx_note(second, "VMCSINFO", 0, vmcs_text, sizeof(vmcs_text) - 1);
	o.extra_note = second->notes;
	o.extra_note_len = second->notes_len;
	assert_int_equal(fx_write_elf(fx, t->path, &o), 0);
	hd = open_ok(t->path);
	assert_int_equal(
		vg_hostdump_find_note(hd, "VMCSINFO", 0, &desc, &len, &err), 0);
	assert_memory_equal(desc, vmcs_text, len);
	assert_int_equal(vg_hostdump_find_note(hd, "VMCOREINFO", 0, &desc, &len,
					       &err),
			 0);
	assert_int_equal(
		vg_hostdump_find_note(hd, "HIDDEN", 0, &desc, &len, &err), 1);
	vg_hostdump_close(hd);
	fx_free(second);
	fx_free(fx);
}

static void elf_no_notes(void **state)
{
	struct fx_scratch *t = *state;
	struct fx *fx = host();
	struct vg_hostdump *hd;
	struct vg_error err;
	const void *desc;
	const char *text;
	size_t len;

	assert_int_equal(fx_write_elf(fx, t->path, NULL), 0);
	hd = open_ok(t->path);
	assert_int_equal(
		vg_hostdump_find_note(hd, "VMCSINFO", 0, &desc, &len, &err), 1);
	assert_non_null(strstr(err.msg, "no VMCSINFO note"));
	assert_null(desc);
	assert_int_equal(vg_hostdump_vmcoreinfo(hd, &text, &len, &err), 1);
	assert_non_null(strstr(err.msg, "no VMCOREINFO"));
	vg_hostdump_close(hd);
	fx_free(fx);
}

static void elf_truncated_and_corrupt(void **state)
{
	struct fx_scratch *t = *state;
	struct fx *fx = host();
	struct fx_write_opts o = { 0 };

	fx_note(fx, "VMCSINFO", 0, vmcs_text, sizeof(vmcs_text) - 1);
	/* cut inside the PT_NOTE data */
	o.truncate_to = 64 + 2 * 56 + 20;
	assert_int_equal(fx_write_elf(fx, t->path, &o), 0);
	expect_refused(t->path, "truncated dump: PT_NOTE segment");
	/* cut inside the program headers */
	o.truncate_to = 64 + 20;
	assert_int_equal(fx_write_elf(fx, t->path, &o), 0);
	expect_refused(t->path, "program headers of 56 bytes at offset 64");
	/* cut inside the ELF header */
	o.truncate_to = 40;
	assert_int_equal(fx_write_elf(fx, t->path, &o), 0);
	expect_refused(t->path, "less than an ELF64 header");
	/* a note that claims more than its segment */
	memset(&o, 0, sizeof(o));
	o.garbage_note = 1;
	assert_int_equal(fx_write_elf(fx, t->path, &o), 0);
	expect_refused(t->path, "corrupt ELF note at file offset");
	/* a PT_NOTE of a terabyte */
	memset(&o, 0, sizeof(o));
	o.huge_note = 1;
	assert_int_equal(fx_write_elf(fx, t->path, &o), 0);
	expect_refused(t->path, "PT_NOTE segment at file offset");
	/* non-zero garbage after the last note */
	fx->notes[fx->notes_len] = 0xff;
	fx->notes_len += 4;
	assert_int_equal(fx_write_elf(fx, t->path, NULL), 0);
	expect_refused(t->path, "garbage");
	fx_free(fx);
}

static void oversized_note(void **state)
{
	struct fx_scratch *t = *state;
	struct fx *fx = host();
	struct vg_hostdump *hd;
	struct vg_error err;
	const void *desc;
	size_t len, big = ELFNOTE_MAX_DESC + 4;
	uint32_t h[3] = { 9, (uint32_t)big, 0 };
	uint8_t *notes = calloc(1, 12 + 12 + big);
	struct fx_write_opts o = { 0 };

	memcpy(notes, h, sizeof(h));
	memcpy(notes + 12, "VMCSINFO", 9);
	o.extra_note = notes;
	o.extra_note_len = 24 + big;
	fx->ram_size = 1ull << 20; /* keep the file small */
	assert_int_equal(fx_write_elf(fx, t->path, &o), 0);
	hd = open_ok(t->path);
	assert_int_equal(vg_hostdump_find_note(hd, "VMCSINFO", 0, &desc, &len,
					       &err),
			 -EFBIG);
	assert_non_null(strstr(err.msg, "more than"));
	vg_hostdump_close(hd);
	free(notes);
	fx_free(fx);
}

/* Offsets in a kdump-compressed dump (x86_64 makedumpfile layout). */
#define KDH_VERSION 8
#define KDH_BLOCK_SIZE 428
#define KDH_SUB_HDR_SIZE 432
#define KSUB (4096 + 0)
#define KSUB_OFF_VMCOREINFO (KSUB + 32)
#define KSUB_SIZE_VMCOREINFO (KSUB + 40)
#define KSUB_OFF_NOTE (KSUB + 48)
#define KSUB_SIZE_NOTE (KSUB + 56)

static void write_kdump(const char *path)
{
	struct fx *fx = host();

	fx_note(fx, "CORE", 1, (char[336]){ 0 }, 336);
	fx_note(fx, "VMCSINFO", 0, vmcs_text, sizeof(vmcs_text) - 1);
	assert_int_equal(fx_write_kdump(fx, path, NULL), 0);
	fx_free(fx);
}

static void kdump_compressed(void **state)
{
	struct fx_scratch *t = *state;
	struct vg_hostdump *hd;
	struct vg_error err;
	const void *desc;
	const char *text;
	uint8_t page[16];
	size_t len;

	write_kdump(t->path);
	hd = open_ok(t->path);
	assert_string_equal(vg_hostdump_format(hd), "diskdump");
	assert_int_equal(
		vg_hostdump_find_note(hd, "VMCSINFO", 0, &desc, &len, &err), 0);
	assert_int_equal(len, sizeof(vmcs_text) - 1);
	assert_memory_equal(desc, vmcs_text, len);
	assert_int_equal(vg_hostdump_vmcoreinfo(hd, &text, &len, &err), 0);
	assert_non_null(strstr(text, "OSRELEASE=6.1.0-test\n"));
	assert_int_equal(vg_hostdump_mem(hd)->read(vg_hostdump_mem(hd),
						   0x200000, page,
						   sizeof(page)),
			 VG_HM_OK);
	assert_int_equal(page[0], 0xab);
	vg_hostdump_close(hd);
	/* no note section */
	FX_PATCH(t->path, KSUB_SIZE_NOTE, uint64_t, 0);
	hd = open_ok(t->path);
	assert_int_equal(
		vg_hostdump_find_note(hd, "VMCSINFO", 0, &desc, &len, &err), 1);
	vg_hostdump_close(hd);
	/* header version 3 cannot have notes: not found, says why */
	write_kdump(t->path);
	FX_PATCH(t->path, KDH_VERSION, uint32_t, 3);
	hd = open_ok(t->path);
	assert_int_equal(
		vg_hostdump_find_note(hd, "VMCSINFO", 0, &desc, &len, &err), 1);
	assert_non_null(strstr(err.msg, "predates"));
	/* but VMCOREINFO comes from its own section then */
	assert_int_equal(vg_hostdump_vmcoreinfo(hd, &text, &len, &err), 0);
	assert_non_null(strstr(text, "OSRELEASE=6.1.0-test\n"));
	vg_hostdump_close(hd);
}

/*
 * Header version 3 with a VMCOREINFO section of 0 bytes: libkdumpfile
 * 0.5.1 keeps an empty blob whose data is NULL and does arithmetic on it
 * (UBSan, K7 in docs/libkdumpfile-bugs.md); we passed it to memcpy.
 * Refused now.
 */
static void kdump_empty_vmcoreinfo(void **state)
{
	struct fx_scratch *t = *state;

	write_kdump(t->path);
	FX_PATCH(t->path, KDH_VERSION, uint32_t, 3);
	FX_PATCH(t->path, KSUB_SIZE_VMCOREINFO, uint64_t, 0);
	expect_refused(t->path, "version 3 without VMCOREINFO");
}

static void kdump_corrupt(void **state)
{
	struct fx_scratch *t = *state;
	uint64_t note_off;

	write_kdump(t->path);
	note_off = peek64(t->path, KSUB_OFF_NOTE);
	FX_PATCH(t->path, KSUB_SIZE_NOTE, uint64_t, 1ull << 20);
	expect_refused(t->path, "note section (offset");
	FX_PATCH(t->path, KSUB_SIZE_NOTE, uint64_t, 1ull << 40);
	expect_refused(t->path, "larger than");
	write_kdump(t->path);
	FX_PATCH(t->path, KSUB_OFF_NOTE, uint64_t, 1ull << 62);
	expect_refused(t->path, "past the end");
	write_kdump(t->path);
	FX_PATCH(t->path, KDH_BLOCK_SIZE, uint32_t, 2048);
	expect_refused(t->path, "block size 2048");
	write_kdump(t->path);
	FX_PATCH(t->path, KDH_VERSION, uint32_t, (uint32_t)-5);
	expect_refused(t->path, "header version -5");
	write_kdump(t->path);
	FX_PATCH(t->path, KDH_SUB_HDR_SIZE, uint32_t, 100000);
	expect_refused(t->path, "sub-header of 100000 blocks");
	/* the note section itself is corrupt */
	write_kdump(t->path);
	FX_PATCH(t->path, note_off + 4, uint32_t, 0xeeeeeeee);
	expect_refused(t->path, "corrupt kdump-compressed note");
	/* cut short */
	write_kdump(t->path);
	assert_int_equal(truncate(t->path, 300), 0);
	expect_refused(t->path, "header truncated");
	write_kdump(t->path);
	assert_int_equal(truncate(t->path, 5000), 0);
	expect_refused(t->path, "runs past the end");
}

static void not_a_dump(void **state)
{
	struct fx_scratch *t = *state;
	char junk[4096];

	memset(junk, 'Z', sizeof(junk));
	close(open(t->path, O_WRONLY | O_CREAT | O_TRUNC, 0600));
	expect_refused(t->path, "not an ELF or kdump-compressed dump");
	fx_patch(t->path, 0, junk, sizeof(junk));
	expect_refused(t->path, "not an ELF or kdump-compressed dump");
	fx_patch(t->path, 0, "makedumpfile", 12);
	expect_refused(t->path, "convert it with makedumpfile -R first");
	expect_refused(t->dir, "not a dump file");
	expect_refused("/nonexistent/vmcore", "No such file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(elf_notes_and_vmcoreinfo, setup,
						teardown),
		cmocka_unit_test_setup_teardown(elf_several_pt_notes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(elf_no_notes, setup, teardown),
		cmocka_unit_test_setup_teardown(mmap_window_reads_equal_pread,
						setup, teardown),
		cmocka_unit_test_setup_teardown(mmap_map_equals_read, setup,
						teardown),
		cmocka_unit_test_setup_teardown(direct_reads_equal_libkdumpfile,
						setup, teardown),
		cmocka_unit_test_setup_teardown(elf_truncated_and_corrupt,
						setup, teardown),
		cmocka_unit_test_setup_teardown(oversized_note, setup,
						teardown),
		cmocka_unit_test_setup_teardown(kdump_compressed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(kdump_empty_vmcoreinfo, setup,
						teardown),
		cmocka_unit_test_setup_teardown(kdump_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(not_a_dump, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
