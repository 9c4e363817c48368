// SPDX-License-Identifier: GPL-2.0-only
#include "engine/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/array.h"
#include "util/clock.h"

#define BODY_LIMIT	   (64u << 20) /* no engine answer we read is anywhere near this */
#define BUF_LIMIT	   (1u << 30)  /* any buffer: an image tar stays far below */
#define CONNECT_TIMEOUT_MS 10000L

struct http_client {
	CURL *curl;
	char socket_path[108];
	char version[16];
	atomic_int sock;
	atomic_bool cancelled;
	int (*abort_check)(void);
};

struct transfer {
	struct http_client *c;
	const struct http_stream_ops *ops;
	struct http_result *res;
	int status_sent;
	int aborted;
	http_read_cb read; /* uploads: the body, a piece at a time */
	void *read_ctx;
};

/* libcurl's read callback (size, nitems) in terms of http_read_cb (bytes). */
static size_t on_read(char *buf, size_t size, size_t nitems, void *ctx)
{
	struct transfer *t = ctx;

	return t->read(buf, size * nitems, t->read_ctx);
}

int http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_NOTHING) == CURLE_OK ? 0 : -1;
}

struct http_client *http_client_new(const char *socket_path)
{
	struct http_client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (strlen(socket_path) >= sizeof(c->socket_path)) {
		free(c);
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(c->socket_path, socket_path);
	atomic_init(&c->sock, -1);
	c->curl = curl_easy_init();
	if (!c->curl) {
		free(c);
		return NULL;
	}
	return c;
}

void http_client_free(struct http_client *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	free(c);
}

void http_client_set_version(struct http_client *c, const char *version)
{
	snprintf(c->version, sizeof(c->version), "%s", version ? version : "");
}

void http_client_cancel(struct http_client *c)
{
	int fd = atomic_load(&c->sock);

	atomic_store(&c->cancelled, true);
	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
}

int http_buf_append(struct http_buf *b, const void *data, size_t len)
{
	if (len > BUF_LIMIT || b->len + len + 1 > BUF_LIMIT)
		return -1;
	if (array_reserve((void **)&b->data, &b->cap, b->len + len + 1, 1))
		return -1;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return 0;
}

void http_buf_free(struct http_buf *b)
{
	free(b->data);
	*b = (struct http_buf){0};
}

void http_result_free(struct http_result *res)
{
	http_buf_free(&res->body);
}

static curl_socket_t open_socket(void *ctx, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct http_client *c = ctx;
	int fd;

	(void)purpose;
	fd = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
	atomic_store(&c->sock, fd);
	return fd < 0 ? CURL_SOCKET_BAD : fd;
}

static int close_socket(void *ctx, curl_socket_t fd)
{
	struct http_client *c = ctx;

	atomic_compare_exchange_strong(&c->sock, &(int){fd}, -1);
	return close(fd);
}

static void report_status(struct transfer *t)
{
	if (t->status_sent)
		return;
	t->status_sent = 1;
	curl_easy_getinfo(t->c->curl, CURLINFO_RESPONSE_CODE, &t->res->status);
	if (t->ops && t->ops->on_status)
		t->ops->on_status(t->res->status, t->ops->ctx);
}

static size_t on_header(char *buf, size_t size, size_t n, void *ctx)
{
	struct transfer *t = ctx;

	/* The blank line ends the headers: streams learn their status before any body. */
	if (size * n == 2 && buf[0] == '\r' && buf[1] == '\n') {
		long code = 0;

		curl_easy_getinfo(t->c->curl, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 200)
			report_status(t);
	}
	return size * n;
}

static size_t on_body(char *buf, size_t size, size_t n, void *ctx)
{
	struct transfer *t = ctx;
	size_t len = size * n;

	report_status(t);
	if (t->ops && t->ops->on_data) {
		if (t->ops->on_data(buf, len, t->ops->ctx)) {
			t->aborted = 1;
			return CURL_WRITEFUNC_ERROR;
		}
		return len;
	}
	if (t->res->body.len + len > BODY_LIMIT || http_buf_append(&t->res->body, buf, len) < 0)
		return CURL_WRITEFUNC_ERROR;
	return len;
}

static int on_progress(void *ctx, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct http_client *cl = ctx;

	(void)a, (void)b, (void)c, (void)d;
	return atomic_load(&cl->cancelled) || (cl->abort_check && cl->abort_check()) ? 1 : 0;
}

void http_client_set_abort(struct http_client *c, int (*check)(void))
{
	c->abort_check = check;
}

/* One short reason per kind of failure: callers prefix what the call was for. */
static void describe_failure(struct http_client *c, CURLcode rc, long timeout_ms,
			     struct http_result *res)
{
	if (atomic_load(&c->cancelled) || rc == CURLE_ABORTED_BY_CALLBACK) {
		res->failure = HTTP_ABORTED;
		snprintf(res->error, sizeof(res->error), "cancelled");
	} else if (rc == CURLE_COULDNT_CONNECT) {
		res->failure = HTTP_NO_CONNECT;
		snprintf(res->error, sizeof(res->error), "cannot connect to %s", c->socket_path);
	} else if (rc == CURLE_OPERATION_TIMEDOUT) {
		res->failure = HTTP_TIMED_OUT;
		snprintf(res->error, sizeof(res->error), "no answer within %g s",
			 (timeout_ms > 0 ? timeout_ms : CONNECT_TIMEOUT_MS) / 1000.0);
	} else {
		res->failure = HTTP_BROKEN;
		snprintf(res->error, sizeof(res->error), "%s", curl_easy_strerror(rc));
	}
}

static int perform(struct http_client *c, const char *method, const char *path,
		   struct curl_slist *headers, long timeout_ms, struct transfer *t)
{
	CURL *h = c->curl;
	char url[2048];
	CURLcode rc;
	int n;

