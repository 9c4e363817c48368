// SPDX-License-Identifier: GPL-2.0-only
#include "trial/ready.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/interrupt.h"

int ready_spec_parse(const char *text, struct ready_spec *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (strcmp(text, "stdout") == 0) {
		out->kind = READY_STDOUT;
		return 0;
	}
	if (strncmp(text, "tcp:", 4) == 0) {
		char *end;
		long port = strtol(text + 4, &end, 10);

		if (!text[4] || *end || port < 1 || port > 65535) {
			snprintf(err, errlen, "bad ready spec '%s': tcp:PORT needs a port 1-65535",
				 text);
			return -1;
		}
		out->kind = READY_TCP;
		out->port = (int)port;
		return 0;
	}
	if (strncmp(text, "log:", 4) == 0) {
		int rc;

		if (!text[4] || strlen(text + 4) >= sizeof(out->pattern)) {
			snprintf(err, errlen,
				 "bad ready spec '%s': log:REGEX needs a pattern of 1-%zu "
				 "characters",
				 text, sizeof(out->pattern) - 1);
			return -1;
		}
		snprintf(out->pattern, sizeof(out->pattern), "%s", text + 4);
		/* Stacked repetitions ("a++", "x*{9}") mean nothing in ERE and make glibc's regcomp
		 * take memory without bound. */
		for (const char *p = out->pattern; p[0] && p[1]; p++)
			if (strchr("*+?}", p[0]) && strchr("*+?{", p[1]) &&
			    (p == out->pattern || p[-1] != '\\')) {
				snprintf(err, errlen,
					 "bad ready spec '%s': stacked repetition '%c%c' in the "
					 "pattern",
					 text, p[0], p[1]);
				return -1;
			}
		rc = regcomp(&out->re, out->pattern, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char why[128];

			regerror(rc, &out->re, why, sizeof(why));
			snprintf(err, errlen, "bad ready spec '%s': %s", text, why);
			return -1;
		}
		out->kind = READY_LOG;
		out->re_compiled = true;
		return 0;
	}
	snprintf(err, errlen, "bad ready spec '%s': use stdout, tcp:PORT or log:REGEX", text);
	return -1;
}

void ready_spec_free(struct ready_spec *s)
{
	if (s->re_compiled)
		regfree(&s->re);
	s->re_compiled = false;
}

static int digits(const char *p, const char *end)
{
	int n = 0;

	while (p + n < end && isdigit((unsigned char)p[n]))
		n++;
	return n;
}

static int token_timestamp(const char *p, const char *end, int64_t *ns)
{
	int n = digits(p, end);
	int64_t v = 0;

	for (int i = 0; i < n && i < 19; i++)
		v = v * 10 + (p[i] - '0');
	if (n == 10) {
		int64_t frac = 0, scale = NSEC_PER_SEC;

		if (p + n < end && p[n] == '.') {
			int f = digits(p + n + 1, end);

			for (int i = 0; i < f && i < 9; i++) {
				scale /= 10;
				frac += (p[n + 1 + i] - '0') * scale;
			}
			n += 1 + f;
		}
		*ns = v * NSEC_PER_SEC + frac;
	} else if (n == 13) {
		*ns = v * NSEC_PER_MSEC;
	} else if (n == 16) {
		*ns = v * 1000;
	} else if (n == 19) {
		*ns = v;
	} else {
		return -1;
	}
	/* The token must end here: "1234567890abc" is no timestamp. */
	if (p + n < end && !isspace((unsigned char)p[n]) && !strchr(",;)]}\"'", p[n]))
		return -1;
	return 0;
}

int line_timestamp(const char *line, size_t len, int64_t *ns)
{
	const char *p = line, *end = line + len;

	while (p < end) {
		while (p < end && !isdigit((unsigned char)*p))
			p++;
		if (p == end)
			break;
		/* Only whole tokens: a digit run glued to letters before it is skipped. */
		if (p == line || !isalnum((unsigned char)p[-1])) {
			if (token_timestamp(p, end, ns) == 0)
				return 0;
		}
		while (p < end && (isdigit((unsigned char)*p) || *p == '.'))
			p++;
	}
	return -1;
}

void output_watch_init(struct output_watch *w, const struct ready_spec *spec)
{
	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->spec = spec;
}

void output_watch_destroy(struct output_watch *w)
{
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
}

