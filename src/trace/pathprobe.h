// SPDX-License-Identifier: GPL-2.0-only
/*
 * Can a program of a given path attach at a given place on this kernel? Answered by loading
 * a trivial program of that type and attaching it for a moment, so the answer covers both
 * ways a path fails (the kernel refuses the load, as fentry does here with EPERM; or it loads
 * and refuses the attach, as arm64 6.1 does with -524), and says why.
 */
#ifndef RP_TRACE_PATHPROBE_H
#define RP_TRACE_PATHPROBE_H

#include <stdbool.h>
#include <stddef.h>

struct btf;
struct pathprobe;

/* Takes no ownership of btf (may be NULL: then only raw_tp and tracepoint can be tried). */
struct pathprobe *pathprobe_new(const struct btf *vmlinux);
/* Forgets the BTF (its owner frees it); what was probed stays known, new probes run as without. */
void pathprobe_drop_btf(struct pathprobe *pp);
/* Unmounts tracefs if this prober mounted it. */
void pathprobe_free(struct pathprobe *pp);

/*
 * path: enum probe_path. target: the function (fentry, kprobe), the tracepoint's name
 * (tp_btf, raw_tp) or "category/name" (tracepoint). 0, or -1 with why filled.
 */
int pathprobe_try(struct pathprobe *pp, int path, const char *target, char *why, size_t len);

/* tracefs: where it is mounted ("" if not), and whether this prober mounted it. */
const char *pathprobe_tracefs(struct pathprobe *pp, bool mount_if_missing, char *why, size_t len);
bool pathprobe_mounted_tracefs(const struct pathprobe *pp);

#endif
