// SPDX-License-Identifier: GPL-2.0-only
/* Images from host files: named by their content, imported into the engine, old tags removed. */
#include "engine/image.h"

#include <curl/curl.h>
#include <errno.h>
#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "engine/elfdeps.h"
#include "engine/rootfs_tar.h"
#include "util/array.h"
#include "util/clock.h"
#include "util/heap.h"

#define IMPORT_TIMEOUT_MS 600000L

extern const unsigned char rp_svc_blob[], rp_svc_blob_end[];

static void digest_hex(struct sha256_ctx *ctx, char out[65])
{
	uint8_t d[SHA256_DIGEST_SIZE];

	sha256_digest(ctx, sizeof(d), d);
	for (int i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
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
	if (tar_pump_open(&p, spec, sha_sink, &ctx, err, errlen))
		return -1;
	while ((rc = tar_pump_step(&p)) > 0)
		;
	tar_pump_free(&p);
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
		if (array_reserve((void **)&u->out, &u->cap, u->len + TAR_CHUNK, 1))
			return -1;
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
		rc = tar_pump_step(&u->pump);
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
	return tar_pump_open(&u->pump, spec, gzip_sink, u, u->err, sizeof(u->err));
}

static void upload_free(struct upload *u)
{
	tar_pump_free(&u->pump);
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

/*
 * The image id an import reported: Docker's last progress object says {"status":"sha256:..."},
 * Podman's also has "id". 1 if found.
 */
int image_import_id(const char *body, size_t len, char id[80])
{
	const char *p = body, *end = body + len;
	int found = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		json_object *o = json_parse_buf(p, n);
		const char *v = json_str(o, "id", NULL);

		if (!v || strncmp(v, "sha256:", 7) != 0)
			v = json_str(o, "status", "");
		/* It goes into a path: hex digits only after the prefix. */
		if (strncmp(v, "sha256:", 7) == 0 && strlen(v) < 80 && v[7] &&
		    strspn(v + 7, "0123456789abcdef") == strlen(v + 7)) {
			snprintf(id, 80, "%s", v);
			found = 1;
		}
		json_object_put(o);
		p += n + 1;
	}
	return found;
}

/*
 * Names the imported image ref explicitly. Docker already did (repo and tag of the import);
 * Podman 4.3 ignores the import's tag and names it docker.io/library/REPO:latest (other
 * versions: localhost/REPO:latest), so the tag is set here, on both engines alike.
 */
static int tag_import(struct docker *d, const char *id, const char *ref)
{
	const char *colon = strrchr(ref, ':');
	char path[512];

	snprintf(path, sizeof(path), "/images/%s/tag?repo=%.*s&tag=%s", id, (int)(colon - ref), ref,
		 colon + 1);
	return docker_call(d, "image-tag", "POST", path, NULL, 0, NULL);
}

/* "docker.io/library/REPO:TAG" or "localhost/REPO:TAG", as Podman names images: REPO:TAG. */
static const char *short_name(const char *t)
{
	static const char *const prefixes[] = {"docker.io/library/", "localhost/"};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(t, prefixes[i], strlen(prefixes[i])) == 0)
			return t + strlen(prefixes[i]);
	return t;
}

static int import_tar(struct docker *d, const char *ref, const struct image_spec *spec,
		      const char *digest, int (*abort_check)(void))
{
	char path[8192], change[512], sent[65], id[80];
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
	} else if (!image_import_id(res.body.data ? res.body.data : "", res.body.len, id)) {
		snprintf(d->err, sizeof(d->err), "image import: the engine named no image id");
		rc = -EIO;
	} else if ((rc = tag_import(d, id, ref)) != 0) {
		/* d->err names the call */
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
			const char *s = t ? short_name(t) : NULL;

			if (s && strcmp(s, keep_ref) != 0 && strncmp(s, repo, strlen(repo)) == 0 &&
			    s[strlen(repo)] == ':')
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
	int rc = image_ensure(d, &spec, ref, built, abort_check);

	mapped_give_back(svc.blob, svc.blob_len); /* hashed, and sent if it had to be */
	return rc;
}
