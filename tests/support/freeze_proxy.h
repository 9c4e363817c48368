// SPDX-License-Identifier: GPL-2.0-only
/* A forwarding proxy on a unix socket in front of the engine, frozen on demand: a hung engine. */
#ifndef RP_TESTS_FREEZE_PROXY_H
#define RP_TESTS_FREEZE_PROXY_H

#include <sys/types.h>

struct freeze_proxy {
	pid_t pid;	/* the proxy process (forwarding threads inside) */
	char path[108]; /* where it listens */
	char host[120]; /* unix://path, for --docker-host */
};

/* Listens on listen_path and forwards every connection to upstream_path. 0 or -1. */
int freeze_proxy_start(struct freeze_proxy *p, const char *listen_path, const char *upstream_path);
/*
 * Stops the proxy process: connections still open and new ones are accepted by the kernel,
 * but nothing is forwarded, as when the engine hangs.
 */
void freeze_proxy_freeze(struct freeze_proxy *p);
void freeze_proxy_thaw(struct freeze_proxy *p);
/* Kills the proxy (also when frozen) and removes its socket. */
void freeze_proxy_stop(struct freeze_proxy *p);

#endif
