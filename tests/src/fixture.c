// SPDX-License-Identifier: GPL-2.0-or-later
#include "tests/src/fixture.h"

#include <elf.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fx *fx_new(uint64_t ram_size, uint64_t alloc_from)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	if (!fx)
		abort();
	fx->ram_size = ram_size;
	fx->ram = calloc(1, ram_size);
	if (!fx->ram)
		abort();
	fx->next_free = alloc_from;
	return fx;
}

void fx_free(struct fx *fx)
{
	if (!fx)
		return;
	free(fx->ram);
	free(fx);
}

void *fx_ptr(struct fx *fx, uint64_t paddr)
{
	if (paddr >= fx->ram_size)
		abort();
	return fx->ram + paddr;
}

uint64_t fx_alloc_page(struct fx *fx)
{
	uint64_t p = fx->next_free;

	if (p + FX_PAGE > fx->ram_size)
		abort();
	fx->next_free += FX_PAGE;
	memset(fx->ram + p, 0, FX_PAGE);
	return p;
}

void fx_put16(struct fx *fx, uint64_t paddr, uint16_t v)
{
	memcpy(fx_ptr(fx, paddr), &v, 2);
}

void fx_put32(struct fx *fx, uint64_t paddr, uint32_t v)
{
	memcpy(fx_ptr(fx, paddr), &v, 4);
}

void fx_put64(struct fx *fx, uint64_t paddr, uint64_t v)
{
	memcpy(fx_ptr(fx, paddr), &v, 8);
}

static uint64_t get64(struct fx *fx, uint64_t paddr)
{
	uint64_t v;

	memcpy(&v, fx_ptr(fx, paddr), 8);
	return v;
}

void fx_hole(struct fx *fx, uint64_t start, uint64_t end)
{
	if (fx->nholes >= 16)
		abort();
	fx->holes[fx->nholes].start = start;
	fx->holes[fx->nholes].end = end;
	fx->nholes++;
}

void fx_note(struct fx *fx, const char *name, uint32_t type, const void *desc,
	     size_t len)
{
	Elf64_Nhdr nh;
	size_t nlen = strlen(name) + 1;
	size_t need = sizeof(nh) + ((nlen + 3) & ~3u) + ((len + 3) & ~3u);

	if (fx->notes_len + need > sizeof(fx->notes))
		abort();
	nh.n_namesz = (Elf64_Word)nlen;
	nh.n_descsz = (Elf64_Word)len;
	nh.n_type = type;
	memcpy(fx->notes + fx->notes_len, &nh, sizeof(nh));
	memcpy(fx->notes + fx->notes_len + sizeof(nh), name, nlen);
	memcpy(fx->notes + fx->notes_len + sizeof(nh) + ((nlen + 3) & ~3u),
	       desc, len);
	fx->notes_len += need;
}

void fx_map(struct fx *fx, uint64_t root, uint64_t gpa, uint64_t hpa,
	    uint64_t size, uint64_t flags)
{
	uint64_t table = root & ~0xfffull;
	int leaf_level = size == (1ull << 30) ? 2 :
			 size == (2ull << 20) ? 1 :
						0;

	for (int level = 3; level > leaf_level; level--) {
		uint64_t idx = (gpa >> (12 + 9 * level)) & 511;
		uint64_t e = get64(fx, table + idx * 8);

		if (!(e & 7)) {
			e = fx_alloc_page(fx) | flags;
			fx_put64(fx, table + idx * 8, e);
		}
		table = e & 0x000ffffffffff000ull;
	}
	fx_put64(fx, table + ((gpa >> (12 + 9 * leaf_level)) & 511) * 8,
		 hpa | flags | (leaf_level ? 0x80 : 0));
}

static int in_hole(struct fx *fx, uint64_t p)
{
	for (int i = 0; i < fx->nholes; i++)
		if (p >= fx->holes[i].start && p < fx->holes[i].end)
			return 1;
	return 0;
}

