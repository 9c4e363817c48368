// SPDX-License-Identifier: GPL-2.0-only
/*
 * restartprof report: from the files of one or more run directories to the tables, figures,
 * timeline and pages. Per directory it writes summary.csv, summary_loads.csv,
 * phase_shares.csv, figures/ (.dat, .gp, .svg, .png), timeline.json and report.html (into
 * out_dir instead when there is one directory and out_dir is set: the run directory is then
 * only read); with several, compare.csv, figures/compare-medians.* and compare.html go into
 * the first (or into out_dir). Each page written is named in one line on log.
 */
#ifndef RP_REPORT_REPORT_H
#define RP_REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "rundir/columns.h"

struct report_opts {
	const char *gnuplot;	 /* program name or path; NULL: "gnuplot" */
	bool (*cancelled)(void); /* turns true on interrupt; may be NULL */
	FILE *table;		 /* the terminal table goes here; NULL: nowhere */
	FILE *log;		 /* one-line notes (gnuplot missing, a figure failed); NULL: none */
	const char *out_dir;	 /* one dir: where its report goes; several: the comparison */
	bool lenient; /* malformed rows and unreadable optional files: a note and left out */
};

/*
 * 0; REPORT_BAD_INPUT when a directory is not a run directory or (unless lenient) one of its
 * files is malformed or unreadable: then nothing is written, in any directory; REPORT_FAILED
 * when something could not be written (err gets one line on the first problem; the other
 * directories are still done).
 */
#define REPORT_FAILED	 (-1)
#define REPORT_BAD_INPUT (-2)
int report_dirs(const char *const *dirs, size_t n, const struct report_opts *o, char *err,
		size_t errlen);

#endif
