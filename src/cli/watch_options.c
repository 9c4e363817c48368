// SPDX-License-Identifier: GPL-2.0-only
/* restartprof watch's command line: argp options into a run configuration and filters. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/watch_cli.h"
#include "engine/docker.h"
#include "trace/tracer.h"
#include "util/clock.h"
#include "watch/filter.h"

enum {
	OPT_DURATION = 2000,
	OPT_REPLACE_WINDOW,
	OPT_READY_TIMEOUT,
	OPT_LISTEN,
	OPT_TEXTFILE,
	OPT_WAIT,
	OPT_NO_TRACE,
	OPT_ENGINE_TIMEOUT,
	OPT_HISTORY,
	OPT_DOCKER_HOST,
	OPT_NO_STACKS,
	OPT_BTF,
	OPT_ONCPU_HZ,
};

enum {
	GROUP_WHAT = 1,
	GROUP_METRICS,
	GROUP_ENGINE,
	GROUP_DEVELOPER
};

static const struct argp_option options[] = {
	{NULL, 0, NULL, 0, "What to watch:", GROUP_WHAT},
	{"output", 'o', "DIR", 0, "Write the CSVs into DIR (default results/RUN_ID)", GROUP_WHAT},
	{"filter", 'f', "KEY=VALUE", 0,
	 "Only these containers: name=REGEX, label=KEY[=VALUE], image=REF; repeatable (the same "
	 "key ORs, different keys AND)",
	 GROUP_WHAT},
	{"duration", OPT_DURATION, "S", 0, "Stop after S seconds (default: at SIGINT or SIGTERM)",
	 GROUP_WHAT},
	{"replace-window", OPT_REPLACE_WINDOW, "S", 0,
	 "A container removed and a new one of the same name or compose service started within S "
	 "seconds is a replacement (default 120)",
	 GROUP_WHAT},
	{"ready-timeout", OPT_READY_TIMEOUT, "S", 0,
	 "After the new start, wait this long for its first listen() or its health check "
	 "(default 10); then the start event ends the restart",
	 GROUP_WHAT},
	{NULL, 0, NULL, 0, "Metrics:", GROUP_METRICS},
	{"listen", OPT_LISTEN, "ADDR:PORT", 0,
	 "Serve /metrics (Prometheus text format, no authentication) on ADDR:PORT; a bare PORT "
	 "binds 127.0.0.1",
	 GROUP_METRICS},
	{"textfile", OPT_TEXTFILE, "DIR", 0,
	 "Keep DIR/restartprof.prom up to date for node_exporter's textfile collector",
	 GROUP_METRICS},
	{NULL, 0, NULL, 0, "The engine:", GROUP_ENGINE},
	{"docker-host", 'H', "URL", 0, CLI_DOCKER_HOST_HELP, GROUP_ENGINE},
	{"wait", OPT_WAIT, NULL, 0, "Wait for an engine that is not running yet", GROUP_ENGINE},
	{"engine-timeout", OPT_ENGINE_TIMEOUT, "S", 0, "Bound of each engine call (default 60)",
	 GROUP_ENGINE},
	{NULL, 0, NULL, 0, "Developer options:", GROUP_DEVELOPER},
	{"no-trace", OPT_NO_TRACE, NULL, 0, "Engine events only, no BPF (no causes)",
	 GROUP_DEVELOPER},
	{"history", OPT_HISTORY, "S", 0,
	 "How far back the kernel's record reaches, for the phases before the engine says a "
	 "restart began (default 60)",
	 GROUP_DEVELOPER},
	{"no-stacks", OPT_NO_STACKS, NULL, 0, "Do not record kernel stacks of sleeping tasks",
	 GROUP_DEVELOPER},
	{"oncpu-hz", OPT_ONCPU_HZ, "N", 0, CLI_ONCPU_HZ_HELP, GROUP_DEVELOPER},
	{"btf", OPT_BTF, "PATH", 0, CLI_BTF_HELP, GROUP_DEVELOPER},
	{0},
};

static const char watch_doc[] =
	"Follow the engine and the kernel, and record every restart that happens: the engine's "
	"restart policy, 'docker restart' or a stop and start, or a replacement by a new container "
	"of the same name or compose service. Each becomes a trial of a run directory, with its "
	"phases and causes, as 'run' writes them; 'report' and 'explain' read it."
	"\v"
	"EXAMPLES:\n"
	"  restartprof watch                              every container, until Ctrl-C\n"
	"  restartprof watch -f name='^web' --duration 3600\n"
	"  restartprof watch -f label=com.docker.compose.project=shop -o /var/lib/restartprof/w\n"
	"  restartprof watch --listen 127.0.0.1:9617      and scrape /metrics\n"
	"  restartprof explain results/RUN_ID --brief     what made those restarts slow\n"
	"\n"
	"EXIT CODES:\n"
	"  0      stopped by --duration, SIGINT or SIGTERM; everything seen is recorded\n"
	"  1      the engine is absent (without --wait), or the output could not be written\n"
	"  2      bad command line, missing privilege, a port in use, an unusable directory\n";

struct parse_state {
	struct watch_cli *wc;
	const char *docker_host;
	char *err;
	size_t errlen;
};

static error_t reject(struct parse_state *ps, const char *fmt, const char *arg)
{
	snprintf(ps->err, ps->errlen, fmt, arg);
	return EINVAL;
}

static void append_filter_text(struct watch_spec *ws, const char *arg)
{
	size_t n = strlen(ws->filters);

	snprintf(ws->filters + n, sizeof(ws->filters) - n, "%s%s", n ? ";" : "", arg);
}

static error_t parse_seconds_opt(struct parse_state *ps, const char *arg, const char *name,
				 double lo, int64_t *out)
{
	char fmt[96];

	if (cli_parse_seconds(arg, lo, 1e7, out) == 0)
		return 0;
	snprintf(fmt, sizeof(fmt), "%s '%%.50s': give seconds, at least %g", name, lo);
	return reject(ps, fmt, arg);
}

static error_t parse_watch_option(int key, char *arg, struct argp_state *state)
{
	struct parse_state *ps = state->input;
	struct run_config *cfg = &ps->wc->cfg;
	struct watch_spec *ws = &cfg->watch;

	switch (key) {
	case 'o':
		snprintf(cfg->out_dir, sizeof(cfg->out_dir), "%s", arg);
		break;
	case 'f':
		if (filters_add(ps->wc->filters, arg, ps->err, ps->errlen))
			return EINVAL;
		append_filter_text(ws, arg);
		break;
	case OPT_DURATION:
		return parse_seconds_opt(ps, arg, "--duration", 0.1, &ws->duration_ns);
	case OPT_REPLACE_WINDOW:
		return parse_seconds_opt(ps, arg, "--replace-window", 0, &ws->replace_window_ns);
	case OPT_READY_TIMEOUT:
		return parse_seconds_opt(ps, arg, "--ready-timeout", 0, &cfg->ready_timeout_ns);
	case OPT_HISTORY:
		return parse_seconds_opt(ps, arg, "--history", 1, &ws->history_ns);
	case OPT_ENGINE_TIMEOUT:
		return parse_seconds_opt(ps, arg, "--engine-timeout", 1, &cfg->engine_timeout_ns);
	case OPT_LISTEN:
		/* A bare port: the loopback, never every address by surprise. */
		snprintf(ws->listen, sizeof(ws->listen), "%s%s",
			 arg[0] && strspn(arg, "0123456789") == strlen(arg) ? "127.0.0.1:" : "",
			 arg);
		break;
	case OPT_TEXTFILE:
		snprintf(ws->textfile_dir, sizeof(ws->textfile_dir), "%s", arg);
		break;
	case OPT_WAIT:
		ws->wait_engine = true;
		break;
	case OPT_NO_TRACE:
		cfg->trace = false;
		break;
	case OPT_NO_STACKS:
		cfg->no_stacks = true;
		break;
	case OPT_ONCPU_HZ:
		if (cli_parse_oncpu_hz(arg, &cfg->oncpu_hz))
			return reject(ps, CLI_ONCPU_HZ_BAD, arg);
		break;
	case OPT_BTF:
		snprintf(cfg->btf_path, sizeof(cfg->btf_path), "%s", arg);
		break;
	case 'H':
		ps->docker_host = arg;
		break;
	case ARGP_KEY_ARG:
		return reject(ps,
			      "watch takes no argument ('%.100s'): see restartprof watch --help",
			      arg);
	case ARGP_KEY_ERROR:
		cli_unknown_option(state, "watch", ps->err, ps->errlen);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void set_defaults(struct run_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->watch.on = true;
	cfg->watch.replace_window_ns = 120 * NSEC_PER_SEC;
	cfg->watch.history_ns = FOLLOW_KEEP_NS;
	cfg->ready_timeout_ns = 10 * NSEC_PER_SEC;
	cfg->engine_timeout_ns = 60 * NSEC_PER_SEC;
	cfg->method = RM_KERNEL;
	cfg->trace = true;
	cfg->oncpu_hz = ONCPU_HZ_DEFAULT;
	cfg->keep_images = true;
	snprintf(cfg->btf_path, sizeof(cfg->btf_path), "/sys/kernel/btf/vmlinux");
}

int watch_options_parse(int argc, char **argv, struct watch_cli *wc, char *err, size_t errlen)
{
	struct parse_state ps = {.wc = wc, .err = err, .errlen = errlen};
	struct argp argp = {options, parse_watch_option, NULL, watch_doc, NULL, NULL, NULL};

	set_defaults(&wc->cfg);
	err[0] = '\0';
	wc->cfg.argc = argc;
	wc->cfg.argv = argv;
	if (cli_help_asked(argc, argv)) {
		argp_help(&argp, stdout, ARGP_HELP_STD_HELP, "restartprof watch");
		return 1;
	}
	wc->filters = filters_new();
	if (!wc->filters) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (argp_parse(&argp, argc, argv, ARGP_NO_ERRS, NULL, &ps)) {
		if (!err[0])
			snprintf(err, errlen, "bad command line (see restartprof watch --help)");
		return -1;
	}
	return docker_resolve_socket(ps.docker_host, wc->cfg.socket_path,
				     sizeof(wc->cfg.socket_path), err, errlen)
		       ? -1
		       : 0;
}
