// SPDX-License-Identifier: GPL-2.0-only
/*
 * Flame graphs drawn by restartprof itself, as SVG: each frame a box as wide as its share of
 * the time, callers below callees (the root at the bottom), the frame's name and time in a
 * tooltip (<title>), a legend of the colours, and a small inline script (flame_script.c) for
 * click-to-zoom and search. Input: folded stacks (model/fold.h).
 */
#ifndef RP_EXPLAIN_FLAME_H
#define RP_EXPLAIN_FLAME_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model/fold.h"

struct flame_tree;

/* keep(stack, ctx): whether a folded stack goes in; NULL keeps all. */
struct flame_tree *flame_build(const struct fold *fd, bool (*keep)(const char *stack, void *ctx),
			       void *ctx);
void flame_free(struct flame_tree *t);
uint64_t flame_total(const struct flame_tree *t);
int flame_depth(const struct flame_tree *t);
/* The state frames ([iowait], [runq]...) present in t, as a mask for flame_legend. */
unsigned flame_states(const struct flame_tree *t);

struct flame_box {
	double x, y, width; /* where the graph goes inside the SVG */
	double full;	    /* the value that spans the whole width (0: the tree's total) */
	double divide;	    /* values are divided by this for the labels (trials); 0: 1 */
	const char *unit;   /* label unit after dividing, e.g. "ms" with values in us: see scale */
	double scale;	    /* label value = value / divide * scale */
	const char *title;
};

/* Height the graph of t needs in a box (title line included). */
double flame_height(const struct flame_tree *t);
/* Draws t as SVG elements (no <svg> wrapper) into f. */
void flame_draw(FILE *f, const struct flame_tree *t, const struct flame_box *b);
/* The colour legend of the state frames in mask (and of the other frames), with the Search
 * and Reset zoom controls at its right end, from (x, y) across width; returns its height. */
double flame_legend(FILE *f, double x, double y, double width, unsigned states);
/* The script that makes the graphs of the SVG it ends zoomable and searchable. */
void flame_script(FILE *f);
/* A whole SVG document with one graph, its legend and script. 0 or -errno. */
int flame_svg(FILE *f, const struct flame_tree *t, double width, const char *title, double divide);

#endif
