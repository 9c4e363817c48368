// SPDX-License-Identifier: GPL-2.0-only
/* What the watch reads from the events stream: labels and images, a cursor, forgetting, breaks. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine/docker.h"
#include "engine/events.h"
#include "util/clock.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char start_event[] =
	"{\"status\":\"start\",\"id\":\"" ID "\",\"from\":\"nginx:1.25\",\"Type\":\"container\","
	"\"Action\":\"start\",\"Actor\":{\"ID\":\"" ID "\",\"Attributes\":{"
	"\"com.docker.compose.config-hash\":\"9f1c\",\"com.docker.compose.container-number\":\"1\","
	"\"com.docker.compose.project\":\"shop\",\"com.docker.compose.service\":\"web\","
	"\"image\":\"nginx:1.25\",\"maintainer\":\"NGINX "
	"<x@example.org>\",\"name\":\"shop-web-1\"}},"
	"\"scope\":\"local\",\"time\":1795547903,\"timeNano\":1795547903409900317}";

static void container_events_carry_image_and_labels(void **state)
{
	struct engine_event ev;

	(void)state;
	assert_int_equal(engine_event_parse(start_event, strlen(start_event), &ev), 0);
	assert_string_equal(ev.name, "shop-web-1");
	assert_string_equal(ev.image, "nginx:1.25");
	assert_string_equal(ev.project, "shop");
	assert_string_equal(ev.service, "web");
	assert_false(ev.labels_cut);
	/* Project and service first; name and image are no labels. */
	assert_string_equal(ev.labels, "com.docker.compose.project=shop");
	assert_string_equal(event_label(ev.labels, "com.docker.compose.service"), "web");
	assert_string_equal(event_label(ev.labels, "com.docker.compose.container-number"), "1");
	assert_string_equal(event_label(ev.labels, "maintainer"), "NGINX <x@example.org>");
	assert_null(event_label(ev.labels, "name"));
	assert_null(event_label(ev.labels, "image"));
	assert_null(event_label(ev.labels, "com.docker.compose"));
	assert_null(event_label(NULL, "x"));
}

static void health_status_stays_readable(void **state)
{
	static const char health[] =
		"{\"Type\":\"container\",\"Action\":\"health_status: unhealthy\",\"Actor\":{\"ID\":"
		"\"" ID "\",\"Attributes\":{\"image\":\"x\",\"name\":\"web\"}},"
		"\"timeNano\":1795547903409900317}";
	static const char net[] =
		"{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":\"n1\","
		"\"Attributes\":{"
		"\"container\":\"" ID "\",\"name\":\"bridge\",\"type\":\"bridge\"}},"
		"\"timeNano\":1795547903445574132}";
	struct engine_event ev;

	(void)state;
	assert_int_equal(engine_event_parse(health, strlen(health), &ev), 0);
	assert_string_equal(ev.action, "health_status: unhealthy");
	assert_string_equal(ev.labels, "");
	assert_int_equal(engine_event_parse(net, strlen(net), &ev), 0);
	assert_string_equal(ev.image, "");
	assert_string_equal(ev.labels, ""); /* a network's attributes are no labels */
	assert_string_equal(ev.container, ID);
}

static void labels_that_do_not_fit_are_left_out_whole(void **state)
{
	char json[4096], *p = json;
	struct engine_event ev;
	size_t used = 0;

	(void)state;
	p += sprintf(p,
		     "{\"Type\":\"container\",\"Action\":\"create\",\"timeNano\":5,\"Actor\":"
		     "{\"ID\":\"x\",\"Attributes\":{\"a.long\":\"%0300d\",\"b.long\":\"%0300d\","
		     "\"c\":\"small\",\"com.docker.compose.service\":\"web\",\"name\":\"n\"}}}",
		     1, 2);
	assert_int_equal(engine_event_parse(json, (size_t)(p - json), &ev), 0);
	assert_true(ev.labels_cut);
	assert_string_equal(event_label(ev.labels, "com.docker.compose.service"), "web");
	assert_non_null(event_label(ev.labels, "a.long"));
	assert_null(event_label(ev.labels, "b.long"));
	assert_string_equal(event_label(ev.labels, "c"), "small");
	for (const char *l = ev.labels; *l; l += strlen(l) + 1)
		used += strlen(l) + 1;
	assert_true(used < sizeof(ev.labels));
}

/* A pretend engine: each connection gets a 200 and some events; the first is then cut. */
struct fake_engine {
	char path[108];
	int listen_fd;
	int cut[2]; /* a byte here ends the first connection */
	pthread_t thread;
};

static void send_all(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = send(fd, s, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		s += n, len -= (size_t)n;
	}
}

static void answer(int fd, const char *const *events)
{
	char req[4096];
	size_t got = 0;

	/* The request's headers, then the answer without a length: the stream ends at close. */
	while (got < sizeof(req) - 1) {
		ssize_t n = read(fd, req + got, sizeof(req) - 1 - got);

		if (n <= 0)
			break;
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		     "Connection: close\r\n\r\n");
	for (; *events; events++) {
		send_all(fd, *events);
		send_all(fd, "\n");
	}
}

