// SPDX-License-Identifier: GPL-2.0-only
/* A remedy set turned on (each old value journaled first) and off (the journal restored). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remedy/defs.h"
#include "remedy/journal_file.h"
#include "remedy/mount.h"
#include "util/files.h"

#define MOUNTINFO_LIMIT (4u << 20)

/* Both paths checked again on their realpath, then journaled. */
static int save(struct journal *j, const char *path, char *err, size_t errlen)
{
	int rc = remedy_path_allowed_real(path);

	if (rc == -EACCES) {
		snprintf(err, errlen, "%s leads out of /proc/sys/vm and /sys/block/*/queue", path);
		return rc;
	}
	if (rc) {
		snprintf(err, errlen, "%s: %s", path, strerror(-rc));
		return rc;
	}
	return journal_save_file(j, path, err, errlen);
}

static int mount_of(const char *mount_point, struct mount_opts *m, char *err, size_t errlen)
{
	char *text = NULL;
	int rc = file_read_all(AT_FDCWD, "/proc/self/mountinfo", MOUNTINFO_LIMIT, FILE_READ_FOLLOW,
			       &text, NULL);

	if (rc == 0 && mountinfo_options(text, mount_point, m))
		rc = -ENOENT;
	free(text);
	if (rc)
		snprintf(err, errlen, "cannot find the mount %s in /proc/self/mountinfo: %s",
			 mount_point, strerror(-rc));
	return rc;
}

static int remount_nodiscard(struct journal *j, const char *mp, char *err, size_t errlen)
{
	char old[MOUNT_OPTS_LEN * 2], now[MOUNT_OPTS_LEN * 2];
	struct mount_opts m;
	int rc = mount_of(mp, &m, err, errlen);

	if (rc)
		return rc;
	if (!opts_has(m.super, "discard") && !opts_has(m.per_mount, "discard"))
		return 0; /* already without */
	if (opts_for_remount(&m, false, old, sizeof(old)) ||
	    opts_for_remount(&m, true, now, sizeof(now))) {
		snprintf(err, errlen, "the options of %s are too long", mp);
		return -E2BIG;
	}
	rc = journal_save_mount(j, mp, old, err, errlen);
	if (rc)
		return rc;
	rc = remount_options(mp, now);
	if (rc) {
		snprintf(err, errlen, "cannot remount %s with %s: %s", mp, now, strerror(-rc));
		return rc;
	}
	if (mount_of(mp, &m, err, errlen) == 0 && opts_has(m.super, "discard")) {
		snprintf(err, errlen, "%s still has discard after its remount with %s", mp, now);
		return -EIO;
	}
	return 0;
}

static int turn_on(const struct remedy *r, struct journal *j, char *err, size_t errlen)
{
	int rc;

	/* The set paths first, the ones only saved after: restored newest first, a *_ratio is
	 * written back before its *_bytes, which then already holds its old value. */
	for (int i = 0; i < r->n_set; i++)
		if ((rc = save(j, r->set[i].path, err, errlen)))
			return rc;
	for (int i = 0; i < r->n_also_saved; i++)
		if ((rc = save(j, r->also_saved[i], err, errlen)))
			return rc;
	for (int i = 0; i < r->n_set; i++) {
		rc = journal_write_value(r->set[i].path, r->set[i].value);
		if (rc) {
			snprintf(err, errlen, "%s: cannot write %s to %s: %s", r->name,
				 r->set[i].value, r->set[i].path, strerror(-rc));
			return rc;
		}
	}
	if (r->remount_nodiscard[0])
		return remount_nodiscard(j, r->remount_nodiscard, err, errlen);
	return 0;
}

int remedy_set_on(const struct remedy_set *set, struct journal *j, char *err, size_t errlen)
{
	for (int i = 0; i < set->n; i++) {
		int rc = turn_on(&set->r[i], j, err, errlen);

		if (rc) {
			char ignored[256];

			/* Nothing half on: what this call changed goes back. */
			journal_restore(j, ignored, sizeof(ignored));
			return rc;
		}
	}
	return 0;
}

int remedy_set_off(const struct remedy_set *set, struct journal *j, char *err, size_t errlen)
{
	(void)set;
	return journal_restore(j, err, errlen);
}
