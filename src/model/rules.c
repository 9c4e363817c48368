// SPDX-License-Identifier: GPL-2.0-only
#include "model/rules.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"

#define LINE_MAX_LEN 2048

static const char *const key_names[RK_COUNT] = {
	[RK_FRAME] = "frame", [RK_LEAF] = "leaf", [RK_CALL] = "call",	[RK_FILE] = "file",
	[RK_STATE] = "state", [RK_COMM] = "comm", [RK_ACTOR] = "actor", [RK_WAKER] = "waker",
};

bool glob_match(const char *p, const char *t)
{
	const char *star_p = NULL, *star_t = NULL;

	while (*t) {
		if (*p == '*') {
			star_p = ++p;
			star_t = t;
		} else if (*p && (*p == '?' || *p == *t)) {
			p++;
			t++;
		} else if (star_p) {
			p = star_p;
			t = ++star_t;
		} else {
			return false;
		}
	}
	while (*p == '*')
		p++;
	return !*p;
}

bool sched_plumbing_frame(const char *f, size_t n)
{
	static const char *const names[] = {"schedule",
					    "__schedule",
					    "schedule_timeout",
					    "schedule_hrtimeout_range",
					    "schedule_hrtimeout_range_clock",
					    "schedule_preempt_disabled",
					    "io_schedule",
					    "io_schedule_timeout",
					    "preempt_schedule_common",
					    "__cond_resched"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && strncmp(f, names[i], n) == 0)
			return true;
	return false;
}

void stack_leaf(const char *folded, char *out, size_t len)
{
	const char *end = folded + strlen(folded);

	out[0] = '\0';
	while (end > folded) {
		const char *start = end;

		while (start > folded && start[-1] != ';')
			start--;
		if (!sched_plumbing_frame(start, (size_t)(end - start))) {
			snprintf(out, len, "%.*s", (int)(end - start), start);
			return;
		}
		end = start > folded ? start - 1 : folded;
	}
}

/* ---- matching ---- */

static bool any_value(const struct rule_cond *c, const char *text)
{
	for (int i = 0; i < c->n; i++)
		if (glob_match(c->values[i], text))
			return true;
	return false;
}

static bool any_frame(const struct rule_cond *c, const char *folded)
{
	char frame[256];

	while (*folded) {
		size_t n = strcspn(folded, ";");

		if (n < sizeof(frame)) {
			memcpy(frame, folded, n);
			frame[n] = '\0';
			if (any_value(c, frame))
				return true;
		}
		folded += n;
		if (*folded == ';')
			folded++;
	}
	return false;
}

static bool cond_holds(const struct rule_cond *c, const struct wait_view *w)
{
	char leaf[256];

	switch (c->key) {
	case RK_FRAME:
		return any_frame(c, w->folded);
	case RK_LEAF:
		stack_leaf(w->folded, leaf, sizeof(leaf));
		return leaf[0] && any_value(c, leaf);
	case RK_CALL:
		return w->call[0] && any_value(c, w->call);
	case RK_FILE:
		return w->file[0] && any_value(c, w->file);
	case RK_STATE:
		return any_value(c, w->state);
	case RK_COMM:
		return any_value(c, w->comm);
	case RK_ACTOR:
		return any_value(c, w->actor);
	case RK_WAKER:
		return w->waker[0] && any_value(c, w->waker);
	default:
		return false;
	}
}

int rules_match(const struct rules *r, const struct wait_view *w)
{
	for (int i = 0; i < r->n; i++)
		for (int m = 0; m < r->rule[i].n_match; m++) {
			const struct rule_match *rm = &r->rule[i].match[m];
			bool all = rm->n > 0;

			for (int c = 0; c < rm->n && all; c++)
				all = cond_holds(&rm->cond[c], w);
			if (all)
				return i;
		}
	return -1;
}

int rules_find(const struct rules *r, const char *name)
{
	for (int i = 0; i < r->n; i++)
		if (strcmp(r->rule[i].name, name) == 0)
			return i;
	return -1;
}

/* ---- parsing ---- */

struct parser {
	struct rules *r;
	struct rule *cur;
	int line;
	char *err;
	size_t errlen;
};

