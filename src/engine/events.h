// SPDX-License-Identifier: GPL-2.0-only
/* The engine's /events stream: parsed, kept for the whole run, reconnected when it breaks. */
#ifndef RP_ENGINE_EVENTS_H
#define RP_ENGINE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EVENT_LABELS_LEN 512

struct engine_event {
	int64_t time_ns;
	char type[16];	    /* container, network, ... */
	char action[32];    /* kill, die, connect, "health_status: healthy", ... ("exec_start:
			       ..." is cut) */
	char container[65]; /* the container concerned: Actor.ID, or for network events the
			       container attribute */
	char name[128];	    /* container or network name */
	int exit_code;	    /* die; -1 otherwise */
	int signal;	    /* kill; 0 otherwise */
	/* Container events only (empty otherwise): */
	char image[128];  /* the image as the container was created with it: "nginx:1.25" */
	char project[64]; /* label com.docker.compose.project */
	char service[64]; /* label com.docker.compose.service */
	bool labels_cut;  /* some labels did not fit in labels */
	/*
	 * The container's labels as "k=v\0k=v\0\0": the compose project and service first,
	 * then the others in the engine's order; a label that does not fit whole is left out
	 * (labels_cut), never cut in the middle.
	 */
	char labels[EVENT_LABELS_LEN];
};

/* Parses one event object. 0 on success, -1 if it is not an event we can read. */
int engine_event_parse(const char *json, size_t len, struct engine_event *out);

/* The value of label key in a "k=v\0k=v\0\0" list, NULL when absent (or labels is NULL). */
const char *event_label(const char *labels, const char *key);

/*
 * Splits a byte stream into JSON values and parses each as an event. Keeps partial values
 * across calls. Calls on_event for every event read; skips values that are no events.
 * Returns the number of bytes it could not make sense of (0 normally).
 */
struct event_splitter;
typedef void (*event_cb)(const struct engine_event *ev, void *ctx);
struct event_splitter *event_splitter_new(event_cb cb, void *ctx);
size_t event_splitter_feed(struct event_splitter *s, const char *data, size_t len);
void event_splitter_free(struct event_splitter *s);

struct event_stream;
struct docker;

/*
 * Opens its own connection to d's engine and reads events from since_ns on, in a thread.
 * Returns once the engine accepted the subscription; -ETIMEDOUT when it did not within d's
 * call bound, -EINTR when d's abort check fired first.
 */
int event_stream_start(const struct docker *d, int64_t since_ns, struct event_stream **out,
		       char *err, size_t errlen);
void event_stream_stop(struct event_stream *es);

/*
 * Waits until an event of `action` for container `id` (a prefix of the id is enough)
 * with time >= after_ns has arrived, or deadline_mono_ns passes. Returns its time, or 0.
 */
int64_t event_stream_wait(struct event_stream *es, const char *type, const char *action,
			  const char *id, int64_t after_ns, int64_t deadline_mono_ns);
/* The newest event time seen so far, 0 if none. */
int64_t event_stream_last(struct event_stream *es);
/*
 * Non-zero while the stream is connected; reconnects count failures; connects count the
 * times the engine accepted the subscription (1 after start, one more each time the stream
 * came back after a break, for example when the engine restarted: events of the break may be
 * missing).
 */
int event_stream_healthy(struct event_stream *es);
int event_stream_reconnects(struct event_stream *es);
int event_stream_connects(struct event_stream *es);

/* Copies the events of container id with time in [from_ns, to_ns]; returns how many. */
size_t event_stream_collect(struct event_stream *es, const char *id, int64_t from_ns, int64_t to_ns,
			    struct engine_event *out, size_t max);

/*
 * For a reader that runs for long: copies up to max of the kept events that arrived after
 * *cursor (0 at first), in arrival order, and advances *cursor past them. Returns how many.
 * Events forgotten before they were read are skipped.
 */
size_t event_stream_read(struct event_stream *es, uint64_t *cursor, struct engine_event *out,
			 size_t max);
/* The same, waiting until there is one to read or deadline_mono_ns passes. */
size_t event_stream_read_wait(struct event_stream *es, uint64_t *cursor, struct engine_event *out,
			      size_t max, int64_t deadline_mono_ns);
/*
 * Drops the kept events with time < before_ns; wait, collect and read see the rest. Keep the
 * last seconds: a resumed stream repeats the second it resumes from, and only what is kept is
 * recognised as repeated.
 */
void event_stream_forget(struct event_stream *es, int64_t before_ns);
/* Drops, from the oldest on, events that a reader with this cursor has read and that are older
 * than before_ns (kept for the same reason as above). */
void event_stream_forget_read(struct event_stream *es, uint64_t cursor, int64_t before_ns);
/* How many events are kept now. */
size_t event_stream_kept(struct event_stream *es);

#endif
