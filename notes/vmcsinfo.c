// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VMCSINFO, the writing side: read the VMCS layout from the sysfs ABI,
 * validate it, turn it into descriptor text and the ELF note
 * (docs/vmcsinfo-note.md).  The reading side is vmcsinfo-parse.c.
 * libc only: the kexec-tools patch series carries the same source.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmcsinfo.h"
#include "loadnotes.h"

/* Largest sysfs value file we accept ("0x" + 16 digits + newline fits). */
#define VALUE_FILE_MAX 64

/*
 * Strict base-0 number: "0x..." hex, "0..." octal, otherwise decimal, as
 * strtoull(s, NULL, 0) reads them, but without sign or white space and
 * with every byte of s[0..len) consumed.  0 or -1.
 */
int vmcsinfo_number(const char *s, size_t len, uint64_t *out)
{
	unsigned int base = 10, digit;
	uint64_t v = 0;
	size_t i = 0;

	if (len == 0)
		return -1;
	if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
		if (len == 2)
			return -1;
	} else if (s[0] == '0') {
		base = 8;
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= '0' && c <= '9')
			digit = c - '0';
		else if (c >= 'a' && c <= 'f')
			digit = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			digit = c - 'A' + 10;
		else
			return -1;
		if (digit >= base)
			return -1;
		if (v > (UINT64_MAX - digit) / base)
			return -1;
		v = v * base + digit;
	}
	*out = v;
	return 0;
}

unsigned int vmcsinfo_field_width(uint16_t encoding)
{
	unsigned int width;

	if (encoding & 0x9000) /* bits 12 and 15 are reserved */
		return 0;
	switch ((encoding >> 13) & 3) {
	case 0:
		width = 2;
		break;
	case 1:
		width = 8;
		break;
	case 2:
		width = 4;
		break;
	default:
		width = 8;
		break;
	}
	if (encoding & 1) /* high access type */
		return width == 8 && ((encoding >> 13) & 3) == 1 ? 4 : 0;
	return width;
}

const struct vmcsinfo_field *vmcsinfo_find_field(const struct vmcsinfo *vi,
						 uint16_t encoding)
{
	unsigned int lo = 0, hi = vi->nfields;

	if (vi->nfields > VMCSINFO_MAX_FIELDS)
		return NULL;
	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (vi->fields[mid].encoding == encoding)
			return &vi->fields[mid];
		if (vi->fields[mid].encoding < encoding)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

struct span {
	unsigned int start, end;
	uint16_t encoding;
};

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->encoding < y->encoding ? -1 : x->encoding > y->encoding;
}

/* Name a field in messages: its sysfs file, or its note key. */
static const char *fname(char *buf, size_t bufsz, const char *dir,
			 uint16_t encoding)
{
	if (dir)
		snprintf(buf, bufsz, "%s/%04x", dir, encoding);
	else
		snprintf(buf, bufsz, "FIELD(0x%04x)", encoding);
	return buf;
}

int vmcsinfo_check(const struct vmcsinfo *vi, const char *dir,
		   struct vg_error *err)
{
	static const char *const hdr = "the header (revision id, abort "
				       "indicator: bytes 0-7)";
	struct span spans[VMCSINFO_MAX_FIELDS];
	char a[PATH_MAX], b[PATH_MAX];
	unsigned int i, n = 0;

