#include "output/explain.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model/waits.h"
#include "output/csv.h"
#include "output/flame.h"
#include "output/markup.h"
#include "output/kernel_csv.h"
#include "output/report_data.h"
#include "output/run_csv.h"
#include "util/files.h"

#define SHOWN_CAUSES 5
#define SHOWN_MIN_MS 0.05
#define FOLD_FRAMES  (64 * 48)

extern const char rp_rules_blob[], rp_rules_blob_end[];

static const char *const ctx_columns[CTX_COUNT] = {
	[CTX_DIRTY_BEGIN] = "dirty_kib_begin",
	[CTX_DIRTY_END] = "dirty_kib_end",
	[CTX_WRITEBACK_BEGIN] = "writeback_kib_begin",
	[CTX_WRITEBACK_END] = "writeback_kib_end",
	[CTX_WB_BACKGROUND] = "wb_pages_background",
	[CTX_WB_PERIODIC] = "wb_pages_periodic",
	[CTX_WB_SYNC] = "wb_pages_sync",
	[CTX_WB_RECLAIM] = "wb_pages_reclaim",
	[CTX_WB_OTHER] = "wb_pages_other",
	[CTX_WB_BY_ENGINE] = "engine_wb_pages",
	[CTX_WB_BY_TARGET] = "target_wb_pages",
	[CTX_WB_BY_LOAD] = "load_wb_pages",
	[CTX_WB_BY_KERNEL] = "kernel_wb_pages",
	[CTX_WB_BY_OTHER] = "other_wb_pages",
	[CTX_WB_BY_UNKNOWN] = "wb_pages_unknown_dirtier",
	[CTX_BIO_ENGINE] = "engine_bio_bytes",
	[CTX_BIO_LOAD] = "load_bio_bytes",
	[CTX_BIO_KERNEL] = "kernel_bio_bytes",
	[CTX_BIO_OTHER] = "other_bio_bytes",
};

#define RULES_FILE_LIMIT (4u << 20)

/* A whole regular file, at most RULES_FILE_LIMIT bytes; NULL with errno set. */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t got = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > RULES_FILE_LIMIT) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (buf)
		buf[got] = '\0';
	*len = got;
	return buf;
}

int explain_rules_load(const char *path, struct rules *out, char *err, size_t errlen)
{
	char why[256];
	char *text;
	size_t len = 0;
	int rc;

	if (!path)
		return rules_parse(rp_rules_blob, (size_t)(rp_rules_blob_end - rp_rules_blob), out,
				   err, errlen);
	text = slurp(path, &len);
	if (!text) {
		snprintf(err, errlen, "cannot read %s: %s", path,
			 errno == EINVAL ? "not a regular file of at most 4 MiB" : strerror(errno));
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
	struct csv_table stacks;
	int *stack_order; /* row indexes of stacks.csv sorted by id */
};

static bool read_table(const char *dir, const char *name, struct csv_table *t)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (csv_read_file(path, t) == 0)
		return true;
	memset(t, 0, sizeof(*t));
	return false;
}

static const char *field(const struct csv_table *t, size_t row, int col)
{
	return col >= 0 ? csv_get(t, row, col) : "";
}

/* Cell names as kept: cut to the size of explain_cell.name. */
static bool same_cell(const char *a, const char *b)
{
	return strncmp(a, b, sizeof(((struct explain_cell *)0)->name) - 1) == 0;
}

static int cell_index(struct explain_run *r, const char *name)
{
	for (size_t i = 0; i < r->n_cells; i++)
		if (same_cell(r->cells[i].name, name))
			return (int)i;
	return -1;
}

static bool is_base_load(const char *load)
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
	int c_cell = csv_col(t, "cell"), c_load = csv_col(t, "load"),
	    c_str = csv_col(t, "stressors"), c_trial = csv_col(t, "trial"),
	    c_status = csv_col(t, "status");
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
		}
	}
	return 0;
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
	return is_base_load(ls->r->cells[cell].load) ? ls->b[ls->r->n_cells] : NULL;
}

