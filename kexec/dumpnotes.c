// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Find ELF notes in ELF vmcores, kdump-compressed dumps and load-time
 * notes files (see dumpnotes.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kexec/dumpnotes.h"
#include "notes/elfnote.h"
#include "notes/carrier.h"
#include "notes/loadnotes.h"

/*
 * makedumpfile's kdump-compressed layout (diskdump_mod.h), x86_64/LP64:
 * disk_dump_header in block 0, kdump_sub_header at block 1.
 */
#define KDUMP_SIG "KDUMP   "
#define KDH_VERSION 8 /* int header_version */
#define KDH_BLOCK_SIZE 428 /* int block_size (after utsname, timeval) */
#define KDH_SUB_HDR_SIZE 432 /* int sub_hdr_size, in blocks */
#define KDH_SIZE 464
#define KSUB_OFFSET_NOTE 48 /* off_t offset_note, header_version >= 4 */
#define KSUB_SIZE_NOTE 56 /* unsigned long size_note */
#define KSUB_SIZE 64
#define FLAT_SIG "makedumpfile"

static int fail(char *err, size_t errsz, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errsz, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err && errsz) {
		va_start(ap, fmt);
		vsnprintf(err, errsz, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Until the dump readers move behind src/hostdump.h: elfnote's errors. */
static int from_vg(struct vg_error *e, int rc, char *err, size_t errsz)
{
	if (rc < 0 && err && errsz)
		snprintf(err, errsz, "%s", e->msg);
	return rc;
}

int dumpnotes_find_in_buf(const void *buf, size_t len, const char *name,
			  uint32_t type, const void **desc, size_t *desclen,
			  char *err, size_t errsz)
{
	struct vg_error e = { 0 };

	return from_vg(&e,
		       elfnote_find(buf, len, name, type, desc, desclen, &e),
		       err, errsz);
}

/* Read exactly len bytes at off; 0, or -1 (short read) / -errno. */
static int pread_full(int fd, void *buf, size_t len, uint64_t off)
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
			return -1;
		done += (size_t)r;
	}
	return 0;
}

static int read_elf_notes(int fd, const char *path, uint64_t fsize,
			  void **notes, size_t *len, char *err, size_t errsz)
{
	unsigned char *buf = NULL;
	size_t total = 0, nph, i;
	GElf_Ehdr eh;
	Elf *elf;
	int rc = 0;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(err, errsz, -EINVAL, "libelf: %s", elf_errmsg(-1));
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
		rc = fail(err, errsz, -EINVAL, "%s: unreadable ELF header: %s",
			  path, elf_errmsg(-1));
		goto out;
	}
	if (eh.e_type != ET_CORE) {
		rc = fail(err, errsz, -EINVAL,
			  "%s: ELF file but not a core dump (e_type %u)", path,
			  eh.e_type);
		goto out;
	}
	if (eh.e_ident[EI_DATA] != ELFDATA2LSB) {
		rc = fail(err, errsz, -EINVAL,
			  "%s: big-endian ELF cores are not supported", path);
		goto out;
	}
	nph = eh.e_phnum;
	if (nph == PN_XNUM && elf_getphdrnum(elf, &nph) < 0) {
		rc = fail(err, errsz, -EINVAL,
			  "%s: unreadable program header count: %s", path,
			  elf_errmsg(-1));
		goto out;
	}
	/* libelf quietly drops headers past the end of the file: do not. */
	if (nph && (eh.e_phentsize != (eh.e_ident[EI_CLASS] == ELFCLASS64 ?
					       sizeof(Elf64_Phdr) :
					       sizeof(Elf32_Phdr)) ||
		    eh.e_phoff > fsize ||
		    (fsize - eh.e_phoff) / eh.e_phentsize < nph)) {
		rc = fail(err, errsz, -EINVAL,
			  "%s: %zu program headers at offset %llu do not fit "
			  "in the %llu-byte file (truncated dump?)",
			  path, nph, (unsigned long long)eh.e_phoff,
			  (unsigned long long)fsize);
		goto out;
	}
	for (i = 0; i < nph; i++) {
		GElf_Phdr ph;
		Elf_Data *d;
		unsigned char *nb;
		size_t used;

		if (!gelf_getphdr(elf, (int)i, &ph)) {
			rc = fail(
				err, errsz, -EINVAL,
				"%s: program header %zu unreadable (truncated "
				"dump?): %s",
				path, i, elf_errmsg(-1));
			goto out;
		}
		if (ph.p_type != PT_NOTE || ph.p_filesz == 0)
			continue;
		if (ph.p_offset > fsize || ph.p_filesz > fsize - ph.p_offset) {
			rc = fail(err, errsz, -EINVAL,
				  "%s: PT_NOTE %zu (offset %llu, %llu bytes) "
				  "runs past the end of the %llu-byte file "
				  "(truncated dump?)",
				  path, i, (unsigned long long)ph.p_offset,
				  (unsigned long long)ph.p_filesz,
				  (unsigned long long)fsize);
			goto out;
		}
		if (ph.p_filesz > DUMPNOTES_MAX_NOTES - total) {
			rc = fail(err, errsz, -EFBIG,
				  "%s: more than %u bytes of notes", path,
				  DUMPNOTES_MAX_NOTES);
			goto out;
		}
		d = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset,
					 (size_t)ph.p_filesz, ELF_T_BYTE);
		if (!d || d->d_size != ph.p_filesz) {
			rc = fail(err, errsz, -EINVAL,
				  "%s: cannot read PT_NOTE %zu: %s", path, i,
				  elf_errmsg(-1));
			goto out;
		}
		/*
		 * Walk each segment on its own and keep only its notes (up
		 * to a terminator), so the segments can follow each other
		 * in one buffer.
		 */
		{
			struct vg_error e = { 0 };
			long u = elfnote_used(d->d_buf, d->d_size, &e);

			rc = from_vg(&e, u < 0 ? (int)u : 0, err, errsz);
			used = u < 0 ? 0 : (size_t)u;
		}
		if (rc < 0) {
			char inner[256];

			snprintf(inner, sizeof(inner), "%s", err ? err : "");
			rc = fail(err, errsz, rc, "%s: PT_NOTE %zu: %s", path,
				  i, inner);
			goto out;
		}
		if (used > d->d_size)
			used = d->d_size;
		nb = realloc(buf, total + ((used + 3) & ~(size_t)3) + 1);
		if (!nb) {
			rc = fail(err, errsz, -ENOMEM, "out of memory");
			goto out;
		}
		buf = nb;
		memcpy(buf + total, d->d_buf, used);
		total += used;
		while (total % 4) /* a last note without its padding */
			buf[total++] = 0;
	}
