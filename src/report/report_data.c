// SPDX-License-Identifier: GPL-2.0-only
#include "report/report_data.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/kind.h"
#include "model/ab_values.h"
#include "rundir/columns.h"
#include "rundir/reader.h"
#include "rundir/run_csv.h"
#include "rundir/run_json.h"

const char *report_info(const struct report_run *r, const char *path, const char *def)
{
	json_object *o = r->info;
	char key[64];

	if (!o)
		return def;
	while (*path) {
		size_t n = strcspn(path, ".");

		snprintf(key, sizeof(key), "%.*s", (int)n, path);
		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, key, &o))
			return def;
		path += n + (path[n] == '.');
	}
	if (!o || json_object_is_type(o, json_type_object) ||
	    json_object_is_type(o, json_type_array))
		return def;
	const char *s = json_object_get_string(o);

	return s && *s ? s : def;
}

int report_engine(const struct report_run *r)
{
	return engine_kind_recorded(report_info(r, "engine.kind", NULL));
}

bool report_engines_differ(const struct report_run *runs, size_t n)
{
	for (size_t k = 1; k < n; k++)
		if (report_engine(&runs[k]) != report_engine(&runs[0]))
			return true;
	return false;
}

void report_print_engines(FILE *f, const struct report_run *runs, size_t n)
{
	for (size_t k = 0; k < n; k++)
		fprintf(f, "%s run %zu %s", k ? "," : "", k + 1,
			engine_kind_title(report_engine(&runs[k])));
}

static void make_label(struct report_run *r)
{
	const char *host = report_info(r, "host.hostname", NULL);
	const char *kernel = report_info(r, "host.kernel", NULL);
	const char *base = strrchr(r->dir, '/');

	base = base && base[1] ? base + 1 : r->dir;
	if (host && kernel)
		snprintf(r->label, sizeof(r->label), "%.40s (%.40s)", host, kernel);
	else
		snprintf(r->label, sizeof(r->label), "%.90s", base);
}

/* Phase durations of a trial from phases.csv, for files whose trials.csv lacks them. */
static void phases_from_rows(const struct report_run *r, const char *cell, int trial, int64_t *out)
{
	const struct csv_table *p = &r->phases;
	int c_cell = csv_col(p, COL_CELL), c_trial = csv_col(p, COL_TRIAL),
	    c_phase = csv_col(p, COL_PHASE), c_dur = csv_col(p, COL_DURATION_NS),
	    c_start = csv_col(p, COL_START_NS), c_end = csv_col(p, COL_END_NS);

	if (c_cell < 0 || c_trial < 0 || c_phase < 0)
		return;
	for (size_t k = 0; k < p->n_rows; k++) {
		int ph;
		int64_t d;

		if (csv_get_i64(p, k, c_trial, -1) != trial ||
		    strcmp(csv_get(p, k, c_cell), cell) != 0 ||
		    (ph = phase_from_name(csv_get(p, k, c_phase))) < 0)
			continue;
		d = csv_get_i64(p, k, c_dur, -1);
		if (d < 0 && c_start >= 0 && c_end >= 0)
			d = csv_get_i64(p, k, c_end, -1) - csv_get_i64(p, k, c_start, 0);
		out[ph] = d >= 0 ? d : -1;
	}
}

static int load_rows(struct report_run *r)
{
	const struct csv_table *t = &r->trials;
	struct trial_columns c;
	int phase_col[PH_COUNT], c_trial = csv_col(t, COL_TRIAL),
				 c_variant = csv_col(t, COL_VARIANT);
	bool in_trials = true;

	trial_columns_find(t, &c);
	for (int p = 0; p < PH_COUNT; p++) {
		char name[32];

		snprintf(name, sizeof(name), "%s_ns", phase_name(p));
		phase_col[p] = csv_col(t, name);
		in_trials = in_trials && phase_col[p] >= 0;
	}
	r->rows = calloc(t->n_rows + 1, sizeof(*r->rows));
	if (!r->rows)
		return -1;
	for (size_t k = 0; k < t->n_rows; k++) {
		struct report_trial *rt = &r->rows[r->n_rows++];
		struct cell_summary row;
		enum ab_variant ab;

		trial_row_cell(t, &c, k, &row);
		rt->cell = summary_find_cell(&r->sum, row.cell);
		rt->trial = (int)csv_get_i64(t, k, c_trial, (int64_t)k + 1);
		rt->ok = trial_ok(t, &c, k);
		rt->variant = c_variant >= 0 && !ab_variant_parse(csv_get(t, k, c_variant), &ab)
				      ? (int)ab
				      : -1;
		rt->restart_s = trial_restart_s(t, &c, k);
		for (int p = 0; p < PH_COUNT; p++)
			rt->phase_ns[p] = in_trials ? csv_get_i64(t, k, phase_col[p], -1) : -1;
		if (!in_trials && rt->ok && r->have_phases)
			phases_from_rows(r, row.cell, rt->trial, rt->phase_ns);
		/* A phase the engine does not report (Podman: connect, disconnect) is empty in
		 * every trial of the run: the others still make the trial's phases. */
		rt->have_phases = rt->ok && rt->phase_ns[PH_READY] >= 0;
	}
	return 0;
}

