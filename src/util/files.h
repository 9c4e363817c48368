// SPDX-License-Identifier: GPL-2.0-only
/* Files the tool creates as root: no symlink followed, nothing half-written left visible. */
#ifndef RP_UTIL_FILES_H
#define RP_UTIL_FILES_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* How file_read_all opens a file. */
enum {
	FILE_READ_FOLLOW = 1, /* follow a symlink in the last component (/proc, /sys) */
};

/*
 * The one whole-file reader: dirfd/name (AT_FDCWD for a path) into a fresh NUL-terminated
 * buffer (*out, *len without the NUL), read to its end whatever st_size says (files of /proc
 * report 0), interrupted reads retried. Refuses what is not a regular file (-EINVAL), a file
 * longer than limit bytes (-EFBIG), and a symlink unless FILE_READ_FOLLOW. 0 or -errno.
 */
int file_read_all(int dirfd, const char *name, size_t limit, unsigned flags, char **out,
		  size_t *len);
/*
 * The same into a caller's buffer: at most cap-1 bytes, NUL-terminated, follows symlinks
 * (it is for the small files of /proc and /sys). Bytes read, or -errno.
 */
ssize_t file_read_small(const char *path, char *out, size_t cap);

/* Creates dir (and parents) if missing, opens it without following a symlink. fd or -errno. */
int out_dir_open(const char *dir, int create);

/* Atomic replace of dirfd/name: write to a temporary, then rename over the name. */
struct atomic_file {
	int dirfd;
	int fd;
	FILE *f;
	char name[256];
	char tmp[300];
};

int atomic_file_begin(struct atomic_file *af, int dirfd, const char *name);
/* Renames into place on success; removes the temporary when failed is non-zero. 0 or -errno. */
int atomic_file_commit(struct atomic_file *af, int failed);
/* Whole-buffer convenience. */
int atomic_write(int dirfd, const char *name, const void *data, size_t len);

#endif
