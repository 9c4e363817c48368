// SPDX-License-Identifier: GPL-2.0-only
/* The journal's pieces below its API: its line format, values read and written, owners. */
#ifndef RP_REMEDY_JOURNAL_FILE_H
#define RP_REMEDY_JOURNAL_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "remedy/journal.h"

#define JOURNAL_PREFIX "journal."

/* "KIND WHEN_NS PATH OLD\n" (path and value %-escaped) into out; its length. */
size_t journal_format_entry(const struct journal_entry *e, char *out, size_t len);
/* The reverse, for one line without its newline. 0 or -EINVAL. */
int journal_parse_entry(const char *line, size_t len, struct journal_entry *e);
/* "owner PID START" (the first line). 0 or -EINVAL. */
int journal_parse_owner(const char *line, size_t len, int *pid, int64_t *start);

/* A process's start time in clock ticks (/proc/PID/stat field 22), or -errno. */
int64_t journal_proc_start(pid_t pid);

/*
 * A setting's value as it would be written back: the file's content without its trailing
 * newline, and for a sysfs choice list ("none [mq-deadline] kyber") the one chosen. 0, or
 * -errno (-EFBIG when it does not fit in len).
 */
int journal_read_value(const char *path, char *out, size_t len);
/* Writes value to path unless it already holds it. 0 or -errno. */
int journal_write_value(const char *path, const char *value);
/* One entry written back (a file's value, or a mount's options). 0 or -errno. */
int journal_restore_entry(const struct journal_entry *e);

#endif
