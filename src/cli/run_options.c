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
};

static const struct argp_option options[] = {
	{"output", 'o', "DIR", 0, "Write the CSVs into DIR (default results/RUN_ID)", 0},
	{"trials", 'n', "N", 0, "Trials per cell (default 100, as in the paper)", 0},
	{"load", 'l', "TYPE", 0,
	 "none, cpu, mem, io (sync), hdd (file writes), or custom; with --matrix a list such as "
	 "cpu,hdd (default cpu,mem,io,hdd)",
	 1},
	{"stressors", 's', "N", 0,
	 "Stressor containers (default 1, at most 16); with --matrix the most, every count from 1 "
	 "(default 4, 2 with --quick)",
	 1},
	{"matrix", OPT_MATRIX, NULL, 0,
	 "The paper's grid: a baseline, then every load with 1..N stressors, each load block "
	 "followed by another baseline",
	 1},
	{"stress-args", OPT_STRESS_ARGS, "ARGS", 0,
	 "stress-ng arguments for --load custom, split on white space", 1},
	{"stress-ng", OPT_STRESS_NG, "PATH", 0, "stress-ng to put in the stress image", 1},
	{"settle", OPT_SETTLE, "SECONDS", 0, "Wait after starting the load (default 5)", 1},
	{"image", 'i', "NAME", 0,
	 "Target image (default: the service shipped inside restartprof); its command may follow "
	 "after --",
	 2},
	{"ready", 'r', "SPEC", 0, "stdout (default), tcp:PORT or log:REGEX", 2},
	{"grace", OPT_GRACE, "SECONDS", 0, "Grace period of the stop (default 10)", 2},
	{"timeout", OPT_TIMEOUT, "SECONDS", 0, "Per-trial readiness timeout (default 30)", 2},
	{"interval", OPT_INTERVAL, "SECONDS", 0, "Pause between trials (default 1)", 2},
	{"network", OPT_NETWORK, "NAME", 0, "Network of the target (default bridge)", 2},
	{"publish", OPT_PUBLISH, "PORT", 0,
	 "Publish this container port on 127.0.0.1 (default: the service's port)", 2},
	{"no-publish", OPT_NO_PUBLISH, NULL, 0, "Publish no port", 2},
	{"max-failures", OPT_MAX_FAILURES, "N", 0,
	 "Stop after N failed trials in a row (default 5)", 3},
	{"engine-timeout", OPT_ENGINE_TIMEOUT, "SECONDS", 0,
	 "Give up when the engine stops answering for this long (default 60)", 3},
	{"docker-host", OPT_DOCKER_HOST, "unix://PATH", 0,
	 "Engine socket (default $DOCKER_HOST, else /var/run/docker.sock)", 3},
	{"exclusive", OPT_EXCLUSIVE, NULL, 0,
	 "Refuse to start while another restartprof run is active on this machine", 3},
	{"no-trace", OPT_NO_TRACE, NULL, 0, "Do not load BPF programs", 3},
	{"btf", OPT_BTF, "PATH", 0,
	 "BTF of the running kernel, when it is not at /sys/kernel/btf/vmlinux", 3},
	{"events", OPT_EVENTS, NULL, 0, "Also write every kernel event to events.csv", 3},
	{"no-stacks", OPT_NO_STACKS, NULL, 0, "Do not record kernel stacks of sleeping tasks", 3},
	{"alternate", OPT_ALTERNATE, "WHAT", 0,
	 "For measuring restartprof itself: trace (kernel probes attached) or stacks (kernel "
	 "stacks "
	 "captured) on odd trials only, off on even ones; trials.csv says which (variant)",
	 3},
	{"prog-stats", OPT_PROG_STATS, NULL, 0,
	 "Write progstats.csv: run count and run time of every BPF program on the machine in each "
	 "trial (BPF statistics are kept on for the run)",
	 3},
	{"sleep-stacks", OPT_SLEEP_STACKS, NULL, 0,
	 "Also record the kernel stacks of the engine's interruptible sleeps (idle threads: "
	 "costly, for complete off-CPU flame graphs)",
	 3},
	{"remove-images", OPT_REMOVE_IMAGES, NULL, 0,
	 "Remove the images restartprof built when the run ends (default: keep them as a cache)",
	 3},
	{"quick", OPT_QUICK, NULL, 0,
	 "A short run: 10 trials per cell (5 with --matrix, up to 2 stressors), 2 s settle", 3},
	{0},
};

