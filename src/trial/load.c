// SPDX-License-Identifier: GPL-2.0-only
#include "trial/load.h"

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/attach.h"
#include "trace/tracer.h"
#include "util/clock.h"
#include "util/interrupt.h"

#define LOAD_LOG_LINES 3 /* of a dead stressor's output, in the line that says it died */
#define LOAD_WORKDIR   "/restartprof-load" /* load-fs: the stressors' working directory */

int load_stress_args(const struct run_config *cfg, enum load_type load, int workers, char **argv,
		     char bufs[][16], int max)
{
	int n = 0;

#define ARG(s)                                                                                     \
	do {                                                                                       \
		if (n + 1 >= max)                                                                  \
			return -E2BIG;                                                             \
		argv[n++] = (char *)(s);                                                           \
	} while (0)

	snprintf(bufs[0], 16, "%d", workers);
	switch (load) {
	case LOAD_CPU:
		ARG("--cpu");
		ARG(bufs[0]);
		break;
	case LOAD_MEM:
		ARG("--vm");
		ARG(bufs[0]);
		ARG("--vm-bytes");
		ARG("20m");
		break;
	case LOAD_IO:
		ARG("--io");
		ARG(bufs[0]);
		break;
	case LOAD_HDD:
		ARG("--hdd");
		ARG(bufs[0]);
		break;
	case LOAD_CUSTOM:
		for (int i = 0; i < cfg->n_stress_args; i++)
			ARG(cfg->stress_args[i]);
		break;
	default:
		return -EINVAL;
	}
	ARG("--timeout");
	ARG("0"); /* run until removed */
	argv[n] = NULL;
	return n;
#undef ARG
}

/* load-cpus=N: the online CPUs without the first N, "" when that leaves none. */
static void cpuset_without(int fewer, char *out, size_t len)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	out[0] = '\0';
	if (n > fewer)
		snprintf(out, len, fewer == n - 1 ? "%d" : "%d-%ld", fewer, n - 1);
}

/* The remedy's changes to the stressors' HostConfig (and working directory). */
static void apply_change(json_object *c, json_object *hc, const struct load_change *chg,
			 const char *dir)
{
	char cpus[64];

	if (chg->fewer_cpus > 0) {
		cpuset_without(chg->fewer_cpus, cpus, sizeof(cpus));
		if (cpus[0])
			json_object_object_add(hc, "CpusetCpus", json_object_new_string(cpus));
	}
	if (chg->write_bps && chg->write_dev[0]) {
		json_object *limits = json_object_new_array(), *one = json_object_new_object();

		json_object_object_add(one, "Path", json_object_new_string(chg->write_dev));
		json_object_object_add(one, "Rate", json_object_new_int64((int64_t)chg->write_bps));
		json_object_array_add(limits, one);
		json_object_object_add(hc, "BlkioDeviceWriteBps", limits);
	}
	if (dir && dir[0]) {
		json_object *binds = json_object_new_array();
		char bind[PATH_MAX + 32];

		snprintf(bind, sizeof(bind), "%s:%s", dir, LOAD_WORKDIR);
		json_object_array_add(binds, json_object_new_string(bind));
		json_object_object_add(hc, "Binds", binds);
		json_object_object_add(c, "WorkingDir", json_object_new_string(LOAD_WORKDIR));
	}
}

static json_object *load_config(struct session *s, enum load_type load,
				const struct load_change *chg, const char *dir)
{
	char *argv[CONFIG_MAX_ARGS + 8], bufs[1][16];
	long workers = sysconf(_SC_NPROCESSORS_ONLN);
	int n = load_stress_args(s->cfg, load, workers > 0 ? (int)workers : 1, argv, bufs,
				 CONFIG_MAX_ARGS + 8);
	json_object *c, *cmd, *hc;

	if (n < 0)
		return NULL;
	c = json_object_new_object();
	cmd = json_object_new_array();
	hc = json_object_new_object();
	for (int i = 0; i < n; i++)
		json_object_array_add(cmd, json_object_new_string(argv[i]));
	json_object_object_add(c, "Image", json_object_new_string(s->stress_image));
	json_object_object_add(c, "Cmd", cmd);
	json_object_object_add(c, "Labels", session_labels(s, "load"));
	json_object_object_add(hc, "NetworkMode", json_object_new_string(s->cfg->network));
	engine_add_ulimits(&s->docker, hc);
	if (chg)
		apply_change(c, hc, chg, dir);
	json_object_object_add(c, "HostConfig", hc);
	return c;
}

