// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The header validator (src/dumphdr.c): one regression test per finding
 * of tests/fuzz/fuzz_hostdump (docs/libkdumpfile-bugs.md).  Each test
 * writes a good dump from the fixtures, breaks the header the way the
 * fuzzer did, and checks that vg_hostdump_open() refuses it with one
 * line before libkdumpfile sees it: were the check missing, libkdumpfile
 * 0.5.1 would crash or allocate gigabytes in this very test.
 *
 * With VG_KEEP_REPRO=DIR set, every broken dump is also copied to DIR
 * (for build/fuzz/fuzz/lkf_open, which hands a file to libkdumpfile
 * alone: docs/libkdumpfile-bugs.md).
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

#include "src/dumphdr.h"
#include "src/hostdump.h"
#include "tests/src/fixture.h"

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

static uint64_t file_size(const char *path)
{
	off_t end;
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	end = lseek(fd, 0, SEEK_END);
	close(fd);
	return (uint64_t)end;
}

/* Copy the broken dump to $VG_KEEP_REPRO/name (when set). */
static void keep(const char *path, const char *name)
{
	const char *dir = getenv("VG_KEEP_REPRO");
	char cmd[3 * PATH_MAX];

	if (!dir)
		return;
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s/%s'", path, dir, name);
	assert_int_equal(system(cmd), 0);
}

/* vg_hostdump_open must refuse path with one line containing what. */
static void refused(const char *path, const char *name, const char *what)
{
	struct vg_error err;
	struct vg_hostdump *hd;

	keep(path, name);
	hd = vg_hostdump_open(path, &err);
	if (hd) {
		vg_hostdump_close(hd);
		fail_msg("%s: opened, wanted \"%s\"", name, what);
	}
	if (err.code >= 0 || !strstr(err.msg, what) || strchr(err.msg, '\n'))
		fail_msg("%s: code %d \"%s\", wanted \"%s\"", name, err.code,
			 err.msg, what);
}

static void opens(const char *path)
{
	struct vg_error err;
	struct vg_hostdump *hd = vg_hostdump_open(path, &err);

	if (!hd)
		fail_msg("%s", err.msg);
	vg_hostdump_close(hd);
}

/* A small good ELF vmcore; VMCOREINFO text vmci when not NULL. */
/* A good ELF dump whose VMCOREINFO is the len bytes at vmci (NULs too). */
static void good_elf_n(const char *path, const char *vmci, size_t len)
{
	struct fx *fx = fx_new(256ull << 10, 64ull << 10);

	fx_hole(fx, 0, FX_PAGE);
	fx_note(fx, "CORE", NT_PRSTATUS, (char[336]){ 0 }, 336);
	if (vmci)
		fx_note(fx, "VMCOREINFO", 0, vmci, len);
	assert_int_equal(fx_write_elf(fx, path, NULL), 0);
	fx_free(fx);
}

static void good_elf(const char *path, const char *vmci)
{
	good_elf_n(path, vmci, vmci ? strlen(vmci) : 0);
}

/* Append a section header to the file; returns its offset. */
static uint64_t add_shdr(const char *path, const Elf64_Shdr *sh)
{
	uint64_t off = (file_size(path) + 7) & ~7ull;

	fx_patch(path, off, sh, sizeof(*sh));
	return off;
}

#define E_SHOFF offsetof(Elf64_Ehdr, e_shoff)
#define E_PHENTSIZE offsetof(Elf64_Ehdr, e_phentsize)
#define E_PHNUM offsetof(Elf64_Ehdr, e_phnum)
#define E_SHENTSIZE offsetof(Elf64_Ehdr, e_shentsize)
#define E_SHNUM offsetof(Elf64_Ehdr, e_shnum)

/*
 * Finding E1 (elfdump.c init_elf64, the NULL+0x20 read): e_shoff set,
 * e_shnum 0 and e_shentsize 0.  libkdumpfile reads section 0 into a
 * chunk of e_shentsize bytes and then sh_size (offset 0x20) from it.
 */
