// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Guest vmcore writer (docs/guest-vmcore.md).
 *
 * File layout:
 *   Elf64_Ehdr
 *   Elf64_Phdr slots: PT_NOTE, physical PT_LOADs, kernel-text PT_LOADs
 *   one Elf64_Shdr (used only for PN_XNUM: more than 65534 headers)
 *   notes (CORE x n, QEMU x n, space for the guest VMCOREINFO note)
 *   data, page aligned, one run per physical PT_LOAD, zero pages as holes
 *
 * Pass 1 walks the tables only, counting gpa-contiguous ranges, which
 * bounds the number of PT_LOADs; the header area is sized for that plus a
 * reserve for splits at absent host pages and is written (zeros) before
 * any data, so a full disk is met while copying data, never while fixing
 * up headers.  Pass 2 copies guest RAM page by page, writing each
 * physical PT_LOAD's header into its slot as the segment closes.  At the
 * end the VMCOREINFO candidates seen during the copy are validated and
 * read again (a few pages), kernel-text PT_LOADs are derived from the
 * physical headers read back from the file, and notes and the ELF header
 * are written.  Memory use is a fixed set of buffers.
 */
#include "src/guestcore.h"

#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/kdumpcore.h"
#include "src/outfile.h"
#include "src/pageclass.h"

#define PAGE VG_GPAGE_SIZE
#define CHUNK (256u * 1024) /* host read / file write batch */
#define PRSTATUS_SIZE 336
#define PRSTATUS_REG_OFF 112
#define PRSTATUS_PID_OFF 32
#define QEMU_STATE_SIZE 440
#define VMCOREINFO_MAX 4096 /* desc bytes we accept */
#define VMCI_NAME "VMCOREINFO"
#define VMCI_MAGIC "VMCOREINFO\0\0OSRELEASE="
#define VMCI_MAGIC_LEN 22
#define MAX_CANDIDATES 8
#define START_KERNEL_MAP 0xffffffff80000000ull
#define DEFAULT_SPLITS 256
/* Physical PT_LOADs at most (a guest that touched every other page of
 * 32 GiB); the header area for them is ~450 MiB of mostly holes. */
#define MAX_RANGES (4u << 20)
/* Segments sampled when verifying a direct-map candidate. */
#define VERIFY_SAMPLES 256

struct seg {
	uint64_t gpa, len, off;
};

struct gc {
	int fd;
	struct vg_gmem *gm;
	const struct vg_guestcore_opts *opts;
	struct vg_guestcore_result *res;

	uint64_t phoff, cap; /* header slots */
	uint64_t shoff, note_off, note_cap, data_off;
	uint64_t next_off; /* file offset of the next segment */

	/* Pass 1 */
	uint64_t p1_ranges, p1_end;

	/* Pass 2 */
	uint64_t max_phys; /* physical PT_LOAD slots */
	uint64_t splits_left; /* of those, still free for absent-page splits */
	struct seg cur;
	int open;
	uint64_t nphys;
	int stop; /* output error or caller's stop: stop copying */
	uint64_t pages_done; /* mapped pages handled (progress) */
	uint64_t pages_total; /* mapped pages counted by pass 1 */
	uint64_t wbuf_off; /* file offset of wbuf[0] */
	size_t wbuf_len;
	uint64_t prev_gpa; /* last page seen, for magic spanning pages */
	int have_prev;
	uint8_t prev_tail[VMCI_MAGIC_LEN];
	uint64_t cand[MAX_CANDIDATES];
	unsigned ncand;

	/* page aligned (the struct too): the kernel copies at full speed */
	uint8_t rbuf[CHUNK] __attribute__((aligned(4096)));
	uint8_t wbuf[CHUNK] __attribute__((aligned(4096)));
	uint8_t note[24 + VMCOREINFO_MAX + 8];
	char vmci[VMCOREINFO_MAX + 1];
	uint32_t vmci_descsz;
};

static void problem(struct gc *s, int partial, const char *fmt, ...)
{
	va_list ap;

	if (partial)
		s->res->partial = 1;
	if (s->res->error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->res->error, sizeof(s->res->error), fmt, ap);
	va_end(ap);
}

static void logf_(struct gc *s, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!s->opts || !s->opts->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->opts->log(s->opts->log_ctx, msg);
}

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static int out_write(struct gc *s, const void *buf, size_t len, uint64_t off,
		     const char *what)
{
	if (vg_pwrite_all(s->fd, buf, len, (off_t)off) == 0)
		return 0;
	problem(s, 1, "writing %s at offset %" PRIu64 ": %s", what, off,
		strerror(errno));
	s->stop = 1;
	return -1;
}

/* ---- pass 1 ---------------------------------------------------------- */

