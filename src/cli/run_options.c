// SPDX-License-Identifier: GPL-2.0-only
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "engine/docker.h"
#include "engine/image.h"
#include "model/probe.h"
#include "trace/tracer.h"
#include "util/clock.h"

enum {
	OPT_GRACE = 1000,
	OPT_TIMEOUT,
	OPT_INTERVAL,
	OPT_SETTLE,
	OPT_NETWORK,
	OPT_PUBLISH,
	OPT_NO_PUBLISH,
	OPT_DOCKER_HOST,
	OPT_STRESS_NG,
	OPT_STRESS_ARGS,
	OPT_MAX_FAILURES,
	OPT_NO_TRACE,
	OPT_EVENTS,
	OPT_REMOVE_IMAGES,
	OPT_QUICK,
	OPT_MATRIX,
	OPT_ENGINE_TIMEOUT,
	OPT_BTF,
	OPT_NO_STACKS,
	OPT_ALTERNATE,
	OPT_PROG_STATS,
	OPT_SLEEP_STACKS,
	OPT_EXCLUSIVE,
	OPT_ONCPU_HZ,
};

/* run --help: everyday options first, in groups with headers; developer options last. */
static const struct argp_option options[] = {
	{NULL, 0, NULL, 0, "The run:", RUN_GROUP_RUN},
	{"output", 'o', "DIR", 0, "Write the CSVs and the report into DIR (default results/RUN_ID)",
	 RUN_GROUP_RUN},
	{"trials", 'n', "N", 0, "Trials per cell (default 100, as in the paper)", RUN_GROUP_RUN},
	{"quick", OPT_QUICK, NULL, 0,
	 "A short run: 10 trials per cell (5 with --matrix, up to 2 stressors), 2 s settle",
	 RUN_GROUP_RUN},
	{"matrix", OPT_MATRIX, NULL, 0,
	 "The paper's grid: a baseline, then every load with 1..N stressors, each load block "
	 "followed by another baseline",
	 RUN_GROUP_RUN},
	{NULL, 0, NULL, 0, "The load beside the target:", RUN_GROUP_LOAD},
	{"load", 'l', "TYPE", 0,
	 "none, cpu, mem, io (sync), hdd (file writes), or custom; with --matrix a list such as "
	 "cpu,hdd (default cpu,mem,io,hdd)",
	 RUN_GROUP_LOAD},
	{"stressors", 's', "N", 0,
	 "Stressor containers (default 1, at most 16); with --matrix the most, every count from 1 "
	 "(default 4, 2 with --quick)",
	 RUN_GROUP_LOAD},
	{"stress-args", OPT_STRESS_ARGS, "ARGS", 0,
	 "stress-ng arguments for --load custom, split on white space", RUN_GROUP_LOAD},
	{"stress-ng", OPT_STRESS_NG, "PATH", 0, "stress-ng to put in the stress image",
	 RUN_GROUP_LOAD},
	{"settle", OPT_SETTLE, "SECONDS", 0, "Wait after starting the load (default 5)",
	 RUN_GROUP_LOAD},
	{NULL, 0, NULL, 0, "The target and its restarts:", RUN_GROUP_TARGET},
	{"image", 'i', "NAME", 0,
	 "Target image (default: the service shipped inside restartprof); its command may follow "
	 "after --",
	 RUN_GROUP_TARGET},
	{"ready", 'r', "SPEC", 0, "stdout (default), tcp:PORT or log:REGEX", RUN_GROUP_TARGET},
	{"grace", OPT_GRACE, "SECONDS", 0, "Grace period of the stop (default 10)",
	 RUN_GROUP_TARGET},
	{"timeout", OPT_TIMEOUT, "SECONDS", 0, "Per-trial readiness timeout (default 30)",
	 RUN_GROUP_TARGET},
	{"interval", OPT_INTERVAL, "SECONDS", 0, "Pause between trials (default 1)",
	 RUN_GROUP_TARGET},
	{"network", OPT_NETWORK, "NAME", 0, "Network of the target (default bridge)",
	 RUN_GROUP_TARGET},
	{"publish", OPT_PUBLISH, "PORT", 0,
	 "Publish this container port on 127.0.0.1 (default: the service's port)",
	 RUN_GROUP_TARGET},
	{"no-publish", OPT_NO_PUBLISH, NULL, 0, "Publish no port", RUN_GROUP_TARGET},
	{NULL, 0, NULL, 0, "The engine, limits and tracing:", RUN_GROUP_ENGINE},
	{"docker-host", OPT_DOCKER_HOST, "unix://PATH", 0, CLI_DOCKER_HOST_HELP, RUN_GROUP_ENGINE},
	{"engine-timeout", OPT_ENGINE_TIMEOUT, "SECONDS", 0,
	 "Bound of every engine call (a stop: the grace period plus this); give up when the "
	 "engine stops answering for this long (default 60)",
	 RUN_GROUP_ENGINE},
	{"max-failures", OPT_MAX_FAILURES, "N", 0,
	 "Stop after N failed trials in a row (default 5)", RUN_GROUP_ENGINE},
	{"exclusive", OPT_EXCLUSIVE, NULL, 0,
	 "Refuse to start while another restartprof run is active on this machine",
	 RUN_GROUP_ENGINE},
	{"remove-images", OPT_REMOVE_IMAGES, NULL, 0,
	 "Remove the images restartprof built when the run ends (default: keep them as a cache)",
	 RUN_GROUP_ENGINE},
	{"no-trace", OPT_NO_TRACE, NULL, 0,
	 "Do not load BPF programs (no kernel attribution, no explain)", RUN_GROUP_ENGINE},
	{"oncpu-hz", OPT_ONCPU_HZ, "N", 0, CLI_ONCPU_HZ_HELP, RUN_GROUP_ENGINE},
	{NULL, 0, NULL, 0,
	 "Developer options (measuring restartprof itself, kernels without BTF, complete "
	 "traces):",
	 RUN_GROUP_DEVELOPER},
	{"alternate", OPT_ALTERNATE, "WHAT", 0,
	 "trace (kernel probes attached), stacks (kernel stacks captured) or oncpu (on-CPU "
	 "samples taken) on odd trials only, off on even ones; trials.csv says which (variant)",
	 RUN_GROUP_DEVELOPER},
	{"prog-stats", OPT_PROG_STATS, NULL, 0,
	 "Write progstats.csv: run count and run time of every BPF program on the machine in each "
	 "trial (BPF statistics are kept on for the run)",
	 RUN_GROUP_DEVELOPER},
	{"events", OPT_EVENTS, NULL, 0, "Also write every kernel event to events.csv",
	 RUN_GROUP_DEVELOPER},
	{"sleep-stacks", OPT_SLEEP_STACKS, NULL, 0,
	 "Also record the kernel stacks of the engine's interruptible sleeps (idle threads: "
	 "costly, for complete off-CPU flame graphs)",
	 RUN_GROUP_DEVELOPER},
	{"no-stacks", OPT_NO_STACKS, NULL, 0, "Do not record kernel stacks of sleeping tasks",
	 RUN_GROUP_DEVELOPER},
	{"btf", OPT_BTF, "PATH", 0, CLI_BTF_HELP, RUN_GROUP_DEVELOPER},
	{0},
};