	if (vi->revision_id & 0x80000000u)
		return vg_error_set(
			err, -EINVAL,
			"revision id 0x%x has bit 31 set (shadow VMCS "
			"indicator), not a VMCS revision identifier",
			vi->revision_id);
	if (vi->nfields > VMCSINFO_MAX_FIELDS)
		return vg_error_set(err, -EINVAL,
				    "%u fields, at most %d allowed",
				    vi->nfields, VMCSINFO_MAX_FIELDS);
	if (vi->nfields == 0)
		return vg_error_set(err, -EINVAL,
				    "%s: no field has a known offset",
				    dir ? dir : "descriptor");
	for (i = 0; i < vi->nfields; i++) {
		const struct vmcsinfo_field *f = &vi->fields[i];
		unsigned int w = vmcsinfo_field_width(f->encoding);

		fname(a, sizeof(a), dir, f->encoding);
		if (i && f->encoding <= vi->fields[i - 1].encoding)
			return vg_error_set(
				err, -EINVAL,
				"%s: fields not sorted by encoding or "
				"listed twice",
				a);
		if (!w)
			return vg_error_set(
				err, -EINVAL,
				"%s: 0x%04x is not a valid field encoding", a,
				f->encoding);
		if (f->offset >= VMCSINFO_REGION_SIZE ||
		    f->offset + w > VMCSINFO_REGION_SIZE)
			return vg_error_set(
				err, -EINVAL,
				"%s: offset 0x%x out of range (the %d-byte "
				"field must end within %d bytes)",
				a, f->offset, w, VMCSINFO_REGION_SIZE);
		if (f->offset < VMCSINFO_HEADER_SIZE)
			return vg_error_set(err, -EINVAL,
					    "%s: offset 0x%x overlaps %s", a,
					    f->offset, hdr);
		if (f->offset % w)
			return vg_error_set(
				err, -EINVAL,
				"%s: offset 0x%x is not aligned to the "
				"field's %u-byte width",
				a, f->offset, w);
		if (f->encoding & 1) {
			const struct vmcsinfo_field *full =
				vmcsinfo_find_field(vi, f->encoding & ~1);

			if (full) {
				if (full->offset + 4 != f->offset)
					return vg_error_set(
						err, -EINVAL,
						"%s: high half at 0x%x is "
						"not 4 bytes into the full "
						"field at 0x%x",
						a, f->offset, full->offset);
				continue; /* covered by the full field */
			}
		}
		spans[n].start = f->offset;
		spans[n].end = f->offset + w;
		spans[n].encoding = f->encoding;
		n++;
	}
	qsort(spans, n, sizeof(spans[0]), cmp_span);
	for (i = 1; i < n; i++) {
		if (spans[i].start < spans[i - 1].end)
			return vg_error_set(
				err, -EINVAL,
				"%s: offset 0x%x overlaps %s at 0x%x",
				fname(a, sizeof(a), dir, spans[i].encoding),
				spans[i].start,
				fname(b, sizeof(b), dir, spans[i - 1].encoding),
				spans[i - 1].start);
	}
	return 0;
}

static int cmp_field(const void *a, const void *b)
{
	const struct vmcsinfo_field *x = a, *y = b;

	return x->encoding < y->encoding ? -1 : x->encoding > y->encoding;
}

void vmcsinfo_sort(struct vmcsinfo *vi)
{
	if (vi->nfields <= VMCSINFO_MAX_FIELDS)
		qsort(vi->fields, vi->nfields, sizeof(vi->fields[0]),
		      cmp_field);
}

/* Read one small sysfs value file, trailing newline and blanks cut. */
static int read_small(const char *path, char *buf, size_t *lenp,
		      struct vg_error *err)
{
	size_t len = 0;
	struct stat st;
	ssize_t r;
	int fd, e;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		return vg_error_set(err, -e, "%s: %s", path,
				    e == ENOENT ? "missing" : strerror(e));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return vg_error_set(err, -EINVAL, "%s: not a regular file",
				    path);
	}
	while (len < VALUE_FILE_MAX + 1) {
		r = read(fd, buf + len, VALUE_FILE_MAX + 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			e = errno;
			close(fd);
			return vg_error_set(err, -e, "%s: %s", path,
					    strerror(e));
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (len > VALUE_FILE_MAX)
		return vg_error_set(err, -EINVAL,
				    "%s: too large (more than %d bytes)", path,
				    VALUE_FILE_MAX);
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' ' ||
		       buf[len - 1] == '\t'))
		len--;
	if (len == 0)
		return vg_error_set(err, -EINVAL, "%s: empty", path);
	buf[len] = '\0';
	*lenp = len;
	return 0;
}

/* Read one small sysfs value file: a base-0 number, maybe "\n"-ended. */
static int read_value(const char *path, uint64_t *v, struct vg_error *err)
{
	char buf[VALUE_FILE_MAX + 1];
	size_t len;
	int rc = read_small(path, buf, &len, err);

	if (rc < 0)
		return rc;
	if (vmcsinfo_number(buf, len, v) < 0)
		return vg_error_set(
			err, -EINVAL,
			"%s: not a number (expected e.g. 0x1f8 or 504)", path);
	return 0;
}

/*
 * The optional vmcs_ar_format file: how the access-rights fields are
 * stored.  Missing: not stated.  A name this reader does not know is
 * left out (a newer provider), anything else bad fails the tree.
 */
static int read_ar_format(const char *root, struct vmcsinfo *vi,
			  struct vg_error *err)
{
	static const char *const known[] = { VMCSINFO_AR_ARCHITECTURAL,
					     VMCSINFO_AR_ROTATED_8,
					     VMCSINFO_AR_PACKED_16 };
	char path[PATH_MAX], buf[VALUE_FILE_MAX + 1];
	struct stat st;
	size_t len, i;
	int rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/vmcs_ar_format", root) >=
	    sizeof(path))
		return vg_error_set(err, -ENAMETOOLONG, "%s: path too long",
				    root);
	if (lstat(path, &st) < 0 && errno == ENOENT)
		return 0;
	rc = read_small(path, buf, &len, err);
	if (rc < 0)
		return rc;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(buf, known[i]) &&
		    vmcsinfo_set_info(vi, VMCSINFO_KEY_AR_FORMAT, known[i]))
			return vg_error_set(err, -ENOSPC,
					    "%s: no room for AR_FORMAT", path);
	return 0;
}