static int count_cb(void *ctx, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	struct gc *s = ctx;

	(void)hpa;
	if (!s->p1_ranges || gpa != s->p1_end)
		s->p1_ranges++;
	s->p1_end = gpa + len;
	return 0;
}

/* ---- pass 2 ---------------------------------------------------------- */

static void put_phdr(Elf64_Phdr *ph, uint32_t type, uint64_t off,
		     uint64_t vaddr, uint64_t paddr, uint64_t filesz,
		     uint64_t memsz)
{
	memset(ph, 0, sizeof(*ph));
	ph->p_type = type;
	ph->p_flags = type == PT_LOAD ? PF_R | PF_W | PF_X : 0;
	ph->p_offset = off;
	ph->p_vaddr = vaddr;
	ph->p_paddr = paddr;
	ph->p_filesz = filesz;
	ph->p_memsz = memsz;
	ph->p_align = type == PT_LOAD ? 0 : 4;
}

static int flush(struct gc *s)
{
	int r = 0;

	if (s->wbuf_len && !s->stop) {
		r = out_write(s, s->wbuf, s->wbuf_len, s->wbuf_off,
			      "guest memory");
		if (r == 0)
			s->res->bytes_written += s->wbuf_len;
		else if (s->open && s->wbuf_off >= s->cur.off)
			/* Keep only what landed before the failed write. */
			s->cur.len = s->wbuf_off - s->cur.off;
	}
	s->wbuf_len = 0;
	return r;
}

static void close_seg(struct gc *s)
{
	Elf64_Phdr ph;

	if (!s->open)
		return;
	flush(s);
	s->open = 0;
	if (!s->cur.len)
		return;
	put_phdr(&ph, PT_LOAD, s->cur.off, 0, s->cur.gpa, s->cur.len,
		 s->cur.len);
	if (vg_pwrite_all(s->fd, &ph, sizeof(ph),
			  (off_t)(s->phoff + (1 + s->nphys) * sizeof(ph)))) {
		problem(s, 1, "writing a program header: %s", strerror(errno));
		s->stop = 1;
		return;
	}
	s->nphys++;
	s->next_off = s->cur.off + s->cur.len;
}

static int page_is_zero(const uint8_t *p)
{
	static const uint8_t zero[PAGE];

	return memcmp(p, zero, PAGE) == 0;
}

static void add_candidate(struct gc *s, uint64_t gpa)
{
	s->res->vmcoreinfo_candidates++;
	if (s->ncand < MAX_CANDIDATES)
		s->cand[s->ncand++] = gpa;
}

static void scan_vmcoreinfo(struct gc *s, uint64_t gpa, const uint8_t *p)
{
	const uint8_t *q = p, *end = p + PAGE;

	if (s->opts && s->opts->no_vmcoreinfo)
		return;
	/* A magic that straddles the previous page and this one. */
	if (s->have_prev && s->prev_gpa + PAGE == gpa) {
		uint8_t both[2 * VMCI_MAGIC_LEN];
		const uint8_t *h;

		memcpy(both, s->prev_tail, VMCI_MAGIC_LEN);
		memcpy(both + VMCI_MAGIC_LEN, p, VMCI_MAGIC_LEN);
		h = memmem(both + 1, 2 * VMCI_MAGIC_LEN - 2, VMCI_MAGIC,
			   VMCI_MAGIC_LEN);
		if (h && h - both < VMCI_MAGIC_LEN)
			add_candidate(s,
				      gpa - VMCI_MAGIC_LEN + (h - both) - 12);
	}
	while (q < end) {
		const uint8_t *h =
			memmem(q, end - q, VMCI_MAGIC, VMCI_MAGIC_LEN);

		if (!h)
			break;
		if (gpa + (h - p) >= 12)
			add_candidate(s, gpa + (h - p) - 12);
		q = h + 1;
	}
	memcpy(s->prev_tail, end - VMCI_MAGIC_LEN, VMCI_MAGIC_LEN);
	s->prev_gpa = gpa;
	s->have_prev = 1;
}

