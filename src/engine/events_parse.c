// SPDX-License-Identifier: GPL-2.0-only
/* Reading the engine's events: one JSON object into an engine_event, a byte stream into events. */
#include "engine/events.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/docker.h"
#include "util/clock.h"
#include "util/names.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define COMPOSE_PROJECT "com.docker.compose.project"
#define COMPOSE_SERVICE "com.docker.compose.service"

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

/* Attributes of container events that the engine sets itself; the others are labels. */
static const char *const engine_attributes[] = {"name",	  "image",	  "exitCode", "signal",
						"execID", "execDuration", "oldName"};

static bool is_engine_attribute(const char *key)
{
	return name_lookup(engine_attributes, ARRAY_LEN(engine_attributes), key) >= 0;
}

/* Appends "k=v\0" and the closing "\0" if the pair fits whole. */
static bool labels_append(struct engine_event *ev, size_t *used, const char *k, const char *v)
{
	size_t kl = strlen(k), vl = strlen(v), need = kl + 1 + vl + 1;

	if (*used + need + 1 > sizeof(ev->labels)) {
		ev->labels_cut = true;
		return false;
	}
	memcpy(ev->labels + *used, k, kl);
	ev->labels[*used + kl] = '=';
	memcpy(ev->labels + *used + kl + 1, v, vl + 1);
	*used += need;
	ev->labels[*used] = '\0';
	return true;
}

static void read_container_attributes(json_object *attrs, struct engine_event *ev)
{
	static const char *const first[] = {COMPOSE_PROJECT, COMPOSE_SERVICE};
	size_t used = 0;

	copy_str(ev->image, sizeof(ev->image), json_str(attrs, "image", ""));
	copy_str(ev->project, sizeof(ev->project), json_str(attrs, COMPOSE_PROJECT, ""));
	copy_str(ev->service, sizeof(ev->service), json_str(attrs, COMPOSE_SERVICE, ""));
	if (!attrs || !json_object_is_type(attrs, json_type_object))
		return;
	for (size_t i = 0; i < ARRAY_LEN(first); i++) {
		json_object *v;

		if (json_object_object_get_ex(attrs, first[i], &v) &&
		    json_object_is_type(v, json_type_string))
			labels_append(ev, &used, first[i], json_object_get_string(v));
	}
	json_object_object_foreach(attrs, key, val)
	{
		if (is_engine_attribute(key) || !json_object_is_type(val, json_type_string) ||
		    strcmp(key, COMPOSE_PROJECT) == 0 || strcmp(key, COMPOSE_SERVICE) == 0)
			continue;
		labels_append(ev, &used, key, json_object_get_string(val));
	}
}

const char *event_label(const char *labels, const char *key)
{
	size_t kl = key ? strlen(key) : 0;

	if (!labels || !key)
		return NULL;
	for (const char *p = labels; *p; p += strlen(p) + 1)
		if (strncmp(p, key, kl) == 0 && p[kl] == '=')
			return p + kl + 1;
	return NULL;
}

int engine_event_parse(const char *json, size_t len, struct engine_event *out)
{
	json_object *o = json_parse_buf(json, len);
	json_object *attrs;
	int rc = -1;

	if (!o || !json_object_is_type(o, json_type_object))
		goto done;
	memset(out, 0, sizeof(*out));
	out->exit_code = -1;
	out->time_ns = json_int(o, "timeNano", 0);
	if (out->time_ns <= 0)
		out->time_ns = json_int(o, "time", 0) * NSEC_PER_SEC;
	copy_str(out->type, sizeof(out->type), json_str(o, "Type", ""));
	copy_str(out->action, sizeof(out->action), json_str(o, "Action", ""));
	attrs = json_path(o, "Actor.Attributes");
	copy_str(out->name, sizeof(out->name), json_str(attrs, "name", ""));
	if (strcmp(out->type, "network") == 0)
		copy_str(out->container, sizeof(out->container), json_str(attrs, "container", ""));
	else
		copy_str(out->container, sizeof(out->container),
			 json_str(json_path(o, "Actor"), "ID", ""));
	out->exit_code = (int)strtol(json_str(attrs, "exitCode", "-1"), NULL, 10);
	out->signal = (int)strtol(json_str(attrs, "signal", "0"), NULL, 10);
	if (strcmp(out->type, "container") == 0)
		read_container_attributes(attrs, out);
	if (out->time_ns > 0 && out->type[0] && out->action[0])
		rc = 0;
done:
	json_object_put(o);
	return rc;
}

struct event_splitter {
	json_tokener *tok;
	event_cb cb;
	void *ctx;
	int partial; /* the tokenizer holds the start of a value */
};

struct event_splitter *event_splitter_new(event_cb cb, void *ctx)
{
	struct event_splitter *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->tok = json_tokener_new();
	if (!s->tok) {
		free(s);
		return NULL;
	}
	s->cb = cb;
	s->ctx = ctx;
	return s;
}

void event_splitter_free(struct event_splitter *s)
{
	if (!s)
		return;
	json_tokener_free(s->tok);
	free(s);
}

static void deliver_parsed(struct event_splitter *s, json_object *o)
{
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	struct engine_event ev;

	if (engine_event_parse(text, strlen(text), &ev) == 0)
		s->cb(&ev, s->ctx);
}

size_t event_splitter_feed(struct event_splitter *s, const char *data, size_t len)
{
	size_t junk = 0;

	while (len > 0) {
		/* White space between values is not fed: the tokenizer would wait on it. */
		if (!s->partial &&
		    (*data == '\n' || *data == '\r' || *data == ' ' || *data == '\t')) {
			data++, len--;
			continue;
		}
		int chunk = len > INT32_MAX ? INT32_MAX : (int)len;
		json_object *o = json_tokener_parse_ex(s->tok, data, chunk);
		enum json_tokener_error e = json_tokener_get_error(s->tok);
		size_t used = json_tokener_get_parse_end(s->tok);

		if (e == json_tokener_continue) {
			s->partial = 1;
			return junk;
		}
		s->partial = 0;
		if (o) {
			deliver_parsed(s, o);
			json_object_put(o);
		} else {
			/* Garbage: drop one byte and start over. */
			used = used ? used : 1;
			junk += used;
		}
		json_tokener_reset(s->tok);
		if (used == 0 || used > len)
			used = len;
		data += used;
		len -= used;
	}
	return junk;
}
