// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/kexec/kexec_fixtures.h"
#include "kexec/dumpnotes.h"
#include "notes/carrier.h"
#include "notes/loadnotes.h"
#include "notes/vmcsinfo-parse.h"

static const char vmcs_text[] = "VMCSINFO_VERSION=1\nREVISION_ID=0x2b\n"
				"FIELD(0x0800)=0x10\n";

struct notes {
	unsigned char b[8192];
	size_t len;
};

static void add(struct notes *n, const char *name, uint32_t type,
		const void *desc, size_t len)
{
	size_t w = loadnote_build(n->b + n->len, sizeof(n->b) - n->len, name,
				  type, desc, len);

	assert_true(w > 0);
	n->len += w;
}

struct tmp {
	char *dir;
	char path[PATH_MAX], notes[PATH_MAX];
};

static int setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	t->dir = fx_tmpdir();
	snprintf(t->path, sizeof(t->path), "%s/dump", t->dir);
	snprintf(t->notes, sizeof(t->notes), "%s/loadtime.notes", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;

	fx_rmtree(t->dir);
	free(t);
	return 0;
}

/* Expect path to be refused (<0) with a message containing what. */
static void expect_error(const char *path, const char *what)
{
	char err[512] = "";
	void *desc = NULL;
	size_t len;
	int rc = dumpnotes_find(path, "VMCSINFO", 0, &desc, &len, err,
				sizeof(err));

	if (rc >= 0 || !strstr(err, what))
		fail_msg("rc %d err \"%s\", wanted \"%s\"", rc, err, what);
	assert_null(desc);
	assert_null(strchr(err, '\n'));
}

static void elf_several_pt_notes(void **state)
{
	struct tmp *t = *state;
	struct notes a = { .len = 0 }, b = { .len = 0 };
	unsigned char load[64] = { 1, 2, 3 };
	struct fx_seg segs[4];
	char err[256], prstatus[336] = { 0 };
	void *desc;
	size_t len;

	add(&a, "CORE", 1, prstatus, sizeof(prstatus));
	add(&a, "VMCOREINFO", 0, "OSRELEASE=6.1\n", 14);
	a.len += 64; /* terminator and padding, as kexec-tools leaves them */
	add(&b, "VMCSINFOX", 0, "no", 2); /* a longer name: no match */
	add(&b, "VMCSINFO", 1, "no", 2); /* wrong type: no match */
	add(&b, "VMCSINFO", 0, vmcs_text, sizeof(vmcs_text) - 1);
	segs[0] = (struct fx_seg){ PT_NOTE, a.b, a.len, 0 };
	segs[1] = (struct fx_seg){ PT_LOAD, load, sizeof(load), 0 };
	segs[2] = (struct fx_seg){ PT_NOTE, b.b, b.len, 0 };
	/* a PT_LOAD far past the end: must never be read */
	segs[3] = (struct fx_seg){ PT_LOAD, NULL, 0, 1ull << 40 };
	fx_elf_core(t->path, segs, 4, ET_CORE, 0);
	assert_int_equal(dumpnotes_find(t->path, "VMCSINFO", 0, &desc, &len,
					err, sizeof(err)),
			 0);
	assert_int_equal(len, sizeof(vmcs_text) - 1);
	assert_memory_equal(desc, vmcs_text, len);
	assert_int_equal(((char *)desc)[len], '\0');
	free(desc);
	assert_int_equal(dumpnotes_find(t->path, "VMCOREINFO", 0, &desc, &len,
					err, sizeof(err)),
			 0);
	assert_string_equal(desc, "OSRELEASE=6.1\n");
	free(desc);
	assert_int_equal(dumpnotes_find(t->path, "KVMINFO", 0, &desc, &len, err,
					sizeof(err)),
			 1);
	assert_non_null(strstr(err, "no KVMINFO note in"));
}

static void elf_no_note(void **state)
{
	struct tmp *t = *state;
	struct notes a = { .len = 0 };
	struct fx_seg seg;
	char err[256];
	void *desc;
	size_t len;

	add(&a, "CORE", 1, "x", 1);
	seg = (struct fx_seg){ PT_NOTE, a.b, a.len, 0 };
	fx_elf_core(t->path, &seg, 1, ET_CORE, 0);
	assert_int_equal(dumpnotes_find(t->path, "VMCSINFO", 0, &desc, &len,
					err, sizeof(err)),
			 1);
	assert_non_null(strstr(err, "no VMCSINFO note"));
	/* no PT_NOTE at all */
	fx_elf_core(t->path, NULL, 0, ET_CORE, 0);
	assert_int_equal(dumpnotes_find(t->path, "VMCSINFO", 0, &desc, &len,
					err, sizeof(err)),
			 1);
}

