// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Host kallsyms tables for the unit tests (tests/src/ksymfixture.h).
 */
#include "tests/src/ksymfixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tokens of several characters, as the kernel's compressor makes. */
static const char *const multi[] = { "per_",   "_cpu",	    "Dvm_",
				     "_list",  "kallsyms_", "_offset",
				     "dmodul", "BTF",	    "tq" };
#define NMULTI (sizeof(multi) / sizeof(multi[0]))
#define MULTI_FIRST 0x80

static const char *token(unsigned int t)
{
	static char one[256][2];

	if (t >= MULTI_FIRST && t < MULTI_FIRST + NMULTI)
		return multi[t - MULTI_FIRST];
	if (t < 0x20 || t >= 0x7f)
		return "#";
	one[t][0] = (char)t;
	one[t][1] = '\0';
	return one[t];
}

static uint64_t put_tokens(struct fx *fx, uint64_t pa)
{
	uint64_t off = 0;

	for (unsigned int t = 0; t < 256; t++) {
		const char *s = token(t);

		fx_put16(fx, pa + KSFX_TOKEN_INDEX + 2 * t, (uint16_t)off);
		memcpy(fx_ptr(fx, pa + KSFX_TOKEN_TABLE + off), s,
		       strlen(s) + 1);
		off += strlen(s) + 1;
	}
	return off;
}

/* type + name as tokens, the longest token first; returns the count. */
static size_t encode(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;

	while (*s && n < max) {
		size_t best = 0, blen = 1;

		for (size_t m = 0; m < NMULTI; m++) {
			size_t l = strlen(multi[m]);

			if (l > blen && !strncmp(s, multi[m], l)) {
				best = MULTI_FIRST + m;
				blen = l;
			}
		}
		out[n++] = best ? (uint8_t)best : (uint8_t)*s;
		s += blen;
	}
	return n;
}

static void put_line(char *vmci, size_t sz, const char *name, uint64_t va)
{
	size_t len = strlen(vmci);

	snprintf(vmci + len, sz - len, "SYMBOL(%s)=%llx\n", name,
		 (unsigned long long)va);
}

static uint64_t base_of(const struct ksfx_sym *syms, size_t n,
			enum vg_kallsyms_enc enc)
{
	uint64_t base = UINT64_MAX;

	for (size_t i = 0; i < n; i++)
		if (syms[i].addr < base && (enc != VG_KS_ENC_ABS_PERCPU ||
					    syms[i].addr >= 0x80000000ull))
			base = syms[i].addr;
	return base == UINT64_MAX ? 0 : base;
}

static void put_address(struct fx *fx, uint64_t pa, uint64_t va, size_t i,
			uint64_t addr, uint64_t base, enum vg_kallsyms_enc enc)
{
	uint64_t slot = KSFX_OFFSETS + 4 * i;
	int64_t off;

	switch (enc) {
	case VG_KS_ENC_ABSOLUTE:
		fx_put64(fx, pa + KSFX_OFFSETS + 8 * i, addr);
		return;
	case VG_KS_ENC_RELATIVE:
		off = (int64_t)(addr - base);
		break;
	case VG_KS_ENC_PLACE:
		off = (int64_t)(addr - (va + slot));
		break;
	default:
		off = addr < 0x80000000ull ? (int64_t)addr :
					     -(int64_t)(addr - base) - 1;
		break;
	}
	fx_put32(fx, pa + slot, (uint32_t)(int32_t)off);
}

uint64_t ksfx_write(struct fx *fx, uint64_t pa, uint64_t va,
		    const struct ksfx_sym *syms, size_t n,
		    const struct ksfx_opts *o, char *vmci, size_t vmcisz)
{
	static const struct ksfx_opts none;
	enum vg_kallsyms_enc enc;
	uint64_t names, p, base;
	char str[1024];
	uint8_t tok[1024];

	if (!o)
		o = &none;
	enc = o->enc == VG_KS_ENC_NONE ? VG_KS_ENC_ABS_PERCPU : o->enc;
	base = base_of(syms, n, enc);
	fx_put32(fx, pa + KSFX_NUM_SYMS, (uint32_t)n);
	fx_put64(fx, pa + KSFX_RELATIVE_BASE, base);
	if (put_tokens(fx, pa) > KSFX_OFFSETS - KSFX_TOKEN_TABLE)
		abort();
	for (size_t i = 0; i < n; i++)
		put_address(fx, pa, va, i, syms[i].addr, base, enc);
	names = (KSFX_OFFSETS + 8 * n + 15) & ~15ull;
	p = names;
	for (size_t i = 0; i < n; i++) {
		size_t k;

		snprintf(str, sizeof(str), "%c%s", syms[i].type, syms[i].name);
		k = encode(str, tok, sizeof(tok));
		if (k >= 0x80 && o->long_names) {
			fx_put16(fx, pa + p,
				 (uint16_t)((k & 0x7f) | 0x80 |
					    ((k >> 7) << 8)));
			p += 2;
		} else {
			if (k > 0xff)
				abort();
			*(uint8_t *)fx_ptr(fx, pa + p++) = (uint8_t)k;
		}
		memcpy(fx_ptr(fx, pa + p), tok, k);
		p += k;
	}
	put_line(vmci, vmcisz, "kallsyms_names", va + names);
	put_line(vmci, vmcisz, "kallsyms_num_syms", va + KSFX_NUM_SYMS);
	put_line(vmci, vmcisz, "kallsyms_token_table", va + KSFX_TOKEN_TABLE);
	put_line(vmci, vmcisz, "kallsyms_token_index", va + KSFX_TOKEN_INDEX);
	if (enc == VG_KS_ENC_ABSOLUTE) {
		put_line(vmci, vmcisz, "kallsyms_addresses", va + KSFX_OFFSETS);
	} else {
		put_line(vmci, vmcisz, "kallsyms_offsets", va + KSFX_OFFSETS);
		if (enc != VG_KS_ENC_PLACE && !o->no_relative_base_line)
			put_line(vmci, vmcisz, "kallsyms_relative_base",
				 va + KSFX_RELATIVE_BASE);
	}
	return p;
}

static int image_read(struct vg_hostmem *hm, uint64_t paddr, void *buf,
		      size_t len)
{
	struct fx *fx = hm->priv;

	if (paddr >= fx->ram_size || len > fx->ram_size - paddr)
		return VG_HM_ABSENT;
	for (int i = 0; i < fx->nholes; i++)
		if (paddr < fx->holes[i].end &&
		    paddr + len > fx->holes[i].start)
			return VG_HM_ABSENT;
	memcpy(buf, fx->ram + paddr, len);
	return VG_HM_OK;
}

void ksfx_hostmem(struct fx *fx, struct vg_hostmem *hm)
{
	hm->read = image_read;
	hm->max_paddr = fx->ram_size;
	hm->priv = fx;
}
