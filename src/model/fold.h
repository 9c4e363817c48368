// SPDX-License-Identifier: GPL-2.0-only
/*
 * Folded stacks: the format flame-graph tools read, one line per distinct stack,
 * "frame;frame;frame count", root first. Built from waits (their frames are actor, process,
 * [state], then the kernel stack), written per cell and phase, read back by the report's
 * flame-graph renderer.
 */
#ifndef RP_MODEL_FOLD_H
#define RP_MODEL_FOLD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fold;

struct fold *fold_new(void);
/* A fold whose stack strings are the pool's (util/text_pool.h): the pool outlives it. */
struct text_pool;
struct fold *fold_new_in(struct text_pool *pool);
void fold_free(struct fold *f);
/* Adds value to a stack (frames joined by ';', none empty). 0, -EINVAL, -ENOMEM. */
int fold_add(struct fold *f, const char *stack, uint64_t value);
size_t fold_count(const struct fold *f);
uint64_t fold_total(const struct fold *f);
/* The i-th stack after fold_sort(), and its count. */
const char *fold_stack(const struct fold *f, size_t i);
uint64_t fold_value(const struct fold *f, size_t i);
/* Orders the stacks by their text (the order flame-graph tools expect). */
void fold_sort(struct fold *f);
/* Writes the sorted lines. 0, or -EIO. */
int fold_write(struct fold *f, FILE *out);
/*
 * Reads folded text: "stack count" per line, the count after the last space. Lines that
 * are not that (no count, count not a number, empty frames) are skipped and counted in
 * *bad (may be NULL). 0, or -ENOMEM.
 */
int fold_parse(struct fold *f, const char *text, size_t len, size_t *bad);

/*
 * The frames of a wait: "actor;comm;[state]" and then its kernel stack, or the blocking
 * call ("[call];fsync") when it has no stack. Frame text is cleaned: ';' and white space
 * become '_'.
 */
void fold_frames(const char *actor, const char *comm, const char *state, const char *call,
		 const char *folded, char *out, size_t len);

#endif
