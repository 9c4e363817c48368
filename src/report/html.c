// SPDX-License-Identifier: GPL-2.0-only
#include "report/html.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/kind.h"
#include "explain/explain.h"
#include "explain/html.h"
#include "report/html_page.h"
#include "report/html_remedy.h"
#include "util/markup.h"
#include "report/summary.h"
#include "report/timeline.h"
#include "rundir/run_json.h"
#include "util/files.h"
#include "util/host.h"

/* --- run info --- */

static void kv(FILE *f, const char *key, const char *value)
{
	if (!value || !*value)
		return;
	fputs("<tr><td>", f);
	markup_text(f, key, SIZE_MAX);
	fputs("</td><td>", f);
	markup_text(f, value, SIZE_MAX);
	fputs("</td></tr>\n", f);
}

static void storage_text(const struct report_run *r, char *out, size_t len)
{
	const char *dev = report_info(r, "storage.device", ""),
		   *disk = report_info(r, "storage.disk", "");
	const char *type = report_info(r, "storage.type", ""),
		   *model = report_info(r, "storage.model", "");
	const char *fs = report_info(r, "storage.fstype", ""),
		   *rot = report_info(r, "storage.rotational", "");

	snprintf(out, len, "%s%s%s%s%s%s%s%s%s%s%s", *dev ? dev : "(no block device)",
		 *disk && strcmp(disk, dev) ? " on " : "", *disk && strcmp(disk, dev) ? disk : "",
		 *type ? ", " : "", type, *model ? ", " : "", model, *fs ? ", " : "", fs,
		 *rot ? (strcmp(rot, "true") == 0 ? ", rotational" : ", not rotational") : "", "");
}

/* A data-root in RAM shows no disk effect: said loudly where the storage is described. */
/* The warning of a run whose engine kept its data-root in memory, or NULL. */
static const char *in_memory_warning(const struct report_run *r, char *buf, size_t len)
{
	const char *mem = storage_in_memory(report_info(r, "storage.fstype", ""),
					    report_info(r, "storage.device", ""));

	if (!mem)
		return NULL;
	snprintf(buf, len,
		 "the engine's data-root is on %s, in memory: its disk I/O reaches no disk, so "
		 "no disk effect can show in this run",
		 mem);
	return buf;
}

static void in_memory_row(FILE *f, const struct report_run *r)
{
	char buf[256];

	kv(f, "WARNING", in_memory_warning(r, buf, sizeof(buf)));
}

/* A watch directory: what it followed instead of an experiment's settings. */
static void watch_facts(FILE *f, const struct report_run *r)
{
	char buf[768];
	const char *filters = report_info(r, "watch.filters", "");

	snprintf(buf, sizeof(buf),
		 "restarts that happened on the device (%s), a replacement within %s s, readiness "
		 "awaited %s s, kernel history %s s, kernel tracing %s",
		 filters[0] ? filters : "every container",
		 report_info(r, "watch.replace_window_s", "?"),
		 report_info(r, "watch.ready_timeout_s", "?"),
		 report_info(r, "watch.kernel_history_s", "?"),
		 strcmp(report_info(r, "watch.kernel_trace", "false"), "true") == 0 ? "on" : "off");
	kv(f, "watch", buf);
	kv(f, "restartprof", report_info(r, "tool_version", NULL));
}

