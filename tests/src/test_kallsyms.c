// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host's kallsyms decoded from a synthetic image
 * (tests/src/ksymfixture.h): every address encoding, one- and two-byte
 * name lengths, KASLR, type filters, and damaged tables.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/hostkv.h"
#include "src/kallsyms.h"
#include "tests/src/ksymfixture.h"

#define MiB (1ull << 20)
#define KROOT 0x1000ull
#define KASLR 0x1e000000ull
#define KVA (0xffffffff81000000ull + KASLR) /* _text */
#define KPA 0x200000ull
#define TABLES (KVA + 0x100000)
#define TABLES_PA (KPA + 0x100000)
#define NFILL 3000

static char longname[201];
static struct ksfx_sym syms[NFILL + 8];
static size_t nsyms;

struct img {
	struct fx *fx;
	struct vg_hostmem hm;
	struct vg_hostkv kv;
	char vmci[2048];
	uint64_t used;
};

static void symbols(void)
{
	size_t n = 0;

	memset(longname, 'q', 200);
	memcpy(longname, "long_", 5);
	syms[n++] = (struct ksfx_sym){ "runqueues", 'D', 0x33340 };
	syms[n++] = (struct ksfx_sym){ "_stext", 'T', KVA + 0x1000 };
	syms[n++] = (struct ksfx_sym){ "modules", 't', KVA + 0x2000 };
	for (int i = 0; i < NFILL; i++) {
		static char names[NFILL][32];

		snprintf(names[i], sizeof(names[i]), "fn_%d_per_cpu", i);
		syms[n++] =
			(struct ksfx_sym){ names[i], 't', KVA + 0x3000 + i };
	}
	syms[n++] = (struct ksfx_sym){ longname, 'r', KVA + 0x8000 };
	syms[n++] = (struct ksfx_sym){ "modules", 'd', KVA + 0x9a0000 };
	syms[n++] =
		(struct ksfx_sym){ "__per_cpu_offset", 'D', KVA + 0x9b0000 };
	syms[n++] = (struct ksfx_sym){ "vm_list", 'b', KVA + 0xa00000 };
	nsyms = n;
}

static void build(struct img *im, const struct ksfx_opts *o,
		  const char *osrelease, uint64_t stext)
{
	memset(im, 0, sizeof(*im));
	im->fx = fx_new(8 * MiB, 6 * MiB);
	fx_map(im->fx, KROOT, KVA, KPA, 2 * MiB, 0x3);
	snprintf(
		im->vmci, sizeof(im->vmci),
		"OSRELEASE=%s\nSYMBOL(init_top_pgt)=%llx\n"
		"SYMBOL(_stext)=%llx\nNUMBER(phys_base)=0\nKERNELOFFSET=%llx\n",
		osrelease, 0xffffffff80000000ull + KROOT,
		(unsigned long long)stext, KASLR);
	im->used = ksfx_write(im->fx, TABLES_PA, TABLES, syms, nsyms, o,
			      im->vmci, sizeof(im->vmci));
	assert_true(im->used < MiB);
	ksfx_hostmem(im->fx, &im->hm);
	assert_int_equal(vg_hostkv_init(&im->kv, &im->hm, im->vmci,
					strlen(im->vmci), NULL),
			 0);
}

static int find(struct img *im, struct vg_ksym *w, size_t n,
		struct vg_kallsyms_info *info, struct vg_error *err)
{
	return vg_kallsyms_find(&im->kv, im->vmci, strlen(im->vmci), w, n, info,
				err);
}

