#include "trace/symbols.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/ksyms.h"
#include "util/proc.h"

/* A line at a time: the text of /proc/kallsyms is several MiB, its table about half of it. */
int ksyms_load(const char *path, struct ksyms **out)
{
	FILE *f = fopen(path, "re");
	struct ksyms *ks = NULL;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int e = 0;

	*out = NULL;
	if (!f)
		return -errno;
	ks = ksyms_new();
	if (!ks) {
		e = -ENOMEM;
		goto cleanup;
	}
	errno = 0;
	while ((n = getline(&line, &cap, f)) > 0)
		if ((e = ksyms_add_line(ks, line, (size_t)n - (line[n - 1] == '\n'))))
			goto cleanup;
	if (ferror(f)) {
		e = errno ? -errno : -EIO;
		goto cleanup;
	}
	ksyms_finish(ks);
	*out = ks;
	ks = NULL;
cleanup:
	ksyms_free(ks);
	free(line);
	fclose(f);
	return e;
}

int ksyms_describe(const struct ksyms *ks, int load_err, char *out, size_t len)
{
	char kr[16] = "?";

	if (read_small_file("/proc/sys/kernel/kptr_restrict", kr, sizeof(kr)) > 0)
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
	snprintf(out, len,
		 "readable with addresses (kptr_restrict=%s), %zu function symbols: kernel "
		 "stacks are symbolized",
		 kr, ksyms_count(ks));
	return 0;
}
