// SPDX-License-Identifier: GPL-2.0-only
#include "report/timeline.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rundir/columns.h"
#include "util/array.h"
#include "util/files.h"

#define TID_PHASES 1
#define TID_API	   2
#define TID_ACTOR  10

static const char *const actors[] = {"engine", "target", "load", "kernel", "other"};
#define N_ACTORS (sizeof(actors) / sizeof(actors[0]))

/* An event kept as its JSON text: a json-c object costs several times its text. */
struct ev {
	double ts;
	int rank; /* metadata before everything at the same time */
	size_t seq;
	char *json;
};

struct evlist {
	struct ev *v;
	size_t n, cap;
	int failed;
};

static const int json_flags = JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE;

static void evlist_add(struct evlist *l, double ts, int rank, json_object *o)
{
	char *text = o ? strdup(json_object_to_json_string_ext(o, json_flags)) : NULL;

	json_object_put(o);
	if (!text || array_reserve((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v))) {
		free(text);
		l->failed = 1;
		return;
	}
	l->v[l->n] = (struct ev){ts, rank, l->n, text};
	l->n++;
}

static int cmp_ev(const void *a, const void *b)
{
	const struct ev *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank - y->rank;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static json_object *us(double v)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%.3f", v);
	return json_object_new_double_s(v, buf);
}

static json_object *event(const char *name, const char *ph, int pid, int tid, double ts)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "ph", json_object_new_string(ph));
	json_object_object_add(o, "pid", json_object_new_int(pid));
	json_object_object_add(o, "tid", json_object_new_int(tid));
	json_object_object_add(o, "ts", us(ts));
	return o;
}

static void meta(struct evlist *l, const char *what, int pid, int tid, const char *key,
		 json_object *value)
{
	json_object *o = event(what, "M", pid, tid, 0), *args = json_object_new_object();

	json_object_object_add(args, key, value);
	json_object_object_add(o, "args", args);
	evlist_add(l, 0, 0, o);
}

static void slice(struct evlist *l, const char *name, const char *cat, int pid, int tid, double ts,
		  double dur, json_object *args)
{
	json_object *o = event(name, "X", pid, tid, ts);

	json_object_object_add(o, "cat", json_object_new_string(cat));
	json_object_object_add(o, "dur", us(dur < 0 ? 0 : dur));
	if (args)
		json_object_object_add(o, "args", args);
	evlist_add(l, ts, 1, o);
}

/* The trial being drawn: where its time 0 is, and where its rows are. */
struct drawn {
	const struct report_run *r;
	const char *cell;
	int trial;
	int pid;
	int64_t origin_ns;
	const bool *phase_num, *event_num; /* columns whose every value is a number */
	bool *live;			   /* phases.csv columns not all zero in this trial */
};

static bool row_is(const struct csv_table *t, size_t k, int c_cell, int c_trial,
		   const struct drawn *d)
{
	return csv_get_i64(t, k, c_trial, -1) == d->trial &&
	       strcmp(csv_get(t, k, c_cell), d->cell) == 0;
}

static double rel_us(const struct drawn *d, int64_t ns)
{
	return (double)(ns - d->origin_ns) / 1000.0;
}

/* A JSON number exactly as written: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool json_number_text(const char *v)
{
	const char *p = v + (*v == '-');

	if (!isdigit((unsigned char)*p) || (*p == '0' && isdigit((unsigned char)p[1])))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p += 1 + (p[1] == '+' || p[1] == '-');
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return *p == '\0';
}

/* Per column of t: whether every non-empty value is a number (so ids such as "0a1b" or a
 * comm that happens to be digits in one row stay strings in every row). NULL: no memory. */
static bool *numeric_columns(const struct csv_table *t)
{
	bool *num = calloc(t->n_cols + 1, sizeof(*num));

	for (size_t c = 0; num && c < t->n_cols; c++) {
		num[c] = true;
		for (size_t k = 0; k < t->n_rows && num[c]; k++) {
			const char *v = csv_get(t, k, (int)c);

			num[c] = !*v || json_number_text(v);
		}
	}
	return num;
}

