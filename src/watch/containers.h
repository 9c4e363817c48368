// SPDX-License-Identifier: GPL-2.0-only
/* What watch knows of each container it may see restart: its main pid, name and health check. */
#ifndef RP_WATCH_CONTAINERS_H
#define RP_WATCH_CONTAINERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct docker;

/* At most this many containers are remembered; the least recently seen goes first. */
#define CONTAINERS_MAX 4096

struct watched_container {
	char id[65];
	char name[128];
	pid_t pid;	   /* the main process as the engine last reported it, 0 when not running */
	bool health;	   /* its configuration has a HEALTHCHECK */
	int64_t seen_mono; /* when it was last looked up */
};

struct container_table {
	struct watched_container *c;
	size_t n, cap;
};

/* The entry of id, or NULL. */
struct watched_container *containers_find(struct container_table *t, const char *id);
/* Inspects id in the engine and records its pid, name and health check. The entry, or NULL
 * when the engine does not know it (d->err says why). */
struct watched_container *containers_learn(struct container_table *t, struct docker *d,
					   const char *id);
/* Every running container, as at watch's start. The number learnt, or -errno. */
int containers_learn_running(struct container_table *t, struct docker *d);
void containers_forget(struct container_table *t, const char *id);
void containers_free(struct container_table *t);

#endif
