// SPDX-License-Identifier: GPL-2.0-only
#include "util/wait.h"

#include <errno.h>
#include <time.h>

#include "util/clock.h"

int cond_wait_flag(pthread_cond_t *cond, pthread_mutex_t *lock, const int *done, int64_t deadline,
		   int (*abort_check)(void))
{
	while (!*done) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 50 * NSEC_PER_MSEC; /* often enough to notice an abort */
		if (ts.tv_nsec >= NSEC_PER_SEC) {
			ts.tv_sec++;
			ts.tv_nsec -= NSEC_PER_SEC;
		}
		pthread_cond_timedwait(cond, lock, &ts);
		if (*done)
			break;
		if (abort_check && abort_check())
			return -EINTR;
		if (deadline && mono_ns() >= deadline)
			return -ETIMEDOUT;
	}
	return 0;
}
