// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/kexec/kexec_fixtures.h"
#include "notes/notebuild.h"
#include "notes/vmcsinfo-parse.h"

/* A plausible tree: every width, a high half, decimal and hex values. */
static char *good_tree(void)
{
	char *root = fx_tmpdir(), vmcs[PATH_MAX];

	snprintf(vmcs, sizeof(vmcs), "%s/vmcs", root);
	if (mkdir(vmcs, 0755))
		abort();
	fx_puts(root, "vmcs_id", "0x2b\n");
	fx_puts(vmcs, "0800", "0x10\n"); /* GUEST_ES_SELECTOR, 16-bit */
	fx_puts(vmcs, "0802", "18\n"); /* GUEST_CS_SELECTOR, decimal */
	fx_puts(vmcs, "2800", "0x20\n"); /* VMCS_LINK_POINTER, 64-bit */
	fx_puts(vmcs, "2801", "0x24\n"); /* its high half */
	fx_puts(vmcs, "4002", "0x30\n"); /* CPU_BASED_VM_EXEC_CONTROL */
	fx_puts(vmcs, "681e", "504\n"); /* GUEST_RIP, natural = 0x1f8 */
	fx_puts(vmcs, "6820", "0x0\n"); /* GUEST_RFLAGS: absent */
	return root;
}

static void vmcs_put(const char *root, const char *name, const char *val)
{
	char vmcs[PATH_MAX];

	snprintf(vmcs, sizeof(vmcs), "%s/vmcs", root);
	fx_puts(vmcs, name, val);
}

static void field_width_follows_encoding(void **state)
{
	(void)state;
	assert_int_equal(vmcsinfo_field_width(0x0800), 2);
	assert_int_equal(vmcsinfo_field_width(0x2800), 8);
	assert_int_equal(vmcsinfo_field_width(0x2801), 4);
	assert_int_equal(vmcsinfo_field_width(0x4002), 4);
	assert_int_equal(vmcsinfo_field_width(0x681e), 8);
	assert_int_equal(vmcsinfo_field_width(0x0801), 0); /* high on 16 */
	assert_int_equal(vmcsinfo_field_width(0x4003), 0); /* high on 32 */
	assert_int_equal(vmcsinfo_field_width(0x6801), 0); /* high natural */
	assert_int_equal(vmcsinfo_field_width(0x1000), 0); /* bit 12 */
	assert_int_equal(vmcsinfo_field_width(0x8000), 0); /* bit 15 */
}

static void good_tree_reads(void **state)
{
	struct vmcsinfo vi;
	struct vg_error err = { 0 };
	char src[16], *root = good_tree();

	(void)state;
	assert_int_equal(vmcsinfo_from_sysfs(root, &vi, &err), 0);
	assert_int_equal(vi.revision_id, 0x2b);
	assert_int_equal(vi.nfields, 6);
	assert_int_equal(vmcsinfo_offset(&vi, 0x0800), 0x10);
	assert_int_equal(vmcsinfo_offset(&vi, 0x0802), 18);
	assert_int_equal(vmcsinfo_offset(&vi, 0x2800), 0x20);
	assert_int_equal(vmcsinfo_offset(&vi, 0x2801), 0x24);
	assert_int_equal(vmcsinfo_offset(&vi, 0x4002), 0x30);
	assert_int_equal(vmcsinfo_offset(&vi, 0x681e), 0x1f8);
	assert_int_equal(vmcsinfo_offset(&vi, 0x6820), -1);
	assert_int_equal(vmcsinfo_offset(&vi, 0x4000), -1);
	assert_int_equal(vmcsinfo_get_info(&vi, "SOURCE", src, sizeof(src)), 0);
	assert_string_equal(src, "sysfs");
	assert_int_equal(vmcsinfo_validate(&vi, &err), 0);
	fx_rmtree(root);
}

