// SPDX-License-Identifier: GPL-2.0-only
/* The metrics as DIR/restartprof.prom, for node_exporter's textfile collector. */
#ifndef RP_METRICS_TEXTFILE_H
#define RP_METRICS_TEXTFILE_H

#include <stddef.h>

struct metrics;
struct metrics_textfile;

#define METRICS_TEXTFILE_NAME "restartprof.prom"

/*
 * Opens dir, which must exist, be a directory reached through no symlink, and be writable.
 * 0, or -errno with one line in err ("--textfile DIR: not a directory").
 */
int metrics_textfile_open(const char *dir, struct metrics_textfile **out, char *err, size_t errlen);
/*
 * Replaces DIR/restartprof.prom with the registry's text at once: written to a hidden
 * temporary in DIR (a name the collector ignores), fsync'd, renamed over the file. 0, or
 * -errno with one line in err.
 */
int metrics_textfile_write(struct metrics_textfile *t, struct metrics *m, char *err, size_t errlen);
/* Closes the directory; the file stays. NULL is fine. */
void metrics_textfile_close(struct metrics_textfile *t);

#endif
