// SPDX-License-Identifier: GPL-2.0-only
#include "trial/leftovers.h"

#include <stdio.h>
#include <string.h>

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
