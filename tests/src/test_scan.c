// SPDX-License-Identifier: GPL-2.0-or-later
/* Discovery: VMCB/VMCS validation, decoys, grouping, register extraction. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/scan.h"
#include "src/svm.h"
#include "notes/vmcsinfo-parse.h"
#include "src/vmx.h"
#include "tests/src/fixture.h"

#define MiB (1ull << 20)

/* Host memory straight from the fixture image. */
static int img_read(struct vg_hostmem *hm, uint64_t paddr, void *buf,
		    size_t len)
{
	struct fx *fx = hm->priv;

	for (int i = 0; i < fx->nholes; i++)
		if (paddr < fx->holes[i].end &&
		    paddr + len > fx->holes[i].start)
			return VG_HM_ABSENT;
	if (paddr + len > fx->ram_size)
		return VG_HM_ABSENT;
	memcpy(buf, fx->ram + paddr, len);
	return VG_HM_OK;
}

static void run_scan(struct fx *fx, const struct vmcsinfo *extra,
		     struct vg_scan_result *res, FILE *verbose)
{
	struct vg_hostmem hm = { .read = img_read,
				 .max_paddr = fx->ram_size,
				 .priv = fx };
	struct vg_scan_cfg cfg;
	struct vg_error err;

	memset(&cfg, 0, sizeof(cfg));
	cfg.hm = &hm;
	if (extra) {
		cfg.layouts[cfg.nlayouts].vi = extra;
		cfg.layouts[cfg.nlayouts++].source = "test";
	}
	cfg.layouts[cfg.nlayouts].vi = vg_vmcs12_layout();
	cfg.layouts[cfg.nlayouts++].source = "built-in vmcs12";
	cfg.verbose = verbose;
	assert_int_equal(vg_scan(&cfg, res, &err), 0);
}

static void svm_realmode_guest_found(void **state)
{
	struct fx *fx = fx_new(8 * MiB, 4 * MiB);
	uint64_t ncr3 = fx_alloc_page(fx);
	struct vg_scan_result res;
	struct vg_guest *g;
	struct fx_cpu c;
	const struct vg_vcpu *v;

	(void)state;
	fx_cpu_realmode(&c, ncr3);
	fx_make_vmcb(fx, 0x200000, &c);
	run_scan(fx, NULL, &res, NULL);
	assert_int_equal(res.nfound, 1);
	assert_int_equal(vg_group(&res, &g), 1);
	assert_int_equal(g[0].vendor, VG_VENDOR_SVM);
	assert_int_equal(g[0].root, ncr3);
	assert_string_equal(g[0].name, "svm-400000");
	v = &res.found[0].vcpu;
	assert_int_equal(v->state_paddr, 0x200000);
	assert_int_equal(v->rip, 0x2340);
	assert_int_equal(v->gpr[VG_RSP], 0x7000);
	assert_int_equal(v->gpr[VG_RAX], 0x1234);
	assert_int_equal(v->gpr_known, (1u << VG_RSP) | (1u << VG_RAX));
	assert_int_equal(v->rflags, 0x202);
	assert_int_equal(v->cr0, 0x60000010);
	assert_int_equal(v->cr3, 0);
	assert_int_equal(v->efer, 0x1000);
	assert_int_equal(v->exit_reason, 0x78);
	assert_int_equal(v->seg[VG_CS].selector, 0x1000);
	assert_int_equal(v->seg[VG_CS].base, 0x10000);
	assert_int_equal(v->seg[VG_CS].limit, 0xffff);
	assert_int_equal(v->seg[VG_CS].attr, 0x9b);
	assert_true(v->seg[VG_LDTR].attr & VG_SEG_UNUSABLE);
	assert_int_equal(v->gdtr.base, 0x5000);
	assert_int_equal(v->gdtr.limit, 0x7f);
	assert_int_equal(v->idtr.limit, 0x3ff);
	assert_true(v->known & VG_K_KERNEL_GS_BASE);
	assert_false(v->state_encrypted);
	free(g);
	vg_scan_result_free(&res);
	fx_free(fx);
}

static void svm_attr_conversion(void **state)
{
	(void)state;
	/* 64-bit code: SVM 0x29b (L bit 9) -> VMX 0x209b (L bit 13). */
	assert_int_equal(vg_svm_attr_to_ar(0x29b), 0x209b);
	assert_int_equal(vg_svm_attr_to_ar(0xc93), 0xc093);
	assert_int_equal(vg_svm_attr_to_ar(0), VG_SEG_UNUSABLE);
}

static void svm_vcpus_grouped_by_ncr3(void **state)
{
	struct fx *fx = fx_new(8 * MiB, 4 * MiB);
	uint64_t a = fx_alloc_page(fx), b = fx_alloc_page(fx);
	struct vg_scan_result res;
	struct vg_guest *g;
	struct fx_cpu c;

	(void)state;
	fx_cpu_long(&c, a);
	fx_make_vmcb(fx, 0x300000, &c);
	fx_make_vmcb(fx, 0x100000, &c);
	fx_cpu_realmode(&c, b);
	fx_make_vmcb(fx, 0x200000, &c);
	run_scan(fx, NULL, &res, NULL);
	assert_int_equal(res.nfound, 3);
	assert_int_equal(vg_group(&res, &g), 2);
	assert_int_equal(g[0].root, a);
	assert_int_equal(g[0].n, 2);
	assert_int_equal(g[1].root, b);
	assert_int_equal(g[1].n, 1);
	/* vCPUs numbered by VMCB address within the guest. */
	assert_int_equal(res.found[0].vcpu.state_paddr, 0x100000);
	assert_int_equal(res.found[0].vcpu.index, 0);
	assert_int_equal(res.found[1].vcpu.index, 1);
	assert_int_equal(res.found[0].vcpu.efer, 0xd01 | 0x1000);
	assert_int_equal(res.found[0].vcpu.seg[VG_CS].attr, 0xa09b);
	free(g);
	vg_scan_result_free(&res);
	fx_free(fx);
}

