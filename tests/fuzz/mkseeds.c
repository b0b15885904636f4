// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Seeds for tests/fuzz/fuzz_hostdump: the unit-test fixtures written as
 * an ELF vmcore and as a makedumpfile kdump-compressed dump, cut to
 * their heads (headers, notes, bitmaps; the page data adds nothing).
 * Usage: mkseeds DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/src/fixture.h"

static struct fx *host(void)
{
	struct fx *fx = fx_new(4ull << 20, 1ull << 20);

	fx_hole(fx, 0, FX_PAGE);
	fx_hole(fx, 0x9f000, 0x100000);
	memset(fx_ptr(fx, 0x200000), 0xab, FX_PAGE);
	fx_note(fx, "CORE", 1, "regs", 4);
	fx_note(fx, "VMCSINFO", 0, "VMCSINFO_VERSION=1\nREVISION_ID=0x2b\n",
		36);
	return fx;
}

/* Copy the first max bytes of from to dir/name. */
static int head(const char *from, const char *dir, const char *name, size_t max)
{
	char *buf = malloc(max), to[8192];
	FILE *f = fopen(from, "rb"), *g;
	size_t n;
	int rc = -1;

	if (!buf || !f)
		goto out;
	n = fread(buf, 1, max, f);
	snprintf(to, sizeof(to), "%s/%s", dir, name);
	g = fopen(to, "wb");
	if (g && fwrite(buf, 1, n, g) == n && !fclose(g))
		rc = 0;
out:
	if (f)
		fclose(f);
	free(buf);
	return rc;
}

int main(int argc, char **argv)
{
	char tmp[4096], path[8192];
	struct fx *fx;
	int rc = 0;

	if (argc != 2 || fx_tmpdir(tmp, sizeof(tmp)))
		return 2;
	snprintf(path, sizeof(path), "%s/vmcore", tmp);
	fx = host();
	fx_note(fx, "VMCOREINFO", 0, "OSRELEASE=6.1.0-test\nPAGESIZE=4096\n",
		35);
	rc |= fx_write_elf(fx, path, NULL);
	rc |= head(path, argv[1], "elf-head", 12 << 10);
	fx_free(fx);
	fx = host();
	rc |= fx_write_kdump(fx, path, NULL);
	rc |= head(path, argv[1], "kdump-head", 48 << 10);
	fx_free(fx);
	fx_rm_rf(tmp);
	if (rc)
		fprintf(stderr, "mkseeds: cannot write the seeds\n");
	return rc ? 1 : 0;
}