struct parse_state {
	struct run_config *cfg;
	char *err;
	size_t errlen;
	const char *load_arg;
	int stressors;
	int trials_set;
	int publish_set;
	const char *ready_arg;
	const char *stress_args;
	const char *docker_host;
	int quick;
	int matrix;
	int settle_set;
	struct probe_path_input probe_input;
};

static int parse_long(const char *s, long lo, long hi, long *out)
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

static int parse_seconds(const char *s, double lo, double hi, int64_t *out_ns)
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

static int split_words(const char *text, char **argv, int max)
{
	int n = 0;
	const char *p = text;

	while (*p) {
		p += strspn(p, " \t");
		if (!*p)
			break;
		size_t len = strcspn(p, " \t");

		if (n == max)
			return -1;
		argv[n++] = strndup(p, len);
		p += len;
	}
	return n;
}

static error_t parse_run_option(int key, char *arg, struct argp_state *state)
{
	struct parse_state *ps = state->input;
	struct run_config *cfg = ps->cfg;
	long v;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &ps->probe_input;
		break;
	case 'o':
		if (strlen(arg) >= sizeof(cfg->out_dir) || !*arg)
			return reject(ps, "output directory '%.200s' is too long or empty", arg);
		snprintf(cfg->out_dir, sizeof(cfg->out_dir), "%s", arg);
		break;
	case 'n':
		if (parse_long(arg, 1, 100000, &v))
			return reject(ps, "--trials '%.50s': give a count from 1 to 100000", arg);
		cfg->trials = (int)v;
		ps->trials_set = 1;
		break;
	case 'l':
		ps->load_arg = arg;
		break;
	case 's':
		if (parse_long(arg, 1, 16, &v))
			return reject(ps, "--stressors '%.50s': give a count from 1 to 16", arg);
		ps->stressors = (int)v;
		break;
	case OPT_STRESS_ARGS:
		ps->stress_args = arg;
		break;
	case OPT_STRESS_NG:
		snprintf(cfg->stress_ng, sizeof(cfg->stress_ng), "%s", arg);
		break;
	case OPT_SETTLE:
		if (parse_seconds(arg, 0, 3600, &cfg->load_settle_ns))
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
		if (parse_long(arg, 0, 3600, &v))
			return reject(ps, "--grace '%.50s': give seconds from 0 to 3600", arg);
		cfg->grace_s = (int)v;
		break;
	case OPT_TIMEOUT:
		if (parse_seconds(arg, 0.1, 3600, &cfg->ready_timeout_ns))
			return reject(ps, "--timeout '%.50s': give seconds from 0.1 to 3600", arg);
		break;
	case OPT_INTERVAL:
		if (parse_seconds(arg, 0, 3600, &cfg->interval_ns))
			return reject(ps, "--interval '%.50s': give seconds from 0 to 3600", arg);
		break;
	case OPT_NETWORK:
		if (!docker_name_valid(arg) || strlen(arg) >= sizeof(cfg->network))
			return reject(ps, "--network '%.100s' is not a network name", arg);
		snprintf(cfg->network, sizeof(cfg->network), "%s", arg);
		break;
	case OPT_PUBLISH:
		if (parse_long(arg, 1, 65535, &v))
			return reject(ps, "--publish '%.50s': give a port from 1 to 65535", arg);
		cfg->publish_port = (int)v;
		ps->publish_set = 1;
		break;
	case OPT_NO_PUBLISH:
		cfg->publish_port = 0;
		ps->publish_set = 1;
		break;
	case OPT_MAX_FAILURES:
		if (parse_long(arg, 1, 100000, &v))
			return reject(ps, "--max-failures '%.50s': give a count from 1 to 100000",
				      arg);
		cfg->max_failures = (int)v;
		break;
	case OPT_DOCKER_HOST:
		ps->docker_host = arg;
		break;
	case OPT_ENGINE_TIMEOUT:
		if (parse_seconds(arg, 1, 86400, &cfg->engine_timeout_ns))
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
	case OPT_ALTERNATE: {
		int a = alternate_from_name(arg);

		if (a != ALT_TRACE && a != ALT_STACKS)
			return reject(ps, "--alternate '%.50s': give trace or stacks", arg);
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
		ps->quick = 1;
		break;
	case OPT_MATRIX:
		ps->matrix = 1;
		break;
	case ARGP_KEY_ARG:
		if (cfg->n_cmd >= CONFIG_MAX_ARGS)
			return reject(ps, "the target command has more than %s words", "32");
		cfg->cmd[cfg->n_cmd++] = strdup(arg);
		break;
	case ARGP_KEY_ERROR:
		if (!ps->err[0] && state->next > 0 && state->next <= state->argc)
			reject(ps,
			       "unknown option or missing value at '%.100s' (see restartprof run "
			       "--help)",
			       state->argv[state->next - 1]);
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
	cfg->keep_images = true;
	snprintf(cfg->network, sizeof(cfg->network), "bridge");
	snprintf(cfg->stress_ng, sizeof(cfg->stress_ng), "/usr/bin/stress-ng");
	snprintf(cfg->btf_path, sizeof(cfg->btf_path), "/sys/kernel/btf/vmlinux");
}

/* --load for --matrix: a comma-separated list of distinct loads other than none. */
static int parse_load_list(struct parse_state *ps, enum load_type *loads, int *n)
{
	const char *p = ps->load_arg;

	*n = 0;
	if (!p) {
		static const enum load_type paper[] = {LOAD_CPU, LOAD_MEM, LOAD_IO, LOAD_HDD};

		for (size_t i = 0; i < sizeof(paper) / sizeof(paper[0]); i++)
			loads[(*n)++] = paper[i];
		return 0;
	}
	while (*p) {
		char name[16];
		size_t len = strcspn(p, ",");
		int t;

		snprintf(name, sizeof(name), "%.*s", (int)(len < sizeof(name) ? len : 0), p);
		t = load_from_name(name);
		if (t < 0 || t == LOAD_NONE) {
			snprintf(ps->err, ps->errlen,
				 "--matrix --load '%.100s': give a list of cpu, mem, io, hdd or "
				 "custom "
				 "(the baseline is always run)",
				 ps->load_arg);
			return -1;
		}
		for (int i = 0; i < *n; i++)
			if (loads[i] == (enum load_type)t) {
				snprintf(ps->err, ps->errlen, "--load '%.100s' names %s twice",
					 ps->load_arg, name);
				return -1;
			}
		loads[(*n)++] = (enum load_type)t;
		p += len;
		if (*p == ',' && *++p == '\0') {
			snprintf(ps->err, ps->errlen, "--load '%.100s' ends with a comma",
				 ps->load_arg);
			return -1;
		}
	}
	return 0;
}

static int matrix_cells(struct parse_state *ps)
{
	struct run_config *cfg = ps->cfg;
	enum load_type loads[LOAD_COUNT];
	int n_loads, max = ps->stressors ? ps->stressors : ps->quick ? 2 : 4, n;

	if (parse_load_list(ps, loads, &n_loads))
		return -1;
	for (int i = 0; i < n_loads; i++)
		if ((loads[i] == LOAD_CUSTOM) != (ps->stress_args != NULL)) {
			snprintf(ps->err, ps->errlen,
				 "--load custom and --stress-args go together");
			return -1;
		}
	if (ps->stress_args) {
		cfg->n_stress_args =
			split_words(ps->stress_args, cfg->stress_args, CONFIG_MAX_ARGS);
		if (cfg->n_stress_args <= 0) {
			snprintf(ps->err, ps->errlen, "--stress-args: give 1 to %d words",
				 CONFIG_MAX_ARGS);
			return -1;
		}
	}
	n = cells_matrix(loads, n_loads, max, cfg->cells, CONFIG_MAX_CELLS);
	if (n < 0) {
		snprintf(ps->err, ps->errlen,
			 "--matrix with %d loads and up to %d stressors makes %d cells, more than "
			 "%d: give fewer --stressors",
			 n_loads, max, n_loads * (max + 1) + 1, CONFIG_MAX_CELLS);
		return -1;
	}
	cfg->n_cells = n;
	cfg->matrix = true;
	return 0;
}

/* One cell, from --load and --stressors. */
static int single_cell(struct parse_state *ps)
{
	struct run_config *cfg = ps->cfg;
	int load = LOAD_NONE;

	if (ps->load_arg && strchr(ps->load_arg, ',')) {
		snprintf(ps->err, ps->errlen, "a list of loads ('%.100s') needs --matrix",
			 ps->load_arg);
		return -1;
	}
	if (ps->load_arg) {
		load = load_from_name(ps->load_arg);
		if (load < 0) {
			snprintf(ps->err, ps->errlen,
				 "unknown load '%.50s': use none, cpu, mem, io, hdd or custom",
				 ps->load_arg);
			return -1;
		}
	}
	if (ps->stress_args) {
		if (ps->load_arg && load != LOAD_CUSTOM) {
			snprintf(ps->err, ps->errlen, "--stress-args goes with --load custom");
			return -1;
		}
		load = LOAD_CUSTOM;
		cfg->n_stress_args =
			split_words(ps->stress_args, cfg->stress_args, CONFIG_MAX_ARGS);
		if (cfg->n_stress_args <= 0) {
			snprintf(ps->err, ps->errlen, "--stress-args: give 1 to %d words",
				 CONFIG_MAX_ARGS);
			return -1;
		}
	} else if (load == LOAD_CUSTOM) {
		snprintf(ps->err, ps->errlen, "--load custom needs --stress-args");
		return -1;
	}
	if (ps->stressors && load == LOAD_NONE) {
		snprintf(ps->err, ps->errlen, "--stressors needs a --load other than none");
		return -1;
	}
	cell_init(&cfg->cells[0], load, ps->stressors ? ps->stressors : 1, 0);
	cfg->n_cells = 1;
	return 0;
}

static int complete_config(struct parse_state *ps)
{
	struct run_config *cfg = ps->cfg;

	if (ps->quick) {
		if (!ps->trials_set)
			cfg->trials = ps->matrix ? 5 : 10;
		if (!ps->settle_set)
			cfg->load_settle_ns = 2 * NSEC_PER_SEC;
	}
	if (ps->matrix ? matrix_cells(ps) : single_cell(ps))
		return -1;
	if (cfg->alternate != ALT_NONE && !cfg->trace) {
		snprintf(ps->err, ps->errlen,
			 "--alternate %s needs kernel tracing (not --no-trace)",
			 alternate_name(cfg->alternate));
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

int run_options_parse(int argc, char **argv, struct run_config *cfg, char *err, size_t errlen)
{
	struct parse_state ps = {
		.cfg = cfg,
		.err = err,
		.errlen = errlen,
		.probe_input = {&cfg->probe_paths, err, errlen},
	};
	/* No cluster of its own: its options sort among the other tracing options. */
	static const struct argp_child children[] = {{&probe_path_argp, 0, NULL, 0}, {0}};
	struct argp argp = {options,
			    parse_run_option,
			    "[-- COMMAND...]",
			    "Drive restart trials of a target container and measure them.",
			    children,
			    NULL,
			    NULL};
	int rc;

	set_defaults(cfg);
	err[0] = '\0';
	cfg->argc = argc;
	cfg->argv = argv;
	if (cli_help_asked(argc, argv)) {
		argp_help(&argp, stdout, ARGP_HELP_STD_HELP, "restartprof run");
		return 1;
	}
	/* argp stays silent on errors so that one line, ours, says what is wrong. */
	rc = argp_parse(&argp, argc, argv, ARGP_NO_ERRS, NULL, &ps);
	if (rc) {
		if (!err[0])
			snprintf(err, errlen, "bad command line (see restartprof run --help)");
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
