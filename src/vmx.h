/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Intel VMX: recognising VMCS regions in host memory and reading guest
 * state out of them, for any layout described by a struct vmcsinfo (from
 * the VMCSINFO note, --vmcsinfo, or KVM's vmcs12 built in here).
 */
#ifndef VG_VMX_H
#define VG_VMX_H

#include <stddef.h>
#include <stdint.h>

#include "notes/vgerr.h"
#include "notes/vmcsinfo.h"
#include "src/vcpu.h"

/* KVM's emulated VMCS for nested guests (arch/x86/kvm/vmx/vmcs12.h). */
#define VG_VMCS12_REVISION 0x11e57ed0u

/* Field encodings (Intel SDM vol. 3 appendix B) that we read. */
#define VMCS_GUEST_ES_SELECTOR 0x0800
#define VMCS_EPT_POINTER 0x201a
#define VMCS_LINK_POINTER 0x2800
#define VMCS_GUEST_IA32_EFER 0x2806
#define VMCS_HOST_IA32_EFER 0x2c02
#define VMCS_CPU_BASED_EXEC_CONTROL 0x4002
#define VMCS_VM_ENTRY_CONTROLS 0x4012
#define VMCS_SECONDARY_EXEC_CONTROL 0x401e
#define VMCS_VM_EXIT_REASON 0x4402
#define VMCS_GUEST_ES_LIMIT 0x4800
#define VMCS_GUEST_GDTR_LIMIT 0x4810
#define VMCS_GUEST_IDTR_LIMIT 0x4812
#define VMCS_GUEST_ES_AR 0x4814
#define VMCS_CR0_GUEST_HOST_MASK 0x6000
#define VMCS_CR4_GUEST_HOST_MASK 0x6002
#define VMCS_CR0_READ_SHADOW 0x6004
#define VMCS_CR4_READ_SHADOW 0x6006
#define VMCS_GUEST_CR0 0x6800
#define VMCS_GUEST_CR3 0x6802
#define VMCS_GUEST_CR4 0x6804
#define VMCS_GUEST_ES_BASE 0x6806
#define VMCS_GUEST_GDTR_BASE 0x6816
#define VMCS_GUEST_IDTR_BASE 0x6818
#define VMCS_GUEST_RSP 0x681c
#define VMCS_GUEST_RIP 0x681e
#define VMCS_GUEST_RFLAGS 0x6820
#define VMCS_HOST_CR0 0x6c00
#define VMCS_HOST_CR3 0x6c02
#define VMCS_HOST_CR4 0x6c04

/* The built-in vmcs12 layout as a VMCSINFO table. */
const struct vmcsinfo *vg_vmcs12_layout(void);

/* Byte offset of a field in layout vi, or -1. */
int vg_vmx_offset(const struct vmcsinfo *vi, uint16_t encoding);

/*
 * Check that a layout has every field discovery needs and that each field
 * lies inside the 4 KiB region.  0, or -EINVAL with the reason in err.
 */
int vg_vmx_layout_usable(const struct vmcsinfo *vi, struct vg_error *err);

/*
 * Validate the page as a VMCS region in layout vi (the caller matched the
 * revision id).  Returns NULL and fills vcpu/eptp when it is one, else a
 * short static reason for -v.
 */
const char *vg_vmx_check(const uint8_t *page, const struct vmcsinfo *vi,
			 uint64_t max_paddr, struct vg_vcpu *vcpu,
			 uint64_t *eptp);

/*
 * Heuristic for VMCS regions whose revision id has no layout: small
 * revision id, abort indicator 0, an all-ones VMCS link pointer somewhere
 * in the page and more data than a VMXON region holds.  Returns 1 when the
 * page looks like one.
 */
int vg_vmx_looks_like_vmcs(const uint8_t *page);

/* ---- access rights (src/vmxar.c) ---- */

/* The inverse of vg_ar_format_name() (src/vcpu.h); VG_AR_UNKNOWN for any other string. */
enum vg_ar_format vg_ar_format_parse(const char *s);

/* The format the layout states (its AR_FORMAT key), or VG_AR_UNKNOWN. */
enum vg_ar_format vg_vmx_ar_format(const struct vmcsinfo *vi);

/*
 * Decode one raw access-rights field of segment seg (enum vg_segreg)
 * stored in format f.  0 and *ar set when the result is a value a CPU
 * holds for that segment; -1 (nothing written) otherwise.
 */
int vg_ar_decode(uint32_t raw, enum vg_ar_format f, int seg, uint32_t *ar);

/*
 * Infer the format from the eight raw fields (ES ... TR): a value valid
 * in one format only decides; no decider, or deciders that disagree,
 * give VG_AR_UNKNOWN and a static reason in *why.
 */
enum vg_ar_format vg_ar_infer(const uint32_t raw[VG_NR_SEGS], const char **why);

/*
 * Fill v->seg[].attr from the raw fields in the stated format (inferred
 * when VG_AR_UNKNOWN), with ar_format, ar_format_from, ar_why, CPL, and
 * an unknown entry for each field invalid in that format.
 */
void vg_vmx_decode_ar(struct vg_vcpu *v, const uint32_t raw[VG_NR_SEGS],
		      enum vg_ar_format stated);

#endif
