// SPDX-License-Identifier: GPL-2.0-only
/* The metrics registry's exposition text, the label bound, the textfile and /metrics itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics/http.h"
#include "metrics/registry.h"
#include "metrics/textfile.h"
#include "support/harness.h"
#include "util/files.h"

static char *render(struct metrics *m)
{
	char *buf = NULL;
	size_t len = 0;

	assert_int_equal(metrics_render(m, &buf, &len), 0);
	assert_int_equal(strlen(buf), len);
	return buf;
}

/* The value of the sample whose name and labels are exactly `sample`; fails when absent. */
static double sample_value(const char *text, const char *sample)
{
	size_t n = strlen(sample);

	for (const char *line = text; line && *line; line = strchr(line, '\n'), line += !!line)
		if (strncmp(line, sample, n) == 0 && line[n] == ' ')
			return strtod(line + n + 1, NULL);
	fail_msg("no sample %s in:\n%s", sample, text);
	return 0;
}

static int count_lines_starting(const char *text, const char *prefix)
{
	int count = 0;

	for (const char *line = text; line && *line; line = strchr(line, '\n'), line += !!line)
		count += strncmp(line, prefix, strlen(prefix)) == 0;
	return count;
}

static void new_registry_has_info_and_zero_counters(void **state)
{
	struct metrics *m = metrics_new("1.2", "6.1.0-rpi", NULL);
	char *t;

	(void)state;
	metrics_watch_up(m, true);
	t = render(m);
	assert_non_null(strstr(t, "# TYPE restartprof_build_info gauge\n"));
	assert_non_null(strstr(t, "restartprof_build_info{version=\"1.2\",kernel=\"6.1.0-rpi\","
				  "engine_version=\"\"} 1\n"));
	assert_non_null(strstr(t, "# TYPE restartprof_restart_duration_seconds histogram\n"));
	assert_non_null(strstr(t, "# HELP restartprof_restarts_total "));
	assert_true(sample_value(t, "restartprof_kernel_drops_total") == 0);
	assert_true(sample_value(t, "restartprof_engine_reconnects_total") == 0);
	assert_true(sample_value(t, "restartprof_engine_up") == 1);
	assert_true(sample_value(t, "restartprof_label_overflows_total{label=\"cell\"}") == 0);
	/* No series of a labelled family before its first observation. */
	assert_int_equal(count_lines_starting(t, "restartprof_restarts_total{"), 0);
	assert_int_equal(t[strlen(t) - 1], '\n');
	free(t);
	metrics_engine_version(m, "20.10.24");
	t = render(m);
	assert_non_null(strstr(t, "engine_version=\"20.10.24\"} 1\n"));
	free(t);
	metrics_free(m);
}

static void histogram_buckets_are_cumulative(void **state)
{
	static const double seen[] = {0.07, 0.3, 0.3, 4, 100};
	struct metrics *m = metrics_new("v", "k", "e");
	const char *p;
	double last = -1, sum = 0;
	int buckets = 0;
	char *t;

	(void)state;
	for (size_t i = 0; i < sizeof(seen) / sizeof(seen[0]); i++) {
		assert_int_equal(metrics_restart(m, "web", "policy", seen[i]), 0);
		sum += seen[i];
	}
	t = render(m);
	assert_true(sample_value(t, "restartprof_restarts_total{cell=\"web\",kind=\"policy\"}") ==
		    5);
	assert_true(sample_value(t, "restartprof_restart_duration_seconds_bucket{cell=\"web\","
				    "le=\"0.05\"}") == 0);
	assert_true(sample_value(t, "restartprof_restart_duration_seconds_bucket{cell=\"web\","
				    "le=\"0.1\"}") == 1);
	assert_true(sample_value(t, "restartprof_restart_duration_seconds_bucket{cell=\"web\","
				    "le=\"0.5\"}") == 3);
	assert_true(sample_value(t, "restartprof_restart_duration_seconds_bucket{cell=\"web\","
				    "le=\"60\"}") == 4);
	assert_true(sample_value(t, "restartprof_restart_duration_seconds_bucket{cell=\"web\","
				    "le=\"+Inf\"}") == 5);
	assert_true(sample_value(t, "restartprof_restart_duration_seconds_count{cell=\"web\"}") ==
		    5);
	assert_float_equal(
		sample_value(t, "restartprof_restart_duration_seconds_sum{cell=\"web\"}"), sum,
		1e-9);
	/* Every bucket line in order, never decreasing, +Inf last. */
	for (p = strstr(t, "restartprof_restart_duration_seconds_bucket"); p;
	     p = strstr(p + 1, "restartprof_restart_duration_seconds_bucket")) {
		double v = strtod(strchr(p, '}') + 2, NULL);

		assert_true(v >= last);
		last = v;
		buckets++;
	}
	assert_int_equal(buckets, 15);
	assert_true(last == 5);
	free(t);
	metrics_free(m);
}

