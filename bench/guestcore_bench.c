// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Walk + write benchmark for the guest vmcore writer.
 *
 *   guestcore_bench SIZE_MIB OUTFILE [ept|memslots]
 *
 * Builds EPT tables for a synthetic guest of SIZE_MIB (the first 256 MiB
 * in 4 KiB pages, the rest in 2 MiB pages) in a small buffer, or with
 * "memslots" the same tables as QEMU's page tables behind one memslot
 * (the KVM walk's path, src/slotmem.c); the guest's
 * RAM itself is produced by a generator function inside the hostmem read
 * callback (every 4th page zero, the others a pattern), so the benchmark
 * does not need the guest's size in RAM.  Prints MiB/s, the peak RSS (the
 * writer's memory must not grow with the guest) and how many reads of the
 * host dump went to page tables (each one is a syscall on /proc/vmcore).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "src/gpmap.h"
#include "src/guestcore.h"
#include "src/slotmem.h"

#define MiB (1024ull * 1024)
#define SMALL_PAGES (256 * MiB)

struct gen {
	struct vg_hostmem hm;
	uint8_t *tables; /* host [0, tables_size) */
	uint64_t tables_size, next;
	uint64_t data_base; /* guest RAM lives at host data_base + gpa */
	uint64_t table_reads; /* reads that hit the tables */
};

/* QEMU's mapping of guest RAM in the memslots mode. */
#define HVA_BASE 0x7f0000000000ull

static int gen_read(struct vg_hostmem *hm, uint64_t paddr, void *buf,
		    size_t len)
{
	struct gen *g = hm->priv;
	uint8_t *out = buf;

	if (paddr >= hm->max_paddr || hm->max_paddr - paddr < len)
		return VG_HM_ABSENT;
	if (paddr < g->tables_size) {
		g->table_reads++;
		if (len > g->tables_size - paddr)
			return VG_HM_ERROR;
		memcpy(buf, g->tables + paddr, len);
		return VG_HM_OK;
	}
	/* Generated guest RAM, page by page. */
	while (len) {
		uint64_t page = paddr & ~4095ull, in = paddr - page;
		size_t n = len < 4096 - in ? len : 4096 - in;

		if (((page - g->data_base) >> 12) % 4 == 3) {
			memset(out, 0, n);
		} else {
			uint64_t w[512];

			for (int i = 0; i < 512; i++)
				w[i] = (page + 8 * i) ^ 0x5a5aa5a5deadbeefull;
			memcpy(out, (uint8_t *)w + in, n);
		}
		out += n;
		paddr += n;
		len -= n;
	}
	return VG_HM_OK;
}

static uint64_t alloc(struct gen *g)
{
	uint64_t p = g->next;

	g->next += 4096;
	if (g->next > g->tables_size) {
		fprintf(stderr, "bench: table space exhausted\n");
		exit(1);
	}
	return p;
}

static void put(struct gen *g, uint64_t pa, uint64_t v)
{
	memcpy(g->tables + pa, &v, 8);
}

static uint64_t get(struct gen *g, uint64_t pa)
{
	uint64_t v;

	memcpy(&v, g->tables + pa, 8);
	return v;
}

static void map(struct gen *g, uint64_t root, uint64_t gpa, uint64_t hpa,
		int level)
{
	uint64_t table = root;

	for (int l = 4; l > level; l--) {
		uint64_t ea = table + 8 * ((gpa >> (12 + 9 * (l - 1))) & 511);

		if (!(get(g, ea) & 7))
			put(g, ea, alloc(g) | 7);
		table = get(g, ea) & 0x000ffffffffff000ull;
	}
	put(g, table + 8 * ((gpa >> (12 + 9 * (level - 1))) & 511),
	    hpa | 7 | (6 << 3) | (level > 1 ? 0x80 : 0));
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct gen g = { 0 };
	struct vg_gmem gm;
	struct vg_guestcore_result res;
	struct rusage ru;
	uint64_t size, root, va_base = 0;
	double t0, t1;
	int fd, r, memslots = 0;

	if (argc == 4 && !strcmp(argv[3], "memslots"))
		memslots = 1;
	else if (argc != 3 && !(argc == 4 && !strcmp(argv[3], "ept"))) {
		fprintf(stderr, "usage: %s SIZE_MIB OUTFILE [ept|memslots]\n",
			argv[0]);
		return 2;
	}
	if (memslots)
		va_base = HVA_BASE;
	size = strtoull(argv[1], NULL, 0) * MiB;
	if (size < 2 * MiB || size % (2 * MiB)) {
		fprintf(stderr, "bench: size must be a multiple of 2 MiB\n");
		return 2;
	}
	/* 4 KiB pages for the first 256 MiB: 128 PTs; plus PDs. */
	g.tables_size = 4 * MiB;
	g.tables = calloc(1, g.tables_size);
	if (!g.tables)
		return 1;
	g.next = 0;
	g.data_base = 1ull << 30; /* 2 MiB aligned, above the tables */
	g.hm.read = gen_read;
	g.hm.max_paddr = g.data_base + size;
	g.hm.priv = &g;
	root = alloc(&g);
	for (uint64_t a = 0; a < size; a += a < SMALL_PAGES ? 4096 : 2 * MiB)
		map(&g, root, va_base + a, g.data_base + a,
		    a < SMALL_PAGES ? 1 : 2);

	if (memslots) {
		struct vg_kw_slot slot = { 0 };

		slot.npages = size / 4096;
		slot.hva = HVA_BASE;
		r = vg_slotmem_init(&gm, &g.hm, root, 0, &slot, 1);
	} else {
		r = vg_gpmap_init(&gm, &g.hm, VG_GPMAP_EPT, root | 0x1e, 4);
	}
	if (r) {
		fprintf(stderr, "bench: %s\n", gm.stats.first_error);
		return 1;
	}
	fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		fprintf(stderr, "bench: %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	g.table_reads = 0;
	t0 = now();
	r = vg_guestcore_write(fd, &gm, NULL, 0, NULL, &res);
	if (fsync(fd))
		perror("bench: fsync");
	t1 = now();
	close(fd);
	getrusage(RUSAGE_SELF, &ru);
	printf("%-8s guest %6llu MiB: %llu pages (%llu zero), "
	       "%llu MiB written, %.2f s, %.0f MiB/s, peak RSS %ld KiB, "
	       "%llu table reads%s%s\n",
	       memslots ? "memslots" : "ept", (unsigned long long)(size / MiB),
	       (unsigned long long)res.pages_present,
	       (unsigned long long)res.pages_zero,
	       (unsigned long long)(res.bytes_written / MiB), t1 - t0,
	       (double)size / MiB / (t1 - t0), ru.ru_maxrss,
	       (unsigned long long)g.table_reads, r ? " ERROR: " : "",
	       r ? res.error : "");
	vg_gmem_release(&gm);
	free(g.tables);
	return r ? 1 : 0;
}
