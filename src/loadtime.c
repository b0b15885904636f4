// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The load-time notes of a host dump (src/loadtime.h).
 */
#include "src/loadtime.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notes/carrier.h"
#include "notes/elfnote.h"

static int is_proc_vmcore(const char *path)
{
	char *real = realpath(path, NULL);
	int yes = real && !strcmp(real, "/proc/vmcore");

	free(real);
	return yes;
}

int vg_loadtime_init(struct vg_loadtime *lt, struct vg_hostdump *hd,
		     const char *dump_path, const char *notes_path,
		     struct vg_error *err)
{
	long used;
	int rc;

	memset(lt, 0, sizeof(*lt));
	lt->hd = hd;
	lt->dump_path = dump_path;
	if (!notes_path && is_proc_vmcore(dump_path) &&
	    access(LOADNOTES_PATH, F_OK) == 0)
		notes_path = LOADNOTES_PATH;
	if (!notes_path)
		return 0;
	rc = elfnote_read_file(notes_path, &lt->carrier, &lt->carrier_len, err);
	if (rc == 0) {
		used = elfnote_used(lt->carrier, lt->carrier_len, err);
		rc = used < 0 ? (int)used : 0;
	}
	if (rc < 0) {
		vg_error_wrap(err, "--notes %s", notes_path);
		vg_loadtime_release(lt);
		return rc;
	}
	lt->carrier_path = notes_path;
	return 0;
}

void vg_loadtime_release(struct vg_loadtime *lt)
{
	free(lt->carrier);
	lt->carrier = NULL;
	lt->carrier_len = 0;
}

int vg_loadtime_find(const struct vg_loadtime *lt, const char *name,
		     uint32_t type, const void **desc, size_t *len,
		     const char **from, struct vg_error *err)
{
	int r = vg_hostdump_find_note(lt->hd, name, type, desc, len, err);

	*from = lt->dump_path;
	if (r != 1 || !lt->carrier)
		return r;
	*from = lt->carrier_path;
	r = elfnote_find(lt->carrier, lt->carrier_len, name, type, desc, len,
			 err);
	if (r < 0) {
		vg_error_wrap(err, "%s", lt->carrier_path);
		return r;
	}
	if (r > 0)
		vg_error_set(err, 1, "no %s note in %s nor in %s", name,
			     lt->dump_path, lt->carrier_path);
	return r;
}