/* Break one structural property of a good VMCB at a time: each must be
 * rejected. */
static void svm_rejects_broken_vmcbs(void **state)
{
	static const struct {
		unsigned int off;
		uint64_t val;
		int width;
	} breaks[] = {
		{ 0x58, 0, 4 }, /* ASID 0 */
		{ 0x90, 0, 8 }, /* nested paging off */
		{ 0x90, 5, 8 }, /* SEV-ES without SEV */
		{ 0x90, 7, 8 }, /* SEV-ES without a VMSA */
		{ 0x90, 1 | (1u << 9), 8 }, /* nested control reserved */
		{ 0xb0, 0x400123, 8 }, /* nCR3 not aligned */
		{ 0xb0, 0x40000000, 8 }, /* nCR3 beyond host memory */
		{ 0x300, 1, 8 }, /* reserved control area */
		{ 0x4a8, 1, 8 }, /* reserved save area */
		{ 0x4cc, 1, 1 }, /* reserved save area after CPL */
		{ 0x4e0, 1, 8 }, /* reserved save area after EFER */
	};
	struct fx *fx = fx_new(4 * MiB, 2 * MiB);
	uint64_t ncr3 = fx_alloc_page(fx);
	struct fx_cpu c;
	char *log = NULL;
	size_t loglen = 0;

	(void)state;
	fx_cpu_realmode(&c, ncr3);
	for (size_t i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++) {
		struct vg_scan_result res;
		uint64_t p = 0x100000;
		FILE *vlog = open_memstream(&log, &loglen);

		fx_make_vmcb(fx, p, &c);
		memcpy(fx_ptr(fx, p + breaks[i].off), &breaks[i].val,
		       (size_t)breaks[i].width);
		run_scan(fx, NULL, &res, vlog);
		fclose(vlog);
		if (res.nfound != 0)
			fail_msg("break %zu at 0x%x accepted", i,
				 breaks[i].off);
		assert_int_equal(res.rejected_vmcb, 1);
		/* -v names the page and the reason. */
		assert_non_null(
			strstr(log, "rejected VMCB candidate at 0x100000"));
		free(log);
		log = NULL;
		vg_scan_result_free(&res);
	}
	fx_free(fx);
}

/* The reason recorded for field, or NULL when it is not marked unknown. */
static const char *unknown_reason(const struct vg_vcpu *v, const char *field)
{
	for (unsigned int i = 0; i < v->nunknown; i++)
		if (!strcmp(v->unknown[i].field, field))
			return v->unknown[i].reason;
	return NULL;
}

/* What one odd guest field must do: only it becomes unknown. */
struct odd_field {
	unsigned int off; /* VMCB offset, or VMCS field encoding */
	uint64_t val;
	int width;
	const char *field;
	uint32_t known_bit; /* cleared; 0 for a segment's attr */
	int seg; /* the segment for attr, else -1 */
};

static void assert_only_unknown(const struct vg_vcpu *v,
				const struct odd_field *o, uint32_t all_known)
{
	const char *why = unknown_reason(v, o->field);

	if (!why)
		fail_msg("%s not marked unknown", o->field);
	assert_true(strlen(why) > 5);
	/* One field per break; CPL follows SS's access rights on VMX. */
	if (v->nunknown != 1)
		fail_msg("%s: %u fields unknown", o->field, v->nunknown);
	if (o->known_bit) {
		assert_false(v->known & o->known_bit);
		assert_int_equal(v->known | o->known_bit, all_known);
	} else {
		assert_false(vg_seg_attr_known(v, o->seg));
		for (int s = 0; s < VG_NR_SEGS; s++)
			if (s != o->seg)
				assert_true(vg_seg_attr_known(v, s));
		assert_int_equal(v->seg[o->seg].attr, 0);
	}
	/* The rest of the vCPU is still there. */
	assert_true(v->known & VG_K_RIP);
	assert_int_equal(v->rip, 0xffffffff81000000ull);
	assert_true(v->known & VG_K_SEGS);
}

