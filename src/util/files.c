#include "util/files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