/* vmcs_ar_format: optional, a known name becomes AR_FORMAT. */
static void ar_format_file(void **state)
{
	struct vmcsinfo vi;
	struct vg_error err = { 0 };
	char v[32], text[VMCSINFO_TEXT_MAX], *root = good_tree();
	int n;

	(void)state;
	assert_int_equal(vmcsinfo_from_sysfs(root, &vi, &err), 0);
	assert_int_equal(vmcsinfo_get_info(&vi, VMCSINFO_KEY_AR_FORMAT, v,
					   sizeof(v)),
			 -ENOENT);
	fx_puts(root, "vmcs_ar_format", "rotated-8\n");
	assert_int_equal(vmcsinfo_from_sysfs(root, &vi, &err), 0);
	assert_int_equal(vmcsinfo_get_info(&vi, VMCSINFO_KEY_AR_FORMAT, v,
					   sizeof(v)),
			 0);
	assert_string_equal(v, "rotated-8");
	/* ... and goes into the note text. */
	n = vmcsinfo_format(&vi, text, sizeof(text));
	assert_true(n > 0);
	assert_non_null(strstr(text, "\nAR_FORMAT=rotated-8\n"));
	/* A name from a newer provider is left out, not an error. */
	fx_puts(root, "vmcs_ar_format", "swizzled-9\n");
	assert_int_equal(vmcsinfo_from_sysfs(root, &vi, &err), 0);
	assert_int_equal(vmcsinfo_get_info(&vi, VMCSINFO_KEY_AR_FORMAT, v,
					   sizeof(v)),
			 -ENOENT);
	fx_puts(root, "vmcs_ar_format", "\n");
	assert_int_equal(vmcsinfo_from_sysfs(root, &vi, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "vmcs_ar_format: empty"));
	fx_rmtree(root);
}

static void no_tree_is_enoent(void **state)
{
	struct vmcsinfo vi;
	struct vg_error err = { 0 };
	char *root = fx_tmpdir();

	(void)state;
	assert_int_equal(vmcsinfo_from_sysfs(root, &vi, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "not loaded"));
	fx_rmtree(root);
}

/* Expect the tree to be refused with a message that names `file`. */
static void expect_bad(char *root, const char *file, const char *what)
{
	struct vmcsinfo vi;
	struct vg_error err = { 0 };
	int rc;

	err.msg[0] = '\0';
	rc = vmcsinfo_from_sysfs(root, &vi, &err);
	if (rc >= 0 || rc == -ENOENT || !strstr(err.msg, file) ||
	    (what && !strstr(err.msg, what)))
		fail_msg("rc %d, err \"%s\" (wanted file %s, \"%s\")", rc,
			 err.msg, file, what ? what : "");
	assert_null(strchr(err.msg, '\n'));
	fx_rmtree(root);
}

static void bad_missing_vmcs_id(void **state)
{
	char *root = good_tree(), p[PATH_MAX];

	(void)state;
	snprintf(p, sizeof(p), "%s/vmcs_id", root);
	unlink(p);
	expect_bad(root, "vmcs_id", "missing");
}

static void bad_missing_vmcs_dir(void **state)
{
	char *root = fx_tmpdir();

	(void)state;
	fx_puts(root, "vmcs_id", "0x2b\n");
	expect_bad(root, "/vmcs", "missing");
}

static void bad_revision_bit31(void **state)
{
	char *root = good_tree();

	(void)state;
	fx_puts(root, "vmcs_id", "0x8000002b\n");
	expect_bad(root, "vmcs_id", "bit 31");
}

static void bad_revision_too_wide(void **state)
{
	char *root = good_tree();

	(void)state;
	fx_puts(root, "vmcs_id", "0x10000002b\n");
	expect_bad(root, "vmcs_id", "32 bits");
}

static void bad_names(void **state)
{
	static const char *const names[] = { "08g0", "08000",	"080",
					     "foo",  ".hidden", "0x08" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *root = good_tree();

		vmcs_put(root, names[i], "0x40\n");
		expect_bad(root, names[i], "4 hex digits");
	}
}

static void bad_offset_range(void **state)
{
	char *root = good_tree();

	(void)state;
	vmcs_put(root, "4000", "0x1000\n");
	expect_bad(root, "4000", "out of range");
	root = good_tree();
	vmcs_put(root, "4000", "0xffffffffffffffff\n");
	expect_bad(root, "4000", "out of range");
	/* starts inside, ends outside the region */
	root = good_tree();
	vmcs_put(root, "6822", "0xffc\n");
	expect_bad(root, "6822", "out of range");
}

