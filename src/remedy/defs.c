// SPDX-License-Identifier: GPL-2.0-only
/* Remedy definitions (rules/remedies, --remedies FILE): the line format, parsed. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remedy/defs.h"
#include "util/files.h"
#include "util/names.h"

#define REMEDIES_FILE_LIMIT (1u << 20)
#define LINE_MAX_LEN	    512

static const char *const kind_names[] = {"settings", "load-cpus", "load-wbps", "load-fs",
					 "nodiscard"};
static const char *const type_names[] = {"size", "rate", "number", "path"};

struct parser {
	struct remedy_defs *d;
	struct remedy_def *cur;
	const char *name;
	int line;
	bool builtin;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int parse_error(struct parser *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%.100s:%d: %s", p->name, p->line, msg);
	return -EINVAL;
}

/* Splits line into at most max words (spaces and tabs); the last takes the rest. */
static int split(char *line, char **w, int max)
{
	int n = 0;

	while (n < max) {
		line += strspn(line, " \t");
		if (!*line)
			break;
		w[n++] = line;
		if (n == max)
			break;
		line += strcspn(line, " \t");
		if (*line)
			*line++ = '\0';
	}
	if (n) { /* the last word's trailing blanks */
		char *e = w[n - 1] + strlen(w[n - 1]);

		while (e > w[n - 1] && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = '\0';
	}
	return n;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < REMEDY_NAME_LEN &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n && s[0] != '-';
}

/* One path component of a /sys/block path: [A-Za-z0-9_.-]+, not "." or "..". */
static bool valid_component(const char *s, size_t n)
{
	static const char ok[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";

	if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr(ok, s[i]) || !s[i])
			return false;
	return true;
}

bool remedy_path_allowed(const char *path)
{
	static const char vm[] = "/proc/sys/vm/", blk[] = "/sys/block/";
	const char *p;
	size_t k;

	if (strncmp(path, vm, sizeof(vm) - 1) == 0) {
		p = path + sizeof(vm) - 1;
		return valid_component(p, strlen(p)) && !strchr(p, '/');
	}
	if (strncmp(path, blk, sizeof(blk) - 1))
		return false;
	p = path + sizeof(blk) - 1;
	k = strcspn(p, "/");
	if (!(k == 4 && memcmp(p, "$DEV", 4) == 0) && !valid_component(p, k))
		return false;
	p += k;
	if (strncmp(p, "/queue/", 7))
		return false;
	p += 7;
	do {
		k = strcspn(p, "/");
		if (!valid_component(p, k))
			return false;
		p += k;
	} while (*p++ == '/');
	return true;
}

int remedy_parse_size(const char *s, bool rate, uint64_t *out)
{
	static const char units[] = "KMGT";
	uint64_t v = 0;
	const char *p = s, *u;
	int shift = 0;

	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p && (u = strchr(units, *p & ~0x20)) != NULL) {
		shift = 10 * (int)(u - units + 1);
		p++;
		if (*p == 'i' && p[1] == 'B')
			p += 2;
		else if (*p == 'B')
			p++;
	} else if (*p == 'B') {
		p++;
	}
	if (rate && strcmp(p, "/s") == 0)
		p += 2;
	if (*p || (shift && v > (UINT64_MAX >> shift)))
		return -1;
	*out = v << shift;
	return 0;
}

