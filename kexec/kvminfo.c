// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KVMINFO: the addresses of KVM's globals (/proc/kallsyms) and the layout
 * of the structures the capture side walks (BTF), as descriptor text
 * (docs/kvminfo-note.md).
 * libc and libbpf only: the kexec-tools patch series carries the same
 * source.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "kvminfo.h"
#include "loadnotes-cpio.h"

/* Longest struct or member name in a key path. */
#define NAME_MAX_LEN 64
/* Anonymous struct/union nesting and typedef chains we follow. */
#define MAX_DEPTH 16
/* Longest kallsyms line we parse (KSYM_NAME_LEN is 512 since 6.1). */
#define KALLSYMS_LINE_MAX 1024
/* Largest CPU list file we read ("0-4095" needs 7 bytes). */
#define CPULIST_MAX 4096
/* Longest OSRELEASE value kept (struct utsname's release is 65 bytes). */
#define OSRELEASE_MAX 64

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

/* The BTF sources, in lookup order. */
enum { BTF_VMLINUX, BTF_KVM, BTF_KVM_AMD, BTF_KVM_INTEL, BTF_COUNT };

static const char *const btf_file[BTF_COUNT] = {
	"vmlinux",
	"kvm",
	"kvm_amd",
	"kvm_intel",
};

/* What a key asks for. */
enum { KEY_OFFSET, KEY_SIZE, KEY_LENGTH };

/*
 * Every BTF-derived key of version 1, in the order of
 * docs/kvminfo-note.md; the path is "struct[.member...]".  Where kernel
 * versions differ, both names are listed and BTF has one of them.
 */
static const struct {
	unsigned char kind;
	const char *path;
} btf_keys[] = {
	{ KEY_OFFSET, "list_head.next" },
	/* the VM */
	{ KEY_SIZE, "kvm" },
	{ KEY_OFFSET, "kvm.vm_list" },
	{ KEY_OFFSET, "kvm.mm" },
	{ KEY_OFFSET, "kvm.memslots" },
	{ KEY_LENGTH, "kvm.memslots" },
	{ KEY_OFFSET, "kvm.online_vcpus" },
	{ KEY_OFFSET, "kvm.userspace_pid" },
	/* the vCPUs: an xarray (>= 5.17) or an array of pointers */
	{ KEY_OFFSET, "kvm.vcpu_array" },
	{ KEY_OFFSET, "kvm.vcpus" },
	{ KEY_LENGTH, "kvm.vcpus" },
	{ KEY_OFFSET, "xarray.xa_head" },
	{ KEY_OFFSET, "xa_node.shift" },
	{ KEY_OFFSET, "xa_node.slots" },
	{ KEY_LENGTH, "xa_node.slots" },
	/* the memslots: an rb-tree (>= 5.17) or an array */
	{ KEY_OFFSET, "kvm_memslots.gfn_tree" },
	{ KEY_OFFSET, "kvm_memslots.node_idx" },
	{ KEY_OFFSET, "kvm_memslots.memslots" },
	{ KEY_OFFSET, "kvm_memslots.used_slots" },
	{ KEY_SIZE, "kvm_memory_slot" },
	{ KEY_OFFSET, "kvm_memory_slot.gfn_node" },
	{ KEY_OFFSET, "kvm_memory_slot.base_gfn" },
	{ KEY_OFFSET, "kvm_memory_slot.npages" },
	{ KEY_OFFSET, "kvm_memory_slot.userspace_addr" },
	{ KEY_OFFSET, "kvm_memory_slot.flags" },
	{ KEY_OFFSET, "kvm_memory_slot.id" },
	{ KEY_OFFSET, "kvm_memory_slot.as_id" },
	{ KEY_OFFSET, "rb_root.rb_node" },
	{ KEY_OFFSET, "rb_node.rb_left" },
	{ KEY_OFFSET, "rb_node.rb_right" },
	{ KEY_SIZE, "rb_node" },
	/* one vCPU and its GPRs */
	{ KEY_SIZE, "kvm_vcpu" },
	{ KEY_OFFSET, "kvm_vcpu.kvm" },
	{ KEY_OFFSET, "kvm_vcpu.vcpu_id" },
	{ KEY_OFFSET, "kvm_vcpu.vcpu_idx" },
	{ KEY_OFFSET, "kvm_vcpu.pid" },
	{ KEY_OFFSET, "kvm_vcpu.mode" },
	{ KEY_OFFSET, "kvm_vcpu.arch.regs" },
	{ KEY_LENGTH, "kvm_vcpu.arch.regs" },
	{ KEY_OFFSET, "kvm_vcpu.arch.regs_avail" },
	{ KEY_OFFSET, "kvm_vcpu.arch.regs_dirty" },
	/* SVM (kvm_amd) */
	{ KEY_OFFSET, "vcpu_svm.vcpu" },
	{ KEY_OFFSET, "vcpu_svm.current_vmcb" },
	{ KEY_OFFSET, "vcpu_svm.vmcb01" },
	{ KEY_OFFSET, "kvm_vmcb_info.pa" },
	{ KEY_OFFSET, "vcpu_svm.nested.vmcb12_gpa" },
	{ KEY_OFFSET, "vcpu_svm.nested.vmcb02" },
	/* VMX (kvm_intel) */
	{ KEY_OFFSET, "vcpu_vmx.vcpu" },
	{ KEY_OFFSET, "vcpu_vmx.loaded_vmcs" },
	{ KEY_OFFSET, "vcpu_vmx.vmcs01" },
	{ KEY_OFFSET, "loaded_vmcs.vmcs" },
	{ KEY_OFFSET, "vcpu_vmx.nested.cached_vmcs12" },
	{ KEY_OFFSET, "vcpu_vmx.nested.current_vmptr" },
	/* the vCPU thread */
	{ KEY_OFFSET, "pid.numbers" },
	{ KEY_OFFSET, "upid.nr" },
	{ KEY_OFFSET, "pid.tasks" },
	{ KEY_OFFSET, "hlist_head.first" },
	{ KEY_OFFSET, "task_struct.pid_links" },
	{ KEY_OFFSET, "task_struct.pid" },
	{ KEY_OFFSET, "task_struct.tgid" },
	{ KEY_OFFSET, "task_struct.comm" },
	{ KEY_SIZE, "task_struct.comm" },
	{ KEY_OFFSET, "task_struct.__state" },
	{ KEY_OFFSET, "task_struct.state" },
	{ KEY_OFFSET, "task_struct.on_cpu" },
	{ KEY_OFFSET, "task_struct.se.exec_start" },
	{ KEY_OFFSET, "task_struct.sched_info.last_arrival" },
	/* crash time */
	{ KEY_OFFSET, "rq.clock" },
	/* QEMU's page tables and argv */
	{ KEY_OFFSET, "mm_struct.pgd" },
	{ KEY_OFFSET, "mm_struct.arg_start" },
	{ KEY_OFFSET, "mm_struct.arg_end" },
};

