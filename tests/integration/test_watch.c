// SPDX-License-Identifier: GPL-2.0-only
/*
 * restartprof watch against a real engine: restarts made by the engine's restart policy, by
 * `docker restart` and by replacing a container (by name, by compose labels) become trials of
 * the right kind whose phases tile their windows; containers outside the filter are ignored;
 * the engine restarting under it is survived; /metrics agrees, and so does a real Prometheus
 * scraping it; bad input gets one line and exit 2.
 */
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/docker.h"
#include "rundir/csv.h"
#include "support/harness.h"
#include "support/prometheus.h"
#include "support/table.h"
#include "support/watch_image.h"
#include "util/clock.h"

#define POLICY_RETRIES 3
#define LABEL_FILTER   "label=" WATCH_TEST_LABEL

static char image[IMAGE_REF_LEN];
/* What a failed test may leave for teardown: a watch still running, an engine halted. */
static pid_t running_watch;
static bool engine_halted;

/* A watch running in the background, with its directory, log and metrics port. */
struct watcher {
	pid_t pid;
	char *dir;
	char log[256];
	int port;
};

static void watcher_start(struct watcher *w, const char *tag, const char *filter,
			  const char *textfile_dir)
{
	char listen[32], url[64];
	const char *args[16];
	int n = 0, status = -1;

	w->dir = harness_tmpdir(tag);
	assert_non_null(w->dir);
	snprintf(w->log, sizeof(w->log), "%s.log", w->dir);
	w->port = harness_free_port();
	assert_true(w->port > 0);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", w->port);
	args[n++] = "watch";
	args[n++] = "-o";
	args[n++] = w->dir;
	args[n++] = "--listen";
	args[n++] = listen;
	args[n++] = "--filter";
	args[n++] = filter;
	if (textfile_dir) {
		args[n++] = "--textfile";
		args[n++] = textfile_dir;
	}
	args[n] = NULL;
	w->pid = harness_spawn(args, w->log);
	assert_true(w->pid > 0);
	running_watch = w->pid;
	/* Started: it named its run, and serves /metrics (it follows the events by then). */
	char id[64];
	int announced = harness_run_id(w->log, id, sizeof(id), 90);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", w->port);
	for (int i = 0; announced == 0 && i < 100 && status != 200; i++) {
		status = harness_http_get(url, 2, NULL);
		if (status != 200)
			sleep_ns(200 * NSEC_PER_MSEC);
	}
	if (announced || status != 200) {
		char *log = harness_slurp(w->log);

		fail_msg("watch did not start (run id %d, /metrics %d):\n%s", announced, status,
			 log ? log : "");
	}
	sleep_ns(1 * NSEC_PER_SEC);
}

/* SIGINT ends it with exit 0, within a bound. */
static void watcher_stop(struct watcher *w)
{
	struct proc_result r;

	assert_int_equal(kill(w->pid, SIGINT), 0);
	assert_int_equal(harness_wait(w->pid, &r, 60), 0);
	running_watch = 0;
	if (r.exit_code != 0 || getenv("RP_TEST_VERBOSE")) {
		char *log = harness_slurp(w->log);

		fprintf(stderr, "watch exited %d (signal %d):\n%s", r.exit_code, r.signal,
			log ? log : "");
		free(log);
	}
	assert_int_equal(r.exit_code, 0);
}

static void watcher_free(struct watcher *w)
{
	unlink(w->log);
	harness_rmtree(w->dir);
	free(w->dir);
}

/* Waits until watch's log has want lines holding text; shows the log when it does not. */
static void wait_log_count(const struct watcher *w, const char *text, int want, int timeout_s)
{
	int64_t deadline = mono_ns() + (int64_t)timeout_s * NSEC_PER_SEC;
	int n = 0;

	while (mono_ns() < deadline) {
		char *log = harness_slurp(w->log);

		n = log ? harness_count_text(log, text) : 0;
		free(log);
		if (n >= want)
			return;
		sleep_ns(200 * NSEC_PER_MSEC);
	}
	char *log = harness_slurp(w->log);

	fail_msg("watch's log has %d of %d '%s' in %d s:\n%s", n, want, text, timeout_s,
		 log ? log : "");
}

