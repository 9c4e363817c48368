// SPDX-License-Identifier: GPL-2.0-only
#include "model/diagnosis.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "util/text_index.h"
#include "util/text_pool.h"

#define SHORT_FRAMES 5

/* ---- a tally: text -> time and count ---- */

struct tally_entry {
	const char *key, *detail; /* the builder's pool's */
	int64_t ns, count;
};

struct tally {
	struct tally_entry *e;
	size_t n, cap;
	struct text_index index; /* key -> its entry */
};

static const char *tally_key_at(const void *entries, size_t i)
{
	return ((const struct tally_entry *)entries)[i].key;
}

static int tally_add(struct tally *t, struct text_pool *pool, const char *key, const char *detail,
		     int64_t ns, int64_t count)
{
	size_t *slot;

	if (!key[0])
		return 0;
	if (text_index_reserve(&t->index, t->n, tally_key_at, t->e))
		return -ENOMEM;
	slot = text_index_slot(&t->index, key, strlen(key), tally_key_at, t->e);
	if (*slot) {
		t->e[*slot - 1].ns += ns;
		t->e[*slot - 1].count += count;
		return 0;
	}
	/* Thousands of tallies, most with a few keys: start small. */
	if (array_reserve_from((void **)&t->e, &t->cap, t->n + 1, sizeof(*t->e), 4))
		return -ENOMEM;
	if (!detail)
		detail = "";
	t->e[t->n].key = text_pool_intern(pool, key, strlen(key));
	t->e[t->n].detail = text_pool_intern(pool, detail, strlen(detail));
	if (!t->e[t->n].key || !t->e[t->n].detail)
		return -ENOMEM;
	t->e[t->n].ns = ns;
	t->e[t->n].count = count;
	*slot = ++t->n;
	return 0;
}

static void tally_free(struct tally *t)
{
	free(t->e);
	text_index_clear(&t->index);
	memset(t, 0, sizeof(*t));
}

static bool ranks_before(const struct tally_entry *x, const struct tally_entry *y)
{
	return x->ns > y->ns || (x->ns == y->ns && strcmp(x->key, y->key) < 0);
}

/* text and detail, each cut to DIAGNOSIS_TEXT_LEN - 1 bytes, in one allocation. */
static int evidence_set(struct diagnosis_evidence *e, const char *text, const char *detail)
{
	size_t nt = strnlen(text, DIAGNOSIS_TEXT_LEN - 1);
	size_t nd = strnlen(detail, DIAGNOSIS_TEXT_LEN - 1);

	e->text = malloc(nt + nd + 2);
	if (!e->text)
		return -1;
	memcpy(e->text, text, nt);
	e->text[nt] = 0;
	e->detail = e->text + nt + 1;
	memcpy(e->detail, detail, nd);
	e->detail[nd] = 0;
	return 0;
}

static void evidence_free(struct diagnosis_evidence *items, int n)
{
	for (int i = 0; i < n; i++)
		free(items[i].text);
}

/* The largest entries (ties: by key) into items; their number, or -ENOMEM. */
static int tally_top(const struct tally *t, struct diagnosis_evidence *items, int max, int trials)
{
	size_t chosen[DIAGNOSIS_TOP_ITEMS];
	int n = 0;

	if (max > DIAGNOSIS_TOP_ITEMS)
		max = DIAGNOSIS_TOP_ITEMS;
	for (; n < max; n++) {
		size_t best = SIZE_MAX;

		for (size_t i = 0; i < t->n; i++) {
			bool taken = false;

			for (int k = 0; k < n && !taken; k++)
				taken = chosen[k] == i;
			if (!taken && (best == SIZE_MAX || ranks_before(&t->e[i], &t->e[best])))
				best = i;
		}
		if (best == SIZE_MAX || t->e[best].ns <= 0)
			break;
		chosen[n] = best;
		if (evidence_set(&items[n], t->e[best].key,
				 strcmp(t->e[best].detail, t->e[best].key) ? t->e[best].detail
									   : "")) {
			evidence_free(items, n);
			return -ENOMEM;
		}
		items[n].ms = (double)t->e[best].ns / 1e6 / (trials ? trials : 1);
		items[n].count = t->e[best].count;
	}
	return n;
}

