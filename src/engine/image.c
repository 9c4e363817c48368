#include "engine/image.h"

#include <archive.h>
#include <archive_entry.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
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

static la_ssize_t tar_write(struct archive *a, void *ctx, const void *buf, size_t n)
{
	(void)a;
	return http_buf_append(ctx, buf, n) ? -1 : (la_ssize_t)n;
}

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

static int write_host_file(struct archive *a, const struct rootfs_file *f, char *err, size_t errlen)
{
	char buf[1 << 16];
	struct stat st;
	ssize_t n;
	int fd, rc = -1;

	fd = open(f->host_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot read %s: %s", f->host_path,
			 fd < 0 ? strerror(errno) : "not a regular file");
		goto out;
	}
	if (write_header(a, f->path, AE_IFREG, f->mode ? f->mode : (st.st_mode & 0755),
			 st.st_size)) {
		snprintf(err, errlen, "tar: %s", archive_error_string(a));
		goto out;
	}
	int64_t left = st.st_size;

	/* Exactly the size announced, even if the file changes under us. */
	while (left > 0 &&
	       (n = read(fd, buf, left < (int64_t)sizeof(buf) ? (size_t)left : sizeof(buf))) > 0) {
		if (archive_write_data(a, buf, (size_t)n) != n)
			goto out;
		left -= n;
	}
	if (left) {
		snprintf(err, errlen, "%s changed while it was read", f->host_path);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	return rc;
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

int image_tar_build(const struct image_spec *spec, struct image_tar *out, char *err, size_t errlen)
{
	struct http_buf m = {0};
	struct rootfs_file *files = NULL;
	struct archive *a = archive_write_new();
	struct sha256_ctx ctx;
	char **dirs = NULL;
	size_t n_dirs = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!a || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, &m, NULL, tar_write, NULL) != ARCHIVE_OK) {
		snprintf(err, errlen, "tar: cannot start the archive");
		goto out;
	}
	if (collect_dirs(spec, &dirs, &n_dirs)) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n_dirs; i++)
		if (write_header(a, dirs[i], AE_IFDIR, is_sticky_dir(dirs[i]) ? 01777 : 0755, 0)) {
			snprintf(err, errlen, "tar: %s", archive_error_string(a));
			goto out;
		}
	files = malloc((spec->n_files + 1) * sizeof(*files));
	if (!files)
		goto out;
	memcpy(files, spec->files, spec->n_files * sizeof(*files));
	qsort(files, spec->n_files, sizeof(*files), cmp_file);
	for (size_t i = 0; i < spec->n_files; i++) {
		const struct rootfs_file *f = &files[i];

		if (f->host_path) {
			if (write_host_file(a, f, err, errlen))
				goto out;
			continue;
		}
		if (write_header(a, f->path, AE_IFREG, f->mode ? f->mode : 0755,
				 (int64_t)f->blob_len) ||
		    archive_write_data(a, f->blob, f->blob_len) != (la_ssize_t)f->blob_len) {
			snprintf(err, errlen, "tar: %s", archive_error_string(a));
			goto out;
		}
	}
	if (archive_write_close(a) != ARCHIVE_OK) {
		snprintf(err, errlen, "tar: %s", archive_error_string(a));
		goto out;
	}
	sha256_init(&ctx);
	sha256_update(&ctx, m.len, (const uint8_t *)m.data);
	for (size_t i = 0; i < spec->n_changes; i++)
		sha256_update(&ctx, strlen(spec->changes[i]) + 1,
			      (const uint8_t *)spec->changes[i]);
	digest_hex(&ctx, out->digest);
	out->data = (unsigned char *)m.data;
	out->len = m.len;
	m.data = NULL;
	rc = 0;
out:
	if (a)
		archive_write_free(a);
	for (size_t i = 0; i < n_dirs; i++)
		free(dirs[i]);
	free(dirs);
	free(files);
	free(m.data);
	return rc;
}

void image_tar_free(struct image_tar *t)
{
	free(t->data);
	t->data = NULL;
}

int image_gzip(const void *in, size_t len, unsigned char **out, size_t *out_len)
{
	z_stream z = {0};
	uLong cap = compressBound((uLong)len) + 64;
	unsigned char *buf = malloc(cap);

	if (!buf)
		return -1;
	/* 16 + 15 window bits: gzip framing, which the engine recognises. */
	if (deflateInit2(&z, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		free(buf);
		return -1;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	int rc = deflate(&z, Z_FINISH);

	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = z.total_out;
	return 0;
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
		      const struct image_tar *tar, int (*abort_check)(void))
{
	char path[8192], change[512];
	struct http_result res;
	unsigned char *gz;
	size_t gz_len, off;
	const char *colon = strrchr(ref, ':');
	int rc;

	if (image_gzip(tar->data, tar->len, &gz, &gz_len)) {
		snprintf(d->err, sizeof(d->err), "image import: gzip failed");
		return -ENOMEM;
	}
	off = (size_t)snprintf(path, sizeof(path), "/images/create?fromSrc=-&repo=%.*s&tag=%s",
			       (int)(colon - ref), ref, colon + 1);
	for (size_t i = 0; i <= spec->n_changes && off < sizeof(path); i++) {
		char *esc;

		if (i == spec->n_changes)
			snprintf(change, sizeof(change), "LABEL %s=%s", IMAGE_LABEL_CONTENT,
				 tar->digest);
		else
			snprintf(change, sizeof(change), "%s", spec->changes[i]);
		esc = curl_easy_escape(NULL, change, 0);
		if (!esc)
			break;
		off += (size_t)snprintf(path + off, sizeof(path) - off, "&changes=%s", esc);
		curl_free(esc);
	}
	if (off >= sizeof(path)) {
		free(gz);
		snprintf(d->err, sizeof(d->err), "image import: request too long");
		return -E2BIG;
	}
	http_client_set_abort(d->http, abort_check);
	rc = http_call(d->http, "POST", path, "application/x-tar", gz, gz_len, IMPORT_TIMEOUT_MS,
		       &res);
	http_client_set_abort(d->http, NULL);
	free(gz);
	if (d->hook)
		d->hook(d->hook_ctx, "image-import", res.start_ns, res.duration_ns,
			(int)res.status);
	if (rc < 0) {
		snprintf(d->err, sizeof(d->err), "image import: %s", res.error);
		rc = -ECOMM;
	} else if (res.status != 200 || image_import_error(res.body.data ? res.body.data : "",
							   res.body.len, d->err, sizeof(d->err))) {
		if (res.status != 200)
			snprintf(d->err, sizeof(d->err),
				 "image import: engine answered %ld: %.300s", res.status,
				 res.body.data ? res.body.data : "");
		rc = -EIO;
	}
	http_result_free(&res);
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
	struct image_tar tar;
	int rc;

	*built = 0;
	rc = image_tar_build(spec, &tar, d->err, sizeof(d->err));
	if (rc)
		return -EIO;
	snprintf(ref, IMAGE_REF_LEN, "%s:%.12s", spec->repo, tar.digest);
	if (!has_content_label(d, ref, tar.digest)) {
		rc = import_tar(d, ref, spec, &tar, abort_check);
		if (rc == 0 && !has_content_label(d, ref, tar.digest)) {
			snprintf(d->err, sizeof(d->err), "image import: %s did not appear", ref);
			rc = -EIO;
		}
		*built = rc == 0;
	}
	if (rc == 0)
		remove_stale_tags(d, spec->repo, ref);
	image_tar_free(&tar);
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