static void elf_shentsize_zero(void **state)
{
	struct fx_scratch *t = *state;

	good_elf(t->path, NULL);
	FX_PATCH(t->path, E_SHOFF, uint64_t, 64);
	FX_PATCH(t->path, E_SHENTSIZE, uint16_t, 0);
	refused(t->path, "e1-shentsize-0", "entry size 0) is not inside");
	/* E3: the same with e_shnum 1: libkdumpfile's section loop */
	FX_PATCH(t->path, E_SHNUM, uint16_t, 1);
	refused(t->path, "e3-shnum-1-shentsize-0",
		"entry size 0) is not inside");
	/* and a table that starts past the end of the file */
	FX_PATCH(t->path, E_SHENTSIZE, uint16_t, sizeof(Elf64_Shdr));
	FX_PATCH(t->path, E_SHOFF, uint64_t, 1ull << 40);
	refused(t->path, "shoff-past-eof", "is not inside the");
}

/*
 * Finding E2 (elfdump.c init_elf64, p_type of a program header read from
 * a chunk of e_phentsize bytes): e_phentsize 0.
 */
static void elf_phentsize_zero(void **state)
{
	struct fx_scratch *t = *state;

	good_elf(t->path, NULL);
	FX_PATCH(t->path, E_PHENTSIZE, uint16_t, 0);
	refused(t->path, "e2-phentsize-0", "program headers of 0 bytes");
	FX_PATCH(t->path, E_PHENTSIZE, uint16_t, 32);
	refused(t->path, "e2-phentsize-32", "program headers of 32 bytes");
	/* a table running past the end of the file */
	FX_PATCH(t->path, E_PHENTSIZE, uint16_t, sizeof(Elf64_Phdr));
	FX_PATCH(t->path, E_PHNUM, uint16_t, 60000);
	refused(t->path, "phnum-past-eof", "do not fit in the");
}

/*
 * Finding E4 (elfdump.c init_sections, ctx_malloc of sh_size entries):
 * e_shnum 0 makes libkdumpfile take the count from section 0's sh_size,
 * and allocate 24 bytes per section.
 */
static void elf_huge_shnum(void **state)
{
	struct fx_scratch *t = *state;
	Elf64_Shdr sh = { .sh_size = 0x0404040404040404ull };

	good_elf(t->path, NULL);
	FX_PATCH(t->path, E_SHOFF, uint64_t, add_shdr(t->path, &sh));
	FX_PATCH(t->path, E_SHENTSIZE, uint16_t, sizeof(sh));
	refused(t->path, "e4-shnum-from-sh_size",
		"ELF vmcore with 289360691352306692 section headers");
	/* a few real sections: libkdumpfile would read their names */
	sh.sh_size = 3;
	FX_PATCH(t->path, E_SHOFF, uint64_t, add_shdr(t->path, &sh));
	refused(t->path, "three-sections", "with 3 section headers");
}

/*
 * Finding E6 (elfdump.c init_elf64, the section loop: a hang): e_shoff 0
 * with e_shnum 65535 and e_shentsize 65535 makes libkdumpfile read 65535
 * section headers of 64 KiB each, from offset 0 on and mostly past the
 * end of the file, which it reads as zeros: seconds of CPU per open.
 */
static void elf_sections_at_offset_0(void **state)
{
	struct fx_scratch *t = *state;

	good_elf(t->path, NULL);
	FX_PATCH(t->path, E_SHNUM, uint16_t, 65535);
	FX_PATCH(t->path, E_SHENTSIZE, uint16_t, 65535);
	refused(t->path, "e6-shnum-65535-at-0",
		"lists 65535 section headers at file offset 0");
}

/*
 * PN_XNUM: the count is section 0's sh_info.  A plausible count opens; a
 * huge one would make libkdumpfile allocate 80 bytes per header; none at
 * all (no section header) would make it read 65535 headers.
 */
