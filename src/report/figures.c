// SPDX-License-Identifier: GPL-2.0-only
#include "report/figures.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/gnuplot.h"
#include "rundir/file_name.h"
#include "util/files.h"

#define GNUPLOT_TIMEOUT_S 60

/* --- the frame around every script, and rendering --- */

/* The title goes into the PNG only: report.html prints it above the inlined SVG. */
static void script_head(FILE *f, const char *name, const char *title)
{
	char text[160];

	gnuplot_text(title, text, sizeof(text));
	fprintf(f,
		"# %s.gp: %s\n"
		"# Written by restartprof report from %s.dat. By hand, in this directory:\n"
		"#   gnuplot %s.gp                 writes %s.svg and %s.png\n"
		"#   gnuplot -e \"fmt='png'\" %s.gp > out.png   one format to standard output\n"
		"if (!exists(\"fmt\")) { formats = \"svg png\"; to_stdout = 0 } "
		"else { formats = fmt; to_stdout = 1 }\n"
		"datafile = \"%s.dat\"\n"
		"do for [f in formats] {\n"
		"  reset\n"
		"  if (f eq \"svg\") { set terminal svg size 900,540 dynamic noenhanced "
		"font \"sans,14\" background rgb \"white\" } "
		"else { set terminal pngcairo size 1200,720 noenhanced font \"sans,14\" "
		"background rgb \"white\" }\n"
		"  if (to_stdout) { set output } else { set output \"%s.\".f }\n"
		"  set border 3 lw 1 lc rgb \"#444444\"\n  set tics nomirror\n"
		"  set grid lc rgb \"#e4e4e4\" lw 1\n  set key noopaque samplen 2\n"
		"  if (f eq \"png\") { set title \"%s\" }\n",
		name, title, name, name, name, name, name, name, name, text);
}

static void script_tail(FILE *f)
{
	fprintf(f, "}\nset output\n");
}

static int write_whole(int dirfd, const char *name, const char *ext, const char *text, size_t len)
{
	char file[96];

	snprintf(file, sizeof(file), "%s.%s", name, ext);
	return atomic_write(dirfd, file, text, len);
}

int figure_emit(int dirfd, const char *name, const char *data, size_t data_len, const char *script,
		size_t script_len, const struct figure_opts *o, struct figure_out *fo)
{
	static const char *const fmts[2] = {"svg", "png"};
	int rc = write_whole(dirfd, name, "dat", data, data_len);

	if (!rc)
		rc = write_whole(dirfd, name, "gp", script, script_len);
	if (rc || !o->render)
		return rc;
	for (int i = 0; i < 2; i++) {
		char gp[96], out[96];
		int e;

		snprintf(gp, sizeof(gp), "%s.gp", name);
		snprintf(out, sizeof(out), "%s.%s", name, fmts[i]);
		e = gnuplot_render(o->gnuplot ? o->gnuplot : "gnuplot", dirfd, gp, fmts[i], out,
				   GNUPLOT_TIMEOUT_S, o->cancelled, fo->err, sizeof(fo->err));
		if (e == 0)
			*(i ? &fo->png : &fo->svg) = true;
		else
			break;
	}
	return 0;
}

/* Runs a writer into a memory buffer. */
struct membuf {
	char *p;
	size_t len;
	FILE *f;
};

static int membuf_open(struct membuf *m)
{
	memset(m, 0, sizeof(*m));
	m->f = open_memstream(&m->p, &m->len);
	return m->f ? 0 : -ENOMEM;
}

static int membuf_close(struct membuf *m)
{
	int bad = fclose(m->f) != 0;

	m->f = NULL;
	return bad || !m->p ? -ENOMEM : 0;
}

static void describe(struct figure_out *fo, const struct figure_spec *fs)
{
	memset(fo, 0, sizeof(*fo));
	snprintf(fo->name, sizeof(fo->name), "%s", fs->name);
	snprintf(fo->title, sizeof(fo->title), "%s", fs->title);
	snprintf(fo->caption, sizeof(fo->caption), "%s", fs->caption);
}

/* Whether a figure could be drawn at all: with no ok trial the page says so once. */
static bool any_ok_trial(const struct report_run *r)
{
	for (size_t c = 0; c < r->sum.n_cells; c++)
		if (r->sum.cells[c].restart_s.n)
			return true;
	return false;
}

static int one_spec(const struct figure_spec *fs, const struct report_run *r, int dirfd,
		    const struct figure_opts *o, struct figure_out *fo, bool *made)
{
	struct membuf data, script;
	int rc, have;

	*made = false;
	if (fs->render) {
		describe(fo, fs);
		fo->native = true;
		rc = fs->render(fs, r, dirfd, fo);
		*made = rc > 0;
		return rc < 0 ? rc : 0;
	}
	if (membuf_open(&data))
		return -ENOMEM;
	have = fs->data(fs, r, data.f);
	if (membuf_close(&data) || have <= 0) {
		free(data.p);
		if (have == 0 && fs->absent && any_ok_trial(r)) {
			describe(fo, fs);
			fo->native = true; /* no script or data file to link */
			fo->absent = true;
			snprintf(fo->err, sizeof(fo->err), "%s", fs->absent);
			*made = true;
		}
		return have < 0 ? have : 0;
	}
	if (membuf_open(&script)) {
		free(data.p);
		return -ENOMEM;
	}
	script_head(script.f, fs->name, fs->title);
	fs->plot(fs, r, script.f);
	script_tail(script.f);
	rc = membuf_close(&script);
	describe(fo, fs);
	if (!rc)
		rc = figure_emit(dirfd, fs->name, data.p, data.len, script.p, script.len, o, fo);
	free(data.p);
	free(script.p);
	*made = rc == 0;
	return rc;
}

