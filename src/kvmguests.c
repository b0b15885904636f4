// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Joining the KVM walk with the scan (src/kvmguests.h).
 */
#include "src/kvmguests.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notes/kvminfo-parse.h"
#include "notes/kvminfo.h"
#include "src/kvmdesc.h"

/* The note, when it parses and is for the dumped kernel; else why not. */
static int note_usable(const char *note, size_t nlen, const char *src,
		       const char *absent, const struct vg_hostkv *kv,
		       struct vg_kvminfo *ki, char *why, size_t whysz)
{
	struct vg_error verr;

	if (!note) {
		snprintf(why, whysz, "%.250s",
			 absent && *absent ? absent : "no KVMINFO note");
		return 0;
	}
	if (vg_kvminfo_parse(note, nlen, ki, &verr) < 0) {
		snprintf(why, whysz, "%s: %.200s", src, verr.msg);
		return 0;
	}
	if (ki->osrelease[0] && kv->osrelease[0] &&
	    strcmp(ki->osrelease, kv->osrelease) != 0) {
		snprintf(why, whysz,
			 "KVMINFO %s is for kernel %.64s, the dump is of %.64s",
			 src, ki->osrelease, kv->osrelease);
		return 0;
	}
	return 1;
}

/* The dump's own description into ki; ch->dump says how or why not. */
static int dump_usable(struct vg_hostkv *kv, const char *vmci, size_t vlen,
		       struct vg_kvminfo *ki, struct vg_kvm_choice *ch)
{
	static char text[KVMINFO_TEXT_MAX];
	struct vg_error verr;
	int n = vg_kvmdesc_build(kv, vmci, vlen, text, sizeof(text), NULL,
				 &verr);

	if (n < 0 || vg_kvminfo_parse(text, (size_t)n, ki, &verr) < 0) {
		snprintf(ch->dump, sizeof(ch->dump), "%.250s", verr.msg);
		return 0;
	}
	snprintf(ch->dump, sizeof(ch->dump),
		 "derived from the dump's kallsyms, BTF and module list");
	return 1;
}

/* Compare the note with the dump's description; 0 when the note is kept. */
static int note_differs(const struct vg_kvminfo *nki, const char *note_source,
			const struct vg_kvminfo *dki, struct vg_kvm_choice *ch,
			char *nwhy, size_t nwhysz)
{
	ch->compared = 1;
	ch->ndiff = vg_kvminfo_diff(nki, note_source, dki, "dump", ch->diff,
				    sizeof(ch->diff));
	if (!ch->ndiff)
		return 0;
	snprintf(nwhy, nwhysz,
		 "the %s's KVMINFO differs from the dump's own description in "
		 "%u key%s: note ignored",
		 note_source, ch->ndiff, ch->ndiff == 1 ? "" : "s");
	return 1;
}

