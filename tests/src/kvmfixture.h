/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A synthetic KVM host for the unit tests: host kernel page tables, a
 * struct kvm on vm_list with two memslots (4 KiB pages with a hole, and
 * one 2 MiB page), two vCPUs in an xarray node, their VMCBs, threads and
 * run queues, and a QEMU process whose argv carries -name and -uuid, all
 * laid out by the KVMINFO note text kfx_kvminfo() returns (offsets chosen
 * unlike any real kernel so nothing can work by accident).
 */
#ifndef VG_TEST_KVMFIXTURE_H
#define VG_TEST_KVMFIXTURE_H

#include <stdint.h>

#include "tests/src/fixture.h"

#define KFX_DM 0xffff888000000000ull /* direct map */
#define KFX_PID 4242
#define KFX_NAME "web01"
#define KFX_UUID "5a0d9c3e-1f2b-4c55-9d1e-0123456789ab"
#define KFX_SLOT_A_PAGES 256 /* gfn 0: 4 KiB pages, page 5 not resident */
#define KFX_HOLE_GFN 5
#define KFX_SLOT_B_GFN 0x100 /* 2 MiB page */
#define KFX_SLOT_B_PAGES 512
#define KFX_PRESENT_PAGES (KFX_SLOT_A_PAGES - 1 + KFX_SLOT_B_PAGES)
#define KFX_CRASH_CLOCK 3500000000ull
#define KFX_TID0 4250
#define KFX_TID1 4251
#define KFX_VMCB0 0x100000ull
#define KFX_VMCB1 0x101000ull

/* Knobs for the hostile and disagreeing variants. */
struct kfx_opts {
	int vm_list_loop; /* the VM's list entry points to itself */
	int rb_loop; /* a memslot tree node is its own left child */
	int vcpu1_vmcb_elsewhere; /* vmcb01 of vCPU 1 points to a plain page */
	const char *osrelease; /* of the KVMINFO note; NULL = the dump's */
	int no_kvminfo; /* leave the note out */
};

/* RAM holding everything; the caller writes it with fx_write_elf(). */
struct fx *kfx_build(const struct kfx_opts *o);

/* What the guest page at gpa holds in its first 8 bytes. */
uint64_t kfx_marker(uint64_t gpa);

/* GPR i (KVM order) of vCPU v as the fixture's regs[] has it. */
uint64_t kfx_gpr(int v, int i);

#endif