static const char run_doc[] =
	"Drive restart trials of a target container and measure them: each trial stops, removes, "
	"creates and starts the target and waits until it is ready, with the kernel traced. The "
	"CSVs, run.json and report.html go into the output directory."
	"\v"
	"EXAMPLES:\n"
	"  restartprof run --quick                      10 trials, no load\n"
	"  restartprof run --quick --load hdd --stressors 2\n"
	"  restartprof run --matrix --quick --load hdd  baseline, hdd x1, x2, baseline\n"
	"  restartprof run -n 20 -i nginx:stable --ready tcp:80 -o results/nginx\n"
	"  restartprof run --no-trace -n 5              without BPF (no explain)\n"
	"\n"
	"EXIT CODES:\n"
	"  0      every cell done\n"
	"  1      the run could not be done: engine, images, output\n"
	"  2      bad command line, missing privilege or kernel feature\n"
	"  3      stopped after --max-failures failed trials in a row\n"
	"  128+N  stopped by signal N (130: Ctrl-C); what was measured is reported\n";

struct parse_state {
	struct run_config *cfg;
	char *err;
	size_t errlen;
	struct cell_options cells;
	int trials_set;
	int publish_set;
	const char *ready_arg;
	const char *docker_host;
	int settle_set;
	struct probe_path_input probe_input;
	const struct run_options_extra *x; /* another command's additions, NULL for run */
};