static void elf_pn_xnum(void **state)
{
	struct fx_scratch *t = *state;
	Elf64_Shdr sh = { .sh_size = 1, .sh_info = 2 };
	uint64_t shoff;

	good_elf(t->path, NULL);
	shoff = add_shdr(t->path, &sh);
	FX_PATCH(t->path, E_SHOFF, uint64_t, shoff);
	FX_PATCH(t->path, E_SHENTSIZE, uint16_t, sizeof(sh));
	FX_PATCH(t->path, E_PHNUM, uint16_t, PN_XNUM);
	opens(t->path);
	sh.sh_info = 0xfffffff0u;
	fx_patch(t->path, shoff, &sh, sizeof(sh));
	refused(t->path, "xnum-huge", "4294967280 program headers, more than");
	sh.sh_size = 0; /* no count: libkdumpfile takes 65535 */
	fx_patch(t->path, shoff, &sh, sizeof(sh));
	refused(t->path, "xnum-no-count", "section header 0 holds no count");
	FX_PATCH(t->path, E_SHOFF, uint64_t, 0);
	refused(t->path, "xnum-no-shdr", "no section header 0");
}

/*
 * Finding E5 (util.c page_size_post_hook -> cache.c cache_alloc): a
 * VMCOREINFO PAGESIZE of a terabyte makes libkdumpfile allocate its page
 * cache of that page size; PAGESIZE=0 makes the page shift -1.
 */
static void vmcoreinfo_pagesize(void **state)
{
	struct fx_scratch *t = *state;

	good_elf(t->path, "OSRELEASE=6.1\nPAGESIZE=1099511627776\n");
	refused(t->path, "e5-pagesize-1t", "PAGESIZE=1099511627776");
	good_elf(t->path, "PAGESIZE=0\n");
	refused(t->path, "e5-pagesize-0", "PAGESIZE=0;");
	/*
	 * libkdumpfile's key is the whole line when it has no '=', its
	 * value empty: strtoul("") is 0 as well (the fuzzer, 2026-12-01).
	 */
	good_elf(t->path, "OSRELEASE=6.1\nPAGESIZE\nSYMBOL(x)=1\n");
	refused(t->path, "e5-pagesize-no-equals", "PAGESIZE=;");
	good_elf(t->path, "PAGESIZE=\n");
	refused(t->path, "e5-pagesize-empty", "PAGESIZE=;");
	/*
	 * A line ended by a NUL, not a newline (the note's padding after
	 * it): libkdumpfile reads the text as a C string, so this is the
	 * bare key again.  The CLI died with SIGSEGV (the fuzzer, round 5).
	 */
	{
		static const char nul[] =
			"OSRELEASE=6.1\nOFFSET(p=4096\nPAGESIZE\0\0\0\0\0\0";

		good_elf_n(t->path, nul, sizeof(nul) - 1);
		refused(t->path, "e5-pagesize-nul-ended", "PAGESIZE=;");
	}
	/* other keys that start with it are not it */
	good_elf(t->path, "PAGESIZEX=0\nPAGESIZE_=1\nPAGESIZE=4096\n");
	opens(t->path);
	good_elf(t->path, "OSRELEASE=6.1\nPAGESIZE=4096\n");
	opens(t->path);
}

/*
 * Finding K5 (vmcoreinfo.c add_parsed_row -> create_attr_path: a leak,
 * found by the fuzzer after the header checks were in): a VMCOREINFO key
 * that is also the parent of another key, split at '.', leaks the
 * value's string.  Real keys like OFFSET(page.flags) never collide.
 */
