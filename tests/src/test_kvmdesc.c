// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The KVMINFO description a host dump holds of itself (src/kvmdesc.h)
 * on the synthetic KVM host (tests/src/kvmfixture.h, self_describe):
 * it must equal the note key by key and walk the same guests; each
 * missing or damaged piece (no kallsyms, no BTF, KVM not loaded,
 * filtered module pages, lists that loop, BTF that lies) gives one
 * line naming it.
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

#include "notes/elfnote.h"
#include "notes/kvminfo-parse.h"
#include "src/hostbtf.h"
#include "src/hostkv.h"
#include "src/hostmods.h"
#include "src/kvmdesc.h"
#include "src/kvmwalk.h"
#include "tests/src/ksymfixture.h"
#include "tests/src/kvmfixture-layout.h"

struct host {
	struct fx *fx;
	struct vg_hostmem hm;
	struct vg_hostkv kv;
	const char *vmci, *note;
	size_t vlen, nlen;
	char text[8192];
	struct vg_kvmdesc_stats st;
	struct vg_error err;
};

static int host_build(struct host *h, const struct kfx_opts *o)
{
	const void *d;

	memset(h, 0, sizeof(*h));
	h->fx = kfx_build(o);
	ksfx_hostmem(h->fx, &h->hm);
	assert_int_equal(elfnote_find(h->fx->notes, h->fx->notes_len,
				      "VMCOREINFO", 0, &d, &h->vlen, NULL),
			 0);
	h->vmci = d;
	if (elfnote_find(h->fx->notes, h->fx->notes_len, "KVMINFO", 0, &d,
			 &h->nlen, NULL) == 0)
		h->note = d;
	assert_int_equal(vg_hostkv_init(&h->kv, &h->hm, h->vmci, h->vlen, NULL),
			 0);
	return vg_kvmdesc_build(&h->kv, h->vmci, h->vlen, h->text,
				sizeof(h->text), &h->st, &h->err);
}

/* The description equals the note, key by key, and walks the same VM. */
static void same_as_note(void **state)
{
	struct kfx_opts o = { .self_describe = 1 };
	struct vg_kvminfo note, desc;
	struct vg_kw_result kw;
	struct vg_error err;
	struct host h;
	char diff[1024];
	int n;

	(void)state;
	n = host_build(&h, &o);
	if (n < 0)
		fail_msg("%s", h.err.msg);
	assert_int_equal(n, strlen(h.text));
	assert_int_equal(vg_kvminfo_parse(h.note, h.nlen, &note, &err), 0);
	assert_int_equal(vg_kvminfo_parse(h.text, strlen(h.text), &desc, &err),
			 0);
	if (vg_kvminfo_diff(&note, "note", &desc, "dump", diff, sizeof(diff)))
		fail_msg("note and dump differ: %s\n%s", diff, h.text);
	assert_non_null(strstr(h.text, "OSRELEASE=6.1.0-test\nVENDOR=svm\n"));
	assert_non_null(strstr(h.text, "NUMBER(nr_cpu_ids)=2\n"));
	assert_int_equal(h.st.ks.enc, VG_KS_ENC_ABS_PERCPU);
	assert_string_equal(h.st.vendor_module, "kvm_amd");
	assert_true(h.st.vmlinux_btf > 0 && h.st.kvm_btf > 0);
	/* and the walk on it finds the fixture's VM */
	assert_int_equal(vg_kvm_walk(&h.kv, &desc, &kw), 0);
	assert_int_equal(kw.nvms, 1);
	assert_string_equal(kw.vms[0].name, KFX_NAME);
	assert_int_equal(kw.vms[0].nvcpus, 2);
	vg_kw_result_free(&kw);
	fx_free(h.fx);
}

/*
 * kvm->arch.vm_type: a kernel whose BTF has it (>= 6.8) describes its
 * offset and width, as the note does, and the walk reads the type; 6.1
 * (the default fixture) has no such member and no key.
 */