static int parse_number(const char *s, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

int remedy_arg_check(const struct def_arg *a, const char *text, uint64_t *num)
{
	*num = 0;
	if (a->type == ARG_PATH)
		return text[0] == '/' && !strchr(text, ',') ? 0 : -1;
	if (remedy_parse_size(text, a->type == ARG_RATE, num) ||
	    (a->type == ARG_NUMBER && strspn(text, "0123456789") != strlen(text)))
		return -1;
	return *num < a->min || *num > a->max ? -2 : 0;
}

/* "arg N TYPE [min X] [max X] [default X|$K|$K/D]" */
static int parse_arg(struct parser *p, char *rest)
{
	struct remedy_def *r = p->cur;
	char *w[10];
	int n = split(rest, w, 10), k, t;
	struct def_arg *a;

	if (n < 2 || strlen(w[0]) != 1 || w[0][0] != '1' + r->n_args)
		return parse_error(p, "arg lines number the arguments 1, 2 in order");
	if (r->n_args == DEF_ARGS_MAX)
		return parse_error(p, "at most %d arguments", DEF_ARGS_MAX);
	t = name_lookup(type_names, 4, w[1]);
	if (t < 0)
		return parse_error(p, "unknown argument type '%.40s' (size, rate, number, path)",
				   w[1]);
	a = &r->arg[r->n_args];
	memset(a, 0, sizeof(*a));
	a->type = (enum arg_type)t;
	a->max = UINT64_MAX;
	for (k = 2; k + 1 < n; k += 2) {
		uint64_t v;

		if (strcmp(w[k], "default") == 0) {
			a->has_default = true;
			if (w[k + 1][0] == '$') {
				char *slash;

				a->default_of = w[k + 1][1] - '0';
				slash = strchr(w[k + 1], '/');
				a->default_div = 1;
				if (a->default_of < 1 || a->default_of > r->n_args ||
				    (slash ? slash != w[k + 1] + 2 : w[k + 1][2] != '\0') ||
				    (slash && (parse_number(slash + 1, &a->default_div) ||
					       a->default_div == 0)) ||
				    a->type == ARG_PATH ||
				    r->arg[a->default_of - 1].type == ARG_PATH)
					return parse_error(p,
							   "a default is a value, $K or $K/D of an "
							   "earlier number argument");
			} else if (strlen(w[k + 1]) >= sizeof(a->default_value) ||
				   !printable(w[k + 1])) {
				return parse_error(p, "bad default value");
			} else {
				snprintf(a->default_value, sizeof(a->default_value), "%s",
					 w[k + 1]);
			}
		} else if (strcmp(w[k], "min") == 0 || strcmp(w[k], "max") == 0) {
			if (a->type == ARG_PATH ||
			    remedy_parse_size(w[k + 1], a->type == ARG_RATE, &v))
				return parse_error(p, "bad %s", w[k]);
			if (w[k][1] == 'i')
				a->min = v;
			else
				a->max = v;
		} else {
			return parse_error(p, "unknown word '%.40s' in an arg line", w[k]);
		}
	}
	if (k != n)
		return parse_error(p, "'%.40s' wants a value", w[k]);
	if (a->has_default && !a->default_of) {
		uint64_t v;

		if (remedy_arg_check(a, a->default_value, &v))
			return parse_error(p, "the default %s is not a %s in range",
					   a->default_value, type_names[a->type]);
	}
	if (r->n_args > 0 && r->arg[r->n_args - 1].has_default && !a->has_default)
		return parse_error(p, "an argument after an optional one must be optional too");
	r->n_args++;
	return 0;
}

static int parse_path(struct parser *p, const char *path, char *out)
{
	if (strlen(path) >= DEF_PATH_LEN || !remedy_path_allowed(path))
		return parse_error(p,
				   "'%.80s' is not a setting a remedy may change (only files "
				   "under /proc/sys/vm/ and /sys/block/DISK/queue/)",
				   path);
	memcpy(out, path, strlen(path) + 1);
	return 0;
}

static int parse_set(struct parser *p, char *rest)
{
	struct remedy_def *r = p->cur;
	char *w[3];
	int n = split(rest, w, 3);

	if (n != 2)
		return parse_error(p, "set takes a path and a value");
	if (r->n_set == REMEDY_SETTINGS_MAX)
		return parse_error(p, "at most %d set lines", REMEDY_SETTINGS_MAX);
	if (w[1][0] == '$' && (w[1][1] < '1' || w[1][1] > '0' + DEF_ARGS_MAX || w[1][2]))
		return parse_error(p, "a value is $1, $2 or a literal");
	if (strlen(w[1]) >= REMEDY_VALUE_LEN || !printable(w[1]))
		return parse_error(p, "bad value");
	if (parse_path(p, w[0], r->set[r->n_set].path))
		return -EINVAL;
	snprintf(r->set[r->n_set].value, REMEDY_VALUE_LEN, "%s", w[1]);
	r->n_set++;
	return 0;
}

static int parse_save(struct parser *p, char *rest)
{
	struct remedy_def *r = p->cur;
	char *w[2];

	if (split(rest, w, 2) != 1)
		return parse_error(p, "save takes one path");
	if (r->n_save == REMEDY_SETTINGS_MAX)
		return parse_error(p, "at most %d save lines", REMEDY_SETTINGS_MAX);
	if (parse_path(p, w[0], r->save[r->n_save]))
		return -EINVAL;
	r->n_save++;
	return 0;
}

static int parse_needs(struct parser *p, char *rest)
{
	char *w[4];
	int n = split(rest, w, 4);

	if (n == 0)
		return parse_error(p, "needs what? (cgroup2, discard)");
	for (int i = 0; i < n; i++) {
		if (strcmp(w[i], "cgroup2") == 0)
			p->cur->needs |= REMEDY_NEEDS_CGROUP2;
		else if (strcmp(w[i], "discard") == 0)
			p->cur->needs |= REMEDY_NEEDS_DISCARD;
		else
			return parse_error(p, "unknown need '%.40s' (cgroup2, discard)", w[i]);
	}
	return 0;
}

static int parse_kind(struct parser *p, char *rest)
{
	char *w[2];
	int k;

	if (split(rest, w, 2) != 1 || (k = name_lookup(kind_names, 5, w[0])) < 0)
		return parse_error(p, "kind is one of settings, load-cpus, load-wbps, load-fs, "
				      "nodiscard");
	if (k != REMEDY_SETTINGS && !p->builtin)
		return parse_error(p, "a remedy file defines settings only: kind %s is built in",
				   kind_names[k]);
	p->cur->kind = (enum remedy_kind)k;
	return 0;
}

static int parse_remedy(struct parser *p, char *rest)
{
	char *w[2];

	if (split(rest, w, 2) != 1 || !valid_name(w[0]))
		return parse_error(p, "remedy NAME: a name of a-z, 0-9 and -, under %d characters",
				   REMEDY_NAME_LEN);
	if (remedy_def_find(p->d, w[0]))
		return parse_error(p, "remedy %s is defined twice", w[0]);
	if (p->d->n == REMEDY_DEFS_MAX)
		return parse_error(p, "more than %d remedies", REMEDY_DEFS_MAX);
	p->cur = &p->d->d[p->d->n++];
	memset(p->cur, 0, sizeof(*p->cur));
	snprintf(p->cur->name, sizeof(p->cur->name), "%s", w[0]);
	p->cur->builtin = p->builtin;
	return 0;
}

/* What a finished definition must hold. */
static int finish(struct parser *p)
{
	struct remedy_def *r = p->cur;
	int want_args;

	if (!r)
		return 0;
	want_args = r->kind == REMEDY_NODISCARD ? 0 : 1;
	if (r->kind == REMEDY_SETTINGS && r->n_set == 0)
		return parse_error(p, "remedy %s sets nothing", r->name);
	if (r->kind != REMEDY_SETTINGS && (r->n_set || r->n_save || r->n_args != want_args))
		return parse_error(p, "remedy %s of kind %s takes %d argument%s and no set or save",
				   r->name, kind_names[r->kind], want_args, want_args ? "" : "s");
	for (int i = 0; i < r->n_set; i++)
		if (r->set[i].value[0] == '$' && r->set[i].value[1] - '0' > r->n_args)
			return parse_error(p, "remedy %s sets %s from %s, which has no arg line",
					   r->name, r->set[i].path, r->set[i].value);
	if (!r->about[0])
		return parse_error(p, "remedy %s has no about line", r->name);
	return 0;
}

static int parse_line(struct parser *p, char *line)
{
	char *w[2];
	int n;

	if (!printable(line))
		return parse_error(p, "a control character or a byte outside ASCII");
	n = split(line, w, 2);
	if (n == 0 || w[0][0] == '#')
		return 0;
	if (strcmp(w[0], "remedy") == 0) {
		if (finish(p))
			return -EINVAL;
		return parse_remedy(p, n > 1 ? w[1] : (char *)"");
	}
	if (!p->cur)
		return parse_error(p, "'%.40s' before the first remedy line", w[0]);
	if (n < 2)
		return parse_error(p, "'%.40s' wants a value", w[0]);
	if (strcmp(w[0], "about") == 0 || strcmp(w[0], "args") == 0) {
		bool about = w[0][1] == 'b';
		size_t cap = about ? DEF_ABOUT_LEN : DEF_ARGS_LEN;

		if (strlen(w[1]) >= cap)
			return parse_error(p, "%s longer than %zu characters", w[0], cap - 1);
		memcpy(about ? p->cur->about : p->cur->args, w[1], strlen(w[1]) + 1);
		return 0;
	}
	if (strcmp(w[0], "arg") == 0)
		return parse_arg(p, w[1]);
	if (strcmp(w[0], "set") == 0)
		return parse_set(p, w[1]);
	if (strcmp(w[0], "save") == 0)
		return parse_save(p, w[1]);
	if (strcmp(w[0], "needs") == 0)
		return parse_needs(p, w[1]);
	if (strcmp(w[0], "kind") == 0)
		return parse_kind(p, w[1]);
	return parse_error(p, "unknown keyword '%.40s'", w[0]);
}

static int parse_text(struct remedy_defs *d, const char *text, size_t len, const char *name,
		      bool builtin, char *err, size_t errlen)
{
	struct parser p = {d, NULL, name, 0, builtin, err, errlen};
	char line[LINE_MAX_LEN];

	for (size_t at = 0; at < len;) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) : len - at;

		p.line++;
		if (n >= sizeof(line))
			return parse_error(&p, "line longer than %d bytes", LINE_MAX_LEN - 1);
		memcpy(line, text + at, n);
		line[n] = '\0';
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (memchr(text + at, '\0', n))
			return parse_error(&p, "a NUL byte");
		if (parse_line(&p, line))
			return -EINVAL;
		at += n + 1;
	}
	return finish(&p);
}