/* The data of every segment after the first PT_NOTE. */
static int write_segments(struct fx *fx, int fd, const Elf64_Phdr *ph, int n,
			  const struct fx_write_opts *opts)
{
	for (int i = 1; i < n; i++) {
		uint64_t done = 0;

		if (ph[i].p_type == PT_NOTE) {
			if (pwrite(fd, opts->extra_note, opts->extra_note_len,
				   (off_t)ph[i].p_offset) !=
			    (ssize_t)opts->extra_note_len)
				return -1;
			continue;
		}
		while (done < ph[i].p_filesz) {
			uint64_t chunk = ph[i].p_filesz - done;
			ssize_t w;

			if (chunk > (1u << 20))
				chunk = 1u << 20;
			w = pwrite(fd, fx->ram + ph[i].p_paddr + done, chunk,
				   (off_t)(ph[i].p_offset + done));
			if (w <= 0)
				return -1;
			done += (uint64_t)w;
		}
	}
	return 0;
}

int fx_write_elf(struct fx *fx, const char *path,
		 const struct fx_write_opts *opts)
{
	static const struct fx_write_opts none;
	Elf64_Phdr ph[40];
	Elf64_Ehdr eh;
	int n = 0, fd, ret = -1;
	uint64_t off, data_off;

	if (!opts)
		opts = &none;
	memset(ph, 0, sizeof(ph));
	ph[n].p_type = PT_NOTE;
	ph[n].p_filesz = ph[n].p_memsz = fx->notes_len;
	n++;
	if (opts->kernel_text_len) {
		ph[n].p_type = PT_LOAD;
		ph[n].p_flags = PF_R | PF_W | PF_X;
		ph[n].p_paddr = opts->kernel_text_start;
		ph[n].p_vaddr = 0xffffffff80000000ull + opts->kernel_text_start;
		ph[n].p_filesz = ph[n].p_memsz = opts->kernel_text_len;
		n++;
	}
	if (!opts->no_ptloads) {
		uint64_t p = 0;

		while (p < fx->ram_size) {
			uint64_t s;

			while (p < fx->ram_size && in_hole(fx, p))
				p += FX_PAGE;
			if (p >= fx->ram_size)
				break;
			s = p;
			while (p < fx->ram_size && !in_hole(fx, p))
				p += FX_PAGE;
			if (n >= 40)
				abort();
			ph[n].p_type = PT_LOAD;
			ph[n].p_flags = PF_R | PF_W | PF_X;
			ph[n].p_paddr = s;
			ph[n].p_vaddr = 0xffff888000000000ull + s;
			ph[n].p_filesz = ph[n].p_memsz = p - s;
			ph[n].p_align = 0;
			n++;
		}
	}
	if (opts->extra_note_len) {
		if (n >= 40)
			abort();
		ph[n].p_type = PT_NOTE;
		ph[n].p_filesz = ph[n].p_memsz = opts->extra_note_len;
		n++;
	}
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (Elf64_Half)n;

	off = sizeof(eh) + (uint64_t)n * sizeof(Elf64_Phdr);
	ph[0].p_offset = off;
	if (opts->huge_note)
		ph[0].p_filesz = ph[0].p_memsz = 1ull << 40;
	data_off = (off + fx->notes_len + FX_PAGE - 1) & ~(FX_PAGE - 1);
	for (int i = 1; i < n; i++) {
		ph[i].p_offset = data_off;
		data_off += ph[i].p_filesz;
	}

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	if (pwrite(fd, &eh, sizeof(eh), 0) != sizeof(eh))
		goto out;
	if (pwrite(fd, ph, n * sizeof(ph[0]), sizeof(eh)) !=
	    (ssize_t)(n * sizeof(ph[0])))
		goto out;
	if (fx->notes_len && pwrite(fd, fx->notes, fx->notes_len, (off_t)off) !=
				     (ssize_t)fx->notes_len)
		goto out;
	if (opts->garbage_note) {
		/* The first note claims a descriptor far past the segment. */
		Elf64_Nhdr bad = { .n_namesz = 5,
				   .n_descsz = 0x7ffffff0,
				   .n_type = 0 };
		uint8_t buf[sizeof(bad) + 8] = { 0 };

		memcpy(buf, &bad, sizeof(bad));
		memcpy(buf + sizeof(bad), "CORE", 5);
		if (fx->notes_len < sizeof(buf) ||
		    pwrite(fd, buf, sizeof(buf), (off_t)off) != sizeof(buf))
			goto out;
	}
	if (write_segments(fx, fd, ph, n, opts))
		goto out;
	if (opts->truncate_to && ftruncate(fd, (off_t)opts->truncate_to))
		goto out;
	ret = 0;
out:
	close(fd);
	return ret;
}

