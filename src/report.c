// SPDX-License-Identifier: GPL-2.0-or-later
#include "src/report.h"

#include <stdarg.h>
#include <string.h>

#include "src/exitnames.h"
#include "src/kvmguests.h"

void vg_report_error(struct vg_report *r, const char *fmt, ...)
{
	va_list ap;

	if (r->nerrors >= VG_REPORT_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(r->errors[r->nerrors], sizeof(r->errors[0]), fmt, ap);
	va_end(ap);
	r->nerrors++;
}

void vg_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p); /* bytes, not UTF-8 */
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* A tiny streaming emitter: commas and nesting tracked per level. */
struct js {
	FILE *f;
	int depth;
	int n[16];
};

static void js_key(struct js *j, const char *key)
{
	if (j->n[j->depth]++)
		fputc(',', j->f);
	fprintf(j->f, "\n%*s", 2 * j->depth, "");
	if (key) {
		vg_json_string(j->f, key);
		fputs(": ", j->f);
	}
}

static void js_open(struct js *j, const char *key, char c)
{
	js_key(j, key);
	fputc(c, j->f);
	if (j->depth < 15)
		j->depth++;
	j->n[j->depth] = 0;
}

static void js_close(struct js *j, char c)
{
	int had = j->n[j->depth];

	if (j->depth > 0)
		j->depth--;
	if (had)
		fprintf(j->f, "\n%*s", 2 * j->depth, "");
	fputc(c, j->f);
}

static void js_str(struct js *j, const char *key, const char *v)
{
	js_key(j, key);
	if (v)
		vg_json_string(j->f, v);
	else
		fputs("null", j->f);
}

