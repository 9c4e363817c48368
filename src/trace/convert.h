// SPDX-License-Identifier: GPL-2.0-only
/*
 * Raw BPF records (include/restartprof/kevents.h) into model events (model/kernel.h), with
 * BPF's monotonic times moved to the wall clock by adding `offset` (wall - mono).
 */
#ifndef RP_TRACE_CONVERT_H
#define RP_TRACE_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include "model/kernel.h"
#include "restartprof/kevents.h"

void convert_who(const struct rp_who *w, struct kev_task *t);
/* 0, or -1 when the record is too short or of no known type. */
int convert_record(const void *data, size_t size, int64_t offset, struct kevent *out);
/* An aggregate entry; slot_ns as configured in the programs. 0, or -1 for an unknown kind. */
int convert_agg(const struct rp_agg_key *k, const struct rp_agg_val *v, uint64_t slot_ns,
		int64_t offset, struct kagg *out);

#endif
