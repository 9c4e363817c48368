// SPDX-License-Identifier: GPL-2.0-only
/* The engine's events stream: subscribed in a thread, kept, waited on, read and forgotten. */
#include "engine/events.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/docker.h"
#include "engine/http.h"
#include "util/array.h"
#include "util/clock.h"
#include "util/wait.h"

/* Waits are woken by every event stored; the slice only bounds a wait across clock steps. */
#define WAIT_SLICE_NS  (100 * NSEC_PER_MSEC)
#define MAX_EVENTS     (1u << 20) /* a run of 100k trials is ~1M events */
#define BACKOFF_MIN_NS (50 * NSEC_PER_MSEC)
#define BACKOFF_MAX_NS (2 * NSEC_PER_SEC)

/* An event and its place in arrival order (event_stream_read's cursor). */
struct kept_event {
	uint64_t seq;
	struct engine_event ev;
};

struct event_stream {
	char socket_path[108];
	char api_version[16];
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct http_client *http;
	struct event_splitter *splitter;
	struct kept_event *events;
	size_t n, cap;
	uint64_t next_seq;
	int64_t since_ns;
	int64_t last_ns;
	atomic_bool stop;
	atomic_int healthy;
	atomic_int reconnects;
	atomic_int connects;
	int started_ok;
};

static int same_event(const struct engine_event *a, const struct engine_event *b)
{
	return a->time_ns == b->time_ns && strcmp(a->action, b->action) == 0 &&
	       strcmp(a->container, b->container) == 0 && strcmp(a->type, b->type) == 0;
}

static void store_event(const struct engine_event *ev, void *ctx)
{
	struct event_stream *es = ctx;

	pthread_mutex_lock(&es->lock);
	/* After a reconnect the engine repeats what it sent in the second we resumed from. */
	for (size_t i = es->n; i > 0 && es->events[i - 1].ev.time_ns >= ev->time_ns - NSEC_PER_SEC;
	     i--)
		if (same_event(&es->events[i - 1].ev, ev))
			goto out;
	/* Beyond MAX_EVENTS (or out of memory) events are no longer kept. */
	if (es->n == es->cap && es->cap < MAX_EVENTS)
		array_reserve((void **)&es->events, &es->cap, es->n + 1, sizeof(*es->events));
	if (es->n < es->cap) {
		es->events[es->n++] = (struct kept_event){es->next_seq++, *ev};
		if (ev->time_ns > es->last_ns)
			es->last_ns = ev->time_ns;
	}
	pthread_cond_broadcast(&es->cond);
out:
	pthread_mutex_unlock(&es->lock);
}

static void on_status(long status, void *ctx)
{
	struct event_stream *es = ctx;

	atomic_store(&es->healthy, status == 200);
	if (status == 200)
		atomic_fetch_add(&es->connects, 1);
	pthread_mutex_lock(&es->lock);
	es->started_ok = 1;
	pthread_cond_broadcast(&es->cond);
	pthread_mutex_unlock(&es->lock);
}

static int on_data(const char *data, size_t len, void *ctx)
{
	struct event_stream *es = ctx;

	event_splitter_feed(es->splitter, data, len);
	return atomic_load(&es->stop);
}

static void build_path(struct event_stream *es, char *path, size_t len)
{
	int64_t since = es->last_ns ? es->last_ns : es->since_ns;
	char *filters = curl_easy_escape(NULL, "{\"type\":[\"container\",\"network\"]}", 0);

	snprintf(path, len, "/events?since=%lld.%09lld&filters=%s",
		 (long long)(since / NSEC_PER_SEC), (long long)(since % NSEC_PER_SEC),
		 filters ? filters : "");
	curl_free(filters);
}

