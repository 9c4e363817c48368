// SPDX-License-Identifier: GPL-2.0-only
#include "trace/seed.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"
#include "util/files.h"
#include "util/proc.h"

#define DEFAULT_CONTAINERD "/run/containerd/containerd.sock"

static bool is_shim(const char *comm)
{
	return strncmp(comm, "containerd-shim", 15) == 0;
}

/*
 * The engine's programs that leave its lineage, found by name when the socket's peer is a
 * Podman service: conmon double-forks to be reparented to init, aardvark-dns daemonizes. Their
 * children (runc or crun, `podman container cleanup`) and the service's own (netavark, CNI
 * plugins, iptables) follow by lineage, as do those started while tracing (the kernel tracks
 * them from the fork, before they are reparented).
 */
static const char *const podman_orphans[] = {"conmon", "aardvark-dns"};

static void mark_podman_orphans(struct proc_info *p, size_t n, pid_t service)
{
	bool podman = false;

	for (size_t i = 0; i < n; i++)
		if (p[i].pid == service && strcmp(p[i].comm, "podman") == 0)
			podman = true;
	for (size_t i = 0; podman && i < n; i++)
		for (size_t k = 0; k < sizeof(podman_orphans) / sizeof(podman_orphans[0]); k++)
			if (p[i].ppid <= 1 && strcmp(p[i].comm, podman_orphans[k]) == 0)
				p[i].engine = true;
}

size_t seed_select(struct proc_info *p, size_t n, pid_t dockerd)
{
	size_t marked = 0, own_containerd = 0;
	bool changed = true;

	for (size_t i = 0; i < n; i++)
		p[i].engine = false;
	for (size_t i = 0; i < n; i++) {
		if (p[i].pid == dockerd)
			p[i].engine = true;
		else if (strcmp(p[i].comm, "containerd") == 0 && p[i].ppid == dockerd)
			p[i].engine = true, own_containerd++;
	}
	/* A dockerd started with an external containerd (Debian's and systemd's setups). */
	if (!own_containerd)
		for (size_t i = 0; i < n; i++)
			if (strcmp(p[i].comm, "containerd") == 0 && p[i].ppid <= 1)
				p[i].engine = true;
	for (size_t i = 0; i < n; i++) {
		if (!is_shim(p[i].comm) || !p[i].addr[0])
			continue;
		for (size_t j = 0; j < n; j++)
			if (p[j].engine && strcmp(p[j].comm, "containerd") == 0 &&
			    strcmp(p[j].addr, p[i].addr) == 0)
				p[i].engine = true;
	}
	mark_podman_orphans(p, n, dockerd);
	while (changed) {
		changed = false;
		for (size_t i = 0; i < n; i++) {
			if (p[i].engine)
				continue;
			for (size_t j = 0; j < n; j++)
				if (p[j].engine && p[j].pid == p[i].ppid && p[i].ppid > 1) {
					p[i].engine = changed = true;
					break;
				}
		}
	}
	for (size_t i = 0; i < n; i++)
		marked += p[i].engine;
	return marked;
}

int cmdline_option(const char *cmdline, size_t len, const char *const *names, char *out,
		   size_t outlen)
{
	const char *p = cmdline, *end = cmdline + len;

	while (p < end) {
		size_t alen = strnlen(p, (size_t)(end - p));

		for (const char *const *nm = names; *nm; nm++) {
			size_t nlen = strlen(*nm);

			if (alen == nlen && strncmp(p, *nm, nlen) == 0 && p + alen + 1 < end) {
				snprintf(out, outlen, "%s", p + alen + 1);
				return 0;
			}
			if (alen > nlen && strncmp(p, *nm, nlen) == 0 && p[nlen] == '=') {
				snprintf(out, outlen, "%.*s", (int)(alen - nlen - 1), p + nlen + 1);
				return 0;
			}
		}
		p += alen + 1;
	}
	return -1;
}

