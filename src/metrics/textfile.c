// SPDX-License-Identifier: GPL-2.0-only
/* The textfile export: one atomic replace of DIR/restartprof.prom per call. */
#include "metrics/textfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics/registry.h"
#include "util/files.h"

struct metrics_textfile {
	int dirfd;
	char dir[4096];
};

static const char *open_reason(int e)
{
	switch (e) {
	case ENOENT:
		return "no such directory";
	case ENOTDIR:
		return "not a directory";
	case ELOOP:
		return "a symbolic link in the path (give the real directory)";
	case EACCES:
		return "not writable";
	default:
		return strerror(e);
	}
}

int metrics_textfile_open(const char *dir, struct metrics_textfile **out, char *err, size_t errlen)
{
	struct metrics_textfile *t;
	int fd = out_dir_open(dir, 0);

	if (fd < 0) {
		snprintf(err, errlen, "--textfile %s: %s", dir, open_reason(-fd));
		return fd;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		close(fd);
		snprintf(err, errlen, "--textfile %s: out of memory", dir);
		return -ENOMEM;
	}
	t->dirfd = fd;
	snprintf(t->dir, sizeof(t->dir), "%s", dir);
	*out = t;
	return 0;
}

int metrics_textfile_write(struct metrics_textfile *t, struct metrics *m, char *err, size_t errlen)
{
	char *buf;
	size_t len;
	int rc = metrics_render(m, &buf, &len);

	if (rc) {
		snprintf(err, errlen, "--textfile %s: %s", t->dir, strerror(-rc));
		return rc;
	}
	rc = atomic_write(t->dirfd, METRICS_TEXTFILE_NAME, buf, len);
	free(buf);
	if (rc)
		snprintf(err, errlen, "--textfile %s: writing %s: %s", t->dir,
			 METRICS_TEXTFILE_NAME, strerror(-rc));
	return rc;
}

void metrics_textfile_close(struct metrics_textfile *t)
{
	if (!t)
		return;
	close(t->dirfd);
	free(t);
}
