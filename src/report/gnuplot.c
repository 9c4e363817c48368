// SPDX-License-Identifier: GPL-2.0-only
#include "report/gnuplot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static bool executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

bool gnuplot_available(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (!prog || !*prog)
		return false;
	if (strchr(prog, '/'))
		return executable(prog);
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? path : ".", prog);
		if (executable(buf))
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void child(const char *prog, int dirfd, int outfd, int errfd, const char *script,
		  const char *fmt)
{
	char expr[64];
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	char *argv[] = {(char *)prog, "-e", expr, (char *)script, NULL};

	snprintf(expr, sizeof(expr), "fmt='%s'", fmt);
	if (fchdir(dirfd) < 0 || null < 0 || dup2(null, 0) < 0 || dup2(outfd, 1) < 0 ||
	    dup2(errfd, 2) < 0)
		_exit(126);
	execvp(prog, argv);
	dprintf(2, "cannot run %s: %s\n", prog, strerror(errno));
	_exit(127);
}

/* Collects what gnuplot says on stderr until it exits or time runs out; its exit status. */
static int wait_child(pid_t pid, int errfd, int timeout_s, bool (*cancelled)(void), char *msg,
		      size_t msglen, int *status)
{
	int64_t deadline = now_ms() + (int64_t)timeout_s * 1000;
	size_t used = 0;
	bool open_pipe = true;

	msg[0] = '\0';
	for (;;) {
		struct pollfd pfd = {.fd = errfd, .events = POLLIN};
		pid_t w;

		if (open_pipe && poll(&pfd, 1, 50) > 0) {
			char buf[512];
			ssize_t n = read(errfd, buf, sizeof(buf));

			if (n <= 0) {
				open_pipe = false;
			} else if (used + 1 < msglen) {
				size_t k = (size_t)n < msglen - 1 - used ? (size_t)n
									 : msglen - 1 - used;

				memcpy(msg + used, buf, k);
				used += k;
				msg[used] = '\0';
			}
		} else if (!open_pipe) {
			struct timespec ts = {0, 20 * 1000000};

			nanosleep(&ts, NULL);
		}
		w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			return 0;
		if (now_ms() > deadline || (cancelled && cancelled())) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			return now_ms() > deadline ? -ETIMEDOUT : -ECANCELED;
		}
	}
}

/* gnuplot's complaint in one line: its last non-empty line, which names the problem. */
static void one_line(const char *msg, char *out, size_t len)
{
	const char *best = NULL;
	size_t best_len = 0;

	for (const char *p = msg; *p;) {
		size_t n = strcspn(p, "\n");
		size_t k = strspn(p, " \t^");

		if (n > k) {
			best = p + k;
			best_len = n - k;
		}
		p += n + (p[n] == '\n');
	}
	snprintf(out, len, "%.*s", best ? (int)(best_len > 200 ? 200 : best_len) : 0,
		 best ? best : "");
}

int gnuplot_render(const char *prog, int dirfd, const char *script, const char *fmt,
		   const char *out, int timeout_s, bool (*cancelled)(void), char *err,
		   size_t errlen)
{
	char tmp[300], msg[4096], line[256];
	int errp[2], outfd, status = 0, rc;
	pid_t pid;

	snprintf(tmp, sizeof(tmp), ".%s.%d.tmp", out, (int)getpid());
	unlinkat(dirfd, tmp, 0);
	outfd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (outfd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot create %s: %s", out, strerror(-rc));
		return rc;
	}
	if (pipe2(errp, O_CLOEXEC) < 0) {
		rc = -errno;
		close(outfd);
		unlinkat(dirfd, tmp, 0);
		snprintf(err, errlen, "pipe: %s", strerror(-rc));
		return rc;
	}
	pid = fork();
	if (pid == 0)
		child(prog, dirfd, outfd, errp[1], script, fmt);
	close(errp[1]);
	rc = pid < 0 ? -errno
		     : wait_child(pid, errp[0], timeout_s, cancelled, msg, sizeof(msg), &status);
	close(errp[0]);
	if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		rc = WIFEXITED(status) && WEXITSTATUS(status) == 127 ? -ENOENT : -EIO;
	if (rc == 0 && fsync(outfd) < 0)
		rc = -errno;
	close(outfd);
	if (rc == 0 && renameat(dirfd, tmp, dirfd, out) < 0)
		rc = -errno;
	if (rc) {
		unlinkat(dirfd, tmp, 0);
		one_line(pid < 0 ? "" : msg, line, sizeof(line));
		snprintf(err, errlen, "gnuplot %s -> %s: %s", script, out,
			 line[0]	    ? line
			 : rc == -ETIMEDOUT ? "took too long"
			 : rc == -ECANCELED ? "interrupted"
					    : strerror(-rc));
	}
	return rc;
}

/* Text for a double-quoted gnuplot string: printable ASCII without quotes, backslashes or
 * backquotes (gnuplot substitutes commands in backquotes). */
void gnuplot_text(const char *in, char *out, size_t len)
{
	size_t o = 0;

	for (; *in && o + 1 < len; in++)
		if (*in >= 0x20 && *in < 0x7f && !strchr("\"\\`'", *in))
			out[o++] = *in;
	out[o] = '\0';
}
