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

#define KVMINFO_KEYS_TABLE
#include "kvminfo.h"
#include "kvminfo-keys.h"

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

#define BTF_VMLINUX KVMINFO_BTF_VMLINUX
#define BTF_KVM KVMINFO_BTF_KVM
#define BTF_KVM_AMD KVMINFO_BTF_KVM_AMD
#define BTF_KVM_INTEL KVMINFO_BTF_KVM_INTEL
#define BTF_COUNT KVMINFO_BTF_COUNT

/* The BTF sources, in lookup order (/sys/kernel/btf/<name>). */
static const char *const btf_file[BTF_COUNT] = {
	"vmlinux",
	"kvm",
	"kvm_amd",
	"kvm_intel",
};

const char *kvminfo_btf_name(enum kvminfo_btf which)
{
	return (unsigned int)which < BTF_COUNT ? btf_file[which] : "?";
}

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
/*
 * The struct a key path starts with, as last looked up: the keys come
 * grouped by struct, and btf__find_by_name_kind is a linear search over
 * every type of vmlinux (also for a module's split BTF), ~26 of them for
 * the 67 keys instead of one per key.
 */
struct last_struct {
	const char *path; /* the key whose path named it (static table) */
	size_t len; /* length of the struct's name in path */
	const struct btf *btf; /* NULL: in none of the BTFs */
	__s32 sid;
};

static int resolve(struct btf *const btfs[], size_t nbtfs, const char *path,
		   uint64_t *off, __u32 *type, const struct btf **in,
		   struct last_struct *last)
{
	const char *dot = strchr(path, '.'), *p;
	char name[NAME_MAX_LEN];
	size_t len = dot ? (size_t)(dot - path) : strlen(path);
	const struct btf *btf = NULL;
	__s32 sid = -1;
	__u32 id;
	size_t i;

