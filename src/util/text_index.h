// SPDX-License-Identifier: GPL-2.0-only
/*
 * Text keys: their hash, and an open-addressing index from keys to their positions in an
 * array the caller owns and grows (the folded stacks, the diagnosis' tallies).
 */
#ifndef RP_UTIL_TEXT_INDEX_H
#define RP_UTIL_TEXT_INDEX_H

#include <stddef.h>
#include <stdint.h>

/*
 * FNV-1a over n bytes, from the offset basis 1469598103934665603 (not FNV's published one,
 * which has one more digit): stack ids in waits.csv and stacks.csv are made with it, so it
 * stays.
 */
uint64_t text_hash(const char *s, size_t n);

struct text_index {
	size_t *slot; /* a position in the caller's array + 1, 0 empty */
	size_t n_slots;
};

/* The key at position i of the caller's array (NUL-terminated). */
typedef const char *text_index_key_fn(const void *array, size_t i);

/* Room for one key more than the n in the array: the slots are rebuilt from key_at when
 * they grow (and after text_index_clear). 0 or -ENOMEM, the index unchanged then. */
int text_index_reserve(struct text_index *ix, size_t n, text_index_key_fn *key_at,
		       const void *array);
/* The slot of key (len bytes, no NUL needed): it holds the key's position + 1, or 0 where a
 * new key is to go. Call text_index_reserve first. */
size_t *text_index_slot(const struct text_index *ix, const char *key, size_t len,
			text_index_key_fn *key_at, const void *array);
/* Drops the slots (the array's order changed, or it is freed). */
void text_index_clear(struct text_index *ix);

#endif
