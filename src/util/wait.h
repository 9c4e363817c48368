// SPDX-License-Identifier: GPL-2.0-only
/* Waiting for another thread's answer, bounded and abortable. */
#ifndef RP_UTIL_WAIT_H
#define RP_UTIL_WAIT_H

#include <pthread.h>
#include <stdint.h>

/*
 * With lock held: waits on cond until *done is set, the monotonic deadline passes (0: none)
 * or abort_check (may be NULL) says stop, looking at abort_check every 50 ms. 0 when done,
 * -ETIMEDOUT or -EINTR.
 */
int cond_wait_flag(pthread_cond_t *cond, pthread_mutex_t *lock, const int *done, int64_t deadline,
		   int (*abort_check)(void));

#endif