/* The value of the sample of name whose labels hold label_text ("" for any), or -1. */
static double metric_value(const char *text, const char *name, const char *label_text)
{
	size_t len = strlen(name);
	const char *line = text;

	while (line && *line) {
		const char *end = strchrnul(line, '\n');
		const char *space = memrchr(line, ' ', (size_t)(end - line));
		const char *found = strstr(line, label_text);

		if (strncmp(line, name, len) == 0 && (line[len] == '{' || line[len] == ' ') &&
		    space && found && found < space)
			return strtod(space + 1, NULL);
		line = *end ? end + 1 : end;
	}
	return -1;
}

static char *fetch_metrics(const struct watcher *w)
{
	char url[64], *body;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", w->port);
	assert_int_equal(harness_http_get(url, 5, &body), 200);
	return body;
}

/* Waits until restartprof_engine_up is want, up to timeout_s; fails the test if it never is. */
static void wait_engine_up(const struct watcher *w, int want, int timeout_s)
{
	int64_t deadline = mono_ns() + (int64_t)timeout_s * NSEC_PER_SEC;
	double up = -1;

	while (mono_ns() < deadline) {
		char *metrics = fetch_metrics(w);

		up = metric_value(metrics, "restartprof_engine_up", "");
		free(metrics);
		if (up == want)
			return;
		sleep_ns(250 * NSEC_PER_MSEC);
	}
	fail_msg("restartprof_engine_up was %g, not %d, for %d s", up, want, timeout_s);
}

/* State.RestartCount once the container has stopped for good, waiting up to timeout_s. */
static int settled_restart_count(struct docker *d, const char *id, int timeout_s)
{
	int64_t deadline = mono_ns() + (int64_t)timeout_s * NSEC_PER_SEC;
	json_object *o;
	int count = -1;

	while (mono_ns() < deadline) {
		assert_int_equal(docker_container_inspect(d, id, &o), 0);
		bool done = !json_object_get_boolean(json_path(o, "State.Running")) &&
			    !json_object_get_boolean(json_path(o, "State.Restarting"));

		count = (int)json_int(o, "RestartCount", -1);
		json_object_put(o);
		if (done && count == POLICY_RETRIES)
			return count;
		sleep_ns(250 * NSEC_PER_MSEC);
	}
	return count;
}

/* Rows of trials.csv for cell: how many, and how many of kind. */
static int count_rows(const struct csv_table *t, const char *cell, const char *kind)
{
	int n = 0;

	for (size_t r = 0; r < t->n_rows; r++)
		if (strcmp(table_str(t, r, "cell"), cell) == 0 &&
		    (!kind || strcmp(table_str(t, r, "kind"), kind) == 0))
			n++;
	return n;
}

/* Every trial of cell: ok, a readiness method of watch's, and phases tiling the window. */
static void check_cell_trials(const char *dir, const char *cell, const char *method)
{
	struct csv_table t, p;

	assert_int_equal(harness_csv(dir, "trials.csv", &t), 0);
	assert_int_equal(harness_csv(dir, "phases.csv", &p), 0);
	assert_int_equal(t.bad_rows, 0);
	for (size_t r = 0; r < t.n_rows; r++) {
		if (strcmp(table_str(&t, r, "cell"), cell) != 0)
			continue;
		int64_t restart = table_i64(&t, r, "restart_ns"), sum = 0;
		int64_t begin = table_i64(&t, r, "window_begin_ns");
		int64_t end = table_i64(&t, r, "window_end_ns");
		const char *trial = table_str(&t, r, "trial");
		int phases = 0;

		assert_string_equal(table_str(&t, r, "status"), "ok");
		if (method)
			assert_string_equal(table_str(&t, r, "method"), method);
		assert_true(restart > 0 && restart < 60LL * NSEC_PER_SEC);
		assert_int_equal(end - begin, restart);
		for (size_t k = 0; k < p.n_rows; k++) {
			if (strcmp(table_str(&p, k, "cell"), cell) != 0 ||
			    strcmp(table_str(&p, k, "trial"), trial) != 0)
				continue;
			/* A phase the engine does not report is empty, not zero. */
			if (!harness_phase_reported(table_str(&p, k, "phase"))) {
				assert_string_equal(table_str(&p, k, "duration_ns"), "");
				continue;
			}
			assert_true(table_i64(&p, k, "duration_ns") >= 0);
			sum += table_i64(&p, k, "duration_ns");
			phases++;
		}
		assert_true(phases > 0);
		assert_int_equal(sum, restart);
	}
	csv_table_free(&t);
	csv_table_free(&p);
}

