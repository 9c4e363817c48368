// SPDX-License-Identifier: GPL-2.0-only
/* A container's output, as `docker run` gets it: attach before start, read lines as they come. */
#ifndef RP_ENGINE_ATTACH_H
#define RP_ENGINE_ATTACH_H

#include <stddef.h>
#include <stdint.h>

#define ATTACH_LINE_MAX 4096

/* stream: 1 stdout, 2 stderr. recv_ns: wall clock when the line arrived. */
typedef void (*attach_line_cb)(int stream, const char *line, size_t len, int64_t recv_ns,
			       void *ctx);

/* Splits the engine's multiplexed stream (8-byte frame headers) into lines per stream. */
struct attach_demux {
	unsigned char hdr[8];
	size_t hdr_len;
	size_t frame_left;
	int frame_stream;
	char line[3][ATTACH_LINE_MAX];
	size_t line_len[3];
	attach_line_cb cb;
	void *ctx;
	int64_t now_ns;
};

void attach_demux_init(struct attach_demux *d, attach_line_cb cb, void *ctx);
/* Returns -1 on a frame header no engine would send (the stream is then unreadable). */
int attach_demux_feed(struct attach_demux *d, const char *data, size_t len, int64_t now_ns);
/* Delivers what is left of unterminated lines. */
void attach_demux_flush(struct attach_demux *d);

/*
 * The last lines a container without a TTY wrote (stdout and stderr as they came), joined by
 * " | " into out. 0, or -errno with d->err.
 */
struct docker;
int attach_log_tail(struct docker *d, const char *id, int lines, char *out, size_t len);

struct attach_stream;

/* Where and how long to wait for the engine to accept an attach. */
struct attach_target {
	const char *socket_path;
	const char *api_version;
	const char *id;
	long timeout_ms;	  /* -ETIMEDOUT when the engine has not accepted by then */
	int (*abort_check)(void); /* -EINTR when it turns non-zero first; may be NULL */
};

/*
 * Attaches to the container's stdout and stderr in a thread and returns once the engine has
 * accepted (so start can follow without losing output), or fails. *call_ns gets the wall time
 * the request was sent and *dur_ns how long acceptance took.
 */
int attach_open(const struct attach_target *at, attach_line_cb cb, void *ctx,
		struct attach_stream **out, int64_t *call_ns, int64_t *dur_ns, char *err,
		size_t errlen);
void attach_close(struct attach_stream *as);

#endif
