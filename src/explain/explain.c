// SPDX-License-Identifier: GPL-2.0-only
#include "explain/explain.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/kind.h"
#include "explain/stack_index.h"
#include "explain/tried.h"
#include "model/stats.h"
#include "model/waits.h"
#include "rundir/columns.h"
#include "rundir/csv.h"
#include "rundir/csv_stream.h"
#include "rundir/reader.h"
#include "rundir/run_json.h"
#include "rundir/waits_rows.h"
#include "util/array.h"
#include "util/files.h"
#include "util/text_pool.h"

#define FOLD_FRAMES (64 * 48)

static const char *const ctx_columns[CTX_COUNT] = {
	[CTX_DIRTY_BEGIN] = COL_DIRTY_KIB_BEGIN,
	[CTX_DIRTY_END] = COL_DIRTY_KIB_END,
	[CTX_WRITEBACK_BEGIN] = COL_WRITEBACK_KIB_BEGIN,
	[CTX_WRITEBACK_END] = COL_WRITEBACK_KIB_END,
	[CTX_WB_BACKGROUND] = COL_WB_PAGES_BACKGROUND,
	[CTX_WB_PERIODIC] = COL_WB_PAGES_PERIODIC,
	[CTX_WB_SYNC] = COL_WB_PAGES_SYNC,
	[CTX_WB_RECLAIM] = COL_WB_PAGES_RECLAIM,
	[CTX_WB_OTHER] = COL_WB_PAGES_OTHER,
	[CTX_WB_BY_ENGINE] = "engine_wb_pages",
	[CTX_WB_BY_TARGET] = "target_wb_pages",
	[CTX_WB_BY_LOAD] = "load_wb_pages",
	[CTX_WB_BY_KERNEL] = "kernel_wb_pages",
	[CTX_WB_BY_OTHER] = "other_wb_pages",
	[CTX_WB_BY_UNKNOWN] = COL_WB_PAGES_UNKNOWN_DIRTIER,
	[CTX_BIO_ENGINE] = "engine_bio_bytes",
	[CTX_BIO_LOAD] = "load_bio_bytes",
	[CTX_BIO_KERNEL] = "kernel_bio_bytes",
	[CTX_BIO_OTHER] = "other_bio_bytes",
};

#define RULES_FILE_LIMIT (4u << 20)

int explain_rules_load(const char *path, struct rules *out, char *err, size_t errlen)
{
	char why[256];
	char *text;
	size_t len = 0;
	int rc;

	if (!path)
		return rules_load_builtin(out, err, errlen);
	/* A path the user gave: a symlink to a rules file is fine. */
	rc = file_read_all(AT_FDCWD, path, RULES_FILE_LIMIT, FILE_READ_FOLLOW, &text, &len);
	if (rc) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 rc == -EINVAL || rc == -EFBIG ? "not a regular file of at most 4 MiB"
						       : strerror(-rc));
		return -1;
	}
	rc = rules_parse(text, len, out, why, sizeof(why));
	free(text);
	if (rc)
		snprintf(err, errlen, "%s, %s", path, why);
	return rc;
}

/* ---- reading a run ---- */

struct loader_state {
	struct explain_run *r;
	struct diagnosis_builder **b; /* per cell, then the pooled baseline */
	int **ok;		      /* per cell: its ok trial numbers */
	int *n_ok;
	double (*sum)[PH_COUNT][CTX_COUNT];
	int (*cnt)[PH_COUNT][CTX_COUNT];
	struct csv_table stacks; /* stacks.csv as read, then indexed */
	struct stack_index stack_ids;
	char *last_id; /* the last wait's stack id, and its folded stack */
	size_t last_id_cap;
	const char *last_folded;
};

static const char *field(const struct csv_table *t, size_t row, int col)
{
	return col >= 0 ? csv_get(t, row, col) : "";
}

/* Cell names as kept: cut to the size of explain_cell.name. */
static bool same_cell(const char *a, const char *b)
{
	return strncmp(a, b, sizeof(((struct explain_cell *)0)->name) - 1) == 0;
}

static int cell_index(const struct explain_run *r, const char *name)
{
	for (size_t i = 0; i < r->n_cells; i++)
		if (same_cell(r->cells[i].name, name))
			return (int)i;
	return -1;
}

bool explain_is_base_load(const char *load)
{
	return strcmp(load, "none") == 0;
}

