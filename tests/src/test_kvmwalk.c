// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The KVM-aware walk on synthetic hosts (tests/src/kvmfixture.h): the note
 * parser, argv parsing, the walk itself, guest memory through memslots,
 * the join with the scan, and hostile structures.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/exitnames.h"
#include "src/hostdump.h"
#include "src/kvmguests.h"
#include "notes/kvminfo-parse.h"
#include "src/kvmwalk.h"
#include "src/scan.h"
#include "src/slotmem.h"
#include "tests/src/kvmfixture.h"

static void parse_note(void **state)
{
	static const char t[] = "KVMINFO_VERSION=1\nOSRELEASE=6.1.0-x\n"
				"VENDOR=vmx\nSYMBOL(vm_list)=ffffffffc0a01230\n"
				"NEW_THING(x.y)=12\nOFFSET(kvm.mm)=4660\n"
				"OFFSET(task_struct.state)=16\n";
	struct vg_kvminfo ki;
	struct vg_error err = { 0 };
	const char *missing = NULL;
	enum kvminfo_key need[] = { KI_OFF_KVM_MM, KI_OFF_KVM_VM_LIST };

	(void)state;
	assert_int_equal(vg_kvminfo_parse(t, sizeof(t) - 1, &ki, &err), 0);
	assert_string_equal(ki.osrelease, "6.1.0-x");
	assert_int_equal(ki.vendor, VG_KI_VENDOR_VMX);
	assert_true(ki.have[KI_SYM_VM_LIST]);
	assert_true(ki.val[KI_SYM_VM_LIST] == 0xffffffffc0a01230ull);
	assert_true(ki.val[KI_OFF_KVM_MM] == 4660);
	assert_true(ki.have[KI_OFF_TASK_STATE] &&
		    ki.val[KI_OFF_TASK_STATE] == 16);
	assert_false(vg_kvminfo_has(&ki, need, 2, &missing));
	assert_string_equal(missing, "OFFSET(kvm.vm_list)");

	assert_int_equal(vg_kvminfo_parse("OFFSET(kvm.mm)=1\n", 17, &ki, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "KVMINFO_VERSION"));
	assert_int_equal(vg_kvminfo_parse("KVMINFO_VERSION=2\n", 18, &ki, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "unsupported version 2"));
	assert_int_equal(
		vg_kvminfo_parse("KVMINFO_VERSION=1\nOFFSET(kvm.mm)=-4\n", 36,
				 &ki, &err),
		-EINVAL);
	assert_non_null(strstr(err.msg, "bad value"));
	assert_int_equal(
		vg_kvminfo_parse("KVMINFO_VERSION=1\nOFFSET(kvm.mm)=0x10\n", 38,
				 &ki, &err),
		-EINVAL);
}

static void parse_argv(void **state)
{
	struct vg_kw_vm vm;
	static const char a1[] = "qemu\0-name\0plain\0-uuid\0u-1\0";
	static const char a2[] =
		"/x/qemu-kvm\0-name\0debug-threads=on,guest=a,,b\0";
	static const char a3[] = "q\0-name\0process=p\0";
	static const char a4[] = "q\0-name\0guest=cut";

	(void)state;
	memset(&vm, 0, sizeof(vm));
	vg_kw_parse_argv(a1, sizeof(a1) - 1, &vm);
	assert_string_equal(vm.name, "plain");
	assert_string_equal(vm.uuid, "u-1");
	assert_string_equal(vm.argv0, "qemu");
	memset(&vm, 0, sizeof(vm));
	vg_kw_parse_argv(a2, sizeof(a2) - 1, &vm);
	assert_string_equal(vm.name, "a,b");
	assert_string_equal(vm.argv0, "qemu-kvm");
	memset(&vm, 0, sizeof(vm));
	vg_kw_parse_argv(a3, sizeof(a3) - 1, &vm);
	assert_string_equal(vm.name, "");
	memset(&vm, 0, sizeof(vm));
	vg_kw_parse_argv(a4, sizeof(a4) - 1, &vm); /* no final NUL */
	assert_string_equal(vm.name, "");
}