void output_watch_line(int stream, const char *line, size_t len, int64_t recv_ns, void *ctx)
{
	struct output_watch *w = ctx;
	int64_t ts;

	(void)stream;
	pthread_mutex_lock(&w->lock);
	w->lines++;
	w->last_line_ns = recv_ns;
	snprintf(w->last_line, sizeof(w->last_line), "%.*s", (int)len, line);
	if (line_timestamp(line, len, &ts) == 0) {
		if (!w->first_stamp_ns)
			w->first_stamp_ns = ts;
		w->last_stamp_ns = ts;
	}
	if (!w->match_recv_ns && w->spec && w->spec->kind == READY_LOG &&
	    regexec(&w->spec->re, w->last_line, 0, NULL, 0) == 0)
		w->match_recv_ns = recv_ns;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void timed_wait(struct output_watch *w, int64_t deadline_mono_ns)
{
	int64_t left = deadline_mono_ns - mono_ns();
	struct timespec ts;

	if (left > 20 * NSEC_PER_MSEC)
		left = 20 * NSEC_PER_MSEC; /* wake up often enough to notice an interrupt */
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t until = (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec + left;

	ts.tv_sec = until / NSEC_PER_SEC;
	ts.tv_nsec = until % NSEC_PER_SEC;
	pthread_cond_timedwait(&w->cond, &w->lock, &ts);
}

int64_t output_watch_wait(struct output_watch *w, enum ready_kind kind, int64_t deadline_mono_ns)
{
	int64_t t = 0;

	pthread_mutex_lock(&w->lock);
	while (!interrupt_requested()) {
		t = kind == READY_LOG ? w->match_recv_ns : w->first_stamp_ns;
		if (t || mono_ns() >= deadline_mono_ns)
			break;
		timed_wait(w, deadline_mono_ns);
	}
	pthread_mutex_unlock(&w->lock);
	return t;
}

int64_t output_watch_last_stamp(struct output_watch *w, int64_t after_ns, int64_t deadline_mono_ns)
{
	int64_t t;

	pthread_mutex_lock(&w->lock);
	while (w->last_stamp_ns < after_ns && mono_ns() < deadline_mono_ns &&
	       !interrupt_requested())
		timed_wait(w, deadline_mono_ns);
	t = w->last_stamp_ns >= after_ns ? w->last_stamp_ns : 0;
	pthread_mutex_unlock(&w->lock);
	return t;
}

struct tcp_probe {
	pthread_t thread;
	int netns_fd;
	int port;
	atomic_bool stop;
	int64_t deadline_mono;
	bool until_up;	/* probe until the first success instead of the first failure */
	int64_t result; /* first success (until_up) or last success */
	char err[128];
};

static int connect_once(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rc = connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return rc;
}

static void *probe_main(void *arg)
{
	struct tcp_probe *p = arg;

	/* setns changes only this thread's network namespace. */
	if (setns(p->netns_fd, CLONE_NEWNET) < 0) {
		snprintf(p->err, sizeof(p->err), "cannot enter the container's network: %s",
			 strerror(errno));
		return NULL;
	}
	while (!atomic_load(&p->stop) && !interrupt_requested() && mono_ns() < p->deadline_mono) {
		int ok = connect_once(p->port) == 0;
		int64_t now = wall_ns();

		if (ok)
			p->result = now;
		if (p->until_up ? ok : (!ok && p->result))
			break;
		sleep_ns(TCP_PROBE_INTERVAL_NS);
	}
	return NULL;
}

static int probe_start(pid_t pid, int port, bool until_up, int64_t deadline_mono,
		       struct tcp_probe **out)
{
	struct tcp_probe *p = calloc(1, sizeof(*p));
	char path[64];

	if (!p)
		return -ENOMEM;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	p->netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (p->netns_fd < 0) {
		int e = errno;

		free(p);
		return -e;
	}
	p->port = port;
	p->until_up = until_up;
	p->deadline_mono = deadline_mono;
	if (pthread_create(&p->thread, NULL, probe_main, p)) {
		close(p->netns_fd);
		free(p);
		return -EAGAIN;
	}
	*out = p;
	return 0;
}

/* Joins the probe thread (after asking it to stop, if stop) and frees it. */
static int64_t probe_finish(struct tcp_probe *p, bool stop, char *err, size_t errlen)
{
	int64_t t;

	if (stop)
		atomic_store(&p->stop, true);
	pthread_join(p->thread, NULL);
	t = p->result;
	if (err && p->err[0])
		snprintf(err, errlen, "%s", p->err);
	close(p->netns_fd);
	free(p);
	return t;
}

int tcp_probe_watch_start(pid_t pid, int port, struct tcp_probe **out)
{
	/* Bounded: a watch lives at most a minute, about 30000 connects. */
	return probe_start(pid, port, false, mono_ns() + 60 * NSEC_PER_SEC, out);
}

int64_t tcp_probe_watch_stop(struct tcp_probe *p)
{
	return probe_finish(p, true, NULL, 0);
}

int64_t tcp_probe_until_up(pid_t pid, int port, int64_t deadline_mono_ns, char *err, size_t errlen)
{
	struct tcp_probe *p;
	int rc = probe_start(pid, port, true, deadline_mono_ns, &p);

	if (rc) {
		snprintf(err, errlen, "cannot open the network namespace of pid %d: %s", (int)pid,
			 strerror(-rc));
		return 0;
	}
	return probe_finish(p, false, err, errlen);
}
