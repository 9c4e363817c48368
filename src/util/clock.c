// SPDX-License-Identifier: GPL-2.0-only
#include "util/clock.h"

#include <errno.h>
#include <time.h>

static int64_t read_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

int64_t wall_ns(void)
{
	return read_clock(CLOCK_REALTIME);
}

int64_t mono_ns(void)
{
	return read_clock(CLOCK_MONOTONIC);
}

int64_t clock_offset_ns(int64_t *err_ns)
{
	int64_t best_width = INT64_MAX, best = 0;

	for (int i = 0; i < 16; i++) {
		int64_t w0 = wall_ns(), m = mono_ns(), w1 = wall_ns();

		if (w1 - w0 < best_width) {
			best_width = w1 - w0;
			best = w0 + (w1 - w0) / 2 - m;
		}
	}
	if (err_ns)
		*err_ns = best_width / 2 + 1;
	return best;
}

void sleep_ns(int64_t ns)
{
	struct timespec ts = {.tv_sec = ns / NSEC_PER_SEC, .tv_nsec = ns % NSEC_PER_SEC};

	while (ns > 0 && nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}