static void phase_shares(struct report_run *r)
{
	for (size_t c = 0; c < r->sum.n_cells; c++) {
		double sum[PH_COUNT] = {0}, total = 0;
		int n = 0, have[PH_COUNT] = {0};

		for (size_t k = 0; k < r->n_rows; k++) {
			const struct report_trial *rt = &r->rows[k];

			if (rt->cell != (int)c || !rt->have_phases)
				continue;
			n++;
			for (int p = 0; p < PH_COUNT; p++) {
				if (rt->phase_ns[p] < 0)
					continue; /* absent */
				have[p]++;
				sum[p] += (double)rt->phase_ns[p];
				total += (double)rt->phase_ns[p];
			}
		}
		r->share_trials[c] = n;
		/* NAN: absent (no trial reported the phase). */
		for (int p = 0; p < PH_COUNT; p++) {
			r->share_pct[c][p] = have[p] && total > 0 ? sum[p] / total * 100 : NAN;
			r->phase_mean_ms[c][p] = have[p] ? sum[p] / have[p] / 1e6 : NAN;
		}
	}
}

/* A directory is a run when its trials.csv has the columns of one (a cell or a load, a
 * restart time) and rows, or run.json says a run began there: report writes into it. */
static int check_run_dir(struct report_run *r, char *err, size_t errlen)
{
	struct trial_columns c;
	bool timed;

	trial_columns_find(&r->trials, &c);
	timed = c.restart >= 0;
	for (int i = 0; i < 4; i++)
		timed = timed || c.alt[i] >= 0;
	if (!timed || summary_compute_run(&r->trials, &r->sum)) {
		snprintf(err, errlen,
			 "%s/%s lacks the columns of a trials file (cell or load, a restart time): "
			 "not a run directory",
			 r->dir, TRIALS_CSV);
		return -1;
	}
	if (!r->trials.n_rows && !r->info) {
		snprintf(err, errlen, "%s has no %s and no row in %s: not a run directory", r->dir,
			 RUN_JSON, TRIALS_CSV);
		return -1;
	}
	return 0;
}

/* run.json when there is one; one that is there but unreadable is a problem of the run. */
static int read_info(struct rundir_reader *rd, struct report_run *r)
{
	char path[PATH_MAX + 64];
	struct stat st;

	r->info = run_json_read(r->dir);
	snprintf(path, sizeof(path), "%s/%s", r->dir, RUN_JSON);
	if (r->info || lstat(path, &st) < 0)
		return 0;
	return rundir_problem(rd, RUN_JSON, "not a readable JSON object");
}

static int read_files(struct rundir_reader *rd, struct report_run *r)
{
	int rc;

	if ((rc = rundir_read_csv(rd, TRIALS_CSV, RUNDIR_REQUIRED, &r->trials)) < 0 ||
	    (rc = read_info(rd, r)) < 0 ||
	    (rc = rundir_read_csv(rd, PHASES_CSV, RUNDIR_OPTIONAL, &r->phases)) < 0)
		return rc;
	r->have_phases = rc > 0;
	if ((rc = rundir_read_csv(rd, API_CSV, RUNDIR_OPTIONAL, &r->api)) < 0)
		return rc;
	r->have_api = rc > 0;
	if ((rc = rundir_read_csv(rd, EVENTS_CSV, RUNDIR_OPTIONAL, &r->events)) < 0)
		return rc;
	r->have_events = rc > 0;
	return 0;
}

