// SPDX-License-Identifier: GPL-2.0-only
#include "explain/headline.h"

#include <math.h>
#include <string.h>

#include "explain/tried.h"
#include "explain/wrap.h"

#define HEADLINE_MIN_SHARE 0.1 /* of the first phase's cost or growth */
#define LINE_LEN	   1024

/* The largest cause of a phase: a rule, the time on CPU or the unmatched waits. */
static void top_cause(const struct diagnosis_phase *ph, struct headline_phase *out)
{
	out->cause = DIAGNOSIS_NO_WAIT;
	out->cause_ms = ph->nowait_ms;
	if (ph->n_causes && ph->causes[0].ms > out->cause_ms) {
		out->cause = ph->causes[0].rule;
		out->cause_ms = ph->causes[0].ms;
	}
	if (ph->uncategorized_ms > out->cause_ms) {
		out->cause = DIAGNOSIS_UNCATEGORIZED;
		out->cause_ms = ph->uncategorized_ms;
	}
}

/* The category that grew most in the phase. */
static void top_growth(const struct diagnosis_phase *ph, const struct diagnosis_phase *base,
		       struct headline_phase *out)
{
	struct diagnosis_diff d;

	diagnosis_compare(ph, base, &d);
	out->change_ms = d.measured_ms;
	out->cause = d.n && d.d[0].ms > 0 ? d.d[0].rule : DIAGNOSIS_NO_WAIT;
	out->cause_ms = d.n && d.d[0].ms > 0 ? d.d[0].ms : 0;
}

static double rank_value(const struct headline_phase *p, bool grew)
{
	return grew ? p->change_ms : p->ms;
}

/* Insertion into ranked (n of them), largest first. */
static void rank_phase(struct headline_phase *ranked, int *n, const struct headline_phase *p,
		       bool grew)
{
	int at = *n;

	while (at > 0 && rank_value(&ranked[at - 1], grew) < rank_value(p, grew))
		at--;
	memmove(&ranked[at + 1], &ranked[at], (size_t)(*n - at) * sizeof(*p));
	ranked[at] = *p;
	(*n)++;
}

bool headline_cause_repeated(const struct headline *h, int i)
{
	for (int k = 0; k < i; k++)
		if (h->phase[k].cause == h->phase[i].cause)
			return true;
	return false;
}

/* The largest phases, as long as they are not far behind the first and name at most
 * HEADLINE_CAUSES causes: a phase with the cause of a larger one costs a short line. */
static void keep_phases(struct headline *out, const struct headline_phase *ranked, int n,
			int max_phases)
{
	int causes = 0;

	for (int i = 0; i < n && out->n < max_phases; i++) {
		if (rank_value(&ranked[i], out->grew) <
		    HEADLINE_MIN_SHARE * rank_value(&ranked[0], out->grew))
			break;
		out->phase[out->n++] = ranked[i];
		if (!headline_cause_repeated(out, out->n - 1) && ++causes > HEADLINE_CAUSES) {
			out->n--;
			break;
		}
	}
}

static bool any_growth(const struct explain_cell *c, const struct explain_cell *base)
{
	for (int p = 0; base && p < PH_COUNT; p++)
		if (diagnosis_comparable(&c->dx.phase[p], &base->dx.phase[p]) &&
		    c->dx.phase[p].measured_ms - base->dx.phase[p].measured_ms >= HEADLINE_MIN_MS)
			return true;
	return false;
}

static const char *first_remedy(const struct explain_run *r, int rule, bool loaded)
{
	const struct rules *rules = r->rules;

	if (rule < 0 || rule >= rules->n)
		return NULL;
	for (int i = 0; i < rules->rule[rule].n_remedies; i++) {
		const char *text = explain_remedy(&rules->rule[rule], i, loaded, r->engine);

		if (text)
			return text;
	}
	return NULL;
}

