// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host's kallsyms out of a dump (src/kallsyms.h).
 *
 * kallsyms_names holds one entry per symbol: a length in tokens (one
 * byte; since Linux 6.1 a second byte when bit 7 is set) and that many
 * token numbers.  Token t expands to the NUL-terminated string at
 * kallsyms_token_table + kallsyms_token_index[t]; the first character of
 * the expansion is the nm(1) type, the rest the name.  Symbol i's address
 * is entry i of kallsyms_offsets (or kallsyms_addresses).
 */
#include "src/kallsyms.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notes/keyval.h"

#define CHUNK 4096
#define TOKENS 256
/* The token table is indexed by u16: at most 64 KiB plus the last token. */
#define TOKEN_TABLE_MAX (65536 + 256)
/* want[] plus the symbol that checks the address encoding. */
#define MAX_WANT 64

/* The table addresses VMCOREINFO gives. */
struct ks_loc {
	uint64_t names, num_syms, token_table, token_index;
	uint64_t offsets, relative_base, addresses;
	uint64_t check; /* the value of the check symbol */
	const char *check_name;
	char osrelease[65];
};

/* The decoder's state: token table and a chunked reader of names. */
struct ks {
	struct vg_hostkv *kv;
	const struct ks_loc *loc;
	uint16_t index[TOKENS];
	char *table;
	size_t table_len;
	uint8_t chunk[CHUNK];
	uint64_t chunk_va; /* va of chunk[0]; chunk_len bytes valid */
	size_t chunk_len;
	uint64_t pos; /* bytes of names consumed */
};

static int sym_of(const char *vmci, size_t vlen, const char *name, uint64_t *v)
{
	char key[64], buf[32];

	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	if (keyval_get(vmci, vlen, key, buf, sizeof(buf)))
		return 0;
	return keyval_u64(buf, strlen(buf), 16, v) == 0 && *v;
}

static int locate(const char *vmci, size_t vlen, struct ks_loc *l,
		  struct vg_error *err)
{
	static const char *const checks[] = { "_stext", "init_top_pgt",
					      "swapper_pg_dir" };
	size_t i;

	memset(l, 0, sizeof(*l));
	if (!sym_of(vmci, vlen, "kallsyms_names", &l->names) ||
	    !sym_of(vmci, vlen, "kallsyms_num_syms", &l->num_syms) ||
	    !sym_of(vmci, vlen, "kallsyms_token_table", &l->token_table) ||
	    !sym_of(vmci, vlen, "kallsyms_token_index", &l->token_index))
		return vg_error_set(err, -ENOENT,
				    "host VMCOREINFO does not locate kallsyms "
				    "(no SYMBOL(kallsyms_names) & co: Linux "
				    "before 6.0, or CONFIG_KALLSYMS=n)");
	sym_of(vmci, vlen, "kallsyms_offsets", &l->offsets);
	sym_of(vmci, vlen, "kallsyms_relative_base", &l->relative_base);
	sym_of(vmci, vlen, "kallsyms_addresses", &l->addresses);
	if (!l->offsets && !l->addresses)
		return vg_error_set(err, -ENOENT,
				    "host VMCOREINFO has neither "
				    "SYMBOL(kallsyms_offsets) nor "
				    "SYMBOL(kallsyms_addresses)");
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if (sym_of(vmci, vlen, checks[i], &l->check)) {
			l->check_name = checks[i];
			break;
		}
	if (!l->check_name)
		return vg_error_set(err, -ENOENT,
				    "host VMCOREINFO has no SYMBOL(_stext) to "
				    "check kallsyms addresses against");
	if (keyval_get(vmci, vlen, "OSRELEASE", l->osrelease,
		       sizeof(l->osrelease)))
		l->osrelease[0] = '\0';
	return 0;
}

static int read_kv(struct ks *k, uint64_t va, void *buf, size_t len,
		   const char *what, struct vg_error *err)
{
	int r = vg_hostkv_read(k->kv, va, buf, len);

	if (r == VG_HM_OK)
		return 0;
	return vg_error_set(err, r == VG_HM_ABSENT ? -ENODATA : -EIO,
			    "kallsyms: %s at 0x%" PRIx64 " %s", what, va,
			    r == VG_HM_ABSENT ? "is not in the dump" :
						"could not be read");
}