static void check_all(enum vg_kallsyms_enc enc, int long_names,
		      const char *osrelease)
{
	struct ksfx_opts o = { .enc = enc, .long_names = long_names };
	struct vg_ksym w[] = {
		{ "modules", "dD", 0, 0, 0 },
		{ "runqueues", NULL, 0, 0, 0 },
		{ "__per_cpu_offset", NULL, 0, 0, 0 },
		{ "vm_list", "dDbB", 0, 0, 0 },
		{ longname, NULL, 0, 0, 0 },
		{ "fn_2999_per_cpu", NULL, 0, 0, 0 },
		{ "not_there", NULL, 0, 0, 0 },
	};
	struct vg_kallsyms_info info;
	struct vg_error err = { 0 };
	/* zero-based per-CPU symbols exist with absolute per-CPU only */
	uint64_t rq = enc == VG_KS_ENC_RELATIVE || enc == VG_KS_ENC_PLACE ?
			      KVA + 0x33340 :
			      0x33340;
	struct img im;

	syms[0].addr = rq;
	build(&im, &o, osrelease, KVA + 0x1000);
	if (find(&im, w, 7, &info, &err))
		fail_msg("enc %d long %d: %s", enc, long_names, err.msg);
	assert_int_equal(info.num_syms, nsyms);
	assert_int_equal(info.enc,
			 enc == VG_KS_ENC_NONE ? VG_KS_ENC_ABS_PERCPU : enc);
	/* the 't' modules comes first: the type filter skips it */
	assert_true(w[0].found && w[0].addr == KVA + 0x9a0000);
	assert_int_equal(w[0].type, 'd');
	assert_true(w[1].found && w[1].addr == rq);
	assert_true(w[2].found && w[2].addr == KVA + 0x9b0000);
	assert_true(w[3].found && w[3].addr == KVA + 0xa00000);
	assert_int_equal(w[3].type, 'b');
	assert_true(w[4].found && w[4].addr == KVA + 0x8000);
	assert_true(w[5].found && w[5].addr == KVA + 0x3000 + 2999);
	assert_false(w[6].found);
	assert_int_equal(info.long_names, long_names);
	fx_free(im.fx);
}

static void encodings(void **state)
{
	(void)state;
	check_all(VG_KS_ENC_ABS_PERCPU, 1, "6.1.0-28-amd64");
	check_all(VG_KS_ENC_RELATIVE, 1, "6.16.0");
	check_all(VG_KS_ENC_PLACE, 1, "7.0.0");
	check_all(VG_KS_ENC_ABSOLUTE, 0, "5.10.0");
}

/* The release guesses the length format wrong: the other one is tried. */
static void length_format_fallback(void **state)
{
	(void)state;
	check_all(VG_KS_ENC_ABS_PERCPU, 1, "5.15.0");
	check_all(VG_KS_ENC_ABS_PERCPU, 0, "6.1.0");
}

static void expect(struct img *im, int rc, const char *reason)
{
	struct vg_ksym w[] = { { "not_there", NULL, 0, 0, 0 } };
	struct vg_error err = { 0 };
	int r = find(im, w, 1, NULL, &err);

	if (r != rc || !strstr(err.msg, reason))
		fail_msg("want %d \"%s\", got %d \"%s\"", rc, reason, r,
			 err.msg);
	assert_null(strchr(err.msg, '\n'));
	fx_free(im->fx);
}

static void no_tables(void **state)
{
	struct img im;
	char *p;

	(void)state;
	build(&im, NULL, "6.1.0", KVA + 0x1000);
	p = strstr(im.vmci, "SYMBOL(kallsyms_names)");
	memcpy(p, "SYMBOL(kallsyms_nameX)", 22);
	expect(&im, -ENOENT, "Linux before 6.0");

	build(&im, NULL, "6.1.0", KVA + 0x1000);
	p = strstr(im.vmci, "SYMBOL(_stext)");
	memcpy(p, "SYMBOL(_stexX)", 14);
	p = strstr(im.vmci, "SYMBOL(init_top_pgt)");
	memcpy(p, "SYMBOL(init_top_pgX)", 20);
	expect(&im, -ENOENT, "no SYMBOL(_stext)");
}

/* VMCOREINFO's _stext is not what any encoding gives. */
static void wrong_check_symbol(void **state)
{
	struct img im;

	(void)state;
	build(&im, NULL, "6.1.0", KVA + 0x1234);
	expect(&im, -EINVAL, "no address encoding gives _stext");
}

