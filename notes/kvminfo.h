/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * KVMINFO: where KVM keeps its guests in the running kernel, written at
 * kexec load time so that the capture side can walk the KVM structures of
 * the crashed host.  The addresses of the globals come from
 * /proc/kallsyms, the offsets and sizes of the structure members from BTF
 * (/sys/kernel/btf/vmlinux and the split BTF of the kvm, kvm_amd and
 * kvm_intel modules).  The note format and the list of keys are
 * docs/kvminfo-note.md.
 *
 * This file needs libc and libbpf (BTF reading) only: the kexec-tools
 * patch series carries the same source.
 */
#ifndef KVMINFO_H
#define KVMINFO_H

#include <stddef.h>

#include "vgerr.h"

#define KVMINFO_NOTE_NAME "KVMINFO"
#define KVMINFO_NOTE_TYPE 0
#define KVMINFO_VERSION 1
#define KVMINFO_BTF_DIR "/sys/kernel/btf"
#define KVMINFO_KALLSYMS "/proc/kallsyms"
/* Holds "possible", the CPU list NUMBER(nr_cpu_ids) comes from. */
#define KVMINFO_CPU_DIR "/sys/devices/system/cpu"
/*
 * Upper bound of the descriptor text kvminfo_format() produces.  Version
 * 1 writes about 100 keys, typically 3 KiB.
 */
#define KVMINFO_TEXT_MAX 8192

/* Where to read from; a NULL member means the default above. */
struct kvminfo_source {
	const char *btf_dir; /* vmlinux, kvm, kvm_amd, kvm_intel */
	const char *kallsyms; /* "addr type name [module]" lines */
	const char *cpu_dir; /* <cpu_dir>/possible, e.g. "0-3" */
	const char *osrelease; /* NULL: the release of uname(2) */
};

/*
 * Build the KVMINFO descriptor text (KEY=VALUE lines, '\n'-terminated,
 * keys in the order of docs/kvminfo-note.md) into buf, NUL-terminated.
 * Keys whose struct or member this kernel does not have are left out.
 *
 * A note needs at least the kernel BTF, a non-zero SYMBOL(vm_list) and
 * struct kvm and struct kvm_vcpu.  Returns the text length (without the
 * NUL), or with one line (no newline) in err:
 *   -ENOENT  nothing to describe: no BTF, kvm not loaded, no vm_list
 *   -EACCES  kallsyms hides the addresses (all zero: not root)
 *   -EINVAL  unusable input (a BTF file that does not parse, ...)
 *   -ENOSPC  the text does not fit in bufsz
 *   -ENOMEM, or another negative errno from reading a file.
 *
 * libbpf's own messages are silenced while it runs (libbpf_set_print()
 * is set and restored: not thread safe).
 */
int kvminfo_format(const struct kvminfo_source *src, char *buf, size_t bufsz,
		   struct vg_error *err);

#endif
