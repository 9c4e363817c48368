// SPDX-License-Identifier: GPL-2.0-only
/* The /metrics endpoint: a listening socket of our own, served by libmicrohttpd. */
#include "metrics/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics/registry.h"

#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define INDEX_TEXT   "restartprof watch: Prometheus metrics at /metrics\n"

struct metrics_http {
	struct metrics *metrics;
	struct MHD_Daemon *daemon;
	int port;
};

static int parse_port(const char *s, in_port_t *port)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > 65535)
		return -EINVAL;
	*port = htons((uint16_t)v);
	return 0;
}

/* Splits "[v6]:port" or "v4:port" into host (in buf) and port text; -EINVAL with a reason. */
static int split_host_port(const char *s, char *buf, size_t cap, const char **port,
			   const char **why)
{
	const char *colon = strrchr(s, ':');
	size_t n;

	*why = "expected ADDR:PORT, e.g. " METRICS_LISTEN_DEFAULT " or [::1]:9617";
	if (!colon)
		return -EINVAL;
	if (s[0] == '[') {
		if (colon == s || colon[-1] != ']')
			return -EINVAL;
		s++;
		n = (size_t)(colon - 1 - s);
	} else {
		n = (size_t)(colon - s);
		if (memchr(s, ':', n)) {
			*why = "an IPv6 address goes in brackets, e.g. [::1]:9617";
			return -EINVAL;
		}
	}
	if (n == 0 || n >= cap)
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*port = colon + 1;
	return 0;
}

int metrics_listen_parse(const char *addr_port, struct sockaddr_storage *ss, socklen_t *len,
			 char *err, size_t errlen)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	const char *port, *why;
	char host[INET6_ADDRSTRLEN];
	int v6 = addr_port[0] == '[';

	memset(ss, 0, sizeof(*ss));
	if (split_host_port(addr_port, host, sizeof(host), &port, &why))
		goto bad;
	why = "the port must be a number from 0 to 65535";
	if (parse_port(port, v6 ? &in6->sin6_port : &in4->sin_port))
		goto bad;
	why = v6 ? "not an IPv6 address" : "not a numeric IPv4 address (names are not resolved)";
	if (inet_pton(v6 ? AF_INET6 : AF_INET, host,
		      v6 ? (void *)&in6->sin6_addr : &in4->sin_addr) != 1)
		goto bad;
	ss->ss_family = v6 ? AF_INET6 : AF_INET;
	*len = v6 ? sizeof(*in6) : sizeof(*in4);
	return 0;
bad:
	snprintf(err, errlen, "--listen %s: %s", addr_port, why);
	return -EINVAL;
}

static const char *bind_reason(int e)
{
	switch (e) {
	case EADDRINUSE:
		return "address in use";
	case EADDRNOTAVAIL:
		return "no such address on this host";
	case EACCES:
		return "permission denied";
	default:
		return strerror(e);
	}
}

/* A listening TCP socket on ss: fd, or -errno. */
static int listen_on(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, e;

	if (fd < 0)
		return -errno;
	/* A restarted watch binds again at once, whatever connections are in TIME_WAIT. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* [::]:PORT means IPv6 only, as written; 0.0.0.0:PORT is another --listen. */
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, len) < 0 || listen(fd, 16) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, struct MHD_Response *r)
{
	enum MHD_Result rc;

	if (!r)
		return MHD_NO;
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				status == MHD_HTTP_OK ? CONTENT_TYPE : "text/plain");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static struct MHD_Response *text_response(const char *text)
{
	return MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *conn, const char *url,
			     const char *method, const char *version, const char *upload_data,
			     size_t *upload_data_size, void **req_cls)
{
	struct metrics_http *h = cls;
	char *buf;
	size_t len;

	(void)version, (void)upload_data, (void)upload_data_size, (void)req_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED, text_response("GET only\n"));
	if (strcmp(url, "/") == 0)
		return reply(conn, MHD_HTTP_OK, text_response(INDEX_TEXT));
	if (strcmp(url, "/metrics") != 0)
		return reply(conn, MHD_HTTP_NOT_FOUND, text_response("not found: try /metrics\n"));
	if (metrics_render(h->metrics, &buf, &len))
		return reply(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
			     text_response("out of memory\n"));
	/* MUST_FREE hands buf to libmicrohttpd, which free()s it after sending. */
	return reply(conn, MHD_HTTP_OK,
		     MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE));
}

int metrics_http_start(struct metrics *m, const char *addr_port, struct metrics_http **out,
		       char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct metrics_http *h;
	socklen_t len;
	int fd, rc;

	rc = metrics_listen_parse(addr_port, &ss, &len, err, errlen);
	if (rc)
		return rc;
	fd = listen_on(&ss, len);
	if (fd < 0) {
		snprintf(err, errlen, "--listen %s: %s", addr_port, bind_reason(-fd));
		return fd;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		close(fd);
		snprintf(err, errlen, "--listen %s: out of memory", addr_port);
		return -ENOMEM;
	}
	h->metrics = m;
	h->port = bound_port(fd);
	/* A few scrapers at most: a small connection limit and timeout bound what a client that
	 * opens connections and never finishes a request can hold. */
	h->daemon = MHD_start_daemon(
		MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, serve, h, MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)16, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned)10, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)32768, MHD_OPTION_END);
	if (!h->daemon) {
		/* Not closed here: libmicrohttpd closes the socket on its failure paths past
		 * option parsing, and a second close could hit another thread's new fd. */
		free(h);
		snprintf(err, errlen, "--listen %s: the HTTP server did not start", addr_port);
		return -EIO;
	}
	*out = h;
	return 0;
}

int metrics_http_port(const struct metrics_http *h)
{
	return h->port;
}

void metrics_http_stop(struct metrics_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->daemon); /* also closes the listening socket */
	free(h);
}