static void exit_names(void **state)
{
	char b[64];

	(void)state;
	assert_string_equal(vg_exit_reason_name(VG_VENDOR_SVM, 0x78, b, 64),
			    "HLT");
	assert_string_equal(vg_exit_reason_name(VG_VENDOR_SVM, 0x61, b, 64),
			    "NMI");
	assert_string_equal(vg_exit_reason_name(VG_VENDOR_SVM, 0x4e, b, 64),
			    "EXCP_PF");
	assert_string_equal(vg_exit_reason_name(VG_VENDOR_SVM, 0x400, b, 64),
			    "NPF");
	assert_string_equal(vg_exit_reason_name(VG_VENDOR_VMX, 0, b, 64),
			    "EXCEPTION_NMI");
	assert_string_equal(vg_exit_reason_name(VG_VENDOR_VMX, 48, b, 64),
			    "EPT_VIOLATION");
	assert_string_equal(vg_exit_reason_name(VG_VENDOR_VMX, 0x80000021ull, b,
						64),
			    "VM-entry failure: INVALID_STATE");
	assert_string_equal(vg_exit_reason_name(VG_VENDOR_VMX, 999, b, 64),
			    "unknown(999)");
}

/* Build, write, open: the dump and its hostmem. */
struct host {
	char dir[PATH_MAX], dump[PATH_MAX + 16];
	struct vg_hostdump *hd;
	struct vg_hostkv kv;
	struct vg_kw_result kw;
	struct vg_kvm_choice ch;
	char why[512];
	int walked;
	int no_note; /* the dump has no KVMINFO note */
};

static void host_open(struct host *h, const struct kfx_opts *o)
{
	struct fx *fx = kfx_build(o);
	struct vg_error err;
	const char *vmci;
	const void *ki;
	size_t klen, vlen;

	memset(h, 0, sizeof(*h));
	assert_int_equal(fx_tmpdir(h->dir, sizeof(h->dir)), 0);
	snprintf(h->dump, sizeof(h->dump), "%s/vmcore", h->dir);
	assert_int_equal(fx_write_elf(fx, h->dump, NULL), 0);
	fx_free(fx);
	h->hd = vg_hostdump_open(h->dump, &err);
	if (!h->hd)
		fail_msg("%s", vg_error_msg(&err));
	h->no_note = vg_hostdump_find_note(h->hd, VG_KVMINFO_NOTE_NAME,
					   VG_KVMINFO_NOTE_TYPE, &ki, &klen,
					   &err);
	assert_true(h->no_note == 0 || h->no_note == 1);
	assert_int_equal(vg_hostdump_vmcoreinfo(h->hd, &vmci, &vlen, &err), 0);
	h->walked = vg_kvm_from_notes(h->no_note ? NULL : ki,
				      h->no_note ? 0 : klen, "note", NULL, vmci,
				      vlen, vg_hostdump_mem(h->hd), &h->kv,
				      &h->kw, &h->ch, h->why, sizeof(h->why));
}

static void host_close(struct host *h)
{
	if (h->walked)
		vg_kw_result_free(&h->kw);
	vg_hostdump_close(h->hd);
	fx_rm_rf(h->dir);
}

static void walk_finds_everything(void **state)
{
	struct host h;
	const struct vg_kw_vm *vm;
	int known;

	(void)state;
	host_open(&h, NULL);
	if (!h.walked)
		fail_msg("not walked: %s", h.why);
	assert_int_equal(h.kw.nvms, 1);
	vm = &h.kw.vms[0];
	if (vm->error[0])
		fail_msg("%s", vm->error);
	assert_string_equal(vm->name, KFX_NAME);
	assert_string_equal(vm->uuid, KFX_UUID);
	assert_string_equal(vm->argv0, "qemu-system-x86_64");
	assert_int_equal(vm->pid, KFX_PID);
	assert_true(vm->have_mm);
	assert_int_equal(vm->nslots, 2);
	assert_true(vm->slots[0].base_gfn == 0 &&
		    vm->slots[0].npages == KFX_SLOT_A_PAGES);
	assert_true(vm->slots[1].base_gfn == KFX_SLOT_B_GFN);
	assert_int_equal(vm->nvcpus, 2);
	for (int v = 0; v < 2; v++) {
		const struct vg_kw_vcpu *c = &vm->vcpus[v];

		assert_int_equal(c->vcpu_idx, v);
		assert_true(c->have_state);
		assert_false(c->nested);
		assert_true(c->l1_state_pa == (v ? KFX_VMCB1 : KFX_VMCB0));
		assert_int_equal(c->nregs, 17);
		assert_true(c->regs[3] == kfx_gpr(v, 3));
		assert_int_equal(c->tid, v ? KFX_TID1 : KFX_TID0);
		assert_true(c->have_task);
		assert_string_equal(c->comm, v ? "CPU 1/KVM" : "CPU 0/KVM");
	}
	assert_true(h.kw.have_crash_clock);
	assert_true(h.kw.crash_clock == KFX_CRASH_CLOCK);
	assert_true(vg_kw_last_ran(&h.kw, &vm->vcpus[0], &known) ==
		    500000000ull);
	assert_true(known);
	assert_true(vg_kw_last_ran(&h.kw, &vm->vcpus[1], &known) ==
		    3000000000ull);
	assert_string_equal(vg_kw_task_state(vm->vcpus[1].task_state),
			    "sleeping");
	host_close(&h);
}

