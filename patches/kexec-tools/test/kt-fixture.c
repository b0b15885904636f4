// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fixtures for the kexec-tools patch test and the checks of what the
 * patched kexec handed to the (shimmed) kexec syscalls.  Written without
 * the code under test: the notes and the cpio archive are parsed here
 * from scratch.
 *
 *   kt-fixture bzimage FILE          a minimal relocatable bzImage64
 *   kt-fixture kcore FILE            a /proc/kcore with kernel-text and
 *                                    direct-map PT_LOADs
 *   kt-fixture segnotes SHIMOUT DIR  find the elfcorehdr among the
 *                                    kexec_load segments, check every
 *                                    PT_NOTE that points into a segment
 *                                    and write each note's descriptor to
 *                                    DIR/<name>.desc
 *   kt-fixture initrdnotes INITRD ORIG DIR
 *                                    check that INITRD is ORIG, zero
 *                                    padding and one newc archive holding
 *                                    etc/vmcore-guests/loadtime.notes;
 *                                    write its notes like segnotes
 *   kt-fixture btf DIR               a small synthetic BTF tree for the
 *                                    KVMINFO note: DIR/vmlinux and the
 *                                    split BTF DIR/kvm, DIR/kvm_amd
 *                                    (libbpf's writer; the offsets are the
 *                                    ones run.sh expects)
 *
 * Every check prints one line; exit 1 at the first failure.
 */
#include <bpf/btf.h>
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_SEGS 32

static int failed(const char *fmt, const char *a)
{
	fprintf(stderr, "FAIL: ");
	fprintf(stderr, fmt, a);
	fputc('\n', stderr);
	return 1;
}

static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *buf = NULL;
	size_t size = 0, n;
	FILE *f = fopen(path, "rb");

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (*len == size) {
			size = size ? size * 2 : 65536;
			buf = realloc(buf, size);
			if (!buf)
				break;
		}
		n = fread(buf + *len, 1, size - *len, f);
		if (!n)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

static int spew(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(buf, 1, len, f) != len) {
		if (f)
			fclose(f);
		return -1;
	}
	return fclose(f);
}

