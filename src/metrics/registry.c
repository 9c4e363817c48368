// SPDX-License-Identifier: GPL-2.0-only
/* The metrics registry: what watch observes, kept for /metrics and the textfile. */
#include "metrics/registry.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/family.h"

/* A restart takes from a fraction of a second (idle) to a minute (a loaded SD card). */
static const double restart_bounds[] = {0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 20, 30, 60};
/* One phase: from a millisecond (attach) to most of a slow restart. */
static const double phase_bounds[] = {
	0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
};
#define NBOUNDS(a) ((int)(sizeof(a) / sizeof((a)[0])))

enum family_id {
	F_RESTARTS,
	F_RESTART_DURATION,
	F_PHASE_DURATION,
	F_CAUSE_SECONDS,
	F_ENGINE_IO_WAIT,
	F_KERNEL_DROPS,
	F_ENGINE_RECONNECTS,
	F_ENGINE_UP,
	F_LABEL_OVERFLOWS,
	F_COUNT
};

static const struct family_spec restarts = {
	.name = "restartprof_restarts_total",
	.help = "Restarts watch recognised, by cell (container name or compose service) and kind.",
	.type = FAMILY_COUNTER,
	.nlabels = 2,
	.labels = {"cell", "kind"},
};

static const struct family_spec restart_duration = {
	.name = "restartprof_restart_duration_seconds",
	.help = "Restart time: the old service's last sign of life to the new one's readiness.",
	.type = FAMILY_HISTOGRAM,
	.nlabels = 1,
	.labels = {"cell"},
	.bounds = restart_bounds,
	.nbounds = NBOUNDS(restart_bounds),
};

static const struct family_spec phase_duration = {
	.name = "restartprof_phase_duration_seconds",
	.help = "Time of one lifecycle phase of a restart.",
	.type = FAMILY_HISTOGRAM,
	.nlabels = 2,
	.labels = {"cell", "phase"},
	.bounds = phase_bounds,
	.nbounds = NBOUNDS(phase_bounds),
};

static const struct family_spec cause_seconds = {
	.name = "restartprof_cause_seconds_total",
	.help = "Seconds of restart phases explained by a cause (a rule category).",
	.type = FAMILY_COUNTER,
	.nlabels = 3,
	.labels = {"cell", "phase", "cause"},
};

static const struct family_spec engine_io_wait = {
	.name = "restartprof_engine_io_wait_seconds_total",
	.help = "Seconds the engine's threads spent blocked on I/O, per phase.",
	.type = FAMILY_COUNTER,
	.nlabels = 2,
	.labels = {"cell", "phase"},
};

static const struct family_spec kernel_drops = {
	.name = "restartprof_kernel_drops_total",
	.help = "Kernel events lost before watch could read them.",
	.type = FAMILY_COUNTER,
};

static const struct family_spec engine_reconnects = {
	.name = "restartprof_engine_reconnects_total",
	.help = "Times watch reconnected to the engine after losing it.",
	.type = FAMILY_COUNTER,
};

static const struct family_spec engine_up = {
	.name = "restartprof_engine_up",
	.help = "1 when watch is connected to the engine's event stream, else 0.",
	.type = FAMILY_GAUGE,
};

static const struct family_spec label_overflows = {
	.name = "restartprof_label_overflows_total",
	.help = "Observations whose label value was counted as \"other\": more distinct values "
		"than the bound.",
	.type = FAMILY_COUNTER,
	.nlabels = 1,
	.labels = {"label"},
};

static const struct family_spec *const specs[F_COUNT] = {
	[F_RESTARTS] = &restarts,
	[F_RESTART_DURATION] = &restart_duration,
	[F_PHASE_DURATION] = &phase_duration,
	[F_CAUSE_SECONDS] = &cause_seconds,
	[F_ENGINE_IO_WAIT] = &engine_io_wait,
	[F_KERNEL_DROPS] = &kernel_drops,
	[F_ENGINE_RECONNECTS] = &engine_reconnects,
	[F_ENGINE_UP] = &engine_up,
	[F_LABEL_OVERFLOWS] = &label_overflows,
};

