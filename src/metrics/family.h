// SPDX-License-Identifier: GPL-2.0-only
/* A metric family and its series, and how one is written in the text exposition format. */
#ifndef RP_METRICS_FAMILY_H
#define RP_METRICS_FAMILY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define FAMILY_MAX_LABELS 3

enum family_type {
	FAMILY_COUNTER,
	FAMILY_GAUGE,
	FAMILY_HISTOGRAM,
};

struct family_spec {
	const char *name;
	const char *help;
	enum family_type type;
	int nlabels;
	const char *labels[FAMILY_MAX_LABELS];
	const double *bounds; /* histogram: upper bounds, ascending, without +Inf */
	int nbounds;
};

/* Label values are interned (one pointer per distinct value), so series compare pointers. */
struct series {
	const char *values[FAMILY_MAX_LABELS];
	double value;	   /* counter, gauge */
	uint64_t *buckets; /* histogram: observations per bucket (not cumulative), nbounds + 1 */
	double sum;
	uint64_t count;
};

struct family {
	const struct family_spec *spec;
	struct series *series;
	size_t n, cap;
};

/* The series with these label values, created (zero) when new. NULL when out of memory. */
struct series *family_series(struct family *f, const char *const *values);
/* Adds one observation to a histogram series. */
void series_observe(const struct family_spec *spec, struct series *s, double v);
void family_free(struct family *f);

/* HELP, TYPE and every series of f (histograms: cumulative buckets, _sum, _count). */
void family_write(FILE *out, const struct family *f);
/* A label value or HELP text escaped as the format asks (\\, \n, and \" in label values). */
void exposition_escape(FILE *out, const char *s, int quote);
/* A sample value: shortest text that reads back to v; +Inf, -Inf, NaN. */
void exposition_value(FILE *out, double v);

#endif