/* ---- the builder ---- */

/* A category's waits in one phase, summed over the cell's trials, with their evidence. */
struct category_sum {
	int64_t wall_ns, offcpu_ns, waits;
	struct tally stacks, files, tasks, wakers;
	bool seen;
};

struct diagnosis_builder {
	const struct rules *rules;
	struct text_pool *pool; /* the tallies' strings */
	struct text_pool own_pool;
	int trials;
	int64_t dur_ns[PH_COUNT];
	int timed[PH_COUNT]; /* durations given, 0 included */
	int64_t oncpu_ns[PH_COUNT];
	bool sampled;
	struct category_sum *sum[PH_COUNT]; /* rules->n + 1: the last is the uncategorized waits */
	struct tally behind[PH_COUNT];
	/* The last wait's rule, for the next one with the same stack and call: its strings
	 * one after the other (key_fields), NULL before the first. */
	char *last_key;
	size_t last_key_cap;
	int last_rule;
};

struct diagnosis_builder *diagnosis_builder_new(const struct rules *rules)
{
	return diagnosis_builder_new_in(rules, NULL);
}

struct diagnosis_builder *diagnosis_builder_new_in(const struct rules *rules,
						   struct text_pool *pool)
{
	struct diagnosis_builder *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->rules = rules;
	b->pool = pool ? pool : &b->own_pool;
	for (int p = 0; p < PH_COUNT; p++) {
		b->sum[p] = calloc((size_t)rules->n + 1, sizeof(struct category_sum));
		if (!b->sum[p]) {
			diagnosis_builder_free(b);
			return NULL;
		}
	}
	return b;
}

static void category_sum_free(struct category_sum *a)
{
	tally_free(&a->stacks);
	tally_free(&a->files);
	tally_free(&a->tasks);
	tally_free(&a->wakers);
}

void diagnosis_builder_free(struct diagnosis_builder *b)
{
	if (!b)
		return;
	for (int p = 0; p < PH_COUNT; p++) {
		for (int i = 0; b->sum[p] && i <= b->rules->n; i++)
			category_sum_free(&b->sum[p][i]);
		free(b->sum[p]);
		tally_free(&b->behind[p]);
	}
	free(b->last_key);
	text_pool_free(&b->own_pool);
	free(b);
}

void diagnosis_add_trial(struct diagnosis_builder *b)
{
	b->trials++;
}

void diagnosis_add_phase_time(struct diagnosis_builder *b, int phase, int64_t duration_ns)
{
	if (phase < 0 || phase >= PH_COUNT || duration_ns < 0)
		return;
	b->timed[phase]++;
	b->dur_ns[phase] += duration_ns;
}

void diagnosis_short_stack(const char *folded, int frames, char *out, size_t len)
{
	const char *f[128];
	size_t fl[128], o = 0;
	int n = 0, leaf;

	out[0] = '\0';
	for (const char *s = folded; *s && n < 128;) {
		size_t l = strcspn(s, ";");

		f[n] = s;
		fl[n++] = l;
		s += l;
		if (*s == ';')
			s++;
	}
	for (leaf = n - 1; leaf >= 0 && sched_plumbing_frame(f[leaf], fl[leaf]); leaf--)
		;
	for (int i = leaf, k = 0; i >= 0 && k < frames; i--, k++) {
		int w = snprintf(out + o, len - o, "%s%.*s", k ? " < " : "", (int)fl[i], f[i]);

		if (w < 0 || (size_t)w >= len - o) {
			out[o] = '\0';
			break;
		}
		o += (size_t)w;
	}
}

static bool is_waiting(const char *actor)
{
	return strcmp(actor, "engine") == 0 || strcmp(actor, "target") == 0;
}

/* The strings that decide a wait's rule, in the order last_key keeps them. */
#define KEY_FIELDS 7
static void key_fields(const struct diagnosis_wait *w, const char *f[KEY_FIELDS])
{
	f[0] = w->folded;
	f[1] = w->call;
	f[2] = w->file;
	f[3] = w->state;
	f[4] = w->comm;
	f[5] = w->actor;
	f[6] = w->waker;
}