static void *stream_main(void *arg)
{
	struct event_stream *es = arg;
	struct http_stream_ops ops = {.on_status = on_status, .on_data = on_data, .ctx = es};
	int64_t backoff = BACKOFF_MIN_NS;

	while (!atomic_load(&es->stop)) {
		struct http_result res;
		char path[512];

		pthread_mutex_lock(&es->lock);
		build_path(es, path, sizeof(path));
		pthread_mutex_unlock(&es->lock);
		event_splitter_free(es->splitter);
		es->splitter = event_splitter_new(store_event, es);
		http_stream(es->http, "GET", path, &ops, &res);
		atomic_store(&es->healthy, 0);
		if (res.status == 200)
			backoff = BACKOFF_MIN_NS;
		http_result_free(&res);
		if (atomic_load(&es->stop))
			break;
		atomic_fetch_add(&es->reconnects, 1);
		pthread_mutex_lock(&es->lock);
		es->started_ok = 1; /* a failed first attempt must not block the starter */
		pthread_cond_broadcast(&es->cond);
		pthread_mutex_unlock(&es->lock);
		for (int64_t t = 0; t < backoff && !atomic_load(&es->stop); t += 10 * NSEC_PER_MSEC)
			sleep_ns(10 * NSEC_PER_MSEC);
		backoff = backoff * 2 > BACKOFF_MAX_NS ? BACKOFF_MAX_NS : backoff * 2;
	}
	return NULL;
}

/* Waits for the engine to accept the subscription so no event of ours is missed. */
static int wait_subscribed(struct event_stream *es, const struct docker *d)
{
	int64_t deadline = d->timeout_ms ? mono_ns() + (int64_t)d->timeout_ms * NSEC_PER_MSEC : 0;
	int rc;

	pthread_mutex_lock(&es->lock);
	rc = cond_wait_flag(&es->cond, &es->lock, &es->started_ok, deadline, d->abort_check);
	pthread_mutex_unlock(&es->lock);
	return rc;
}

int event_stream_start(const struct docker *d, int64_t since_ns, struct event_stream **out,
		       char *err, size_t errlen)
{
	struct event_stream *es = calloc(1, sizeof(*es));
	int rc;

	if (!es)
		return -ENOMEM;
	snprintf(es->socket_path, sizeof(es->socket_path), "%s", d->socket_path);
	es->since_ns = since_ns;
	pthread_mutex_init(&es->lock, NULL);
	pthread_cond_init(&es->cond, NULL);
	es->http = http_client_new(d->socket_path);
	if (!es->http)
		goto fail;
	http_client_set_version(es->http, d->api_version);
	if (pthread_create(&es->thread, NULL, stream_main, es))
		goto fail;
	rc = wait_subscribed(es, d);
	if (rc == 0 && !atomic_load(&es->healthy))
		rc = -ECOMM;
	if (rc) {
		if (rc == -ETIMEDOUT)
			snprintf(err, errlen,
				 "the engine at %s did not answer the events request within %g s",
				 d->socket_path, d->timeout_ms / 1000.0);
		else if (rc == -EINTR)
			snprintf(err, errlen, "interrupted while opening the events stream");
		else
			snprintf(err, errlen, "the engine at %s refused the events stream",
				 d->socket_path);
		event_stream_stop(es);
		return rc;
	}
	*out = es;
	return 0;
fail:
	snprintf(err, errlen, "cannot start the events stream");
	http_client_free(es->http);
	free(es);
	return -ENOMEM;
}

void event_stream_stop(struct event_stream *es)
{
	if (!es)
		return;
	atomic_store(&es->stop, true);
	http_client_cancel(es->http);
	pthread_join(es->thread, NULL);
	http_client_free(es->http);
	event_splitter_free(es->splitter);
	pthread_mutex_destroy(&es->lock);
	pthread_cond_destroy(&es->cond);
	free(es->events);
	free(es);
}

static int event_matches(const struct engine_event *ev, const char *type, const char *action,
			 const char *id, int64_t after_ns)
{
	return ev->time_ns >= after_ns && (!type || strcmp(ev->type, type) == 0) &&
	       strcmp(ev->action, action) == 0 && strncmp(ev->container, id, strlen(id)) == 0;
}

