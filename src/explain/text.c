// SPDX-License-Identifier: GPL-2.0-only
#include "explain/text.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "engine/kind.h"
#include "explain/explain.h"
#include "explain/headline.h"
#include "explain/tried.h"
#include "explain/wrap.h"

#define LINE_LEN 4096

struct text_out {
	FILE *f;
	const struct explain_run *r;
	const struct explain_run *against; /* the other run compared with, or NULL */
	int width;
	bool *told;			 /* per rule: its explanation was shown */
	bool loaded;			 /* the cell being printed has load */
	const struct explain_cell *cell; /* the cell being printed */
	int phase;			 /* the phase being printed */
	const struct explain_text_opts *o;
};

/* One line, wrapped; its continuation lines indented by indent. */
__attribute__((format(printf, 3, 4))) static void line(struct text_out *t, int indent,
						       const char *fmt, ...)
{
	char buf[LINE_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	wrap_print(t->f, t->width, indent, buf);
}

/* Evidence text with its paths shortened relative to the data-root. */
static const char *shortened(const struct text_out *t, const char *text, char *buf, size_t len)
{
	wrap_shorten_paths(text, t->r->data_root, buf, len);
	return buf;
}

static void print_items(struct text_out *t, const char *label, const struct diagnosis_evidence *it,
			int n, bool calls)
{
	char buf[DIAGNOSIS_TEXT_LEN];

	for (int i = 0; i < n; i++)
		line(t, 20, "          %-7s %s  (%.1f ms, %lld %s)", i ? "" : label,
		     shortened(t, it[i].text, buf, sizeof(buf)), it[i].ms, (long long)it[i].count,
		     calls ? "calls" : "waits");
}

static void print_tasks(struct text_out *t, const struct diagnosis_cause *c)
{
	char buf[LINE_LEN];
	int n;

	if (!c->n_tasks)
		return;
	n = snprintf(buf, sizeof(buf), "          %-7s ", "who");
	for (int i = 0; i < c->n_tasks && n < (int)sizeof(buf); i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s%s %.1f ms", i ? ", " : "",
			      c->tasks[i].text, c->tasks[i].ms);
	for (int i = 0; i < c->n_wakers && n < (int)sizeof(buf); i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s%s", i ? ", " : "; woken by ",
			      c->wakers[i].text);
	wrap_print(t->f, t->width, 18, buf);
}

/* The rule's remedies for this cell's context, each time the cause is shown; its
 * explanation only the first time. */
static void print_remedies(struct text_out *t, int rule_index)
{
	const struct rule *rule = &t->r->rules->rule[rule_index];
	int shown = 0;

	if (!t->told[rule_index] && rule->explain[0])
		line(t, 18, "          %-7s %s", "why", rule->explain);
	t->told[rule_index] = true;
	for (int i = 0; i < rule->n_remedies; i++) {
		const char *text = explain_remedy(rule, i, t->loaded, t->r->engine);

		if (text)
			line(t, 20, "          %-7s - %s", shown++ ? "" : "helps", text);
	}
}

/* What the try run (this one, or those of --proven) measured for the cause in this phase. */
static void print_tried(struct text_out *t, const struct diagnosis_cause *c)
{
	const struct rule *rule = &t->r->rules->rule[c->rule];
	char buf[LINE_LEN];

	if (tried_phrase(t->r, t->cell, t->phase, c->rule, buf, sizeof(buf)))
		line(t, 18, "          %-7s %s", "tried", buf);
	for (size_t k = 0; k < t->o->n_proven; k++) {
		const struct explain_run *pr = &t->o->proven[k];
		const struct explain_cell *pc = tried_cell(pr, t->cell);
		int n;

		if (!pc || !tried_addresses(rule, pr->tried) ||
		    !tried_phrase(pr, pc, t->phase, c->rule, buf, sizeof(buf)))
			continue;
		n = (int)strlen(buf);
		snprintf(buf + n, sizeof(buf) - (size_t)n, " (%s, cell %s)", pr->dir, pc->name);
		line(t, 18, "          %-7s %s", "proven", buf);
	}
}

/* The commands that test the cause in this cell: the rule's try lines. */
static void print_try_commands(struct text_out *t, const struct rule *rule)
{
	char cmd[LINE_LEN];

	for (int i = 0; i < rule->n_tries; i++)
		if (!tried_already(t->r, t->cell, rule, i) &&
		    tried_command(rule, i, t->cell, cmd, sizeof(cmd)))
			line(t, 18, "          %-7s %s", "test it", cmd);
}

static void print_cause(struct text_out *t, const struct diagnosis_cause *c, double measured,
			int rank)
{
	const struct rule *rule = &t->r->rules->rule[c->rule];

	line(t, 28, "    %d. %8.1f ms %5.1f%%  %s: %s", rank, c->ms,
	     measured > 0 ? 100 * c->ms / measured : 0, rule->name, rule->title);
	print_tried(t, c);
	print_tasks(t, c);
	print_items(t, "stack", c->stacks, c->n_stacks, false);
	print_items(t, "file", c->files, c->n_files, true);
	print_remedies(t, c->rule);
	print_try_commands(t, rule);
}

static void print_context(struct text_out *t, const double *x)
{
	char buf[LINE_LEN];
	double wb = 0;
	int n;

	for (int k = CTX_WB_BACKGROUND; k <= CTX_WB_OTHER; k++)
		wb += isnan(x[k]) ? 0 : x[k];
	if (!isnan(x[CTX_DIRTY_BEGIN]))
		n = snprintf(
			buf, sizeof(buf),
			"    context  dirty %.1f -> %.1f MiB, under writeback %.1f -> %.1f MiB",
			x[CTX_DIRTY_BEGIN] / 1024, x[CTX_DIRTY_END] / 1024,
			x[CTX_WRITEBACK_BEGIN] / 1024, x[CTX_WRITEBACK_END] / 1024);
	else
		n = snprintf(buf, sizeof(buf), "    context ");
	if (!isnan(x[CTX_WB_BACKGROUND]))
		n += snprintf(buf + n, sizeof(buf) - (size_t)n,
			      "; written back %.0f pages (background %.0f, periodic %.0f, sync "
			      "%.0f, reclaim %.0f, other %.0f), dirtied by load %.0f, engine %.0f, "
			      "kernel %.0f, other %.0f, unknown %.0f",
			      wb, x[CTX_WB_BACKGROUND], x[CTX_WB_PERIODIC], x[CTX_WB_SYNC],
			      x[CTX_WB_RECLAIM], x[CTX_WB_OTHER], x[CTX_WB_BY_LOAD],
			      x[CTX_WB_BY_ENGINE], x[CTX_WB_BY_KERNEL],
			      x[CTX_WB_BY_OTHER] + x[CTX_WB_BY_TARGET], x[CTX_WB_BY_UNKNOWN]);
	if (!isnan(x[CTX_BIO_ENGINE]))
		snprintf(buf + n, sizeof(buf) - (size_t)n,
			 "; block I/O engine %.2f MiB, load %.1f MiB, kernel %.1f MiB, other %.1f "
			 "MiB",
			 x[CTX_BIO_ENGINE] / 1048576, x[CTX_BIO_LOAD] / 1048576,
			 x[CTX_BIO_KERNEL] / 1048576, x[CTX_BIO_OTHER] / 1048576);
	wrap_print(t->f, t->width, 13, buf);
}

static void print_phase(struct text_out *t, const struct explain_cell *ec, int p)
{
	const struct diagnosis_phase *ph = &ec->dx.phase[p];
	double other = 0, rest = ph->uncategorized_ms + ph->nowait_ms;
	int n_other = 0;
	char buf[LINE_LEN];

	t->phase = p;
	if (tried_phrase(t->r, ec, p, AB_PHASE_TOTAL, buf, sizeof(buf)))
		line(t, 4, "  %-10s %8.1f ms per trial; tried %s", phase_name(p), ph->measured_ms,
		     buf);
	else
		line(t, 4, "  %-10s %8.1f ms per trial", phase_name(p), ph->measured_ms);
	for (int i = 0; i < ph->n_causes; i++) {
		if (i < EXPLAIN_SHOWN_CAUSES && ph->causes[i].ms >= EXPLAIN_SHOWN_MIN_MS) {
			print_cause(t, &ph->causes[i], ph->measured_ms, i + 1);
		} else {
			other += ph->causes[i].ms;
			n_other++;
		}
	}
	if (n_other)
		line(t, 28, "       %8.1f ms %5.1f%%  %d smaller cause%s", other,
		     ph->measured_ms > 0 ? 100 * other / ph->measured_ms : 0, n_other,
		     n_other > 1 ? "s" : "");
	if (ec->dx.sampled)
		line(t, 28,
		     "       %8.1f ms %5.1f%%  unaccounted %.1f ms (no thread waiting or on a "
		     "CPU), "
		     "waits and samples no rule matches %.1f ms",
		     rest, ph->measured_ms > 0 ? 100 * rest / ph->measured_ms : 0, ph->nowait_ms,
		     ph->uncategorized_ms);
	else
		line(t, 28,
		     "       %8.1f ms %5.1f%%  no wait recorded %.1f ms (running, or sleeping "
		     "interruptibly; this run has no on-CPU samples), waits no rule matches %.1f "
		     "ms",
		     rest, ph->measured_ms > 0 ? 100 * rest / ph->measured_ms : 0, ph->nowait_ms,
		     ph->uncategorized_ms);
	if (ec->dx.sampled && ph->measured_ms > 0)
		line(t, 28,
		     "       time by kind: waits %.1f ms, on CPU %.1f ms, unaccounted %.1f ms "
		     "(%.1f%%)",
		     ph->measured_ms - ph->oncpu_ms - ph->nowait_ms, ph->oncpu_ms, ph->nowait_ms,
		     100 * ph->nowait_ms / ph->measured_ms);
	print_items(t, "stack", ph->unexplained.stacks, ph->unexplained.n_stacks, false);
	for (int i = 0; i < ph->n_behind; i++)
		line(t, 13, "    %-8s %s (%.1f ms off-CPU)", i ? "" : "behind", ph->behind[i].text,
		     ph->behind[i].ms);
	print_context(t, ec->ctx[p]);
}

/* A phase one side does not report (its engine sends no event for it): said, not compared. */
static void print_absent(struct text_out *t, int p, const struct diagnosis_phase *a,
			 const struct diagnosis_phase *b, int base_engine)
{
	const char *mine = engine_kind_title(t->r->engine),
		   *theirs = engine_kind_title(base_engine);

	line(t, 6, "  %s: absent in %s (%s); %.1f ms in %s (%s); not compared", phase_name(p),
	     a->absent ? "this run" : "the baseline", a->absent ? mine : theirs,
	     a->absent ? b->measured_ms : a->measured_ms, a->absent ? "the baseline" : "this run",
	     a->absent ? theirs : mine);
}

static void print_diff(struct text_out *t, const struct explain_cell *ec,
		       const struct explain_cell *base, const char *base_label)
{
	/* A baseline from the other run is of its engine; one of this run, of this one. */
	int base_engine = t->against ? t->against->engine : t->r->engine;
	char buf[LINE_LEN];

	fputc('\n', t->f);
	line(t, 6, "  against %s (%d trials): restart %+.1f ms (%.1f -> %.1f ms)", base_label,
	     base->dx.trials, explain_total_ms(&ec->dx) - explain_total_ms(&base->dx),
	     explain_total_ms(&base->dx), explain_total_ms(&ec->dx));
	if (base_engine != t->r->engine)
		line(t, 6,
		     "  engines differ: this run is %s's, the baseline %s's; a phase one of them "
		     "does not report is absent there and not compared",
		     engine_kind_title(t->r->engine), engine_kind_title(base_engine));
	for (int p = 0; p < PH_COUNT; p++) {
		struct diagnosis_diff d;
		int shown = 0, n;
		double rest = 0;

		if (!diagnosis_comparable(&ec->dx.phase[p], &base->dx.phase[p])) {
			print_absent(t, p, &ec->dx.phase[p], &base->dx.phase[p], base_engine);
			continue;
		}
		diagnosis_compare(&ec->dx.phase[p], &base->dx.phase[p], &d);
		if (fabs(d.measured_ms) < 0.5)
			continue;
		n = snprintf(buf, sizeof(buf), "  %s %+.1f ms:", phase_name(p), d.measured_ms);
		for (int i = 0; i < d.n && n < (int)sizeof(buf); i++) {
			/* The largest changes in the direction of the phase's change. */
			bool same_way = d.measured_ms > 0 ? d.d[i].ms > 0 : d.d[i].ms < 0;

			if (shown < 4 && same_way && fabs(d.d[i].ms) >= 0.1) {
				n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s %+.1f ms in %s",
					      shown ? "," : "", d.d[i].ms,
					      diagnosis_category_name(t->r->rules, d.d[i].rule));
				shown++;
			} else {
				rest += d.d[i].ms;
			}
		}
		if (fabs(rest) >= 0.05 && n < (int)sizeof(buf))
			snprintf(buf + n, sizeof(buf) - (size_t)n, "%s %+.1f ms elsewhere",
				 shown ? "," : "", rest);
		wrap_print(t->f, t->width, 6, buf);
	}
}