static int is_encoding_name(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s[4] == '\0';
}

int vmcsinfo_from_sysfs(const char *root, struct vmcsinfo *vi,
			struct vg_error *err)
{
	char idpath[PATH_MAX], dirpath[PATH_MAX], path[PATH_MAX + 8];
	unsigned char seen[65536 / 8];
	struct stat st;
	struct dirent *de;
	uint64_t v;
	DIR *d;
	int rc;

	if (!root)
		root = VMCSINFO_SYSFS_ROOT;
	memset(vi, 0, sizeof(*vi));
	if ((size_t)snprintf(idpath, sizeof(idpath), "%s/vmcs_id", root) >=
		    sizeof(idpath) ||
	    (size_t)snprintf(dirpath, sizeof(dirpath), "%s/vmcs", root) >=
		    sizeof(dirpath) - 6)
		return vg_error_set(err, -ENAMETOOLONG, "%s: path too long",
				    root);
	if (stat(idpath, &st) < 0 && errno == ENOENT &&
	    stat(dirpath, &st) < 0 && errno == ENOENT)
		return vg_error_set(
			err, -ENOENT,
			"no VMCS layout in %s (no vmcs_id, no vmcs/): "
			"vmcsinfo provider not loaded",
			root);
	rc = read_value(idpath, &v, err);
	if (rc < 0)
		return rc == -ENOENT ? -EINVAL : rc;
	if (v > UINT32_MAX)
		return vg_error_set(
			err, -EINVAL,
			"%s: revision id 0x%llx does not fit in 32 bits",
			idpath, (unsigned long long)v);
	if (v & 0x80000000u)
		return vg_error_set(err, -EINVAL,
				    "%s: revision id 0x%llx has bit 31 set",
				    idpath, (unsigned long long)v);
	vi->revision_id = (uint32_t)v;

	d = opendir(dirpath);
	if (!d) {
		rc = errno;
		return vg_error_set(err, rc == ENOENT ? -EINVAL : -rc, "%s: %s",
				    dirpath,
				    rc == ENOENT ? "missing" : strerror(rc));
	}
	memset(seen, 0, sizeof(seen));
	rc = 0;
	while ((de = readdir(d)) != NULL) {
		unsigned long enc;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!is_encoding_name(de->d_name)) {
			rc = vg_error_set(
				err, -EINVAL,
				"%s/%.64s: file name is not a field encoding "
				"(4 hex digits)",
				dirpath, de->d_name);
			break;
		}
		enc = strtoul(de->d_name, NULL, 16);
		snprintf(path, sizeof(path), "%s/%.4s", dirpath, de->d_name);
		if (seen[enc / 8] & (1u << (enc % 8))) {
			rc = vg_error_set(err, -EINVAL,
					  "%s: encoding 0x%04lx appears twice",
					  path, enc);
			break;
		}
		seen[enc / 8] |= 1u << (enc % 8);
		rc = read_value(path, &v, err);
		if (rc < 0)
			break;
		if (v >= VMCSINFO_REGION_SIZE) {
			rc = vg_error_set(
				err, -EINVAL,
				"%s: offset 0x%llx out of range (must be "
				"< %d)",
				path, (unsigned long long)v,
				VMCSINFO_REGION_SIZE);
			break;
		}
		if (v == 0)
			continue; /* field absent or not decoded */
		if (vi->nfields >= VMCSINFO_MAX_FIELDS) {
			rc = vg_error_set(err, -EINVAL,
					  "%s: more than %d fields", dirpath,
					  VMCSINFO_MAX_FIELDS);
			break;
		}
		vi->fields[vi->nfields].encoding = (uint16_t)enc;
		vi->fields[vi->nfields].offset = (uint16_t)v;
		vi->nfields++;
	}
	closedir(d);
	if (rc < 0)
		return rc;
	vmcsinfo_sort(vi);
	rc = vmcsinfo_check(vi, dirpath, err);
	if (rc < 0)
		return rc;
	rc = read_ar_format(root, vi, err);
	if (rc < 0)
		return rc;
	vmcsinfo_set_info(vi, "SOURCE", VMCSINFO_SOURCE_SYSFS);
	return 0;
}