static bool same_as_last(const struct diagnosis_builder *b, const char *const f[KEY_FIELDS])
{
	const char *k = b->last_key;

	for (int i = 0; k && i < KEY_FIELDS; i++) {
		if (strcmp(k, f[i]) != 0)
			return false;
		k += strlen(k) + 1;
	}
	return k != NULL;
}

/* A copy: the caller's strings (a streamed row) are gone by the next wait. */
static void remember(struct diagnosis_builder *b, const char *const f[KEY_FIELDS], int rule)
{
	size_t need = 0, o = 0;

	for (int i = 0; i < KEY_FIELDS; i++)
		need += strlen(f[i]) + 1;
	if (array_reserve_from((void **)&b->last_key, &b->last_key_cap, need, 1, 256)) {
		free(b->last_key);
		b->last_key = NULL;
		b->last_key_cap = 0;
		return;
	}
	for (int i = 0; i < KEY_FIELDS; i++) {
		size_t n = strlen(f[i]) + 1;

		memcpy(b->last_key + o, f[i], n);
		o += n;
	}
	b->last_rule = rule;
}

static int rule_of(struct diagnosis_builder *b, const struct diagnosis_wait *w)
{
	struct wait_view v = {w->folded, w->call, w->file, w->state, w->comm, w->actor, w->waker};
	const char *f[KEY_FIELDS];
	int rule;

	key_fields(w, f);
	/* Rows come grouped by stack: most are the previous row's case again. */
	if (same_as_last(b, f))
		return b->last_rule;
	rule = rules_match(b->rules, &v);
	remember(b, f, rule);
	return rule;
}

static int tally_work_behind(struct diagnosis_builder *b, const struct diagnosis_wait *w)
{
	char key[DIAGNOSIS_TEXT_LEN], stack[DIAGNOSIS_TEXT_LEN - 64];

	if (w->offcpu_ns <= 0 || strcmp(w->state, "sleep") == 0)
		return 0;
	diagnosis_short_stack(w->folded, 3, stack, sizeof(stack));
	snprintf(key, sizeof(key), "%s %s %s%s%s", w->actor, w->comm, w->state,
		 stack[0] ? ": " : "", stack);
	return tally_add(&b->behind[w->phase], b->pool, key, w->folded, w->offcpu_ns, w->count);
}

int diagnosis_wait_category(struct diagnosis_builder *b, const struct diagnosis_wait *w)
{
	int r;

	if (!is_waiting(w->actor) || w->wall_ns <= 0)
		return DIAGNOSIS_NO_SHARE; /* an interruptible sleep outside calls: no share */
	r = rule_of(b, w);
	return r >= 0 ? r : DIAGNOSIS_UNCATEGORIZED;
}

int diagnosis_add_wait(struct diagnosis_builder *b, const struct diagnosis_wait *w)
{
	char text[DIAGNOSIS_TEXT_LEN];
	struct category_sum *a;
	int r, rc;

	if (w->phase < 0 || w->phase >= PH_COUNT)
		return -EINVAL;
	if (!is_waiting(w->actor))
		return tally_work_behind(b, w);
	r = diagnosis_wait_category(b, w);
	if (r == DIAGNOSIS_NO_SHARE)
		return 0;
	a = &b->sum[w->phase][r >= 0 ? r : b->rules->n];
	a->seen = true;
	if (strcmp(w->state, "oncpu") == 0) {
		b->oncpu_ns[w->phase] += w->wall_ns;
		b->sampled = true;
	}
	a->wall_ns += w->wall_ns;
	a->offcpu_ns += w->offcpu_ns;
	a->waits += w->count;
	diagnosis_short_stack(w->folded, SHORT_FRAMES, text, sizeof(text));
	/* An off-CPU wait without a stack (a run-queue wait after an interruptible sleep, a full
	 * stack map) says so, so that no cause stands bare; a call's evidence is its file. */
	if (!text[0] && strcmp(w->state, "oncpu") == 0)
		snprintf(text, sizeof(text), "(on a CPU, no sample taken)");
	else if (!text[0] && strcmp(w->state, "call") != 0)
		snprintf(text, sizeof(text), "(no stack recorded)");
	rc = tally_add(&a->stacks, b->pool, text, w->folded, w->wall_ns, w->count);
	if (!rc && w->call[0]) {
		snprintf(text, sizeof(text), "%s %s%s", w->call, w->file[0] ? w->file : "-",
			 w->deleted ? " (deleted)" : "");
		rc = tally_add(&a->files, b->pool, text, NULL, w->wall_ns, w->count);
	}
	if (!rc) {
		snprintf(text, sizeof(text), "%s %s", w->comm[0] ? w->comm : "?",
			 strcmp(w->state, "call") == 0	  ? "in call"
			 : strcmp(w->state, "oncpu") == 0 ? "on CPU"
							  : w->state);
		rc = tally_add(&a->tasks, b->pool, text, NULL, w->wall_ns, w->count);
	}
	if (!rc)
		rc = tally_add(&a->wakers, b->pool, w->waker, NULL, w->wall_ns, w->count);
	return rc;
}

