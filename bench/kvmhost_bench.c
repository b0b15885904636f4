// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * make bench: a KVM host dump of any size, for vmcore-guests end to end.
 *
 *   kvmhost_bench HOST_MIB OUT.elf
 *
 * The unit tests' synthetic KVM host (tests/src/kvmfixture.c: kernel page
 * tables, the KVMINFO note, vm_list, VM web01 with two vCPUs and their
 * VMCBs) scaled up: web01's second memslot grows to GUEST_MIB, and a
 * second VM, db02, with two vCPUs and one memslot of GUEST_MIB, joins
 * vm_list.  Each guest has RESIDENT_MIB of it in host RAM, in 2 MiB
 * pages of QEMU's page tables (as THP gives QEMU), one near the bottom
 * of host RAM and one at the top; the rest of the slot was never
 * touched.  Guest pages hold a marker, 2 KiB of a pseudo-random pattern
 * and 2 KiB of one repeated word (so a page compresses to about half, as
 * kernel memory roughly does), every 8th page is zero.
 * The dump is a sparse ELF file: the first 32 MiB (the fixture's image),
 * then the guests' pages; everything else of host RAM is a hole.
 * Prints the guests' present bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <elf.h>

#include "tests/src/fixture.h"
#include "tests/src/kvmfixture-layout.h"
#include "tests/src/kvmfixture.h"

#define FIXTURE_RAM (32 * MiB)
#define GUEST_MIB 512ull
#define RESIDENT_MIB 384ull
#define G1_HPA (64 * MiB)

/* db02, beside web01's structures (0x300000..0x310000) */
#define KVM2 0x320000ull
#define MEMSLOTS2 0x321000ull
#define SLOT2 0x322000ull
#define XA2 0x323000ull
#define SVM2 0x324000ull /* and the next page: vCPU 1 */
#define MM2 0x326000ull
#define PGD2 0x327000ull
#define PID2 0x328000ull /* +0x100 per vCPU */
#define TASK2 0x329000ull /* and the next page */
#define ARGV2 0x32b000ull
#define ARGV2_HVA 0x7f2000000000ull
#define HVA2 0x7f3000000000ull
#define VMCB2 0x120000ull /* and the next page */
#define PID_DB02 4343

static const char argv2[] = "/usr/bin/qemu-system-x86_64\0-enable-kvm\0"
			    "-name\0guest=db02\0-m\0512\0";

static void vcpu2(struct fx *fx, int v, uint64_t ncr3)
{
	uint64_t svm = SVM2 + 0x1000ull * v, vcpu = svm + O_SVM_VCPU;
	uint64_t pidp = PID2 + 0x100ull * v, task = TASK2 + 0x1000ull * v;
	struct fx_cpu c;

	fx_put64(fx, vcpu, DM(KVM2));
	fx_put32(fx, vcpu + O_VCPU_ID, (uint32_t)v);
	fx_put32(fx, vcpu + O_VCPU_IDX, (uint32_t)v);
	fx_put64(fx, vcpu + O_VCPU_PID, DM(pidp));
	for (int i = 0; i < 17; i++)
		fx_put64(fx, vcpu + O_VCPU_REGS + 8 * i, 0x2000u + 8u * i);
	fx_put32(fx, vcpu + O_VCPU_AVAIL, 0x1ffff);
	fx_put64(fx, svm + O_SVM_CUR, DM(svm + O_SVM_VMCB01));
	fx_put64(fx, svm + O_SVM_VMCB01 + O_INFO_PA, VMCB2 + 0x1000ull * v);
	fx_put32(fx, pidp + O_PID_NUMBERS, (uint32_t)(PID_DB02 + 1 + v));
	fx_put64(fx, pidp + O_PID_TASKS, DM(task + O_TASK_LINKS));
	fx_put32(fx, task + O_TASK_PID, (uint32_t)(PID_DB02 + 1 + v));
	memcpy(fx_ptr(fx, task + O_TASK_COMM), v ? "CPU 1/KVM" : "CPU 0/KVM",
	       10);
	fx_put64(fx, XA2 + O_XA_SLOTS + 8ull * v, DM(vcpu));
	fx_cpu_realmode(&c, ncr3);
	c.rip = 0x3000u + (unsigned)v;
	fx_make_vmcb(fx, VMCB2 + 0x1000ull * v, &c);
}

/* The second VM on vm_list after web01; its RAM at hpa. */
static void add_db02(struct fx *fx, uint64_t hpa)
{
	uint64_t ncr3 = fx_alloc_page(fx);

	fx_put64(fx, KVM + O_KVM_VM_LIST, DM(KVM2 + O_KVM_VM_LIST));
	fx_put64(fx, KVM2 + O_KVM_VM_LIST, DM(VM_LIST));
	fx_put32(fx, KVM2 + O_KVM_PID, PID_DB02);
	fx_put64(fx, KVM2 + O_KVM_MM, DM(MM2));
	fx_put64(fx, MM2 + O_MM_PGD, DM(PGD2));
	fx_put64(fx, MM2 + O_MM_ARG_START, ARGV2_HVA);
	fx_put64(fx, MM2 + O_MM_ARG_END, ARGV2_HVA + sizeof(argv2) - 1);
	fx_map(fx, PGD2, ARGV2_HVA, ARGV2, FX_PAGE, 0x7);
	memcpy(fx_ptr(fx, ARGV2), argv2, sizeof(argv2) - 1);
	fx_put64(fx, KVM2 + O_KVM_MEMSLOTS, DM(MEMSLOTS2));
	fx_put32(fx, MEMSLOTS2 + O_MS_NODE_IDX, 1);
	fx_put64(fx, MEMSLOTS2 + O_MS_GFN_TREE,
		 DM(SLOT2 + O_SLOT_GFN_NODE + S_RB));
	fx_put64(fx, SLOT2 + O_SLOT_NPAGES, GUEST_MIB * MiB / FX_PAGE);
	fx_put64(fx, SLOT2 + O_SLOT_HVA, HVA2);
	for (uint64_t o = 0; o < RESIDENT_MIB * MiB; o += 2 * MiB)
		fx_map(fx, PGD2, HVA2 + o, hpa + o, 2 * MiB, 0x7);
	fx_map(fx, ncr3, 0, hpa, FX_PAGE, 0x7);
	fx_put32(fx, KVM2 + O_KVM_ONLINE, 2);
	fx_put64(fx, KVM2 + O_KVM_VCPU_ARRAY + O_XA_HEAD, DM(XA2) | 2);
	vcpu2(fx, 0, ncr3);
	vcpu2(fx, 1, ncr3);
}

/* web01's 2 MiB memslot grows to GUEST_MIB, RESIDENT_MIB of it at hpa. */
static void grow_web01(struct fx *fx, uint64_t hpa)
{
	fx_put64(fx, SLOT_B + O_SLOT_NPAGES, GUEST_MIB * MiB / FX_PAGE);
	for (uint64_t o = 0; o < RESIDENT_MIB * MiB; o += 2 * MiB)
		fx_map(fx, PGD, HVA_B + o, hpa + o, 2 * MiB, 0x7);
}

static int put(int fd, const void *p, size_t n, uint64_t off)
{
	if (pwrite(fd, p, n, (off_t)off) != (ssize_t)n) {
		fprintf(stderr, "kvmhost_bench: write: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* RESIDENT_MIB of guest pages at file offset off (zero pages: holes). */
static int guest_pages(int fd, uint64_t off, uint64_t seed)
{
	static uint64_t buf[2 * MiB / 8];

	for (uint64_t o = 0; o < RESIDENT_MIB * MiB; o += sizeof(buf)) {
		uint64_t x = seed ^ o;

		for (size_t i = 0; i < sizeof(buf) / 8; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (i % 512 == 0)
				buf[i] = kfx_marker(o + i * 8);
			else if (i % 512 < 256)
				buf[i] = x;
			else /* the page's number, repeated */
				buf[i] = (o + i * 8) / FX_PAGE;
		}
		for (size_t p = 0; p < sizeof(buf) / FX_PAGE; p++) {
			if ((o / FX_PAGE + p) % 8 == 7)
				continue;
			if (put(fd, (uint8_t *)buf + p * FX_PAGE, FX_PAGE,
				off + o + p * FX_PAGE))
				return -1;
		}
	}
	return 0;
}

static int write_dump(struct fx *fx, const char *path, uint64_t host,
		      uint64_t g2)
{
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph[3];
	} h;
	uint64_t data = 2 * FX_PAGE + 16384; /* after headers and notes */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600), rc;

	if (fd < 0) {
		fprintf(stderr, "kvmhost_bench: %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.eh.e_ident, ELFMAG, SELFMAG);
	h.eh.e_ident[EI_CLASS] = ELFCLASS64;
	h.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	h.eh.e_ident[EI_VERSION] = EV_CURRENT;
	h.eh.e_type = ET_CORE;
	h.eh.e_machine = EM_X86_64;
	h.eh.e_version = EV_CURRENT;
	h.eh.e_phoff = sizeof(h.eh);
	h.eh.e_ehsize = sizeof(h.eh);
	h.eh.e_phentsize = sizeof(Elf64_Phdr);
	h.eh.e_phnum = 3;
	h.ph[0].p_type = PT_NOTE;
	h.ph[0].p_offset = FX_PAGE;
	h.ph[0].p_filesz = fx->notes_len;
	for (int i = 1; i < 3; i++) {
		h.ph[i].p_type = PT_LOAD;
		h.ph[i].p_flags = PF_R | PF_W | PF_X;
		h.ph[i].p_align = FX_PAGE;
	}
	h.ph[1].p_offset = data;
	h.ph[1].p_vaddr = DM(0);
	h.ph[1].p_filesz = h.ph[1].p_memsz = FIXTURE_RAM;
	h.ph[2].p_offset = data + FIXTURE_RAM;
	h.ph[2].p_paddr = FIXTURE_RAM;
	h.ph[2].p_vaddr = DM(FIXTURE_RAM);
	h.ph[2].p_filesz = h.ph[2].p_memsz = host - FIXTURE_RAM;
	rc = put(fd, &h, sizeof(h), 0) ||
	     put(fd, fx->notes, fx->notes_len, FX_PAGE) ||
	     put(fd, fx->ram, FIXTURE_RAM, data) ||
	     ftruncate(fd, (off_t)(data + host)) ||
	     guest_pages(fd, data + G1_HPA, 0x9e3779b97f4a7c15ull) ||
	     guest_pages(fd, data + g2, 0xc2b2ae3d27d4eb4full);
	if (close(fd) || rc) {
		fprintf(stderr, "kvmhost_bench: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t host, g2;
	struct fx *fx;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: %s HOST_MIB OUT.elf\n", argv[0]);
		return 2;
	}
	host = strtoull(argv[1], NULL, 0) * MiB;
	if (host < G1_HPA + 2 * RESIDENT_MIB * MiB || host % (2 * MiB)) {
		fprintf(stderr,
			"kvmhost_bench: HOST_MIB: a multiple of 2, at least "
			"%llu\n",
			(unsigned long long)(G1_HPA / MiB + 2 * RESIDENT_MIB));
		return 2;
	}
	g2 = host - RESIDENT_MIB * MiB; /* the top of host RAM */
	fx = kfx_build(NULL);
	grow_web01(fx, G1_HPA);
	add_db02(fx, g2);
	rc = write_dump(fx, argv[2], host, g2);
	fx_free(fx);
	if (rc)
		return 1;
	/* web01 also has its first memslot: 255 resident 4 KiB pages */
	printf("%llu\n",
	       (unsigned long long)(2 * RESIDENT_MIB * MiB +
				    (KFX_SLOT_A_PAGES - 1) * FX_PAGE));
	return 0;
}
