// SPDX-License-Identifier: GPL-2.0-only
/* libbpf's messages while the BPF objects load, kept to tell which program failed and why. */
#ifndef RP_TRACE_LOAD_LOG_H
#define RP_TRACE_LOAD_LOG_H

#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stddef.h>

/* libbpf's print callback (libbpf_set_print): keeps the messages; prints them all to stderr
 * when RESTARTPROF_DEBUG is set. */
int load_log_print(enum libbpf_print_level level, const char *fmt, va_list ap);
/* Forgets the messages kept: before each object's load. */
void load_log_clear(void);
/* The program whose load failed, and a one-line reason (with the verifier's complaint). 0, or
 * -1 when the messages do not say. */
int load_log_failed_prog(char *name, size_t nlen, char *why, size_t wlen);

#endif
