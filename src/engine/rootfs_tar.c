// SPDX-License-Identifier: GPL-2.0-only
/* The root filesystem of an image as a tar: directories, host files and blobs, sorted, no times. */
#include "engine/rootfs_tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/array.h"

static int cmp_dir_path(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int write_header(struct archive *a, const char *path, mode_t type, mode_t perm, int64_t size)
{
	struct archive_entry *e = archive_entry_new();
	int rc;

	if (!e)
		return -1;
	archive_entry_set_pathname(e, path + (path[0] == '/'));
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, perm);
	archive_entry_set_size(e, size);
	archive_entry_set_mtime(e, 0, 0);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	rc = archive_write_header(a, e);
	archive_entry_free(e);
	return rc == ARCHIVE_OK ? 0 : -1;
}

/* Every directory above each file, plus the spec's own, sorted and unique. */
static int collect_dirs(const struct image_spec *spec, char ***dirs, size_t *n)
{
	char **v = NULL;
	size_t count = 0, cap = 0;

	for (size_t i = 0; i < spec->n_files + spec->n_dirs; i++) {
		const char *p =
			i < spec->n_files ? spec->files[i].path : spec->dirs[i - spec->n_files];
		char tmp[256];

		snprintf(tmp, sizeof(tmp), "%s", p);
		for (char *s = tmp + 1;; s++) {
			int last = (*s == '\0');

			if (*s != '/' && !last)
				continue;
			if (last && i < spec->n_files)
				break;
			char save = *s;

			*s = '\0';
			int dup = 0;

			for (size_t k = 0; k < count && !dup; k++)
				dup = strcmp(v[k], tmp) == 0;
			if (!dup) {
				if (array_reserve((void **)&v, &cap, count + 1, sizeof(*v)))
					return -1;
				v[count++] = strdup(tmp);
			}
			*s = save;
			if (last)
				break;
		}
	}
	if (count > 1)
		qsort(v, count, sizeof(*v), cmp_dir_path);
	*dirs = v;
	*n = count;
	return 0;
}

static int is_sticky_dir(const char *p)
{
	return strcmp(p, "/tmp") == 0 || strcmp(p, "/var/tmp") == 0;
}

static int cmp_file_path(const void *a, const void *b)
{
	return strcmp(((const struct rootfs_file *)a)->path, ((const struct rootfs_file *)b)->path);
}

static la_ssize_t pump_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
	struct tar_pump *p = ctx;

	(void)a;
	return p->sink(p->sink_ctx, buf, n) ? -1 : (la_ssize_t)n;
}

static int discard_bytes(void *ctx, const void *buf, size_t n)
{
	(void)ctx, (void)buf, (void)n;
	return 0;
}

static int tar_error(struct tar_pump *p)
{
	if (!p->err[0])
		snprintf(p->err, p->errlen, "tar: %s", archive_error_string(p->a));
	return -1;
}

static void end_source(struct tar_pump *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	p->blob = NULL;
	p->left = 0;
}

static int open_host_file(struct tar_pump *p, const struct rootfs_file *f)
{
	struct stat st;
	int fd = open(f->host_path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(p->err, p->errlen, "cannot read %s: %s", f->host_path,
			 fd < 0 ? strerror(errno) : "not a regular file");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	p->fd = fd;
	p->what = f->host_path;
	p->left = st.st_size;
	if (write_header(p->a, f->path, AE_IFREG, f->mode ? f->mode : (st.st_mode & 0755),
			 st.st_size))
		return tar_error(p);
	return 1;
}

static int open_blob(struct tar_pump *p, const struct rootfs_file *f)
{
	p->blob = f->blob;
	p->what = f->path;
	p->left = (int64_t)f->blob_len;
	if (write_header(p->a, f->path, AE_IFREG, f->mode ? f->mode : 0755, p->left))
		return tar_error(p);
	return 1;
}

/* The next chunk of the file or blob being copied: exactly the size its header announced. */
static int copy_chunk(struct tar_pump *p)
{
	size_t want = p->left < (int64_t)TAR_CHUNK ? (size_t)p->left : TAR_CHUNK;
	const void *data = p->blob;
	ssize_t n = (ssize_t)want;

	if (p->fd >= 0) {
		do
			n = read(p->fd, p->buf, want);
		while (n < 0 && errno == EINTR);
		data = p->buf;
		if (n <= 0) {
			snprintf(p->err, p->errlen, "%s %s while it was read", p->what,
				 n < 0 ? strerror(errno) : "changed");
			return -1;
		}
	}
	if (archive_write_data(p->a, data, (size_t)n) != n)
		return tar_error(p);
	p->left -= n;
	if (p->blob)
		p->blob += n;
	if (!p->left)
		end_source(p);
	return 1;
}

int tar_pump_step(struct tar_pump *p)
{
	if (p->done)
		return 0;
	if (p->left)
		return copy_chunk(p);
	end_source(p);
	if (p->next < p->n_dirs) {
		const char *dir = p->dirs[p->next++];

		return write_header(p->a, dir, AE_IFDIR, is_sticky_dir(dir) ? 01777 : 0755, 0)
			       ? tar_error(p)
			       : 1;
	}
	if (p->next < p->n_dirs + p->n_files) {
		const struct rootfs_file *f = &p->files[p->next++ - p->n_dirs];

		return f->host_path ? open_host_file(p, f) : open_blob(p, f);
	}
	if (archive_write_close(p->a) != ARCHIVE_OK)
		return tar_error(p);
	p->done = true;
	return 0;
}

void tar_pump_free(struct tar_pump *p)
{
	end_source(p);
	/* Freeing an open archive writes its end: to nowhere now. */
	p->sink = discard_bytes;
	if (p->a)
		archive_write_free(p->a);
	for (size_t i = 0; i < p->n_dirs; i++)
		free(p->dirs[i]);
	free(p->dirs);
	free(p->files);
	memset(p, 0, sizeof(*p));
	p->fd = -1;
}

int tar_pump_open(struct tar_pump *p, const struct image_spec *spec, tar_sink sink, void *ctx,
		  char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->sink = sink;
	p->sink_ctx = ctx;
	p->err = err;
	p->errlen = errlen;
	err[0] = '\0';
	p->a = archive_write_new();
	if (!p->a || archive_write_set_format_pax_restricted(p->a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(p->a, 1) != ARCHIVE_OK ||
	    archive_write_open(p->a, p, NULL, pump_write, NULL) != ARCHIVE_OK) {
		snprintf(err, errlen, "tar: cannot start the archive");
		goto fail;
	}
	p->files = malloc((spec->n_files + 1) * sizeof(*p->files));
	if (!p->files || collect_dirs(spec, &p->dirs, &p->n_dirs)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	memcpy(p->files, spec->files, spec->n_files * sizeof(*p->files));
	qsort(p->files, spec->n_files, sizeof(*p->files), cmp_file_path);
	p->n_files = spec->n_files;
	return 0;
fail:
	tar_pump_free(p);
	return -1;
}
