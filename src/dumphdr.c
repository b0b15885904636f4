// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host dump's headers, checked before libkdumpfile sees them
 * (src/dumphdr.h).  The layouts are those of <elf.h> and of
 * makedumpfile's diskdump_mod.h as libkdumpfile 0.5.1 reads them
 * (src/kdumpfile/elfdump.c, diskdump.c); docs/libkdumpfile-bugs.md says
 * which check keeps which of its bugs away.
 */
#include "src/dumphdr.h"

#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE_SZ 4096u
/* x86_64 struct elf_prstatus, as libkdumpfile wants it */
#define PRSTATUS_SIZE 336u
/* CORE/NT_PRSTATUS notes: libkdumpfile makes a CPU of ~30 attributes each */
#define MAX_PRSTATUS 8192u
/* libkdumpfile makes an attribute of every VMCOREINFO line */
#define MAX_VMCOREINFO_NOTE (64u << 10)

int vg_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = pread(fd, (char *)buf + done, len - done,
				  (off_t)(off + done));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -EIO;
		done += (size_t)r;
	}
	return 0;
}

/* Does [off, off + size) lie inside the file?  (No overflow.) */
static int in_file(const struct vg_dumphdr *h, uint64_t off, uint64_t size)
{
	return off <= h->file_size && size <= h->file_size - off;
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t bswap32(uint32_t v)
{
	return __builtin_bswap32(v);
}

static int add_note_span(struct vg_dumphdr *h, uint64_t off, uint64_t size,
			 size_t cap, struct vg_error *err)
{
	if (h->nnotes >= cap)
		return vg_error_set(err, -EFBIG, "too many note segments");
	h->notes[h->nnotes].offset = off;
	h->notes[h->nnotes].size = size;
	h->nnotes++;
	return 0;
}

/* ---- ELF ---------------------------------------------------------------- */

/*
 * The section header table, as libkdumpfile reads it: when e_shoff is
 * set and e_shnum is 0 or e_phnum is PN_XNUM it reads section 0 (of
 * e_shentsize bytes) for the real counts.  A vmcore has no sections;
 * only the PN_XNUM record is accepted, and no string table, so that
 * libkdumpfile looks at no named section (.xen_*, .note.Xen).
 */
static int elf_sections(int fd, const char *name, struct vg_dumphdr *h,
			const Elf64_Ehdr *eh, uint64_t *phnum,
			struct vg_error *err)
{
	uint64_t shnum = eh->e_shnum;
	Elf64_Shdr sh;
	int rc;

	*phnum = eh->e_phnum;
	if (eh->e_shoff == 0) {
		if (shnum)
			return vg_error_set(
				err, -EINVAL,
				"%s: ELF header lists %llu section headers at file offset 0",
				name, (unsigned long long)shnum);
		if (*phnum == PN_XNUM)
			return vg_error_set(
				err, -EINVAL,
				"%s: e_phnum is PN_XNUM but there is no section header 0 to hold the count",
				name);
		return 0;
	}
	if (eh->e_shentsize != sizeof(Elf64_Shdr) ||
	    !in_file(h, eh->e_shoff, sizeof(Elf64_Shdr)))
		return vg_error_set(
			err, -EINVAL,
			"%s: section header table (offset 0x%llx, entry size %u) is not inside the %llu-byte file",
			name, (unsigned long long)eh->e_shoff, eh->e_shentsize,
			(unsigned long long)h->file_size);
	if (shnum == 0 || *phnum == PN_XNUM) {
		rc = vg_pread_full(fd, &sh, sizeof(sh), eh->e_shoff);
		if (rc)
			return vg_error_set(err, rc,
					    "%s: cannot read section header 0",
					    name);
		if (shnum == 0)
			shnum = sh.sh_size;
		if (shnum > 0 && *phnum == PN_XNUM)
			*phnum = sh.sh_info;
	}
	if (shnum > 1)
		return vg_error_set(
			err, -EINVAL,
			"%s: ELF vmcore with %llu section headers (a Linux vmcore has none)",
			name, (unsigned long long)shnum);
	if (*phnum == PN_XNUM)
		return vg_error_set(
			err, -EINVAL,
			"%s: e_phnum is PN_XNUM but section header 0 holds no count",
			name);
	return 0;
}

static int elf_ehdr(int fd, const char *name, struct vg_dumphdr *h,
		    Elf64_Ehdr *eh, struct vg_error *err)
{
	int rc;

	if (!in_file(h, 0, sizeof(*eh)))
		return vg_error_set(
			err, -EINVAL,
			"not a valid ELF file: %s holds %llu bytes, less than an ELF64 header (truncated dump?)",
			name, (unsigned long long)h->file_size);
	rc = vg_pread_full(fd, eh, sizeof(*eh), 0);
	if (rc)
		return vg_error_set(err, rc, "%s: cannot read the ELF header",
				    name);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_machine != EM_X86_64)
		return vg_error_set(
			err, -EINVAL,
			"not an x86_64 ELF64 vmcore (class %d, machine %d)",
			eh->e_ident[EI_CLASS], eh->e_machine);
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return vg_error_set(
			err, -EINVAL,
			"%s: not a little-endian ELF file (EI_DATA %d)", name,
			eh->e_ident[EI_DATA]);
	if (eh->e_type != ET_CORE)
		return vg_error_set(err, -EINVAL,
				    "ELF file is not a core dump (e_type %d)",
				    eh->e_type);
	if (eh->e_version != EV_CURRENT)
		return vg_error_set(err, -EINVAL, "%s: ELF version %u, not %d",
				    name, eh->e_version, EV_CURRENT);
	return 0;
}