/* Distinct names in column col: a cell's table is large, one per trial row would waste it. */
static int count_distinct(const struct csv_table *t, int col, size_t *out)
{
	size_t *first = calloc(t->n_rows + 1, sizeof(*first)), n = 0;

	if (!first)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_rows; i++) {
		size_t k = 0;

		while (k < n && !same_cell(field(t, first[k], col), field(t, i, col)))
			k++;
		if (k == n)
			first[n++] = i;
	}
	free(first);
	*out = n;
	return 0;
}

/* The cells and their ok trials, from trials.csv. */
static int read_trials(struct loader_state *ls, const struct csv_table *t)
{
	struct explain_run *r = ls->r;
	int c_cell = csv_col(t, COL_CELL), c_load = csv_col(t, COL_LOAD),
	    c_str = csv_col(t, COL_STRESSORS), c_trial = csv_col(t, COL_TRIAL),
	    c_status = csv_col(t, COL_STATUS), c_variant = csv_col(t, COL_VARIANT);
	size_t n_cells;

	if (c_cell < 0 || c_trial < 0)
		return -EINVAL;
	if (count_distinct(t, c_cell, &n_cells))
		return -ENOMEM;
	r->cells = calloc(n_cells + 1, sizeof(*r->cells));
	ls->ok = calloc(n_cells + 1, sizeof(*ls->ok));
	ls->n_ok = calloc(n_cells + 1, sizeof(*ls->n_ok));
	if (!r->cells || !ls->ok || !ls->n_ok)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_rows; i++) {
		const char *name = field(t, i, c_cell);
		int c = cell_index(r, name);

		if (c < 0 && r->n_cells >= n_cells)
			return -EINVAL; /* cannot be: every name was counted */
		if (c < 0) {
			struct explain_cell *ec = &r->cells[r->n_cells];

			c = (int)r->n_cells++;
			snprintf(ec->name, sizeof(ec->name), "%s", name);
			snprintf(ec->load, sizeof(ec->load), "%s",
				 c_load >= 0 ? field(t, i, c_load) : "");
			if (!ec->load[0])
				snprintf(ec->load, sizeof(ec->load), "%.*s",
					 (int)strcspn(name, "-#"), name);
			ec->stressors = (int)csv_get_i64(t, i, c_str, 0);
			ls->ok[c] = calloc(t->n_rows + 1, sizeof(int));
			if (!ls->ok[c])
				return -ENOMEM;
		}
		if (c_status < 0 || strcmp(field(t, i, c_status), "ok") == 0) {
			ls->ok[c][ls->n_ok[c]++] = (int)csv_get_i64(t, i, c_trial, -1);
			r->cells[c].ok_trials++;
			if (tried_add_trial(&r->cells[c], r->rules, ls->ok[c][ls->n_ok[c] - 1],
					    field(t, i, c_variant)))
				return -ENOMEM;
		}
	}
	return 0;
}

/* The median restart time of the ok trials of cell only, or of the baseline cells (NULL). */
static double median_restart_ms(const struct explain_run *r, const struct csv_table *t,
				const struct explain_cell *only)
{
	int c_cell = csv_col(t, COL_CELL), c_status = csv_col(t, COL_STATUS),
	    c_restart = csv_col(t, COL_RESTART_NS);
	double *ms = calloc(t->n_rows + 1, sizeof(*ms));
	struct stats st;
	size_t n = 0;

	if (!ms || c_restart < 0) {
		free(ms);
		return NAN;
	}
	for (size_t i = 0; i < t->n_rows; i++) {
		int c = cell_index(r, field(t, i, c_cell));
		int64_t ns = csv_get_i64(t, i, c_restart, -1);

		if (c < 0 || ns < 0 || (c_status >= 0 && strcmp(field(t, i, c_status), "ok")))
			continue;
		if (only ? &r->cells[c] == only : explain_is_base_load(r->cells[c].load))
			ms[n++] = (double)ns / 1e6;
	}
	st.median = NAN;
	stats_compute(ms, n, &st);
	free(ms);
	return n ? st.median : NAN;
}

static void read_medians(struct explain_run *r, const struct csv_table *t)
{
	for (size_t c = 0; c < r->n_cells; c++)
		r->cells[c].median_ms = median_restart_ms(r, t, &r->cells[c]);
	r->base.median_ms = median_restart_ms(r, t, NULL);
}

/* The engine's data-root, to shorten the paths under it; a try run's remedies; the engine. */
static void read_data_root(struct explain_run *r)
{
	json_object *o = run_json_read(r->dir), *storage, *root, *engine, *kind;
	const char *kind_name = NULL;

	if (o && json_object_object_get_ex(o, "engine", &engine) &&
	    json_object_object_get_ex(engine, "kind", &kind))
		kind_name = json_object_get_string(kind);
	r->engine = engine_kind_recorded(kind_name);

	if (o && json_object_object_get_ex(o, "storage", &storage) &&
	    json_object_object_get_ex(storage, "docker_root_dir", &root) &&
	    json_object_is_type(root, json_type_string))
		snprintf(r->data_root, sizeof(r->data_root), "%s", json_object_get_string(root));
	tried_read_spec(r, o);
	json_object_put(o);
}