static void vmcoreinfo_key_collision(void **state)
{
	struct fx_scratch *t = *state;

	good_elf(t->path, "OSRELEASE=6.1\na.b=1\na=2\n");
	refused(t->path, "k5-key-parent", "key a is also the parent");
	good_elf(t->path, "x.y.z=1\nq=0\nx.y=2\n");
	refused(t->path, "k5-key-parent-deep", "key x.y is also the parent");
	good_elf(t->path, "OFFSET(page.flags)=0\nOFFSET(page._refcount)=52\n"
			  "OFFSET(page)=1\nSIZE(page)=64\na.b=1\na-=2\na=\n");
	refused(t->path, "k5-ok-but-a", "key a is also the parent");
	good_elf(t->path, "OFFSET(page.flags)=0\nOFFSET(page._refcount)=52\n"
			  "SIZE(page)=64\na.b=1\na-=2\na!=3\n");
	opens(t->path);
	/* a key that a NUL ends early: "OFFSET(page" to libkdumpfile;
	 * and keys with empty parts, which its key compare reads past */
	good_elf(t->path, "a..b=1\n");
	refused(t->path, "k8-key-empty-part", "is not printable ASCII");
	good_elf(t->path, "OSRELEASE=6.1\n\nPAGESIZE=4096\n");
	refused(t->path, "k8-empty-line", "is not printable ASCII");
	good_elf(t->path, "a.=1\n");
	refused(t->path, "k8-key-dot-end", "is not printable ASCII");
	{
		static const char v[] =
			"OFFSET(page\0junk\nOFFSET(page.lru)=8\n";
		struct fx *fx = fx_new(256ull << 10, 64ull << 10);

		fx_hole(fx, 0, FX_PAGE);
		fx_note(fx, "VMCOREINFO", 0, v, sizeof(v) - 1);
		assert_int_equal(fx_write_elf(fx, t->path, NULL), 0);
		fx_free(fx);
		refused(t->path, "k5-key-nul", "NUL byte at offset 11");
	}
}

/*
 * Notes libkdumpfile parses past a terminator and without size checks:
 * a Xen header note (it reads xch_page_size from any descriptor), a
 * PRSTATUS of the wrong size, a VMCOREINFO hidden after the terminator.
 */
static void libkdumpfile_notes(void **state)
{
	struct fx_scratch *t = *state;
	struct fx *fx = fx_new(256ull << 10, 64ull << 10);

	fx_hole(fx, 0, FX_PAGE);
	fx_note(fx, ".note.Xen", 0x2000001, "", 0);
	assert_int_equal(fx_write_elf(fx, t->path, NULL), 0);
	refused(t->path, "xen-header-note", "Xen dumps are not supported");
	fx->notes_len = 0;
	fx_note(fx, "CORE", NT_PRSTATUS, "short", 5);
	assert_int_equal(fx_write_elf(fx, t->path, NULL), 0);
	refused(t->path, "prstatus-short", "not the 336 bytes of x86_64");
	fx->notes_len = 0;
	fx_note(fx, "CORE", NT_PRSTATUS, (char[336]){ 0 }, 336);
	fx->notes_len += 12; /* a terminator */
	fx_note(fx, "VMCOREINFO", 0, "PAGESIZE=65536\n", 15);
	assert_int_equal(fx_write_elf(fx, t->path, NULL), 0);
	refused(t->path, "vmcoreinfo-after-terminator", "PAGESIZE=65536");
	fx_free(fx);
}

/*
 * Finding E7 (UBSan in an instrumented libkdumpfile: notes.c do_notes()
 * and elfdump.c init_elf64() read Elf32_Nhdr and Elf64_Phdr in place, at
 * any file offset): misaligned program headers and notes.
 */
static void elf_misaligned(void **state)
{
	struct fx_scratch *t = *state;
	uint64_t ph0 = sizeof(Elf64_Ehdr);

	good_elf(t->path, NULL);
	FX_PATCH(t->path, ph0 + offsetof(Elf64_Phdr, p_offset), uint64_t,
		 ph0 + 2 * sizeof(Elf64_Phdr) + 2);
	refused(t->path, "e7-note-misaligned", "not 4-byte aligned");
	good_elf(t->path, NULL);
	FX_PATCH(t->path, offsetof(Elf64_Ehdr, e_phoff), uint64_t, 68);
	refused(t->path, "e7-phoff-misaligned", "not 8-byte aligned");
}

