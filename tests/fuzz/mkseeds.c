// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Seeds for the fuzz targets of tests/fuzz/, from the unit-test fixtures.
 * Usage: mkseeds TARGET DIR
 *   hostdump: an ELF vmcore and a makedumpfile kdump-compressed dump of
 *     the fixtures, cut to their heads (headers, notes, bitmaps)
 *   vmcsinfo, kvminfo, vmcoreinfo, elfnote, loadnotes: the notes and
 *     texts of the unit tests' KVM host (tests/src/kvmfixture.c)
 *   vmcs, vmcb: the VMCS and VMCB pages tests/src/fixture.c makes
 *   gpmap, guestcore: EPT / NPT tables and a guest with VMCOREINFO and
 *     a direct map as tests/src/memfixture.c builds them
 *   kvmdesc, kvmwalk, kallsyms, hostmods: the intact host (the empty
 *     input) and patches that write back the bytes they cover
 *   hostbtf: the host's vmlinux BTF blob
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notes/elfnote.h"
#include "notes/vmcsinfo.h"
#include "src/vmx.h"
#include "tests/fuzz/fuzz.h"
#include "tests/src/fixture.h"
#include "tests/src/kvmfixture-layout.h"
#include "tests/src/kvmfixture.h"
#include "tests/src/memfixture.h"

static const char *dir;
static int failed;

static void put(const char *name, const void *buf, size_t len)
{
	char to[8192];
	FILE *g;

	snprintf(to, sizeof(to), "%s/%s", dir, name);
	g = fopen(to, "wb");
	if (!g || fwrite(buf, 1, len, g) != len || fclose(g))
		failed = 1;
}

static struct fx *host(void)
{
	struct fx *fx = fx_new(4ull << 20, 1ull << 20);

	fx_hole(fx, 0, FX_PAGE);
	fx_hole(fx, 0x9f000, 0x100000);
	memset(fx_ptr(fx, 0x200000), 0xab, FX_PAGE);
	fx_note(fx, "CORE", 1, "regs", 4);
	fx_note(fx, "VMCSINFO", 0, "VMCSINFO_VERSION=1\nREVISION_ID=0x2b\n",
		36);
	return fx;
}

/* Copy the first max bytes of file from to the seed name. */
static void head(const char *from, const char *name, size_t max)
{
	char *buf = malloc(max);
	FILE *f = fopen(from, "rb");
	size_t n;

	if (!buf || !f) {
		failed = 1;
	} else {
		n = fread(buf, 1, max, f);
		put(name, buf, n);
	}
	if (f)
		fclose(f);
	free(buf);
}

static void hostdump(void)
{
	char tmp[4096], path[8192];
	struct fx *fx;

	if (fx_tmpdir(tmp, sizeof(tmp))) {
		failed = 1;
		return;
	}
	snprintf(path, sizeof(path), "%s/vmcore", tmp);
	fx = host();
	fx_note(fx, "VMCOREINFO", 0, "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n",
		35);
	failed |= fx_write_elf(fx, path, NULL);
	head(path, "elf-head", 12 << 10);
	fx_free(fx);
	fx = host();
	failed |= fx_write_kdump(fx, path, NULL);
	head(path, "kdump-head", 48 << 10);
	fx_free(fx);
	fx_rm_rf(tmp);
}

/* The notes and texts of the KVM host, plain and self-described. */
static void texts(const char *target)
{
	static char buf[16384];
	const struct vmcsinfo *v12 = vg_vmcs12_layout();
	struct fz_host h[2];
	int n = vmcsinfo_format(v12, buf, sizeof(buf));

	fz_host_init(&h[0], 0);
	fz_host_init(&h[1], 1);
	if (!strcmp(target, "vmcsinfo") && n > 0)
		put("vmcs12", buf, (size_t)n);
	if (!strcmp(target, "kvminfo"))
		put("kvminfo", h[0].kvminfo, h[0].klen);
	if (!strcmp(target, "vmcoreinfo")) {
		put("vmcoreinfo", h[0].vmci, h[0].vlen);
		put("vmcoreinfo-self", h[1].vmci, h[1].vlen);
	}
	if (!strcmp(target, "elfnote") || !strcmp(target, "loadnotes")) {
		put("notes", h[0].fx->notes, h[0].fx->notes_len);
		fx_note(h[0].fx, "VMCSINFO", 0, buf, n > 0 ? (size_t)n : 0);
		put("notes-vmcsinfo", h[0].fx->notes, h[0].fx->notes_len);
	}
	for (int i = 0; i < 2; i++) {
		fx_free(h[i].fx);
		free(h[i].vmci);
		free(h[i].kvminfo);
	}
}

