// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KVMINFO note parsing (notes/kvminfo-parse.h).
 */
#define KVMINFO_KEYS_TABLE
#include "kvminfo-parse.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "keyval.h"

/* "KIND(path)" of every key, made once from the shared table. */
static char key_text[KI_NR][80];

static void make_key_text(void)
{
	if (key_text[0][0])
		return;
	for (int k = 0; k < KI_NR; k++)
		snprintf(key_text[k], sizeof(key_text[k]), "%s(%s)",
			 kvminfo_kind_name(kvminfo_keys[k].kind),
			 kvminfo_keys[k].path);
}

const char *vg_kvminfo_key(enum kvminfo_key k)
{
	make_key_text();
	return (unsigned int)k < KI_NR ? key_text[k] : "?";
}

static void copy_value(char *dst, size_t dstsz, const struct keyval *kv)
{
	size_t n = kv->vlen < dstsz ? kv->vlen : dstsz - 1;

	memcpy(dst, kv->val, n);
	dst[n] = '\0';
}

/* One line of the note; 0 or -EINVAL. */
static int parse_line(const struct keyval *kv, struct vg_kvminfo *ki,
		      struct vg_error *err)
{
	uint64_t v;

	if (keyval_is(kv, "KVMINFO_VERSION")) {
		if (keyval_u64(kv->val, kv->vlen, 10, &v) || v == 0)
			return vg_error_set(
				err, -EINVAL, "KVMINFO: bad version: %.*s",
				(int)(kv->vlen > 40 ? 40 : kv->vlen), kv->val);
		ki->version = v > 1000 ? 1000 : (int)v;
		return 0;
	}
	if (keyval_is(kv, "OSRELEASE")) {
		copy_value(ki->osrelease, sizeof(ki->osrelease), kv);
		return 0;
	}
	if (keyval_is(kv, "VENDOR")) {
		if (kv->vlen == 3 && !memcmp(kv->val, "svm", 3))
			ki->vendor = VG_KI_VENDOR_SVM;
		else if (kv->vlen == 3 && !memcmp(kv->val, "vmx", 3))
			ki->vendor = VG_KI_VENDOR_VMX;
		return 0;
	}
	for (int k = 0; k < KI_NR; k++) {
		if (!keyval_is(kv, key_text[k]))
			continue;
		if (keyval_u64(kv->val, kv->vlen,
			       kvminfo_keys[k].kind == KVMINFO_SYMBOL ? 16 : 10,
			       &v))
			return vg_error_set(
				err, -EINVAL, "KVMINFO: bad value: %.*s=%.*s",
				(int)kv->klen, kv->key,
				(int)(kv->vlen > 40 ? 40 : kv->vlen), kv->val);
		ki->val[k] = v;
		ki->have[k] = 1;
		return 0;
	}
	return 0; /* unknown keys are ignored */
}

int vg_kvminfo_parse(const char *text, size_t len, struct vg_kvminfo *ki,
		     struct vg_error *err)
{
	struct keyval_iter it;
	struct keyval kv;
	int rc;

	memset(ki, 0, sizeof(*ki));
	make_key_text();
	if (len > VG_KVMINFO_TEXT_MAX)
		return vg_error_set(err, -EINVAL, "KVMINFO text too large");
	rc = keyval_check_text(text, len, err);
	if (rc < 0) {
		vg_error_wrap(err, "KVMINFO");
		return rc;
	}
	keyval_init(&it, text, len);
	while ((rc = keyval_next(&it, &kv, err)) > 0) {
		rc = parse_line(&kv, ki, err);
		if (rc < 0)
			return rc;
	}
	if (rc < 0) {
		vg_error_wrap(err, "KVMINFO");
		return rc;
	}
	if (!ki->have[KI_OFF_TASK_STATE] && ki->have[KI_OFF_TASK_STATE_OLD]) {
		ki->val[KI_OFF_TASK_STATE] = ki->val[KI_OFF_TASK_STATE_OLD];
		ki->have[KI_OFF_TASK_STATE] = 1;
	}
	if (ki->version == 0)
		return vg_error_set(err, -EINVAL,
				    "KVMINFO: no KVMINFO_VERSION line");
	if (ki->version != 1)
		return vg_error_set(err, -EINVAL,
				    "KVMINFO: unsupported version %d",
				    ki->version);
	return 0;
}

int vg_kvminfo_has(const struct vg_kvminfo *ki, const enum kvminfo_key *k,
		   size_t n, const char **missing)
{
	for (size_t i = 0; i < n; i++)
		if (!ki->have[k[i]]) {
			if (missing)
				*missing = vg_kvminfo_key(k[i]);
			return 0;
		}
	return 1;
}

/* Append to out (NUL-terminated, outsz bytes), "..." once it is full. */
static void append(char *out, size_t outsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void append(char *out, size_t outsz, const char *fmt, ...)
{
	size_t len = strlen(out);
	va_list ap;
	int n;

	if (len + 4 >= outsz)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out + len, outsz - len - 4, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= outsz - len - 4)
		strcpy(out + strlen(out), "...");
}

static void put_value(char *out, size_t outsz, const struct vg_kvminfo *ki,
		      enum kvminfo_key k)
{
	if (!ki->have[k])
		append(out, outsz, "absent");
	else if (kvminfo_keys[k].kind == KVMINFO_SYMBOL)
		append(out, outsz, "%" PRIx64, ki->val[k]);
	else
		append(out, outsz, "%" PRIu64, ki->val[k]);
}

unsigned int vg_kvminfo_diff(const struct vg_kvminfo *a, const char *aname,
			     const struct vg_kvminfo *b, const char *bname,
			     char *out, size_t outsz)
{
	unsigned int n = 0;

	if (out && outsz)
		out[0] = '\0';
	if (strcmp(a->osrelease, b->osrelease) || a->vendor != b->vendor) {
		n++;
		if (out && outsz)
			append(out, outsz,
			       "OSRELEASE/VENDOR: %s %s/%d, %s %s/%d", aname,
			       a->osrelease, a->vendor, bname, b->osrelease,
			       b->vendor);
	}
	for (int k = 0; k < KI_NR; k++) {
		if (a->have[k] == b->have[k] &&
		    (!a->have[k] || a->val[k] == b->val[k]))
			continue;
		if (k == KI_OFF_TASK_STATE && (a->have[KI_OFF_TASK_STATE_OLD] ||
					       b->have[KI_OFF_TASK_STATE_OLD]))
			continue; /* copied from the old name: compared there */
		if (out && outsz) {
			append(out, outsz, "%s%s: %s ", n ? "; " : "",
			       vg_kvminfo_key((enum kvminfo_key)k), aname);
			put_value(out, outsz, a, (enum kvminfo_key)k);
			append(out, outsz, ", %s ", bname);
			put_value(out, outsz, b, (enum kvminfo_key)k);
		}
		n++;
	}
	return n;
}
