// SPDX-License-Identifier: GPL-2.0-only
/* A remedy spec ("dirty=64M:16M,wbt=2000") read against the definitions. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "remedy/defs.h"

/* One argument's text checked against its type into the value written ("67108864"). */
static int arg_value(const struct remedy_def *def, int i, const char *text, uint64_t *num,
		     char *out, size_t len, char *err, size_t errlen)
{
	const struct def_arg *a = &def->arg[i];
	int rc = remedy_arg_check(a, text, num);

	if (rc == 0 && strlen(text) >= len)
		rc = -1;
	if (rc == -1) {
		snprintf(err, errlen, "%s: '%.40s' is not %s", def->name, text,
			 a->type == ARG_PATH	 ? "an absolute path"
			 : a->type == ARG_NUMBER ? "a whole number"
			 : a->type == ARG_RATE	 ? "a rate in bytes per second (like 20M)"
						 : "a size in bytes (like 64M)");
		return -EINVAL;
	}
	if (rc == -2) {
		snprintf(err, errlen, "%s: %.40s is out of range (%" PRIu64 " to %" PRIu64 ")",
			 def->name, text, a->min, a->max);
		return -EINVAL;
	}
	if (a->type == ARG_PATH) {
		snprintf(out, len, "%s", text);
		return 0;
	}
	snprintf(out, len, "%" PRIu64, *num);
	return 0;
}

/* NAME=ARG1:ARG2 args into their values, defaults filled in. */
static int args_values(const struct remedy_def *def, const char *args,
		       char values[DEF_ARGS_MAX][PATH_MAX], char *err, size_t errlen)
{
	uint64_t num[DEF_ARGS_MAX] = {0};
	const char *p = args;
	int i;

	for (i = 0; i < def->n_args && p; i++) {
		char text[PATH_MAX];
		const char *colon = i + 1 < def->n_args ? strchr(p, ':') : NULL;
		size_t n = colon ? (size_t)(colon - p) : strlen(p);

		if (n >= sizeof(text) || n == 0) {
			snprintf(err, errlen, "%s: an empty or too long value", def->name);
			return -EINVAL;
		}
		memcpy(text, p, n);
		text[n] = '\0';
		if (arg_value(def, i, text, &num[i], values[i], PATH_MAX, err, errlen))
			return -EINVAL;
		p = colon ? colon + 1 : NULL;
	}
	if (p && def->n_args) {
		snprintf(err, errlen, "%s takes %s", def->name, def->args);
		return -EINVAL;
	}
	for (; i < def->n_args; i++) {
		const struct def_arg *a = &def->arg[i];

		if (!a->has_default) {
			snprintf(err, errlen, "%s wants a value: %s=%s", def->name, def->name,
				 def->args);
			return -EINVAL;
		}
		if (a->default_of) {
			char text[24];

			snprintf(text, sizeof(text), "%" PRIu64,
				 num[a->default_of - 1] / a->default_div);
			if (arg_value(def, i, text, &num[i], values[i], PATH_MAX, err, errlen))
				return -EINVAL; /* the value given makes a default out of range */
		} else if (arg_value(def, i, a->default_value, &num[i], values[i], PATH_MAX, err,
				     errlen)) {
			return -EINVAL;
		}
	}
	return 0;
}

static int fill(const struct remedy_def *def, char values[DEF_ARGS_MAX][PATH_MAX], struct remedy *r,
		char *err, size_t errlen)
{
	uint64_t v = 0;

	r->kind = def->kind;
	r->needs = def->needs;
	for (int i = 0; i < def->n_set; i++) {
		const char *val = def->set[i].value;

		if (val[0] == '$')
			val = values[val[1] - '1'];
		if (strlen(val) >= sizeof(r->set[i].value)) {
			snprintf(err, errlen, "%s: value too long", def->name);
			return -EINVAL;
		}
		snprintf(r->set[i].path, sizeof(r->set[i].path), "%s", def->set[i].path);
		snprintf(r->set[i].value, sizeof(r->set[i].value), "%s", val);
	}
	r->n_set = def->n_set;
	for (int i = 0; i < def->n_save; i++)
		snprintf(r->also_saved[i], sizeof(r->also_saved[i]), "%s", def->save[i]);
	r->n_also_saved = def->n_save;
	if (def->kind == REMEDY_LOAD_CPUS || def->kind == REMEDY_LOAD_WBPS)
		sscanf(values[0], "%" SCNu64, &v);
	if (def->kind == REMEDY_LOAD_CPUS)
		r->load.fewer_cpus = (int)v;
	if (def->kind == REMEDY_LOAD_WBPS)
		r->load.write_bps = v;
	if (def->kind == REMEDY_LOAD_FS)
		snprintf(r->load.fs_dir, sizeof(r->load.fs_dir), "%s", values[0]);
	return 0;
}

