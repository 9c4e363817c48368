// SPDX-License-Identifier: GPL-2.0-only
/* Restarts recognised in the engine's events: one small state per container. */
#include "watch/recognize.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/kind.h"
#include "util/array.h"
#include "util/names.h"

#define COMPOSE_NUMBER "com.docker.compose.container-number"

static const char *const kind_names[RESTART_KIND_COUNT] = {
	[RESTART_POLICY] = "policy",
	[RESTART_MANUAL] = "restart",
	[RESTART_REPLACE] = "replace",
};

const char *restart_kind_name(enum restart_kind k)
{
	return (unsigned)k < RESTART_KIND_COUNT ? kind_names[k] : "?";
}

int restart_kind_from_name(const char *name)
{
	return name_lookup(kind_names, RESTART_KIND_COUNT, name);
}

enum life {
	LIFE_NEW,  /* created, not started yet */
	LIFE_UP,   /* started */
	LIFE_DOWN, /* died and not started again */
};

struct tracked {
	char id[65];
	char name[128]; /* kept as it was when it went down: a later rename does not count */
	char image[128];
	char project[64], service[64];
	char labels[EVENT_LABELS_LEN];
	enum life life;
	int exit_code;
	int64_t ev[PH_COUNT]; /* events since its last start (kill: a pending stop request) */
	int64_t request_ns;   /* a restart requested while it ran (Podman's restart event) */
	bool policy;	      /* the engine said its restart policy restarts it (Podman) */
	int64_t started_ns;
	int64_t last_ns;
};

struct recognizer {
	int64_t window_ns;
	enum engine_kind engine;
	struct tracked *c;
	size_t n, cap;
};

struct recognizer *recognizer_new(int64_t window_ns, enum engine_kind engine)
{
	struct recognizer *r = calloc(1, sizeof(*r));

	if (r) {
		r->window_ns = window_ns;
		r->engine = engine;
	}
	return r;
}

void recognizer_free(struct recognizer *r)
{
	if (!r)
		return;
	free(r->c);
	free(r);
}

size_t recognizer_tracked(const struct recognizer *r)
{
	return r->n;
}

static void drop(struct recognizer *r, size_t i)
{
	r->c[i] = r->c[--r->n];
}

void recognizer_forget_before(struct recognizer *r, int64_t t_ns)
{
	for (size_t i = r->n; i > 0; i--)
		if (r->c[i - 1].last_ns < t_ns)
			drop(r, i - 1);
}

static struct tracked *find(struct recognizer *r, const char *id)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->c[i].id, id) == 0)
			return &r->c[i];
	return NULL;
}

/* A new entry; when full, it takes the place of the least recently active one. */
static struct tracked *add(struct recognizer *r, const struct engine_event *ev)
{
	struct tracked *t;

	if (r->n == RECOGNIZER_MAX_CONTAINERS ||
	    array_reserve((void **)&r->c, &r->cap, r->n + 1, sizeof(*r->c))) {
		size_t oldest = 0;

		if (r->n == 0)
			return NULL;
		for (size_t i = 1; i < r->n; i++)
			if (r->c[i].last_ns < r->c[oldest].last_ns)
				oldest = i;
		drop(r, oldest);
	}
	t = &r->c[r->n++];
	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "%s", ev->container);
	t->life = LIFE_UP;
	t->exit_code = -1;
	return t;
}

/* Name, image and labels as the newest container event says, unless it is down. */
static void describe(struct tracked *t, const struct engine_event *ev)
{
	if (strcmp(ev->type, "container") != 0 || t->life == LIFE_DOWN)
		return;
	snprintf(t->name, sizeof(t->name), "%s", ev->name + (ev->name[0] == '/'));
	snprintf(t->image, sizeof(t->image), "%s", ev->image);
	snprintf(t->project, sizeof(t->project), "%s", ev->project);
	snprintf(t->service, sizeof(t->service), "%s", ev->service);
	memcpy(t->labels, ev->labels, sizeof(t->labels));
}