/* A slice argument: a number when its column holds numbers, its text kept exactly. */
static json_object *arg_value(const char *v, bool numeric)
{
	return numeric ? json_object_new_double_s(strtod(v, NULL), v) : json_object_new_string(v);
}

static int first_col(const struct csv_table *t, const char *const *names)
{
	for (; *names; names++) {
		int c = csv_col(t, *names);

		if (c >= 0)
			return c;
	}
	return -1;
}

static const char *const event_ts_names[] = {COL_TS_NS, COL_TIME_NS, COL_START_NS, COL_TIMESTAMP_NS,
					     NULL};

/* The earliest time in column c of the trial's rows of t, or o if none is earlier. */
static int64_t earliest(const struct csv_table *t, int c, const struct drawn *d, int64_t o)
{
	int c_cell = csv_col(t, COL_CELL), c_trial = csv_col(t, COL_TRIAL);

	for (size_t k = 0; c >= 0 && c_cell >= 0 && k < t->n_rows; k++) {
		int64_t s;

		if (row_is(t, k, c_cell, c_trial, d) && (s = csv_get_i64(t, k, c, 0)) > 0 &&
		    (o <= 0 || s < o))
			o = s;
	}
	return o;
}

/* Earliest of the window's begin, the first API call and the first kernel event: time 0. */
static int64_t find_origin(const struct drawn *d, int64_t window_begin)
{
	int64_t o = window_begin;

	if (d->r->have_api)
		o = earliest(&d->r->api, csv_col(&d->r->api, COL_START_NS), d, o);
	if (d->r->have_events)
		o = earliest(&d->r->events, first_col(&d->r->events, event_ts_names), d, o);
	return o;
}

static bool known_phase_column(const char *name)
{
	static const char *const known[] = {COL_RUN_ID,	  COL_CELL,   COL_LOAD,	      COL_STRESSORS,
					    COL_TRIAL,	  COL_PHASE,  COL_ORDER,      COL_EVENT_NS,
					    COL_START_NS, COL_END_NS, COL_DURATION_NS};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(known[i], name) == 0)
			return true;
	return false;
}

static int actor_of_column(const char *name)
{
	for (size_t a = 0; a < N_ACTORS; a++) {
		size_t n = strlen(actors[a]);

		if (strncmp(name, actors[a], n) == 0 && name[n] == '_')
			return (int)a;
	}
	return -1;
}

/* A kernel per-phase column as a counter: "engine_iowait_ns" -> "engine iowait (ms)". */
static void counter_name(const char *col, char *out, size_t len, double *scale)
{
	size_t n = strlen(col);
	bool ns = n > 3 && strcmp(col + n - 3, "_ns") == 0;

	snprintf(out, len, "%.*s%s", (int)(ns ? n - 3 : n), col, ns ? " (ms)" : "");
	for (char *p = out; *p; p++)
		if (*p == '_')
			*p = ' ';
	*scale = ns ? 1e-6 : 1;
}

static void phase_counters(struct evlist *l, const struct drawn *d, size_t k, double ts)
{
	const struct csv_table *p = &d->r->phases;

	for (size_t c = 0; c < p->n_cols; c++) {
		const char *col = p->header[c];
		char name[96];
		double scale, v;
		json_object *o, *args;

		if (known_phase_column(col) || actor_of_column(col) < 0 || !d->live[c] ||
		    isnan(v = csv_get_f64(p, k, (int)c, NAN)))
			continue;
		counter_name(col, name, sizeof(name), &scale);
		o = event(name, "C", d->pid, 0, ts);
		args = json_object_new_object();
		json_object_object_add(args, "value", json_object_new_double(v * scale));
		json_object_object_add(o, "args", args);
		evlist_add(l, ts, 2, o);
	}
}

static json_object *phase_args(const struct drawn *d, size_t k, int64_t dur)
{
	const struct csv_table *p = &d->r->phases;
	json_object *args = json_object_new_object();

	json_object_object_add(args, "duration_ms", json_object_new_double((double)dur / 1e6));
	for (size_t c = 0; c < p->n_cols; c++) {
		const char *v = csv_get(p, k, (int)c);

		if (*v &&
		    (strcmp(p->header[c], "event_ns") == 0 || !known_phase_column(p->header[c])))
			json_object_object_add(args, p->header[c], arg_value(v, d->phase_num[c]));
	}
	return args;
}

