// SPDX-License-Identifier: GPL-2.0-only
#include "trial/leftovers.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "engine/image.h"
#include "trial/run_lock.h"
#include "trial/session.h"

/* A run holding its lock is alive whatever PID namespace it or we are in; the owner label's
 * pid only decides for runs without a lock file. */
static bool run_alive(const char *run, const char *owner)
{
	switch (run_lock_liveness(run)) {
	case RUN_LIVE:
		return true;
	case RUN_GONE:
		return false;
	default:
		return owner_alive(owner);
	}
}

int leftovers_remove(struct docker *d, void (*on_removed)(void *ctx, const char *line), void *ctx)
{
	json_object *list;
	int n_removed = 0, rc;

	rc = docker_containers_by_label(d, LABEL_RUN, &list);
	if (rc)
		return rc;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		json_object *c = json_object_array_get_idx(list, i);
		json_object *labels = json_path(c, "Labels");
		const char *id = json_str(c, "Id", "");
		const char *owner = json_str(labels, LABEL_OWNER, "");
		const char *run = json_str(labels, LABEL_RUN, "?");

		if (!*id || run_alive(run, owner))
			continue;
		if (docker_container_remove(d, id, 1) == 0) {
			char line[512];

			n_removed++;
			snprintf(line, sizeof(line),
				 "removed container %.12s (%s) left by run %s, whose process is "
				 "gone",
				 id, json_str(labels, LABEL_ROLE, "?"), run);
			if (on_removed)
				on_removed(ctx, line);
		}
	}
	json_object_put(list);
	run_lock_sweep();
	return n_removed;
}

/* A container of a run whose process still runs: its images are in use or soon will be. */
static int live_run(struct docker *d, char *run, size_t len)
{
	json_object *list;
	int rc = docker_containers_by_label(d, LABEL_RUN, &list), live = 0;

	if (rc)
		return rc;
	for (size_t i = 0; i < json_object_array_length(list) && !live; i++) {
		json_object *labels = json_path(json_object_array_get_idx(list, i), "Labels");

		if (owner_alive(json_str(labels, LABEL_OWNER, ""))) {
			snprintf(run, len, "%s", json_str(labels, LABEL_RUN, "?"));
			live = 1;
		}
	}
	json_object_put(list);
	return live;
}

/* Removes one image by each of its tags (the last one removes the image), or by id. */
static int remove_image(struct docker *d, json_object *image,
			void (*on_line)(void *ctx, const char *line), void *ctx)
{
	json_object *tags = json_path(image, "RepoTags");
	size_t n_tags = tags && json_object_is_type(tags, json_type_array)
				? json_object_array_length(tags)
				: 0;
	int removed = 0;
	char line[512];

	for (size_t k = 0; k <= n_tags; k++) {
		const char *ref =
			k < n_tags ? json_object_get_string(json_object_array_get_idx(tags, k))
				   : json_str(image, "Id", "");

		if (!ref || !*ref || strcmp(ref, "<none>:<none>") == 0 || (k == n_tags && removed))
			continue;
		if (docker_image_remove(d, ref) == 0) {
			removed++;
			snprintf(line, sizeof(line), "removed image %.200s", ref);
		} else {
			snprintf(line, sizeof(line), "kept image %.200s: %.250s", ref, d->err);
		}
		if (on_line)
			on_line(ctx, line);
	}
	return removed > 0;
}

int leftover_images_remove(struct docker *d, void (*on_line)(void *ctx, const char *line),
			   void *ctx)
{
	/* filters={"label":["io.restartprof.content"]}, URL-encoded. */
	static const char path[] =
		"/images/json?filters=%7B%22label%22%3A%5B%22" IMAGE_LABEL_CONTENT "%22%5D%7D";
	json_object *list = NULL;
	char run[128], line[256];
	int n_removed = 0, rc = live_run(d, run, sizeof(run));

	if (rc < 0)
		return rc;
	if (rc > 0) {
		snprintf(line, sizeof(line), "images kept: run %.100s is still going", run);
		if (on_line)
			on_line(ctx, line);
		return 0;
	}
	rc = docker_call(d, "image-list", "GET", path, NULL, 0, &list);
	if (rc)
		return rc;
	if (!json_object_is_type(list, json_type_array)) {
		json_object_put(list);
		snprintf(d->err, sizeof(d->err), "image-list: the engine's answer is not a list");
		return -EPROTO;
	}
	for (size_t i = 0; i < json_object_array_length(list); i++)
		n_removed += remove_image(d, json_object_array_get_idx(list, i), on_line, ctx);
	json_object_put(list);
	return n_removed;
}
