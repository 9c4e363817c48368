// SPDX-License-Identifier: GPL-2.0-only
#include "report/figures.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explain/flame_figure.h"
#include "report/gnuplot.h"
#include "rundir/file_name.h"
#include "util/files.h"

/* --- colours and names that every figure shares --- */

static const char *load_color(const char *load)
{
	static const struct {
		const char *load, *color;
	} colors[] = {
		{"none", "#222222"}, {"cpu", "#1f77b4"}, {"mem", "#2ca02c"},
		{"io", "#ff7f0e"},   {"hdd", "#d62728"}, {"custom", "#9467bd"},
	};

	for (size_t i = 0; i < sizeof(colors) / sizeof(colors[0]); i++)
		if (strcmp(colors[i].load, load) == 0)
			return colors[i].color;
	return "#8c564b";
}

static const char *const phase_colors[PH_COUNT] = {
	[PH_KILL] = "#8c564b",	 [PH_DIE] = "#e377c2",	   [PH_DISCONNECT] = "#7f7f7f",
	[PH_STOP] = "#bcbd22",	 [PH_DESTROY] = "#17becf", [PH_CREATE] = "#d62728",
	[PH_ATTACH] = "#9467bd", [PH_CONNECT] = "#ff7f0e", [PH_START] = "#1f77b4",
	[PH_READY] = "#2ca02c",
};

static const char *load_title(const char *load)
{
	return strcmp(load, "none") == 0 ? "none (baseline)" : load;
}

/* --- Fig. 3: CDF of restart time per load type --- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Sorted restart times of the ok trials of load l; caller frees. */
static size_t load_values(const struct report_run *r, size_t l, double **out)
{
	double *v = malloc((r->n_rows + 1) * sizeof(*v));
	size_t n = 0;

	*out = v;
	if (!v)
		return 0;
	for (size_t k = 0; k < r->n_rows; k++) {
		const struct report_trial *rt = &r->rows[k];

		if (rt->ok && !isnan(rt->restart_s) && rt->cell >= 0 &&
		    strcmp(r->sum.cells[rt->cell].load, r->sum.loads[l].load) == 0)
			v[n++] = rt->restart_s;
	}
	qsort(v, n, sizeof(*v), cmp_double);
	return n;
}

static int cdf_data(const struct figure_spec *fs, const struct report_run *r, FILE *f)
{
	int blocks = 0;

	(void)fs;
	fprintf(f, "# restart time (s), fraction of trials at or below it; one block per load\n");
	for (size_t l = 0; l < r->sum.n_loads; l++) {
		double *v;
		size_t n = load_values(r, l, &v);
		char name[32];

		if (n) {
			rundir_safe_name(r->sum.loads[l].load, name, sizeof(name));
			fprintf(f, "%s# load %s: %zu trials\n", blocks ? "\n\n" : "", name, n);
			fprintf(f, "%.6f 0\n", v[0]);
			for (size_t i = 0; i < n; i++)
				fprintf(f, "%.6f %.6f\n", v[i], (double)(i + 1) / (double)n);
			blocks++;
		}
		free(v);
	}
	return blocks > 0;
}

/* The x axis from just below the fastest trial to just above the slowest: from 0 the data
 * would crowd into the right edge. */
static void cdf_xrange(FILE *f, double lo, double hi)
{
	double pad = (hi > lo ? hi - lo : fmax(lo, 0.001)) * 0.08;

	fprintf(f, "  set xrange [%.6f:%.6f]\n", fmax(0, lo - pad), hi + pad);
}

static void cdf_plot(const struct figure_spec *fs, const struct report_run *r, FILE *f)
{
	double lo = INFINITY, hi = 0;
	int block = 0;

	(void)fs;
	for (size_t l = 0; l < r->sum.n_loads; l++)
		if (r->sum.loads[l].pooled.n) {
			lo = fmin(lo, r->sum.loads[l].pooled.min);
			hi = fmax(hi, r->sum.loads[l].pooled.max);
		}
	fprintf(f, "  set xlabel \"restart time (s)%s\"\n",
		lo > 0 && hi / lo > 20 ? ", log scale" : "");
	fprintf(f, "  set ylabel \"fraction of trials\"\n");
	fprintf(f, "  set yrange [0:1.02]\n  set ytics 0.1\n");
	if (lo > 0 && hi / lo > 20)
		fprintf(f, "  set logscale x\n");
	else
		cdf_xrange(f, lo, hi);
	fprintf(f, "  set key right bottom\n  plot ");
	for (size_t l = 0; l < r->sum.n_loads; l++) {
		const struct load_summary *ls = &r->sum.loads[l];
		char name[32];

		if (!ls->pooled.n)
			continue;
		rundir_safe_name(ls->load, name, sizeof(name));
		fprintf(f,
			"%sdatafile index %d using 1:2 with steps lw 2 lc rgb \"%s\" title \"%s, "
			"%zu trials, median %.3f s\"",
			block ? ", \\\n       " : "", block, load_color(ls->load), load_title(name),
			ls->pooled.n, ls->pooled.median);
		block++;
	}
	fprintf(f, "\n");
}