static void read_phases(struct loader_state *ls, const struct csv_table *t)
{
	int c_cell = csv_col(t, "cell"), c_trial = csv_col(t, "trial"),
	    c_phase = csv_col(t, "phase"), c_dur = csv_col(t, "duration_ns"), ctx[CTX_COUNT];

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

static const struct csv_table *sort_stacks_table;
static int sort_stacks_col;

static int cmp_stack_row(const void *a, const void *b)
{
	return strcmp(csv_get(sort_stacks_table, (size_t) * (const int *)a, sort_stacks_col),
		      csv_get(sort_stacks_table, (size_t) * (const int *)b, sort_stacks_col));
}

static int index_stacks(struct loader_state *ls)
{
	int col = csv_col(&ls->stacks, "stack");

	ls->stack_order = malloc((ls->stacks.n_rows + 1) * sizeof(int));
	if (!ls->stack_order)
		return -ENOMEM;
	for (size_t i = 0; i < ls->stacks.n_rows; i++)
		ls->stack_order[i] = (int)i;
	sort_stacks_table = &ls->stacks;
	sort_stacks_col = col;
	if (col >= 0)
		qsort(ls->stack_order, ls->stacks.n_rows, sizeof(int), cmp_stack_row);
	return 0;
}

static const char *stack_folded(const struct loader_state *ls, const char *id)
{
	int col = csv_col(&ls->stacks, "stack"), fcol = csv_col(&ls->stacks, "folded");
	size_t lo = 0, hi = ls->stacks.n_rows;

	if (!id[0] || col < 0 || fcol < 0)
		return "";
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(csv_get(&ls->stacks, (size_t)ls->stack_order[mid], col), id);

		if (!c)
			return csv_get(&ls->stacks, (size_t)ls->stack_order[mid], fcol);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return "";
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

static int add_fold(struct explain_cell *ec, const struct diagnosis_wait *w)
{
	char frames[FOLD_FRAMES];
	int rc;

	if (w->offcpu_ns < 1000)
		return 0;
	if (!ec->fold[w->phase] && !(ec->fold[w->phase] = fold_new()))
		return -ENOMEM;
	fold_frames(w->actor, w->comm, w->state, w->call, w->folded, frames, sizeof(frames));
	rc = fold_add(ec->fold[w->phase], frames, (uint64_t)(w->offcpu_ns / 1000));
	return rc == -EINVAL ? 0 : rc;
}

static int read_waits(struct loader_state *ls, const struct csv_table *t)
{
	int c_cell = csv_col(t, "cell"), c_trial = csv_col(t, "trial"),
	    c_phase = csv_col(t, "phase"), c_actor = csv_col(t, "actor"),
	    c_comm = csv_col(t, "comm"), c_state = csv_col(t, "state"),
	    c_stack = csv_col(t, "stack"), c_call = csv_col(t, "call"), c_file = csv_col(t, "file"),
	    c_del = csv_col(t, "deleted"), c_waker = csv_col(t, "waker"),
	    c_count = csv_col(t, "count"), c_off = csv_col(t, "offcpu_ns"),
	    c_wall = csv_col(t, "wall_ns");
	const char *last_id = NULL, *last_folded = "";

	for (size_t i = 0; i < t->n_rows; i++) {
		int c = cell_index(ls->r, field(t, i, c_cell)), rc;
		const char *id = field(t, i, c_stack);
		struct diagnosis_wait w = {
			.phase = phase_from_name(field(t, i, c_phase)),
			.actor = field(t, i, c_actor),
			.comm = field(t, i, c_comm),
			.state = field(t, i, c_state),
			.call = field(t, i, c_call),
			.file = field(t, i, c_file),
			.waker = field(t, i, c_waker),
			.deleted = csv_get_i64(t, i, c_del, 0) != 0,
			.count = csv_get_i64(t, i, c_count, 0),
			.offcpu_ns = csv_get_i64(t, i, c_off, 0),
			.wall_ns = csv_get_i64(t, i, c_wall, 0),
		};

		if (c < 0 || w.phase < 0 || !ok_trial(ls, c, (int)csv_get_i64(t, i, c_trial, -1)))
			continue;
		if (!last_id || strcmp(last_id, id) != 0) {
			last_id = id;
			last_folded = stack_folded(ls, id);
			count_frames(ls->r, last_folded);
		}
		w.folded = last_folded;
		rc = diagnosis_add_wait(ls->b[c], &w);
		if (!rc && pooled(ls, c))
			rc = diagnosis_add_wait(pooled(ls, c), &w);
		if (!rc)
			rc = add_fold(&ls->r->cells[c], &w);
		if (!rc && pooled(ls, c))
			rc = add_fold(&ls->r->base, &w);
		if (rc == -ENOMEM)
			return rc;
	}
	return 0;
}

static void fill_ctx(struct loader_state *ls, int c, struct explain_cell *ec)
{
	for (int p = 0; p < PH_COUNT; p++)
		for (int k = 0; k < CTX_COUNT; k++)
			ec->ctx[p][k] =
				ls->cnt[c][p][k] ? ls->sum[c][p][k] / ls->cnt[c][p][k] : NAN;
}

static int finish(struct loader_state *ls)
{
	struct explain_run *r = ls->r;
	size_t nc = r->n_cells;

	for (size_t c = 0; c < nc; c++) {
		if (diagnosis_finish_cell(ls->b[c], &r->cells[c].dx))
			return -ENOMEM;
		fill_ctx(ls, (int)c, &r->cells[c]);
		if (is_base_load(r->cells[c].load)) {
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

static int build(struct loader_state *ls, const struct csv_table *trials,
		 const struct csv_table *phases, const struct csv_table *waits)
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
		if (!(ls->b[c] = diagnosis_builder_new(r->rules)))
			return -ENOMEM;
	for (size_t c = 0; c < r->n_cells; c++)
		for (int i = 0; i < ls->n_ok[c]; i++) {
			diagnosis_add_trial(ls->b[c]);
			if (pooled(ls, (int)c))
				diagnosis_add_trial(pooled(ls, (int)c));
		}
	read_phases(ls, phases);
	if (r->traced && ((rc = index_stacks(ls)) || (rc = read_waits(ls, waits))))
		return rc;
	return finish(ls);
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
	free(ls->stack_order);
	csv_table_free(&ls->stacks);
}

int explain_load(const char *dir, const struct rules *rules, struct explain_run *out, char *err,
		 size_t errlen)
{
	struct loader_state ls = {.r = out};
	struct csv_table trials, phases, waits;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->dir, sizeof(out->dir), "%s", dir);
	out->rules = rules;
	if (!read_table(dir, TRIALS_CSV, &trials)) {
		snprintf(err, errlen, "%s has no readable %s: not a run directory", dir,
			 TRIALS_CSV);
		return -1;
	}
	read_table(dir, PHASES_CSV, &phases);
	out->traced = read_table(dir, WAITS_CSV, &waits);
	if (out->traced)
		read_table(dir, STACKS_CSV, &ls.stacks);
	rc = build(&ls, &trials, &phases, &waits);
	loader_state_free(&ls, out->n_cells);
	csv_table_free(&trials);
	csv_table_free(&phases);
	if (out->traced)
		csv_table_free(&waits);
	if (rc) {
		snprintf(err, errlen, "%s: %s", dir,
			 rc == -ENOMEM ? "out of memory"
				       : "trials.csv has no cell or trial column");
		explain_run_free(out);
		return -1;
	}
	return 0;
}

static void cell_free(struct explain_cell *c)
{
	diagnosis_cell_free(&c->dx);
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
	if (is_base_load(c->load) || !r->have_base || !r->base.dx.trials)
		return NULL;
	return &r->base;
}

/* ---- text ---- */

static double total_ms(const struct diagnosis_cell *d)
{
	double t = 0;

	for (int p = 0; p < PH_COUNT; p++)
		t += d->phase[p].measured_ms;
	return t;
}

static void print_items(FILE *f, const char *label, const struct diagnosis_evidence *it, int n,
			bool calls)
{
	for (int i = 0; i < n; i++)
		fprintf(f, "          %-7s %s  (%.1f ms, %lld %s)\n", i ? "" : label, it[i].text,
			it[i].ms, (long long)it[i].count, calls ? "calls" : "waits");
}

static void print_tasks(FILE *f, const struct diagnosis_cause *c)
{
	if (!c->n_tasks)
		return;
	fprintf(f, "          %-7s ", "who");
	for (int i = 0; i < c->n_tasks; i++)
		fprintf(f, "%s%s %.1f ms", i ? ", " : "", c->tasks[i].text, c->tasks[i].ms);
	if (c->n_wakers) {
		fprintf(f, "; woken by ");
		for (int i = 0; i < c->n_wakers; i++)
			fprintf(f, "%s%s", i ? ", " : "", c->wakers[i].text);
	}
	fputc('\n', f);
}

static void print_cause(FILE *f, const struct explain_run *r, const struct diagnosis_cause *c,
			double measured, int rank, bool *told)
{
	const struct rule *rule = &r->rules->rule[c->rule];

	fprintf(f, "    %d. %8.1f ms %5.1f%%  %s: %s\n", rank, c->ms,
		measured > 0 ? 100 * c->ms / measured : 0, rule->name, rule->title);
	print_tasks(f, c);
	print_items(f, "stack", c->stacks, c->n_stacks, false);
	print_items(f, "file", c->files, c->n_files, true);
	if (told[c->rule])
		return;
	told[c->rule] = true;
	if (rule->explain[0])
		fprintf(f, "          %-7s %s\n", "why", rule->explain);
	for (int i = 0; i < rule->n_remedies; i++)
		fprintf(f, "          %-7s - %s\n", i ? "" : "helps", rule->remedy[i]);
}

static void print_context(FILE *f, const double *x)
{
	double wb = 0;

	for (int k = CTX_WB_BACKGROUND; k <= CTX_WB_OTHER; k++)
		wb += isnan(x[k]) ? 0 : x[k];
	if (!isnan(x[CTX_DIRTY_BEGIN]))
		fprintf(f, "    context  dirty %.1f -> %.1f MiB, under writeback %.1f -> %.1f MiB",
			x[CTX_DIRTY_BEGIN] / 1024, x[CTX_DIRTY_END] / 1024,
			x[CTX_WRITEBACK_BEGIN] / 1024, x[CTX_WRITEBACK_END] / 1024);
	else
		fprintf(f, "    context ");
	if (!isnan(x[CTX_WB_BACKGROUND]))
		fprintf(f,
			"; written back %.0f pages (background %.0f, periodic %.0f, sync %.0f, "
			"reclaim %.0f, other %.0f), dirtied by load %.0f, engine %.0f, kernel "
			"%.0f, "
			"other %.0f, unknown %.0f",
			wb, x[CTX_WB_BACKGROUND], x[CTX_WB_PERIODIC], x[CTX_WB_SYNC],
			x[CTX_WB_RECLAIM], x[CTX_WB_OTHER], x[CTX_WB_BY_LOAD], x[CTX_WB_BY_ENGINE],
			x[CTX_WB_BY_KERNEL], x[CTX_WB_BY_OTHER] + x[CTX_WB_BY_TARGET],
			x[CTX_WB_BY_UNKNOWN]);
	if (!isnan(x[CTX_BIO_ENGINE]))
		fprintf(f,
			"; block I/O engine %.2f MiB, load %.1f MiB, kernel %.1f MiB, other %.1f "
			"MiB",
			x[CTX_BIO_ENGINE] / 1048576, x[CTX_BIO_LOAD] / 1048576,
			x[CTX_BIO_KERNEL] / 1048576, x[CTX_BIO_OTHER] / 1048576);
	fputc('\n', f);
}

static void print_phase(FILE *f, const struct explain_run *r, const struct explain_cell *ec, int p,
			bool *told)
{
	const struct diagnosis_phase *ph = &ec->dx.phase[p];
	double other = 0;

	fprintf(f, "  %-10s %8.1f ms per trial\n", phase_name(p), ph->measured_ms);
	int n_other = 0;

	for (int i = 0; i < ph->n_causes; i++) {
		if (i < SHOWN_CAUSES && ph->causes[i].ms >= SHOWN_MIN_MS) {
			print_cause(f, r, &ph->causes[i], ph->measured_ms, i + 1, told);
		} else {
			other += ph->causes[i].ms;
			n_other++;
		}
	}
	if (n_other)
		fprintf(f, "       %8.1f ms %5.1f%%  %d smaller cause%s\n", other,
			ph->measured_ms > 0 ? 100 * other / ph->measured_ms : 0, n_other,
			n_other > 1 ? "s" : "");
	fprintf(f,
		"       %8.1f ms %5.1f%%  unexplained: no wait %.1f ms (on a CPU or idle), waits "
		"no rule matches %.1f ms\n",
		ph->uncategorized_ms + ph->nowait_ms,
		ph->measured_ms > 0 ? 100 * (ph->uncategorized_ms + ph->nowait_ms) / ph->measured_ms
				    : 0,
		ph->nowait_ms, ph->uncategorized_ms);
	print_items(f, "stack", ph->unexplained.stacks, ph->unexplained.n_stacks, false);
	for (int i = 0; i < ph->n_behind; i++)
		fprintf(f, "    %-8s %s (%.1f ms off-CPU)\n", i ? "" : "behind", ph->behind[i].text,
			ph->behind[i].ms);
	print_context(f, ec->ctx[p]);
}

static void print_diff(FILE *f, const struct explain_run *r, const struct explain_cell *ec,
		       const struct explain_cell *base, const char *base_label)
{
	fprintf(f, "\n  against %s (%d trials): restart %+.1f ms (%.1f -> %.1f ms)\n", base_label,
		base->dx.trials, total_ms(&ec->dx) - total_ms(&base->dx), total_ms(&base->dx),
		total_ms(&ec->dx));
	for (int p = 0; p < PH_COUNT; p++) {
		struct diagnosis_diff d;
		int shown = 0;
		double rest = 0;

		diagnosis_compare(&ec->dx.phase[p], &base->dx.phase[p], &d);
		if (fabs(d.measured_ms) < 0.5)
			continue;
		fprintf(f, "  %s %+.1f ms:", phase_name(p), d.measured_ms);
		for (int i = 0; i < d.n; i++) {
			/* The largest changes in the direction of the phase's change. */
			bool same_way = d.measured_ms > 0 ? d.d[i].ms > 0 : d.d[i].ms < 0;

			if (shown < 4 && same_way && fabs(d.d[i].ms) >= 0.1) {
				fprintf(f, "%s %+.1f ms in %s", shown ? "," : "", d.d[i].ms,
					diagnosis_category_name(r->rules, d.d[i].rule));
				shown++;
			} else {
				rest += d.d[i].ms;
			}
		}
		if (fabs(rest) >= 0.05)
			fprintf(f, "%s %+.1f ms elsewhere", shown ? "," : "", rest);
		fputc('\n', f);
	}
}

static void print_cell(FILE *f, const struct explain_run *r, const struct explain_cell *ec,
		       const struct explain_cell *base, const char *base_label, bool *told)
{
	fprintf(f, "\n== cell %s: %d ok trials, %.1f ms restart (mean of the phases)\n", ec->name,
		ec->dx.trials, total_ms(&ec->dx));
	if (!ec->dx.trials)
		return;
	for (int p = 0; p < PH_COUNT; p++)
		if (ec->dx.phase[p].measured_ms >= 0.05)
			print_phase(f, r, ec, p, told);
	if (base)
		print_diff(f, r, ec, base, base_label);
}

void explain_print(FILE *f, const struct explain_run *r, const struct explain_run *against,
		   const char *rules_origin)
{
	bool *told = calloc((size_t)r->rules->n + 1, sizeof(bool));

	fprintf(f, "restartprof explain %s\n", r->dir);
	fprintf(f, "rules: %s, version %s, %d rules\n", rules_origin,
		r->rules->version[0] ? r->rules->version : "?", r->rules->n);
	if (!r->traced) {
		fprintf(f,
			"this run has no %s (run without kernel tracing, or by an older "
			"restartprof): no causes to show\n",
			WAITS_CSV);
		free(told);
		return;
	}
	if (r->raw_frames)
		fprintf(f,
			"note: %zu of %zu stack frames are bare addresses (/proc/kallsyms showed "
			"no addresses to the run, kptr_restrict): rules on frames cannot match "
			"them\n",
			r->raw_frames, r->frames);
	fprintf(f, "times are means per ok trial; each phase: ranked causes, then what no rule "
		   "explains; they add up to the phase\n");
	for (size_t c = 0; c < r->n_cells; c++) {
		const struct explain_cell *ec = &r->cells[c];
		const struct explain_cell *base = explain_baseline(r, against, ec);
		char label[PATH_MAX + 64];

		if (base && against)
			snprintf(label, sizeof(label), "%s of %s",
				 base == &against->base ? "the baseline" : base->name,
				 against->dir);
		else
			snprintf(label, sizeof(label), "this run's baseline");
		print_cell(f, r, ec, base, label, told ? told : (bool[RULES_MAX + 1]){false});
	}
	free(told);
}

/* ---- folded files ---- */

static int write_fold(int dirfd, const char *name, struct fold *fd)
{
	struct atomic_file af;
	int rc = atomic_file_begin(&af, dirfd, name);

	if (rc)
		return rc;
	rc = fold_write(fd, af.f);
	return atomic_file_commit(&af, rc || ferror(af.f));
}

static int write_cell_folds(int dirfd, const struct explain_cell *ec)
{
	struct fold *all = fold_new();
	char safe[64], name[128];
	int rc = all ? 0 : -ENOMEM;

	report_safe_name(ec->name, safe, sizeof(safe));
	for (int p = 0; p < PH_COUNT && !rc; p++) {
		if (!ec->fold[p] || !fold_count(ec->fold[p]))
			continue;
		for (size_t i = 0; i < fold_count(ec->fold[p]) && !rc; i++)
			rc = fold_add(all, fold_stack(ec->fold[p], i), fold_value(ec->fold[p], i));
		snprintf(name, sizeof(name), "%s.%s.folded", safe, phase_name(p));
		if (!rc)
			rc = write_fold(dirfd, name, ec->fold[p]);
	}
	snprintf(name, sizeof(name), "%s.folded", safe);
	if (!rc)
		rc = write_fold(dirfd, name, all);
	fold_free(all);
	return rc;
}

int explain_write_folded(int dirfd, const struct explain_run *r)
{
	int fd, rc = 0;

	if (!r->traced)
		return 0;
	if (mkdirat(dirfd, FOLDED_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	fd = openat(dirfd, FOLDED_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (size_t c = 0; c < r->n_cells && !rc; c++)
		rc = write_cell_folds(fd, &r->cells[c]);
	close(fd);
	return rc;
}

/* ---- report.html ---- */

static void html_items(FILE *f, const char *label, const struct diagnosis_evidence *it, int n)
{
	for (int i = 0; i < n; i++) {
		fprintf(f, "<li>%s <code", label);
		if (it[i].detail[0]) {
			fputs(" title=\"", f);
			markup_text(f, it[i].detail, SIZE_MAX);
			fputs("\"", f);
		}
		fputs(">", f);
		markup_text(f, it[i].text, SIZE_MAX);
		fprintf(f, "</code> %.1f ms, %lld</li>", it[i].ms, (long long)it[i].count);
	}
}

static void html_cause(FILE *f, const struct explain_run *r, const struct diagnosis_cause *c,
		       double measured)
{
	const struct rule *rule = &r->rules->rule[c->rule];

	fprintf(f, "<li><b>%.1f ms</b> (%.0f%%) <b>", c->ms,
		measured > 0 ? 100 * c->ms / measured : 0);
	markup_text(f, rule->name, SIZE_MAX);
	fputs("</b>: ", f);
	markup_text(f, rule->title, SIZE_MAX);
	fputs("<details><summary>evidence and remedies</summary><ul>", f);
	for (int i = 0; i < c->n_tasks; i++) {
		fputs("<li>who: ", f);
		markup_text(f, c->tasks[i].text, SIZE_MAX);
		fprintf(f, " %.1f ms</li>", c->tasks[i].ms);
	}
	html_items(f, "stack", c->stacks, c->n_stacks);
	html_items(f, "file", c->files, c->n_files);
	for (int i = 0; i < c->n_wakers; i++) {
		fputs("<li>woken by ", f);
		markup_text(f, c->wakers[i].text, SIZE_MAX);
		fputs("</li>", f);
	}
	if (rule->explain[0]) {
		fputs("<li>why: ", f);
		markup_text(f, rule->explain, SIZE_MAX);
		fputs("</li>", f);
	}
	for (int i = 0; i < rule->n_remedies; i++) {
		fputs("<li>helps: ", f);
		markup_text(f, rule->remedy[i], SIZE_MAX);
		fputs("</li>", f);
	}
	fputs("</ul></details></li>", f);
}

/* "+X ms in A, +Y ms in B" against the baseline: the largest changes the phase's way. */
static void html_diff(FILE *f, const struct explain_run *r, const struct diagnosis_phase *ph,
		      const struct diagnosis_phase *base)
{
	struct diagnosis_diff d;
	int shown = 0;

	diagnosis_compare(ph, base, &d);
	if (fabs(d.measured_ms) < 0.5)
		return;
	fprintf(f, "<p>vs baseline %+.1f ms:", d.measured_ms);
	for (int i = 0; i < d.n && shown < 4; i++)
		if ((d.measured_ms > 0 ? d.d[i].ms > 0 : d.d[i].ms < 0) && fabs(d.d[i].ms) >= 0.1) {
			fprintf(f, "%s %+.1f ms in ", shown++ ? "," : "", d.d[i].ms);
			markup_text(f, diagnosis_category_name(r->rules, d.d[i].rule), SIZE_MAX);
		}
	fputs("</p>", f);
}

static void html_phase(FILE *f, const struct explain_run *r, const struct explain_cell *ec,
		       const struct explain_cell *base, int p)
{
	const struct diagnosis_phase *ph = &ec->dx.phase[p];

	fprintf(f, "<tr><td class=\"l\">%s</td><td>%.1f</td>", phase_name(p), ph->measured_ms);
	if (base) {
		struct diagnosis_diff d;

		diagnosis_compare(ph, &base->dx.phase[p], &d);
		fprintf(f, "<td>%+.1f</td>", d.measured_ms);
	}
	fputs("<td class=\"l\" style=\"white-space:normal\"><ol>", f);
	for (int i = 0; i < ph->n_causes; i++)
		html_cause(f, r, &ph->causes[i], ph->measured_ms);
	fprintf(f,
		"</ol><p>unexplained %.1f ms: no wait %.1f ms (on a CPU or idle), waits no rule "
		"matches %.1f ms</p>",
		ph->uncategorized_ms + ph->nowait_ms, ph->nowait_ms, ph->uncategorized_ms);
	if (base)
		html_diff(f, r, ph, &base->dx.phase[p]);
	if (ph->unexplained.n_stacks || ph->n_behind) {
		fputs("<details><summary>unmatched stacks, work behind</summary><ul>", f);
		html_items(f, "unmatched", ph->unexplained.stacks, ph->unexplained.n_stacks);
		html_items(f, "behind", ph->behind, ph->n_behind);
		fputs("</ul></details>", f);
	}
	fputs("</td></tr>\n", f);
}

void explain_html(FILE *f, const struct explain_run *r)
{
	fputs("<section id=\"diagnosis\"><h2>Diagnosis</h2>\n", f);
	if (!r->traced) {
		fputs("<p>This run has no waits.csv (no kernel tracing): no "
		      "diagnosis.</p></section>\n",
		      f);
		return;
	}
	fprintf(f, "<p>Each phase's time (mean per ok trial) split into the causes named by the "
		   "rules (version ");
	markup_text(f, r->rules->version, SIZE_MAX);
	fputs("; <code>restartprof explain DIR</code> prints the same with remedies), largest "
	      "first, then the time no rule explains. A cause's time is its share of the phase: "
	      "at each instant the engine's waits in progress share it equally.</p>\n",
	      f);
	for (size_t c = 0; c < r->n_cells; c++) {
		const struct explain_cell *ec = &r->cells[c];
		const struct explain_cell *base = explain_baseline(r, NULL, ec);

		if (!ec->dx.trials)
			continue;
		fputs("<h3>", f);
		markup_text(f, ec->name, SIZE_MAX);
		fprintf(f, "</h3><p class=\"sub\">%d ok trials, %.1f ms per restart</p>\n",
			ec->dx.trials, total_ms(&ec->dx));
		fprintf(f,
			"<div class=\"scroll\"><table><tr><th class=\"l\">phase</th><th>ms</th>%s"
			"<th class=\"l\">causes</th></tr>\n",
			base ? "<th>vs baseline</th>" : "");
		for (int p = 0; p < PH_COUNT; p++)
			if (ec->dx.phase[p].measured_ms >= 0.05)
				html_phase(f, r, ec, base, p);
		fputs("</table></div>\n", f);
	}
	fputs("</section>\n", f);
}

/* ---- the off-CPU flame graphs of the report ---- */

#define FLAME_WIDTH 1000.0
#define FLAME_GAP   20.0

/* Engine and target waits, not their interruptible sleeps (idle threads sleep all the time). */
static bool flame_keep(const char *stack, void *ctx)
{
	const char *third;

	(void)ctx;
	if (strncmp(stack, "engine;", 7) != 0 && strncmp(stack, "target;", 7) != 0)
		return false;
	third = strchr(stack + 7, ';');
	return !third || strncmp(third + 1, "[sleep]", 7) != 0;
}

static struct flame_tree *cell_tree(const struct explain_cell *ec)
{
	struct fold *all = fold_new();
	struct flame_tree *t = NULL;
	int rc = all ? 0 : -ENOMEM;

	for (int p = 0; p < PH_COUNT && !rc; p++)
		for (size_t i = 0; ec->fold[p] && i < fold_count(ec->fold[p]) && !rc; i++)
			rc = fold_add(all, fold_stack(ec->fold[p], i), fold_value(ec->fold[p], i));
	if (!rc)
		t = flame_build(all, flame_keep, NULL);
	fold_free(all);
	return t;
}

static double per_trial(const struct flame_tree *t, const struct explain_cell *ec)
{
	return ec->dx.trials ? (double)flame_total(t) / ec->dx.trials : 0;
}

struct flame_row {
	const struct explain_cell *left, *right; /* right NULL: one graph across */
	struct flame_tree *lt, *rt;
};

static void draw_row(FILE *f, const struct flame_row *row, double y)
{
	char title[160];
	double max = per_trial(row->lt, row->left), w = FLAME_WIDTH - 20;

	if (row->right) {
		double rmax = per_trial(row->rt, row->right);

		max = rmax > max ? rmax : max;
		w = (FLAME_WIDTH - 20 - FLAME_GAP) / 2;
	}
	snprintf(title, sizeof(title), "%s, off-CPU per trial (summed over threads)",
		 row->left->name);
	flame_draw(f, row->lt,
		   &(struct flame_box){10, y, w, max * row->left->dx.trials, row->left->dx.trials,
				       "ms", 1e-3, title});
	if (row->right) {
		snprintf(title, sizeof(title), "%s, off-CPU per trial (summed over threads)",
			 row->right->name);
		flame_draw(f, row->rt,
			   &(struct flame_box){10 + w + FLAME_GAP, y, w,
					       max * row->right->dx.trials, row->right->dx.trials,
					       "ms", 1e-3, title});
	}
}

int explain_flame_figure(FILE *f, const struct explain_run *r)
{
	struct flame_row *rows = calloc(r->n_cells + 1, sizeof(*rows));
	struct flame_tree *base = NULL;
	size_t n = 0;
	double h = 8, y = 4;
	bool paired = false, any = false;

	if (!rows)
		return -ENOMEM;
	if (!r->traced) {
		free(rows);
		return 0;
	}
	for (size_t c = 0; c < r->n_cells; c++)
		paired = paired || (r->have_base && !is_base_load(r->cells[c].load));
	if (paired)
		base = cell_tree(&r->base);
	for (size_t c = 0; c < r->n_cells; c++) {
		const struct explain_cell *ec = &r->cells[c];

		if (!ec->dx.trials || (paired && is_base_load(ec->load)))
			continue;
		rows[n].left = paired ? &r->base : ec;
		rows[n].right = paired ? ec : NULL;
		rows[n].lt = paired ? base : cell_tree(ec);
		rows[n].rt = paired ? cell_tree(ec) : NULL;
		any = any || flame_total(rows[n].lt) || flame_total(rows[n].rt);
		h += (flame_height(rows[n].lt) > flame_height(rows[n].rt)
			      ? flame_height(rows[n].lt)
			      : flame_height(rows[n].rt)) +
		     12;
		n++;
	}
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\">\n<rect width=\"100%%\" height=\"100%%\" "
		"fill=\"white\"/>\n",
		FLAME_WIDTH, h, FLAME_WIDTH, h);
	for (size_t i = 0; i < n; i++) {
		double rh = flame_height(rows[i].lt);

		if (rows[i].rt && flame_height(rows[i].rt) > rh)
			rh = flame_height(rows[i].rt);
		draw_row(f, &rows[i], y);
		y += rh + 12;
		if (!paired)
			flame_free(rows[i].lt);
		flame_free(rows[i].rt);
	}
	fputs("</svg>\n", f);
	flame_free(base);
	free(rows);
	return n && any ? 1 : 0;
}
