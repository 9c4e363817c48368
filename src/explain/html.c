// SPDX-License-Identifier: GPL-2.0-only
#include "explain/html.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "explain/explain.h"
#include "explain/headline.h"
#include "explain/tried.h"
#include "explain/wrap.h"
#include "util/markup.h"

/* Evidence, its paths shortened as in the text; the whole of it in the tooltip. */
static void html_items(FILE *f, const struct explain_run *r, const char *label,
		       const struct diagnosis_evidence *it, int n)
{
	char text[DIAGNOSIS_TEXT_LEN];

	for (int i = 0; i < n; i++) {
		const char *whole = it[i].detail[0] ? it[i].detail : it[i].text;

		wrap_shorten_paths(it[i].text, r->data_root, text, sizeof(text));
		fprintf(f, "<li>%s <code", label);
		if (it[i].detail[0] || strcmp(text, it[i].text) != 0) {
			fputs(" title=\"", f);
			markup_text(f, whole, SIZE_MAX);
			fputs("\"", f);
		}
		fputs(">", f);
		markup_text(f, text, SIZE_MAX);
		fprintf(f, "</code> %.1f ms, %lld</li>", it[i].ms, (long long)it[i].count);
	}
}

/* The commands that test the cause in the cell (the rule's try lines). */
static void html_try_commands(FILE *f, const struct explain_run *r, const struct rule *rule,
			      const struct explain_cell *ec)
{
	char cmd[256];

	for (int i = 0; i < rule->n_tries; i++)
		if (!tried_already(r, ec, rule, i) &&
		    tried_command(rule, i, ec, cmd, sizeof(cmd))) {
			fputs("<li>test it: <code>", f);
			markup_text(f, cmd, SIZE_MAX);
			fputs("</code></li>", f);
		}
}

static void html_cause(FILE *f, const struct explain_run *r, const struct diagnosis_cause *c,
		       double measured, const struct explain_cell *ec, int p)
{
	const struct rule *rule = &r->rules->rule[c->rule];
	bool loaded = !explain_is_base_load(ec->load);
	char tried[256];

	fprintf(f, "<li><b>%.1f ms</b> (%.0f%%) <b>", c->ms,
		measured > 0 ? 100 * c->ms / measured : 0);
	markup_text(f, rule->name, SIZE_MAX);
	fputs("</b>: ", f);
	markup_text(f, rule->title, SIZE_MAX);
	if (tried_phrase(r, ec, p, c->rule, tried, sizeof(tried))) {
		fputs("<br>tried ", f);
		markup_text(f, tried, SIZE_MAX);
	}
	fputs("<details><summary>evidence and remedies</summary><ul>", f);
	for (int i = 0; i < c->n_tasks; i++) {
		fputs("<li>who: ", f);
		markup_text(f, c->tasks[i].text, SIZE_MAX);
		fprintf(f, " %.1f ms</li>", c->tasks[i].ms);
	}
	html_items(f, r, "stack", c->stacks, c->n_stacks);
	html_items(f, r, "file", c->files, c->n_files);
	for (int i = 0; i < c->n_wakers; i++) {
		fputs("<li>woken by ", f);
		markup_text(f, c->wakers[i].text, SIZE_MAX);
		fputs("</li>", f);
	}
	if (rule->explain[0]) {
		fputs("<li>why: ", f);
		markup_text(f, rule->explain, SIZE_MAX);
		fputs("</li>", f);
	}
	for (int i = 0; i < rule->n_remedies; i++) {
		const char *remedy = explain_remedy(rule, i, loaded, r->engine);

		if (!remedy)
			continue;
		fputs("<li>helps: ", f);
		markup_text(f, remedy, SIZE_MAX);
		fputs("</li>", f);
	}
	html_try_commands(f, r, rule, ec);
	fputs("</ul></details></li>", f);
}

