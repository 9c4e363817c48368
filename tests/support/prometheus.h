// SPDX-License-Identifier: GPL-2.0-only
/* A private Prometheus server for tests: its own config and data directory, a loopback port. */
#ifndef RP_TESTS_PROMETHEUS_H
#define RP_TESTS_PROMETHEUS_H

#include <sys/types.h>

#define PROMETHEUS_BINARY "/usr/bin/prometheus"

struct prom_server {
	pid_t pid;
	int port;      /* its web port on 127.0.0.1 */
	char *dir;     /* config, data and log, under /tmp (harness_tmpdir) */
	char err[256]; /* why the last call failed */
};

/*
 * Starts PROMETHEUS_BINARY scraping http://127.0.0.1:target_port/metrics every second, and
 * waits (up to 60 s) until it says it is ready. 0, or -1 with p->err (nothing left running).
 */
int prom_server_start(struct prom_server *p, int target_port);
/* The first sample of an instant query through /api/v1/query: 0 with *value, -ENODATA when
 * the answer holds no sample yet, -1 when no answer could be read. */
int prom_server_query(struct prom_server *p, const char *promql, double *value);
/* Queries every 0.5 s until the value is want, up to timeout_s: 0 when it was; *last gets the
 * last value seen (-1 if none). */
int prom_server_wait_value(struct prom_server *p, const char *promql, double want, int timeout_s,
			   double *last);
/* Stops it (SIGTERM, SIGKILL after 10 s), waits for it and removes its directory. */
void prom_server_stop(struct prom_server *p);

#endif
