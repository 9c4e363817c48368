// SPDX-License-Identifier: GPL-2.0-only
/* Small readers of /proc. The parsers take text so they can be tested and fuzzed. */
#ifndef RP_UTIL_PROC_H
#define RP_UTIL_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* Field 22 (start time, clock ticks since boot) of a /proc/PID/stat text. 0 or -1. */
int proc_stat_parse(const char *text, size_t len, pid_t *ppid, unsigned long long *start_time,
		    char comm[16]);
int proc_stat_read(pid_t pid, pid_t *ppid, unsigned long long *start_time, char comm[16]);
/* /proc/sys/kernel/random/boot_id without the newline. */
int proc_boot_id(char *out, size_t len);
/*
 * The inode of the socket listening on the unix path `path` in a /proc/net/unix text (flags
 * __SO_ACCEPTCON, state unconnected), or 0 when none is.
 */
unsigned long proc_net_unix_listener(const char *text, size_t len, const char *path);
/*
 * The first process other than pid `skip` (and pid 1) that holds socket inode `ino` open,
 * preferring one whose comm is `comm`; 0 when none is found.
 */
pid_t proc_socket_holder(unsigned long ino, const char *comm, pid_t skip);
/* Dirty: and Writeback: of a /proc/meminfo text, in KiB. 0, or -1 when either is missing. */
int meminfo_parse(const char *text, size_t len, long long *dirty_kib, long long *writeback_kib);

#endif
