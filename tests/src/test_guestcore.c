// SPDX-License-Identifier: GPL-2.0-or-later
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/budget.h"
#include "src/gmem.h"
#include "src/gpmap.h"
#include "src/guestcore.h"
#include "tests/src/memfixture.h"

#define KiB 1024ull
#define MiB (1024ull * KiB)
#define GiB (1024ull * MiB)
#define START_KERNEL_MAP 0xffffffff80000000ull
#define POB 0xffff888000000000ull

/*
 * The test guest: gpa [0, 4 MiB) at hpa gpa + 4 MiB (4 KiB pages, then a
 * 2 MiB page), gpa [8 MiB, 8 MiB + 64 KiB) at hpa 10 MiB; EPT tables from
 * 12 MiB.  Every page holds a pattern except the zero ones: gpa 0x3000
 * and [1 MiB, 2 MiB).
 */
#define GOFF (4 * MiB)
#define HI_GPA (8 * MiB)
#define HI_HPA (10 * MiB)
#define HI_LEN (64 * KiB)

struct guest {
	struct memimg m;
	struct vg_gmem g;
	uint64_t root;
	char path[64];
	int fd;
};

static uint64_t hpa_of(uint64_t gpa)
{
	return gpa >= HI_GPA ? gpa - HI_GPA + HI_HPA : gpa + GOFF;
}

static int zero_gpa(uint64_t gpa)
{
	return (gpa & ~4095ull) == 0x3000 || (gpa >= MiB && gpa < 2 * MiB);
}

static void guest_init(struct guest *t)
{
	struct memimg *m = &t->m;

	memimg_init(m, 16 * MiB, 16 * MiB, 12 * MiB);
	t->root = memimg_alloc(m);
	for (uint64_t a = 0; a < 2 * MiB; a += 4 * KiB)
		slat_map(m, VG_GPMAP_EPT, 4, t->root, a, a + GOFF, 4 * KiB);
	slat_map(m, VG_GPMAP_EPT, 4, t->root, 2 * MiB, 2 * MiB + GOFF, 2 * MiB);
	for (uint64_t a = 0; a < HI_LEN; a += 4 * KiB)
		slat_map(m, VG_GPMAP_EPT, 4, t->root, HI_GPA + a, HI_HPA + a,
			 4 * KiB);
	for (uint64_t a = 0; a < 4 * MiB + HI_LEN; a += 8) {
		uint64_t gpa = a < 4 * MiB ? a : HI_GPA + a - 4 * MiB;

		if (!zero_gpa(gpa))
			memimg_put64(m, hpa_of(gpa), memimg_pattern(gpa));
	}
	assert_int_equal(vg_gpmap_init(&t->g, &m->hm, VG_GPMAP_EPT,
				       t->root | 0x5e, 4),
			 0);
	snprintf(t->path, sizeof(t->path), "/tmp/vg-guestcore-XXXXXX");
	t->fd = mkstemp(t->path);
	assert_true(t->fd >= 0);
	/* Nothing is left behind when an assertion ends the test early;
	 * readelf and gdb open the inherited descriptor by /dev/fd/N. */
	unlink(t->path);
	snprintf(t->path, sizeof(t->path), "/dev/fd/%d", t->fd);
}

static void guest_fini(struct guest *t)
{
	vg_gmem_release(&t->g);
	memimg_free(&t->m);
	close(t->fd);
}