static void pages(const char *target)
{
	struct fx *fx = fx_new(1ull << 20, 1ull << 19);
	/* An EPTP with a 4-level walk and write-back tables; an nCR3. */
	uint64_t root = !strcmp(target, "vmcs") ? 0x1001e : 0x10000;
	struct fx_cpu c;

	for (int mode = 0; mode < 2; mode++) {
		if (mode)
			fx_cpu_long(&c, root);
		else
			fx_cpu_realmode(&c, root);
		if (!strcmp(target, "vmcs"))
			fx_make_vmcs(fx, 0x2000, vg_vmcs12_layout(), &c);
		else
			fx_make_vmcb(fx, 0x2000, &c);
		put(mode ? "long" : "realmode", fx_ptr(fx, 0x2000), FX_PAGE);
	}
	fx_free(fx);
}

/* 8 control bytes, then 16 pages of EPT or NPT tables. */
static void gpmap(void)
{
	for (int kind = 1; kind <= 2; kind++) {
		struct memimg m;
		uint8_t out[8 + 16 * 4096] = { (uint8_t)(kind - 1), 1, 0 };
		uint64_t root;

		memimg_init(&m, 16 * 4096, 16 * 4096, 4096);
		root = memimg_alloc(&m);
		slat_map(&m, kind, 4, root, 0, 0x10000, 4096);
		slat_map(&m, kind, 4, root, 0x1000, 0x11000, 4096);
		slat_map(&m, kind, 4, root, 2ull << 20, 2ull << 20, 2ull << 20);
		slat_map(&m, kind, 4, root, 4ull << 30, 1ull << 30, 1ull << 30);
		memcpy(out + 8, m.buf, 16 * 4096);
		put(kind == 1 ? "ept" : "npt", out, 8 + m.next);
		memimg_free(&m);
	}
	/* Nested (bit 3): L1 identity-mapped over the image, its tables
	 * for L2 at root12 mapping two L2 pages to L1 pages. */
	for (int kind = 1; kind <= 2; kind++) {
		struct memimg m;
		uint8_t out[8 + 16 * 4096] = { 0 };
		uint64_t root, root12;

		memimg_init(&m, 16 * 4096, 16 * 4096, 4096);
		root = memimg_alloc(&m);
		root12 = memimg_alloc(&m);
		slat_map(&m, kind, 4, root12, 0, 0xe000, 4096);
		slat_map(&m, kind, 4, root12, 0x5000, 0xf000, 4096);
		for (uint64_t a = 0; a < 16 * 4096; a += 4096)
			slat_map(&m, kind, 4, root, a, a, 4096);
		out[0] = (uint8_t)((kind - 1) | 8);
		out[1] = (uint8_t)(root >> 12);
		out[2] = (uint8_t)(root12 >> 12);
		memcpy(out + 8, m.buf, 16 * 4096);
		put(kind == 1 ? "nested-ept" : "nested-npt", out, 8 + m.next);
		memimg_free(&m);
	}
}

/*
 * 4 control bytes, a guest with VMCOREINFO at 0x1000, tables from 0x4000:
 * as an ELF core, and kdump-compressed from read and from mapped memory.
 */
