// SPDX-License-Identifier: GPL-2.0-only
/* Locks of live runs under /run/restartprof: taken, tested, listed, swept. */
#include "trial/run_lock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/files.h"

#define LOCK_SUFFIX ".lock"

/* The lock directory, made if missing; refused unless ours and writable by nobody else. */
static int lock_dir_open(int create)
{
	struct dir_walk w;
	struct stat st;
	int fd = dir_walk_open(RUN_LOCK_DIR, create, &w);

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & 022)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

static void lock_name(const char *run_id, char *out, size_t len)
{
	snprintf(out, len, "%s" LOCK_SUFFIX, run_id);
}

/* True while dirfd/name is still the file fd has open (a sweep may have unlinked it). */
static int still_named(int dirfd, const char *name, int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int run_lock_take(struct run_lock *l, const char *run_id, const char *kind)
{
	int dirfd = lock_dir_open(1), e = 0;
	char text[128];

	l->fd = -1;
	lock_name(run_id, l->name, sizeof(l->name));
	if (dirfd < 0)
		return dirfd;
	for (int tries = 0; tries < 3 && l->fd < 0 && !e; tries++) {
		int fd = openat(dirfd, l->name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
				0644);

		if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0) {
			e = -errno;
			if (fd >= 0)
				close(fd);
		} else if (!still_named(dirfd, l->name, fd)) {
			close(fd); /* swept between create and lock: again */
		} else {
			l->fd = fd;
		}
	}
	if (l->fd >= 0) {
		int n = snprintf(text, sizeof(text), "%s %d\n", kind, (int)getpid());

		/* The lock is what counts; the text only describes it to the others. */
		if (write(l->fd, text, (size_t)n) != n)
			e = 0;
	} else if (!e) {
		e = -EAGAIN;
	}
	close(dirfd);
	return l->fd >= 0 ? 0 : e;
}

void run_lock_release(struct run_lock *l)
{
	int dirfd;

	if (l->fd < 0)
		return;
	dirfd = lock_dir_open(0);
	if (dirfd >= 0) {
		if (still_named(dirfd, l->name, l->fd))
			unlinkat(dirfd, l->name, 0);
		close(dirfd);
	}
	close(l->fd);
	l->fd = -1;
}

/* RUN_LIVE, RUN_GONE or RUN_UNKNOWN for dirfd/name; with take, a gone one stays locked by
 * us in *fd_out for the caller to unlink. */
static enum run_liveness test_lock(int dirfd, const char *name, int take, int *fd_out)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	enum run_liveness st;

	if (fd < 0)
		return RUN_UNKNOWN;
	if (flock(fd, (take ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0)
		st = RUN_GONE;
	else
		st = errno == EWOULDBLOCK ? RUN_LIVE : RUN_UNKNOWN;
	if (take && st == RUN_GONE) {
		*fd_out = fd;
		return st;
	}
	close(fd);
	return st;
}

enum run_liveness run_lock_liveness(const char *run_id)
{
	int dirfd = lock_dir_open(0);
	enum run_liveness st;
	char name[64];

	if (dirfd < 0)
		return RUN_UNKNOWN;
	lock_name(run_id, name, sizeof(name));
	st = test_lock(dirfd, name, 0, NULL);
	close(dirfd);
	return st;
}

static int is_lock_name(const char *name)
{
	size_t n = strlen(name), s = strlen(LOCK_SUFFIX);

	return name[0] != '.' && n > s && n - s < sizeof(((struct run_concurrent *)0)->run_id) &&
	       strcmp(name + n - s, LOCK_SUFFIX) == 0;
}

/* Fills c from the lock file's text ("kind pid"). */
static void describe_peer(int dirfd, const char *name, struct run_concurrent *c)
{
	char *text = NULL;
	size_t n = strlen(name) - strlen(LOCK_SUFFIX);

	memset(c, 0, sizeof(*c));
	memcpy(c->run_id, name, n);
	snprintf(c->kind, sizeof(c->kind), "run");
	if (file_read_all(dirfd, name, 256, 0, &text, NULL) == 0) {
		char kind[16];
		int pid;

		if (sscanf(text, "%15s %d", kind, &pid) == 2) {
			snprintf(c->kind, sizeof(c->kind), "%s", kind);
			c->pid = pid;
		}
	}
	free(text);
}

/* Calls visit for each lock file in the lock directory; the sum of what it returns. */
static int each_lock(int (*visit)(int dirfd, const char *name, void *ctx), void *ctx)
{
	int dirfd = lock_dir_open(0), n = 0;
	struct dirent *e;
	DIR *d;

	if (dirfd < 0)
		return 0;
	d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return 0;
	}
	while ((e = readdir(d)))
		if (is_lock_name(e->d_name))
			n += visit(dirfd, e->d_name, ctx);
	closedir(d);
	return n;
}

struct peers_ctx {
	char own[64];
	struct run_concurrent *out;
	int max, n;
};

static int visit_peer(int dirfd, const char *name, void *ctx)
{
	struct peers_ctx *p = ctx;

	if (strcmp(name, p->own) == 0 || test_lock(dirfd, name, 0, NULL) != RUN_LIVE)
		return 0;
	if (p->n < p->max)
		describe_peer(dirfd, name, &p->out[p->n]);
	p->n++;
	return 1;
}

int run_lock_peers(const char *own_run_id, struct run_concurrent *out, int max)
{
	struct peers_ctx p = {.out = out, .max = max};

	lock_name(own_run_id, p.own, sizeof(p.own));
	return each_lock(visit_peer, &p);
}

static int sweep_one(int dirfd, const char *name, void *ctx)
{
	int fd = -1, removed;

	(void)ctx;
	if (test_lock(dirfd, name, 1, &fd) != RUN_GONE)
		return 0;
	/* Unlinked while we hold it: a run taking the same name sees it go and retries. */
	removed = unlinkat(dirfd, name, 0) == 0;
	close(fd);
	return removed;
}

int run_lock_sweep(void)
{
	return each_lock(sweep_one, NULL);
}
