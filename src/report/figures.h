// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report's figures: for each, a data file (.dat) and a gnuplot script (.gp) written next to
 * each other in the run's figures/ directory, rendered by gnuplot into .svg and .png.
 *
 * Figures are a list of specs (figure_specs.c, figure_specs[]): each says what data it needs and
 * writes it, or says it cannot (the figure is then left out, with a note when the spec says why:
 * see figure_spec.absent). The title is drawn into the PNG only: the SVG goes into report.html
 * under the title as a heading, and printing it twice there read as a stutter. The paper's three
 * figures come first; the kernel attribution's figures follow and appear as soon as the columns
 * they plot (phases.csv: engine_iowait_ns, engine_blkio_bytes, ...) exist. A figure made by
 * something other than gnuplot (an off-CPU flame graph from folded stacks) plugs in as a spec
 * with its own render function.
 */
#ifndef RP_REPORT_FIGURES_H
#define RP_REPORT_FIGURES_H

#include <stdbool.h>
#include <stdio.h>

#include "report/report_data.h"
#include "rundir/columns.h"

#define FIGURE_MAX 16

struct figure_opts {
	const char *gnuplot;	 /* program name or path; NULL: "gnuplot" */
	bool render;		 /* false: write .dat and .gp only */
	bool (*cancelled)(void); /* stops a running gnuplot when it turns true; may be NULL */
};

/* What became of one figure. */
struct figure_out {
	char name[48]; /* file stem in figures/ */
	char title[128];
	char caption[512];
	bool svg, png; /* rendered */
	bool native;   /* drawn by restartprof itself (no gnuplot script or data file) */
	bool absent;   /* the run lacks its data: listed only to say so (err says why) */
	char err[256]; /* why not, when render was asked and failed, or the run lacks the data */
};

struct figure_spec {
	const char *name;
	const char *title;
	const char *caption;
	/* Writes the .dat text; 1 when written, 0 when the run lacks the data (skip), -errno. */
	int (*data)(const struct figure_spec *fs, const struct report_run *r, FILE *f);
	/* Writes the settings and the plot command of the script (see figures.c for the frame
	 * around them). */
	void (*plot)(const struct figure_spec *fs, const struct report_run *r, FILE *f);
	/* For per-phase metric figures: the phases.csv column, its scale to the unit, the unit. */
	const char *column;
	double scale;
	const char *unit;
	/*
	 * A figure gnuplot does not draw (an off-CPU flame graph from folded stacks): when set,
	 * it is called instead of data/plot, writes name.svg (and what else it likes) into
	 * dirfd and sets fo->svg. 1 when it made the figure, 0 when the run lacks the data
	 * (skip), -errno.
	 */
	int (*render)(const struct figure_spec *fs, const struct report_run *r, int dirfd,
		      struct figure_out *fo);
	/* What a per-phase time figure sums, said in its y label ("summed over threads"); NULL
	 * for a plain mean. */
	const char *summed;
	/* When set, a run without the data still lists the figure, with this sentence for why
	 * (the docs promise the figure; silence would read as a bug). */
	const char *absent;
};

extern const struct figure_spec figure_specs[];
extern const size_t n_figure_specs;

/*
 * Writes every figure whose data the run has into dirfd (the figures/ directory) and, when
 * asked, renders it. out gets up to FIGURE_MAX results; *n how many. Returns 0, or the first
 * -errno of writing a file (a gnuplot failure is only noted in its figure_out).
 */
int figures_write_run(const struct report_run *r, int dirfd, const struct figure_opts *o,
		      struct figure_out *out, size_t *n);

/* The same over any list of specs (figures_write_run uses figure_specs[]). */
int figures_write_specs(const struct figure_spec *specs, size_t n_specs, const struct report_run *r,
			int dirfd, const struct figure_opts *o, struct figure_out *out, size_t *n);

/* The comparison figure of several runs (median and min-max of each cell, side by side). */
int figures_write_compare(const struct report_run *runs, size_t n_runs, int dirfd,
			  const struct figure_opts *o, struct figure_out *out, size_t *n);

/* Writes a data and a script text into dirfd as name.dat / name.gp and renders them. */
int figure_emit(int dirfd, const char *name, const char *data, size_t data_len, const char *script,
		size_t script_len, const struct figure_opts *o, struct figure_out *fo);

#endif
