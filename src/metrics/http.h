// SPDX-License-Identifier: GPL-2.0-only
/* /metrics over HTTP (libmicrohttpd, its own thread), for Prometheus to scrape. */
#ifndef RP_METRICS_HTTP_H
#define RP_METRICS_HTTP_H

#include <stddef.h>
#include <sys/socket.h>

struct metrics;
struct metrics_http;

/* --listen's default: loopback only (the server has no authentication). */
#define METRICS_LISTEN_DEFAULT "127.0.0.1:9617"

/*
 * ADDR:PORT with a numeric address: 127.0.0.1:9617, 0.0.0.0:9617, [::1]:9617, [::]:9617 (no
 * host names: nothing is resolved). Port 0 takes any free port. 0, or -EINVAL with one line
 * in err ("--listen ...: ...").
 */
int metrics_listen_parse(const char *addr_port, struct sockaddr_storage *ss, socklen_t *len,
			 char *err, size_t errlen);

/*
 * Binds addr_port and serves GET /metrics (metrics_render of m, text/plain; version=0.0.4)
 * and a short text on / from a thread of its own. 0, or -errno with one line in err:
 * -EINVAL (does not parse), -EADDRINUSE, -EADDRNOTAVAIL, -EACCES, ...
 */
int metrics_http_start(struct metrics *m, const char *addr_port, struct metrics_http **out,
		       char *err, size_t errlen);
/* The port bound (what port 0 became). */
int metrics_http_port(const struct metrics_http *h);
/* Stops the thread and closes the socket; NULL is fine. */
void metrics_http_stop(struct metrics_http *h);

#endif
