// SPDX-License-Identifier: GPL-2.0-only
/* HTTP over the engine's unix socket, with libcurl. One client per thread. */
#ifndef RP_ENGINE_HTTP_H
#define RP_ENGINE_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct http_client;

struct http_buf {
	char *data; /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;
};

/* Why a call returned -1. */
enum http_failure {
	HTTP_OK,
	HTTP_NO_CONNECT, /* nothing listens on the socket */
	HTTP_TIMED_OUT,	 /* no complete answer within the call's timeout */
	HTTP_ABORTED,	 /* the abort check or http_client_cancel ended it */
	HTTP_BROKEN,	 /* any other transport failure */
};

struct http_result {
	long status; /* 0 when no response arrived */
	struct http_buf body;
	int64_t start_ns; /* wall clock */
	int64_t duration_ns;
	enum http_failure failure;
	char error[256]; /* transport error, when the call returned -1 */
};

/* Returns non-zero to abort the transfer. */
typedef int (*http_data_cb)(const char *data, size_t len, void *ctx);
typedef void (*http_status_cb)(long status, void *ctx);
typedef size_t (*http_read_cb)(char *buf, size_t len, void *ctx);

struct http_stream_ops {
	http_status_cb on_status; /* once, when the response headers are complete */
	http_data_cb on_data;
	void *ctx;
};

int http_global_init(void);
struct http_client *http_client_new(const char *socket_path);
void http_client_free(struct http_client *c);
/* Prefix every path with /vVERSION; NULL for unversioned paths. */
void http_client_set_version(struct http_client *c, const char *version);

/* 0 when an HTTP exchange completed (whatever the status), -1 on transport failure. */
int http_call(struct http_client *c, const char *method, const char *path, const char *content_type,
	      const void *body, size_t body_len, long timeout_ms, struct http_result *res);
int http_upload(struct http_client *c, const char *method, const char *path,
		const char *content_type, http_read_cb read, void *ctx, long timeout_ms,
		struct http_result *res);
/* Streams the response body to ops until it ends, on_data aborts, or http_client_cancel. */
int http_stream(struct http_client *c, const char *method, const char *path,
		const struct http_stream_ops *ops, struct http_result *res);
/* Calls on c abort when check() returns non-zero (polled at least once a second); NULL turns
 * it off. */
void http_client_set_abort(struct http_client *c, int (*check)(void));
/* From any thread: makes a running http_stream on c return promptly. */
void http_client_cancel(struct http_client *c);
void http_result_free(struct http_result *res);

int http_buf_append(struct http_buf *b, const void *data, size_t len);
void http_buf_free(struct http_buf *b);

#endif
