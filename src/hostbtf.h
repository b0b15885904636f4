/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * BTF out of host kernel memory, parsed with libbpf: vmlinux's between
 * __start_BTF and __stop_BTF, a module's from its struct btf (data,
 * data_size) on the kernel's btf_modules list, split on top of
 * vmlinux's.  The blob is copied out of the dump (bounded by a cap),
 * checked for the BTF magic and handed to btf__new()/btf__new_split(),
 * which validate it; our copy is freed at once.
 */
#ifndef VG_HOSTBTF_H
#define VG_HOSTBTF_H

#include <stddef.h>
#include <stdint.h>

#include "notes/vgerr.h"
#include "src/hostkv.h"

struct btf;

/* Debian 12: vmlinux 4.2 MB, kvm 163 KB; 6.18: vmlinux 5.5 MB. */
#define VG_HOSTBTF_VMLINUX_MAX (16u << 20)
#define VG_HOSTBTF_MODULE_MAX (4u << 20)

/*
 * Parse size bytes at kernel virtual va as BTF (split on base when base
 * is not NULL); what names the blob in messages ("vmlinux BTF").
 * Returns 0 with *out (free with btf__free), or -ENODATA (a page not in
 * the dump), -EFBIG (larger than cap), -EINVAL (not BTF, or libbpf
 * refuses it), -ENOMEM, with one line in err.
 */
int vg_hostbtf_load(struct vg_hostkv *kv, uint64_t va, uint64_t size,
		    size_t cap, struct btf *base, const char *what,
		    struct btf **out, struct vg_error *err);

#endif
