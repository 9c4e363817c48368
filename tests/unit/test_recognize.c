// SPDX-License-Identifier: GPL-2.0-only
/* Restarts recognised in synthetic event sequences: each kind, interleaving, windows, staleness. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/files.h"
#include "watch/recognize.h"

#define WINDOW 120000 /* ns, small numbers read better */

static const char A[] = "aaaa000000000000000000000000000000000000000000000000000000000001";
static const char B[] = "bbbb000000000000000000000000000000000000000000000000000000000002";
static const char C[] = "cccc000000000000000000000000000000000000000000000000000000000003";

static struct engine_event container(int64_t t, const char *action, const char *id,
				     const char *name)
{
	struct engine_event ev = {.time_ns = t, .exit_code = -1};

	snprintf(ev.type, sizeof(ev.type), "container");
	snprintf(ev.action, sizeof(ev.action), "%s", action);
	snprintf(ev.container, sizeof(ev.container), "%s", id);
	snprintf(ev.name, sizeof(ev.name), "%s", name);
	snprintf(ev.image, sizeof(ev.image), "nginx:1.25");
	if (strcmp(action, "die") == 0)
		ev.exit_code = 137;
	return ev;
}

static struct engine_event network(int64_t t, const char *action, const char *id)
{
	struct engine_event ev = {.time_ns = t, .exit_code = -1};

	snprintf(ev.type, sizeof(ev.type), "network");
	snprintf(ev.action, sizeof(ev.action), "%s", action);
	snprintf(ev.container, sizeof(ev.container), "%s", id);
	snprintf(ev.name, sizeof(ev.name), "bridge");
	return ev;
}

static struct engine_event compose(struct engine_event ev, const char *number)
{
	snprintf(ev.project, sizeof(ev.project), "shop");
	snprintf(ev.service, sizeof(ev.service), "web");
	/* "k=v\0k=v\0\0" as the events parser writes it */
	int n = snprintf(ev.labels, sizeof(ev.labels),
			 "com.docker.compose.project=shop%ccom.docker.compose.service=web%c"
			 "com.docker.compose.container-number=%s",
			 0, 0, number);
	ev.labels[n + 1] = '\0';
	return ev;
}

/* Feeds events; returns how many restarts came out, the last in *out. */
static int feed(struct recognizer *r, const struct engine_event *evs, size_t n,
		struct restart_seen *out)
{
	int seen = 0;

	for (size_t i = 0; i < n; i++)
		seen += recognizer_feed(r, &evs[i], out);
	return seen;
}

#define FEED(r, out, ...)                                                                          \
	({                                                                                         \
		const struct engine_event evs_[] = {__VA_ARGS__};                                  \
		feed(r, evs_, sizeof(evs_) / sizeof(evs_[0]), out);                                \
	})

static void running(struct recognizer *r, const char *id, const char *name, int64_t t)
{
	struct restart_seen out;

	assert_int_equal(FEED(r, &out, container(t, "create", id, name),
			      network(t + 1, "connect", id), container(t + 2, "start", id, name)),
			 0);
}

static void policy_restart(void **state)
{
	struct recognizer *r = recognizer_new(WINDOW, ENGINE_DOCKER);
	struct restart_seen out;

	(void)state;
	running(r, A, "web", 100);
	assert_int_equal(FEED(r, &out, container(1000, "die", A, "web"),
			      network(1010, "disconnect", A), network(1500, "connect", A)),
			 0);
	assert_int_equal(FEED(r, &out, container(1600, "start", A, "web")), 1);
	assert_int_equal(out.kind, RESTART_POLICY);
	assert_string_equal(out.old_id, A);
	assert_string_equal(out.new_id, A);
	assert_string_equal(out.cell, "web");
	assert_string_equal(out.image, "nginx:1.25");
	assert_int_equal(out.exit_code, 137);
	assert_int_equal(out.begin_ns, 1000);
	assert_int_equal(out.start_ns, 1600);
	assert_int_equal(out.event_ns[PH_KILL], 0);
	assert_int_equal(out.event_ns[PH_DIE], 1000);
	assert_int_equal(out.event_ns[PH_DISCONNECT], 1010);
	assert_int_equal(out.event_ns[PH_STOP], 0);
	assert_int_equal(out.event_ns[PH_CREATE], 0);
	assert_int_equal(out.event_ns[PH_CONNECT], 1500);
	assert_int_equal(out.event_ns[PH_START], 1600);
	assert_int_equal(out.event_ns[PH_READY], 0);
	/* A crash loop: each die then start is one more. */
	assert_int_equal(FEED(r, &out, container(2000, "die", A, "web"),
			      container(2300, "start", A, "web"), container(3000, "die", A, "web"),
			      container(3700, "start", A, "web")),
			 2);
	assert_int_equal(out.begin_ns, 3000);
	recognizer_free(r);
}