/* A PT_LOAD beyond the 52-bit physical address space. */
static void elf_load_paddr(void **state)
{
	struct fx_scratch *t = *state;
	uint64_t ph1 = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr);

	good_elf(t->path, NULL);
	FX_PATCH(t->path, ph1 + offsetof(Elf64_Phdr, p_memsz), uint64_t,
		 ~0ull - 4096);
	refused(t->path, "load-memsz-wraps", "52-bit physical address space");
}

/* A small good kdump-compressed dump (makedumpfile -c -d 0). */
static void good_kdump(const char *path)
{
	struct fx *fx = fx_new(4ull << 20, 1ull << 20);

	fx_hole(fx, 0, FX_PAGE);
	memset(fx_ptr(fx, 0x200000), 0xab, FX_PAGE);
	assert_int_equal(fx_write_kdump(fx, path, NULL), 0);
	fx_free(fx);
}

/* The page descriptors follow the headers and bitmaps (4 blocks here). */
#define KD_DESC (4 * 4096)

/*
 * Finding K1 (diskdump.c diskdump_read_page): a descriptor of a
 * compressed page may claim up to 256 KiB; libkdumpfile reads that much
 * into its buffer of one page.  The read fails instead (under ASan the
 * overflow would end this test).  Page 0x200 is the 512th in the dump
 * (page 0 is a hole).
 */
static void kdump_compressed_size(void **state)
{
	struct fx_scratch *t = *state;
	struct vg_hostdump *hd;
	struct vg_hostmem *hm;
	struct vg_error err;
	uint8_t page[FX_PAGE];

	good_kdump(t->path);
	FX_PATCH(t->path, KD_DESC + 511 * 24 + 8, uint32_t, 65536);
	keep(t->path, "k1-compressed-size-64k");
	hd = vg_hostdump_open(t->path, &err);
	if (!hd)
		fail_msg("%s", err.msg);
	hm = vg_hostdump_mem(hd);
	assert_int_equal(hm->read(hm, 0x200000, page, sizeof(page)),
			 VG_HM_ERROR);
	/* its neighbours read fine */
	assert_int_equal(hm->read(hm, 0x1ff000, page, sizeof(page)), VG_HM_OK);
	assert_int_equal(hm->read(hm, 0x201000, page, sizeof(page)), VG_HM_OK);
	vg_hostdump_close(hd);
}

/*
 * A bitmap that promises more descriptors than the file holds: a dump
 * cut short, or a hostile bitmap of many runs (libkdumpfile keeps 24
 * bytes per run).
 */
static void kdump_descs_past_eof(void **state)
{
	struct fx_scratch *t = *state;
	uint8_t ones[4096];

	good_kdump(t->path);
	assert_int_equal(truncate(t->path, KD_DESC + 100 * 24), 0);
	refused(t->path, "kdump-descs-cut", "page descriptors at file offset");
	good_kdump(t->path);
	memset(ones, 0x55, sizeof(ones)); /* every other page: 2048 runs */
	fx_patch(t->path, 3 * 4096, ones, sizeof(ones)); /* the bitmap in use */
	refused(t->path, "kdump-bitmap-runs",
		"promises 16384 page descriptors");
}

/*
 * The disk_dump_header read as its 32-bit layout, as libkdumpfile tries
 * it first: a timestamp whose tv_usec is 4096 and a status of 1 make it
 * a plausible 32-bit header.
 */
static void kdump_reads_as_32bit(void **state)
{
	struct fx_scratch *t = *state;

	good_kdump(t->path);
	opens(t->path);
	FX_PATCH(t->path, 416, uint32_t, 4096);
	refused(t->path, "kdump-32bit-layout", "also reads as a 32-bit");
}