/* One guest page: data NULL when the host dump does not have it. */
static void do_page(struct gc *s, uint64_t gpa, const uint8_t *data)
{
	if (s->stop)
		return;
	if (!data) {
		s->res->pages_absent++;
		s->have_prev = 0;
		/* Split here while the reserve of extra slots lasts. */
		if (s->open && s->splits_left) {
			s->splits_left--;
			close_seg(s);
			return;
		}
		if (!s->open)
			return;
		/* Out of slots: the page stays inside as a hole. */
		flush(s);
		s->cur.len += PAGE;
		return;
	}
	if (s->open && s->cur.gpa + s->cur.len != gpa)
		close_seg(s);
	if (s->stop)
		return;
	if (!s->open) {
		if (s->nphys >= s->max_phys) {
			problem(s, 1,
				"guest memory from 0x%" PRIx64
				" not written: more than %" PRIu64 " ranges",
				gpa, s->max_phys);
			s->stop = 1;
			return;
		}
		s->cur.gpa = gpa;
		s->cur.len = 0;
		s->cur.off = s->next_off;
		s->open = 1;
	}
	s->res->pages_present++;
	if (page_is_zero(data)) {
		s->res->pages_zero++;
		s->have_prev = 0; /* no magic can span into a zero page */
		flush(s);
	} else {
		scan_vmcoreinfo(s, gpa, data);
		uint64_t off = s->cur.off + s->cur.len;

		if (s->wbuf_len && s->wbuf_off + s->wbuf_len != off)
			flush(s);
		if (!s->wbuf_len)
			s->wbuf_off = off;
		memcpy(s->wbuf + s->wbuf_len, data, PAGE);
		s->wbuf_len += PAGE;
		if (s->wbuf_len == CHUNK)
			flush(s);
	}
	if (s->stop)
		return;
	s->cur.len += PAGE;
}

/*
 * The caller's progress callback: a nonzero return stops the copy once the
 * buffered data has landed, so the PT_LOADs describe only written data.
 */
static void report_progress(struct gc *s)
{
	char why[160] = "";

	if (!s->opts || !s->opts->progress || s->stop)
		return;
	if (!s->opts->progress(s->opts->progress_ctx, s->pages_done,
			       s->pages_total, why, sizeof(why)))
		return;
	flush(s);
	problem(s, 1, "%s", why[0] ? why : "stopped by the caller");
	s->stop = 1;
}

static int copy_cb(void *ctx, uint64_t gpa, uint64_t hpa, uint64_t len)
{
	struct gc *s = ctx;

	for (uint64_t done = 0; done < len && !s->stop;) {
		uint64_t n = len - done < CHUNK ? len - done : CHUNK;
		int r = vg_hostmem_read(s->gm->hm, hpa + done, s->rbuf, n);

		if (r == VG_HM_OK) {
			for (uint64_t o = 0; o < n; o += PAGE)
				do_page(s, gpa + done + o, s->rbuf + o);
		} else {
			report_progress(s); /* a read refused by the budget? */
			/* Find out page by page which ones are missing. */
			for (uint64_t o = 0; o < n && !s->stop; o += PAGE) {
				r = vg_hostmem_read(s->gm->hm, hpa + done + o,
						    s->rbuf, PAGE);
				if (r == VG_HM_ERROR)
					problem(s, 1,
						"host read error at 0x%" PRIx64
						" (guest 0x%" PRIx64 ")",
						hpa + done + o, gpa + done + o);
				do_page(s, gpa + done + o,
					r == VG_HM_OK ? s->rbuf : NULL);
			}
		}
		done += n;
		s->pages_done += n / PAGE;
		report_progress(s);
	}
	return s->stop ? 1 : 0;
}

/* ---- VMCOREINFO -------------------------------------------------------- */

int vg_gc_vmcoreinfo_load(struct vg_gmem *gm, uint64_t gpa, uint8_t *note,
			  char *text, uint32_t *descsz)
{
	Elf64_Nhdr nh;
	uint32_t dsz;

	if (vg_gmem_read(gm, gpa, &nh, sizeof(nh)) != VG_HM_OK)
		return 0;
	if (nh.n_namesz != sizeof(VMCI_NAME) || nh.n_type != 0 ||
	    nh.n_descsz < 11 || nh.n_descsz > VMCOREINFO_MAX)
		return 0;
	dsz = nh.n_descsz;
	if (vg_gmem_read(gm, gpa, note, 24 + dsz) != VG_HM_OK)
		return 0;
	if (memcmp(note + 12, VMCI_MAGIC, VMCI_MAGIC_LEN))
		return 0;
	/* Text only: printable lines, NULs allowed only as trailing pad. */
	for (uint32_t i = 0; i < dsz; i++) {
		uint8_t c = note[24 + i];

		if (c == 0) {
			dsz = i;
			break;
		}
		if (c != '\n' && (c < 0x20 || c > 0x7e))
			return 0;
	}
	memcpy(text, note + 24, dsz);
	text[dsz] = '\0';
	if (!strchr(text, '\n'))
		return 0;
	*descsz = nh.n_descsz;
	return 1;
}

/* Validate the note at gpa; fills s->note / s->vmci.  1 good, 0 not. */
static int vmci_load(struct gc *s, uint64_t gpa)
{
	return vg_gc_vmcoreinfo_load(s->gm, gpa, s->note, s->vmci,
				     &s->vmci_descsz);
}

