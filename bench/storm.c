// SPDX-License-Identifier: GPL-2.0-only
/*
 * storm: a synthetic load of kernel events for make bench's headroom table. Creates short-lived
 * threads at a steady rate (each one a sched_process_fork and a sched_process_exit event) for
 * a while, paced every millisecond, and prints how many it made and how fast.
 *
 *   storm RATE SECONDS     threads per second (0: as fast as it can), for SECONDS
 *
 * SIGINT or SIGTERM end it early. Output, one line: "threads N seconds S rate R" (R the rate
 * achieved).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void *nothing(void *arg)
{
	return arg;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	pthread_attr_t attr;
	double rate, seconds, start, end, t;
	unsigned long long made = 0;
	struct timespec tick;

	if (argc != 3 || (rate = strtod(argv[1], NULL)) < 0 ||
	    (seconds = strtod(argv[2], NULL)) <= 0) {
		fprintf(stderr, "usage: storm RATE SECONDS\n");
		return 2;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, PTHREAD_STACK_MIN > 65536 ? PTHREAD_STACK_MIN : 65536);
	start = now();
	end = start + seconds;
	clock_gettime(CLOCK_MONOTONIC, &tick);
	while (!stop && (t = now()) < end) {
		/* Threads due by now at the asked rate; then sleep to the next millisecond. */
		unsigned long long due =
			rate > 0 ? (unsigned long long)((t - start) * rate) : made + 64;
		pthread_t th;

		while (made < due) {
			int e = pthread_create(&th, &attr, nothing, NULL);

			if (e == EAGAIN)
				break; /* too many alive: let them end */
			if (e) {
				fprintf(stderr, "storm: pthread_create: %s\n", strerror(e));
				return 1;
			}
			made++;
		}
		if (rate > 0) {
			tick.tv_nsec += 1000000;
			if (tick.tv_nsec >= 1000000000) {
				tick.tv_sec++;
				tick.tv_nsec -= 1000000000;
			}
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &tick, NULL);
		}
	}
	t = now() - start;
	printf("threads %llu seconds %.3f rate %.0f\n", made, t, (double)made / t);
	return 0;
}