static void docker_restart_and_stop_start(void **state)
{
	struct recognizer *r = recognizer_new(WINDOW, ENGINE_DOCKER);
	struct restart_seen out;

	(void)state;
	running(r, A, "web", 100);
	/* docker restart: the restart event after the start adds nothing. */
	assert_int_equal(FEED(r, &out, container(1000, "kill", A, "web"),
			      container(1100, "die", A, "web"), network(1110, "disconnect", A),
			      container(1120, "stop", A, "web"), network(1200, "connect", A),
			      container(1300, "start", A, "web"),
			      container(1301, "restart", A, "web")),
			 1);
	assert_int_equal(out.kind, RESTART_MANUAL);
	assert_string_equal(restart_kind_name(out.kind), "restart");
	assert_int_equal(out.begin_ns, 1000);
	assert_int_equal(out.event_ns[PH_KILL], 1000);
	assert_int_equal(out.event_ns[PH_STOP], 1120);
	assert_int_equal(out.event_ns[PH_CONNECT], 1200);
	/* docker stop that needs SIGKILL after the grace, then docker start: the first kill. */
	assert_int_equal(FEED(r, &out, container(5000, "kill", A, "web"),
			      container(15000, "kill", A, "web"), container(15010, "die", A, "web"),
			      container(15020, "stop", A, "web")),
			 0);
	assert_int_equal(FEED(r, &out, container(40000, "start", A, "web")), 1);
	assert_int_equal(out.kind, RESTART_MANUAL);
	assert_int_equal(out.begin_ns, 5000);
	assert_int_equal(out.event_ns[PH_DISCONNECT], 0);
	recognizer_free(r);
}

static void a_kill_long_before_is_no_stop_request(void **state)
{
	struct recognizer *r = recognizer_new(WINDOW, ENGINE_DOCKER);
	struct restart_seen out;

	(void)state;
	running(r, A, "web", 100);
	/* docker kill -s HUP, the service lives on, crashes much later, the policy restarts it */
	assert_int_equal(FEED(r, &out, container(1000, "kill", A, "web"),
			      container(1000 + 2 * WINDOW, "die", A, "web"),
			      container(1100 + 2 * WINDOW, "start", A, "web")),
			 1);
	assert_int_equal(out.kind, RESTART_POLICY);
	assert_int_equal(out.begin_ns, 1000 + 2 * WINDOW);
	assert_int_equal(out.event_ns[PH_KILL], 0);
	recognizer_free(r);
}

