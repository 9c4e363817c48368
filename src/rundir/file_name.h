// SPDX-License-Identifier: GPL-2.0-only
/* Names of the files a run directory holds per cell or load (figures/, folded/). */
#ifndef RP_RUNDIR_FILE_NAME_H
#define RP_RUNDIR_FILE_NAME_H

#include <stddef.h>

/* Keeps [A-Za-z0-9_.:#+-], replaces anything else by '_': for names placed in gnuplot
 * scripts, data files and file names. */
void rundir_safe_name(const char *in, char *out, size_t len);

#endif