static void info_rows(FILE *f, const struct report_run *r)
{
	char buf[1024];

	kv(f, "run id", report_info(r, "run_id", NULL));
	kv(f, "state", report_info(r, "state", NULL));
	kv(f, "command", report_info(r, "command_line", NULL));
	kv(f, "started", report_info(r, "start", NULL));
	kv(f, "ended", report_info(r, "end", NULL));
	kv(f, "host", report_info(r, "host.hostname", NULL));
	kv(f, "machine", report_info(r, "host.machine", NULL));
	snprintf(buf, sizeof(buf), "%s (%s)", report_info(r, "host.kernel", "?"),
		 report_info(r, "host.architecture", "?"));
	kv(f, "kernel", buf);
	snprintf(buf, sizeof(buf), "%s, %s cores, cpufreq governor %s, %.1f GiB memory",
		 report_info(r, "host.cpu_model", "?"), report_info(r, "host.cpus", "?"),
		 report_info(r, "host.cpu_governor", "?"),
		 atof(report_info(r, "host.memory_kib", "0")) / (1024.0 * 1024.0));
	kv(f, "CPU", buf);
	kv(f, "Docker data-root", report_info(r, "storage.docker_root_dir", NULL));
	storage_text(r, buf, sizeof(buf));
	kv(f, "its storage", buf);
	in_memory_row(f, r);
	snprintf(buf, sizeof(buf), "%s %s, API %s (used %s), storage driver %s",
		 engine_kind_title(report_engine(r)), report_info(r, "engine.version", "?"),
		 report_info(r, "engine.api_version", "?"),
		 report_info(r, "engine.api_version_used", "?"),
		 report_info(r, "engine.storage_driver", "?"));
	kv(f, "engine", buf);
	snprintf(buf, sizeof(buf), "v%s, driver %s", report_info(r, "engine.cgroup_version", "?"),
		 report_info(r, "engine.cgroup_driver", "?"));
	kv(f, "cgroup", buf);
	if (strcmp(report_info(r, "kind", "run"), "watch") == 0) {
		watch_facts(f, r);
		return;
	}
	snprintf(buf, sizeof(buf),
		 "%s trials per cell, readiness %s, settle %s s, interval %s s, "
		 "kernel tracing %s",
		 report_info(r, "experiment.trials_per_cell", "?"),
		 report_info(r, "experiment.method", "?"),
		 report_info(r, "experiment.settle_s", "?"),
		 report_info(r, "experiment.interval_s", "?"),
		 strcmp(report_info(r, "experiment.kernel_trace", "false"), "true") == 0 ? "on"
											 : "off");
	kv(f, "experiment", buf);
	kv(f, "target image", report_info(r, "experiment.image", NULL));
	kv(f, "restartprof", report_info(r, "tool_version", NULL));
}

static void run_info(FILE *f, const struct report_run *r)
{
	fputs("<section id=\"run\"><h2>Run</h2>\n", f);
	if (!r->info) {
		fputs("<p class=\"note\">This directory has no run.json (a run of an older "
		      "restartprof, or one that died before writing it): what the run was made "
		      "on is unknown.</p></section>\n",
		      f);
		return;
	}
	/* Folded: the answer comes first, the facts of the run on demand. */
	fputs("<details class=\"run\"><summary>What the run was made on and with: host, kernel, "
	      "CPU, storage, engine, command</summary><table class=\"kv\">\n",
	      f);
	info_rows(f, r);
	fputs("</table></details></section>\n", f);
}

/* The answer first: per cell its median restart time, its change, and with a diagnosis the
 * phases that grew or cost most with their top cause and remedy. */
static void headline(FILE *f, const struct report_run *r)
{
	char warning[256];

	fputs("<section id=\"headline\"><h2>The answer first</h2>\n", f);
	if (in_memory_warning(r, warning, sizeof(warning))) {
		fputs("<p><strong>WARNING:</strong> ", f);
		markup_text(f, warning, SIZE_MAX);
		fputs("</p>\n", f);
	}
	if (r->explain && r->explain->traced) {
		explain_headline_html(f, r->explain);
		fputs("<p class=\"sub\">Against the run's baseline cells; the Diagnosis below has "
		      "every cause with its evidence. <code>restartprof explain --brief "
		      "DIR</code> prints the same.</p>",
		      f);
	} else {
		for (size_t i = 0; i < r->sum.n_cells; i++) {
			const struct cell_summary *c = &r->sum.cells[i];

			fputs("<p><b>", f);
			markup_text(f, c->cell, SIZE_MAX);
			if (!c->restart_s.n)
				fputs("</b>: no ok trial", f);
			else
				fprintf(f, "</b>: median restart <b>%.1f ms</b>",
					c->restart_s.median * 1e3);
			if (!isnan(c->change_pct) && strcmp(c->load, "none") != 0)
				fprintf(f, ", %+.0f%% against the baseline", c->change_pct);
			fputs("</p>\n", f);
		}
		fputs("<p class=\"sub\">This run has no kernel tracing (waits.csv): no causes to "
		      "show.</p>",
		      f);
	}
	fputs("</section>\n", f);
}

/* --- tables --- */

