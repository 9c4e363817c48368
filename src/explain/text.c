// SPDX-License-Identifier: GPL-2.0-only
#include "explain/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "explain/explain.h"

#define SHOWN_CAUSES 5
#define SHOWN_MIN_MS 0.05

static void print_items(FILE *f, const char *label, const struct diagnosis_evidence *it, int n,
			bool calls)
{
	for (int i = 0; i < n; i++)
		fprintf(f, "          %-7s %s  (%.1f ms, %lld %s)\n", i ? "" : label, it[i].text,
			it[i].ms, (long long)it[i].count, calls ? "calls" : "waits");
}

static void print_tasks(FILE *f, const struct diagnosis_cause *c)
{
	if (!c->n_tasks)
		return;
	fprintf(f, "          %-7s ", "who");
	for (int i = 0; i < c->n_tasks; i++)
		fprintf(f, "%s%s %.1f ms", i ? ", " : "", c->tasks[i].text, c->tasks[i].ms);
	if (c->n_wakers) {
		fprintf(f, "; woken by ");
		for (int i = 0; i < c->n_wakers; i++)
			fprintf(f, "%s%s", i ? ", " : "", c->wakers[i].text);
	}
	fputc('\n', f);
}

static void print_cause(FILE *f, const struct explain_run *r, const struct diagnosis_cause *c,
			double measured, int rank, bool *told)
{
	const struct rule *rule = &r->rules->rule[c->rule];

	fprintf(f, "    %d. %8.1f ms %5.1f%%  %s: %s\n", rank, c->ms,
		measured > 0 ? 100 * c->ms / measured : 0, rule->name, rule->title);
	print_tasks(f, c);
	print_items(f, "stack", c->stacks, c->n_stacks, false);
	print_items(f, "file", c->files, c->n_files, true);
	if (told[c->rule])
		return;
	told[c->rule] = true;
	if (rule->explain[0])
		fprintf(f, "          %-7s %s\n", "why", rule->explain);
	for (int i = 0; i < rule->n_remedies; i++)
		fprintf(f, "          %-7s - %s\n", i ? "" : "helps", rule->remedy[i]);
}

static void print_context(FILE *f, const double *x)
{
	double wb = 0;

	for (int k = CTX_WB_BACKGROUND; k <= CTX_WB_OTHER; k++)
		wb += isnan(x[k]) ? 0 : x[k];
	if (!isnan(x[CTX_DIRTY_BEGIN]))
		fprintf(f, "    context  dirty %.1f -> %.1f MiB, under writeback %.1f -> %.1f MiB",
			x[CTX_DIRTY_BEGIN] / 1024, x[CTX_DIRTY_END] / 1024,
			x[CTX_WRITEBACK_BEGIN] / 1024, x[CTX_WRITEBACK_END] / 1024);
	else
		fprintf(f, "    context ");
	if (!isnan(x[CTX_WB_BACKGROUND]))
		fprintf(f,
			"; written back %.0f pages (background %.0f, periodic %.0f, sync %.0f, "
			"reclaim %.0f, other %.0f), dirtied by load %.0f, engine %.0f, kernel "
			"%.0f, "
			"other %.0f, unknown %.0f",
			wb, x[CTX_WB_BACKGROUND], x[CTX_WB_PERIODIC], x[CTX_WB_SYNC],
			x[CTX_WB_RECLAIM], x[CTX_WB_OTHER], x[CTX_WB_BY_LOAD], x[CTX_WB_BY_ENGINE],
			x[CTX_WB_BY_KERNEL], x[CTX_WB_BY_OTHER] + x[CTX_WB_BY_TARGET],
			x[CTX_WB_BY_UNKNOWN]);
	if (!isnan(x[CTX_BIO_ENGINE]))
		fprintf(f,
			"; block I/O engine %.2f MiB, load %.1f MiB, kernel %.1f MiB, other %.1f "
			"MiB",
			x[CTX_BIO_ENGINE] / 1048576, x[CTX_BIO_LOAD] / 1048576,
			x[CTX_BIO_KERNEL] / 1048576, x[CTX_BIO_OTHER] / 1048576);
	fputc('\n', f);
}

