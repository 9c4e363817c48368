// SPDX-License-Identifier: GPL-2.0-only
/*
 * Growable arrays: one doubling policy for the tables the trace and model steps fill.
 */
#ifndef RP_UTIL_ARRAY_H
#define RP_UTIL_ARRAY_H

#include <stddef.h>

/* Makes room for need elements of elem bytes in *p (capacity *cap), doubling from 64.
 * 0, or -ENOMEM with *p and *cap untouched. */
int array_reserve(void **p, size_t *cap, size_t need, size_t elem);
/* The same, doubling from first: for the many small arrays of a tree, where 64 would waste. */
int array_reserve_from(void **p, size_t *cap, size_t need, size_t elem, size_t first);

#endif
