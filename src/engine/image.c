#include "engine/image.h"

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "engine/elfdeps.h"
#include "util/clock.h"

#define IMPORT_TIMEOUT_MS 600000L

extern const unsigned char rp_svc_blob[], rp_svc_blob_end[];

static int cmp_str(const void *a, const void *b)
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
				if (count == cap) {
					cap = cap ? cap * 2 : 32;
					char **q = realloc(v, cap * sizeof(*q));

					if (!q)
						return -1;
					v = q;
				}
				v[count++] = strdup(tmp);
			}
			*s = save;
			if (last)
				break;
		}
	}
	if (count > 1)
		qsort(v, count, sizeof(*v), cmp_str);
	*dirs = v;
	*n = count;
	return 0;
}

static int is_sticky_dir(const char *p)
{
	return strcmp(p, "/tmp") == 0 || strcmp(p, "/var/tmp") == 0;
}

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct rootfs_file *)a)->path, ((const struct rootfs_file *)b)->path);
}

static void digest_hex(struct sha256_ctx *ctx, char out[65])
{
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256_digest(ctx, sizeof(d), d);
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* ---- the tar, a step at a time ---- */

/* Where a tar's bytes go: 0, or non-zero to stop it. */
typedef int (*tar_sink)(void *ctx, const void *buf, size_t n);

#define TAR_CHUNK (64u << 10)

/*
 * A deterministic tar of an image spec, written a step at a time (a header, at most
 * TAR_CHUNK bytes of a file, or the archive's end), each step's bytes handed to a sink as
 * they come: the stress image is tens of MB, none of it is ever held whole.
 */
struct tar_pump {
	struct archive *a;
	struct rootfs_file *files; /* the spec's, sorted by path */
	char **dirs;
	size_t n_files, n_dirs, next; /* next entry: the directories, then the files */
	int fd;			      /* the host file being copied, or -1 */
	const unsigned char *blob;    /* or the blob being copied */
	const char *what;	      /* its name, for errors */
	int64_t left;		      /* its bytes still to copy */
	unsigned char buf[TAR_CHUNK];
	bool done;
	tar_sink sink;
	void *sink_ctx;
	char *err;
	size_t errlen;
};

static la_ssize_t pump_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
	struct tar_pump *p = ctx;

	(void)a;
	return p->sink(p->sink_ctx, buf, n) ? -1 : (la_ssize_t)n;
}

static int discard(void *ctx, const void *buf, size_t n)
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

/* 1 after a step, 0 once the archive is complete, -1 on an error (said in p->err). */
static int pump_step(struct tar_pump *p)
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

static void pump_free(struct tar_pump *p)
{
	end_source(p);
	/* Freeing an open archive writes its end: to nowhere now. */
	p->sink = discard;
	if (p->a)
		archive_write_free(p->a);
	for (size_t i = 0; i < p->n_dirs; i++)
		free(p->dirs[i]);
	free(p->dirs);
	free(p->files);
	memset(p, 0, sizeof(*p));
	p->fd = -1;
}

static int pump_open(struct tar_pump *p, const struct image_spec *spec, tar_sink sink, void *ctx,
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
	qsort(p->files, spec->n_files, sizeof(*p->files), cmp_file);
	p->n_files = spec->n_files;
	return 0;
fail:
	pump_free(p);
	return -1;
}

/* ---- the content digest: the image named without building it ---- */

static int sha_sink(void *ctx, const void *buf, size_t n)
{
	sha256_update(ctx, n, buf);
	return 0;
}

static void digest_changes(struct sha256_ctx *ctx, const struct image_spec *spec, char out[65])
{
	for (size_t i = 0; i < spec->n_changes; i++)
		sha256_update(ctx, strlen(spec->changes[i]) + 1, (const uint8_t *)spec->changes[i]);
	digest_hex(ctx, out);
}