int vg_kvm_from_notes(const void *note, size_t nlen, const char *note_source,
		      const char *note_absent, const char *vmci, size_t vlen,
		      int check, struct vg_hostmem *hm, struct vg_hostkv *kv,
		      struct vg_kw_result *kw, struct vg_kvm_choice *ch,
		      char *why, size_t whysz)
{
	static struct vg_kvminfo nki, dki;
	const struct vg_kvminfo *use;
	struct vg_error verr = { 0 };
	char nwhy[300] = "", first[300] = "";
	int have_note, have_dump, walked_note = 0, wr = -1;

	memset(kw, 0, sizeof(*kw));
	memset(ch, 0, sizeof(*ch));
	if (!vmci) {
		snprintf(why, whysz,
			 "%sthe host dump has no VMCOREINFO: scan only",
			 note ? "" : "no KVMINFO note, and ");
		return 0;
	}
	if (vg_hostkv_init(kv, hm, vmci, vlen, &verr) < 0) {
		snprintf(why, whysz, "%s%.200s: scan only",
			 note ? "" : "no KVMINFO note; ", verr.msg);
		return 0;
	}
	have_note = note_usable(note, nlen, note_source, note_absent, kv, &nki,
				nwhy, sizeof(nwhy));
	if (have_note && !check) {
		/*
		 * The note was written for this kernel at load time: walk with
		 * it as it is.  A walk that fails or finds no VM asks the
		 * dump's own description below (a kvm module reloaded after
		 * the load moves vm_list).
		 */
		walked_note = 1;
		snprintf(ch->source, sizeof(ch->source), "%s", note_source);
		wr = vg_kvm_walk(kv, &nki, kw);
		if (wr == 0 && kw->nvms > 0) {
			snprintf(ch->dump, sizeof(ch->dump),
				 "not derived: the %s's KVMINFO was used as it "
				 "is (--check-note compares the two)",
				 note_source);
			snprintf(why, whysz,
				 "walked %u VM%s (KVMINFO from the %s)",
				 kw->nvms, kw->nvms == 1 ? "" : "s",
				 ch->source);
			return 1;
		}
		snprintf(first, sizeof(first),
			 "the walk with the %s's KVMINFO %.200s", note_source,
			 wr < 0 ? kw->error : "found no VM");
	}
	have_dump = dump_usable(kv, vmci, vlen, &dki, ch);
	if (have_note && have_dump &&
	    note_differs(&nki, note_source, &dki, ch, nwhy, sizeof(nwhy)))
		have_note = 0;
	if (have_note && walked_note) {
		/* the same KVMINFO (or no other): the first walk stands */
		if (wr < 0) {
			snprintf(
				why, whysz,
				"KVM walk (KVMINFO from the %s): %s%s%.250s%s: "
				"scan only",
				ch->source, kw->error,
				have_dump ? "" :
					    "; no description in the dump (",
				have_dump ? "" : ch->dump,
				have_dump ? "" : ")");
			vg_kw_result_free(kw);
			return 0;
		}
		snprintf(why, whysz, "walked 0 VMs (KVMINFO from the %s)",
			 ch->source);
		return 1;
	}
	if (walked_note) {
		vg_kw_result_free(kw);
		memset(kw, 0, sizeof(*kw));
	}
	if (!have_note && !have_dump) {
		snprintf(why, whysz,
			 "%s; no description in the dump (%s): "
			 "scan only",
			 nwhy, ch->dump);
		return 0;
	}
	use = have_note ? &nki : &dki;
	snprintf(ch->source, sizeof(ch->source), "%s",
		 have_note ? note_source : "dump");
	if (vg_kvm_walk(kv, use, kw) < 0) {
		snprintf(why, whysz,
			 "KVM walk (KVMINFO from the %s): %s%s%.250s: "
			 "scan only",
			 ch->source, kw->error, first[0] ? "; " : "", first);
		vg_kw_result_free(kw);
		return 0;
	}
	snprintf(why, whysz,
		 "walked %u VM%s (KVMINFO from the %s%s%.300s%s%.250s)",
		 kw->nvms, kw->nvms == 1 ? "" : "s", ch->source,
		 have_note ? "" : "; ", have_note ? "" : nwhy,
		 first[0] ? "; " : "", first);
	return 1;
}

void vg_kvm_overlay_regs(struct vg_vcpu *v, const struct vg_kw_vcpu *c)
{
	if (c->nregs < 16 || v->state_encrypted)
		return;
	for (int i = 0; i < VG_NR_GPRS; i++) {
		int state_has = (i == VG_RSP ||
				 (i == VG_RAX && v->vendor == VG_VENDOR_SVM)) &&
				(v->gpr_known & (1u << i));

		if (state_has && !(c->regs_dirty & (1u << i)))
			continue;
		v->gpr[i] = c->regs[i];
		v->gpr_known |= 1u << i;
	}
	if (c->nregs > VG_KW_REG_RIP &&
	    (c->regs_dirty & (1u << VG_KW_REG_RIP))) {
		v->rip = c->regs[VG_KW_REG_RIP];
		v->known |= VG_K_RIP;
	}
}

/* Index into res->found of the state at paddr, or -1. */
static long find_state(const struct vg_scan_result *res, uint64_t paddr)
{
	for (size_t i = 0; i < res->nfound; i++)
		if (res->found[i].vcpu.state_paddr == paddr)
			return (long)i;
	return -1;
}

