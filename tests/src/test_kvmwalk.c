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

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/exitnames.h"
#include "src/hostdump.h"
#include "src/kvmguests.h"
#include "notes/kvminfo-parse.h"
#include "src/kvmwalk.h"
#include "src/report.h"
#include "src/scan.h"
#include "src/slotmem.h"
#include "tests/src/kvmfixture.h"

static void parse_note(void **state)
{
	static const char t[] = "KVMINFO_VERSION=1\nOSRELEASE=6.1.0-x\n"
				"VENDOR=vmx\nSYMBOL(vm_list)=ffffffffc0a01230\n"
				"NEW_THING(x.y)=12\nOFFSET(kvm.mm)=4660\n"
				"OFFSET(task_struct.state)=16\n";
	static const char t6_10[] = "KVMINFO_VERSION=1\nOFFSET(kvm.mm)=4660\n"
				    "OFFSET(kvm.arch.vm_type)=2617\n"
				    "SIZE(kvm.arch.vm_type)=1\n";
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
	/* a kernel before 6.8: no vm_type, nothing to say */
	assert_false(ki.have[KI_OFF_KVM_VM_TYPE]);
	assert_false(ki.have[KI_SIZE_KVM_VM_TYPE]);
	assert_int_equal(vg_kvminfo_parse(t6_10, sizeof(t6_10) - 1, &ki, &err),
			 0);
	assert_true(ki.have[KI_OFF_KVM_VM_TYPE] &&
		    ki.val[KI_OFF_KVM_VM_TYPE] == 2617);
	assert_true(ki.have[KI_SIZE_KVM_VM_TYPE] &&
		    ki.val[KI_SIZE_KVM_VM_TYPE] == 1);
	assert_string_equal(vg_kvminfo_key(KI_OFF_KVM_VM_TYPE),
			    "OFFSET(kvm.arch.vm_type)");

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

/*
 * The host of o as an ELF dump, walked with check (vg_kvm_from_notes());
 * stale_vm_list != 0: the note's SYMBOL(vm_list) is replaced by it (a kvm
 * module reloaded after the load).
 */
static void host_open_as(struct host *h, const struct kfx_opts *o, int check,
			 uint64_t stale_vm_list)
{
	struct fx *fx = kfx_build(o);
	struct vg_error err;
	const char *vmci;
	const void *ki;
	size_t klen, vlen;
	static char text[8192];

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
	if (stale_vm_list && !h->no_note) {
		const char *p = ki, *end = p + klen, *key = "SYMBOL(vm_list)=";
		size_t n = 0;

		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) + 1 :
					  (size_t)(end - p);

			assert_true(n + len + 32 < sizeof(text));
			if (!strncmp(p, key, strlen(key)))
				n += (size_t)sprintf(text + n,
						     "%s%" PRIx64 "\n", key,
						     stale_vm_list);
			else {
				memcpy(text + n, p, len);
				n += len;
			}
			p += len;
		}
		ki = text;
		klen = n;
	}
	h->walked = vg_kvm_from_notes(h->no_note ? NULL : ki,
				      h->no_note ? 0 : klen, "note", NULL, vmci,
				      vlen, check, vg_hostdump_mem(h->hd),
				      &h->kv, &h->kw, &h->ch, h->why,
				      sizeof(h->why));
}

/* Walked with --check-note: the note always compared with the dump. */
static void host_open(struct host *h, const struct kfx_opts *o)
{
	host_open_as(h, o, 1, 0);
}

