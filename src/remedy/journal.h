// SPDX-License-Identifier: GPL-2.0-only
/*
 * The journal of what restartprof changed on the machine: every setting's old value is
 * written here (and fsync'ed) before the setting changes, and taken out once it is restored.
 * After a SIGKILL or a crash the next restartprof start that has root (or `restartprof clean`)
 * finds the entries of a dead owner and restores them.
 *
 * One file per owner under JOURNAL_DIR, named by pid; each entry one line:
 *   KIND WHEN_NS PATH OLD_VALUE      (KIND: file, mount; values %-escaped)
 */
#ifndef RP_REMEDY_JOURNAL_H
#define RP_REMEDY_JOURNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define JOURNAL_DIR	  "/run/restartprof"
#define JOURNAL_MAX	  32
#define JOURNAL_VALUE_LEN 256

enum journal_kind {
	JOURNAL_FILE,
	JOURNAL_MOUNT
};

struct journal_entry {
	enum journal_kind kind;
	int64_t when_ns;	     /* wall time of the change */
	char path[PATH_MAX];	     /* the file, or the mount point */
	char old[JOURNAL_VALUE_LEN]; /* its content, or the mount's options */
	int pid;		     /* who changed it (filled by journal_recover) */
};

struct journal {
	char path[PATH_MAX];
	struct journal_entry e[JOURNAL_MAX];
	int n;
	int fd_plus1; /* the open, locked file + 1 (0: none); the journal's own */
};

/* Creates this process's journal under dir (JOURNAL_DIR; tests pass their own). */
int journal_open(struct journal *j, const char *dir, char *err, size_t errlen);
/* Reads path's current value and records it; then the caller may change it. -errno when the
 * old value cannot be read (the setting must then not be changed). A path already recorded
 * keeps its first old value. */
int journal_save_file(struct journal *j, const char *path, char *err, size_t errlen);
int journal_save_mount(struct journal *j, const char *mount_point, const char *options, char *err,
		       size_t errlen);
/* Writes every old value back (mounts remounted with their options), newest first, and
 * empties the journal. 0, or the first -errno (every entry is still tried; the entries that
 * could not be restored stay in the journal, for a later restore or the next start). A file
 * that already holds its old value is left as it is. */
int journal_restore(struct journal *j, char *err, size_t errlen);
/* journal_restore, then the file removed (kept when some entry could not be restored: the
 * next start tries again). */
int journal_close(struct journal *j, char *err, size_t errlen);

/* For each journal under dir whose owner is gone: restores it and removes it; each restored
 * entry is said by said(ctx, entry). Returns the entries restored, or -errno. */
int journal_recover(const char *dir, void (*said)(void *ctx, const struct journal_entry *e),
		    void *ctx, char *err, size_t errlen);

#endif
