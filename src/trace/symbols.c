// SPDX-License-Identifier: GPL-2.0-only
#include "trace/symbols.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/ksyms.h"
#include "util/files.h"
#include "util/proc.h"

/* Adds each line of path, without its newline, to ks; stops at the first error. */
static int read_kallsyms_lines(const char *path, struct ksyms *ks)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int e = 0;

	if (!f)
		return -errno;
	errno = 0;
	while ((n = getline(&line, &cap, f)) > 0)
		if ((e = ksyms_add_line(ks, line, (size_t)n - (line[n - 1] == '\n'))))
			break;
	if (!e && ferror(f))
		e = errno ? -errno : -EIO;
	free(line);
	fclose(f);
	return e;
}

/* A line at a time into the compact table: the text is some 5 MiB, the table a quarter of it. */
int ksyms_load(const char *path, struct ksyms **out)
{
	struct ksyms *ks = ksyms_new();
	int e;

	*out = NULL;
	if (!ks)
		return -ENOMEM;
	e = read_kallsyms_lines(path, ks);
	if (!e)
		e = ksyms_finish(ks);
	if (e) {
		ksyms_free(ks);
		return e;
	}
	*out = ks;
	return 0;
}

int ksyms_describe(const struct ksyms *ks, int load_err, char *out, size_t len)
{
	char kr[16] = "?";

	if (file_read_small("/proc/sys/kernel/kptr_restrict", kr, sizeof(kr)) > 0)
		kr[strcspn(kr, "\n")] = '\0';
	if (load_err || !ks) {
		snprintf(out, len, "%s is not readable (%s): kernel stacks stay addresses",
			 KALLSYMS_PATH, strerror(load_err < 0 ? -load_err : EINVAL));
		return -1;
	}
	if (ksyms_zeroed(ks)) {
		snprintf(out, len,
			 "addresses read as zero for this user (kptr_restrict=%s; addresses need "
			 "CAP_SYSLOG, or kptr_restrict=0 with perf_event_paranoid <= 1): kernel "
			 "stacks cannot be symbolized and stay addresses",
			 kr);
		return -1;
	}
	if (!ksyms_count(ks)) {
		snprintf(out, len, "no function symbols listed: kernel stacks stay addresses");
		return -1;
	}
	snprintf(
		out, len,
		"readable with addresses (kptr_restrict=%s), %zu function symbols (%.1f MiB held): "
		"kernel stacks are symbolized",
		kr, ksyms_count(ks), (double)ksyms_bytes(ks) / (1 << 20));
	return 0;
}