static void bad_misaligned(void **state)
{
	char *root = good_tree();

	(void)state;
	vmcs_put(root, "681e", "0x1fc\n"); /* natural width at 4 mod 8 */
	expect_bad(root, "681e", "aligned");
	root = good_tree();
	vmcs_put(root, "4000", "0x41\n"); /* 32-bit at odd offset */
	expect_bad(root, "4000", "aligned");
	root = good_tree();
	vmcs_put(root, "0804", "0x41\n"); /* 16-bit at odd offset */
	expect_bad(root, "0804", "aligned");
	root = good_tree();
	vmcs_put(root, "2802", "0x44\n"); /* 64-bit at 4 mod 8 */
	expect_bad(root, "2802", "aligned");
}

static void bad_overlap(void **state)
{
	char *root = good_tree();

	(void)state;
	vmcs_put(root, "0804", "0x10\n"); /* same offset as 0800 */
	expect_bad(root, "0804", "overlaps");
	root = good_tree();
	vmcs_put(root, "0804", "0x32\n"); /* inside 4002 at 0x30 */
	expect_bad(root, "0804", "overlaps");
	root = good_tree();
	vmcs_put(root, "4000", "0x1fc\n"); /* inside GUEST_RIP 0x1f8..0x200 */
	expect_bad(root, "4000", "overlaps");
}

static void bad_header_overlap(void **state)
{
	char *root = good_tree();

	(void)state;
	vmcs_put(root, "0804", "0x4\n"); /* abort indicator */
	expect_bad(root, "0804", "header");
	root = good_tree();
	vmcs_put(root, "0806", "2\n");
	expect_bad(root, "0806", "header");
}

static void bad_high_half(void **state)
{
	char *root = good_tree();

	(void)state;
	vmcs_put(root, "2801", "0x40\n"); /* not at 0x20 + 4 */
	expect_bad(root, "2801", "high half");
	root = good_tree();
	vmcs_put(root, "0801", "0x40\n"); /* high access on a 16-bit field */
	expect_bad(root, "0801", "not a valid field encoding");
	root = good_tree();
	vmcs_put(root, "1000", "0x40\n"); /* reserved bit 12 */
	expect_bad(root, "1000", "not a valid field encoding");
}

static void lone_high_half_is_a_4_byte_field(void **state)
{
	struct vmcsinfo vi;
	struct vg_error err = { 0 };
	char *root = good_tree();

	(void)state;
	vmcs_put(root, "2003", "0x44\n"); /* no 2002 */
	assert_int_equal(vmcsinfo_from_sysfs(root, &vi, &err), 0);
	assert_int_equal(vmcsinfo_offset(&vi, 0x2003), 0x44);
	fx_rmtree(root);
	root = good_tree();
	vmcs_put(root, "2003", "0x30\n"); /* on top of 4002 */
	expect_bad(root, "2003", "overlaps");
}

static void bad_values(void **state)
{
	static const char *const vals[] = { "0x\n",    "abc\n",	  "-1\n",
					    " 12\n",   "12abc\n", "0x1g\n",
					    "09\n",    "1 2\n",	  "\n\n",
					    "0x10\0\n" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		char *root = good_tree(), vmcs[PATH_MAX];

		snprintf(vmcs, sizeof(vmcs), "%s/vmcs", root);
		fx_write(vmcs, "4000", vals[i], strlen(vals[i]) + (i == 9));
		expect_bad(root, "4000", NULL);
	}
	{
		char *root = good_tree();

		fx_puts(root, "vmcs_id", "rev 43\n");
		expect_bad(root, "vmcs_id", "not a number");
	}
}

static void bad_empty_and_huge(void **state)
{
	char *root = good_tree(), big[100000];

	(void)state;
	vmcs_put(root, "4000", "");
	expect_bad(root, "4000", "empty");
	root = good_tree();
	fx_puts(root, "vmcs_id", "");
	expect_bad(root, "vmcs_id", "empty");
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	root = good_tree();
	vmcs_put(root, "4000", big);
	expect_bad(root, "4000", "too large");
}