static void replacement_by_name(void **state)
{
	struct recognizer *r = recognizer_new(WINDOW, ENGINE_DOCKER);
	struct restart_seen out;

	(void)state;
	running(r, A, "web", 100);
	/* docker rm -f web; docker run --name web ... */
	assert_int_equal(FEED(r, &out, container(1000, "kill", A, "web"),
			      container(1100, "die", A, "web"), network(1110, "disconnect", A),
			      container(1200, "destroy", A, "web"),
			      container(1300, "create", B, "web"),
			      container(1310, "attach", B, "web"), network(1320, "connect", B)),
			 0);
	assert_int_equal(FEED(r, &out, container(1400, "start", B, "web")), 1);
	assert_int_equal(out.kind, RESTART_REPLACE);
	assert_string_equal(out.old_id, A);
	assert_string_equal(out.new_id, B);
	assert_string_equal(out.cell, "web");
	assert_int_equal(out.begin_ns, 1000);
	const int64_t want[PH_COUNT] = {1000, 1100, 1110, 0, 1200, 1300, 1310, 1320, 1400, 0};

	for (int p = 0; p < PH_COUNT; p++)
		assert_int_equal(out.event_ns[p], want[p]);
	/* The old one is used up: its late events and another start of the name make nothing. */
	assert_int_equal(FEED(r, &out, container(2000, "create", C, "web"),
			      container(2100, "start", C, "web")),
			 0);
	recognizer_free(r);
}

static void replacement_outside_the_window(void **state)
{
	struct recognizer *r = recognizer_new(WINDOW, ENGINE_DOCKER);
	struct restart_seen out;

	(void)state;
	running(r, A, "web", 100);
	assert_int_equal(FEED(r, &out, container(1000, "die", A, "web"),
			      container(1200, "destroy", A, "web"),
			      container(1000 + WINDOW, "create", B, "web"),
			      container(1001 + WINDOW, "start", B, "web")),
			 0);
	/* And the same id started again too late is no restart either. */
	running(r, C, "db", 100);
	assert_int_equal(FEED(r, &out, container(5000, "die", C, "db"),
			      container(5001 + WINDOW, "start", C, "db")),
			 0);
	recognizer_free(r);
}

static void replacement_by_compose_labels(void **state)
{
	struct recognizer *r = recognizer_new(WINDOW, ENGINE_DOCKER);
	struct restart_seen out;

	(void)state;
	assert_int_equal(FEED(r, &out, compose(container(100, "create", A, "shop_web_1"), "1"),
			      compose(container(110, "start", A, "shop_web_1"), "1")),
			 0);
	/* The old one is renamed once stopped; the new one has another name. */
	assert_int_equal(
		FEED(r, &out, compose(container(1000, "kill", A, "shop_web_1"), "1"),
		     compose(container(1100, "die", A, "shop_web_1"), "1"),
		     compose(container(1150, "stop", A, "shop_web_1"), "1"),
		     compose(container(1160, "rename", A, "aaaa00000000_shop_web_1"), "1"),
		     compose(container(1200, "create", B, "shop-web-1"), "1"),
		     compose(container(1250, "destroy", A, "aaaa00000000_shop_web_1"), "1")),
		0);
	assert_int_equal(FEED(r, &out, compose(container(1300, "start", B, "shop-web-1"), "1")), 1);
	assert_int_equal(out.kind, RESTART_REPLACE);
	assert_string_equal(out.cell, "shop/web");
	assert_string_equal(out.name, "shop-web-1");
	assert_string_equal(out.old_id, A);
	assert_int_equal(out.event_ns[PH_DESTROY], 1250);
	assert_int_equal(out.event_ns[PH_CREATE], 1200);
	recognizer_free(r);
}

/* Newer compose creates the new container under a temporary name before stopping the old. */
static void compose_creates_before_it_stops(void **state)
{
	struct recognizer *r = recognizer_new(WINDOW, ENGINE_DOCKER);
	struct restart_seen out;

	(void)state;
	assert_int_equal(FEED(r, &out, compose(container(100, "create", A, "shop-web-1"), "1"),
			      compose(container(110, "start", A, "shop-web-1"), "1"),
			      compose(container(100, "create", C, "shop-web-2"), "2"),
			      compose(container(110, "start", C, "shop-web-2"), "2"),
			      compose(container(900, "create", B, "aaaa00000000_shop-web-1"), "1"),
			      compose(container(1000, "kill", A, "shop-web-1"), "1"),
			      compose(container(1100, "die", A, "shop-web-1"), "1"),
			      compose(container(1150, "kill", C, "shop-web-2"), "2"),
			      compose(container(1160, "die", C, "shop-web-2"), "2"),
			      compose(container(1200, "destroy", A, "shop-web-1"), "1"),
			      compose(container(1250, "rename", B, "shop-web-1"), "1")),
			 0);
	assert_int_equal(FEED(r, &out, compose(container(1300, "start", B, "shop-web-1"), "1")), 1);
	assert_int_equal(out.kind, RESTART_REPLACE);
	assert_string_equal(out.old_id, A); /* by name, not the other replica */
	assert_string_equal(out.name, "shop-web-1");
	assert_int_equal(out.event_ns[PH_CREATE], 900);
	assert_int_equal(out.begin_ns, 1000);
	recognizer_free(r);
}

