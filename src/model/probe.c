// SPDX-License-Identifier: GPL-2.0-only
#include "model/probe.h"

#include <stdio.h>
#include <string.h>

#include "util/names.h"

static const char *const names[PROBE_PATH_COUNT] = {
	[PROBE_FENTRY] = "fentry",	   [PROBE_KPROBE] = "kprobe",
	[PROBE_TP_BTF] = "tp_btf",	   [PROBE_RAW_TP] = "raw_tp",
	[PROBE_TRACEPOINT] = "tracepoint", [PROBE_PERF_EVENT] = "perf_event",
};

const char *probe_path_name(int path)
{
	return path >= 0 && path < PROBE_PATH_COUNT ? names[path] : "none";
}

int probe_path_from_name(const char *name)
{
	return name_lookup(names, PROBE_PATH_COUNT, name);
}

int probe_paths_parse(const char *list, unsigned *mask, char *err, size_t errlen)
{
	const char *p = list;
	unsigned m = 0;

	if (strcmp(list, "all") == 0) {
		*mask = PROBE_PATHS_ALL;
		return 0;
	}
	while (*p) {
		size_t len = strcspn(p, ",");
		char word[32];
		int path;

		if (len == 0 || len >= sizeof(word)) {
			snprintf(err, errlen,
				 "--probe-paths '%.60s': give a comma-separated list of "
				 "fentry, kprobe, tp_btf, raw_tp, tracepoint, perf_event",
				 list);
			return -1;
		}
		memcpy(word, p, len);
		word[len] = '\0';
		path = probe_path_from_name(word);
		if (path < 0) {
			snprintf(err, errlen,
				 "--probe-paths: unknown path '%.30s' (fentry, kprobe, "
				 "tp_btf, raw_tp, tracepoint, perf_event)",
				 word);
			return -1;
		}
		m |= 1u << path;
		p += len;
		if (*p == ',')
			p++;
	}
	if (!m) {
		snprintf(err, errlen, "--probe-paths: give at least one path");
		return -1;
	}
	*mask = m;
	return 0;
}