static void bad_not_a_file(void **state)
{
	char *root = good_tree(), p[PATH_MAX];

	(void)state;
	snprintf(p, sizeof(p), "%s/vmcs/4000", root);
	assert_int_equal(mkdir(p, 0755), 0);
	expect_bad(root, "4000", "regular");
	root = good_tree();
	snprintf(p, sizeof(p), "%s/vmcs/4000", root);
	assert_int_equal(mkfifo(p, 0600), 0); /* must not block */
	expect_bad(root, "4000", "regular");
}

static void bad_duplicate_case(void **state)
{
	char *root = good_tree();

	(void)state;
	vmcs_put(root, "681E", "0x200\n");
	expect_bad(root, "681", "twice");
}

static void bad_no_fields(void **state)
{
	char *root = fx_tmpdir(), vmcs[PATH_MAX];

	(void)state;
	snprintf(vmcs, sizeof(vmcs), "%s/vmcs", root);
	assert_int_equal(mkdir(vmcs, 0755), 0);
	fx_puts(root, "vmcs_id", "0x2b\n");
	fx_puts(vmcs, "0800", "0\n");
	expect_bad(root, "vmcs", "no field");
}

static void round_trip(void **state)
{
	struct vmcsinfo a, b;
	struct vg_error err = { 0 };
	char t1[VMCSINFO_TEXT_MAX], t2[VMCSINFO_TEXT_MAX];
	char *root = good_tree();
	int n1, n2;
	unsigned int i;

	(void)state;
	assert_int_equal(vmcsinfo_from_sysfs(root, &a, &err), 0);
	assert_int_equal(vmcsinfo_set_info(&a, "CPU_VENDOR", "GenuineIntel"),
			 0);
	assert_int_equal(vmcsinfo_set_info(&a, "MICROCODE", "0x5003604"), 0);
	n1 = vmcsinfo_format(&a, t1, sizeof(t1));
	assert_true(n1 > 0);
	assert_string_equal(t1, "VMCSINFO_VERSION=1\n"
				"REVISION_ID=0x2b\n"
				"FIELD(0x0800)=0x10\n"
				"FIELD(0x0802)=0x12\n"
				"FIELD(0x2800)=0x20\n"
				"FIELD(0x2801)=0x24\n"
				"FIELD(0x4002)=0x30\n"
				"FIELD(0x681e)=0x1f8\n"
				"SOURCE=sysfs\n"
				"CPU_VENDOR=GenuineIntel\n"
				"MICROCODE=0x5003604\n");
	assert_int_equal(vmcsinfo_parse(t1, (size_t)n1, &b, &err), 0);
	assert_int_equal(b.revision_id, a.revision_id);
	assert_int_equal(b.nfields, a.nfields);
	for (i = 0; i < a.nfields; i++) {
		assert_int_equal(b.fields[i].encoding, a.fields[i].encoding);
		assert_int_equal(b.fields[i].offset, a.fields[i].offset);
	}
	n2 = vmcsinfo_format(&b, t2, sizeof(t2));
	assert_int_equal(n2, n1);
	assert_string_equal(t2, t1);
	/* too small a buffer */
	assert_int_equal(vmcsinfo_format(&a, t2, 40), -ENOSPC);
	fx_rmtree(root);
}

static const char base_text[] = "VMCSINFO_VERSION=1\nREVISION_ID=0x2b\n"
				"FIELD(0x0800)=0x10\n";

static int parse_str(const char *s, struct vmcsinfo *vi, struct vg_error *err)
{
	return vmcsinfo_parse(s, strlen(s), vi, err);
}

static void parse_expect_fail(const char *text, size_t len, const char *what)
{
	struct vmcsinfo vi;
	struct vg_error err = { 0 };
	int rc = vmcsinfo_parse(text, len, &vi, &err);

	if (rc != -EINVAL || !strstr(err.msg, what))
		fail_msg("rc %d err \"%s\" (wanted \"%s\") for:\n%.*s", rc,
			 err.msg, what, (int)len, text);
}

