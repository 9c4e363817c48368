// SPDX-License-Identifier: GPL-2.0-only
/*
 * Remedies that `try` applies to B trials and undoes for A trials: what each one changes,
 * parsed from a spec ("dirty=64M:16M,wbt=2000") against the definitions (rules/remedies, built
 * into the binary, plus --remedies FILE), checked against the machine before anything runs.
 *
 * Three kinds of change:
 *   - settings: files under /proc/sys/vm and /sys/block/DEV/queue written with a value
 *     (remedy/journal.h records each old value before it is written);
 *   - the load: the stressor containers created differently (fewer CPUs, a write-bandwidth
 *     limit, a directory on another filesystem): the load is started afresh at each switch;
 *   - a remount: the data-root's filesystem without `discard`.
 */
#ifndef RP_REMEDY_REMEDY_H
#define RP_REMEDY_REMEDY_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "remedy/journal.h"

#define REMEDY_MAX	    8
#define REMEDY_SETTINGS_MAX 8
#define REMEDY_DEFS_MAX	    32
#define REMEDY_NAME_LEN	    32
#define REMEDY_SPEC_LEN	    128
#define REMEDY_VALUE_LEN    64

/* How the load containers are created while the remedy is on (0 / "" : unchanged). */
struct load_change {
	int fewer_cpus;		  /* load-cpus=N: cpuset without the first N CPUs */
	uint64_t write_bps;	  /* load-wbps=RATE: BlkioDeviceWriteBps on the data-root's disk */
	char write_dev[PATH_MAX]; /* that disk, /dev/NAME */
	char fs_dir[PATH_MAX];	  /* load-fs=PATH: the stressors write under PATH */
};

/* What a remedy changes: settings, or one of the changes that need code. */
enum remedy_kind {
	REMEDY_SETTINGS,
	REMEDY_LOAD_CPUS,
	REMEDY_LOAD_WBPS,
	REMEDY_LOAD_FS,
	REMEDY_NODISCARD,
};

/* What a remedy needs of the machine (struct remedy's needs). */
#define REMEDY_NEEDS_CGROUP2 0x1u /* refused on cgroup v1 unless --insist */
#define REMEDY_NEEDS_DISCARD 0x2u /* the data-root's filesystem mounted with discard */

struct remedy_setting {
	char path[PATH_MAX];
	char value[REMEDY_VALUE_LEN];
};

struct remedy {
	char spec[REMEDY_SPEC_LEN];			/* as given, "dirty=64M:16M" */
	char name[REMEDY_NAME_LEN];			/* "dirty" */
	struct remedy_setting set[REMEDY_SETTINGS_MAX]; /* written, in order, when B begins */
	int n_set;
	/* Read and restored with the settings though not written: vm.dirty_ratio when
	 * vm.dirty_bytes is set (the kernel zeroes it). */
	char also_saved[REMEDY_SETTINGS_MAX][PATH_MAX];
	int n_also_saved;
	struct load_change load;
	char remount_nodiscard[PATH_MAX]; /* a mount point, "" for none */
	enum remedy_kind kind;
	unsigned needs; /* REMEDY_NEEDS_* */
};

struct remedy_set {
	struct remedy r[REMEDY_MAX];
	int n;
	bool changes_load; /* some remedy changes the load: restart it at each switch */
};

/* What the checks need to know about the machine and the engine. */
struct remedy_host {
	char data_root[PATH_MAX]; /* the engine's DockerRootDir */
	int cgroup_version;	  /* 1 or 2 */
	bool insist;		  /* --insist: apply what is refused only because it may not work */
};

struct remedy_defs; /* rules/remedies and the user's files, parsed */

/* The built-in definitions plus the user's file (NULL: none). NULL with err on failure. */
struct remedy_defs *remedy_defs_load(const char *user_file, char *err, size_t errlen);
/* The same from text (the fuzzer's and the unit tests' entry); name is for messages. */
struct remedy_defs *remedy_defs_parse(const char *text, const char *name, char *err, size_t errlen);
void remedy_defs_free(struct remedy_defs *d);
/* "NAME  what it changes" lines for --help and `try --list`. */
int remedy_defs_describe(const struct remedy_defs *d, char *out, size_t len);

/* Parses a comma-separated spec into set. 0, or -EINVAL with one line in err. */
int remedy_parse(const struct remedy_defs *d, const char *spec, struct remedy_set *set, char *err,
		 size_t errlen);
/*
 * Resolves what depends on the machine (the data-root's disk and mount) and refuses, with
 * one line in err that says why, what cannot work here: a file that does not exist or cannot
 * be read, a filesystem without discard, load-fs on the data-root's filesystem, load-wbps on
 * cgroup v1 (unless host->insist). 0 or -EINVAL / -EPERM (-EPERM: refused only because it
 * may not work; host->insist would let it run).
 */
int remedy_check(struct remedy_set *set, const struct remedy_host *host, char *err, size_t errlen);

/* Turns the set on (B) or off (A): every old value goes to the journal before it changes. */
int remedy_set_on(const struct remedy_set *set, struct journal *j, char *err, size_t errlen);
int remedy_set_off(const struct remedy_set *set, struct journal *j, char *err, size_t errlen);
/* The load change of the whole set (merged), for load_start while B. */
void remedy_set_load(const struct remedy_set *set, struct load_change *out);

#endif
