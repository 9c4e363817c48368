// SPDX-License-Identifier: GPL-2.0-only
#include "rundir/run_json.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "remedy/remedy.h"
#include "util/array.h"
#include "util/files.h"

#define RUN_JSON_LIMIT (4u << 20)

const char *run_cell_order_text(bool matrix)
{
	return matrix ? "A baseline first; then each load with 1..N stressor containers in "
			"ascending order, each load block followed by another baseline (none#2, "
			"none#3, ...), so every load block is bracketed by baselines run just "
			"before and just after it."
		      : "The cells given on the command line, in that order.";
}

static void add_str(json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v ? v : ""));
}

static void add_i64(json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

static void add_time(json_object *o, const char *key, int64_t ns)
{
	char buf[48], key_ns[48];
	time_t s = (time_t)(ns / 1000000000);
	struct tm tm;

	snprintf(key_ns, sizeof(key_ns), "%s_ns", key);
	if (ns <= 0) {
		json_object_object_add(o, key, NULL);
		json_object_object_add(o, key_ns, NULL);
		return;
	}
	gmtime_r(&s, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(ns % 1000000000 / 1000000));
	add_str(o, key, buf);
	add_i64(o, key_ns, ns);
}

/* The command line as one string a shell would split back the same way (for display only). */
static json_object *command_line(const char *program, int argc, char **argv)
{
	size_t cap = 64, len = 0;
	char *s = malloc(cap);
	json_object *o;

	if (!s)
		return json_object_new_string("");
	len = (size_t)snprintf(s, cap, "%.32s", program ? program : "restartprof");
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool plain = *a && strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
					     "0123456789-_./=:,+@%") == strlen(a);
		size_t need = strlen(a) * 4 + 4;

		if (array_reserve((void **)&s, &cap, len + need + 1, 1))
			break;
		s[len++] = ' ';
		if (plain) {
			len += (size_t)sprintf(s + len, "%s", a);
			continue;
		}
		s[len++] = '\'';
		for (; *a; a++)
			len += *a == '\'' ? (size_t)sprintf(s + len, "'\\''")
					  : (size_t)sprintf(s + len, "%c", *a);
		s[len++] = '\'';
		s[len] = '\0';
	}
	o = json_object_new_string(s);
	free(s);
	return o;
}

static json_object *storage_json(const struct storage_info *si)
{
	json_object *o = json_object_new_object();

	add_str(o, "docker_root_dir", si->path);
	add_str(o, "mount_point", si->mount.mount_point);
	add_str(o, "fstype", si->mount.fstype);
	add_str(o, "source", si->mount.source);
	add_str(o, "device", si->device);
	add_str(o, "disk", si->disk);
	add_str(o, "model", si->model);
	json_object_object_add(o, "rotational",
			       si->rotational < 0 ? NULL : json_object_new_boolean(si->rotational));
	add_str(o, "type", si->type);
	/* tmpfs, ramfs, zram, ramdisk: disk effects cannot show; "" on a disk. */
	add_str(o, "in_memory", storage_in_memory(si->mount.fstype, si->device));
	return o;
}

static json_object *host_json(const struct run_info *ri)
{
	json_object *o = json_object_new_object();

	add_str(o, "hostname", ri->hostname);
	add_str(o, "machine", ri->machine);
	add_str(o, "kernel", ri->kernel);
	add_str(o, "kernel_version", ri->kernel_version);
	add_str(o, "architecture", ri->arch);
	add_str(o, "cpu_model", ri->cpu_model);
	add_i64(o, "cpus", ri->cpus);
	add_str(o, "cpu_governor", ri->governor);
	add_i64(o, "memory_kib", ri->mem_kib);
	return o;
}

static json_object *engine_json(const struct run_info *ri)
{
	json_object *o = json_object_new_object();

	add_str(o, "kind", ri->engine_kind);
	add_str(o, "version", ri->engine_version);
	add_str(o, "api_version", ri->engine_api);
	add_str(o, "api_version_used", ri->api_version);
	add_str(o, "storage_driver", ri->storage_driver);
	add_str(o, "cgroup_version", ri->cgroup_version);
	add_str(o, "cgroup_driver", ri->cgroup_driver);
	add_str(o, "operating_system", ri->engine_os);
	return o;
}

static json_object *seconds(int64_t ns)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.3f", (double)ns / 1e9);
	return json_object_new_double_s((double)ns / 1e9, buf);
}

static json_object *experiment_json(const struct run_info *ri)
{
	json_object *o = json_object_new_object(), *cells = json_object_new_array();

	json_object_object_add(o, "matrix", json_object_new_boolean(ri->matrix));
	add_i64(o, "trials_per_cell", ri->trials_per_cell);
	add_str(o, "method", ri->method);
	add_str(o, "image", ri->image[0] ? ri->image : "(built in service)");
	json_object_object_add(o, "settle_s", seconds(ri->settle_ns));
	json_object_object_add(o, "interval_s", seconds(ri->interval_ns));
	json_object_object_add(o, "kernel_trace", json_object_new_boolean(ri->trace));
	add_str(o, "alternate", ri->alternate ? ri->alternate : "none");
	add_str(o, "cell_order", run_cell_order_text(ri->matrix));
	for (int i = 0; i < ri->n_cells; i++) {
		json_object *c = json_object_new_object();

		add_str(c, "name", ri->cells[i].name);
		add_str(c, "load", load_name(ri->cells[i].load));
		add_i64(c, "stressors", ri->cells[i].stressors);
		add_i64(c, "repeat", ri->cells[i].repeat ? ri->cells[i].repeat : 1);
		json_object_array_add(cells, c);
	}
	json_object_object_add(o, "cells", cells);
	return o;
}

