// SPDX-License-Identifier: GPL-2.0-only
/* SIGINT/SIGTERM/SIGHUP: the first asks every wait to end; a second SIGINT ends the process. */
#ifndef RP_UTIL_INTERRUPT_H
#define RP_UTIL_INTERRUPT_H

#include <stdbool.h>
#include <stdint.h>

int interrupt_install(void);
bool interrupt_requested(void);
/* The signal that asked, 0 if none. */
int interrupt_signal(void);
/* Sleeps up to ns; returns false if an interrupt cut it short. */
bool interrupt_sleep(int64_t ns);
/* From now on SIGHUP asks no wait to end: it is counted for interrupt_take_hangup (watch
 * reopens its files on it). */
void interrupt_hangup_reopens(void);
/* Whether a SIGHUP came since the last call. */
bool interrupt_take_hangup(void);
/* A descriptor that becomes readable on interrupt, for poll(). */
int interrupt_fd(void);
/* Called after a forced exit has been decided, right before _exit, from the handler. */
void interrupt_set_last_words(void (*fn)(void));

#endif
