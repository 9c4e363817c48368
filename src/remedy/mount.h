// SPDX-License-Identifier: GPL-2.0-only
/* A mount's options from mountinfo, and a remount with a given list of them. */
#ifndef RP_REMEDY_MOUNT_H
#define RP_REMEDY_MOUNT_H

#include <stdbool.h>
#include <stddef.h>

#define MOUNT_OPTS_LEN 256

struct mount_opts {
	char mount_point[4096];
	char per_mount[MOUNT_OPTS_LEN]; /* field 6: "rw,nosuid,relatime" */
	char super[MOUNT_OPTS_LEN];	/* after the fstype and source: "rw,discard,errors=..." */
};

/* The options of the mount at mount_point (the last one there: it shadows the others), from
 * mountinfo text. 0, or -1 when there is none or its options do not fit. */
int mountinfo_options(const char *text, const char *mount_point, struct mount_opts *out);
/* Whether the comma-separated list holds opt. */
bool opts_has(const char *list, const char *opt);
/*
 * The one list a remount takes, per-mount flags first: "rw,relatime,errors=remount-ro". With
 * nodiscard, the superblock's discard left out and nodiscard added. 0, or -1 when it does not
 * fit in len.
 */
int opts_for_remount(const struct mount_opts *m, bool nodiscard, char *out, size_t len);
/* mount(2) MS_REMOUNT of mount_point with such a list: the per-mount flag words as flags,
 * the rest as the filesystem's data. 0 or -errno. */
int remount_options(const char *mount_point, const char *options);

#endif
