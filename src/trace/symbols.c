#include "trace/symbols.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/ksyms.h"
#include "util/proc.h"

#define KALLSYMS_MAX (256u << 20)

/* The whole file: /proc files report no size, so read until the end. */
static int slurp(const char *path, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 1u << 20, n = 0;
	char *b;

	if (fd < 0)
		return -errno;
	b = malloc(cap);
	while (b) {
		ssize_t r;

		if (n == cap) {
			char *nb = cap < KALLSYMS_MAX ? realloc(b, cap * 2) : NULL;

			if (!nb)
				break;
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = r < 0 ? -errno : 0;

			close(fd);
			if (e) {
				free(b);
				return e;
			}
			*buf = b;
			*len = n;
			return 0;
		}
		n += (size_t)r;
	}
	free(b);
	close(fd);
	return -ENOMEM;
}

int ksyms_load(const char *path, struct ksyms **out)
{
	char *text = NULL;
	size_t len = 0;
	int e;

	*out = NULL;
	e = slurp(path, &text, &len);
	if (e)
		return e;
	e = ksyms_parse(text, len, out);
	free(text);
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
