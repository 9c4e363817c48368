// SPDX-License-Identifier: GPL-2.0-only
/* Enum <-> name tables. */
#ifndef RP_UTIL_NAMES_H
#define RP_UTIL_NAMES_H

/* Index of name in names[0..n), -1 when absent. */
int name_lookup(const char *const *names, int n, const char *name);

#endif
