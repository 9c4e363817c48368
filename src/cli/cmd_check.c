/*
 * restartprof check: what this kernel and engine allow, found the way a run finds it (the
 * same probe selection, the same loading), and whether a run can start.
 */
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
#include "util/proc.h"

#define COL "%-12s"

static int usage(void)
{
	fprintf(stderr, "restartprof: check takes --docker-host unix://PATH, --probe-paths LIST, "
			"--no-fentry, --no-kprobe, --btf PATH\n");
	return EXIT_USAGE;
}

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

static int parse(int argc, char **argv, const char **host, struct tracer_opts *o)
{
	char err[200];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--docker-host") == 0 && i + 1 < argc) {
			*host = argv[++i];
		} else if (strcmp(argv[i], "--probe-paths") == 0 && i + 1 < argc) {
			if (probe_paths_parse(argv[++i], &o->probe_paths, err, sizeof(err))) {
				fprintf(stderr, "restartprof: %s\n", err);
				return -1;
			}
		} else if (strcmp(argv[i], "--btf") == 0 && i + 1 < argc) {
			o->btf_path = argv[++i];
		} else if (strcmp(argv[i], "--no-fentry") == 0) {
			o->probe_paths = (o->probe_paths ? o->probe_paths : PROBE_PATHS_ALL) &
					 ~(1u << PROBE_FENTRY);
		} else if (strcmp(argv[i], "--no-kprobe") == 0) {
			o->probe_paths = (o->probe_paths ? o->probe_paths : PROBE_PATHS_ALL) &
					 ~(1u << PROBE_KPROBE);
		} else {
			usage();
			return -1;
		}
	}
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

	if (parse(argc, argv, &host, &topts))
		return EXIT_USAGE;
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
		printf(COL "Docker %s, API %s (using %s) at %s (dockerd pid %d)\n", "engine",
		       d.engine_version, d.engine_api, d.api_version, socket,
		       (int)docker_peer_pid(socket));
		docker_close(&d);
	}
	printf(COL "%s\n", "run",
	       !engine_ok    ? "cannot start: no engine"
	       : !privileged ? "can start only with --no-trace and --ready stdout or log"
	       : tracing     ? "can start, with kernel tracing"
			     : "can start, without kernel tracing");
	return engine_ok ? EXIT_OK : EXIT_FAILED;
}
