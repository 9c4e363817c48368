// SPDX-License-Identifier: GPL-2.0-only
#include "util/text_pool.h"

#include <stdlib.h>
#include <string.h>

#include "util/array.h"

#define BLOCK_BYTES (64 * 1024)

static const char *str_at(const void *strs, size_t i)
{
	return ((const char *const *)strs)[i];
}

/* n + 1 bytes that will not move: from the current block, or a new one (a string longer than a
 * block gets a block of its own, and the current block stays current). */
static char *take(struct text_pool *p, size_t n)
{
	size_t size = n + 1 > BLOCK_BYTES ? n + 1 : BLOCK_BYTES;
	char *block;

	if (p->cur && p->room >= n + 1) {
		block = p->cur;
		p->cur += n + 1;
		p->room -= n + 1;
		return block;
	}
	if (array_reserve_from((void **)&p->blocks, &p->cap_blocks, p->n_blocks + 1,
			       sizeof(*p->blocks), 8) ||
	    !(block = malloc(size)))
		return NULL;
	p->blocks[p->n_blocks++] = block;
	if (size == BLOCK_BYTES) {
		p->cur = block + n + 1;
		p->room = BLOCK_BYTES - (n + 1);
	}
	return block;
}

const char *text_pool_intern(struct text_pool *p, const char *s, size_t n)
{
	size_t *slot;
	char *copy;

	if (text_index_reserve(&p->index, p->n, str_at, p->strs))
		return NULL;
	slot = text_index_slot(&p->index, s, n, str_at, p->strs);
	if (*slot)
		return p->strs[*slot - 1];
	if (array_reserve_from((void **)&p->strs, &p->cap, p->n + 1, sizeof(*p->strs), 256) ||
	    !(copy = take(p, n)))
		return NULL;
	memcpy(copy, s, n);
	copy[n] = '\0';
	p->strs[p->n] = copy;
	*slot = ++p->n;
	return copy;
}

void text_pool_free(struct text_pool *p)
{
	for (size_t i = 0; i < p->n_blocks; i++)
		free(p->blocks[i]);
	free(p->blocks);
	free(p->strs);
	text_index_clear(&p->index);
	memset(p, 0, sizeof(*p));
}
