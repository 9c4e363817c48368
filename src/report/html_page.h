// SPDX-License-Identifier: GPL-2.0-only
/* What report.html and compare.html share: the page's head and style, table cells, the
 * figures inlined from their SVG files, the footer. */
#ifndef RP_REPORT_HTML_PAGE_H
#define RP_REPORT_HTML_PAGE_H

#include <stdio.h>

#include "report/figures.h"
#include "report/report_data.h"

/* <!DOCTYPE html> up to <body>, with the inline style sheet. */
void html_head(FILE *f, const char *title);
/* A number cell in printf format fmt, a dim '-' for NAN. */
void html_num(FILE *f, double v, const char *fmt);
/* A change-in-percent cell, coloured beyond +-5 %. */
void html_change(FILE *f, double v);
/* Copies dirfd/name.svg into the page from its <svg element on; -errno if it cannot. */
int html_inline_svg(FILE *f, int dirfd, const char *name);
/* One <figure>: the SVG inlined from figdir when rendered, else a note; links to its files
 * under prefix. */
void html_figure(FILE *f, int figdir, const char *prefix, const struct figure_out *fo);
/* The figures <section> under heading h2: the gnuplot note when given, every figure of
 * dirfd/figures, and if_none (may be NULL) when there is none. */
void html_figures_section(FILE *f, int dirfd, const char *heading, const struct figure_out *figs,
			  size_t n, const char *gnuplot_note, const char *if_none);
/* The footer (the tool version of run r when known; r may be NULL) and the page's end. */
void html_footer(FILE *f, const struct report_run *r);

#endif
