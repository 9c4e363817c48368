// SPDX-License-Identifier: GPL-2.0-only
/* The container table of watch: filled from the engine's inspect answers, bounded. */
#include "watch/containers.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/docker.h"
#include "util/array.h"
#include "util/clock.h"

struct watched_container *containers_find(struct container_table *t, const char *id)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->c[i].id, id) == 0)
			return &t->c[i];
	return NULL;
}

static struct watched_container *slot_for(struct container_table *t, const char *id)
{
	struct watched_container *c = containers_find(t, id);
	size_t oldest = 0;

	if (c)
		return c;
	if (t->n < CONTAINERS_MAX &&
	    !array_reserve((void **)&t->c, &t->cap, t->n + 1, sizeof(*t->c))) {
		c = &t->c[t->n++];
	} else if (t->n) {
		for (size_t i = 1; i < t->n; i++)
			if (t->c[i].seen_mono < t->c[oldest].seen_mono)
				oldest = i;
		c = &t->c[oldest];
	} else {
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	return c;
}

struct watched_container *containers_learn(struct container_table *t, struct docker *d,
					   const char *id)
{
	json_object *o = NULL;
	struct watched_container *c;
	const char *name;

	if (docker_container_inspect(d, id, &o))
		return NULL;
	c = slot_for(t, json_str(o, "Id", id));
	if (c) {
		name = json_str(o, "Name", "");
		snprintf(c->name, sizeof(c->name), "%s", name[0] == '/' ? name + 1 : name);
		c->pid = (pid_t)json_int(json_path(o, "State"), "Pid", 0);
		/* Docker keeps State.Health only for a container with a health check; Podman
		 * gives every container one, with an empty Status when it has none. */
		c->health = json_str(json_path(o, "State.Health"), "Status", "")[0] != '\0';
		c->seen_mono = mono_ns();
	}
	json_object_put(o);
	return c;
}

int containers_learn_running(struct container_table *t, struct docker *d)
{
	json_object *list = NULL;
	int n = 0, rc;

	rc = docker_call(d, "list containers", "GET", "/containers/json", NULL, 0, &list);
	if (rc)
		return rc;
	for (size_t i = 0;
	     json_object_is_type(list, json_type_array) && i < json_object_array_length(list);
	     i++) {
		const char *id = json_str(json_object_array_get_idx(list, i), "Id", "");

		if (id[0] && containers_learn(t, d, id))
			n++;
	}
	json_object_put(list);
	return n;
}

void containers_forget(struct container_table *t, const char *id)
{
	struct watched_container *c = containers_find(t, id);

	if (c)
		*c = t->c[--t->n];
}

void containers_free(struct container_table *t)
{
	free(t->c);
	memset(t, 0, sizeof(*t));
}