static json_object *watch_json(const struct run_info *ri)
{
	json_object *o = json_object_new_object();

	add_str(o, "filters", ri->filters ? ri->filters : "");
	json_object_object_add(o, "replace_window_s", seconds(ri->replace_window_ns));
	json_object_object_add(o, "ready_timeout_s", seconds(ri->ready_timeout_ns));
	json_object_object_add(o, "kernel_history_s", seconds(ri->history_ns));
	json_object_object_add(o, "kernel_trace", json_object_new_boolean(ri->trace));
	return o;
}

/* One remedy: its settings (path, value written in B), what is saved beside, the load change
 * and the remount. */
static json_object *remedy_json(const struct remedy *r)
{
	json_object *o = json_object_new_object(), *set = json_object_new_array();
	json_object *saved = json_object_new_array(), *load = json_object_new_object();

	add_str(o, "remedy", r->spec);
	add_str(o, "name", r->name);
	for (int i = 0; i < r->n_set; i++) {
		json_object *one = json_object_new_object();

		add_str(one, "path", r->set[i].path);
		add_str(one, "value", r->set[i].value);
		json_object_array_add(set, one);
	}
	for (int i = 0; i < r->n_also_saved; i++)
		json_object_array_add(saved, json_object_new_string(r->also_saved[i]));
	json_object_object_add(o, "settings", set);
	json_object_object_add(o, "also_restored", saved);
	add_i64(load, "fewer_cpus", r->load.fewer_cpus);
	add_i64(load, "write_bps", (int64_t)r->load.write_bps);
	add_str(load, "write_device", r->load.write_dev);
	add_str(load, "fs_dir", r->load.fs_dir);
	json_object_object_add(o, "load", load);
	add_str(o, "remount_nodiscard", r->remount_nodiscard);
	return o;
}

static json_object *try_json(const struct run_info *ri)
{
	json_object *o = json_object_new_object(), *changes = json_object_new_array();

	add_str(o, "remedies", ri->try_spec);
	add_str(o, "sequence", RUN_TRY_SEQUENCE);
	add_str(o, "variants", "A: remedy off, B: remedy on");
	for (int i = 0; ri->try_set && i < ri->try_set->n; i++)
		json_object_array_add(changes, remedy_json(&ri->try_set->r[i]));
	json_object_object_add(o, "changes", changes);
	json_object_object_add(o, "load_restarted_at_each_switch",
			       json_object_new_boolean(ri->try_set && ri->try_set->changes_load));
	return o;
}

static json_object *concurrent_json(const struct run_info *ri)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < ri->n_concurrent && i < RUN_CONCURRENT_MAX; i++) {
		json_object *c = json_object_new_object();

		add_str(c, "run_id", ri->concurrent[i].run_id);
		add_str(c, "kind", ri->concurrent[i].kind);
		add_i64(c, "pid", ri->concurrent[i].pid);
		json_object_array_add(a, c);
	}
	return a;
}

json_object *run_json_build(const struct run_info *ri)
{
	json_object *o = json_object_new_object(), *argv = json_object_new_array();

	add_str(o, "format", "restartprof-run/1");
	add_str(o, "run_id", ri->run_id);
	add_str(o, "kind", ri->kind ? ri->kind : "run");
	add_str(o, "state", ri->state);
	add_str(o, "tool", "restartprof");
	add_str(o, "tool_version", ri->tool_version);
	json_object_array_add(argv,
			      json_object_new_string(ri->program ? ri->program : "restartprof"));
	for (int i = 0; i < ri->argc; i++)
		json_object_array_add(argv, json_object_new_string(ri->argv[i]));
	json_object_object_add(o, "argv", argv);
	json_object_object_add(o, "command_line", command_line(ri->program, ri->argc, ri->argv));
	add_time(o, "start", ri->start_ns);
	add_time(o, "end", ri->end_ns);
	json_object_object_add(o, "error", ri->error[0] ? json_object_new_string(ri->error) : NULL);
	json_object_object_add(o, "concurrent_runs", concurrent_json(ri));
	json_object_object_add(o, "host", host_json(ri));
	json_object_object_add(o, "storage", storage_json(&ri->storage));
	json_object_object_add(o, "engine", engine_json(ri));
	if (ri->kind && strcmp(ri->kind, "watch") == 0)
		json_object_object_add(o, "watch", watch_json(ri));
	else
		json_object_object_add(o, "experiment", experiment_json(ri));
	if (ri->try_spec)
		json_object_object_add(o, "try", try_json(ri));
	return o;
}

int run_json_write(int dirfd, const struct run_info *ri)
{
	json_object *o = run_json_build(ri);
	const char *text = json_object_to_json_string_ext(
		o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(text);
	char *buf = malloc(len + 2);
	int rc = -ENOMEM;

	if (buf) {
		memcpy(buf, text, len);
		buf[len] = '\n';
		rc = atomic_write(dirfd, RUN_JSON, buf, len + 1);
		free(buf);
	}
	json_object_put(o);
	return rc;
}

json_object *run_json_read(const char *dir)
{
	char path[PATH_MAX];
	json_object *o = NULL;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", dir, RUN_JSON);
	if (file_read_all(AT_FDCWD, path, RUN_JSON_LIMIT - 1, 0, &buf, NULL) == 0) {
		o = json_tokener_parse(buf);
		free(buf);
	}
	if (o && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}