out:
	if (elf)
		elf_end(elf);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*notes = buf;
	*len = total;
	return 0;
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static int read_kdump_notes(int fd, const char *path, uint64_t fsize,
			    void **notes, size_t *len, char *err, size_t errsz)
{
	unsigned char h[KDH_SIZE], sub[KSUB_SIZE], *buf;
	int32_t version, bsize, subsize;
	uint64_t off, size;
	int rc;

	if (pread_full(fd, h, sizeof(h), 0) != 0)
		return fail(err, errsz, -EINVAL,
			    "%s: kdump-compressed header truncated", path);
	version = (int32_t)get32(h + KDH_VERSION);
	bsize = (int32_t)get32(h + KDH_BLOCK_SIZE);
	subsize = (int32_t)get32(h + KDH_SUB_HDR_SIZE);
	if (version < 1 || version > 1000)
		return fail(err, errsz, -EINVAL,
			    "%s: kdump-compressed header version %d is not "
			    "plausible (corrupt header?)",
			    path, version);
	if (bsize < 512 || bsize > (1 << 20) || (bsize & (bsize - 1)))
		return fail(err, errsz, -EINVAL,
			    "%s: kdump-compressed block size %d is not a "
			    "power of two in 512..1M (corrupt header?)",
			    path, bsize);
	if (version < 4) {
		fail(err, errsz, 1,
		     "%s: kdump-compressed header version %d predates the "
		     "note section (version 4, makedumpfile >= 1.3.5)",
		     path, version);
		return 1;
	}
	if (subsize < 1 || (uint64_t)bsize * (uint64_t)(1 + subsize) > fsize)
		return fail(err, errsz, -EINVAL,
			    "%s: kdump-compressed sub-header (%d blocks of %d) "
			    "runs past the end of the %llu-byte file "
			    "(truncated dump?)",
			    path, subsize, bsize, (unsigned long long)fsize);
	if (pread_full(fd, sub, sizeof(sub), (uint64_t)bsize) != 0)
		return fail(err, errsz, -EINVAL,
			    "%s: kdump-compressed sub-header truncated", path);
	off = get64(sub + KSUB_OFFSET_NOTE);
	size = get64(sub + KSUB_SIZE_NOTE);
	if (size == 0) {
		*notes = NULL;
		*len = 0;
		return 0;
	}
	if (size > DUMPNOTES_MAX_NOTES)
		return fail(err, errsz, -EFBIG,
			    "%s: note section of %llu bytes is larger than the "
			    "%u allowed (corrupt header?)",
			    path, (unsigned long long)size,
			    DUMPNOTES_MAX_NOTES);
	if (off > fsize || size > fsize - off)
		return fail(err, errsz, -EINVAL,
			    "%s: note section (offset %llu, %llu bytes) runs "
			    "past the end of the %llu-byte file (truncated "
			    "dump?)",
			    path, (unsigned long long)off,
			    (unsigned long long)size,
			    (unsigned long long)fsize);
	buf = malloc((size_t)size);
	if (!buf)
		return fail(err, errsz, -ENOMEM, "out of memory");
	rc = pread_full(fd, buf, (size_t)size, off);
	if (rc != 0) {
		free(buf);
		return fail(err, errsz, -EIO,
			    "%s: cannot read note section: %s", path,
			    rc == -1 ? "short read" : strerror(-rc));
	}
	*notes = buf;
	*len = (size_t)size;
	return 0;
}

