// SPDX-License-Identifier: GPL-2.0-only
#include "trial/session.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/interrupt.h"
#include "util/proc.h"

int owner_of_self(char *out, size_t len)
{
	char boot[64];
	unsigned long long start;

	if (proc_boot_id(boot, sizeof(boot)) || proc_stat_read(getpid(), NULL, &start, NULL))
		return -1;
	snprintf(out, len, "%s/%d/%llu", boot, (int)getpid(), start);
	return 0;
}

int owner_parse(const char *owner, char *boot, size_t bootlen, int *pid, unsigned long long *start)
{
	const char *slash = strchr(owner, '/');
	char *end;

	if (!slash || slash == owner || (size_t)(slash - owner) >= bootlen)
		return -1;
	memcpy(boot, owner, (size_t)(slash - owner));
	boot[slash - owner] = '\0';
	errno = 0;
	long p = strtol(slash + 1, &end, 10);

	if (*end != '/' || p <= 0 || p > 1 << 22 || errno)
		return -1;
	*start = strtoull(end + 1, &end, 10);
	if (*end || errno)
		return -1;
	*pid = (int)p;
	return 0;
}

bool owner_alive(const char *owner)
{
	char boot[64], mine[64];
	unsigned long long start, now_start;
	int pid;

	if (owner_parse(owner, boot, sizeof(boot), &pid, &start))
		return false;
	if (proc_boot_id(mine, sizeof(mine)) || strcmp(mine, boot) != 0)
		return false;
	if (proc_stat_read(pid, NULL, &now_start, NULL))
		return false;
	return now_start == start;
}

void session_init(struct session *s, const struct run_config *cfg)
{
	unsigned char rnd[3] = {0};
	time_t now = time(NULL);
	struct tm tm;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) < 0) {
		int64_t t = mono_ns();

		memcpy(rnd, &t, sizeof(rnd));
	}
	gmtime_r(&now, &tm);
	snprintf(s->run_id, sizeof(s->run_id), "%04d%02d%02dT%02d%02d%02d-%02x%02x%02x",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 rnd[0], rnd[1], rnd[2]);
	if (owner_of_self(s->owner, sizeof(s->owner)))
		snprintf(s->owner, sizeof(s->owner), "unknown/%d/0", (int)getpid());
}

static int interrupted(void)
{
	return interrupt_requested();
}

int session_open_engine(struct session *s)
{
	return docker_open_bounded(&s->docker, s->cfg->socket_path,
				   (long)(s->cfg->engine_timeout_ns / NSEC_PER_MSEC), interrupted);
}

/* How long the next engine call may take: the call bound, cut by the trial's deadline. */
static long call_bound_ms(const struct session *s)
{
	long t = s->docker.timeout_ms;

	if (s->docker.deadline_mono_ns) {
		int64_t left = (s->docker.deadline_mono_ns - mono_ns()) / NSEC_PER_MSEC;

		t = left < t ? (left > 0 ? (long)left : 1) : t;
	}
	return t;
}

json_object *session_labels(const struct session *s, const char *role)
{
	json_object *l = json_object_new_object();

	json_object_object_add(l, LABEL_RUN, json_object_new_string(s->run_id));
	json_object_object_add(l, LABEL_ROLE, json_object_new_string(role));
	json_object_object_add(l, LABEL_OWNER, json_object_new_string(s->owner));
	return l;
}

void session_container_name(struct session *s, const char *role, char *out, size_t len)
{
	snprintf(out, len, "restartprof-%s-%s-%d", s->run_id, role, ++s->next_name);
}

static json_object *str_array(char *const *v, int n)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < n; i++)
		json_object_array_add(a, json_object_new_string(v[i]));
	return a;
}

static json_object *target_config(struct session *s)
{
	const struct run_config *cfg = s->cfg;
	json_object *c = json_object_new_object(), *hc = json_object_new_object();

	json_object_object_add(c, "Image", json_object_new_string(s->target_image));
	if (cfg->n_cmd)
		json_object_object_add(c, "Cmd", str_array(cfg->cmd, cfg->n_cmd));
	json_object_object_add(c, "Labels", session_labels(s, "target"));
	json_object_object_add(c, "AttachStdout", json_object_new_boolean(1));
	json_object_object_add(c, "AttachStderr", json_object_new_boolean(1));
	json_object_object_add(c, "Tty", json_object_new_boolean(0));
	json_object_object_add(hc, "NetworkMode", json_object_new_string(cfg->network));
	engine_add_ulimits(&s->docker, hc);
	if (cfg->publish_port) {
		char port[32];
		json_object *exposed = json_object_new_object(),
			    *bindings = json_object_new_object();
		json_object *b = json_object_new_object(), *list = json_object_new_array();

		snprintf(port, sizeof(port), "%d/tcp", cfg->publish_port);
		json_object_object_add(exposed, port, json_object_new_object());
		json_object_object_add(c, "ExposedPorts", exposed);
		/* Loopback only, on a port the engine picks: nothing reachable from outside. */
		json_object_object_add(b, "HostIp", json_object_new_string("127.0.0.1"));
		json_object_object_add(b, "HostPort", json_object_new_string(""));
		json_object_array_add(list, b);
		json_object_object_add(bindings, port, list);
		json_object_object_add(hc, "PortBindings", bindings);
	}
	json_object_object_add(c, "HostConfig", hc);
	return c;
}

