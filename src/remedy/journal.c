// SPDX-License-Identifier: GPL-2.0-only
/* The journal of changed settings: each old value on disk before the change, restored after. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "remedy/journal.h"
#include "remedy/journal_file.h"
#include "remedy/mount.h"
#include "util/clock.h"
#include "util/files.h"

static int fail(char *err, size_t errlen, int rc, const char *fmt, const char *what)
{
	snprintf(err, errlen, fmt, what, strerror(-rc));
	return rc;
}

int journal_open(struct journal *j, const char *dir, char *err, size_t errlen)
{
	char line[64];
	int64_t start;
	int fd, n;

	memset(j, 0, sizeof(*j));
	if (mkdir(dir, 0700) && errno != EEXIST)
		return fail(err, errlen, -errno, "cannot create the journal directory %s: %s", dir);
	start = journal_proc_start(getpid());
	if (start < 0)
		return fail(err, errlen, (int)start, "cannot read %s's start time: %s",
			    "/proc/self/stat");
	snprintf(j->path, sizeof(j->path), "%s/" JOURNAL_PREFIX "%d", dir, (int)getpid());
	fd = open(j->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST) {
		/* Left by a dead process that had this pid: restored before it is replaced. */
		char ignored[256];

		journal_recover(dir, NULL, NULL, ignored, sizeof(ignored));
		fd = open(j->path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	}
	if (fd < 0)
		return fail(err, errlen, -errno, "cannot create the journal %s: %s", j->path);
	/* Held until the process ends: recovery leaves a locked journal alone, whatever PID
	 * namespace its owner lives in. */
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int rc = -errno;

		close(fd);
		return fail(err, errlen, rc, "cannot lock the journal %s: %s", j->path);
	}
	n = snprintf(line, sizeof(line), "owner %d %lld\n", (int)getpid(), (long long)start);
	if (write(fd, line, (size_t)n) != n || fsync(fd)) {
		int rc = errno ? -errno : -EIO;

		close(fd);
		unlink(j->path);
		return fail(err, errlen, rc, "cannot write the journal %s: %s", j->path);
	}
	j->fd_plus1 = fd + 1;
	return 0;
}

static int find(const struct journal *j, enum journal_kind kind, const char *path)
{
	for (int i = 0; i < j->n; i++)
		if (j->e[i].kind == kind && strcmp(j->e[i].path, path) == 0)
			return i;
	return -1;
}

/* Appends entry i to the file and syncs it. */
static int append(struct journal *j, int i, char *err, size_t errlen)
{
	char line[PATH_MAX * 3 + JOURNAL_VALUE_LEN * 3 + 64];
	int fd = j->fd_plus1 - 1;
	off_t end;
	size_t n;

	if (fd < 0)
		return fail(err, errlen, -EBADF, "the journal %s is not open: %s", j->path);
	n = journal_format_entry(&j->e[i], line, sizeof(line));
	end = lseek(fd, 0, SEEK_END);
	errno = 0;
	if (end < 0 || write(fd, line, n) != (ssize_t)n || fsync(fd)) {
		int rc = errno ? -errno : -EIO;

		/* No torn line left for a later entry to run into. */
		if (end >= 0 && ftruncate(fd, end) == 0)
			fsync(fd);
		return fail(err, errlen, rc, "cannot write the journal %s: %s", j->path);
	}
	return 0;
}

static int add(struct journal *j, enum journal_kind kind, const char *path, const char *old,
	       char *err, size_t errlen)
{
	struct journal_entry *e;
	int rc;

	if (j->n == JOURNAL_MAX)
		return fail(err, errlen, -ENOSPC, "more than 32 changes for the journal %s: %s",
			    j->path);
	if (strlen(path) >= sizeof(e->path) || strlen(old) >= sizeof(e->old))
		return fail(err, errlen, -ENAMETOOLONG, "%s: %s", path);
	e = &j->e[j->n];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	e->when_ns = wall_ns();
	snprintf(e->path, sizeof(e->path), "%s", path);
	snprintf(e->old, sizeof(e->old), "%s", old);
	rc = append(j, j->n, err, errlen);
	if (rc == 0)
		j->n++;
	return rc;
}