int image_digest(const struct image_spec *spec, char out[65], char *err, size_t errlen)
{
	struct sha256_ctx ctx;
	struct tar_pump p;
	int rc;

	sha256_init(&ctx);
	if (pump_open(&p, spec, sha_sink, &ctx, err, errlen))
		return -1;
	while ((rc = pump_step(&p)) > 0)
		;
	pump_free(&p);
	if (rc)
		return -1;
	digest_changes(&ctx, spec, out);
	return 0;
}

/* ---- the upload: the tar, gzipped as it is written, read by libcurl as it sends ---- */

struct upload {
	struct tar_pump pump;
	z_stream z;
	bool z_open, finished;
	struct sha256_ctx sha; /* of the tar sent: it must be the one the digest named */
	unsigned char *out;    /* gzip output not sent yet: [pos, len) */
	size_t pos, len, cap;
	char err[256];
};

/* Deflates what z holds (with flush) into u->out until z needs more input, or ends. */
static int deflate_out(struct upload *u, int flush)
{
	int zr;

	do {
		if (u->cap - u->len < TAR_CHUNK) {
			unsigned char *o = realloc(u->out, u->cap + TAR_CHUNK);

			if (!o)
				return -1;
			u->out = o;
			u->cap += TAR_CHUNK;
		}
		u->z.next_out = u->out + u->len;
		u->z.avail_out = (uInt)(u->cap - u->len);
		zr = deflate(&u->z, flush);
		u->len = u->cap - u->z.avail_out;
		if (zr == Z_STREAM_ERROR)
			return -1;
	} while (u->z.avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
	return 0;
}

static int gzip_sink(void *ctx, const void *buf, size_t n)
{
	struct upload *u = ctx;

	sha256_update(&u->sha, n, buf);
	u->z.next_in = (Bytef *)buf;
	u->z.avail_in = (uInt)n;
	return deflate_out(u, Z_NO_FLUSH);
}

static size_t upload_read(char *buf, size_t len, void *ctx)
{
	struct upload *u = ctx;
	size_t n;

	while (u->pos == u->len && !u->finished) {
		int rc;

		u->pos = u->len = 0;
		rc = pump_step(&u->pump);
		if (rc == 0 && deflate_out(u, Z_FINISH) == 0)
			u->finished = true;
		else if (rc <= 0) {
			if (!u->err[0])
				snprintf(u->err, sizeof(u->err), "gzip failed");
			return CURL_READFUNC_ABORT;
		}
	}
	n = u->len - u->pos < len ? u->len - u->pos : len;
	memcpy(buf, u->out + u->pos, n);
	u->pos += n;
	return n;
}

static int upload_open(struct upload *u, const struct image_spec *spec)
{
	memset(u, 0, sizeof(*u));
	u->pump.fd = -1;
	sha256_init(&u->sha);
	/* 16 + 15 window bits: gzip framing, which the engine recognises. */
	if (deflateInit2(&u->z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		snprintf(u->err, sizeof(u->err), "gzip failed");
		return -1;
	}
	u->z_open = true;
	return pump_open(&u->pump, spec, gzip_sink, u, u->err, sizeof(u->err));
}

static void upload_free(struct upload *u)
{
	pump_free(&u->pump);
	if (u->z_open)
		deflateEnd(&u->z);
	free(u->out);
}

static int has_content_label(struct docker *d, const char *ref, const char *digest)
{
	json_object *o;
	int ok;

	if (docker_image_inspect(d, ref, &o))
		return 0;
	ok = strcmp(json_str(json_path(o, "Config.Labels"), IMAGE_LABEL_CONTENT, ""), digest) == 0;
	json_object_put(o);
	return ok;
}

int image_import_error(const char *body, size_t len, char *msg, size_t msglen)
{
	const char *p = body, *end = body + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		json_object *o = json_parse_buf(p, n);
		const char *e = json_str(o, "error", NULL);

		if (e) {
			snprintf(msg, msglen, "image import: %.400s", e);
			json_object_put(o);
			return 1;
		}
		json_object_put(o);
		p += n + 1;
	}
	return 0;
}

static int import_tar(struct docker *d, const char *ref, const struct image_spec *spec,
		      const char *digest, int (*abort_check)(void))
{
	char path[8192], change[512], sent[65];
	struct http_result res;
	struct upload *u;
	size_t off;
	const char *colon = strrchr(ref, ':');
	int rc;

	off = (size_t)snprintf(path, sizeof(path), "/images/create?fromSrc=-&repo=%.*s&tag=%s",
			       (int)(colon - ref), ref, colon + 1);
	for (size_t i = 0; i <= spec->n_changes && off < sizeof(path); i++) {
		char *esc;

		if (i == spec->n_changes)
			snprintf(change, sizeof(change), "LABEL %s=%s", IMAGE_LABEL_CONTENT,
				 digest);
		else
			snprintf(change, sizeof(change), "%s", spec->changes[i]);
		esc = curl_easy_escape(NULL, change, 0);
		if (!esc)
			break;
		off += (size_t)snprintf(path + off, sizeof(path) - off, "&changes=%s", esc);
		curl_free(esc);
	}
	if (off >= sizeof(path)) {
		snprintf(d->err, sizeof(d->err), "image import: request too long");
		return -E2BIG;
	}
	u = malloc(sizeof(*u));
	if (!u || upload_open(u, spec)) {
		snprintf(d->err, sizeof(d->err), "image import: %s", u ? u->err : "out of memory");
		if (u)
			upload_free(u);
		free(u);
		return -ENOMEM;
	}
	http_client_set_abort(d->http, abort_check);
	rc = http_upload(d->http, "POST", path, "application/x-tar", upload_read, u,
			 IMPORT_TIMEOUT_MS, &res);
	http_client_set_abort(d->http, NULL);
	if (d->hook)
		d->hook(d->hook_ctx, "image-import", res.start_ns, res.duration_ns,
			(int)res.status);
	if (u->err[0]) {
		snprintf(d->err, sizeof(d->err), "image import: %s", u->err);
		rc = -EIO;
	} else if (rc < 0) {
		snprintf(d->err, sizeof(d->err), "image import: %s", res.error);
		rc = -ECOMM;
	} else if (res.status != 200 || image_import_error(res.body.data ? res.body.data : "",
							   res.body.len, d->err, sizeof(d->err))) {
		if (res.status != 200)
			snprintf(d->err, sizeof(d->err),
				 "image import: engine answered %ld: %.300s", res.status,
				 res.body.data ? res.body.data : "");
		rc = -EIO;
	} else {
		digest_changes(&u->sha, spec, sent);
		if (strcmp(sent, digest) != 0) {
			/* Its label would name other content: not kept. */
			docker_image_remove(d, ref);
			snprintf(d->err, sizeof(d->err),
				 "image import: the host's files changed while %s was imported",
				 ref);
			rc = -EIO;
		}
	}
	http_result_free(&res);
	upload_free(u);
	free(u);
	return rc;
}

/* Tags of repo other than keep_ref: earlier contents, no longer wanted. */
static void remove_stale_tags(struct docker *d, const char *repo, const char *keep_ref)
{
	char filters[300], path[600];
	json_object *list = NULL;
	char *esc;

	snprintf(filters, sizeof(filters), "{\"reference\":[\"%s\"]}", repo);
	esc = curl_easy_escape(NULL, filters, 0);
	if (!esc)
		return;
	snprintf(path, sizeof(path), "/images/json?filters=%s", esc);
	curl_free(esc);
	if (docker_call(d, "image-list", "GET", path, NULL, 0, &list) ||
	    !json_object_is_type(list, json_type_array))
		goto out;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *tags = json_path(json_object_array_get_idx(list, i), "RepoTags");

		for (size_t k = 0; tags && k < json_object_array_length(tags); k++) {
			const char *t = json_object_get_string(json_object_array_get_idx(tags, k));

			if (t && strcmp(t, keep_ref) != 0 && strncmp(t, repo, strlen(repo)) == 0 &&
			    t[strlen(repo)] == ':')
				docker_image_remove(d, t);
		}
	}
out:
	json_object_put(list);
}