/* A try run's cell: its A and B trials and what the remedy did to the restart. */
static void print_tried_cell(struct text_out *t, const struct explain_cell *ec)
{
	char buf[LINE_LEN];

	if (!tried_phrase(t->r, ec, AB_ALL_PHASES, AB_PHASE_TOTAL, buf, sizeof(buf)))
		return;
	line(t, 4,
	     "  tried %s: %d trials with it off (A), %d with it on (B); B - A of the medians, "
	     "95 %% interval",
	     t->r->tried[0] ? t->r->tried : "a remedy", ec->ab->n_variant[AB_A],
	     ec->ab->n_variant[AB_B]);
	line(t, 4, "  restart (the phases summed): %s", buf);
}

/* Without waits: a try run's comparison per phase all the same. */
static void print_tried_phases(struct text_out *t)
{
	char buf[LINE_LEN];

	for (size_t c = 0; c < t->r->n_cells; c++) {
		const struct explain_cell *ec = &t->r->cells[c];

		if (!tried_cell_paired(ec))
			continue;
		fputc('\n', t->f);
		line(t, 4, "== cell %s", ec->name);
		print_tried_cell(t, ec);
		for (int p = 0; p < PH_COUNT; p++)
			if (ec->dx.phase[p].measured_ms >= EXPLAIN_SHOWN_MIN_MS &&
			    tried_phrase(t->r, ec, p, AB_PHASE_TOTAL, buf, sizeof(buf)))
				line(t, 4, "  %-10s %8.1f ms per trial; tried %s", phase_name(p),
				     ec->dx.phase[p].measured_ms, buf);
	}
}

