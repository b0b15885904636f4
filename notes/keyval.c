// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KEY=VALUE line text (notes/keyval.h).
 */
#include "keyval.h"

#include <errno.h>
#include <string.h>

int keyval_check_text(const char *text, size_t len, struct vg_error *err)
{
	size_t end = text ? strnlen(text, len) : 0, i;

	for (i = end; i < len; i++)
		if (text[i] != '\0')
			return vg_error_set(err, -EINVAL,
					    "data after the terminating NUL at "
					    "byte %zu",
					    end);
	for (i = 0; i < end; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c < 0x20 && c != '\n') || c >= 0x7f)
			return vg_error_set(err, -EINVAL,
					    "byte %zu: not printable ASCII "
					    "(0x%02x)",
					    i, c);
	}
	return 0;
}

void keyval_init(struct keyval_iter *it, const char *text, size_t len)
{
	const char *nul = text ? memchr(text, '\0', len) : NULL;

	it->p = text;
	it->end = nul ? nul : text + (text ? len : 0);
	it->lineno = 0;
}

int keyval_next(struct keyval_iter *it, struct keyval *kv, struct vg_error *err)
{
	while (it->p && it->p < it->end) {
		const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
		const char *le = nl ? nl : it->end, *l = it->p, *eq;

		it->p = nl ? nl + 1 : it->end;
		it->lineno++;
		if (le == l)
			continue;
		eq = memchr(l, '=', (size_t)(le - l));
		if (!eq)
			return vg_error_set(err, -EINVAL,
					    "line %u: not a KEY=VALUE line: "
					    "%.*s",
					    it->lineno,
					    (int)(le - l > 80 ? 80 : le - l),
					    l);
		kv->key = l;
		kv->klen = (size_t)(eq - l);
		kv->val = eq + 1;
		kv->vlen = (size_t)(le - eq - 1);
		kv->lineno = it->lineno;
		return 1;
	}
	return 0;
}

int keyval_is(const struct keyval *kv, const char *key)
{
	size_t n = strlen(key);

	return kv->klen == n && !memcmp(kv->key, key, n);
}

int keyval_get(const char *text, size_t len, const char *key, char *buf,
	       size_t bufsz)
{
	struct keyval_iter it;
	struct keyval kv;
	int rc;

	keyval_init(&it, text, len);
	while ((rc = keyval_next(&it, &kv, NULL)) != 0) {
		size_t n;

		if (rc < 0 || !keyval_is(&kv, key))
			continue;
		n = kv.vlen;
		if (bufsz) {
			if (n >= bufsz)
				n = bufsz - 1;
			memcpy(buf, kv.val, n);
			buf[n] = '\0';
		}
		return 0;
	}
	return -ENOENT;
}

int keyval_u64(const char *val, size_t vlen, int base, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (vlen == 0 || (base != 10 && base != 16))
		return -EINVAL;
	for (i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)val[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -EINVAL;
		if (v > (UINT64_MAX - d) / (unsigned int)base)
			return -EINVAL;
		v = v * (unsigned int)base + d;
	}
	*out = v;
	return 0;
}
