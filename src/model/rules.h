// SPDX-License-Identifier: GPL-2.0-only
/*
 * Cause rules: named categories of waits, matched on the kernel stack, the blocking call
 * and its file, the state, the process and its waker. Kept as data (rules/causes.rules,
 * built into the binary; docs/causes.md documents the format), so a category is
 * added by writing a rule, not code.
 *
 *   format 1
 *   version 2024-11-27
 *   rule overlay-umount-sync
 *   title    Unmounting an overlay syncs the whole filesystem under it
 *   match    frame=ovl_sync_fs
 *   match    call=umount frame=sync_filesystem,sync_inodes_sb
 *   explain  One line on why this wait happens.
 *   remedy   Something known to help.
 *   remedy   Something else.
 *   try      dirty=64M:16M
 *
 * A rule matches a wait when one of its match lines does; a match line when all its
 * conditions do; a condition when one of its comma-separated values does. Values are globs
 * (* any run of characters, ? one). Keys: frame (any frame of the kernel stack), leaf (the
 * innermost frame that is not scheduler plumbing: schedule*, __schedule, io_schedule*),
 * call (fsync, fdatasync, sync, syncfs, sync_file_range, rename, renameat, unlink, unlinkat,
 * flock, mount, umount), file (the call's file), state (iowait, blocked, sleep, runq, call),
 * comm, actor (engine, target), waker. The first rule, in file order, that matches names the
 * wait's category; a wait no rule matches is unexplained. A try line names a remedy
 * `restartprof try` can apply to test the cause (one word, its spec); like a remedy it may begin
 * with "[load] " or "[no load] ".
 */
#ifndef RP_MODEL_RULES_H
#define RP_MODEL_RULES_H

#include <stdbool.h>
#include <stddef.h>

#define RULES_MAX	  128
#define RULE_MATCHES_MAX  16
#define MATCH_CONDS_MAX	  8
#define COND_VALUES_MAX	  16
#define RULE_REMEDIES_MAX 8
#define RULE_NAME_LEN	  48
#define RULE_TEXT_LEN	  512
#define RULE_TRIES_MAX	  4
#define RULE_TRY_LEN	  128

enum rule_key {
	RK_FRAME,
	RK_LEAF,
	RK_CALL,
	RK_FILE,
	RK_STATE,
	RK_COMM,
	RK_ACTOR,
	RK_WAKER,
	RK_COUNT
};

struct rule_cond {
	int key; /* rule_key */
	int n;
	char *values[COND_VALUES_MAX];
};

struct rule_match {
	int n;
	struct rule_cond cond[MATCH_CONDS_MAX];
};

/* Its strings are its own, exactly sized (rules_free); title and explain are never NULL. */
struct rule {
	char name[RULE_NAME_LEN];
	char *title;   /* its name when the rule gives none */
	char *explain; /* "" when the rule gives none */
	char *remedy[RULE_REMEDIES_MAX];
	int n_remedies;
	char *tries[RULE_TRIES_MAX]; /* try lines: "[load] load-cpus=1" */
	int n_tries;
	struct rule_match *match; /* n_match of them */
	int n_match;
	size_t match_cap;
	int line; /* where it begins in the file */
};

struct rules {
	char version[64];
	int format;
	int n;
	struct rule *rule; /* n of them */
	size_t cap;	   /* room in rule */
};

/* A wait as the rules see it: strings, "" for unknown (never NULL). */
struct wait_view {
	const char *folded; /* kernel stack, root first, ';'-joined */
	const char *call, *file, *state, *comm, *actor, *waker;
};

/* Parses rules text. 0, or -1 with "line N: what" in err (nothing to free then). */
int rules_parse(const char *text, size_t len, struct rules *out, char *err, size_t errlen);
void rules_free(struct rules *r);
/* The rules built into the binary (rules/causes.rules at build time). */
int rules_load_builtin(struct rules *out, char *err, size_t errlen);
/* Index of the first rule matching w, -1 when none does. */
int rules_match(const struct rules *r, const struct wait_view *w);
/* Index of the rule of that name, -1 when none. */
int rules_find(const struct rules *r, const char *name);

/* Glob match: * any run of characters, ? one; case-sensitive. */
bool glob_match(const char *pattern, const char *text);
/* Whether a frame (n bytes at f) is scheduler plumbing: schedule, io_schedule_timeout... */
bool sched_plumbing_frame(const char *f, size_t n);
/* The innermost frame of a folded stack that is not scheduler plumbing, into out. */
void stack_leaf(const char *folded, char *out, size_t len);

#endif
