// SPDX-License-Identifier: GPL-2.0-only
#include "util/files.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/array.h"

/* Reads fd to its end into *buf (capacity *cap, grown up to limit+1 bytes). Bytes or -errno. */
static ssize_t read_to_end(int fd, char **buf, size_t *cap, size_t limit)
{
	size_t got = 0;

	for (;;) {
		ssize_t n;

		if (got + 1 >= *cap) {
			if (got >= limit)
				return -EFBIG;
			if (array_reserve((void **)buf, cap, got + 2, 1))
				return -ENOMEM;
		}
		n = read(fd, *buf + got, *cap - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	if (got > limit)
		return -EFBIG;
	(*buf)[got] = '\0';
	return (ssize_t)got;
}

int file_read_all(int dirfd, const char *name, size_t limit, unsigned flags, char **out,
		  size_t *len)
{
	int fd = openat(dirfd, name,
			O_RDONLY | O_CLOEXEC | (flags & FILE_READ_FOLLOW ? 0 : O_NOFOLLOW));
	struct stat st;
	size_t cap = 0;
	char *buf = NULL;
	ssize_t n;

	*out = NULL;
	if (len)
		*len = 0;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if ((size_t)st.st_size > limit) {
		close(fd);
		return -EFBIG;
	}
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap < 64 ? (cap = 64) : cap);
	n = buf ? read_to_end(fd, &buf, &cap, limit) : -ENOMEM;
	close(fd);
	if (n < 0) {
		free(buf);
		return (int)n;
	}
	*out = buf;
	if (len)
		*len = (size_t)n;
	return 0;
}

ssize_t file_read_small(const char *path, char *out, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0)
		return -errno;
	while (got + 1 < cap) {
		ssize_t n = read(fd, out + got, cap - 1 - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (cap)
		out[got] = '\0';
	return (ssize_t)got;
}

static int use_openat2 = -1; /* unknown yet */

static bool openat2_wanted(void)
{
	if (use_openat2 < 0) {
		const char *off = getenv("RESTARTPROF_NO_OPENAT2");

		use_openat2 = !(off && *off && strcmp(off, "0") != 0);
	}
	return use_openat2;
}

/* One component below dirfd, opened as a directory without following a symlink. */
static int open_component(int dirfd, const char *name)
{
	int fd;

#ifdef SYS_openat2
	if (openat2_wanted()) {
		struct open_how how = {
			.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
			.resolve = RESOLVE_NO_SYMLINKS,
		};

		fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS)
			return -errno;
		use_openat2 = 0; /* a kernel older than 5.6: the manual walk from now on */
	}
#endif
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Why a component did not open: a symlink is -ELOOP whichever call refused it. */
static int component_error(int dirfd, const char *name, int err)
{
	struct stat st;

	if ((err == -ELOOP || err == -ENOTDIR) &&
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return S_ISLNK(st.st_mode) ? -ELOOP : -ENOTDIR;
	return err;
}

int dir_walk_open(const char *path, int create, struct dir_walk *w)
{
	char buf[sizeof(w->link)];
	size_t n = strlen(path);
	char *p = buf, *end;
	int fd;

	memset(w, 0, sizeof(*w));
	if (n == 0)
		return -ENOENT;
	if (n >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, n + 1);
	fd = open(path[0] == '/' ? "/" : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		int next;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchr(p, '/');
		if (end)
			*end = '\0';
		next = open_component(fd, p);
		if (next == -ENOENT && create) {
			int made = mkdirat(fd, p, 0755) == 0;

			w->made += made;
			next = made || errno == EEXIST ? open_component(fd, p) : -errno;
		}
		if (next < 0) {
			next = component_error(fd, p, next);
			if (next == -ELOOP)
				snprintf(w->link, sizeof(w->link), "%s", buf);
			close(fd);
			return next;
		}
		close(fd);
		fd = next;
		if (!end)
			break;
		*end = '/';
		p = end + 1;
	}
	return fd;
}

void dir_walk_undo(const char *path, const struct dir_walk *w)
{
	char buf[sizeof(w->link)];
	size_t n = strlen(path);

	if (n >= sizeof(buf))
		return;
	memcpy(buf, path, n + 1);
	for (int i = 0; i < w->made; i++) {
		struct dir_walk parent_walk;
		char *slash;
		int pfd, rc;

		while (n > 1 && buf[n - 1] == '/')
			buf[--n] = '\0';
		slash = strrchr(buf, '/');
		if (slash)
			*slash = '\0';
		pfd = dir_walk_open(!slash ? "." : slash == buf ? "/" : buf, 0, &parent_walk);
		if (pfd < 0)
			return;
		rc = unlinkat(pfd, slash ? slash + 1 : buf, AT_REMOVEDIR);
		close(pfd);
		if (rc < 0 || !slash)
			return;
		n = strlen(buf);
	}
}

int out_dir_open(const char *dir, int create)
{
	struct dir_walk w;
	int fd = dir_walk_open(dir, create, &w);

	if (fd < 0)
		return fd;
	if (faccessat(fd, ".", W_OK, AT_EACCESS) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	return fd;
}

int space_reserve(int dirfd, size_t bytes)
{
	static const char zeros[4096];
	int fd = openat(dirfd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600), e;

	if (fd < 0)
		return -errno;
	e = posix_fallocate(fd, 0, (off_t)bytes);
	/* A filesystem without fallocate: the same blocks, written. */
	for (size_t done = 0; e == EOPNOTSUPP && done < bytes;) {
		ssize_t n = write(fd, zeros,
				  bytes - done < sizeof(zeros) ? bytes - done : sizeof(zeros));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : EIO;
			break;
		}
		done += (size_t)n;
		if (done == bytes)
			e = 0;
	}
	if (e) {
		close(fd);
		return -e;
	}
	return fd;
}

int atomic_file_begin(struct atomic_file *af, int dirfd, const char *name)
{
	memset(af, 0, sizeof(*af));
	af->dirfd = dirfd;
	snprintf(af->name, sizeof(af->name), "%s", name);
	snprintf(af->tmp, sizeof(af->tmp), ".%s.%d.tmp", name, (int)getpid());
	af->fd =
		openat(dirfd, af->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (af->fd < 0)
		return -errno;
	af->f = fdopen(af->fd, "w");
	if (!af->f) {
		int e = errno;

		close(af->fd);
		unlinkat(dirfd, af->tmp, 0);
		return -e;
	}
	return 0;
}

int atomic_file_commit(struct atomic_file *af, int failed)
{
	int rc = 0;

	if (fflush(af->f) != 0 || ferror(af->f))
		rc = -(errno ? errno : EIO);
	if (!rc && !failed && fsync(af->fd) < 0)
		rc = -errno;
	fclose(af->f);
	af->f = NULL;
	if (failed || rc) {
		unlinkat(af->dirfd, af->tmp, 0);
		return rc ? rc : -ECANCELED;
	}
	if (renameat(af->dirfd, af->tmp, af->dirfd, af->name) < 0) {
		rc = -errno;
		unlinkat(af->dirfd, af->tmp, 0);
	}
	return rc;
}

int atomic_write(int dirfd, const char *name, const void *data, size_t len)
{
	struct atomic_file af;
	int rc = atomic_file_begin(&af, dirfd, name);

	if (rc)
		return rc;
	return atomic_file_commit(&af, fwrite(data, 1, len, af.f) != len);
}
