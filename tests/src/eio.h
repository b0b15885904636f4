/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reads that really fail, for the damaged-dump tests (docs/testing.md,
 * "Read errors"): tests/src/eio.c defines pread(2) (and pread64), so
 * that in a process it is linked into (a unit test), or preloaded into
 * (LD_PRELOAD=libvgeio.so, the CLI test), every pread of the chosen file
 * that reaches a chosen byte range fails with EIO, as the kernel fails a
 * read over a bad sector: a read that starts before the range returns
 * the bytes up to it (a short read), one that starts in it returns -1
 * with errno EIO.  Our own reads and libkdumpfile's go through it alike.
 * Other files, and other ranges, are read as usual.
 *
 * In a preloaded process the ranges come from the environment:
 *   VG_TEST_EIO=FILE:OFFSET+LENGTH[,OFFSET+LENGTH...]   (numbers in C syntax)
 */
#ifndef VG_TEST_EIO_H
#define VG_TEST_EIO_H

#include <stdint.h>

/* Fail reads of [off, off + len) of the file at path (up to 128 ranges). */
int eio_fail(const char *path, uint64_t off, uint64_t len);
/* No more failures; the hit count back to 0. */
void eio_clear(void);
/* pread calls that failed (or were cut short) so far. */
unsigned long eio_hits(void);

#endif