/* An implausible guest field in a VMCB marks only that field unknown. */
static void svm_odd_field_marks_it_unknown(void **state)
{
	static const struct odd_field odd[] = {
		{ 0x4d0, 0x1000 | (1ull << 40), 8, "efer", VG_K_EFER, -1 },
		{ 0x4d0, 0x1400, 8, "efer", VG_K_EFER, -1 },
		{ 0x558, 0x80000000, 8, "cr0", VG_K_CR0, -1 },
		{ 0x558, 1ull << 33, 8, "cr0", VG_K_CR0, -1 },
		{ 0x558, 0x20000001, 8, "cr0", VG_K_CR0, -1 }, /* NW, !CD */
		{ 0x548, 1ull << 40, 8, "cr4", VG_K_CR4, -1 },
		{ 0x550, 1ull << 60, 8, "cr3", VG_K_CR3, -1 },
		{ 0x570, 0x200, 8, "rflags", VG_K_RFLAGS, -1 },
		{ 0x570, 1ull << 30, 8, "rflags", VG_K_RFLAGS, -1 },
		{ 0x4cb, 7, 1, "cpl", VG_K_CPL, -1 },
		{ 0x70, 0x9999, 8, "exit_reason", VG_K_EXIT_REASON, -1 },
		{ 0x412, 0xf09b, 2, "cs.attr", 0, VG_CS },
		{ 0x492, 0x108b, 2, "tr.attr", 0, VG_TR },
	};
	struct fx *fx = fx_new(4 * MiB, 2 * MiB);
	uint64_t ncr3 = fx_alloc_page(fx);
	struct fx_cpu c;
	uint32_t all;
	struct vg_scan_result res;

	(void)state;
	fx_cpu_long(&c, ncr3);
	fx_make_vmcb(fx, 0x100000, &c);
	run_scan(fx, NULL, &res, NULL);
	assert_int_equal(res.nfound, 1);
	all = res.found[0].vcpu.known;
	assert_int_equal(res.found[0].vcpu.nunknown, 0);
	assert_true(all & VG_K_CPL);
	vg_scan_result_free(&res);
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		fx_make_vmcb(fx, 0x100000, &c);
		memcpy(fx_ptr(fx, 0x100000 + odd[i].off), &odd[i].val,
		       (size_t)odd[i].width);
		run_scan(fx, NULL, &res, NULL);
		if (res.nfound != 1)
			fail_msg("odd %s (%zu) dropped the vCPU", odd[i].field,
				 i);
		assert_only_unknown(&res.found[0].vcpu, &odd[i], all);
		vg_scan_result_free(&res);
	}
	fx_free(fx);
}

/* The same for a VMCS: guest fields never decide whether it is one. */
static void vmx_odd_field_marks_it_unknown(void **state)
{
	static const struct odd_field odd[] = {
		{ VMCS_GUEST_CR0, 1ull << 33, 8, "cr0", VG_K_CR0, -1 },
		{ VMCS_GUEST_CR0, 0x80000020, 8, "cr0", VG_K_CR0, -1 },
		{ VMCS_GUEST_CR4, 1ull << 40, 8, "cr4", VG_K_CR4, -1 },
		{ VMCS_GUEST_CR3, 0x1234001, 8, "cr3", VG_K_CR3, -1 },
		{ VMCS_GUEST_CR3, 1ull << 55, 8, "cr3", VG_K_CR3, -1 },
		{ VMCS_GUEST_RFLAGS, 0, 8, "rflags", VG_K_RFLAGS, -1 },
		{ VMCS_GUEST_RFLAGS, 0x8002, 8, "rflags", VG_K_RFLAGS, -1 },
		{ VMCS_GUEST_IA32_EFER, 0xd01 | (1u << 12), 8, "efer",
		  VG_K_EFER, -1 },
		{ VMCS_VM_EXIT_REASON, 0x1234, 4, "exit_reason",
		  VG_K_EXIT_REASON, -1 },
		{ VMCS_VM_EXIT_REASON, 0x00010001, 4, "exit_reason",
		  VG_K_EXIT_REASON, -1 },
		{ VMCS_GUEST_ES_AR + 2, 0xf9b, 4, "cs.attr", 0, VG_CS },
		{ VMCS_GUEST_ES_AR + 2, 0x91, 4, "cs.attr", 0, VG_CS },
		{ VMCS_GUEST_ES_AR + 14, 0x89, 4, "tr.attr", 0, VG_TR },
		{ VMCS_GUEST_ES_AR + 12, 0x82 | (1u << 20), 4, "ldtr.attr", 0,
		  VG_LDTR },
		{ VMCS_GUEST_ES_AR, 0x13, 4, "es.attr", 0, VG_ES },
	};
	const struct vmcsinfo *vi = vg_vmcs12_layout();
	struct fx *fx = fx_new(4 * MiB, 2 * MiB);
	uint64_t eptp = fx_alloc_page(fx) | 0x5e;
	struct vg_scan_result res;
	struct fx_cpu c;
	uint32_t all;

	(void)state;
	fx_cpu_long(&c, eptp);
	fx_make_vmcs(fx, 0x100000, vi, &c);
	run_scan(fx, NULL, &res, NULL);
	assert_int_equal(res.nfound, 1);
	all = res.found[0].vcpu.known;
	assert_int_equal(res.found[0].vcpu.nunknown, 0);
	assert_true(all & VG_K_SEG_ATTR);
	assert_true(all & VG_K_CPL);
	assert_int_equal(res.found[0].vcpu.ar_format, VG_AR_ARCH);
	assert_string_equal(res.found[0].vcpu.ar_format_from, "layout");
	vg_scan_result_free(&res);
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		int off = vg_vmx_offset(vi, (uint16_t)odd[i].off);

		assert_true(off > 0);
		fx_make_vmcs(fx, 0x100000, vi, &c);
		memcpy(fx_ptr(fx, 0x100000 + (uint64_t)off), &odd[i].val,
		       (size_t)odd[i].width);
		run_scan(fx, NULL, &res, NULL);
		if (res.nfound != 1)
			fail_msg("odd %s (%zu) dropped the vCPU", odd[i].field,
				 i);
		assert_only_unknown(&res.found[0].vcpu, &odd[i], all);
		vg_scan_result_free(&res);
	}
	/* SS's access rights hold the CPL: both unknown together. */
	fx_make_vmcs(fx, 0x100000, vi, &c);
	fx_put32(fx, 0x100000 + (uint64_t)vg_vmx_offset(vi, 0x4818), 0x9b00);
	run_scan(fx, NULL, &res, NULL);
	assert_int_equal(res.nfound, 1);
	assert_non_null(unknown_reason(&res.found[0].vcpu, "ss.attr"));
	assert_false(res.found[0].vcpu.known & VG_K_CPL);
	vg_scan_result_free(&res);
	fx_free(fx);
}