static void record_call(void *ctx, const char *what, int64_t start_ns, int64_t dur_ns, int status)
{
	trial_add_api_call(ctx, what, start_ns, dur_ns, status);
}

void session_record_calls(struct session *s, struct trial *t)
{
	docker_set_hook(&s->docker, t ? record_call : NULL, t);
}

struct target *target_create(struct session *s, struct trial *t)
{
	struct target *tg = calloc(1, sizeof(*tg));
	json_object *config;
	int64_t call_ns = 0, dur_ns = 0;
	int rc;

	if (!tg) {
		snprintf(s->err, sizeof(s->err), "out of memory");
		return NULL;
	}
	session_container_name(s, "target", tg->name, sizeof(tg->name));
	config = target_config(s);
	session_record_calls(s, t);
	rc = docker_container_create(&s->docker, tg->name, config, tg->id);
	session_record_calls(s, NULL);
	json_object_put(config);
	if (rc) {
		snprintf(s->err, sizeof(s->err), "%s", s->docker.err);
		free(tg);
		return NULL;
	}
	tg->live = true;
	output_watch_init(&tg->watch, &s->cfg->ready);
	tg->watching = true;
	struct attach_target at = {s->docker.socket_path, s->docker.api_version, tg->id,
				   call_bound_ms(s), interrupted};

	rc = attach_open(&at, output_watch_line, &tg->watch, &tg->attach, &call_ns, &dur_ns, s->err,
			 sizeof(s->err));
	if (t)
		trial_add_api_call(t, "attach", call_ns, dur_ns, rc ? 0 : 200);
	if (rc) {
		target_discard(s, tg);
		return NULL;
	}
	return tg;
}

int target_start(struct session *s, struct target *tg, struct trial *t)
{
	int rc;

	session_record_calls(s, t);
	rc = docker_container_start(&s->docker, tg->id);
	if (rc) {
		snprintf(s->err, sizeof(s->err), "%s", s->docker.err);
	} else if (docker_container_pid(&s->docker, tg->id, &tg->pid)) {
		/* It may already be gone if the service exited at once. */
		tg->pid = 0;
	}
	session_record_calls(s, NULL);
	return rc;
}

void target_discard(struct session *s, struct target *tg)
{
	if (!tg)
		return;
	if (tg->live)
		docker_container_remove(&s->docker, tg->id, 1);
	if (tg->attach)
		attach_close(tg->attach);
	if (tg->watching)
		output_watch_destroy(&tg->watch);
	free(tg);
}

/* One pass over the run's containers; -1 when they cannot be listed. */
static int remove_pass(struct session *s, const char *label, int *removed, int *left, int *listed)
{
	json_object *list;

	if (docker_containers_by_label(&s->docker, label, &list))
		return -1;
	*listed = (int)json_object_array_length(list);
	*left = 0;
	for (int i = 0; i < *listed; i++) {
		const char *id = json_str(json_object_array_get_idx(list, (size_t)i), "Id", "");
		int rc = *id ? docker_container_remove(&s->docker, id, 1) : -ENOENT;

		/* Gone already, or on its way out (409: its removal is under way). */
		*removed += rc == 0;
		*left += rc && rc != -ENOENT && rc != -EEXIST;
	}
	json_object_put(list);
	return 0;
}

/* Passes until none is listed: a removal under way, or a create cut off by a signal, ends in
 * the engine after the answer; bounded (REMOVE_SETTLE_PASSES pauses of 200 ms). */
#define REMOVE_SETTLE_PASSES 15

int session_remove_all(struct session *s)
{
	char label[128];
	int n = 0, left = 0, listed = 1;

	snprintf(label, sizeof(label), "%s=%s", LABEL_RUN, s->run_id);
	for (int pass = 0; listed && !left && pass <= REMOVE_SETTLE_PASSES; pass++) {
		if (pass)
			sleep_ns(200 * NSEC_PER_MSEC);
		if (remove_pass(s, label, &n, &left, &listed)) {
			snprintf(s->err, sizeof(s->err), "the containers of run %s (%s)", s->run_id,
				 s->docker.err);
			return -1;
		}
	}
	if (left) {
		snprintf(s->err, sizeof(s->err), "%d container%s of run %s (%s)", left,
			 left == 1 ? "" : "s", s->run_id, s->docker.err);
		return -1;
	}
	return n;
}

static bool engine_unreached(int rc)
{
	return rc == -ETIMEDOUT || rc == -ECOMM || rc == -EINTR;
}

int session_clean_engine(struct session *s, const char *const *images, int n_images)
{
	char left[sizeof(s->err)] = "";
	size_t used = 0;

	if (session_remove_all(s) < 0)
		used = (size_t)snprintf(left, sizeof(left), "%s", s->err);
	/* An image in use (by another run) stays by design: only unasked removals count. */
	for (int i = 0; i < n_images && used < sizeof(left); i++)
		if (engine_unreached(docker_image_remove(&s->docker, images[i])))
			used += (size_t)snprintf(left + used, sizeof(left) - used, "%simage %s",
						 used ? ", " : "", images[i]);
	if (!used)
		return 0;
	snprintf(s->err, sizeof(s->err),
		 "left in the engine: %.300s; restartprof clean removes them once it answers",
		 left);
	return -1;
}
