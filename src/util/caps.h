// SPDX-License-Identifier: GPL-2.0-only
/* Which privileges the process holds, to say exactly what is missing. */
#ifndef RP_UTIL_CAPS_H
#define RP_UTIL_CAPS_H

#include <stdbool.h>
#include <stddef.h>

/* Effective capability set has cap (CAP_* number from linux/capability.h). */
bool cap_effective(int cap);
/* Names of the missing ones among BPF, PERFMON, SYS_ADMIN (need_netns) as "CAP_BPF, ...". */
int caps_missing(bool need_bpf, bool need_netns, char *out, size_t len);

#endif