struct cnt {
	uint64_t pages, bad;
	struct vg_gmem *g;
};

static int count_cb(void *ctx, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	struct cnt *c = ctx;

	for (uint64_t o = 0; o < len; o += 4096) {
		uint64_t v;

		if (vg_hostmem_read(c->g->hm, hpa + o, &v, 8) != VG_HM_OK ||
		    v != kfx_marker(gpa + o))
			c->bad++;
		c->pages++;
	}
	return 0;
}

static void memslots_give_all_memory(void **state)
{
	struct host h;
	struct vg_gmem g;
	struct cnt c = { 0, 0, &g };
	uint64_t hpa, v;

	(void)state;
	host_open(&h, NULL);
	assert_true(h.walked);
	assert_int_equal(vg_slotmem_init(&g, vg_hostdump_mem(h.hd),
					 h.kw.vms[0].pgd_pa, 0,
					 h.kw.vms[0].slots, h.kw.vms[0].nslots),
			 0);
	assert_int_equal(g.walk(&g, count_cb, &c), 0);
	assert_true(c.pages == KFX_PRESENT_PAGES);
	assert_true(c.bad == 0);
	assert_true(g.stats.not_present == 1);
	assert_int_equal(g.translate(&g, KFX_HOLE_GFN * 4096, &hpa, NULL), 1);
	assert_int_equal(g.translate(&g, 0x1000000, &hpa, NULL), 1);
	assert_int_equal(vg_gmem_read(&g, 0x123000, &v, 8), VG_HM_OK);
	assert_true(v == kfx_marker(0x123000));
	vg_gmem_release(&g);
	host_close(&h);
}

static void merge_names_and_regs(void **state)
{
	struct host h;
	struct vg_scan_cfg cfg;
	struct vg_scan_result res;
	struct vg_guest *guests = NULL;
	struct vg_error err;
	long ng;

	(void)state;
	host_open(&h, NULL);
	assert_true(h.walked);
	memset(&cfg, 0, sizeof(cfg));
	cfg.hm = vg_hostdump_mem(h.hd);
	assert_int_equal(vg_scan(&cfg, &res, &err), 0);
	ng = vg_group(&res, &guests);
	assert_int_equal(ng, 1);
	vg_kvm_merge(&h.kw, &res, guests, (size_t)ng);
	assert_ptr_equal(guests[0].vm, &h.kw.vms[0]);
	assert_string_equal(guests[0].name, KFX_NAME);
	for (int v = 0; v < 2; v++) {
		const struct vg_vcpu *c = &res.found[guests[0].first + v].vcpu;

		assert_int_equal(c->index, v);
		assert_true(c->gpr_known == 0xffff);
		assert_true(c->gpr[VG_RBX] == kfx_gpr(v, VG_RBX));
		assert_true(c->gpr[VG_R15] == kfx_gpr(v, VG_R15));
		/* the VMCB is authoritative for RAX/RSP/RIP (not dirty) */
		assert_true(c->rip == (v ? 0x2342u : 0x2340u));
		assert_true(c->gpr[VG_RSP] != kfx_gpr(v, VG_RSP));
	}
	free(guests);
	vg_scan_result_free(&res);
	host_close(&h);
}

static void disagreement_falls_back(void **state)
{
	struct kfx_opts o = { .vcpu1_vmcb_elsewhere = 1 };
	struct host h;
	struct vg_scan_cfg cfg;
	struct vg_scan_result res;
	struct vg_guest *guests = NULL;
	struct vg_error err;
	long ng;

	(void)state;
	host_open(&h, &o);
	assert_true(h.walked);
	memset(&cfg, 0, sizeof(cfg));
	cfg.hm = vg_hostdump_mem(h.hd);
	assert_int_equal(vg_scan(&cfg, &res, &err), 0);
	ng = vg_group(&res, &guests);
	assert_int_equal(ng, 1);
	vg_kvm_merge(&h.kw, &res, guests, (size_t)ng);
	assert_null(guests[0].vm);
	assert_non_null(strstr(guests[0].note, "disagree"));
	assert_null(res.found[guests[0].first].kvm);
	free(guests);
	vg_scan_result_free(&res);
	host_close(&h);
}