static int open_regular(const char *path, uint64_t *size, char *err,
			size_t errsz)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0) {
		int e = errno;

		return fail(err, errsz, -e, "%s: %s", path, strerror(e));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, errsz, -EINVAL, "%s: not a regular file",
			    path);
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

int dumpnotes_read(const char *path, void **notes, size_t *len, char *err,
		   size_t errsz)
{
	unsigned char magic[16];
	uint64_t fsize;
	int fd, rc;

	*notes = NULL;
	*len = 0;
	fd = open_regular(path, &fsize, err, errsz);
	if (fd < 0)
		return fd;
	memset(magic, 0, sizeof(magic));
	rc = pread_full(fd, magic,
			fsize < sizeof(magic) ? (size_t)fsize : sizeof(magic),
			0);
	if (rc < -1) {
		rc = fail(err, errsz, rc, "%s: %s", path, strerror(-rc));
	} else if (rc == -1 || fsize < 8) {
		rc = fail(err, errsz, -EINVAL,
			  "%s: too short (%llu bytes) to be a dump", path,
			  (unsigned long long)fsize);
	} else if (!memcmp(magic, ELFMAG, SELFMAG)) {
		rc = read_elf_notes(fd, path, fsize, notes, len, err, errsz);
	} else if (!memcmp(magic, KDUMP_SIG, 8)) {
		rc = read_kdump_notes(fd, path, fsize, notes, len, err, errsz);
	} else if (!memcmp(magic, FLAT_SIG, strlen(FLAT_SIG))) {
		rc = fail(err, errsz, -EINVAL,
			  "%s: flattened format: run makedumpfile -R first",
			  path);
	} else if (!memcmp(magic, "DISKDUMP", 8)) {
		rc = fail(err, errsz, -EINVAL,
			  "%s: diskdump (DISKDUMP) format is not supported",
			  path);
	} else {
		rc = fail(err, errsz, -EINVAL,
			  "%s: not an ELF core or kdump-compressed dump", path);
	}
	close(fd);
	return rc;
}

/* Copy a descriptor into a fresh buffer with a NUL after it. */
static int copy_desc(const void *d, size_t n, void **desc, size_t *desclen,
		     char *err, size_t errsz)
{
	char *c = malloc(n + 1);

	if (!c)
		return fail(err, errsz, -ENOMEM, "out of memory");
	memcpy(c, d, n);
	c[n] = '\0';
	*desc = c;
	*desclen = n;
	return 0;
}