static void print_cell(struct text_out *t, const struct explain_cell *ec,
		       const struct explain_cell *base, const char *base_label)
{
	fputc('\n', t->f);
	line(t, 4, "== cell %s: %d ok trials, %.1f ms restart (mean of the phases)", ec->name,
	     ec->dx.trials, explain_total_ms(&ec->dx));
	if (!ec->dx.trials)
		return;
	t->loaded = !explain_is_base_load(ec->load);
	t->cell = ec;
	print_tried_cell(t, ec);
	for (int p = 0; p < PH_COUNT; p++)
		if (ec->dx.phase[p].measured_ms >= EXPLAIN_SHOWN_MIN_MS)
			print_phase(t, ec, p);
	if (base)
		print_diff(t, ec, base, base_label);
}

static void base_label(const struct explain_cell *base, const struct explain_run *against,
		       char *out, size_t len)
{
	if (base && against)
		snprintf(out, len, "%s of %s", base == &against->base ? "the baseline" : base->name,
			 against->dir);
	else
		snprintf(out, len, "this run's baseline");
}

/* The answer first: each cell's headline. */
static void print_headlines(struct text_out *t, const struct explain_run *against, bool brief)
{
	const struct explain_run *r = t->r;
	bool *told = calloc((size_t)r->rules->n + 1, sizeof(bool)); /* remedies shown */
	bool compared = false;

	for (size_t c = 0; c < r->n_cells; c++)
		compared = compared || explain_baseline(r, against, &r->cells[c]);
	if (against && against->engine != r->engine)
		line(t, 4,
		     "Against %s (%s; this run: %s): per cell, median restart, phases that grew "
		     "most, top cause, what helps",
		     against->dir, engine_kind_title(against->engine),
		     engine_kind_title(r->engine));
	else if (against)
		line(t, 4,
		     "Against %s: per cell, median restart, phases that grew most, top cause, "
		     "what helps",
		     against->dir);
	else
		line(t, 4, "Per cell: median restart, phases that %s, top cause, what helps",
		     compared ? "grew most against the run's baseline" : "cost most");
	for (size_t c = 0; c < r->n_cells; c++) {
		const struct explain_cell *ec = &r->cells[c];
		const struct explain_cell *base = explain_baseline(r, against, ec);
		struct headline h;

		headline_select(r, ec, base, HEADLINE_PHASES, &h);
		h.proven = t->o->proven;
		h.n_proven = t->o->n_proven;
		headline_print(t->f, &h, r->rules, t->width, told);
	}
	free(told);
	if (!brief)
		line(t, 4, "(the detail follows; `restartprof explain --brief` prints only this)");
}

