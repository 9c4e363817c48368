// SPDX-License-Identifier: GPL-2.0-only
/*
 * Interned text: each distinct string kept once, in blocks that never move, until the pool is
 * freed. For the stack strings one run repeats across its cells, phases and tallies.
 */
#ifndef RP_UTIL_TEXT_POOL_H
#define RP_UTIL_TEXT_POOL_H

#include <stddef.h>

#include "util/text_index.h"

struct text_pool {
	char **blocks;
	size_t n_blocks, cap_blocks;
	char *cur; /* where the next string goes in the current block, room bytes left */
	size_t room;
	const char **strs; /* every string, in the order first seen */
	size_t n, cap;
	struct text_index index; /* text -> its place in strs */
};

/* The pool's copy of n bytes at s (a NUL added): the same pointer for the same text. NULL when
 * out of memory. */
const char *text_pool_intern(struct text_pool *p, const char *s, size_t n);
void text_pool_free(struct text_pool *p);

#endif