void fx_cpu_realmode(struct fx_cpu *c, uint64_t root)
{
	memset(c, 0, sizeof(*c));
	c->root = root;
	c->rip = 0x2340;
	c->rsp = 0x7000;
	c->rflags = 0x202;
	c->rax = 0x1234;
	c->cr0 = 0x60000010;
	c->cr3 = 0;
	c->cr4 = 0;
	c->efer = 0;
	c->cs_sel = 0x1000;
	c->cs_base = 0x10000;
	c->cs_limit = 0xffff;
	c->cs_attr = 0x9b;
	c->asid = 1;
	c->exit_code = 0x78; /* HLT */
}

void fx_cpu_long(struct fx_cpu *c, uint64_t root)
{
	memset(c, 0, sizeof(*c));
	c->root = root;
	c->rip = 0xffffffff81000000ull;
	c->rsp = 0xffffc90000003f00ull;
	c->rflags = 0x246;
	c->rax = 0xdeadbeef;
	c->cr0 = 0x80050033;
	c->cr2 = 0x7f0000001000ull;
	c->cr3 = 0x1234000;
	c->cr4 = 0x3506f0;
	c->efer = 0xd01;
	c->cs_sel = 0x10;
	c->cs_base = 0;
	c->cs_limit = 0xffffffff;
	c->cs_attr = 0xa09b;
	c->asid = 2;
	c->exit_code = 0x61; /* NMI */
}

static uint16_t vmx_ar_to_svm(uint32_t ar)
{
	return (uint16_t)((ar & 0xff) | ((ar >> 4) & 0xf00));
}

void fx_make_vmcb(struct fx *fx, uint64_t p, const struct fx_cpu *c)
{
	memset(fx_ptr(fx, p), 0, FX_PAGE);
	/* Intercepts KVM always sets; VMRUN is architecturally required. */
	fx_put32(fx, p + 0x00, 0x00100010);
	fx_put32(fx, p + 0x08, (1u << 14) | (1u << 18));
	fx_put32(fx, p + 0x0c, 0xf000001f);
	fx_put32(fx, p + 0x10, 0x0000007f);
	fx_put64(fx, p + 0x40, 0x1000000);
	fx_put64(fx, p + 0x48, 0x1010000);
	fx_put32(fx, p + 0x58, c->asid);
	fx_put32(fx, p + 0x60, 0x01000000);
	fx_put64(fx, p + 0x70, c->exit_code);
	fx_put64(fx, p + 0x90,
		 1 | (c->sev || c->sev_es ? 2 : 0) | (c->sev_es ? 4 : 0));
	fx_put64(fx, p + 0xb0, c->root);
	if (c->sev_es) {
		fx_put64(fx, p + 0x108, c->vmsa);
		return;
	}
	/* Segments: ES CS SS DS FS GS GDTR LDTR IDTR TR at 0x400 + 16 i. */
	for (int i = 0; i < 10; i++) {
		uint64_t s = p + 0x400 + 16 * (uint64_t)i;

		if (i == 6 || i == 8) { /* GDTR, IDTR */
			fx_put32(fx, s + 4, i == 6 ? 0x7f : 0x3ff);
			fx_put64(fx, s + 8, i == 6 ? 0x5000 : 0);
			continue;
		}
		if (i == 1) {
			fx_put16(fx, s, c->cs_sel);
			fx_put16(fx, s + 2, vmx_ar_to_svm(c->cs_attr));
			fx_put32(fx, s + 4, c->cs_limit);
			fx_put64(fx, s + 8, c->cs_base);
			continue;
		}
		if (i == 7) /* LDTR unusable */
			continue;
		fx_put16(fx, s + 2, i == 9 ? 0x8b : 0x93);
		fx_put32(fx, s + 4, 0xffff);
	}
	fx_put64(fx, p + 0x4d0, c->efer | (1u << 12)); /* KVM forces SVME */
	fx_put64(fx, p + 0x548, c->cr4);
	fx_put64(fx, p + 0x550, c->cr3);
	fx_put64(fx, p + 0x558, c->cr0);
	fx_put64(fx, p + 0x560, 0x400);
	fx_put64(fx, p + 0x568, 0xffff0ff0);
	fx_put64(fx, p + 0x570, c->rflags);
	fx_put64(fx, p + 0x578, c->rip);
	fx_put64(fx, p + 0x5d8, c->rsp);
	fx_put64(fx, p + 0x5f8, c->rax);
	fx_put64(fx, p + 0x620, 0xffff888012340000ull);
	fx_put64(fx, p + 0x640, c->cr2);
	fx_put64(fx, p + 0x668, 0x0007040600070406ull);
}