static void on_die(struct recognizer *r, struct tracked *t, const struct engine_event *ev)
{
	/* A kill long before is no stop request of this die (a SIGHUP, say). */
	if (t->ev[PH_KILL] && ev->time_ns - t->ev[PH_KILL] > r->window_ns)
		t->ev[PH_KILL] = 0;
	if (t->request_ns && ev->time_ns - t->request_ns > r->window_ns)
		t->request_ns = 0;
	t->ev[PH_DIE] = ev->time_ns;
	t->exit_code = ev->exit_code;
	t->life = LIFE_DOWN;
}

static void on_kill(struct recognizer *r, struct tracked *t, const struct engine_event *ev)
{
	if (t->life == LIFE_DOWN)
		return;
	/* The first kill is the stop request; a second (SIGKILL after the grace) is not. */
	if (!t->ev[PH_KILL] || ev->time_ns - t->ev[PH_KILL] > r->window_ns)
		t->ev[PH_KILL] = ev->time_ns;
}

/* Podman's restart event: a request while it runs, its policy at work once it is down. */
static void on_restart(struct tracked *t, const struct engine_event *ev)
{
	if (t->life == LIFE_DOWN)
		t->policy = true;
	else if (t->life == LIFE_UP && !t->request_ns)
		t->request_ns = ev->time_ns;
}

/* The old container's side of a restart: what happened since it went down. */
static bool old_side(enum phase p)
{
	return p <= PH_DESTROY;
}

/* The phase this engine's event ends (engine/kind.c), -1 if none. */
static int event_phase(const struct recognizer *r, const struct engine_event *ev)
{
	const char *phase = engine_event_phase(r->engine, ev->type, ev->action);

	return phase ? phase_from_name(phase) : -1;
}

/* Records one lifecycle event of a known container. */
static void record(struct recognizer *r, struct tracked *t, const struct engine_event *ev)
{
	switch (event_phase(r, ev)) {
	case PH_KILL:
		on_kill(r, t, ev);
		break;
	case PH_DIE:
		on_die(r, t, ev);
		break;
	case PH_STOP: /* after the die on Docker, before it on Podman */
		if (t->life != LIFE_NEW)
			t->ev[PH_STOP] = ev->time_ns;
		break;
	case PH_DISCONNECT:
		if (t->life == LIFE_DOWN)
			t->ev[PH_DISCONNECT] = ev->time_ns;
		break;
	case PH_DESTROY:
		t->ev[PH_DESTROY] = ev->time_ns;
		break;
	case PH_ATTACH:
		if (t->life == LIFE_NEW)
			t->ev[PH_ATTACH] = ev->time_ns;
		break;
	case PH_CONNECT:
		if (t->life != LIFE_UP)
			t->ev[PH_CONNECT] = ev->time_ns;
		break;
	default:
		break;
	}
}

static void fill_common(struct restart_seen *out, const struct tracked *old,
			const struct tracked *new, int64_t start_ns)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->old_id, sizeof(out->old_id), "%s", old->id);
	snprintf(out->new_id, sizeof(out->new_id), "%s", new->id);
	snprintf(out->name, sizeof(out->name), "%s", new->name);
	snprintf(out->image, sizeof(out->image), "%s", new->image);
	memcpy(out->labels, new->labels, sizeof(out->labels));
	if (new->project[0] && new->service[0])
		snprintf(out->cell, sizeof(out->cell), "%s/%s", new->project, new->service);
	else
		snprintf(out->cell, sizeof(out->cell), "%s", new->name);
	out->exit_code = old->exit_code;
	for (int p = 0; p < PH_START; p++)
		out->event_ns[p] = old_side(p) ? old->ev[p] : new->ev[p];
	out->event_ns[PH_START] = start_ns;
	out->begin_ns = old->ev[PH_DIE];
	if (old->ev[PH_KILL] && old->ev[PH_KILL] <= old->ev[PH_DIE])
		out->begin_ns = old->ev[PH_KILL]; /* the stop request */
	else if (old->request_ns && old->request_ns <= old->ev[PH_DIE])
		out->begin_ns = old->request_ns;
	out->start_ns = start_ns;
}