/* The structural checks alone reject a page that is no VMCS. */
static void vmx_rejects_broken_structure(void **state)
{
	static const struct {
		uint16_t enc; /* 0: the abort indicator at byte 4 */
		uint64_t val;
	} breaks[] = {
		{ 0, 9 },
		{ VMCS_LINK_POINTER, 0 },
		{ VMCS_HOST_CR0, 0x33 }, /* no PG */
		{ VMCS_HOST_CR4, 0x6f0 }, /* no VMXE */
		{ VMCS_HOST_CR3, 0x80000000ull },
		{ VMCS_EPT_POINTER, 0 },
		{ VMCS_EPT_POINTER, 0x40005d }, /* memory type 5 */
	};
	const struct vmcsinfo *vi = vg_vmcs12_layout();
	struct fx *fx = fx_new(4 * MiB, 2 * MiB);
	uint64_t eptp = fx_alloc_page(fx) | 0x5e;
	struct fx_cpu c;

	(void)state;
	fx_cpu_long(&c, eptp);
	for (size_t i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++) {
		struct vg_scan_result res;
		uint64_t at = 4;

		fx_make_vmcs(fx, 0x100000, vi, &c);
		if (breaks[i].enc)
			at = (uint64_t)vg_vmx_offset(vi, breaks[i].enc);
		if (breaks[i].enc)
			fx_put64(fx, 0x100000 + at, breaks[i].val);
		else
			fx_put32(fx, 0x100000 + at, (uint32_t)breaks[i].val);
		run_scan(fx, NULL, &res, NULL);
		if (res.nfound != 0)
			fail_msg("structural break %zu accepted", i);
		vg_scan_result_free(&res);
	}
	fx_free(fx);
}

static void svm_sev_es_state_is_encrypted(void **state)
{
	struct fx *fx = fx_new(4 * MiB, 2 * MiB);
	uint64_t ncr3 = fx_alloc_page(fx);
	struct vg_scan_result res;
	struct fx_cpu c;

	(void)state;
	fx_cpu_long(&c, ncr3);
	c.sev_es = 1;
	c.vmsa = fx_alloc_page(fx);
	fx_make_vmcb(fx, 0x100000, &c);
	/* Save area holds host state for SEV-ES: EFER.SVME set there too. */
	fx_put64(fx, 0x100000 + 0x4d0, 0x1d01);
	run_scan(fx, NULL, &res, NULL);
	assert_int_equal(res.nfound, 1);
	assert_true(res.found[0].vcpu.state_encrypted);
	assert_int_equal(res.found[0].vcpu.protection, VG_PROT_SEV_ES);
	assert_int_equal(res.found[0].vcpu.known, VG_K_EXIT_REASON);
	assert_int_equal(res.found[0].vcpu.gpr_known, 0);
	vg_scan_result_free(&res);
	fx_free(fx);
}

/* A made-up layout: every field at a different place than vmcs12. */
static void made_up_layout(struct vmcsinfo *vi)
{
	const struct vmcsinfo *v12 = vg_vmcs12_layout();

	memset(vi, 0, sizeof(*vi));
	vi->revision_id = 0x2b;
	vi->nfields = v12->nfields;
	for (unsigned int i = 0; i < v12->nfields; i++) {
		vi->fields[i].encoding = v12->fields[i].encoding;
		vi->fields[i].offset = (uint16_t)(0x800 + 8 * i);
	}
}

/* Plain SEV: memory encrypted, the save area is not: registers given. */
static void svm_sev_registers_are_read(void **state)
{
	struct fx *fx = fx_new(4 * MiB, 2 * MiB);
	uint64_t ncr3 = fx_alloc_page(fx);
	struct vg_scan_result res;
	struct fx_cpu c;
	const struct vg_vcpu *v;

	(void)state;
	fx_cpu_long(&c, ncr3);
	c.sev = 1;
	fx_make_vmcb(fx, 0x100000, &c);
	run_scan(fx, NULL, &res, NULL);
	assert_int_equal(res.nfound, 1);
	v = &res.found[0].vcpu;
	assert_int_equal(v->protection, VG_PROT_SEV);
	assert_string_equal(vg_protection_name(v->protection), "sev");
	assert_false(v->state_encrypted);
	assert_true(v->known & VG_K_RIP);
	assert_int_equal(v->rip, 0xffffffff81000000ull);
	assert_int_equal(v->cr3, 0x1234000);
	assert_int_equal(v->seg[VG_CS].attr, 0xa09b);
	vg_scan_result_free(&res);
	/* Without SEV: no protection. */
	c.sev = 0;
	fx_make_vmcb(fx, 0x100000, &c);
	run_scan(fx, NULL, &res, NULL);
	assert_int_equal(res.found[0].vcpu.protection, VG_PROT_NONE);
	assert_null(vg_protection_name(VG_PROT_NONE));
	vg_scan_result_free(&res);
	fx_free(fx);
}

/* The architectural values of the fixture's segments ES ... TR. */
static const uint32_t fx_ar[VG_NR_SEGS] = { 0x93, 0xa09b, 0x93,	   0x93,
					    0x93, 0x93,	  0x10000, 0x8b };

