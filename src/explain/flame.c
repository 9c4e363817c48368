// SPDX-License-Identifier: GPL-2.0-only
#include "explain/flame.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/markup.h"
#include "util/array.h"

#define FRAME_H	      16.0
#define TITLE_H	      36.0 /* the title, and a line under it for the search's share */
#define MIN_WIDTH     0.3 /* pixels: narrower boxes are left out (their time stays in the parent) */
#define CHAR_W	      6.6 /* average width of a character at the label size */
#define MAX_DEPTH     128
#define LEGEND_H      18.0
#define LEGEND_CHAR_W 6.0 /* a little narrower: the legend is short words, few capitals */

struct node {
	char *name;
	uint64_t value;
	struct node *child;
	size_t n, cap;
};

struct flame_tree {
	struct node root;
	int depth;
	unsigned states; /* state frames seen: bit i for state_frames[i] */
};

struct frame_kind {
	const char *name, *rgb, *meaning;
};

/* The frames restartprof adds for a wait's state (on CPU too), each in a fixed colour. */
static const struct frame_kind state_frames[] = {
	{"[iowait]", "#e15759", "waiting for I/O"},
	{"[blocked]", "#b07aa1", "uninterruptible, not I/O"},
	{"[runq]", "#59a14f", "waiting for a CPU"},
	{"[sleep]", "#76b7b2", "interruptible sleep"},
	{"[call]", "#9c9c9c", "inside a blocking call"},
	{"[oncpu]", "#f28e2b", "on a CPU (sampled)"},
};
#define N_STATES (sizeof(state_frames) / sizeof(state_frames[0]))