/* One PT_LOAD or PT_NOTE against the file and the caps. */
static int elf_segment(struct vg_dumphdr *h, size_t i, const Elf64_Phdr *ph,
		       uint64_t *note_bytes, size_t phnum, struct vg_error *err)
{
	struct vg_dump_load *l;

	/*
	 * A PT_LOAD that starts in the file but runs past its end is a dump
	 * whose copy ended early (full disk, reset capture kernel): its tail
	 * is absent, the rest usable.  A PT_NOTE must be whole.
	 */
	if (ph->p_type == PT_LOAD && h->file_size != UINT64_MAX &&
	    !in_file(h, ph->p_offset, ph->p_filesz))
		h->cut_bytes +=
			ph->p_offset >= h->file_size ?
				ph->p_filesz :
				ph->p_filesz - (h->file_size - ph->p_offset);
	else if (!in_file(h, ph->p_offset, ph->p_filesz))
		return vg_error_set(
			err, -EINVAL,
			"truncated dump: %s segment at file offset 0x%llx (+0x%llx bytes) ends past the end of the file (0x%llx bytes)",
			ph->p_type == PT_LOAD ? "PT_LOAD" : "PT_NOTE",
			(unsigned long long)ph->p_offset,
			(unsigned long long)ph->p_filesz,
			(unsigned long long)h->file_size);
	if (ph->p_type == PT_NOTE) {
		if (ph->p_offset % 4)
			return vg_error_set(
				err, -EINVAL,
				"PT_NOTE %zu at file offset 0x%llx, not 4-byte aligned",
				i, (unsigned long long)ph->p_offset);
		if (ph->p_filesz > VG_DUMPHDR_MAX_NOTES - *note_bytes)
			return vg_error_set(
				err, -EFBIG,
				"oversized PT_NOTE segment (%llu bytes, limit %llu)",
				(unsigned long long)ph->p_filesz,
				(unsigned long long)VG_DUMPHDR_MAX_NOTES);
		*note_bytes += ph->p_filesz;
		return ph->p_filesz ? add_note_span(h, ph->p_offset,
						    ph->p_filesz, phnum, err) :
				      0;
	}
	if (ph->p_paddr >= VG_DUMPHDR_MAX_PADDR ||
	    ph->p_memsz > VG_DUMPHDR_MAX_PADDR - ph->p_paddr ||
	    ph->p_filesz > VG_DUMPHDR_MAX_PADDR - ph->p_paddr)
		return vg_error_set(
			err, -EINVAL,
			"PT_LOAD %zu: physical range 0x%llx + 0x%llx bytes lies beyond the 52-bit physical address space",
			i, (unsigned long long)ph->p_paddr,
			(unsigned long long)(ph->p_memsz > ph->p_filesz ?
						     ph->p_memsz :
						     ph->p_filesz));
	l = &h->loads[h->nloads++];
	l->paddr = ph->p_paddr;
	l->size = ph->p_filesz;
	l->memsz = ph->p_memsz;
	l->offset = ph->p_offset;
	if (in_file(h, ph->p_offset, ph->p_filesz))
		l->present = ph->p_filesz;
	else
		l->present = ph->p_offset >= h->file_size ?
				     0 :
				     h->file_size - ph->p_offset;
	return 0;
}

