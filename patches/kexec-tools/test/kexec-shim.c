// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * LD_PRELOAD shim that lets the patched kexec run a whole crash-kernel
 * load on a machine without a crashkernel reservation and without
 * privileges to load one:
 *
 *  - paths under /proc/iomem, /proc/kcore, /proc/kallsyms and /sys/ are
 *    served from $KT_SHIM_ROOT (a fixture tree: "Crash kernel" in iomem,
 *    a small kcore, no vmcs tree unless the test adds one);
 *  - kexec_load and kexec_file_load never reach the kernel: their
 *    arguments are saved in $KT_SHIM_OUT (load.txt, seg<N>.bin,
 *    initrd.bin, cmdline.txt) and they return success, or fail with
 *    EPERM for the first $KT_SHIM_FAIL_FILE_LOAD kexec_file_load calls;
 *  - getrandom() returns a fixed pattern, so that two runs load the same
 *    bytes (x86 passes an RNG seed to the new kernel).
 *
 * Only the test in patches/kexec-tools/test/ uses it.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct kexec_segment_abi {
	const void *buf;
	size_t bufsz;
	const void *mem;
	size_t memsz;
};

static const char *const redirected[] = { "/proc/iomem", "/proc/kcore",
					  "/proc/kallsyms", "/sys/" };

/* The fixture path for path, or path itself. */
static const char *redirect(const char *path, char *buf, size_t bufsz)
{
	const char *root = getenv("KT_SHIM_ROOT");
	size_t i;

	if (!root || !path)
		return path;
	for (i = 0; i < sizeof(redirected) / sizeof(redirected[0]); i++) {
		if (!strncmp(path, redirected[i], strlen(redirected[i])) ||
		    !strcmp(path, "/sys")) {
			snprintf(buf, bufsz, "%s%s", root, path);
			return buf;
		}
	}
	return path;
}

#define REAL(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

FILE *fopen(const char *path, const char *mode)
{
	char b[PATH_MAX];

	return REAL(fopen)(redirect(path, b, sizeof(b)), mode);
}

FILE *fopen64(const char *path, const char *mode)
{
	char b[PATH_MAX];

	return REAL(fopen64)(redirect(path, b, sizeof(b)), mode);
}

static mode_t open_mode(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, mode_t) : 0;
}

int open(const char *path, int flags, ...)
{
	char b[PATH_MAX];
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = open_mode(flags, ap);
	va_end(ap);
	return REAL(open)(redirect(path, b, sizeof(b)), flags, m);
}

int open64(const char *path, int flags, ...)
{
	char b[PATH_MAX];
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = open_mode(flags, ap);
	va_end(ap);
	return REAL(open64)(redirect(path, b, sizeof(b)), flags, m);
}

int stat(const char *path, struct stat *st)
{
	char b[PATH_MAX];

	return REAL(stat)(redirect(path, b, sizeof(b)), st);
}

int lstat(const char *path, struct stat *st)
{
	char b[PATH_MAX];

	return REAL(lstat)(redirect(path, b, sizeof(b)), st);
}

int access(const char *path, int mode)
{
	char b[PATH_MAX];

	return REAL(access)(redirect(path, b, sizeof(b)), mode);
}

DIR *opendir(const char *path)
{
	char b[PATH_MAX];

	return REAL(opendir)(redirect(path, b, sizeof(b)));
}

ssize_t getrandom(void *buf, size_t len, unsigned int flags)
{
	size_t i;

	if (!getenv("KT_SHIM_ROOT"))
		return REAL(getrandom)(buf, len, flags);
	for (i = 0; i < len; i++)
		((unsigned char *)buf)[i] = (unsigned char)(i * 37 + 11);
	return len;
}

static FILE *out_file(const char *name, const char *mode)
{
	const char *dir = getenv("KT_SHIM_OUT");
	char path[PATH_MAX];

	if (!dir)
		return NULL;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return REAL(fopen)(path, mode);
}

static long fake_kexec_load(unsigned long entry, unsigned long nr,
			    const struct kexec_segment_abi *seg,
			    unsigned long flags)
{
	FILE *idx = out_file("load.txt", "a");
	unsigned long i;
	char name[32];
	FILE *f;

	if (!idx)
		return -1;
	fprintf(idx, "kexec_load entry=0x%lx nr=%lu flags=0x%lx\n", entry, nr,
		flags);
	for (i = 0; i < nr; i++) {
		fprintf(idx, "seg %lu mem=0x%lx memsz=0x%zx bufsz=0x%zx\n", i,
			(unsigned long)seg[i].mem, seg[i].memsz, seg[i].bufsz);
		snprintf(name, sizeof(name), "seg%lu.bin", i);
		f = out_file(name, "w");
		if (!f ||
		    fwrite(seg[i].buf, 1, seg[i].bufsz, f) != seg[i].bufsz) {
			if (f)
				fclose(f);
			fclose(idx);
			return -1;
		}
		fclose(f);
	}
	fclose(idx);
	return 0;
}

static int copy_fd(int fd, FILE *f)
{
	char buf[65536];
	off_t off = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		if (fwrite(buf, 1, n, f) != (size_t)n)
			return -1;
		off += n;
	}
	return n < 0 ? -1 : 0;
}

static long fake_kexec_file_load(int kfd, int ifd, unsigned long cmdlen,
				 const char *cmdline, unsigned long flags)
{
	static int calls;
	const char *fail = getenv("KT_SHIM_FAIL_FILE_LOAD");
	FILE *idx = out_file("load.txt", "a");
	FILE *f;

	if (!idx)
		return -1;
	calls++;
	fprintf(idx,
		"kexec_file_load call=%d kernel_fd=%s initrd_fd=%s "
		"cmdline_len=%lu flags=0x%lx\n",
		calls, kfd >= 0 ? "yes" : "no", ifd >= 0 ? "yes" : "no", cmdlen,
		flags);
	fclose(idx);
	if (fail && calls <= atoi(fail)) {
		errno = EPERM;
		return -1;
	}
	if (ifd >= 0) {
		f = out_file("initrd.bin", "w");
		if (!f || copy_fd(ifd, f) < 0) {
			if (f)
				fclose(f);
			return -1;
		}
		fclose(f);
	}
	if (cmdline && cmdlen) {
		f = out_file("cmdline.txt", "w");
		if (!f)
			return -1;
		fwrite(cmdline, 1, strnlen(cmdline, cmdlen), f);
		fclose(f);
	}
	return 0;
}

long syscall(long nr, ...)
{
	unsigned long a[6];
	va_list ap;
	int i;

	va_start(ap, nr);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, unsigned long);
	va_end(ap);

	if (nr == SYS_kexec_load)
		return fake_kexec_load(a[0], a[1], (const void *)a[2], a[3]);
	if (nr == SYS_kexec_file_load)
		return fake_kexec_file_load((int)a[0], (int)a[1], a[2],
					    (const char *)a[3], a[4]);
	return REAL(syscall)(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
