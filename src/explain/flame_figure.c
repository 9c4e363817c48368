// SPDX-License-Identifier: GPL-2.0-only
#include "explain/flame_figure.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "explain/explain.h"
#include "explain/flame.h"

#define FLAME_WIDTH 1000.0
#define FLAME_GAP   20.0

/* The state frame of a folded stack (actor;comm;[state];...), or "". */
static const char *state_of(const char *stack)
{
	const char *third;

	if (strncmp(stack, "engine;", 7) != 0 && strncmp(stack, "target;", 7) != 0)
		return NULL; /* load, kernel and other tasks: not drawn */
	third = strchr(stack + 7, ';');
	return third ? third + 1 : "";
}

/* Engine and target only, never their interruptible sleeps (idle threads sleep all the time);
 * waits without samples, samples alone, or both. */
static bool flame_keep(const char *stack, void *ctx)
{
	const enum flame_figure_kind *kind = ctx;
	const char *st = state_of(stack);
	bool oncpu = st && strncmp(st, "[oncpu]", 7) == 0;

	if (!st || strncmp(st, "[sleep]", 7) == 0)
		return false;
	return *kind == FLAME_WALL || (*kind == FLAME_ONCPU) == oncpu;
}

/* The cell's stacks of the phases in the mask; with phase_root, each under its phase's name. */
static struct flame_tree *cell_tree(const struct explain_cell *ec, enum flame_figure_kind kind,
				    unsigned phases, bool phase_root)
{
	struct fold *all = fold_new();
	struct flame_tree *t = NULL;
	int rc = all ? 0 : -ENOMEM;

	for (int p = 0; p < PH_COUNT && !rc; p++)
		for (size_t i = 0;
		     (phases & (1u << p)) && ec->fold[p] && i < fold_count(ec->fold[p]) && !rc;
		     i++) {
			const char *s = fold_stack(ec->fold[p], i);
			char *rooted = NULL;

			if (phase_root && asprintf(&rooted, "%s;%s", phase_name(p), s) < 0)
				rc = -ENOMEM;
			else
				rc = fold_add(all, rooted ? rooted : s, fold_value(ec->fold[p], i));
			free(rooted);
		}
	if (!rc)
		t = flame_build(all, flame_keep, &kind);
	fold_free(all);
	return t;
}

static double per_trial(const struct flame_tree *t, const struct explain_cell *ec)
{
	return ec->dx.trials ? (double)flame_total(t) / ec->dx.trials : 0;
}

struct flame_row {
	const struct explain_cell *left, *right; /* right NULL: one graph across */
	struct flame_tree *lt, *rt;
	int phase; /* FLAME_WALL: the phase drawn */
};

static const char *const kind_titles[] = {
	[FLAME_WAITS] = "waits per trial, summed over threads",
	[FLAME_ONCPU] = "on CPU per trial by phase, summed over threads",
	[FLAME_WALL] = "waits and on CPU per trial, summed over threads",
};

static void box_title(char *title, size_t len, const struct flame_row *row,
		      const struct explain_cell *ec, enum flame_figure_kind kind)
{
	if (kind == FLAME_WALL)
		snprintf(title, len, "%s, %s: %s", ec->name, phase_name(row->phase),
			 kind_titles[kind]);
	else
		snprintf(title, len, "%s, %s", ec->name, kind_titles[kind]);
}

static void draw_row(FILE *f, const struct flame_row *row, double y, enum flame_figure_kind kind)
{
	char title[160];
	double max = per_trial(row->lt, row->left), w = FLAME_WIDTH - 20;

	if (row->right) {
		double rmax = per_trial(row->rt, row->right);

		max = rmax > max ? rmax : max;
		w = (FLAME_WIDTH - 20 - FLAME_GAP) / 2;
	}
	box_title(title, sizeof(title), row, row->left, kind);
	flame_draw(f, row->lt,
		   &(struct flame_box){10, y, w, max * row->left->dx.trials, row->left->dx.trials,
				       "ms", 1e-3, title});
	if (row->right) {
		box_title(title, sizeof(title), row, row->right, kind);
		flame_draw(f, row->rt,
			   &(struct flame_box){10 + w + FLAME_GAP, y, w,
					       max * row->right->dx.trials, row->right->dx.trials,
					       "ms", 1e-3, title});
	}
}