int dumpnotes_find_in_file(const char *notes_file, const char *name,
			   uint32_t type, void **desc, size_t *desclen,
			   char *err, size_t errsz)
{
	const void *d;
	uint64_t fsize;
	size_t n;
	void *buf;
	int fd, rc;

	fd = open_regular(notes_file, &fsize, err, errsz);
	if (fd < 0)
		return fd;
	if (fsize > LOADNOTES_MAX_SIZE) {
		close(fd);
		return fail(err, errsz, -EFBIG,
			    "%s: %llu bytes, more than the %u a notes file may "
			    "have",
			    notes_file, (unsigned long long)fsize,
			    (unsigned int)LOADNOTES_MAX_SIZE);
	}
	buf = malloc(fsize ? (size_t)fsize : 1);
	if (!buf) {
		close(fd);
		return fail(err, errsz, -ENOMEM, "out of memory");
	}
	rc = pread_full(fd, buf, (size_t)fsize, 0);
	close(fd);
	if (rc != 0) {
		free(buf);
		return fail(err, errsz, -EIO, "%s: read failed", notes_file);
	}
	rc = dumpnotes_find_in_buf(buf, (size_t)fsize, name, type, &d, &n, err,
				   errsz);
	if (rc < 0) {
		char inner[256];

		snprintf(inner, sizeof(inner), "%s", err ? err : "");
		rc = fail(err, errsz, rc, "%s: %s", notes_file, inner);
	} else if (rc == 0) {
		rc = copy_desc(d, n, desc, desclen, err, errsz);
	} else {
		fail(err, errsz, 1, "no %s note in %s", name, notes_file);
	}
	free(buf);
	return rc;
}

static int is_proc_vmcore(const char *path)
{
	char *real = realpath(path, NULL);
	int yes = real && !strcmp(real, "/proc/vmcore");

	free(real);
	return yes;
}

int dumpnotes_find_ex(const char *path, const char *notes_file,
		      const char *name, uint32_t type, void **desc,
		      size_t *desclen, const char **from, char *err,
		      size_t errsz)
{
	const void *d;
	void *notes;
	size_t len, n;
	int rc, no_section;

	*desc = NULL;
	*desclen = 0;
	rc = dumpnotes_read(path, &notes, &len, err, errsz);
	if (rc < 0)
		return rc;
	no_section = rc == 1;
	if (rc == 0 && len) {
		rc = dumpnotes_find_in_buf(notes, len, name, type, &d, &n, err,
					   errsz);
		if (rc == 0) {
			rc = copy_desc(d, n, desc, desclen, err, errsz);
			if (rc == 0 && from)
				*from = path;
		} else if (rc < 0) {
			char inner[256];

			snprintf(inner, sizeof(inner), "%s", err ? err : "");
			rc = fail(err, errsz, rc, "%s: %s", path, inner);
		}
		free(notes);
		if (rc <= 0)
			return rc;
	} else {
		free(notes);
	}
	/* Not in the dump itself: the load-time notes file, if any. */
	if (!notes_file && is_proc_vmcore(path) &&
	    access(LOADNOTES_PATH, F_OK) == 0)
		notes_file = LOADNOTES_PATH;
	if (notes_file) {
		rc = dumpnotes_find_in_file(notes_file, name, type, desc,
					    desclen, err, errsz);
		if (rc == 0 && from)
			*from = notes_file;
		if (rc != 1)
			return rc;
		return fail(err, errsz, 1, "no %s note in %s nor in %s", name,
			    path, notes_file);
	}
	if (no_section)
		return 1; /* err says why the dump cannot have it */
	return fail(err, errsz, 1, "no %s note in %s", name, path);
}

int dumpnotes_find(const char *path, const char *name, uint32_t type,
		   void **desc, size_t *desclen, char *err, size_t errsz)
{
	return dumpnotes_find_ex(path, NULL, name, type, desc, desclen, NULL,
				 err, errsz);
}