/*
 * Walk mode: the two VMCBs the walk points to, judged as the scan judges
 * pages, give the scan's guest, vCPUs and registers; a state pointer at
 * a plain page makes the walk unable to stand alone.
 */
static void walk_states_equal_scan(void **state)
{
	struct kfx_opts o = { .vcpu1_vmcb_elsewhere = 1 };
	struct vg_scan_result res, wres;
	struct vg_guest *guests = NULL, *wguests = NULL;
	struct vg_scan_cfg cfg;
	struct vg_error err;
	struct host h;
	char why[256];

	(void)state;
	host_open(&h, NULL);
	assert_true(h.walked);
	memset(&cfg, 0, sizeof(cfg));
	cfg.hm = vg_hostdump_mem(h.hd);
	assert_int_equal(vg_scan(&cfg, &res, &err), 0);
	assert_int_equal(vg_group(&res, &guests), 1);
	vg_kvm_merge(&h.kw, &res, guests, 1);
	assert_int_equal(vg_kvm_states(&h.kw, &cfg, &wres, why, sizeof(why)),
			 0);
	assert_int_equal(wres.pages_scanned, 2);
	assert_int_equal(vg_group(&wres, &wguests), 1);
	vg_kvm_merge(&h.kw, &wres, wguests, 1);
	assert_ptr_equal(wguests[0].vm, &h.kw.vms[0]);
	assert_string_equal(wguests[0].name, guests[0].name);
	assert_true(wguests[0].root == guests[0].root);
	assert_int_equal(wres.nfound, res.nfound);
	for (size_t i = 0; i < res.nfound; i++)
		assert_memory_equal(&wres.found[i].vcpu, &res.found[i].vcpu,
				    sizeof(res.found[i].vcpu));
	free(guests);
	free(wguests);
	vg_scan_result_free(&res);
	vg_scan_result_free(&wres);
	host_close(&h);

	host_open(&h, &o);
	assert_true(h.walked);
	cfg.hm = vg_hostdump_mem(h.hd);
	assert_int_equal(vg_kvm_states(&h.kw, &cfg, &wres, why, sizeof(why)),
			 1);
	assert_non_null(strstr(why, "vCPU 1: state at 0x102000: neither"));
	vg_scan_result_free(&wres);
	host_close(&h);
}

static void stale_or_missing_note(void **state)
{
	struct kfx_opts stale = { .osrelease = "5.10.0-old" };
	struct kfx_opts none = { .no_kvminfo = 1 };
	struct host h;

	(void)state;
	host_open(&h, &stale);
	assert_false(h.walked);
	assert_non_null(strstr(h.why, "5.10.0-old"));
	host_close(&h);
	host_open(&h, &none);
	assert_false(h.walked);
	assert_true(h.no_note);
	assert_non_null(strstr(h.why, "no KVMINFO note"));
	/* and the dump cannot describe itself either: both reasons */
	assert_non_null(strstr(h.why, "does not locate kallsyms"));
	assert_string_equal(h.ch.source, "");
	host_close(&h);
}

/*
 * The description's source: the note when it agrees with the dump's
 * own, the dump's own when the note is missing, stale or differs.
 */
