// SPDX-License-Identifier: GPL-2.0-only
#include "model/ksym_blocks.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"

/*
 * Each symbol in the data: [address - previous address, varint; not for a block's first,
 * whose address is in the index] [shared << 2 | global << 1 | padding, varint] [suffix
 * length, varint] [suffix]. The name is "__pfx_" when padding, then the first shared bytes of
 * the previous name's stem (its name without "__pfx_"), then the suffix. Every name that
 * begins with "__pfx_" has the flag, so that a decoded name says where its stem begins.
 */
#define PADDING_PREFIX	   "__pfx_"
#define PADDING_PREFIX_LEN (sizeof(PADDING_PREFIX) - 1)
#define FLAG_PADDING	   1u
#define FLAG_GLOBAL	   2u
#define FLAG_BITS	   2
/* The most bytes one symbol's head takes: three varints of at most ten bytes. */
#define ENTRY_HEAD_MAX 30

struct ksym_blocks {
	uint8_t *data;
	size_t len, cap;
	uint64_t *block_addr; /* each block's first address */
	uint32_t *block_pos;  /* each block's first byte in data */
	size_t n_blocks, addr_cap, pos_cap;
	size_t n;
	uint64_t last_addr;
	char stem[KSYM_NAME_SIZE]; /* the last name appended, without "__pfx_" */
	size_t stem_len;
};