/* load-fs: a directory of this stressor's own under the remedy's, made now. 0 or -errno. */
static int make_workdir(struct session *s, const struct load_change *chg, const char *name,
			char *out, size_t len)
{
	int e;

	out[0] = '\0';
	if (!chg || !chg->fs_dir[0])
		return 0;
	snprintf(out, len, "%s/%s", chg->fs_dir, name);
	if (mkdir(out, 0700) == 0)
		return 0;
	e = errno;
	snprintf(s->err, sizeof(s->err), "load-fs: cannot make %s: %s", out, strerror(e));
	out[0] = '\0';
	return -e;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

/* One line in s->err: which stressor is gone, its exit code and its last words. */
static void describe_death(struct session *s, const struct load_set *ls, int i, int exit_code)
{
	char log[256];

	if (attach_log_tail(&s->docker, ls->id[i], LOAD_LOG_LINES, log, sizeof(log)))
		snprintf(log, sizeof(log), "unknown (%s)", s->docker.err);
	snprintf(s->err, sizeof(s->err),
		 "the load is gone: stressor container %s (%.12s) exited with code %d; its last "
		 "output: %s",
		 ls->name[i], ls->id[i], exit_code, log[0] ? log : "none");
}

int load_start(struct session *s, const struct cell *cell, const struct load_change *chg,
	       struct load_set *ls)
{
	memset(ls, 0, sizeof(*ls));
	ls->since_ns = wall_ns();
	ls->events_reconnects = s->events ? event_stream_reconnects(s->events) : 0;
	if (cell->load == LOAD_NONE)
		return 0;
	if (cell->stressors > LOAD_MAX_CONTAINERS) {
		snprintf(s->err, sizeof(s->err), "at most %d stressor containers",
			 LOAD_MAX_CONTAINERS);
		return -E2BIG;
	}
	for (int i = 0; i < cell->stressors && !interrupt_requested(); i++) {
		json_object *config;
		char name[128];
		pid_t pid;
		int rc;

		session_container_name(s, "load", name, sizeof(name));
		rc = make_workdir(s, chg, name, ls->dir[ls->n_dirs], sizeof(ls->dir[0]));
		if (rc)
			return rc;
		if (ls->dir[ls->n_dirs][0])
			ls->n_dirs++;
		config = load_config(s, cell->load, chg,
				     ls->n_dirs ? ls->dir[ls->n_dirs - 1] : NULL);
		if (!config) {
			snprintf(s->err, sizeof(s->err), "too many stress-ng arguments");
			return -E2BIG;
		}
		rc = docker_container_create(&s->docker, name, config, ls->id[ls->n]);
		json_object_put(config);
		if (rc == 0)
			snprintf(ls->name[ls->n++], sizeof(ls->name[0]), "%s", name);
		if (rc == 0)
			rc = docker_container_start(&s->docker, ls->id[ls->n - 1]);
		if (rc == 0 && docker_container_pid(&s->docker, ls->id[ls->n - 1], &pid) != 0) {
			int code = docker_container_exit_code(&s->docker, ls->id[ls->n - 1]);

			describe_death(s, ls, ls->n - 1, code);
			return -ESRCH;
		}
		if (rc) {
			snprintf(s->err, sizeof(s->err), "load: %s", s->docker.err);
			return rc;
		}
		if (s->tracer)
			tracer_add_load(s->tracer, ls->id[ls->n - 1], pid);
	}
	if (interrupt_requested())
		return -EINTR;
	interrupt_sleep(s->cfg->load_settle_ns);
	return interrupt_requested() ? -EINTR : 0;
}

void load_stop(struct session *s, struct load_set *ls)
{
	for (int i = 0; i < ls->n; i++)
		docker_container_remove(&s->docker, ls->id[i], 1);
	ls->n = 0;
	/* load-fs: what the stressors wrote goes with them (the directories are the run's own). */
	for (int i = 0; i < ls->n_dirs; i++)
		nftw(ls->dir[i], remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	ls->n_dirs = 0;
}

/* The die event of container id since since_ns, if it has one. */
static bool find_death(struct session *s, const char *id, int64_t since_ns,
		       struct engine_event *death)
{
	struct engine_event ev[16];
	size_t n = event_stream_collect(s->events, id, since_ns, INT64_MAX, ev, 16);
	const char *died = engine_phase_action(s->docker.kind, "die", NULL);

	for (size_t i = 0; i < n; i++)
		if (strcmp(ev[i].type, "container") == 0 && strcmp(ev[i].action, died) == 0) {
			*death = ev[i];
			return true;
		}
	return false;
}

int load_check(struct session *s, const struct load_set *ls, int64_t *died_ns)
{
	struct engine_event death;

	if (!s->events)
		return 0;
	for (int i = 0; i < ls->n; i++) {
		if (!find_death(s, ls->id[i], ls->since_ns, &death))
			continue;
		describe_death(s, ls, i, death.exit_code);
		*died_ns = death.time_ns;
		return -ESRCH;
	}
	return 0;
}

bool load_outlived_engine(struct session *s, const struct load_set *ls)
{
	return s->events && event_stream_reconnects(s->events) != ls->events_reconnects;
}