static void two_containers_interleaved(void **state)
{
	struct recognizer *r = recognizer_new(WINDOW, ENGINE_DOCKER);
	struct restart_seen out;

	(void)state;
	running(r, A, "web", 100);
	running(r, B, "db", 100);
	assert_int_equal(FEED(r, &out, container(1000, "die", A, "web"),
			      container(1001, "kill", B, "db"), network(1002, "disconnect", A),
			      container(1003, "die", B, "db"), network(1004, "disconnect", B),
			      container(1005, "stop", B, "db"), network(1006, "connect", A)),
			 0);
	assert_int_equal(FEED(r, &out, container(1007, "start", A, "web")), 1);
	assert_int_equal(out.kind, RESTART_POLICY);
	assert_string_equal(out.new_id, A);
	assert_int_equal(out.event_ns[PH_DISCONNECT], 1002);
	assert_int_equal(out.event_ns[PH_CONNECT], 1006);
	assert_int_equal(
		FEED(r, &out, network(1008, "connect", B), container(1009, "start", B, "db")), 1);
	assert_int_equal(out.kind, RESTART_MANUAL);
	assert_string_equal(out.cell, "db");
	assert_int_equal(out.event_ns[PH_DISCONNECT], 1004);
	assert_int_equal(out.event_ns[PH_CONNECT], 1008);
	assert_int_equal(out.begin_ns, 1001);
	recognizer_free(r);
}

static void what_is_no_restart(void **state)
{
	struct recognizer *r = recognizer_new(WINDOW, ENGINE_DOCKER);
	struct restart_seen out;

	(void)state;
	/* A new container of a name never seen; one that dies and stays down; a start of a
	 * container never seen dying; a network connect of a running one. */
	running(r, A, "web", 100);
	assert_int_equal(
		FEED(r, &out, container(1000, "kill", A, "web"), container(1100, "die", A, "web"),
		     container(1200, "stop", A, "web"), container(1300, "create", B, "api"),
		     container(1400, "start", B, "api"), container(1500, "start", C, "cron"),
		     network(1600, "connect", B), container(1700, "destroy", A, "web")),
		0);
	/* Events of other kinds of object, or without a container, are ignored. */
	struct engine_event img = container(1800, "pull", "", "nginx");

	snprintf(img.type, sizeof(img.type), "image");
	assert_int_equal(recognizer_feed(r, &img, &out), 0);
	recognizer_free(r);
}

static void stale_events_are_ignored(void **state)
{
	struct recognizer *r = recognizer_new(WINDOW, ENGINE_DOCKER);
	struct restart_seen out;

	(void)state;
	running(r, A, "web", 100);
	assert_int_equal(
		FEED(r, &out, container(1000, "die", A, "web"), container(1600, "start", A, "web")),
		1);
	/* Replayed after a reconnect: the die and the start already counted. */
	assert_int_equal(
		FEED(r, &out, container(1000, "die", A, "web"), container(1600, "start", A, "web")),
		0);
	/* A disconnect that comes after the stop still belongs to the restart. */
	assert_int_equal(FEED(r, &out, container(2000, "kill", A, "web"),
			      container(2100, "die", A, "web"), container(2200, "stop", A, "web"),
			      network(2150, "disconnect", A), container(2300, "start", A, "web")),
			 1);
	assert_int_equal(out.event_ns[PH_DISCONNECT], 2150);
	/* A start stamped before the die it follows is no restart of it. */
	assert_int_equal(
		FEED(r, &out, container(3000, "die", A, "web"), container(2900, "start", A, "web")),
		0);
	recognizer_free(r);
}

