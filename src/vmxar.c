// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VMX segment access rights: the in-memory formats a VMCS may keep them
 * in (enum vg_ar_format), which one a layout states, inferring it from
 * the eight values when none is stated, and decoding into the
 * architectural layout (src/vcpu.h).
 */
#include <string.h>

#include "notes/vmcsinfo-parse.h"
#include "src/vmx.h"

static const char *const ar_names[] = {
	[VG_AR_ARCH] = "architectural",
	[VG_AR_ROT8] = "rotated-8",
	[VG_AR_PACK16] = "packed-16",
};

const char *vg_ar_format_name(enum vg_ar_format f)
{
	return f > VG_AR_UNKNOWN && f <= VG_AR_PACK16 ? ar_names[f] : NULL;
}

enum vg_ar_format vg_ar_format_parse(const char *s)
{
	for (int f = VG_AR_ARCH; f <= VG_AR_PACK16; f++)
		if (!strcmp(s, ar_names[f]))
			return (enum vg_ar_format)f;
	return VG_AR_UNKNOWN;
}

enum vg_ar_format vg_vmx_ar_format(const struct vmcsinfo *vi)
{
	char buf[VMCSINFO_INFO_VALUE_MAX + 1];

	if (vmcsinfo_get_info(vi, VMCSINFO_KEY_AR_FORMAT, buf, sizeof(buf)))
		return VG_AR_UNKNOWN;
	return vg_ar_format_parse(buf);
}

/*
 * Whether an architectural value is what a CPU holds for segment s: no
 * reserved bit (31:17, 11:8) set, and a usable segment present with a
 * descriptor type the VM-entry checks allow (SDM 27.3.1.2, unrestricted
 * guests included).  An unusable segment's other bits are undefined.
 */
static int ar_valid(uint32_t ar, int s)
{
	unsigned int type = ar & 0xf, code_data = !!(ar & 0x10);

	if ((ar >> 17) || (ar & 0xf00))
		return 0;
	if (ar & VG_SEG_UNUSABLE)
		return 1;
	if (!(ar & 0x80))
		return 0;
	switch (s) {
	case VG_TR:
		return !code_data && (type == 3 || type == 11);
	case VG_LDTR:
		return !code_data && type == 2;
	case VG_CS:
		return code_data && ((type & 8) || type == 3);
	case VG_SS:
		return code_data && (type == 3 || type == 7);
	default: /* data, or readable code */
		return code_data && (!(type & 8) || (type & 2));
	}
}

int vg_ar_decode(uint32_t raw, enum vg_ar_format f, int seg, uint32_t *ar)
{
	uint32_t v;

	switch (f) {
	case VG_AR_ARCH:
		v = raw;
		break;
	case VG_AR_ROT8:
		v = (raw >> 8) | (raw << 24);
		break;
	case VG_AR_PACK16:
		/* A 16-bit value: the field's upper half is not part of it. */
		raw &= 0xffff;
		if (raw & 0x700)
			return -1;
		v = (raw & 0xf0ffu) | ((raw & 0x800u) << 5);
		break;
	default:
		return -1;
	}
	if (!ar_valid(v, seg))
		return -1;
	*ar = v;
	return 0;
}

enum vg_ar_format vg_ar_infer(const uint32_t raw[VG_NR_SEGS], const char **why)
{
	unsigned int decided = 0;
	int f;

	for (int s = 0; s < VG_NR_SEGS; s++) {
		unsigned int fits = 0;
		uint32_t ar;

		for (f = VG_AR_ARCH; f <= VG_AR_PACK16; f++)
			if (vg_ar_decode(raw[s], (enum vg_ar_format)f, s,
					 &ar) == 0)
				fits |= 1u << f;
		/* A value valid in one format only decides. */
		if (fits && !(fits & (fits - 1)))
			decided |= fits;
	}
	if (!decided) {
		*why = "access-rights format not stated by the layout, and no value fits one format only";
		return VG_AR_UNKNOWN;
	}
	if (decided & (decided - 1)) {
		*why = "access-rights format not stated by the layout, and the values point to different formats";
		return VG_AR_UNKNOWN;
	}
	for (f = VG_AR_ARCH; !(decided & (1u << f)); f++)
		;
	*why = NULL;
	return (enum vg_ar_format)f;
}

static const char *const bad_in[] = {
	[VG_AR_ARCH] = "not valid access rights in the architectural format",
	[VG_AR_ROT8] = "not valid access rights in the rotated-8 format",
	[VG_AR_PACK16] = "not valid access rights in the packed-16 format",
};

void vg_vmx_decode_ar(struct vg_vcpu *v, const uint32_t raw[VG_NR_SEGS],
		      enum vg_ar_format stated)
{
	enum vg_ar_format f = stated;

	v->ar_format_from = "layout";
	if (f == VG_AR_UNKNOWN) {
		f = vg_ar_infer(raw, &v->ar_why);
		v->ar_format_from = f ? "inferred" : NULL;
	}
	v->ar_format = f;
	for (int s = 0; s < VG_NR_SEGS; s++)
		v->seg[s].attr = 0;
	if (f == VG_AR_UNKNOWN)
		return;
	v->known |= VG_K_SEG_ATTR;
	for (int s = 0; s < VG_NR_SEGS; s++) {
		if (vg_ar_decode(raw[s], f, s, &v->seg[s].attr) == 0)
			continue;
		v->attr_unknown |= 1u << s;
		vg_vcpu_unknown(v, vg_seg_attr_field(s), bad_in[f]);
	}
	/* SS.DPL is the CPL (SDM 24.4.1), saved even when SS is unusable. */
	if (!(v->attr_unknown & (1u << VG_SS))) {
		v->cpl = (uint8_t)((v->seg[VG_SS].attr >> 5) & 3);
		v->known |= VG_K_CPL;
	}
}
