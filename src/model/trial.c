// SPDX-License-Identifier: GPL-2.0-only
#include "model/trial.h"

#include <string.h>

#include "util/names.h"

static const char *const method_names[RM_COUNT] = {
	[RM_STDOUT] = "stdout", [RM_TCP] = "tcp",	[RM_LOG] = "log",
	[RM_EVENTS] = "events", [RM_KERNEL] = "kernel", [RM_HEALTH] = "health",
};

const char *restart_method_name(enum restart_method m)
{
	return (unsigned)m < RM_COUNT ? method_names[m] : "?";
}

int restart_method_from_name(const char *name)
{
	return name_lookup(method_names, RM_COUNT, name);
}

const char *trial_status_name(enum trial_status s)
{
	switch (s) {
	case TRIAL_OK:
		return "ok";
	case TRIAL_FAILED:
		return "failed";
	case TRIAL_INTERRUPTED:
		return "interrupted";
	}
	return "?";
}

int64_t trial_restart_ns(const struct trial *t, enum restart_method m)
{
	if (!t->have_window[m])
		return -1;
	return t->window[m].end_ns - t->window[m].begin_ns;
}

void trial_add_api_call(struct trial *t, const char *what, int64_t start_ns, int64_t duration_ns,
			int http_status)
{
	if (t->n_api >= TRIAL_MAX_API_CALLS)
		return;
	t->api[t->n_api++] = (struct api_call){what, start_ns, duration_ns, http_status};
}

int trial_tile_phases(struct trial *t)
{
	if (!t->have_window[t->method])
		return -1;
	return phases_tile(t->window[t->method].begin_ns, t->window[t->method].end_ns, t->event_ns,
			   t->phases);
}

static const char *const alternate_names[ALT_COUNT] = {
	[ALT_NONE] = "none",
	[ALT_TRACE] = "trace",
	[ALT_STACKS] = "stacks",
	[ALT_ONCPU] = "oncpu",
};

const char *alternate_name(enum alternate a)
{
	return (unsigned)a < ALT_COUNT ? alternate_names[a] : "?";
}

int alternate_from_name(const char *name)
{
	return name_lookup(alternate_names, ALT_COUNT, name);
}

bool alternate_on(int index)
{
	return index % 2 != 0;
}

const char *alternate_variant(enum alternate a, int index)
{
	switch (a) {
	case ALT_TRACE:
		return alternate_on(index) ? "trace" : "no-trace";
	case ALT_STACKS:
		return alternate_on(index) ? "stacks" : "no-stacks";
	case ALT_ONCPU:
		return alternate_on(index) ? "oncpu" : "no-oncpu";
	default:
		return NULL;
	}
}