static void vput(struct fx *fx, uint64_t p, const struct vmcsinfo *vi,
		 uint16_t enc, uint64_t v)
{
	int off = -1;
	unsigned int w;

	for (unsigned int i = 0; i < vi->nfields; i++)
		if (vi->fields[i].encoding == enc)
			off = vi->fields[i].offset;
	if (off < 0)
		return;
	w = (enc >> 13) & 3;
	if (w == 0)
		fx_put16(fx, p + (uint64_t)off, (uint16_t)v);
	else if (w == 2)
		fx_put32(fx, p + (uint64_t)off, (uint32_t)v);
	else if (w == 1 && (enc & 1))
		fx_put32(fx, p + (uint64_t)off, (uint32_t)v);
	else
		fx_put64(fx, p + (uint64_t)off, v);
}

/* An architectural access-rights value as the CPU of c stores it. */
static uint32_t vmx_ar_store(const struct fx_cpu *c, uint32_t ar)
{
	if (c->ar_format == 2)
		return (ar << 8) | (ar >> 24);
	if (c->ar_format == 3)
		return (ar & 0xf0ffu) | ((ar >> 5) & 0x800u);
	return ar;
}

void fx_make_vmcs(struct fx *fx, uint64_t p, const struct vmcsinfo *vi,
		  const struct fx_cpu *c)
{
	memset(fx_ptr(fx, p), 0, FX_PAGE);
	fx_put32(fx, p, vi->revision_id);
	vput(fx, p, vi, 0x2800, ~0ull); /* link pointer */
	vput(fx, p, vi, 0x201a, c->root); /* EPTP */
	vput(fx, p, vi, 0x4012, 1u << 15); /* entry: load IA32_EFER */
	vput(fx, p, vi, 0x401e, 0x2 | 0x80); /* EPT, unrestricted guest */
	vput(fx, p, vi, 0x2806, c->efer);
	vput(fx, p, vi, 0x4402, c->exit_code);
	vput(fx, p, vi, 0x6800, c->cr0 | 0x20); /* NE forced */
	vput(fx, p, vi, 0x6000, 0x20);
	vput(fx, p, vi, 0x6004, c->cr0);
	vput(fx, p, vi, 0x6802, c->cr3);
	vput(fx, p, vi, 0x6804, c->cr4 | 0x2000); /* VMXE forced */
	vput(fx, p, vi, 0x6002, 0x2000);
	vput(fx, p, vi, 0x6006, c->cr4);
	vput(fx, p, vi, 0x681c, c->rsp);
	vput(fx, p, vi, 0x681e, c->rip);
	vput(fx, p, vi, 0x6820, c->rflags);
	for (int i = 0; i < 8; i++) {
		uint16_t e = (uint16_t)(2 * i);

		if (i == 1) {
			vput(fx, p, vi, 0x0800 + e, c->cs_sel);
			vput(fx, p, vi, 0x4800 + e, c->cs_limit);
			vput(fx, p, vi, 0x4814 + e,
			     vmx_ar_store(c, c->cs_attr));
			vput(fx, p, vi, 0x6806 + e, c->cs_base);
			continue;
		}
		vput(fx, p, vi, 0x4800 + e, 0xffff);
		vput(fx, p, vi, 0x4814 + e,
		     vmx_ar_store(c, i == 6 ? 0x10000 :
				     i == 7 ? 0x8b :
					      0x93));
	}
	vput(fx, p, vi, 0x4810, 0x7f);
	vput(fx, p, vi, 0x6816, 0x5000);
	vput(fx, p, vi, 0x4812, 0x3ff);
	vput(fx, p, vi, 0x6c00, 0x80050033);
	vput(fx, p, vi, 0x6c02, 0x10a000);
	vput(fx, p, vi, 0x6c04, 0x3726f0);
	vput(fx, p, vi, 0x6c16, 0xffffffffc0a01234ull);
	vput(fx, p, vi, 0x2c02, 0xd01);
}