static long guest_of(const struct vg_guest *guests, size_t ng, long fi)
{
	for (size_t g = 0; g < ng; g++)
		if ((size_t)fi >= guests[g].first &&
		    (size_t)fi < guests[g].first + guests[g].n)
			return (long)g;
	return -1;
}

/* The guest holding the state page of walked vCPU kc, or -1. */
static long state_guest(const struct vg_scan_result *res,
			const struct vg_guest *guests, size_t ng,
			const struct vg_kw_vcpu *kc)
{
	long fi = find_state(res, kc->l1_state_pa);

	return fi < 0 ? -1 : guest_of(guests, ng, fi);
}

static void vm_name(const struct vg_kw_vm *vm, char *out, size_t outsz)
{
	if (vm->name[0])
		snprintf(out, outsz, "%s", vm->name);
	else if (vm->argv0[0] && vm->pid > 0)
		snprintf(out, outsz, "%s-%d", vm->argv0, vm->pid);
	else if (vm->pid > 0)
		snprintf(out, outsz, "pid-%d", vm->pid);
	else
		snprintf(out, outsz, "kvm-%" PRIx64, vm->va);
}

/* The state pages of one VM into res; 0, 1 (why set) or -ENOMEM. */
static int vm_states(const struct vg_kw_vm *vm, const struct vg_scan_cfg *cfg,
		     struct vg_scan_result *res, char *why, size_t whysz)
{
	unsigned int with_state = 0;
	char name[80];

	if (vg_kw_vm_is_td(vm))
		return 0; /* no VMCS to judge: vg_kvm_add_tds() lists it */
	vm_name(vm, name, sizeof(name));
	for (unsigned int c = 0; c < vm->nvcpus; c++) {
		const struct vg_kw_vcpu *kc = &vm->vcpus[c];
		uint64_t pa[2] = { kc->l1_state_pa, kc->state_pa };

		if (!kc->have_state)
			continue;
		with_state++;
		for (int i = 0; i < (kc->nested ? 2 : 1); i++) {
			const char *w = NULL;
			int r = vg_scan_page_at(cfg, res, pa[i], &w);

			if (r < 0)
				return r;
			if (r != VG_SCAN_BAD)
				continue;
			snprintf(why, whysz,
				 "VM %.60s vCPU %d: %s at 0x%" PRIx64
				 ": %.100s",
				 name, kc->vcpu_idx,
				 i ? "nested state" : "state", pa[i],
				 w ? w : "rejected");
			return 1;
		}
	}
	if (with_state < vm->online_vcpus || (!vm->nvcpus && vm->error[0])) {
		snprintf(why, whysz, "VM %.60s: %u of %u vCPUs walked (%.120s)",
			 name, with_state, vm->online_vcpus,
			 vm->error[0] ? vm->error :
					"state pointers unreadable");
		return 1;
	}
	return 0;
}

int vg_kvm_states(const struct vg_kw_result *kw, const struct vg_scan_cfg *cfg,
		  struct vg_scan_result *res, char *why, size_t whysz)
{
	memset(res, 0, sizeof(*res));
	why[0] = '\0';
	if (kw->truncated) {
		snprintf(why, whysz, "vm_list not walked to its end: %.150s",
			 kw->error);
		return 1;
	}
	for (unsigned int m = 0; m < kw->nvms; m++) {
		int r = vm_states(&kw->vms[m], cfg, res, why, whysz);

		if (r)
			return r;
	}
	return 0;
}

static int cmp_idx(const void *a, const void *b)
{
	const struct vg_found *x = a, *y = b;

	return x->kvm->vcpu_idx < y->kvm->vcpu_idx ?
		       -1 :
		       x->kvm->vcpu_idx > y->kvm->vcpu_idx;
}

