// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Walking and finding ELF notes (notes/elfnote.h).
 */
#include "elfnote.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "carrier.h"

#define ALIGN4(x) (((x) + 3) & ~(uint64_t)3)

int elfnote_walk(const void *buf, size_t len, elfnote_cb cb, void *arg,
		 struct vg_error *err)
{
	const unsigned char *p = buf;
	size_t off = 0, i;
	unsigned int idx = 0;

	while (len - off >= 12) {
		struct elfnote n;
		uint32_t w[3];
		uint64_t name_off, desc_off, end;
		int rc;

		memcpy(w, p + off, sizeof(w));
		if (w[0] == 0)
			return 0; /* terminator, as /proc/vmcore reads it */
		name_off = off + 12;
		desc_off = name_off + ALIGN4((uint64_t)w[0]);
		end = desc_off + ALIGN4((uint64_t)w[1]);
		if (desc_off > len || desc_off + w[1] > len)
			return vg_error_set(err, -EINVAL,
					    "note %u at offset %zu (name size "
					    "%u, descriptor size %u) runs past "
					    "the end of the %zu bytes of notes",
					    idx, off, w[0], w[1], len);
		n.name = (const char *)p + name_off;
		n.namesz = w[0];
		n.descsz = w[1];
		n.type = w[2];
		n.desc = p + desc_off;
		n.offset = off;
		n.end = end > len ? len : (size_t)end;
		rc = cb ? cb(&n, arg) : 0;
		if (rc)
			return rc;
		off = n.end;
		idx++;
	}
	for (i = off; i < len; i++)
		if (p[i])
			return vg_error_set(err, -EINVAL,
					    "%zu bytes of garbage after the "
					    "last note at offset %zu",
					    len - off, off);
	return 0;
}

static int end_cb(const struct elfnote *n, void *arg)
{
	*(size_t *)arg = n->end;
	return 0;
}

long elfnote_used(const void *buf, size_t len, struct vg_error *err)
{
	size_t used = 0;
	int rc = elfnote_walk(buf, len, end_cb, &used, err);

	return rc < 0 ? rc : (long)used;
}

struct find_arg {
	const char *name;
	size_t namelen;
	uint32_t type;
	int found;
	struct elfnote note;
};

static int find_cb(const struct elfnote *n, void *arg)
{
	struct find_arg *fa = arg;

	if (n->type != fa->type || n->namesz != fa->namelen + 1 ||
	    memcmp(n->name, fa->name, fa->namelen) || n->name[fa->namelen])
		return 0;
	fa->note = *n;
	fa->found = 1;
	return 1;
}

int elfnote_find(const void *buf, size_t len, const char *name, uint32_t type,
		 const void **desc, size_t *desclen, struct vg_error *err)
{
	struct find_arg fa = { name, strlen(name), type, 0, { 0 } };
	int rc = elfnote_walk(buf, len, find_cb, &fa, err);

	if (rc < 0)
		return rc;
	if (!fa.found)
		return 1;
	if (fa.note.descsz > ELFNOTE_MAX_DESC)
		return vg_error_set(err, -EFBIG,
				    "%s note is %u bytes, more than the %u "
				    "allowed",
				    name, fa.note.descsz, ELFNOTE_MAX_DESC);
	*desc = fa.note.desc;
	*desclen = fa.note.descsz;
	return 0;
}

int elfnote_read_file(const char *path, void **buf, size_t *len,
		      struct vg_error *err)
{
	struct stat st;
	size_t done = 0;
	char *b;
	int fd, e;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		e = errno;
		return vg_error_set(err, -e, "%s: %s", path, strerror(e));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return vg_error_set(err, -EINVAL, "%s: not a regular file",
				    path);
	}
	if ((uint64_t)st.st_size > LOADNOTES_MAX_SIZE) {
		close(fd);
		return vg_error_set(err, -EFBIG,
				    "%s: %llu bytes, more than the %u a notes "
				    "file may have",
				    path, (unsigned long long)st.st_size,
				    (unsigned int)LOADNOTES_MAX_SIZE);
	}
	b = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!b) {
		close(fd);
		return vg_error_set(err, -ENOMEM, "out of memory");
	}
	while (done < (size_t)st.st_size) {
		ssize_t r = read(fd, b + done, (size_t)st.st_size - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			free(b);
			return vg_error_set(err, -EIO, "%s: read failed", path);
		}
		done += (size_t)r;
	}
	close(fd);
	*buf = b;
	*len = done;
	return 0;
}