/* The descriptor being written; full once something did not fit. */
struct out {
	char *buf;
	size_t size, len;
	int full;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->full || o->len >= o->size) {
		o->full = 1;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len) {
		o->buf[o->len] = '\0';
		o->full = 1;
		return;
	}
	o->len += (size_t)n;
}

/* Skip typedefs and const/volatile/restrict/type-tag modifiers. */
static const struct btf_type *skip_mods(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);
	int depth = 0;

	while (t && (btf_is_mod(t) || btf_is_typedef(t))) {
		if (++depth > MAX_DEPTH)
			return NULL;
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

/*
 * Find member name in the struct or union t, also inside anonymous
 * struct/union members (recursively).  1 found (*bitoff from the start
 * of t, *type the member's type), 0 not there, -1 a bitfield (refused:
 * no key needs one).
 */
static int find_member(const struct btf *btf, const struct btf_type *t,
		       const char *name, __u32 *bitoff, __u32 *type, int depth)
{
	const struct btf_member *m = btf_members(t);
	__u16 i, n = btf_vlen(t);

	for (i = 0; i < n; i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		__u32 off = btf_member_bit_offset(t, i), sub = 0, id;
		const struct btf_type *mt;
		int rc;

		if (mname && *mname) {
			if (strcmp(mname, name))
				continue;
			if (btf_member_bitfield_size(t, i) || off % 8)
				return -1;
			*bitoff = off;
			*type = m->type;
			return 1;
		}
		id = m->type;
		mt = skip_mods(btf, &id);
		if (!mt || !btf_is_composite(mt) || depth >= MAX_DEPTH)
			continue;
		rc = find_member(btf, mt, name, &sub, type, depth + 1);
		if (rc > 0)
			*bitoff = off + sub;
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Walk "struct.member.member..." in the first BTF that has the struct.
 * 1 found: *off is the byte offset from the start of the struct, *type
 * the type of the last member (of the struct itself without members) in
 * *in; 0 when this kernel does not have it.
 */
static int resolve(struct btf *const btfs[BTF_COUNT], const char *path,
		   uint64_t *off, __u32 *type, const struct btf **in)
{
	const char *dot = strchr(path, '.'), *p;
	char name[NAME_MAX_LEN];
	size_t len = dot ? (size_t)(dot - path) : strlen(path);
	const struct btf *btf = NULL;
	__s32 sid = -1;
	__u32 id;
	int i;

	if (len == 0 || len >= sizeof(name))
		return 0;
	memcpy(name, path, len);
	name[len] = '\0';
	for (i = 0; i < BTF_COUNT; i++) {
		if (!btfs[i])
			continue;
		sid = btf__find_by_name_kind(btfs[i], name, BTF_KIND_STRUCT);
		if (sid > 0) {
			btf = btfs[i];
			break;
		}
	}
	if (!btf)
		return 0;
	id = (__u32)sid;
	*off = 0;
	for (p = dot; p; p = dot) {
		const struct btf_type *t;
		__u32 bitoff = 0;

		p++;
		dot = strchr(p, '.');
		len = dot ? (size_t)(dot - p) : strlen(p);
		if (len == 0 || len >= sizeof(name))
			return 0;
		memcpy(name, p, len);
		name[len] = '\0';
		t = skip_mods(btf, &id);
		if (!t || !btf_is_composite(t))
			return 0;
		if (find_member(btf, t, name, &bitoff, &id, 0) <= 0)
			return 0;
		*off += bitoff / 8;
	}
	*type = id;
	*in = btf;
	return 1;
}

/* One OFFSET/SIZE/LENGTH value; 0 when the kernel does not have it. */
static int key_value(struct btf *const btfs[BTF_COUNT], int kind,
		     const char *path, uint64_t *val)
{
	const struct btf_type *t;
	const struct btf *btf;
	uint64_t off;
	__s64 size;
	__u32 id;

	if (!resolve(btfs, path, &off, &id, &btf))
		return 0;
	switch (kind) {
	case KEY_OFFSET:
		*val = off;
		return 1;
	case KEY_SIZE:
		size = btf__resolve_size(btf, id);
		if (size <= 0)
			return 0;
		*val = (uint64_t)size;
		return 1;
	case KEY_LENGTH:
		t = skip_mods(btf, &id);
		if (!t || !btf_is_array(t) || !btf_array(t)->nelems)
			return 0;
		*val = btf_array(t)->nelems;
		return 1;
	}
	return 0;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* Parse one BTF file; a missing module file is not an error. */
static int load_btf(const char *dir, int which, struct btf *btfs[BTF_COUNT],
		    char *err, size_t errsz)
{
	char path[PATH_MAX];
	struct stat st;
	int e;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
			     btf_file[which]) >= sizeof(path))
		return fail(err, errsz, -ENAMETOOLONG, "%s: path too long",
			    dir);
	if (stat(path, &st) < 0) {
		e = errno;
		if (e != ENOENT)
			return fail(err, errsz, -e, "%s: %s", path,
				    strerror(e));
		if (which == BTF_VMLINUX)
			return fail(err, errsz, -ENOENT,
				    "no kernel BTF (%s missing: a kernel "
				    "without CONFIG_DEBUG_INFO_BTF?)",
				    path);
		return 0;
	}
	if (which == BTF_VMLINUX)
		btfs[which] = btf__parse_raw(path);
	else
		btfs[which] = btf__parse_raw_split(path, btfs[BTF_VMLINUX]);
	if (!btfs[which]) {
		e = errno ? errno : EINVAL;
		return fail(err, errsz, e == ENOMEM ? -ENOMEM : -EINVAL,
			    "%s: not usable BTF (%s)", path, strerror(e));
	}
	return 0;
}

/* Symbols from kallsyms; an address of 0 means "hidden" (not root). */
struct syms {
	unsigned long long vm_list, runqueues, per_cpu_offset;
	int have_vm_list, vm_list_in_kvm, have_runqueues, have_per_cpu_offset;
};

/* Data (initialized or not) symbol types as kallsyms prints them. */
static int is_data(char type)
{
	return type == 'd' || type == 'D' || type == 'b' || type == 'B';
}

/*
 * One "addr type name[\t[module]]" line.  vm_list is taken from [kvm]
 * (or from vmlinux when KVM is built in), the others from vmlinux.
 */
static void parse_sym(char *line, struct syms *s)
{
	char *p = line, *name, *mod = NULL, *end;
	unsigned long long addr;
	char type;

	errno = 0;
	addr = strtoull(p, &end, 16);
	if (end == p || *end != ' ' || errno)
		return;
	p = end + 1;
	type = *p;
	if (!type || p[1] != ' ')
		return;
	name = p + 2;
	end = name + strcspn(name, " \t\n");
	if (*end == '\t' || *end == ' ') {
		*end = '\0';
		mod = end + 1 + strspn(end + 1, " \t");
		if (*mod != '[' || !strchr(mod, ']'))
			return;
		mod++;
		*strchr(mod, ']') = '\0';
	} else {
		*end = '\0';
	}
	if (!strcmp(name, "vm_list") && is_data(type)) {
		if (mod && !strcmp(mod, "kvm")) {
			s->vm_list = addr;
			s->have_vm_list = 1;
			s->vm_list_in_kvm = 1;
		} else if (!mod && !s->have_vm_list) {
			s->vm_list = addr;
			s->have_vm_list = 1;
		}
		return;
	}
	if (mod)
		return;
	if (!strcmp(name, "runqueues") && !s->have_runqueues) {
		s->runqueues = addr;
		s->have_runqueues = 1;
	} else if (!strcmp(name, "__per_cpu_offset") &&
		   !s->have_per_cpu_offset) {
		s->per_cpu_offset = addr;
		s->have_per_cpu_offset = 1;
	}
}

static int read_kallsyms(const char *path, struct syms *s, char *err,
			 size_t errsz)
{
	char line[KALLSYMS_LINE_MAX];
	int skip = 0, e;
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = fopen(path, "re");
	if (!f) {
		e = errno;
		return fail(err, errsz, -e, "%s: %s", path,
			    e == ENOENT ? "missing" : strerror(e));
	}
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);
		int whole = n && line[n - 1] == '\n';

		if (skip) { /* the rest of an over-long line */
			skip = !whole;
			continue;
		}
		skip = !whole && !feof(f);
		if (!skip)
			parse_sym(line, s);
	}
	e = ferror(f) ? EIO : 0;
	fclose(f);
	if (e)
		return fail(err, errsz, -e, "%s: read error", path);
	return 0;
}

