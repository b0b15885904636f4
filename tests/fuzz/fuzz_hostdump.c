// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target for the dump-open path: the input bytes become a file
 * (a memfd, named through /proc/self/fd) that vg_hostdump_open() opens
 * as the CLI would; then the notes and VMCOREINFO are looked up, a few
 * pages read, and the dump closed.  Build and run: make fuzz-hostdump
 * (tests/fuzz/build.mk).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "notes/vgerr.h"
#include "src/hostdump.h"

static void poke(struct vg_hostdump *hd)
{
	struct vg_hostmem *hm = vg_hostdump_mem(hd);
	static uint8_t page[4096];
	uint64_t from = 0, start, end;
	int i;

	for (i = 0; i < 4; i++) {
		if (vg_hostdump_next_range(hd, from, &start, &end) != 1)
			break;
		hm->read(hm, start, page, sizeof(page));
		if (end - start > sizeof(page))
			hm->read(hm, end - sizeof(page), page, sizeof(page));
		from = end;
	}
	hm->read(hm, 0, page, sizeof(page));
	hm->read(hm, hm->max_paddr ? hm->max_paddr - 8 : 0, page, 8);
}

/* The notes and VMCOREINFO through the handle, as the CLI asks for them. */
static void notes(struct vg_hostdump *hd)
{
	struct vg_error err;
	const void *desc;
	const char *text;
	size_t len;

	vg_hostdump_find_note(hd, "VMCSINFO", 0, &desc, &len, &err);
	vg_hostdump_find_note(hd, "KVMINFO", 0, &desc, &len, &err);
	vg_hostdump_vmcoreinfo(hd, &text, &len, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vg_hostdump *hd;
	struct vg_error err;
	char path[64];
	int fd = memfd_create("fuzz-hostdump", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	hd = vg_hostdump_open(path, &err);
	if (hd) {
		notes(hd);
		poke(hd);
		vg_hostdump_close(hd);
	}
	close(fd);
	return 0;
}
