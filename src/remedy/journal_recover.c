// SPDX-License-Identifier: GPL-2.0-only
/* Journals left by a restartprof that died: found, restored, removed. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "remedy/journal_file.h"
#include "util/files.h"

#define JOURNAL_FILE_LIMIT (1u << 20)

/* Whether the journal's owner still runs: its pid alive with the same start time. */
static bool owner_alive(int pid, int64_t start)
{
	int64_t now = journal_proc_start(pid);

	return now >= 0 && now == start;
}

/* Parses text into j (path set by the caller). 0, or -EINVAL when it is no journal. */
static int parse_journal(const char *text, struct journal *j, int *pid, int64_t *start)
{
	const char *line = text;
	bool owner = false;

	j->n = 0;
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (!nl) {
			/* A torn last line (the owner died writing it): its change was not made. */
		} else if (!owner) {
			if (journal_parse_owner(line, len, pid, start))
				return -EINVAL;
			owner = true;
		} else if (j->n < JOURNAL_MAX && journal_parse_entry(line, len, &j->e[j->n]) == 0) {
			j->n++;
		}
		line += len + (nl ? 1 : 0);
	}
	return owner ? 0 : -EINVAL;
}

/* One journal file: restored and removed when its owner is gone. Entries restored, or -errno
 * (0 when it was left alone). */
static int recover_one(int dirfd, const char *name, struct journal *j,
		       void (*said)(void *ctx, const struct journal_entry *e), void *ctx,
		       int *first, char *err, size_t errlen)
{
	char *text = NULL;
	int64_t start = 0;
	int fd, pid = 0, n = 0;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* A live owner holds the lock; holding it here keeps two recoveries apart too. */
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		close(fd);
		return 0;
	}
	if (file_read_all(dirfd, name, JOURNAL_FILE_LIMIT, 0, &text, NULL) ||
	    parse_journal(text, j, &pid, &start)) {
		free(text);
		close(fd);
		return 0; /* not ours to judge: left as it is */
	}
	free(text);
	if (owner_alive(pid, start)) {
		close(fd);
		return 0;
	}
	for (int i = j->n - 1; i >= 0; i--) {
		int rc = journal_restore_entry(&j->e[i]);

		j->e[i].pid = pid;
		if (rc == 0) {
			n++;
			if (said)
				said(ctx, &j->e[i]);
		} else if (!*first) {
			*first = rc;
			snprintf(err, errlen, "cannot restore %s to \"%s\" (changed by pid %d): %s",
				 j->e[i].path, j->e[i].old, pid, strerror(-rc));
		}
	}
	unlinkat(dirfd, name, 0);
	close(fd);
	return n;
}

int journal_recover(const char *dir, void (*said)(void *ctx, const struct journal_entry *e),
		    void *ctx, char *err, size_t errlen)
{
	struct journal *j = calloc(1, sizeof(*j));
	int dirfd, first = 0, n = 0;
	struct dirent *de;
	DIR *d;

	if (!j)
		return -ENOMEM;
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dirfd < 0) {
		free(j);
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot open %s: %s", dir, strerror(errno));
		return -errno;
	}
	d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		free(j);
		return -ENOMEM;
	}
	while ((de = readdir(d)) != NULL) {
		const char *rest = de->d_name + strlen(JOURNAL_PREFIX);

		if (strncmp(de->d_name, JOURNAL_PREFIX, strlen(JOURNAL_PREFIX)) ||
		    strspn(rest, "0123456789") != strlen(rest) || !*rest)
			continue;
		n += recover_one(dirfd, de->d_name, j, said, ctx, &first, err, errlen);
	}
	closedir(d);
	free(j);
	return first ? first : n;
}
