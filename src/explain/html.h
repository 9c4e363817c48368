// SPDX-License-Identifier: GPL-2.0-only
/* The diagnosis of a run as a section of report.html. */
#ifndef RP_EXPLAIN_HTML_H
#define RP_EXPLAIN_HTML_H

#include <stdio.h>

#include "explain/explain.h"

/* The <section id="diagnosis"> of report.html. */
void explain_html(FILE *f, const struct explain_run *r);
/* Each cell's headline (explain/headline.h) as the body of report.html's headline section. */
void explain_headline_html(FILE *f, const struct explain_run *r);

#endif
