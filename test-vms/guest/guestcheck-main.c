// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * guestcheck [--present] GUEST.vmcore: exit 0 when the tiny test guest's
 * memory and code are all in the vmcore (with --present: every page that is
 * there is right and the code is there), 1 when not, 2 on unusable input
 * (guestcheck.h).
 */
#include <stdio.h>
#include <string.h>

#include "guestcheck.h"

int main(int argc, char **argv)
{
	enum guestcheck_mode mode = GUESTCHECK_ALL;

	if (argc == 3 && !strcmp(argv[1], "--present")) {
		mode = GUESTCHECK_PRESENT;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: guestcheck [--present] GUEST.vmcore\n");
		return 2;
	}
	return guestcheck_run(argv[1], mode, stdout);
}
