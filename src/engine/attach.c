// SPDX-License-Identifier: GPL-2.0-only
#include "engine/attach.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/docker.h"
#include "engine/http.h"
#include "util/clock.h"
#include "util/wait.h"

void attach_demux_init(struct attach_demux *d, attach_line_cb cb, void *ctx)
{
	memset(d, 0, sizeof(*d));
	d->cb = cb;
	d->ctx = ctx;
}

static void emit_line(struct attach_demux *d, int s)
{
	d->cb(s, d->line[s], d->line_len[s], d->now_ns, d->ctx);
	d->line_len[s] = 0;
}

static void split_lines(struct attach_demux *d, int s, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\n') {
			emit_line(d, s);
			continue;
		}
		/* An over-long line is delivered in pieces rather than dropped. */
		if (d->line_len[s] == ATTACH_LINE_MAX - 1)
			emit_line(d, s);
		d->line[s][d->line_len[s]++] = p[i];
		d->line[s][d->line_len[s]] = '\0';
	}
}

int attach_demux_feed(struct attach_demux *d, const char *data, size_t len, int64_t now_ns)
{
	d->now_ns = now_ns;
	while (len > 0) {
		if (d->frame_left == 0) {
			size_t take = 8 - d->hdr_len < len ? 8 - d->hdr_len : len;

			memcpy(d->hdr + d->hdr_len, data, take);
			d->hdr_len += take;
			data += take;
			len -= take;
			if (d->hdr_len < 8)
				return 0;
			d->hdr_len = 0;
			if (d->hdr[0] > 2 || d->hdr[1] || d->hdr[2] || d->hdr[3])
				return -1;
			d->frame_stream = d->hdr[0] == 2 ? 2 : 1;
			d->frame_left = (size_t)d->hdr[4] << 24 | (size_t)d->hdr[5] << 16 |
					(size_t)d->hdr[6] << 8 | d->hdr[7];
			continue;
		}
		size_t take = d->frame_left < len ? d->frame_left : len;

		split_lines(d, d->frame_stream, data, take);
		d->frame_left -= take;
		data += take;
		len -= take;
	}
	return 0;
}

void attach_demux_flush(struct attach_demux *d)
{
	for (int s = 1; s <= 2; s++)
		if (d->line_len[s])
			emit_line(d, s);
}

struct joined_lines {
	char *out;
	size_t len, used;
};

static void join_line(int stream, const char *line, size_t len, int64_t recv_ns, void *ctx)
{
	struct joined_lines *j = ctx;
	int n;

	(void)stream, (void)recv_ns;
	if (j->used >= j->len)
		return;
	n = snprintf(j->out + j->used, j->len - j->used, "%s%.*s", j->used ? " | " : "", (int)len,
		     line);
	j->used += n > 0 ? (size_t)n : 0;
}

int attach_log_tail(struct docker *d, const char *id, int lines, char *out, size_t len)
{
	struct joined_lines j = {out, len, 0};
	struct attach_demux *demux = malloc(sizeof(*demux));
	struct http_buf log;
	int rc;

	if (len)
		out[0] = '\0';
	if (!demux)
		return -ENOMEM;
	rc = docker_container_logs(d, id, lines, &log);
	if (rc == 0) {
		attach_demux_init(demux, join_line, &j);
		if (attach_demux_feed(demux, log.data ? log.data : "", log.len, 0) < 0) {
			snprintf(d->err, sizeof(d->err), "logs: not a multiplexed stream");
			rc = -EPROTO;
		}
		attach_demux_flush(demux);
	}
	http_buf_free(&log);
	free(demux);
	return rc;
}

struct attach_stream {
	struct http_client *http;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct attach_demux demux;
	char path[256];
	long status;
	int answered;
	int broken;
	int64_t answered_mono;
};

