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

struct ksyms;

/* Parses kallsyms text (lines "ADDR TYPE NAME [MODULE]"); malformed lines are skipped.
 * 0, or -ENOMEM. */
int ksyms_parse(const char *text, size_t len, struct ksyms **out);
/*
 * The same a line at a time, for a reader that does not hold the whole text: ksyms_new, then
 * ksyms_add_line (0, or -ENOMEM) for each line, then ksyms_finish before any look-up.
 *
 * With lazy_names the table keeps addresses only (a third of the memory): look-ups find no
 * name until a stack asks for it. ksyms_want marks the symbols a stack's addresses fall in
 * and returns how many names are wanted; the reader then passes the text again through
 * ksyms_name_line, which keeps the names of exactly those symbols (the ones a full table
 * would name), and ends with ksyms_names_done: a name not found (the text changed) is not
 * wanted again.
 */
struct ksyms *ksyms_new(bool lazy_names);
int ksyms_add_line(struct ksyms *ks, const char *line, size_t len);
void ksyms_finish(struct ksyms *ks);
size_t ksyms_want(struct ksyms *ks, const uint64_t *ip, int depth);
int ksyms_name_line(struct ksyms *ks, const char *line, size_t len);
void ksyms_names_done(struct ksyms *ks);
void ksyms_free(struct ksyms *ks);
/* Function symbols kept. */
size_t ksyms_count(const struct ksyms *ks);
/* True when the text listed symbols but every address was zero (kptr_restrict). */
bool ksyms_zeroed(const struct ksyms *ks);
/* The function holding addr and the offset into it; NULL when none (below the first symbol,
 * too far past the last one, or a zeroed table). */
const char *ksyms_lookup(const struct ksyms *ks, uint64_t addr, uint64_t *offset);

/*
 * Folds a stack given leaf first (as bpf_get_stackid stores it) into "root;...;leaf": each
 * frame the function's name, or 0x<address> when unknown (ks may be NULL). The tracer's
 * own frames at the leaf end are left out: everything leafward of the outermost of
 * bpf_prog_*, bpf_trace_run*, __bpf_trace_*, __traceiter_* among the first six frames. Writes at
 * most len bytes (NUL included); returns the frames written.
 */
int ksyms_fold(const struct ksyms *ks, const uint64_t *ip, int depth, char *out, size_t len);

#endif
