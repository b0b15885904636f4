// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VMCSINFO, the reading side: descriptor text back into a layout
 * (docs/vmcsinfo-note.md), through the shared KEY=VALUE reader.
 */
#include "vmcsinfo-parse.h"

#include <errno.h>
#include <string.h>

#include "keyval.h"

/* What one parse has seen so far. */
struct parse_state {
	unsigned char seen[65536 / 8]; /* FIELD() encodings */
	int have_version, have_rev;
};

static const char *const info_keys[] = {
	"SOURCE",	"CPU_VENDOR", "CPU_FAMILY",	      "CPU_MODEL",
	"CPU_STEPPING", "MICROCODE",  VMCSINFO_KEY_AR_FORMAT,
};

static int is_info_key(const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(info_keys) / sizeof(info_keys[0]); i++)
		if (strlen(info_keys[i]) == len &&
		    !memcmp(info_keys[i], key, len))
			return 1;
	return 0;
}

/* Parse one line (no '\n'); lineno for messages. */
static int parse_line(const struct keyval *kv, struct vmcsinfo *vi,
		      struct parse_state *ps, struct vg_error *err)
{
	const char *l = kv->key, *val = kv->val;
	size_t klen = kv->klen, vlen = kv->vlen;
	unsigned int lineno = kv->lineno;
	unsigned char *seen = ps->seen;
	int *have_version = &ps->have_version, *have_rev = &ps->have_rev;
	uint64_t v, enc;

	if (klen == 16 && !memcmp(l, "VMCSINFO_VERSION", 16)) {
		if (*have_version)
			return vg_error_set(
				err, -EINVAL,
				"line %u: VMCSINFO_VERSION given twice",
				lineno);
		if (vmcsinfo_number(val, vlen, &v) < 0)
			return vg_error_set(
				err, -EINVAL,
				"line %u: VMCSINFO_VERSION is not a number",
				lineno);
		if (v != VMCSINFO_VERSION)
			return vg_error_set(
				err, -EINVAL,
				"line %u: unsupported VMCSINFO_VERSION %llu "
				"(this reader knows %d)",
				lineno, (unsigned long long)v,
				VMCSINFO_VERSION);
		*have_version = 1;
		return 0;
	}
	if (klen == 11 && !memcmp(l, "REVISION_ID", 11)) {
		if (*have_rev)
			return vg_error_set(err, -EINVAL,
					    "line %u: REVISION_ID given twice",
					    lineno);
		if (vmcsinfo_number(val, vlen, &v) < 0 || v > UINT32_MAX)
			return vg_error_set(
				err, -EINVAL,
				"line %u: REVISION_ID is not a 32-bit "
				"number",
				lineno);
		vi->revision_id = (uint32_t)v;
		*have_rev = 1;
		return 0;
	}
	if (klen >= 7 && !memcmp(l, "FIELD(", 6) && l[klen - 1] == ')') {
		if (vmcsinfo_number(l + 6, klen - 7, &enc) < 0 || enc > 0xffff)
			return vg_error_set(
				err, -EINVAL,
				"line %u: bad field encoding in %.*s", lineno,
				(int)klen, l);
		if (vmcsinfo_number(val, vlen, &v) < 0)
			return vg_error_set(
				err, -EINVAL,
				"line %u: FIELD(0x%04llx) offset is not a "
				"number",
				lineno, (unsigned long long)enc);
		if (v >= VMCSINFO_REGION_SIZE)
			return vg_error_set(
				err, -EINVAL,
				"line %u: FIELD(0x%04llx) offset 0x%llx out "
				"of range (must be < %d)",
				lineno, (unsigned long long)enc,
				(unsigned long long)v, VMCSINFO_REGION_SIZE);
		if (seen[enc / 8] & (1u << (enc % 8)))
			return vg_error_set(
				err, -EINVAL,
				"line %u: FIELD(0x%04llx) given twice", lineno,
				(unsigned long long)enc);
		seen[enc / 8] |= (unsigned char)(1u << (enc % 8));
		if (v == 0)
			return 0; /* absent */
		if (vi->nfields >= VMCSINFO_MAX_FIELDS)
			return vg_error_set(err, -EINVAL,
					    "line %u: more than %d fields",
					    lineno, VMCSINFO_MAX_FIELDS);
		vi->fields[vi->nfields].encoding = (uint16_t)enc;
		vi->fields[vi->nfields].offset = (uint16_t)v;
		vi->nfields++;
		return 0;
	}
	if (klen == 0 || memchr(l, ' ', klen))
		return vg_error_set(err, -EINVAL, "line %u: bad key \"%.*s\"",
				    lineno, (int)(klen > 32 ? 32 : klen), l);
	if (is_info_key(l, klen)) {
		char key[32], value[VMCSINFO_INFO_VALUE_MAX + 1];

		memcpy(key, l, klen);
		key[klen] = '\0';
		if (vmcsinfo_get_info(vi, key, NULL, 0) == 0)
			return vg_error_set(err, -EINVAL,
					    "line %u: %s given twice", lineno,
					    key);
		if (vlen > VMCSINFO_INFO_VALUE_MAX)
			vlen = VMCSINFO_INFO_VALUE_MAX;
		memcpy(value, val, vlen);
		value[vlen] = '\0';
		vmcsinfo_set_info(vi, key, value);
	}
	return 0; /* unknown keys are ignored */
}

int vmcsinfo_parse(const char *text, size_t len, struct vmcsinfo *vi,
		   struct vg_error *err)
{
	static struct parse_state ps;
	struct keyval_iter it;
	struct keyval kv;
	size_t end;
	int rc;

	memset(vi, 0, sizeof(*vi));
	memset(&ps, 0, sizeof(ps));
	rc = keyval_check_text(text, len, err);
	if (rc < 0)
		return rc;
	end = text ? strnlen(text, len) : 0;
	keyval_init(&it, text, end);
	while ((rc = keyval_next(&it, &kv, err)) > 0) {
		rc = parse_line(&kv, vi, &ps, err);
		if (rc < 0)
			return rc;
	}
	if (rc < 0)
		return rc;
	if (!ps.have_version)
		return vg_error_set(err, -EINVAL, "no VMCSINFO_VERSION line");
	if (!ps.have_rev)
		return vg_error_set(err, -EINVAL, "no REVISION_ID line");
	vmcsinfo_sort(vi);
	return vmcsinfo_validate(vi, err);
}

int vmcsinfo_validate(const struct vmcsinfo *vi, struct vg_error *err)
{
	return vmcsinfo_check(vi, NULL, err);
}

int vmcsinfo_offset(const struct vmcsinfo *vi, uint16_t encoding)
{
	const struct vmcsinfo_field *f = vmcsinfo_find_field(vi, encoding);

	return f ? f->offset : -1;
}

int vmcsinfo_get_info(const struct vmcsinfo *vi, const char *key, char *buf,
		      size_t bufsz)
{
	return keyval_get(vi->info, strnlen(vi->info, sizeof(vi->info)), key,
			  buf, bufsz);
}