const struct remedy_def *remedy_def_find(const struct remedy_defs *d, const char *name)
{
	for (int i = 0; i < d->n; i++)
		if (strcmp(d->d[i].name, name) == 0)
			return &d->d[i];
	return NULL;
}

extern const char rp_remedies_blob[], rp_remedies_blob_end[];

static struct remedy_defs *with_builtin(char *err, size_t errlen)
{
	struct remedy_defs *d = calloc(1, sizeof(*d));

	if (!d) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (parse_text(d, rp_remedies_blob, (size_t)(rp_remedies_blob_end - rp_remedies_blob),
		       "rules/remedies", true, err, errlen)) {
		free(d);
		return NULL;
	}
	return d;
}

struct remedy_defs *remedy_defs_parse(const char *text, const char *name, char *err, size_t errlen)
{
	struct remedy_defs *d = with_builtin(err, errlen);

	if (d && text &&
	    parse_text(d, text, strlen(text), name ? name : "remedies", false, err, errlen)) {
		free(d);
		return NULL;
	}
	return d;
}

struct remedy_defs *remedy_defs_load(const char *user_file, char *err, size_t errlen)
{
	struct remedy_defs *d;
	char *text = NULL;
	int rc;

	if (!user_file)
		return remedy_defs_parse(NULL, NULL, err, errlen);
	rc = file_read_all(AT_FDCWD, user_file, REMEDIES_FILE_LIMIT, FILE_READ_FOLLOW, &text, NULL);
	if (rc) {
		snprintf(err, errlen, "cannot read %s: %s", user_file, strerror(-rc));
		return NULL;
	}
	d = remedy_defs_parse(text, user_file, err, errlen);
	free(text);
	return d;
}

void remedy_defs_free(struct remedy_defs *d)
{
	free(d);
}

int remedy_defs_describe(const struct remedy_defs *d, char *out, size_t len)
{
	size_t at = 0;

	if (len)
		out[0] = '\0';
	for (int i = 0; i < d->n; i++) {
		char head[REMEDY_NAME_LEN + DEF_ARGS_LEN + 2];
		int n;

		snprintf(head, sizeof(head), "%s%s%s", d->d[i].name, d->d[i].args[0] ? "=" : "",
			 d->d[i].args);
		n = snprintf(out + at, len - at, "  %-22s %s\n", head, d->d[i].about);
		if (n < 0 || (size_t)n >= len - at)
			return -ENOSPC;
		at += (size_t)n;
	}
	return 0;
}