static void parse_tolerant(void **state)
{
	struct vmcsinfo vi;
	struct vg_error err = { 0 };
	char buf[256], v[32];

	(void)state;
	/* unknown keys ignored, base 0 values, no trailing newline */
	assert_int_equal(parse_str("FUTURE_KEY=whatever (1)\n"
				   "VMCSINFO_VERSION=1\nREVISION_ID=43\n"
				   "FIELD(2048)=020\nlower_case_future=1\n"
				   "CPU_MODEL=85\nFIELD(0x681E)=504",
				   &vi, &err),
			 0);
	assert_int_equal(vi.revision_id, 43);
	assert_int_equal(vmcsinfo_offset(&vi, 0x800), 16);
	assert_int_equal(vmcsinfo_offset(&vi, 0x681e), 504);
	assert_int_equal(vmcsinfo_get_info(&vi, "CPU_MODEL", v, sizeof(v)), 0);
	assert_string_equal(v, "85");
	assert_int_equal(vmcsinfo_get_info(&vi, "FUTURE_KEY", v, sizeof(v)),
			 -ENOENT);
	/* The access-rights format is kept for the decoder. */
	assert_int_equal(parse_str("VMCSINFO_VERSION=1\nREVISION_ID=1\n"
				   "FIELD(0x0800)=0x10\nAR_FORMAT=rotated-8\n",
				   &vi, &err),
			 0);
	assert_int_equal(vmcsinfo_get_info(&vi, VMCSINFO_KEY_AR_FORMAT, v,
					   sizeof(v)),
			 0);
	assert_string_equal(v, "rotated-8");
	/* NUL padding */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, base_text, strlen(base_text));
	assert_int_equal(vmcsinfo_parse(buf, strlen(base_text) + 3, &vi, &err),
			 0);
	assert_int_equal(vi.nfields, 1);
	/* offset 0 = absent, empty lines skipped */
	assert_int_equal(parse_str("VMCSINFO_VERSION=1\n\nREVISION_ID=1\n"
				   "FIELD(0x0800)=0x10\nFIELD(0x0802)=0\n",
				   &vi, &err),
			 0);
	assert_int_equal(vi.nfields, 1);
}

static void parse_rejects(void **state)
{
	char buf[256];

	(void)state;
	parse_expect_fail("", 0, "VMCSINFO_VERSION");
	parse_expect_fail("REVISION_ID=1\nFIELD(0x0800)=0x10\n", 33,
			  "no VMCSINFO_VERSION");
	parse_expect_fail("VMCSINFO_VERSION=1\nFIELD(0x0800)=0x10\n", 38,
			  "no REVISION_ID");
#define REJ(s, w) parse_expect_fail(s, strlen(s), w)
	REJ("VMCSINFO_VERSION=2\nREVISION_ID=1\nFIELD(0x0800)=0x10\n",
	    "unsupported");
	REJ("VMCSINFO_VERSION=1\nVMCSINFO_VERSION=1\nREVISION_ID=1\n", "twice");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=1\nREVISION_ID=1\n", "twice");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=1\nFIELD(0x0800)=0x10\n"
	    "FIELD(0x800)=0x20\n",
	    "twice");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=1\nFIELD(0x0800)=0x10\n"
	    "CPU_MODEL=1\nCPU_MODEL=2\n",
	    "twice");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=1\nFIELD(0x0800)=0x10\n"
	    "AR_FORMAT=packed-16\nAR_FORMAT=rotated-8\n",
	    "AR_FORMAT given twice");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=1\nFIELD(0x0800)=0x10\ngarbage\n",
	    "line 4: not a KEY=VALUE");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=1\nFIELD(0x0800)=0x10\n"
	    "BAD KEY=1\n",
	    "bad key");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=0x1x\n", "REVISION_ID");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=0x100000000\n", "REVISION_ID");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=0x80000001\nFIELD(0x0800)=0x10\n",
	    "bit 31");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=1\nFIELD(0x0800)=0x1000\n",
	    "out of range");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=1\nFIELD(0x10000)=0x10\n",
	    "encoding");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=1\nFIELD()=0x10\n", "encoding");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=1\nFIELD(0x0800)=\n",
	    "not a number");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=1\nFIELD(0x0800)=0x11\n",
	    "aligned");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=1\nFIELD(0x0800)=0x10\n"
	    "FIELD(0x0802)=0x10\n",
	    "overlaps");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=1\nFIELD(0x0800)=0x6\n", "header");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=1\n", "no field");
	REJ("VMCSINFO_VERSION=1\nREVISION_ID=1\nCPU_VENDOR=\x1b[31m\n",
	    "printable");