/*
 * Findings K2, K3, K4 (diskdump.c read_bitmap, the page-size hook,
 * read_notes): sizes libkdumpfile allocates before it looks at the file
 * size.  The bitmap is bitmap_blocks * block_size bytes (up to 1 PiB),
 * its page cache 1024 pages of block_size (256 KiB blocks: 256 MiB), the
 * note section size_note bytes (64 bits).
 */
static void kdump_sizes(void **state)
{
	struct fx_scratch *t = *state;

	good_kdump(t->path);
	FX_PATCH(t->path, 436, uint32_t, 0x10000000); /* bitmap_blocks */
	refused(t->path, "k2-bitmap-blocks", "page bitmap (offset 8192");
	good_kdump(t->path);
	FX_PATCH(t->path, 428, int32_t, 262144); /* block_size */
	refused(t->path, "k3-block-size-256k", "block size 262144 is not");
	good_kdump(t->path);
	FX_PATCH(t->path, 4096 + 56, uint64_t, 1ull << 40); /* size_note */
	refused(t->path, "k4-size-note-1t",
		"note section of 1099511627776 bytes is larger than");
	good_kdump(t->path);
	FX_PATCH(t->path, 8, int32_t, 3); /* version 3: VMCOREINFO is read */
	FX_PATCH(t->path, 4096 + 40, uint64_t, 1ull << 32); /* its size */
	refused(t->path, "k4-size-vmcoreinfo-4g", "VMCOREINFO of 4294967296");
}

/* Fields of the sub-header libkdumpfile reads without a check. */
static void kdump_sub_header_fields(void **state)
{
	struct fx_scratch *t = *state;

	good_kdump(t->path);
	FX_PATCH(t->path, 4096 + 40, uint64_t,
		 1ull << 32); /* VMCOREINFO size */
	refused(t->path, "kdump-vmcoreinfo-4g", "VMCOREINFO of 4294967296");
	good_kdump(t->path);
	FX_PATCH(t->path, 4096 + 12, uint32_t, 1); /* split */
	refused(t->path, "kdump-split", "makedumpfile --reassemble");
	good_kdump(t->path);
	FX_PATCH(t->path, 4096 + 72, uint64_t, 1ull << 40); /* eraseinfo */
	refused(t->path, "kdump-eraseinfo", "eraseinfo of 1099511627776");
	good_kdump(t->path);
	FX_PATCH(t->path, 4096 + 96, uint64_t, 1ull << 45); /* max_mapnr_64 */
	refused(t->path, "kdump-max-mapnr-64", "max_mapnr_64 35184372088832");
	good_kdump(t->path);
	FX_PATCH(t->path, 460, int32_t, -1); /* nr_cpus */
	refused(t->path, "kdump-nr-cpus", "claims -1 CPUs");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(elf_shentsize_zero, setup,
						teardown),
		cmocka_unit_test_setup_teardown(elf_phentsize_zero, setup,
						teardown),
		cmocka_unit_test_setup_teardown(elf_huge_shnum, setup,
						teardown),
		cmocka_unit_test_setup_teardown(elf_sections_at_offset_0, setup,
						teardown),
		cmocka_unit_test_setup_teardown(elf_pn_xnum, setup, teardown),
		cmocka_unit_test_setup_teardown(vmcoreinfo_pagesize, setup,
						teardown),
		cmocka_unit_test_setup_teardown(vmcoreinfo_key_collision, setup,
						teardown),
		cmocka_unit_test_setup_teardown(libkdumpfile_notes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(elf_load_paddr, setup,
						teardown),
		cmocka_unit_test_setup_teardown(elf_misaligned, setup,
						teardown),
		cmocka_unit_test_setup_teardown(kdump_compressed_size, setup,
						teardown),
		cmocka_unit_test_setup_teardown(kdump_descs_past_eof, setup,
						teardown),
		cmocka_unit_test_setup_teardown(kdump_reads_as_32bit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(kdump_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(kdump_sub_header_fields, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