static void damaged(void **state)
{
	struct img im;

	(void)state;
	/* a count beyond the cap */
	build(&im, NULL, "6.1.0", KVA + 0x1000);
	fx_put32(im.fx, TABLES_PA + KSFX_NUM_SYMS, 0xffffffffu);
	expect(&im, -EINVAL, "kallsyms_num_syms 4294967295 is not in");

	/* more symbols than names: the walk runs into zeros */
	build(&im, NULL, "6.1.0", KVA + 0x1000);
	fx_put32(im.fx, TABLES_PA + KSFX_NUM_SYMS, (uint32_t)nsyms * 4);
	expect(&im, -EINVAL, "an empty name");

	/* a token that does not end in the table */
	build(&im, NULL, "6.1.0", KVA + 0x1000);
	fx_put16(im.fx, TABLES_PA + KSFX_TOKEN_INDEX + 2 * 5, 0xff00);
	memset(fx_ptr(im.fx, TABLES_PA + KSFX_TOKEN_TABLE + 0xff00), 'A',
	       0x100);
	expect(&im, -EINVAL, "token 5 does not end");

	/* a page of the names is not in the dump */
	build(&im, NULL, "6.1.0", KVA + 0x1000);
	fx_hole(im.fx, TABLES_PA + 0x8000, TABLES_PA + 0x9000);
	expect(&im, -ENODATA, "kallsyms_names at 0x");

	/* the tables' page is not mapped at all */
	build(&im, NULL, "6.1.0", KVA + 0x1000);
	fx_put64(im.fx, KROOT + 8 * 511, 0);
	expect(&im, -ENODATA, "is not in the dump");
}

/* Names that never end: the walk stops at the byte cap. */
static void runaway_names(void **state)
{
	struct ksfx_sym s[] = { { "_stext", 'T', KVA + 0x1000 } };
	struct vg_ksym w[] = { { "vm_list", NULL, 0, 0, 0 } };
	struct vg_error err = { 0 };
	struct img im;
	uint64_t names;

	(void)state;
	memset(&im, 0, sizeof(im));
	im.fx = fx_new(80 * MiB, 78 * MiB);
	for (uint64_t pa = 0; pa < 72 * MiB; pa += 2 * MiB)
		fx_map(im.fx, KROOT, KVA + pa, pa, 2 * MiB, 0x3);
	snprintf(im.vmci, sizeof(im.vmci),
		 "OSRELEASE=6.1\nSYMBOL(init_top_pgt)=%llx\n"
		 "SYMBOL(_stext)=%llx\n",
		 0xffffffff80000000ull + KROOT, KVA + 0x1000);
	ksfx_write(im.fx, 0x100000, KVA + 0x100000, s, 1, NULL, im.vmci,
		   sizeof(im.vmci));
	fx_put32(im.fx, 0x100000 + KSFX_NUM_SYMS, VG_KALLSYMS_MAX_SYMS);
	names = 0x100000 + ((KSFX_OFFSETS + 8 + 15) & ~15ull);
	/* every name 255 tokens of 'x' (one-byte lengths) */
	for (uint64_t p = names; p + 256 < 72 * MiB; p += 256) {
		*(uint8_t *)fx_ptr(im.fx, p) = 0xff;
		memset(fx_ptr(im.fx, p + 1), 'x', 255);
	}
	ksfx_hostmem(im.fx, &im.hm);
	assert_int_equal(vg_hostkv_init(&im.kv, &im.hm, im.vmci,
					strlen(im.vmci), NULL),
			 0);
	assert_int_equal(find(&im, w, 1, NULL, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "runs past"));
	fx_free(im.fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(encodings),
		cmocka_unit_test(length_format_fallback),
		cmocka_unit_test(no_tables),
		cmocka_unit_test(wrong_check_symbol),
		cmocka_unit_test(damaged),
		cmocka_unit_test(runaway_names),
	};

	symbols();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