static void phases_causes_and_io_wait(void **state)
{
	struct metrics *m = metrics_new("v", "k", "e");
	char *t;

	(void)state;
	metrics_phase(m, "db", "create", 0.5, 0.25);
	metrics_phase(m, "db", "create", 1.5, 0.5);
	metrics_phase(m, "db", "start", 0.002, 0);
	metrics_cause(m, "db", "create", "overlay-umount-sync", 0.75);
	metrics_cause(m, "db", "create", "overlay-umount-sync", 0.25);
	metrics_phase(m, "db", "kill", -3, 0); /* a clock step: counted as 0 */
	t = render(m);
	assert_true(sample_value(t, "restartprof_phase_duration_seconds_count{cell=\"db\","
				    "phase=\"create\"}") == 2);
	assert_true(sample_value(t, "restartprof_phase_duration_seconds_sum{cell=\"db\","
				    "phase=\"create\"}") == 2);
	assert_true(sample_value(t, "restartprof_phase_duration_seconds_bucket{cell=\"db\","
				    "phase=\"start\",le=\"0.0025\"}") == 1);
	assert_true(sample_value(t, "restartprof_phase_duration_seconds_bucket{cell=\"db\","
				    "phase=\"kill\",le=\"0.001\"}") == 1);
	assert_true(sample_value(t, "restartprof_engine_io_wait_seconds_total{cell=\"db\","
				    "phase=\"create\"}") == 0.75);
	assert_true(sample_value(t, "restartprof_cause_seconds_total{cell=\"db\",phase=\"create\","
				    "cause=\"overlay-umount-sync\"}") == 1);
	free(t);
	metrics_free(m);
}

static void label_values_are_escaped(void **state)
{
	struct metrics *m = metrics_new("v\"1", "k\\2", "e\n3");
	char *t;

	(void)state;
	metrics_restart(m, "a\"b\\c\nd", "restart", 1);
	t = render(m);
	assert_non_null(
		strstr(t, "{version=\"v\\\"1\",kernel=\"k\\\\2\",engine_version=\"e\\n3\"}"));
	assert_true(sample_value(t, "restartprof_restarts_total{cell=\"a\\\"b\\\\c\\nd\","
				    "kind=\"restart\"}") == 1);
	/* HELP text escapes backslash and newline but keeps quotes as they are. */
	assert_non_null(strstr(t, "counted as \"other\""));
	free(t);
	metrics_free(m);
}

static void cells_beyond_the_bound_become_other(void **state)
{
	struct metrics *m = metrics_new("v", "k", "e");
	char cell[32], *t;

	(void)state;
	for (int i = 0; i < METRICS_MAX_CELLS + 6; i++) {
		snprintf(cell, sizeof(cell), "svc-%d", i);
		assert_int_equal(metrics_restart(m, cell, "replace", 1), 0);
	}
	metrics_restart(m, "svc-0", "replace", 1); /* known cells stay themselves */
	t = render(m);
	assert_int_equal(count_lines_starting(t, "restartprof_restarts_total{"),
			 METRICS_MAX_CELLS + 1);
	assert_true(sample_value(
			    t, "restartprof_restarts_total{cell=\"svc-0\",kind=\"replace\"}") == 2);
	assert_true(sample_value(
			    t, "restartprof_restarts_total{cell=\"other\",kind=\"replace\"}") == 6);
	assert_true(sample_value(t, "restartprof_label_overflows_total{label=\"cell\"}") == 6);
	assert_true(sample_value(t, "restartprof_label_overflows_total{label=\"kind\"}") == 0);
	free(t);
	metrics_free(m);
}

