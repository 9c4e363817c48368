// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracer in follow mode, with real BPF: a take of a past range holds the exec, exit and
 * listen of processes made by a stand-in engine (a child of the test seeded as the engine),
 * tracer_exit_of and tracer_first_listen find them, what is older than keep_ns is pruned, and
 * the history stays under max_bytes while it drops the oldest.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "model/kernel.h"
#include "trace/tracer.h"
#include "util/clock.h"

#define KEEP_NS	     (3 * NSEC_PER_SEC)
#define SMALL_BYTES  ((size_t)256 << 10)
#define FIND_WAIT_NS (3 * NSEC_PER_SEC)

/* The stand-in engine: on 'r' runs /bin/true, then listens; on 'b' runs /bin/true 400 times. */
struct engine {
	pid_t pid;
	int cmd, reply;
};

static void run_true(void)
{
	pid_t p = fork();

	if (p == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (p > 0)
		waitpid(p, NULL, 0);
}

/* Runs /bin/true, then listens on 127.0.0.1 (a port of the kernel's choosing). */
static pid_t restart_once(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	pid_t p = fork();
	int fd;

	if (p == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (p > 0)
		waitpid(p, NULL, 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) || listen(fd, 1))
		return -1;
	return p; /* fd stays open: the listener lives as long as the engine */
}

static void engine_main(int cmd, int reply)
{
	char c;

	while (read(cmd, &c, 1) == 1) {
		pid_t p = 0;

		if (c == 'r')
			p = restart_once();
		else if (c == 'b')
			for (int i = 0; i < 400; i++)
				run_true();
		else
			break;
		if (write(reply, &p, sizeof(p)) != sizeof(p))
			break;
	}
	_exit(0);
}

static void engine_start(struct engine *e)
{
	int to[2], from[2];

	assert_int_equal(pipe(to), 0);
	assert_int_equal(pipe(from), 0);
	e->pid = fork();
	assert_true(e->pid >= 0);
	if (e->pid == 0) {
		close(to[1]);
		close(from[0]);
		engine_main(to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	e->cmd = to[1];
	e->reply = from[0];
}

static pid_t engine_ask(struct engine *e, char c)
{
	pid_t p = -1;

	assert_int_equal(write(e->cmd, &c, 1), 1);
	assert_int_equal(read(e->reply, &p, sizeof(p)), (ssize_t)sizeof(p));
	return p;
}

static void engine_stop(struct engine *e)
{
	close(e->cmd);
	close(e->reply);
	waitpid(e->pid, NULL, 0);
}

static struct tracer *open_tracer(void)
{
	struct tracer_opts o = {0}; /* engine_pid 0: nothing tracked until tracer_set_engine */
	struct tracer *tr = NULL;
	char err[512];

	if (tracer_open(&o, &tr, err, sizeof(err)))
		fail_msg("tracer_open: %s", err);
	return tr;
}

static const struct kevent *find_event(const struct trial_kernel *tk, int type, pid_t pid)
{
	for (size_t i = 0; i < tk->n_ev; i++)
		if (tk->ev[i].type == type && tk->ev[i].who.pid == pid &&
		    (type != KEV_EXIT || tk->ev[i].who.tid == pid))
			return &tk->ev[i];
	return NULL;
}

/* Polls a non-blocking lookup until it answers (the reader consumes every ~10 ms). */
static int64_t wait_exit(struct tracer *tr, pid_t pid, int64_t since)
{
	int64_t deadline = mono_ns() + FIND_WAIT_NS, at;

	while (!(at = tracer_exit_of(tr, pid, since)) && mono_ns() < deadline)
		sleep_ns(20 * NSEC_PER_MSEC);
	return at;
}

static int64_t wait_listen(struct tracer *tr, pid_t pid, int64_t since)
{
	int64_t deadline = mono_ns() + FIND_WAIT_NS, at;

	while (!(at = tracer_first_listen(tr, NULL, pid, since)) && mono_ns() < deadline)
		sleep_ns(20 * NSEC_PER_MSEC);
	return at;
}

static void a_take_holds_the_past_and_pruning_drops_it(void **state)
{
	struct tracer *tr = open_tracer();
	struct tracer_follow_stats st;
	struct trial_kernel *tk = NULL, *late = NULL;
	struct trial_window w;
	struct engine e;
	int64_t t0, t1, exit_at, listen_at;
	pid_t child;

	(void)state;
	engine_start(&e);
	assert_int_equal(tracer_follow_begin(tr, KEEP_NS, FOLLOW_MAX_BYTES), 0);
	assert_int_equal(tracer_follow_begin(tr, KEEP_NS, FOLLOW_MAX_BYTES), -EBUSY);
	assert_int_equal(tracer_trial_begin(tr), -EBUSY);
	assert_int_equal(tracer_set_engine(tr, e.pid), 0);
	t0 = wall_ns();
	child = engine_ask(&e, 'r');
	assert_true(child > 0);
	exit_at = wait_exit(tr, child, t0);
	listen_at = wait_listen(tr, e.pid, t0);
	t1 = wall_ns();
	assert_true(exit_at >= t0 - NSEC_PER_MSEC && exit_at <= t1);
	assert_true(listen_at >= exit_at && listen_at <= t1);
	assert_int_equal(tracer_exit_of(tr, child, listen_at + 1), 0);

	/* A second later, the range is taken: the history still holds it. */
	sleep_ns(NSEC_PER_SEC);
	assert_int_equal(tracer_follow_take(tr, t0, t1, &tk), 0);
	assert_non_null(tk);
	assert_non_null(find_event(tk, KEV_EXEC, child));
	assert_string_equal(find_event(tk, KEV_EXEC, child)->exec.filename, "/bin/true");
	assert_non_null(find_event(tk, KEV_EXIT, child));
	assert_non_null(find_event(tk, KEV_LISTEN, e.pid));
	assert_true(tk->map.others_are_load);
	assert_true(tk->record_begin_ns == t0 && tk->record_end_ns == t1);
	for (size_t i = 0; i < tk->n_ev; i++)
		assert_true(tk->ev[i].end >= t0 && tk->ev[i].ts <= t1);
	assert_int_equal(kernel_restart_window(tk, NULL, child, e.pid, &w), 0);
	/* The lookups use the clock offset of the last prune, the take the one of now. */
	fprintf(stderr, "window %lld..%lld, lookups %lld..%lld, clock error %lld ns\n",
		(long long)w.begin_ns, (long long)w.end_ns, (long long)exit_at,
		(long long)listen_at, (long long)tk->clock_error_ns);
	assert_true(llabs(w.begin_ns - exit_at) <= tk->clock_error_ns + NSEC_PER_MSEC);
	assert_true(llabs(w.end_ns - listen_at) <= tk->clock_error_ns + NSEC_PER_MSEC);
	trial_kernel_free(tk);

	tracer_follow_stats(tr, &st);
	assert_true(st.oldest_ns <= t0 && st.bytes > 0 && st.bytes <= FOLLOW_MAX_BYTES);
	assert_int_equal(st.dropped, 0);

	/* keep_ns and two prunes later, it is gone. */
	sleep_ns(KEEP_NS + 2 * NSEC_PER_SEC);
	tracer_follow_stats(tr, &st);
	assert_true(st.oldest_ns > t1);
	assert_int_equal(tracer_exit_of(tr, child, t0), 0);
	assert_int_equal(tracer_first_listen(tr, NULL, e.pid, t0), 0);
	assert_int_equal(tracer_follow_take(tr, t0, t1, &late), -ERANGE);
	assert_non_null(late);
	assert_null(find_event(late, KEV_EXEC, child));
	trial_kernel_free(late);

	tracer_follow_end(tr);
	assert_int_equal(tracer_follow_take(tr, t0, t1, &late), -EINVAL);
	engine_stop(&e);
	tracer_close(tr);
}

static void the_history_stays_under_max_bytes(void **state)
{
	struct tracer *tr = open_tracer();
	struct tracer_follow_stats st;
	struct trial_kernel *tk = NULL;
	struct engine e;
	int64_t t0, t1;
	size_t peak = 0;

	(void)state;
	engine_start(&e);
	assert_int_equal(tracer_follow_begin(tr, 60 * NSEC_PER_SEC, SMALL_BYTES), 0);
	assert_int_equal(tracer_set_engine(tr, e.pid), 0);
	t0 = wall_ns();
	for (int round = 0; round < 5; round++) {
		engine_ask(&e, 'b');
		tracer_follow_stats(tr, &st);
		if (st.bytes > peak)
			peak = st.bytes;
		assert_true(st.bytes <= SMALL_BYTES);
	}
	sleep_ns(1500 * NSEC_PER_MSEC);
	t1 = wall_ns();
	tracer_follow_stats(tr, &st);
	fprintf(stderr, "history: %zu bytes (peak %zu), %llu dropped, %.1f s kept\n", st.bytes,
		peak, (unsigned long long)st.dropped, (double)(t1 - st.oldest_ns) / 1e9);
	assert_true(st.bytes <= SMALL_BYTES);
	/* 2000 execs and exits of the engine's lineage do not fit in 256 KiB. */
	assert_true(st.dropped > 0);
	assert_true(st.oldest_ns > t0);
	/* What is left is whole from oldest_ns on: a take from there is not out of range. */
	assert_int_equal(tracer_follow_take(tr, st.oldest_ns + NSEC_PER_MSEC, t1, &tk), 0);
	assert_true(tk->n_ev > 0);
	trial_kernel_free(tk);
	assert_int_equal(tracer_follow_take(tr, t0, t1, &tk), -ERANGE);
	trial_kernel_free(tk);
	tracer_follow_end(tr);
	/* A trial after following works as ever. */
	assert_int_equal(tracer_trial_begin(tr), 0);
	assert_int_equal(tracer_trial_end(tr, &tk), 0);
	trial_kernel_free(tk);
	engine_stop(&e);
	tracer_close(tr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_take_holds_the_past_and_pruning_drops_it),
		cmocka_unit_test(the_history_stays_under_max_bytes),
	};

	if (geteuid() != 0) {
		fprintf(stderr, "this test loads BPF programs: run it as root\n");
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