/* Which counter columns have a value other than zero in the drawn trial: the others would
 * be flat tracks (most of the 125 kernel columns, in most trials). */
static void find_live_counters(const struct drawn *d)
{
	const struct csv_table *p = &d->r->phases;
	int c_cell = csv_col(p, COL_CELL), c_trial = csv_col(p, COL_TRIAL);

	memset(d->live, 0, p->n_cols * sizeof(*d->live));
	for (size_t k = 0; c_cell >= 0 && c_trial >= 0 && k < p->n_rows; k++) {
		if (!row_is(p, k, c_cell, c_trial, d))
			continue;
		for (size_t c = 0; c < p->n_cols; c++) {
			double v = csv_get_f64(p, k, (int)c, NAN);

			d->live[c] = d->live[c] || (!isnan(v) && v != 0);
		}
	}
}

/* Phases from phases.csv; returns the window's end (ns), 0 when the file has none. */
static int64_t phases_from_csv(struct evlist *l, const struct drawn *d)
{
	const struct csv_table *p = &d->r->phases;
	int c_cell = csv_col(p, COL_CELL), c_trial = csv_col(p, COL_TRIAL),
	    c_phase = csv_col(p, COL_PHASE), c_start = csv_col(p, COL_START_NS),
	    c_end = csv_col(p, COL_END_NS);
	int64_t last = 0;

	if (!d->r->have_phases || c_cell < 0 || c_trial < 0 || c_start < 0 || c_end < 0)
		return 0;
	for (size_t k = 0; k < p->n_rows; k++) {
		int64_t s, e;

		if (!row_is(p, k, c_cell, c_trial, d))
			continue;
		s = csv_get_i64(p, k, c_start, 0);
		e = csv_get_i64(p, k, c_end, 0);
		if (s <= 0 || e < s)
			continue;
		last = e > last ? e : last;
		phase_counters(l, d, k, rel_us(d, s));
		/* Empty phases too (ready is often empty): a zero-length slice marks the event. */
		slice(l, csv_get(p, k, c_phase), "phase", d->pid, TID_PHASES, rel_us(d, s),
		      (double)(e - s) / 1000.0, phase_args(d, k, e - s));
	}
	return last;
}

/* Older runs without phases.csv: the durations of trials.csv laid end to end. */
static int64_t phases_from_trial(struct evlist *l, const struct drawn *d,
				 const struct report_trial *rt, int64_t begin)
{
	int64_t at = begin;

	for (int p = 0; p < PH_COUNT; p++) {
		json_object *args;

		if (rt->phase_ns[p] < 0) /* not measured; an empty phase is a zero-length slice */
			continue;
		args = json_object_new_object();
		json_object_object_add(args, "duration_ms",
				       json_object_new_double((double)rt->phase_ns[p] / 1e6));
		json_object_object_add(
			args, "note",
			json_object_new_string("from trials.csv, in canonical order"));
		slice(l, phase_name(p), "phase", d->pid, TID_PHASES, rel_us(d, at),
		      (double)rt->phase_ns[p] / 1000.0, args);
		at += rt->phase_ns[p];
	}
	return at;
}

static void api_calls(struct evlist *l, const struct drawn *d)
{
	const struct csv_table *a = &d->r->api;
	int c_cell = csv_col(a, COL_CELL), c_trial = csv_col(a, COL_TRIAL),
	    c_call = csv_col(a, COL_CALL), c_start = csv_col(a, COL_START_NS),
	    c_dur = csv_col(a, COL_DURATION_NS), c_status = csv_col(a, COL_HTTP_STATUS);

	for (size_t k = 0; d->r->have_api && c_start >= 0 && k < a->n_rows; k++) {
		int64_t s, dur;
		json_object *args;

		if (!row_is(a, k, c_cell, c_trial, d) || (s = csv_get_i64(a, k, c_start, 0)) <= 0)
			continue;
		dur = csv_get_i64(a, k, c_dur, 0);
		args = json_object_new_object();
		json_object_object_add(args, "http_status",
				       json_object_new_int((int)csv_get_i64(a, k, c_status, 0)));
		slice(l, *csv_get(a, k, c_call) ? csv_get(a, k, c_call) : "call", "api", d->pid,
		      TID_API, rel_us(d, s), (double)dur / 1000.0, args);
	}
}