	if (len == 0 || len >= sizeof(name))
		return 0;
	memcpy(name, path, len);
	name[len] = '\0';
	if (last && last->path && last->len == len &&
	    !memcmp(last->path, path, len)) {
		btf = last->btf;
		sid = last->sid;
	} else {
		for (i = 0; i < nbtfs; i++) {
			if (!btfs[i])
				continue;
			sid = btf__find_by_name_kind(btfs[i], name,
						     BTF_KIND_STRUCT);
			if (sid > 0) {
				btf = btfs[i];
				break;
			}
		}
		if (last) {
			last->path = path;
			last->len = len;
			last->btf = btf;
			last->sid = sid;
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
static int value(struct btf *const btfs[], size_t n, enum kvminfo_kind kind,
		 const char *path, unsigned long long *val,
		 struct last_struct *last)
{
	const struct btf_type *t;
	const struct btf *btf;
	uint64_t off;
	__s64 size;
	__u32 id;

	if (!resolve(btfs, n, path, &off, &id, &btf, last))
		return 0;
	switch (kind) {
	case KVMINFO_OFFSET:
		*val = off;
		return 1;
	case KVMINFO_SIZE:
		size = btf__resolve_size(btf, id);
		if (size <= 0)
			return 0;
		*val = (unsigned long long)size;
		return 1;
	case KVMINFO_LENGTH:
		t = skip_mods(btf, &id);
		if (!t || !btf_is_array(t) || !btf_array(t)->nelems)
			return 0;
		*val = btf_array(t)->nelems;
		return 1;
	case KVMINFO_SYMBOL:
	case KVMINFO_NUMBER:
		break; /* not from BTF */
	}
	return 0;
}

int kvminfo_btf_value(struct btf *const btfs[], size_t n,
		      enum kvminfo_kind kind, const char *path,
		      unsigned long long *val)
{
	return value(btfs, n, kind, path, val, NULL);
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
		    struct vg_error *err)
{
	char path[PATH_MAX];
	struct stat st;
	int e;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
			     btf_file[which]) >= sizeof(path))
		return vg_error_set(err, -ENAMETOOLONG, "%s: path too long",
				    dir);
	if (stat(path, &st) < 0) {
		e = errno;
		if (e != ENOENT)
			return vg_error_set(err, -e, "%s: %s", path,
					    strerror(e));
		if (which == BTF_VMLINUX)
			return vg_error_set(
				err, -ENOENT,
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
		return vg_error_set(err, e == ENOMEM ? -ENOMEM : -EINVAL,
				    "%s: not usable BTF (%s)", path,
				    strerror(e));
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

static int read_kallsyms(const char *path, struct syms *s, struct vg_error *err)
{
	char line[KALLSYMS_LINE_MAX];
	int skip = 0, e;
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = fopen(path, "re");
	if (!f) {
		e = errno;
		return vg_error_set(err, -e, "%s: %s", path,
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
		return vg_error_set(err, -e, "%s: read error", path);
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

#define KEY_VALUE(btfs, kind, path, v) \
	kvminfo_btf_value(btfs, BTF_COUNT, kind, path, v)

/* A description needs struct kvm and struct kvm_vcpu. */
static int check_kvm_btf(struct btf *const btfs[BTF_COUNT],
			 const struct kvminfo_syms *s, struct vg_error *err)
{
	unsigned long long v;

	if (!KEY_VALUE(btfs, KVMINFO_SIZE, "kvm", &v)) {
		if (!btfs[BTF_KVM])
			return vg_error_set(err, -ENOENT,
					    "no BTF of the kvm module (%s): "
					    "kvm not loaded",
					    s->no_kvm_btf);
		return vg_error_set(
			err, -EINVAL,
			"struct kvm is not in the BTF of vmlinux or of "
			"kvm (%s)",
			s->btf_from);
	}
	if (!KEY_VALUE(btfs, KVMINFO_SIZE, "kvm_vcpu", &v))
		return vg_error_set(
			err, -EINVAL,
			"struct kvm_vcpu is not in the BTF of vmlinux or "
			"of the kvm modules (%s)",
			s->btf_from);
	return 0;
}

/* From the check of vm_list on: the text itself. */
static int write_text(struct btf *const btfs[BTF_COUNT],
		      const struct kvminfo_syms *s, const char *osrelease,
		      struct out *o, struct vg_error *err)
{
	struct last_struct last = { 0 };
	unsigned long long v;
	size_t i;

	if (!s->have_vm_list)
		return vg_error_set(
			err, -ENOENT,
			"no vm_list in %s (kvm not loaded, or a kernel "
			"without CONFIG_KALLSYMS_ALL)",
			s->syms_from);
	if (!s->vm_list)
		return vg_error_set(
			err, -EACCES,
			"%s shows vm_list at address 0 (addresses are "
			"hidden: not root, or kernel.kptr_restrict)",
			s->syms_from);

	put(o, "KVMINFO_VERSION=%d\n", KVMINFO_VERSION);
	if (osrelease)
		put_osrelease(o, osrelease);
	if (btfs[BTF_KVM_AMD] && !btfs[BTF_KVM_INTEL])
		put(o, "VENDOR=svm\n");
	else if (btfs[BTF_KVM_INTEL] && !btfs[BTF_KVM_AMD])
		put(o, "VENDOR=vmx\n");
	put(o, "SYMBOL(vm_list)=%llx\n", s->vm_list);
	if (s->runqueues)
		put(o, "SYMBOL(runqueues)=%llx\n", s->runqueues);
	if (s->per_cpu_offset)
		put(o, "SYMBOL(__per_cpu_offset)=%llx\n", s->per_cpu_offset);
	if (s->have_nr_cpu_ids)
		put(o, "NUMBER(nr_cpu_ids)=%lu\n", s->nr_cpu_ids);
	for (i = 0; i < KI_NR; i++) {
		enum kvminfo_kind kind = kvminfo_keys[i].kind;

		if (kind == KVMINFO_SYMBOL || kind == KVMINFO_NUMBER)
			continue; /* written above, from the symbols */
		if (value(btfs, BTF_COUNT, kind, kvminfo_keys[i].path, &v,
			  &last))
			put(o, "%s(%s)=%llu\n", kvminfo_kind_name(kind),
			    kvminfo_keys[i].path, v);
	}
	if (o->full)
		return vg_error_set(
			err, -ENOSPC,
			"the KVMINFO text does not fit in %zu bytes", o->size);
	return (int)o->len;
}

/* The live host: BTF files, a kallsyms file, the possible-CPU list. */
static int format(const struct kvminfo_source *src, struct btf *btfs[],
		  struct out *o, struct vg_error *err)
{
	const char *btf_dir = src && src->btf_dir ? src->btf_dir :
						    KVMINFO_BTF_DIR;
	const char *kallsyms = src && src->kallsyms ? src->kallsyms :
						      KVMINFO_KALLSYMS;
	const char *cpu_dir = src && src->cpu_dir ? src->cpu_dir :
						    KVMINFO_CPU_DIR;
	char no_kvm[PATH_MAX + 16];
	struct kvminfo_syms ks = { 0 };
	struct utsname uts;
	const char *osrelease = NULL;
	struct syms syms;
	size_t i;
	int rc;

	for (i = 0; i < BTF_COUNT; i++) {
		rc = load_btf(btf_dir, (int)i, btfs, err);
		if (rc < 0)
			return rc;
	}
	snprintf(no_kvm, sizeof(no_kvm), "%s/kvm missing", btf_dir);
	ks.btf_from = btf_dir;
	ks.no_kvm_btf = no_kvm;
	ks.syms_from = kallsyms;
	rc = check_kvm_btf(btfs, &ks, err);
	if (rc < 0)
		return rc;
	rc = read_kallsyms(kallsyms, &syms, err);
	if (rc < 0)
		return rc;
	ks.vm_list = syms.vm_list;
	ks.have_vm_list = syms.have_vm_list;
	ks.runqueues = syms.runqueues;
	ks.per_cpu_offset = syms.per_cpu_offset;
	ks.have_nr_cpu_ids = read_nr_cpu_ids(cpu_dir, &ks.nr_cpu_ids) == 0;
	if (src && src->osrelease)
		osrelease = src->osrelease;
	else if (uname(&uts) == 0)
		osrelease = uts.release;
	return write_text(btfs, &ks, osrelease, o, err);
}

/* An output buffer; full (nothing fits) when there is none. */
static void out_init(struct out *o, char *buf, size_t bufsz)
{
	o->buf = buf;
	o->size = bufsz > INT_MAX ? INT_MAX : bufsz;
	o->len = 0;
	o->full = 0;
	if (buf && bufsz)
		buf[0] = '\0';
	else
		o->full = 1;
}

int kvminfo_format(const struct kvminfo_source *src, char *buf, size_t bufsz,
		   struct vg_error *err)
{
	struct btf *btfs[BTF_COUNT] = { NULL };
	libbpf_print_fn_t old;
	struct out o;
	int rc, i;

	vg_error_clear(err);
	out_init(&o, buf, bufsz);
	old = libbpf_set_print(quiet);
	rc = format(src, btfs, &o, err);
	libbpf_set_print(old);
	for (i = BTF_COUNT - 1; i >= 0; i--)
		btf__free(btfs[i]);
	return rc;
}

int kvminfo_format_from(struct btf *const btfs[KVMINFO_BTF_COUNT],
			const struct kvminfo_syms *syms, const char *osrelease,
			char *buf, size_t bufsz, struct vg_error *err)
{
	libbpf_print_fn_t old;
	struct out o;
	int rc;

	vg_error_clear(err);
	out_init(&o, buf, bufsz);
	if (!btfs[BTF_VMLINUX])
		return vg_error_set(err, -ENOENT, "no kernel BTF (%s)",
				    syms->btf_from);
	old = libbpf_set_print(quiet);
	rc = check_kvm_btf(btfs, syms, err);
	if (rc == 0)
		rc = write_text(btfs, syms, osrelease, &o, err);
	libbpf_set_print(old);
	return rc;
}