#undef REJ
	/* bytes after the NUL padding */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, base_text, strlen(base_text));
	buf[strlen(base_text) + 2] = 'X';
	parse_expect_fail(buf, strlen(base_text) + 4, "after the terminating");
}

static void parse_many_fields(void **state)
{
	struct vg_error err = { 0 };
	char *text = malloc(VMCSINFO_TEXT_MAX * 2);
	struct vmcsinfo vi;
	size_t len;
	int i;

	(void)state;
	len = (size_t)sprintf(text, "VMCSINFO_VERSION=1\nREVISION_ID=1\n");
	/* 4-byte fields (encodings 0x4000 + 2i) at 8, 12, ... */
	for (i = 0; i < VMCSINFO_MAX_FIELDS; i++)
		len += (size_t)sprintf(text + len, "FIELD(0x%04x)=0x%x\n",
				       0x4000 + 2 * i, 8 + 4 * i);
	assert_int_equal(vmcsinfo_parse(text, len, &vi, &err), 0);
	assert_int_equal(vi.nfields, VMCSINFO_MAX_FIELDS);
	len += (size_t)sprintf(text + len, "FIELD(0x4400)=0x%x\n",
			       8 + 4 * VMCSINFO_MAX_FIELDS);
	parse_expect_fail(text, len, "more than");
	free(text);
}

static void info_keys(void **state)
{
	struct vmcsinfo vi;
	char v[128], long_val[200];

	(void)state;
	memset(&vi, 0, sizeof(vi));
	assert_int_equal(vmcsinfo_set_info(&vi, "SOURCE", "file"), 0);
	assert_int_equal(vmcsinfo_set_info(&vi, "CPU_MODEL", "85"), 0);
	assert_int_equal(vmcsinfo_set_info(&vi, "SOURCE", "vmcs12"), 0);
	assert_string_equal(vi.info, "CPU_MODEL=85\nSOURCE=vmcs12\n");
	assert_int_equal(vmcsinfo_set_info(&vi, "bad key", "x"), -EINVAL);
	assert_int_equal(vmcsinfo_set_info(&vi, "", "x"), -EINVAL);
	assert_int_equal(vmcsinfo_set_info(&vi, "CPU_VENDOR", "a\nb\tc"), 0);
	assert_int_equal(vmcsinfo_get_info(&vi, "CPU_VENDOR", v, sizeof(v)), 0);
	assert_string_equal(v, "a?b?c");
	memset(long_val, 'x', sizeof(long_val) - 1);
	long_val[sizeof(long_val) - 1] = '\0';
	assert_int_equal(vmcsinfo_set_info(&vi, "MICROCODE", long_val), 0);
	assert_int_equal(vmcsinfo_get_info(&vi, "MICROCODE", v, sizeof(v)), 0);
	assert_int_equal(strlen(v), 64);
	/* fill up: never overflows, says -ENOSPC */
	for (int i = 0; i < 20; i++) {
		char key[16];

		snprintf(key, sizeof(key), "K%d", i);
		if (vmcsinfo_set_info(&vi, key, long_val) == -ENOSPC)
			break;
		assert_true(i < 19);
	}
	assert_true(strlen(vi.info) < sizeof(vi.info));
}

static void cpuinfo_first_processor(void **state)
{
	static const char cpuinfo[] =
		"processor\t: 0\nvendor_id\t: GenuineIntel\n"
		"cpu family\t: 6\nmodel\t\t: 85\n"
		"model name\t: Intel(R) Xeon(R) Gold 6130 CPU @ 2.10GHz\n"
		"stepping\t: 4\nmicrocode\t: 0x2006e05\n"
		"flags\t\t: fpu vme de pse vmx\n\n"
		"processor\t: 1\nvendor_id\t: Other\nmodel\t\t: 99\n\n";
	struct vmcsinfo vi;
	char v[64], *dir = fx_tmpdir(), path[PATH_MAX];

	(void)state;
	memset(&vi, 0, sizeof(vi));
	fx_puts(dir, "cpuinfo", cpuinfo);
	snprintf(path, sizeof(path), "%s/cpuinfo", dir);
	vmcsinfo_add_cpuinfo(&vi, path);
	assert_int_equal(vmcsinfo_get_info(&vi, "CPU_VENDOR", v, sizeof(v)), 0);
	assert_string_equal(v, "GenuineIntel");
	assert_int_equal(vmcsinfo_get_info(&vi, "CPU_FAMILY", v, sizeof(v)), 0);
	assert_string_equal(v, "6");
	assert_int_equal(vmcsinfo_get_info(&vi, "CPU_MODEL", v, sizeof(v)), 0);
	assert_string_equal(v, "85");
	assert_int_equal(vmcsinfo_get_info(&vi, "CPU_STEPPING", v, sizeof(v)),
			 0);
	assert_string_equal(v, "4");
	assert_int_equal(vmcsinfo_get_info(&vi, "MICROCODE", v, sizeof(v)), 0);
	assert_string_equal(v, "0x2006e05");
	fx_rmtree(dir);
}