/* nr_cpu_ids from a CPU list ("0-3", "0,2-5"): the highest CPU + 1. */
static int read_nr_cpu_ids(const char *dir, unsigned long *nr)
{
	char path[PATH_MAX], buf[CPULIST_MAX + 1], *p, *end;
	unsigned long a, b, max = 0;
	size_t len;
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/possible", dir) >=
	    sizeof(path))
		return -1;
	f = fopen(path, "re");
	if (!f)
		return -1;
	len = fread(buf, 1, CPULIST_MAX + 1, f);
	fclose(f);
	if (len == 0 || len > CPULIST_MAX)
		return -1;
	buf[len] = '\0';
	if (buf[len - 1] == '\n')
		buf[--len] = '\0';
	for (p = buf;;) {
		if (*p < '0' || *p > '9')
			return -1;
		errno = 0;
		a = b = strtoul(p, &end, 10);
		if (errno || a > INT_MAX)
			return -1;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				return -1;
			b = strtoul(p, &end, 10);
			if (errno || b > INT_MAX || b < a)
				return -1;
		}
		if (b + 1 > max)
			max = b + 1;
		if (*end == '\0')
			break;
		if (*end != ',')
			return -1;
		p = end + 1;
	}
	*nr = max;
	return 0;
}

/* The release, printable and without '\n' (no key may contain one). */
static void put_osrelease(struct out *o, const char *release)
{
	char val[OSRELEASE_MAX + 1];
	size_t i;

	for (i = 0; release[i] && i < OSRELEASE_MAX; i++) {
		unsigned char c = (unsigned char)release[i];

		val[i] = (c > 0x20 && c < 0x7f) ? (char)c : '?';
	}
	val[i] = '\0';
	if (i)
		put(o, "OSRELEASE=%s\n", val);
}