static void elf_truncated(void **state)
{
	struct tmp *t = *state;
	struct notes a = { .len = 0 };
	struct fx_seg seg;

	add(&a, "VMCSINFO", 0, vmcs_text, sizeof(vmcs_text) - 1);
	seg = (struct fx_seg){ PT_NOTE, a.b, a.len, 0 };
	/* cut inside the PT_NOTE data */
	fx_elf_core(t->path, &seg, 1, ET_CORE, 64 + 56 + 20);
	expect_error(t->path, "truncated");
	/* cut inside the program headers */
	fx_elf_core(t->path, &seg, 1, ET_CORE, 64 + 20);
	expect_error(t->path, "program headers at offset");
	/* cut inside the ELF header */
	fx_elf_core(t->path, &seg, 1, ET_CORE, 40);
	expect_error(t->path, "ELF header");
}

static void elf_corrupt_notes(void **state)
{
	struct tmp *t = *state;
	struct notes a = { .len = 0 };
	struct fx_seg seg;
	uint32_t big = 0x7fffffff;

	add(&a, "VMCSINFO", 0, vmcs_text, sizeof(vmcs_text) - 1);
	memcpy(a.b + 4, &big, 4); /* descsz far past the segment */
	seg = (struct fx_seg){ PT_NOTE, a.b, a.len, 0 };
	fx_elf_core(t->path, &seg, 1, ET_CORE, 0);
	expect_error(t->path, "runs past");
	/* PT_NOTE claims more bytes than the file has */
	a.len = 0;
	add(&a, "VMCSINFO", 0, vmcs_text, sizeof(vmcs_text) - 1);
	seg = (struct fx_seg){ PT_NOTE, a.b, a.len, 1ull << 40 };
	fx_elf_core(t->path, &seg, 1, ET_CORE, 0);
	expect_error(t->path, "past the end");
	/* non-zero garbage after the last note */
	a.b[a.len] = 0xff;
	seg = (struct fx_seg){ PT_NOTE, a.b, a.len + 4, 0 };
	fx_elf_core(t->path, &seg, 1, ET_CORE, 0);
	expect_error(t->path, "garbage");
}

static void not_a_dump(void **state)
{
	struct tmp *t = *state;
	char junk[4096];
	struct fx_seg seg = { PT_NOTE, "", 0, 0 };

	memset(junk, 'Z', sizeof(junk));
	fx_write(t->dir, "dump", junk, sizeof(junk));
	expect_error(t->path, "not an ELF core or kdump-compressed");
	fx_write(t->dir, "dump", "", 0);
	expect_error(t->path, "too short");
	fx_write(t->dir, "dump", "\177EL", 3);
	expect_error(t->path, "too short");
	fx_elf_core(t->path, &seg, 1, ET_EXEC, 0);
	expect_error(t->path, "not a core");
	expect_error(t->dir, "not a regular file");
	expect_error("/nonexistent/vmcore", "No such file");
	fx_write(t->dir, "dump", "DISKDUMP", 8);
	expect_error(t->path, "DISKDUMP");
}

static void flattened(void **state)
{
	struct tmp *t = *state;
	char hdr[4096] = "makedumpfile";

	fx_write(t->dir, "dump", hdr, sizeof(hdr));
	expect_error(t->path, "flattened format: run makedumpfile -R first");
}

static void kdump_compressed(void **state)
{
	struct tmp *t = *state;
	struct notes a = { .len = 0 };
	char err[256];
	void *desc;
	size_t len;

	add(&a, "CORE", 1, "regs", 4);
	add(&a, "VMCOREINFO", 0, "OSRELEASE=6.1\n", 14);
	add(&a, "VMCSINFO", 0, vmcs_text, sizeof(vmcs_text) - 1);
	fx_kdump(t->path, 6, 4096, a.b, a.len, 0, 0, 0);
	assert_int_equal(dumpnotes_find(t->path, "VMCSINFO", 0, &desc, &len,
					err, sizeof(err)),
			 0);
	assert_int_equal(len, sizeof(vmcs_text) - 1);
	assert_memory_equal(desc, vmcs_text, len);
	free(desc);
	/* notes placed further away, another block size */
	fx_kdump(t->path, 4, 2048, a.b, a.len, 4 * 4096, 0, 0);
	assert_int_equal(dumpnotes_find(t->path, "VMCSINFO", 0, &desc, &len,
					err, sizeof(err)),
			 0);
	free(desc);
	/* no note section */
	fx_kdump(t->path, 6, 4096, NULL, 0, 0, 0, 0);
	assert_int_equal(dumpnotes_find(t->path, "VMCSINFO", 0, &desc, &len,
					err, sizeof(err)),
			 1);
	/* header version 3 cannot have notes: not found, says why */
	fx_kdump(t->path, 3, 4096, a.b, a.len, 0, 0, 0);
	assert_int_equal(dumpnotes_find(t->path, "VMCSINFO", 0, &desc, &len,
					err, sizeof(err)),
			 1);
	assert_non_null(strstr(err, "predates"));
}

