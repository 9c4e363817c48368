/* CSV files that `report` reads, whoever wrote them. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "output/csv.h"
#include "output/summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_table t;
	struct cell_summary *cells;
	size_t n;

	if (csv_parse((const char *)data, size, &t))
		return 0;
	if (summary_compute(&t, &cells, &n) == 0)
		free(cells);
	for (size_t r = 0; r < t.n_rows && r < 8; r++)
		csv_get_f64(&t, r, (int)(r % (t.n_cols + 1)), 0);
	csv_table_free(&t);
	return 0;
}