static void put16(unsigned char *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* Boot protocol 2.15 header (Documentation/arch/x86/boot.rst). */
static int mk_bzimage(const char *path)
{
	size_t setup_sects = 4, payload = 64 * 1024;
	size_t len = (setup_sects + 1) * 512 + payload;
	unsigned char *b = calloc(1, len);
	int rc;

	if (!b)
		return 1;
	/* A jump, as in a boot sector: byte 0 must not look like the
	 * properties byte of a raw LZMA stream either (>= 225). */
	b[0] = 0xeb;
	b[1] = 0x66;
	b[0x1f1] = setup_sects;
	put16(b + 0x1fe, 0xaa55);
	memcpy(b + 0x202, "HdrS", 4);
	put16(b + 0x206, 0x020f);
	b[0x211] = 0x01; /* LOADED_HIGH */
	put32(b + 0x214, 0x100000); /* code32_start */
	put32(b + 0x22c, 0x7fffffff); /* initrd_addr_max */
	put32(b + 0x230, 0x200000); /* kernel_alignment */
	b[0x234] = 1; /* relocatable_kernel */
	b[0x235] = 21; /* min_alignment */
	put16(b + 0x236, 0x3); /* XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G */
	put32(b + 0x238, 2047); /* cmdline_size */
	put64(b + 0x258, 0x1000000); /* pref_address */
	put32(b + 0x260, 0x400000); /* init_size */
	rc = spew(path, b, len) ? failed("cannot write %s", path) : 0;
	free(b);
	return rc;
}

static int mk_kcore(const char *path)
{
	struct {
		Elf64_Ehdr e;
		Elf64_Phdr p[2];
	} k;

	memset(&k, 0, sizeof(k));
	memcpy(k.e.e_ident, ELFMAG, SELFMAG);
	k.e.e_ident[EI_CLASS] = ELFCLASS64;
	k.e.e_ident[EI_DATA] = ELFDATA2LSB;
	k.e.e_ident[EI_VERSION] = EV_CURRENT;
	k.e.e_type = ET_CORE;
	k.e.e_machine = EM_X86_64;
	k.e.e_version = EV_CURRENT;
	k.e.e_phoff = sizeof(k.e);
	k.e.e_ehsize = sizeof(k.e);
	k.e.e_phentsize = sizeof(Elf64_Phdr);
	k.e.e_phnum = 2;
	/* Kernel text mapping, then the direct map. */
	k.p[0].p_type = PT_LOAD;
	k.p[0].p_vaddr = 0xffffffff81000000ull;
	k.p[0].p_paddr = 0x1000000;
	k.p[0].p_offset = 0x1000;
	k.p[0].p_filesz = k.p[0].p_memsz = 0x2000000;
	k.p[1].p_type = PT_LOAD;
	k.p[1].p_vaddr = 0xffff888000100000ull;
	k.p[1].p_paddr = 0x100000;
	k.p[1].p_offset = 0x3000000;
	k.p[1].p_filesz = k.p[1].p_memsz = 0x7ff00000;
	return spew(path, &k, sizeof(k)) ? failed("cannot write %s", path) : 0;
}

/*
 * Walk notes the way fs/proc/vmcore.c does: stop at n_namesz == 0, fail
 * on a note running past len.  Writes DIR/<name>.desc; returns the number
 * of notes or -1.
 */
static int walk_notes(const unsigned char *p, size_t len, int need_end,
		      const char *dir)
{
	size_t off = 0, sz;
	int count = 0;
	Elf64_Nhdr n;
	char path[4096];

	while (off + sizeof(n) <= len) {
		memcpy(&n, p + off, sizeof(n));
		if (!n.n_namesz)
			return count;
		sz = sizeof(n) + ((n.n_namesz + 3) & ~3u) +
		     ((n.n_descsz + 3) & ~3u);
		if (off + sz > len) {
			failed("%s: a note runs past the end", dir);
			return -1;
		}
		if (p[off + sizeof(n) + n.n_namesz - 1] != '\0' ||
		    strlen((const char *)p + off + sizeof(n)) + 1 !=
			    n.n_namesz) {
			failed("%s: note name is not NUL-terminated", dir);
			return -1;
		}
		printf("note %s type=%u descsz=%u\n",
		       (const char *)p + off + sizeof(n), n.n_type, n.n_descsz);
		snprintf(path, sizeof(path), "%s/%s.desc", dir,
			 (const char *)p + off + sizeof(n));
		if (spew(path, p + off + sizeof(n) + ((n.n_namesz + 3) & ~3u),
			 n.n_descsz)) {
			failed("cannot write %s", path);
			return -1;
		}
		off += sz;
		count++;
	}
	if (need_end || off != len) {
		failed("%s: no terminating empty note header", dir);
		return -1;
	}
	return count;
}

struct seg {
	uint64_t mem, memsz, bufsz;
	unsigned char *buf;
};

static int seg_notes(const char *shimout, const char *dir)
{
	struct seg s[MAX_SEGS];
	char path[4096], line[256];
	const Elf64_Ehdr *e = NULL;
	const Elf64_Phdr *ph;
	unsigned long long a, b, c;
	unsigned int i, j, k, nseg = 0, notes_in_segs = 0;
	const unsigned char *bp = NULL;
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/load.txt", shimout);
	f = fopen(path, "r");
	if (!f)
		return failed("no %s: kexec_load was not called", path);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "seg %u mem=0x%llx memsz=0x%llx bufsz=0x%llx",
			   &i, &a, &b, &c) != 4 ||
		    i != nseg || nseg == MAX_SEGS)
			continue;
		s[nseg].mem = a;
		s[nseg].memsz = b;
		s[nseg].bufsz = c;
		snprintf(path, sizeof(path), "%s/seg%u.bin", shimout, i);
		s[nseg].buf = slurp(path, &len);
		if (!s[nseg].buf || len != c) {
			fclose(f);
			return failed("%s: missing or short", path);
		}
		nseg++;
	}
	fclose(f);

	for (i = 0; i < nseg; i++) {
		e = (const Elf64_Ehdr *)s[i].buf;
		if (s[i].bufsz >= sizeof(*e) &&
		    !memcmp(e->e_ident, ELFMAG, SELFMAG) &&
		    e->e_type == ET_CORE)
			break;
	}
	if (i == nseg)
		return failed("%s: no ELF core header segment", shimout);
	printf("elfcorehdr: segment %u at 0x%" PRIx64 ", %u phdrs\n", i,
	       s[i].mem, e->e_phnum);
	if (e->e_phoff + (uint64_t)e->e_phnum * sizeof(*ph) > s[i].bufsz)
		return failed("%s: phdrs past the elfcorehdr", shimout);
	/*
	 * Boot parameters and command line share one segment; the command
	 * line must name this elfcorehdr.
	 */
	for (j = 0; !bp && j < nseg; j++) {
		const char *cl =
			memmem(s[j].buf, s[j].bufsz, "elfcorehdr=", 11);
		char *end;

		if (!cl || s[j].bufsz < 0x1000)
			continue;
		a = strtoull(cl + 11, &end, 0);
		if (*end == 'K')
			a <<= 10;
		if (a != s[i].mem)
			return failed("%s: elfcorehdr= does not name the ELF "
				      "core header segment",
				      shimout);
		bp = s[j].buf;
	}

	ph = (const Elf64_Phdr *)(s[i].buf + e->e_phoff);
	for (j = 0; j < e->e_phnum; j++) {
		if (ph[j].p_type != PT_NOTE)
			continue;
		for (k = 0; k < nseg; k++)
			if (ph[j].p_offset >= s[k].mem &&
			    ph[j].p_offset < s[k].mem + s[k].memsz)
				break;
		if (k == nseg)
			continue; /* CPU notes, VMCOREINFO: first-kernel memory */
		if (ph[j].p_paddr != ph[j].p_offset ||
		    ph[j].p_filesz != ph[j].p_memsz ||
		    ph[j].p_offset + ph[j].p_memsz > s[k].mem + s[k].bufsz)
			return failed("%s: load-time PT_NOTE is not inside "
				      "its segment",
				      shimout);
		printf("PT_NOTE -> segment %u at 0x%" PRIx64
		       ", p_memsz %" PRIu64 "\n",
		       k, s[k].mem, (uint64_t)ph[j].p_memsz);
		if (walk_notes(s[k].buf + (ph[j].p_offset - s[k].mem),
			       ph[j].p_memsz, 1, dir) < 0)
			return 1;
		/* The capture kernel's e820 must not offer it as RAM. */
		if (!bp)
			return failed("%s: no boot parameters segment",
				      shimout);
		for (c = 0; c < bp[0x1e8]; c++) {
			uint64_t addr, size;
			uint32_t type;

			memcpy(&addr, bp + 0x2d0 + 20 * c, 8);
			memcpy(&size, bp + 0x2d0 + 20 * c + 8, 8);
			memcpy(&type, bp + 0x2d0 + 20 * c + 16, 4);
			if (type == 1 && addr < s[k].mem + s[k].memsz &&
			    s[k].mem < addr + size)
				return failed("%s: the notes segment is RAM "
					      "in the capture kernel's e820",
					      shimout);
		}
		printf("notes segment kept out of %u e820 entries\n",
		       bp[0x1e8]);
		notes_in_segs++;
	}
	printf("load-time PT_NOTEs: %u\n", notes_in_segs);
	return 0;
}

