// SPDX-License-Identifier: GPL-2.0-only
/*
 * restartprof check: what this kernel and engine allow, found the way a run finds it (the
 * same probe selection, the same loading), and whether a run can start.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cli/cli.h"
#include "engine/docker.h"
#include "engine/http.h"
#include "model/ksyms.h"
#include "model/probe.h"
#include "trace/cgroups.h"
#include "trace/symbols.h"
#include "trace/tracer.h"
#include "util/caps.h"
#include "util/host.h"
#include "util/proc.h"

#define COL "%-12s"

static void print_tracefs(void)
{
	struct stat st;

	if (stat("/sys/kernel/tracing/events", &st) == 0)
		printf(COL "mounted at /sys/kernel/tracing\n", "tracefs");
	else if (stat("/sys/kernel/debug/tracing/events", &st) == 0)
		printf(COL "mounted at /sys/kernel/debug/tracing\n", "tracefs");
	else
		printf(COL "not mounted (mounted for a run only when a probe needs the tracepoint "
			   "path)\n",
		       "tracefs");
}

/* Stack symbolization needs real addresses in /proc/kallsyms: read as a run reads them. */
static void print_kallsyms(void)
{
	struct ksyms *ks = NULL;
	char line[256];
	int e = ksyms_load(KALLSYMS_PATH, &ks);

	ksyms_describe(ks, e, line, sizeof(line));
	printf(COL "%s\n", "kallsyms", line);
	ksyms_free(ks);
}

/* What the kernel's own BTF gives, and what is lost without it. */
static void print_btf(const char *given)
{
	bool own = access("/sys/kernel/btf/vmlinux", R_OK) == 0;

	if (own && !given)
		printf(COL "yes (/sys/kernel/btf/vmlinux)\n", "btf");
	else if (own)
		printf(COL "yes (/sys/kernel/btf/vmlinux); relocating with %s (--btf)\n", "btf",
		       given);
	else if (given)
		printf(COL
		       "the kernel has none (/sys/kernel/btf/vmlinux: built without "
		       "CONFIG_DEBUG_INFO_BTF); relocating with %s (--btf): fentry and tp_btf "
		       "cannot work without the kernel's own, kprobe, raw_tp and tracepoint can\n",
		       "btf", given);
	else
		printf(COL "no (/sys/kernel/btf/vmlinux missing: the kernel was built without "
			   "CONFIG_DEBUG_INFO_BTF): kernel tracing needs this kernel's BTF, from "
			   "--btf PATH (then kprobe, raw_tp and tracepoint work, fentry and tp_btf "
			   "never); without it, run --no-trace\n",
		       "btf");
}

static void print_probes(const struct probe_status *p, int n)
{
	printf("probes      (path in use; why the better ones are not)\n");
	for (int i = 0; i < n; i++) {
		printf("  %-14s %-11s %s\n", p[i].name,
		       p[i].chosen >= 0 ? probe_path_name(p[i].chosen) : "NONE", p[i].what);
		for (int path = 0; path < PROBE_PATH_COUNT; path++) {
			if (!(p[i].paths & (1u << path)) || path == p[i].chosen)
				continue;
			if (p[i].chosen >= 0 && path > p[i].chosen)
				break;
			printf("  %-14s   not %s: %s\n", "", probe_path_name(path),
			       p[i].why[path][0] ? p[i].why[path] : "not tried");
		}
	}
}

int data_root_warning(const struct storage_info *si, char *out, size_t len)
{
	const char *mem = storage_in_memory(si->mount.fstype, si->device);

	if (!mem)
		return 0;
	snprintf(out, len,
		 "WARNING: the engine's data-root %.200s is on %s, in memory: its disk I/O reaches "
		 "no disk, so no disk effect can show (give dockerd a --data-root on a disk)",
		 si->path, mem);
	return 1;
}

/* Where the engine keeps images and containers (GET /info), and whether that is a disk. */
static void print_data_root(struct docker *d)
{
	json_object *info = NULL;
	struct storage_info si;
	const char *root;
	char warning[512];

	if (docker_call(d, "info", "GET", "/info", NULL, 10000, &info) || !info) {
		printf(COL "unknown (%s)\n", "data-root", d->err);
		return;
	}
	root = json_str(info, "DockerRootDir", "");
	if (!*root)
		printf(COL "unknown (the engine's /info names no DockerRootDir)\n", "data-root");
	else if (storage_describe(root, &si))
		printf(COL "%s (not found in this mount namespace)\n", "data-root", root);
	else if (data_root_warning(&si, warning, sizeof(warning)))
		printf(COL "%s\n", "data-root", warning);
	else
		printf(COL "%s on %s, %s%s%s\n", "data-root", root, si.mount.fstype,
		       si.device[0] ? si.device : si.mount.source, si.type[0] ? ", " : "", si.type);
	json_object_put(info);
}

enum {
	OPT_DOCKER_HOST = 1000,
	OPT_BTF,
};

static const struct argp_option check_options[] = {
	{"docker-host", OPT_DOCKER_HOST, "unix://PATH", 0, CLI_DOCKER_HOST_HELP, 0},
	{"btf", OPT_BTF, "PATH", 0, CLI_BTF_HELP, 0},
	{0},
};