static void order_note(FILE *f, const struct report_run *r)
{
	const struct run_summary *s = &r->sum;
	bool matrix = strcmp(report_info(r, "experiment.matrix", "false"), "true") == 0;

	fputs("<p class=\"note\"><b>Order and drift.</b> ", f);
	markup_text(f, run_cell_order_text(matrix), SIZE_MAX);
	if (s->baseline_cells >= 2)
		fprintf(f,
			" The %d baseline cells are pooled into one baseline (median %.3f s): "
			"<i>vs base</i> compares each cell with it. Their own medians spread over "
			"%.1f%% of it: that is how far the machine drifted during the run, and a "
			"change smaller than that is not an effect. <i>vs adjacent</i> compares "
			"each "
			"cell with the mean of the baselines run just before and just after its "
			"block, which cancels a steady drift.",
			s->baseline_cells, s->baseline_median_s, s->baseline_drift_pct);
	else if (s->baseline_cells == 1)
		fprintf(f,
			" One baseline cell (median %.3f s): <i>vs base</i> compares with it; "
			"with a single baseline the drift during the run is not measured.",
			s->baseline_median_s);
	else
		fputs(" This run has no baseline cell, so no change against one.", f);
	fputs("</p>\n", f);
}

static void cell_table(FILE *f, const struct report_run *r)
{
	fputs("<div class=\"scroll\"><table><tr><th class=\"l\">cell</th><th>trials</th>"
	      "<th>failed</th><th>median s</th><th>min s</th><th>max s</th><th>p5 s</th>"
	      "<th>p95 s</th><th>mean s</th><th>stddev s</th><th>vs base</th>"
	      "<th>vs adjacent</th></tr>\n",
	      f);
	for (size_t i = 0; i < r->sum.n_cells; i++) {
		const struct cell_summary *c = &r->sum.cells[i];
		const struct stats *st = &c->restart_s;
		double n = st->n ? 0 : NAN;

		fprintf(f, "<tr%s><td class=\"l\">",
			strcmp(c->load, "none") == 0 ? " class=\"base\"" : "");
		markup_text(f, c->cell, SIZE_MAX);
		fprintf(f, "</td><td>%d</td><td%s>%d</td>", c->trials,
			c->failures ? " class=\"up\"" : "", c->failures);
		html_num(f, st->median + n, "%.3f");
		html_num(f, st->min + n, "%.3f");
		html_num(f, st->max + n, "%.3f");
		html_num(f, st->p5 + n, "%.3f");
		html_num(f, st->p95 + n, "%.3f");
		html_num(f, st->mean + n, "%.3f");
		html_num(f, st->stddev + n, "%.3f");
		html_change(f, c->change_pct);
		html_change(f, c->change_adjacent_pct);
		fputs("</tr>\n", f);
	}
	fputs("</table></div>\n", f);
}

