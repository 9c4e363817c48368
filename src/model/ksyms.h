// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel symbols from the text of /proc/kallsyms, and kernel stacks turned into folded
 * frames. Pure: the text comes in, nothing is read here (trace/symbols.c reads the file).
 *
 * Only function symbols are kept (types t, T, w, W). When kptr_restrict hides addresses
 * from the reader, every address reads as zero: ksyms_zeroed() says so, and stacks fold to
 * raw addresses instead of names.
 */
#ifndef RP_MODEL_KSYMS_H
#define RP_MODEL_KSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/ksym_blocks.h"

struct ksyms;

/* Parses kallsyms text (lines "ADDR TYPE NAME [MODULE]"); malformed lines are skipped.
 * 0, or -ENOMEM. */
int ksyms_parse(const char *text, size_t len, struct ksyms **out);
/*
 * The same a line at a time, for a reader that does not hold the whole text: ksyms_new, then
 * ksyms_add_line (0, or -ENOMEM) for each line, then ksyms_finish (0, or -ENOMEM) before any
 * look-up. Lines in address order, as the kernel lists them, go straight into the compact
 * table (model/ksym_blocks.h); the few out of order wait aside and are merged in at the end.
 */
struct ksyms *ksyms_new(void);
int ksyms_add_line(struct ksyms *ks, const char *line, size_t len);
int ksyms_finish(struct ksyms *ks);
void ksyms_free(struct ksyms *ks);
/* Function symbols kept. */
size_t ksyms_count(const struct ksyms *ks);
/* Heap bytes the finished table holds. */
size_t ksyms_bytes(const struct ksyms *ks);
/* True when the text listed symbols but every address was zero (kptr_restrict). */
bool ksyms_zeroed(const struct ksyms *ks);
/* The function holding addr, its name written into name, and the offset into it; NULL when
 * none (below the first symbol, too far past the last one, or a zeroed table). */
const char *ksyms_lookup(const struct ksyms *ks, uint64_t addr, uint64_t *offset,
			 char name[KSYM_NAME_SIZE]);

/*
 * Folds a stack given leaf first (as bpf_get_stackid stores it) into "root;...;leaf": each
 * frame the function's name, or 0x<address> when unknown (ks may be NULL). The tracer's
 * own frames at the leaf end are left out: everything leafward of the outermost of
 * bpf_prog_*, bpf_trace_run*, __bpf_trace_*, __traceiter_* among the first six frames. Writes at
 * most len bytes (NUL included); returns the frames written.
 */
int ksyms_fold(const struct ksyms *ks, const uint64_t *ip, int depth, char *out, size_t len);

/* The names of a set of addresses, each looked up once: many stacks share their frames. */
struct ksym_memo {
	uint64_t *addr; /* in order, each once */
	uint32_t *name; /* its name's offset in text, KSYM_MEMO_NONE when none holds it */
	char *text;
	size_t n, len, cap;
};
#define KSYM_MEMO_NONE UINT32_MAX
/* Looks up the n addresses at addrs (any order, repeats allowed; sorted in place) into m.
 * 0 or -ENOMEM (m then empty: lookups go to the table). */
int ksym_memo_fill(struct ksym_memo *m, const struct ksyms *ks, uint64_t *addrs, size_t n);
void ksym_memo_free(struct ksym_memo *m);
/* ksyms_fold, with the names in m taken from it. */
int ksyms_fold_memo(const struct ksyms *ks, const struct ksym_memo *m, const uint64_t *ip,
		    int depth, char *out, size_t len);

#endif
