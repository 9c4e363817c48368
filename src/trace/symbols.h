// SPDX-License-Identifier: GPL-2.0-only
/* Reading the running kernel's symbols (/proc/kallsyms) for model/ksyms.h. */
#ifndef RP_TRACE_SYMBOLS_H
#define RP_TRACE_SYMBOLS_H

#include <stddef.h>

struct ksyms;

#define KALLSYMS_PATH "/proc/kallsyms"

/* Reads and parses path (KALLSYMS_PATH normally), once for the whole run: addresses and
 * names, compact. 0, or -errno with *out NULL. */
int ksyms_load(const char *path, struct ksyms **out);
/*
 * One line on what the symbols allow: "N function symbols (M MiB held): kernel stacks are
 * symbolized", or why they are not (unreadable; addresses zeroed by kptr_restrict=K for this
 * user).
 * Returns 0 when stacks can be symbolized, -1 otherwise.
 */
int ksyms_describe(const struct ksyms *ks, int load_err, char *out, size_t len);

#endif