static void make_vcpus(struct vg_vcpu *v, unsigned n)
{
	memset(v, 0, n * sizeof(*v));
	for (unsigned i = 0; i < n; i++) {
		v[i].index = (int)i;
		v[i].vendor = VG_VENDOR_VMX;
		for (int r = 0; r < VG_NR_GPRS; r++)
			v[i].gpr[r] = 0x1000 * (i + 1) + (uint64_t)r;
		/* RBX is not known: it must be written as 0. */
		v[i].gpr_known = ((1u << VG_NR_GPRS) - 1) & ~(1u << VG_RBX);
		v[i].known = VG_K_RIP | VG_K_RFLAGS | VG_K_CR0 | VG_K_CR2 |
			     VG_K_CR3 | VG_K_CR4 | VG_K_EFER | VG_K_SEGS |
			     VG_K_SEG_ATTR | VG_K_DTABLES | VG_K_KERNEL_GS_BASE;
		v[i].rip = 0xffffffff81234567ull + i;
		v[i].rflags = 0x246;
		v[i].cr0 = 0x80050033;
		v[i].cr2 = 0x7f0000001000ull;
		v[i].cr3 = 0x1234000;
		v[i].cr4 = 0x3506f0;
		v[i].efer = 0xd01;
		v[i].kernel_gs_base = 0xffff88807fc00000ull;
		v[i].seg[VG_CS] =
			(struct vg_seg){ 0x10, 0xffffffff, 0xa09b, 0 };
		v[i].seg[VG_SS] =
			(struct vg_seg){ 0x18, 0xffffffff, 0xc093, 0 };
		v[i].seg[VG_DS] = (struct vg_seg){ 0, 0, VG_SEG_UNUSABLE, 0 };
		v[i].seg[VG_GS] = (struct vg_seg){ 0, 0xffffffff, 0x8093,
						   0xffff88817fc00000ull };
		v[i].seg[VG_TR] = (struct vg_seg){ 0x40, 0x4087, 0x8b,
						   0xfffffe0000003000ull };
		v[i].gdtr = (struct vg_dtable){ 0xfffffe0000001000ull, 0x7f };
		v[i].idtr = (struct vg_dtable){ 0xfffffe0000000000ull, 0xfff };
	}
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* The program headers of the core, read with libelf. */
struct core {
	Elf *elf;
	size_t nph;
	GElf_Phdr ph[64];
	uint8_t notes[16384];
	size_t notes_len;
};

static void core_open(struct core *c, int fd)
{
	GElf_Ehdr eh;

	memset(c, 0, sizeof(*c));
	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	c->elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(c->elf);
	assert_int_equal(elf_kind(c->elf), ELF_K_ELF);
	assert_non_null(gelf_getehdr(c->elf, &eh));
	assert_int_equal(eh.e_ident[EI_CLASS], ELFCLASS64);
	assert_int_equal(eh.e_type, ET_CORE);
	assert_int_equal(eh.e_machine, EM_X86_64);
	assert_int_equal(elf_getphdrnum(c->elf, &c->nph), 0);
	for (size_t i = 0; i < c->nph && i < 64; i++)
		assert_non_null(gelf_getphdr(c->elf, (int)i, &c->ph[i]));
	assert_true(c->nph >= 1);
	assert_int_equal(c->ph[0].p_type, PT_NOTE);
	c->notes_len = c->ph[0].p_filesz;
	assert_true(c->notes_len <= sizeof(c->notes));
	assert_int_equal(pread(fd, c->notes, c->notes_len,
			       (off_t)c->ph[0].p_offset),
			 (ssize_t)c->notes_len);
}

static void core_close(struct core *c)
{
	elf_end(c->elf);
}

/* i-th note: name, type, desc pointer and size. */
static int core_note(struct core *c, unsigned idx, const char **name,
		     uint32_t *type, const uint8_t **desc, uint32_t *descsz)
{
	size_t off = 0;

	for (unsigned i = 0; off + 12 <= c->notes_len; i++) {
		uint32_t nsz = rd32(c->notes + off),
			 dsz = rd32(c->notes + off + 4);
		size_t next = off + 12 + ((nsz + 3) & ~3u) + ((dsz + 3) & ~3u);

		assert_true(next <= c->notes_len);
		if (i == idx) {
			*name = (const char *)c->notes + off + 12;
			*type = rd32(c->notes + off + 8);
			*desc = c->notes + off + 12 + ((nsz + 3) & ~3u);
			*descsz = dsz;
			return 1;
		}
		off = next;
	}
	return 0;
}

/* Bytes at guest physical gpa through the physical PT_LOADs. */
static int core_read_pa(struct core *c, int fd, uint64_t gpa, void *buf,
			size_t len)
{
	for (size_t i = 1; i < c->nph && i < 64; i++) {
		GElf_Phdr *p = &c->ph[i];

		if (p->p_type == PT_LOAD && gpa >= p->p_paddr &&
		    gpa + len <= p->p_paddr + p->p_filesz)
			return pread(fd, buf, len,
				     (off_t)(p->p_offset + gpa - p->p_paddr)) ==
					       (ssize_t)len ?
				       0 :
				       -1;
	}
	return -1;
}

static int core_read_va(struct core *c, int fd, uint64_t va, void *buf,
			size_t len)
{
	for (size_t i = 1; i < c->nph && i < 64; i++) {
		GElf_Phdr *p = &c->ph[i];

		if (p->p_type == PT_LOAD && p->p_vaddr && va >= p->p_vaddr &&
		    va + len <= p->p_vaddr + p->p_filesz)
			return pread(fd, buf, len,
				     (off_t)(p->p_offset + va - p->p_vaddr)) ==
					       (ssize_t)len ?
				       0 :
				       -1;
	}
	return -1;
}

static void check_guest_bytes(struct core *c, int fd, uint64_t gpa,
			      uint64_t len)
{
	for (uint64_t a = gpa; a < gpa + len; a += 4 * KiB) {
		uint64_t got[2];

		assert_int_equal(core_read_pa(c, fd, a + 8, got, 16), 0);
		if (zero_gpa(a)) {
			assert_true(got[0] == 0 && got[1] == 0);
		} else {
			assert_true(got[0] == memimg_pattern(a + 8));
			assert_true(got[1] == memimg_pattern(a + 16));
		}
	}
}

static void check_cpu_notes(struct core *c, const struct vg_vcpu *v, unsigned n)
{
	const char *name;
	uint32_t type, dsz;
	const uint8_t *d;

	for (unsigned i = 0; i < n; i++) {
		const uint8_t *r;

		assert_true(core_note(c, i, &name, &type, &d, &dsz));
		assert_string_equal(name, "CORE");
		assert_int_equal(type, NT_PRSTATUS);
		assert_int_equal(dsz, 336);
		assert_int_equal(rd32(d + 32), i + 1); /* pr_pid */
		r = d + 112;
		assert_true(rd64(r + 0 * 8) == v[i].gpr[VG_R15]);
		assert_true(rd64(r + 5 * 8) == 0); /* rbx unknown */
		assert_true(rd64(r + 10 * 8) == v[i].gpr[VG_RAX]);
		assert_true(rd64(r + 14 * 8) == v[i].gpr[VG_RDI]);
		assert_true(rd64(r + 16 * 8) == v[i].rip);
		assert_true(rd64(r + 17 * 8) == 0x10); /* cs */
		assert_true(rd64(r + 18 * 8) == 0x246);
		assert_true(rd64(r + 19 * 8) == v[i].gpr[VG_RSP]);
		assert_true(rd64(r + 20 * 8) == 0x18); /* ss */
		assert_true(rd64(r + 22 * 8) == 0xffff88817fc00000ull);
	}
	for (unsigned i = 0; i < n; i++) {
		assert_true(core_note(c, n + i, &name, &type, &d, &dsz));
		assert_string_equal(name, "QEMU");
		assert_int_equal(type, 0);
		assert_int_equal(dsz, 440);
		assert_int_equal(rd32(d), 1);
		assert_int_equal(rd32(d + 4), 440);
		assert_true(rd64(d + 8) == v[i].gpr[VG_RAX]);
		assert_true(rd64(d + 16) == 0); /* rbx unknown */
		assert_true(rd64(d + 8 + 6 * 8) == v[i].gpr[VG_RSP]);
		assert_true(rd64(d + 8 + 15 * 8) == v[i].gpr[VG_R15]);
		assert_true(rd64(d + 136) == v[i].rip);
		assert_true(rd64(d + 144) == 0x246);
		/* cs at 152: selector, limit, flags = (ar & 0xf0ff) << 8 */
		assert_int_equal(rd32(d + 152), 0x10);
		assert_int_equal(rd32(d + 156), 0xffffffff);
		assert_int_equal(rd32(d + 160), 0xa09b00);
		/* ds (unusable): not present */
		assert_int_equal(rd32(d + 176 + 8), 0);
		/* gs base, tr flags, gdt base/limit, idt limit */
		assert_true(rd64(d + 152 + 4 * 24 + 16) ==
			    0xffff88817fc00000ull);
		assert_int_equal(rd32(d + 152 + 7 * 24 + 8), 0x8b00);
		assert_int_equal(rd32(d + 152 + 8 * 24 + 4), 0x7f);
		assert_true(rd64(d + 152 + 8 * 24 + 16) ==
			    0xfffffe0000001000ull);
		assert_int_equal(rd32(d + 152 + 9 * 24 + 4), 0xfff);
		/* cr[0..4] at 392, kernel_gs_base at 432 */
		assert_true(rd64(d + 392) == 0x80050033);
		assert_true(rd64(d + 400) == 0);
		assert_true(rd64(d + 408) == 0x7f0000001000ull);
		assert_true(rd64(d + 416) == 0x1234000);
		assert_true(rd64(d + 424) == 0x3506f0);
		assert_true(rd64(d + 432) == 0xffff88807fc00000ull);
	}
}

static void writes_qemu_layout(void **state)
{
	struct guest t;
	struct vg_vcpu v[2];
	struct vg_guestcore_result res;
	struct core c;
	struct stat st;
	const char *name;
	uint32_t type, dsz;
	const uint8_t *d;

	(void)state;
	guest_init(&t);
	make_vcpus(v, 2);
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, v, 2, NULL, &res), 0);
	assert_string_equal(res.error, "");
	assert_int_equal(res.partial, 0);
	assert_int_equal(res.pages_present, 1024 + 16);
	assert_int_equal(res.pages_zero, 1 + 256);
	assert_int_equal(res.pages_absent, 0);
	assert_int_equal(res.phys_loads, 2);
	assert_int_equal(res.virt_loads, 0);
	assert_int_equal(res.vmcoreinfo_found, 0);
	assert_int_equal(res.walk.pages_present, 1024 + 16);

	core_open(&c, t.fd);
	assert_int_equal(c.nph, 3);
	check_cpu_notes(&c, v, 2);
	assert_false(core_note(&c, 4, &name, &type, &d, &dsz));
	assert_int_equal(c.ph[1].p_type, PT_LOAD);
	assert_true(c.ph[1].p_paddr == 0 && c.ph[1].p_vaddr == 0 &&
		    c.ph[1].p_filesz == 4 * MiB && c.ph[1].p_memsz == 4 * MiB);
	assert_true(c.ph[1].p_offset % 4096 == 0);
	assert_true(c.ph[2].p_paddr == HI_GPA && c.ph[2].p_filesz == HI_LEN);
	assert_true(c.ph[2].p_offset == c.ph[1].p_offset + 4 * MiB);
	check_guest_bytes(&c, t.fd, 0, 4 * MiB);
	check_guest_bytes(&c, t.fd, HI_GPA, HI_LEN);
	/* The file ends with the data, and the 1 MiB of zeros is a hole. */
	assert_int_equal(fstat(t.fd, &st), 0);
	assert_true((uint64_t)st.st_size == c.ph[2].p_offset + HI_LEN);
	assert_true((uint64_t)st.st_size == res.file_size);
	assert_true((uint64_t)st.st_blocks * 512 <=
		    (uint64_t)st.st_size - 512 * KiB);
	assert_true(res.bytes_written == (1024 + 16 - 257) * 4 * KiB);
	core_close(&c);
	guest_fini(&t);
}

