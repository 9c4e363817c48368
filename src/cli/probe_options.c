// SPDX-License-Identifier: GPL-2.0-only
/* --probe-paths, --no-fentry, --no-kprobe: one argp child parser for run and check. */
#include <argp.h>
#include <errno.h>

#include "cli/cli.h"
#include "model/probe.h"

enum {
	OPT_PROBE_PATHS = 1500,
	OPT_NO_FENTRY,
	OPT_NO_KPROBE,
};

/* Among run's developer options in its --help. */
static const struct argp_option probe_option_list[] = {
	{"probe-paths", OPT_PROBE_PATHS, "LIST", 0,
	 "Attach paths the probes may use: fentry,kprobe,tp_btf,raw_tp,tracepoint,perf_event "
	 "(default "
	 "all; "
	 "see restartprof check)",
	 RUN_GROUP_DEVELOPER},
	{"no-fentry", OPT_NO_FENTRY, NULL, 0, "Never attach with fentry/fexit",
	 RUN_GROUP_DEVELOPER},
	{"no-kprobe", OPT_NO_KPROBE, NULL, 0, "Never attach with kprobes", RUN_GROUP_DEVELOPER},
	{0},
};

/* Each option narrows what the ones before it allowed (0 stands for all paths). */
static void allow_only(struct probe_path_input *in, unsigned paths)
{
	*in->paths = (*in->paths ? *in->paths : PROBE_PATHS_ALL) & paths;
}

static error_t parse_probe_option(int key, char *arg, struct argp_state *state)
{
	struct probe_path_input *in = state->input;
	unsigned paths;

	switch (key) {
	case OPT_PROBE_PATHS:
		if (probe_paths_parse(arg, &paths, in->err, in->errlen))
			return EINVAL;
		allow_only(in, paths);
		break;
	case OPT_NO_FENTRY:
		allow_only(in, ~(1u << PROBE_FENTRY));
		break;
	case OPT_NO_KPROBE:
		allow_only(in, ~(1u << PROBE_KPROBE));
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp probe_path_argp = {
	probe_option_list, parse_probe_option, NULL, NULL, NULL, NULL, NULL};
