// SPDX-License-Identifier: GPL-2.0-only
/* The on-CPU sampler's attachment: a software CPU-clock perf event per online CPU. */
#include "trace/oncpu_attach.h"

#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int open_clock(unsigned hz, int cpu)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_SOFTWARE;
	a.config = PERF_COUNT_SW_CPU_CLOCK;
	a.freq = 1;
	a.sample_freq = hz;
	return (int)syscall(SYS_perf_event_open, &a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

static void destroy_links(struct bpf_link **links, int n)
{
	for (int i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	free(links);
}

int oncpu_attach(struct bpf_program *prog, unsigned hz, struct bpf_link ***links, int *n, char *why,
		 size_t len)
{
	int ncpu = libbpf_num_possible_cpus(), k = 0;
	struct bpf_link **out;

	*links = NULL;
	*n = 0;
	if (ncpu <= 0) {
		snprintf(why, len, "cannot count the CPUs: %s", strerror(-ncpu));
		return -1;
	}
	out = calloc((size_t)ncpu, sizeof(*out));
	if (!out) {
		snprintf(why, len, "out of memory");
		return -1;
	}
	for (int cpu = 0; cpu < ncpu; cpu++) {
		int fd = open_clock(hz, cpu), err;

		if (fd < 0 && errno == ENODEV)
			continue; /* offline */
		if (fd < 0) {
			snprintf(why, len, "perf_event_open (software CPU clock, CPU %d): %s", cpu,
				 strerror(errno));
			goto fail;
		}
		out[k] = bpf_program__attach_perf_event(prog, fd);
		if (!out[k]) {
			err = errno;
			close(fd);
			snprintf(why, len,
				 "loaded, but attaching to the CPU clock of CPU %d failed: %s", cpu,
				 strerror(err));
			goto fail;
		}
		k++;
	}
	if (!k) {
		snprintf(why, len, "no online CPU has a CPU clock event");
		goto fail;
	}
	*links = out;
	*n = k;
	return 0;
fail:
	destroy_links(out, k);
	return -1;
}
