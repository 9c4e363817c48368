// SPDX-License-Identifier: GPL-2.0-only
#include "report/report.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/kind.h"
#include "explain/explain.h"
#include "explain/folded.h"
#include "report/figures.h"
#include "report/gnuplot.h"
#include "report/html.h"
#include "report/report_data.h"
#include "report/timeline.h"
#include "rundir/columns.h"
#include "util/files.h"

struct report_ctx {
	const struct report_opts *o;
	const char *gnuplot;
	bool render;
	char note[512]; /* why figures are not drawn, for the pages; "" when they are */
	bool noted;	/* the missing gnuplot was said once */
	char *err;
	size_t errlen;
	int failed;
};

static void log_line(struct report_ctx *c, const char *fmt, const char *a, const char *b)
{
	if (!c->o->log)
		return;
	fputs("restartprof: ", c->o->log);
	fprintf(c->o->log, fmt, a, b);
	fputc('\n', c->o->log);
}

static void note_failure(struct report_ctx *c, const char *what, const char *dir, int e)
{
	if (!c->failed)
		snprintf(c->err, c->errlen, "%s in %s: %s", what, dir, strerror(e < 0 ? -e : e));
	c->failed = 1;
}

/* dirfd/figures, made if missing, never through a symlink. */
static int figures_dir(int dirfd)
{
	if (mkdirat(dirfd, FIGURES_DIR, 0755) < 0 && errno != EEXIST)
		return -errno;
	int fd = openat(dirfd, FIGURES_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

static int share_rows(struct csv_writer *w, const void *ctx)
{
	const struct report_run *r = ctx;
	int err = 0;

	for (size_t c = 0; c < r->sum.n_cells && !err; c++) {
		if (!r->share_trials[c])
			continue;
		for (int p = 0; p < PH_COUNT && !err; p++) {
			csv_str(w, r->sum.cells[c].cell);
			csv_str(w, r->sum.cells[c].load);
			csv_i64(w, r->sum.cells[c].stressors);
			csv_str(w, phase_name(p));
			csv_i64(w, r->share_trials[c]);
			/* Absent (the engine never reports the phase): empty, not nan. */
			if (isnan(r->share_pct[c][p]))
				csv_empty(w);
			else
				csv_f64(w, r->share_pct[c][p], 3);
			if (isnan(r->phase_mean_ms[c][p]))
				csv_empty(w);
			else
				csv_f64(w, r->phase_mean_ms[c][p], 3);
			err = csv_end_row(w);
		}
	}
	return err;
}

static int write_shares(const struct report_run *r, int dirfd)
{
	static const char *const cols[] = {COL_CELL,   COL_LOAD,      COL_STRESSORS, COL_PHASE,
					   COL_TRIALS, COL_SHARE_PCT, COL_MEAN_MS};

	return csv_write_atomic(dirfd, PHASE_SHARES_CSV, cols, 7, share_rows, r);
}

static void print_table(struct report_ctx *c, const struct report_run *r)
{
	if (!c->o->table)
		return;
	fprintf(c->o->table, "restart time (s) per cell, %s\n", r->dir);
	summary_print(c->o->table, &r->sum);
}

static void note_figures(struct report_ctx *c, const char *dir, const struct figure_out *figs,
			 size_t n)
{
	if (!c->render && !c->noted) {
		log_line(c,
			 "%s; figures not drawn, their data and gnuplot scripts are in %s/figures",
			 c->note, dir);
		c->noted = true;
	}
	for (size_t i = 0; c->render && i < n; i++)
		if (!figs[i].absent && (!figs[i].svg || (!figs[i].png && !figs[i].native)))
			log_line(c, "figure %s not drawn: %s", figs[i].name, figs[i].err);
}

/* Notes each line of lines that skip does not hold (the same file read twice is said once). */
static void log_lines(struct report_ctx *c, const char *lines, const char *skip)
{
	for (const char *l = lines; l && *l;) {
		size_t n = strcspn(l, "\n");
		char line[PATH_MAX + 256];

		snprintf(line, sizeof(line), "%.*s", (int)n, l);
		if (!skip || !strstr(skip, line))
			log_line(c, "warning: %s%s", line, "");
		l += n + (l[n] == '\n');
	}
}

/*
 * Reads dir, and its diagnosis with rules (when not NULL) for the page, the figures and the
 * folded stacks. 0, or -1 with why: nothing is written before every directory has been read.
 */
static int read_run(struct report_ctx *c, const char *dir, const struct rules *rules,
		    struct report_run *r, struct explain_run *dx, char *why, size_t len)
{
	unsigned flags = c->o->lenient ? CSV_LENIENT : 0;
	int rc;

	if (report_run_read(dir, flags, r, why, len))
		return -1;
	log_lines(c, r->warnings, NULL);
	if (!rules)
		return 0;
	rc = explain_read(dir, rules, flags, dx, why, len);
	if (rc == -EBADMSG || rc == -ENOENT) {
		report_run_free(r);
		return -1;
	}
	if (rc) {
		log_line(c, "no diagnosis: %s%s", why, "");
		return 0;
	}
	log_lines(c, dx->warnings, r->warnings);
	if (dx->traced)
		r->explain = dx;
	else /* without kernel tracing: nothing to diagnose, no section */
		explain_run_free(dx);
	return 0;
}

/* The report of run r into out: its own directory, or the one -o names. */
static void report_one(struct report_ctx *c, struct report_run *r, const char *out)
{
	struct figure_opts fo = {c->gnuplot, c->render, c->o->cancelled};
	struct figure_out figs[FIGURE_MAX];
	size_t n_figs = 0;
	int dirfd = out_dir_open(out, out != r->dir), figfd, e;

	if (dirfd < 0) {
		note_failure(c, "cannot write the report", out, dirfd);
		return;
	}
	if (r->explain && (e = explain_write_folded(dirfd, r->explain)))
		note_failure(c, "cannot write the folded stacks", r->dir, e);
	if ((e = summary_write_csv(dirfd, &r->sum)) || (e = write_shares(r, dirfd)))
		note_failure(c, "cannot write the summary", out, e);
	figfd = figures_dir(dirfd);
	if (figfd < 0)
		note_failure(c, "cannot make figures/", out, figfd);
	else if ((e = figures_write_run(r, figfd, &fo, figs, &n_figs)))
		note_failure(c, "cannot write the figures", out, e);
	if (figfd >= 0)
		close(figfd);
	note_figures(c, out, figs, n_figs);
	if ((e = timeline_write(r, dirfd)))
		note_failure(c, "cannot write " TIMELINE_JSON, out, e);
	if ((e = html_write_report(r, dirfd, figs, n_figs, c->render ? NULL : c->note)))
		note_failure(c, "cannot write " REPORT_HTML, out, e);
	else
		log_line(c, "report in %s/%s", out, REPORT_HTML);
	close(dirfd);
	print_table(c, r);
}

struct compare_rows_ctx {
	const struct report_run *runs;
	size_t n;
};

static int compare_rows(struct csv_writer *w, const void *ctx)
{
	const struct compare_rows_ctx *cc = ctx;
	int err = 0;

	for (size_t k = 0; k < cc->n && !err; k++)
		for (size_t i = 0; i < cc->runs[k].sum.n_cells && !err; i++) {
			const struct cell_summary *cs = &cc->runs[k].sum.cells[i];
			int i0 = summary_find_cell(&cc->runs[0].sum, cs->cell);
			double m0 = i0 >= 0 && cc->runs[0].sum.cells[i0].restart_s.n
					    ? cc->runs[0].sum.cells[i0].restart_s.median
					    : NAN;
			double v[] = {cs->restart_s.median, cs->restart_s.min, cs->restart_s.max,
				      cs->restart_s.p5, cs->restart_s.p95};

			csv_str(w, cs->cell);
			csv_i64(w, (int64_t)k + 1);
			csv_str(w, cc->runs[k].dir);
			csv_str(w, cc->runs[k].label);
			csv_i64(w, cs->trials);
			csv_i64(w, cs->failures);
			for (size_t j = 0; j < 5; j++)
				if (cs->restart_s.n)
					csv_f64(w, v[j], 6);
				else
					csv_empty(w);
			if (isnan(cs->change_pct))
				csv_empty(w);
			else
				csv_f64(w, cs->change_pct, 2);
			if (!cs->restart_s.n || isnan(m0) || m0 == 0)
				csv_empty(w);
			else
				csv_f64(w, (cs->restart_s.median / m0 - 1) * 100, 2);
			err = csv_end_row(w);
		}
	return err;
}

/* The line naming the comparison's page, and the runs' engines when they differ. */
static void print_compare_line(FILE *f, const struct report_run *runs, size_t n, const char *out)
{
	fprintf(f, "comparison of %zu runs: %s/%s\n", n, out, COMPARE_HTML);
	if (!report_engines_differ(runs, n))
		return;
	fputs("engines differ:", f);
	report_print_engines(f, runs, n);
	fputs("; a phase one of them does not report is absent in its runs, not compared\n", f);
}

static void report_compare(struct report_ctx *c, const struct report_run *runs, size_t n)
{
	static const char *const cols[] = {
		COL_CELL,     COL_RUN,	      COL_DIR,	      COL_LABEL, COL_TRIALS,
		COL_FAILURES, COL_MEDIAN_S,   COL_MIN_S,      COL_MAX_S, COL_P5_S,
		COL_P95_S,    COL_CHANGE_PCT, COL_VS_RUN1_PCT};
	const char *out = c->o->out_dir ? c->o->out_dir : runs[0].dir;
	struct figure_opts fo = {c->gnuplot, c->render, c->o->cancelled};
	struct compare_rows_ctx cc = {runs, n};
	struct figure_out figs[1];
	size_t n_figs = 0;
	int dirfd = out_dir_open(out, 1), figfd, e;

	if (dirfd < 0) {
		note_failure(c, "cannot write the comparison", out, dirfd);
		return;
	}
	if ((e = csv_write_atomic(dirfd, COMPARE_CSV, cols, sizeof(cols) / sizeof(cols[0]),
				  compare_rows, &cc)))
		note_failure(c, "cannot write " COMPARE_CSV, out, e);
	figfd = figures_dir(dirfd);
	if (figfd < 0)
		note_failure(c, "cannot make figures/", out, figfd);
	else if ((e = figures_write_compare(runs, n, figfd, &fo, figs, &n_figs)))
		note_failure(c, "cannot write the comparison figure", out, e);
	if (figfd >= 0)
		close(figfd);
	note_figures(c, out, figs, n_figs);
	if ((e = html_write_compare(runs, n, dirfd, figs, n_figs, c->render ? NULL : c->note)))
		note_failure(c, "cannot write " COMPARE_HTML, out, e);
	else
		log_line(c, "comparison in %s/%s", out, COMPARE_HTML);
	close(dirfd);
	if (c->o->table)
		print_compare_line(c->o->table, runs, n, out);
}

/* Runs of the same host and kernel (before/after a fix) are told apart by their directory. */
static void distinct_labels(struct report_run *runs, size_t n)
{
	bool same[16] = {false};

	for (size_t i = 0; i < n && i < 16; i++)
		for (size_t j = 0; j < n; j++)
			if (i != j && strcmp(runs[i].label, runs[j].label) == 0)
				same[i] = true;
	for (size_t i = 0; i < n && i < 16; i++) {
		const char *base = strrchr(runs[i].dir, '/');
		char label[sizeof(runs[i].label)];

		if (!same[i])
			continue;
		base = base && base[1] ? base + 1 : runs[i].dir;
		snprintf(label, sizeof(label), "%.40s, %.40s", base, runs[i].label);
		memcpy(runs[i].label, label, sizeof(label));
	}
}

/* Reads every directory; 0, or -1 with err on the first that is refused. */
static int read_runs(struct report_ctx *c, const char *const *dirs, size_t n,
		     const struct rules *rules, struct report_run *runs, struct explain_run *dxs)
{
	for (size_t i = 0; i < n; i++) {
		if (read_run(c, dirs[i], rules, &runs[i], &dxs[i], c->err, c->errlen)) {
			for (size_t k = 0; k < i; k++) {
				report_run_free(&runs[k]);
				explain_run_free(&dxs[k]);
			}
			return -1;
		}
	}
	return 0;
}

int report_dirs(const char *const *dirs, size_t n, const struct report_opts *o, char *err,
		size_t errlen)
{
	struct report_ctx c = {.o = o, .err = err, .errlen = errlen};
	struct report_run *runs = calloc(n + 1, sizeof(*runs));
	struct explain_run *dxs = calloc(n + 1, sizeof(*dxs));
	struct rules rules = {0};
	bool have_rules;
	size_t done = 0;
	char why[512];

	err[0] = '\0';
	if (!runs || !dxs) {
		free(runs);
		free(dxs);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	have_rules = !explain_rules_load(NULL, &rules, why, sizeof(why));
	if (!have_rules)
		log_line(&c, "built-in cause rules: %s%s", why, "");
	if (read_runs(&c, dirs, n, have_rules ? &rules : NULL, runs, dxs)) {
		free(runs);
		free(dxs);
		if (have_rules)
			rules_free(&rules);
		return REPORT_BAD_INPUT;
	}
	c.gnuplot = o->gnuplot ? o->gnuplot : "gnuplot";
	c.render = gnuplot_available(c.gnuplot);
	if (!c.render)
		snprintf(c.note, sizeof(c.note),
			 "gnuplot (%.200s) is not installed (Debian: apt-get install gnuplot-nox)",
			 c.gnuplot);
	for (; done < n && !(done && o->cancelled && o->cancelled()); done++)
		report_one(&c, &runs[done], n == 1 && o->out_dir ? o->out_dir : runs[done].dir);
	if (n > 1 && done == n) {
		distinct_labels(runs, n);
		report_compare(&c, runs, n);
	} else if (n > 1 && !c.failed)
		snprintf(err, errlen, "interrupted before the comparison");
	for (size_t i = 0; i < n; i++) {
		report_run_free(&runs[i]);
		explain_run_free(&dxs[i]);
	}
	free(runs);
	free(dxs);
	if (have_rules)
		rules_free(&rules);
	return c.failed || done != n ? REPORT_FAILED : 0;
}