int image_ensure(struct docker *d, const struct image_spec *spec, char ref[IMAGE_REF_LEN],
		 int *built, int (*abort_check)(void))
{
	char digest[65];
	int rc = 0;

	*built = 0;
	if (image_digest(spec, digest, d->err, sizeof(d->err)))
		return -EIO;
	snprintf(ref, IMAGE_REF_LEN, "%s:%.12s", spec->repo, digest);
	if (!has_content_label(d, ref, digest)) {
		rc = import_tar(d, ref, spec, digest, abort_check);
		if (rc == 0 && !has_content_label(d, ref, digest)) {
			snprintf(d->err, sizeof(d->err), "image import: %s did not appear", ref);
			rc = -EIO;
		}
		*built = rc == 0;
	}
	if (rc == 0)
		remove_stale_tags(d, spec->repo, ref);
	return rc;
}

int image_ensure_stress(struct docker *d, const char *stress_ng_path, char ref[IMAGE_REF_LEN],
			int *built, int (*abort_check)(void))
{
	static const char *const changes[] = {"ENTRYPOINT [\"/usr/bin/stress-ng\"]",
					      "WORKDIR /tmp"};
	static const char *const dirs[] = {"/tmp", "/proc", "/sys", "/dev", "/etc"};
	struct elf_deps deps;
	struct rootfs_file *files;
	int rc;

	rc = elf_deps_resolve(stress_ng_path, &deps, d->err, sizeof(d->err));
	if (rc)
		return rc;
	files = calloc(deps.n + 1, sizeof(*files));
	if (!files) {
		elf_deps_free(&deps);
		return -ENOMEM;
	}
	snprintf(files[0].path, sizeof(files[0].path), "/usr/bin/stress-ng");
	files[0].host_path = stress_ng_path;
	files[0].mode = 0755;
	for (size_t i = 0; i < deps.n; i++) {
		snprintf(files[i + 1].path, sizeof(files[i + 1].path), "%s", deps.paths[i]);
		files[i + 1].host_path = deps.paths[i];
	}
	struct image_spec spec = {
		.repo = "restartprof-stress",
		.changes = changes,
		.n_changes = sizeof(changes) / sizeof(changes[0]),
		.files = files,
		.n_files = deps.n + 1,
		.dirs = dirs,
		.n_dirs = sizeof(dirs) / sizeof(dirs[0]),
	};
	rc = image_ensure(d, &spec, ref, built, abort_check);
	free(files);
	elf_deps_free(&deps);
	return rc;
}

int image_ensure_service(struct docker *d, char ref[IMAGE_REF_LEN], int *built,
			 int (*abort_check)(void))
{
	static const char *const changes[] = {"ENTRYPOINT [\"/restartprof-svc\"]",
					      "EXPOSE 8080/tcp"};
	static const char *const dirs[] = {"/tmp", "/proc", "/sys", "/dev", "/etc"};
	struct rootfs_file svc = {
		.path = "/restartprof-svc",
		.blob = rp_svc_blob,
		.blob_len = (size_t)(rp_svc_blob_end - rp_svc_blob),
		.mode = 0755,
	};
	struct image_spec spec = {
		.repo = "restartprof-svc",
		.changes = changes,
		.n_changes = 2,
		.files = &svc,
		.n_files = 1,
		.dirs = dirs,
		.n_dirs = sizeof(dirs) / sizeof(dirs[0]),
	};

	return image_ensure(d, &spec, ref, built, abort_check);
}
