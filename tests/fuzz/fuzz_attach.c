// SPDX-License-Identifier: GPL-2.0-only
/* A container's multiplexed output stream, as the engine's attach endpoint sends it. */
#include <stddef.h>
#include <stdint.h>

#include "engine/attach.h"
#include "trial/ready.h"

static void on_line(int stream, const char *line, size_t len, int64_t recv_ns, void *ctx)
{
	int64_t ns;

	(void)stream, (void)recv_ns;
	(*(size_t *)ctx)++;
	line_timestamp(line, len, &ns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct attach_demux d;
	size_t lines = 0;

	if (size == 0)
		return 0;
	attach_demux_init(&d, on_line, &lines);
	size_t chunk = (size_t)data[0] % 32 + 1;

	for (size_t off = 1; off < size; off += chunk)
		if (attach_demux_feed(&d, (const char *)data + off,
				      size - off < chunk ? size - off : chunk, 0) < 0)
			return 0;
	attach_demux_flush(&d);
	return 0;
}
