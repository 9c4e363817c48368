// SPDX-License-Identifier: GPL-2.0-only
#include "explain/flame_figure.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "explain/explain.h"
#include "explain/flame.h"

#define FLAME_WIDTH 1000.0
#define FLAME_GAP   20.0

/* Engine and target waits, not their interruptible sleeps (idle threads sleep all the time). */
static bool flame_keep(const char *stack, void *ctx)
{
	const char *third;

	(void)ctx;
	if (strncmp(stack, "engine;", 7) != 0 && strncmp(stack, "target;", 7) != 0)
		return false;
	third = strchr(stack + 7, ';');
	return !third || strncmp(third + 1, "[sleep]", 7) != 0;
}

static struct flame_tree *cell_tree(const struct explain_cell *ec)
{
	struct fold *all = fold_new();
	struct flame_tree *t = NULL;
	int rc = all ? 0 : -ENOMEM;

	for (int p = 0; p < PH_COUNT && !rc; p++)
		for (size_t i = 0; ec->fold[p] && i < fold_count(ec->fold[p]) && !rc; i++)
			rc = fold_add(all, fold_stack(ec->fold[p], i), fold_value(ec->fold[p], i));
	if (!rc)
		t = flame_build(all, flame_keep, NULL);
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
};

static void draw_row(FILE *f, const struct flame_row *row, double y)
{
	char title[160];
	double max = per_trial(row->lt, row->left), w = FLAME_WIDTH - 20;

	if (row->right) {
		double rmax = per_trial(row->rt, row->right);

		max = rmax > max ? rmax : max;
		w = (FLAME_WIDTH - 20 - FLAME_GAP) / 2;
	}
	snprintf(title, sizeof(title), "%s, off-CPU per trial, summed over threads",
		 row->left->name);
	flame_draw(f, row->lt,
		   &(struct flame_box){10, y, w, max * row->left->dx.trials, row->left->dx.trials,
				       "ms", 1e-3, title});
	if (row->right) {
		snprintf(title, sizeof(title), "%s, off-CPU per trial, summed over threads",
			 row->right->name);
		flame_draw(f, row->rt,
			   &(struct flame_box){10 + w + FLAME_GAP, y, w,
					       max * row->right->dx.trials, row->right->dx.trials,
					       "ms", 1e-3, title});
	}
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

int explain_flame_figure(FILE *f, const struct explain_run *r)
{
	struct flame_row *rows = calloc(r->n_cells + 1, sizeof(*rows));
	struct flame_tree *base = NULL;
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
	if (paired)
		base = cell_tree(&r->base);
	for (size_t c = 0; c < r->n_cells; c++) {
		const struct explain_cell *ec = &r->cells[c];

		if (!ec->dx.trials || (paired && explain_is_base_load(ec->load)))
			continue;
		rows[n].left = paired ? &r->base : ec;
		rows[n].right = paired ? ec : NULL;
		rows[n].lt = paired ? base : cell_tree(ec);
		rows[n].rt = paired ? cell_tree(ec) : NULL;
		any = any || flame_total(rows[n].lt) || flame_total(rows[n].rt);
		h += (flame_height(rows[n].lt) > flame_height(rows[n].rt)
			      ? flame_height(rows[n].lt)
			      : flame_height(rows[n].rt)) +
		     12;
		n++;
	}
	y = legend_head(f, rows, n, h);
	for (size_t i = 0; i < n; i++) {
		double rh = flame_height(rows[i].lt);

		if (rows[i].rt && flame_height(rows[i].rt) > rh)
			rh = flame_height(rows[i].rt);
		draw_row(f, &rows[i], y);
		y += rh + 12;
		if (!paired)
			flame_free(rows[i].lt);
		flame_free(rows[i].rt);
	}
	flame_script(f);
	fputs("</svg>\n", f);
	flame_free(base);
	free(rows);
	return n && any ? 1 : 0;
}