/* A baseline cell in a run with loaded cells is their reference: the answer is elsewhere. */
static bool is_reference(const struct explain_run *r, const struct explain_cell *c,
			 const struct explain_cell *base)
{
	if (base || !explain_is_base_load(c->load))
		return false;
	for (size_t i = 0; i < r->n_cells; i++)
		if (!explain_is_base_load(r->cells[i].load))
			return true;
	return false;
}

void headline_select(const struct explain_run *r, const struct explain_cell *c,
		     const struct explain_cell *base, int max_phases, struct headline *out)
{
	bool loaded = !explain_is_base_load(c->load);
	struct headline_phase ranked[PH_COUNT];
	int n_ranked = 0;

	memset(out, 0, sizeof(*out));
	out->run = r;
	out->cell = c;
	out->base = base;
	out->median_ms = c->median_ms;
	out->change_ms = out->change_pct = NAN;
	if (base && !isnan(c->median_ms) && !isnan(base->median_ms)) {
		out->change_ms = c->median_ms - base->median_ms;
		if (base->median_ms > 0)
			out->change_pct = 100 * out->change_ms / base->median_ms;
	}
	out->grew = any_growth(c, base);
	out->reference = is_reference(r, c, base);
	if (max_phases > (out->reference ? 2 : HEADLINE_PHASES))
		max_phases = out->reference ? 2 : HEADLINE_PHASES;
	for (int p = 0; p < PH_COUNT; p++) {
		const struct diagnosis_phase *ph = &c->dx.phase[p];
		struct headline_phase hp = {.phase = p, .ms = ph->measured_ms, .change_ms = NAN};

		if (out->grew)
			top_growth(ph, &base->dx.phase[p], &hp);
		else
			top_cause(ph, &hp);
		if (base && !out->grew && diagnosis_comparable(ph, &base->dx.phase[p]))
			hp.change_ms = ph->measured_ms - base->dx.phase[p].measured_ms;
		if (rank_value(&hp, out->grew) < HEADLINE_MIN_MS)
			continue;
		hp.remedy = first_remedy(r, hp.cause, loaded);
		rank_phase(ranked, &n_ranked, &hp, out->grew);
	}
	keep_phases(out, ranked, n_ranked, max_phases);
}

const char *headline_cause_title(const struct rules *rules, int cause)
{
	if (cause >= 0 && cause < rules->n)
		return rules->rule[cause].title;
	if (cause == DIAGNOSIS_UNCATEGORIZED)
		return "waits no cause rule names yet";
	return "no wait recorded and no on-CPU sample: running unsampled, or sleeping "
	       "interruptibly";
}

const char *headline_cause_name(const struct rules *rules, int cause)
{
	if (cause >= 0 && cause < rules->n)
		return rules->rule[cause].name;
	return cause == DIAGNOSIS_UNCATEGORIZED ? "unmatched waits" : "no wait";
}

static void cell_line(char *line, size_t len, const struct headline *h)
{
	const struct explain_cell *c = h->cell;
	int n = snprintf(line, len, "%s", c->name);

	if (h->reference)
		n += snprintf(line + n, len - (size_t)n, " (baseline)");
	else if (explain_is_base_load(c->load))
		n += snprintf(line + n, len - (size_t)n, " (no load)");
	else if (c->stressors > 0)
		n += snprintf(line + n, len - (size_t)n, " (load %s, %d stressor%s)", c->load,
			      c->stressors, c->stressors > 1 ? "s" : "");
	if (isnan(h->median_ms))
		n += snprintf(line + n, len - (size_t)n, ": no ok trial");
	else
		n += snprintf(line + n, len - (size_t)n, ": median %.1f ms", h->median_ms);
	if (!isnan(h->change_ms))
		snprintf(line + n, len - (size_t)n, ", baseline %.1f ms: %+.1f ms (%+.0f%%)",
			 h->base->median_ms, h->change_ms, h->change_pct);
}

bool headline_remedy_repeated(const struct headline *h, int i)
{
	for (int k = 0; k < i; k++)
		if (h->phase[k].remedy == h->phase[i].remedy)
			return true;
	return false;
}

