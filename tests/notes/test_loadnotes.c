// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "notes/carrier.h"
#include "notes/loadnotes.h"

static void note_sizes(void **state)
{
	(void)state;
	assert_int_equal(loadnote_size("ABC", 0), 12 + 4);
	assert_int_equal(loadnote_size("ABCD", 1), 12 + 8 + 4);
	assert_int_equal(loadnote_size("VMCSINFO", 55), 12 + 12 + 56);
	assert_int_equal(loadnote_size("VMCSINFO", 56), 12 + 12 + 56);
	assert_int_equal(loadnote_size("", 4), 0);
	assert_int_equal(loadnote_size(NULL, 4), 0);
	assert_int_equal(loadnote_size("X", LOADNOTES_MAX_SIZE + 1), 0);
}

static void note_bytes(void **state)
{
	unsigned char buf[64];
	uint32_t h[3];

	(void)state;
	memset(buf, 0xaa, sizeof(buf));
	assert_int_equal(loadnote_build(buf, sizeof(buf), "KVMINFO", 7, "hello",
					5),
			 12 + 8 + 8);
	memcpy(h, buf, sizeof(h));
	assert_int_equal(h[0], 8);
	assert_int_equal(h[1], 5);
	assert_int_equal(h[2], 7);
	assert_memory_equal(buf + 12, "KVMINFO\0", 8);
	assert_memory_equal(buf + 20, "hello\0\0\0", 8);
	assert_int_equal(buf[28], 0xaa); /* nothing written past the note */
	assert_int_equal(loadnote_build(buf, 27, "KVMINFO", 7, "hello", 5), 0);
	assert_int_equal(loadnote_build(buf, sizeof(buf), "X", 0, NULL, 0), 16);
	assert_int_equal(loadnote_build(buf, sizeof(buf), "X", 0, NULL, 3), 0);
}

/* An independent newc reader: checks what the kernel's unpacker checks. */
struct entry {
	char name[64];
	unsigned long mode, nlink, mtime, size;
	const unsigned char *data;
};

static unsigned long hex8(const unsigned char *p)
{
	char s[9];

	memcpy(s, p, 8);
	s[8] = '\0';
	for (int i = 0; i < 8; i++)
		if (!strchr("0123456789ABCDEFabcdef", s[i]))
			fail_msg("bad hex field \"%s\"", s);
	return strtoul(s, NULL, 16);
}

static int read_newc(const unsigned char *a, size_t len, struct entry *e,
		     int max)
{
	size_t off = 0;
	int n = 0;

	while (n < max) {
		unsigned long namesz;

		assert_int_equal(off % 4, 0);
		assert_true(off + 110 <= len);
		assert_memory_equal(a + off, "070701", 6);
		e[n].mode = hex8(a + off + 14);
		assert_int_equal(hex8(a + off + 22), 0); /* uid */
		assert_int_equal(hex8(a + off + 30), 0); /* gid */
		e[n].nlink = hex8(a + off + 38);
		e[n].mtime = hex8(a + off + 46);
		e[n].size = hex8(a + off + 54);
		namesz = hex8(a + off + 94);
		assert_int_equal(hex8(a + off + 102), 0); /* check */
		assert_true(namesz > 1 && namesz < sizeof(e[n].name));
		assert_true(off + 110 + namesz <= len);
		memcpy(e[n].name, a + off + 110, namesz);
		assert_int_equal(e[n].name[namesz - 1], '\0');
		off = (off + 110 + namesz + 3) & ~(size_t)3;
		e[n].data = a + off;
		assert_true(off + e[n].size <= len);
		off = (off + e[n].size + 3) & ~(size_t)3;
		if (!strcmp(e[n].name, "TRAILER!!!")) {
			assert_int_equal(off, len);
			return n + 1;
		}
		n++;
	}
	fail_msg("no trailer");
	return -1;
}

static void cpio_layout(void **state)
{
	unsigned char notes[64], *a;
	struct entry e[8];
	size_t nlen, alen, i;
	int n;

	(void)state;
	nlen = loadnote_build(notes, sizeof(notes), "VMCSINFO", 0, "A=1\n", 4);
	assert_int_equal(nlen, 28);
	alen = loadnotes_cpio_size(nlen);
	assert_int_equal(alen % 4, 0);
	a = malloc(alen + 8);
	memset(a, 0x55, alen + 8);
	assert_int_equal(loadnotes_cpio_build(a, alen + 8, notes, nlen, 1234),
			 alen);
	assert_int_equal(a[alen], 0x55);
	n = read_newc(a, alen, e, 8);
	assert_int_equal(n, 4);
	assert_string_equal(e[0].name, "etc");
	assert_int_equal(e[0].mode, 0040755);
	assert_string_equal(e[1].name, "etc/vmcore-guests");
	assert_int_equal(e[1].mode, 0040700);
	assert_string_equal(e[2].name, LOADNOTES_CPIO_NAME);
	assert_string_equal(e[2].name, &LOADNOTES_PATH[1]);
	assert_int_equal(e[2].mode, 0100400);
	assert_int_equal(e[2].nlink, 1);
	assert_int_equal(e[2].mtime, 1234);
	assert_int_equal(e[2].size, nlen);
	assert_memory_equal(e[2].data, notes, nlen);
	for (i = 0; i < 2; i++)
		assert_int_equal(e[i].size, 0);
	assert_string_equal(e[3].name, "TRAILER!!!");
	/* an odd-sized body gets padded, the archive stays aligned */
	assert_int_equal(loadnotes_cpio_build(a, alen, "xyz", 3, 0),
			 loadnotes_cpio_size(3));
	n = read_newc(a, loadnotes_cpio_size(3), e, 8);
	assert_int_equal(e[2].size, 3);
	assert_memory_equal(e[2].data, "xyz", 3);
	free(a);
}

static void cpio_limits(void **state)
{
	unsigned char buf[1024];

	(void)state;
	assert_int_equal(loadnotes_cpio_build(buf, loadnotes_cpio_size(4) - 1,
					      "abcd", 4, 0),
			 0);
	assert_int_equal(loadnotes_cpio_size(LOADNOTES_MAX_SIZE + 1), 0);
	assert_int_equal(loadnotes_cpio_build(buf, sizeof(buf), NULL, 4, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(note_sizes),
		cmocka_unit_test(note_bytes),
		cmocka_unit_test(cpio_layout),
		cmocka_unit_test(cpio_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
