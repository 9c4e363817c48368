// SPDX-License-Identifier: GPL-2.0-only
#include "util/interrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "util/clock.h"

static atomic_int caught_signal;
static atomic_int sigint_count;
static atomic_bool hangup_reopens;
static atomic_int hangups;
static int wake_pipe[2] = {-1, -1};
static void (*last_words)(void);

static void on_signal(int sig)
{
	int saved = errno;

	if (sig == SIGINT && atomic_fetch_add(&sigint_count, 1) >= 1) {
		static const char msg[] = "restartprof: second interrupt, exiting now\n";

		if (last_words)
			last_words();
		(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
		_exit(128 + SIGINT);
	}
	if (sig == SIGHUP && atomic_load(&hangup_reopens)) {
		atomic_fetch_add(&hangups, 1);
		errno = saved;
		return;
	}
	int expected = 0;

	atomic_compare_exchange_strong(&caught_signal, &expected, sig);
	if (wake_pipe[1] >= 0)
		(void)!write(wake_pipe[1], "x", 1);
	errno = saved;
}

int interrupt_install(void)
{
	struct sigaction sa;

	if (wake_pipe[0] < 0 && pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGHUP, &sa, NULL))
		return -1;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

bool interrupt_requested(void)
{
	return atomic_load(&caught_signal) != 0;
}

int interrupt_signal(void)
{
	return atomic_load(&caught_signal);
}

void interrupt_hangup_reopens(void)
{
	atomic_store(&hangup_reopens, true);
}

bool interrupt_take_hangup(void)
{
	return atomic_exchange(&hangups, 0) != 0;
}

int interrupt_fd(void)
{
	return wake_pipe[0];
}

void interrupt_set_last_words(void (*fn)(void))
{
	last_words = fn;
}

bool interrupt_sleep(int64_t ns)
{
	int64_t deadline = mono_ns() + ns;

	while (!interrupt_requested()) {
		int64_t left = deadline - mono_ns();

		if (left <= 0)
			return true;
		if (wake_pipe[0] < 0) {
			sleep_ns(left);
			continue;
		}
		struct pollfd p = {.fd = wake_pipe[0], .events = POLLIN};
		int ms = (int)((left + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);

		poll(&p, 1, ms);
	}
	return false;
}
