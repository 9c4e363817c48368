// SPDX-License-Identifier: GPL-2.0-only
#include "engine/kind.h"

#include <stddef.h>
#include <string.h>
#include <sys/resource.h>

#include "engine/docker.h"
#include "util/names.h"

static const char *const names[ENGINE_KIND_COUNT] = {
	[ENGINE_DOCKER] = "docker",
	[ENGINE_PODMAN] = "podman",
};
static const char *const titles[ENGINE_KIND_COUNT] = {
	[ENGINE_DOCKER] = "Docker",
	[ENGINE_PODMAN] = "Podman",
};

const char *engine_kind_name(enum engine_kind k)
{
	return (unsigned)k < ENGINE_KIND_COUNT ? names[k] : "?";
}

int engine_kind_from_name(const char *name)
{
	return name ? name_lookup(names, ENGINE_KIND_COUNT, name) : -1;
}

enum engine_kind engine_kind_recorded(const char *name)
{
	int k = engine_kind_from_name(name);

	return k >= 0 ? (enum engine_kind)k : ENGINE_DOCKER;
}

const char *engine_kind_title(enum engine_kind k)
{
	return (unsigned)k < ENGINE_KIND_COUNT ? titles[k] : "?";
}

enum engine_kind engine_kind_detect(json_object *version)
{
	json_object *comps = json_path(version, "Components");

	if (!comps || !json_object_is_type(comps, json_type_array))
		return ENGINE_DOCKER;
	for (size_t i = 0; i < json_object_array_length(comps); i++)
		if (strcmp(json_str(json_object_array_get_idx(comps, i), "Name", ""),
			   "Podman Engine") == 0)
			return ENGINE_PODMAN;
	return ENGINE_DOCKER;
}

struct phase_event {
	const char *phase, *type, *action; /* action NULL: not reported */
};

/*
 * Side by side (docs/running.md, "Phases on Docker and on Podman"), as each engine's
 * Docker-compatible /events stream says them. Podman 4.3 says `remove` for destroy; its own
 * `died` reaches that stream as `die` (with exitCode), which is what is matched. A stop sends
 * no `kill` event (only an explicit kill does), and network connect and disconnect come only
 * for explicit connects, never on start and stop: those three phases are absent on Podman.
 * Its `init` (the runtime's create and the network setup, which an attach or a start of a
 * created container triggers) and `cleanup` fall inside the phases below (`mount` is not
 * sent on this stream for a container's own start).
 */
static const struct phase_event docker_events[] = {
	{"kill", "container", "kill"},		 {"die", "container", "die"},
	{"disconnect", "network", "disconnect"}, {"stop", "container", "stop"},
	{"destroy", "container", "destroy"},	 {"create", "container", "create"},
	{"attach", "container", "attach"},	 {"connect", "network", "connect"},
	{"start", "container", "start"},
};
static const struct phase_event podman_events[] = {
	{"kill", "container", NULL},	    {"die", "container", "die"},
	{"disconnect", "network", NULL},    {"stop", "container", "stop"},
	{"destroy", "container", "remove"}, {"create", "container", "create"},
	{"attach", "container", "attach"},  {"connect", "network", NULL},
	{"start", "container", "start"},
};

static const struct phase_event *phase_events(enum engine_kind k, size_t *n)
{
	*n = k == ENGINE_PODMAN ? sizeof(podman_events) / sizeof(podman_events[0])
				: sizeof(docker_events) / sizeof(docker_events[0]);
	return k == ENGINE_PODMAN ? podman_events : docker_events;
}

const char *engine_phase_action(enum engine_kind k, const char *phase, const char **type)
{
	size_t n;
	const struct phase_event *t = phase_events(k, &n);

	for (size_t i = 0; i < n; i++)
		if (strcmp(t[i].phase, phase) == 0) {
			if (type)
				*type = t[i].type;
			return t[i].action;
		}
	return NULL;
}

const char *engine_event_phase(enum engine_kind k, const char *type, const char *action)
{
	size_t n;
	const struct phase_event *t = phase_events(k, &n);

	for (size_t i = 0; i < n; i++)
		if (t[i].action && strcmp(t[i].action, action) == 0 && strcmp(t[i].type, type) == 0)
			return t[i].phase;
	return NULL;
}

bool engine_announces_restarts(enum engine_kind k)
{
	return k == ENGINE_PODMAN;
}

static void add_ulimit(json_object *list, pid_t engine, const char *name, int resource)
{
	struct rlimit rl;
	json_object *u;

	if ((engine <= 0 || prlimit(engine, resource, NULL, &rl)) && getrlimit(resource, &rl))
		return;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_max == RLIM_INFINITY)
		return; /* unlimited for us: nothing the runtime could fail to set */
	u = json_object_new_object();
	json_object_object_add(u, "Name", json_object_new_string(name));
	json_object_object_add(u, "Soft", json_object_new_int64((int64_t)rl.rlim_cur));
	json_object_object_add(u, "Hard", json_object_new_int64((int64_t)rl.rlim_max));
	json_object_array_add(list, u);
}

void engine_add_ulimits(const struct docker *d, json_object *hc)
{
	json_object *list;
	pid_t engine;

	if (d->kind != ENGINE_PODMAN)
		return;
	engine = docker_peer_pid(d->socket_path);
	list = json_object_new_array();
	add_ulimit(list, engine, "nofile", RLIMIT_NOFILE);
	add_ulimit(list, engine, "nproc", RLIMIT_NPROC);
	json_object_object_add(hc, "Ulimits", list);
}
