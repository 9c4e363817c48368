// SPDX-License-Identifier: GPL-2.0-only
/* A private Prometheus server for tests: started, queried over its HTTP API, stopped. */
#include "support/prometheus.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/docker.h"
#include "support/harness.h"
#include "util/clock.h"

static int write_config(struct prom_server *p, int target_port)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/prometheus.yml", p->dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f,
		"global:\n"
		"  scrape_interval: 1s\n"
		"  scrape_timeout: 1s\n"
		"  evaluation_interval: 1s\n"
		"scrape_configs:\n"
		"  - job_name: restartprof\n"
		"    static_configs:\n"
		"      - targets: ['127.0.0.1:%d']\n",
		target_port);
	return fclose(f) ? -1 : 0;
}

static pid_t spawn_server(struct prom_server *p)
{
	char config[256], data[256], listen[64], log_path[256];
	pid_t pid;

	snprintf(config, sizeof(config), "--config.file=%s/prometheus.yml", p->dir);
	snprintf(data, sizeof(data), "--storage.tsdb.path=%s/data", p->dir);
	snprintf(listen, sizeof(listen), "--web.listen-address=127.0.0.1:%d", p->port);
	snprintf(log_path, sizeof(log_path), "%s/prometheus.log", p->dir);
	pid = fork();
	if (pid == 0) {
		int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl(PROMETHEUS_BINARY, PROMETHEUS_BINARY, config, data, listen,
		      "--storage.tsdb.retention.time=1h", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Up to timeout_s for GET /-/ready to answer 200, as long as the server runs. */
static int wait_ready(struct prom_server *p, int timeout_s)
{
	int64_t deadline = mono_ns() + (int64_t)timeout_s * NSEC_PER_SEC;
	char url[96];
	int status;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/-/ready", p->port);
	while (mono_ns() < deadline) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			snprintf(p->err, sizeof(p->err),
				 "prometheus exited (see %s/prometheus.log)", p->dir);
			p->pid = 0;
			return -1;
		}
		if (harness_http_get(url, 2, NULL) == 200)
			return 0;
		sleep_ns(200 * NSEC_PER_MSEC);
	}
	snprintf(p->err, sizeof(p->err), "prometheus not ready in %d s", timeout_s);
	return -1;
}

static void print_log(const struct prom_server *p)
{
	char path[256], *log;

	snprintf(path, sizeof(path), "%s/prometheus.log", p->dir);
	log = harness_slurp(path);
	fprintf(stderr, "prometheus's log:\n%s\n", log ? log : "(none)");
	free(log);
}

int prom_server_start(struct prom_server *p, int target_port)
{
	memset(p, 0, sizeof(*p));
	if (access(PROMETHEUS_BINARY, X_OK)) {
		snprintf(p->err, sizeof(p->err), "%s is not installed", PROMETHEUS_BINARY);
		return -1;
	}
	p->dir = harness_tmpdir("prom");
	p->port = harness_free_port();
	if (!p->dir || p->port < 0 || write_config(p, target_port)) {
		snprintf(p->err, sizeof(p->err), "no directory or port for prometheus");
		prom_server_stop(p);
		return -1;
	}
	p->pid = spawn_server(p);
	if (p->pid < 0) {
		snprintf(p->err, sizeof(p->err), "fork: %s", strerror(errno));
		prom_server_stop(p);
		return -1;
	}
	if (wait_ready(p, 60)) {
		print_log(p);
		prom_server_stop(p);
		return -1;
	}
	return 0;
}

/* data.result[0].value[1] of a query's answer, as a number. */
static int first_sample(const char *body, double *value)
{
	json_object *o = json_parse_buf(body, strlen(body)), *result, *sample, *pair;
	int rc = -1;

	if (!o)
		return -1;
	if (strcmp(json_str(o, "status", ""), "success") == 0) {
		result = json_path(o, "data.result");
		rc = -ENODATA;
		sample = result && json_object_array_length(result) > 0
				 ? json_object_array_get_idx(result, 0)
				 : NULL;
		pair = sample ? json_path(sample, "value") : NULL;
		if (pair && json_object_array_length(pair) == 2) {
			*value = strtod(json_object_get_string(json_object_array_get_idx(pair, 1)),
					NULL);
			rc = 0;
		}
	}
	json_object_put(o);
	return rc;
}

int prom_server_query(struct prom_server *p, const char *promql, double *value)
{
	char *esc = curl_easy_escape(NULL, promql, 0), *body, url[1024];
	int status, rc;

	if (!esc)
		return -1;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/query?query=%s", p->port, esc);
	curl_free(esc);
	status = harness_http_get(url, 5, &body);
	if (status != 200) {
		snprintf(p->err, sizeof(p->err), "query: HTTP %d: %.200s", status,
			 body ? body : "no answer");
		free(body);
		return -1;
	}
	rc = first_sample(body, value);
	free(body);
	return rc;
}

int prom_server_wait_value(struct prom_server *p, const char *promql, double want, int timeout_s,
			   double *last)
{
	int64_t deadline = mono_ns() + (int64_t)timeout_s * NSEC_PER_SEC;
	double v;

	*last = -1;
	while (mono_ns() < deadline) {
		if (prom_server_query(p, promql, &v) == 0) {
			*last = v;
			if (v == want)
				return 0;
		}
		sleep_ns(500 * NSEC_PER_MSEC);
	}
	return -1;
}

void prom_server_stop(struct prom_server *p)
{
	int status;

	if (p->pid > 0) {
		kill(p->pid, SIGTERM);
		for (int i = 0; i < 200 && waitpid(p->pid, &status, WNOHANG) == 0; i++)
			sleep_ns(50 * NSEC_PER_MSEC);
		if (kill(p->pid, 0) == 0) {
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &status, 0);
		}
		p->pid = 0;
	}
	harness_rmtree(p->dir);
	free(p->dir);
	p->dir = NULL;
}