static void vm_type_described(void **state)
{
	static const int sizes[] = { 1, 8 };
	struct vg_kvminfo note, desc;
	struct vg_kw_result kw;
	struct vg_error err;
	struct host h;
	char diff[1024], want[96];

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct kfx_opts o = { .self_describe = 1,
				      .has_vm_type = 1,
				      .vm_type = 4,
				      .vm_type_size = sizes[i] };

		if (host_build(&h, &o) < 0)
			fail_msg("%s", h.err.msg);
		snprintf(want, sizeof(want),
			 "\nOFFSET(kvm.arch.vm_type)=%d\n"
			 "SIZE(kvm.arch.vm_type)=%d\n",
			 O_KVM_VM_TYPE, sizes[i]);
		if (!strstr(h.text, want))
			fail_msg("no %s in\n%s", want, h.text);
		assert_int_equal(vg_kvminfo_parse(h.note, h.nlen, &note, &err),
				 0);
		assert_int_equal(vg_kvminfo_parse(h.text, strlen(h.text), &desc,
						  &err),
				 0);
		if (vg_kvminfo_diff(&note, "note", &desc, "dump", diff,
				    sizeof(diff)))
			fail_msg("note and dump differ: %s", diff);
		assert_int_equal(vg_kvm_walk(&h.kv, &desc, &kw), 0);
		assert_true(kw.vms[0].have_vm_type);
		assert_int_equal(kw.vms[0].vm_type, 4);
		vg_kw_result_free(&kw);
		fx_free(h.fx);
	}
	{
		struct kfx_opts o = { .self_describe = 1 };

		assert_true(host_build(&h, &o) > 0);
		assert_null(strstr(h.text, "vm_type"));
		assert_int_equal(vg_kvminfo_parse(h.text, strlen(h.text), &desc,
						  &err),
				 0);
		assert_false(desc.have[KI_OFF_KVM_VM_TYPE]);
		fx_free(h.fx);
	}
}

/* A layout that differs from the note's is reported key by key. */
static void differs_from_note(void **state)
{
	struct kfx_opts o = { .self_describe = 1, .kvm_vm_list_offset = 264 };
	struct vg_kvminfo note, desc;
	struct vg_error err;
	struct host h;
	char diff[256];

	(void)state;
	assert_true(host_build(&h, &o) > 0);
	assert_int_equal(vg_kvminfo_parse(h.note, h.nlen, &note, &err), 0);
	assert_int_equal(vg_kvminfo_parse(h.text, strlen(h.text), &desc, &err),
			 0);
	assert_int_equal(vg_kvminfo_diff(&note, "note", &desc, "dump", diff,
					 sizeof(diff)),
			 1);
	assert_string_equal(diff, "OFFSET(kvm.vm_list): note 256, dump 264");
	/* a cut list ends in "..." */
	assert_int_equal(
		vg_kvminfo_diff(&note, "note", &desc, "dump", diff, 20), 1);
	assert_string_equal(diff, "OFFSET(kvm.vm_l...");
	fx_free(h.fx);
}

static void damaged(enum kfx_damage d, int rc, const char *reason)
{
	struct kfx_opts o = { .self_describe = 1, .damage = d };
	struct host h;
	int n = host_build(&h, &o);

	if (n != rc || !strstr(h.err.msg, reason))
		fail_msg("damage %d: want %d \"%s\", got %d \"%s\"", d, rc,
			 reason, n, h.err.msg);
	assert_null(strchr(h.err.msg, '\n'));
	fx_free(h.fx);
}

static void missing_pieces(void **state)
{
	(void)state;
	damaged(KD_NO_KALLSYMS, -ENOENT, "does not locate kallsyms");
	damaged(KD_NO_BTF, -ENOENT, "CONFIG_DEBUG_INFO_BTF");
	damaged(KD_NO_KVM, -ENOENT,
		"kvm is not on the dump's btf_modules): kvm not loaded");
	damaged(KD_SYMTAB_FILTERED, -ENODATA,
		"module kvm: module symtab at 0x");
}