static void memory_is_bounded(void **state)
{
	struct recognizer *r = recognizer_new(WINDOW, ENGINE_DOCKER);
	struct restart_seen out;
	char id[65], name[32];

	(void)state;
	for (int i = 0; i < 3 * RECOGNIZER_MAX_CONTAINERS; i++) {
		snprintf(id, sizeof(id), "%064d", i + 1);
		snprintf(name, sizeof(name), "c%d", i);
		assert_int_equal(FEED(r, &out, container(10 * i, "create", id, name),
				      container(10 * i + 1, "start", id, name)),
				 0);
		assert_true(recognizer_tracked(r) <= RECOGNIZER_MAX_CONTAINERS);
	}
	/* The most recent are kept and still restart. */
	assert_int_equal(FEED(r, &out, container(1000000, "die", id, name),
			      container(1000001, "start", id, name)),
			 1);
	recognizer_forget_before(r, 10 * (3 * RECOGNIZER_MAX_CONTAINERS - 10));
	assert_int_equal(recognizer_tracked(r), 10);
	recognizer_forget_before(r, 2000000);
	assert_int_equal(recognizer_tracked(r), 0);
	recognizer_free(r);
}

struct recorded {
	struct recognizer *r;
	struct restart_seen seen[16];
	int n;
	int healthy; /* health_status: healthy events of a restart's new container after it */
};

static void on_recorded(const struct engine_event *ev, void *ctx)
{
	struct recorded *rec = ctx;

	if (rec->n > 0 && strcmp(ev->action, "health_status: healthy") == 0 &&
	    strcmp(ev->container, rec->seen[rec->n - 1].new_id) == 0)
		rec->healthy++;
	if (rec->n < 16 && recognizer_feed(rec->r, ev, &rec->seen[rec->n]))
		rec->n++;
}

/* tests/data/events/NAME, found from this file's path as the compiler was given it. */
static char *recorded_stream(const char *name, size_t *len)
{
	const char *slash = strrchr(__FILE__, '/');
	char path[512], *buf = NULL;

	snprintf(path, sizeof(path), "%.*s/../data/events/%s", slash ? (int)(slash - __FILE__) : 1,
		 slash ? __FILE__ : ".", name);
	assert_int_equal(file_read_all(AT_FDCWD, path, 1 << 22, 0, &buf, len), 0);
	return buf;
}

struct want_restart {
	enum restart_kind kind;
	const char *cell;
};

/* Replays tests/data/events/NAME as engine's events; the restarts must be want's, in order. */
static void replay(const char *name, enum engine_kind engine, const struct want_restart *want,
		   int n_want, struct recorded *rec)
{
	size_t len;
	char *text = recorded_stream(name, &len);
	struct event_splitter *sp = event_splitter_new(on_recorded, rec);

	rec->r = recognizer_new(120LL * 1000000000, engine);
	assert_int_equal(event_splitter_feed(sp, text, len), 0);
	assert_int_equal(rec->n, n_want);
	for (int i = 0; i < rec->n; i++) {
		const struct restart_seen *s = &rec->seen[i];

		assert_int_equal(s->kind, want[i].kind);
		assert_string_equal(s->cell, want[i].cell);
		assert_int_equal(strcmp(s->old_id, s->new_id) == 0, s->kind != RESTART_REPLACE);
	}
	event_splitter_free(sp);
	free(text);
}

/*
 * A stream recorded from a Docker 20.10 engine (tests/data/events/README says how): each kind
 * of restart once or more, and containers that do not restart.
 */