/* --- Fig. 4: medians with min-max bars against stressor count --- */

/* A load with stressor containers (a watch's `device` load has none to count). */
static bool is_load_block(const struct report_run *r, size_t l)
{
	return strcmp(r->sum.loads[l].load, "none") != 0 && r->sum.loads[l].pooled.n &&
	       r->sum.loads[l].max_stressors > 0;
}

static int medians_data(const struct figure_spec *fs, const struct report_run *r, FILE *f)
{
	int blocks = 0, nl = 0, li = 0;

	(void)fs;
	for (size_t l = 0; l < r->sum.n_loads; l++)
		nl += is_load_block(r, l);
	fprintf(f, "# x (stressors, shifted per load so bars do not overlap), median, min, max "
		   "(s), stressors, cell; one block per load\n");
	for (size_t l = 0; l < r->sum.n_loads; l++) {
		double shift;

		if (!is_load_block(r, l))
			continue;
		shift = nl > 1 ? ((double)li - (nl - 1) / 2.0) * 0.08 : 0;
		li++;
		fprintf(f, "%s# load %s\n", blocks++ ? "\n\n" : "", r->sum.loads[l].load);
		for (int s = r->sum.loads[l].min_stressors; s <= r->sum.loads[l].max_stressors; s++)
			for (size_t c = 0; c < r->sum.n_cells; c++) {
				const struct cell_summary *cs = &r->sum.cells[c];
				char name[32];

				if (cs->stressors != s || !cs->restart_s.n ||
				    strcmp(cs->load, r->sum.loads[l].load) != 0)
					continue;
				rundir_safe_name(cs->cell, name, sizeof(name));
				fprintf(f, "%.3f %.6f %.6f %.6f %d \"%s\"\n", s + shift,
					cs->restart_s.median, cs->restart_s.min, cs->restart_s.max,
					s, name);
			}
	}
	return blocks > 0;
}

static void baseline_range(const struct report_run *r, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t c = 0; c < r->sum.n_cells; c++)
		if (strcmp(r->sum.cells[c].load, "none") == 0 && r->sum.cells[c].restart_s.n) {
			*lo = fmin(*lo, r->sum.cells[c].restart_s.median);
			*hi = fmax(*hi, r->sum.cells[c].restart_s.median);
		}
}

static void medians_plot(const struct figure_spec *fs, const struct report_run *r, FILE *f)
{
	int smax = 1, block = 0;
	double lo, hi, base = r->sum.baseline_median_s;

	(void)fs;
	for (size_t l = 0; l < r->sum.n_loads; l++)
		if (is_load_block(r, l) && r->sum.loads[l].max_stressors > smax)
			smax = r->sum.loads[l].max_stressors;
	baseline_range(r, &lo, &hi);
	fprintf(f, "  set xlabel \"stressor containers\"\n  set ylabel \"restart time (s)\"\n");
	fprintf(f, "  set xrange [0.5:%d.5]\n  set xtics 1\n  set yrange [0:*]\n", smax);
	/* Room above the bars for the key, which thus never hides one. */
	fprintf(f, "  set offsets 0, 0, graph 0.3, 0\n");
	fprintf(f, "  set key inside left top vertical Left reverse maxrows 4 opaque box lc rgb "
		   "\"#dddddd\"\n  plot ");
	if (r->sum.baseline_cells >= 2)
		fprintf(f,
			"'+' using 1:(%.6f):(%.6f) with filledcurves fc rgb \"#dddddd\" fs solid "
			"1.0 noborder title \"baseline cells, range of medians\", \\\n       ",
			lo, hi);
	for (size_t l = 0; l < r->sum.n_loads; l++) {
		char name[32];

		if (!is_load_block(r, l))
			continue;
		rundir_safe_name(r->sum.loads[l].load, name, sizeof(name));
		fprintf(f,
			"%sdatafile index %d using 1:2:3:4 with yerrorlines lw 2 pt 7 ps 0.9 lc "
			"rgb "
			"\"%s\" title \"%s\"",
			block ? ", \\\n       " : "", block, load_color(r->sum.loads[l].load),
			name);
		block++;
	}
	if (!isnan(base))
		fprintf(f,
			", \\\n       %.6f with lines dt 2 lw 2 lc rgb \"#222222\" title "
			"\"baseline "
			"median %.3f s\"",
			base, base);
	fprintf(f, "\n");
}

