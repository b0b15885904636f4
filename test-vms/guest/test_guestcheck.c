// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * guestcheck is the judge of the crash tests' guest memory: prove on
 * synthetic guest vmcores that it passes a complete guest and fails every
 * kind of incomplete one.
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "expect.h"
#include "guestcheck.h"

static const uint8_t code[KG_CODE_LEN] = KG_CODE_BYTES;

/* The guest's memory as kvmguest sets it up. */
static uint8_t *guest_image(void)
{
	uint8_t *mem = calloc(1, KG_MEM_SIZE);
	uint64_t p;

	assert_non_null(mem);
	for (p = 0; p < KG_PAGES; p++) {
		memcpy(mem + p * KG_PAGE_SIZE, KG_MARKER, KG_MARKER_LEN);
		memcpy(mem + p * KG_PAGE_SIZE + KG_MARKER_LEN, &p, sizeof(p));
	}
	memcpy(mem + KG_CODE_GPA, code, sizeof(code));
	return mem;
}

/*
 * Write an ELF64 core with one PT_LOAD per [start, end) range of mem,
 * each with p_filesz = filesz[i] (or the range size when 0); the file is
 * unlinked when the test ends.
 */
static void write_core(const char *path, const uint8_t *mem,
		       const uint64_t (*ranges)[2], const uint64_t *filesz,
		       unsigned int n)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint64_t off = sizeof(eh) + n * sizeof(ph);
	unsigned int i;
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = (uint16_t)n;
	assert_int_equal(fwrite(&eh, sizeof(eh), 1, f), 1);
	for (i = 0; i < n; i++) {
		uint64_t size = ranges[i][1] - ranges[i][0];

		memset(&ph, 0, sizeof(ph));
		ph.p_type = PT_LOAD;
		ph.p_offset = off;
		ph.p_paddr = ranges[i][0];
		ph.p_filesz = filesz && filesz[i] ? filesz[i] : size;
		ph.p_memsz = size;
		assert_int_equal(fwrite(&ph, sizeof(ph), 1, f), 1);
		off += ph.p_filesz;
	}
	for (i = 0; i < n; i++) {
		uint64_t size = ranges[i][1] - ranges[i][0];
		uint64_t fs = filesz && filesz[i] ? filesz[i] : size;

		assert_int_equal(fwrite(mem + ranges[i][0], 1, fs, f), fs);
	}
	assert_int_equal(fclose(f), 0);
}

static int check_mode(const uint8_t *mem, const uint64_t (*ranges)[2],
		      const uint64_t *filesz, unsigned int n,
		      enum guestcheck_mode mode)
{
	char path[] = "/tmp/test_guestcheck.XXXXXX";
	FILE *null = fopen("/dev/null", "w");
	int fd = mkstemp(path);
	int rc;

	assert_true(fd >= 0);
	close(fd);
	assert_non_null(null);
	write_core(path, mem, ranges, filesz, n);
	rc = guestcheck_run(path, mode, null);
	unlink(path);
	fclose(null);
	return rc;
}

static int check(const uint8_t *mem, const uint64_t (*ranges)[2],
		 const uint64_t *filesz, unsigned int n)
{
	return check_mode(mem, ranges, filesz, n, GUESTCHECK_ALL);
}

/* Touched pages only: --present accepts it, and still checks what is there. */
static void present_mode(void **state)
{
	static const uint64_t r[2][2] = {
		{ KG_CODE_GPA & ~0xfffull, (KG_CODE_GPA & ~0xfffull) + 0x1000 },
		{ 0x100000, 0x102000 }
	};
	static const uint64_t nocode[1][2] = { { 0x100000, 0x102000 } };
	uint8_t *mem = guest_image();

	(void)state;
	assert_int_equal(check_mode(mem, r, NULL, 2, GUESTCHECK_PRESENT), 0);
	assert_int_equal(check_mode(mem, nocode, NULL, 1, GUESTCHECK_PRESENT),
			 1);
	mem[0x101000 + KG_MARKER_LEN] ^= 1; /* wrong page number */
	assert_int_equal(check_mode(mem, r, NULL, 2, GUESTCHECK_PRESENT), 1);
	free(mem);
}

static void complete_guest_passes(void **state)
{
	static const uint64_t r[2][2] = { { 0, 0x100000 },
					  { 0x100000, KG_MEM_SIZE } };
	uint8_t *mem = guest_image();

	(void)state;
	assert_int_equal(check(mem, r, NULL, 2), 0);
	free(mem);
}

static void wrong_page_number_fails(void **state)
{
	static const uint64_t r[1][2] = { { 0, KG_MEM_SIZE } };
	uint8_t *mem = guest_image();

	(void)state;
	mem[5 * KG_PAGE_SIZE + KG_MARKER_LEN] = 9;
	assert_int_equal(check(mem, r, NULL, 1), 1);
	free(mem);
}

static void wrong_marker_fails(void **state)
{
	static const uint64_t r[1][2] = { { 0, KG_MEM_SIZE } };
	uint8_t *mem = guest_image();

	(void)state;
	mem[(KG_PAGES - 1) * KG_PAGE_SIZE] ^= 0xff;
	assert_int_equal(check(mem, r, NULL, 1), 1);
	free(mem);
}

static void missing_range_fails(void **state)
{
	/* Only what the guest touched (as from a nested-page-table walk). */
	static const uint64_t r[1][2] = { { KG_CODE_GPA & ~0xfffull,
					    (KG_CODE_GPA & ~0xfffull) +
						    KG_PAGE_SIZE } };
	uint8_t *mem = guest_image();

	(void)state;
	assert_int_equal(check(mem, r, NULL, 1), 1);
	free(mem);
}

static void hole_in_filesz_fails(void **state)
{
	/* The last page is in p_memsz but not in the file (a hole). */
	static const uint64_t r[1][2] = { { 0, KG_MEM_SIZE } };
	static const uint64_t fs[1] = { KG_MEM_SIZE - KG_PAGE_SIZE };
	uint8_t *mem = guest_image();

	(void)state;
	assert_int_equal(check(mem, r, fs, 1), 1);
	free(mem);
}

static void missing_code_fails(void **state)
{
	static const uint64_t r[1][2] = { { 0, KG_MEM_SIZE } };
	uint8_t *mem = guest_image();

	(void)state;
	memset(mem + KG_CODE_GPA, 0x90, KG_CODE_LEN);
	assert_int_equal(check(mem, r, NULL, 1), 1);
	free(mem);
}

static void not_elf_is_unusable(void **state)
{
	FILE *null = fopen("/dev/null", "w");

	(void)state;
	assert_non_null(null);
	assert_int_equal(guestcheck_run("/dev/null", GUESTCHECK_ALL, null), 2);
	assert_int_equal(guestcheck_run("/nonexistent/guest.vmcore",
					GUESTCHECK_PRESENT, null),
			 2);
	fclose(null);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(complete_guest_passes),
		cmocka_unit_test(wrong_page_number_fails),
		cmocka_unit_test(wrong_marker_fails),
		cmocka_unit_test(missing_range_fails),
		cmocka_unit_test(present_mode),
		cmocka_unit_test(hole_in_filesz_fails),
		cmocka_unit_test(missing_code_fails),
		cmocka_unit_test(not_elf_is_unusable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