static void print_phase(FILE *f, const struct explain_run *r, const struct explain_cell *ec, int p,
			bool *told)
{
	const struct diagnosis_phase *ph = &ec->dx.phase[p];
	double other = 0;

	fprintf(f, "  %-10s %8.1f ms per trial\n", phase_name(p), ph->measured_ms);
	int n_other = 0;

	for (int i = 0; i < ph->n_causes; i++) {
		if (i < SHOWN_CAUSES && ph->causes[i].ms >= SHOWN_MIN_MS) {
			print_cause(f, r, &ph->causes[i], ph->measured_ms, i + 1, told);
		} else {
			other += ph->causes[i].ms;
			n_other++;
		}
	}
	if (n_other)
		fprintf(f, "       %8.1f ms %5.1f%%  %d smaller cause%s\n", other,
			ph->measured_ms > 0 ? 100 * other / ph->measured_ms : 0, n_other,
			n_other > 1 ? "s" : "");
	fprintf(f,
		"       %8.1f ms %5.1f%%  unexplained: no wait %.1f ms (on a CPU or idle), waits "
		"no rule matches %.1f ms\n",
		ph->uncategorized_ms + ph->nowait_ms,
		ph->measured_ms > 0 ? 100 * (ph->uncategorized_ms + ph->nowait_ms) / ph->measured_ms
				    : 0,
		ph->nowait_ms, ph->uncategorized_ms);
	print_items(f, "stack", ph->unexplained.stacks, ph->unexplained.n_stacks, false);
	for (int i = 0; i < ph->n_behind; i++)
		fprintf(f, "    %-8s %s (%.1f ms off-CPU)\n", i ? "" : "behind", ph->behind[i].text,
			ph->behind[i].ms);
	print_context(f, ec->ctx[p]);
}

static void print_diff(FILE *f, const struct explain_run *r, const struct explain_cell *ec,
		       const struct explain_cell *base, const char *base_label)
{
	fprintf(f, "\n  against %s (%d trials): restart %+.1f ms (%.1f -> %.1f ms)\n", base_label,
		base->dx.trials, explain_total_ms(&ec->dx) - explain_total_ms(&base->dx),
		explain_total_ms(&base->dx), explain_total_ms(&ec->dx));
	for (int p = 0; p < PH_COUNT; p++) {
		struct diagnosis_diff d;
		int shown = 0;
		double rest = 0;

		diagnosis_compare(&ec->dx.phase[p], &base->dx.phase[p], &d);
		if (fabs(d.measured_ms) < 0.5)
			continue;
		fprintf(f, "  %s %+.1f ms:", phase_name(p), d.measured_ms);
		for (int i = 0; i < d.n; i++) {
			/* The largest changes in the direction of the phase's change. */
			bool same_way = d.measured_ms > 0 ? d.d[i].ms > 0 : d.d[i].ms < 0;

			if (shown < 4 && same_way && fabs(d.d[i].ms) >= 0.1) {
				fprintf(f, "%s %+.1f ms in %s", shown ? "," : "", d.d[i].ms,
					diagnosis_category_name(r->rules, d.d[i].rule));
				shown++;
			} else {
				rest += d.d[i].ms;
			}
		}
		if (fabs(rest) >= 0.05)
			fprintf(f, "%s %+.1f ms elsewhere", shown ? "," : "", rest);
		fputc('\n', f);
	}
}

static void print_cell(FILE *f, const struct explain_run *r, const struct explain_cell *ec,
		       const struct explain_cell *base, const char *base_label, bool *told)
{
	fprintf(f, "\n== cell %s: %d ok trials, %.1f ms restart (mean of the phases)\n", ec->name,
		ec->dx.trials, explain_total_ms(&ec->dx));
	if (!ec->dx.trials)
		return;
	for (int p = 0; p < PH_COUNT; p++)
		if (ec->dx.phase[p].measured_ms >= 0.05)
			print_phase(f, r, ec, p, told);
	if (base)
		print_diff(f, r, ec, base, base_label);
}

void explain_print(FILE *f, const struct explain_run *r, const struct explain_run *against,
		   const char *rules_origin)
{
	bool *told = calloc((size_t)r->rules->n + 1, sizeof(bool));

	fprintf(f, "restartprof explain %s\n", r->dir);
	fprintf(f, "rules: %s, version %s, %d rules\n", rules_origin,
		r->rules->version[0] ? r->rules->version : "?", r->rules->n);
	if (!r->traced) {
		fprintf(f,
			"this run has no %s (run without kernel tracing, or by an older "
			"restartprof): no causes to show\n",
			WAITS_CSV);
		free(told);
		return;
	}
	if (r->raw_frames)
		fprintf(f,
			"note: %zu of %zu stack frames are bare addresses (/proc/kallsyms showed "
			"no addresses to the run, kptr_restrict): rules on frames cannot match "
			"them\n",
			r->raw_frames, r->frames);
	fprintf(f, "times are means per ok trial; each phase: ranked causes, then what no rule "
		   "explains; they add up to the phase\n");
	for (size_t c = 0; c < r->n_cells; c++) {
		const struct explain_cell *ec = &r->cells[c];
		const struct explain_cell *base = explain_baseline(r, against, ec);
		char label[PATH_MAX + 64];

		if (base && against)
			snprintf(label, sizeof(label), "%s of %s",
				 base == &against->base ? "the baseline" : base->name,
				 against->dir);
		else
			snprintf(label, sizeof(label), "this run's baseline");
		print_cell(f, r, ec, base, label, told ? told : (bool[RULES_MAX + 1]){false});
	}
	free(told);
}
