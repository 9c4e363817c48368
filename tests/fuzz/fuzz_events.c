// SPDX-License-Identifier: GPL-2.0-only
/* The engine's /events stream, in pieces of any size, and single event objects. */
#include <stddef.h>
#include <stdint.h>

#include "engine/events.h"

static void count(const struct engine_event *ev, void *ctx)
{
	(*(size_t *)ctx) += ev->time_ns > 0;
	/* The labels list must end inside its buffer. */
	event_label(ev->labels, "com.docker.compose.container-number");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct engine_event ev;
	size_t seen = 0;
	struct event_splitter *s;

	engine_event_parse((const char *)data, size, &ev);
	if (size == 0)
		return 0;
	s = event_splitter_new(count, &seen);
	/* The first byte chooses how the rest is cut into reads. */
	size_t chunk = (size_t)data[0] % 64 + 1;

	for (size_t off = 1; off < size; off += chunk)
		event_splitter_feed(s, (const char *)data + off,
				    size - off < chunk ? size - off : chunk);
	event_splitter_free(s);
	return 0;
}
