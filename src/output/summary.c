#include "output/summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int find_cell(struct cell_summary *cells, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(cells[i].cell, name) == 0)
			return (int)i;
	return -1;
}

int summary_compute(const struct csv_table *t, struct cell_summary **out, size_t *n_out)
{
	int c_cell = csv_col(t, "cell"), c_load = csv_col(t, "load");
	int c_str = csv_col(t, "stressors"), c_status = csv_col(t, "status");
	int c_restart = csv_col(t, "restart_ns");
	struct cell_summary *cells = calloc(t->n_rows + 1, sizeof(*cells));
	double *values = malloc((t->n_rows + 1) * sizeof(*values));
	size_t n = 0;
	double base = NAN;

	if (!cells || !values || c_cell < 0 || c_status < 0 || c_restart < 0) {
		free(cells);
		free(values);
		return -1;
	}
	for (size_t r = 0; r < t->n_rows; r++) {
		const char *name = csv_get(t, r, c_cell);
		int i = find_cell(cells, n, name);

		if (i < 0) {
			i = (int)n++;
			snprintf(cells[i].cell, sizeof(cells[i].cell), "%s", name);
			snprintf(cells[i].load, sizeof(cells[i].load), "%s", csv_get(t, r, c_load));
			cells[i].stressors = (int)csv_get_i64(t, r, c_str, 0);
		}
		cells[i].trials++;
		if (strcmp(csv_get(t, r, c_status), "ok") != 0)
			cells[i].failures++;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;

		for (size_t r = 0; r < t->n_rows; r++) {
			int64_t ns = csv_get_i64(t, r, c_restart, -1);

			if (strcmp(csv_get(t, r, c_cell), cells[i].cell) == 0 &&
			    strcmp(csv_get(t, r, c_status), "ok") == 0 && ns >= 0)
				values[k++] = (double)ns / 1e9;
		}
		stats_compute(values, k, &cells[i].restart_s);
		if (strcmp(cells[i].load, "none") == 0 && isnan(base) && k)
			base = cells[i].restart_s.median;
	}
	for (size_t i = 0; i < n; i++)
		cells[i].change_pct = isnan(base) || !cells[i].restart_s.n || base == 0
					      ? NAN
					      : (cells[i].restart_s.median / base - 1) * 100;
	free(values);
	*out = cells;
	*n_out = n;
	return 0;
}

void summary_print(FILE *f, const struct cell_summary *cells, size_t n)
{
	fprintf(f, "%-12s %6s %6s %10s %10s %10s %9s\n", "cell", "trials", "failed", "median s",
		"min s", "max s", "vs none");
	for (size_t i = 0; i < n; i++) {
		const struct cell_summary *c = &cells[i];

		fprintf(f, "%-12s %6d %6d", c->cell, c->trials, c->failures);
		if (c->restart_s.n)
			fprintf(f, " %10.3f %10.3f %10.3f", c->restart_s.median, c->restart_s.min,
				c->restart_s.max);
		else
			fprintf(f, " %10s %10s %10s", "-", "-", "-");
		if (isnan(c->change_pct))
			fprintf(f, " %9s\n", "-");
		else
			fprintf(f, " %+8.1f%%\n", c->change_pct);
	}
}