/* token_index and the token table; every token must end in the table. */
static int read_tokens(struct ks *k, struct vg_error *err)
{
	size_t max = 0, i;
	int rc;

	rc = read_kv(k, k->loc->token_index, k->index, sizeof(k->index),
		     "kallsyms_token_index", err);
	if (rc)
		return rc;
	for (i = 0; i < TOKENS; i++)
		if (k->index[i] > max)
			max = k->index[i];
	k->table_len = max + 256 < TOKEN_TABLE_MAX ? max + 256 :
						     TOKEN_TABLE_MAX;
	k->table = malloc(k->table_len);
	if (!k->table)
		return vg_error_set(err, -ENOMEM, "kallsyms: out of memory");
	rc = read_kv(k, k->loc->token_table, k->table, k->table_len,
		     "kallsyms_token_table", err);
	if (rc)
		return rc;
	for (i = 0; i < TOKENS; i++)
		if (!memchr(k->table + k->index[i], '\0',
			    k->table_len - k->index[i]))
			return vg_error_set(err, -EINVAL,
					    "kallsyms: token %zu does not end "
					    "in the token table",
					    i);
	return 0;
}

/* The next byte of kallsyms_names: refill the chunk, or fail. */
static int next_byte_slow(struct ks *k, uint8_t *b, struct vg_error *err)
{
	uint64_t va = k->loc->names + k->pos;
	int rc;

	if (k->pos >= VG_KALLSYMS_MAX_NAMES)
		return vg_error_set(err, -EINVAL,
				    "kallsyms: kallsyms_names runs past %u "
				    "bytes (corrupt, or not this encoding)",
				    VG_KALLSYMS_MAX_NAMES);
	if (va - k->chunk_va >= k->chunk_len || va < k->chunk_va) {
		/* whole pages, so a chunk never needs the next page */
		size_t len = CHUNK - (size_t)(va & (CHUNK - 1));

		rc = read_kv(k, va, k->chunk, len, "kallsyms_names", err);
		if (rc)
			return rc;
		k->chunk_va = va;
		k->chunk_len = len;
	}
	*b = k->chunk[va - k->chunk_va];
	k->pos++;
	return 0;
}

/*
 * The next byte of kallsyms_names.  Called for every byte of some
 * hundred thousand names (a tenth of a second in a capture kernel under
 * emulation): the byte from the chunk in hand is the inline case.
 */
static inline int next_byte(struct ks *k, uint8_t *b, struct vg_error *err)
{
	/* (wraps to a huge value when before the chunk) */
	uint64_t at = k->loc->names + k->pos - k->chunk_va;

	if (k->pos < VG_KALLSYMS_MAX_NAMES && at < k->chunk_len) {
		*b = k->chunk[at];
		k->pos++;
		return 0;
	}
	return next_byte_slow(k, b, err);
}

/*
 * One entry of kallsyms_names into name (type in *type); a name longer
 * than VG_KALLSYMS_NAME_MAX - 1 is cut and flagged with *cut.
 */
static int next_name(struct ks *k, int long_names, char *name, char *type,
		     size_t *nlen, int *cut, struct vg_error *err)
{
	size_t out = 0, first = 1;
	unsigned int len;
	uint8_t b, b2;
	int rc;

	*cut = 0;
	rc = next_byte(k, &b, err);
	if (rc)
		return rc;
	len = b;
	if (long_names && (b & 0x80)) {
		rc = next_byte(k, &b2, err);
		if (rc)
			return rc;
		if (b2 & 0x80)
			return vg_error_set(err, -EINVAL,
					    "kallsyms: a name length of three "
					    "bytes at offset %" PRIu64,
					    k->pos - 2);
		len = (b & 0x7fu) | ((unsigned int)b2 << 7);
	}
	if (len == 0)
		return vg_error_set(
			err, -EINVAL,
			"kallsyms: an empty name at offset %" PRIu64,
			k->pos - 1);
	while (len--) {
		const char *t;

		rc = next_byte(k, &b, err);
		if (rc)
			return rc;
		for (t = k->table + k->index[b]; *t; t++) {
			if (first) {
				*type = *t;
				first = 0;
			} else if (out < VG_KALLSYMS_NAME_MAX - 1) {
				name[out++] = *t;
			} else {
				*cut = 1;
			}
		}
	}
	name[out] = '\0';
	*nlen = out;
	return 0;
}

