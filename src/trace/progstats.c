// SPDX-License-Identifier: GPL-2.0-only
#include "trace/progstats.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/array.h"

static int append_snap(struct prog_snaps *s, const struct prog_snap *p)
{
	if (array_reserve((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v)))
		return -ENOMEM;
	s->v[s->n++] = *p;
	return 0;
}

int prog_snaps_read(struct prog_snaps *s)
{
	__u32 id = 0;

	s->n = 0;
	while (bpf_prog_get_next_id(id, &id) == 0) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		struct prog_snap p = {.id = id};
		const char *type;
		int fd = bpf_prog_get_fd_by_id(id), err;

		if (fd < 0)
			continue; /* gone meanwhile */
		memset(&info, 0, sizeof(info));
		err = bpf_obj_get_info_by_fd(fd, &info, &len);
		close(fd);
		if (err)
			continue;
		p.run_cnt = info.run_cnt;
		p.run_time_ns = info.run_time_ns;
		snprintf(p.name, sizeof(p.name), "%.15s", info.name);
		type = libbpf_bpf_prog_type_str(info.type);
		snprintf(p.type, sizeof(p.type), "%s", type ? type : "unknown");
		if (append_snap(s, &p))
			return -ENOMEM;
	}
	return 0;
}

void prog_snaps_free(struct prog_snaps *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static const struct prog_snap *find_snap(const struct prog_snaps *s, uint32_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].id == id)
			return &s->v[i];
	return NULL;
}

int prog_snaps_delta(const struct prog_snaps *before, const struct prog_snaps *after,
		     const struct own_prog *own, size_t n_own, struct kprog **out, size_t *n)
{
	struct kprog *rows = calloc(after->n ? after->n : 1, sizeof(*rows));

	*out = NULL;
	*n = 0;
	if (!rows)
		return -ENOMEM;
	for (size_t i = 0; i < after->n; i++) {
		const struct prog_snap *a = &after->v[i], *b = find_snap(before, a->id);
		struct kprog *r = &rows[*n];
		const struct own_prog *o = NULL;

		for (size_t k = 0; k < n_own && !o; k++)
			if (own[k].id == a->id)
				o = &own[k];
		r->id = a->id;
		/* Counters only grow; a smaller one means another program got the same id. */
		if (b && a->run_cnt >= b->run_cnt && a->run_time_ns >= b->run_time_ns) {
			r->run_cnt = a->run_cnt - b->run_cnt;
			r->run_time_ns = a->run_time_ns - b->run_time_ns;
		} else {
			r->run_cnt = a->run_cnt;
			r->run_time_ns = a->run_time_ns;
		}
		if (!r->run_cnt && !o)
			continue;
		r->own = o != NULL;
		snprintf(r->name, sizeof(r->name), "%s", o ? o->name : a->name);
		snprintf(r->type, sizeof(r->type), "%s", a->type);
		(*n)++;
	}
	*out = rows;
	return 0;
}

int prog_stats_enable(void)
{
	int fd = bpf_enable_stats(BPF_STATS_RUN_TIME);

	return fd < 0 ? -errno : fd;
}