static void store_all(uint32_t raw[VG_NR_SEGS], const uint32_t *ar,
		      enum vg_ar_format f)
{
	for (int s = 0; s < VG_NR_SEGS; s++)
		raw[s] = f == VG_AR_ROT8   ? (ar[s] << 8) | (ar[s] >> 24) :
			 f == VG_AR_PACK16 ? (ar[s] & 0xf0ffu) |
						     ((ar[s] >> 5) & 0x800u) :
					     ar[s];
}

/* Each format is recognised from the eight values when one decides. */
static void ar_format_inferred(void **state)
{
	uint32_t raw[VG_NR_SEGS], ar;
	const char *why;

	(void)state;
	for (int f = VG_AR_ARCH; f <= VG_AR_PACK16; f++) {
		store_all(raw, fx_ar, (enum vg_ar_format)f);
		why = "x";
		assert_int_equal(vg_ar_infer(raw, &why), f);
		assert_null(why);
		for (int s = 0; s < VG_NR_SEGS; s++) {
			assert_int_equal(vg_ar_decode(raw[s],
						      (enum vg_ar_format)f, s,
						      &ar),
					 0);
			assert_int_equal(ar, fx_ar[s]);
		}
	}
	/* Bochs: 0x93 is kept as 0x9300; in no other format valid. */
	assert_int_equal(vg_ar_decode(0x9300, VG_AR_ROT8, VG_DS, &ar), 0);
	assert_int_equal(ar, 0x93);
	assert_int_equal(vg_ar_decode(0x9300, VG_AR_ARCH, VG_DS, &ar), -1);
	assert_int_equal(vg_ar_decode(0x9300, VG_AR_PACK16, VG_DS, &ar), -1);
	/* Unusable: bit 16, at 24 rotated, at 11 packed. */
	assert_int_equal(vg_ar_decode(0x01000000, VG_AR_ROT8, VG_LDTR, &ar), 0);
	assert_int_equal(ar, VG_SEG_UNUSABLE);
	assert_int_equal(vg_ar_decode(0x800, VG_AR_PACK16, VG_LDTR, &ar), 0);
	assert_int_equal(ar, VG_SEG_UNUSABLE);
	assert_int_equal(vg_ar_decode(0x800, VG_AR_ARCH, VG_LDTR, &ar), -1);
	assert_int_equal(vg_ar_format_parse("rotated-8"), VG_AR_ROT8);
	assert_int_equal(vg_ar_format_parse("packed-16"), VG_AR_PACK16);
	assert_int_equal(vg_ar_format_parse("architectural"), VG_AR_ARCH);
	assert_int_equal(vg_ar_format_parse("rot8"), VG_AR_UNKNOWN);
	assert_string_equal(vg_ar_format_name(VG_AR_ROT8), "rotated-8");
}

/* Ties and contradictions leave the attributes unknown. */
static void ar_format_ties_stay_unknown(void **state)
{
	/* All usable: architectural and packed-16 read the same values. */
	static const uint32_t usable[VG_NR_SEGS] = { 0x93, 0xa09b, 0x93, 0x93,
						     0x93, 0x93,   0x82, 0x8b };
	uint32_t raw[VG_NR_SEGS];
	const char *why = NULL;
	struct vg_vcpu v;

	(void)state;
	store_all(raw, usable, VG_AR_ARCH);
	assert_int_equal(vg_ar_infer(raw, &why), VG_AR_UNKNOWN);
	assert_non_null(strstr(why, "no value fits one format only"));
	memset(&v, 0, sizeof(v));
	v.known = VG_K_SEGS;
	vg_vmx_decode_ar(&v, raw, VG_AR_UNKNOWN);
	assert_false(v.known & (VG_K_SEG_ATTR | VG_K_CPL));
	assert_int_equal(v.ar_format, VG_AR_UNKNOWN);
	assert_null(v.ar_format_from);
	assert_ptr_equal(v.ar_why, why);
	for (int s = 0; s < VG_NR_SEGS; s++) {
		assert_false(vg_seg_attr_known(&v, s));
		assert_int_equal(v.seg[s].attr, 0);
	}
	/* LDTR says architectural, ES says rotated: no answer. */
	store_all(raw, fx_ar, VG_AR_ARCH);
	raw[VG_ES] = 0x9300;
	assert_int_equal(vg_ar_infer(raw, &why), VG_AR_UNKNOWN);
	assert_non_null(strstr(why, "different formats"));
	/* Garbage everywhere: nothing fits, nothing decided. */
	for (int s = 0; s < VG_NR_SEGS; s++)
		raw[s] = 0xdead0f00u;
	assert_int_equal(vg_ar_infer(raw, &why), VG_AR_UNKNOWN);
}

/* One value the decided format rejects: only that segment is unknown. */
static void ar_format_odd_value_in_inferred_format(void **state)
{
	uint32_t raw[VG_NR_SEGS];
	struct vg_vcpu v;

	(void)state;
	store_all(raw, fx_ar, VG_AR_ROT8);
	raw[VG_FS] = 0x13; /* fits none */
	memset(&v, 0, sizeof(v));
	vg_vmx_decode_ar(&v, raw, VG_AR_UNKNOWN);
	assert_int_equal(v.ar_format, VG_AR_ROT8);
	assert_string_equal(v.ar_format_from, "inferred");
	assert_true(v.known & VG_K_SEG_ATTR);
	assert_false(vg_seg_attr_known(&v, VG_FS));
	assert_true(vg_seg_attr_known(&v, VG_CS));
	assert_int_equal(v.seg[VG_CS].attr, 0xa09b);
	assert_int_equal(v.nunknown, 1);
	assert_string_equal(v.unknown[0].field, "fs.attr");
	assert_non_null(strstr(v.unknown[0].reason, "rotated-8"));
	assert_true(v.known & VG_K_CPL);
	assert_int_equal(v.cpl, 0);
}