static int read_elf(int fd, const char *name, struct vg_dumphdr *h,
		    struct vg_error *err)
{
	uint64_t phnum, note_bytes = 0;
	Elf64_Phdr *ph = NULL;
	Elf64_Ehdr eh;
	int rc;

	h->format = VG_DUMP_ELF;
	rc = elf_ehdr(fd, name, h, &eh, err);
	if (!rc)
		rc = elf_sections(fd, name, h, &eh, &phnum, err);
	if (rc)
		return rc;
	if (phnum > VG_DUMPHDR_MAX_PHNUM)
		return vg_error_set(err, -EFBIG,
				    "%s: %llu program headers, more than %u",
				    name, (unsigned long long)phnum,
				    VG_DUMPHDR_MAX_PHNUM);
	if (phnum && eh.e_phoff % 8)
		return vg_error_set(
			err, -EINVAL,
			"%s: program headers at offset %llu, not 8-byte aligned (libkdumpfile reads them in place)",
			name, (unsigned long long)eh.e_phoff);
	if (phnum && (eh.e_phentsize != sizeof(Elf64_Phdr) ||
		      !in_file(h, eh.e_phoff, phnum * sizeof(Elf64_Phdr))))
		return vg_error_set(
			err, -EINVAL,
			"%s: %llu program headers of %u bytes at offset %llu do not fit in the %llu-byte file (truncated dump?)",
			name, (unsigned long long)phnum, eh.e_phentsize,
			(unsigned long long)eh.e_phoff,
			(unsigned long long)h->file_size);
	ph = malloc(phnum ? phnum * sizeof(*ph) : 1);
	h->loads = calloc(phnum ? phnum : 1, sizeof(*h->loads));
	h->notes = calloc(phnum ? phnum : 1, sizeof(*h->notes));
	if (!ph || !h->loads || !h->notes) {
		free(ph);
		return vg_error_set(err, -ENOMEM, "out of memory");
	}
	rc = vg_pread_full(fd, ph, phnum * sizeof(*ph), eh.e_phoff);
	if (rc)
		rc = vg_error_set(err, rc,
				  "%s: cannot read the program headers", name);
	for (size_t i = 0; !rc && i < phnum; i++)
		if (ph[i].p_type == PT_LOAD || ph[i].p_type == PT_NOTE)
			rc = elf_segment(h, i, &ph[i], &note_bytes, phnum, err);
	free(ph);
	if (!rc && !h->nloads)
		rc = vg_error_set(
			err, -EINVAL,
			"no PT_LOAD segments: the dump holds no memory");
	return rc;
}

/* ---- kdump-compressed ------------------------------------------------- */

/*
 * disk_dump_header as x86_64 makedumpfile writes it (64-bit layout) and
 * the two fields libkdumpfile tries first in the 32-bit layout.
 */
