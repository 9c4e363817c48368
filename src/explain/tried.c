// SPDX-License-Identifier: GPL-2.0-only
/* A try run's A and B trials beside the diagnosis, and the rules' try lines as commands. */
#include "explain/tried.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/cell.h"

int tried_add_trial(struct explain_cell *c, const struct rules *rules, int trial,
		    const char *variant)
{
	enum ab_variant v;
	int rc;

	if (ab_variant_parse(variant, &v))
		return 0;
	if (!c->ab) {
		c->ab = calloc(1, sizeof(*c->ab));
		if (!c->ab || ab_values_init(c->ab, rules)) {
			tried_free(c);
			return -ENOMEM;
		}
	}
	rc = ab_values_add_trial(c->ab, trial, v);
	return rc == -EEXIST ? 0 : rc;
}

void tried_add_phase(struct explain_cell *c, int trial, int phase, int64_t duration_ns)
{
	if (c->ab)
		ab_values_add_phase(c->ab, trial, phase, duration_ns);
}

int tried_add_wait(struct explain_cell *c, int trial, const struct diagnosis_wait *w)
{
	return c->ab ? ab_values_add_wait(c->ab, trial, w) : 0;
}

void tried_free(struct explain_cell *c)
{
	if (c->ab)
		ab_values_free(c->ab);
	free(c->ab);
	c->ab = NULL;
}

void tried_read_spec(struct explain_run *r, json_object *run_json)
{
	json_object *t, *spec;

	r->tried[0] = '\0';
	if (run_json && json_object_object_get_ex(run_json, "try", &t) &&
	    json_object_object_get_ex(t, "remedies", &spec) &&
	    json_object_is_type(spec, json_type_string))
		snprintf(r->tried, sizeof(r->tried), "%s", json_object_get_string(spec));
}

bool tried_cell_paired(const struct explain_cell *c)
{
	return c && c->ab && ab_values_paired(c->ab);
}

const struct explain_cell *tried_cell(const struct explain_run *t, const struct explain_cell *c)
{
	const struct explain_cell *same = explain_find(t, c->name), *only = NULL;

	if (tried_cell_paired(same))
		return same;
	for (size_t i = 0; i < t->n_cells; i++)
		if (tried_cell_paired(&t->cells[i])) {
			if (only)
				return NULL; /* several: none speaks for another cell */
			only = &t->cells[i];
		}
	return only;
}

int tried_compare(const struct explain_cell *c, int phase, int category, struct comparison *out)
{
	if (!tried_cell_paired(c))
		return -ENOENT;
	return ab_values_compare(c->ab, phase, category, out);
}

bool tried_phrase(const struct explain_run *t, const struct explain_cell *c, int phase,
		  int category, char *out, size_t len)
{
	struct comparison k;

	out[0] = '\0';
	if (tried_compare(c, phase, category, &k))
		return false;
	if (k.verdict == VERDICT_NONE)
		snprintf(out, len, "%s: %+.1f ms, %s (%zu A, %zu B)",
			 t->tried[0] ? t->tried : "the remedy", k.diff, verdict_name(k.verdict),
			 k.n_a, k.n_b);
	else
		snprintf(out, len, "%s: %+.1f ms [%+.1f, %+.1f] %s%s",
			 t->tried[0] ? t->tried : "the remedy", k.diff, k.lo, k.hi,
			 verdict_name(k.verdict),
			 k.n_a < COMPARE_FEW || k.n_b < COMPARE_FEW
				 ? " (few trials: too narrow to trust)"
				 : "");
	return true;
}

/* The remedy name of a spec item: "dirty" of "dirty=64M:16M", all of "nodiscard". */
static size_t name_len(const char *item, size_t n)
{
	size_t eq = strcspn(item, "=");

	return eq < n ? eq : n;
}

/* A try line without its context tag. */
static const char *try_spec(const char *line)
{
	const char *sp = line[0] == '[' ? strchr(line, ']') : NULL;

	return sp ? sp + 1 + (sp[1] == ' ') : line;
}

bool tried_addresses(const struct rule *rule, const char *spec)
{
	for (const char *s = spec; *s;) {
		size_t n = strcspn(s, ","), k = name_len(s, n);

		for (int i = 0; k && i < rule->n_tries; i++) {
			const char *t = try_spec(rule->tries[i]);

			if (name_len(t, strlen(t)) == k && strncmp(t, s, k) == 0)
				return true;
		}
		s += n + (s[n] == ',');
	}
	return false;
}

bool tried_already(const struct explain_run *r, const struct explain_cell *c,
		   const struct rule *rule, int i)
{
	const char *t = try_spec(rule->tries[i]);
	size_t n = strlen(t);

	if (!tried_cell_paired(c))
		return false;
	for (const char *s = r->tried; *s;) {
		size_t k = strcspn(s, ",");

		if (k == n && strncmp(s, t, n) == 0)
			return true;
		s += k + (s[k] == ',');
	}
	return false;
}

bool tried_command(const struct rule *rule, int i, const struct explain_cell *c, char *out,
		   size_t len)
{
	bool loaded = !explain_is_base_load(c->load);
	const char *spec = explain_in_context(rule->tries[i], loaded);
	int load = load_from_name(c->load);

	out[0] = '\0';
	if (!spec || load < 0 || load == LOAD_CUSTOM || load == LOAD_DEVICE)
		return false;
	if (loaded)
		snprintf(out, len, "restartprof try %s --load %s --stressors %d", spec, c->load,
			 c->stressors > 0 ? c->stressors : 1);
	else
		snprintf(out, len, "restartprof try %s --load none", spec);
	return true;
}
