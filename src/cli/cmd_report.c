#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "output/csv.h"
#include "output/run_csv.h"
#include "output/summary.h"

int cmd_report(int argc, char **argv)
{
	char path[PATH_MAX];
	struct csv_table t;
	struct cell_summary *cells;
	size_t n;
	int rc;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "restartprof: usage: restartprof report DIR\n");
		return EXIT_USAGE;
	}
	snprintf(path, sizeof(path), "%s/%s", argv[1], TRIALS_CSV);
	rc = csv_read_file(path, &t);
	if (rc) {
		fprintf(stderr, "restartprof: cannot read %s\n", path);
		return EXIT_USAGE;
	}
	if (summary_compute(&t, &cells, &n)) {
		fprintf(stderr, "restartprof: %s lacks the columns of a trials file\n", path);
		csv_table_free(&t);
		return EXIT_USAGE;
	}
	summary_print(stdout, cells, n);
	free(cells);
	csv_table_free(&t);
	return EXIT_OK;
}