static void cause_free(struct diagnosis_cause *c)
{
	evidence_free(c->stacks, c->n_stacks);
	evidence_free(c->files, c->n_files);
	evidence_free(c->tasks, c->n_tasks);
	evidence_free(c->wakers, c->n_wakers);
	c->n_stacks = c->n_files = c->n_tasks = c->n_wakers = 0;
}

/* 0 or -ENOMEM (c then holds no evidence). */
static int fill_cause(struct diagnosis_cause *c, int rule, const struct category_sum *a, int trials)
{
	double t = trials ? trials : 1;

	memset(c, 0, sizeof(*c));
	c->rule = rule;
	c->ms = (double)a->wall_ns / 1e6 / t;
	c->offcpu_ms = (double)a->offcpu_ns / 1e6 / t;
	c->waits = a->waits;
	if ((c->n_stacks = tally_top(&a->stacks, c->stacks, DIAGNOSIS_TOP_ITEMS, trials)) < 0 ||
	    (c->n_files = tally_top(&a->files, c->files, DIAGNOSIS_TOP_ITEMS, trials)) < 0 ||
	    (c->n_tasks = tally_top(&a->tasks, c->tasks, DIAGNOSIS_TOP_ITEMS, trials)) < 0 ||
	    (c->n_wakers = tally_top(&a->wakers, c->wakers, DIAGNOSIS_TOP_ITEMS, trials)) < 0) {
		c->n_stacks = c->n_stacks < 0 ? 0 : c->n_stacks;
		c->n_files = c->n_files < 0 ? 0 : c->n_files;
		c->n_tasks = c->n_tasks < 0 ? 0 : c->n_tasks;
		c->n_wakers = 0;
		cause_free(c);
		return -ENOMEM;
	}
	return 0;
}

static int cmp_cause(const void *x, const void *y)
{
	const struct diagnosis_cause *a = x, *b = y;

	if (a->ms != b->ms)
		return a->ms > b->ms ? -1 : 1;
	return a->rule - b->rule;
}

static int diagnose_phase(struct diagnosis_builder *b, int p, struct diagnosis_phase *ph)
{
	double t = b->trials ? b->trials : 1;
	int n = 0;

	memset(ph, 0, sizeof(*ph));
	ph->measured_ms = (double)b->dur_ns[p] / 1e6 / t;
	for (int r = 0; r < b->rules->n; r++)
		n += b->sum[p][r].seen && b->sum[p][r].wall_ns > 0;
	ph->causes = calloc((size_t)n + 1, sizeof(*ph->causes));
	if (!ph->causes)
		return -ENOMEM;
	ph->n_causes = 0;
	for (int r = 0; r < b->rules->n; r++)
		if (b->sum[p][r].seen && b->sum[p][r].wall_ns > 0) {
			if (fill_cause(&ph->causes[ph->n_causes], r, &b->sum[p][r], b->trials))
				return -ENOMEM;
			ph->n_causes++;
		}
	n = ph->n_causes;
	qsort(ph->causes, (size_t)n, sizeof(*ph->causes), cmp_cause);
	if (fill_cause(&ph->unexplained, DIAGNOSIS_UNCATEGORIZED, &b->sum[p][b->rules->n],
		       b->trials))
		return -ENOMEM;
	for (int i = 0; i < n; i++)
		ph->explained_ms += ph->causes[i].ms;
	ph->uncategorized_ms = ph->unexplained.ms;
	ph->oncpu_ms = (double)b->oncpu_ns[p] / 1e6 / t;
	/* What is left: on a CPU or asleep interruptibly. Rounding may leave a few ns below 0. */
	ph->nowait_ms = ph->measured_ms - ph->explained_ms - ph->uncategorized_ms;
	if (ph->nowait_ms < 0 && ph->nowait_ms > -1e-3)
		ph->nowait_ms = 0;
	ph->n_behind = tally_top(&b->behind[p], ph->behind, DIAGNOSIS_TOP_ITEMS, b->trials);
	if (ph->n_behind < 0) {
		ph->n_behind = 0;
		return -ENOMEM;
	}
	return 0;
}

