// SPDX-License-Identifier: GPL-2.0-only
/* report.html and compare.html: one self-contained page each (inline CSS and SVG, no script,
 * nothing fetched), readable offline. */
#ifndef RP_REPORT_HTML_H
#define RP_REPORT_HTML_H

#include <stddef.h>

#include "report/figures.h"
#include "report/report_data.h"
#include "rundir/columns.h"

/* Writes dirfd/report.html (atomically) for run r with its figures (rendered ones inlined from
 * dirfd/figures/). gnuplot_note: a line on why figures are missing, or NULL. 0 or -errno. */
int html_write_report(const struct report_run *r, int dirfd, const struct figure_out *figs,
		      size_t n_figs, const char *gnuplot_note);

/* Writes dirfd/compare.html: the runs side by side, the comparison figure (from dirfd/figures/)
 * and each run's own figures (from its directory). 0 or -errno. */
int html_write_compare(const struct report_run *runs, size_t n_runs, int dirfd,
		       const struct figure_out *figs, size_t n_figs, const char *gnuplot_note);

#endif