static const char check_doc[] =
	"What this kernel and engine allow, found the way a run finds it (the same probe "
	"selection, the same loading), where the engine keeps its data (with a WARNING when that "
	"is in memory: tmpfs, ramfs, zram), and whether a run can start."
	"\v"
	"EXAMPLES:\n"
	"  restartprof check\n"
	"  restartprof check --docker-host unix:///var/lib/rp/docker.sock\n"
	"  restartprof check --no-fentry --no-kprobe\n"
	"\n"
	"EXIT CODES:\n"
	"  0  the engine answers (the 'run' line says whether a run can start)\n"
	"  1  no engine answers at the socket\n"
	"  2  bad command line or engine address\n";

struct check_args {
	const char *host;
	struct tracer_opts *topts;
	struct probe_path_input probe_input;
};

static error_t parse_check_option(int key, char *arg, struct argp_state *state)
{
	struct check_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = &a->probe_input;
		break;
	case OPT_DOCKER_HOST:
		a->host = arg;
		break;
	case OPT_BTF:
		a->topts->btf_path = arg;
		break;
	case ARGP_KEY_ARG:
		return EINVAL;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* 0, 1 when it printed the help, or -1 when it printed why the command line is wrong. */
static int parse_check_args(int argc, char **argv, const char **host, struct tracer_opts *o)
{
	static const struct argp_child children[] = {{&probe_path_argp, 0, NULL, 0}, {0}};
	struct argp argp = {check_options, parse_check_option, NULL, check_doc, children, NULL,
			    NULL};
	char err[200] = "";
	struct check_args a = {.topts = o, .probe_input = {&o->probe_paths, err, sizeof(err)}};

	if (cli_help_asked(argc, argv)) {
		argp_help(&argp, stdout, ARGP_HELP_STD_HELP, "restartprof check");
		return 1;
	}
	if (argp_parse(&argp, argc, argv, ARGP_NO_ERRS, NULL, &a)) {
		if (err[0])
			fprintf(stderr, "restartprof: %s\n", err);
		else
			fprintf(stderr,
				"restartprof: check takes --docker-host unix://PATH, --probe-paths "
				"LIST, --no-fentry, --no-kprobe, --btf PATH\n");
		return -1;
	}
	*host = a.host;
	return 0;
}

int cmd_check(int argc, char **argv)
{
	struct tracer_opts topts = {0};
	struct cgroup_mode cm;
	struct tracer *tr = NULL;
	struct utsname u;
	struct docker d;
	char socket[108], err[512], missing[128];
	const char *host = NULL;
	bool engine_ok = false, tracing = false, privileged;
	int parsed;

	topts.oncpu_hz = ONCPU_HZ_DEFAULT; /* check tries the sampler as a run would */
	parsed = parse_check_args(argc, argv, &host, &topts);

	if (parsed)
		return parsed > 0 ? EXIT_OK : EXIT_USAGE;
	cli_recover_changes();
	uname(&u);
	printf(COL "%s %s\n", "kernel", u.release, u.machine);
	print_btf(topts.btf_path);
	privileged = caps_missing(true, true, missing, sizeof(missing)) == 0;
	printf(COL "%s%s\n", "privileges",
	       privileged ? "enough (BPF, perfmon, sys_admin)" : "missing ",
	       privileged ? "" : missing);
	print_tracefs();
	print_kallsyms();
	memset(&cm, 0, sizeof(cm));
	if (cgroup_mode_detect(&cm, NULL, err, sizeof(err))) {
		printf(COL "%s\n", "cgroups", err);
		memset(&cm, 0, sizeof(cm));
	}
	if (privileged && tracer_open(&topts, &tr, err, sizeof(err)) == 0) {
		int n;
		const struct probe_status *p = tracer_probes(tr, &n);

		printf(COL "%s\n", "cgroups", tracer_cgroup_desc(tr));
		print_probes(p, n);
		tracer_close(tr);
		tracing = true;
		printf(COL "%s\n", "tracing", "yes");
	} else {
		if (cm.v2)
			printf(COL "v2 (default hierarchy at %s)\n", "cgroups", cm.mount);
		else if (cm.mount[0])
			printf(COL "v1, controller %s at %s\n", "cgroups", cm.controller, cm.mount);
		printf(COL "no: %s\n", "tracing", privileged ? err : "needs privileges");
	}
	if (docker_resolve_socket(host, socket, sizeof(socket), err, sizeof(err))) {
		printf(COL "%s\n", "engine", err);
		return EXIT_USAGE;
	}
	http_global_init();
	if (docker_open(&d, socket)) {
		printf(COL "%s\n", "engine", d.err);
	} else {
		engine_ok = true;
		printf(COL "%s %s, API %s (using %s) at %s (%s pid %d)\n", "engine",
		       engine_kind_title(d.kind), d.engine_version, d.engine_api, d.api_version,
		       socket, d.kind == ENGINE_PODMAN ? "podman service" : "dockerd",
		       (int)docker_peer_pid(socket));
		print_data_root(&d);
		docker_close(&d);
	}
	printf(COL "%s\n", "run",
	       !engine_ok    ? "cannot start: no engine"
	       : !privileged ? "can start only with --no-trace and --ready stdout or log"
	       : tracing     ? "can start, with kernel tracing"
			     : "can start, without kernel tracing");
	return engine_ok ? EXIT_OK : EXIT_FAILED;
}
