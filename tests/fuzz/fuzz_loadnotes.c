// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the load-time notes file as the capture kernel's
 * vmcore-guests reads it (src/loadtime.c: elfnote_read_file, then
 * elfnote_used, then the look-ups), from a memfd; then what it read
 * carried again in the kexec_file_load cpio (notes/carrier.c), which
 * must take exactly loadnotes_cpio_size() bytes.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "notes/carrier.h"
#include "notes/elfnote.h"
#include "tests/fuzz/fuzz.h"

static uint8_t cpio[LOADNOTES_MAX_SIZE + 4096];

static void carry(const void *notes, size_t len)
{
	size_t want = loadnotes_cpio_size(len), got;

	got = loadnotes_cpio_build(cpio, sizeof(cpio), notes, len, 0);
	if (got != want || (want && memcmp(cpio, "070701", 6)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-loadnotes", MFD_CLOEXEC);
	struct vg_error err;
	const void *desc;
	char path[64];
	void *buf = NULL;
	size_t len = 0, dlen;
	long used;
	int rc;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size)
		goto out;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rc = elfnote_read_file(path, &buf, &len, &err);
	fz_one_line(rc, &err);
	if (rc < 0)
		goto out;
	used = elfnote_used(buf, len, &err);
	fz_one_line(used < 0 ? -1 : 0, &err);
	if (used < 0)
		goto out;
	rc = elfnote_find(buf, len, "VMCSINFO", 0, &desc, &dlen, &err);
	fz_one_line(rc, &err);
	rc = elfnote_find(buf, len, "KVMINFO", 0, &desc, &dlen, &err);
	fz_one_line(rc, &err);
	carry(buf, (size_t)used);
out:
	free(buf);
	close(fd);
	return 0;
}