static void on_status(long status, void *ctx)
{
	struct attach_stream *as = ctx;

	pthread_mutex_lock(&as->lock);
	as->status = status;
	as->answered = 1;
	as->answered_mono = mono_ns();
	pthread_cond_broadcast(&as->cond);
	pthread_mutex_unlock(&as->lock);
}

static int on_data(const char *data, size_t len, void *ctx)
{
	struct attach_stream *as = ctx;

	if (attach_demux_feed(&as->demux, data, len, wall_ns()) < 0) {
		as->broken = 1;
		return 1;
	}
	return 0;
}

static void *attach_main(void *arg)
{
	struct attach_stream *as = arg;
	struct http_stream_ops ops = {.on_status = on_status, .on_data = on_data, .ctx = as};
	struct http_result res;

	http_stream(as->http, "POST", as->path, &ops, &res);
	http_result_free(&res);
	attach_demux_flush(&as->demux);
	pthread_mutex_lock(&as->lock);
	as->answered = 1;
	pthread_cond_broadcast(&as->cond);
	pthread_mutex_unlock(&as->lock);
	return NULL;
}

/* Waits until the engine accepted the stream, the bound passed or the abort check fired. */
static int wait_accepted(struct attach_stream *as, const struct attach_target *at, int64_t t0)
{
	int64_t deadline = t0 + (int64_t)at->timeout_ms * NSEC_PER_MSEC;
	int rc;

	pthread_mutex_lock(&as->lock);
	rc = cond_wait_flag(&as->cond, &as->lock, &as->answered, deadline, at->abort_check);
	pthread_mutex_unlock(&as->lock);
	return rc;
}

int attach_open(const struct attach_target *at, attach_line_cb cb, void *ctx,
		struct attach_stream **out, int64_t *call_ns, int64_t *dur_ns, char *err,
		size_t errlen)
{
	struct attach_stream *as;
	int64_t t0;
	int rc;

	if (!docker_name_valid(at->id)) {
		snprintf(err, errlen, "attach: invalid container id");
		return -EINVAL;
	}
	as = calloc(1, sizeof(*as));
	if (!as)
		return -ENOMEM;
	pthread_mutex_init(&as->lock, NULL);
	pthread_cond_init(&as->cond, NULL);
	attach_demux_init(&as->demux, cb, ctx);
	snprintf(as->path, sizeof(as->path),
		 "/containers/%s/attach?stream=1&stdout=1&stderr=1&logs=0", at->id);
	as->http = http_client_new(at->socket_path);
	if (!as->http)
		goto fail;
	http_client_set_version(as->http, at->api_version);
	*call_ns = wall_ns();
	t0 = mono_ns();
	if (pthread_create(&as->thread, NULL, attach_main, as)) {
		http_client_free(as->http);
		goto fail;
	}
	rc = wait_accepted(as, at, t0);
	*dur_ns = (as->answered_mono ? as->answered_mono : mono_ns()) - t0;
	if (rc == -ETIMEDOUT)
		snprintf(err, errlen, "attach: no answer from the engine within %g s",
			 at->timeout_ms / 1000.0);
	else if (rc == -EINTR)
		snprintf(err, errlen, "attach: interrupted");
	else if (as->status != 200)
		snprintf(err, errlen, "attach: engine answered %ld", as->status);
	if (rc == 0 && as->status != 200)
		rc = as->status ? -EIO : -ECOMM;
	if (rc) {
		attach_close(as);
		return rc;
	}
	*out = as;
	return 0;
fail:
	snprintf(err, errlen, "attach: cannot start the stream");
	pthread_mutex_destroy(&as->lock);
	pthread_cond_destroy(&as->cond);
	free(as);
	return -ENOMEM;
}

void attach_close(struct attach_stream *as)
{
	if (!as)
		return;
	http_client_cancel(as->http);
	pthread_join(as->thread, NULL);
	http_client_free(as->http);
	pthread_mutex_destroy(&as->lock);
	pthread_cond_destroy(&as->cond);
	free(as);
}