/*
 * Whole VMCSs: Bochs's rotated values under a layout that states no format
 * (inferred) and one that states it; a stated format wins over the values.
 */
static void vmx_rotated_access_rights_decoded(void **state)
{
	struct fx *fx = fx_new(4 * MiB, 2 * MiB);
	uint64_t eptp = fx_alloc_page(fx) | 0x5e;
	struct vg_scan_result res;
	struct vmcsinfo vi;
	struct fx_cpu c;
	const struct vg_vcpu *v;

	(void)state;
	made_up_layout(&vi);
	fx_cpu_long(&c, eptp);
	c.ar_format = VG_AR_ROT8;
	fx_make_vmcs(fx, 0x100000, &vi, &c);
	run_scan(fx, &vi, &res, NULL);
	assert_int_equal(res.nfound, 1);
	v = &res.found[0].vcpu;
	assert_int_equal(v->ar_format, VG_AR_ROT8);
	assert_string_equal(v->ar_format_from, "inferred");
	assert_int_equal(v->seg[VG_CS].attr, 0xa09b); /* L=1, DPL 0 */
	assert_true(v->seg[VG_LDTR].attr & VG_SEG_UNUSABLE);
	assert_int_equal(v->nunknown, 0);
	assert_true(v->known & VG_K_CPL);
	vg_scan_result_free(&res);
	assert_int_equal(
		vmcsinfo_set_info(&vi, VMCSINFO_KEY_AR_FORMAT, "rotated-8"), 0);
	run_scan(fx, &vi, &res, NULL);
	v = &res.found[0].vcpu;
	assert_string_equal(v->ar_format_from, "layout");
	assert_int_equal(v->seg[VG_CS].attr, 0xa09b);
	vg_scan_result_free(&res);
	/* Stated architectural, stored rotated: every attr unknown, none
	 * of the raw values reported. */
	assert_int_equal(vmcsinfo_set_info(&vi, VMCSINFO_KEY_AR_FORMAT,
					   "architectural"),
			 0);
	run_scan(fx, &vi, &res, NULL);
	v = &res.found[0].vcpu;
	assert_int_equal(res.nfound, 1);
	assert_int_equal(v->ar_format, VG_AR_ARCH);
	for (int s = 0; s < VG_NR_SEGS; s++) {
		assert_false(vg_seg_attr_known(v, s));
		assert_int_equal(v->seg[s].attr, 0);
	}
	assert_int_equal(v->nunknown, 8);
	assert_true(v->known & VG_K_RIP);
	vg_scan_result_free(&res);
	fx_free(fx);
}

static void vmx_layouts_and_decoys(void **state)
{
	struct fx *fx = fx_new(8 * MiB, 4 * MiB);
	uint64_t eptp1 = fx_alloc_page(fx) | 0x5e; /* WB, 4 levels, A/D */
	uint64_t eptp2 = fx_alloc_page(fx) | 0x1e;
	struct vg_scan_result res;
	struct vmcsinfo vi;
	struct vg_guest *g;
	struct fx_cpu c;
	const struct vg_vcpu *v;

	(void)state;
	made_up_layout(&vi);
	fx_cpu_realmode(&c, eptp1);
	c.exit_code = 0; /* NMI shoot-down at the crash */
	fx_make_vmcs(fx, 0x100000, &vi, &c);
	fx_make_vmcs(fx, 0x101000, &vi, &c);
	fx_cpu_long(&c, eptp2);
	c.exit_code = 12; /* HLT */
	fx_make_vmcs(fx, 0x102000, vg_vmcs12_layout(), &c);
	/* Decoys: revision id then garbage, a VMXON region, a VMCS whose
	 * EPTP is broken. */
	fx_put32(fx, 0x180000, 0x2b);
	memset(fx_ptr(fx, 0x180008), 0x5a, 100);
	fx_put32(fx, 0x181000, 0x2b);
	fx_put32(fx, 0x182000, VG_VMCS12_REVISION);
	fx_make_vmcs(fx, 0x183000, &vi, &c);
	fx_put64(fx, 0x183000 + 0x800 + 8 * 8, 0x400007); /* EPTP: UC walk 1 */
	run_scan(fx, &vi, &res, NULL);
	assert_int_equal(res.nfound, 3);
	assert_int_equal(res.rejected_vmcs, 2);
	assert_int_equal(res.vmxon_like, 2);
	assert_int_equal(vg_group(&res, &g), 2);
	assert_int_equal(g[0].vendor, VG_VENDOR_VMX);
	assert_int_equal(g[0].root, eptp1);
	assert_int_equal(g[0].n, 2);
	assert_string_equal(g[0].name, "vmx-40005e");
	assert_int_equal(g[1].root, eptp2);
	v = &res.found[0].vcpu;
	assert_string_equal(res.found[0].layout, "test");
	assert_int_equal(v->rip, 0x2340);
	assert_int_equal(v->cr0, 0x60000010); /* NE from the read shadow */
	assert_int_equal(v->cr3, 0);
	assert_int_equal(v->seg[VG_CS].selector, 0x1000);
	assert_int_equal(v->seg[VG_CS].base, 0x10000);
	assert_int_equal(v->exit_reason, 0);
	assert_true(v->known & VG_K_EFER);
	assert_false(v->known & VG_K_KERNEL_GS_BASE);
	assert_int_equal(v->gpr_known, 1u << VG_RSP);
	v = &res.found[2].vcpu;
	assert_string_equal(res.found[2].layout, "built-in vmcs12");
	assert_int_equal(v->rip, 0xffffffff81000000ull);
	assert_int_equal(v->cr3, 0x1234000);
	assert_int_equal(v->cr4, 0x3506f0); /* VMXE hidden by the shadow */
	assert_int_equal(v->efer, 0xd01);
	assert_int_equal(v->exit_reason, 12);
	assert_int_equal(v->seg[VG_CS].attr, 0xa09b);
	assert_true(v->known & VG_K_SEG_ATTR);
	free(g);
	vg_scan_result_free(&res);
	fx_free(fx);
}

