// SPDX-License-Identifier: GPL-2.0-only
/* CSV files that `report` reads, whoever wrote them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "report/summary.h"
#include "rundir/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_table t;
	struct run_summary sum;
	struct trial_columns c;

	if (csv_parse((const char *)data, size, &t))
		return 0;
	if (summary_compute_run(&t, &sum) == 0)
		run_summary_free(&sum);
	trial_columns_find(&t, &c);
	for (size_t r = 0; r < t.n_rows && r < 8; r++) {
		struct cell_summary cs;

		trial_restart_s(&t, &c, r);
		trial_row_cell(&t, &c, r, &cs);
	}
	csv_table_free(&t);
	return 0;
}
