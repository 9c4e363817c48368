// SPDX-License-Identifier: GPL-2.0-only
/*
 * Growable arrays: one doubling policy for the tables the trace and model steps fill.
 */
#ifndef RP_UTIL_ARRAY_H
#define RP_UTIL_ARRAY_H

#include <stddef.h>
#include <stdint.h>

/* Makes room for need elements of elem bytes in *p (capacity *cap), doubling from 64.
 * 0, or -ENOMEM with *p and *cap untouched. */
int array_reserve(void **p, size_t *cap, size_t need, size_t elem);
/* The same, doubling from first: for the many small arrays of a tree, where 64 would waste. */
int array_reserve_from(void **p, size_t *cap, size_t need, size_t elem, size_t first);
/* Sorts the n elements of elem bytes at v by cmp and keeps each once: how many are left. */
size_t array_sort_unique(void *v, size_t n, size_t elem, int (*cmp)(const void *, const void *));
/* The first of the n elements of elem bytes at v, in order by cmp(key, element), that is not
 * below key: n when none. */
size_t array_lower_bound(const void *v, size_t n, size_t elem, const void *key,
			 int (*cmp)(const void *key, const void *element));
/* Orders for array_sort_unique. */
int array_cmp_i32(const void *x, const void *y);
int array_cmp_u64(const void *x, const void *y);

#endif
