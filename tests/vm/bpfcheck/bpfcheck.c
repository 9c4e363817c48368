// SPDX-License-Identifier: GPL-2.0-only
// restartprof VM lab: which BPF attach types does this kernel load and attach?
//   bpfcheck [probes.bpf.o]
// For each program of the object, alone: open, load, attach, make it fire (read a file,
// sleep), count its hits. One line per program:
//   <name> load=<ok|errno> attach=<ok|errno> hits=<n>  [first libbpf/kernel complaint]
// Exit code 0 when every program loaded and attached, 1 otherwise, 2 on a usage error.
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static char why[512];

static int on_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char line[512];

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = 0;
	if (!why[0] && line[0])
		snprintf(why, sizeof(why), "%s", line);
	return 0;
}

static void fire(void)
{
	char buf[256];
	struct timespec ts = {0, 20 * 1000 * 1000};

	for (int i = 0; i < 20; i++) {
		int fd = open("/proc/self/stat", O_RDONLY);
		if (fd >= 0) {
			if (read(fd, buf, sizeof(buf)) < 0)
				perror("read");
			close(fd);
		}
		nanosleep(&ts, NULL);
	}
	int fd = open("/dev/vda", O_RDONLY | O_DIRECT);
	if (fd >= 0) {
		void *p = NULL;
		if (posix_memalign(&p, 4096, 4096) == 0 && pread(fd, p, 4096, 0) < 0)
			(void)0;
		free(p);
		close(fd);
	}
	sync();
}

static const char *err_name(int err)
{
	static char s[64];
	err = err < 0 ? -err : err;
	snprintf(s, sizeof(s), "%d(%s)", -err, err == 524 ? "ENOTSUPP" : strerror(err));
	for (char *c = s; *c; c++)
		if (*c == ' ')
			*c = '_';
	return s;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "probes.bpf.o";
	struct bpf_object *obj;
	struct bpf_program *p;
	int n = 0, bad = 0;
	char names[16][64];

	libbpf_set_print(on_print);
	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "bpfcheck: cannot open %s: %s\n", path, strerror(errno));
		return 2;
	}
	bpf_object__for_each_program(p, obj) if (n < 16)
		snprintf(names[n++], sizeof(names[0]), "%s", bpf_program__name(p));
	bpf_object__close(obj);

	for (int i = 0; i < n; i++) {
		struct bpf_link *link = NULL;
		const char *load = "ok", *attach = "-";
		char loadbuf[64], attachbuf[64];
		unsigned long long hits[8] = {0};
		int zero = 0, err;

		why[0] = 0;
		obj = bpf_object__open_file(path, NULL);
		if (!obj)
			return 2;
		bpf_object__for_each_program(p, obj)
			bpf_program__set_autoload(p, strcmp(bpf_program__name(p), names[i]) == 0);
		p = bpf_object__find_program_by_name(obj, names[i]);
		err = bpf_object__load(obj);
		if (err) {
			snprintf(loadbuf, sizeof(loadbuf), "%s", err_name(err));
			load = loadbuf;
		} else {
			link = bpf_program__attach(p);
			if (!link) {
				snprintf(attachbuf, sizeof(attachbuf), "%s", err_name(errno));
				attach = attachbuf;
			} else {
				attach = "ok";
				fire();
				struct bpf_map *bss = bpf_object__find_map_by_name(obj, ".bss");
				if (!bss)
					bss = bpf_object__find_map_by_name(obj, "probes_b.bss");
				if (bss)
					bpf_map_lookup_elem(bpf_map__fd(bss), &zero, hits);
			}
		}
		unsigned long long h = 0;
		for (int k = 0; k < 8; k++)
			h += hits[k];
		int ok = !strcmp(load, "ok") && !strcmp(attach, "ok");
		bad += !ok;
		printf("%-26s load=%-18s attach=%-18s hits=%llu%s%s\n", names[i], load, attach, h,
		       ok ? "" : "  # ", ok ? "" : why);
		bpf_link__destroy(link);
		bpf_object__close(obj);
	}
	return bad ? 1 : 0;
}