static void totals_never_go_back(void **state)
{
	struct metrics *m = metrics_new("v", "k", "e");
	char *t;

	(void)state;
	metrics_kernel_drops(m, 5);
	metrics_kernel_drops(m, 3);
	metrics_engine_reconnects(m, 2);
	t = render(m);
	assert_true(sample_value(t, "restartprof_kernel_drops_total") == 5);
	assert_true(sample_value(t, "restartprof_engine_reconnects_total") == 2);
	free(t);
	metrics_free(m);
}

static void *observe_many(void *arg)
{
	char cell[16];

	for (int i = 0; i < 2000; i++) {
		snprintf(cell, sizeof(cell), "c%d", i % 100);
		metrics_restart(arg, cell, "policy", 0.5);
		metrics_phase(arg, cell, "start", 0.1, 0.01);
	}
	return NULL;
}

/* The HTTP thread renders while the watch loop observes: every render is whole. */
static void render_while_observing(void **state)
{
	struct metrics *m = metrics_new("v", "k", "e");
	pthread_t t;
	char *text;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, observe_many, m), 0);
	for (int i = 0; i < 50; i++) {
		text = render(m);
		assert_non_null(strstr(text, "# TYPE restartprof_label_overflows_total counter"));
		free(text);
	}
	pthread_join(t, NULL);
	text = render(m);
	assert_true(
		sample_value(text, "restartprof_restarts_total{cell=\"other\",kind=\"policy\"}") ==
		2000 - METRICS_MAX_CELLS * 20);
	free(text);
	metrics_free(m);
}