int vmcsinfo_format(const struct vmcsinfo *vi, char *buf, size_t bufsz)
{
	size_t len;
	unsigned int i;
	int n;

	if (vi->nfields > VMCSINFO_MAX_FIELDS)
		return -EINVAL;
	n = snprintf(buf, bufsz, "VMCSINFO_VERSION=%d\nREVISION_ID=0x%x\n",
		     VMCSINFO_VERSION, vi->revision_id);
	if (n < 0 || (size_t)n >= bufsz)
		return -ENOSPC;
	len = (size_t)n;
	for (i = 0; i < vi->nfields; i++) {
		n = snprintf(buf + len, bufsz - len, "FIELD(0x%04x)=0x%x\n",
			     vi->fields[i].encoding, vi->fields[i].offset);
		if (n < 0 || (size_t)n >= bufsz - len)
			return -ENOSPC;
		len += (size_t)n;
	}
	n = snprintf(buf + len, bufsz - len, "%.*s",
		     (int)strnlen(vi->info, sizeof(vi->info)), vi->info);
	if (n < 0 || (size_t)n >= bufsz - len)
		return -ENOSPC;
	len += (size_t)n;
	return (int)len;
}

static int valid_key(const char *key, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (!(isupper((unsigned char)key[i]) ||
		      isdigit((unsigned char)key[i]) || key[i] == '_'))
			return 0;
	return 1;
}

/* Find "KEY=" at the start of a line of info; pointer to the line. */
static const char *info_line(const char *info, size_t infosz, const char *key)
{
	size_t klen = strlen(key);
	const char *p = info, *end = info + strnlen(info, infosz);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			nl = end;
		if ((size_t)(nl - p) > klen && !memcmp(p, key, klen) &&
		    p[klen] == '=')
			return p;
		p = nl + 1;
	}
	return NULL;
}

int vmcsinfo_set_info(struct vmcsinfo *vi, const char *key, const char *value)
{
	char val[VMCSINFO_INFO_VALUE_MAX + 1];
	size_t klen = strlen(key), vlen, len, i;
	const char *line;

	if (!valid_key(key, klen))
		return -EINVAL;
	for (vlen = 0; value[vlen] && vlen < VMCSINFO_INFO_VALUE_MAX; vlen++) {
		unsigned char c = (unsigned char)value[vlen];

		val[vlen] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	val[vlen] = '\0';
	/* Drop an earlier value of the same key. */
	line = info_line(vi->info, sizeof(vi->info), key);
	if (line) {
		char *l = vi->info + (line - vi->info);
		char *nl = strchr(l, '\n');

		if (nl)
			memmove(l, nl + 1, strlen(nl + 1) + 1);
		else
			*l = '\0';
	}
	len = strnlen(vi->info, sizeof(vi->info));
	if (len + klen + 1 + vlen + 1 >= sizeof(vi->info))
		return -ENOSPC;
	i = len;
	memcpy(vi->info + i, key, klen);
	i += klen;
	vi->info[i++] = '=';
	memcpy(vi->info + i, val, vlen);
	i += vlen;
	vi->info[i++] = '\n';
	vi->info[i] = '\0';
	return 0;
}

static void trim(char *s)
{
	size_t n = strlen(s);
	char *p = s;

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (*p && isspace((unsigned char)*p))
		p++;
	memmove(s, p, strlen(p) + 1);
}

void vmcsinfo_add_cpuinfo(struct vmcsinfo *vi, const char *cpuinfo_path)
{
	static const struct {
		const char *cpuinfo, *key;
	} map[] = {
		{ "vendor_id", "CPU_VENDOR" }, { "cpu family", "CPU_FAMILY" },
		{ "model", "CPU_MODEL" },      { "stepping", "CPU_STEPPING" },
		{ "microcode", "MICROCODE" },
	};
	char line[512];
	int skip = 0, seen_any = 0;
	size_t i, lines = 0;
	FILE *f;

	f = fopen(cpuinfo_path ? cpuinfo_path : "/proc/cpuinfo", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && ++lines < 10000) {
		size_t n = strlen(line);
		int whole = n && line[n - 1] == '\n';
		char *colon;

		if (skip) { /* rest of an over-long line */
			skip = !whole;
			continue;
		}
		skip = !whole;
		trim(line);
		if (!*line) {
			if (seen_any)
				break; /* end of the first processor */
			continue;
		}
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		trim(line);
		trim(colon + 1);
		seen_any = 1;
		for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
			if (!strcmp(line, map[i].cpuinfo) && colon[1])
				vmcsinfo_set_info(vi, map[i].key, colon + 1);
	}
	fclose(f);
}
