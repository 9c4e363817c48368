// SPDX-License-Identifier: GPL-2.0-only
#include "model/ksyms.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"

/* Past the last symbol an address still belongs to it for this much (the end of .text). */
#define LAST_SYMBOL_SPAN (4u << 20)

/* A function symbol of one line. */
struct line_symbol {
	uint64_t addr;
	bool global;
	const char *name;
	size_t len;
};

/* The symbol held back until a higher address shows that no other line names its address. */
struct pending_symbol {
	bool held;
	uint64_t addr;
	bool global;
	size_t len;
	char name[KSYM_NAME_SIZE];
};

/* A line below the address of one already taken: merged in by ksyms_finish. */
struct stray_symbol {
	uint64_t addr;
	uint32_t name; /* offset into stray_names */
	uint32_t rank; /* the line's place among function symbols */
	bool global;
};

struct ksyms {
	struct ksym_blocks *table;
	struct pending_symbol pending;
	struct stray_symbol *strays;
	size_t n_strays, strays_cap;
	char *stray_names;
	size_t stray_names_len, stray_names_cap;
	size_t listed; /* function symbols seen, zero addresses included */
	bool zeroed;
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

/* One line [p, end): "ADDR TYPE NAME[\t[MODULE]]" (a NUL ends the name too). True when it is
 * a function symbol. */
static bool parse_line(const char *p, const char *end, struct line_symbol *sym)
{
	int digits = 0, v;
	char type;

	sym->addr = 0;
	while (p < end && (v = hexval(*p)) >= 0) {
		if (++digits > 16)
			return false;
		sym->addr = (sym->addr << 4) | (uint64_t)v;
		p++;
	}
	if (!digits || p + 3 > end || p[0] != ' ' || p[2] != ' ')
		return false;
	type = p[1];
	p += 3;
	sym->name = p;
	while (p < end && *p != ' ' && *p != '\t' && *p)
		p++;
	sym->len = (size_t)(p - sym->name);
	sym->global = type == 'T' || type == 'W';
	return sym->len && sym->len <= KSYM_NAME_LEN && type && strchr("tTwW", type);
}

static void hold(struct pending_symbol *pending, const struct line_symbol *sym)
{
	pending->held = true;
	pending->addr = sym->addr;
	pending->global = sym->global;
	pending->len = sym->len;
	memcpy(pending->name, sym->name, sym->len);
}

static int add_stray(struct ksyms *ks, const struct line_symbol *sym)
{
	struct stray_symbol *st;

	if (ks->stray_names_len + sym->len >= UINT32_MAX ||
	    array_reserve((void **)&ks->strays, &ks->strays_cap, ks->n_strays + 1,
			  sizeof(*ks->strays)) ||
	    array_reserve((void **)&ks->stray_names, &ks->stray_names_cap,
			  ks->stray_names_len + sym->len + 1, 1))
		return -ENOMEM;
	st = &ks->strays[ks->n_strays++];
	st->addr = sym->addr;
	st->global = sym->global;
	st->rank = (uint32_t)ks->listed;
	st->name = (uint32_t)ks->stray_names_len;
	memcpy(ks->stray_names + ks->stray_names_len, sym->name, sym->len);
	ks->stray_names[ks->stray_names_len + sym->len] = '\0';
	ks->stray_names_len += sym->len + 1;
	return 0;
}

static int append_pending(struct ksyms *ks)
{
	const struct pending_symbol *p = &ks->pending;

	return p->held ? ksym_blocks_append(ks->table, p->addr, p->global, p->name, p->len) : 0;
}

/* At one address the global symbol is kept, else the first listed. */
static int add_symbol(struct ksyms *ks, const struct line_symbol *sym)
{
	struct pending_symbol *pending = &ks->pending;
	int e;

	if (pending->held && sym->addr < pending->addr)
		return add_stray(ks, sym);
	if (pending->held && sym->addr == pending->addr) {
		if (sym->global && !pending->global)
			hold(pending, sym);
		return 0;
	}
	e = append_pending(ks);
	if (!e)
		hold(pending, sym);
	return e;
}

struct ksyms *ksyms_new(void)
{
	struct ksyms *ks = calloc(1, sizeof(struct ksyms));