/* events.csv: each event of the trial on its actor's track; with a duration a slice. */
static unsigned kernel_events(struct evlist *l, const struct drawn *d)
{
	static const char *const dur_names[] = {COL_DUR_NS, COL_DURATION_NS, NULL};
	static const char *const name_names[] = {COL_EVENT, COL_NAME, COL_KIND, COL_TYPE, NULL};
	const struct csv_table *e = &d->r->events;
	int c_cell = csv_col(e, COL_CELL), c_trial = csv_col(e, COL_TRIAL),
	    c_ts = first_col(e, event_ts_names), c_dur = first_col(e, dur_names),
	    c_name = first_col(e, name_names), c_actor = csv_col(e, COL_ACTOR);
	unsigned used = 0;

	if (!d->r->have_events || c_cell < 0 || c_trial < 0 || c_ts < 0)
		return 0;
	for (size_t k = 0; k < e->n_rows; k++) {
		int64_t ts, dur;
		int a = 0;
		json_object *args, *o;

		if (!row_is(e, k, c_cell, c_trial, d) || (ts = csv_get_i64(e, k, c_ts, 0)) <= 0)
			continue;
		for (a = 0; a < (int)N_ACTORS - 1; a++)
			if (strcmp(csv_get(e, k, c_actor), actors[a]) == 0)
				break;
		used |= 1u << a;
		args = json_object_new_object();
		for (size_t c = 0; c < e->n_cols; c++)
			if (*csv_get(e, k, (int)c) && (int)c != c_cell && (int)c != c_trial)
				json_object_object_add(
					args, e->header[c],
					arg_value(csv_get(e, k, (int)c), d->event_num[c]));
		dur = csv_get_i64(e, k, c_dur, -1);
		if (dur > 0) {
			slice(l, *csv_get(e, k, c_name) ? csv_get(e, k, c_name) : "event", "kernel",
			      d->pid, TID_ACTOR + a, rel_us(d, ts), (double)dur / 1000.0, args);
			continue;
		}
		o = event(*csv_get(e, k, c_name) ? csv_get(e, k, c_name) : "event", "i", d->pid,
			  TID_ACTOR + a, rel_us(d, ts));
		json_object_object_add(o, "s", json_object_new_string("t"));
		json_object_object_add(o, "args", args);
		evlist_add(l, rel_us(d, ts), 1, o);
	}
	return used;
}

/* Ends every counter of the cell at the window's end. */
static void close_counters(struct evlist *l, const struct drawn *d, double end_us)
{
	const struct csv_table *p = &d->r->phases;

	for (size_t c = 0; c < p->n_cols; c++) {
		char name[96];
		double scale;
		json_object *o, *args;

		if (known_phase_column(p->header[c]) || actor_of_column(p->header[c]) < 0 ||
		    !d->live[c])
			continue;
		counter_name(p->header[c], name, sizeof(name), &scale);
		o = event(name, "C", d->pid, 0, end_us);
		args = json_object_new_object();
		json_object_object_add(args, "value", json_object_new_double(0));
		json_object_object_add(o, "args", args);
		evlist_add(l, end_us, 3, o);
	}
}

/* What every cell's tracks share: which columns hold numbers, room for the live counters. */
struct tables {
	bool *phase_num, *event_num, *live;
};

