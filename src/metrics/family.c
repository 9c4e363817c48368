// SPDX-License-Identifier: GPL-2.0-only
/* Metric families: series storage and the text exposition format 0.0.4. */
#include "metrics/family.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"

static int same_values(const struct series *s, const char *const *values, int n)
{
	for (int i = 0; i < n; i++)
		if (s->values[i] != values[i])
			return 0;
	return 1;
}

struct series *family_series(struct family *f, const char *const *values)
{
	const struct family_spec *spec = f->spec;
	struct series *s;

	for (size_t i = 0; i < f->n; i++)
		if (same_values(&f->series[i], values, spec->nlabels))
			return &f->series[i];
	if (array_reserve((void **)&f->series, &f->cap, f->n + 1, sizeof(*f->series)))
		return NULL;
	s = &f->series[f->n];
	memset(s, 0, sizeof(*s));
	if (spec->type == FAMILY_HISTOGRAM) {
		s->buckets = calloc((size_t)spec->nbounds + 1, sizeof(*s->buckets));
		if (!s->buckets)
			return NULL;
	}
	for (int i = 0; i < spec->nlabels; i++)
		s->values[i] = values[i];
	f->n++;
	return s;
}

void series_observe(const struct family_spec *spec, struct series *s, double v)
{
	int b = 0;

	while (b < spec->nbounds && v > spec->bounds[b])
		b++;
	s->buckets[b]++;
	s->sum += v;
	s->count++;
}

void family_free(struct family *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->series[i].buckets);
	free(f->series);
	f->series = NULL;
	f->n = f->cap = 0;
}

void exposition_escape(FILE *out, const char *s, int quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", out);
		else if (*s == '\n')
			fputs("\\n", out);
		else if (*s == '"' && quote)
			fputs("\\\"", out);
		else
			fputc(*s, out);
	}
}

void exposition_value(FILE *out, double v)
{
	char text[40];

	if (isnan(v)) {
		fputs("NaN", out);
		return;
	}
	if (isinf(v)) {
		fputs(v > 0 ? "+Inf" : "-Inf", out);
		return;
	}
	/* 0.1 rather than 0.10000000000000001 whenever 15 digits read back exactly. */
	snprintf(text, sizeof(text), "%.15g", v);
	if (strtod(text, NULL) != v)
		snprintf(text, sizeof(text), "%.17g", v);
	fputs(text, out);
}

/* name{a="x",b="y"[,le="..."]} */
static void write_name(FILE *out, const struct family_spec *spec, const char *suffix,
		       const struct series *s, const double *le)
{
	int any = spec->nlabels > 0 || le;

	fprintf(out, "%s%s", spec->name, suffix);
	if (!any)
		return;
	fputc('{', out);
	for (int i = 0; i < spec->nlabels; i++) {
		fprintf(out, "%s%s=\"", i ? "," : "", spec->labels[i]);
		exposition_escape(out, s->values[i], 1);
		fputc('"', out);
	}
	if (le) {
		fprintf(out, "%sle=\"", spec->nlabels ? "," : "");
		exposition_value(out, *le);
		fputc('"', out);
	}
	fputc('}', out);
}

static void write_histogram(FILE *out, const struct family_spec *spec, const struct series *s)
{
	static const double inf = INFINITY;
	uint64_t cumulative = 0;

	for (int b = 0; b <= spec->nbounds; b++) {
		cumulative += s->buckets[b];
		write_name(out, spec, "_bucket", s, b < spec->nbounds ? &spec->bounds[b] : &inf);
		fprintf(out, " %llu\n", (unsigned long long)cumulative);
	}
	write_name(out, spec, "_sum", s, NULL);
	fputc(' ', out);
	exposition_value(out, s->sum);
	fputc('\n', out);
	write_name(out, spec, "_count", s, NULL);
	fprintf(out, " %llu\n", (unsigned long long)s->count);
}

void family_write(FILE *out, const struct family *f)
{
	static const char *const type_names[] = {"counter", "gauge", "histogram"};
	const struct family_spec *spec = f->spec;

	fprintf(out, "# HELP %s ", spec->name);
	exposition_escape(out, spec->help, 0);
	fprintf(out, "\n# TYPE %s %s\n", spec->name, type_names[spec->type]);
	for (size_t i = 0; i < f->n; i++) {
		const struct series *s = &f->series[i];

		if (spec->type == FAMILY_HISTOGRAM) {
			write_histogram(out, spec, s);
			continue;
		}
		write_name(out, spec, "", s, NULL);
		fputc(' ', out);
		exposition_value(out, s->value);
		fputc('\n', out);
	}
}