#define DH_VERSION 8
#define DH_UTSNAME 12
#define DH32_BLOCK_SIZE 416
#define DH32_BITMAP_BLOCKS 424
#define DH32_MAX_MAPNR 428
#define DH_BLOCK_SIZE 428
#define DH_SUB_HDR_SIZE 432
#define DH_BITMAP_BLOCKS 436
#define DH_MAX_MAPNR 440
#define DH_NR_CPUS 460
#define DH_SIZE 464
/* kdump_sub_header (64-bit) */
#define SUB_SPLIT 12
#define SUB_OFFSET_VMCOREINFO 32
#define SUB_SIZE_VMCOREINFO 40
#define SUB_OFFSET_NOTE 48
#define SUB_SIZE_NOTE 56
#define SUB_OFFSET_ERASEINFO 64
#define SUB_SIZE_ERASEINFO 72
#define SUB_MAX_MAPNR_64 96
#define SUB_SIZE 104
/* libkdumpfile's MIN_PAGE_SIZE and MAX_PAGE_SIZE */
#define LKF_MIN_PAGE (1u << 12)
#define LKF_MAX_PAGE (1u << 18)

/* libkdumpfile's try_header(): would it take these values? */
static int lkf_header_ok(uint32_t bs, uint32_t bitmap_blocks, uint32_t mapnr)
{
	return (int32_t)bs >= (int32_t)LKF_MIN_PAGE && bs <= LKF_MAX_PAGE &&
	       8ull * bitmap_blocks * bs >= mapnr;
}

/*
 * libkdumpfile reads the header in the 32-bit layout first (block_size
 * where the 64-bit layout has its timestamp) and takes it when the
 * values look sane, in either byte order: an x86_64 dump read so is
 * misread from there on.
 */
static int kdump_not_32bit(const uint8_t *d, const char *name,
			   struct vg_error *err)
{
	uint32_t bs = get32(d + DH32_BLOCK_SIZE);
	uint32_t bb = get32(d + DH32_BITMAP_BLOCKS);
	uint32_t mn = get32(d + DH32_MAX_MAPNR);

	if (lkf_header_ok(bs, bb, mn) ||
	    lkf_header_ok(bswap32(bs), bswap32(bb), bswap32(mn)))
		return vg_error_set(
			err, -EINVAL,
			"%s: kdump-compressed header also reads as a 32-bit dump header (block size %u at offset %u): libkdumpfile would misread it",
			name, bs, DH32_BLOCK_SIZE);
	return 0;
}

static int kdump_span(const struct vg_dumphdr *h, const char *name,
		      const char *what, uint64_t off, uint64_t size,
		      uint64_t cap, struct vg_error *err)
{
	if (size > cap)
		return vg_error_set(
			err, -EFBIG,
			"%s: kdump-compressed %s of %llu bytes is larger than the %llu allowed (corrupt header?)",
			name, what, (unsigned long long)size,
			(unsigned long long)cap);
	if (size && !in_file(h, off, size))
		return vg_error_set(
			err, -EINVAL,
			"%s: kdump-compressed %s (offset %llu, %llu bytes) runs past the end of the %llu-byte file (truncated dump?)",
			name, what, (unsigned long long)off,
			(unsigned long long)size,
			(unsigned long long)h->file_size);
	return 0;
}

/* The disk_dump_header fields that size everything else. */
static int kdump_main_header(const uint8_t *d, const char *name,
			     struct vg_dumphdr *h, int32_t *sub_blocks,
			     struct vg_error *err)
{
	int32_t bs = (int32_t)get32(d + DH_BLOCK_SIZE);
	int32_t sub = (int32_t)get32(d + DH_SUB_HDR_SIZE);
	uint32_t bb = get32(d + DH_BITMAP_BLOCKS);
	int32_t cpus = (int32_t)get32(d + DH_NR_CPUS);