static void hostile_pieces(void **state)
{
	(void)state;
	damaged(KD_MODULES_LOOP, -ELOOP,
		"modules list does not come back to its head");
	damaged(KD_BTF_MODULES_LOOP, -ELOOP,
		"btf_modules list does not come back");
	damaged(KD_BTF_GARBAGE, -EINVAL, "BTF of module kvm at 0x");
	damaged(KD_BTF_LIES, -EINVAL, "libbpf refuses it");
	damaged(KD_BTF_HUGE, -EFBIG, "more than the 4194304 allowed");
	damaged(KD_NUM_SYMTAB_HUGE, -EINVAL, "4294967295 symbols");
}

/* BTF straight from memory: size checks before anything is read. */
static void btf_bounds(void **state)
{
	struct kfx_opts o = { .self_describe = 1 };
	struct btf *b = (struct btf *)1;
	struct vg_error err;
	struct host h;

	(void)state;
	assert_true(host_build(&h, &o) > 0);
	assert_int_equal(vg_hostbtf_load(&h.kv, KFX_DM, 8, 1 << 20, NULL, "x",
					 &b, &err),
			 -EINVAL);
	assert_null(b);
	assert_non_null(strstr(err.msg, "too small"));
	/* a blob running off the end of RAM */
	assert_int_equal(vg_hostbtf_load(&h.kv, KFX_DM + (32ull << 20) - 4096,
					 8192, 1 << 20, NULL, "x", &b, &err),
			 -ENODATA);
	fx_free(h.fx);
}

/* The VMCS layout vmcsinfo_intel keeps in its own memory. */
static void vmcsinfo_in_module(void **state)
{
	static const char text[] = "VMCSINFO_VERSION=1\nREVISION_ID=0x4\n"
				   "FIELD(0x0800)=0x3e8\n";
	struct kfx_opts o = { .self_describe = 1, .vmcsinfo_text = text };
	struct kfx_opts none = { .self_describe = 1 };
	struct kfx_opts endless = { .self_describe = 1, .vmcsinfo_no_nul = 1 };
	struct kfx_opts filtered = { .self_describe = 1,
				     .vmcsinfo_text = text,
				     .damage = KD_NO_KALLSYMS };
	char buf[16384];
	struct vg_error err;
	struct host h;

	(void)state;
	assert_true(host_build(&h, &o) > 0);
	assert_int_equal(vg_kvmdesc_vmcsinfo(&h.kv, h.vmci, h.vlen, buf,
					     sizeof(buf), &err),
			 strlen(text));
	assert_string_equal(buf, text);
	/* a buffer too small for it */
	assert_int_equal(vg_kvmdesc_vmcsinfo(&h.kv, h.vmci, h.vlen, buf, 16,
					     &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "has no end within 16 bytes"));
	fx_free(h.fx);

	assert_true(host_build(&h, &none) > 0);
	assert_int_equal(vg_kvmdesc_vmcsinfo(&h.kv, h.vmci, h.vlen, buf,
					     sizeof(buf), &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "no vmcsinfo_intel with"));
	fx_free(h.fx);

	assert_true(host_build(&h, &endless) > 0);
	assert_int_equal(vg_kvmdesc_vmcsinfo(&h.kv, h.vmci, h.vlen, buf,
					     sizeof(buf), &err),
			 -EINVAL);
	fx_free(h.fx);

	host_build(&h, &filtered);
	assert_int_equal(vg_kvmdesc_vmcsinfo(&h.kv, h.vmci, h.vlen, buf,
					     sizeof(buf), &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "does not locate kallsyms"));
	fx_free(h.fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_as_note),
		cmocka_unit_test(differs_from_note),
		cmocka_unit_test(vm_type_described),
		cmocka_unit_test(missing_pieces),
		cmocka_unit_test(hostile_pieces),
		cmocka_unit_test(btf_bounds),
		cmocka_unit_test(vmcsinfo_in_module),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
