// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which engine serves the Docker-compatible API, and where the engines differ: the events
 * that end each lifecycle phase, and the resource limits a container must be given. Every
 * Docker/Podman difference is decided here.
 */
#ifndef RP_ENGINE_KIND_H
#define RP_ENGINE_KIND_H

#include <json-c/json.h>
#include <stdbool.h>

enum engine_kind {
	ENGINE_DOCKER,
	ENGINE_PODMAN,
	ENGINE_KIND_COUNT
};

/* "docker", "podman" (as in run.json); engine_kind_from_name: -1 when unknown. */
const char *engine_kind_name(enum engine_kind k);
int engine_kind_from_name(const char *name);
/* A run's recorded kind (run.json engine.kind): NULL or unknown, as in runs written before
 * the kind was recorded, is Docker. */
enum engine_kind engine_kind_recorded(const char *name);
/* "Docker", "Podman": for people. */
const char *engine_kind_title(enum engine_kind k);

/* From GET /version: Podman lists a component "Podman Engine"; anything else is Docker. */
enum engine_kind engine_kind_detect(json_object *version);

/*
 * The engine event that ends a phase (named as in model/phase.c: "kill", "die", ...) on this
 * engine: its action, and its type in *type ("container" or "network"). NULL when the engine
 * reports no event for that phase: the phase is absent from its trials.
 */
const char *engine_phase_action(enum engine_kind k, const char *phase, const char **type);
/* The phase an event of this engine ends ("kill", ...), NULL when it ends none. */
const char *engine_event_phase(enum engine_kind k, const char *type, const char *action);

/*
 * Whether the engine's `restart` event says how a restart began: Podman sends it when a
 * requested restart begins (before the stop) and when its restart policy restarts a container
 * (after the die); Docker sends it after the new start, too late to say anything.
 */
bool engine_announces_restarts(enum engine_kind k);

struct docker;
/*
 * Adds HostConfig.Ulimits to hc when the engine needs them: Podman gives a container
 * RLIMIT_NOFILE and RLIMIT_NPROC of 1048576, above the hard limit some machines allow, and
 * the runtime then fails ("setrlimit `RLIMIT_NOFILE`: Operation not permitted"); the
 * container gets the limits of the process serving the API (prlimit), which the runtime it
 * starts can always set, or restartprof's own when that process is unknown. Docker's
 * containers inherit the daemon's limits, which always fit: nothing is added for Docker, so
 * Docker runs stay as they were.
 */
void engine_add_ulimits(const struct docker *d, json_object *hc);

#endif