/* How well old may be what new replaces: 0 not at all, higher is better. */
static int replace_score(const struct tracked *old, const struct tracked *new)
{
	const char *on = event_label(old->labels, COMPOSE_NUMBER);
	const char *nn = event_label(new->labels, COMPOSE_NUMBER);

	if (old->name[0] && strcmp(old->name, new->name) == 0)
		return 3;
	if (!old->project[0] || !old->service[0] || strcmp(old->project, new->project) != 0 ||
	    strcmp(old->service, new->service) != 0)
		return 0;
	return on && nn && strcmp(on, nn) == 0 ? 2 : 1;
}

/* The down container new replaces: the best match, then the latest die. */
static struct tracked *replaced(struct recognizer *r, const struct tracked *new, int64_t start_ns)
{
	struct tracked *best = NULL;
	int best_score = 0;

	for (size_t i = 0; i < r->n; i++) {
		struct tracked *t = &r->c[i];
		int s;

		if (t == new || t->life != LIFE_DOWN || t->ev[PH_DIE] > start_ns ||
		    start_ns - t->ev[PH_DIE] > r->window_ns)
			continue;
		s = replace_score(t, new);
		if (s > best_score || (s && s == best_score && t->ev[PH_DIE] > best->ev[PH_DIE])) {
			best = t;
			best_score = s;
		}
	}
	return best;
}

/* A restart of the same container: by its policy, or asked for (restart, stop and start). */
static enum restart_kind same_container_kind(const struct recognizer *r, const struct tracked *t)
{
	/* Podman sends no kill, and its stop event may be missing: its restart event decides. */
	if (engine_announces_restarts(r->engine))
		return t->policy ? RESTART_POLICY : RESTART_MANUAL;
	return t->ev[PH_KILL] || t->ev[PH_STOP] ? RESTART_MANUAL : RESTART_POLICY;
}

static int on_start(struct recognizer *r, struct tracked *t, const struct engine_event *ev,
		    struct restart_seen *out)
{
	struct tracked *old = NULL;
	int done = 0;

	if (t->life == LIFE_DOWN && !t->ev[PH_DESTROY] && t->ev[PH_DIE] <= ev->time_ns &&
	    ev->time_ns - t->ev[PH_DIE] <= r->window_ns)
		old = t;
	else if (t->life == LIFE_NEW)
		old = replaced(r, t, ev->time_ns);
	if (old) {
		fill_common(out, old, t, ev->time_ns);
		out->kind = old != t ? RESTART_REPLACE : same_container_kind(r, old);
		done = 1;
	}
	t->life = LIFE_UP;
	t->started_ns = ev->time_ns;
	memset(t->ev, 0, sizeof(t->ev));
	t->request_ns = 0;
	t->policy = false;
	if (old && old != t)
		drop(r, (size_t)(old - r->c)); /* t may move: not used after this */
	return done;
}

int recognizer_feed(struct recognizer *r, const struct engine_event *ev, struct restart_seen *out)
{
	bool container = strcmp(ev->type, "container") == 0;
	bool destroy = container && event_phase(r, ev) == PH_DESTROY;
	struct tracked *t;

	if (!ev->container[0] || (!container && strcmp(ev->type, "network") != 0))
		return 0;
	t = find(r, ev->container);
	if (t && ev->time_ns <= t->started_ns)
		return 0; /* stale: before its last start (a replay after a reconnect) */
	if (!t) {
		/* Containers are first known by their own events; a destroy ends what we know. */
		if (!container || destroy)
			return 0;
		t = add(r, ev);
		if (!t)
			return 0;
		if (strcmp(ev->action, "create") == 0) {
			t->life = LIFE_NEW;
			t->ev[PH_CREATE] = ev->time_ns;
		}
	}
	describe(t, ev);
	t->last_ns = ev->time_ns > t->last_ns ? ev->time_ns : t->last_ns;
	if (container && strcmp(ev->action, "start") == 0)
		return on_start(r, t, ev, out);
	if (container && strcmp(ev->action, "restart") == 0 && engine_announces_restarts(r->engine))
		on_restart(t, ev);
	record(r, t, ev);
	/* A container gone before it ran, or gone while running, can replace nothing. */
	if (destroy && t->life != LIFE_DOWN)
		drop(r, (size_t)(t - r->c));
	return 0;
}