static int type_ok(const struct vg_ksym *w, char type)
{
	return !w->types || (type && strchr(w->types, type));
}

/*
 * One pass over kallsyms_names: idx[j] = index of the first symbol that
 * matches want[j] (or UINT32_MAX).
 */
static int walk_names(struct ks *k, uint32_t num, int long_names,
		      struct vg_ksym *want, size_t n, uint32_t *idx,
		      struct vg_error *err)
{
	char name[VG_KALLSYMS_NAME_MAX], type = 0;
	size_t j, left = n, len = 0, wlen[MAX_WANT];
	uint32_t i;
	int cut, rc;

	if (n > MAX_WANT)
		return vg_error_set(err, -EINVAL, "kallsyms: %zu symbols asked",
				    n);
	k->pos = 0;
	k->chunk_len = 0;
	for (j = 0; j < n; j++) {
		idx[j] = UINT32_MAX;
		wlen[j] = strlen(want[j].name);
	}
	for (i = 0; i < num && left; i++) {
		rc = next_name(k, long_names, name, &type, &len, &cut, err);
		if (rc)
			return rc;
		if (cut)
			continue;
		for (j = 0; j < n; j++) {
			/* the length first: most names differ in it */
			if (wlen[j] != len || idx[j] != UINT32_MAX ||
			    !type_ok(&want[j], type) ||
			    memcmp(name, want[j].name, len))
				continue;
			idx[j] = i;
			want[j].type = type;
			left--;
		}
	}
	return 0;
}

static int read_offset(struct ks *k, uint32_t i, int32_t *off,
		       struct vg_error *err)
{
	return read_kv(k, k->loc->offsets + 4ull * i, off, sizeof(*off),
		       "kallsyms_offsets", err);
}

/* Symbol i's address in encoding enc. */
static int address(struct ks *k, enum vg_kallsyms_enc enc, uint64_t base,
		   uint32_t i, uint64_t *addr, struct vg_error *err)
{
	int32_t off;
	int rc;

	if (enc == VG_KS_ENC_ABSOLUTE)
		return read_kv(k, k->loc->addresses + 8ull * i, addr,
			       sizeof(*addr), "kallsyms_addresses", err);
	rc = read_offset(k, i, &off, err);
	if (rc)
		return rc;
	switch (enc) {
	case VG_KS_ENC_RELATIVE:
		*addr = base + (uint32_t)off;
		break;
	case VG_KS_ENC_ABS_PERCPU:
		*addr = off >= 0 ? (uint64_t)off : base - 1 - (int64_t)off;
		break;
	default: /* VG_KS_ENC_PLACE */
		*addr = k->loc->offsets + 4ull * i + (int64_t)off;
		break;
	}
	return 0;
}

/* The encoding that gives the check symbol (index ci) its value. */
static int pick_encoding(struct ks *k, uint32_t ci, uint64_t *base,
			 enum vg_kallsyms_enc *enc, struct vg_error *err)
{
	static const enum vg_kallsyms_enc rel[] = { VG_KS_ENC_RELATIVE,
						    VG_KS_ENC_ABS_PERCPU };
	uint64_t a = 0;
	size_t i;
	int rc;

	*base = 0;
	if (k->loc->addresses && !k->loc->offsets) {
		*enc = VG_KS_ENC_ABSOLUTE;
		rc = address(k, *enc, 0, ci, &a, err);
		if (rc)
			return rc;
		if (a == k->loc->check)
			return 0;
	} else if (k->loc->relative_base) {
		rc = read_kv(k, k->loc->relative_base, base, sizeof(*base),
			     "kallsyms_relative_base", err);
		if (rc)
			return rc;
		for (i = 0; i < 2; i++) {
			rc = address(k, rel[i], *base, ci, &a, err);
			if (rc)
				return rc;
			*enc = rel[i];
			if (a == k->loc->check)
				return 0;
		}
	} else {
		*enc = VG_KS_ENC_PLACE;
		rc = address(k, *enc, 0, ci, &a, err);
		if (rc)
			return rc;
		if (a == k->loc->check)
			return 0;
	}
	*enc = VG_KS_ENC_NONE;
	return vg_error_set(err, -EINVAL,
			    "kallsyms: no address encoding gives %s its "
			    "VMCOREINFO value 0x%" PRIx64,
			    k->loc->check_name, k->loc->check);
}