static void listen_addresses_parse(void **state)
{
	static const char *const bad[] = {"127.0.0.1",	  "localhost:9617", "::1:9617",
					  "[::1]9617",	  "[::1]:",	    "127.0.0.1:70000",
					  "127.0.0.1:-1", ":9617",	    "[]:9617",
					  "1.2.3:9617",	  "127.0.0.1:9x",   "[127.0.0.1]:80",
					  "[::1:9617"};
	struct sockaddr_storage ss;
	socklen_t len;
	char err[160];

	(void)state;
	assert_int_equal(metrics_listen_parse("127.0.0.1:9617", &ss, &len, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9617);
	assert_int_equal(metrics_listen_parse("[::1]:0", &ss, &len, err, sizeof(err)), 0);
	assert_int_equal(ss.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(metrics_listen_parse(bad[i], &ss, &len, err, sizeof(err)),
				 -EINVAL);
		assert_true(strncmp(err, "--listen ", 9) == 0);
		assert_null(strchr(err, '\n'));
	}
	metrics_listen_parse("::1:9617", &ss, &len, err, sizeof(err));
	assert_non_null(strstr(err, "brackets"));
}

/* One HTTP/1.0 request to 127.0.0.1:port; the whole answer, headers included. */
static char *http_get(int port, const char *request)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ssize_t n;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
	while ((n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	return buf;
}

static void http_serves_metrics_on_loopback(void **state)
{
	struct metrics *m = metrics_new("v", "k", "e");
	struct metrics_http *h = NULL, *again = NULL;
	char err[160], addr[64], *reply, *body;
	int port;

	(void)state;
	metrics_restart(m, "web", "policy", 1.5);
	assert_int_equal(metrics_http_start(m, "127.0.0.1:0", &h, err, sizeof(err)), 0);
	port = metrics_http_port(h);
	assert_true(port > 0);

	reply = http_get(port, "GET /metrics HTTP/1.0\r\n\r\n");
	assert_true(strncmp(reply, "HTTP/1.1 200", 12) == 0);
	assert_non_null(strcasestr(reply, "\r\nContent-Type: text/plain; version=0.0.4"));
	body = strstr(reply, "\r\n\r\n");
	assert_non_null(body);
	assert_true(sample_value(body + 4, "restartprof_restarts_total{cell=\"web\","
					   "kind=\"policy\"}") == 1);
	free(reply);
	reply = http_get(port, "GET / HTTP/1.0\r\n\r\n");
	assert_non_null(strstr(reply, "/metrics"));
	free(reply);
	reply = http_get(port, "GET /nothing HTTP/1.0\r\n\r\n");
	assert_true(strncmp(reply, "HTTP/1.1 404", 12) == 0);
	free(reply);
	reply = http_get(port, "POST /metrics HTTP/1.0\r\nContent-Length: 0\r\n\r\n");
	assert_true(strncmp(reply, "HTTP/1.1 405", 12) == 0);
	free(reply);

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	assert_int_equal(metrics_http_start(m, addr, &again, err, sizeof(err)), -EADDRINUSE);
	assert_null(again);
	assert_non_null(strstr(err, "address in use"));
	assert_true(strncmp(err, "--listen 127.0.0.1:", 19) == 0);
	metrics_http_stop(h);
	/* Stopped means the port is free again. */
	assert_int_equal(metrics_http_start(m, addr, &h, err, sizeof(err)), 0);
	metrics_http_stop(h);
	metrics_free(m);
}

static void textfile_is_replaced_whole(void **state)
{
	char *dir = harness_tmpdir("metrics"), path[4200], err[160], *text, *file;
	struct metrics *m = metrics_new("v", "k", "e");
	struct metrics_textfile *tf = NULL;
	size_t len;
	int fd;

	(void)state;
	assert_int_equal(metrics_textfile_open(dir, &tf, err, sizeof(err)), 0);
	metrics_restart(m, "web", "restart", 2);
	assert_int_equal(metrics_textfile_write(tf, m, err, sizeof(err)), 0);
	metrics_restart(m, "web", "restart", 3);
	assert_int_equal(metrics_textfile_write(tf, m, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, METRICS_TEXTFILE_NAME);
	assert_int_equal(file_read_all(AT_FDCWD, path, 1 << 20, 0, &file, &len), 0);
	text = render(m);
	assert_string_equal(file, text);
	free(file);
	free(text);
	metrics_textfile_close(tf);

	/* Nothing but the file is left in the directory (no temporary). */
	snprintf(path, sizeof(path), "%s/.%s.%d.tmp", dir, METRICS_TEXTFILE_NAME, (int)getpid());
	assert_int_equal(access(path, F_OK), -1);

	/* A file where a directory should be, a symlink, a missing directory: one line each. */
	snprintf(path, sizeof(path), "%s/plain", dir);
	fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	close(fd);
	assert_int_equal(metrics_textfile_open(path, &tf, err, sizeof(err)), -ENOTDIR);
	assert_non_null(strstr(err, "not a directory"));
	snprintf(path, sizeof(path), "%s/link", dir);
	assert_int_equal(symlink(dir, path), 0);
	assert_int_equal(metrics_textfile_open(path, &tf, err, sizeof(err)), -ELOOP);
	snprintf(path, sizeof(path), "%s/absent", dir);
	assert_int_equal(metrics_textfile_open(path, &tf, err, sizeof(err)), -ENOENT);
	assert_null(strchr(err, '\n'));
	metrics_free(m);
	harness_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(new_registry_has_info_and_zero_counters),
		cmocka_unit_test(histogram_buckets_are_cumulative),
		cmocka_unit_test(phases_causes_and_io_wait),
		cmocka_unit_test(label_values_are_escaped),
		cmocka_unit_test(cells_beyond_the_bound_become_other),
		cmocka_unit_test(totals_never_go_back),
		cmocka_unit_test(render_while_observing),
		cmocka_unit_test(listen_addresses_parse),
		cmocka_unit_test(http_serves_metrics_on_loopback),
		cmocka_unit_test(textfile_is_replaced_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
