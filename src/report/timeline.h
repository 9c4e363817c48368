// SPDX-License-Identifier: GPL-2.0-only
/*
 * timeline.json in the Chrome trace-event format (Perfetto, chrome://tracing): the median trial
 * of each cell as one process, its lifecycle phases as complete ('X') slices on one track, the
 * Engine API calls on another, and, when the kernel attribution recorded them, per-actor tracks
 * (events.csv) and per-phase counters (phases.csv columns such as engine_iowait_ns). Time 0 of
 * each cell is the start of its trial (the stop request, or the window's begin if earlier);
 * timestamps are microseconds, events sorted by time.
 */
#ifndef RP_REPORT_TIMELINE_H
#define RP_REPORT_TIMELINE_H

#include <json-c/json.h>

#include "report/report_data.h"
#include "rundir/columns.h"

/* The document's text (malloc'd), or NULL when out of memory. */
char *timeline_text(const struct report_run *r);
/* Atomically replaces dirfd/timeline.json. 0 or -errno. */
int timeline_write(const struct report_run *r, int dirfd);

#endif
