// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A deliberately broken vmcore-guests for the crash test's scenario F
 * (docs/testing.md): it never ends and ignores SIGTERM, so only the
 * capture script's hard limit (time_budget + kill_grace, then SIGKILL)
 * stops it.  The final action must still happen.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	signal(SIGTERM, SIG_IGN);
	fprintf(stderr, "vmcore-guests (broken test build): hanging\n");
	fflush(stderr);
	for (;;)
		pause();
}