static void check_run_json_kind(const char *dir)
{
	char path[512], *text;
	json_object *o;

	snprintf(path, sizeof(path), "%s/run.json", dir);
	text = harness_slurp(path);
	assert_non_null(text);
	o = json_parse_buf(text, strlen(text));
	assert_non_null(o);
	assert_string_equal(json_str(o, "kind", ""), "watch");
	json_object_put(o);
	free(text);
}

/* A real Prometheus scraping the watch sees the same histogram count. */
static void check_prometheus_count(const struct watcher *w, const char *cell, int want)
{
	struct prom_server prom;
	char query[256];
	double last;

	if (prom_server_start(&prom, w->port))
		fail_msg("prometheus: %s", prom.err);
	snprintf(query, sizeof(query),
		 "sum(restartprof_restart_duration_seconds_count{cell=\"%s\"})", cell);
	int rc = prom_server_wait_value(&prom, query, want, 30, &last);

	prom_server_stop(&prom);
	if (rc)
		fail_msg("prometheus: %s was %g, not %d, after 30 s", query, last, want);
}

static void policy_restarts(void **state)
{
	struct watch_container c = {.name = "watched-crash",
				    .script = WATCH_SCRIPT_CRASH,
				    .restart_policy = "on-failure",
				    .max_retries = POLICY_RETRIES};
	char id[65], want[96], *metrics, *textdir = harness_tmpdir("textfile"), path[256];
	struct watcher w;
	struct csv_table t;
	struct docker d;

	(void)state;
	watcher_start(&w, "wpolicy", LABEL_FILTER, textdir);
	assert_int_equal(harness_docker(&d), 0);
	assert_int_equal(watch_container_run(&d, image, &c, id), 0);
	assert_int_equal(settled_restart_count(&d, id, 90), POLICY_RETRIES);
	wait_log_count(&w, "restart watched-crash (policy)", POLICY_RETRIES, 60);

	metrics = fetch_metrics(&w);
	assert_true(metric_value(metrics, "restartprof_restart_duration_seconds_count",
				 "cell=\"watched-crash\"") == POLICY_RETRIES);
	assert_true(metric_value(metrics, "restartprof_restarts_total", "kind=\"policy\"") ==
		    POLICY_RETRIES);
	assert_true(metric_value(metrics, "restartprof_engine_up", "") == 1);
	assert_true(metric_value(metrics, "restartprof_build_info", "") == 1);
	free(metrics);
	/* The textfile says the same for node_exporter. */
	snprintf(path, sizeof(path), "%s/restartprof.prom", textdir);
	snprintf(want, sizeof(want), "restartprof_restart_duration_seconds_count{cell=\"%s\"}",
		 c.name);
	assert_int_equal(harness_wait_for_text(path, want, 30), 0);
	check_prometheus_count(&w, c.name, POLICY_RETRIES);

	watcher_stop(&w);
	check_run_json_kind(w.dir);
	assert_int_equal(harness_csv(w.dir, "trials.csv", &t), 0);
	assert_int_equal(count_rows(&t, c.name, NULL), POLICY_RETRIES);
	assert_int_equal(count_rows(&t, c.name, "policy"), POLICY_RETRIES);
	csv_table_free(&t);
	/* The service listens at once: the kernel sees its listen(). */
	check_cell_trials(w.dir, c.name, "kernel");
	assert_int_equal(docker_container_remove(&d, id, 1), 0);
	docker_close(&d);
	watcher_free(&w);
	harness_rmtree(textdir);
	free(textdir);
}