	if (c->version[0])
		n = snprintf(url, sizeof(url), "http://docker/v%s%s", c->version, path);
	else
		n = snprintf(url, sizeof(url), "http://docker%s", path);
	if (n < 0 || (size_t)n >= sizeof(url)) {
		snprintf(t->res->error, sizeof(t->res->error), "request path too long");
		return -1;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, c->socket_path);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			 timeout_ms > 0 && timeout_ms < CONNECT_TIMEOUT_MS ? timeout_ms
									   : CONNECT_TIMEOUT_MS);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, t);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, open_socket);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, c);
	curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, close_socket);
	curl_easy_setopt(h, CURLOPT_CLOSESOCKETDATA, c);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);

	t->res->start_ns = wall_ns();
	int64_t t0 = mono_ns();

	rc = curl_easy_perform(h);
	t->res->duration_ns = mono_ns() - t0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &t->res->status);
	/* Reset per-call state so the reused handle carries nothing into the next call. */
	curl_easy_setopt(h, CURLOPT_UPLOAD, 0L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, -1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, NULL);
	if (rc == CURLE_OK || (t->aborted && t->res->status))
		return 0;
	describe_failure(c, rc, timeout_ms, t->res);
	/* A stream that already answered and then ended uncleanly still answered. */
	if (t->ops && t->res->status)
		return 0;
	return -1;
}

static struct curl_slist *content_headers(const char *content_type)
{
	struct curl_slist *h = curl_slist_append(NULL, "Expect:");
	char line[128];

	if (content_type) {
		snprintf(line, sizeof(line), "Content-Type: %s", content_type);
		h = curl_slist_append(h, line);
	}
	return h;
}

int http_call(struct http_client *c, const char *method, const char *path, const char *content_type,
	      const void *body, size_t body_len, long timeout_ms, struct http_result *res)
{
	struct transfer t = {.c = c, .res = res};
	struct curl_slist *headers = content_headers(content_type);
	int rc;

	memset(res, 0, sizeof(*res));
	atomic_store(&c->cancelled, false);
	if (body) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
	} else if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, 0L);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, "");
	} else {
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	}
	rc = perform(c, method, path, headers, timeout_ms, &t);
	curl_slist_free_all(headers);
	return rc;
}

int http_upload(struct http_client *c, const char *method, const char *path,
		const char *content_type, http_read_cb read, void *ctx, long timeout_ms,
		struct http_result *res)
{
	struct transfer t = {.c = c, .res = res, .read = read, .read_ctx = ctx};
	struct curl_slist *headers = content_headers(content_type);
	int rc;

	memset(res, 0, sizeof(*res));
	atomic_store(&c->cancelled, false);
	headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
	curl_easy_setopt(c->curl, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c->curl, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(c->curl, CURLOPT_READDATA, &t);
	rc = perform(c, method, path, headers, timeout_ms, &t);
	curl_slist_free_all(headers);
	return rc;
}

int http_stream(struct http_client *c, const char *method, const char *path,
		const struct http_stream_ops *ops, struct http_result *res)
{
	struct transfer t = {.c = c, .ops = ops, .res = res};
	struct curl_slist *headers = content_headers(NULL);
	int rc;

	memset(res, 0, sizeof(*res));
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE, 0L);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, "");
	} else {
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
	}
	rc = perform(c, method, path, headers, 0, &t);
	if (res->status && !t.status_sent)
		report_status(&t);
	curl_slist_free_all(headers);
	return rc;
}
