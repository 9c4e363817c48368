// SPDX-License-Identifier: GPL-2.0-only
#include "support/explain_text.h"

#include <ctype.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* "    1.     37.3 ms ...": a ranked cause, its time in *ms. */
static bool cause_line(const char *l, double *ms)
{
	const char *p = l;

	while (*p == ' ')
		p++;
	if (p - l != 4 || !isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	return *p == '.' && sscanf(p + 1, " %lf ms", ms) == 1;
}

/* The line of a phase's time no cause names: no wait recorded, or unaccounted when sampled. */
static bool rest_line(const char *l)
{
	return strstr(l, "% no wait recorded ") || strstr(l, "% unaccounted ");
}

/* "  attach       1004.3 ms per trial": a phase's first line, its name and time. */
static bool phase_line(const char *l, char *name, size_t len, double *ms)
{
	char fmt[32];

	snprintf(fmt, sizeof(fmt), "  %%%zus %%lf ms per trial", len - 1);
	return l[2] != ' ' && sscanf(l, fmt, name, ms) == 2;
}

struct check_state {
	double measured, sum;
	int causes, lines, phases;
	bool in_cause, evidence;
	const char *cause;
};

static void check_line(struct check_state *s, const char *l)
{
	char name[32];
	double ms;

	if (cause_line(l, &ms) || rest_line(l) || phase_line(l, name, sizeof(name), &ms) ||
	    strstr(l, "== cell")) {
		if (s->in_cause && !s->evidence)
			fprintf(stderr, "a cause without evidence: %s\n", s->cause);
		assert_false(s->in_cause && !s->evidence);
		s->in_cause = false;
	}
	if (phase_line(l, name, sizeof(name), &ms)) {
		s->measured = ms;
		s->sum = 0;
		s->lines = 0;
		s->phases++;
	} else if (cause_line(l, &ms)) {
		s->sum += ms;
		s->lines++;
		s->causes++;
		s->in_cause = true;
		s->evidence = false;
		s->cause = l;
	} else if (strstr(l, "smaller cause") && sscanf(l, " %lf ms", &ms) == 1) {
		s->sum += ms;
		s->lines++;
	} else if (rest_line(l) && sscanf(l, " %lf ms", &ms) == 1) {
		s->sum += ms;
		s->lines++;
		/* Rounded to 0.1 ms each. */
		if (fabs(s->sum - s->measured) > 0.05 * (s->lines + 1))
			fprintf(stderr, "phase of %.1f ms adds up to %.1f ms\n", s->measured,
				s->sum);
		assert_true(fabs(s->sum - s->measured) <= 0.05 * (s->lines + 1));
	} else if (s->in_cause && (strncmp(l, "          stack ", 16) == 0 ||
				   strncmp(l, "          file ", 15) == 0)) {
		s->evidence = true;
	}
}

/* Calls fn on each line of the detail that is not a cell's comparison with another run. */
static void detail_lines(const char *text, void (*fn)(void *, const char *), void *ctx)
{
	char *copy = strdup(text), *save = NULL, *l;
	const char *detail;
	bool in_diff = false;

	assert_non_null(copy);
	detail = strstr(copy, "== cell");
	for (l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!detail || l < detail)
			continue; /* the headline */
		if (strncmp(l, "  against ", 10) == 0)
			in_diff = true; /* the comparison, at the end of a cell */
		else if (strncmp(l, "== cell", 7) == 0)
			in_diff = false;
		if (!in_diff)
			fn(ctx, l);
	}
	free(copy);
}

static void check_each(void *ctx, const char *l)
{
	check_line(ctx, l);
}

void explain_text_check(const char *text)
{
	struct check_state s = {.measured = -1, .cause = ""};

	detail_lines(text, check_each, &s);
	assert_false(s.in_cause && !s.evidence);
	assert_true(s.phases > 0);
	assert_true(s.causes > 0);
}

struct count_state {
	const char *phase;
	bool in_phase;
	int causes;
};

static void count_each(void *ctx, const char *l)
{
	struct count_state *s = ctx;
	char name[32];
	double ms;

	if (strncmp(l, "== cell", 7) == 0)
		s->in_phase = false;
	else if (phase_line(l, name, sizeof(name), &ms))
		s->in_phase = strcmp(name, s->phase) == 0;
	else if (s->in_phase && cause_line(l, &ms))
		s->causes++;
}

int explain_text_phase_causes(const char *text, const char *phase)
{
	struct count_state s = {.phase = phase};

	detail_lines(text, count_each, &s);
	return s.causes;
}