	h->header_version = (int32_t)get32(d + DH_VERSION);
	h->max_mapnr = get32(d + DH_MAX_MAPNR);
	if (h->header_version < 1 || h->header_version > 100)
		return vg_error_set(
			err, -EINVAL,
			"%s: kdump-compressed header version %d is not plausible (corrupt header?)",
			name, h->header_version);
	if (bs != PAGE_SZ)
		return vg_error_set(
			err, -EINVAL,
			"%s: kdump-compressed block size %d is not the x86_64 page size (4096)",
			name, bs);
	h->block_size = (uint32_t)bs;
	if (sub < 1 || sub > VG_DUMPHDR_MAX_SUB_HDR)
		return vg_error_set(
			err, -EINVAL,
			"%s: kdump-compressed sub-header of %d blocks (1 to %d allowed)",
			name, sub, VG_DUMPHDR_MAX_SUB_HDR);
	if (cpus < 0 || cpus > VG_DUMPHDR_MAX_CPUS)
		return vg_error_set(
			err, -EINVAL,
			"%s: kdump-compressed header claims %d CPUs (0 to %d allowed)",
			name, cpus, VG_DUMPHDR_MAX_CPUS);
	if (bb == 0 || 8ull * bb * PAGE_SZ < h->max_mapnr)
		return vg_error_set(
			err, -EINVAL,
			"%s: kdump-compressed page bitmap of %u blocks cannot cover max_mapnr %llu",
			name, bb, (unsigned long long)h->max_mapnr);
	h->bitmap.offset = (uint64_t)(1 + sub) * PAGE_SZ;
	h->bitmap.size = (uint64_t)bb * PAGE_SZ;
	*sub_blocks = sub;
	return kdump_span(h, name, "page bitmap", h->bitmap.offset,
			  h->bitmap.size, UINT64_MAX, err);
}

/* libkdumpfile's read_bitmap(): which bitmap it uses, where the descs are. */
static void pick_bitmap(struct vg_dumphdr *h)
{
	uint64_t blocks = h->bitmap.size / PAGE_SZ;

	h->desc_offset = h->bitmap.offset + h->bitmap.size;
	h->dump_bitmap = h->bitmap;
	if (h->max_mapnr <= h->bitmap.size * 8 / 2) {
		/* a "partial" dump: the second bitmap, halved as it does */
		h->dump_bitmap.size = blocks / 2 * PAGE_SZ;
		h->dump_bitmap.offset += h->dump_bitmap.size;
	}
}

/* kdump_sub_header, field by field for each header version. */
static int kdump_sub_header(const uint8_t *s, const char *name,
			    struct vg_dumphdr *h, struct vg_error *err)
{
	int32_t v = h->header_version;
	uint64_t bits = h->bitmap.size * 8;
	int rc = 0;

	if (v >= 2 && get32(s + SUB_SPLIT))
		return vg_error_set(
			err, -EINVAL,
			"%s: one part of a split dump (makedumpfile --split): join the parts with makedumpfile --reassemble first",
			name);
	if (v >= 3) {
		h->vmcoreinfo.offset = get64(s + SUB_OFFSET_VMCOREINFO);
		h->vmcoreinfo.size = get64(s + SUB_SIZE_VMCOREINFO);
		rc = kdump_span(h, name, "VMCOREINFO", h->vmcoreinfo.offset,
				h->vmcoreinfo.size, MAX_VMCOREINFO_NOTE, err);
		if (!rc && v == 3 && !h->vmcoreinfo.size)
			rc = vg_error_set(
				err, -EINVAL,
				"%s: kdump-compressed header version 3 without VMCOREINFO (libkdumpfile reads an empty one through NULL)",
				name);
		if (!h->vmcoreinfo.size)
			h->vmcoreinfo.offset = 0;
	}
	if (!rc && v >= 4) {
		uint64_t off = get64(s + SUB_OFFSET_NOTE);
		uint64_t size = get64(s + SUB_SIZE_NOTE);

		rc = kdump_span(h, name, "note section", off, size,
				VG_DUMPHDR_MAX_NOTES, err);
		if (!rc && size && off % 4)
			rc = vg_error_set(
				err, -EINVAL,
				"%s: kdump-compressed note section at offset %llu, not 4-byte aligned",
				name, (unsigned long long)off);
		if (!rc && size)
			rc = add_note_span(h, off, size, 1, err);
	}
	if (!rc && v >= 5)
		rc = kdump_span(h, name, "eraseinfo",
				get64(s + SUB_OFFSET_ERASEINFO),
				get64(s + SUB_SIZE_ERASEINFO),
				VG_DUMPHDR_MAX_ERASEINFO, err);
	if (!rc && v >= 6) {
		h->max_mapnr = get64(s + SUB_MAX_MAPNR_64);
		if (h->max_mapnr > VG_DUMPHDR_MAX_PADDR / PAGE_SZ ||
		    h->max_mapnr > bits)
			rc = vg_error_set(
				err, -EINVAL,
				"%s: kdump-compressed max_mapnr_64 %llu is more than the page bitmap (%llu bits) or the address space hold",
				name, (unsigned long long)h->max_mapnr,
				(unsigned long long)bits);
	}
	if (!rc)
		pick_bitmap(h);
	if (!rc && v < 4)
		snprintf(
			h->no_notes_why, sizeof(h->no_notes_why),
			"kdump-compressed header version %d predates the note section (version 4, makedumpfile >= 1.3.5)",
			v);
	return rc;
}

