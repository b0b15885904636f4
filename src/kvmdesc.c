// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The KVMINFO description out of the host dump itself (src/kvmdesc.h).
 */
#include "src/kvmdesc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include <bpf/btf.h>

#include "notes/keyval.h"
#include "notes/kvminfo.h"
#include "src/hostbtf.h"
#include "src/hostdump.h"
#include "src/hostmods.h"

enum {
	S_START_BTF,
	S_STOP_BTF,
	S_MODULES,
	S_BTF_MODULES,
	S_RUNQUEUES,
	S_PER_CPU_OFFSET,
	S_NR_CPU_IDS,
	S_VM_LIST,
	S_N
};

static const struct vg_ksym wanted[S_N] = {
	[S_START_BTF] = { "__start_BTF", NULL, 0, 0, 0 },
	[S_STOP_BTF] = { "__stop_BTF", NULL, 0, 0, 0 },
	[S_MODULES] = { "modules", "dDbB", 0, 0, 0 },
	[S_BTF_MODULES] = { "btf_modules", "dDbB", 0, 0, 0 },
	[S_RUNQUEUES] = { "runqueues", "dDbBA", 0, 0, 0 }, /* A: per-CPU */
	[S_PER_CPU_OFFSET] = { "__per_cpu_offset", "dDbBrRA", 0, 0, 0 },
	[S_NR_CPU_IDS] = { "nr_cpu_ids", "dDbBrRA", 0, 0, 0 },
	[S_VM_LIST] = { "vm_list", "dDbB", 0, 0, 0 },
};

/* The modules whose BTF the description reads, and their slots. */
static const struct {
	const char *name;
	int slot;
} mods[] = {
	{ "kvm", KVMINFO_BTF_KVM },
	{ "kvm_amd", KVMINFO_BTF_KVM_AMD },
	{ "kvm_intel", KVMINFO_BTF_KVM_INTEL },
};

struct desc {
	struct vg_hostkv *kv;
	struct vg_ksym s[S_N];
	struct btf *btfs[KVMINFO_BTF_COUNT];
	struct vg_modlayout ml;
	int have_ml;
	struct kvminfo_syms syms;
	struct vg_kvmdesc_stats *st;
};

static int load_vmlinux_btf(struct desc *d, struct vg_error *err)
{
	const struct vg_ksym *a = &d->s[S_START_BTF], *b = &d->s[S_STOP_BTF];

	if (!a->found || !b->found)
		return vg_error_set(err, -ENOENT,
				    "no vmlinux BTF in the dump (no "
				    "__start_BTF in its kallsyms: a kernel "
				    "without CONFIG_DEBUG_INFO_BTF)");
	if (b->addr <= a->addr)
		return vg_error_set(err, -EINVAL,
				    "vmlinux BTF: __stop_BTF 0x%" PRIx64
				    " is not above __start_BTF 0x%" PRIx64,
				    b->addr, a->addr);
	d->st->vmlinux_btf = b->addr - a->addr;
	return vg_hostbtf_load(d->kv, a->addr, b->addr - a->addr,
			       VG_HOSTBTF_VMLINUX_MAX, NULL, "vmlinux BTF",
			       &d->btfs[KVMINFO_BTF_VMLINUX], err);
}

/* The kvm modules' BTF from btf_modules; a module not there is not loaded. */
static int load_module_btfs(struct desc *d, struct vg_error *err)
{
	char what[64];
	uint64_t data, size;
	size_t i;
	int rc;

	if (!d->have_ml || !d->s[S_BTF_MODULES].found)
		return 0;
	for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		rc = vg_hostmods_btf(d->kv, &d->ml, d->s[S_BTF_MODULES].addr,
				     mods[i].name, &data, &size, err);
		if (rc < 0)
			return rc;
		if (rc == 0)
			continue;
		snprintf(what, sizeof(what), "BTF of module %s", mods[i].name);
		rc = vg_hostbtf_load(d->kv, data, size, VG_HOSTBTF_MODULE_MAX,
				     d->btfs[KVMINFO_BTF_VMLINUX], what,
				     &d->btfs[mods[i].slot], err);
		if (rc < 0)
			return rc;
		if (mods[i].slot == KVMINFO_BTF_KVM) {
			d->st->kvm_btf = size;
		} else {
			d->st->vendor_btf = size;
			d->st->vendor_module = mods[i].name;
		}
	}
	return 0;
}

/* vm_list: kvm.ko's (a local symbol of the module), else built-in KVM's. */
static int find_vm_list(struct desc *d, struct vg_error *err)
{
	uint64_t addr;
	int rc = 0;

	if (d->have_ml && d->s[S_MODULES].found)
		rc = vg_hostmods_sym(d->kv, &d->ml, d->s[S_MODULES].addr, "kvm",
				     "vm_list", "dDbB", &addr, err);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		d->syms.vm_list = addr;
		d->syms.have_vm_list = 1;
	} else if (d->s[S_VM_LIST].found) {
		d->syms.vm_list = d->s[S_VM_LIST].addr;
		d->syms.have_vm_list = 1;
	}
	return 0;
}

