// SPDX-License-Identifier: GPL-2.0-only
/*
 * User stacks of on-CPU samples: the files their frames may come from registered with usyms
 * (the engine's executables and libraries, the programs a trial exec'd), the stacks a trial's
 * aggregates name copied out of the stack map, and their frames named.
 */
#ifndef RP_TRACE_USTACKS_H
#define RP_TRACE_USTACKS_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/kernel.h"

struct usyms;

/* Engine processes whose files are registered already, and build IDs looked for in vain. */
struct ustack_files {
	pid_t *seen;
	size_t n_seen, cap_seen;
	/* Build IDs a walk of the engine's processes did not find (a library of a process gone
	 * by then): looked for once, so they do not cost a walk every trial. */
	uint8_t (*unfound)[KBUILD_ID_LEN];
	size_t n_unfound, cap_unfound;
};

/* The executable and file-backed executable mappings of every engine process not seen
 * before into u. */
void ustacks_register_engine(struct usyms *u, struct ustack_files *f, pid_t dockerd);
/* Whether u has a file for every build ID tk's user stacks name, or f looked for it already. */
bool ustacks_files_known(const struct usyms *u, const struct ustack_files *f,
			 const struct trial_kernel *tk);
/* tk's build IDs u still has no file for, into f's unfound ones. */
void ustacks_note_unfound(const struct usyms *u, struct ustack_files *f,
			  const struct trial_kernel *tk);
/* The absolute exec filenames of tk's exec records into u. */
void ustacks_register_execs(struct usyms *u, const struct trial_kernel *tk);
/* Every user stack tk's ONCPU aggregates name, copied once from the map (fd) into tk, which
 * holds none yet. 0 or -ENOMEM (with those copied so far). */
int ustacks_copy(struct trial_kernel *tk, int fd);
/* Deletes tk's user stacks from the map. */
void ustacks_delete(const struct trial_kernel *tk, int fd);
/* Names the frames of every user stack of tk (folded, root first); u may be NULL. Returns
 * how many frames the kernel gave as a bare address (no build ID): those stay unnamed. */
unsigned long ustacks_name(struct usyms *u, struct trial_kernel *tk);
void ustack_files_free(struct ustack_files *f);

#endif