static void print_notes(struct text_out *t, const char *rules_origin)
{
	const struct explain_run *r = t->r;

	line(t, 4, "rules: %s, version %s, %d rules", rules_origin,
	     r->rules->version[0] ? r->rules->version : "?", r->rules->n);
	if (r->raw_frames)
		line(t, 4,
		     "note: %zu of %zu stack frames are bare addresses (/proc/kallsyms showed no "
		     "addresses to the run, kptr_restrict): rules on frames cannot match them",
		     r->raw_frames, r->frames);
	line(t, 4,
	     "times are means per ok trial; each phase: ranked causes, then the time on CPU "
	     "and the waits no rule explains; they add up to the phase");
}

void explain_print(FILE *f, const struct explain_run *r, const struct explain_run *against,
		   const struct explain_text_opts *o)
{
	bool *told = calloc((size_t)r->rules->n + 1, sizeof(bool));
	struct text_out t = {.f = f,
			     .r = r,
			     .against = against,
			     .width = o->width > 0 ? o->width : WRAP_PIPE_WIDTH,
			     .o = o};
	char label[PATH_MAX + 64];

	if (!told) {
		fputs("restartprof explain: out of memory\n", f);
		return;
	}
	t.told = told;
	if (!r->traced) {
		line(&t, 4, "restartprof explain %s", r->dir);
		line(&t, 4,
		     "this run has no %s (run without kernel tracing, or by an older restartprof): "
		     "no causes to show",
		     WAITS_CSV);
		print_tried_phases(&t);
		free(told);
		return;
	}
	print_headlines(&t, against, o->brief);
	if (!o->brief) {
		fputc('\n', f);
		print_notes(&t, o->rules_origin);
		for (size_t c = 0; c < r->n_cells; c++) {
			const struct explain_cell *base =
				explain_baseline(r, against, &r->cells[c]);

			base_label(base, against, label, sizeof(label));
			print_cell(&t, &r->cells[c], base, label);
		}
	}
	free(told);
}