static size_t put_varint(uint8_t *out, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

static uint64_t get_varint(const uint8_t *data, size_t *pos)
{
	uint64_t v = 0;
	unsigned shift = 0;
	uint8_t b;

	do {
		b = data[(*pos)++];
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while ((b & 0x80) && shift < 64);
	return v;
}

static size_t common_prefix(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i = 0;

	while (i < alen && i < blen && a[i] == b[i])
		i++;
	return i;
}

struct ksym_blocks *ksym_blocks_new(void)
{
	return calloc(1, sizeof(struct ksym_blocks));
}

void ksym_blocks_free(struct ksym_blocks *kb)
{
	if (!kb)
		return;
	free(kb->data);
	free(kb->block_addr);
	free(kb->block_pos);
	free(kb);
}

/* Opens a new block at the data's end for a symbol at addr. */
static int start_block(struct ksym_blocks *kb, uint64_t addr)
{
	if (kb->len > UINT32_MAX)
		return -ENOMEM;
	if (array_reserve((void **)&kb->block_addr, &kb->addr_cap, kb->n_blocks + 1,
			  sizeof(*kb->block_addr)) ||
	    array_reserve((void **)&kb->block_pos, &kb->pos_cap, kb->n_blocks + 1,
			  sizeof(*kb->block_pos)))
		return -ENOMEM;
	kb->block_addr[kb->n_blocks] = addr;
	kb->block_pos[kb->n_blocks] = (uint32_t)kb->len;
	kb->n_blocks++;
	kb->stem_len = 0;
	return 0;
}

int ksym_blocks_append(struct ksym_blocks *kb, uint64_t addr, bool global, const char *name,
		       size_t len)
{
	bool first = kb->n % KSYM_BLOCK == 0;
	unsigned flags = global ? FLAG_GLOBAL : 0;
	size_t shared;

	if ((kb->n && addr <= kb->last_addr) || !len || len > KSYM_NAME_LEN)
		return -EINVAL;
	if (len >= PADDING_PREFIX_LEN && !memcmp(name, PADDING_PREFIX, PADDING_PREFIX_LEN)) {
		flags |= FLAG_PADDING;
		name += PADDING_PREFIX_LEN;
		len -= PADDING_PREFIX_LEN;
	}
	if ((first && start_block(kb, addr)) ||
	    array_reserve((void **)&kb->data, &kb->cap, kb->len + ENTRY_HEAD_MAX + len, 1))
		return -ENOMEM;
	if (!first)
		kb->len += put_varint(kb->data + kb->len, addr - kb->last_addr);
	shared = common_prefix(kb->stem, kb->stem_len, name, len);
	kb->len += put_varint(kb->data + kb->len, (uint64_t)shared << FLAG_BITS | flags);
	kb->len += put_varint(kb->data + kb->len, len - shared);
	memcpy(kb->data + kb->len, name + shared, len - shared);
	kb->len += len - shared;
	memcpy(kb->stem, name, len);
	kb->stem_len = len;
	kb->last_addr = addr;
	kb->n++;
	return 0;
}

static void shrink_array(void **p, size_t *cap, size_t n, size_t elem)
{
	void *np;

	if (n < *cap && (np = realloc(*p, (n ? n : 1) * elem))) {
		*p = np;
		*cap = n ? n : 1;
	}
}

void ksym_blocks_shrink(struct ksym_blocks *kb)
{
	shrink_array((void **)&kb->data, &kb->cap, kb->len, 1);
	shrink_array((void **)&kb->block_addr, &kb->addr_cap, kb->n_blocks,
		     sizeof(*kb->block_addr));
	shrink_array((void **)&kb->block_pos, &kb->pos_cap, kb->n_blocks, sizeof(*kb->block_pos));
}

size_t ksym_blocks_count(const struct ksym_blocks *kb)
{
	return kb ? kb->n : 0;
}

uint64_t ksym_blocks_last_addr(const struct ksym_blocks *kb)
{
	return kb && kb->n ? kb->last_addr : 0;
}

size_t ksym_blocks_bytes(const struct ksym_blocks *kb)
{
	if (!kb)
		return 0;
	return sizeof(*kb) + kb->cap + kb->addr_cap * sizeof(*kb->block_addr) +
	       kb->pos_cap * sizeof(*kb->block_pos);
}

/* The address of the symbol the cursor decodes next (one exists). */
static uint64_t peek_addr(const struct ksym_blocks *kb, const struct ksym_cursor *c)
{
	size_t pos = c->pos;

	if (c->index % KSYM_BLOCK == 0)
		return kb->block_addr[c->index / KSYM_BLOCK];
	return c->at.addr + get_varint(kb->data, &pos);
}

static bool padded(const char *name)
{
	return strncmp(name, PADDING_PREFIX, PADDING_PREFIX_LEN) == 0;
}

/* Rewrites c->at.name from the previous name's stem, shared bytes of it, and a suffix. */
static void decode_name(const struct ksym_blocks *kb, struct ksym_cursor *c, size_t *pos)
{
	char *name = c->at.name;
	size_t prev_skip = padded(name) ? PADDING_PREFIX_LEN : 0;
	uint64_t head = get_varint(kb->data, pos);
	size_t shared = (size_t)(head >> FLAG_BITS);
	size_t suffix = (size_t)get_varint(kb->data, pos);
	size_t skip = head & FLAG_PADDING ? PADDING_PREFIX_LEN : 0;

	c->at.global = head & FLAG_GLOBAL;
	memmove(name + skip, name + prev_skip, shared);
	memcpy(name, PADDING_PREFIX, skip);
	memcpy(name + skip + shared, kb->data + *pos, suffix);
	name[skip + shared + suffix] = '\0';
	*pos += suffix;
}

bool ksym_blocks_next(const struct ksym_blocks *kb, struct ksym_cursor *c)
{
	if (!kb || c->index >= kb->n)
		return false;
	c->at.addr = peek_addr(kb, c);
	if (c->index % KSYM_BLOCK == 0) {
		c->pos = kb->block_pos[c->index / KSYM_BLOCK];
		c->at.name[0] = '\0';
	} else {
		get_varint(kb->data, &c->pos);
	}
	decode_name(kb, c, &c->pos);
	c->index++;
	return true;
}

/* The last block whose first address is at or below addr (addr is at or above the first). */
static size_t holding_block(const struct ksym_blocks *kb, uint64_t addr)
{
	size_t lo = 0, hi = kb->n_blocks;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (kb->block_addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

bool ksym_blocks_find(const struct ksym_blocks *kb, uint64_t addr, struct ksym_entry *out)
{
	struct ksym_cursor c;
	size_t block;

	if (!kb || !kb->n || addr < kb->block_addr[0])
		return false;
	block = holding_block(kb, addr);
	c.index = block * KSYM_BLOCK;
	c.pos = kb->block_pos[block];
	ksym_blocks_next(kb, &c);
	while (c.index < kb->n && c.index % KSYM_BLOCK && peek_addr(kb, &c) <= addr)
		ksym_blocks_next(kb, &c);
	*out = c.at;
	return true;
}