static void docker_20_10_recorded(void **state)
{
	static const struct want_restart want[] = {
		{RESTART_POLICY, "pol"},       {RESTART_POLICY, "pol"}, {RESTART_POLICY, "pol"},
		{RESTART_MANUAL, "man"},       {RESTART_MANUAL, "man"}, {RESTART_REPLACE, "man"},
		{RESTART_REPLACE, "shop/web"}, {RESTART_MANUAL, "hc"},
	};
	struct recorded rec = {0};

	(void)state;
	replay("docker-20.10.jsonl", ENGINE_DOCKER, want, sizeof(want) / sizeof(want[0]), &rec);
	for (int i = 0; i < rec.n; i++) {
		const struct restart_seen *s = &rec.seen[i];

		assert_true(s->begin_ns > 0 && s->begin_ns <= s->start_ns);
		assert_int_equal(s->event_ns[PH_START], s->start_ns);
		assert_true(s->event_ns[PH_DIE] > 0);
		if (s->kind == RESTART_REPLACE)
			assert_true(s->event_ns[PH_CREATE] > 0);
		if (s->kind == RESTART_MANUAL)
			assert_true(s->event_ns[PH_KILL] > 0 && s->event_ns[PH_STOP] > 0);
	}
	assert_true(rec.healthy >= 1);
	recognizer_free(rec.r);
}

/*
 * The same steps on Podman 4.3.1's Docker-compatible API, less the health check (step 6 by
 * a plain stop): no kill events, a restart event before a requested restart's stop and after
 * a policy's die, and a stop followed by a start with no stop event at all.
 */
static void podman_4_3_recorded(void **state)
{
	static const struct want_restart want[] = {
		{RESTART_POLICY, "pol"},       {RESTART_POLICY, "pol"}, {RESTART_POLICY, "pol"},
		{RESTART_MANUAL, "man"},       {RESTART_MANUAL, "man"}, {RESTART_REPLACE, "man"},
		{RESTART_REPLACE, "shop/web"},
	};
	struct recorded rec = {0};

	(void)state;
	replay("podman-4.3.jsonl", ENGINE_PODMAN, want, sizeof(want) / sizeof(want[0]), &rec);
	for (int i = 0; i < rec.n; i++) {
		const struct restart_seen *s = &rec.seen[i];

		assert_true(s->begin_ns > 0 && s->begin_ns <= s->event_ns[PH_DIE]);
		assert_int_equal(s->event_ns[PH_KILL], 0);
		if (s->kind == RESTART_REPLACE)
			assert_true(s->event_ns[PH_DESTROY] > 0 && s->event_ns[PH_CREATE] > 0);
	}
	/* podman restart: from its request (the restart event), through its stop, a second on. */
	assert_true(rec.seen[3].event_ns[PH_STOP] > 0);
	assert_true(rec.seen[3].event_ns[PH_DIE] - rec.seen[3].begin_ns > 1000000000);
	assert_int_equal(rec.seen[4].begin_ns, rec.seen[4].event_ns[PH_DIE]);
	recognizer_free(rec.r);
}

static void kind_names(void **state)
{
	(void)state;
	for (int k = 0; k < RESTART_KIND_COUNT; k++)
		assert_int_equal(restart_kind_from_name(restart_kind_name(k)), k);
	assert_string_equal(restart_kind_name(RESTART_POLICY), "policy");
	assert_string_equal(restart_kind_name(RESTART_REPLACE), "replace");
	assert_int_equal(restart_kind_from_name("nope"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(policy_restart),
		cmocka_unit_test(docker_restart_and_stop_start),
		cmocka_unit_test(a_kill_long_before_is_no_stop_request),
		cmocka_unit_test(replacement_by_name),
		cmocka_unit_test(replacement_outside_the_window),
		cmocka_unit_test(replacement_by_compose_labels),
		cmocka_unit_test(compose_creates_before_it_stops),
		cmocka_unit_test(two_containers_interleaved),
		cmocka_unit_test(what_is_no_restart),
		cmocka_unit_test(stale_events_are_ignored),
		cmocka_unit_test(memory_is_bounded),
		cmocka_unit_test(docker_20_10_recorded),
		cmocka_unit_test(podman_4_3_recorded),
		cmocka_unit_test(kind_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