/* Runs a listening container and gives it time to be up. */
static void run_service(struct docker *d, const struct watch_container *c, char id[65])
{
	assert_int_equal(watch_container_run(d, image, c, id), 0);
	sleep_ns(2 * NSEC_PER_SEC);
}

static void restart_kinds_and_filter(void **state)
{
	struct watch_container by_name = {.name = "watched-x", .script = WATCH_SCRIPT_SERVE};
	struct watch_container web1 = {.name = "watched-proj-web-1",
				       .script = WATCH_SCRIPT_SERVE,
				       .project = "proj",
				       .service = "web"};
	struct watch_container web2 = web1;
	struct watch_container restarted = {.name = "watched-r", .script = WATCH_SCRIPT_SERVE};
	struct watch_container outside = {.name = "other-r", .script = WATCH_SCRIPT_SERVE};
	char old_id[65], new_id[65], id[65], other_id[65];
	struct watcher w;
	struct csv_table t;
	struct docker d;

	(void)state;
	web2.name = "watched-proj-web-2";
	watcher_start(&w, "wkinds", "name=^watched-", NULL);
	assert_int_equal(harness_docker(&d), 0);

	/* Replaced by name: stopped, removed, and a new one of the same name started. */
	run_service(&d, &by_name, old_id);
	assert_int_equal(watch_container_retire(&d, old_id), 0);
	run_service(&d, &by_name, new_id);
	/* Replaced by compose labels: another name, the same project and service. */
	run_service(&d, &web1, old_id);
	assert_int_equal(watch_container_retire(&d, old_id), 0);
	run_service(&d, &web2, id);
	/* docker restart, of one inside the filter and one outside. */
	run_service(&d, &restarted, id);
	run_service(&d, &outside, other_id);
	assert_int_equal(watch_container_restart(&d, id, 2), 0);
	assert_int_equal(watch_container_restart(&d, other_id, 2), 0);
	wait_log_count(&w, "(replace)", 2, 60);
	wait_log_count(&w, "restart watched-r (restart)", 1, 60);
	sleep_ns(3 * NSEC_PER_SEC); /* room for a row about other-r, if it were wrongly made */

	watcher_stop(&w);
	assert_int_equal(harness_csv(w.dir, "trials.csv", &t), 0);
	assert_int_equal(count_rows(&t, "watched-x", "replace"), 1);
	assert_int_equal(count_rows(&t, "watched-x", NULL), 1);
	assert_int_equal(count_rows(&t, "proj/web", "replace"), 1);
	assert_int_equal(count_rows(&t, "proj/web", NULL), 1);
	assert_int_equal(count_rows(&t, "watched-r", "restart"), 1);
	assert_int_equal(count_rows(&t, "watched-r", NULL), 1);
	assert_int_equal(count_rows(&t, "other-r", NULL), 0);
	assert_int_equal(t.n_rows, 3);
	csv_table_free(&t);
	check_cell_trials(w.dir, "watched-x", NULL);
	check_cell_trials(w.dir, "proj/web", NULL);
	check_cell_trials(w.dir, "watched-r", NULL);
	assert_true(watch_containers_remove_all(&d) >= 0);
	docker_close(&d);
	watcher_free(&w);
}

