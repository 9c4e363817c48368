// SPDX-License-Identifier: GPL-2.0-only
/*
 * restartprof-svc: the default target service. Statically linked, it runs in an image that holds
 * nothing else. It prints a wall-clock timestamp when it starts, when it is ready (listening),
 * and when SIGTERM arrives, and answers "ok" on a TCP port.
 *
 *   restartprof-svc [--port N] [--startup-ms N] [--no-listen] [--exit-code N]
 *
 * --startup-ms sleeps before listening (a slow service), --no-listen never becomes ready,
 * --exit-code exits right after the start line with that code (a service that crashes).
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t term_requested;

static void on_term(int sig)
{
	(void)sig;
	term_requested = 1;
}

static void stamp(const char *what)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	printf("restartprof-svc %s %lld.%09ld\n", what, (long long)ts.tv_sec, ts.tv_nsec);
	fflush(stdout);
}

static int listen_on(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 64) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void serve(int fd)
{
	static const char reply[] = "ok\n";

	while (!term_requested) {
		struct pollfd p = {.fd = fd, .events = POLLIN};

		if (poll(&p, 1, -1) <= 0)
			continue;
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

		if (c >= 0) {
			(void)!write(c, reply, sizeof(reply) - 1);
			close(c);
		}
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = {.sa_handler = on_term};
	int port = 8080, startup_ms = 0, listen_wanted = 1, exit_code = -1;
	int fd = -1;

	stamp("start");
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
			port = atoi(argv[++i]);
		else if (strcmp(argv[i], "--startup-ms") == 0 && i + 1 < argc)
			startup_ms = atoi(argv[++i]);
		else if (strcmp(argv[i], "--no-listen") == 0)
			listen_wanted = 0;
		else if (strcmp(argv[i], "--exit-code") == 0 && i + 1 < argc)
			exit_code = atoi(argv[++i]);
		else {
			fprintf(stderr, "restartprof-svc: unknown argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (exit_code >= 0)
		return exit_code;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (startup_ms > 0) {
		struct timespec d = {startup_ms / 1000, (startup_ms % 1000) * 1000000L};

		while (nanosleep(&d, &d) < 0 && errno == EINTR && !term_requested)
			;
	}
	if (listen_wanted && !term_requested) {
		fd = listen_on(port);
		if (fd < 0) {
			fprintf(stderr, "restartprof-svc: cannot listen on %d: %s\n", port,
				strerror(errno));
			return 1;
		}
		stamp("ready");
		serve(fd);
	} else {
		while (!term_requested)
			pause();
	}
	stamp("term");
	if (fd >= 0)
		close(fd);
	return 0;
}
