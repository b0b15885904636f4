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

struct tmp {
	char dir[PATH_MAX];
	char path[PATH_MAX + 16];
};

static int setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	assert_int_equal(fx_tmpdir(t->dir, sizeof(t->dir)), 0);
	snprintf(t->path, sizeof(t->path), "%s/dump", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;

	fx_rm_rf(t->dir);
	free(t);
	return 0;
}

static void patch(const char *path, uint64_t off, const void *b, size_t len)
{
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, b, len, (off_t)off), (ssize_t)len);
	close(fd);
}

#define PATCH(path, off, type, v)                  \
	do {                                       \
		type v_ = (type)(v);               \
		patch(path, off, &v_, sizeof(v_)); \
	} while (0)

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
static void good_elf(const char *path, const char *vmci)
{
	struct fx *fx = fx_new(256ull << 10, 64ull << 10);

	fx_hole(fx, 0, FX_PAGE);
	fx_note(fx, "CORE", NT_PRSTATUS, (char[336]){ 0 }, 336);
	if (vmci)
		fx_note(fx, "VMCOREINFO", 0, vmci, strlen(vmci));
	assert_int_equal(fx_write_elf(fx, path, NULL), 0);
	fx_free(fx);
}

/* Append a section header to the file; returns its offset. */
static uint64_t add_shdr(const char *path, const Elf64_Shdr *sh)
{
	uint64_t off = (file_size(path) + 7) & ~7ull;

	patch(path, off, sh, sizeof(*sh));
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
	struct tmp *t = *state;

	good_elf(t->path, NULL);
	PATCH(t->path, E_SHOFF, uint64_t, 64);
	PATCH(t->path, E_SHENTSIZE, uint16_t, 0);
	refused(t->path, "e1-shentsize-0", "entry size 0) is not inside");
	/* E3: the same with e_shnum 1: libkdumpfile's section loop */
	PATCH(t->path, E_SHNUM, uint16_t, 1);
	refused(t->path, "e3-shnum-1-shentsize-0",
		"entry size 0) is not inside");
	/* and a table that starts past the end of the file */
	PATCH(t->path, E_SHENTSIZE, uint16_t, sizeof(Elf64_Shdr));
	PATCH(t->path, E_SHOFF, uint64_t, 1ull << 40);
	refused(t->path, "shoff-past-eof", "is not inside the");
}

/*
 * Finding E2 (elfdump.c init_elf64, p_type of a program header read from
 * a chunk of e_phentsize bytes): e_phentsize 0.
 */
static void elf_phentsize_zero(void **state)
{
	struct tmp *t = *state;

	good_elf(t->path, NULL);
	PATCH(t->path, E_PHENTSIZE, uint16_t, 0);
	refused(t->path, "e2-phentsize-0", "program headers of 0 bytes");
	PATCH(t->path, E_PHENTSIZE, uint16_t, 32);
	refused(t->path, "e2-phentsize-32", "program headers of 32 bytes");
	/* a table running past the end of the file */
	PATCH(t->path, E_PHENTSIZE, uint16_t, sizeof(Elf64_Phdr));
	PATCH(t->path, E_PHNUM, uint16_t, 60000);
	refused(t->path, "phnum-past-eof", "do not fit in the");
}

/*
 * Finding E4 (elfdump.c init_sections, ctx_malloc of sh_size entries):
 * e_shnum 0 makes libkdumpfile take the count from section 0's sh_size,
 * and allocate 24 bytes per section.
 */
static void elf_huge_shnum(void **state)
{
	struct tmp *t = *state;
	Elf64_Shdr sh = { .sh_size = 0x0404040404040404ull };

	good_elf(t->path, NULL);
	PATCH(t->path, E_SHOFF, uint64_t, add_shdr(t->path, &sh));
	PATCH(t->path, E_SHENTSIZE, uint16_t, sizeof(sh));
	refused(t->path, "e4-shnum-from-sh_size",
		"ELF vmcore with 289360691352306692 section headers");
	/* a few real sections: libkdumpfile would read their names */
	sh.sh_size = 3;
	PATCH(t->path, E_SHOFF, uint64_t, add_shdr(t->path, &sh));
	refused(t->path, "three-sections", "with 3 section headers");
}

/*
 * PN_XNUM: the count is section 0's sh_info.  A plausible count opens; a
 * huge one would make libkdumpfile allocate 80 bytes per header; none at
 * all (no section header) would make it read 65535 headers.
 */
static void elf_pn_xnum(void **state)
{
	struct tmp *t = *state;
	Elf64_Shdr sh = { .sh_size = 1, .sh_info = 2 };
	uint64_t shoff;

	good_elf(t->path, NULL);
	shoff = add_shdr(t->path, &sh);
	PATCH(t->path, E_SHOFF, uint64_t, shoff);
	PATCH(t->path, E_SHENTSIZE, uint16_t, sizeof(sh));
	PATCH(t->path, E_PHNUM, uint16_t, PN_XNUM);
	opens(t->path);
	sh.sh_info = 0xfffffff0u;
	patch(t->path, shoff, &sh, sizeof(sh));
	refused(t->path, "xnum-huge", "4294967280 program headers, more than");
	sh.sh_size = 0; /* no count: libkdumpfile takes 65535 */
	patch(t->path, shoff, &sh, sizeof(sh));
	refused(t->path, "xnum-no-count", "section header 0 holds no count");
	PATCH(t->path, E_SHOFF, uint64_t, 0);
	refused(t->path, "xnum-no-shdr", "no section header 0");
}

/*
 * Finding E5 (util.c page_size_post_hook -> cache.c cache_alloc): a
 * VMCOREINFO PAGESIZE of a terabyte makes libkdumpfile allocate its page
 * cache of that page size; PAGESIZE=0 makes the page shift -1.
 */
static void vmcoreinfo_pagesize(void **state)
{
	struct tmp *t = *state;

	good_elf(t->path, "OSRELEASE=6.1\nPAGESIZE=1099511627776\n");
	refused(t->path, "e5-pagesize-1t", "PAGESIZE=1099511627776");
	good_elf(t->path, "PAGESIZE=0\n");
	refused(t->path, "e5-pagesize-0", "PAGESIZE=0;");
	good_elf(t->path, "OSRELEASE=6.1\nPAGESIZE=4096\n");
	opens(t->path);
}

/*
 * Notes libkdumpfile parses past a terminator and without size checks:
 * a Xen header note (it reads xch_page_size from any descriptor), a
 * PRSTATUS of the wrong size, a VMCOREINFO hidden after the terminator.
 */
static void libkdumpfile_notes(void **state)
{
	struct tmp *t = *state;
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

/* A PT_LOAD beyond the 52-bit physical address space. */
static void elf_load_paddr(void **state)
{
	struct tmp *t = *state;
	uint64_t ph1 = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr);

	good_elf(t->path, NULL);
	PATCH(t->path, ph1 + offsetof(Elf64_Phdr, p_memsz), uint64_t,
	      ~0ull - 4096);
	refused(t->path, "load-memsz-wraps", "52-bit physical address space");
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
		cmocka_unit_test_setup_teardown(elf_pn_xnum, setup, teardown),
		cmocka_unit_test_setup_teardown(vmcoreinfo_pagesize, setup,
						teardown),
		cmocka_unit_test_setup_teardown(libkdumpfile_notes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(elf_load_paddr, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