static void find_vmcoreinfo(struct gc *s)
{
	struct vg_guestcore_result *res = s->res;
	char buf[sizeof(res->osrelease)];

	for (unsigned i = 0; i < s->ncand; i++) {
		if (!vmci_load(s, s->cand[i]))
			continue;
		res->vmcoreinfo_found = 1;
		res->vmcoreinfo_gpa = s->cand[i];
		if (vg_vmci_get(s->vmci, "OSRELEASE", buf, sizeof(buf)))
			memcpy(res->osrelease, buf, sizeof(buf));
		logf_(s, "guest VMCOREINFO at gpa 0x%" PRIx64 " (%s)",
		      s->cand[i], res->osrelease);
		return;
	}
	if (s->res->vmcoreinfo_candidates)
		logf_(s, "%u VMCOREINFO candidates, none valid",
		      s->res->vmcoreinfo_candidates);
}

/* ---- virtual addresses ----------------------------------------------- */

static int read_phdr(struct gc *s, uint64_t slot, Elf64_Phdr *ph)
{
	ssize_t r = pread(s->fd, ph, sizeof(*ph),
			  (off_t)(s->phoff + slot * sizeof(*ph)));

	return r == (ssize_t)sizeof(*ph) ? 0 : -1;
}

/* Guest physical address covered by a physical PT_LOAD? */
static int phys_covered(struct gc *s, uint64_t pa)
{
	Elf64_Phdr ph;

	for (uint64_t i = 0; i < s->nphys; i++) {
		if (read_phdr(s, 1 + i, &ph))
			return 0;
		if (pa >= ph.p_paddr && pa - ph.p_paddr < ph.p_memsz)
			return 1;
	}
	return 0;
}

/*
 * page_offset_base: the lowest 1 GiB-aligned kernel-half address whose
 * guest page tables map guest physical 0, verified by translating the
 * start and the last page of every physical PT_LOAD.
 */
static int verify_direct_map(struct gc *s, uint64_t cr3, int la57,
			     uint64_t base)
{
	Elf64_Phdr ph;
	uint64_t pa;

	uint64_t step = s->nphys > VERIFY_SAMPLES ? s->nphys / VERIFY_SAMPLES :
						    1;

	for (uint64_t i = 0; i < s->nphys; i += step) {
		if (read_phdr(s, 1 + i, &ph))
			return 0;
		for (int k = 0; k < 2; k++) {
			uint64_t a = k ? ph.p_paddr + ph.p_memsz - PAGE :
					 ph.p_paddr;

			if (base + a < base ||
			    vg_gva_translate(s->gm, cr3, la57, base + a, &pa,
					     NULL) ||
			    pa != a)
				return 0;
		}
	}
	return s->nphys > 0;
}

/*
 * Depth-first over the guest's kernel-half tables down to the 1 GiB level;
 * every present 1 GiB slot is a candidate, the direct map is the one that
 * translates to guest physical 0 and passes verify_direct_map().
 */
struct dm_search {
	struct gc *s;
	uint64_t cr3;
	int la57;
	unsigned budget; /* table entries read */
	uint64_t base;
};

static int dm_search(struct dm_search *d, uint64_t table, int level,
		     uint64_t va_base)
{
	int shift = 12 + 9 * (level - 1);
	unsigned first = 0, last = 511;

	if (level == (d->la57 ? 5 : 4)) {
		first = 256; /* kernel half */
		last = 510; /* slot 511 holds the kernel text map */
	}
	for (unsigned i = first; i <= last; i++) {
		uint64_t e, va = va_base + ((uint64_t)i << shift), pa;

		if (!d->budget--)
			return 0;
		if (vg_gmem_read(d->s->gm, table + 8ull * i, &e, 8) != VG_HM_OK)
			return 0;
		if (!(e & 1))
			continue;
		if (level == 3) {
			if (vg_gva_translate(d->s->gm, d->cr3, d->la57, va, &pa,
					     NULL) == 0 &&
			    pa == 0 &&
			    verify_direct_map(d->s, d->cr3, d->la57, va)) {
				d->base = va;
				return 1;
			}
			continue;
		}
		if (e & 0x80)
			continue;
		if (dm_search(d, e & 0x000ffffffffff000ull, level - 1, va))
			return 1;
	}
	return 0;
}

static int find_direct_map(struct gc *s, uint64_t cr3, int la57, uint64_t *base)
{
	int levels = la57 ? 5 : 4;
	struct dm_search d = { s, cr3, la57, 16384, 0 };
	/* Sign-extended start of the address space's top half. */
	uint64_t top = ~0ull << (12 + 9 * levels - 1);

	if (!dm_search(&d, cr3 & 0x000ffffffffff000ull, levels,
		       top - (256ull << (12 + 9 * (levels - 1)))))
		return 0;
	*base = d.base;
	return 1;
}