/* A reference cell on one line: its costliest phases and their top causes by name. */
static void reference_print(FILE *f, const struct headline *h, const struct rules *rules, int width)
{
	char line[LINE_LEN];
	int n;

	cell_line(line, sizeof(line), h);
	n = (int)strlen(line);
	for (int i = 0; i < h->n && n < (int)sizeof(line); i++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "%s %s %.1f ms (%s)",
			      i ? "," : "; costliest:", phase_name(h->phase[i].phase),
			      h->phase[i].ms, headline_cause_name(rules, h->phase[i].cause));
	wrap_print(f, width, 4, line);
}

static void print_prefixed(FILE *f, int width, const char *prefix, const char *text, int indent)
{
	char line[LINE_LEN];

	snprintf(line, sizeof(line), "%s%s", prefix, text);
	wrap_print(f, width, indent, line);
}

/* What the first proven run that addresses the cause measured for it in the phase. */
static bool print_proven(FILE *f, const struct headline *h, const struct headline_phase *p,
			 const struct rule *rule, int width)
{
	char line[LINE_LEN];

	for (size_t k = 0; k < h->n_proven; k++) {
		const struct explain_cell *pc = tried_cell(&h->proven[k], h->cell);

		if (pc && tried_addresses(rule, h->proven[k].tried) &&
		    tried_phrase(&h->proven[k], pc, p->phase, p->cause, line, sizeof(line))) {
			print_prefixed(f, width, "    proven: ", line, 12);
			return true;
		}
	}
	return false;
}

/* The first of the rule's try lines that fits the cell, as a command: one line at most. */
static void print_test_it(FILE *f, const struct headline *h, const struct rule *rule, int width)
{
	char cmd[LINE_LEN];

	for (int i = 0; i < rule->n_tries; i++)
		if (!(h->run && tried_already(h->run, h->cell, rule, i)) &&
		    tried_command(rule, i, h->cell, cmd, sizeof(cmd))) {
			print_prefixed(f, width, "    test it: ", cmd, 13);
			return;
		}
}

void headline_print(FILE *f, const struct headline *h, const struct rules *rules, int width,
		    bool *told)
{
	char line[LINE_LEN];

	if (h->reference) {
		reference_print(f, h, rules, width);
		return;
	}
	cell_line(line, sizeof(line), h);
	wrap_print(f, width, 4, line);
	if (h->run &&
	    tried_phrase(h->run, h->cell, AB_ALL_PHASES, AB_PHASE_TOTAL, line, sizeof(line)))
		print_prefixed(f, width, "  restart with ", line, 8);
	for (int i = 0; i < h->n; i++) {
		const struct headline_phase *p = &h->phase[i];

		int n = h->grew ? snprintf(line, sizeof(line),
					   "  %s %+.1f ms, top cause %s %+.1f ms",
					   phase_name(p->phase), p->change_ms,
					   headline_cause_name(rules, p->cause), p->cause_ms)
				: snprintf(line, sizeof(line), "  %s %.1f ms, top cause %s %.1f ms",
					   phase_name(p->phase), p->ms,
					   headline_cause_name(rules, p->cause), p->cause_ms);

		/* The plain words once per cell, at the cause's first phase. */
		if (!headline_cause_repeated(h, i))
			snprintf(line + n, sizeof(line) - (size_t)n, ": %s",
				 headline_cause_title(rules, p->cause));
		wrap_print(f, width, 6, line);
		if (h->run &&
		    tried_phrase(h->run, h->cell, p->phase, AB_PHASE_TOTAL, line, sizeof(line)))
			print_prefixed(f, width, "    with ", line, 9);
		if (!p->remedy || headline_remedy_repeated(h, i) || (told && told[p->cause]))
			continue;
		if (told)
			told[p->cause] = true;
		snprintf(line, sizeof(line), "    helps: %s", p->remedy);
		wrap_print(f, width, 11, line);
		if (!print_proven(f, h, p, &rules->rule[p->cause], width))
			print_test_it(f, h, &rules->rule[p->cause], width);
	}
}