static char *event_json(const char *action, long long t)
{
	char *s = malloc(512);

	assert_non_null(s);
	snprintf(s, 512,
		 "{\"Type\":\"container\",\"Action\":\"%s\",\"Actor\":{\"ID\":\"" ID "\","
		 "\"Attributes\":{\"name\":\"web\",\"image\":\"nginx\"}},\"timeNano\":%lld}",
		 action, t);
	return s;
}

static const char *first[4], *second[3];

static void *fake_main(void *arg)
{
	struct fake_engine *fe = arg;
	char c;
	int fd = accept(fe->listen_fd, NULL, NULL);

	answer(fd, first);
	(void)!read(fe->cut[0], &c, 1);
	close(fd);
	fd = accept(fe->listen_fd, NULL, NULL);
	answer(fd, second);
	while (read(fd, &c, 1) > 0) /* until the stream is stopped */
		;
	close(fd);
	return NULL;
}

static void fake_start(struct fake_engine *fe)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char dir[] = "/tmp/rp-events-XXXXXX";

	assert_non_null(mkdtemp(dir));
	snprintf(fe->path, sizeof(fe->path), "%s/s", dir);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", fe->path);
	fe->listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fe->listen_fd >= 0);
	assert_int_equal(bind(fe->listen_fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fe->listen_fd, 2), 0);
	assert_int_equal(pipe(fe->cut), 0);
	assert_int_equal(pthread_create(&fe->thread, NULL, fake_main, fe), 0);
}

static void fake_stop(struct fake_engine *fe)
{
	char *slash;

	pthread_join(fe->thread, NULL);
	close(fe->listen_fd);
	close(fe->cut[0]);
	close(fe->cut[1]);
	unlink(fe->path);
	slash = strrchr(fe->path, '/');
	*slash = '\0';
	rmdir(fe->path);
}

static void read_after_a_cursor_and_forget(void **state)
{
	const long long t0 = 1795547903000000000LL;
	struct fake_engine fe;
	struct docker d = {.timeout_ms = 5000};
	struct event_stream *es;
	struct engine_event out[8];
	uint64_t cursor = 0;
	char err[256];

	(void)state;
	first[0] = event_json("kill", t0 + 100);
	first[1] = event_json("die", t0 + 200);
	first[2] = event_json("stop", t0 + 300);
	second[0] = first[2]; /* the engine repeats the second it resumes from */
	second[1] = event_json("start", t0 + 400);
	fake_start(&fe);
	snprintf(d.socket_path, sizeof(d.socket_path), "%s", fe.path);
	assert_int_equal(event_stream_start(&d, t0, &es, err, sizeof(err)), 0);
	assert_int_equal(event_stream_connects(es), 1);
	assert_int_equal(
		event_stream_wait(es, "container", "stop", ID, 0, mono_ns() + 5 * NSEC_PER_SEC),
		t0 + 300);
	assert_int_equal(event_stream_read(es, &cursor, out, 2), 2);
	assert_string_equal(out[0].action, "kill");
	assert_string_equal(out[1].action, "die");
	assert_int_equal(event_stream_read(es, &cursor, out, 8), 1);
	assert_string_equal(out[0].action, "stop");
	assert_int_equal(event_stream_read(es, &cursor, out, 8), 0);
	int64_t t = mono_ns();

	assert_int_equal(
		event_stream_read_wait(es, &cursor, out, 8, mono_ns() + 100 * NSEC_PER_MSEC), 0);
	assert_true(mono_ns() - t >= 100 * NSEC_PER_MSEC);
	/* Forgotten events are gone for collect too; the rest stays. */
	event_stream_forget(es, t0 + 200);
	assert_int_equal(event_stream_kept(es), 2);
	assert_int_equal(event_stream_collect(es, ID, 0, INT64_MAX, out, 8), 2);
	assert_string_equal(out[0].action, "die");
	/* The engine cuts the stream; it comes back, and only the new event is read. */
	assert_int_equal(write(fe.cut[1], "x", 1), 1);
	assert_int_equal(event_stream_read_wait(es, &cursor, out, 8, mono_ns() + 5 * NSEC_PER_SEC),
			 1);
	assert_int_equal(event_stream_connects(es), 2);
	assert_true(event_stream_reconnects(es) >= 1);
	assert_string_equal(out[0].action, "start");
	assert_string_equal(out[0].image, "nginx");
	event_stream_forget(es, INT64_MAX);
	assert_int_equal(event_stream_kept(es), 0);
	assert_int_equal(event_stream_read(es, &cursor, out, 8), 0);
	event_stream_stop(es);
	fake_stop(&fe);
	for (int i = 0; i < 3; i++)
		free((void *)first[i]);
	free((void *)second[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(container_events_carry_image_and_labels),
		cmocka_unit_test(health_status_stays_readable),
		cmocka_unit_test(labels_that_do_not_fit_are_left_out_whole),
		cmocka_unit_test(read_after_a_cursor_and_forget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