/* One segment's access rights unknown: its QEMU flags are 0, not a
 * raw value; the other segments keep theirs. */
static void unknown_attr_not_written(void **state)
{
	struct guest t;
	struct vg_vcpu v[1];
	struct vg_guestcore_result res;
	struct core c;
	const char *name;
	uint32_t type, dsz;
	const uint8_t *d = NULL;

	(void)state;
	guest_init(&t);
	make_vcpus(v, 1);
	v[0].attr_unknown = 1u << VG_CS;
	v[0].seg[VG_CS].attr = 0; /* as the decoders leave it */
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, v, 1, NULL, &res), 0);
	core_open(&c, t.fd);
	assert_true(core_note(&c, 1, &name, &type, &d, &dsz));
	assert_string_equal(name, "QEMU");
	assert_int_equal(rd32(d + 152), 0x10); /* cs selector still there */
	assert_int_equal(rd32(d + 160), 0); /* cs flags */
	assert_int_equal(rd32(d + 152 + 5 * 24 + 8), 0xc09300); /* ss */
	core_close(&c);
	guest_fini(&t);
}

static void absent_host_pages_split_loads(void **state)
{
	struct guest t;
	struct vg_guestcore_result res;
	struct vg_guestcore_opts opts = { .split_reserve = 1 };
	struct core c;
	uint64_t buf;

	(void)state;
	guest_init(&t);
	memimg_mark_absent(&t.m, hpa_of(0x5000));
	memimg_mark_absent(&t.m, hpa_of(0x9000));
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, NULL, 0, NULL, &res),
			 0);
	assert_int_equal(res.pages_absent, 2);
	assert_int_equal(res.pages_present, 1024 + 16 - 2);
	assert_int_equal(res.phys_loads, 4);
	core_open(&c, t.fd);
	assert_int_equal(c.nph, 5);
	assert_true(c.ph[1].p_paddr == 0 && c.ph[1].p_filesz == 0x5000);
	assert_true(c.ph[2].p_paddr == 0x6000 && c.ph[2].p_filesz == 0x3000);
	assert_true(c.ph[3].p_paddr == 0xa000 &&
		    c.ph[3].p_filesz == 4 * MiB - 0xa000);
	assert_int_equal(core_read_pa(&c, t.fd, 0x5000, &buf, 8), -1);
	check_guest_bytes(&c, t.fd, 0, 0x5000);
	check_guest_bytes(&c, t.fd, 0x6000, 0x3000);
	check_guest_bytes(&c, t.fd, 0xa000, 4 * MiB - 0xa000);
	core_close(&c);
	guest_fini(&t);

	/* One split in reserve: the second absent page stays a hole. */
	guest_init(&t);
	memimg_mark_absent(&t.m, hpa_of(0x5000));
	memimg_mark_absent(&t.m, hpa_of(0x9000));
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, NULL, 0, &opts, &res),
			 0);
	assert_int_equal(res.pages_absent, 2);
	assert_int_equal(res.phys_loads, 3);
	core_open(&c, t.fd);
	assert_true(c.ph[2].p_paddr == 0x6000 &&
		    c.ph[2].p_filesz == 4 * MiB - 0x6000);
	assert_int_equal(core_read_pa(&c, t.fd, 0x9000, &buf, 8), 0);
	assert_true(buf == 0);
	core_close(&c);
	guest_fini(&t);
}

