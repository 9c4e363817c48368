// SPDX-License-Identifier: GPL-2.0-only
#include "support/harness.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/docker.h"
#include "engine/http.h"
#include "util/clock.h"
#include "util/files.h"
#include "util/proc.h"

const char *harness_binary(void)
{
	const char *b = getenv("RESTARTPROF");

	return b && *b ? b : "build/restartprof";
}

const char *harness_docker_host(void)
{
	const char *h = getenv("DOCKER_HOST");

	return h && *h ? h : NULL;
}

char *harness_tmpdir(const char *tag)
{
	char *dir = malloc(128);

	snprintf(dir, 128, "/tmp/rp-test-%s.XXXXXX", tag);
	if (!mkdtemp(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

void harness_rmtree(const char *dir)
{
	if (dir && strncmp(dir, "/tmp/rp-test-", 13) == 0)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static char **build_argv(const char *const *args)
{
	size_t n = 0;

	while (args[n])
		n++;
	char **argv = calloc(n + 2, sizeof(*argv));

	argv[0] = (char *)harness_binary();
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = (char *)args[i];
	return argv;
}

static void read_all(int fd, char **out)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (cap - len < 1024)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	*out = buf;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

int harness_run(const char *const *args, uid_t as_uid, struct proc_result *r)
{
	int errp[2], outp[2], status;
	char **argv = build_argv(args);
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (pipe(errp) || pipe(outp))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(errp[1], 2);
		dup2(outp[1], 1);
		close(errp[0]);
		close(outp[0]);
		if (as_uid != (uid_t)-1 && (setgid(as_uid) || setuid(as_uid)))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	free(argv);
	close(errp[1]);
	close(outp[1]);
	/* stderr first: runs write little to stdout, so its pipe never fills meanwhile. */
	read_all(errp[0], &r->err);
	read_all(outp[0], &r->out);
	close(errp[0]);
	close(outp[0]);
	waitpid(pid, &status, 0);
	r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	r->err_lines = count_lines(r->err);
	return 0;
}

pid_t harness_spawn(const char *const *args, const char *err_path)
{
	char **argv = build_argv(args);
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd >= 0) {
			dup2(fd, 2);
			dup2(fd, 1);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	free(argv);
	return pid;
}

int harness_wait(pid_t pid, struct proc_result *r, int timeout_s)
{
	int64_t deadline = mono_ns() + (int64_t)timeout_s * NSEC_PER_SEC;
	int status;

	memset(r, 0, sizeof(*r));
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (mono_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			r->exit_code = -2;
			return -1;
		}
		sleep_ns(20 * NSEC_PER_MSEC);
	}
	r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	r->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	return 0;
}

void proc_result_free(struct proc_result *r)
{
	free(r->err);
	free(r->out);
	memset(r, 0, sizeof(*r));
}

int harness_csv(const char *dir, const char *name, struct csv_table *t)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return csv_read_file(path, t);
}

int harness_docker(struct docker *d)
{
	char sock[108], err[128];

	if (docker_resolve_socket(NULL, sock, sizeof(sock), err, sizeof(err)))
		return -1;
	http_global_init();
	return docker_open(d, sock) ? -1 : 0;
}

int harness_count_containers(const char *label)
{
	struct docker d;
	json_object *list;
	int n = -1;

	if (harness_docker(&d))
		return -1;
	if (docker_containers_by_label(&d, label, &list) == 0) {
		n = (int)json_object_array_length(list);
		json_object_put(list);
	}
	docker_close(&d);
	return n;
}

int harness_wait_for_text(const char *path, const char *text, int timeout_s)
{
	int64_t deadline = mono_ns() + (int64_t)timeout_s * NSEC_PER_SEC;
	char buf[1 << 16];

	while (mono_ns() < deadline) {
		if (file_read_small(path, buf, sizeof(buf)) > 0 && strstr(buf, text))
			return 0;
		sleep_ns(20 * NSEC_PER_MSEC);
	}
	return -1;
}

int harness_wait_caught(pid_t pid, int sig, int timeout_s)
{
	int64_t deadline = mono_ns() + (int64_t)timeout_s * NSEC_PER_SEC;
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	while (mono_ns() < deadline) {
		const char *line = file_read_small(path, buf, sizeof(buf)) > 0
					   ? strstr(buf, "\nSigCgt:")
					   : NULL;

		if (line && (strtoull(line + 8, NULL, 16) >> (sig - 1)) & 1)
			return 0;
		sleep_ns(NSEC_PER_MSEC);
	}
	return -1;
}

enum engine_kind harness_engine_kind(void)
{
	static int kind = -1;
	struct docker d;

	if (kind < 0 && harness_docker(&d) == 0) {
		kind = d.kind;
		docker_close(&d);
	}
	return kind < 0 ? ENGINE_DOCKER : (enum engine_kind)kind;
}

bool harness_phase_reported(const char *phase)
{
	const char *type;

	/* ready is the service's own, on every engine */
	return strcmp(phase, "ready") == 0 ||
	       engine_phase_action(harness_engine_kind(), phase, &type) != NULL;
}

int harness_engine(const char *command)
{
	const char *dir = getenv("RP_ENGINE_DIR"), *script = getenv("RP_ENGINE_SCRIPT");
	int status;
	pid_t pid;

	if (!dir)
		return -1;
	pid = fork();
	if (pid == 0) {
		execlp("bash", "bash", script ? script : "scripts/private-dockerd.sh", command, dir,
		       (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int harness_put_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return -1;
	rc = fputs(text, f) < 0 ? -1 : 0;
	return fclose(f) || rc ? -1 : 0;
}

char *harness_slurp(const char *path)
{
	char *buf = malloc(1 << 20);

	if (buf && file_read_small(path, buf, 1 << 20) < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int harness_count_text(const char *text, const char *needle)
{
	int n = 0;

	for (const char *p = text; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

int harness_run_id(const char *log_path, char *out, size_t len, int timeout_s)
{
	char *log, *p;
	int rc = -1;

	if (harness_wait_for_text(log_path, ": run ", timeout_s))
		return -1;
	log = harness_slurp(log_path);
	p = log ? strstr(log, ": run ") : NULL;
	if (p) {
		p += 6;
		size_t n = strcspn(p, ", \n");

		if (n && n < len) {
			memcpy(out, p, n);
			out[n] = '\0';
			rc = 0;
		}
	}
	free(log);
	return rc;
}

int harness_free_port(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

struct http_body {
	char *data;
	size_t len;
};

static size_t body_append(char *ptr, size_t size, size_t n, void *ctx)
{
	struct http_body *b = ctx;
	char *grown = realloc(b->data, b->len + size * n + 1);

	if (!grown)
		return 0;
	memcpy(grown + b->len, ptr, size * n);
	b->len += size * n;
	grown[b->len] = '\0';
	b->data = grown;
	return size * n;
}

int harness_http_get(const char *url, int timeout_s, char **body)
{
	struct http_body b = {.data = calloc(1, 1)};
	long status = -1;
	CURL *c;

	if (body)
		*body = NULL;
	http_global_init();
	if (strncmp(url, "http://127.0.0.1:", 17) != 0 || !b.data || !(c = curl_easy_init())) {
		free(b.data);
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)timeout_s);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, body_append);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (body && status >= 0)
		*body = b.data;
	else
		free(b.data);
	return (int)status;
}
