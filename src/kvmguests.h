/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Joining the KVM walk (src/kvmwalk.h) with the scan (src/scan.h): the
 * walk names the guests, orders their vCPUs, adds the GPRs KVM keeps in
 * vcpu->arch.regs[] and gives complete memory through the memslots; the
 * scan's decoding of each VMCB/VMCS stays the source of the other
 * registers.  Where the two disagree the scan result is used and the
 * guest says why (vg_guest.note).
 */
#ifndef VG_KVMGUESTS_H
#define VG_KVMGUESTS_H

#include <stddef.h>

#include "src/hostkv.h"
#include "src/kvmwalk.h"
#include "src/scan.h"

/*
 * Choose the description and walk.  note (nlen bytes, NULL: none) is
 * the KVMINFO text from note_source ("note": the dump's, "carrier": the
 * kexec -s carrier), or when note is NULL note_absent says why (the
 * note lookup's message; NULL: "no KVMINFO note"); vmci the host's
 * VMCOREINFO.  A usable note (it parses, its OSRELEASE is the dump's)
 * is walked as it is, unless check is set; when that walk fails or finds
 * no VM (a note is load-time data: a kvm module reloaded after the load
 * moves vm_list), and with check, the dump's own description
 * (src/kvmdesc.h) is derived and compared with the note key by key, and
 * it is used instead when they differ.  With no usable note it is the
 * only description.  ch says which was used and what differed.
 * Returns 1 when the walk
 * ran (kw filled; free with vg_kw_result_free), 0 when it did not (why
 * says why, naming the missing pieces).
 */
int vg_kvm_from_notes(const void *note, size_t nlen, const char *note_source,
		      const char *note_absent, const char *vmci, size_t vlen,
		      int check, struct vg_hostmem *hm, struct vg_hostkv *kv,
		      struct vg_kw_result *kw, struct vg_kvm_choice *ch,
		      char *why, size_t whysz);

/*
 * Walk mode: the vCPU state pages the walk points to (vmcb01/vmcs01, and
 * vmcb02/vmcs02 of a vCPU running a nested guest) judged one by one as
 * the scan judges every page (vg_scan_page_at()), into res (reset here;
 * free with vg_scan_result_free), so that vg_group() and vg_kvm_merge()
 * work on them as on a scan's.  Returns 0 when every VM was walked to
 * the end and every state page passed, 1 when the walk cannot stand
 * alone (why: vm_list cut short, a VM with vCPUs the walk could not
 * read, a state page that failed its check: the caller scans instead),
 * or -ENOMEM.  A VMCS of a revision without a layout is no failure: the
 * scan would find the same page; res->nolayout counts it.
 */
int vg_kvm_states(const struct vg_kw_result *kw, const struct vg_scan_cfg *cfg,
		  struct vg_scan_result *res, char *why, size_t whysz);

/*
 * Claim the scan's guests for the walked VMs: name them (QEMU -name, else
 * argv[0]-pid), link vg_guest.vm and vg_found.kvm, order the vCPUs by
 * vcpu_idx, add the GPRs; name nested L2 guests after their L1.
 */
void vg_kvm_merge(const struct vg_kw_result *kw, struct vg_scan_result *res,
		  struct vg_guest *guests, size_t ng);

/*
 * The walked VMs no guest holds after vg_kvm_merge() and
 * vg_kvm_add_tds(): the KVM walk and the scan disagree on their vCPU
 * states (the scan's guest was written instead: fewer vCPUs, memory from
 * the nested tables), or none of their states was found (nothing was
 * written for them).  One line each to line(arg, text); returns how
 * many.  A VM without vCPUs has nothing to find and is not named.
 */
unsigned vg_kvm_unheld(const struct vg_kw_result *kw,
		       const struct vg_scan_result *res,
		       const struct vg_guest *guests, size_t ng,
		       void (*line)(void *arg, const char *text), void *arg);

/*
 * TDs (vm_type TDX): their vCPUs have no VMCS, so neither the scan nor
 * vg_kvm_states() finds them.  Each walked TD no guest claims yet is
 * appended as a guest (stateless, vm set) with one vCPU per walked
 * vcpu: no state, registers unknown, state_encrypted, protection TDX.
 * *guests and res->found may move.  0, or -ENOMEM.
 */
int vg_kvm_add_tds(const struct vg_kw_result *kw, struct vg_scan_result *res,
		   struct vg_guest **guests, size_t *ng);

/*
 * What kvm->arch.vm_type says of the guest's protection: VG_PROT_NONE
 * when vm is NULL, the kernel has no vm_type, the type is the default
 * (legacy KVM_SEV_INIT keeps that type: the VMCB still tells) or one
 * this tool does not know.
 */
enum vg_protection vg_kvm_protection(const struct vg_kw_vm *vm);

/*
 * Does the VM have a guest_memfd memslot (KVM_MEM_GUEST_MEMFD: private
 * memory outside QEMU's mapping)?  1 yes, 0 no, -1 unknown (the
 * description gave no memslot flags).
 */
int vg_kvm_gmem_slots(const struct vg_kw_vm *vm);

/*
 * vcpu->arch.regs[] into v: every GPR, except that the VMCS (RSP, RIP)
 * and the VMCB (RAX, RSP, RIP) stay authoritative unless KVM marked its
 * copy dirty (written by userspace after the last exit).
 */
void vg_kvm_overlay_regs(struct vg_vcpu *v, const struct vg_kw_vcpu *c);

#endif