int figures_write_specs(const struct figure_spec *specs, size_t n_specs, const struct report_run *r,
			int dirfd, const struct figure_opts *o, struct figure_out *out, size_t *n)
{
	int first = 0;

	*n = 0;
	for (size_t i = 0; i < n_specs && *n < FIGURE_MAX; i++) {
		bool made;
		int rc = one_spec(&specs[i], r, dirfd, o, &out[*n], &made);

		if (made)
			(*n)++;
		if (rc && !first)
			first = rc;
	}
	return first;
}

int figures_write_run(const struct report_run *r, int dirfd, const struct figure_opts *o,
		      struct figure_out *out, size_t *n)
{
	return figures_write_specs(figure_specs, n_figure_specs, r, dirfd, o, out, n);
}

/* --- several runs: medians per cell, side by side --- */

static int compare_data(const struct report_run *runs, size_t n_runs, FILE *f, int *rows)
{
	fprintf(f, "# median, min, max restart time (s) of each cell in each run; ? when the run "
		   "lacks the cell\n# cell");
	for (size_t k = 0; k < n_runs; k++)
		fprintf(f, " run%zu run%zu_min run%zu_max", k + 1, k + 1, k + 1);
	fprintf(f, "\n");
	*rows = 0;
	/* Cells in order of first appearance over the runs. */
	for (size_t k = 0; k < n_runs; k++)
		for (size_t c = 0; c < runs[k].sum.n_cells; c++) {
			const char *cell = runs[k].sum.cells[c].cell;
			bool seen = false;
			char name[32];

			for (size_t j = 0; j < k && !seen; j++)
				seen = summary_find_cell(&runs[j].sum, cell) >= 0;
			if (seen)
				continue;
			rundir_safe_name(cell, name, sizeof(name));
			fprintf(f, "\"%s\"", name);
			for (size_t j = 0; j < n_runs; j++) {
				int i = summary_find_cell(&runs[j].sum, cell);
				const struct stats *st =
					i >= 0 ? &runs[j].sum.cells[i].restart_s : NULL;

				if (st && st->n)
					fprintf(f, " %.6f %.6f %.6f", st->median, st->min, st->max);
				else
					fprintf(f, " ? ? ?");
			}
			fprintf(f, "\n");
			(*rows)++;
		}
	return 0;
}

static void compare_plot(const struct report_run *runs, size_t n_runs, int rows, FILE *f)
{
	static const char *const colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e",
					     "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"};

	fprintf(f, "  set ylabel \"restart time (s)\"\n  set yrange [0:*]\n");
	fprintf(f, "  set datafile missing \"?\"\n");
	fprintf(f, "  set style data histograms\n  set style histogram errorbars gap 2 lw 1.5\n");
	fprintf(f, "  set errorbars lc rgb \"#333333\"\n");
	fprintf(f, "  set style fill solid 0.85 border rgb \"#ffffff\"\n");
	fprintf(f, "  set key outside bottom center horizontal\n  set grid noxtics ytics\n");
	fprintf(f, "  set xtics nomirror%s\n", rows > 6 ? " rotate by 30 right" : "");
	fprintf(f, "  plot ");
	for (size_t k = 0; k < n_runs; k++) {
		char label[128];

		gnuplot_text(runs[k].label, label, sizeof(label));
		fprintf(f, "%sdatafile using %zu:%zu:%zu%s title \"%zu: %s\" lc rgb \"%s\"",
			k ? ", \\\n       " : "", 3 * k + 2, 3 * k + 3, 3 * k + 4,
			k ? "" : ":xtic(1)", k + 1, label, colors[k % 8]);
	}
	fprintf(f, "\n");
}

int figures_write_compare(const struct report_run *runs, size_t n_runs, int dirfd,
			  const struct figure_opts *o, struct figure_out *out, size_t *n)
{
	static const char *const name = "compare-medians";
	struct membuf data, script;
	int rows, rc;

	*n = 0;
	if (membuf_open(&data))
		return -ENOMEM;
	compare_data(runs, n_runs, data.f, &rows);
	if (membuf_close(&data) || !rows) {
		free(data.p);
		return rows ? -ENOMEM : 0;
	}
	if (membuf_open(&script)) {
		free(data.p);
		return -ENOMEM;
	}
	script_head(script.f, name, "Median restart time per cell, run by run (bars: min-max)");
	compare_plot(runs, n_runs, rows, script.f);
	script_tail(script.f);
	rc = membuf_close(&script);
	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->title, sizeof(out->title), "Median restart time per cell, run by run");
	snprintf(out->caption, sizeof(out->caption),
		 "Each cell's median in each run, with bars from its minimum to its maximum.");
	if (!rc)
		rc = figure_emit(dirfd, name, data.p, data.len, script.p, script.len, o, out);
	free(data.p);
	free(script.p);
	if (!rc)
		*n = 1;
	return rc;
}
