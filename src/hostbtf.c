// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * BTF out of host kernel memory (src/hostbtf.h).
 */
#include "src/hostbtf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define BTF_MAGIC_LE 0xeb9f

/*
 * Split BTF from memory.  libbpf 1.1 (Debian 12) declares
 * btf__new_split() but does not export it, so the blob goes through a
 * memfd and btf__parse_raw_split(), which every libbpf since 0.3 has.
 */
static struct btf *new_split(const void *data, size_t size, struct btf *base)
{
	char path[64];
	struct btf *b = NULL;
	int fd = memfd_create("vg-btf", MFD_CLOEXEC), e;

	if (fd < 0)
		return NULL;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		b = btf__parse_raw_split(path, base);
	} else {
		errno = EIO;
	}
	e = errno;
	close(fd);
	errno = e;
	return b;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

int vg_hostbtf_load(struct vg_hostkv *kv, uint64_t va, uint64_t size,
		    size_t cap, struct btf *base, const char *what,
		    struct btf **out, struct vg_error *err)
{
	libbpf_print_fn_t old;
	uint16_t magic;
	void *data;
	int r, e;

	*out = NULL;
	if (size < 24)
		return vg_error_set(err, -EINVAL,
				    "%s: %" PRIu64
				    " bytes is too small for BTF",
				    what, size);
	if (size > cap)
		return vg_error_set(err, -EFBIG,
				    "%s: %" PRIu64 " bytes, more than the %zu "
				    "allowed",
				    what, size, cap);
	data = malloc((size_t)size);
	if (!data)
		return vg_error_set(err, -ENOMEM, "%s: out of memory", what);
	r = vg_hostkv_read(kv, va, data, (size_t)size);
	if (r != VG_HM_OK) {
		free(data);
		return vg_error_set(err, r == VG_HM_ABSENT ? -ENODATA : -EIO,
				    "%s at 0x%" PRIx64 " (%" PRIu64
				    " bytes) is not in the dump",
				    what, va, size);
	}
	memcpy(&magic, data, sizeof(magic));
	if (magic != BTF_MAGIC_LE) {
		free(data);
		return vg_error_set(err, -EINVAL,
				    "%s at 0x%" PRIx64 " has no BTF magic "
				    "(0x%04x)",
				    what, va, magic);
	}
	old = libbpf_set_print(quiet);
	errno = 0;
	*out = base ? new_split(data, (size_t)size, base) :
		      btf__new(data, (__u32)size);
	e = errno;
	libbpf_set_print(old);
	free(data);
	if (!*out) {
		*out = NULL;
		return vg_error_set(err, e == ENOMEM ? -ENOMEM : -EINVAL,
				    "%s at 0x%" PRIx64 ": libbpf refuses it "
				    "(%s)",
				    what, va, strerror(e ? e : EINVAL));
	}
	return 0;
}
