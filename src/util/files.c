// SPDX-License-Identifier: GPL-2.0-only
#include "util/files.h"

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

static int mkdir_parents(const char *dir)
{
	char path[4096];
	size_t n = strlen(dir);

	if (n >= sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, dir, n + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int out_dir_open(const char *dir, int create)
{
	int fd, rc;

	if (create && (rc = mkdir_parents(dir)) < 0)
		return rc;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (faccessat(fd, ".", W_OK, AT_EACCESS) < 0) {
		int e = errno;

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