static bool ok_trial(const struct loader_state *ls, int cell, int trial)
{
	for (int i = 0; i < ls->n_ok[cell]; i++)
		if (ls->ok[cell][i] == trial)
			return true;
	return false;
}

static struct diagnosis_builder *pooled(const struct loader_state *ls, int cell)
{
	return explain_is_base_load(ls->r->cells[cell].load) ? ls->b[ls->r->n_cells] : NULL;
}

static void read_phases(struct loader_state *ls, const struct csv_table *t)
{
	int c_cell = csv_col(t, COL_CELL), c_trial = csv_col(t, COL_TRIAL),
	    c_phase = csv_col(t, COL_PHASE), c_dur = csv_col(t, COL_DURATION_NS), ctx[CTX_COUNT];

	for (int k = 0; k < CTX_COUNT; k++)
		ctx[k] = csv_col(t, ctx_columns[k]);
	for (size_t i = 0; i < t->n_rows; i++) {
		int c = cell_index(ls->r, field(t, i, c_cell)),
		    p = phase_from_name(field(t, i, c_phase));
		int64_t dur = csv_get_i64(t, i, c_dur, -1);

		if (c < 0 || p < 0 || dur < 0 ||
		    !ok_trial(ls, c, (int)csv_get_i64(t, i, c_trial, -1)))
			continue;
		diagnosis_add_phase_time(ls->b[c], p, dur);
		tried_add_phase(&ls->r->cells[c], (int)csv_get_i64(t, i, c_trial, -1), p, dur);
		if (pooled(ls, c))
			diagnosis_add_phase_time(pooled(ls, c), p, dur);
		for (int k = 0; k < CTX_COUNT; k++) {
			double v = csv_get_f64(t, i, ctx[k], NAN);

			if (ctx[k] >= 0 && !isnan(v) && v >= 0) {
				ls->sum[c][p][k] += v;
				ls->cnt[c][p][k]++;
			}
		}
	}
}

static void count_frames(struct explain_run *r, const char *folded)
{
	for (const char *s = folded; *s;) {
		size_t n = strcspn(s, ";");

		r->frames++;
		r->raw_frames += n > 2 && s[0] == '0' && s[1] == 'x';
		s += n + (s[n] == ';');
	}
}

static int add_fold(struct explain_cell *ec, struct text_pool *strings,
		    const struct diagnosis_wait *w)
{
	char frames[FOLD_FRAMES];
	int rc;

	if (w->offcpu_ns < 1000)
		return 0;
	if (!ec->fold[w->phase] && !(ec->fold[w->phase] = fold_new_in(strings)))
		return -ENOMEM;
	fold_frames(w->actor, w->comm, w->state, w->call, w->folded, frames, sizeof(frames));
	rc = fold_add(ec->fold[w->phase], frames, (uint64_t)(w->offcpu_ns / 1000));
	return rc == -EINVAL ? 0 : rc;
}

static int add_wait(struct loader_state *ls, int c, int trial, const struct diagnosis_wait *w)
{
	int rc = diagnosis_add_wait(ls->b[c], w);

	if (!rc)
		rc = tried_add_wait(&ls->r->cells[c], trial, w);
	if (!rc && pooled(ls, c))
		rc = diagnosis_add_wait(pooled(ls, c), w);
	if (!rc)
		rc = add_fold(&ls->r->cells[c], ls->r->strings, w);
	if (!rc && pooled(ls, c))
		rc = add_fold(&ls->r->base, ls->r->strings, w);
	return rc == -ENOMEM ? rc : 0;
}

/* The folded stack of id, looked up again only when id is not the last row's. */
static const char *row_folded(struct loader_state *ls, const char *id)
{
	size_t n = strlen(id);

	if (ls->last_id && strcmp(ls->last_id, id) == 0)
		return ls->last_folded;
	if (array_reserve_from((void **)&ls->last_id, &ls->last_id_cap, n + 1, 1, 64))
		return NULL;
	memcpy(ls->last_id, id, n + 1);
	ls->last_folded = stack_index_folded(&ls->stack_ids, id);
	count_frames(ls->r, ls->last_folded);
	return ls->last_folded;
}

