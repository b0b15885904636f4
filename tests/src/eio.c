// SPDX-License-Identifier: GPL-2.0-or-later
/* pread(2) that fails with EIO on chosen ranges of a chosen file (eio.h). */
#include "tests/src/eio.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define EIO_MAX 128

static struct {
	int init;
	dev_t dev;
	ino_t ino;
	int have_file;
	size_t n;
	struct {
		uint64_t start, end;
	} r[EIO_MAX];
	unsigned long hits;
} eio;

static ssize_t (*real_pread)(int, void *, size_t, off_t);

int eio_fail(const char *path, uint64_t off, uint64_t len)
{
	struct stat st;

	if (stat(path, &st) < 0 || eio.n >= EIO_MAX)
		return -1;
	if (eio.have_file && (st.st_dev != eio.dev || st.st_ino != eio.ino))
		eio.n = 0; /* another file: its ranges only */
	eio.init = 1;
	eio.have_file = 1;
	eio.dev = st.st_dev;
	eio.ino = st.st_ino;
	eio.r[eio.n].start = off;
	eio.r[eio.n].end = off + len;
	eio.n++;
	return 0;
}

void eio_clear(void)
{
	eio.init = 1;
	eio.have_file = 0;
	eio.n = 0;
	eio.hits = 0;
}

unsigned long eio_hits(void)
{
	return eio.hits;
}

/* VG_TEST_EIO=FILE:OFF+LEN,... (the preloaded library's configuration) */
static void from_env(void)
{
	const char *v = getenv("VG_TEST_EIO");
	char path[4096];
	const char *c;
	char *end;

	eio.init = 1;
	if (!v || !(c = strrchr(v, ':')) || (size_t)(c - v) >= sizeof(path))
		return;
	memcpy(path, v, (size_t)(c - v));
	path[c - v] = '\0';
	for (c++; *c;) {
		uint64_t off = strtoull(c, &end, 0), len;

		if (*end != '+')
			return;
		len = strtoull(end + 1, &end, 0);
		if (eio_fail(path, off, len) < 0 || (*end && *end != ','))
			return;
		c = *end ? end + 1 : end;
	}
}

/* The bytes of [off, off + n) readable before a failing range, or -1. */
static ssize_t allowed(int fd, size_t n, off_t off)
{
	uint64_t lo = (uint64_t)off, hi = lo + n, cut = hi;
	struct stat st;

	if (!eio.init)
		from_env();
	if (!eio.n || off < 0 || fstat(fd, &st) < 0 || st.st_dev != eio.dev ||
	    st.st_ino != eio.ino)
		return (ssize_t)n;
	for (size_t i = 0; i < eio.n; i++) {
		if (eio.r[i].start <= lo && lo < eio.r[i].end)
			return -1;
		if (lo < eio.r[i].start && eio.r[i].start < cut)
			cut = eio.r[i].start;
	}
	return (ssize_t)(cut - lo);
}

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	ssize_t ok;

	if (!real_pread)
		real_pread = (ssize_t(*)(int, void *, size_t,
					 off_t))dlsym(RTLD_NEXT, "pread");
	if (!real_pread) {
		errno = ENOSYS;
		return -1;
	}
	ok = allowed(fd, n, off);
	if (ok < 0 || (size_t)ok < n)
		eio.hits++;
	if (ok < 0) {
		errno = EIO;
		return -1;
	}
	return real_pread(fd, buf, (size_t)ok, off);
}

ssize_t pread64(int fd, void *buf, size_t n, off_t off)
{
	return pread(fd, buf, n, off);
}
