// SPDX-License-Identifier: GPL-2.0-only
/* A try run's comparison, A against B, as a section of report.html. */
#include "report/html_remedy.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "explain/headline.h"
#include "explain/tried.h"
#include "model/ab_values.h"
#include "model/compare.h"
#include "util/markup.h"

#define CAUSES_PER_PHASE 3
#define MIN_MS		 0.5 /* a phase or cause below this in A and B is not shown */

bool html_remedy_present(const struct report_run *r)
{
	bool seen[2] = {false, false};

	for (size_t k = 0; k < r->n_rows; k++)
		if (r->rows[k].ok && r->rows[k].variant >= 0)
			seen[r->rows[k].variant] = true;
	return seen[AB_A] && seen[AB_B];
}

static const char *verdict_class(enum verdict v)
{
	switch (v) {
	case VERDICT_HELPS:
		return "vh";
	case VERDICT_HURTS:
		return "vx";
	default:
		return "vn";
	}
}

/* The cells of one comparison: medians, B - A, interval, verdict. */
static void comparison_cells(FILE *f, const struct comparison *k)
{
	const char *cls = verdict_class(k->verdict);

	fprintf(f, "<td>%.1f</td><td>%.1f</td><td class=\"%s\">%+.1f</td>", k->median_a,
		k->median_b, cls, k->diff);
	if (k->verdict == VERDICT_NONE)
		fputs("<td class=\"dim\">-</td>", f);
	else
		fprintf(f, "<td class=\"%s\">[%+.1f, %+.1f]</td>", cls, k->lo, k->hi);
	fprintf(f, "<td class=\"l %s\">%s%s</td>", cls, verdict_name(k->verdict),
		k->verdict != VERDICT_NONE && (k->n_a < COMPARE_FEW || k->n_b < COMPARE_FEW)
			? " (few trials)"
			: "");
}

/* One row from the trials of cell c: the restart (phase -1) or a phase, in ms. */
static void phase_row(FILE *f, const struct report_run *r, int c, int phase)
{
	double *v[2];
	size_t n[2] = {0, 0};
	struct comparison k;

	v[0] = calloc(r->n_rows + 1, sizeof(double));
	v[1] = calloc(r->n_rows + 1, sizeof(double));
	for (size_t i = 0; v[0] && v[1] && i < r->n_rows; i++) {
		const struct report_trial *t = &r->rows[i];

		if (t->cell != c || !t->ok || t->variant < 0)
			continue;
		if (phase < 0 && !isnan(t->restart_s))
			v[t->variant][n[t->variant]++] = t->restart_s * 1e3;
		else if (phase >= 0 && t->phase_ns[phase] >= 0)
			v[t->variant][n[t->variant]++] = (double)t->phase_ns[phase] / 1e6;
	}
	if (v[0] && v[1] && !compare_samples(v[0], n[0], v[1], n[1], &k) &&
	    (phase < 0 || fabs(k.median_a) >= MIN_MS || fabs(k.median_b) >= MIN_MS)) {
		fprintf(f, "<tr><td class=\"l\">%s</td>",
			phase < 0 ? "<b>restart</b>" : phase_name(phase));
		fprintf(f, "<td>%zu / %zu</td>", k.n_a, k.n_b);
		comparison_cells(f, &k);
		fputs("</tr>\n", f);
	}
	free(v[0]);
	free(v[1]);
}

static void phase_table(FILE *f, const struct report_run *r, int c)
{
	fputs("<div class=\"scroll\"><table><tr><th class=\"l\">phase</th><th>trials A / B</th>"
	      "<th>median A (ms)</th><th>median B (ms)</th><th>B - A (ms)</th>"
	      "<th>95 % interval</th><th class=\"l\">verdict</th></tr>\n",
	      f);
	phase_row(f, r, c, -1);
	for (int p = 0; p < PH_COUNT; p++)
		phase_row(f, r, c, p);
	fputs("</table></div>\n", f);
}

/* The top causes of each phase (by their mean over all trials), A against B. */
static void cause_table(FILE *f, const struct explain_run *x, const struct explain_cell *ec)
{
	fputs("<div class=\"scroll\"><table><tr><th class=\"l\">phase</th><th class=\"l\">cause"
	      "</th><th>median A (ms)</th><th>median B (ms)</th><th>B - A (ms)</th>"
	      "<th>95 % interval</th><th class=\"l\">verdict</th></tr>\n",
	      f);
	for (int p = 0; p < PH_COUNT; p++) {
		const struct diagnosis_phase *ph = &ec->dx.phase[p];

		for (int i = 0; i < ph->n_causes && i < CAUSES_PER_PHASE; i++) {
			struct comparison k;

			if (ph->causes[i].ms < MIN_MS ||
			    tried_compare(ec, p, ph->causes[i].rule, &k))
				continue;
			fprintf(f, "<tr><td class=\"l\">%s</td><td class=\"l\" title=\"",
				phase_name(p));
			markup_text(f, headline_cause_title(x->rules, ph->causes[i].rule),
				    SIZE_MAX);
			fputs("\">", f);
			markup_text(f, headline_cause_name(x->rules, ph->causes[i].rule), SIZE_MAX);
			fputs("</td>", f);
			comparison_cells(f, &k);
			fputs("</tr>\n", f);
		}
	}
	fputs("</table></div>\n", f);
}

static void intro(FILE *f, const struct report_run *r)
{
	const char *spec = report_info(r, "try.remedies", NULL);

	fputs("<section id=\"remedy\"><h2>Remedy", f);
	if (spec) {
		fputs(": <code>", f);
		markup_text(f, spec, SIZE_MAX);
		fputs("</code>", f);
	}
	fputs("</h2>\n<p>Trials with the remedy off (A) and on (B), interleaved A B B A in the "
	      "same cell. Medians of A and of B, their difference B - A, its 95 % interval "
	      "(percentile bootstrap, A and B resampled independently) and the verdict: "
	      "<span class=\"vh\">helps</span> (the interval lies below 0), "
	      "<span class=\"vx\">hurts</span> (above 0), no measurable effect (it holds 0), too "
	      "few trials (fewer than 2 of A or B). With fewer than 5 of A or B the interval is "
	      "too narrow to trust: \"(few trials)\".</p>\n",
	      f);
}

void html_remedy_section(FILE *f, const struct report_run *r)
{
	if (!html_remedy_present(r))
		return;
	intro(f, r);
	for (size_t c = 0; c < r->sum.n_cells; c++) {
		const char *name = r->sum.cells[c].cell;
		const struct explain_cell *ec = r->explain ? explain_find(r->explain, name) : NULL;

		fputs("<h3>", f);
		markup_text(f, name, SIZE_MAX);
		fputs("</h3>\n", f);
		phase_table(f, r, (int)c);
		if (tried_cell_paired(ec)) {
			fputs("<p>Per cause: each trial's share of the phase in the cause's waits "
			      "(as "
			      "in the Diagnosis), for the phase's top causes.</p>\n",
			      f);
			cause_table(f, r->explain, ec);
		} else {
			fputs("<p class=\"sub\">No kernel tracing (waits.csv): no comparison per "
			      "cause.</p>\n",
			      f);
		}
	}
	fputs("</section>\n", f);
}