static void virtual_loads(struct gc *s, const struct vg_vcpu *vcpus,
			  unsigned nvcpus, uint64_t *nslots)
{
	struct vg_guestcore_result *res = s->res;
	uint64_t phys_base, isize = 512ull << 20, stext, koff = 0, l5 = 0;
	uint64_t pgt, ts, te, pob = 0;
	Elf64_Phdr ph, vh;
	int found = 0;

	if (!vg_vmci_num(s->vmci, "NUMBER(phys_base)", 10, &phys_base)) {
		logf_(s, "VMCOREINFO has no NUMBER(phys_base): no kernel "
			 "virtual addresses");
		return;
	}
	/*
	 * phys_base is signed: with KASLR the kernel can sit lower in
	 * physical memory than its virtual offset, which makes phys_base
	 * negative (seen: -247463936).  The u64 arithmetic below wraps
	 * correctly; only the sanity bounds need the sign.
	 */
	if (phys_base & (PAGE - 1) || (int64_t)phys_base >= (1ll << 52) ||
	    (int64_t)phys_base <= -(1ll << 47)) {
		problem(s, 0,
			"guest VMCOREINFO phys_base 0x%" PRIx64
			" is not sane: no kernel virtual addresses",
			phys_base);
		return;
	}
	res->phys_base_known = 1;
	res->phys_base = phys_base;
	vg_vmci_num(s->vmci, "NUMBER(KERNEL_IMAGE_SIZE)", 10, &isize);
	if (!isize || isize > (1ull << 31))
		isize = 512ull << 20;
	vg_vmci_num(s->vmci, "KERNELOFFSET", 16, &koff);
	vg_vmci_num(s->vmci, "NUMBER(pgtable_l5_enabled)", 10, &l5);

	/* Kernel text map: __START_KERNEL_map + pa - phys_base. */
	ts = (int64_t)phys_base < 0 ? 0 : phys_base;
	te = phys_base + isize;
	if (vg_vmci_num(s->vmci, "SYMBOL(_stext)", 16, &stext) &&
	    stext >= START_KERNEL_MAP && stext - START_KERNEL_MAP < isize)
		ts = phys_base +
		     ((stext - START_KERNEL_MAP) & ~((2ull << 20) - 1));
	logf_(s,
	      "kernel text map: phys 0x%" PRIx64 "-0x%" PRIx64
	      " (KERNELOFFSET %" PRIx64 ")",
	      ts, te, koff);
	for (uint64_t i = 0; i < s->nphys; i++) {
		uint64_t a, b;

		if (read_phdr(s, 1 + i, &ph))
			break;
		a = ph.p_paddr > ts ? ph.p_paddr : ts;
		b = ph.p_paddr + ph.p_memsz < te ? ph.p_paddr + ph.p_memsz : te;
		if (a >= b)
			continue;
		put_phdr(&vh, PT_LOAD, ph.p_offset + (a - ph.p_paddr),
			 START_KERNEL_MAP + (a - phys_base), a, b - a, b - a);
		if (*nslots >= s->cap ||
		    out_write(s, &vh, sizeof(vh),
			      s->phoff + *nslots * sizeof(vh),
			      "a program header"))
			break;
		(*nslots)++;
		res->virt_loads++;
	}

	/* Direct map: init_top_pgt first, then the vCPUs' CR3s. */
	if (vg_vmci_num(s->vmci, "SYMBOL(init_top_pgt)", 16, &pgt) &&
	    pgt >= START_KERNEL_MAP &&
	    phys_covered(s, pgt - START_KERNEL_MAP + phys_base))
		found = find_direct_map(s, pgt - START_KERNEL_MAP + phys_base,
					(int)l5, &pob);
	/* A few vCPUs are enough: they share the kernel half. */
	for (unsigned i = 0; !found && i < nvcpus && i < 4; i++) {
		const struct vg_vcpu *v = &vcpus[i];
		int la57 = (v->known & VG_K_CR4) ? !!(v->cr4 & (1u << 12)) :
						   (int)l5;

		if (!(v->known & VG_K_CR3) || v->state_encrypted)
			continue;
		/* With PTI the user half is the odd page: try the kernel's. */
		found = find_direct_map(s, v->cr3 & ~0x1fffull, la57, &pob) ||
			find_direct_map(s, v->cr3 & ~0xfffull, la57, &pob);
	}
	if (!found) {
		logf_(s, "direct map not found: physical PT_LOADs keep "
			 "p_vaddr 0");
		return;
	}
	res->page_offset_base_known = 1;
	res->page_offset_base = pob;
	logf_(s, "direct map at 0x%" PRIx64, pob);
	for (uint64_t i = 0; i < s->nphys; i++) {
		if (read_phdr(s, 1 + i, &ph))
			break;
		ph.p_vaddr = pob + ph.p_paddr;
		if (out_write(s, &ph, sizeof(ph),
			      s->phoff + (1 + i) * sizeof(ph),
			      "a program header"))
			break;
	}
}

