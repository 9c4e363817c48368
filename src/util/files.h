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

/* Creates dir (and parents) if missing and opens it, refusing a symlink in any component
 * (dir_walk_open below) and a directory this process cannot write. fd or -errno. */
int out_dir_open(const char *dir, int create);

/*
 * A directory path resolved as root may: component by component, never through a symlink
 * (openat2 with RESOLVE_NO_SYMLINKS where the kernel has it, else openat with O_NOFOLLOW at
 * each step; RESTARTPROF_NO_OPENAT2=1 in the environment forces the second, for tests).
 */
struct dir_walk {
	int made;	 /* trailing components this walk created (dir_walk_undo removes them) */
	char link[4096]; /* after -ELOOP: the path up to the component that is a symlink */
};

/*
 * Opens path as a directory (O_RDONLY), creating missing components (0755) when create.
 * fd, or -errno: -ELOOP when a component is a symlink (w->link names it), -ENOTDIR when one
 * is not a directory.
 */
int dir_walk_open(const char *path, int create, struct dir_walk *w);
/* Removes the directories the walk created, deepest first, as long as they are empty. */
void dir_walk_undo(const char *path, const struct dir_walk *w);

/*
 * Space held on dirfd's filesystem by an unnamed file (O_TMPFILE: it goes with the process
 * whatever happens), so that a last small write still fits once the disk is full: close the
 * fd to hand the space back. fd or -errno.
 */
int space_reserve(int dirfd, size_t bytes);

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