void vg_kvm_merge(const struct vg_kw_result *kw, struct vg_scan_result *res,
		  struct vg_guest *guests, size_t ng)
{
	for (unsigned m = 0; m < kw->nvms; m++) {
		const struct vg_kw_vm *vm = &kw->vms[m];
		long gi = -1;
		unsigned with_state = 0;
		int agree = 1;
		char name[80];

		vm_name(vm, name, sizeof(name));
		for (unsigned c = 0; c < vm->nvcpus; c++) {
			const struct vg_kw_vcpu *kc = &vm->vcpus[c];
			long g;

			if (!kc->have_state)
				continue;
			with_state++;
			g = state_guest(res, guests, ng, kc);
			if (g < 0 || (gi >= 0 && g != gi)) {
				agree = 0;
				if (g >= 0)
					snprintf(
						guests[g].note,
						sizeof(guests[g].note),
						"KVM walk and scan disagree on VM %s: scan result used",
						name);
				continue;
			}
			gi = g;
		}
		if (gi < 0)
			continue;
		if (!agree || guests[gi].n != with_state || guests[gi].vm) {
			snprintf(
				guests[gi].note, sizeof(guests[gi].note),
				"KVM walk and scan disagree on VM %s (%u vCPUs walked, %zu found): scan result used",
				name, with_state, guests[gi].n);
			continue;
		}
		guests[gi].vm = vm;
		snprintf(guests[gi].name, sizeof(guests[gi].name), "%s", name);
		for (unsigned c = 0; c < vm->nvcpus; c++) {
			const struct vg_kw_vcpu *kc = &vm->vcpus[c];
			long fi;

			if (!kc->have_state)
				continue;
			fi = find_state(res, kc->l1_state_pa);
			res->found[fi].kvm = kc;
			if (!kc->nested)
				vg_kvm_overlay_regs(&res->found[fi].vcpu, kc);
			else
				/*
				 * KVM's regs[] hold L2's; L1's GPRs beyond
				 * what vmcb01/vmcs01 holds (RAX, RSP, RIP /
				 * RSP, RIP) were saved by L1's hypervisor
				 * in L1's memory: null, and said why.
				 */
				vg_vcpu_unknown(
					&res->found[fi].vcpu, "gprs",
					"L1 runs L2: KVM's regs[] hold L2's, L1's own were saved by L1's hypervisor in L1's memory");
		}
		qsort(&res->found[guests[gi].first], guests[gi].n,
		      sizeof(res->found[0]), cmp_idx);
		for (size_t i = 0; i < guests[gi].n; i++)
			res->found[guests[gi].first + i].vcpu.index = (int)i;
		/* An L2 guest this VM was running: named under it. */
		for (unsigned c = 0; c < vm->nvcpus; c++) {
			const struct vg_kw_vcpu *kc = &vm->vcpus[c];
			long fi, g;

			if (!kc->have_state || !kc->nested)
				continue;
			fi = find_state(res, kc->state_pa);
			g = fi < 0 ? -1 : guest_of(guests, ng, fi);
			if (g < 0 || g == gi || guests[g].vm ||
			    guests[g].nested)
				continue;
			guests[g].nested = 1;
			guests[g].l1_vm = vm;
			guests[g].l1_vcpu = kc;
			snprintf(guests[g].l1_name, sizeof(guests[g].l1_name),
				 "%s", name);
			/* While L2 runs, regs[] are L2's registers. */
			res->found[fi].kvm = kc;
			vg_kvm_overlay_regs(&res->found[fi].vcpu, kc);
			snprintf(guests[g].name, sizeof(guests[g].name),
				 "%.70s-L2", name);
			snprintf(guests[g].note, sizeof(guests[g].note),
				 "L2 guest run by %s (nested)", name);
		}
	}
}

enum vg_protection vg_kvm_protection(const struct vg_kw_vm *vm)
{
	if (!vm || !vm->have_vm_type)
		return VG_PROT_NONE;
	switch (vm->vm_type) {
	case VG_KW_VM_SW_PROTECTED:
		return VG_PROT_SW_PROTECTED;
	case VG_KW_VM_SEV:
		return VG_PROT_SEV;
	case VG_KW_VM_SEV_ES:
		return VG_PROT_SEV_ES;
	case VG_KW_VM_SNP:
		return VG_PROT_SEV_SNP;
	case VG_KW_VM_TDX:
		return VG_PROT_TDX;
	default:
		return VG_PROT_NONE;
	}
}