/* Linux >= 6.1 writes two-byte name lengths: the first guess. */
static int guess_long_names(const char *osrelease)
{
	unsigned long major = 0, minor = 0;
	char *end;

	major = strtoul(osrelease, &end, 10);
	if (*end == '.')
		minor = strtoul(end + 1, NULL, 10);
	return major > 6 || (major == 6 && minor >= 1);
}

/* Find the names, trying the other length format when the first fails. */
static int find_names(struct ks *k, uint32_t num, struct vg_ksym *all, size_t n,
		      uint32_t *idx, int *long_names, struct vg_error *err)
{
	struct vg_error first = { 0 }, other = { 0 };
	int guess = guess_long_names(k->loc->osrelease), rc;

	*long_names = guess;
	rc = walk_names(k, num, guess, all, n, idx, &first);
	if (rc == 0 && idx[n - 1] != UINT32_MAX)
		return 0;
	if (rc != -EINVAL && rc != 0)
		goto fail;
	*long_names = !guess;
	if (walk_names(k, num, !guess, all, n, idx, &other) == 0 &&
	    idx[n - 1] != UINT32_MAX)
		return 0;
	*long_names = guess;
	if (rc == 0)
		return vg_error_set(err, -EINVAL,
				    "kallsyms: %u symbols, none is %s "
				    "(corrupt tables?)",
				    num, k->loc->check_name);
fail:
	if (err)
		*err = first;
	return rc;
}

static int decode(struct ks *k, struct vg_ksym *want, size_t n,
		  struct vg_kallsyms_info *info, struct vg_error *err)
{
	struct vg_ksym all[MAX_WANT];
	uint32_t idx[MAX_WANT], num = 0;
	uint64_t base;
	size_t j;
	int rc;

	if (n >= MAX_WANT)
		return vg_error_set(err, -EINVAL, "kallsyms: %zu symbols asked",
				    n);
	memcpy(all, want, n * sizeof(*want));
	memset(&all[n], 0, sizeof(all[n]));
	all[n].name = k->loc->check_name;
	rc = read_kv(k, k->loc->num_syms, &num, sizeof(num),
		     "kallsyms_num_syms", err);
	if (rc)
		return rc;
	if (num == 0 || num > VG_KALLSYMS_MAX_SYMS)
		return vg_error_set(err, -EINVAL,
				    "kallsyms: kallsyms_num_syms %u is not in "
				    "1..%u",
				    num, VG_KALLSYMS_MAX_SYMS);
	info->num_syms = num;
	rc = read_tokens(k, err);
	if (rc == 0)
		rc = find_names(k, num, all, n + 1, idx, &info->long_names,
				err);
	info->names_bytes = k->pos;
	if (rc == 0)
		rc = pick_encoding(k, idx[n], &base, &info->enc, err);
	for (j = 0; rc == 0 && j < n; j++) {
		want[j].found = idx[j] != UINT32_MAX;
		want[j].type = all[j].type;
		if (want[j].found)
			rc = address(k, info->enc, base, idx[j], &want[j].addr,
				     err);
	}
	return rc;
}

int vg_kallsyms_find(struct vg_hostkv *kv, const char *vmci, size_t vlen,
		     struct vg_ksym *want, size_t n,
		     struct vg_kallsyms_info *info, struct vg_error *err)
{
	struct vg_kallsyms_info dummy;
	struct ks_loc loc;
	struct ks *k;
	size_t j;
	int rc;

	vg_error_clear(err);
	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	for (j = 0; j < n; j++) {
		want[j].found = 0;
		want[j].addr = 0;
		want[j].type = 0;
	}
	rc = locate(vmci, vlen, &loc, err);
	if (rc)
		return rc;
	k = calloc(1, sizeof(*k));
	if (!k)
		return vg_error_set(err, -ENOMEM, "kallsyms: out of memory");
	k->kv = kv;
	k->loc = &loc;
	rc = decode(k, want, n, info, err);
	free(k->table);
	free(k);
	return rc;
}