static int rm_cb(const char *path, const struct stat *sb, int flag,
		 struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int fx_tmpdir(char *path, size_t sz)
{
	const char *t = getenv("TMPDIR");

	snprintf(path, sz, "%s/vg-fx-XXXXXX", t ? t : "/tmp");
	return mkdtemp(path) ? 0 : -1;
}

struct fx_scratch *fx_scratch_new(void)
{
	struct fx_scratch *s = calloc(1, sizeof(*s));

	if (!s || fx_tmpdir(s->dir, sizeof(s->dir)))
		abort();
	snprintf(s->path, sizeof(s->path), "%s/dump", s->dir);
	return s;
}

void fx_scratch_free(struct fx_scratch *s)
{
	if (!s)
		return;
	fx_rm_rf(s->dir);
	free(s);
}

void fx_patch(const char *path, uint64_t off, const void *b, size_t len)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || pwrite(fd, b, len, (off_t)off) != (ssize_t)len)
		abort();
	close(fd);
}

void fx_rm_rf(const char *path)
{
	chmod(path, 0700);
	nftw(path, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/*
 * What makedumpfile -d 0 needs to read from the image: kernel page
 * tables for the text mapping, init_uts_ns and a (FLATMEM) mem_map
 * pointer, all announced in a VMCOREINFO note.
 */
static void fx_kernel_for_makedumpfile(struct fx *fx)
{
	static const uint64_t ktext = 0xffffffff80000000ull;
	uint64_t root = fx_alloc_page(fx), uts = fx_alloc_page(fx);
	uint8_t *u = fx_ptr(fx, uts);
	char vmci[1024];
	int n;

	for (uint64_t p = 0; p < fx->ram_size; p += 2ull << 20)
		fx_map(fx, root, ktext + p, p, 2ull << 20, 0x3);
	/* struct uts_namespace: a kref, then struct new_utsname */
	memcpy(u + 4, "Linux", 5);
	memcpy(u + 4 + 65 * 2, "6.1.0-test", 10);
	memcpy(u + 4 + 65 * 3, "#1 SMP", 6);
	memcpy(u + 4 + 65 * 4, "x86_64", 6);
	fx_put64(fx, uts + 2048, ktext + uts + 3072); /* mem_map */
	n = snprintf(vmci, sizeof(vmci),
		     "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n"
		     "SYMBOL(init_uts_ns)=%llx\nSYMBOL(init_top_pgt)=%llx\n"
		     "SYMBOL(mem_map)=%llx\nSIZE(page)=64\n"
		     "OFFSET(page.flags)=0\nOFFSET(page._refcount)=52\n"
		     "OFFSET(page.mapping)=24\nOFFSET(page.lru)=8\n"
		     "OFFSET(page.private)=40\n"
		     "SYMBOL(_stext)=ffffffff80000000\nNUMBER(phys_base)=0\n"
		     "NUMBER(pgtable_l5_enabled)=0\nKERNELOFFSET=0\n",
		     (unsigned long long)(ktext + uts),
		     (unsigned long long)(ktext + root),
		     (unsigned long long)(ktext + uts + 2048));
	fx_note(fx, "VMCOREINFO", 0, vmci, (size_t)n);
}

int fx_write_kdump(struct fx *fx, const char *path,
		   const struct fx_write_opts *opts)
{
	char elf[4096], cmd[8192 + 128];
	int rc;

	fx_kernel_for_makedumpfile(fx);
	snprintf(elf, sizeof(elf), "%s.elf", path);
	if (fx_write_elf(fx, elf, opts))
		return -1;
	unlink(path);
	snprintf(cmd, sizeof(cmd),
		 "makedumpfile -c -d 0 --message-level 0 '%s' '%s' "
		 ">/dev/null 2>&1",
		 elf, path);
	rc = system(cmd);
	unlink(elf);
	return rc == 0 ? 0 : -1;
}