static unsigned long hex8(const unsigned char *p)
{
	char b[9];

	memcpy(b, p, 8);
	b[8] = '\0';
	return strtoul(b, NULL, 16);
}

static int initrd_notes(const char *initrd, const char *orig, const char *dir)
{
	size_t ilen, olen, off, namesz, filesz, mode, found = 0;
	unsigned char *ib = slurp(initrd, &ilen);
	unsigned char *ob = slurp(orig, &olen);
	const char *name;

	if (!ib || !ob)
		return failed("cannot read %s or the original", initrd);
	if (ilen < olen || memcmp(ib, ob, olen))
		return failed("%s does not start with the original initrd",
			      initrd);
	off = olen;
	while (off < ilen && !ib[off])
		off++;
	if (off == olen && (olen & 3))
		return failed("%s: archive not on a 4-byte boundary", initrd);
	if (off == ilen)
		return failed("%s: nothing appended", initrd);
	printf("appended archive at %zu (original %zu bytes)\n", off, olen);
	for (;;) {
		if (off + 110 > ilen || memcmp(ib + off, "070701", 6))
			return failed("%s: bad newc header", initrd);
		mode = hex8(ib + off + 14);
		filesz = hex8(ib + off + 54);
		namesz = hex8(ib + off + 94);
		name = (const char *)ib + off + 110;
		if (off + 110 + namesz > ilen || name[namesz - 1])
			return failed("%s: bad name", initrd);
		off = (off + 110 + namesz + 3) & ~(size_t)3;
		if (off + filesz > ilen)
			return failed("%s: file past the end", initrd);
		printf("cpio %s mode 0%lo size %zu\n", name,
		       (unsigned long)mode, filesz);
		if (!strcmp(name, "TRAILER!!!"))
			break;
		if (!strcmp(name, "etc/vmcore-guests/loadtime.notes")) {
			if (mode != 0100400)
				return failed("%s: notes file mode is not "
					      "0400",
					      initrd);
			if (walk_notes(ib + off, filesz, 0, dir) < 0)
				return 1;
			found++;
		}
		off = (off + filesz + 3) & ~(size_t)3;
	}
	if (found != 1)
		return failed("%s: not exactly one notes file", initrd);
	return 0;
}

