// SPDX-License-Identifier: GPL-2.0-only
/* When is the service serving: its printed timestamps, a TCP connect, or a log line. */
#ifndef RP_TRIAL_READY_H
#define RP_TRIAL_READY_H

#include <pthread.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum ready_kind {
	READY_STDOUT,
	READY_TCP,
	READY_LOG,
};

struct ready_spec {
	enum ready_kind kind;
	int port;	   /* READY_TCP */
	char pattern[256]; /* READY_LOG, POSIX extended regex */
	regex_t re;
	bool re_compiled;
};

/* "stdout", "tcp:PORT" or "log:REGEX". 0, or -1 with a one-line reason in err. */
int ready_spec_parse(const char *text, struct ready_spec *out, char *err, size_t errlen);
void ready_spec_free(struct ready_spec *s);

/*
 * A wall-clock timestamp printed on a line: the first token that is epoch seconds with an
 * optional fraction (10 digits before the dot), or epoch ms, us or ns as a 13, 16 or 19 digit
 * integer. 0 and *ns set, or -1.
 */
int line_timestamp(const char *line, size_t len, int64_t *ns);

/* What one container printed, as far as readiness cares. Fed from the attach thread. */
struct output_watch {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	const struct ready_spec *spec;
	int64_t first_stamp_ns; /* first printed timestamp */
	int64_t last_stamp_ns;	/* last printed timestamp */
	int64_t match_recv_ns;	/* first line matching the log pattern, when it arrived */
	int64_t last_line_ns;
	int lines;
	char last_line[256];
};

void output_watch_init(struct output_watch *w, const struct ready_spec *spec);
void output_watch_destroy(struct output_watch *w);
/* The attach line callback; ctx is the watch. */
void output_watch_line(int stream, const char *line, size_t len, int64_t recv_ns, void *ctx);
/* Waits until the watch holds a first stamp (stdout) or a match (log). Returns its time or 0. */
int64_t output_watch_wait(struct output_watch *w, enum ready_kind kind, int64_t deadline_mono_ns);
/* The old container's last sign of life on stdout, waiting briefly for it to arrive. */
int64_t output_watch_last_stamp(struct output_watch *w, int64_t after_ns, int64_t deadline_mono_ns);

/* Connects to 127.0.0.1:port inside the network namespace of pid, in a thread of its own. */
struct tcp_probe;

/* Keeps probing every interval until it fails (the service is gone) or stop. */
int tcp_probe_watch_start(pid_t pid, int port, struct tcp_probe **out);
/* Stops and returns the wall time of the last successful connect (0 if none). */
int64_t tcp_probe_watch_stop(struct tcp_probe *p);
/* Probes until the first successful connect; returns its wall time, or 0 at the deadline. */
int64_t tcp_probe_until_up(pid_t pid, int port, int64_t deadline_mono_ns, char *err, size_t errlen);

#define TCP_PROBE_INTERVAL_NS 2000000LL

#endif
