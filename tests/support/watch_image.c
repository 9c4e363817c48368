// SPDX-License-Identifier: GPL-2.0-only
/* Containers for the tests of watch: their image, made from host files, and their lifecycle. */
#include "support/watch_image.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/elfdeps.h"
#include "engine/kind.h"

extern const unsigned char rp_svc_blob[], rp_svc_blob_end[];

#define MAX_FILES 64

struct file_list {
	struct rootfs_file files[MAX_FILES];
	char *hosts[MAX_FILES]; /* owned copies of the host paths */
	size_t n;
};

static int list_add(struct file_list *l, const char *image_path, const char *host_path)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->files[i].path, image_path) == 0)
			return 0;
	if (l->n == MAX_FILES)
		return -ENOSPC;
	l->hosts[l->n] = strdup(host_path);
	snprintf(l->files[l->n].path, sizeof(l->files[l->n].path), "%s", image_path);
	l->files[l->n].host_path = l->hosts[l->n];
	l->files[l->n].mode = 0755;
	l->n++;
	return 0;
}

/* A host program at image_path, with its interpreter and libraries where the host has them. */
static int add_program(struct file_list *l, const char *host_program, const char *image_path,
		       char *err, size_t errlen)
{
	char real[PATH_MAX];
	struct elf_deps deps;
	int rc;

	if (!realpath(host_program, real)) {
		snprintf(err, errlen, "%s: %s", host_program, strerror(errno));
		return -errno;
	}
	rc = elf_deps_resolve(real, &deps, err, errlen);
	if (rc)
		return rc;
	rc = list_add(l, image_path, real);
	for (size_t i = 0; i < deps.n && rc == 0; i++)
		rc = list_add(l, deps.paths[i], deps.paths[i]);
	elf_deps_free(&deps);
	return rc;
}

int watch_image_ensure(struct docker *d, char ref[IMAGE_REF_LEN])
{
	static const char *const changes[] = {"ENTRYPOINT [\"/bin/sh\", \"-c\"]",
					      "CMD [\"" WATCH_SCRIPT_SERVE "\"]",
					      "EXPOSE 8080/tcp"};
	static const char *const dirs[] = {"/tmp", "/proc", "/sys", "/dev", "/etc"};
	struct file_list l = {.n = 0};
	int built, rc;

	l.files[0] = (struct rootfs_file){.path = "/restartprof-svc",
					  .blob = rp_svc_blob,
					  .blob_len = (size_t)(rp_svc_blob_end - rp_svc_blob),
					  .mode = 0755};
	l.n = 1;
	rc = add_program(&l, "/bin/sh", "/bin/sh", d->err, sizeof(d->err));
	if (rc == 0)
		rc = add_program(&l, "/bin/sleep", "/bin/sleep", d->err, sizeof(d->err));
	if (rc == 0) {
		struct image_spec spec = {
			.repo = "restartprof-watch-test",
			.changes = changes,
			.n_changes = sizeof(changes) / sizeof(changes[0]),
			.files = l.files,
			.n_files = l.n,
			.dirs = dirs,
			.n_dirs = sizeof(dirs) / sizeof(dirs[0]),
		};
		rc = image_ensure(d, &spec, ref, &built, NULL);
	}
	for (size_t i = 0; i < l.n; i++)
		free(l.hosts[i]);
	return rc;
}

static json_object *container_config(const struct docker *d, const char *image,
				     const struct watch_container *c)
{
	json_object *cfg = json_object_new_object(), *cmd = json_object_new_array();
	json_object *labels = json_object_new_object(), *host = json_object_new_object();

	json_object_object_add(cfg, "Image", json_object_new_string(image));
	json_object_array_add(cmd, json_object_new_string(c->script));
	json_object_object_add(cfg, "Cmd", cmd);
	json_object_object_add(labels, WATCH_TEST_LABEL_KEY, json_object_new_string("watch"));
	if (c->project && c->service) {
		json_object_object_add(labels, "com.docker.compose.project",
				       json_object_new_string(c->project));
		json_object_object_add(labels, "com.docker.compose.service",
				       json_object_new_string(c->service));
	}
	json_object_object_add(cfg, "Labels", labels);
	if (c->restart_policy) {
		json_object *policy = json_object_new_object();

		json_object_object_add(policy, "Name", json_object_new_string(c->restart_policy));
		if (strcmp(c->restart_policy, "on-failure") == 0)
			json_object_object_add(policy, "MaximumRetryCount",
					       json_object_new_int(c->max_retries));
		json_object_object_add(host, "RestartPolicy", policy);
	}
	engine_add_ulimits(d, host); /* Podman's defaults exceed what some machines allow */
	json_object_object_add(cfg, "HostConfig", host);
	return cfg;
}

int watch_container_run(struct docker *d, const char *image, const struct watch_container *c,
			char id[65])
{
	json_object *cfg = container_config(d, image, c);
	int rc = docker_container_create(d, c->name, cfg, id);

	json_object_put(cfg);
	return rc ? rc : docker_container_start(d, id);
}

int watch_container_restart(struct docker *d, const char *id, int grace_s)
{
	char path[256];

	if (!docker_name_valid(id))
		return -EINVAL;
	snprintf(path, sizeof(path), "/containers/%s/restart?t=%d", id, grace_s);
	return docker_call(d, "restart", "POST", path, NULL, (grace_s + 60) * 1000L, NULL);
}

int watch_container_retire(struct docker *d, const char *id)
{
	int rc = docker_container_stop(d, id, 1);

	if (rc && rc != -EALREADY)
		return rc;
	return docker_container_remove(d, id, 0);
}

int watch_containers_remove_all(struct docker *d)
{
	json_object *list;
	int n = 0;

	if (docker_containers_by_label(d, WATCH_TEST_LABEL, &list))
		return -1;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		const char *id = json_str(json_object_array_get_idx(list, i), "Id", "");

		if (docker_container_remove(d, id, 1) == 0)
			n++;
	}
	json_object_put(list);
	return n;
}