static void cpuinfo_never_fails(void **state)
{
	struct vmcsinfo vi;
	char *dir = fx_tmpdir(), path[PATH_MAX], junk[9000];
	size_t i;

	(void)state;
	memset(&vi, 0, sizeof(vi));
	vmcsinfo_add_cpuinfo(&vi, "/nonexistent/cpuinfo");
	assert_string_equal(vi.info, "");
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)(i * 7 + 1);
	fx_write(dir, "junk", junk, sizeof(junk));
	snprintf(path, sizeof(path), "%s/junk", dir);
	vmcsinfo_add_cpuinfo(&vi, path); /* must not crash */
	assert_true(strlen(vi.info) < sizeof(vi.info));
	vmcsinfo_add_cpuinfo(&vi, dir); /* a directory */
	fx_rmtree(dir);
}

static void note_layout(void **state)
{
	struct vmcsinfo vi;
	struct vg_error err = { 0 };
	char text[VMCSINFO_TEXT_MAX];
	unsigned char note[VMCSINFO_TEXT_MAX + 64];
	uint32_t hdr[3];
	int tlen, nlen;
	size_t i;

	(void)state;
	assert_int_equal(parse_str(base_text, &vi, &err), 0);
	tlen = vmcsinfo_format(&vi, text, sizeof(text));
	assert_int_equal(tlen, strlen(base_text)); /* 55: pads by 1 */
	nlen = vmcsinfo_note(&vi, note, sizeof(note));
	assert_int_equal(nlen, 12 + 12 + ((tlen + 3) & ~3));
	memcpy(hdr, note, sizeof(hdr));
	assert_int_equal(hdr[0], 9);
	assert_int_equal(hdr[1], tlen);
	assert_int_equal(hdr[2], 0);
	assert_memory_equal(note + 12, "VMCSINFO\0\0\0\0", 12);
	assert_memory_equal(note + 24, text, (size_t)tlen);
	for (i = 24 + (size_t)tlen; i < (size_t)nlen; i++)
		assert_int_equal(note[i], 0);
	assert_int_equal(vmcsinfo_note(&vi, note, (size_t)nlen - 1), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(field_width_follows_encoding),
		cmocka_unit_test(good_tree_reads),
		cmocka_unit_test(ar_format_file),
		cmocka_unit_test(no_tree_is_enoent),
		cmocka_unit_test(bad_missing_vmcs_id),
		cmocka_unit_test(bad_missing_vmcs_dir),
		cmocka_unit_test(bad_revision_bit31),
		cmocka_unit_test(bad_revision_too_wide),
		cmocka_unit_test(bad_names),
		cmocka_unit_test(bad_offset_range),
		cmocka_unit_test(bad_misaligned),
		cmocka_unit_test(bad_overlap),
		cmocka_unit_test(bad_header_overlap),
		cmocka_unit_test(bad_high_half),
		cmocka_unit_test(lone_high_half_is_a_4_byte_field),
		cmocka_unit_test(bad_values),
		cmocka_unit_test(bad_empty_and_huge),
		cmocka_unit_test(bad_not_a_file),
		cmocka_unit_test(bad_duplicate_case),
		cmocka_unit_test(bad_no_fields),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(parse_tolerant),
		cmocka_unit_test(parse_rejects),
		cmocka_unit_test(parse_many_fields),
		cmocka_unit_test(info_keys),
		cmocka_unit_test(cpuinfo_first_processor),
		cmocka_unit_test(cpuinfo_never_fails),
		cmocka_unit_test(note_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
