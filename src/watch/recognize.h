// SPDX-License-Identifier: GPL-2.0-only
/* Restarts recognised in the engine's events, as they happen, whoever made them. */
#ifndef RP_WATCH_RECOGNIZE_H
#define RP_WATCH_RECOGNIZE_H

#include <stdint.h>

#include "engine/events.h"
#include "engine/kind.h"
#include "model/phase.h"

enum restart_kind {
	RESTART_POLICY,	 /* the engine's restart policy: die, then start of the same id */
	RESTART_MANUAL,	 /* docker restart, or stop then start: a kill or stop before the die
			    (Podman: no restart event after the die) */
	RESTART_REPLACE, /* the old container went down, a new one of the same name or compose
			    project and service started */
	RESTART_KIND_COUNT
};

/* "policy", "restart", "replace". */
const char *restart_kind_name(enum restart_kind k);
/* -1 when the name is no kind. */
int restart_kind_from_name(const char *name);

struct restart_seen {
	enum restart_kind kind;
	char cell[128]; /* "project/service" when compose labels say so, else the container name */
	char old_id[65], new_id[65]; /* the same for policy and manual restarts */
	/* Of the new container: what --filter matches against. */
	char name[128];
	char image[128];
	char labels[EVENT_LABELS_LEN];
	int exit_code; /* of the old container's die */
	/*
	 * kill, die, disconnect, stop, destroy of the old container and create, attach,
	 * connect, start of the new one, as the engine reported them (0 absent; PH_READY is 0).
	 * kill is the first stop request, disconnect and connect the last of their kind.
	 */
	int64_t event_ns[PH_COUNT];
	int64_t begin_ns; /* the stop request (kill) when there is one, else the die */
	int64_t start_ns; /* the new start */
};

/* At most this many containers are remembered; the least recently active goes first. */
#define RECOGNIZER_MAX_CONTAINERS 1024

struct recognizer;

/*
 * window_ns bounds every kind: the new start must come within it of the old die (a replace
 * window of 120 s by default), and a kill counts as the stop request only when its die
 * follows within it. Events are read as the engine says them (Podman: `remove` ends destroy).
 * NULL when out of memory.
 */
struct recognizer *recognizer_new(int64_t window_ns, enum engine_kind engine);
/*
 * Feeds one event, in the order the engine sent them. Returns 1 and fills *out when a
 * restart is complete (at the new start event), else 0. Events of a container older than its
 * last start are stale and ignored; a start that no die of the same container, or of one it
 * replaces, preceded is no restart.
 */
int recognizer_feed(struct recognizer *r, const struct engine_event *ev, struct restart_seen *out);
/* Forgets containers whose newest event is older than t_ns. */
void recognizer_forget_before(struct recognizer *r, int64_t t_ns);
/* How many containers are remembered now. */
size_t recognizer_tracked(const struct recognizer *r);
void recognizer_free(struct recognizer *r);

#endif
