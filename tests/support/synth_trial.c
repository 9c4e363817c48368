// SPDX-License-Identifier: GPL-2.0-only
#include "synth_trial.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

void synth_trial(struct trial *t)
{
	static const int64_t at[PH_COUNT] = {
		[PH_KILL] = 1100 * US,	 [PH_DIE] = 1200 * US,	   [PH_DISCONNECT] = 1300 * US,
		[PH_STOP] = 1350 * US,	 [PH_DESTROY] = 1400 * US, [PH_CREATE] = 1500 * US,
		[PH_ATTACH] = 1550 * US, [PH_CONNECT] = 1700 * US, [PH_START] = 1900 * US,
	};

	memset(t, 0, sizeof(*t));
	t->index = 1;
	t->status = TRIAL_OK;
	t->method = RM_STDOUT;
	t->window[RM_STDOUT] = (struct trial_window){1000 * US, 2000 * US};
	t->have_window[RM_STDOUT] = 1;
	memcpy(t->event_ns, at, sizeof(at));
	assert_int_equal(trial_tile_phases(t), 0);
}

void synth_add_stack(struct trial_kernel *tk, int32_t id, const char *folded)
{
	struct kstack s = {.id = id, .depth = 1};

	s.folded = strdup(folded);
	assert_int_equal(trial_kernel_add_stack(tk, &s), 0);
}

const struct kwait *synth_find_wait(const struct trial_kernel *tk, int phase, const char *comm,
				    int state)
{
	for (size_t i = 0; i < tk->n_waits; i++)
		if (tk->waits[i].phase == phase && strcmp(tk->waits[i].comm, comm) == 0 &&
		    tk->waits[i].state == state)
			return &tk->waits[i];
	return NULL;
}

int64_t synth_phase_wall(const struct trial_kernel *tk, int phase)
{
	int64_t sum = 0;

	for (size_t i = 0; i < tk->n_waits; i++)
		if (tk->waits[i].phase == phase)
			sum += tk->waits[i].wall_ns;
	return sum;
}