/* waits.csv row by row (never held whole); rc: the stream's last word, for the reader. */
static int read_waits(struct loader_state *ls, struct csv_stream *s, int *stream_rc)
{
	struct waits_row_cols c;
	int rc = 0;

	waits_row_cols_find(&s->t, &c);
	while (!rc && (*stream_rc = csv_stream_next(s)) == 1) {
		int cell = cell_index(ls->r, csv_stream_get(s, c.cell));
		int trial = (int)csv_field_i64(csv_stream_get(s, c.trial), -1);
		struct diagnosis_wait w;

		waits_row_read(s, &c, &w);
		if (cell < 0 || w.phase < 0 || !ok_trial(ls, cell, trial))
			continue;
		w.folded = row_folded(ls, csv_stream_get(s, c.stack));
		rc = w.folded ? add_wait(ls, cell, trial, &w) : -ENOMEM;
	}
	return rc;
}

static void fill_ctx(struct loader_state *ls, int c, struct explain_cell *ec)
{
	for (int p = 0; p < PH_COUNT; p++)
		for (int k = 0; k < CTX_COUNT; k++)
			ec->ctx[p][k] =
				ls->cnt[c][p][k] ? ls->sum[c][p][k] / ls->cnt[c][p][k] : NAN;
}

static int diagnose_cells(struct loader_state *ls)
{
	struct explain_run *r = ls->r;
	size_t nc = r->n_cells;

	for (size_t c = 0; c < nc; c++) {
		if (diagnosis_finish_cell(ls->b[c], &r->cells[c].dx))
			return -ENOMEM;
		fill_ctx(ls, (int)c, &r->cells[c]);
		if (explain_is_base_load(r->cells[c].load)) {
			r->have_base = true;
			r->base.ok_trials += r->cells[c].ok_trials;
			for (int p = 0; p < PH_COUNT; p++)
				for (int k = 0; k < CTX_COUNT; k++) {
					ls->sum[nc][p][k] += ls->sum[c][p][k];
					ls->cnt[nc][p][k] += ls->cnt[c][p][k];
				}
		}
	}
	snprintf(r->base.name, sizeof(r->base.name), "baseline");
	snprintf(r->base.load, sizeof(r->base.load), "none");
	fill_ctx(ls, (int)nc, &r->base);
	return diagnosis_finish_cell(ls->b[nc], &r->base.dx) ? -ENOMEM : 0;
}

static int build_explain_run(struct loader_state *ls, const struct csv_table *trials,
			     const struct csv_table *phases)
{
	struct explain_run *r = ls->r;
	int rc = read_trials(ls, trials);

	if (rc)
		return rc;
	ls->b = calloc(r->n_cells + 1, sizeof(*ls->b));
	ls->sum = calloc(r->n_cells + 1, sizeof(*ls->sum));
	ls->cnt = calloc(r->n_cells + 1, sizeof(*ls->cnt));
	if (!ls->b || !ls->sum || !ls->cnt)
		return -ENOMEM;
	for (size_t c = 0; c <= r->n_cells; c++)
		if (!(ls->b[c] = diagnosis_builder_new_in(r->rules, r->strings)))
			return -ENOMEM;
	for (size_t c = 0; c < r->n_cells; c++)
		for (int i = 0; i < ls->n_ok[c]; i++) {
			diagnosis_add_trial(ls->b[c]);
			if (pooled(ls, (int)c))
				diagnosis_add_trial(pooled(ls, (int)c));
		}
	read_medians(r, trials);
	read_phases(ls, phases);
	return 0;
}

static void loader_state_free(struct loader_state *ls, size_t n_cells)
{
	for (size_t c = 0; ls->b && c <= n_cells; c++)
		diagnosis_builder_free(ls->b[c]);
	for (size_t c = 0; ls->ok && c < n_cells; c++)
		free(ls->ok[c]);
	free(ls->b);
	free(ls->ok);
	free(ls->n_ok);
	free(ls->sum);
	free(ls->cnt);
	stack_index_free(&ls->stack_ids);
	free(ls->last_id);
	csv_table_free(&ls->stacks);
}

/* The files of a run directory but waits.csv's rows; *traced when it has waits.csv (then
 * open as a stream). 0 or < 0 with rd->err. */
static int read_files(struct rundir_reader *rd, struct csv_table *trials, struct csv_table *phases,
		      struct csv_stream *waits, struct csv_table *stacks, bool *traced)
{
	int rc;

