// SPDX-License-Identifier: GPL-2.0-only
#include "model/ksyms.h"

#include <errno.h>
#include <stdio.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"

/* Past the last symbol an address still belongs to it for this much (the end of .text). */
#define LAST_SYMBOL_SPAN (4u << 20)

/* A symbol's name offset before its name is known (lazy tables). */
#define NO_NAME UINT32_MAX

enum name_want {
	NAME_NOT_WANTED,
	NAME_WANTED,
	NAME_NOT_FOUND
};

struct ksym {
	uint64_t addr;
	uint32_t name; /* offset into names; lazy tables: the line's rank until finished */
	uint8_t global;
	uint8_t want; /* name_want */
};

struct ksyms {
	struct ksym *sym;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
	size_t listed; /* function symbols seen, zero addresses included */
	size_t wanted; /* symbols whose name a stack needs and the table lacks */
	bool zeroed, lazy;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One line [p, end): "ADDR TYPE NAME[\t[MODULE]]". 1 when it is a function symbol. */
static int parse_line(const char *p, const char *end, uint64_t *addr, char *type, const char **name,
		      size_t *name_len)
{
	int digits = 0, v;

	*addr = 0;
	while (p < end && (v = hexval(*p)) >= 0) {
		if (++digits > 16)
			return 0;
		*addr = (*addr << 4) | (uint64_t)v;
		p++;
	}
	if (!digits || p + 3 > end || p[0] != ' ' || p[2] != ' ')
		return 0;
	*type = p[1];
	p += 3;
	*name = p;
	while (p < end && *p != ' ' && *p != '\t')
		p++;
	*name_len = (size_t)(p - *name);
	if (!*name_len || *name_len > 512)
		return 0;
	return strchr("tTwW", *type) != NULL;
}

static bool global_type(char type)
{
	return type == 'T' || type == 'W';
}

/* Its offset into names, or NO_NAME when the names are full (they are indexed by 32 bits). */
static uint32_t add_name(struct ksyms *ks, const char *name, size_t nlen)
{
	uint32_t at = (uint32_t)ks->names_len;

	if (ks->names_len + nlen + 1 >= NO_NAME ||
	    array_reserve((void **)&ks->names, &ks->names_cap, ks->names_len + nlen + 1, 1))
		return NO_NAME;
	memcpy(ks->names + ks->names_len, name, nlen);
	ks->names[ks->names_len + nlen] = '\0';
	ks->names_len += nlen + 1;
	return at;
}

static int add_symbol(struct ksyms *ks, uint64_t addr, char type, const char *name, size_t nlen)
{
	struct ksym *k;

	if (array_reserve((void **)&ks->sym, &ks->cap, ks->n + 1, sizeof(*ks->sym)))
		return -ENOMEM;
	k = &ks->sym[ks->n];
	k->addr = addr;
	k->global = global_type(type);
	k->want = NAME_NOT_WANTED;
	/* Lazy: the rank orders same-address symbols as the names' offsets do. */
	k->name = ks->lazy ? (uint32_t)ks->n : add_name(ks, name, nlen);
	if (k->name == NO_NAME)
		return -ENOMEM;
	ks->n++;
	return 0;
}

/* By address; at one address the global symbol first, then the first listed. */
static int cmp_sym(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->global != y->global)
		return x->global ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

static void dedup(struct ksyms *ks)
{
	size_t o = 0;

	for (size_t i = 0; i < ks->n; i++)
		if (!o || ks->sym[o - 1].addr != ks->sym[i].addr)
			ks->sym[o++] = ks->sym[i];
	ks->n = o;
}

struct ksyms *ksyms_new(bool lazy_names)
{
	struct ksyms *ks = calloc(1, sizeof(struct ksyms));

	if (ks)
		ks->lazy = lazy_names;
	return ks;
}

int ksyms_add_line(struct ksyms *ks, const char *line, size_t len)
{
	const char *name;
	size_t nlen;
	uint64_t addr;
	char type;

	if (!parse_line(line, line + len, &addr, &type, &name, &nlen))
		return 0;
	ks->listed++;
	return addr ? add_symbol(ks, addr, type, name, nlen) : 0;
}

/* Gives back what the doubling reserved: the table stays for the whole run. */
static void shrink_to_fit(struct ksyms *ks)
{
	void *p;

	if (ks->n < ks->cap && (p = realloc(ks->sym, (ks->n ? ks->n : 1) * sizeof(*ks->sym)))) {
		ks->sym = p;
		ks->cap = ks->n ? ks->n : 1;
	}
	if (ks->names_len < ks->names_cap &&
	    (p = realloc(ks->names, ks->names_len ? ks->names_len : 1))) {
		ks->names = p;
		ks->names_cap = ks->names_len ? ks->names_len : 1;
	}
}

void ksyms_finish(struct ksyms *ks)
{
	ks->zeroed = ks->listed > 0 && ks->n == 0;
	if (ks->n)
		qsort(ks->sym, ks->n, sizeof(*ks->sym), cmp_sym);
	dedup(ks);
	if (ks->lazy)
		for (size_t i = 0; i < ks->n; i++)
			ks->sym[i].name = NO_NAME;
	shrink_to_fit(ks);
}

int ksyms_parse(const char *text, size_t len, struct ksyms **out)
{
	struct ksyms *ks = ksyms_new(false);
	const char *p = text, *end = text + len;

	*out = NULL;
	if (!ks)
		return -ENOMEM;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		if (ksyms_add_line(ks, p, (size_t)(eol - p))) {
			ksyms_free(ks);
			return -ENOMEM;
		}
		p = eol + 1;
	}
	ksyms_finish(ks);
	*out = ks;
	return 0;
}

