// SPDX-License-Identifier: GPL-2.0-only
/* Gathers run.json's facts: the host (util/host), the engine (GET /info), the configuration. */
#include "trial/run_meta.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "engine/docker.h"
#include "rundir/run_json.h"
#include "util/host.h"

static void copy_text(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static void engine_facts(struct run_info *ri, struct docker *d)
{
	json_object *info = NULL;

	ri->engine_kind = engine_kind_name(d->kind);
	copy_text(ri->engine_version, sizeof(ri->engine_version), d->engine_version);
	copy_text(ri->engine_api, sizeof(ri->engine_api), d->engine_api);
	copy_text(ri->api_version, sizeof(ri->api_version), d->api_version);
	if (docker_call(d, "info", "GET", "/info", NULL, 10000, &info) || !info)
		return;
	copy_text(ri->storage_driver, sizeof(ri->storage_driver), json_str(info, "Driver", ""));
	copy_text(ri->cgroup_version, sizeof(ri->cgroup_version),
		  json_str(info, "CgroupVersion", ""));
	copy_text(ri->cgroup_driver, sizeof(ri->cgroup_driver), json_str(info, "CgroupDriver", ""));
	copy_text(ri->engine_os, sizeof(ri->engine_os), json_str(info, "OperatingSystem", ""));
	const char *root = json_str(info, "DockerRootDir", "");

	if (*root && storage_describe(root, &ri->storage))
		copy_text(ri->storage.path, sizeof(ri->storage.path), root);
	json_object_put(info);
}

void run_meta_collect(struct run_info *ri, const struct run_config *cfg, struct docker *d,
		      const char *run_id, const char *tool_version, int64_t start_ns)
{
	struct utsname u;

	memset(ri, 0, sizeof(*ri));
	ri->storage.rotational = -1;
	copy_text(ri->run_id, sizeof(ri->run_id), run_id);
	copy_text(ri->tool_version, sizeof(ri->tool_version), tool_version);
	copy_text(ri->state, sizeof(ri->state), "running");
	ri->program = "restartprof";
	ri->argc = cfg->argc;
	ri->argv = cfg->argv;
	ri->start_ns = start_ns;
	if (uname(&u) == 0) {
		copy_text(ri->hostname, sizeof(ri->hostname), u.nodename);
		copy_text(ri->kernel, sizeof(ri->kernel), u.release);
		copy_text(ri->kernel_version, sizeof(ri->kernel_version), u.version);
		copy_text(ri->arch, sizeof(ri->arch), u.machine);
	}
	host_machine(ri->machine, sizeof(ri->machine));
	host_cpu_model(ri->cpu_model, sizeof(ri->cpu_model));
	host_governor(ri->governor, sizeof(ri->governor));
	ri->cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
	ri->mem_kib = host_mem_kib();
	engine_facts(ri, d);
	ri->kind = cfg->watch.on ? "watch" : cfg->try.on ? "try" : "run";
	ri->try_spec = cfg->try.on ? cfg->try.spec : NULL;
	ri->try_set = cfg->try.set;
	ri->filters = cfg->watch.filters;
	ri->replace_window_ns = cfg->watch.replace_window_ns;
	ri->ready_timeout_ns = cfg->ready_timeout_ns;
	ri->history_ns = cfg->watch.history_ns;
	ri->matrix = cfg->matrix;
	ri->trace = cfg->trace;
	ri->alternate = alternate_name(cfg->alternate);
	ri->trials_per_cell = cfg->trials;
	copy_text(ri->method, sizeof(ri->method), restart_method_name(cfg->method));
	copy_text(ri->image, sizeof(ri->image), cfg->image);
	ri->settle_ns = cfg->load_settle_ns;
	ri->interval_ns = cfg->interval_ns;
	ri->cells = cfg->cells;
	ri->n_cells = cfg->n_cells;
}
