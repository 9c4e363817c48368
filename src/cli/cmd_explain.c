#include <stdio.h>

#include "cli/cli.h"

int cmd_explain(int argc, char **argv)
{
	(void)argc, (void)argv;
	fprintf(stderr, "restartprof: explain needs kernel stacks, which this build does not record yet\n");
	return EXIT_FAILED;
}