static int state_index(const char *name, size_t len)
{
	for (size_t i = 0; i < N_STATES; i++)
		if (strlen(state_frames[i].name) == len &&
		    memcmp(state_frames[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

static struct node *child_of(struct node *n, const char *name, size_t len)
{
	for (size_t i = 0; i < n->n; i++)
		if (strlen(n->child[i].name) == len && memcmp(n->child[i].name, name, len) == 0)
			return &n->child[i];
	/* Most frames have one callee: a node's children start at one, not 64. */
	if (array_reserve_from((void **)&n->child, &n->cap, n->n + 1, sizeof(*n->child), 1))
		return NULL;
	memset(&n->child[n->n], 0, sizeof(struct node));
	n->child[n->n].name = strndup(name, len);
	if (!n->child[n->n].name)
		return NULL;
	return &n->child[n->n++];
}

static int insert(struct flame_tree *t, const char *stack, uint64_t value)
{
	struct node *n = &t->root;
	int depth = 0;

	n->value += value;
	while (*stack && depth < MAX_DEPTH) {
		size_t len = strcspn(stack, ";");
		int st = state_index(stack, len);

		if (st >= 0)
			t->states |= 1u << st;
		n = child_of(n, stack, len);
		if (!n)
			return -ENOMEM;
		n->value += value;
		depth++;
		stack += len + (stack[len] == ';');
	}
	if (depth > t->depth)
		t->depth = depth;
	return 0;
}

static void free_node(struct node *n)
{
	for (size_t i = 0; i < n->n; i++)
		free_node(&n->child[i]);
	free(n->child);
	free(n->name);
}

void flame_free(struct flame_tree *t)
{
	if (!t)
		return;
	free_node(&t->root);
	free(t);
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp(((const struct node *)a)->name, ((const struct node *)b)->name);
}

static void sort_tree(struct node *n)
{
	if (n->n)
		qsort(n->child, n->n, sizeof(*n->child), cmp_node);
	for (size_t i = 0; i < n->n; i++)
		sort_tree(&n->child[i]);
}

struct flame_tree *flame_build(const struct fold *fd, bool (*keep)(const char *stack, void *ctx),
			       void *ctx)
{
	struct flame_tree *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	for (size_t i = 0; fd && i < fold_count(fd); i++) {
		const char *s = fold_stack(fd, i);

		if ((!keep || keep(s, ctx)) && insert(t, s, fold_value(fd, i))) {
			flame_free(t);
			return NULL;
		}
	}
	sort_tree(&t->root);
	return t;
}

uint64_t flame_total(const struct flame_tree *t)
{
	return t ? t->root.value : 0;
}

int flame_depth(const struct flame_tree *t)
{
	return t ? t->depth : 0;
}

unsigned flame_states(const struct flame_tree *t)
{
	return t ? t->states : 0;
}

double flame_height(const struct flame_tree *t)
{
	return TITLE_H + (flame_depth(t) > 0 ? flame_depth(t) : 1) * FRAME_H + 4;
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The other frames, as the legend shows them (their colours vary around these). */
static const struct frame_kind other_frames[] = {
	{"", "#dcdce6", "actor, process"},
	{"", "#f0a040", "kernel function"},
};

/* Warm colours for kernel functions (stable per name), fixed ones for the frames we add. */
static void color(const char *name, int depth, char out[8])
{
	int st = state_index(name, strlen(name));
	uint32_t h = name_hash(name);

	if (st >= 0) {
		snprintf(out, 8, "%s", state_frames[st].rgb);
		return;
	}
	if (depth < 2) { /* actor and process */
		snprintf(out, 8, "#%02x%02x%02x", 200 + (h % 30), 200 + (h / 30 % 30),
			 210 + (h / 900 % 30));
		return;
	}
	snprintf(out, 8, "#%02x%02x%02x", 205 + (h % 50), 80 + (h / 50 % 150),
		 30 + (h / 7500 % 55));
}

/* One legend entry: a swatch and its words; returns the x after it. */
static double legend_entry(FILE *f, double x, double y, const struct frame_kind *k)
{
	fprintf(f,
		"<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\" "
		"rx=\"1.5\"/><text x=\"%.1f\" y=\"%.1f\">%s%s%s</text>\n",
		x, y, k->rgb, x + 16, y + 10, k->name, *k->name ? " " : "", k->meaning);
	return x + 16 + (double)(strlen(k->name) + strlen(k->meaning) + 1) * LEGEND_CHAR_W + 14;
}

double flame_legend(FILE *f, double x, double y, double width, unsigned states)
{
	static const double controls_w = 150;
	double cx = x, row = 0;

	fputs("<g class=\"legend\" font-family=\"sans-serif\" font-size=\"11\">\n", f);
	for (size_t i = 0; i < N_STATES + 2; i++) {
		const struct frame_kind *k =
			i < N_STATES ? &state_frames[i] : &other_frames[i - N_STATES];
		double need = 30 + (double)(strlen(k->name) + strlen(k->meaning)) * LEGEND_CHAR_W;

		if (i < N_STATES && !(states & (1u << i)))
			continue;
		if (cx > x && cx + need > x + width - (row ? 0 : controls_w)) {
			cx = x;
			row += LEGEND_H;
		}
		cx = legend_entry(f, cx, y + row, k);
	}
	fprintf(f,
		"<text class=\"fr\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#1f5fa8\" "
		"style=\"cursor:pointer\">Reset zoom</text>"
		"<text class=\"fs\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#1f5fa8\" "
		"style=\"cursor:pointer\">Search</text>\n</g>\n",
		x + width - 80, y + 10, x + width, y + 10);
	return row + LEGEND_H;
}

struct draw {
	FILE *f;
	const struct flame_box *b;
	double per_value; /* pixels per unit of value */
	double base_y;	  /* y of the root row's top */
	double total;
};

static void draw_node(struct draw *d, const struct node *n, double x, int depth)
{
	double w = (double)n->value * d->per_value, y = d->base_y - depth * FRAME_H, cx = x;
	double div = d->b->divide > 0 ? d->b->divide : 1;
	char rgb[8];
	size_t fit;

	if (w < MIN_WIDTH)
		return;
	color(n->name, depth, rgb);
	fprintf(d->f, "<g class=\"b\"><title>");
	markup_text(d->f, n->name, 512);
	fprintf(d->f,
		" (%.2f %s, %.1f%%)</title><rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
		"height=\"%.1f\" fill=\"%s\" rx=\"1.5\"/>",
		(double)n->value / div * d->b->scale, d->b->unit,
		100.0 * (double)n->value / d->total, x, y, w, FRAME_H - 1, rgb);
	fit = (size_t)((w - 4) / CHAR_W);
	if (fit >= 3) {
		size_t len = strlen(n->name);

		fprintf(d->f, "<text x=\"%.2f\" y=\"%.1f\">", x + 2, y + FRAME_H - 4.5);
		markup_text(d->f, n->name, len <= fit ? len : fit - 2);
		fprintf(d->f, "%s</text>", len <= fit ? "" : "..");
	}
	fputs("</g>\n", d->f);
	for (size_t i = 0; i < n->n; i++) {
		draw_node(d, &n->child[i], cx, depth + 1);
		cx += (double)n->child[i].value * d->per_value;
	}
}

void flame_draw(FILE *f, const struct flame_tree *t, const struct flame_box *b)
{
	double full = b->full > 0 ? b->full : (double)flame_total(t);
	double div = b->divide > 0 ? b->divide : 1;
	struct draw d = {f, b, full > 0 ? b->width / full : 0, 0, (double)flame_total(t)};
	double cx = b->x;

	/* data-x, data-w: the graph's span, which a zoomed box fills (flame_script.c). */
	fprintf(f,
		"<g class=\"flame\" data-x=\"%.2f\" data-w=\"%.2f\" font-family=\"sans-serif\" "
		"font-size=\"11\" style=\"cursor:pointer\">\n<text class=\"ft\" x=\"%.1f\" "
		"y=\"%.1f\" font-size=\"13\" font-weight=\"bold\"><title>click a box to zoom in, "
		"this title to zoom out</title>",
		b->x, b->width, b->x, b->y + 15);
	markup_text(f, b->title ? b->title : "", 256);
	fprintf(f, " (%.1f %s)</text>\n", (double)flame_total(t) / div * b->scale, b->unit);
	if (!flame_total(t)) {
		fprintf(f,
			"<text x=\"%.1f\" y=\"%.1f\" fill=\"#888\">nothing recorded</text></g>\n",
			b->x, b->y + TITLE_H + 12);
		return;
	}
	/* The root row (depth 1: the actor) sits at the bottom. */
	d.base_y = b->y + TITLE_H + (t->depth - 1) * FRAME_H;
	for (size_t i = 0; i < t->root.n; i++) {
		draw_node(&d, &t->root.child[i], cx, 0);
		cx += (double)t->root.child[i].value * d.per_value;
	}
	fputs("</g>\n", f);
}

int flame_svg(FILE *f, const struct flame_tree *t, double width, const char *title, double divide)
{
	struct flame_box b = {10, 4, width - 20, 0, divide, "ms", 1e-3, title};
	double h, legend;
	char *text = NULL;
	size_t len = 0;
	FILE *lf = open_memstream(&text, &len);

	if (!lf)
		return -ENOMEM;
	legend = flame_legend(lf, 10, 4, width - 20, flame_states(t));
	fclose(lf);
	b.y += legend + 6;
	h = b.y + flame_height(t) + 4;
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\">\n<rect width=\"100%%\" height=\"100%%\" "
		"fill=\"white\"/>\n%s",
		width, h, width, h, text ? text : "");
	free(text);
	flame_draw(f, t, &b);
	flame_script(f);
	fputs("</svg>\n", f);
	return ferror(f) ? -EIO : 0;
}
