// SPDX-License-Identifier: GPL-2.0-only
#include "rundir/waits_rows.h"

#include "model/phase.h"
#include "rundir/columns.h"

void waits_row_cols_find(const struct csv_table *t, struct waits_row_cols *c)
{
	*c = (struct waits_row_cols){
		csv_col(t, COL_CELL),	   csv_col(t, COL_TRIAL),  csv_col(t, COL_PHASE),
		csv_col(t, COL_ACTOR),	   csv_col(t, COL_COMM),   csv_col(t, COL_STATE),
		csv_col(t, COL_STACK),	   csv_col(t, COL_CALL),   csv_col(t, COL_FILE),
		csv_col(t, COL_DELETED),   csv_col(t, COL_WAKER),  csv_col(t, COL_COUNT),
		csv_col(t, COL_OFFCPU_NS), csv_col(t, COL_WALL_NS)};
}

static int64_t wait_i64(const struct csv_stream *s, int col, int64_t def)
{
	return csv_field_i64(csv_stream_get(s, col), def);
}

void waits_row_read(const struct csv_stream *s, const struct waits_row_cols *c,
		    struct diagnosis_wait *w)
{
	*w = (struct diagnosis_wait){
		.phase = phase_from_name(csv_stream_get(s, c->phase)),
		.actor = csv_stream_get(s, c->actor),
		.comm = csv_stream_get(s, c->comm),
		.state = csv_stream_get(s, c->state),
		.call = csv_stream_get(s, c->call),
		.file = csv_stream_get(s, c->file),
		.waker = csv_stream_get(s, c->waker),
		.deleted = wait_i64(s, c->del, 0) != 0,
		.count = wait_i64(s, c->count, 0),
		.offcpu_ns = wait_i64(s, c->off, 0),
		.wall_ns = wait_i64(s, c->wall, 0),
	};
}