/* vg_kvm_unheld()'s lines, one after another. */
static void collect_line(void *arg, const char *text)
{
	char *buf = arg;

	strncat(buf, text, 2047 - strlen(buf));
	strncat(buf, "\n", 2047 - strlen(buf));
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

/*
 * A vCPU running L2: the walk finds L1's root for it, vmcs12's EPTP in
 * KVM's cached_vmcs12 (VMX) or the vmcb12 address (SVM); L1 without
 * EPT for L2, and a cached_vmcs12 that is no vmcs12, are told apart.
 */
static void nested_vcpu_roots(void **state)
{
	static const struct {
		struct kfx_opts o;
		int tdp;
		const char *why;
	} cases[] = {
		{ { .vmx = 1, .nested = 1 }, VG_KW_L2_EPT, NULL },
		{ { .nested = 1 }, VG_KW_L2_VMCB12, NULL },
		{ { .vmx = 1, .nested = 1, .l1_no_tdp = 1 },
		  VG_KW_L2_NO_EPT,
		  NULL },
		{ { .vmx = 1, .nested = 1, .vmcs12_revision = 0x1234 },
		  VG_KW_L2_UNKNOWN,
		  "revision 0x1234" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct vg_kw_vcpu *c;
		struct host h;

		host_open(&h, &cases[i].o);
		if (!h.walked)
			fail_msg("not walked: %s", h.why);
		assert_int_equal(h.kw.vms[0].nvcpus, 2);
		c = &h.kw.vms[0].vcpus[0];
		assert_true(c->have_state && c->nested);
		assert_false(h.kw.vms[0].vcpus[1].nested);
		assert_int_equal(c->l2_tdp, cases[i].tdp);
		if (cases[i].tdp == VG_KW_L2_EPT)
			assert_true(c->l2_root == (KFX_T12 | 0x1e));
		if (cases[i].tdp == VG_KW_L2_VMCB12)
			assert_true(c->vmcb12_gpa == KFX_VMCB12_GPA);
		if (cases[i].why)
			assert_non_null(strstr(c->l2_why, cases[i].why));
		host_close(&h);
	}
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
	assert_int_equal(vg_kvm_unheld(&h.kw, &res, guests, (size_t)ng,
				       collect_line, NULL),
			 0);
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

/*
 * The walk's VM whose vCPU state pages hold no VMCB (zero pages) while
 * the scan finds nothing: the VM is written nowhere, and one line says
 * so.
 */
static void vm_without_states_is_named(void **state)
{
	struct kfx_opts o = { .no_vmcbs = 1 };
	static char lines[2048];
	struct vg_guest *guests = NULL;
	struct vg_scan_result res;
	struct vg_scan_cfg cfg;
	struct vg_error err;
	struct host h;
	long ng;

	(void)state;
	host_open(&h, &o);
	assert_true(h.walked);
	memset(&cfg, 0, sizeof(cfg));
	cfg.hm = vg_hostdump_mem(h.hd);
	assert_int_equal(vg_scan(&cfg, &res, &err), 0);
	ng = vg_group(&res, &guests);
	assert_int_equal(ng, 0);
	vg_kvm_merge(&h.kw, &res, guests, 0);
	lines[0] = '\0';
	assert_int_equal(
		vg_kvm_unheld(&h.kw, &res, guests, 0, collect_line, lines), 1);
	assert_string_equal(lines, "VM " KFX_NAME ": none of its 2 vCPU "
				   "states found: not written\n");
	free(guests);
	vg_scan_result_free(&res);
	host_close(&h);
}

static void disagreement_falls_back(void **state)
{
	struct kfx_opts o = { .vcpu1_vmcb_elsewhere = 1 };
	static char lines[2048], want[512];
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
	/* the VM the walk found is in no guest: one line says so */
	lines[0] = '\0';
	assert_int_equal(vg_kvm_unheld(&h.kw, &res, guests, (size_t)ng,
				       collect_line, lines),
			 1);
	snprintf(want, sizeof(want),
		 "VM " KFX_NAME ": the KVM walk and the scan disagree (1 of "
		 "its 2 vCPU states found, in guest %s): written as the scan "
		 "found it\n",
		 guests[0].name);
	assert_string_equal(lines, want);
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

/*
 * kvm->arch.vm_type: read at the note's offset and width (u8 since 6.10,
 * unsigned long in 6.8/6.9), absent on 6.1; mapped to the protection.
 */
static void walk_reads_vm_type(void **state)
{
	static const struct {
		uint64_t type;
		enum vg_protection p;
		const char *name;
	} map[] = {
		{ 0, VG_PROT_NONE, "default" },
		{ 1, VG_PROT_SW_PROTECTED, "sw-protected" },
		{ 2, VG_PROT_SEV, "sev" },
		{ 3, VG_PROT_SEV_ES, "sev-es" },
		{ 4, VG_PROT_SEV_SNP, "sev-snp" },
		{ 5, VG_PROT_TDX, "tdx" },
		{ 9, VG_PROT_NONE, NULL },
	};
	/* widths: u8 (>= 6.10), u32, unsigned long (6.8, 6.9) */
	static const struct {
		int size;
		uint64_t type;
	} rd[] = { { 1, 4 }, { 4, 5 }, { 8, 2 } };
	struct host h;

	(void)state;
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		struct vg_kw_vm vm = { .have_vm_type = 1,
				       .vm_type = map[i].type };

		assert_int_equal(vg_kvm_protection(&vm), map[i].p);
		if (map[i].name)
			assert_string_equal(vg_kw_vm_type_name(map[i].type),
					    map[i].name);
		else
			assert_null(vg_kw_vm_type_name(map[i].type));
	}
	host_open(&h, NULL);
	assert_true(h.walked);
	assert_false(h.kw.vms[0].have_vm_type);
	assert_int_equal(vg_kvm_protection(&h.kw.vms[0]), VG_PROT_NONE);
	assert_int_equal(vg_kvm_protection(NULL), VG_PROT_NONE);
	assert_int_equal(vg_kvm_gmem_slots(&h.kw.vms[0]), 0);
	host_close(&h);
	for (size_t i = 0; i < sizeof(rd) / sizeof(rd[0]); i++) {
		/* the bytes after a narrower vm_type are not part of it */
		struct kfx_opts o = {
			.has_vm_type = 1,
			.vm_type = rd[i].type |
				   (rd[i].size < 8 ? ~0ull << (8 * rd[i].size) :
						     0),
			.vm_type_size = rd[i].size,
			.gmem_slot = 1
		};

		host_open(&h, &o);
		assert_true(h.walked);
		assert_true(h.kw.vms[0].have_vm_type);
		if (h.kw.vms[0].vm_type != rd[i].type)
			fail_msg("vm_type %llu read as %llu",
				 (unsigned long long)rd[i].type,
				 (unsigned long long)h.kw.vms[0].vm_type);
		assert_int_equal(vg_kvm_gmem_slots(&h.kw.vms[0]), 1);
		host_close(&h);
	}
}

/*
 * A TD: the walk reads no VMCS pointers of its vCPUs (a vcpu_tdx has
 * none), vg_kvm_states() does not fall back for it, and vg_kvm_add_tds()
 * lists it with its vCPUs, registers unknown, state encrypted.
 */
static void td_listed_without_state(void **state)
{
	struct kfx_opts o = { .has_vm_type = 1, .vm_type = 5, .tdx = 1 };
	struct vg_scan_result res;
	struct vg_guest *guests = NULL;
	struct vg_scan_cfg cfg;
	struct host h;
	size_t ng = 0;
	char why[256];

	(void)state;
	host_open(&h, &o);
	assert_true(h.walked);
	assert_true(vg_kw_vm_is_td(&h.kw.vms[0]));
	assert_int_equal(h.kw.vms[0].nvcpus, 2);
	for (int v = 0; v < 2; v++) {
		assert_false(h.kw.vms[0].vcpus[v].have_state);
		assert_int_equal(h.kw.vms[0].vcpus[v].tid,
				 v ? KFX_TID1 : KFX_TID0);
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.hm = vg_hostdump_mem(h.hd);
	assert_int_equal(vg_kvm_states(&h.kw, &cfg, &res, why, sizeof(why)), 0);
	assert_int_equal(res.nfound, 0);
	assert_int_equal(vg_kvm_add_tds(&h.kw, &res, &guests, &ng), 0);
	assert_int_equal(ng, 1);
	assert_true(guests[0].stateless);
	assert_ptr_equal(guests[0].vm, &h.kw.vms[0]);
	assert_string_equal(guests[0].name, KFX_NAME);
	assert_int_equal(guests[0].n, 2);
	for (int v = 0; v < 2; v++) {
		const struct vg_found *f = &res.found[guests[0].first + v];

		assert_ptr_equal(f->kvm, &h.kw.vms[0].vcpus[v]);
		assert_true(f->vcpu.no_state && f->vcpu.state_encrypted);
		assert_int_equal(f->vcpu.protection, VG_PROT_TDX);
		assert_int_equal(f->vcpu.known, 0);
		assert_int_equal(f->vcpu.gpr_known, 0);
		assert_string_equal(f->vcpu.unknown[0].field, "state");
	}
	/* claimed already: not listed twice */
	assert_int_equal(vg_kvm_add_tds(&h.kw, &res, &guests, &ng), 0);
	assert_int_equal(ng, 1);
	free(guests);
	vg_scan_result_free(&res);
	host_close(&h);
}

/*
 * guests[].protection and protection_note for every combination of
 * vm_type (or none) and what the vCPU state page says.
 */
static void protection_of_guests(void **state)
{
	enum { NOVM = -2, NOTYPE = -1 };
	static const struct {
		int type; /* vm_type, or NOVM / NOTYPE */
		enum vg_vendor vendor;
		enum vg_protection state; /* the VMCB's (a VMCS: none) */
		int no_state; /* a TD vCPU from vg_kvm_add_tds() */
		enum vg_protection want;
		const char *note; /* "" none */
	} t[] = {
		{ NOVM, VG_VENDOR_SVM, VG_PROT_SEV_ES, 0, VG_PROT_SEV_ES,
		  "SEV-ES or SEV-SNP: the VMCB alone does not tell them apart" },
		{ NOTYPE, VG_VENDOR_SVM, VG_PROT_SEV_ES, 0, VG_PROT_SEV_ES,
		  "apart (the KVM walk gave no vm_type)" },
		{ NOTYPE, VG_VENDOR_SVM, VG_PROT_NONE, 0, VG_PROT_NONE, "" },
		{ 0, VG_VENDOR_SVM, VG_PROT_NONE, 0, VG_PROT_NONE, "" },
		{ 0, VG_VENDOR_SVM, VG_PROT_SEV, 0, VG_PROT_SEV,
		  "vm_type default with a sev VMCB: set up by the legacy "
		  "KVM_SEV_INIT or KVM_SEV_ES_INIT" },
		{ 1, VG_VENDOR_VMX, VG_PROT_NONE, 0, VG_PROT_SW_PROTECTED,
		  "KVM_X86_SW_PROTECTED_VM: nothing is encrypted" },
		{ 1, VG_VENDOR_SVM, VG_PROT_SEV, 0, VG_PROT_SEV,
		  "KVM's vm_type says sw-protected, the VMCB says sev" },
		{ 2, VG_VENDOR_SVM, VG_PROT_SEV, 0, VG_PROT_SEV, "" },
		{ 2, VG_VENDOR_SVM, VG_PROT_NONE, 0, VG_PROT_SEV,
		  "KVM's vm_type says sev, the VMCB says none: protection "
		  "from the stronger" },
		{ 3, VG_VENDOR_SVM, VG_PROT_SEV_ES, 0, VG_PROT_SEV_ES, "" },
		{ 3, VG_VENDOR_SVM, VG_PROT_SEV, 0, VG_PROT_SEV_ES,
		  "KVM's vm_type says sev-es, the VMCB says sev" },
		{ 4, VG_VENDOR_SVM, VG_PROT_SEV_ES, 0, VG_PROT_SEV_SNP, "" },
		{ 4, VG_VENDOR_SVM, VG_PROT_NONE, 0, VG_PROT_SEV_SNP,
		  "KVM's vm_type says sev-snp, the VMCB says none" },
		{ 5, VG_VENDOR_VMX, VG_PROT_TDX, 1, VG_PROT_TDX, "" },
		{ 5, VG_VENDOR_VMX, VG_PROT_NONE, 0, VG_PROT_TDX,
		  "KVM's vm_type says tdx, the VMCS says none" },
		{ 9, VG_VENDOR_SVM, VG_PROT_NONE, 0, VG_PROT_NONE,
		  "KVM vm_type 9 is not one this version knows: protection "
		  "from the VMCB alone" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct vg_kw_vm vm = { .have_vm_type = t[i].type >= 0,
				       .vm_type = (uint64_t)t[i].type };
		struct vg_guest g = { .vendor = t[i].vendor,
				      .vm = t[i].type == NOVM ? NULL : &vm,
				      .n = 1,
				      .stateless = t[i].no_state };
		struct vg_found f = { .vcpu = { .vendor = t[i].vendor,
						.protection = t[i].state,
						.no_state = t[i].no_state } };
		struct vg_report_guest rg = { .g = &g, .vcpus = &f };
		char note[200];

		vg_report_protection_note(&rg, note, sizeof(note));
		if (vg_report_protection(&rg) != t[i].want ||
		    (t[i].note[0] ? !strstr(note, t[i].note) : !!note[0]))
			fail_msg("case %zu: protection %s, note \"%s\"", i,
				 vg_protection_name(vg_report_protection(&rg)),
				 note);
	}
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

/*
 * Without --check-note a usable note is walked as it is and the dump's
 * own description is not derived; a note whose walk fails or finds no VM
 * (vm_list moved by a module reload) falls back to the dump's.
 */
static void note_used_as_is(void **state)
{
	struct kfx_opts both = { .self_describe = 1 };
	struct kfx_opts moved = { .self_describe = 1,
				  .kvm_vm_list_offset = 264 };
	struct kfx_opts note_only = { 0 };
	struct host h;

	(void)state;
	host_open_as(&h, &both, 0, 0);
	assert_true(h.walked);
	assert_string_equal(h.ch.source, "note");
	assert_false(h.ch.compared);
	assert_non_null(strstr(h.ch.dump, "not derived"));
	assert_string_equal(h.why, "walked 1 VM (KVMINFO from the note)");
	assert_string_equal(h.kw.vms[0].name, KFX_NAME);
	host_close(&h);

	/* the BTF is wrong here and the note right: not even looked at */
	host_open_as(&h, &moved, 0, 0);
	assert_true(h.walked);
	assert_string_equal(h.ch.source, "note");
	assert_false(h.ch.compared);
	assert_int_equal(h.kw.nvms, 1);
	host_close(&h);

	/* vm_list of a reloaded module: the walk with the note fails */
	host_open_as(&h, &both, 0, 0xffffffffc0ff0000ull);
	assert_true(h.walked);
	assert_string_equal(h.ch.source, "dump");
	assert_true(h.ch.compared);
	assert_int_equal(h.ch.ndiff, 1);
	assert_non_null(strstr(h.ch.diff, "SYMBOL(vm_list)"));
	assert_int_equal(h.kw.nvms, 1);
	assert_string_equal(h.kw.vms[0].name, KFX_NAME);
	assert_non_null(strstr(h.why, "KVMINFO from the dump; "));
	assert_non_null(strstr(h.why, "; the walk with the note's KVMINFO "));
	host_close(&h);

	/* ... and with no description in the dump: both reasons */
	host_open_as(&h, &note_only, 0, 0xffffffffc0ff0000ull);
	assert_false(h.walked);
	assert_non_null(strstr(h.why, "KVM walk (KVMINFO from the note): "));
	assert_non_null(strstr(h.why, "; no description in the dump ("));
	assert_non_null(strstr(h.why, "scan only"));
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
		cmocka_unit_test(nested_vcpu_roots),
		cmocka_unit_test(memslots_give_all_memory),
		cmocka_unit_test(merge_names_and_regs),
		cmocka_unit_test(disagreement_falls_back),
		cmocka_unit_test(vm_without_states_is_named),
		cmocka_unit_test(walk_states_equal_scan),
		cmocka_unit_test(walk_reads_vm_type),
		cmocka_unit_test(td_listed_without_state),
		cmocka_unit_test(protection_of_guests),
		cmocka_unit_test(stale_or_missing_note),
		cmocka_unit_test(note_used_as_is),
		cmocka_unit_test(description_source),
		cmocka_unit_test(hostile_structures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