static const char *const key_kind[] = {
	[KEY_OFFSET] = "OFFSET",
	[KEY_SIZE] = "SIZE",
	[KEY_LENGTH] = "LENGTH",
};

static int format(const struct kvminfo_source *src, struct btf *btfs[],
		  struct out *o, char *err, size_t errsz)
{
	const char *btf_dir = src && src->btf_dir ? src->btf_dir :
						    KVMINFO_BTF_DIR;
	const char *kallsyms = src && src->kallsyms ? src->kallsyms :
						      KVMINFO_KALLSYMS;
	const char *cpu_dir = src && src->cpu_dir ? src->cpu_dir :
						    KVMINFO_CPU_DIR;
	struct utsname uts;
	unsigned long nr_cpus;
	struct syms syms;
	uint64_t v;
	size_t i;
	int rc;

	for (i = 0; i < BTF_COUNT; i++) {
		rc = load_btf(btf_dir, (int)i, btfs, err, errsz);
		if (rc < 0)
			return rc;
	}
	if (!key_value(btfs, KEY_SIZE, "kvm", &v)) {
		if (!btfs[BTF_KVM])
			return fail(err, errsz, -ENOENT,
				    "no BTF of the kvm module (%s/kvm "
				    "missing): kvm not loaded",
				    btf_dir);
		return fail(err, errsz, -EINVAL,
			    "struct kvm is not in the BTF of vmlinux or of "
			    "kvm (%s)",
			    btf_dir);
	}
	if (!key_value(btfs, KEY_SIZE, "kvm_vcpu", &v))
		return fail(err, errsz, -EINVAL,
			    "struct kvm_vcpu is not in the BTF of vmlinux or "
			    "of the kvm modules (%s)",
			    btf_dir);
	rc = read_kallsyms(kallsyms, &syms, err, errsz);
	if (rc < 0)
		return rc;
	if (!syms.have_vm_list)
		return fail(err, errsz, -ENOENT,
			    "no vm_list in %s (kvm not loaded, or a kernel "
			    "without CONFIG_KALLSYMS_ALL)",
			    kallsyms);
	if (!syms.vm_list)
		return fail(err, errsz, -EACCES,
			    "%s shows vm_list at address 0 (addresses are "
			    "hidden: not root, or kernel.kptr_restrict)",
			    kallsyms);