int vg_kvm_gmem_slots(const struct vg_kw_vm *vm)
{
	if (!vm->slot_flags_known)
		return -1;
	for (unsigned int i = 0; i < vm->nslots; i++)
		if (vm->slots[i].flags & VG_KW_MEM_GUEST_MEMFD)
			return 1;
	return 0;
}

static int vm_claimed(const struct vg_kw_vm *vm, const struct vg_guest *g,
		      size_t ng)
{
	for (size_t i = 0; i < ng; i++)
		if (g[i].vm == vm)
			return 1;
	return 0;
}

unsigned vg_kvm_unheld(const struct vg_kw_result *kw,
		       const struct vg_scan_result *res,
		       const struct vg_guest *guests, size_t ng,
		       void (*line)(void *arg, const char *text), void *arg)
{
	unsigned n = 0;

	for (unsigned m = 0; m < kw->nvms; m++) {
		const struct vg_kw_vm *vm = &kw->vms[m];
		unsigned with_state = 0, found = 0;
		long where = -1;
		char name[80], text[400];

		if (!vm->nvcpus || vm_claimed(vm, guests, ng))
			continue;
		for (unsigned c = 0; c < vm->nvcpus; c++) {
			const struct vg_kw_vcpu *kc = &vm->vcpus[c];
			long g;

			if (!kc->have_state)
				continue;
			with_state++;
			g = state_guest(res, guests, ng, kc);
			if (g >= 0 && found++ == 0)
				where = g;
		}
		vm_name(vm, name, sizeof(name));
		for (char *p = name; *p; p++) /* QEMU's argv: one line */
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		if (where >= 0)
			snprintf(text, sizeof(text),
				 "VM %s: the KVM walk and the scan disagree "
				 "(%u of its %u vCPU states found, in guest "
				 "%s): written as the scan found it",
				 name, found, vm->nvcpus, guests[where].name);
		else
			snprintf(text, sizeof(text),
				 "VM %s: none of its %u vCPU states found%s: "
				 "not written",
				 name, vm->nvcpus,
				 with_state ? "" : " (no state address read)");
		line(arg, text);
		n++;
	}
	return n;
}

/* One TD vCPU: known to exist, its state kept by the TDX module. */
static void td_vcpu(struct vg_found *f, const struct vg_kw_vcpu *kc, int idx)
{
	memset(f, 0, sizeof(*f));
	f->kvm = kc;
	f->vcpu.index = idx;
	f->vcpu.vendor = VG_VENDOR_VMX;
	f->vcpu.no_state = 1;
	f->vcpu.state_encrypted = 1;
	f->vcpu.protection = VG_PROT_TDX;
	vg_vcpu_unknown(&f->vcpu, "state",
			"TD vCPU: the TDX module keeps its registers in "
			"encrypted memory, KVM has no VMCS guest state of it");
}

int vg_kvm_add_tds(const struct vg_kw_result *kw, struct vg_scan_result *res,
		   struct vg_guest **guests, size_t *ng)
{
	for (unsigned int m = 0; m < kw->nvms; m++) {
		const struct vg_kw_vm *vm = &kw->vms[m];
		struct vg_guest *g;

		if (!vg_kw_vm_is_td(vm) || vm_claimed(vm, *guests, *ng))
			continue;
		if (res->nfound + vm->nvcpus > res->cap) {
			size_t cap = res->nfound + vm->nvcpus;
			struct vg_found *f = realloc(
				res->found, (cap ? cap : 1) * sizeof(*f));

			if (!f)
				return -ENOMEM;
			res->found = f;
			res->cap = cap;
		}
		g = realloc(*guests, (*ng + 1) * sizeof(*g));
		if (!g)
			return -ENOMEM;
		*guests = g;
		g = &g[(*ng)++];
		memset(g, 0, sizeof(*g));
		g->vendor = VG_VENDOR_VMX;
		g->vm = vm;
		g->stateless = 1;
		g->first = res->nfound;
		g->n = vm->nvcpus;
		vm_name(vm, g->name, sizeof(g->name));
		for (unsigned int c = 0; c < vm->nvcpus; c++)
			td_vcpu(&res->found[res->nfound++], &vm->vcpus[c],
				(int)c);
	}
	return 0;
}
