// SPDX-License-Identifier: GPL-2.0-only
#include "cli/progress.h"

#include <string.h>

#define NS_PER_S 1000000000LL

void progress_init(struct progress *p, FILE *f, int width, int n_cells, int trials_per_cell,
		   int64_t now_ns)
{
	memset(p, 0, sizeof(*p));
	p->f = f;
	p->width = width > 0 ? (width < 20 ? 20 : width > 300 ? 300 : width) : 0;
	p->n_cells = n_cells > 0 ? n_cells : 1;
	p->trials_per_cell = trials_per_cell > 0 ? trials_per_cell : 1;
	p->start_ns = now_ns;
}

static int total(const struct progress *p)
{
	return p->n_cells * p->trials_per_cell;
}

int64_t progress_eta_ns(const struct progress *p, int64_t now_ns)
{
	int left = total(p) - p->done;

	if (p->done <= 0)
		return -1;
	if (left <= 0)
		return 0;
	/* Setup of the cells (load start, settle) is part of the pace: it recurs per cell. */
	return (now_ns - p->start_ns) / p->done * left;
}

void progress_format_duration(int64_t ns, char *buf, size_t len)
{
	int64_t s = (ns + NS_PER_S / 2) / NS_PER_S;

	if (ns < 0)
		snprintf(buf, len, "?");
	else if (s >= 3600)
		snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
	else if (s >= 60)
		snprintf(buf, len, "%lldm%02llds", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(buf, len, "%llds", (long long)s);
}

void progress_format_bar(const struct progress *p, int64_t now_ns, char *buf, size_t len)
{
	char eta[16], text[200], bar[64], failed[32];
	int pct = total(p) ? p->done * 100 / total(p) : 0;
	int width = p->width ? p->width : 80;
	int room, fill;

	progress_format_duration(progress_eta_ns(p, now_ns), eta, sizeof(eta));
	if (p->failed)
		snprintf(failed, sizeof(failed), ", %d failed", p->failed);
	else
		failed[0] = '\0';
	if (p->trial > 0)
		snprintf(text, sizeof(text), " %3d%% cell %d/%d %s trial %d/%d ETA %s%s", pct,
			 p->cell + 1, p->n_cells, p->cell_name, p->trial, p->trials_per_cell, eta,
			 failed);
	else
		snprintf(text, sizeof(text), " %3d%% cell %d/%d %s: %s ETA %s%s", pct, p->cell + 1,
			 p->n_cells, p->cell_name, p->note[0] ? p->note : "setting up", eta,
			 failed);
	/* A bar of fixed width when the terminal is wide enough, so it does not jitter. */
	room = width >= 60 ? 20 : 0;
	if (room) {
		fill = room * pct / 100;
		memset(bar, '#', (size_t)fill);
		memset(bar + fill, '.', (size_t)(room - fill));
		bar[room] = '\0';
		snprintf(buf, len, "[%s]%s", bar, text);
	} else {
		snprintf(buf, len, "%s", text + 1);
	}
	if ((int)strlen(buf) > width - 1 && width - 1 < (int)len)
		buf[width - 1] = '\0';
}

static void clear_bar(struct progress *p)
{
	if (p->width && p->drawn) {
		fputs("\r\033[K", p->f);
		p->drawn = false;
	}
}

static void draw(struct progress *p, int64_t now_ns)
{
	char buf[320];

	if (!p->width)
		return;
	progress_format_bar(p, now_ns, buf, sizeof(buf));
	fprintf(p->f, "\r%s\033[K", buf);
	fflush(p->f);
	p->drawn = true;
}

static void set_cell(struct progress *p, int cell, const char *cell_name)
{
	p->cell = cell;
	snprintf(p->cell_name, sizeof(p->cell_name), "%s", cell_name ? cell_name : "?");
}

void progress_update(struct progress *p, int cell, const char *cell_name, int trial,
		     const char *note, int64_t now_ns)
{
	set_cell(p, cell, cell_name);
	p->trial = trial;
	snprintf(p->note, sizeof(p->note), "%s", note ? note : "");
	if (p->width) {
		draw(p, now_ns);
	} else if (note) {
		fprintf(p->f, "restartprof: %s: %s\n", p->cell_name, note);
		fflush(p->f);
	}
}

void progress_trial(struct progress *p, int cell, const char *cell_name, int trial,
		    int64_t restart_ns, const char *status, const char *reason, int64_t now_ns)
{
	char eta[16], line[512];

	set_cell(p, cell, cell_name);
	p->trial = trial;
	p->done++;
	if (restart_ns < 0)
		p->failed++;
	progress_format_duration(progress_eta_ns(p, now_ns), eta, sizeof(eta));
	if (restart_ns < 0)
		snprintf(line, sizeof(line), "restartprof: %s trial %d/%d: %s: %s", p->cell_name,
			 trial, p->trials_per_cell, status ? status : "failed",
			 reason && *reason ? reason : "no reason given");
	else
		snprintf(line, sizeof(line),
			 "restartprof: %s trial %d/%d: %.3f s (cell %d/%d, ETA %s%s%s)",
			 p->cell_name, trial, p->trials_per_cell, (double)restart_ns / NS_PER_S,
			 cell + 1, p->n_cells, eta, reason && *reason ? "; " : "",
			 reason ? reason : "");
	/* On a terminal only failures and remarks leave a line; the bar shows the rest. */
	if (!p->width || restart_ns < 0 || (reason && *reason))
		progress_line(p, line);
	if (p->width)
		draw(p, now_ns);
}

void progress_line(struct progress *p, const char *text)
{
	clear_bar(p);
	fprintf(p->f, "%s\n", text);
	fflush(p->f);
}

void progress_end(struct progress *p)
{
	clear_bar(p);
	fflush(p->f);
}