int report_run_read(const char *dir, unsigned flags, struct report_run *r, char *err, size_t errlen)
{
	struct rundir_reader rd;
	size_t n;
	int rc;

	memset(r, 0, sizeof(*r));
	snprintf(r->dir, sizeof(r->dir), "%s", dir);
	rundir_reader_init(&rd, r->dir, flags);
	rc = read_files(&rd, r);
	r->warnings = rundir_reader_take_warnings(&rd);
	if (rc) {
		snprintf(err, errlen, "%s%s", rd.err, rc == -ENOENT ? ": not a run directory" : "");
		report_run_free(r);
		return -1;
	}
	if (check_run_dir(r, err, errlen)) {
		report_run_free(r);
		return -1;
	}
	make_label(r);
	n = r->sum.n_cells + 1;
	r->share_pct = calloc(n, sizeof(*r->share_pct));
	r->phase_mean_ms = calloc(n, sizeof(*r->phase_mean_ms));
	r->share_trials = calloc(n, sizeof(*r->share_trials));
	if (!r->share_pct || !r->phase_mean_ms || !r->share_trials || load_rows(r)) {
		snprintf(err, errlen, "out of memory reading %s", dir);
		report_run_free(r);
		return -1;
	}
	phase_shares(r);
	return 0;
}

int report_run_load(const char *dir, struct report_run *r, char *err, size_t errlen)
{
	return report_run_read(dir, 0, r, err, errlen);
}

void report_run_free(struct report_run *r)
{
	csv_table_free(&r->trials);
	csv_table_free(&r->phases);
	csv_table_free(&r->api);
	csv_table_free(&r->events);
	if (r->info)
		json_object_put(r->info);
	run_summary_free(&r->sum);
	free(r->rows);
	free(r->share_pct);
	free(r->phase_mean_ms);
	free(r->share_trials);
	free(r->warnings);
	memset(r, 0, sizeof(*r));
}

int report_median_trial(const struct report_run *r, int cell)
{
	int *idx = malloc((r->n_rows + 1) * sizeof(*idx));
	int n = 0, best;

	if (!idx)
		return -1;
	for (size_t k = 0; k < r->n_rows; k++)
		if (r->rows[k].cell == cell && r->rows[k].ok && !isnan(r->rows[k].restart_s))
			idx[n++] = (int)k;
	/* Insertion sort by (restart, trial): a cell holds at most a few hundred trials. */
	for (int i = 1; i < n; i++) {
		int k = idx[i], j = i - 1;
		const struct report_trial *a = &r->rows[k];

		while (j >= 0 && (r->rows[idx[j]].restart_s > a->restart_s ||
				  (r->rows[idx[j]].restart_s == a->restart_s &&
				   r->rows[idx[j]].trial > a->trial))) {
			idx[j + 1] = idx[j];
			j--;
		}
		idx[j + 1] = k;
	}
	best = n ? idx[(n - 1) / 2] : -1;
	free(idx);
	return best;
}

bool report_has_phase_metric(const struct report_run *r, const char *column)
{
	int c = csv_col(&r->phases, column);

	for (size_t k = 0; c >= 0 && k < r->phases.n_rows; k++)
		if (csv_get_f64(&r->phases, k, c, 0) != 0)
			return true;
	return false;
}

int report_phase_metric(const struct report_run *r, const char *column, double *out)
{
	const struct csv_table *p = &r->phases;
	int c = csv_col(p, column), c_cell = csv_col(p, COL_CELL), c_phase = csv_col(p, COL_PHASE);
	size_t nl = r->sum.n_loads;
	double *sum;
	int *trials;

	if (c < 0 || c_cell < 0 || c_phase < 0)
		return -1;
	sum = calloc(nl * PH_COUNT + 1, sizeof(*sum));
	trials = calloc(nl + 1, sizeof(*trials));
	if (!sum || !trials) {
		free(sum);
		free(trials);
		return -1;
	}
	/* Trials per load: phases.csv holds rows of ok trials only, PH_COUNT of them each. */
	for (size_t k = 0; k < r->n_rows; k++) {
		const struct report_trial *rt = &r->rows[k];
		int l;

		if (rt->ok && rt->cell >= 0 &&
		    (l = summary_find_load(&r->sum, r->sum.cells[rt->cell].load)) >= 0)
			trials[l]++;
	}
	for (size_t k = 0; k < p->n_rows; k++) {
		int cell = summary_find_cell(&r->sum, csv_get(p, k, c_cell));
		int ph = phase_from_name(csv_get(p, k, c_phase)), l;

		if (cell < 0 || ph < 0 ||
		    (l = summary_find_load(&r->sum, r->sum.cells[cell].load)) < 0)
			continue;
		sum[(size_t)l * PH_COUNT + (size_t)ph] += csv_get_f64(p, k, c, 0);
	}
	for (size_t l = 0; l < nl; l++)
		for (int ph = 0; ph < PH_COUNT; ph++)
			out[l * PH_COUNT + (size_t)ph] =
				trials[l] ? sum[l * PH_COUNT + (size_t)ph] / trials[l] : NAN;
	free(sum);
	free(trials);
	return 0;
}
