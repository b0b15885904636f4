// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A deliberately broken vmcore-guests for the crash test's scenario E
 * (docs/testing.md): installed in the capture initramfs in place of the
 * real program, it says so and dies of SIGSEGV.  The host vmcore must
 * still be saved and the final action must still happen.
 */
#include <signal.h>
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "vmcore-guests (broken test build): segfaulting\n");
	fflush(stderr);
	raise(SIGSEGV);
	return 0;
}
