// SPDX-License-Identifier: GPL-2.0-only
/* A trial's kernel and user stacks looked up by id: halving over an index in id order. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "model/kernel.h"
#include "util/array.h"

_Static_assert(offsetof(struct kstack, id) == 0 && offsetof(struct kustack, id) == 0,
	       "index_ids reads the id at the start of each stack");

static int cmp_ref(const void *x, const void *y)
{
	const struct kstack_ref *a = x, *b = y;

	return a->id < b->id ? -1 : a->id > b->id;
}

/* The ids of n items of elem bytes, each beginning with its int32_t id, in id order. */
static int index_ids(const void *items, size_t n, size_t elem, struct kstack_ref **refs,
		     size_t *n_refs)
{
	struct kstack_ref *r = malloc((n + 1) * sizeof(*r));

	free(*refs);
	*refs = NULL;
	*n_refs = 0;
	if (!r)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		r[i] = (struct kstack_ref){*(const int32_t *)((const char *)items + i * elem),
					   (uint32_t)i};
	qsort(r, n, sizeof(*r), cmp_ref);
	*refs = r;
	*n_refs = n;
	return 0;
}

int trial_kernel_index_stacks(struct trial_kernel *tk)
{
	int rc = index_ids(tk->stacks, tk->n_stacks, sizeof(*tk->stacks), &tk->stack_refs,
			   &tk->n_stack_refs);
	int rc_u = index_ids(tk->ustacks, tk->n_ustacks, sizeof(*tk->ustacks), &tk->ustack_refs,
			     &tk->n_ustack_refs);

	return rc ? rc : rc_u;
}

static int cmp_id_ref(const void *key, const void *element)
{
	int32_t id = *(const int32_t *)key, other = ((const struct kstack_ref *)element)->id;

	return id < other ? -1 : id > other;
}

/* The position of id among n items (n_refs of them indexed), n when absent. */
static size_t find_id(const void *items, size_t n, size_t elem, const struct kstack_ref *refs,
		      size_t n_refs, int32_t id)
{
	size_t lo = array_lower_bound(refs, n_refs, sizeof(*refs), &id, cmp_id_ref);

	if (lo < n_refs && refs[lo].id == id)
		return refs[lo].at;
	for (size_t i = n_refs; i < n; i++)
		if (*(const int32_t *)((const char *)items + i * elem) == id)
			return i;
	return n;
}

const struct kstack *trial_kernel_stack(const struct trial_kernel *tk, int32_t id)
{
	size_t i;

	if (id < 0)
		return NULL;
	i = find_id(tk->stacks, tk->n_stacks, sizeof(*tk->stacks), tk->stack_refs, tk->n_stack_refs,
		    id);
	return i < tk->n_stacks ? &tk->stacks[i] : NULL;
}

const struct kustack *trial_kernel_ustack(const struct trial_kernel *tk, int32_t id)
{
	size_t i;

	if (id < 0)
		return NULL;
	i = find_id(tk->ustacks, tk->n_ustacks, sizeof(*tk->ustacks), tk->ustack_refs,
		    tk->n_ustack_refs, id);
	return i < tk->n_ustacks ? &tk->ustacks[i] : NULL;
}