/* Put a VMCOREINFO note (Elf64_Nhdr + name + text) at gpa. */
static void put_vmcoreinfo(struct guest *t, uint64_t gpa, const char *text,
			   uint32_t descsz)
{
	uint8_t note[4200];
	Elf64_Nhdr nh = { 11, descsz, 0 };
	size_t tl = strlen(text);

	memset(note, 0, sizeof(note));
	memcpy(note, &nh, sizeof(nh));
	memcpy(note + 12, "VMCOREINFO", 11);
	memcpy(note + 24, text, tl);
	for (size_t i = 0; i < 24 + tl + 1; i++) /* text, then a NUL */
		t->m.buf[hpa_of(gpa + i)] = note[i];
}

static void log_line(void *ctx, const char *msg)
{
	int *n = ctx;

	(*n)++;
	if (getenv("VG_TEST_VERBOSE"))
		fprintf(stderr, "guestcore: %s\n", msg);
}

static void vmcoreinfo_text_and_direct_map(void **state)
{
	int nlog = 0;
	struct vg_guestcore_opts logopts = { .log = log_line,
					     .log_ctx = &nlog };
	struct guest t;
	struct vg_vcpu v[1];
	struct vg_guestcore_result res;
	struct core c;
	const char *name;
	uint32_t type, dsz;
	const uint8_t *d;
	char text[512];
	uint64_t pgt, phys_base = 0x100000, got, want;
	unsigned ntext = 0;

	(void)state;
	guest_init(&t);
	make_vcpus(v, 1);
	/* init_top_pgt at gpa 3 MiB (in the kernel image, above phys_base):
	 * the direct map at POB with 2M pages. */
	t.m.next = hpa_of(3 * MiB);
	pgt = memimg_alloc(&t.m);
	for (uint64_t a = 0; a < 4 * MiB; a += 2 * MiB)
		gpt_map(&t.m, GOFF, pgt, 4, POB + a, a, 2 * MiB);
	gpt_map(&t.m, GOFF, pgt, 4, POB + HI_GPA, HI_GPA, 2 * MiB);
	snprintf(text, sizeof(text),
		 "OSRELEASE=6.1.0-99-amd64\nPAGE_SIZE=4096\n"
		 "SYMBOL(_stext)=%llx\nSYMBOL(init_top_pgt)=%llx\n"
		 "NUMBER(pgtable_l5_enabled)=0\nNUMBER(phys_base)=%llu\n"
		 "KERNELOFFSET=0\nNUMBER(KERNEL_IMAGE_SIZE)=1073741824\n",
		 (unsigned long long)(START_KERNEL_MAP + 2 * MiB - phys_base),
		 (unsigned long long)(START_KERNEL_MAP + (pgt - GOFF) -
				      phys_base),
		 (unsigned long long)phys_base);
	put_vmcoreinfo(&t, 0x7000, text, (uint32_t)strlen(text) + 1);

	assert_int_equal(vg_guestcore_write(t.fd, &t.g, v, 1, &logopts, &res),
			 0);
	assert_int_equal(res.vmcoreinfo_found, 1);
	assert_int_equal(res.vmcoreinfo_candidates, 1);
	assert_true(res.vmcoreinfo_gpa == 0x7000);
	assert_string_equal(res.osrelease, "6.1.0-99-amd64");
	assert_true(res.phys_base_known && res.phys_base == phys_base);
	assert_true(res.page_offset_base_known && res.page_offset_base == POB);

	core_open(&c, t.fd);
	check_cpu_notes(&c, v, 1);
	assert_true(core_note(&c, 2, &name, &type, &d, &dsz));
	assert_string_equal(name, "VMCOREINFO");
	assert_int_equal(type, 0);
	assert_int_equal(dsz, strlen(text) + 1);
	assert_memory_equal(d, text, strlen(text));
	/*
	 * Physical loads carry the direct map; the kernel text map covers
	 * [_stext rounded down to 2 MiB, phys_base + KERNEL_IMAGE_SIZE),
	 * here both guest ranges, reusing their file data.
	 */
	for (size_t i = 1; i < c.nph; i++) {
		if (c.ph[i].p_vaddr >= START_KERNEL_MAP) {
			GElf_Phdr *p = ntext ? &c.ph[2] : &c.ph[1];

			ntext++;
			assert_true(c.ph[i].p_paddr ==
				    (ntext == 1 ? phys_base : HI_GPA));
			assert_true(c.ph[i].p_vaddr ==
				    START_KERNEL_MAP +
					    (c.ph[i].p_paddr - phys_base));
			assert_true(
				c.ph[i].p_filesz ==
				(ntext == 1 ? 4 * MiB - phys_base : HI_LEN));
			assert_true(c.ph[i].p_offset ==
				    p->p_offset + c.ph[i].p_paddr - p->p_paddr);
		} else {
			assert_true(c.ph[i].p_vaddr == POB + c.ph[i].p_paddr);
		}
	}
	assert_int_equal(ntext, 2);
	assert_int_equal(res.virt_loads, 2);
	assert_int_equal(c.nph, 5);
	/* What a virtual reader (vmcore-dmesg) sees at _stext. */
	assert_int_equal(
		core_read_va(&c, t.fd,
			     START_KERNEL_MAP + 2 * MiB - phys_base + 8, &got,
			     8),
		0);
	want = memimg_pattern(2 * MiB + 8);
	assert_true(got == want);
	assert_int_equal(core_read_va(&c, t.fd, POB + HI_GPA + 16, &got, 8), 0);
	assert_true(got == memimg_pattern(HI_GPA + 16));
	core_close(&c);

	/* no_virtual: QEMU's physical-only layout. */
	{
		struct vg_guestcore_opts o = { .no_virtual = 1 };

		assert_int_equal(ftruncate(t.fd, 0), 0);
		assert_int_equal(vg_guestcore_write(t.fd, &t.g, v, 1, &o, &res),
				 0);
		assert_int_equal(res.vmcoreinfo_found, 1);
		core_open(&c, t.fd);
		assert_int_equal(c.nph, 3);
		assert_true(c.ph[1].p_vaddr == 0 && c.ph[2].p_vaddr == 0);
		core_close(&c);
	}
	guest_fini(&t);
}