	if (ks && !(ks->table = ksym_blocks_new())) {
		free(ks);
		return NULL;
	}
	return ks;
}

int ksyms_add_line(struct ksyms *ks, const char *line, size_t len)
{
	struct line_symbol sym;
	int e;

	if (!parse_line(line, line + len, &sym))
		return 0;
	e = sym.addr ? add_symbol(ks, &sym) : 0;
	ks->listed++;
	return e;
}

/* By address; at one address the global symbol first, then the first listed. */
static int cmp_stray(const void *a, const void *b)
{
	const struct stray_symbol *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->global != y->global)
		return x->global ? -1 : 1;
	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Sorted, one per address. */
static void sort_strays(struct ksyms *ks)
{
	size_t kept = 0;

	qsort(ks->strays, ks->n_strays, sizeof(*ks->strays), cmp_stray);
	for (size_t i = 0; i < ks->n_strays; i++)
		if (!kept || ks->strays[kept - 1].addr != ks->strays[i].addr)
			ks->strays[kept++] = ks->strays[i];
	ks->n_strays = kept;
}

/* Whether the stray goes before the table's symbol c->at (or takes its place at its address:
 * every table line at that address was listed before it). */
static bool stray_first(const struct stray_symbol *st, bool more, const struct ksym_cursor *c)
{
	if (!more || st->addr < c->at.addr)
		return true;
	return st->addr == c->at.addr && st->global && !c->at.global;
}

/* The table and the strays, both in address order, into one new table. */
static int merge_strays(struct ksyms *ks, struct ksym_blocks *merged)
{
	struct ksym_cursor c = {0};
	bool more = ksym_blocks_next(ks->table, &c);
	size_t s = 0;
	int e = 0;

	while (!e && (more || s < ks->n_strays)) {
		const struct stray_symbol *st = s < ks->n_strays ? &ks->strays[s] : NULL;
		bool same_addr = st && more && st->addr == c.at.addr;

		if (st && stray_first(st, more, &c)) {
			const char *name = ks->stray_names + st->name;

			e = ksym_blocks_append(merged, st->addr, st->global, name, strlen(name));
			s++;
			if (same_addr)
				more = ksym_blocks_next(ks->table, &c);
			continue;
		}
		e = ksym_blocks_append(merged, c.at.addr, c.at.global, c.at.name,
				       strlen(c.at.name));
		s += same_addr;
		more = ksym_blocks_next(ks->table, &c);
	}
	return e;
}

static void free_strays(struct ksyms *ks)
{
	free(ks->strays);
	free(ks->stray_names);
	ks->strays = NULL;
	ks->stray_names = NULL;
	ks->n_strays = ks->strays_cap = ks->stray_names_len = ks->stray_names_cap = 0;
}

int ksyms_finish(struct ksyms *ks)
{
	struct ksym_blocks *merged = NULL;
	int e = append_pending(ks);

	ks->pending.held = false;
	if (e)
		goto cleanup;
	if (ks->n_strays) {
		sort_strays(ks);
		merged = ksym_blocks_new();
		e = merged ? merge_strays(ks, merged) : -ENOMEM;
		if (e)
			goto cleanup;
		ksym_blocks_free(ks->table);
		ks->table = merged;
		merged = NULL;
	}
	ksym_blocks_shrink(ks->table);
	ks->zeroed = ks->listed > 0 && ksym_blocks_count(ks->table) == 0;
cleanup:
	ksym_blocks_free(merged);
	free_strays(ks);
	return e;
}

int ksyms_parse(const char *text, size_t len, struct ksyms **out)
{
	struct ksyms *ks = ksyms_new();
	const char *p = text, *end = text + len;
	int e = 0;

	*out = NULL;
	if (!ks)
		return -ENOMEM;
	while (!e && p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		e = ksyms_add_line(ks, p, (size_t)(eol - p));
		p = eol + 1;
	}
	if (!e)
		e = ksyms_finish(ks);
	if (e) {
		ksyms_free(ks);
		return e;
	}
	*out = ks;
	return 0;
}

void ksyms_free(struct ksyms *ks)
{
	if (!ks)
		return;
	ksym_blocks_free(ks->table);
	free_strays(ks);
	free(ks);
}

size_t ksyms_count(const struct ksyms *ks)
{
	return ks ? ksym_blocks_count(ks->table) : 0;
}

size_t ksyms_bytes(const struct ksyms *ks)
{
	return ks ? sizeof(*ks) + ksym_blocks_bytes(ks->table) : 0;
}

bool ksyms_zeroed(const struct ksyms *ks)
{
	return ks && ks->zeroed;
}

const char *ksyms_lookup(const struct ksyms *ks, uint64_t addr, uint64_t *offset,
			 char name[KSYM_NAME_SIZE])
{
	struct ksym_entry sym;

	if (!ks || !ksym_blocks_find(ks->table, addr, &sym))
		return NULL;
	if (sym.addr == ksym_blocks_last_addr(ks->table) && addr - sym.addr > LAST_SYMBOL_SPAN)
		return NULL;
	if (offset)
		*offset = addr - sym.addr;
	memcpy(name, sym.name, strlen(sym.name) + 1);
	return name;
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

void ksym_memo_free(struct ksym_memo *m)
{
	free(m->addr);
	free(m->name);
	free(m->text);
	memset(m, 0, sizeof(*m));
}

int ksym_memo_fill(struct ksym_memo *m, const struct ksyms *ks, uint64_t *addrs, size_t n)
{
	ksym_memo_free(m);
	n = array_sort_unique(addrs, n, sizeof(*addrs), array_cmp_u64);
	m->addr = malloc((n + 1) * sizeof(*m->addr));
	m->name = malloc((n + 1) * sizeof(*m->name));
	if (!m->addr || !m->name)
		goto fail;
	for (size_t i = 0; i < n; i++) {
		char buf[KSYM_NAME_SIZE];
		const char *name = ksyms_lookup(ks, addrs[i], NULL, buf);
		size_t l = name ? strlen(name) + 1 : 0;

		m->addr[i] = addrs[i];
		m->name[i] = KSYM_MEMO_NONE;
		if (!name)
			continue;
		if (m->len + l > UINT32_MAX ||
		    array_reserve((void **)&m->text, &m->cap, m->len + l, 1))
			goto fail;
		memcpy(m->text + m->len, name, l);
		m->name[i] = (uint32_t)m->len;
		m->len += l;
	}
	m->n = n;
	return 0;
fail:
	ksym_memo_free(m);
	return -ENOMEM;
}

/* The name of addr: from m when it holds addr, else from the table. */
static const char *frame_name(const struct ksyms *ks, const struct ksym_memo *m, uint64_t addr,
			      char buf[KSYM_NAME_SIZE])
{
	size_t lo =
		m ? array_lower_bound(m->addr, m->n, sizeof(*m->addr), &addr, array_cmp_u64) : 0;

	if (m && lo < m->n && m->addr[lo] == addr)
		return m->name[lo] == KSYM_MEMO_NONE ? NULL : m->text + m->name[lo];
	return ksyms_lookup(ks, addr, NULL, buf);
}

int ksyms_fold(const struct ksyms *ks, const uint64_t *ip, int depth, char *out, size_t len)
{
	return ksyms_fold_memo(ks, NULL, ip, depth, out, len);
}

int ksyms_fold_memo(const struct ksyms *ks, const struct ksym_memo *m, const uint64_t *ip,
		    int depth, char *out, size_t len)
{
	int leaf = 0, frames = 0;
	size_t o = 0;

	if (!len)
		return 0;
	out[0] = '\0';
	/* Everything leafward of the outermost tracer frame is the tracer's. */
	for (int i = 0; i < depth && i < TRACER_FRAMES; i++) {
		char buf[KSYM_NAME_SIZE];
		const char *name = frame_name(ks, m, ip[i], buf);

		if (name && tracer_frame(name))
			leaf = i + 1;
	}
	for (int i = depth - 1; i >= leaf; i--) {
		char buf[KSYM_NAME_SIZE];
		const char *name = frame_name(ks, m, ip[i], buf);
		int n;

		if (!name) {
			snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)ip[i]);
			name = buf;
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
