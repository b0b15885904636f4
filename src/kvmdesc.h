/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The KVMINFO description a host dump holds of itself, without any note
 * (docs/kvminfo-note.md, "Without the note"): the host's kallsyms
 * decoded through VMCOREINFO (src/kallsyms.h), vmlinux BTF between
 * __start_BTF and __stop_BTF and the kvm modules' BTF from btf_modules
 * (src/hostbtf.h), vm_list from kvm's symbol table on the `modules`
 * list (src/hostmods.h), nr_cpu_ids from its variable, OSRELEASE from
 * VMCOREINFO; then the same formatter as the load-time note
 * (kvminfo_format_from(), notes/kvminfo.h), so the text has the same
 * keys and goes through the same parser and walk.
 */
#ifndef VG_KVMDESC_H
#define VG_KVMDESC_H

#include <stddef.h>
#include <stdint.h>

#include "notes/vgerr.h"
#include "src/hostkv.h"
#include "src/kallsyms.h"

/* What deriving the description read (for reports and the benchmark). */
struct vg_kvmdesc_stats {
	struct vg_kallsyms_info ks;
	uint64_t vmlinux_btf, kvm_btf, vendor_btf; /* bytes */
	const char *vendor_module; /* "kvm_amd", "kvm_intel" or NULL */
};

/*
 * Build the description of the host whose VMCOREINFO is vmci (vlen
 * bytes) and whose kernel memory kv reads, into buf (NUL-terminated).
 * stats may be NULL.  Returns the text length, or with one line in err
 * that names the missing piece:
 *   -ENOENT   VMCOREINFO does not locate kallsyms (Linux < 6.0), no
 *             vmlinux BTF (CONFIG_DEBUG_INFO_BTF=n), no module list,
 *             kvm not loaded, no vm_list
 *   -ENODATA  a page the description needs is not in the dump (a
 *             filtered dump)
 *   -EINVAL   corrupt tables, lists or BTF
 *   -ENOSPC, -ENOMEM
 */
int vg_kvmdesc_build(struct vg_hostkv *kv, const char *vmci, size_t vlen,
		     char *buf, size_t bufsz, struct vg_kvmdesc_stats *stats,
		     struct vg_error *err);

/*
 * The VMCS layout the Intel provider module keeps in its own memory:
 * the NUL-terminated VMCSINFO text behind the symbol VG_VMCSINFO_SYMBOL
 * of module VG_VMCSINFO_MODULE (kernel/vmcsinfo-intel), found through
 * the dump's kallsyms, vmlinux BTF and module list as above.  Copies it
 * into buf (at most bufsz - 1 bytes, NUL-terminated) and returns its
 * length, or -ENOENT (no kallsyms, no BTF, the module not loaded, or a
 * module without the symbol), -ENODATA, -EINVAL (no NUL within bufsz),
 * with one line in err.
 */
#define VG_VMCSINFO_MODULE "vmcsinfo_intel"
#define VG_VMCSINFO_SYMBOL "vmcsinfo_text"
int vg_kvmdesc_vmcsinfo(struct vg_hostkv *kv, const char *vmci, size_t vlen,
			char *buf, size_t bufsz, struct vg_error *err);

/*
 * The same for the dump file at path (opened once through
 * src/hostdump.h, VMCOREINFO from its notes): for `vmcsinfo kvminfo
 * --from-dump`.  Same returns; an unusable dump is -EINVAL.
 */
int vg_kvmdesc_from_file(const char *path, char *buf, size_t bufsz,
			 struct vg_kvmdesc_stats *stats, struct vg_error *err);

#endif