/* The distinct values of one label, up to a bound. */
struct label_set {
	const char *label;
	char **values;
	int n, max;
};

struct metrics {
	pthread_mutex_t lock;
	struct family families[F_COUNT];
	struct label_set cells, kinds, phases, causes;
	char *build[3]; /* version, kernel, engine_version */
};

static void label_set_init(struct label_set *ls, const char *label, int max)
{
	ls->label = label;
	ls->max = max;
	ls->values = calloc((size_t)max, sizeof(*ls->values));
}

static void label_set_free(struct label_set *ls)
{
	for (int i = 0; i < ls->n; i++)
		free(ls->values[i]);
	free(ls->values);
}

static void count_overflow(struct metrics *m, const char *label)
{
	const char *values[1] = {label};
	struct series *s = family_series(&m->families[F_LABEL_OVERFLOWS], values);

	if (s)
		s->value++;
}

/* The interned value, METRICS_OTHER once the set is full, NULL when out of memory. */
static const char *label_value(struct metrics *m, struct label_set *ls, const char *v)
{
	char *copy;

	v = v ? v : "";
	if (strcmp(v, METRICS_OTHER) == 0)
		return METRICS_OTHER;
	for (int i = 0; i < ls->n; i++)
		if (strcmp(ls->values[i], v) == 0)
			return ls->values[i];
	if (ls->n == ls->max) {
		count_overflow(m, ls->label);
		return METRICS_OTHER;
	}
	copy = strdup(v);
	if (!copy)
		return NULL;
	ls->values[ls->n++] = copy;
	return copy;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

/* Series without labels, and the overflow counters, exist from the start at 0 so that
 * rate() and increase() see their first rise. */
static int make_fixed_series(struct metrics *m)
{
	static const char *const labels[] = {"cell", "kind", "phase", "cause"};

	for (int f = F_KERNEL_DROPS; f <= F_ENGINE_UP; f++)
		if (!family_series(&m->families[f], NULL))
			return -ENOMEM;
	for (int i = 0; i < 4; i++)
		if (!family_series(&m->families[F_LABEL_OVERFLOWS], &labels[i]))
			return -ENOMEM;
	return 0;
}

struct metrics *metrics_new(const char *version, const char *kernel, const char *engine_version)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	pthread_mutex_init(&m->lock, NULL);
	for (int f = 0; f < F_COUNT; f++)
		m->families[f].spec = specs[f];
	label_set_init(&m->cells, "cell", METRICS_MAX_CELLS);
	label_set_init(&m->kinds, "kind", METRICS_MAX_KINDS);
	label_set_init(&m->phases, "phase", METRICS_MAX_PHASES);
	label_set_init(&m->causes, "cause", METRICS_MAX_CAUSES);
	m->build[0] = dup_or_empty(version);
	m->build[1] = dup_or_empty(kernel);
	m->build[2] = dup_or_empty(engine_version);
	if (!m->cells.values || !m->kinds.values || !m->phases.values || !m->causes.values ||
	    !m->build[0] || !m->build[1] || !m->build[2] || make_fixed_series(m)) {
		metrics_free(m);
		return NULL;
	}
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	for (int f = 0; f < F_COUNT; f++)
		family_free(&m->families[f]);
	label_set_free(&m->cells);
	label_set_free(&m->kinds);
	label_set_free(&m->phases);
	label_set_free(&m->causes);
	for (int i = 0; i < 3; i++)
		free(m->build[i]);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

int metrics_engine_version(struct metrics *m, const char *engine_version)
{
	char *copy = dup_or_empty(engine_version);

	if (!copy)
		return -ENOMEM;
	pthread_mutex_lock(&m->lock);
	free(m->build[2]);
	m->build[2] = copy;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

/* Seconds as observed: NaN and negative durations (clock steps) count as 0. */
static double seconds_value(double s)
{
	return isnan(s) || s < 0 ? 0 : s;
}

static int add(struct metrics *m, enum family_id f, const char *const *values, double v)
{
	struct series *s = family_series(&m->families[f], values);

	if (!s)
		return -ENOMEM;
	if (specs[f]->type == FAMILY_HISTOGRAM)
		series_observe(specs[f], s, v);
	else
		s->value += v;
	return 0;
}

int metrics_restart(struct metrics *m, const char *cell, const char *kind, double seconds)
{
	const char *v[2];
	int rc = -ENOMEM;

	pthread_mutex_lock(&m->lock);
	v[0] = label_value(m, &m->cells, cell);
	v[1] = label_value(m, &m->kinds, kind);
	if (v[0] && v[1] && (rc = add(m, F_RESTARTS, v, 1)) == 0)
		rc = add(m, F_RESTART_DURATION, v, seconds_value(seconds));
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int metrics_phase(struct metrics *m, const char *cell, const char *phase, double seconds,
		  double engine_io_wait_seconds)
{
	const char *v[2];
	int rc = -ENOMEM;

	pthread_mutex_lock(&m->lock);
	v[0] = label_value(m, &m->cells, cell);
	v[1] = label_value(m, &m->phases, phase);
	if (v[0] && v[1] && (rc = add(m, F_PHASE_DURATION, v, seconds_value(seconds))) == 0)
		rc = add(m, F_ENGINE_IO_WAIT, v, seconds_value(engine_io_wait_seconds));
	pthread_mutex_unlock(&m->lock);
	return rc;
}

int metrics_cause(struct metrics *m, const char *cell, const char *phase, const char *cause,
		  double seconds)
{
	const char *v[3];
	int rc = -ENOMEM;

	pthread_mutex_lock(&m->lock);
	v[0] = label_value(m, &m->cells, cell);
	v[1] = label_value(m, &m->phases, phase);
	v[2] = label_value(m, &m->causes, cause);
	if (v[0] && v[1] && v[2])
		rc = add(m, F_CAUSE_SECONDS, v, seconds_value(seconds));
	pthread_mutex_unlock(&m->lock);
	return rc;
}

/* The one series of an unlabelled family, made by metrics_new. */
static struct series *scalar(struct metrics *m, enum family_id f)
{
	return &m->families[f].series[0];
}

static void raise_to(struct metrics *m, enum family_id f, uint64_t total)
{
	pthread_mutex_lock(&m->lock);
	if ((double)total > scalar(m, f)->value)
		scalar(m, f)->value = (double)total;
	pthread_mutex_unlock(&m->lock);
}

void metrics_kernel_drops(struct metrics *m, uint64_t total)
{
	raise_to(m, F_KERNEL_DROPS, total);
}

void metrics_engine_reconnects(struct metrics *m, uint64_t total)
{
	raise_to(m, F_ENGINE_RECONNECTS, total);
}

void metrics_watch_up(struct metrics *m, bool engine_connected)
{
	pthread_mutex_lock(&m->lock);
	scalar(m, F_ENGINE_UP)->value = engine_connected;
	pthread_mutex_unlock(&m->lock);
}

static void write_build_info(FILE *out, char *const *build)
{
	static const char *const names[] = {"version", "kernel", "engine_version"};

	fputs("# HELP restartprof_build_info restartprof's version, the kernel and the engine's "
	      "version; always 1.\n# TYPE restartprof_build_info gauge\nrestartprof_build_info{",
	      out);
	for (int i = 0; i < 3; i++) {
		fprintf(out, "%s%s=\"", i ? "," : "", names[i]);
		exposition_escape(out, build[i], 1);
		fputc('"', out);
	}
	fputs("} 1\n", out);
}

int metrics_render(struct metrics *m, char **buf, size_t *len)
{
	FILE *out = open_memstream(buf, len);
	int failed;

	if (!out)
		return -ENOMEM;
	pthread_mutex_lock(&m->lock);
	write_build_info(out, m->build);
	for (int f = 0; f < F_COUNT; f++)
		family_write(out, &m->families[f]);
	pthread_mutex_unlock(&m->lock);
	failed = ferror(out);
	if (fclose(out) != 0 || failed) {
		free(*buf);
		*buf = NULL;
		return -ENOMEM;
	}
	return 0;
}