/* --- Fig. 5: share of each phase in the restart window per cell --- */

#define SHARE_LABEL_MIN_PCT 3.0 /* smaller segments have no room for their number */

/* Phases with a share anywhere (the legend lists no phase that never took time). */
static int shown_phases(const struct report_run *r, int *ph)
{
	int n = 0;

	for (int p = 0; p < PH_COUNT; p++) {
		bool any = false;

		for (size_t c = 0; c < r->sum.n_cells && !any; c++)
			any = r->share_trials[c] && r->share_pct[c][p] > 0;
		if (any)
			ph[n++] = p;
	}
	return n;
}

static int shares_data(const struct figure_spec *fs, const struct report_run *r, FILE *f)
{
	int ph[PH_COUNT], n = shown_phases(r, ph), rows = 0;

	(void)fs;
	if (!n)
		return 0;
	fprintf(f, "# share of each phase in the restart window (%%), summed over the cell's ok "
		   "trials\n# cell");
	for (int i = 0; i < n; i++)
		fprintf(f, " %s", phase_name(ph[i]));
	fprintf(f, "\n");
	for (size_t c = 0; c < r->sum.n_cells; c++) {
		char name[32];

		if (!r->share_trials[c])
			continue;
		rundir_safe_name(r->sum.cells[c].cell, name, sizeof(name));
		fprintf(f, "\"%s\"", name);
		for (int i = 0; i < n; i++)
			fprintf(f, " %.3f", r->share_pct[c][ph[i]]);
		fprintf(f, "\n");
		rows++;
	}
	return rows > 0;
}

/* Each share printed on its bar segment (rows sit at x = 0, 1, ...), when there is room. */
static void share_labels(const struct report_run *r, const int *ph, int n, FILE *f)
{
	int row = 0;

	for (size_t c = 0; c < r->sum.n_cells; c++) {
		double at = 0;

		if (!r->share_trials[c])
			continue;
		for (int i = 0; i < n; i++) {
			double v = r->share_pct[c][ph[i]];

			if (v >= SHARE_LABEL_MIN_PCT)
				fprintf(f,
					"  set label \"%.*f%%\" at %d, %.3f center front "
					"font \",11\" tc rgb \"#111111\"\n",
					v < 10 ? 1 : 0, v, row, at + v / 2);
			at += v;
		}
		row++;
	}
}

static void shares_plot(const struct figure_spec *fs, const struct report_run *r, FILE *f)
{
	int ph[PH_COUNT], n = shown_phases(r, ph), rows = 0;

	(void)fs;
	for (size_t c = 0; c < r->sum.n_cells; c++)
		rows += r->share_trials[c] > 0;
	fprintf(f, "  set xlabel \"cell (its ok trials summed)\"\n");
	fprintf(f, "  set ylabel \"share of the restart window (%%)\"\n  set yrange [0:100]\n");
	share_labels(r, ph, n, f);
	fprintf(f, "  set style data histograms\n  set style histogram rowstacked\n");
	fprintf(f, "  set style fill solid 0.9 border rgb \"#ffffff\"\n  set boxwidth 0.75\n");
	fprintf(f, "  set key outside right top vertical reverse Left invert\n");
	fprintf(f, "  set xtics nomirror%s\n  set grid noxtics ytics\n",
		rows > 6 ? " rotate by 30 right" : "");
	fprintf(f, "  plot ");
	for (int i = 0; i < n; i++)
		fprintf(f, "%sdatafile using %d%s title \"%s\" lc rgb \"%s\"",
			i ? ", \\\n       " : "", i + 2, i ? "" : ":xtic(1)", phase_name(ph[i]),
			phase_colors[ph[i]]);
	fprintf(f, "\n");
}

/* --- kernel attribution: one phases.csv column per phase and load type --- */

