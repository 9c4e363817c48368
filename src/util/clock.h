// SPDX-License-Identifier: GPL-2.0-only
/* The two clocks restartprof lives between: the engine's wall clock and BPF's monotonic one. */
#ifndef RP_UTIL_CLOCK_H
#define RP_UTIL_CLOCK_H

#include <stdint.h>

#define NSEC_PER_SEC  1000000000LL
#define NSEC_PER_MSEC 1000000LL

int64_t wall_ns(void);
int64_t mono_ns(void);

/*
 * wall - mono, read as the middle of the tightest of a few wall/mono/wall brackets.
 * *err_ns gets half that bracket: the worst error of converting one clock to the other.
 */
int64_t clock_offset_ns(int64_t *err_ns);

void sleep_ns(int64_t ns);

#endif
