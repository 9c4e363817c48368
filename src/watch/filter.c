// SPDX-License-Identifier: GPL-2.0-only
/* --filter values parsed once, matched against each restarted container. */
#include "watch/filter.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/events.h"
#include "util/array.h"
#include "util/names.h"

enum filter_key {
	FK_NAME,
	FK_LABEL,
	FK_IMAGE,
	FK_COUNT
};

static const char *const key_names[FK_COUNT] = {
	[FK_NAME] = "name",
	[FK_LABEL] = "label",
	[FK_IMAGE] = "image",
};

struct filter {
	enum filter_key key;
	char *arg;   /* label: the key; image: the reference */
	char *value; /* label=KEY=VALUE: the value, else NULL */
	regex_t re;  /* name */
};

struct filters {
	struct filter *f;
	size_t n, cap;
};

struct filters *filters_new(void)
{
	return calloc(1, sizeof(struct filters));
}

void filters_free(struct filters *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->n; i++) {
		if (fs->f[i].key == FK_NAME)
			regfree(&fs->f[i].re);
		free(fs->f[i].arg);
	}
	free(fs->f);
	free(fs);
}

size_t filters_count(const struct filters *fs)
{
	return fs ? fs->n : 0;
}

/* Fills f from the text after "KEY="; -1 with err set. */
static int parse_arg(struct filter *f, const char *value, const char *arg, char *err, size_t errlen)
{
	char msg[128];
	int rc;

	if (!*arg) {
		snprintf(err, errlen, "--filter %s: nothing after '='", value);
		return -1;
	}
	f->arg = strdup(arg);
	if (!f->arg) {
		snprintf(err, errlen, "--filter %s: out of memory", value);
		return -1;
	}
	if (f->key == FK_LABEL) {
		char *eq = strchr(f->arg, '=');

		if (eq) {
			*eq = '\0';
			f->value = eq + 1;
		}
		if (!f->arg[0]) {
			snprintf(err, errlen, "--filter %s: no label key", value);
			goto fail;
		}
	} else if (f->key == FK_NAME) {
		rc = regcomp(&f->re, arg, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			regerror(rc, &f->re, msg, sizeof(msg));
			snprintf(err, errlen, "--filter %s: bad regex: %s", value, msg);
			goto fail;
		}
	}
	return 0;
fail:
	free(f->arg);
	return -1;
}

int filters_add(struct filters *fs, const char *value, char *err, size_t errlen)
{
	const char *eq = strchr(value, '=');
	struct filter f = {0};
	char key[16];
	int k;

	if (!eq || (size_t)(eq - value) >= sizeof(key)) {
		snprintf(err, errlen,
			 "--filter %s: expected name=REGEX, label=KEY[=VALUE] or image=REF", value);
		return -1;
	}
	snprintf(key, sizeof(key), "%.*s", (int)(eq - value), value);
	k = name_lookup(key_names, FK_COUNT, key);
	if (k < 0) {
		snprintf(err, errlen, "--filter %s: unknown key '%s' (name, label or image)", value,
			 key);
		return -1;
	}
	f.key = (enum filter_key)k;
	if (parse_arg(&f, value, eq + 1, err, errlen))
		return -1;
	if (array_reserve((void **)&fs->f, &fs->cap, fs->n + 1, sizeof(*fs->f))) {
		if (f.key == FK_NAME)
			regfree(&f.re);
		free(f.arg);
		snprintf(err, errlen, "--filter %s: out of memory", value);
		return -1;
	}
	fs->f[fs->n++] = f;
	return 0;
}

/* The reference without the default registry's prefixes. */
static const char *short_ref(const char *ref)
{
	static const char *const prefixes[] = {"docker.io/library/", "docker.io/", "library/"};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(ref, prefixes[i], strlen(prefixes[i])) == 0)
			return ref + strlen(prefixes[i]);
	return ref;
}

/* Length of the repository part: before a tag (a ':' after the last '/') or a digest. */
static size_t repo_len(const char *ref)
{
	const char *at = strchr(ref, '@'), *slash = strrchr(ref, '/');
	const char *colon = strrchr(slash ? slash : ref, ':');

	if (at)
		return (size_t)(at - ref);
	return colon ? (size_t)(colon - ref) : strlen(ref);
}

static bool image_matches(const char *want, const char *image)
{
	size_t n;

	want = short_ref(want);
	image = short_ref(image);
	if (strcmp(want, image) == 0)
		return true;
	n = strlen(want);
	/* A bare repository matches any tag or digest of it. */
	return repo_len(want) == n && repo_len(image) == n && strncmp(want, image, n) == 0;
}

static bool one_matches(const struct filter *f, const char *name, const char *image,
			const char *labels)
{
	const char *v;

	switch (f->key) {
	case FK_NAME:
		if (!name)
			return false;
		name += name[0] == '/';
		return regexec(&f->re, name, 0, NULL, 0) == 0;
	case FK_LABEL:
		v = event_label(labels, f->arg);
		return v && (!f->value || strcmp(v, f->value) == 0);
	case FK_IMAGE:
		return image && image_matches(f->arg, image);
	default:
		return false;
	}
}

bool filter_match(const struct filters *fs, const char *name, const char *image, const char *labels)
{
	if (!fs)
		return true;
	for (int k = 0; k < FK_COUNT; k++) {
		bool present = false, any = false;

		for (size_t i = 0; i < fs->n && !any; i++) {
			if (fs->f[i].key != (enum filter_key)k)
				continue;
			present = true;
			any = one_matches(&fs->f[i], name, image, labels);
		}
		if (present && !any)
			return false;
	}
	return true;
}
