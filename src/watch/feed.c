// SPDX-License-Identifier: GPL-2.0-only
/* A restart's metrics: the same causes `explain` ranks, for one trial at a time. */
#include "watch/feed.h"

#include "metrics/registry.h"
#include "model/actor.h"
#include "model/diagnosis.h"
#include "model/kernel.h"
#include "model/waits.h"

#define NS_PER_S 1e9

static void add_waits(struct diagnosis_builder *b, const struct trial_kernel *tk)
{
	for (size_t i = 0; i < tk->n_waits; i++) {
		const struct kwait *k = &tk->waits[i];
		struct diagnosis_wait w = {
			.phase = k->phase,
			.actor = actor_name(k->actor),
			.comm = k->comm,
			.state = kwait_state_name(k->state),
			.call = k->call ? kev_sys_kind_name(k->call) : "",
			.file = k->file,
			.waker = k->waker,
			.folded = k->folded ? k->folded : "",
			.deleted = (k->file_flags & KSYSF_DELETED) != 0,
			.count = k->count,
			.offcpu_ns = k->offcpu_ns,
			.wall_ns = k->wall_ns,
		};

		diagnosis_add_wait(b, &w);
	}
}

/* Seconds per cause and phase; what no rule names is "uncategorized" or "no-wait". */
static void feed_causes(struct metrics *m, const struct rules *rules, const char *cell,
			const struct trial *t, const struct trial_kernel *tk)
{
	struct diagnosis_builder *b = diagnosis_builder_new(rules);
	struct diagnosis_cell dc;

	if (!b)
		return;
	diagnosis_add_trial(b);
	for (int p = 0; p < PH_COUNT; p++)
		diagnosis_add_phase_time(b, p, t->phases[p].end_ns - t->phases[p].start_ns);
	add_waits(b, tk);
	if (diagnosis_finish_cell(b, &dc) == 0) {
		for (int p = 0; p < PH_COUNT; p++) {
			const struct diagnosis_phase *dp = &dc.phase[p];

			for (int c = 0; c < dp->n_causes; c++)
				if (dp->causes[c].rule >= 0 && dp->causes[c].rule < rules->n)
					metrics_cause(m, cell, phase_name(p),
						      rules->rule[dp->causes[c].rule].name,
						      dp->causes[c].ms / 1e3);
			if (dp->uncategorized_ms > 0)
				metrics_cause(m, cell, phase_name(p), "uncategorized",
					      dp->uncategorized_ms / 1e3);
			if (dp->nowait_ms > 0)
				metrics_cause(m, cell, phase_name(p), "no-wait",
					      dp->nowait_ms / 1e3);
		}
		diagnosis_cell_free(&dc);
	}
	diagnosis_builder_free(b);
}

void watch_feed_metrics(struct metrics *m, const struct rules *rules, const char *cell,
			const struct trial *t, const struct trial_kernel *tk, uint64_t *drops_total)
{
	int64_t restart = trial_restart_ns(t, t->method);

	if (tk) {
		*drops_total += trial_kernel_drops(tk);
		metrics_kernel_drops(m, *drops_total);
	}
	/* A restart without a window has no time to observe: it is in the CSVs only. */
	if (t->status != TRIAL_OK || restart < 0)
		return;
	metrics_restart(m, cell, t->kind ? t->kind : "", (double)restart / NS_PER_S);
	for (int p = 0; p < PH_COUNT; p++) {
		const struct phase_span *s = &t->phases[p];
		double io = tk && tk->attributed
				    ? (double)tk->by[p][ACTOR_ENGINE].iowait_ns / NS_PER_S
				    : 0;

		metrics_phase(m, cell, phase_name(p), (double)(s->end_ns - s->start_ns) / NS_PER_S,
			      io);
	}
	if (rules && tk)
		feed_causes(m, rules, cell, t, tk);
}