static void js_u64(struct js *j, const char *key, uint64_t v)
{
	js_key(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

static void js_bool(struct js *j, const char *key, int v)
{
	js_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

static void js_hex(struct js *j, const char *key, uint64_t v, int known)
{
	js_key(j, key);
	if (known)
		fprintf(j->f, "\"0x%llx\"", (unsigned long long)v);
	else
		fputs("null", j->f);
}

static const char *const seg_names[VG_NR_SEGS] = { "es", "cs", "ss",   "ds",
						   "fs", "gs", "ldtr", "tr" };

static const char *const gpr_names[VG_NR_GPRS] = {
	"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
	"r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15",
};

static void js_kvm_vcpu(struct js *j, const struct vg_report *r,
			const struct vg_kw_vcpu *c)
{
	uint64_t ns;
	int known;

	js_open(j, "kvm", '{');
	js_hex(j, "vcpu_address", c->va, 1);
	js_key(j, "vcpu_id");
	fprintf(j->f, "%d", c->vcpu_id);
	js_str(j, "mode", c->have_mode ? vg_kw_mode_name(c->mode) : NULL);
	js_bool(j, "in_guest_mode",
		c->have_mode && c->mode == VG_KW_IN_GUEST_MODE);
	js_bool(j, "running_l2", c->nested);
	js_hex(j, "regs_avail", c->regs_avail, c->nregs > 0);
	js_hex(j, "regs_dirty", c->regs_dirty, c->nregs > 0);
	js_open(j, "thread", '{');
	if (c->tid > 0) {
		js_u64(j, "tid", (uint64_t)c->tid);
	} else {
		js_str(j, "tid", NULL);
	}
	js_str(j, "comm", c->have_task ? c->comm : NULL);
	js_str(j, "state",
	       c->have_task ? vg_kw_task_state(c->task_state) : NULL);
	js_bool(j, "on_cpu", c->have_task && c->on_cpu);
	ns = r->kw ? vg_kw_last_ran(r->kw, c, &known) : (known = 0, 0);
	js_key(j, "last_ran_ns_before_crash");
	if (known)
		fprintf(j->f, "%llu", (unsigned long long)ns);
	else
		fputs("null", j->f);
	js_key(j, "last_ran_seconds_before_crash");
	if (known)
		fprintf(j->f, "%.3f", (double)ns / 1e9);
	else
		fputs("null", j->f);
	js_bool(j, "stalled", known && (double)ns / 1e9 > r->stall_seconds);
	js_close(j, '}');
	js_str(j, "error", c->error[0] ? c->error : NULL);
	js_close(j, '}');
}

/* The guest dump's format and filter (kdump-compressed output). */
static void js_dump(struct js *j, const struct vg_guestcore_result *c)
{
	js_open(j, "dump", '{');
	js_str(j, "format", c->kdump ? "kdump-compressed" : "elf");
	if (c->kdump) {
		js_u64(j, "dump_level", (uint64_t)c->dump_level);
		js_bool(j, "classified", c->classified);
		js_str(j, "filter_note",
		       c->filter_note[0] ? c->filter_note : NULL);
		js_u64(j, "pages_dumped", c->pages_dumpable);
		js_u64(j, "pages_compressed", c->pages_compressed);
		js_u64(j, "excluded_cache", c->excl_cache);
		js_u64(j, "excluded_cache_private", c->excl_cache_private);
		js_u64(j, "excluded_user", c->excl_user);
		js_u64(j, "excluded_free", c->excl_free);
		js_u64(j, "excluded_hwpoison", c->excl_hwpoison);
		js_u64(j, "excluded_offline", c->excl_offline);
		js_u64(j, "vmcoreinfo_scan_bytes", c->vmcoreinfo_scan_bytes);
		js_u64(j, "bitmap_bytes", c->bitmap_bytes);
	}
	js_close(j, '}');
}

static void summary_dump(FILE *f, const struct vg_guestcore_result *c)
{
	fprintf(f,
		"  kdump-compressed, dump level %d: %llu pages dumped "
		"(excluded: cache %llu, private cache %llu, user %llu, free "
		"%llu)%s%s\n",
		c->dump_level, (unsigned long long)c->pages_dumpable,
		(unsigned long long)c->excl_cache,
		(unsigned long long)c->excl_cache_private,
		(unsigned long long)c->excl_user,
		(unsigned long long)c->excl_free, c->filter_note[0] ? "; " : "",
		c->filter_note);
}

static void js_vcpu(struct js *j, const struct vg_report *r,
		    const struct vg_found *f)
{
	const struct vg_vcpu *v = &f->vcpu;
	uint32_t k = v->known;
	char ename[64];

	js_open(j, NULL, '{');
	js_u64(j, "index", (uint64_t)v->index);
	js_hex(j, "state_paddr", v->state_paddr, !v->no_state);
	js_str(j, "state",
	       v->no_state		  ? NULL :
	       v->vendor == VG_VENDOR_SVM ? "vmcb" :
					    "vmcs");
	if (f->layout)
		js_str(j, "layout", f->layout);
	js_bool(j, "state_encrypted", v->state_encrypted);
	js_str(j, "protection", vg_protection_name(v->protection));
	if (v->vendor == VG_VENDOR_VMX) {
		js_str(j, "ar_format", vg_ar_format_name(v->ar_format));
		js_str(j, "ar_format_from", v->ar_format_from);
	}
	js_hex(j, "exit_reason", v->exit_reason, k & VG_K_EXIT_REASON);
	js_str(j, "exit_reason_name",
	       (k & VG_K_EXIT_REASON) ?
		       vg_exit_reason_name(v->vendor, v->exit_reason, ename,
					   sizeof(ename)) :
		       NULL);
	if (f->kvm)
		js_kvm_vcpu(j, r, f->kvm);
	js_open(j, "regs", '{');
	js_hex(j, "rip", v->rip, k & VG_K_RIP);
	for (int i = 0; i < VG_NR_GPRS; i++)
		js_hex(j, gpr_names[i], v->gpr[i], v->gpr_known & (1u << i));
	js_hex(j, "rflags", v->rflags, k & VG_K_RFLAGS);
	js_hex(j, "cr0", v->cr0, k & VG_K_CR0);
	js_hex(j, "cr2", v->cr2, k & VG_K_CR2);
	js_hex(j, "cr3", v->cr3, k & VG_K_CR3);
	js_hex(j, "cr4", v->cr4, k & VG_K_CR4);
	js_hex(j, "cr8", v->cr8, k & VG_K_CR8);
	js_hex(j, "efer", v->efer, k & VG_K_EFER);
	js_hex(j, "kernel_gs_base", v->kernel_gs_base, k & VG_K_KERNEL_GS_BASE);
	js_key(j, "cpl");
	if (k & VG_K_CPL)
		fprintf(j->f, "%u", v->cpl);
	else
		fputs("null", j->f);
	for (int s = 0; s < VG_NR_SEGS; s++) {
		if (!(k & VG_K_SEGS)) {
			js_str(j, seg_names[s], NULL);
			continue;
		}
		js_open(j, seg_names[s], '{');
		js_hex(j, "selector", v->seg[s].selector, 1);
		js_hex(j, "base", v->seg[s].base, 1);
		js_hex(j, "limit", v->seg[s].limit, 1);
		js_hex(j, "attr", v->seg[s].attr, vg_seg_attr_known(v, s));
		js_close(j, '}');
	}
	for (int d = 0; d < 2; d++) {
		const struct vg_dtable *t = d ? &v->idtr : &v->gdtr;

		if (!(k & VG_K_DTABLES)) {
			js_str(j, d ? "idtr" : "gdtr", NULL);
			continue;
		}
		js_open(j, d ? "idtr" : "gdtr", '{');
		js_hex(j, "base", t->base, 1);
		js_hex(j, "limit", t->limit, 1);
		js_close(j, '}');
	}
	js_close(j, '}');
	js_open(j, "regs_unknown", '{');
	if ((k & VG_K_SEGS) && !(k & VG_K_SEG_ATTR) && v->ar_why)
		js_str(j, "attr", v->ar_why);
	for (unsigned int i = 0; i < v->nunknown && i < VG_MAX_UNKNOWN; i++)
		js_str(j, v->unknown[i].field, v->unknown[i].reason);
	js_close(j, '}');
	js_close(j, '}');
}

/* The strongest protection the guest's VMCBs/VMCSs say (TD vCPUs: none). */
static enum vg_protection state_protection(const struct vg_report_guest *rg,
					   int *have_state)
{
	enum vg_protection p = VG_PROT_NONE;

	*have_state = 0;
	for (size_t i = 0; i < rg->g->n; i++) {
		const struct vg_vcpu *v = &rg->vcpus[i].vcpu;

		if (v->no_state)
			continue;
		*have_state = 1;
		if (v->protection > p)
			p = v->protection;
	}
	return p;
}

enum vg_protection vg_report_protection(const struct vg_report_guest *rg)
{
	enum vg_protection w = vg_kvm_protection(rg->g->vm), s;
	int have_state;

	s = state_protection(rg, &have_state);
	if (rg->g->stateless)
		s = VG_PROT_TDX; /* a TD without any VMCS */
	return w > s ? w : s;
}

/* What the VMCB/VMCS shows of a guest of this vm_type (SNP: "sev-es"). */
static enum vg_protection state_shows(uint64_t vm_type)
{
	switch (vm_type) {
	case VG_KW_VM_SEV:
		return VG_PROT_SEV;
	case VG_KW_VM_SEV_ES:
	case VG_KW_VM_SNP:
		return VG_PROT_SEV_ES;
	default:
		return VG_PROT_NONE;
	}
}

static const char *prot_or_none(enum vg_protection p)
{
	return vg_protection_name(p) ? vg_protection_name(p) : "none";
}

/*
 * What the protection kind cannot tell, or where kvm->arch.vm_type and
 * the vCPU state pages disagree (the stronger of the two is reported);
 * "" for nothing to say.
 */
void vg_report_protection_note(const struct vg_report_guest *rg, char *out,
			       size_t outsz)
{
	const struct vg_kw_vm *vm = rg->g->vm;
	const char *st = rg->g->vendor == VG_VENDOR_SVM ? "VMCB" : "VMCS";
	int have_state;
	enum vg_protection s = state_protection(rg, &have_state), want;

	out[0] = '\0';
	if (!vm || !vm->have_vm_type) {
		if (s == VG_PROT_SEV_ES)
			snprintf(out, outsz,
				 "SEV-ES or SEV-SNP: the VMCB alone does not "
				 "tell them apart%s",
				 vm ? " (the KVM walk gave no vm_type)" : "");
		return;
	}
	if (!vg_kw_vm_type_name(vm->vm_type)) {
		snprintf(out, outsz,
			 "KVM vm_type %llu is not one this version knows: "
			 "protection from the %s alone",
			 (unsigned long long)vm->vm_type, st);
		return;
	}
	if (vm->vm_type == VG_KW_VM_DEFAULT) {
		if (s != VG_PROT_NONE)
			snprintf(out, outsz,
				 "vm_type default with a %s %s: set up by the "
				 "legacy KVM_SEV_INIT or KVM_SEV_ES_INIT",
				 prot_or_none(s), st);
		return;
	}
	want = state_shows(vm->vm_type);
	if (vm->vm_type == VG_KW_VM_TDX ? have_state : s != want) {
		snprintf(out, outsz,
			 "KVM's vm_type says %s, the %s says %s: protection "
			 "from the stronger",
			 vg_kw_vm_type_name(vm->vm_type), st,
			 have_state ? prot_or_none(s) : "nothing (no state)");
		return;
	}
	if (vm->vm_type == VG_KW_VM_SW_PROTECTED)
		snprintf(out, outsz,
			 "KVM_X86_SW_PROTECTED_VM: nothing is encrypted, but "
			 "private memory is in guest_memfd, outside QEMU's "
			 "mapping");
}

static void js_guest(struct js *j, const struct vg_report *r,
		     const struct vg_report_guest *rg)
{
	const struct vg_guest *g = rg->g;
	char pnote[200];

	js_open(j, NULL, '{');
	js_str(j, "name", g->name);
	js_str(j, "source", g->vm ? "kvm" : "scan");
	js_str(j, "note", g->note[0] ? g->note : NULL);
	js_bool(j, "nested_l2", g->nested);
	js_str(j, "l1", g->nested && g->l1_name[0] ? g->l1_name : NULL);
	js_str(j, "protection", vg_protection_name(vg_report_protection(rg)));
	vg_report_protection_note(rg, pnote, sizeof(pnote));
	js_str(j, "protection_note", pnote[0] ? pnote : NULL);
	js_key(j, "vm_type");
	if (!g->vm || !g->vm->have_vm_type)
		fputs("null", j->f);
	else if (vg_kw_vm_type_name(g->vm->vm_type))
		fprintf(j->f, "\"%s\"", vg_kw_vm_type_name(g->vm->vm_type));
	else
		fprintf(j->f, "%llu", (unsigned long long)g->vm->vm_type);
	if (g->vm) {
		js_hex(j, "kvm_address", g->vm->va, 1);
		if (g->vm->pid > 0)
			js_u64(j, "pid", (uint64_t)g->vm->pid);
		else
			js_str(j, "pid", NULL);
		js_str(j, "qemu_name", g->vm->name[0] ? g->vm->name : NULL);
		js_str(j, "uuid", g->vm->uuid[0] ? g->vm->uuid : NULL);
		js_str(j, "argv0", g->vm->argv0[0] ? g->vm->argv0 : NULL);
		js_u64(j, "memslots", g->vm->nslots);
		js_u64(j, "online_vcpus", g->vm->online_vcpus);
		js_str(j, "kvm_error", g->vm->error[0] ? g->vm->error : NULL);
	}
	js_str(j, "vendor", g->vendor == VG_VENDOR_SVM ? "svm" : "vmx");
	js_hex(j, g->vendor == VG_VENDOR_SVM ? "ncr3" : "eptp", g->root,
	       !g->stateless);
	js_bool(j, "selected", rg->selected);
	js_str(j, "file", rg->written ? rg->file : NULL);
	js_bool(j, "written", rg->written);
	js_bool(j, "partial", rg->partial);
	js_bool(j, "skipped", rg->skipped);
	js_str(j, "error", rg->error[0] ? rg->error : NULL);
	js_open(j, "memory", '{');
	js_str(j, "source",
	       rg->mem_source		  ? rg->mem_source :
	       g->vm && !rg->mem_note[0]  ? "memslots" :
	       g->vendor == VG_VENDOR_VMX ? "ept" :
					    "npt");
	js_str(j, "note", rg->mem_note[0] ? rg->mem_note : NULL);
	if (g->nested) {
		js_hex(j, "l1_root", rg->l1_root, rg->l1_root_from != NULL);
		js_str(j, "l1_root_from", rg->l1_root_from);
	}
	if (rg->have_core) {
		const struct vg_guestcore_result *c = &rg->core;

		js_u64(j, "pages_present", c->pages_present);
		js_u64(j, "pages_absent", c->pages_absent);
		js_u64(j, "pages_zero", c->pages_zero);
		js_u64(j, "file_size", c->file_size);
		js_u64(j, "pt_loads", c->phys_loads);
		js_dump(j, c);
		js_open(j, "walk", '{');
		js_u64(j, "tables_visited", c->walk.tables_visited);
		js_u64(j, "bad_entries", c->walk.bad_entries);
		js_u64(j, "out_of_range", c->walk.out_of_range);
		js_u64(j, "loops", c->walk.loops);
		js_u64(j, "table_absent", c->walk.table_absent);
		js_u64(j, "table_errors", c->walk.table_errors);
		js_bool(j, "truncated", c->walk.truncated);
		js_str(j, "first_error",
		       c->walk.first_error[0] ? c->walk.first_error : NULL);
		js_close(j, '}');
	} else {
		js_u64(j, "pages_present", 0);
		js_u64(j, "pages_absent", 0);
	}
	js_close(j, '}');
	js_open(j, "vmcoreinfo", '{');
	js_bool(j, "found", rg->have_core && rg->core.vmcoreinfo_found);
	js_str(j, "osrelease",
	       rg->have_core && rg->core.vmcoreinfo_found ? rg->core.osrelease :
							    NULL);
	js_close(j, '}');
	js_open(j, "vcpus", '[');
	for (size_t i = 0; i < g->n; i++)
		js_vcpu(j, r, &rg->vcpus[i]);
	js_close(j, ']');
	js_close(j, '}');
}

int vg_report_json(FILE *f, const struct vg_report *r)
{
	const struct vg_scan_result *s = r->scan;
	struct js j = { .f = f };

	fputc('{', f);
	js_str(&j, "tool", "vmcore-guests");
	js_str(&j, "version", r->version);
	js_str(&j, "host_dump", r->host_dump);
	js_str(&j, "format", r->format);
	js_u64(&j, "exit_code", (uint64_t)r->exit_code);
	js_open(&j, "capture", '{');
	js_str(&j, "mode", r->capture.mode);
	js_str(&j, "why", r->capture.why[0] ? r->capture.why : NULL);
	js_u64(&j, "host_bytes_read", r->capture.bytes_read);
	js_str(&j, "host_read", r->capture.read_method);
	js_open(&j, "seconds", '{');
	js_key(&j, "open");
	fprintf(f, "%.2f", r->capture.secs_open);
	js_key(&j, "kvm");
	fprintf(f, "%.2f", r->capture.secs_kvm);
	js_key(&j, "states");
	fprintf(f, "%.2f", r->capture.secs_states);
	js_key(&j, "guests");
	fprintf(f, "%.2f", r->capture.secs_guests);
	js_close(&j, '}');
	js_close(&j, '}');
	js_open(&j, "scan", '{');
	if (s) {
		js_u64(&j, "pages_scanned", s->pages_scanned);
		js_u64(&j, "pages_absent", s->pages_absent);
		js_u64(&j, "pages_unreadable", s->pages_unreadable);
		js_open(&j, "rejected", '{');
		js_u64(&j, "vmcs", s->rejected_vmcs);
		js_u64(&j, "vmcb", s->rejected_vmcb);
		js_u64(&j, "vmxon_like", s->vmxon_like);
		js_close(&j, '}');
		js_open(&j, "no_layout", '[');
		for (unsigned int i = 0; i < s->nnolayout; i++) {
			js_open(&j, NULL, '{');
			js_hex(&j, "revision", s->nolayout[i].revision, 1);
			js_u64(&j, "count", s->nolayout[i].count);
			js_close(&j, '}');
		}
		js_close(&j, ']');
		js_bool(&j, "too_many_vcpus", s->too_many);
	}
	js_open(&j, "layouts", '[');
	for (int i = 0; i < r->nlayouts; i++) {
		js_open(&j, NULL, '{');
		js_hex(&j, "revision", r->layouts[i].vi->revision_id, 1);
		js_str(&j, "source", r->layouts[i].source);
		js_u64(&j, "fields", r->layouts[i].vi->nfields);
		js_close(&j, '}');
	}
	js_close(&j, ']');
	js_close(&j, '}');
	js_open(&j, "kvm", '{');
	js_bool(&j, "walked", r->kw != NULL);
	js_str(&j, "status", r->kvm_status[0] ? r->kvm_status : NULL);
	js_str(&j, "source", r->kvm.source[0] ? r->kvm.source : NULL);
	js_str(&j, "dump_description", r->kvm.dump[0] ? r->kvm.dump : NULL);
	js_key(&j, "note_dump_differences");
	if (r->kvm.compared)
		fprintf(f, "%u", r->kvm.ndiff);
	else
		fputs("null", f);
	js_str(&j, "note_dump_diff", r->kvm.diff[0] ? r->kvm.diff : NULL);
	if (r->kw) {
		js_u64(&j, "vms", r->kw->nvms);
		js_bool(&j, "truncated", r->kw->truncated);
		js_str(&j, "error", r->kw->error[0] ? r->kw->error : NULL);
		js_key(&j, "crash_clock_ns");
		if (r->kw->have_crash_clock)
			fprintf(f, "%llu",
				(unsigned long long)r->kw->crash_clock);
		else
			fputs("null", f);
	}
	js_key(&j, "stall_seconds");
	fprintf(f, "%g", r->stall_seconds);
	js_close(&j, '}');
	js_open(&j, "limits", '{');
	js_key(&j, "time_budget_s");
	if (r->limits.time_budget >= 0)
		fprintf(f, "%g", r->limits.time_budget);
	else
		fputs("null", f);
	js_u64(&j, "reserve_mib", r->limits.reserve_mib);
	js_key(&j, "elapsed_s");
	fprintf(f, "%.1f", r->limits.elapsed);
	js_bool(&j, "stopped", r->limits.stopped);
	js_str(&j, "reason", r->limits.stopped ? r->limits.reason : NULL);
	js_close(&j, '}');
	js_open(&j, "guests", '[');
	for (size_t i = 0; i < r->nguests; i++)
		js_guest(&j, r, &r->guests[i]);
	js_close(&j, ']');
	js_open(&j, "errors", '[');
	for (unsigned int i = 0; i < r->nerrors; i++)
		js_str(&j, NULL, r->errors[i]);
	js_close(&j, ']');
	js_close(&j, '}');
	fputc('\n', f);
	if (fflush(f) || ferror(f))
		return -1;
	return 0;
}

static void summary_thread(FILE *f, const struct vg_report *r,
			   const struct vg_kw_vcpu *c)
{
	uint64_t ns;
	int known;

	fprintf(f, "    %s",
		c->have_mode ? vg_kw_mode_name(c->mode) : "mode ?");
	if (c->tid > 0)
		fprintf(f, ", thread %d", c->tid);
	if (c->have_task)
		fprintf(f, " \"%s\" %s", c->comm,
			vg_kw_task_state(c->task_state));
	ns = r->kw ? vg_kw_last_ran(r->kw, c, &known) : (known = 0, 0);
	if (known && c->on_cpu)
		fprintf(f, ", on a CPU at the crash");
	else if (known)
		fprintf(f, ", last ran %.3f s before the crash",
			(double)ns / 1e9);
	fputc('\n', f);
	if (known && (double)ns / 1e9 > r->stall_seconds)
		fprintf(f,
			"    STALLED: this vCPU thread had not run for %.1f s (more than %g s) when the host crashed\n",
			(double)ns / 1e9, r->stall_seconds);
}

void vg_report_summary(FILE *f, const struct vg_report *r)
{
	const struct vg_scan_result *s = r->scan;
	size_t shown = 0;
	char ename[64];

	if (r->kvm_status[0])
		fprintf(f, "KVM structures: %s\n", r->kvm_status);

	if (r->capture.mode)
		fprintf(f,
			"guests from the %s%s%s; %llu MiB read from the host "
			"dump (%s)\n",
			!strcmp(r->capture.mode, "walk") ?
				"KVM walk alone" :
			!strcmp(r->capture.mode, "scan") ?
				"host scan" :
				"KVM walk and the host scan",
			r->capture.why[0] ? ": " : "", r->capture.why,
			(unsigned long long)(r->capture.bytes_read >> 20),
			r->capture.read_method ? r->capture.read_method : "?");
	if (r->capture.mode)
		fprintf(f,
			"time: %.2f s opening the dump, %.2f s layouts and KVM "
			"walk, %.2f s vCPU states, %.2f s guests\n",
			r->capture.secs_open, r->capture.secs_kvm,
			r->capture.secs_states, r->capture.secs_guests);
	if (s && r->capture.mode && !strcmp(r->capture.mode, "walk"))
		fprintf(f,
			"checked %llu vCPU state pages the walk points to: %zu vCPU state(s)\n",
			(unsigned long long)s->pages_scanned, s->nfound);
	else if (s)
		fprintf(f,
			"scanned %llu host pages (%llu absent, %llu unreadable): %zu vCPU state(s), %u VMCS and %u VMCB candidates rejected\n",
			(unsigned long long)s->pages_scanned,
			(unsigned long long)s->pages_absent,
			(unsigned long long)s->pages_unreadable, s->nfound,
			s->rejected_vmcs, s->rejected_vmcb);
	for (unsigned int i = 0; s && i < s->nnolayout; i++)
		fprintf(f,
			"%u VMCS regions with revision 0x%x, no layout: load vmcsinfo-intel before kdump or pass --vmcsinfo\n",
			s->nolayout[i].count, s->nolayout[i].revision);
	for (size_t i = 0; i < r->nguests; i++) {
		const struct vg_report_guest *rg = &r->guests[i];

		if (!rg->selected)
			continue;
		shown++;
		fprintf(f, "guest %s (%s, %zu vCPU%s", rg->g->name,
			rg->g->vendor == VG_VENDOR_SVM ? "svm" : "vmx",
			rg->g->n, rg->g->n == 1 ? "" : "s");
		if (rg->g->vm && rg->g->vm->pid > 0)
			fprintf(f, ", pid %d", rg->g->vm->pid);
		if (rg->g->vm && rg->g->vm->uuid[0])
			fprintf(f, ", uuid %s", rg->g->vm->uuid);
		fputc(')', f);
		if (rg->have_core)
			fprintf(f, ": %llu pages present, %llu absent",
				(unsigned long long)rg->core.pages_present,
				(unsigned long long)rg->core.pages_absent);
		fputc('\n', f);
		for (size_t c = 0; c < rg->g->n; c++) {
			const struct vg_vcpu *v = &rg->vcpus[c].vcpu;

			if (v->state_encrypted) {
				fprintf(f, "  vcpu %d: state encrypted (%s)",
					v->index,
					vg_protection_name(v->protection) ?
						vg_protection_name(
							v->protection) :
						"encrypted");
				if (v->known & VG_K_EXIT_REASON)
					fprintf(f, ", exit 0x%llx",
						(unsigned long long)
							v->exit_reason);
				fputs(v->no_state ? ", no VMCS\n" : "\n", f);
				continue;
			}
			fprintf(f,
				"  vcpu %d: rip 0x%llx rsp 0x%llx cr3 0x%llx cs %04x:0x%llx exit 0x%llx %s\n",
				v->index, (unsigned long long)v->rip,
				(unsigned long long)v->gpr[VG_RSP],
				(unsigned long long)v->cr3,
				v->seg[VG_CS].selector,
				(unsigned long long)v->seg[VG_CS].base,
				(unsigned long long)v->exit_reason,
				vg_exit_reason_name(v->vendor, v->exit_reason,
						    ename, sizeof(ename)));
			if (rg->vcpus[c].kvm)
				summary_thread(f, r, rg->vcpus[c].kvm);
		}
		if (rg->g->note[0])
			fprintf(f, "  note: %s\n", rg->g->note);
		if (rg->g->nested && rg->l1_root_from)
			fprintf(f,
				"  memory: through %s's own tables at L1 gpa 0x%llx (%s), then %s's memslots\n",
				rg->g->l1_name, (unsigned long long)rg->l1_root,
				rg->l1_root_from, rg->g->l1_name);
		else if (rg->g->nested && rg->mem_source)
			fprintf(f, "  memory: %s%s%s\n", rg->mem_source,
				rg->mem_note[0] ? ": " : "", rg->mem_note);
		if (rg->written)
			fprintf(f, "  file %s%s\n", rg->file,
				rg->partial ? " (partial)" : "");
		if (rg->written && rg->core.kdump)
			summary_dump(f, &rg->core);
		if (rg->error[0])
			fprintf(f, "  %s\n", rg->error);
	}
	if (!shown)
		fprintf(f, "no guests found\n");
	if (r->limits.stopped && r->limits.reason)
		fprintf(f, "stopped: %s (elapsed %.1f s)\n", r->limits.reason,
			r->limits.elapsed);
}