/*
 * A layout without the access-rights fields (a CPU that stores them in a
 * form of its own, like Bochs: vmcsinfo-intel publishes them as 0): the
 * VMCS is still found and the segments are known, their attributes not.
 */
static void vmx_layout_without_access_rights(void **state)
{
	struct fx *fx = fx_new(4 * MiB, 2 * MiB);
	uint64_t eptp = fx_alloc_page(fx) | 0x5e;
	struct vg_scan_result res;
	struct vmcsinfo vi;
	struct fx_cpu c;
	const struct vg_vcpu *v;
	unsigned int i, n = 0;

	(void)state;
	made_up_layout(&vi);
	for (i = 0; i < vi.nfields; i++)
		if (vi.fields[i].encoding < 0x4814 ||
		    vi.fields[i].encoding > 0x4822)
			vi.fields[n++] = vi.fields[i];
	assert_int_equal(vi.nfields - n, 8);
	vi.nfields = n;
	fx_cpu_realmode(&c, eptp);
	c.exit_code = 0;
	fx_make_vmcs(fx, 0x100000, &vi, &c);
	run_scan(fx, &vi, &res, NULL);
	assert_int_equal(res.nfound, 1);
	v = &res.found[0].vcpu;
	assert_true(v->known & VG_K_SEGS);
	assert_false(v->known & VG_K_SEG_ATTR);
	assert_int_equal(v->seg[VG_CS].selector, 0x1000);
	assert_int_equal(v->seg[VG_CS].base, 0x10000);
	assert_int_equal(v->seg[VG_CS].limit, 0xffff);
	assert_int_equal(v->seg[VG_CS].attr, 0);
	assert_int_equal(v->rip, 0x2340);
	vg_scan_result_free(&res);
	fx_free(fx);
}

static void vmx_without_layout_is_counted(void **state)
{
	struct fx *fx = fx_new(4 * MiB, 2 * MiB);
	struct vg_scan_result res;
	struct vmcsinfo vi;
	struct fx_cpu c;

	(void)state;
	made_up_layout(&vi);
	fx_cpu_long(&c, fx_alloc_page(fx) | 0x5e);
	fx_make_vmcs(fx, 0x100000, &vi, &c);
	fx_make_vmcs(fx, 0x101000, &vi, &c);
	fx_put32(fx, 0x102000, 0x2b); /* VMXON region: not counted */
	run_scan(fx, NULL, &res, NULL);
	assert_int_equal(res.nfound, 0);
	assert_int_equal(res.nnolayout, 1);
	assert_int_equal(res.nolayout[0].revision, 0x2b);
	assert_int_equal(res.nolayout[0].count, 2);
	vg_scan_result_free(&res);
	fx_free(fx);
}

static void ordinary_pages_give_nothing(void **state)
{
	struct fx *fx = fx_new(16 * MiB, 8 * MiB);
	struct vg_scan_result res;
	uint64_t x = 88172645463325252ull;

	(void)state;
	/* Pseudo-random pages, text-like pages, pages of small integers. */
	for (uint64_t p = 0; p < 16 * MiB; p += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (p < 4 * MiB)
			fx_put64(fx, p, x);
		else if (p < 8 * MiB)
			fx_put64(fx, p,
				 0x2020656c706d6173ull ^ (x & 0x0101010101));
		else
			fx_put64(fx, p, x & 0x1ff);
	}
	/* Pages that begin with plausible revision ids and abort 0. */
	for (uint64_t p = 0; p < 16 * MiB; p += 64 * 4096) {
		fx_put32(fx, p, 0x2b);
		fx_put32(fx, p + 4, 0);
	}
	run_scan(fx, NULL, &res, NULL);
	assert_int_equal(res.nfound, 0);
	assert_int_equal(res.nnolayout, 0);
	assert_int_equal(res.pages_scanned, 4096);
	vg_scan_result_free(&res);
	fx_free(fx);
}

static void layout_out_of_range_refused(void **state)
{
	struct vmcsinfo vi;
	struct vg_error err;

	(void)state;
	made_up_layout(&vi);
	assert_int_equal(vg_vmx_layout_usable(&vi, &err), 0);
	vi.fields[3].offset = 4094; /* 16-bit field fits */
	assert_int_equal(vg_vmx_layout_usable(&vi, &err), 0);
	vi.fields[9].offset = 4092; /* link pointer, 8 bytes: does not */
	assert_int_equal(vg_vmx_layout_usable(&vi, &err), -EINVAL);
	assert_non_null(strstr(vg_error_msg(&err), "outside"));
	assert_int_equal(err.code, -EINVAL);
	made_up_layout(&vi);
	vi.fields[9].encoding = 0x2802; /* no link pointer at all */
	assert_int_equal(vg_vmx_layout_usable(&vi, &err), -EINVAL);
	assert_non_null(strstr(vg_error_msg(&err), "lacks field 2800"));
}

