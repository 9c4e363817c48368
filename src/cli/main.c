// SPDX-License-Identifier: GPL-2.0-only
/* restartprof: how long a container restart takes, and why, from the engine and the kernel. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static void print_commands(FILE *f)
{
	fprintf(f, "usage: restartprof COMMAND [OPTIONS]\n"
		   "\n"
		   "  run      drive restart trials and measure them (restartprof run --help)\n"
		   "  check    what this kernel and engine allow\n"
		   "  report   statistics, figures and a report from run directories\n"
		   "  explain  the causes behind slow phases\n"
		   "  clean    remove what earlier runs left behind\n"
		   "  version  print the version\n"
		   "\n"
		   "Run 'restartprof COMMAND --help' for more information on a command.\n");
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} commands[] = {
		{"run", cmd_run},	  {"check", cmd_check}, {"report", cmd_report},
		{"explain", cmd_explain}, {"clean", cmd_clean},
	};

	if (argc < 2) {
		print_commands(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("restartprof %s\n", restartprof_version);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		print_commands(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr,
		"restartprof: unknown command '%.64s' (run, check, report, explain, clean)\n",
		argv[1]);
	return EXIT_USAGE;
}