/*
 * With KASLR the kernel can sit lower in physical memory than its virtual
 * offset: NUMBER(phys_base) is then negative (a 6.1 guest had
 * -247463936).  The kernel text map must still be there, or vmcore-dmesg
 * finds no program header for the printk ring buffer.
 */
static void negative_phys_base(void **state)
{
	const int64_t phys_base = -(int64_t)(16 * MiB);
	struct guest t;
	struct vg_vcpu v[1];
	struct vg_guestcore_result res;
	struct core c;
	char text[512];
	uint64_t stext = START_KERNEL_MAP + 2 * MiB - (uint64_t)phys_base;
	uint64_t got;

	(void)state;
	guest_init(&t);
	make_vcpus(v, 1);
	snprintf(text, sizeof(text),
		 "OSRELEASE=6.1.0-99-amd64\nPAGE_SIZE=4096\n"
		 "SYMBOL(_stext)=%llx\nNUMBER(phys_base)=%lld\n"
		 "KERNELOFFSET=e000000\nNUMBER(KERNEL_IMAGE_SIZE)=1073741824\n",
		 (unsigned long long)stext, (long long)phys_base);
	put_vmcoreinfo(&t, 0x7000, text, (uint32_t)strlen(text) + 1);
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, v, 1, NULL, &res), 0);
	assert_int_equal(res.vmcoreinfo_found, 1);
	assert_true(res.phys_base_known);
	assert_true(res.phys_base == (uint64_t)phys_base);
	assert_true(res.virt_loads >= 1);
	core_open(&c, t.fd);
	assert_int_equal(core_read_va(&c, t.fd, stext + 8, &got, 8), 0);
	assert_true(got == memimg_pattern(2 * MiB + 8));
	core_close(&c);
	guest_fini(&t);
}