	put(o, "KVMINFO_VERSION=%d\n", KVMINFO_VERSION);
	if (src && src->osrelease)
		put_osrelease(o, src->osrelease);
	else if (uname(&uts) == 0)
		put_osrelease(o, uts.release);
	if (btfs[BTF_KVM_AMD] && !btfs[BTF_KVM_INTEL])
		put(o, "VENDOR=svm\n");
	else if (btfs[BTF_KVM_INTEL] && !btfs[BTF_KVM_AMD])
		put(o, "VENDOR=vmx\n");
	put(o, "SYMBOL(vm_list)=%llx\n", syms.vm_list);
	if (syms.runqueues)
		put(o, "SYMBOL(runqueues)=%llx\n", syms.runqueues);
	if (syms.per_cpu_offset)
		put(o, "SYMBOL(__per_cpu_offset)=%llx\n", syms.per_cpu_offset);
	if (read_nr_cpu_ids(cpu_dir, &nr_cpus) == 0)
		put(o, "NUMBER(nr_cpu_ids)=%lu\n", nr_cpus);
	for (i = 0; i < sizeof(btf_keys) / sizeof(btf_keys[0]); i++)
		if (key_value(btfs, btf_keys[i].kind, btf_keys[i].path, &v))
			put(o, "%s(%s)=%llu\n", key_kind[btf_keys[i].kind],
			    btf_keys[i].path, (unsigned long long)v);
	if (o->full)
		return fail(err, errsz, -ENOSPC,
			    "the KVMINFO text does not fit in %zu bytes",
			    o->size);
	return (int)o->len;
}

int kvminfo_format(const struct kvminfo_source *src, char *buf, size_t bufsz,
		   char *err, size_t errsz)
{
	struct btf *btfs[BTF_COUNT] = { NULL };
	struct out o = { buf, bufsz, 0, 0 };
	libbpf_print_fn_t old;
	int rc, i;

	if (err && errsz)
		err[0] = '\0';
	if (bufsz > INT_MAX)
		o.size = INT_MAX;
	if (buf && bufsz)
		buf[0] = '\0';
	else
		o.full = 1;
	old = libbpf_set_print(quiet);
	rc = format(src, btfs, &o, err, errsz);
	libbpf_set_print(old);
	for (i = BTF_COUNT - 1; i >= 0; i--)
		btf__free(btfs[i]);
	return rc;
}

int kvminfo_note(const struct kvminfo_source *src, void *buf, size_t bufsz,
		 char *err, size_t errsz)
{
	char *text = malloc(KVMINFO_TEXT_MAX);
	size_t size;
	int len;

	if (!text)
		return fail(err, errsz, -ENOMEM, "out of memory");
	len = kvminfo_format(src, text, KVMINFO_TEXT_MAX, err, errsz);
	if (len < 0) {
		free(text);
		return len;
	}
	size = loadnote_build(buf, bufsz, KVMINFO_NOTE_NAME, KVMINFO_NOTE_TYPE,
			      text, (size_t)len);
	free(text);
	if (!size)
		return fail(err, errsz, -ENOSPC,
			    "the KVMINFO note (%zu bytes) does not fit in %zu "
			    "bytes",
			    loadnote_size(KVMINFO_NOTE_NAME, (size_t)len),
			    bufsz);
	return (int)size;
}