static int describe(struct desc *d, const char *vmci, size_t vlen, char *buf,
		    size_t bufsz, struct vg_error *err)
{
	char osrelease[65];
	uint32_t nr;
	int rc;

	memcpy(d->s, wanted, sizeof(d->s));
	rc = vg_kallsyms_find(d->kv, vmci, vlen, d->s, S_N, &d->st->ks, err);
	if (rc)
		return rc;
	rc = load_vmlinux_btf(d, err);
	if (rc)
		return rc;
	d->have_ml = vg_modlayout_init(d->btfs[KVMINFO_BTF_VMLINUX], &d->ml,
				       NULL) == 0;
	rc = load_module_btfs(d, err);
	if (rc == 0)
		rc = find_vm_list(d, err);
	if (rc)
		return rc;
	d->syms.btf_from = "the dump's BTF";
	d->syms.no_kvm_btf = "kvm is not on the dump's btf_modules";
	d->syms.syms_from = "the dump's kallsyms and module symbols";
	if (d->s[S_RUNQUEUES].found)
		d->syms.runqueues = d->s[S_RUNQUEUES].addr;
	if (d->s[S_PER_CPU_OFFSET].found)
		d->syms.per_cpu_offset = d->s[S_PER_CPU_OFFSET].addr;
	if (d->s[S_NR_CPU_IDS].found &&
	    vg_kv_u32(d->kv, d->s[S_NR_CPU_IDS].addr, &nr) == 0 && nr > 0 &&
	    nr <= 65536) {
		d->syms.nr_cpu_ids = nr;
		d->syms.have_nr_cpu_ids = 1;
	}
	if (keyval_get(vmci, vlen, "OSRELEASE", osrelease, sizeof(osrelease)))
		osrelease[0] = '\0';
	return kvminfo_format_from(d->btfs, &d->syms,
				   osrelease[0] ? osrelease : NULL, buf, bufsz,
				   err);
}

int vg_kvmdesc_build(struct vg_hostkv *kv, const char *vmci, size_t vlen,
		     char *buf, size_t bufsz, struct vg_kvmdesc_stats *stats,
		     struct vg_error *err)
{
	struct vg_kvmdesc_stats dummy;
	struct desc d;
	int rc, i;

	vg_error_clear(err);
	memset(&d, 0, sizeof(d));
	d.kv = kv;
	d.st = stats ? stats : &dummy;
	memset(d.st, 0, sizeof(*d.st));
	if (buf && bufsz)
		buf[0] = '\0';
	rc = describe(&d, vmci, vlen, buf, bufsz, err);
	for (i = KVMINFO_BTF_COUNT - 1; i >= 0; i--)
		btf__free(d.btfs[i]);
	return rc;
}

/* Read the NUL-terminated text at va, page by page, into buf. */
static int read_text(struct vg_hostkv *kv, uint64_t va, char *buf, size_t bufsz,
		     struct vg_error *err)
{
	size_t len = 0;

	while (len + 1 < bufsz) {
		size_t n = 4096 - (size_t)((va + len) & 4095);
		char *nul;

		if (n > bufsz - 1 - len)
			n = bufsz - 1 - len;
		if (vg_hostkv_read(kv, va + len, buf + len, n) != VG_HM_OK)
			return vg_error_set(err, -ENODATA,
					    "%s: the text at 0x%" PRIx64
					    " is not in the dump",
					    VG_VMCSINFO_MODULE, va + len);
		nul = memchr(buf + len, '\0', n);
		if (nul)
			return (int)(nul - buf);
		len += n;
	}
	return vg_error_set(err, -EINVAL,
			    "%s: the text at 0x%" PRIx64 " has no end within "
			    "%zu bytes",
			    VG_VMCSINFO_MODULE, va, bufsz);
}

int vg_kvmdesc_vmcsinfo(struct vg_hostkv *kv, const char *vmci, size_t vlen,
			char *buf, size_t bufsz, struct vg_error *err)
{
	struct desc d;
	uint64_t addr = 0;
	int rc;

	vg_error_clear(err);
	memset(&d, 0, sizeof(d));
	d.kv = kv;
	d.st = &(struct vg_kvmdesc_stats){ 0 };
	memcpy(d.s, wanted, sizeof(d.s));
	rc = vg_kallsyms_find(kv, vmci, vlen, d.s, S_N, &d.st->ks, err);
	if (rc == 0)
		rc = load_vmlinux_btf(&d, err);
	if (rc == 0)
		rc = vg_modlayout_init(d.btfs[KVMINFO_BTF_VMLINUX], &d.ml, err);
	if (rc == 0 && !d.s[S_MODULES].found)
		rc = vg_error_set(err, -ENOENT,
				  "no modules list in the dump's kallsyms");
	if (rc == 0) {
		rc = vg_hostmods_sym(kv, &d.ml, d.s[S_MODULES].addr,
				     VG_VMCSINFO_MODULE, VG_VMCSINFO_SYMBOL,
				     "dDbBrR", &addr, err);
		if (rc == 0)
			rc = vg_error_set(err, -ENOENT,
					  "no %s with %s on the dump's module "
					  "list",
					  VG_VMCSINFO_MODULE,
					  VG_VMCSINFO_SYMBOL);
		else if (rc == 1)
			rc = read_text(kv, addr, buf, bufsz, err);
	}
	btf__free(d.btfs[KVMINFO_BTF_VMLINUX]);
	return rc;
}

int vg_kvmdesc_from_file(const char *path, char *buf, size_t bufsz,
			 struct vg_kvmdesc_stats *stats, struct vg_error *err)
{
	struct vg_hostdump *hd;
	struct vg_hostkv kv;
	const char *vmci;
	size_t vlen = 0;
	int rc;

	vg_error_clear(err);
	hd = vg_hostdump_open(path, err);
	if (!hd)
		return err && err->code ? err->code : -EINVAL;
	rc = vg_hostdump_vmcoreinfo(hd, &vmci, &vlen, err);
	if (rc > 0)
		rc = vg_error_set(err, -ENOENT, "%s has no VMCOREINFO", path);
	if (rc == 0)
		rc = vg_hostkv_init(&kv, vg_hostdump_mem(hd), vmci, vlen, err);
	if (rc == 0)
		rc = vg_kvmdesc_build(&kv, vmci, vlen, buf, bufsz, stats, err);
	vg_hostdump_close(hd);
	return rc;
}
