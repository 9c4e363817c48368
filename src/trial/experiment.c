#include "trial/experiment.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "model/kernel.h"
#include "trial/load.h"
#include "trial/restart.h"
#include "util/clock.h"
#include "util/interrupt.h"

struct cell_run {
	struct session *s;
	const struct experiment_sink *sink;
	const struct cell *cell;
	int cell_index;
	int consecutive_failures;
};

static void progress(struct cell_run *cr, int trial, const char *note)
{
	if (cr->sink->progress)
		cr->sink->progress(cr->sink->ctx, cr->cell_index, trial, note);
}

/* Hands a trial that never ran (setup failed, interrupted) to the sink, so it is on record. */
static int record_unrun(struct cell_run *cr, int index, enum trial_status st, const char *why)
{
	struct trial t = {.index = index, .status = st, .method = cr->s->cfg->method};

	snprintf(t.reason, sizeof(t.reason), "%s", why);
	return cr->sink->trial(cr->sink->ctx, cr->cell, &t, NULL);
}

static enum experiment_end run_trials(struct cell_run *cr)
{
	struct session *s = cr->s;
	const struct run_config *cfg = s->cfg;
	struct target *cur = NULL;
	enum experiment_end end = EXP_DONE;

	for (int i = 1; i <= cfg->trials; i++) {
		struct trial t = {.index = i};
		struct trial_kernel *tk = NULL;

		if (interrupt_requested())
			return EXP_INTERRUPTED;
		if (!cur) {
			progress(cr, i, "starting the target");
			if (restart_prepare(s, &cur)) {
				if (interrupt_requested())
					return EXP_INTERRUPTED;
				record_unrun(cr, i, TRIAL_FAILED, s->err);
				if (++cr->consecutive_failures >= cfg->max_failures) {
					end = EXP_TOO_MANY_FAILURES;
					break;
				}
				continue;
			}
		}
		progress(cr, i, NULL);
		restart_trial(s, &cur, &t, &tk);
		int rc = cr->sink->trial(cr->sink->ctx, cr->cell, &t, tk);

		trial_kernel_free(tk);
		if (rc) {
			snprintf(s->err, sizeof(s->err), "cannot record trial %d: %s", i,
				 strerror(-rc));
			end = EXP_SINK_FAILED;
			break;
		}
		if (t.status == TRIAL_INTERRUPTED) {
			end = EXP_INTERRUPTED;
			break;
		}
		cr->consecutive_failures = t.status == TRIAL_OK ? 0 : cr->consecutive_failures + 1;
		if (cr->consecutive_failures >= cfg->max_failures) {
			snprintf(s->err, sizeof(s->err),
				 "%d trials in a row failed, the last because: %s",
				 cr->consecutive_failures, t.reason);
			end = EXP_TOO_MANY_FAILURES;
			break;
		}
		if (i < cfg->trials && !interrupt_sleep(cfg->interval_ns)) {
			end = EXP_INTERRUPTED;
			break;
		}
	}
	target_discard(s, cur);
	return end;
}

enum experiment_end experiment_run(struct session *s, const struct experiment_sink *sink)
{
	const struct run_config *cfg = s->cfg;
	enum experiment_end end = EXP_DONE;

	for (int c = 0; c < cfg->n_cells && end == EXP_DONE; c++) {
		struct cell_run cr = {.s = s, .sink = sink, .cell = &cfg->cells[c], .cell_index = c};
		struct load_set ls;

		progress(&cr, 0, cr.cell->load == LOAD_NONE ? "no load" : "starting the load");
		if (load_start(s, cr.cell, &ls)) {
			load_stop(s, &ls);
			if (interrupt_requested())
				return EXP_INTERRUPTED;
			return EXP_SETUP_FAILED;
		}
		end = run_trials(&cr);
		if (ls.n)
			progress(&cr, 0, "removing the load");
		load_stop(s, &ls);
		if (end == EXP_INTERRUPTED && !s->err[0])
			snprintf(s->err, sizeof(s->err), "interrupted by signal %d",
				 interrupt_signal());
	}
	return end;
}