static int read_kdump(int fd, const char *name, struct vg_dumphdr *h,
		      struct vg_error *err)
{
	uint8_t d[DH_SIZE], s[SUB_SIZE];
	int32_t sub_blocks = 0;
	int rc;

	h->format = VG_DUMP_KDUMP;
	h->notes = calloc(1, sizeof(*h->notes));
	if (!h->notes)
		return vg_error_set(err, -ENOMEM, "out of memory");
	if (!in_file(h, 0, DH_SIZE))
		return vg_error_set(
			err, -EINVAL,
			"truncated dump: %s: kdump-compressed header truncated (%llu bytes)",
			name, (unsigned long long)h->file_size);
	rc = vg_pread_full(fd, d, sizeof(d), 0);
	if (rc)
		return vg_error_set(err, rc, "%s: cannot read the dump header",
				    name);
	rc = kdump_not_32bit(d, name, err);
	if (!rc)
		rc = kdump_main_header(d, name, h, &sub_blocks, err);
	if (rc)
		return rc;
	if (!in_file(h, PAGE_SZ, (uint64_t)sub_blocks * PAGE_SZ))
		return vg_error_set(
			err, -EINVAL,
			"%s: kdump-compressed sub-header (%d blocks of %u) runs past the end of the %llu-byte file (truncated dump?)",
			name, sub_blocks, PAGE_SZ,
			(unsigned long long)h->file_size);
	rc = vg_pread_full(fd, s, sizeof(s), PAGE_SZ);
	if (rc)
		return vg_error_set(err, rc, "%s: cannot read the sub-header",
				    name);
	return kdump_sub_header(s, name, h, err);
}

/* ---- notes as libkdumpfile parses them -------------------------------- */

/*
 * A VMCOREINFO PAGESIZE line libkdumpfile would take: its key is the
 * part before the first '=', or the whole line when there is none (an
 * empty value), the line ending at a newline or a NUL ("PAGESIZE" then
 * NUL padding, found by fuzzing).  libkdumpfile 0.5.1 reads the value with strtoul and
 * takes 0 for a power of two: page shift -1, then a page size of 2^63
 * whose cache allocation fails, and kdump_free() crashes after that
 * failed open (docs/libkdumpfile-bugs.md, K9).  Only 4096 is let by.
 */
static int vmcoreinfo_pagesize_ok(const char *t, size_t len,
				  struct vg_error *err)
{
	static const char key[] = "PAGESIZE";
	const size_t klen = sizeof(key) - 1;
	size_t i = 0;