/* FLAME_WALL's phase: the one that grew most against base (NULL: the costliest). */
static int wall_phase(const struct explain_cell *ec, const struct explain_cell *base)
{
	int best = PH_START;
	double best_ms = -1e300;

	for (int p = 0; p < PH_COUNT; p++) {
		double ms =
			ec->dx.phase[p].measured_ms - (base ? base->dx.phase[p].measured_ms : 0);

		if (ms > best_ms) {
			best = p;
			best_ms = ms;
		}
	}
	return best;
}

/* The <svg> element and one legend for all rows; returns the y where the rows begin. */
static double legend_head(FILE *f, const struct flame_row *rows, size_t n, double rows_h)
{
	unsigned states = 0;
	char *text = NULL;
	size_t len = 0;
	FILE *lf = open_memstream(&text, &len);
	double legend = 0, h;

	for (size_t i = 0; i < n; i++)
		states |= flame_states(rows[i].lt) | flame_states(rows[i].rt);
	if (lf) {
		legend = flame_legend(lf, 10, 4, FLAME_WIDTH - 20, states) + 8;
		if (fclose(lf))
			legend = 0;
	}
	h = rows_h + legend;
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\">\n<rect width=\"100%%\" height=\"100%%\" "
		"fill=\"white\"/>\n%s",
		FLAME_WIDTH, h, FLAME_WIDTH, h, legend > 0 && text ? text : "");
	free(text);
	return 4 + legend;
}

int explain_flame_figure(FILE *f, const struct explain_run *r, enum flame_figure_kind kind)
{
	struct flame_row *rows = calloc(r->n_cells + 1, sizeof(*rows));
	const unsigned all = (1u << PH_COUNT) - 1;
	size_t n = 0;
	double h = 8, y = 4;
	bool paired = false, any = false;

	if (!rows)
		return -ENOMEM;
	if (!r->traced) {
		free(rows);
		return 0;
	}
	for (size_t c = 0; c < r->n_cells; c++)
		paired = paired || (r->have_base && !explain_is_base_load(r->cells[c].load));
	for (size_t c = 0; c < r->n_cells; c++) {
		const struct explain_cell *ec = &r->cells[c];
		struct flame_row *row = &rows[n];
		unsigned phases = all;

		if (!ec->dx.trials || (paired && explain_is_base_load(ec->load)))
			continue;
		row->phase = wall_phase(ec, paired ? &r->base : NULL);
		if (kind == FLAME_WALL)
			phases = 1u << row->phase;
		row->left = paired ? &r->base : ec;
		row->right = paired ? ec : NULL;
		row->lt = cell_tree(row->left, kind, phases, kind == FLAME_ONCPU);
		row->rt = paired ? cell_tree(ec, kind, phases, kind == FLAME_ONCPU) : NULL;
		any = any || flame_total(row->lt) || flame_total(row->rt);
		h += (flame_height(row->lt) > flame_height(row->rt) ? flame_height(row->lt)
								    : flame_height(row->rt)) +
		     12;
		n++;
	}
	y = legend_head(f, rows, n, h);
	for (size_t i = 0; i < n; i++) {
		double rh = flame_height(rows[i].lt);

		if (rows[i].rt && flame_height(rows[i].rt) > rh)
			rh = flame_height(rows[i].rt);
		draw_row(f, &rows[i], y, kind);
		y += rh + 12;
		flame_free(rows[i].lt);
		flame_free(rows[i].rt);
	}
	flame_script(f);
	fputs("</svg>\n", f);
	free(rows);
	return n && any ? 1 : 0;
}
