// SPDX-License-Identifier: GPL-2.0-only
/* Follow mode: the kernel's view of a recent time range, copied out of the history. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace/convert.h"
#include "trace/tracer_internal.h"

/* The sample taken at or before mono time t (the oldest there is when none is). */
static const struct follow_sample *sample_before(const struct follow *f, int64_t t)
{
	const struct follow_sample *best = NULL, *oldest = NULL;

	for (unsigned i = 0; i < f->n_samples; i++) {
		const struct follow_sample *s = &f->samples[i];

		if (!oldest || s->mono < oldest->mono)
			oldest = s;
		if (s->mono <= t && (!best || s->mono > best->mono))
			best = s;
	}
	return best ? best : oldest;
}

/* The clock's error over [b, now]: the worst sample's and how far the offset moved. */
static int64_t clock_error(const struct follow *f, int64_t b, const struct follow_sample *now)
{
	const struct follow_sample *first = sample_before(f, b);
	int64_t worst = now->err;

	for (unsigned i = 0; i < f->n_samples; i++) {
		const struct follow_sample *s = &f->samples[i];
		int64_t moved = s->off > now->off ? s->off - now->off : now->off - s->off;

		if (first && s->mono < first->mono)
			continue;
		if (s->err + moved > worst)
			worst = s->err + moved;
	}
	return worst;
}

/* Drops between the sample before b and now: as close to the range as they can be told. */
static void range_drops(struct tracer *tr, struct trial_kernel *tk, int64_t b,
			const struct follow_sample *now)
{
	const struct follow_sample *s = sample_before(&tr->fl, b);
	struct rp_counters zero = {0};
	const struct rp_counters *c0 = s ? &s->c : &zero;
	uint64_t lost0 = s ? s->lost : 0;

	tk->ring_drops = now->c.ring_drops - c0->ring_drops + now->lost - lost0;
	tk->agg_drops = now->c.agg_drops - c0->agg_drops;
	tk->stack_drops = now->c.stack_drops - c0->stack_drops;
	tk->track_drops = now->c.track_drops - c0->track_drops;
	tk->stacks_captured = now->c.stacks - c0->stacks;
	tk->stack_ns = now->c.stack_ns - c0->stack_ns;
	tk->oncpu_samples = now->c.samples - c0->samples;
}

/* Records whose span meets [b, e] (mono), converted with off. */
static int take_records(struct tracer *tr, struct trial_kernel *tk, int64_t b, int64_t e,
			int64_t off)
{
	size_t pos = tr->fl.head;

	while (pos + ARENA_HDR <= tr->arena_len) {
		const void *rec = tr->arena + pos + ARENA_HDR;
		struct kevent ev;
		uint64_t ts, end;
		__u32 sz;

		memcpy(&sz, tr->arena + pos, sizeof(sz));
		pos += ARENA_STEP(sz);
		record_span(rec, sz, &ts, &end);
		if ((int64_t)ts > e || (int64_t)end < b || convert_record(rec, sz, off, &ev))
			continue;
		if (ev.type == KEV_SYSCALL) {
			ev.sys.overlay |= (ev.sys.flags & (int)ARENA_SYSF_OVL_UMOUNT) != 0;
			ev.sys.flags &= ~(int)ARENA_SYSF_OVL_UMOUNT;
		}
		if (trial_kernel_add_event(tk, &ev))
			return -ENOMEM;
	}
	return 0;
}

/* Aggregates whose slot meets [b, e], memory samples around it, all cgroups known. */
static int take_rest(struct tracer *tr, struct trial_kernel *tk, int64_t b, int64_t e, int64_t off)
{
	size_t first = 0, last = tr->n_mem;

	for (size_t i = 0; i < tr->aggs.n; i++) {
		int64_t slot = (int64_t)(tr->aggs.k[i].slot * SLOT_NS);
		struct kagg a;

		if (slot > e || slot + (int64_t)SLOT_NS <= b)
			continue;
		if (convert_agg(&tr->aggs.k[i], &tr->aggs.v[i], SLOT_NS, off, &a) == 0 &&
		    trial_kernel_add_agg(tk, &a))
			return -ENOMEM;
	}
	/* One sample before the range and one after: the memory's state at its edges. */
	while (first + 1 < tr->n_mem && tr->mem[first + 1].ts <= b)
		first++;
	for (size_t i = first; i < tr->n_mem; i++)
		if (tr->mem[i].ts > e) {
			last = i + 1;
			break;
		}
	for (size_t i = first; i < last; i++) {
		struct kmem_sample m = tr->mem[i];

		m.ts += off;
		if (trial_kernel_add_mem(tk, &m))
			return -ENOMEM;
	}
	for (size_t i = 0; i < tr->n_cg; i++)
		if (trial_kernel_add_cgroup(tk, &tr->cg[i]))
			return -ENOMEM;
	tk->map = tr->map;
	tk->map.others_are_load = true;
	return 0;
}

int tracer_follow_take(struct tracer *tr, int64_t begin_ns, int64_t end_ns,
		       struct trial_kernel **out)
{
	struct trial_kernel *tk;
	struct follow_sample now;
	int64_t b, e, wall_now;
	int rc;

	*out = NULL;
	if (!tr->fl.on)
		return -EINVAL;
	/* What the ring and the aggregate maps hold now belongs to the range too. */
	tracer_drain_ring(tr);
	tracer_flush_aggs(tr);
	tracer_sample_mem(tr, true);
	tk = calloc(1, sizeof(*tk));
	if (!tk)
		return -ENOMEM;
	memset(&now, 0, sizeof(now));
	tracer_read_counters(tr, &now.c);
	now.off = clock_offset_ns(&now.err);
	now.mono = mono_ns();
	wall_now = wall_ns();
	b = begin_ns - now.off;
	e = end_ns - now.off;
	pthread_mutex_lock(&tr->lock);
	if (!tr->fl.on) {
		pthread_mutex_unlock(&tr->lock);
		free(tk);
		return -EINVAL;
	}
	now.c.stack_drops += tr->fl.stale;
	now.lost = tr->arena_lost;
	rc = b < tr->fl.since ? -ERANGE : 0;
	tk->wall_minus_mono_ns = now.off;
	tk->clock_error_ns = clock_error(&tr->fl, b, &now);
	tk->record_begin_ns = begin_ns > tr->fl.since + now.off ? begin_ns : tr->fl.since + now.off;
	tk->record_end_ns = end_ns < wall_now ? end_ns : wall_now;
	tk->page_size = sysconf(_SC_PAGESIZE);
	range_drops(tr, tk, b, &now);
	/* The stack maps keep what is copied: the history names those stacks. */
	if (take_records(tr, tk, b, e, now.off) || take_rest(tr, tk, b, e, now.off) ||
	    tracer_copy_named_stacks(tr, tk))
		rc = -ENOMEM;
	pthread_mutex_unlock(&tr->lock);
	if (rc == -ENOMEM) {
		trial_kernel_free(tk);
		return rc;
	}
	trial_kernel_sort(tk);
	tracer_symbolize(tr, tk);
	tracer_name_user_stacks(tr, tk, false); /* the map keeps them, as the kernel stacks */
	trial_kernel_index_stacks(tk);
	*out = tk;
	return rc;
}