/* Add a struct with n members {name, type id, byte offset}. */
static int add_struct(struct btf *b, const char *name, unsigned int size, int n,
		      const char *const *names, const int *types,
		      const unsigned int *offs)
{
	int id = b ? btf__add_struct(b, name, size) : -1, i;

	for (i = 0; id > 0 && i < n; i++)
		if (btf__add_field(b, names[i], types[i], offs[i] * 8, 0))
			return -1;
	return id;
}

static int write_btf(struct btf *b, const char *dir, const char *name)
{
	char path[4096];
	const void *raw;
	__u32 size = 0;

	raw = btf__raw_data(b, &size);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!raw || spew(path, raw, size))
		return failed("cannot write %s", path);
	return 0;
}

/*
 * The layout run.sh expects in the KVMINFO descriptor (a few members of
 * each kind: plain, embedded, anonymous, array, module split BTF).
 */
static int mk_btf(const char *dir)
{
	struct btf *v = btf__new_empty(), *k = NULL, *a = NULL;
	int t_int, t_ulong, t_char, ptr, lh, comm, anon, regs, arch, info;
	int rc = 1;

	mkdir(dir, 0755);
	if (!v)
		return failed("%s: btf__new_empty failed", dir);
	t_int = btf__add_int(v, "int", 4, BTF_INT_SIGNED);
	t_ulong = btf__add_int(v, "long unsigned int", 8, 0);
	t_char = btf__add_int(v, "char", 1, BTF_INT_CHAR);
	ptr = btf__add_ptr(v, 0);
	lh = add_struct(v, "list_head", 16, 2,
			(const char *const[]){ "next", "prev" },
			(const int[]){ ptr, ptr },
			(const unsigned int[]){ 0, 8 });
	comm = btf__add_array(v, t_int, t_char, 16);
	add_struct(v, "task_struct", 9792, 3,
		   (const char *const[]){ "__state", "pid", "comm" },
		   (const int[]){ t_int, t_int, comm },
		   (const unsigned int[]){ 24, 1480, 2936 });
	anon = add_struct(v, NULL, 896, 1, (const char *const[]){ "pgd" },
			  (const int[]){ ptr }, (const unsigned int[]){ 80 });
	if (add_struct(v, "mm_struct", 896, 1, (const char *const[]){ "" },
		       (const int[]){ anon },
		       (const unsigned int[]){ 0 }) <= 0 ||
	    lh <= 0 || write_btf(v, dir, "vmlinux"))
		goto out;

	k = btf__new_empty_split(v);
	regs = k ? btf__add_array(k, t_int, t_ulong, 17) : -1;
	arch = add_struct(k, "kvm_vcpu_arch", 8000, 1,
			  (const char *const[]){ "regs" },
			  (const int[]){ regs }, (const unsigned int[]){ 0 });
	if (add_struct(k, "kvm_vcpu", 9600, 3,
		       (const char *const[]){ "kvm", "vcpu_id", "arch" },
		       (const int[]){ ptr, t_int, arch },
		       (const unsigned int[]){ 0, 28, 512 }) <= 0 ||
	    add_struct(k, "kvm", 4608, 1, (const char *const[]){ "vm_list" },
		       (const int[]){ lh },
		       (const unsigned int[]){ 4400 }) <= 0 ||
	    write_btf(k, dir, "kvm"))
		goto out;

	a = btf__new_empty_split(v);
	info = add_struct(a, "kvm_vmcb_info", 32, 2,
			  (const char *const[]){ "ptr", "pa" },
			  (const int[]){ ptr, t_ulong },
			  (const unsigned int[]){ 0, 8 });
	if (add_struct(a, "vcpu_svm", 11008, 1,
		       (const char *const[]){ "vmcb01" }, (const int[]){ info },
		       (const unsigned int[]){ 9608 }) <= 0 ||
	    write_btf(a, dir, "kvm_amd"))
		goto out;
	rc = 0;
out:
	if (rc)
		failed("%s: cannot write the BTF fixture", dir);
	btf__free(a);
	btf__free(k);
	btf__free(v);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "bzimage"))
		return mk_bzimage(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "kcore"))
		return mk_kcore(argv[2]);
	if (argc == 4 && !strcmp(argv[1], "segnotes"))
		return seg_notes(argv[2], argv[3]);
	if (argc == 5 && !strcmp(argv[1], "initrdnotes"))
		return initrd_notes(argv[2], argv[3], argv[4]);
	if (argc == 3 && !strcmp(argv[1], "btf"))
		return mk_btf(argv[2]);
	fprintf(stderr,
		"usage: kt-fixture bzimage|kcore FILE | segnotes "
		"SHIMOUT DIR | initrdnotes INITRD ORIG DIR | btf DIR\n");
	return 2;
}