static void cell_tracks(struct evlist *l, const struct report_run *r, int c,
			const struct tables *tb)
{
	const struct cell_summary *cs = &r->sum.cells[c];
	int k = report_median_trial(r, c);
	const struct report_trial *rt;
	struct drawn d = {.r = r,
			  .cell = cs->cell,
			  .pid = c + 1,
			  .phase_num = tb->phase_num,
			  .event_num = tb->event_num,
			  .live = tb->live};
	char title[160];
	int64_t begin, end;
	unsigned used;

	if (k < 0)
		return;
	rt = &r->rows[k];
	d.trial = rt->trial;
	begin = csv_get_i64(&r->trials, (size_t)k, csv_col(&r->trials, COL_WINDOW_BEGIN_NS), 0);
	d.origin_ns = find_origin(&d, begin);
	find_live_counters(&d);
	snprintf(title, sizeof(title), "%s: trial %d, the median of %zu (%.3f s)", cs->cell,
		 rt->trial, cs->restart_s.n, rt->restart_s);
	meta(l, "process_name", d.pid, 0, "name", json_object_new_string(title));
	meta(l, "process_sort_index", d.pid, 0, "sort_index", json_object_new_int(c));
	meta(l, "thread_name", d.pid, TID_PHASES, "name", json_object_new_string("phases"));
	meta(l, "thread_sort_index", d.pid, TID_PHASES, "sort_index", json_object_new_int(0));
	if (r->have_api) {
		meta(l, "thread_name", d.pid, TID_API, "name",
		     json_object_new_string("engine API calls"));
		meta(l, "thread_sort_index", d.pid, TID_API, "sort_index", json_object_new_int(1));
	}
	end = phases_from_csv(l, &d);
	if (!end && d.origin_ns > 0)
		end = phases_from_trial(l, &d, rt, begin > 0 ? begin : d.origin_ns);
	api_calls(l, &d);
	used = kernel_events(l, &d);
	for (size_t a = 0; a < N_ACTORS; a++)
		if (used & (1u << a)) {
			meta(l, "thread_name", d.pid, TID_ACTOR + (int)a, "name",
			     json_object_new_string(actors[a]));
			meta(l, "thread_sort_index", d.pid, TID_ACTOR + (int)a, "sort_index",
			     json_object_new_int(2 + (int)a));
		}
	if (end > 0)
		close_counters(l, &d, rel_us(&d, end));
}

/* The document: {"traceEvents":[...],"displayTimeUnit":"ms","otherData":{...}}, in one buffer. */
static char *document(struct evlist *l, const struct report_run *r)
{
	json_object *other = json_object_new_object();
	const char *tail;
	size_t len = 64, at = 0;
	char *out = NULL;

	json_object_object_add(other, "run_id",
			       json_object_new_string(report_info(r, "run_id", "")));
	json_object_object_add(
		other, "note",
		json_object_new_string("One process per cell: its median trial. Time 0 is the "
				       "trial's first engine call (the stop request)."));
	tail = json_object_to_json_string_ext(other, json_flags);
	for (size_t i = 0; i < l->n; i++)
		len += strlen(l->v[i].json) + 1;
	len += strlen(tail) + 64;
	out = malloc(len);
	if (out) {
		at += (size_t)snprintf(out, len, "{\"traceEvents\":[");
		for (size_t i = 0; i < l->n; i++)
			at += (size_t)snprintf(out + at, len - at, "%s%s", i ? "," : "",
					       l->v[i].json);
		snprintf(out + at, len - at, "],\"displayTimeUnit\":\"ms\",\"otherData\":%s}",
			 tail);
	}
	json_object_put(other);
	return out;
}

char *timeline_text(const struct report_run *r)
{
	struct evlist l = {0};
	struct tables tb = {numeric_columns(&r->phases), numeric_columns(&r->events),
			    calloc(r->phases.n_cols + 1, sizeof(bool))};
	char *text = NULL;

	l.failed = !tb.phase_num || !tb.event_num || !tb.live;
	for (size_t c = 0; c < r->sum.n_cells && !l.failed; c++)
		cell_tracks(&l, r, (int)c, &tb);
	free(tb.phase_num);
	free(tb.event_num);
	free(tb.live);
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), cmp_ev);
	if (!l.failed)
		text = document(&l, r);
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].json);
	free(l.v);
	return text;
}

int timeline_write(const struct report_run *r, int dirfd)
{
	char *text = timeline_text(r);
	int rc;

	if (!text)
		return -ENOMEM;
	rc = atomic_write(dirfd, TIMELINE_JSON, text, strlen(text));
	free(text);
	return rc;
}