/* "+X ms in A, +Y ms in B" against the baseline: the largest changes the phase's way. */
static void html_diff(FILE *f, const struct explain_run *r, const struct diagnosis_phase *ph,
		      const struct diagnosis_phase *base)
{
	struct diagnosis_diff d;
	int shown = 0;

	diagnosis_compare(ph, base, &d);
	if (fabs(d.measured_ms) < 0.5)
		return;
	fprintf(f, "<p>vs baseline %+.1f ms:", d.measured_ms);
	for (int i = 0; i < d.n && shown < 4; i++)
		if ((d.measured_ms > 0 ? d.d[i].ms > 0 : d.d[i].ms < 0) && fabs(d.d[i].ms) >= 0.1) {
			fprintf(f, "%s %+.1f ms in ", shown++ ? "," : "", d.d[i].ms);
			markup_text(f, diagnosis_category_name(r->rules, d.d[i].rule), SIZE_MAX);
		}
	fputs("</p>", f);
}

static void html_phase(FILE *f, const struct explain_run *r, const struct explain_cell *ec,
		       const struct explain_cell *base, int p)
{
	const struct diagnosis_phase *ph = &ec->dx.phase[p];
	double other = 0;
	int n_other = 0;

	fprintf(f, "<tr><td class=\"l\">%s</td><td>%.1f</td>", phase_name(p), ph->measured_ms);
	if (base) {
		struct diagnosis_diff d;

		diagnosis_compare(ph, &base->dx.phase[p], &d);
		fprintf(f, "<td>%+.1f</td>", d.measured_ms);
	}
	fputs("<td class=\"l causes\"><ol>", f);
	for (int i = 0; i < ph->n_causes; i++) {
		/* The same causes as the text shows; the others fold together. */
		if (i < EXPLAIN_SHOWN_CAUSES && ph->causes[i].ms >= EXPLAIN_SHOWN_MIN_MS) {
			html_cause(f, r, &ph->causes[i], ph->measured_ms, ec, p);
		} else {
			other += ph->causes[i].ms;
			n_other++;
		}
	}
	fputs("</ol>", f);
	if (n_other)
		fprintf(f, "<p>%d smaller cause%s: %.1f ms</p>", n_other, n_other > 1 ? "s" : "",
			other);
	if (ec->dx.sampled)
		fprintf(f,
			"<p>waits %.1f ms, on CPU %.1f ms, unaccounted %.1f ms (no thread "
			"waiting or on a CPU); waits and samples no rule matches %.1f ms</p>",
			ph->measured_ms - ph->oncpu_ms - ph->nowait_ms, ph->oncpu_ms, ph->nowait_ms,
			ph->uncategorized_ms);
	else
		fprintf(f,
			"<p>no wait recorded %.1f ms (running, or sleeping interruptibly; this run "
			"has no on-CPU samples), waits no rule matches %.1f ms</p>",
			ph->nowait_ms, ph->uncategorized_ms);
	if (base)
		html_diff(f, r, ph, &base->dx.phase[p]);
	if (ph->unexplained.n_stacks || ph->n_behind) {
		fputs("<details><summary>unmatched stacks, work behind</summary><ul>", f);
		html_items(f, r, "unmatched", ph->unexplained.stacks, ph->unexplained.n_stacks);
		html_items(f, r, "behind", ph->behind, ph->n_behind);
		fputs("</ul></details>", f);
	}
	fputs("</td></tr>\n", f);
}

void explain_html(FILE *f, const struct explain_run *r)
{
	fputs("<section id=\"diagnosis\"><h2>Diagnosis</h2>\n", f);
	if (!r->traced) {
		fputs("<p>This run has no waits.csv (no kernel tracing): no "
		      "diagnosis.</p></section>\n",
		      f);
		return;
	}
	fprintf(f, "<p>Each phase's time (mean per ok trial) split into the causes named by the "
		   "rules (version ");
	markup_text(f, r->rules->version, SIZE_MAX);
	fputs("; <code>restartprof explain DIR</code> prints the same with remedies), largest "
	      "first, then the time on CPU and the waits no rule explains. A cause's time is its "
	      "share of the phase: "
	      "at each instant the engine's waits in progress share it equally.</p>\n",
	      f);
	for (size_t c = 0; c < r->n_cells; c++) {
		const struct explain_cell *ec = &r->cells[c];
		const struct explain_cell *base = explain_baseline(r, NULL, ec);

		if (!ec->dx.trials)
			continue;
		fputs("<h3>", f);
		markup_text(f, ec->name, SIZE_MAX);
		fprintf(f, "</h3><p class=\"sub\">%d ok trials, %.1f ms per restart</p>\n",
			ec->dx.trials, explain_total_ms(&ec->dx));
		fprintf(f,
			"<div class=\"scroll\"><table><tr><th class=\"l\">phase</th><th>ms</th>%s"
			"<th class=\"l\">causes</th></tr>\n",
			base ? "<th>vs baseline</th>" : "");
		for (int p = 0; p < PH_COUNT; p++)
			if (ec->dx.phase[p].measured_ms >= EXPLAIN_SHOWN_MIN_MS)
				html_phase(f, r, ec, base, p);
		fputs("</table></div>\n", f);
	}
	fputs("</section>\n", f);
}

