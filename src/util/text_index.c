// SPDX-License-Identifier: GPL-2.0-only
#include "util/text_index.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint64_t text_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

int text_index_reserve(struct text_index *ix, size_t n, text_index_key_fn *key_at,
		       const void *array)
{
	size_t ns = ix->n_slots ? ix->n_slots * 2 : 8; /* thousands of tallies hold a few keys */
	size_t *slot;

	/* At most half full, so that probe runs stay short. */
	if ((n + 1) * 2 <= ix->n_slots)
		return 0;
	while (ns < 4 * (n + 1))
		ns *= 2;
	slot = calloc(ns, sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const char *k = key_at(array, i);
		size_t h = text_hash(k, strlen(k)) % ns;

		while (slot[h])
			h = (h + 1) % ns;
		slot[h] = i + 1;
	}
	free(ix->slot);
	ix->slot = slot;
	ix->n_slots = ns;
	return 0;
}

size_t *text_index_slot(const struct text_index *ix, const char *key, size_t len,
			text_index_key_fn *key_at, const void *array)
{
	size_t h = text_hash(key, len) % ix->n_slots;

	for (; ix->slot[h]; h = (h + 1) % ix->n_slots) {
		const char *k = key_at(array, ix->slot[h] - 1);

		if (strncmp(k, key, len) == 0 && k[len] == '\0')
			break;
	}
	return &ix->slot[h];
}

void text_index_clear(struct text_index *ix)
{
	free(ix->slot);
	ix->slot = NULL;
	ix->n_slots = 0;
}