/* Bogus candidates are counted and skipped; a note across pages is found. */
static void vmcoreinfo_candidates_validated(void **state)
{
	struct guest t;
	struct vg_guestcore_result res;
	struct core c;
	const char *name;
	uint32_t type, dsz;
	const uint8_t *d;
	const char *good = "OSRELEASE=5.10.0-test\nPAGE_SIZE=4096\n";

	(void)state;
	guest_init(&t);
	put_vmcoreinfo(&t, 0x9000, "OSRELEASE=x\n", 9000); /* too long */
	put_vmcoreinfo(&t, 0xa000, "OSRELEASE=\x01\x02\n", 16); /* binary */
	put_vmcoreinfo(&t, 0xbff0, good, (uint32_t)strlen(good));
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, NULL, 0, NULL, &res),
			 0);
	assert_int_equal(res.vmcoreinfo_candidates, 3);
	assert_int_equal(res.vmcoreinfo_found, 1);
	assert_true(res.vmcoreinfo_gpa == 0xbff0);
	assert_string_equal(res.osrelease, "5.10.0-test");
	/* No NUMBER(phys_base): no virtual addresses. */
	assert_int_equal(res.virt_loads, 0);
	assert_int_equal(res.phys_base_known, 0);
	core_open(&c, t.fd);
	assert_true(core_note(&c, 0, &name, &type, &d, &dsz));
	assert_string_equal(name, "VMCOREINFO");
	assert_memory_equal(d, good, strlen(good));
	core_close(&c);
	guest_fini(&t);
}

/* A file-size limit cuts the data short: the core stays consistent. */
static void output_error_gives_consistent_partial_core(void **state)
{
	struct guest t;
	struct vg_vcpu v[1];
	struct vg_guestcore_result res;
	struct rlimit old, lim;
	struct core c;
	struct stat st;
	void (*oldsig)(int);
	int r;

	(void)state;
	guest_init(&t);
	make_vcpus(v, 1);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = 1 * MiB;
	oldsig = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	r = vg_guestcore_write(t.fd, &t.g, v, 1, NULL, &res);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);

	assert_int_equal(r, VG_GC_PARTIAL);
	assert_int_equal(res.partial, 1);
	assert_non_null(strstr(res.error, strerror(EFBIG)));
	core_open(&c, t.fd);
	check_cpu_notes(&c, v, 1);
	assert_int_equal(c.nph, 2);
	assert_int_equal(fstat(t.fd, &st), 0);
	assert_true(c.ph[1].p_paddr == 0 && c.ph[1].p_filesz > 0);
	assert_true(c.ph[1].p_filesz < 4 * MiB);
	assert_true(c.ph[1].p_offset + c.ph[1].p_filesz <=
		    (uint64_t)st.st_size);
	assert_true((uint64_t)st.st_size <= 1 * MiB);
	check_guest_bytes(&c, t.fd, 0, c.ph[1].p_filesz);
	core_close(&c);
	guest_fini(&t);
}

struct stopper {
	int calls, stop_at;
	uint64_t first_total, last_done;
};

static int stop_cb(void *ctx, uint64_t done, uint64_t total, char *why,
		   size_t whysz)
{
	struct stopper *st = ctx;

	if (!st->calls++)
		st->first_total = total;
	assert_true(done >= st->last_done && done <= total);
	st->last_done = done;
	if (st->calls < st->stop_at)
		return 0;
	snprintf(why, whysz, "stopped: test budget");
	return 1;
}

/* The caller's progress callback stops the copy mid-way (a time budget):
 * the core is consistent, holds what was copied, says why. */
static void progress_stop_gives_consistent_partial_core(void **state)
{
	struct guest t;
	struct vg_vcpu v[1];
	struct vg_guestcore_result res;
	/* called after the first walk, before the copy, after each batch */
	struct stopper st = { 0, 5, 0, 0 };
	struct vg_guestcore_opts o;
	struct core c;
	struct stat sb;

	(void)state;
	guest_init(&t);
	make_vcpus(v, 1);
	memset(&o, 0, sizeof(o));
	o.progress = stop_cb;
	o.progress_ctx = &st;
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, v, 1, &o, &res),
			 VG_GC_PARTIAL);
	assert_int_equal(st.calls, 5);
	/* Every mapped page: 4 MiB + 64 KiB. */
	assert_true(st.first_total == (4 * MiB + HI_LEN) / 4096);
	assert_int_equal(res.partial, 1);
	assert_string_equal(res.error, "stopped: test budget");
	core_open(&c, t.fd);
	check_cpu_notes(&c, v, 1);
	assert_int_equal(c.nph, 2);
	assert_int_equal(fstat(t.fd, &sb), 0);
	/* Three 256 KiB batches went by before the stop. */
	assert_true(c.ph[1].p_paddr == 0);
	assert_true(c.ph[1].p_filesz == 3 * 256 * KiB);
	assert_true(c.ph[1].p_offset + c.ph[1].p_filesz <=
		    (uint64_t)sb.st_size);
	check_guest_bytes(&c, t.fd, 0, c.ph[1].p_filesz);
	core_close(&c);
	guest_fini(&t);

	/* Stopping before the first byte: headers and notes only. */
	guest_init(&t);
	st = (struct stopper){ 0, 1, 0, 0 };
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, v, 1, &o, &res),
			 VG_GC_PARTIAL);
	assert_int_equal(st.calls, 1);
	core_open(&c, t.fd);
	check_cpu_notes(&c, v, 1);
	assert_int_equal(c.nph, 1);
	core_close(&c);
	guest_fini(&t);
}

