/* Files the tool creates as root: no symlink followed, nothing half-written left visible. */
#ifndef RP_UTIL_FILES_H
#define RP_UTIL_FILES_H

#include <stddef.h>
#include <stdio.h>

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
