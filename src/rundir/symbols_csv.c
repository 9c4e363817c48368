// SPDX-License-Identifier: GPL-2.0-only
/* symbols.csv: for each binary the on-CPU samples ran in, which table named its frames. */
#include "rundir/symbols_csv.h"

#include "rundir/columns.h"
#include "rundir/csv.h"

int symbols_csv_write(int dirfd, const struct symbols_row *rows, size_t n)
{
	static const char *const cols[] = {
		COL_PATH,	    COL_METHOD,		  COL_GO_LAYOUT, COL_NAMED_FRAMES,
		COL_UNNAMED_FRAMES, COL_TABLE_PEAK_BYTES, COL_KEPT_BYTES};
	struct csv_writer w = {.fd = -1};
	int err = csv_create(&w, dirfd, SYMBOLS_CSV, cols, sizeof(cols) / sizeof(cols[0]));

	for (size_t i = 0; i < n && !err; i++) {
		csv_str(&w, rows[i].path);
		csv_str(&w, rows[i].method);
		csv_str(&w, rows[i].go_layout ? rows[i].go_layout : "");
		csv_i64(&w, (int64_t)rows[i].named);
		csv_i64(&w, (int64_t)rows[i].unnamed);
		csv_i64(&w, (int64_t)rows[i].table_peak);
		csv_i64(&w, (int64_t)rows[i].kept);
		err = csv_end_row(&w);
	}
	return csv_finish(&w, err);
}