/* The engine goes away and comes back: watch stays, says so, and records what follows. */
static void engine_restarted_mid_watch(void **state)
{
	struct watch_container before = {.name = "watched-e1", .script = WATCH_SCRIPT_SERVE};
	struct watch_container after = {.name = "watched-e2", .script = WATCH_SCRIPT_SERVE};
	char id[65], *log_before, *log, *metrics;
	struct watcher w;
	struct csv_table t;
	struct docker d;
	int status;

	(void)state;
	watcher_start(&w, "wengine", LABEL_FILTER, NULL);
	assert_int_equal(harness_docker(&d), 0);
	run_service(&d, &before, id);
	docker_close(&d);
	log_before = harness_slurp(w.log);
	engine_halted = true;
	assert_int_equal(harness_engine("halt"), 0);
	wait_engine_up(&w, 0, 15);
	assert_int_equal(harness_engine("resume"), 0);
	engine_halted = false;
	int64_t resumed_wall = wall_ns();

	wait_engine_up(&w, 1, 60); /* its reconnection backs off */
	assert_int_equal(waitpid(w.pid, &status, WNOHANG), 0);
	log = harness_slurp(w.log);
	/* One line at least about the engine, after what it had said before. */
	assert_true(strlen(log) > strlen(log_before));
	assert_non_null(strstr(log + strlen(log_before), "engine"));
	free(log);
	free(log_before);

	assert_int_equal(harness_docker(&d), 0);
	run_service(&d, &after, id);
	assert_int_equal(watch_container_restart(&d, id, 2), 0);
	wait_log_count(&w, "restart watched-e2 (restart)", 1, 60);
	metrics = fetch_metrics(&w);
	assert_true(metric_value(metrics, "restartprof_engine_reconnects_total", "") >= 1);
	assert_true(metric_value(metrics, "restartprof_engine_up", "") == 1);
	free(metrics);

	watcher_stop(&w);
	assert_int_equal(harness_csv(w.dir, "trials.csv", &t), 0);
	assert_int_equal(count_rows(&t, "watched-e2", "restart"), 1);
	for (size_t r = 0; r < t.n_rows; r++)
		if (strcmp(table_str(&t, r, "cell"), "watched-e2") == 0)
			assert_true(table_i64(&t, r, "window_begin_ns") > resumed_wall);
	csv_table_free(&t);
	check_cell_trials(w.dir, "watched-e2", NULL);
	assert_true(watch_containers_remove_all(&d) >= 0);
	docker_close(&d);
	watcher_free(&w);
}

/* Log rotation: the CSVs moved away, SIGHUP, and the next restart lands in new files. */
static void hangup_reopens_the_files(void **state)
{
	struct watch_container c = {.name = "watched-h", .script = WATCH_SCRIPT_SERVE};
	char id[65], from[512], to[512];
	struct watcher w;
	struct csv_table t;
	struct docker d;
	int status;

	(void)state;
	watcher_start(&w, "whup", LABEL_FILTER, NULL);
	assert_int_equal(harness_docker(&d), 0);
	run_service(&d, &c, id);
	assert_int_equal(watch_container_restart(&d, id, 2), 0);
	wait_log_count(&w, "restart watched-h (restart)", 1, 60);
	snprintf(from, sizeof(from), "%s/trials.csv", w.dir);
	snprintf(to, sizeof(to), "%s/trials.csv.1", w.dir);
	assert_int_equal(rename(from, to), 0);
	assert_int_equal(kill(w.pid, SIGHUP), 0);
	wait_log_count(&w, "SIGHUP", 1, 10);
	assert_int_equal(waitpid(w.pid, &status, WNOHANG), 0); /* still watching */
	assert_int_equal(watch_container_restart(&d, id, 2), 0);
	wait_log_count(&w, "restart watched-h (restart)", 2, 60);
	watcher_stop(&w);

	assert_int_equal(harness_csv(w.dir, "trials.csv.1", &t), 0);
	assert_int_equal(t.n_rows, 1);
	assert_int_equal(table_i64(&t, 0, "trial"), 1);
	csv_table_free(&t);
	/* Made anew, with its header: the second restart only. */
	assert_int_equal(harness_csv(w.dir, "trials.csv", &t), 0);
	assert_int_equal(t.n_rows, 1);
	assert_int_equal(table_i64(&t, 0, "trial"), 2);
	assert_string_equal(table_str(&t, 0, "kind"), "restart");
	csv_table_free(&t);
	assert_true(watch_containers_remove_all(&d) >= 0);
	docker_close(&d);
	watcher_free(&w);
}