/* A clock that advances one second each time it is read. */
static double tick_t;
static double tick_now(void)
{
	return tick_t += 1.0;
}

/* src/budget.c as the writer's callback: an 8 s budget on a clock that
 * ticks at every reading stops the copy after the first batch, and the
 * core is consistent. */
static void time_budget_stops_mid_copy(void **state)
{
	struct guest t;
	struct vg_vcpu v[1];
	struct vg_guestcore_result res;
	struct vg_guestcore_opts o;
	struct vg_budget b;
	struct core c;

	(void)state;
	guest_init(&t);
	make_vcpus(v, 1);
	vg_budget_init(&b, 8.0, 0, -1, NULL);
	tick_t = 0;
	b.now = tick_now;
	b.start = 0;
	assert_int_equal(vg_budget_before_guest(&b, "g"), 0); /* t=1, 2 */
	memset(&o, 0, sizeof(o));
	o.progress = vg_budget_progress;
	o.progress_ctx = &b;
	/* t=3, 4 after the first walk; 5, 6 before the copy; 7, 8 after the
	 * first batch: stop. */
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, v, 1, &o, &res),
			 VG_GC_PARTIAL);
	assert_string_equal(res.error, "stopped: time budget of 8 s used up");
	assert_int_equal(b.stopped, 1);
	core_open(&c, t.fd);
	check_cpu_notes(&c, v, 1);
	assert_int_equal(c.nph, 2);
	assert_true(c.ph[1].p_filesz == 256 * KiB);
	check_guest_bytes(&c, t.fd, 0, c.ph[1].p_filesz);
	core_close(&c);
	assert_int_equal(vg_budget_before_guest(&b, "next"), 1);
	guest_fini(&t);
}

/*
 * The first table walk is under the same clock: guest memory read through
 * the budget's memory (as run.c reads it), a 5 s budget on the ticking
 * clock runs out inside the EPT walk before the copy.  The walk's reads
 * are refused from then on, the writer says it stopped on the budget
 * (not "guest memory incomplete"), copies nothing and the core holds the
 * notes.  Then the same for the kdump-compressed writer, whose walks and
 * VMCOREINFO search come before the copy.
 */
static void time_budget_covers_first_walk(void **state)
{
	static const int compress[] = { VG_GC_ELF, VG_GC_ZLIB };
	struct vg_guestcore_result res;
	struct vg_guestcore_opts o;
	struct vg_budget_mem bm;
	struct vg_vcpu v[1];
	struct vg_budget b;
	struct guest t;
	struct core c;

	(void)state;
	for (int i = 0; i < 2; i++) {
		guest_init(&t);
		make_vcpus(v, 1);
		vg_budget_init(&b, 5.0, 0, -1, NULL);
		tick_t = 0;
		b.now = tick_now;
		b.start = 0;
		vg_budget_mem_init(&bm, t.g.hm, &b);
		t.g.hm = &bm.hm;
		/* t=1, 2; the walk's reads: t=3, 4, then 5: refused */
		assert_int_equal(vg_budget_before_guest(&b, "g"), 0);
		memset(&o, 0, sizeof(o));
		o.progress = vg_budget_progress;
		o.progress_ctx = &b;
		o.compress = compress[i];
		o.dump_level = i ? 1 : 0;
		assert_int_equal(vg_guestcore_write(t.fd, &t.g, v, 1, &o, &res),
				 VG_GC_PARTIAL);
		assert_string_equal(res.error,
				    "stopped: time budget of 5 s used up");
		assert_true(bm.refused > 0);
		assert_int_equal(b.stopped, 1);
		assert_int_equal(res.pages_present, 0);
		if (!i) {
			core_open(&c, t.fd);
			check_cpu_notes(&c, v, 1);
			assert_int_equal(c.nph, 1); /* the notes, no data */
			core_close(&c);
		}
		guest_fini(&t);
	}
}

static void unreadable_tables_still_give_registers(void **state)
{
	struct guest t;
	struct vg_vcpu v[2];
	struct vg_guestcore_result res;
	struct core c;

	(void)state;
	guest_init(&t);
	make_vcpus(v, 2);
	memimg_mark_absent(&t.m, t.root);
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, v, 2, NULL, &res),
			 VG_GC_PARTIAL);
	assert_non_null(strstr(res.error, "not in the host dump"));
	assert_int_equal(res.phys_loads, 0);
	core_open(&c, t.fd);
	assert_int_equal(c.nph, 1);
	check_cpu_notes(&c, v, 2);
	core_close(&c);
	guest_fini(&t);
}

