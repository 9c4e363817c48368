// SPDX-License-Identifier: GPL-2.0-only
/* restartprof: how long a container restart takes, and why, from the engine and the kernel. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} commands[] = {
	{"run", cmd_run, "drive restart trials and measure them"},
	{"try", cmd_try, "measure a remedy: trials with it off and on, interleaved ABBA"},
	{"watch", cmd_watch, "record the restarts that happen, with their causes and metrics"},
	{"check", cmd_check, "what this kernel and engine allow, and whether a run can start"},
	{"report", cmd_report, "statistics, figures and report.html from run directories"},
	{"explain", cmd_explain, "the causes behind slow phases, and their remedies"},
	{"clean", cmd_clean, "remove containers (and with --images, images) runs left behind"},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void print_commands(FILE *f)
{
	fprintf(f, "usage: restartprof COMMAND [OPTIONS]\n\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "  %-8s %s\n", "help", "this list, or help COMMAND: that command's --help");
	fprintf(f, "  %-8s %s\n", "version",
		"version, git hash, architecture, static or dynamic, libbpf (also -V)");
	fprintf(f, "\nRun 'restartprof COMMAND --help' for more information on a command.\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	fprintf(stderr, "restartprof: unknown command '%.64s' (", name);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(stderr, "%s, ", commands[i].name);
	fprintf(stderr, "help, version)\n");
	return EXIT_USAGE;
}

/* restartprof help [COMMAND]: the list, or COMMAND --help. */
static int help(int argc, char **argv)
{
	const struct command *c;
	char arg_help[] = "--help";
	char *sub_argv[] = {argv[1], arg_help, NULL};

	if (argc < 2 || strcmp(argv[1], "help") == 0) {
		print_commands(stdout);
		return EXIT_OK;
	}
	c = find_command(argv[1]);
	if (!c)
		return unknown_command(argv[1]);
	return c->fn(2, sub_argv);
}

int main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		print_commands(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "-V") == 0) {
		print_version(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0)
		return help(argc - 1, argv + 1);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_commands(stdout);
		return EXIT_OK;
	}
	c = find_command(argv[1]);
	return c ? c->fn(argc - 1, argv + 1) : unknown_command(argv[1]);
}