int diagnosis_finish_cell(struct diagnosis_builder *b, struct diagnosis_cell *out)
{
	bool any_timed = false;

	memset(out, 0, sizeof(*out));
	out->trials = b->trials;
	out->sampled = b->sampled;
	for (int p = 0; p < PH_COUNT; p++)
		any_timed = any_timed || b->timed[p];
	for (int p = 0; p < PH_COUNT; p++) {
		if (diagnose_phase(b, p, &out->phase[p])) {
			diagnosis_cell_free(out);
			return -ENOMEM;
		}
		out->phase[p].absent = any_timed && !b->timed[p];
	}
	return 0;
}

void diagnosis_cell_free(struct diagnosis_cell *c)
{
	for (int p = 0; p < PH_COUNT; p++) {
		struct diagnosis_phase *ph = &c->phase[p];

		for (int i = 0; i < ph->n_causes; i++)
			cause_free(&ph->causes[i]);
		cause_free(&ph->unexplained);
		evidence_free(ph->behind, ph->n_behind);
		ph->n_behind = 0;
		free(ph->causes);
		ph->causes = NULL;
		ph->n_causes = 0;
	}
}

/* ---- against a baseline ---- */

static double cause_ms(const struct diagnosis_phase *p, int rule)
{
	for (int i = 0; i < p->n_causes; i++)
		if (p->causes[i].rule == rule)
			return p->causes[i].ms;
	return 0;
}

static int cmp_delta(const void *x, const void *y)
{
	const struct diagnosis_delta *a = x, *b = y;

	if (a->ms != b->ms)
		return a->ms > b->ms ? -1 : 1;
	return a->rule - b->rule;
}

static void add_delta_once(struct diagnosis_diff *out, int rule, double ms)
{
	for (int i = 0; i < out->n; i++)
		if (out->d[i].rule == rule)
			return;
	out->d[out->n].rule = rule;
	out->d[out->n].ms = ms;
	out->n++;
}

void diagnosis_compare(const struct diagnosis_phase *a, const struct diagnosis_phase *base,
		       struct diagnosis_diff *out)
{
	memset(out, 0, sizeof(*out));
	if (!diagnosis_comparable(a, base))
		return;
	out->measured_ms = a->measured_ms - base->measured_ms;
	for (int i = 0; i < a->n_causes && out->n < RULES_MAX; i++)
		add_delta_once(out, a->causes[i].rule,
			       a->causes[i].ms - cause_ms(base, a->causes[i].rule));
	for (int i = 0; i < base->n_causes && out->n < RULES_MAX; i++)
		add_delta_once(out, base->causes[i].rule,
			       cause_ms(a, base->causes[i].rule) - base->causes[i].ms);
	add_delta_once(out, DIAGNOSIS_UNCATEGORIZED, a->uncategorized_ms - base->uncategorized_ms);
	add_delta_once(out, DIAGNOSIS_NO_WAIT, a->nowait_ms - base->nowait_ms);
	qsort(out->d, (size_t)out->n, sizeof(*out->d), cmp_delta);
}

bool diagnosis_comparable(const struct diagnosis_phase *a, const struct diagnosis_phase *base)
{
	return a->absent == base->absent;
}

const char *diagnosis_category_name(const struct rules *r, int rule)
{
	if (rule == DIAGNOSIS_UNCATEGORIZED)
		return "waits no rule matches";
	if (rule == DIAGNOSIS_NO_WAIT)
		return "time with no wait recorded";
	if (r && rule >= 0 && rule < r->n)
		return r->rule[rule].name;
	return "?";
}