/* With es->lock held: waits for news at most 20 ms; false once the deadline has passed. */
static bool wait_a_little(struct event_stream *es, int64_t deadline_mono_ns)
{
	int64_t left = deadline_mono_ns - mono_ns(), until;
	struct timespec ts;

	if (left <= 0)
		return false;
	clock_gettime(CLOCK_REALTIME, &ts);
	until = (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec +
		(left < WAIT_SLICE_NS ? left : WAIT_SLICE_NS);
	ts.tv_sec = until / NSEC_PER_SEC;
	ts.tv_nsec = until % NSEC_PER_SEC;
	pthread_cond_timedwait(&es->cond, &es->lock, &ts);
	return true;
}

int64_t event_stream_wait(struct event_stream *es, const char *type, const char *action,
			  const char *id, int64_t after_ns, int64_t deadline_mono_ns)
{
	int64_t found = 0;
	size_t scanned = 0;

	pthread_mutex_lock(&es->lock);
	for (;;) {
		for (size_t i = es->n; i > scanned; i--)
			if (event_matches(&es->events[i - 1].ev, type, action, id, after_ns)) {
				found = es->events[i - 1].ev.time_ns;
				goto out;
			}
		scanned = 0; /* re-scan all: reconnects may insert older events out of order */
		if (!wait_a_little(es, deadline_mono_ns))
			break;
	}
out:
	pthread_mutex_unlock(&es->lock);
	return found;
}

int64_t event_stream_last(struct event_stream *es)
{
	pthread_mutex_lock(&es->lock);
	int64_t t = es->last_ns;

	pthread_mutex_unlock(&es->lock);
	return t;
}

int event_stream_healthy(struct event_stream *es)
{
	return atomic_load(&es->healthy);
}

int event_stream_reconnects(struct event_stream *es)
{
	return atomic_load(&es->reconnects);
}

int event_stream_connects(struct event_stream *es)
{
	return atomic_load(&es->connects);
}

size_t event_stream_collect(struct event_stream *es, const char *id, int64_t from_ns, int64_t to_ns,
			    struct engine_event *out, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&es->lock);
	for (size_t i = 0; i < es->n && n < max; i++) {
		const struct engine_event *ev = &es->events[i].ev;

		if (ev->time_ns >= from_ns && ev->time_ns <= to_ns &&
		    strncmp(ev->container, id, strlen(id)) == 0)
			out[n++] = *ev;
	}
	pthread_mutex_unlock(&es->lock);
	return n;
}

/* Index of the first kept event with seq >= seq (seqs grow along the array). */
static size_t first_at_or_after(const struct event_stream *es, uint64_t seq)
{
	size_t lo = 0, hi = es->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (es->events[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t event_stream_read(struct event_stream *es, uint64_t *cursor, struct engine_event *out,
			 size_t max)
{
	return event_stream_read_wait(es, cursor, out, max, 0);
}

size_t event_stream_read_wait(struct event_stream *es, uint64_t *cursor, struct engine_event *out,
			      size_t max, int64_t deadline_mono_ns)
{
	size_t n = 0;

	pthread_mutex_lock(&es->lock);
	while (first_at_or_after(es, *cursor) == es->n && wait_a_little(es, deadline_mono_ns))
		;
	for (size_t i = first_at_or_after(es, *cursor); i < es->n && n < max; i++) {
		out[n++] = es->events[i].ev;
		*cursor = es->events[i].seq + 1;
	}
	pthread_mutex_unlock(&es->lock);
	return n;
}

/* Gives memory back after a burst, so a long watch stays near what it keeps. */
static void shrink(struct event_stream *es)
{
	size_t cap = es->cap;

	while (cap > 64 && es->n < cap / 4)
		cap /= 2;
	if (cap == es->cap)
		return;
	struct kept_event *p = realloc(es->events, cap * sizeof(*p));

	if (p) {
		es->events = p;
		es->cap = cap;
	}
}

void event_stream_forget(struct event_stream *es, int64_t before_ns)
{
	size_t kept = 0;

	pthread_mutex_lock(&es->lock);
	for (size_t i = 0; i < es->n; i++)
		if (es->events[i].ev.time_ns >= before_ns)
			es->events[kept++] = es->events[i];
	es->n = kept;
	shrink(es);
	pthread_mutex_unlock(&es->lock);
}

void event_stream_forget_read(struct event_stream *es, uint64_t cursor, int64_t before_ns)
{
	pthread_mutex_lock(&es->lock);
	size_t first = 0;

	while (first < es->n && es->events[first].seq < cursor &&
	       es->events[first].ev.time_ns < before_ns)
		first++;
	if (first) {
		memmove(es->events, es->events + first, (es->n - first) * sizeof(*es->events));
		es->n -= first;
		shrink(es);
	}
	pthread_mutex_unlock(&es->lock);
}

size_t event_stream_kept(struct event_stream *es)
{
	pthread_mutex_lock(&es->lock);
	size_t n = es->n;

	pthread_mutex_unlock(&es->lock);
	return n;
}
