// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel function symbols kept compact, in address order: blocks of KSYM_BLOCK symbols, each
 * symbol its address (a varint delta from the one before) and its name front-coded against the
 * name before it in the block, with an index of each block's first address and offset. Names
 * "__pfx_NAME" (the padding symbol x86-64 kernels place before each NAME) are stored as a flag
 * and NAME, so that NAME, which follows, shares all of it.
 *
 * Built once by appending in strictly increasing address order; looked up by address with one
 * binary search over the index and the decoding of at most one block.
 */
#ifndef RP_MODEL_KSYM_BLOCKS_H
#define RP_MODEL_KSYM_BLOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Symbols per block: a look-up decodes at most this many. */
#define KSYM_BLOCK 32
/* The longest name kept, in bytes (longer ones are refused), and a name buffer's size. */
#define KSYM_NAME_LEN  512
#define KSYM_NAME_SIZE (KSYM_NAME_LEN + 1)

struct ksym_blocks;

/* One symbol, decoded. */
struct ksym_entry {
	uint64_t addr;
	bool global;
	char name[KSYM_NAME_SIZE];
};

/* Walks a table in address order: zero it, then ksym_blocks_next until it returns false. */
struct ksym_cursor {
	size_t index; /* symbols decoded so far */
	size_t pos;   /* offset of the next one in the data */
	struct ksym_entry at;
};

struct ksym_blocks *ksym_blocks_new(void);
void ksym_blocks_free(struct ksym_blocks *kb);
/* Adds a symbol above every one added before. 0, -EINVAL (address not above the last, name
 * empty or longer than KSYM_NAME_LEN), or -ENOMEM. */
int ksym_blocks_append(struct ksym_blocks *kb, uint64_t addr, bool global, const char *name,
		       size_t len);
/* Gives back what growing reserved, once the last symbol is in. */
void ksym_blocks_shrink(struct ksym_blocks *kb);

size_t ksym_blocks_count(const struct ksym_blocks *kb);
/* The highest address held; 0 when empty. */
uint64_t ksym_blocks_last_addr(const struct ksym_blocks *kb);
/* Heap bytes the table holds (data and index, as allocated). */
size_t ksym_blocks_bytes(const struct ksym_blocks *kb);

/* The symbol holding addr, the last one at or below it, into *out; false when addr is below
 * the first symbol or the table is empty. */
bool ksym_blocks_find(const struct ksym_blocks *kb, uint64_t addr, struct ksym_entry *out);
/* The next symbol in address order into c->at; false past the last one. */
bool ksym_blocks_next(const struct ksym_blocks *kb, struct ksym_cursor *c);

#endif
