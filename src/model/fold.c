// SPDX-License-Identifier: GPL-2.0-only
#include "model/fold.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "util/text_index.h"
#include "util/text_pool.h"

struct entry {
	const char *stack; /* the fold's own copy, or the pool's */
	uint64_t value;
};

struct fold {
	struct text_pool *pool; /* NULL: the stacks are the fold's */
	struct entry *e;
	size_t n, cap;
	struct text_index index; /* stack -> its entry */
	uint64_t total;
};

static const char *stack_at(const void *entries, size_t i)
{
	return ((const struct entry *)entries)[i].stack;
}

struct fold *fold_new(void)
{
	return calloc(1, sizeof(struct fold));
}

struct fold *fold_new_in(struct text_pool *pool)
{
	struct fold *f = fold_new();

	if (f)
		f->pool = pool;
	return f;
}

void fold_free(struct fold *f)
{
	if (!f)
		return;
	for (size_t i = 0; !f->pool && i < f->n; i++)
		free((char *)f->e[i].stack);
	free(f->e);
	text_index_clear(&f->index);
	free(f);
}

static bool valid_stack(const char *s, size_t n)
{
	if (!n || s[0] == ';' || s[n - 1] == ';')
		return false;
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == ';' && s[i + 1] == ';')
			return false;
	return memchr(s, '\n', n) == NULL && memchr(s, '\0', n) == NULL;
}

static int add_stack_n(struct fold *f, const char *stack, size_t n, uint64_t value)
{
	size_t *slot;

	if (!valid_stack(stack, n))
		return -EINVAL;
	if (text_index_reserve(&f->index, f->n, stack_at, f->e))
		return -ENOMEM;
	slot = text_index_slot(&f->index, stack, n, stack_at, f->e);
	if (*slot) {
		f->e[*slot - 1].value += value;
		f->total += value;
		return 0;
	}
	if (array_reserve((void **)&f->e, &f->cap, f->n + 1, sizeof(*f->e)))
		return -ENOMEM;
	f->e[f->n].stack = f->pool ? text_pool_intern(f->pool, stack, n) : strndup(stack, n);
	if (!f->e[f->n].stack)
		return -ENOMEM;
	f->e[f->n].value = value;
	*slot = ++f->n;
	f->total += value;
	return 0;
}

int fold_add(struct fold *f, const char *stack, uint64_t value)
{
	return add_stack_n(f, stack, strlen(stack), value);
}

size_t fold_count(const struct fold *f)
{
	return f->n;
}

uint64_t fold_total(const struct fold *f)
{
	return f->total;
}

const char *fold_stack(const struct fold *f, size_t i)
{
	return i < f->n ? f->e[i].stack : NULL;
}

uint64_t fold_value(const struct fold *f, size_t i)
{
	return i < f->n ? f->e[i].value : 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->stack, ((const struct entry *)b)->stack);
}

void fold_sort(struct fold *f)
{
	if (f->n)
		qsort(f->e, f->n, sizeof(*f->e), cmp_entry);
	/* The entries moved: the next add rebuilds the index. */
	text_index_clear(&f->index);
}

int fold_write(struct fold *f, FILE *out)
{
	fold_sort(f);
	for (size_t i = 0; i < f->n; i++)
		if (fprintf(out, "%s %llu\n", f->e[i].stack, (unsigned long long)f->e[i].value) < 0)
			return -EIO;
	return 0;
}

int fold_parse(struct fold *f, const char *text, size_t len, size_t *bad)
{
	size_t pos = 0, nbad = 0;

	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos), *sp;
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		uint64_t v = 0;
		bool ok = true;
		int rc;

		pos += n + 1;
		if (n && line[n - 1] == '\r')
			n--;
		if (!n)
			continue;
		for (sp = line + n; sp > line && sp[-1] != ' '; sp--)
			;
		if (sp == line || sp == line + n)
			ok = false;
		for (const char *d = sp; ok && d < line + n; d++) {
			if (*d < '0' || *d > '9' || v > (UINT64_MAX - 9) / 10)
				ok = false;
			else
				v = v * 10 + (uint64_t)(*d - '0');
		}
		rc = ok ? add_stack_n(f, line, (size_t)(sp - 1 - line), v) : -EINVAL;
		if (rc == -ENOMEM)
			return rc;
		nbad += rc != 0;
	}
	if (bad)
		*bad = nbad;
	return 0;
}

static size_t put_clean(char *out, size_t o, size_t len, const char *s)
{
	for (; s && *s && o + 1 < len; s++)
		out[o++] = (*s == ';' || *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') ? '_'
											      : *s;
	return o;
}

void fold_frames(const char *actor, const char *comm, const char *state, const char *call,
		 const char *folded, char *out, size_t len)
{
	size_t o = 0;

	if (!len)
		return;
	o = put_clean(out, o, len, actor && *actor ? actor : "?");
	if (o + 1 < len)
		out[o++] = ';';
	o = put_clean(out, o, len, comm && *comm ? comm : "?");
	if (o + 2 < len) {
		out[o++] = ';';
		out[o++] = '[';
		o = put_clean(out, o, len, state && *state ? state : "?");
		if (o + 1 < len)
			out[o++] = ']';
	}
	if (folded && *folded) {
		/* The kernel stack's own ';' separate its frames. */
		for (const char *s = folded; *s && o + 2 < len; s++) {
			if (s == folded)
				out[o++] = ';';
			out[o++] = (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') ? '_' : *s;
		}
	} else if (call && *call && o + 2 < len) {
		out[o++] = ';';
		o = put_clean(out, o, len, call);
	}
	out[o < len ? o : len - 1] = '\0';
	/* A cut may leave a trailing or doubled ';': drop the tail after it. */
	while (o > 0 && out[o - 1] == ';')
		out[--o] = '\0';
}
