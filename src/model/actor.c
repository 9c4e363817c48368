// SPDX-License-Identifier: GPL-2.0-only
#include "model/actor.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "util/names.h"

static const char *const names[ACTOR_COUNT] = {
	[ACTOR_ENGINE] = "engine", [ACTOR_TARGET] = "target", [ACTOR_LOAD] = "load",
	[ACTOR_KERNEL] = "kernel", [ACTOR_OTHER] = "other",
};

const char *actor_name(int actor)
{
	return actor >= 0 && actor < ACTOR_COUNT ? names[actor] : "?";
}

int actor_from_name(const char *name)
{
	return name_lookup(names, ACTOR_COUNT, name);
}

/* A run of exactly 64 hex digits in [s, e). */
static const char *hex64_in(const char *s, const char *e)
{
	for (const char *p = s; p + KCONTAINER_ID_LEN <= e; p++) {
		size_t n = 0;

		if (p > s && isxdigit((unsigned char)p[-1]))
			continue;
		while (p + n < e && isxdigit((unsigned char)p[n]))
			n++;
		if (n == KCONTAINER_ID_LEN)
			return p;
		p += n;
	}
	return NULL;
}

int container_id_from_path(const char *path, char out[KCONTAINER_ID_LEN + 1])
{
	const char *end = path + strlen(path), *found = NULL;

	out[0] = '\0';
	/* Component by component from the end, so a nested cgroup names its container. */
	while (end > path) {
		const char *start = end;

		while (start > path && start[-1] != '/')
			start--;
		found = hex64_in(start, end);
		if (found)
			break;
		end = start > path ? start - 1 : path;
	}
	if (!found)
		return -1;
	for (int i = 0; i < KCONTAINER_ID_LEN; i++)
		out[i] = (char)tolower((unsigned char)found[i]);
	out[KCONTAINER_ID_LEN] = '\0';
	return 0;
}

void kcgroup_init(struct kcgroup *c, uint64_t id, int root, const char *path)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->root = root;
	snprintf(c->path, sizeof(c->path), "%s", path);
	container_id_from_path(c->path, c->container);
}

const struct kcgroup *kcgroup_find(const struct kcgroup *cg, size_t n, int root, uint64_t id)
{
	/* The latest entry wins: it is the newest knowledge about the id. */
	for (size_t i = n; i > 0; i--)
		if (cg[i - 1].id == id && cg[i - 1].root == root)
			return &cg[i - 1];
	return NULL;
}

static int same_id(const char *a, const char *b)
{
	return a && b && a[0] && strcmp(a, b) == 0;
}

static int is_load(const struct actor_map *m, const char *container)
{
	for (int i = 0; m && i < m->n_load; i++)
		if (same_id(container, m->load[i]))
			return 1;
	return 0;
}

int actor_of(const struct actor_ctx *c, const struct kev_task *w)
{
	const struct kcgroup *cg = NULL;
	const char *container = NULL;

	if (w->flags & KT_KTHREAD)
		return ACTOR_KERNEL;
	if (c->map && w->cgid)
		cg = kcgroup_find(c->cg, c->n_cg, c->map->root, w->cgid);
	if (cg && cg->container[0])
		container = cg->container;
	if (container || (w->flags & KT_LOADCG)) {
		if (w->flags & KT_RUNC)
			return ACTOR_ENGINE;
		if (container &&
		    (same_id(container, c->target[0]) || same_id(container, c->target[1])))
			return ACTOR_TARGET;
		if ((w->flags & KT_LOADCG) || is_load(c->map, container) ||
		    (container && c->map && c->map->others_are_load))
			return ACTOR_LOAD;
		return ACTOR_OTHER;
	}
	if (w->hint == KH_ENGINE)
		return ACTOR_ENGINE;
	return ACTOR_OTHER;
}