/* ---- notes ------------------------------------------------------------- */

static size_t note_len(size_t namesz, size_t descsz)
{
	return 12 + round_up(namesz, 4) + round_up(descsz, 4);
}

static void note_hdr(uint8_t *p, const char *name, uint32_t descsz,
		     uint32_t type)
{
	Elf64_Nhdr nh = { (uint32_t)strlen(name) + 1, descsz, type };

	memcpy(p, &nh, sizeof(nh));
	memcpy(p + 12, name, nh.n_namesz);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint64_t gpr(const struct vg_vcpu *v, enum vg_gpr r)
{
	return (v->gpr_known >> r) & 1 ? v->gpr[r] : 0;
}

static void fill_prstatus(uint8_t *d, const struct vg_vcpu *v)
{
	static const enum vg_gpr order[] = { VG_R15, VG_R14, VG_R13, VG_R12,
					     VG_RBP, VG_RBX, VG_R11, VG_R10,
					     VG_R9,  VG_R8,  VG_RAX, VG_RCX,
					     VG_RDX, VG_RSI, VG_RDI };
	uint8_t *r = d + PRSTATUS_REG_OFF;
	int segs = !!(v->known & VG_K_SEGS);

	memset(d, 0, PRSTATUS_SIZE);
	put32(d + PRSTATUS_PID_OFF, (uint32_t)v->index + 1);
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		put64(r + 8 * i, gpr(v, order[i]));
	/* 15 orig_rax stays 0, as QEMU writes it. */
	put64(r + 8 * 16, (v->known & VG_K_RIP) ? v->rip : 0);
	put64(r + 8 * 17, segs ? v->seg[VG_CS].selector : 0);
	put64(r + 8 * 18, (v->known & VG_K_RFLAGS) ? v->rflags : 0);
	put64(r + 8 * 19, gpr(v, VG_RSP));
	put64(r + 8 * 20, segs ? v->seg[VG_SS].selector : 0);
	put64(r + 8 * 21, segs ? v->seg[VG_FS].base : 0);
	put64(r + 8 * 22, segs ? v->seg[VG_GS].base : 0);
	put64(r + 8 * 23, segs ? v->seg[VG_DS].selector : 0);
	put64(r + 8 * 24, segs ? v->seg[VG_ES].selector : 0);
	put64(r + 8 * 25, segs ? v->seg[VG_FS].selector : 0);
	put64(r + 8 * 26, segs ? v->seg[VG_GS].selector : 0);
}

static void qemu_seg(uint8_t *p, const struct vg_seg *sg, int attr_known)
{
	/* Unknown access rights: flags 0, as QEMU has for a null segment. */
	uint32_t flags = attr_known ? (sg->attr & 0xf0ffu) << 8 : 0;

	if (sg->attr & VG_SEG_UNUSABLE)
		flags &= ~(1u << 15); /* not present */
	put32(p, sg->selector);
	put32(p + 4, sg->limit);
	put32(p + 8, flags);
	put32(p + 12, 0);
	put64(p + 16, sg->base);
}

static void fill_qemu(uint8_t *d, const struct vg_vcpu *v)
{
	static const enum vg_gpr order[] = { VG_RAX, VG_RBX, VG_RCX, VG_RDX,
					     VG_RSI, VG_RDI, VG_RSP, VG_RBP,
					     VG_R8,  VG_R9,  VG_R10, VG_R11,
					     VG_R12, VG_R13, VG_R14, VG_R15 };
	/* cs ds es fs gs ss ldt tr */
	static const enum vg_segreg sorder[] = { VG_CS, VG_DS, VG_ES,	VG_FS,
						 VG_GS, VG_SS, VG_LDTR, VG_TR };
	uint8_t *p = d + 8;

	memset(d, 0, QEMU_STATE_SIZE);
	put32(d, 1);
	put32(d + 4, QEMU_STATE_SIZE);
	for (unsigned i = 0; i < 16; i++, p += 8)
		put64(p, gpr(v, order[i]));
	put64(p, (v->known & VG_K_RIP) ? v->rip : 0);
	put64(p + 8, (v->known & VG_K_RFLAGS) ? v->rflags : 0);
	p += 16;
	for (unsigned i = 0; i < 8; i++, p += 24)
		if (v->known & VG_K_SEGS)
			qemu_seg(p, &v->seg[sorder[i]],
				 vg_seg_attr_known(v, sorder[i]));
	if (v->known & VG_K_DTABLES) {
		put32(p + 4, v->gdtr.limit);
		put64(p + 16, v->gdtr.base);
		put32(p + 24 + 4, v->idtr.limit);
		put64(p + 24 + 16, v->idtr.base);
	}
	p += 48;
	put64(p, (v->known & VG_K_CR0) ? v->cr0 : 0);
	put64(p + 16, (v->known & VG_K_CR2) ? v->cr2 : 0);
	put64(p + 24, (v->known & VG_K_CR3) ? v->cr3 : 0);
	put64(p + 32, (v->known & VG_K_CR4) ? v->cr4 : 0);
	put64(p + 40, (v->known & VG_K_KERNEL_GS_BASE) ? v->kernel_gs_base : 0);
}

size_t vg_gc_notes_size(unsigned nvcpus)
{
	return nvcpus * (note_len(5, PRSTATUS_SIZE) +
			 note_len(5, QEMU_STATE_SIZE)) +
	       note_len(sizeof(VMCI_NAME), VMCOREINFO_MAX);
}

size_t vg_gc_notes(uint8_t *buf, const struct vg_vcpu *vcpus, unsigned nvcpus,
		   const uint8_t *vmci_note, uint32_t vmci_descsz)
{
	uint8_t *p = buf;

	for (unsigned i = 0; i < nvcpus; i++) {
		size_t n = note_len(5, PRSTATUS_SIZE);

		memset(p, 0, n);
		note_hdr(p, "CORE", PRSTATUS_SIZE, NT_PRSTATUS);
		fill_prstatus(p + 20, &vcpus[i]);
		p += n;
	}
	for (unsigned i = 0; i < nvcpus; i++) {
		size_t n = note_len(5, QEMU_STATE_SIZE);

		memset(p, 0, n);
		note_hdr(p, "QEMU", QEMU_STATE_SIZE, 0);
		fill_qemu(p + 20, &vcpus[i]);
		p += n;
	}
	if (vmci_note) {
		size_t n = note_len(sizeof(VMCI_NAME), vmci_descsz);

		memcpy(p, vmci_note, 24 + vmci_descsz);
		memset(p + 24 + vmci_descsz, 0, n - 24 - vmci_descsz);
		p += n;
	}
	return (size_t)(p - buf);
}

static uint64_t write_notes(struct gc *s, const struct vg_vcpu *vcpus,
			    unsigned nvcpus)
{
	uint8_t *buf = malloc(vg_gc_notes_size(nvcpus));
	size_t n;

	if (!buf) {
		problem(s, 1, "out of memory for the notes");
		return 0;
	}
	n = vg_gc_notes(buf, vcpus, nvcpus,
			s->res->vmcoreinfo_found ? s->note : NULL,
			s->vmci_descsz);
	if (out_write(s, buf, n, s->note_off, "notes"))
		n = 0;
	free(buf);
	return n;
}

/* ---- driver ------------------------------------------------------------ */

static int write_header_area(struct gc *s)
{
	static const uint8_t zero[PAGE];

	for (uint64_t off = 0; off < s->data_off;) {
		uint64_t n = s->data_off - off < PAGE ? s->data_off - off :
							PAGE;

		if (vg_pwrite_all(s->fd, zero, n, (off_t)off)) {
			problem(s, 1, "cannot write the ELF headers: %s",
				strerror(errno));
			return -1;
		}
		off += n;
	}
	return 0;
}

static int finish(struct gc *s, const struct vg_vcpu *vcpus, unsigned nvcpus)
{
	struct vg_guestcore_result *res = s->res;
	uint64_t nslots = 1 + s->nphys, notes_len, end = s->data_off;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	struct stat st;
	int stopped = s->stop;

	s->stop = 0; /* headers go into space written at the start */
	if (s->ncand)
		find_vmcoreinfo(s);
	if (res->vmcoreinfo_found && !(s->opts && s->opts->no_virtual))
		virtual_loads(s, vcpus, nvcpus, &nslots);
	res->phys_loads = (unsigned)s->nphys;

	/* File size: end of the last data; extend over trailing holes. */
	if (s->nphys && !read_phdr(s, s->nphys, &ph))
		end = ph.p_offset + ph.p_filesz;
	if (ftruncate(s->fd, (off_t)end) && fstat(s->fd, &st) == 0 &&
	    (uint64_t)st.st_size < end && s->nphys) {
		/* Could not extend (EFBIG): cut the last segment short. */
		uint64_t keep = (uint64_t)st.st_size > ph.p_offset ?
					((uint64_t)st.st_size - ph.p_offset) &
						~(PAGE - 1) :
					0;

		problem(s, 1, "cannot extend the file to %" PRIu64 " bytes: %s",
			end, strerror(errno));
		ph.p_filesz = ph.p_memsz = keep;
		out_write(s, &ph, sizeof(ph), s->phoff + s->nphys * sizeof(ph),
			  "a program header");
		end = ph.p_offset + keep;
	}
	res->file_size = end > s->data_off ? end : s->data_off;

	notes_len = write_notes(s, vcpus, nvcpus);
	put_phdr(&ph, PT_NOTE, s->note_off, 0, 0, notes_len, notes_len);
	out_write(s, &ph, sizeof(ph), s->phoff, "the note header");

	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_ident[EI_OSABI] = ELFOSABI_NONE;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = s->phoff;
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	if (nslots >= PN_XNUM) {
		Elf64_Shdr sh;

		memset(&sh, 0, sizeof(sh));
		sh.sh_info = (uint32_t)nslots;
		eh.e_phnum = PN_XNUM;
		eh.e_shoff = s->shoff;
		eh.e_shnum = 1;
		eh.e_shentsize = sizeof(Elf64_Shdr);
		out_write(s, &sh, sizeof(sh), s->shoff, "the section header");
	} else {
		eh.e_phnum = (uint16_t)nslots;
	}
	if (out_write(s, &eh, sizeof(eh), 0, "the ELF header"))
		return VG_GC_FAILED;
	if (stopped || res->partial)
		return VG_GC_PARTIAL;
	return 0;
}

int vg_guestcore_write(int fd, struct vg_gmem *gm, const struct vg_vcpu *vcpus,
		       unsigned nvcpus, const struct vg_guestcore_opts *opts,
		       struct vg_guestcore_result *res)
{
	struct gc *s;
	uint64_t splits, per_cpu;
	int walked, r;

	if (opts && opts->compress != VG_GC_ELF)
		return vg_kdumpcore_write(fd, gm, vcpus, nvcpus, opts, res);
	memset(res, 0, sizeof(*res));
	if (fd < 0 || !gm || !gm->walk || (nvcpus && !vcpus)) {
		snprintf(res->error, sizeof(res->error),
			 "vg_guestcore_write: bad arguments");
		return VG_GC_FAILED;
	}
	s = aligned_alloc(4096, (sizeof(*s) + 4095) & ~(size_t)4095);
	if (!s) {
		snprintf(res->error, sizeof(res->error), "out of memory");
		return VG_GC_FAILED;
	}
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->gm = gm;
	s->opts = opts;
	s->res = res;

	/* Pass 1: how many gpa-contiguous ranges. */
	walked = gm->walk(gm, count_cb, s);
	s->pages_total = gm->stats.pages_present;
	/*
	 * The first walk is under the caller's clock too: look at it before
	 * judging the walk (its reads fail once a time budget is used up).
	 */
	report_progress(s);
	if (s->stop)
		walked = -1; /* nothing is copied */
	else if (walked < 0)
		problem(s, 1, "guest memory: %s", gm->stats.first_error);
	else if (gm->stats.truncated || gm->stats.table_absent ||
		 gm->stats.table_errors)
		problem(s, 1, "guest memory incomplete: %s",
			gm->stats.first_error);

	splits = opts && opts->split_reserve ? opts->split_reserve :
					       DEFAULT_SPLITS;
	if (s->p1_ranges > MAX_RANGES) {
		problem(s, 1,
			"guest memory has %" PRIu64
			" separate ranges; only the first %u are written",
			s->p1_ranges, MAX_RANGES);
		s->p1_ranges = MAX_RANGES;
	}
	if (splits > MAX_RANGES)
		splits = MAX_RANGES;
	s->max_phys = walked < 0 ? 0 : s->p1_ranges + splits;
	s->splits_left = splits;
	s->cap = 1 + 2 * s->max_phys;
	s->phoff = sizeof(Elf64_Ehdr);
	s->shoff = s->phoff + s->cap * sizeof(Elf64_Phdr);
	s->note_off = s->shoff + sizeof(Elf64_Shdr);
	per_cpu = note_len(5, PRSTATUS_SIZE) + note_len(5, QEMU_STATE_SIZE);
	s->note_cap =
		nvcpus * per_cpu + note_len(sizeof(VMCI_NAME), VMCOREINFO_MAX);
	s->data_off = round_up(s->note_off + s->note_cap, PAGE);
	s->next_off = s->data_off;
	logf_(s,
	      "%" PRIu64 " guest ranges, %" PRIu64 " pages mapped; data at "
	      "offset %" PRIu64,
	      s->p1_ranges, gm->stats.pages_present, s->data_off);

	if (write_header_area(s)) {
		r = VG_GC_FAILED;
		goto out;
	}
	/* Pass 2: copy. */
	if (walked >= 0)
		report_progress(s);
	if (walked >= 0 && !s->stop) {
		int w = gm->walk(gm, copy_cb, s);

		close_seg(s);
		if (w < 0 && !res->error[0])
			problem(s, 1, "guest memory: %s",
				gm->stats.first_error);
	}
	res->walk = gm->stats;
	r = finish(s, vcpus, nvcpus);
out:
	free(s);
	return r;
}
