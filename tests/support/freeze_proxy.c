// SPDX-License-Identifier: GPL-2.0-only
#include "support/freeze_proxy.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* One client connection and its twin to the engine; two threads copy, the last closes. */
struct proxied {
	int client, engine;
	atomic_int threads_left;
};

struct copy_job {
	struct proxied *conn;
	int from, to;
};

static int unix_address(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -1;
	strcpy(a->sun_path, path);
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void *copy_one_way(void *arg)
{
	struct copy_job *job = arg;
	struct proxied *conn = job->conn;
	char buf[65536];

	for (;;) {
		ssize_t n = read(job->from, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || write_all(job->to, buf, (size_t)n))
			break;
	}
	shutdown(job->to, SHUT_WR);
	if (atomic_fetch_sub(&conn->threads_left, 1) == 1) {
		close(conn->client);
		close(conn->engine);
		free(conn);
	}
	free(job);
	return NULL;
}

static void start_copy(struct proxied *conn, int from, int to)
{
	struct copy_job *job = malloc(sizeof(*job));
	pthread_t t;

	*job = (struct copy_job){conn, from, to};
	if (pthread_create(&t, NULL, copy_one_way, job) == 0)
		pthread_detach(t);
}

static void forward(int client, const struct sockaddr_un *upstream)
{
	struct proxied *conn;
	int engine = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (engine < 0 || connect(engine, (const struct sockaddr *)upstream, sizeof(*upstream))) {
		if (engine >= 0)
			close(engine);
		close(client);
		return;
	}
	conn = malloc(sizeof(*conn));
	conn->client = client;
	conn->engine = engine;
	atomic_init(&conn->threads_left, 2);
	start_copy(conn, client, engine);
	start_copy(conn, engine, client);
}

static void serve(int listener, const struct sockaddr_un *upstream)
{
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		int client = accept4(listener, NULL, NULL, SOCK_CLOEXEC);

		if (client >= 0)
			forward(client, upstream);
		else if (errno != EINTR)
			_exit(1);
	}
}

int freeze_proxy_start(struct freeze_proxy *p, const char *listen_path, const char *upstream_path)
{
	struct sockaddr_un here, upstream;
	int listener;

	memset(p, 0, sizeof(*p));
	if (unix_address(listen_path, &here) || unix_address(upstream_path, &upstream))
		return -1;
	snprintf(p->path, sizeof(p->path), "%s", listen_path);
	snprintf(p->host, sizeof(p->host), "unix://%s", listen_path);
	unlink(listen_path);
	listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listener < 0 || bind(listener, (struct sockaddr *)&here, sizeof(here)) ||
	    listen(listener, 512)) {
		if (listener >= 0)
			close(listener);
		return -1;
	}
	p->pid = fork();
	if (p->pid == 0)
		serve(listener, &upstream);
	close(listener);
	return p->pid > 0 ? 0 : -1;
}

void freeze_proxy_freeze(struct freeze_proxy *p)
{
	kill(p->pid, SIGSTOP);
}

void freeze_proxy_thaw(struct freeze_proxy *p)
{
	kill(p->pid, SIGCONT);
}

void freeze_proxy_stop(struct freeze_proxy *p)
{
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, NULL, 0);
	}
	p->pid = 0;
	unlink(p->path);
}