void ksyms_free(struct ksyms *ks)
{
	if (!ks)
		return;
	free(ks->sym);
	free(ks->names);
	free(ks);
}

size_t ksyms_count(const struct ksyms *ks)
{
	return ks ? ks->n : 0;
}

bool ksyms_zeroed(const struct ksyms *ks)
{
	return ks && ks->zeroed;
}

/* The symbol holding addr: the last one at or below it; -1 when none. */
static ssize_t holding_symbol(const struct ksyms *ks, uint64_t addr)
{
	size_t lo = 0, hi;

	if (!ks || !ks->n || addr < ks->sym[0].addr)
		return -1;
	hi = ks->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->sym[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (lo == ks->n - 1 && addr - ks->sym[lo].addr > LAST_SYMBOL_SPAN)
		return -1;
	return (ssize_t)lo;
}

const char *ksyms_lookup(const struct ksyms *ks, uint64_t addr, uint64_t *offset)
{
	ssize_t i = holding_symbol(ks, addr);

	if (i < 0 || ks->sym[i].name == NO_NAME)
		return NULL;
	if (offset)
		*offset = addr - ks->sym[i].addr;
	return ks->names + ks->sym[i].name;
}

size_t ksyms_want(struct ksyms *ks, const uint64_t *ip, int depth)
{
	for (int d = 0; d < depth; d++) {
		ssize_t i = holding_symbol(ks, ip[d]);

		if (i >= 0 && ks->sym[i].name == NO_NAME && ks->sym[i].want == NAME_NOT_WANTED) {
			ks->sym[i].want = NAME_WANTED;
			ks->wanted++;
		}
	}
	return ks ? ks->wanted : 0;
}

int ksyms_name_line(struct ksyms *ks, const char *line, size_t len)
{
	const char *name;
	size_t nlen;
	uint64_t addr;
	char type;
	ssize_t i;

	if (!ks->wanted || !parse_line(line, line + len, &addr, &type, &name, &nlen))
		return 0;
	i = holding_symbol(ks, addr);
	/* The first line at the symbol's address of its kind: the one the table kept. */
	if (i < 0 || ks->sym[i].addr != addr || ks->sym[i].want != NAME_WANTED ||
	    ks->sym[i].global != global_type(type))
		return 0;
	ks->sym[i].name = add_name(ks, name, nlen);
	if (ks->sym[i].name == NO_NAME)
		return -ENOMEM;
	ks->sym[i].want = NAME_NOT_WANTED;
	ks->wanted--;
	return 0;
}

void ksyms_names_done(struct ksyms *ks)
{
	for (size_t i = 0; ks->wanted && i < ks->n; i++)
		if (ks->sym[i].want == NAME_WANTED) {
			ks->sym[i].want = NAME_NOT_FOUND;
			ks->wanted--;
		}
}

/* The tracer's own frames, at the leaf end of a stack taken in its program. */
static bool tracer_frame(const char *name)
{
	static const char *const prefixes[] = {"bpf_prog_", "bpf_trace_run", "__bpf_trace_",
					       "__traceiter_", "bpf_get_stackid"};

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* Leaf-end frames looked at for the tracer's own: its program, bpf_trace_run, the tracepoint. */
#define TRACER_FRAMES 6

int ksyms_fold(const struct ksyms *ks, const uint64_t *ip, int depth, char *out, size_t len)
{
	int leaf = 0, frames = 0;
	size_t o = 0;

	if (!len)
		return 0;
	out[0] = '\0';
	/* Everything leafward of the outermost tracer frame is the tracer's. */
	for (int i = 0; i < depth && i < TRACER_FRAMES; i++) {
		const char *name = ksyms_lookup(ks, ip[i], NULL);

		if (name && tracer_frame(name))
			leaf = i + 1;
	}
	for (int i = depth - 1; i >= leaf; i--) {
		const char *name = ksyms_lookup(ks, ip[i], NULL);
		char hex[24];
		int n;

		if (!name) {
			snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)ip[i]);
			name = hex;
		}
		n = snprintf(out + o, len - o, "%s%s", frames ? ";" : "", name);
		if (n < 0 || (size_t)n >= len - o) {
			out[o] = '\0';
			break;
		}
		o += (size_t)n;
		frames++;
	}
	return frames;
}
