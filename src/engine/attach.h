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

struct attach_stream;

/*
 * Attaches to the container's stdout and stderr in a thread and returns once the engine has
 * accepted (so start can follow without losing output), or fails. *call_ns gets the wall time
 * the request was sent and *dur_ns how long acceptance took.
 */
int attach_open(const char *socket_path, const char *api_version, const char *id, attach_line_cb cb,
		void *ctx, struct attach_stream **out, int64_t *call_ns, int64_t *dur_ns, char *err,
		size_t errlen);
void attach_close(struct attach_stream *as);

#endif
