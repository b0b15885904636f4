/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tiny test guest: its memory, code and registers.  This header is the
 * only place these values live: kvmguest sets them up, `kvmguest --expect`
 * prints them for the shell verdicts, guestcheck checks a guest vmcore
 * against them.
 *
 * Memory: KG_MEM_SIZE bytes at guest-physical 0; every 4 KiB page starts
 * with the 8-byte KG_MARKER followed by the page number (u64, little
 * endian).  Code: one vCPU in real mode, CS = KG_CS_SELECTOR (base
 * KG_CS_BASE), IP = KG_IP, running
 *
 *	loop:	f7 d0	not ax		(changes no flag)
 *		eb fc	jmp loop
 *
 * so RIP is KG_IP or KG_IP + 2 and RFLAGS stays KG_RFLAGS (IF=1: Bochs
 * never leaves a guest that runs with IF=0).  AX flips between the low 16
 * bits of KG_RAX and their complement.  kvmguest --long runs the same
 * loop in 64-bit mode at CPL 3 (KG_LM_* below).
 */
#ifndef VG_TEST_GUEST_EXPECT_H
#define VG_TEST_GUEST_EXPECT_H

#define KG_MEM_SIZE 0x200000u
#define KG_PAGE_SIZE 4096u
#define KG_PAGES (KG_MEM_SIZE / KG_PAGE_SIZE)
#define KG_MARKER "VGTGUEST"
#define KG_MARKER_LEN 8

#define KG_CS_SELECTOR 0x1000u
#define KG_CS_BASE 0x10000u
#define KG_IP 0x2340u
#define KG_CODE_GPA (KG_CS_BASE + KG_IP)
#define KG_CODE_BYTES                  \
	{                              \
		0xf7, 0xd0, 0xeb, 0xfc \
	}
#define KG_CODE_LEN 4
/* RIP is always inside [KG_RIP_MIN, KG_RIP_MAX]. */
#define KG_RIP_MIN KG_IP
#define KG_RIP_MAX (KG_IP + KG_CODE_LEN - 1)

/*
 * The long-mode variant (kvmguest --long): the same memory, code, RFLAGS,
 * RSP and GPRs, the vCPU in 64-bit mode at CPL 3.  CS is a 64-bit user
 * code segment (L = 1, DPL 3), SS, DS and ES a user data segment, as
 * Linux's __USER_CS / __USER_DS; KVM takes the segments from
 * KVM_SET_SREGS, so no GDT is needed.  Four-level paging maps one 4 KiB
 * page, the code's, at KG_LM_IP's page: the tables lie in the last four
 * pages of guest memory and use entry 2 of each level, so that every page
 * still begins with its marker (entries 0 and 1 hold the marker's bytes
 * and are never used); the CPU sets accessed bits in entry 2 only.  Nothing is
 * pushed: RSP is not mapped.  NOT EAX zero-extends into RAX, so RAX
 * flips between KG_RAX and KG_RAX ^ 0xffffffff (KG_RAX < 2^32).
 */
#define KG_LM_PT_GPA (KG_MEM_SIZE - 4 * KG_PAGE_SIZE) /* PML4, PDPT, PD, PT */
#define KG_LM_INDEX 2ull
#define KG_LM_PAGE_VA                                                      \
	((KG_LM_INDEX << 39) | (KG_LM_INDEX << 30) | (KG_LM_INDEX << 21) | \
	 (KG_LM_INDEX << 12))
#define KG_LM_IP (KG_LM_PAGE_VA | (KG_CODE_GPA & (KG_PAGE_SIZE - 1)))
#define KG_LM_RIP_MIN KG_LM_IP
#define KG_LM_RIP_MAX (KG_LM_IP + KG_CODE_LEN - 1)
#define KG_LM_CS_SELECTOR 0x33u /* GDT entry 6, RPL 3 (Linux's __USER_CS) */
#define KG_LM_DS_SELECTOR 0x2bu /* GDT entry 5, RPL 3 (Linux's __USER_DS) */
/* VMX access-rights layout: type, S, DPL, P, AVL, L, D/B, G. */
#define KG_LM_CS_ATTR 0xa0fbu /* code exec/read accessed, DPL 3, L, G */
#define KG_LM_DS_ATTR 0xc0f3u /* data read/write accessed, DPL 3, D/B, G */
#define KG_LM_CPL 3u
#define KG_LM_CR0 0x80010033ull /* PG WP NE ET MP PE */
#define KG_LM_CR4 0x20ull /* PAE */
#define KG_LM_EFER 0x500ull /* LMA LME */

#define KG_RFLAGS 0x202ull
#define KG_RSP 0x7ff0ull
#define KG_RAX 0x00000000a5a5c3c3ull
#define KG_RBX 0x1122334455667788ull
#define KG_RCX 0x99aabbccddeeff00ull
#define KG_RDX 0x0badc0dedeadbeefull
#define KG_RSI 0x5151515151515151ull
#define KG_RDI 0xd1d1d1d1d1d1d1d1ull
#define KG_RBP 0xb0b0b0b0b0b0b0b0ull
#define KG_R8 0x0808080808080808ull
#define KG_R9 0x0909090909090909ull
#define KG_R10 0x1010101010101010ull
#define KG_R11 0x1111111111111111ull
#define KG_R12 0x1212121212121212ull
#define KG_R13 0x1313131313131313ull
#define KG_R14 0x1414141414141414ull
#define KG_R15 0x1515151515151515ull

#endif