	while (i < len) {
		size_t end = i;

		/* a NUL ends a line too: libkdumpfile reads the text as a C string */
		while (end < len && t[end] != '\n' && t[end] != '\0')
			end++;
		if (end - i >= klen && !memcmp(t + i, key, klen) &&
		    (end - i == klen || t[i + klen] == '=')) {
			size_t vlen = end - i > klen ? end - i - klen - 1 : 0;
			const char *v = t + i + klen + (vlen ? 1 : 0);

			if (vlen != 4 || memcmp(v, "4096", 4))
				return vg_error_set(
					err, -EINVAL,
					"VMCOREINFO says PAGESIZE=%.*s; x86_64 pages are 4096 bytes",
					(int)(vlen > 24 ? 24 : vlen), v);
		}
		i = end + 1;
	}
	return 0;
}

struct vkey {
	const char *p;
	size_t len;
};

static int vkey_cmp(const void *a, const void *b)
{
	const struct vkey *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, n);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/*
 * A key libkdumpfile can make an attribute path of: printable ASCII, no
 * empty part (its key compare reads past such parts, K8).
 */
static int key_ok(const struct vkey *k)
{
	if (!k->len || k->p[0] == '.' || k->p[k->len - 1] == '.')
		return 0;
	for (size_t i = 0; i < k->len; i++)
		if (k->p[i] < 0x21 || k->p[i] > 0x7e ||
		    (k->p[i] == '.' && k->p[i + 1] == '.'))
			return 0;
	return 1;
}

/* Is some key of k[0..n) longer than key and starting with key + "."? */
static int has_child(const struct vkey *k, size_t n, const struct vkey *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) { /* the first key >= key + "." */
		size_t mid = lo + (hi - lo) / 2, m = k[mid].len;
		int c = memcmp(k[mid].p, key->p, m < key->len ? m : key->len);

		if (!c && m > key->len)
			c = (unsigned char)k[mid].p[key->len] - '.';
		else if (!c)
			c = -1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && k[lo].len > key->len &&
	       !memcmp(k[lo].p, key->p, key->len) && k[lo].p[key->len] == '.';
}

/*
 * libkdumpfile makes an attribute path of each VMCOREINFO key, split at
 * '.', and leaks the value of a key that is also the parent of another
 * ("a=1" and "a.b=2"): no kernel writes such keys.  0 or -EINVAL.
 */
static int vmcoreinfo_keys_ok(const char *t, size_t len, struct vg_error *err)
{
	struct vkey *k = malloc((len + 1) * sizeof(*k)); /* lines <= len + 1 */
	size_t n = 0, i = 0;
	int rc = 0;

	if (!k)
		return vg_error_set(err, -ENOMEM, "out of memory");
	while (len && !t[len - 1]) /* NUL padding at the end is fine */
		len--;
	if (memchr(t, '\0', len)) {
		free(k);
		return vg_error_set(
			err, -EINVAL, "VMCOREINFO has a NUL byte at offset %zu",
			(size_t)((const char *)memchr(t, '\0', len) - t));
	}
	while (i < len) {
		const char *nl = memchr(t + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - t) : len;
		const char *eq = memchr(t + i, '=', end - i);

		k[n].p = t + i;
		/* libkdumpfile's key ends at a NUL, too */
		k[n++].len =
			strnlen(t + i, (size_t)((eq ? eq : t + end) - (t + i)));
		i = end + 1;
	}
	for (i = 0; i < n && !rc; i++)
		if (!key_ok(&k[i]))
			rc = vg_error_set(
				err, -EINVAL,
				"VMCOREINFO key \"%.*s\" is not printable ASCII in '.'-separated parts",
				(int)(k[i].len > 64 ? 64 : k[i].len), k[i].p);
	if (rc) {
		free(k);
		return rc;
	}
	qsort(k, n, sizeof(*k), vkey_cmp);
	for (i = 0; i < n && !rc; i++)
		if (has_child(k, n, &k[i]))
			rc = vg_error_set(
				err, -EINVAL,
				"VMCOREINFO key %.*s is also the parent of another key",
				(int)(k[i].len > 64 ? 64 : k[i].len), k[i].p);
	free(k);
	return rc;
}

static int name_is(const char *want, const uint8_t *name, uint32_t namesz)
{
	size_t n = strlen(want);

	/* libkdumpfile's note_equal(): with or without the NUL */
	return (namesz == n || namesz == n + 1) && !memcmp(want, name, namesz);
}