static int parse_error(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(p->err, p->errlen, "line %d: ", p->line);

	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

static bool name_ok(const char *s)
{
	if (!*s || strlen(s) >= RULE_NAME_LEN)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

static int key_of(const char *k, size_t n)
{
	for (int i = 0; i < RK_COUNT; i++)
		if (strlen(key_names[i]) == n && strncmp(k, key_names[i], n) == 0)
			return i;
	return -1;
}

/* "key=v1,v2" into c. */
static int parse_cond(struct parser *p, char *word, struct rule_cond *c)
{
	char *eq = strchr(word, '='), *v, *save = NULL;

	if (!eq || eq == word)
		return parse_error(p, "'%.64s' is not key=value", word);
	c->key = key_of(word, (size_t)(eq - word));
	if (c->key < 0)
		return parse_error(
			p,
			"unknown key '%.*s' (frame, leaf, call, file, state, comm, actor, "
			"waker)",
			(int)(eq - word > 32 ? 32 : eq - word), word);
	for (v = strtok_r(eq + 1, ",", &save); v; v = strtok_r(NULL, ",", &save)) {
		if (c->n == COND_VALUES_MAX)
			return parse_error(p, "more than %d values", COND_VALUES_MAX);
		c->values[c->n] = strdup(v);
		if (!c->values[c->n])
			return parse_error(p, "out of memory");
		c->n++;
	}
	if (!c->n)
		return parse_error(p, "'%.64s' has no value", word);
	return 0;
}

static int parse_match(struct parser *p, char *rest)
{
	struct rule_match *m;
	char *save = NULL, *w;

	if (p->cur->n_match == RULE_MATCHES_MAX)
		return parse_error(p, "more than %d match lines in rule %s", RULE_MATCHES_MAX,
				   p->cur->name);
	if (array_reserve_from((void **)&p->cur->match, &p->cur->match_cap,
			       (size_t)p->cur->n_match + 1, sizeof(*m), 1))
		return parse_error(p, "out of memory");
	m = &p->cur->match[p->cur->n_match++];
	memset(m, 0, sizeof(*m));
	for (w = strtok_r(rest, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (m->n == MATCH_CONDS_MAX)
			return parse_error(p, "more than %d conditions", MATCH_CONDS_MAX);
		if (parse_cond(p, w, &m->cond[m->n++]))
			return -1;
	}
	if (!m->n)
		return parse_error(p, "match without conditions");
	return 0;
}

/* A copy of text into *dst, replacing what was there. */
static int set_string(struct parser *p, char **dst, const char *text)
{
	char *copy = strdup(text);

	if (!copy)
		return parse_error(p, "out of memory");
	free(*dst);
	*dst = copy;
	return 0;
}

static int set_text(struct parser *p, char **dst, const char *text, const char *what)
{
	if (!*text)
		return parse_error(p, "%s without text", what);
	if (strlen(text) >= RULE_TEXT_LEN)
		return parse_error(p, "%s longer than %d characters", what, RULE_TEXT_LEN - 1);
	return set_string(p, dst, text);
}

/* "[load] SPEC", "[no load] SPEC" or "SPEC": a spec is one word a shell leaves alone. */
static int parse_try(struct parser *p, const char *rest)
{
	static const char *const tags[] = {"[load] ", "[no load] "};
	const char *spec = rest;

	if (p->cur->n_tries == RULE_TRIES_MAX)
		return parse_error(p, "more than %d try lines", RULE_TRIES_MAX);
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (strncmp(rest, tags[i], strlen(tags[i])) == 0)
			spec = rest + strlen(tags[i]);
	if (!*spec)
		return parse_error(p, "try without a remedy");
	if (strlen(rest) >= RULE_TRY_LEN)
		return parse_error(p, "try longer than %d characters", RULE_TRY_LEN - 1);
	if (strspn(spec, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
			 "=:,._/+-") != strlen(spec))
		return parse_error(p, "try '%.64s': one remedy spec (letters, digits, =:,._/+-)",
				   spec);
	if (set_string(p, &p->cur->tries[p->cur->n_tries], rest))
		return -1;
	p->cur->n_tries++;
	return 0;
}

static int new_rule(struct parser *p, const char *name)
{
	if (!name_ok(name))
		return parse_error(p, "rule name '%.64s' must be letters, digits, '-', '_' or '.'",
				   name);
	if (rules_find(p->r, name) >= 0)
		return parse_error(p, "rule %s is defined twice", name);
	if (p->r->n == RULES_MAX)
		return parse_error(p, "more than %d rules", RULES_MAX);
	if (array_reserve((void **)&p->r->rule, &p->r->cap, (size_t)p->r->n + 1,
			  sizeof(*p->r->rule)))
		return parse_error(p, "out of memory");
	p->cur = &p->r->rule[p->r->n++];
	memset(p->cur, 0, sizeof(*p->cur));
	snprintf(p->cur->name, sizeof(p->cur->name), "%s", name);
	p->cur->line = p->line;
	return 0;
}

static int finish_rule(struct parser *p)
{
	if (p->cur && !p->cur->n_match) {
		p->line = p->cur->line;
		return parse_error(p, "rule %s has no match line", p->cur->name);
	}
	if (p->cur && !p->cur->title && set_string(p, &p->cur->title, p->cur->name))
		return -1;
	if (p->cur && !p->cur->explain && set_string(p, &p->cur->explain, ""))
		return -1;
	return 0;
}

static int parse_directive(struct parser *p, char *line)
{
	char *word = line, *rest = line + strcspn(line, " \t");

	if (*rest)
		*rest++ = '\0';
	rest = trim(rest);
	if (strcmp(word, "format") == 0) {
		p->r->format = atoi(rest);
		return p->r->format == 1 ? 0
					 : parse_error(p, "format %.16s is not known (1 is)", rest);
	}
	if (strcmp(word, "version") == 0) {
		if (!*rest || strlen(rest) >= sizeof(p->r->version))
			return parse_error(p, "version: 1 to %zu characters",
					   sizeof(p->r->version) - 1);
		snprintf(p->r->version, sizeof(p->r->version), "%s", rest);
		return 0;
	}
	if (strcmp(word, "rule") == 0)
		return finish_rule(p) || new_rule(p, rest);
	if (!p->cur)
		return parse_error(p, "'%.32s' before the first rule", word);
	if (strcmp(word, "title") == 0)
		return set_text(p, &p->cur->title, rest, "title");
	if (strcmp(word, "explain") == 0)
		return set_text(p, &p->cur->explain, rest, "explain");
	if (strcmp(word, "remedy") == 0) {
		if (p->cur->n_remedies == RULE_REMEDIES_MAX)
			return parse_error(p, "more than %d remedies", RULE_REMEDIES_MAX);
		if (set_text(p, &p->cur->remedy[p->cur->n_remedies], rest, "remedy"))
			return -1;
		p->cur->n_remedies++;
		return 0;
	}
	if (strcmp(word, "match") == 0)
		return parse_match(p, rest);
	if (strcmp(word, "try") == 0)
		return parse_try(p, rest);
	return parse_error(
		p,
		"unknown directive '%.32s' (format, version, rule, title, match, explain, "
		"remedy, try)",
		word);
}

int rules_parse(const char *text, size_t len, struct rules *out, char *err, size_t errlen)
{
	struct parser p = {.r = out, .err = err, .errlen = errlen};
	char line[LINE_MAX_LEN];
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		char *l;

		p.line++;
		if (n >= sizeof(line) || memchr(text + pos, '\0', n)) {
			parse_error(&p,
				    n >= sizeof(line) ? "longer than %d characters"
						      : "holds a NUL byte",
				    LINE_MAX_LEN - 1);
			rules_free(out);
			return -1;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + 1;
		l = trim(line);
		if (!*l || *l == '#')
			continue;
		if (parse_directive(&p, l)) {
			rules_free(out);
			return -1;
		}
	}
	if (finish_rule(&p) || (!out->format && parse_error(&p, "no 'format 1' line"))) {
		rules_free(out);
		return -1;
	}
	return 0;
}

static void rule_free(struct rule *rule)
{
	for (int m = 0; m < rule->n_match; m++)
		for (int c = 0; c < rule->match[m].n; c++)
			for (int v = 0; v < rule->match[m].cond[c].n; v++)
				free(rule->match[m].cond[c].values[v]);
	free(rule->match);
	free(rule->title);
	free(rule->explain);
	for (int i = 0; i < rule->n_remedies; i++)
		free(rule->remedy[i]);
	for (int i = 0; i < rule->n_tries; i++)
		free(rule->tries[i]);
}

void rules_free(struct rules *r)
{
	for (int i = 0; i < r->n; i++)
		rule_free(&r->rule[i]);
	free(r->rule);
	memset(r, 0, sizeof(*r));
}

extern const char rp_rules_blob[], rp_rules_blob_end[];

int rules_load_builtin(struct rules *out, char *err, size_t errlen)
{
	return rules_parse(rp_rules_blob, (size_t)(rp_rules_blob_end - rp_rules_blob), out, err,
			   errlen);
}
