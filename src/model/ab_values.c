// SPDX-License-Identifier: GPL-2.0-only
/* Per-trial values of an A/B run, per phase and cause category, and their comparison. */
#include "model/ab_values.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"

int ab_variant_parse(const char *text, enum ab_variant *out)
{
	if (strcmp(text, "A") == 0)
		*out = AB_A;
	else if (strcmp(text, "B") == 0)
		*out = AB_B;
	else
		return -1;
	return 0;
}

int ab_values_init(struct ab_values *v, const struct rules *rules)
{
	memset(v, 0, sizeof(*v));
	v->rules = rules;
	v->n_cat = rules->n + 1; /* the rules, then the unmatched waits */
	v->classify = diagnosis_builder_new(rules);
	return v->classify ? 0 : -ENOMEM;
}

void ab_values_free(struct ab_values *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->t[i].cat_ns);
	free(v->t);
	diagnosis_builder_free(v->classify);
	memset(v, 0, sizeof(*v));
}

static struct ab_trial *find(struct ab_values *v, int trial)
{
	if (v->last < v->n && v->t[v->last].trial == trial)
		return &v->t[v->last];
	for (size_t i = 0; i < v->n; i++)
		if (v->t[i].trial == trial) {
			v->last = i;
			return &v->t[i];
		}
	return NULL;
}

int ab_values_add_trial(struct ab_values *v, int trial, enum ab_variant variant)
{
	struct ab_trial *t;

	if (find(v, trial))
		return -EEXIST;
	if (array_reserve((void **)&v->t, &v->cap, v->n + 1, sizeof(*v->t)))
		return -ENOMEM;
	t = &v->t[v->n];
	memset(t, 0, sizeof(*t));
	t->cat_ns = calloc((size_t)PH_COUNT * (size_t)v->n_cat, sizeof(*t->cat_ns));
	if (!t->cat_ns)
		return -ENOMEM;
	t->trial = trial;
	t->variant = variant;
	v->n++;
	v->n_variant[variant]++;
	return 0;
}

void ab_values_add_phase(struct ab_values *v, int trial, int phase, int64_t duration_ns)
{
	struct ab_trial *t = find(v, trial);

	if (t && phase >= 0 && phase < PH_COUNT && duration_ns > 0)
		t->phase_ns[phase] += duration_ns;
}

int ab_values_add_wait(struct ab_values *v, int trial, const struct diagnosis_wait *w)
{
	struct ab_trial *t = find(v, trial);
	int cat;

	if (!t || w->phase < 0 || w->phase >= PH_COUNT)
		return 0;
	cat = diagnosis_wait_category(v->classify, w);
	if (cat == DIAGNOSIS_NO_SHARE)
		return 0;
	if (cat < 0)
		cat = v->n_cat - 1;
	t->cat_ns[(size_t)w->phase * (size_t)v->n_cat + (size_t)cat] += w->wall_ns;
	return 0;
}

int ab_values_paired(const struct ab_values *v)
{
	return v->n_variant[AB_A] > 0 && v->n_variant[AB_B] > 0;
}

double ab_values_get(const struct ab_values *v, size_t i, int phase, int category)
{
	const struct ab_trial *t = &v->t[i];
	const int64_t *row;
	int64_t ns = 0;

	if (phase == AB_ALL_PHASES) {
		double ms = 0;

		for (int p = 0; p < PH_COUNT; p++)
			ms += ab_values_get(v, i, p, category);
		return ms;
	}
	row = t->cat_ns + (size_t)phase * (size_t)v->n_cat;

	if (category == AB_PHASE_TOTAL)
		ns = t->phase_ns[phase];
	else if (category == DIAGNOSIS_UNCATEGORIZED)
		ns = row[v->n_cat - 1];
	else if (category >= 0 && category < v->n_cat - 1)
		ns = row[category];
	else if (category == DIAGNOSIS_NO_WAIT) {
		ns = t->phase_ns[phase];
		for (int c = 0; c < v->n_cat; c++)
			ns -= row[c];
		if (ns < 0)
			ns = 0;
	}
	return (double)ns / 1e6;
}

int ab_values_compare(const struct ab_values *v, int phase, int category, struct comparison *out)
{
	double *a, *b;
	size_t n_a = 0, n_b = 0;
	int rc;

	if (phase < 0 || phase > AB_ALL_PHASES)
		return -EINVAL;
	a = calloc(v->n + 1, sizeof(*a));
	b = calloc(v->n + 1, sizeof(*b));
	if (!a || !b) {
		free(a);
		free(b);
		return -ENOMEM;
	}
	for (size_t i = 0; i < v->n; i++) {
		double ms = ab_values_get(v, i, phase, category);

		if (v->t[i].variant == AB_A)
			a[n_a++] = ms;
		else
			b[n_b++] = ms;
	}
	rc = compare_samples(a, n_a, b, n_b, out);
	free(a);
	free(b);
	return rc;
}
