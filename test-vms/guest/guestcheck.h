/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guestcheck: is the tiny test guest (expect.h) complete in an ELF64 guest
 * vmcore?  Every one of the KG_PAGES pages must be in a PT_LOAD (by
 * physical address) and start with KG_MARKER and its page number, and the
 * loop's code bytes must be at KG_CODE_GPA.
 */
#ifndef VG_TEST_GUESTCHECK_H
#define VG_TEST_GUESTCHECK_H

#include <stdio.h>

/* What must be in the vmcore. */
enum guestcheck_mode {
	GUESTCHECK_ALL, /* every page the guest runner wrote */
	/*
	 * Only what is there must be right: each page in the dump carries
	 * its own marker, and the code page is there.  What a walk of the
	 * nested page tables yields: the pages the guest touched.
	 */
	GUESTCHECK_PRESENT,
};

/*
 * Writes one line per problem (at most 10 page lines) and a summary to
 * out.  Returns 0 when the mode's demands are met, 1 otherwise, 2 when
 * path is not a readable ELF64 core file.
 */
int guestcheck_run(const char *path, enum guestcheck_mode mode, FILE *out);

#endif
