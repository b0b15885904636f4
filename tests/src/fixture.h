/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Synthetic host dumps for the unit tests: an in-memory image of host RAM
 * that tests fill with VMCS/VMCB pages, EPT/NPT tables, guest pages and
 * decoys, written out as an ELF64 vmcore (PT_NOTE + PT_LOADs) the way the
 * capture kernel's /proc/vmcore looks.  Nothing here is committed as a
 * binary: every test builds its own dump in a temporary directory.
 */
#ifndef VG_TEST_FIXTURE_H
#define VG_TEST_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "notes/vmcsinfo.h"

#define FX_PAGE 4096ull

struct fx {
	uint64_t ram_size;
	uint8_t *ram;
	uint64_t next_free; /* bump allocator for tables and guest pages */
	struct {
		uint64_t start, end;
	} holes[16];
	int nholes;
	uint8_t notes[16384];
	size_t notes_len;
};

struct fx *fx_new(uint64_t ram_size, uint64_t alloc_from);
void fx_free(struct fx *fx);
void *fx_ptr(struct fx *fx, uint64_t paddr);
uint64_t fx_alloc_page(struct fx *fx);
void fx_put16(struct fx *fx, uint64_t paddr, uint16_t v);
void fx_put32(struct fx *fx, uint64_t paddr, uint32_t v);
void fx_put64(struct fx *fx, uint64_t paddr, uint64_t v);
/* [start, end) is left out of every PT_LOAD (a filtered or missing range). */
void fx_hole(struct fx *fx, uint64_t start, uint64_t end);
void fx_note(struct fx *fx, const char *name, uint32_t type, const void *desc,
	     size_t len);

/*
 * Map gpa -> hpa in the 4-level table rooted at root (host physical).
 * size is 4 KiB, 2 MiB or 1 GiB; flags go into every entry (EPT: 0x7 RWX,
 * NPT: 0x7 P/RW/US); large pages also get bit 7.
 */
void fx_map(struct fx *fx, uint64_t root, uint64_t gpa, uint64_t hpa,
	    uint64_t size, uint64_t flags);

struct fx_write_opts {
	int no_ptloads; /* write only the PT_NOTE */
	uint64_t truncate_to; /* cut the file after this many bytes */
	int garbage_note; /* a PT_NOTE whose note header lies about sizes */
	int huge_note; /* PT_NOTE with p_filesz far beyond the file */
	/* a second PT_NOTE (after the PT_LOADs) with these bytes */
	const void *extra_note;
	size_t extra_note_len;
	/*
	 * Like /proc/vmcore: a first PT_LOAD for the kernel text mapping
	 * (p_vaddr = __START_KERNEL_map + p_paddr) whose physical range
	 * [kernel_text_start, +kernel_text_len) overlaps the RAM PT_LOADs.
	 */
	uint64_t kernel_text_start, kernel_text_len;
};

/* Write the image as an ELF64 x86_64 core.  Returns 0 or -1. */
int fx_write_elf(struct fx *fx, const char *path,
		 const struct fx_write_opts *opts);

/*
 * The image as makedumpfile's kdump-compressed dump (makedumpfile -c
 * -d 0 on the ELF core fx_write_elf writes).  Adds what makedumpfile
 * needs to the image first (kernel page tables, init_uts_ns, mem_map:
 * two pages from the bump allocator, more for the tables) and its own
 * VMCOREINFO note, so callers add none.  Returns 0 or -1.
 */
int fx_write_kdump(struct fx *fx, const char *path,
		   const struct fx_write_opts *opts);

/* A guest vCPU as the fixtures lay it out in a VMCB or VMCS. */
struct fx_cpu {
	uint64_t root; /* nCR3 or EPTP */
	uint64_t rip, rsp, rflags, rax;
	uint64_t cr0, cr2, cr3, cr4, efer;
	uint16_t cs_sel;
	uint64_t cs_base;
	uint32_t cs_limit;
	uint32_t cs_attr; /* VMX access rights */
	uint32_t asid;
	uint32_t exit_code;
	int sev; /* SEV: nested control bit 1, save area in plaintext */
	int sev_es;
	uint64_t vmsa;
	/* VMCS access rights stored as: 0 or 1 architectural, 2 rotated
	 * left by 8, 3 packed 16-bit (enum vg_ar_format, src/vcpu.h). */
	int ar_format;
};

/* A real-mode guest like the one in the nested-VM crash test. */
void fx_cpu_realmode(struct fx_cpu *c, uint64_t root);
/* A 64-bit paged guest. */
void fx_cpu_long(struct fx_cpu *c, uint64_t root);

/* AMD VMCB at paddr (APM vol. 2 appendix B), as KVM fills it. */
void fx_make_vmcb(struct fx *fx, uint64_t paddr, const struct fx_cpu *c);

/* VMCS region at paddr in layout vi, as a VMCLEARed KVM VMCS. */
void fx_make_vmcs(struct fx *fx, uint64_t paddr, const struct vmcsinfo *vi,
		  const struct fx_cpu *c);

/*
 * A scratch directory and the path of a dump file in it, for one test;
 * fx_scratch_free() removes both.
 */
struct fx_scratch {
	char dir[4096];
	char path[4096 + 16];
};
struct fx_scratch *fx_scratch_new(void);
void fx_scratch_free(struct fx_scratch *s);

/* Overwrite len bytes of the file at off (abort() on failure). */
void fx_patch(const char *path, uint64_t off, const void *b, size_t len);
#define FX_PATCH(path, off, type, v)                  \
	do {                                          \
		type v_ = (type)(v);                  \
		fx_patch(path, off, &v_, sizeof(v_)); \
	} while (0)

/* Scratch directory under $TMPDIR; fx_rm_rf removes it again. */
int fx_tmpdir(char *path, size_t sz);
void fx_rm_rf(const char *path);

#endif