static void headline_phase_html(FILE *f, const struct explain_run *r, const struct headline *h,
				int i)
{
	const struct headline_phase *p = &h->phase[i];

	fprintf(f, "<li><b>%s</b> ", phase_name(p->phase));
	if (h->grew)
		fprintf(f, "<span class=\"up\">%+.1f ms</span>, top cause <b>", p->change_ms);
	else
		fprintf(f, "%.1f ms, top cause <b>", p->ms);
	markup_text(f, headline_cause_name(r->rules, p->cause), SIZE_MAX);
	fprintf(f, h->grew ? "</b> %+.1f ms" : "</b> %.1f ms", p->cause_ms);
	if (!headline_cause_repeated(h, i)) {
		fputs(": ", f);
		markup_text(f, headline_cause_title(r->rules, p->cause), SIZE_MAX);
	}
	if (p->remedy && !headline_remedy_repeated(h, i)) {
		fputs("<br><span class=\"helps\">helps: ", f);
		markup_text(f, p->remedy, SIZE_MAX);
		fputs("</span>", f);
	}
	fputs("</li>\n", f);
}

static void headline_cell_html(FILE *f, const struct explain_run *r, const struct headline *h)
{
	const struct explain_cell *c = h->cell;

	fputs("<p><b>", f);
	markup_text(f, c->name, SIZE_MAX);
	fputs("</b> ", f);
	if (h->reference) {
		fputs("(baseline)", f);
	} else if (explain_is_base_load(c->load)) {
		fputs("(no load)", f);
	} else {
		fputs("(load ", f);
		markup_text(f, c->load, SIZE_MAX);
		fprintf(f, ", %d stressor%s)", c->stressors, c->stressors == 1 ? "" : "s");
	}
	if (isnan(h->median_ms))
		fputs(": no ok trial", f);
	else
		fprintf(f, ": median restart <b>%.1f ms</b>", h->median_ms);
	if (!isnan(h->change_ms))
		fprintf(f, ", baseline %.1f ms: <b class=\"%s\">%+.1f ms (%+.0f%%)</b>",
			h->base->median_ms, h->change_ms > 0 ? "up" : "down", h->change_ms,
			h->change_pct);
	if (h->reference) {
		/* The reference of the loaded cells: its costliest phases on the same line. */
		for (int i = 0; i < h->n; i++) {
			fprintf(f, "%s %s %.1f ms (",
				i ? "," : "; costliest:", phase_name(h->phase[i].phase),
				h->phase[i].ms);
			markup_text(f, headline_cause_name(r->rules, h->phase[i].cause), SIZE_MAX);
			fputs(")", f);
		}
	}
	fputs("</p>\n", f);
	if (!h->n || h->reference)
		return;
	fputs("<ul>", f);
	for (int i = 0; i < h->n; i++)
		headline_phase_html(f, r, h, i);
	fputs("</ul>\n", f);
}

void explain_headline_html(FILE *f, const struct explain_run *r)
{
	for (size_t c = 0; c < r->n_cells; c++) {
		const struct explain_cell *base = explain_baseline(r, NULL, &r->cells[c]);
		struct headline h;

		headline_select(r, &r->cells[c], base, HEADLINE_PHASES, &h);
		headline_cell_html(f, r, &h);
	}
}