static void kdump_corrupt(void **state)
{
	struct tmp *t = *state;
	struct notes a = { .len = 0 };

	add(&a, "VMCSINFO", 0, vmcs_text, sizeof(vmcs_text) - 1);
	fx_kdump(t->path, 6, 4096, a.b, a.len, 0, 1ull << 20, 0);
	expect_error(t->path, "past the end");
	fx_kdump(t->path, 6, 4096, a.b, a.len, 0, 1ull << 40, 0);
	expect_error(t->path, "larger than");
	fx_kdump(t->path, 6, 4096, a.b, a.len, 1ull << 62, 0, 0);
	expect_error(t->path, "past the end");
	fx_kdump(t->path, 6, 1000, a.b, a.len, 0, 0, 0);
	expect_error(t->path, "block size");
	fx_kdump(t->path, -5, 4096, a.b, a.len, 0, 0, 0);
	expect_error(t->path, "version");
	fx_kdump(t->path, 6, 4096, a.b, a.len, 0, 0, 300);
	expect_error(t->path, "truncated");
	fx_kdump(t->path, 6, 4096, a.b, a.len, 0, 0, 5000);
	expect_error(t->path, "truncated");
	/* the note section itself is corrupt */
	memset(a.b, 0xee, 12);
	fx_kdump(t->path, 6, 4096, a.b, a.len, 0, 0, 0);
	expect_error(t->path, "runs past");
}

static void notes_file_fallback(void **state)
{
	struct tmp *t = *state;
	struct notes a = { .len = 0 }, f = { .len = 0 };
	struct fx_seg seg;
	const char *from = NULL;
	char err[256];
	void *desc;
	size_t len;

	add(&a, "CORE", 1, "x", 1);
	seg = (struct fx_seg){ PT_NOTE, a.b, a.len, 0 };
	fx_elf_core(t->path, &seg, 1, ET_CORE, 0);
	add(&f, "VMCSINFO", 0, vmcs_text, sizeof(vmcs_text) - 1);
	fx_write(t->dir, "loadtime.notes", f.b, f.len + 8); /* + zeros */
	assert_int_equal(dumpnotes_find_ex(t->path, t->notes, "VMCSINFO", 0,
					   &desc, &len, &from, err,
					   sizeof(err)),
			 0);
	assert_ptr_equal(from, t->notes);
	assert_memory_equal(desc, vmcs_text, len);
	free(desc);
	/* the dump's own note wins over the file */
	add(&a, "VMCSINFO", 0, "VMCSINFO_VERSION=1\n", 19);
	seg = (struct fx_seg){ PT_NOTE, a.b, a.len, 0 };
	fx_elf_core(t->path, &seg, 1, ET_CORE, 0);
	assert_int_equal(dumpnotes_find_ex(t->path, t->notes, "VMCSINFO", 0,
					   &desc, &len, &from, err,
					   sizeof(err)),
			 0);
	assert_ptr_equal(from, t->path);
	assert_int_equal(len, 19);
	free(desc);
	/* not in either */
	assert_int_equal(dumpnotes_find_ex(t->path, t->notes, "KVMINFO", 0,
					   &desc, &len, &from, err,
					   sizeof(err)),
			 1);
	assert_non_null(strstr(err, "nor in"));
	/* a corrupt notes file is an error, a missing one too */
	a.len = 0;
	add(&a, "CORE", 1, "x", 1);
	seg = (struct fx_seg){ PT_NOTE, a.b, a.len, 0 };
	fx_elf_core(t->path, &seg, 1, ET_CORE, 0);
	{
		static const unsigned char bad[12] = { 9, 0, 0, 0, 0xff, 0xff };

		fx_write(t->dir, "loadtime.notes", bad, sizeof(bad));
	}
	assert_true(dumpnotes_find_ex(t->path, t->notes, "VMCSINFO", 0, &desc,
				      &len, &from, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "loadtime.notes"));
	unlink(t->notes);
	assert_true(dumpnotes_find_ex(t->path, t->notes, "VMCSINFO", 0, &desc,
				      &len, &from, err, sizeof(err)) < 0);
	/* too large a notes file */
	{
		char *big = calloc(1, LOADNOTES_MAX_SIZE + 4);

		fx_write(t->dir, "loadtime.notes", big, LOADNOTES_MAX_SIZE + 4);
		free(big);
		assert_int_equal(dumpnotes_find_in_file(t->notes, "VMCSINFO", 0,
							&desc, &len, err,
							sizeof(err)),
				 -EFBIG);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(elf_several_pt_notes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(elf_no_note, setup, teardown),
		cmocka_unit_test_setup_teardown(elf_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(elf_corrupt_notes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(not_a_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(flattened, setup, teardown),
		cmocka_unit_test_setup_teardown(kdump_compressed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(kdump_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(notes_file_fallback, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
