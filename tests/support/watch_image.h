// SPDX-License-Identifier: GPL-2.0-only
/* Containers for the tests of watch: one image (a shell, sleep and the shipped service), and
 * containers made, restarted and removed through the engine, all carrying one label. */
#ifndef RP_TESTS_WATCH_IMAGE_H
#define RP_TESTS_WATCH_IMAGE_H

#include "engine/docker.h"
#include "engine/image.h"

/* Every container made here carries it: watch filters on it, the end removes by it. */
#define WATCH_TEST_LABEL_KEY "io.restartprof.test"
#define WATCH_TEST_LABEL     "io.restartprof.test=watch"

/* Scripts for /bin/sh -c: a service that listens and crashes (exit 3) after a second, one that
 * listens until stopped, one that exits at once. */
#define WATCH_SCRIPT_CRASH "/restartprof-svc & /bin/sleep 1; exit 3"
#define WATCH_SCRIPT_SERVE "exec /restartprof-svc"
#define WATCH_SCRIPT_EXIT  "exit 0"

struct watch_container {
	const char *name;
	const char *script;	    /* for /bin/sh -c */
	const char *restart_policy; /* "on-failure", "always"...; NULL: none */
	int max_retries;	    /* MaximumRetryCount of on-failure */
	const char *project;	    /* com.docker.compose.project, with service; NULL: none */
	const char *service;
};

/* The image: /bin/sh and /bin/sleep with their libraries from the host, /restartprof-svc. */
int watch_image_ensure(struct docker *d, char ref[IMAGE_REF_LEN]);
/* Creates and starts c from image; id gets its id. 0 or -errno (d->err). */
int watch_container_run(struct docker *d, const char *image, const struct watch_container *c,
			char id[65]);
/* POST /containers/ID/restart?t=grace_s: what `docker restart` does. */
int watch_container_restart(struct docker *d, const char *id, int grace_s);
/* Stops (grace 1 s) and removes it: the end of an old container being replaced. */
int watch_container_retire(struct docker *d, const char *id);
/* Removes (forced) every container carrying WATCH_TEST_LABEL; the count removed, or -1. */
int watch_containers_remove_all(struct docker *d);

#endif