int containerd_config_address(const char *toml, char *out, size_t len)
{
	const char *line = toml;
	bool in_grpc = false;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		char buf[512];
		size_t llen = nl ? (size_t)(nl - line) : strlen(line);
		const char *s = buf, *q1, *q2;

		if (llen < sizeof(buf)) {
			memcpy(buf, line, llen);
			buf[llen] = '\0';
			while (isspace((unsigned char)*s))
				s++;
			if (*s == '[')
				in_grpc = strncmp(s, "[grpc]", 6) == 0;
			else if (in_grpc && strncmp(s, "address", 7) == 0 &&
				 (q1 = strchr(s, '"')) && (q2 = strchr(q1 + 1, '"')) &&
				 q2 > q1 + 1) {
				snprintf(out, len, "%.*s", (int)(q2 - q1 - 1), q1 + 1);
				return 0;
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return -1;
}

static ssize_t read_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	return file_read_small(path, buf, len);
}

static void fill_addr(struct proc_info *pi)
{
	static const char *const shim_opts[] = {"-address", "--address", NULL};
	static const char *const ctd_opts[] = {"--address", "-a", NULL};
	static const char *const cfg_opts[] = {"--config", "-c", NULL};
	char cmd[4096], cfg[512];
	ssize_t n;

	if (!is_shim(pi->comm) && strcmp(pi->comm, "containerd") != 0)
		return;
	n = read_cmdline(pi->pid, cmd, sizeof(cmd));
	if (n <= 0)
		return;
	if (is_shim(pi->comm)) {
		cmdline_option(cmd, (size_t)n, shim_opts, pi->addr, sizeof(pi->addr));
		return;
	}
	if (cmdline_option(cmd, (size_t)n, ctd_opts, pi->addr, sizeof(pi->addr)) == 0)
		return;
	if (cmdline_option(cmd, (size_t)n, cfg_opts, cfg, sizeof(cfg)) == 0) {
		char *toml = malloc(1 << 16);

		if (toml && file_read_small(cfg, toml, 1 << 16) > 0 &&
		    containerd_config_address(toml, pi->addr, sizeof(pi->addr)) == 0) {
			free(toml);
			return;
		}
		free(toml);
	}
	snprintf(pi->addr, sizeof(pi->addr), "%s", DEFAULT_CONTAINERD);
}

static int snapshot_procs(struct proc_info **out, size_t *n)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	struct proc_info *p = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		unsigned long long start;
		struct proc_info pi = {0};

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pi.pid = (pid_t)atoi(de->d_name);
		if (proc_stat_read(pi.pid, &pi.ppid, &start, pi.comm))
			continue;
		fill_addr(&pi);
		if (array_reserve((void **)&p, &cap, *n + 1, sizeof(*p))) {
			free(p);
			closedir(d);
			return -ENOMEM;
		}
		p[(*n)++] = pi;
	}
	closedir(d);
	*out = p;
	return 0;
}

static int add_threads(pid_t pid, pid_t **tids, size_t *n, size_t *cap)
{
	char path[64];
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 0; /* gone meanwhile */
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (array_reserve((void **)tids, cap, *n + 1, sizeof(**tids))) {
			closedir(d);
			return -ENOMEM;
		}
		(*tids)[(*n)++] = (pid_t)atoi(de->d_name);
	}
	closedir(d);
	return 0;
}

/* One /proc snapshot with the engine's processes (those of dockerd's tree) marked. */
static int engine_snapshot(pid_t dockerd, struct proc_info **p, size_t *np)
{
	int err = snapshot_procs(p, np);

	if (!err)
		seed_select(*p, *np, dockerd);
	return err;
}

int seed_engine_tids(pid_t dockerd, pid_t **tids, size_t *n)
{
	struct proc_info *p = NULL;
	size_t np = 0, cap = 0;
	int err;

	*tids = NULL;
	*n = 0;
	err = engine_snapshot(dockerd, &p, &np);
	for (size_t i = 0; i < np && !err; i++)
		if (p[i].engine)
			err = add_threads(p[i].pid, tids, n, &cap);
	free(p);
	return err;
}

int seed_engine_pids(pid_t dockerd, pid_t **pids, size_t *n)
{
	struct proc_info *p = NULL;
	size_t np = 0, cap = 0;
	int err;

	*pids = NULL;
	*n = 0;
	err = engine_snapshot(dockerd, &p, &np);
	for (size_t i = 0; i < np && !err; i++) {
		if (!p[i].engine)
			continue;
		if (array_reserve((void **)pids, &cap, *n + 1, sizeof(**pids)))
			err = -ENOMEM;
		else
			(*pids)[(*n)++] = p[i].pid;
	}
	free(p);
	return err;
}