static void description_source(void **state)
{
	struct kfx_opts both = { .self_describe = 1 };
	struct kfx_opts dump_only = { .self_describe = 1, .no_kvminfo = 1 };
	struct kfx_opts stale = { .self_describe = 1,
				  .osrelease = "5.10.0-old" };
	struct kfx_opts moved = { .self_describe = 1,
				  .kvm_vm_list_offset = 264 };
	struct host h;

	(void)state;
	host_open(&h, &both);
	assert_true(h.walked);
	assert_string_equal(h.ch.source, "note");
	assert_true(h.ch.compared);
	assert_int_equal(h.ch.ndiff, 0);
	assert_string_equal(h.kw.vms[0].name, KFX_NAME);
	host_close(&h);

	host_open(&h, &dump_only);
	assert_true(h.walked);
	assert_string_equal(h.ch.source, "dump");
	assert_false(h.ch.compared);
	assert_int_equal(h.kw.nvms, 1);
	assert_string_equal(h.kw.vms[0].name, KFX_NAME);
	assert_int_equal(h.kw.vms[0].nvcpus, 2);
	assert_non_null(strstr(h.why, "KVMINFO from the dump; no KVMINFO"));
	host_close(&h);

	host_open(&h, &stale);
	assert_true(h.walked);
	assert_string_equal(h.ch.source, "dump");
	assert_non_null(strstr(h.why, "is for kernel 5.10.0-old"));
	host_close(&h);

	/* the BTF says kvm.vm_list is elsewhere: the note is not used */
	host_open(&h, &moved);
	assert_string_equal(h.ch.source, "dump");
	assert_int_equal(h.ch.ndiff, 1);
	assert_string_equal(h.ch.diff,
			    "OFFSET(kvm.vm_list): note 256, dump 264");
	assert_non_null(strstr(h.why, "differs from the dump's own "
				      "description in 1 key: note ignored"));
	host_close(&h);
}

static void hostile_structures(void **state)
{
	struct kfx_opts loop = { .vm_list_loop = 1 };
	struct kfx_opts rb = { .rb_loop = 1 };
	struct host h;

	(void)state;
	host_open(&h, &loop);
	assert_true(h.walked);
	assert_true(h.kw.truncated);
	assert_non_null(strstr(h.kw.error, "loops"));
	assert_int_equal(h.kw.nvms, 1);
	host_close(&h);

	host_open(&h, &rb);
	assert_true(h.walked);
	assert_int_equal(h.kw.nvms, 1);
	assert_non_null(strstr(h.kw.vms[0].error, "memslot tree"));
	host_close(&h);
}

/* vg_hostkv_init: what each bad VMCOREINFO gives, and a good one. */
static void hostkv_init_errors(void **state)
{
	static const struct {
		const char *text;
		int code;
		const char *msg;
	} bad[] = {
		{ "OSRELEASE=6.1.0\n", -ENOENT,
		  "host VMCOREINFO has no SYMBOL(init_top_pgt)" },
		{ "SYMBOL(init_top_pgt)=ffffffff8x\n", -EINVAL,
		  "host VMCOREINFO: bad SYMBOL(init_top_pgt)=ffffffff8x" },
		{ "SYMBOL(init_top_pgt)=ffffffff82000000\nNUMBER(phys_base)=1z\n",
		  -EINVAL, "host VMCOREINFO: bad NUMBER(phys_base)=1z" },
		{ "SYMBOL(init_top_pgt)=ffffffff90000000\n", -EINVAL,
		  "host page table root 0x10000000 is not a page in the dump" },
	};
	static const char good[] = "OSRELEASE=6.1.0-x\n"
				   "SYMBOL(swapper_pg_dir)=ffffffff82000000\n"
				   "NUMBER(phys_base)=4096\n"
				   "NUMBER(pgtable_l5_enabled)=1\n";
	struct vg_hostmem hm = { .max_paddr = 64 << 20 };
	struct vg_hostkv kv;
	struct vg_error err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(vg_hostkv_init(&kv, &hm, bad[i].text,
						strlen(bad[i].text), &err),
				 bad[i].code);
		assert_int_equal(err.code, bad[i].code);
		assert_string_equal(vg_error_msg(&err), bad[i].msg);
	}
	assert_int_equal(vg_hostkv_init(&kv, &hm, good, sizeof(good) - 1, &err),
			 0);
	assert_int_equal(kv.kernel_root, 0x2001000);
	assert_int_equal(kv.la57, 1);
	assert_string_equal(kv.osrelease, "6.1.0-x");
	/* No message wanted: the code alone. */
	assert_int_equal(vg_hostkv_init(&kv, &hm, bad[0].text,
					strlen(bad[0].text), NULL),
			 -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_note),
		cmocka_unit_test(hostkv_init_errors),
		cmocka_unit_test(parse_argv),
		cmocka_unit_test(exit_names),
		cmocka_unit_test(walk_finds_everything),
		cmocka_unit_test(memslots_give_all_memory),
		cmocka_unit_test(merge_names_and_regs),
		cmocka_unit_test(disagreement_falls_back),
		cmocka_unit_test(walk_states_equal_scan),
		cmocka_unit_test(stale_or_missing_note),
		cmocka_unit_test(description_source),
		cmocka_unit_test(hostile_structures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