/* Refuses a setting that two remedies of the set both change. */
static int overlap(const struct remedy_set *set, const struct remedy *r, char *err, size_t errlen)
{
	for (int i = 0; i < set->n; i++) {
		if (strcmp(set->r[i].name, r->name) == 0) {
			snprintf(err, errlen, "%s is given twice", r->name);
			return -EINVAL;
		}
		if (set->r[i].kind == r->kind && r->kind != REMEDY_SETTINGS) {
			snprintf(err, errlen, "%s and %s change the same thing", set->r[i].name,
				 r->name);
			return -EINVAL;
		}
		for (int a = 0; a < set->r[i].n_set; a++)
			for (int b = 0; b < r->n_set; b++)
				if (strcmp(set->r[i].set[a].path, r->set[b].path) == 0) {
					snprintf(err, errlen, "%s and %s both set %s",
						 set->r[i].name, r->name, r->set[b].path);
					return -EINVAL;
				}
	}
	return 0;
}

static int parse_one(const struct remedy_defs *d, const char *item, struct remedy_set *set,
		     char *err, size_t errlen)
{
	char values[DEF_ARGS_MAX][PATH_MAX];
	const struct remedy_def *def;
	char name[REMEDY_NAME_LEN];
	const char *eq = strchr(item, '=');
	size_t n = eq ? (size_t)(eq - item) : strlen(item);
	struct remedy *r;

	if (n == 0 || n >= sizeof(name)) {
		snprintf(err, errlen, "unknown remedy '%.*s'", (int)(n > 40 ? 40 : n), item);
		return -EINVAL;
	}
	memcpy(name, item, n);
	name[n] = '\0';
	def = remedy_def_find(d, name);
	if (!def) {
		snprintf(err, errlen, "unknown remedy '%s' (restartprof try --list shows them)",
			 name);
		return -EINVAL;
	}
	if (def->n_args == 0 && eq) {
		snprintf(err, errlen, "%s takes no value", name);
		return -EINVAL;
	}
	if (def->n_args && (!eq || !eq[1]) && !(def->arg[0].has_default)) {
		snprintf(err, errlen, "%s wants a value: %s=%s", name, name, def->args);
		return -EINVAL;
	}
	if (set->n == REMEDY_MAX) {
		snprintf(err, errlen, "more than %d remedies at once", REMEDY_MAX);
		return -EINVAL;
	}
	memset(values, 0, sizeof(values));
	if (args_values(def, eq && eq[1] ? eq + 1 : NULL, values, err, errlen))
		return -EINVAL;
	r = &set->r[set->n];
	memset(r, 0, sizeof(*r));
	snprintf(r->spec, sizeof(r->spec), "%s", item);
	snprintf(r->name, sizeof(r->name), "%s", name);
	if (fill(def, values, r, err, errlen) || overlap(set, r, err, errlen))
		return -EINVAL;
	if (r->kind >= REMEDY_LOAD_CPUS && r->kind <= REMEDY_LOAD_FS)
		set->changes_load = true;
	set->n++;
	return 0;
}

int remedy_parse(const struct remedy_defs *d, const char *spec, struct remedy_set *set, char *err,
		 size_t errlen)
{
	memset(set, 0, sizeof(*set));
	if (!spec || !*spec) {
		snprintf(err, errlen, "no remedy given");
		return -EINVAL;
	}
	for (const char *p = spec; *p;) {
		char item[REMEDY_SPEC_LEN];
		size_t n = strcspn(p, ",");

		if (n == 0 || n >= sizeof(item)) {
			snprintf(err, errlen, "%s remedy in '%.60s'", n ? "a too long" : "an empty",
				 spec);
			return -EINVAL;
		}
		memcpy(item, p, n);
		item[n] = '\0';
		if (parse_one(d, item, set, err, errlen))
			return -EINVAL;
		p += n + (p[n] ? 1 : 0);
		if (p[-1] == ',' && !*p) {
			snprintf(err, errlen, "an empty remedy in '%.60s'", spec);
			return -EINVAL;
		}
	}
	return 0;
}

void remedy_set_load(const struct remedy_set *set, struct load_change *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < set->n; i++) {
		const struct load_change *l = &set->r[i].load;

		if (l->fewer_cpus > out->fewer_cpus)
			out->fewer_cpus = l->fewer_cpus;
		if (l->write_bps && (!out->write_bps || l->write_bps < out->write_bps)) {
			out->write_bps = l->write_bps;
			snprintf(out->write_dev, sizeof(out->write_dev), "%s", l->write_dev);
		}
		if (l->fs_dir[0] && !out->fs_dir[0])
			snprintf(out->fs_dir, sizeof(out->fs_dir), "%s", l->fs_dir);
	}
}