static void load_table(FILE *f, const struct report_run *r)
{
	fputs("<h3>Per load type, as the paper quotes them</h3>\n<table><tr><th class=\"l\">load"
	      "</th><th>stressors</th><th>cells</th><th>trials</th><th>failed</th>"
	      "<th>mean of medians s</th><th>vs base</th><th>pooled median s</th>"
	      "<th>pooled p5 s</th><th>pooled p95 s</th></tr>\n",
	      f);
	for (size_t i = 0; i < r->sum.n_loads; i++) {
		const struct load_summary *l = &r->sum.loads[i];
		double n = l->pooled.n ? 0 : NAN;

		fputs("<tr><td class=\"l\">", f);
		markup_text(f, l->load, SIZE_MAX);
		if (l->min_stressors == l->max_stressors)
			fprintf(f, "</td><td>%d</td>", l->min_stressors);
		else
			fprintf(f, "</td><td>%d-%d</td>", l->min_stressors, l->max_stressors);
		fprintf(f, "<td>%d</td><td>%d</td><td>%d</td>", l->cells, l->trials, l->failures);
		html_num(f, l->mean_median_s, "%.3f");
		html_change(f, l->change_pct);
		html_num(f, l->pooled.median + n, "%.3f");
		html_num(f, l->pooled.p5 + n, "%.3f");
		html_num(f, l->pooled.p95 + n, "%.3f");
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void phase_table(FILE *f, const struct report_run *r)
{
	bool any = false;

	for (size_t c = 0; c < r->sum.n_cells; c++)
		any = any || r->share_trials[c] > 0;
	fputs("<section id=\"phases\"><h2>Phases</h2>\n", f);
	if (!any) {
		fputs("<p>No trial of this run has phase durations.</p></section>\n", f);
		return;
	}
	fputs("<p>Each phase ends at its engine event; the phases of a trial add up to its "
	      "restart window. Share of the summed windows of the cell's ok trials, and below "
	      "it the mean duration in ms; a phase the engine never reports is absent.</p>\n<div "
	      "class=\"scroll\"><table><tr>"
	      "<th class=\"l\">cell</th>",
	      f);
	for (int p = 0; p < PH_COUNT; p++)
		fprintf(f, "<th>%s</th>", phase_name(p));
	fputs("</tr>\n", f);
	for (size_t c = 0; c < r->sum.n_cells; c++) {
		if (!r->share_trials[c])
			continue;
		fputs("<tr><td class=\"l\">", f);
		markup_text(f, r->sum.cells[c].cell, SIZE_MAX);
		fputs("</td>", f);
		for (int p = 0; p < PH_COUNT; p++)
			if (isnan(r->share_pct[c][p])) /* the engine never reports it */
				fputs("<td><span class=\"dim\">absent</span></td>", f);
			else
				fprintf(f, "<td>%.1f%%<br><span class=\"dim\">%.1f</span></td>",
					r->share_pct[c][p], r->phase_mean_ms[c][p]);
		fputs("</tr>\n", f);
	}
	fputs("</table></div></section>\n", f);
}

static void files_section(FILE *f)
{
	static const char *const files[][2] = {
		{RUN_JSON, "what the run was made on and with (host, storage, engine, command)"},
		{TRIALS_CSV, "one row per trial: status, restart time by each method, phases"},
		{PHASES_CSV, "one row per trial and phase: start, end, duration (and kernel "
			     "attribution columns when traced)"},
		{API_CSV, "every Engine API call of each trial and its duration"},
		{SUMMARY_CSV, "the per-cell table above"},
		{SUMMARY_LOADS_CSV, "the per-load table above"},
		{PHASE_SHARES_CSV, "the phase table above: share and mean duration of each "
				   "phase per cell"},
		{TIMELINE_JSON, "the median trial of each cell in the Chrome trace-event format: "
				"open it in ui.perfetto.dev or chrome://tracing"},
		{FIGURES_DIR "/", "each figure as .svg and .png, with its gnuplot script (.gp) and "
				  "data (.dat)"},
		{WAITS_CSV, "the waits of each trial and phase (off-CPU states, blocking calls "
			    "and their files) with their share of the phase's time"},
		{STACKS_CSV, "the kernel stacks waits.csv names, symbolized"},
		{FOLDED_DIR "/",
		 "folded stacks (frame;frame;frame count) per cell and per cell and "
		 "phase, for flame-graph tools; counts are microseconds"},
	};

	fputs("<section id=\"files\"><h2>Files</h2><table class=\"kv\">\n", f);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		fprintf(f, "<tr><td><code>%s</code></td><td>%s</td></tr>\n", files[i][0],
			files[i][1]);
	fputs("</table></section>\n", f);
}

static void report_body(FILE *f, const struct report_run *r, int dirfd,
			const struct figure_out *figs, size_t n_figs, const char *note)
{
	char title[256];

	snprintf(title, sizeof(title), "Container restart time: %s",
		 report_info(r, "run_id", r->dir));
	html_head(f, title);
	fputs("<h1>", f);
	markup_text(f, title, SIZE_MAX);
	fputs("</h1>\n<p class=\"sub\">", f);
	markup_text(f, r->label, SIZE_MAX);
	if (report_info(r, "start", NULL)) {
		fputs(" · ", f);
		markup_text(f, report_info(r, "start", ""), SIZE_MAX);
	}
	fputs("</p>\n<nav><a href=\"#run\">Run</a><a href=\"#summary\">Restart time</a>"
	      "<a href=\"#figures\">Figures</a><a href=\"#phases\">Phases</a>",
	      f);
	if (html_remedy_present(r))
		fputs("<a href=\"#remedy\">Remedy</a>", f);
	if (r->explain)
		fputs("<a href=\"#diagnosis\">Diagnosis</a>", f);
	fputs("<a href=\"#files\">Files</a></nav>\n", f);
	headline(f, r);
	html_remedy_section(f, r);
	run_info(f, r);
	fputs("<section id=\"summary\"><h2>Restart time per cell</h2>\n", f);
	order_note(f, r);
	cell_table(f, r);
	load_table(f, r);
	fputs("</section>\n", f);
	html_figures_section(f, dirfd, "Figures", figs, n_figs, note,
			     "<p>This run has no ok trial to draw.</p>\n");
	phase_table(f, r);
	if (r->explain)
		explain_html(f, r->explain);
	files_section(f);
	html_footer(f, r);
}

int html_write_report(const struct report_run *r, int dirfd, const struct figure_out *figs,
		      size_t n_figs, const char *gnuplot_note)
{
	struct atomic_file af;
	int rc = atomic_file_begin(&af, dirfd, REPORT_HTML);

	if (rc)
		return rc;
	report_body(af.f, r, dirfd, figs, n_figs, gnuplot_note);
	return atomic_file_commit(&af, ferror(af.f));
}
