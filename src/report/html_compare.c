// SPDX-License-Identifier: GPL-2.0-only
#include "report/html.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/kind.h"
#include "model/phase.h"
#include "report/html_page.h"
#include "util/markup.h"
#include "report/summary.h"
#include "util/files.h"

static void compare_info(FILE *f, const struct report_run *runs, size_t n)
{
	static const char *const rows[][2] = {
		{"run id", "run_id"},
		{"started", "start"},
		{"host", "host.hostname"},
		{"machine", "host.machine"},
		{"kernel", "host.kernel"},
		{"architecture", "host.architecture"},
		{"CPU", "host.cpu_model"},
		{"cores", "host.cpus"},
		{"governor", "host.cpu_governor"},
		{"storage", "storage.type"},
		{"storage model", "storage.model"},
		{"filesystem", "storage.fstype"},
		{"cgroup", "engine.cgroup_version"},
		{"trials per cell", "experiment.trials_per_cell"},
		{"readiness", "experiment.method"},
		{"restartprof", "tool_version"},
	};

	fputs("<section id=\"runs\"><h2>Runs</h2><div class=\"scroll\"><table class=\"kv\">"
	      "<tr><td></td>",
	      f);
	for (size_t k = 0; k < n; k++)
		fprintf(f, "<th class=\"l\">%zu</th>", k + 1);
	fputs("</tr>\n<tr><td>directory</td>", f);
	for (size_t k = 0; k < n; k++) {
		fputs("<td><code>", f);
		markup_text(f, runs[k].dir, SIZE_MAX);
		fputs("</code></td>", f);
	}
	fputs("</tr>\n<tr><td>engine</td>", f);
	for (size_t k = 0; k < n; k++) {
		fputs("<td>", f);
		markup_text(f, engine_kind_title(report_engine(&runs[k])), SIZE_MAX);
		fputc(' ', f);
		markup_text(f, report_info(&runs[k], "engine.version", "?"), SIZE_MAX);
		fputs("</td>", f);
	}
	fputs("</tr>\n", f);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		fputs("<tr><td>", f);
		markup_text(f, rows[i][0], SIZE_MAX);
		fputs("</td>", f);
		for (size_t k = 0; k < n; k++) {
			fputs("<td>", f);
			markup_text(f, report_info(&runs[k], rows[i][1], "-"), SIZE_MAX);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table></div></section>\n", f);
}

/* Whether name (a cell or a load, found by find) is in a run before run k: its row is made. */
static bool listed_before(const struct report_run *runs, size_t k, const char *name,
			  int (*find)(const struct run_summary *, const char *))
{
	for (size_t j = 0; j < k; j++)
		if (find(&runs[j].sum, name) >= 0)
			return true;
	return false;
}

/* A row's first cell: its name. */
static void row_head(FILE *f, const char *name)
{
	fputs("<tr><td class=\"l\">", f);
	markup_text(f, name, SIZE_MAX);
	fputs("</td>", f);
}

static void compare_cells(FILE *f, const struct report_run *runs, size_t n)
{
	fputs("<section id=\"medians\"><h2>Median restart time per cell</h2>\n<p>Seconds; the "
	      "change is against run 1, and in brackets against the run's own baseline.</p>"
	      "<div class=\"scroll\"><table><tr><th class=\"l\">cell</th>",
	      f);
	for (size_t k = 0; k < n; k++)
		fprintf(f, "<th>run %zu</th>%s", k + 1, k ? "<th>vs run 1</th>" : "");
	fputs("</tr>\n", f);
	for (size_t k = 0; k < n; k++)
		for (size_t c = 0; c < runs[k].sum.n_cells; c++) {
			const char *cell = runs[k].sum.cells[c].cell;
			int i0 = summary_find_cell(&runs[0].sum, cell);
			double m0 = i0 >= 0 && runs[0].sum.cells[i0].restart_s.n
					    ? runs[0].sum.cells[i0].restart_s.median
					    : NAN;

			if (listed_before(runs, k, cell, summary_find_cell))
				continue;
			row_head(f, cell);
			for (size_t j = 0; j < n; j++) {
				int i = summary_find_cell(&runs[j].sum, cell);
				const struct cell_summary *cs =
					i >= 0 ? &runs[j].sum.cells[i] : NULL;
				double m = cs && cs->restart_s.n ? cs->restart_s.median : NAN;

				if (isnan(m))
					fputs("<td class=\"dim\">-</td>", f);
				else if (isnan(cs->change_pct))
					fprintf(f, "<td>%.3f</td>", m);
				else
					fprintf(f,
						"<td>%.3f <span "
						"class=\"dim\">(%+.0f%%)</span></td>",
						m, cs->change_pct);
				if (j)
					html_change(f, isnan(m0) || m0 == 0 ? NAN
									    : (m / m0 - 1) * 100);
			}
			fputs("</tr>\n", f);
		}
	fputs("</table></div></section>\n", f);
}

static void compare_loads(FILE *f, const struct report_run *runs, size_t n)
{
	fputs("<h3>Per load type: mean of the cell medians (s), and its change against the "
	      "run's baseline</h3>\n<table><tr><th class=\"l\">load</th>",
	      f);
	for (size_t k = 0; k < n; k++)
		fprintf(f, "<th>run %zu</th><th>vs base</th>", k + 1);
	fputs("</tr>\n", f);
	for (size_t k = 0; k < n; k++)
		for (size_t l = 0; l < runs[k].sum.n_loads; l++) {
			const char *load = runs[k].sum.loads[l].load;

			if (listed_before(runs, k, load, summary_find_load))
				continue;
			row_head(f, load);
			for (size_t j = 0; j < n; j++) {
				int i = summary_find_load(&runs[j].sum, load);

				html_num(f, i >= 0 ? runs[j].sum.loads[i].mean_median_s : NAN,
					 "%.3f");
				html_change(f, i >= 0 ? runs[j].sum.loads[i].change_pct : NAN);
			}
			fputs("</tr>\n", f);
		}
	fputs("</table>\n", f);
}

/* A phase's mean in run k's cell: "-" when the run has no such cell or no phase data, "absent"
 * when its engine does not report the phase. */
static void phase_cell(FILE *f, const struct report_run *r, const char *cell, int p)
{
	int i = summary_find_cell(&r->sum, cell);

	if (i < 0 || !r->share_trials[i])
		fputs("<td class=\"dim\">-</td>", f);
	else if (isnan(r->phase_mean_ms[i][p]))
		fputs("<td><span class=\"dim\">absent</span></td>", f);
	else
		fprintf(f, "<td>%.1f</td>", r->phase_mean_ms[i][p]);
}

/* Per cell and phase, each run's mean: a phase one engine does not report is absent there. */
static void compare_phases(FILE *f, const struct report_run *runs, size_t n)
{
	fputs("<section id=\"phases\"><h2>Phases per cell</h2>\n<p>Mean duration per trial "
	      "(ms). A phase the run's engine does not report is absent: it is not 0 ms, and the "
	      "time of its events falls in the phase after it.</p><div class=\"scroll\"><table>"
	      "<tr><th class=\"l\">cell</th><th class=\"l\">phase</th>",
	      f);
	for (size_t k = 0; k < n; k++)
		fprintf(f, "<th>run %zu</th>", k + 1);
	fputs("</tr>\n", f);
	for (size_t k = 0; k < n; k++)
		for (size_t c = 0; c < runs[k].sum.n_cells; c++) {
			const char *cell = runs[k].sum.cells[c].cell;

			if (listed_before(runs, k, cell, summary_find_cell))
				continue;
			for (int p = 0; p < PH_COUNT; p++) {
				row_head(f, p ? "" : cell);
				fprintf(f, "<td class=\"l\">%s</td>", phase_name(p));
				for (size_t j = 0; j < n; j++)
					phase_cell(f, &runs[j], cell, p);
				fputs("</tr>\n", f);
			}
		}
	fputs("</table></div></section>\n", f);
}

/* Runs of different engines: which, said before anything is compared. */
static void engines_note(FILE *f, const struct report_run *runs, size_t n)
{
	if (!report_engines_differ(runs, n))
		return;
	fputs("<p class=\"note\">The runs are of different engines:", f);
	report_print_engines(f, runs, n);
	fputs(". Their phases come from each engine's own events (docs/running.md); a phase one "
	      "engine does not report is absent in its runs, not compared.</p>\n",
	      f);
}

/* Each run's figures, one row per figure, the runs side by side. */
static void compare_figures(FILE *f, const struct report_run *runs, size_t n)
{
	fputs("<section id=\"side\"><h2>Figures of each run, side by side</h2>\n", f);
	for (size_t s = 0; s < n_figure_specs; s++) {
		const char *name = figure_specs[s].name;
		bool any = false;
		int fds[16];

		for (size_t k = 0; k < n && k < 16; k++) {
			char path[PATH_MAX + 16], file[96];

			snprintf(path, sizeof(path), "%s/" FIGURES_DIR, runs[k].dir);
			fds[k] = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			snprintf(file, sizeof(file), "%s.svg", name);
			any = any || (fds[k] >= 0 && faccessat(fds[k], file, R_OK, 0) == 0);
		}
		if (any) {
			fputs("<h3>", f);
			markup_text(f, figure_specs[s].title, SIZE_MAX);
			fprintf(f,
				"</h3>\n<div class=\"grid\" "
				"style=\"grid-template-columns:repeat(%zu,"
				"1fr)\">\n",
				n < 16 ? n : 16);
			for (size_t k = 0; k < n && k < 16; k++) {
				fprintf(f, "<div><b>run %zu</b> <span class=\"dim\">", k + 1);
				markup_text(f, runs[k].label, SIZE_MAX);
				fputs("</span>", f);
				if (fds[k] < 0 || html_inline_svg(f, fds[k], name))
					fputs("<p class=\"dim\">no such figure</p>", f);
				fputs("</div>\n", f);
			}
			fputs("</div>\n", f);
		}
		for (size_t k = 0; k < n && k < 16; k++)
			if (fds[k] >= 0)
				close(fds[k]);
	}
	fputs("</section>\n", f);
}

int html_write_compare(const struct report_run *runs, size_t n_runs, int dirfd,
		       const struct figure_out *figs, size_t n_figs, const char *gnuplot_note)
{
	struct atomic_file af;
	int rc = atomic_file_begin(&af, dirfd, COMPARE_HTML);
	FILE *f;

	if (rc)
		return rc;
	f = af.f;
	html_head(f, "Container restart time: comparison");
	fprintf(f, "<h1>Container restart time: %zu runs compared</h1>\n<p class=\"sub\">", n_runs);
	for (size_t k = 0; k < n_runs; k++) {
		fprintf(f, "%s%zu: ", k ? " · " : "", k + 1);
		markup_text(f, runs[k].label, SIZE_MAX);
	}
	fputs("</p>\n<p class=\"note\">Compare runs taken on the same kind of machine with the "
	      "same protocol; restart times differ a lot between machines. Each run's own "
	      "report (report.html in its directory) has its tables and drift.</p>\n",
	      f);
	engines_note(f, runs, n_runs);
	compare_info(f, runs, n_runs);
	compare_cells(f, runs, n_runs);
	compare_loads(f, runs, n_runs);
	compare_phases(f, runs, n_runs);
	html_figures_section(f, dirfd, "Comparison", figs, n_figs, gnuplot_note, NULL);
	compare_figures(f, runs, n_runs);
	html_footer(f, NULL);
	return atomic_file_commit(&af, ferror(f));
}