static int metric_data(const struct figure_spec *fs, const struct report_run *r, FILE *f)
{
	size_t nl = r->sum.n_loads;
	double *v;
	int rows = 0;

	if (!report_has_phase_metric(r, fs->column))
		return 0;
	v = calloc(nl * PH_COUNT + 1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (report_phase_metric(r, fs->column, v)) {
		free(v);
		return 0;
	}
	fprintf(f, "# %s per ok trial (%s), mean per phase and load\n# phase", fs->column,
		fs->unit);
	for (size_t l = 0; l < nl; l++) {
		char name[32];

		rundir_safe_name(r->sum.loads[l].load, name, sizeof(name));
		fprintf(f, " %s", name);
	}
	fprintf(f, "\n");
	/* Every phase in lifecycle order, zeros included: fig6-9 line up phase for phase. */
	for (int p = 0; p < PH_COUNT; p++) {
		fprintf(f, "%s", phase_name(p));
		for (size_t l = 0; l < nl; l++) {
			double x = v[l * PH_COUNT + (size_t)p];

			if (isnan(x))
				fprintf(f, " ?");
			else
				fprintf(f, " %.6g", x * fs->scale);
			rows += !isnan(x) && x != 0;
		}
		fprintf(f, "\n");
	}
	free(v);
	return rows > 0;
}

static void metric_plot(const struct figure_spec *fs, const struct report_run *r, FILE *f)
{
	fprintf(f, "  set xlabel \"phase\"\n");
	fprintf(f, "  set ylabel \"mean per trial (%s%s%s)\"\n  set yrange [0:*]\n", fs->unit,
		fs->summed ? ", " : "", fs->summed ? fs->summed : "");
	fprintf(f, "  set datafile missing \"?\"\n");
	fprintf(f, "  set style data histograms\n  set style histogram clustered gap 1\n");
	fprintf(f, "  set style fill solid 0.9 border rgb \"#ffffff\"\n");
	fprintf(f, "  set key outside right top vertical\n  set grid noxtics ytics\n");
	fprintf(f, "  set xtics nomirror rotate by 30 right\n");
	fprintf(f, "  plot ");
	for (size_t l = 0; l < r->sum.n_loads; l++) {
		char name[32];

		rundir_safe_name(r->sum.loads[l].load, name, sizeof(name));
		fprintf(f, "%sdatafile using %zu%s title \"%s\" lc rgb \"%s\"",
			l ? ", \\\n       " : "", l + 2, l ? "" : ":xtic(1)", load_title(name),
			load_color(r->sum.loads[l].load));
	}
	fprintf(f, "\n");
}

/* --- flame graphs, drawn by restartprof (explain/flame_figure.c) --- */

static int flame_render(const struct figure_spec *fs, const struct report_run *r, int dirfd,
			struct figure_out *fo, enum flame_figure_kind kind)
{
	struct atomic_file af;
	char file[96];
	int made, rc;

	if (!r->explain)
		return 0;
	/* Written as drawn: a flame graph of a long run is megabytes of SVG. */
	snprintf(file, sizeof(file), "%s.svg", fs->name);
	rc = atomic_file_begin(&af, dirfd, file);
	if (rc)
		return rc;
	made = explain_flame_figure(af.f, r->explain, kind);
	rc = atomic_file_commit(&af, made <= 0);
	if (made <= 0)
		return made;
	if (rc)
		return rc;
	fo->svg = true;
	return 1;
}

static int waits_render(const struct figure_spec *fs, const struct report_run *r, int dirfd,
			struct figure_out *fo)
{
	return flame_render(fs, r, dirfd, fo, FLAME_WAITS);
}

static int oncpu_render(const struct figure_spec *fs, const struct report_run *r, int dirfd,
			struct figure_out *fo)
{
	return flame_render(fs, r, dirfd, fo, FLAME_ONCPU);
}

static int wall_render(const struct figure_spec *fs, const struct report_run *r, int dirfd,
		       struct figure_out *fo)
{
	return flame_render(fs, r, dirfd, fo, FLAME_WALL);
}

/* Said where a figure sums time over threads, which can exceed the phase's elapsed time. */
#define OVER_THREADS                                                                               \
	" Summed over the engine's threads (two threads waiting 10 ms each make 20 ms), so it "    \
	"can exceed the phase's duration; explain splits the phase's elapsed time instead."

const struct figure_spec figure_specs[] = {
	{"fig3-cdf", "Restart time per load type (CDF, paper Fig. 3)",
	 "Cumulative distribution of the restart time over the ok trials of every cell of each "
	 "load type (the baseline pools all its repeats). The time axis starts just below the "
	 "fastest trial.",
	 cdf_data, cdf_plot, NULL, 0, NULL},
	{"fig4-medians", "Median restart time against stressor count (paper Fig. 4)",
	 "Median of each cell, with bars from its minimum to its maximum; the dashed line is the "
	 "pooled baseline median, the grey band the range of the baseline cells' medians (the "
	 "drift during the run).",
	 medians_data, medians_plot, NULL, 0, NULL,
	 .absent = "this run has no cell with stressor containers, so there is no stressor count "
		   "to plot against; the restart times are in the cell table and in fig3"},
	{"fig5-phases", "Share of each phase in the restart window (paper Fig. 5)",
	 "Time spent in each lifecycle phase, summed over the cell's ok trials, as a share of "
	 "their summed restart windows; shares under 3 % are not labelled (the phase table "
	 "below has them all).",
	 shares_data, shares_plot, NULL, 0, NULL},
	/* Kernel attribution: appear when phases.csv has these columns with values, every phase
	 * in the same order. The off-CPU flame graphs come last, a spec with its own render. */
	{"fig6-engine-iowait", "Engine I/O wait per phase and load type, summed over threads",
	 "Time the engine's processes (dockerd, containerd, shims, runc) spent blocked on I/O in "
	 "each phase, mean per trial." OVER_THREADS,
	 metric_data, metric_plot, "engine_iowait_ns", 1e-6, "ms", .summed = "summed over threads"},
	{"fig7-engine-blkio", "Engine block I/O per phase and load type",
	 "Bytes of block I/O the engine's processes issued in each phase, mean per trial.",
	 metric_data, metric_plot, "engine_bio_bytes", 1.0 / 1024, "KiB"},
	{"fig8-engine-blkio-latency",
	 "Engine block I/O device time per phase and load type, summed over requests",
	 "Device time of the engine's block I/O requests in each phase, mean per trial, summed "
	 "over requests: requests in flight together each count, so it can exceed the phase's "
	 "duration.",
	 metric_data, metric_plot, "engine_bio_dev_ns_sum", 1e-6, "ms",
	 .summed = "summed over requests"},
	{"fig9-engine-runq", "Engine run-queue delay per phase and load type, summed over threads",
	 "Time the engine's threads waited for a CPU in each phase, mean per trial." OVER_THREADS,
	 metric_data, metric_plot, "engine_runq_ns", 1e-6, "ms", .summed = "summed over threads"},
	{"fig10-offcpu-flame", "Off-CPU flame graphs of the engine, each cell beside the baseline",
	 "Where the engine and the target slept in the kernel during the restart window, per "
	 "trial and summed over threads: uninterruptible sleeps ([iowait], [blocked]) and "
	 "run-queue waits ([runq]) by actor, process and kernel stack, root at the bottom; a "
	 "box's width is its time, the baseline's graph on the left at the same scale. Hover a "
	 "box for its time, click it to zoom into it (click the graph's title to zoom out), "
	 "Search to highlight frames by name. Drawn by restartprof as SVG only, with no PNG: a "
	 "picture would lose the zoom, the search and the times. Interruptible sleeps, and the "
	 "load's and kernel threads' waits, are in the folded stacks (folded/CELL.folded, "
	 "folded/CELL.PHASE.folded).",
	 NULL, NULL, NULL, 0, NULL, waits_render},
	{"fig11-oncpu-flame", "On-CPU flame graphs of the engine, each cell beside the baseline",
	 "What the engine and the target ran during the restart window, sampled on the CPU "
	 "(--oncpu-hz), per trial and summed over threads: each phase a root, then actor, "
	 "process, the user frames (function names from the binaries' symbol tables or Go's "
	 "pclntab, [unknown] where none names them) and the kernel frames; the baseline's graph "
	 "on the left at the same scale. Zoom and search as in fig10. Absent when the run took "
	 "no on-CPU samples.",
	 NULL, NULL, NULL, 0, NULL, oncpu_render},
	{"fig12-wall-flame", "Waits and on-CPU time of one phase, each cell beside the baseline",
	 "Both kinds of time of the engine's and the target's threads in the phase that grew "
	 "most against the baseline (without one, the costliest), per trial and summed over "
	 "threads, the kind colour-coded ([oncpu] beside [iowait], [blocked], [runq], [call]): "
	 "where no thread was waiting or on a CPU, the phase's time is not here.",
	 NULL, NULL, NULL, 0, NULL, wall_render},
};
const size_t n_figure_specs = sizeof(figure_specs) / sizeof(figure_specs[0]);