/*
 * libkdumpfile's do_notes() walk, on purpose not the note walker of
 * notes/: it does not stop at a terminator, so a note after one is
 * parsed too, and it reads some descriptors without a size check.
 */
int vg_dumphdr_check_notes(const void *buf, size_t len, struct vg_error *err)
{
	const uint8_t *p = buf;
	unsigned int prstatus = 0;
	size_t off = 0;

	while (len - off >= 12) {
		uint32_t namesz = get32(p + off), descsz = get32(p + off + 4);
		uint32_t type = get32(p + off + 8);
		uint64_t descoff = 12 + (((uint64_t)namesz + 3) & ~3ull);
		const uint8_t *name = p + off + 12, *desc;

		if (len - off < descoff + descsz)
			break;
		desc = p + off + descoff;
		if (name_is("Xen", name, namesz) ||
		    name_is(".note.Xen", name, namesz) ||
		    name_is("VMCOREINFO_XEN", name, namesz))
			return vg_error_set(
				err, -EINVAL,
				"Xen note at offset %zu: Xen dumps are not supported",
				off);
		if (name_is("CORE", name, namesz) && type == NT_PRSTATUS &&
		    (descsz != PRSTATUS_SIZE || ++prstatus > MAX_PRSTATUS))
			return vg_error_set(
				err, -EINVAL,
				"CORE/NT_PRSTATUS note at offset %zu: %s", off,
				descsz != PRSTATUS_SIZE ?
					"not the 336 bytes of x86_64" :
					"more than 8192 CPUs");
		if (name_is("VMCOREINFO", name, namesz)) {
			if (descsz > MAX_VMCOREINFO_NOTE)
				return vg_error_set(
					err, -EFBIG,
					"VMCOREINFO note of %u bytes, more than %u",
					descsz, MAX_VMCOREINFO_NOTE);
			if (vmcoreinfo_pagesize_ok((const char *)desc, descsz,
						   err) ||
			    vmcoreinfo_keys_ok((const char *)desc, descsz, err))
				return err ? err->code : -EINVAL;
		}
		off += descoff + (((uint64_t)descsz + 3) & ~3ull);
		if (off > len)
			break;
	}
	return 0;
}

/* ---- entry ------------------------------------------------------------ */

int vg_dumphdr_read(int fd, const char *name, struct vg_dumphdr *h,
		    struct vg_error *err)
{
	unsigned char magic[16];
	struct stat st;
	int rc;

	memset(h, 0, sizeof(*h));
	if (fstat(fd, &st) < 0)
		return vg_error_set(err, -errno, "%s: %s", name,
				    strerror(errno));
	if (S_ISDIR(st.st_mode))
		return vg_error_set(err, -EISDIR, "%s: not a dump file", name);
	h->file_size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : UINT64_MAX;
	memset(magic, 0, sizeof(magic));
	if (pread(fd, magic, sizeof(magic), 0) < 0)
		return vg_error_set(err, -errno, "cannot read %s: %s", name,
				    strerror(errno));
	if (!memcmp(magic, ELFMAG, SELFMAG))
		rc = read_elf(fd, name, h, err);
	else if (!memcmp(magic, "KDUMP   ", 8) || !memcmp(magic, "DISKDUMP", 8))
		rc = read_kdump(fd, name, h, err);
	else if (!memcmp(magic, "makedumpfile", 12))
		rc = vg_error_set(
			err, -EINVAL,
			"%s is in makedumpfile's flattened format: convert it with makedumpfile -R first",
			name);
	else
		rc = vg_error_set(err, -EINVAL,
				  "%s: not an ELF or kdump-compressed dump",
				  name);
	return rc;
}

void vg_dumphdr_free(struct vg_dumphdr *h)
{
	if (!h)
		return;
	free(h->loads);
	free(h->notes);
	h->loads = NULL;
	h->notes = NULL;
	h->nloads = h->nnotes = 0;
}
