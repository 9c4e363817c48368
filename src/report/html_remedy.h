// SPDX-License-Identifier: GPL-2.0-only
/* The "Remedy" section of a try run's report.html: per cell, A (remedy off) against B (on) for
 * the restart, each phase and the top causes of each phase: medians, B - A, its 95 % interval
 * and the verdict (model/compare.h), colour-coded. */
#ifndef RP_REPORT_HTML_REMEDY_H
#define RP_REPORT_HTML_REMEDY_H

#include <stdbool.h>
#include <stdio.h>

#include "report/report_data.h"

/* Whether r has trials of variant A and B (a try run). */
bool html_remedy_present(const struct report_run *r);
/* The <section id="remedy">; nothing when r is not a try run. */
void html_remedy_section(FILE *f, const struct report_run *r);

#endif