	*traced = false;
	if ((rc = rundir_read_csv(rd, TRIALS_CSV, RUNDIR_REQUIRED, trials)) < 0 ||
	    (rc = rundir_read_csv(rd, PHASES_CSV, RUNDIR_OPTIONAL, phases)) < 0 ||
	    (rc = rundir_open_stream(rd, WAITS_CSV, RUNDIR_OPTIONAL, waits)) < 0)
		return rc;
	*traced = rc > 0;
	if (*traced && (rc = rundir_read_csv(rd, STACKS_CSV, RUNDIR_OPTIONAL, stacks)) < 0)
		return rc;
	return 0;
}

/* The diagnosis from the files read and the waits streamed. 0, or < 0 with err. */
static int diagnose_run(struct loader_state *ls, struct rundir_reader *rd,
			const struct csv_table *trials, const struct csv_table *phases,
			struct csv_stream *waits, char *err, size_t errlen)
{
	struct explain_run *r = ls->r;
	int rc = build_explain_run(ls, trials, phases), stream_rc = 0;

	if (!rc && r->traced && !(rc = stack_index_build(&ls->stack_ids, &ls->stacks)))
		rc = read_waits(ls, waits, &stream_rc);
	if (r->traced && (stream_rc = rundir_close_stream(rd, WAITS_CSV, waits, stream_rc)) &&
	    !rc) {
		snprintf(err, errlen, "%s", rd->err);
		return stream_rc;
	}
	if (!rc)
		rc = diagnose_cells(ls);
	if (rc)
		snprintf(err, errlen, "%s: %s", r->dir,
			 rc == -ENOMEM ? "out of memory"
				       : "trials.csv has no cell or trial column");
	return rc;
}

int explain_read(const char *dir, const struct rules *rules, unsigned flags,
		 struct explain_run *out, char *err, size_t errlen)
{
	struct loader_state ls = {.r = out};
	struct csv_table trials = {0}, phases = {0};
	struct csv_stream waits = {.fd = -1};
	struct rundir_reader rd;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->dir, sizeof(out->dir), "%s", dir);
	out->rules = rules;
	out->strings = calloc(1, sizeof(*out->strings));
	if (!out->strings) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rundir_reader_init(&rd, out->dir, flags);
	rc = read_files(&rd, &trials, &phases, &waits, &ls.stacks, &out->traced);
	if (rc)
		snprintf(err, errlen, "%s%s", rd.err, rc == -ENOENT ? ": not a run directory" : "");
	else {
		read_data_root(out);
		rc = diagnose_run(&ls, &rd, &trials, &phases, &waits, err, errlen);
	}
	out->warnings = rundir_reader_take_warnings(&rd);
	csv_stream_close(&waits);
	loader_state_free(&ls, out->n_cells);
	csv_table_free(&trials);
	csv_table_free(&phases);
	if (rc)
		explain_run_free(out);
	return rc;
}

int explain_load(const char *dir, const struct rules *rules, struct explain_run *out, char *err,
		 size_t errlen)
{
	return explain_read(dir, rules, 0, out, err, errlen) ? -1 : 0;
}

static void cell_free(struct explain_cell *c)
{
	diagnosis_cell_free(&c->dx);
	tried_free(c);
	for (int p = 0; p < PH_COUNT; p++) {
		fold_free(c->fold[p]);
		c->fold[p] = NULL;
	}
}

void explain_run_free(struct explain_run *r)
{
	for (size_t c = 0; c < r->n_cells; c++)
		cell_free(&r->cells[c]);
	cell_free(&r->base);
	free(r->cells);
	r->cells = NULL;
	r->n_cells = 0;
	free(r->warnings);
	r->warnings = NULL;
	if (r->strings)
		text_pool_free(r->strings);
	free(r->strings);
	r->strings = NULL;
}

const struct explain_cell *explain_find(const struct explain_run *r, const char *name)
{
	for (size_t i = 0; i < r->n_cells; i++)
		if (strcmp(r->cells[i].name, name) == 0)
			return &r->cells[i];
	return NULL;
}

const struct explain_cell *explain_baseline(const struct explain_run *r,
					    const struct explain_run *against,
					    const struct explain_cell *c)
{
	if (against) {
		const struct explain_cell *same = explain_find(against, c->name);

		if (same && same->dx.trials)
			return same;
		return against->have_base && against->base.dx.trials ? &against->base : NULL;
	}
	if (explain_is_base_load(c->load) || !r->have_base || !r->base.dx.trials)
		return NULL;
	return &r->base;
}

double explain_total_ms(const struct diagnosis_cell *d)
{
	double t = 0;

	for (int p = 0; p < PH_COUNT; p++)
		t += d->phase[p].measured_ms;
	return t;
}
