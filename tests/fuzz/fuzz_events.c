// SPDX-License-Identifier: GPL-2.0-only
/* The engine's /events stream, in pieces of any size, and single event objects; what is read
 * goes through the restart recognizer, as Docker's or as Podman's. */
#include <stddef.h>
#include <stdint.h>

#include "engine/events.h"
#include "watch/recognize.h"

struct seen {
	size_t n;
	struct recognizer *r;
};

static void count(const struct engine_event *ev, void *ctx)
{
	struct seen *s = ctx;
	struct restart_seen out;

	s->n += ev->time_ns > 0;
	/* The labels list must end inside its buffer. */
	event_label(ev->labels, "com.docker.compose.container-number");
	if (s->r && recognizer_feed(s->r, ev, &out) && out.start_ns < out.begin_ns)
		__builtin_trap(); /* a start before its die or kill cannot be a restart */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine_event ev;
	struct seen seen = {0};
	struct event_splitter *s;

	engine_event_parse((const char *)data, size, &ev);
	if (size == 0)
		return 0;
	/* The first byte chooses the engine whose events these are (its low bit) and how the
	 * rest is cut into reads. */
	seen.r = recognizer_new(120LL * 1000000000, data[0] & 1 ? ENGINE_PODMAN : ENGINE_DOCKER);
	s = event_splitter_new(count, &seen);
	size_t chunk = (size_t)(data[0] >> 1) % 64 + 1;

	for (size_t off = 1; off < size; off += chunk)
		event_splitter_feed(s, (const char *)data + off,
				    size - off < chunk ? size - off : chunk);
	event_splitter_free(s);
	recognizer_free(seen.r);
	return 0;
}