int journal_save_file(struct journal *j, const char *path, char *err, size_t errlen)
{
	char old[JOURNAL_VALUE_LEN];
	int rc;

	if (find(j, JOURNAL_FILE, path) >= 0)
		return 0;
	rc = journal_read_value(path, old, sizeof(old));
	if (rc)
		return fail(err, errlen, rc, "cannot read the old value of %s: %s", path);
	return add(j, JOURNAL_FILE, path, old, err, errlen);
}

int journal_save_mount(struct journal *j, const char *mount_point, const char *options, char *err,
		       size_t errlen)
{
	if (find(j, JOURNAL_MOUNT, mount_point) >= 0)
		return 0;
	return add(j, JOURNAL_MOUNT, mount_point, options, err, errlen);
}

int journal_restore_entry(const struct journal_entry *e)
{
	if (e->kind == JOURNAL_MOUNT)
		return remount_options(e->path, e->old);
	return journal_write_value(e->path, e->old);
}

/* Rewrites the file with the owner line and the entries still in j (an atomic rename). */
static int rewrite(struct journal *j)
{
	char line[PATH_MAX * 3 + JOURNAL_VALUE_LEN * 3 + 64];
	char tmp[PATH_MAX + 8];
	int fd = j->fd_plus1 - 1, nfd, rc = 0;
	int n = snprintf(line, sizeof(line), "owner %d %lld\n", (int)getpid(),
			 (long long)journal_proc_start(getpid()));

	if (fd < 0)
		return -EBADF;
	snprintf(tmp, sizeof(tmp), "%s.new", j->path);
	nfd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (nfd < 0)
		return -errno;
	/* The new file is locked before it replaces the old one: never a moment unlocked. */
	if (flock(nfd, LOCK_EX | LOCK_NB) || write(nfd, line, (size_t)n) != n)
		rc = -errno;
	for (int i = 0; i < j->n && rc == 0; i++) {
		size_t len = journal_format_entry(&j->e[i], line, sizeof(line));

		if (write(nfd, line, len) != (ssize_t)len)
			rc = errno ? -errno : -EIO;
	}
	if (rc == 0 && (fsync(nfd) || rename(tmp, j->path)))
		rc = -errno;
	if (rc) {
		close(nfd);
		unlink(tmp);
		return rc;
	}
	close(fd);
	j->fd_plus1 = nfd + 1;
	return 0;
}

int journal_restore(struct journal *j, char *err, size_t errlen)
{
	bool failed[JOURNAL_MAX] = {0};
	int first = 0, kept = 0, rc;

	for (int i = j->n - 1; i >= 0; i--) {
		rc = journal_restore_entry(&j->e[i]);
		if (rc == 0)
			continue;
		failed[i] = true;
		if (!first) {
			first = rc;
			snprintf(err, errlen, "cannot restore %s to \"%s\": %s", j->e[i].path,
				 j->e[i].old, strerror(-rc));
		}
	}
	/* What could not be restored stays, for a later restore or the next start's recovery. */
	for (int i = 0; i < j->n; i++)
		if (failed[i])
			j->e[kept++] = j->e[i];
	j->n = kept;
	if (j->fd_plus1 > 0) {
		rc = rewrite(j);
		if (rc && !first) {
			first = rc;
			snprintf(err, errlen, "cannot rewrite the journal %s: %s", j->path,
				 strerror(-rc));
		}
	}
	return first;
}

int journal_close(struct journal *j, char *err, size_t errlen)
{
	int rc = journal_restore(j, err, errlen);

	if (j->fd_plus1 > 0) {
		/* A journal whose restore failed stays for the next start to try again. */
		if (rc == 0)
			unlink(j->path);
		close(j->fd_plus1 - 1);
		j->fd_plus1 = 0;
	}
	return rc;
}