static void bad_arguments(void **state)
{
	struct guest t;
	struct vg_guestcore_result res;

	(void)state;
	guest_init(&t);
	assert_int_equal(vg_guestcore_write(-1, &t.g, NULL, 0, NULL, &res),
			 VG_GC_FAILED);
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, NULL, 3, NULL, &res),
			 VG_GC_FAILED);
	assert_non_null(strstr(res.error, "bad arguments"));
	guest_fini(&t);
}

/* More than 65535 program headers: PN_XNUM with the count in shdr 0. */
static void many_ranges_use_pn_xnum(void **state)
{
	struct memimg m;
	struct vg_gmem g;
	struct vg_guestcore_result res;
	uint64_t root, zero;
	size_t nph;
	char path[] = "/tmp/vg-guestcore-XXXXXX";
	int fd;
	Elf *e;
	GElf_Phdr ph;
	const unsigned n = 66000;

	(void)state;
	memimg_init(&m, 4 * MiB, 4 * MiB, 64 * KiB);
	root = memimg_alloc(&m);
	zero = memimg_alloc(&m);
	for (uint64_t i = 0; i < n; i++)
		slat_map(&m, VG_GPMAP_NPT, 4, root, 2 * i * 4096, zero,
			 4 * KiB);
	assert_int_equal(vg_gpmap_init(&g, &m.hm, VG_GPMAP_NPT, root, 4), 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(vg_guestcore_write(fd, &g, NULL, 0, NULL, &res), 0);
	assert_int_equal(res.phys_loads, n);
	assert_int_equal(res.pages_zero, n);
	e = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(e);
	assert_int_equal(elf_getphdrnum(e, &nph), 0);
	assert_int_equal(nph, n + 1);
	assert_non_null(gelf_getphdr(e, (int)n, &ph));
	assert_true(ph.p_type == PT_LOAD &&
		    ph.p_paddr == 2ull * (n - 1) * 4096);
	elf_end(e);
	close(fd);
	vg_gmem_release(&g);
	memimg_free(&m);
}

static int run_capture(const char *cmd, char *out, size_t outsz)
{
	FILE *p = popen(cmd, "r");
	size_t n;

	if (!p)
		return -1;
	n = fread(out, 1, outsz - 1, p);
	out[n] = '\0';
	return pclose(p);
}

/* readelf and gdb read the notes and the registers. */
static void readelf_and_gdb_read_it(void **state)
{
	struct guest t;
	struct vg_vcpu v[2];
	struct vg_guestcore_result res;
	char cmd[256], *out = malloc(65536);

	(void)state;
	assert_non_null(out);
	guest_init(&t);
	make_vcpus(v, 2);
	put_vmcoreinfo(&t, 0x7000, "OSRELEASE=6.1.0-gdb\n", 21);
	assert_int_equal(vg_guestcore_write(t.fd, &t.g, v, 2, NULL, &res), 0);

	snprintf(cmd, sizeof(cmd), "readelf -n %s 2>&1", t.path);
	assert_int_equal(run_capture(cmd, out, 65536), 0);
	assert_non_null(strstr(out, "NT_PRSTATUS"));
	assert_non_null(strstr(out, "QEMU"));
	assert_non_null(strstr(out, "VMCOREINFO"));
	snprintf(cmd, sizeof(cmd), "readelf -lW %s 2>&1", t.path);
	assert_int_equal(run_capture(cmd, out, 65536), 0);
	assert_non_null(strstr(out, "Core file"));
	assert_non_null(strstr(out, "0x400000 0x400000"));

	snprintf(cmd, sizeof(cmd),
		 "gdb -nx -batch -c %s -ex 'info registers rip rsp rax cs' "
		 "-ex 'info threads' 2>&1",
		 t.path);
	assert_int_equal(run_capture(cmd, out, 65536), 0);
	assert_non_null(strstr(out, "0xffffffff81234567"));
	assert_non_null(strstr(out, "0x1004")); /* rsp of vCPU 0 */
	assert_non_null(strstr(out, "0x1000")); /* rax of vCPU 0 */
	assert_non_null(strstr(out, "LWP 2")); /* vCPU 1, pid 2 */
	guest_fini(&t);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(writes_qemu_layout),
		cmocka_unit_test(unknown_attr_not_written),
		cmocka_unit_test(absent_host_pages_split_loads),
		cmocka_unit_test(vmcoreinfo_text_and_direct_map),
		cmocka_unit_test(negative_phys_base),
		cmocka_unit_test(vmcoreinfo_candidates_validated),
		cmocka_unit_test(output_error_gives_consistent_partial_core),
		cmocka_unit_test(progress_stop_gives_consistent_partial_core),
		cmocka_unit_test(time_budget_stops_mid_copy),
		cmocka_unit_test(time_budget_covers_first_walk),
		cmocka_unit_test(unreadable_tables_still_give_registers),
		cmocka_unit_test(bad_arguments),
		cmocka_unit_test(many_ranges_use_pn_xnum),
		cmocka_unit_test(readelf_and_gdb_read_it),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
