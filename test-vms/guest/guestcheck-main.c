// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * guestcheck GUEST.vmcore: exit 0 when the tiny test guest's memory and
 * code are all in the vmcore, 1 when not, 2 on unusable input
 * (guestcheck.h).
 */
#include <stdio.h>

#include "guestcheck.h"

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: guestcheck GUEST.vmcore\n");
		return 2;
	}
	return guestcheck_run(argv[1], stdout);
}