static void guestcore(void)
{
	static const uint64_t pob = 0xffff888000000000ull,
			      skm = 0xffffffff80000000ull;
	uint8_t out[4 + 16 * 4096] = { 4, 0, 0 };
	struct memimg m;
	uint64_t pgt;
	char text[512];
	uint32_t nh[3];
	int n;

	memimg_init(&m, 16 * 4096, 16 * 4096, 0x4000);
	pgt = memimg_alloc(&m);
	gpt_map(&m, 0, pgt, 4, pob, 0, 2ull << 20);
	n = snprintf(text, sizeof(text),
		     "OSRELEASE=6.1.0-99-amd64\nPAGE_SIZE=4096\n"
		     "SYMBOL(_stext)=%llx\nSYMBOL(init_top_pgt)=%llx\n"
		     "NUMBER(pgtable_l5_enabled)=0\nNUMBER(phys_base)=0\n"
		     "KERNELOFFSET=0\nNUMBER(KERNEL_IMAGE_SIZE)=65536\n",
		     (unsigned long long)skm, (unsigned long long)(skm + pgt));
	nh[0] = 11;
	nh[1] = (uint32_t)n + 1;
	nh[2] = 0;
	memcpy(m.buf + 0x1000, nh, sizeof(nh));
	memcpy(m.buf + 0x1000 + 12, "VMCOREINFO", 11);
	memcpy(m.buf + 0x1000 + 24, text, (size_t)n);
	memcpy(out + 4, m.buf, 16 * 4096);
	put("guest", out, 4 + m.next);
	out[1] = 2; /* the kdump-compressed writer */
	put("guest-kdump", out, 4 + m.next);
	out[1] = 6; /* and mapped host memory */
	put("guest-kdump-mapped", out, 4 + m.next);
	memimg_free(&m);
}

/* The empty input, and one patch per place that rewrites its own bytes. */
static void patches(const char *target)
{
	static const uint64_t walk[] = { VM_LIST, KVM,	  MEMSLOTS, SLOT_A,
					 XA_NODE, SVM0,	  MM,	    PGD,
					 TASK0,	  ARGV_PA };
	struct kfx_opts o = { .self_describe = strcmp(target, "kvmwalk") != 0,
			      .has_vm_type = !strcmp(target, "kvmwalk"),
			      .vm_type = 4 };
	struct fx *fx = kfx_build(&o);
	uint8_t rec[4 + 255];
	char name[32];

	put("intact", "", 0);
	if (!strcmp(target, "kvmwalk")) {
		for (size_t i = 0; i < sizeof(walk) / sizeof(walk[0]); i++) {
			uint64_t off = walk[i] - 0x300000;

			snprintf(name, sizeof(name), "at-%llx",
				 (unsigned long long)walk[i]);
			put(name, rec,
			    fz_record(rec, (uint32_t)off, fx->ram + walk[i],
				      255));
		}
	} else if (!strcmp(target, "kallsyms") || !strcmp(target, "hostmods")) {
		uint64_t pa = !strcmp(target, "kallsyms") ?
				      KIMG_PA(KI_KALLSYMS) :
				      KIMG_PA(KI_MODULES);

		put("head", rec, fz_record(rec, 0, fx->ram + pa, 64));
	} else if (!strcmp(target, "kvmdesc")) {
		for (uint8_t p = 0; p < 4; p++) {
			uint8_t k[3] = { p, 0, 0 };

			snprintf(name, sizeof(name), "piece-%u", p);
			put(name, k, 3);
		}
	} else if (!strcmp(target, "hostbtf")) {
		const uint8_t *b = fx->ram + KIMG_PA(KI_BTF);
		uint32_t len = 24 + *(const uint32_t *)(b + 16) +
			       *(const uint32_t *)(b + 20);
		uint8_t *blob = malloc(1 + len);

		if (blob) {
			blob[0] = 0;
			memcpy(blob + 1, b, len);
			put("vmlinux", blob, 1 + len);
			blob[0] = 1;
			put("as-module", blob, 1 + len);
		}
		free(blob);
	}
	fx_free(fx);
}

/* t is one of the space-separated words of list. */
static int listed(const char *list, const char *t)
{
	char word[64];

	snprintf(word, sizeof(word), " %s ", t);
	return *t && strstr(list, word);
}

int main(int argc, char **argv)
{
	const char *t = argc == 3 ? argv[1] : "";

	dir = argc == 3 ? argv[2] : NULL;
	if (!strcmp(t, "hostdump"))
		hostdump();
	else if (listed(" vmcsinfo kvminfo vmcoreinfo elfnote loadnotes ", t))
		texts(t);
	else if (!strcmp(t, "vmcs") || !strcmp(t, "vmcb"))
		pages(t);
	else if (!strcmp(t, "gpmap"))
		gpmap();
	else if (!strcmp(t, "guestcore"))
		guestcore();
	else if (*t)
		patches(t);
	else
		return fprintf(stderr, "usage: mkseeds TARGET DIR\n"), 2;
	if (failed)
		fprintf(stderr, "mkseeds: cannot write the seeds of %s\n", t);
	return failed ? 1 : 0;
}