/* One invocation that must be refused: its exit code, and for bad input a single line. */
static void expect_refusal(const char *const *args, int want_exit)
{
	struct proc_result r;

	assert_int_equal(harness_run(args, (uid_t)-1, &r), 0);
	if (r.exit_code != want_exit || r.err_lines != 1)
		fprintf(stderr, "watch %s %s: exit %d, stderr:\n%s", args[1], args[2], r.exit_code,
			r.err);
	assert_int_equal(r.exit_code, want_exit);
	if (want_exit == 2) /* bad input: one line says what */
		assert_int_equal(r.err_lines, 1);
	proc_result_free(&r);
}

static void bad_input(void **state)
{
	char *dir = harness_tmpdir("wbad"), addr[32], file[256], below[300], out[256];
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd, port = harness_free_port();
	FILE *f;

	(void)state;
	/* --duration: an invocation wrongly accepted ends by itself, and fails the test. */
	snprintf(out, sizeof(out), "%s/bogus", dir);
	const char *bogus[] = {"watch", "--filter", "bogus", "--duration", "5", "-o", out, NULL};

	expect_refusal(bogus, 2);

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_port = htons((unsigned short)port);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 1), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	snprintf(out, sizeof(out), "%s/taken", dir);
	const char *taken[] = {"watch", "--listen", addr, "--duration", "5", "-o", out, NULL};

	expect_refusal(taken, 2);
	close(fd);

	/* Under a regular file: no directory can be made there, root or not. */
	snprintf(file, sizeof(file), "%s/file", dir);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(below, sizeof(below), "%s/run", file);
	const char *unwritable[] = {"watch", "-o", below, "--duration", "5", NULL};

	expect_refusal(unwritable, 2);

	/* No engine at the socket, and no --wait. */
	snprintf(below, sizeof(below), "unix://%s/no-engine.sock", dir);
	snprintf(file, sizeof(file), "%s/absent", dir);
	const char *absent[] = {
		"watch", "--docker-host", below, "--duration", "5", "--no-trace", "-o", file, NULL};

	expect_refusal(absent, 1);
	harness_rmtree(dir);
	free(dir);
}

static int setup(void **state)
{
	struct docker d;
	int rc;

	(void)state;
	if (harness_docker(&d))
		return -1;
	rc = watch_image_ensure(&d, image);
	if (rc)
		fprintf(stderr, "the test image: %s\n", d.err);
	docker_close(&d);
	return rc;
}

/* Nothing of the tests stays in the engine, whatever failed. */
static int teardown(void **state)
{
	struct docker d;

	(void)state;
	if (running_watch > 0) {
		struct proc_result r;

		kill(running_watch, SIGINT);
		harness_wait(running_watch, &r, 30); /* kills it when it does not end */
		running_watch = 0;
	}
	if (engine_halted && harness_engine("resume") == 0)
		engine_halted = false;
	if (harness_docker(&d))
		return -1;
	watch_containers_remove_all(&d);
	docker_close(&d);
	return harness_count_containers(WATCH_TEST_LABEL) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_input),
		cmocka_unit_test_teardown(policy_restarts, teardown),
		cmocka_unit_test_teardown(restart_kinds_and_filter, teardown),
		cmocka_unit_test_teardown(engine_restarted_mid_watch, teardown),
		cmocka_unit_test_teardown(hangup_reopens_the_files, teardown),
	};

	if (!harness_docker_host() || !getenv("RP_ENGINE_DIR")) {
		fprintf(stderr,
			"these tests need the private engine of tests/run-integration.sh\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