static void absent_pages_are_counted(void **state)
{
	struct fx *fx = fx_new(4 * MiB, 3 * MiB);
	uint64_t ncr3 = fx_alloc_page(fx);
	struct vg_scan_result res;
	struct fx_cpu c;

	(void)state;
	fx_cpu_realmode(&c, ncr3);
	fx_make_vmcb(fx, 0x100000, &c);
	fx_make_vmcb(fx, 0x181000, &c); /* inside the hole: not seen */
	fx_hole(fx, 0x180000, 0x190000);
	run_scan(fx, NULL, &res, NULL);
	assert_int_equal(res.nfound, 1);
	assert_int_equal(res.pages_absent, 16);
	assert_int_equal(res.pages_scanned, 1024 - 16);
	vg_scan_result_free(&res);
	fx_free(fx);
}

/* The built-in vmcs12 table against offsets from the kernel's list. */
static void vmcs12_layout_has_kernel_offsets(void **state)
{
	static const struct vmcsinfo_field pins[] = {
		{ 0x0800, 964 }, /* GUEST_ES_SELECTOR */
		{ 0x080e, 978 }, /* GUEST_TR_SELECTOR */
		{ 0x201a, 120 }, /* EPT_POINTER */
		{ 0x4002, 748 }, /* CPU_BASED_VM_EXEC_CONTROL */
		{ 0x401e, 804 }, /* SECONDARY_VM_EXEC_CONTROL */
		{ 0x4402, 812 }, /* VM_EXIT_REASON */
		{ 0x4812, 876 }, /* GUEST_IDTR_LIMIT */
		{ 0x4814, 880 }, /* GUEST_ES_AR_BYTES */
		{ 0x4822, 908 }, /* GUEST_TR_AR_BYTES */
		{ 0x6006, 368 }, /* CR4_READ_SHADOW */
		{ 0x6804, 440 }, /* GUEST_CR4 */
		{ 0x6818, 520 }, /* GUEST_IDTR_BASE */
		{ 0x6820, 552 }, /* GUEST_RFLAGS */
		{ 0x6c04, 600 }, /* HOST_CR4 */
		{ 0x6c16, 672 }, /* HOST_RIP */
	};
	const struct vmcsinfo *vi = vg_vmcs12_layout();
	struct vg_error err;

	(void)state;
	assert_int_equal(vi->revision_id, VG_VMCS12_REVISION);
	assert_int_equal(vi->nfields, 61);
	for (unsigned int i = 1; i < vi->nfields; i++)
		assert_true(vi->fields[i - 1].encoding <
			    vi->fields[i].encoding);
	for (size_t i = 0; i < sizeof(pins) / sizeof(pins[0]); i++)
		assert_int_equal(vg_vmx_offset(vi, pins[i].encoding),
				 pins[i].offset);
	assert_int_equal(vg_vmx_layout_usable(vi, &err), 0);
	assert_ptr_equal(vg_vmcs12_layout(), vi);
}

static int no_ranges(void *ctx, uint64_t from, uint64_t *start, uint64_t *end)
{
	(void)ctx;
	(void)from;
	(void)start;
	(void)end;
	return -1;
}

/* The two ways a scan fails: the error code and the message say which. */
static void scan_failures_are_reported(void **state)
{
	struct fx *fx = fx_new(4 * MiB, 3 * MiB);
	struct vg_hostmem hm = { .read = img_read,
				 .max_paddr = fx->ram_size,
				 .priv = fx };
	struct vg_scan_cfg cfg;
	struct vg_scan_result res;
	struct vg_error err;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.hm = &hm;
	fx_hole(fx, 0, fx->ram_size);
	assert_int_equal(vg_scan(&cfg, &res, &err), -EIO);
	assert_int_equal(err.code, -EIO);
	assert_string_equal(
		vg_error_msg(&err),
		"no readable host memory in the dump (1024 pages absent, 0 unreadable)");
	vg_scan_result_free(&res);
	cfg.next_range = no_ranges;
	assert_int_equal(vg_scan(&cfg, &res, &err), -EIO);
	assert_string_equal(vg_error_msg(&err),
			    "cannot list the dump's memory ranges");
	vg_scan_result_free(&res);
	fx_free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(svm_realmode_guest_found),
		cmocka_unit_test(svm_attr_conversion),
		cmocka_unit_test(svm_vcpus_grouped_by_ncr3),
		cmocka_unit_test(svm_rejects_broken_vmcbs),
		cmocka_unit_test(svm_sev_es_state_is_encrypted),
		cmocka_unit_test(svm_odd_field_marks_it_unknown),
		cmocka_unit_test(svm_sev_registers_are_read),
		cmocka_unit_test(vmx_odd_field_marks_it_unknown),
		cmocka_unit_test(vmx_rejects_broken_structure),
		cmocka_unit_test(ar_format_inferred),
		cmocka_unit_test(ar_format_ties_stay_unknown),
		cmocka_unit_test(ar_format_odd_value_in_inferred_format),
		cmocka_unit_test(vmx_rotated_access_rights_decoded),
		cmocka_unit_test(vmx_layouts_and_decoys),
		cmocka_unit_test(vmx_layout_without_access_rights),
		cmocka_unit_test(vmx_without_layout_is_counted),
		cmocka_unit_test(ordinary_pages_give_nothing),
		cmocka_unit_test(layout_out_of_range_refused),
		cmocka_unit_test(absent_pages_are_counted),
		cmocka_unit_test(scan_failures_are_reported),
		cmocka_unit_test(vmcs12_layout_has_kernel_offsets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
