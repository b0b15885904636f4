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

#include "kvminfo-keys.h"
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

struct btf;

/*
 * The BTFs the description is made of, in lookup order: a struct is
 * taken from the first that has it.  The modules' BTFs are split BTF on
 * top of vmlinux's; a NULL entry is a module that is not loaded.
 */
enum kvminfo_btf {
	KVMINFO_BTF_VMLINUX,
	KVMINFO_BTF_KVM,
	KVMINFO_BTF_KVM_AMD,
	KVMINFO_BTF_KVM_INTEL,
	KVMINFO_BTF_COUNT
};

/* "vmlinux", "kvm", "kvm_amd", "kvm_intel" */
const char *kvminfo_btf_name(enum kvminfo_btf which);

/*
 * The symbol values and numbers the description carries, wherever they
 * came from (/proc/kallsyms on the live host, the host's kallsyms and
 * module symbol tables decoded from a dump), and the words messages use
 * for the sources.
 */
struct kvminfo_syms {
	unsigned long long vm_list, runqueues, per_cpu_offset;
	unsigned long nr_cpu_ids;
	int have_vm_list; /* vm_list found (its value may be 0: hidden) */
	int have_nr_cpu_ids;
	/* "/sys/kernel/btf", "the dump": where the BTFs came from */
	const char *btf_from;
	/* "/sys/kernel/btf/kvm missing", "kvm is not on btf_modules" */
	const char *no_kvm_btf;
	/* "/proc/kallsyms", "the dump's kallsyms and module symbols" */
	const char *syms_from;
};

/*
 * The core of kvminfo_format(): the descriptor text from already parsed
 * BTFs (btfs[KVMINFO_BTF_VMLINUX] must be set) and symbols, OSRELEASE
 * osrelease (NULL: none).  Same text, reasons and return values as
 * kvminfo_format() from the check of struct kvm on.  Silences libbpf
 * while it runs, as kvminfo_format() does.
 */
int kvminfo_format_from(struct btf *const btfs[KVMINFO_BTF_COUNT],
			const struct kvminfo_syms *syms, const char *osrelease,
			char *buf, size_t bufsz, struct vg_error *err);

/*
 * One OFFSET, SIZE or LENGTH value of a dotted path ("module.kallsyms",
 * "kvm_vcpu.arch.regs") as the description computes it, from the first
 * of btfs[0..n) (NULL entries skipped) that has the struct: 1 with *val,
 * 0 when no BTF has it (or for a bitfield, a flexible array).
 */
int kvminfo_btf_value(struct btf *const btfs[], size_t n,
		      enum kvminfo_kind kind, const char *path,
		      unsigned long long *val);

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