int cli_parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_oncpu_hz(const char *s, unsigned *hz)
{
	long v;

	if (cli_parse_long(s, 0, 10000, &v))
		return -1;
	*hz = (unsigned)v;
	return 0;
}

int cli_parse_seconds(const char *s, double lo, double hi, int64_t *out_ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (!*s || *end || errno || !(v >= lo && v <= hi))
		return -1;
	*out_ns = (int64_t)(v * NSEC_PER_SEC);
	return 0;
}

static error_t reject(struct parse_state *ps, const char *fmt, const char *arg)
{
	snprintf(ps->err, ps->errlen, fmt, arg);
	return EINVAL;
}

static error_t parse_run_option(int key, char *arg, struct argp_state *state)
{
	struct parse_state *ps = state->input;
	struct run_config *cfg = ps->cfg;
	long v;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &ps->probe_input;
		if (ps->x && ps->x->child)
			state->child_inputs[1] = ps->x->input;
		break;
	case 'o':
		if (strlen(arg) >= sizeof(cfg->out_dir) || !*arg)
			return reject(ps, "output directory '%.200s' is too long or empty", arg);
		snprintf(cfg->out_dir, sizeof(cfg->out_dir), "%s", arg);
		break;
	case 'n':
		if (cli_parse_long(arg, 1, 100000, &v))
			return reject(ps, "--trials '%.50s': give a count from 1 to 100000", arg);
		cfg->trials = (int)v;
		ps->trials_set = 1;
		break;
	case 'l':
		ps->cells.load = arg;
		break;
	case 's':
		if (cli_parse_long(arg, 1, 16, &v))
			return reject(ps, "--stressors '%.50s': give a count from 1 to 16", arg);
		ps->cells.stressors = (int)v;
		break;
	case OPT_STRESS_ARGS:
		ps->cells.stress_args = arg;
		break;
	case OPT_STRESS_NG:
		snprintf(cfg->stress_ng, sizeof(cfg->stress_ng), "%s", arg);
		break;
	case OPT_SETTLE:
		if (cli_parse_seconds(arg, 0, 3600, &cfg->load_settle_ns))
			return reject(ps, "--settle '%.50s': give seconds from 0 to 3600", arg);
		ps->settle_set = 1;
		break;
	case 'i':
		if (strlen(arg) >= sizeof(cfg->image) || !*arg)
			return reject(ps, "--image '%.100s' is not an image name", arg);
		snprintf(cfg->image, sizeof(cfg->image), "%s", arg);
		break;
	case 'r':
		ps->ready_arg = arg;
		break;
	case OPT_GRACE:
		if (cli_parse_long(arg, 0, 3600, &v))
			return reject(ps, "--grace '%.50s': give seconds from 0 to 3600", arg);
		cfg->grace_s = (int)v;
		break;
	case OPT_TIMEOUT:
		if (cli_parse_seconds(arg, 0.1, 3600, &cfg->ready_timeout_ns))
			return reject(ps, "--timeout '%.50s': give seconds from 0.1 to 3600", arg);
		break;
	case OPT_INTERVAL:
		if (cli_parse_seconds(arg, 0, 3600, &cfg->interval_ns))
			return reject(ps, "--interval '%.50s': give seconds from 0 to 3600", arg);
		break;
	case OPT_NETWORK:
		if (!docker_name_valid(arg) || strlen(arg) >= sizeof(cfg->network))
			return reject(ps, "--network '%.100s' is not a network name", arg);
		snprintf(cfg->network, sizeof(cfg->network), "%s", arg);
		break;
	case OPT_PUBLISH:
		if (cli_parse_long(arg, 1, 65535, &v))
			return reject(ps, "--publish '%.50s': give a port from 1 to 65535", arg);
		cfg->publish_port = (int)v;
		ps->publish_set = 1;
		break;
	case OPT_NO_PUBLISH:
		cfg->publish_port = 0;
		ps->publish_set = 1;
		break;
	case OPT_MAX_FAILURES:
		if (cli_parse_long(arg, 1, 100000, &v))
			return reject(ps, "--max-failures '%.50s': give a count from 1 to 100000",
				      arg);
		cfg->max_failures = (int)v;
		break;
	case OPT_DOCKER_HOST:
		ps->docker_host = arg;
		break;
	case OPT_ENGINE_TIMEOUT:
		if (cli_parse_seconds(arg, 1, 86400, &cfg->engine_timeout_ns))
			return reject(ps, "--engine-timeout '%.50s': give seconds from 1 to 86400",
				      arg);
		break;
	case OPT_NO_TRACE:
		cfg->trace = false;
		break;
	case OPT_BTF:
		if (strlen(arg) >= sizeof(cfg->btf_path) || !*arg)
			return reject(ps, "--btf '%.100s' is not a usable path", arg);
		snprintf(cfg->btf_path, sizeof(cfg->btf_path), "%s", arg);
		break;
	case OPT_EVENTS:
		cfg->events_csv = true;
		break;
	case OPT_SLEEP_STACKS:
		cfg->sleep_stacks = true;
		break;
	case OPT_NO_STACKS:
		cfg->no_stacks = true;
		break;
	case OPT_ONCPU_HZ:
		if (cli_parse_oncpu_hz(arg, &cfg->oncpu_hz))
			return reject(ps, CLI_ONCPU_HZ_BAD, arg);
		break;
	case OPT_ALTERNATE: {
		int a = alternate_from_name(arg);

		if (a != ALT_TRACE && a != ALT_STACKS && a != ALT_ONCPU)
			return reject(ps, "--alternate '%.50s': give trace, stacks or oncpu", arg);
		cfg->alternate = (enum alternate)a;
		break;
	}
	case OPT_PROG_STATS:
		cfg->prog_stats = true;
		break;
	case OPT_REMOVE_IMAGES:
		cfg->keep_images = false;
		break;
	case OPT_EXCLUSIVE:
		cfg->exclusive = true;
		break;
	case OPT_QUICK:
		ps->cells.quick = true;
		break;
	case OPT_MATRIX:
		ps->cells.matrix = true;
		break;
	case ARGP_KEY_ARG:
		/* The first word before "--" is the other command's (try: the remedies). */
		if (ps->x && ps->x->first_word && !*ps->x->first_word &&
		    (!state->quoted || state->next - 1 < state->quoted)) {
			*ps->x->first_word = arg;
			break;
		}
		if (cfg->n_cmd >= CONFIG_MAX_ARGS)
			return reject(ps, "the target command has more than %s words", "32");
		cfg->cmd[cfg->n_cmd++] = strdup(arg);
		break;
	case ARGP_KEY_ERROR:
		cli_unknown_option(state, ps->x ? ps->x->cmd : "run", ps->err, ps->errlen);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void set_defaults(struct run_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->trials = 100;
	cfg->grace_s = 10;
	cfg->ready_timeout_ns = 30 * NSEC_PER_SEC;
	cfg->interval_ns = 1 * NSEC_PER_SEC;
	cfg->load_settle_ns = 5 * NSEC_PER_SEC;
	cfg->max_failures = 5;
	cfg->engine_timeout_ns = 60 * NSEC_PER_SEC;
	cfg->trace = true;
	cfg->oncpu_hz = ONCPU_HZ_DEFAULT;
	cfg->keep_images = true;
	snprintf(cfg->network, sizeof(cfg->network), "bridge");
	snprintf(cfg->stress_ng, sizeof(cfg->stress_ng), "/usr/bin/stress-ng");
	snprintf(cfg->btf_path, sizeof(cfg->btf_path), "/sys/kernel/btf/vmlinux");
}

static int complete_config(struct parse_state *ps)
{
	struct run_config *cfg = ps->cfg;

	if (ps->cells.quick) {
		if (!ps->trials_set)
			cfg->trials = ps->cells.matrix ? 5 : 10;
		if (!ps->settle_set)
			cfg->load_settle_ns = 2 * NSEC_PER_SEC;
	}
	if (run_cells_from_options(&ps->cells, cfg, ps->err, ps->errlen))
		return -1;
	if (cfg->alternate != ALT_NONE && !cfg->trace) {
		snprintf(ps->err, ps->errlen,
			 "--alternate %s needs kernel tracing (not --no-trace)",
			 alternate_name(cfg->alternate));
		return -1;
	}
	if (cfg->alternate == ALT_ONCPU && cfg->oncpu_hz == 0) {
		snprintf(ps->err, ps->errlen,
			 "--alternate oncpu and --oncpu-hz 0 contradict each other");
		return -1;
	}
	if (cfg->alternate == ALT_STACKS && cfg->no_stacks) {
		snprintf(ps->err, ps->errlen,
			 "--alternate stacks and --no-stacks contradict each other");
		return -1;
	}
	if (cfg->prog_stats && !cfg->trace) {
		snprintf(ps->err, ps->errlen, "--prog-stats needs kernel tracing (not --no-trace)");
		return -1;
	}
	if (ready_spec_parse(ps->ready_arg ? ps->ready_arg : "stdout", &cfg->ready, ps->err,
			     ps->errlen))
		return -1;
	cfg->method = cfg->ready.kind == READY_TCP   ? RM_TCP
		      : cfg->ready.kind == READY_LOG ? RM_LOG
						     : RM_STDOUT;
	if (!ps->publish_set)
		cfg->publish_port = cfg->ready.kind == READY_TCP ? cfg->ready.port
				    : cfg->image[0]		 ? 0
								 : SERVICE_PORT;
	return docker_resolve_socket(ps->docker_host, cfg->socket_path, sizeof(cfg->socket_path),
				     ps->err, ps->errlen)
		       ? -1
		       : 0;
}

bool cli_help_asked(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-?") == 0 ||
		    strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--usage") == 0)
			return true;
	return false;
}

void cli_unknown_option(const struct argp_state *state, const char *cmd, char *err, size_t errlen)
{
	if (!err[0] && state->next > 0 && state->next <= state->argc)
		snprintf(err, errlen,
			 "unknown option or missing value at '%.100s' (see restartprof %s --help)",
			 state->argv[state->next - 1], cmd);
}

int run_options_parse(int argc, char **argv, struct run_config *cfg, char *err, size_t errlen)
{
	return run_options_parse_extra(argc, argv, cfg, NULL, err, errlen);
}

int run_options_parse_extra(int argc, char **argv, struct run_config *cfg,
			    const struct run_options_extra *x, char *err, size_t errlen)
{
	struct parse_state ps = {
		.cfg = cfg,
		.err = err,
		.errlen = errlen,
		.probe_input = {&cfg->probe_paths, err, errlen},
		.x = x,
	};
	/* No cluster of its own: its options sort among the developer options. */
	struct argp_child children[] = {{&probe_path_argp, 0, NULL, 0},
					{x ? x->child : NULL, 0, NULL, x ? x->group : 0},
					{0}};
	struct argp_option shown[sizeof(options) / sizeof(options[0])];
	struct argp argp = {shown,
			    parse_run_option,
			    x ? x->args_doc : "[-- COMMAND...]",
			    x ? x->doc : run_doc,
			    children,
			    NULL,
			    NULL};
	char prog[32];
	int rc;

	memcpy(shown, options, sizeof(options));
	for (size_t i = 0; x && x->one_cell && i < sizeof(options) / sizeof(options[0]); i++)
		if (shown[i].key == OPT_MATRIX || shown[i].key == OPT_ALTERNATE)
			shown[i].flags |= OPTION_HIDDEN;
	set_defaults(cfg);
	err[0] = '\0';
	cfg->argc = argc;
	cfg->argv = argv;
	snprintf(prog, sizeof(prog), "restartprof %s", x ? x->cmd : "run");
	if (cli_help_asked(argc, argv)) {
		argp_help(&argp, stdout, ARGP_HELP_STD_HELP, prog);
		return 1;
	}
	/* argp stays silent on errors so that one line, ours, says what is wrong. */
	rc = argp_parse(&argp, argc, argv, ARGP_NO_ERRS, NULL, &ps);
	if (rc) {
		if (!err[0])
			snprintf(err, errlen, "bad command line (see %s --help)", prog);
		return -1;
	}
	return complete_config(&ps);
}

void run_config_free(struct run_config *cfg)
{
	for (int i = 0; i < cfg->n_cmd; i++)
		free(cfg->cmd[i]);
	for (int i = 0; i < cfg->n_stress_args; i++)
		free(cfg->stress_args[i]);
	ready_spec_free(&cfg->ready);
	cfg->n_cmd = cfg->n_stress_args = 0;
}
