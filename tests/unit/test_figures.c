// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the figures, the flame graph and timeline.json say to a reader: the scripts written for
 * a small synthetic run (axis ranges, labels, the same phases on every per-phase figure, the
 * title once), a figure the run lacks the data for listed with why, the flame graph's legend
 * and script, and the timeline's counters, argument types and empty phases.
 */
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "explain/flame.h"
#include "model/fold.h"
#include "model/phase.h"
#include "report/report.h"
#include "support/harness.h"

#define T0 1700000000000000000LL
#define MS 1000000LL

static char *tmpdir(void)
{
	char *d = harness_tmpdir("figures");

	assert_non_null(d);
	return d;
}

static void rmtree(char *dir)
{
	harness_rmtree(dir);
	free(dir);
}

static char *slurp(const char *dir, const char *name)
{
	char path[512];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	buf[fread(buf, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return buf;
}

static FILE *create(const char *dir, const char *name)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	return f;
}

/*
 * A run of four trials per cell, 300-360 ms for none and 600-660 ms for hdd-1 (when with_load);
 * the phases take fixed shares, ready none. Kernel columns: engine_iowait_ns only in create,
 * engine_runq_ns only in start, engine_execs zero throughout. events.csv: one event per
 * trial with a container id that is all digits in the drawn (median) trial, hex in the others.
 */
static void synth(const char *dir, bool with_load)
{
	static const int pct[PH_COUNT] = {2, 8, 10, 5, 5, 20, 2, 8, 40, 0};
	FILE *t = create(dir, "trials.csv"), *p = create(dir, "phases.csv"),
	     *e = create(dir, "events.csv");
	int64_t clock = T0;

	fputs("run_id,cell,load,stressors,trial,status,reason,method,restart_ns,window_begin_ns,"
	      "window_end_ns,kill_ns,die_ns,disconnect_ns,stop_ns,destroy_ns,create_ns,attach_ns,"
	      "connect_ns,start_ns,ready_ns\n",
	      t);
	fputs("run_id,cell,load,stressors,trial,phase,order,event_ns,start_ns,end_ns,duration_ns,"
	      "engine_iowait_ns,engine_runq_ns,engine_execs,engine_bio_bytes\n",
	      p);
	fputs("cell,trial,ts_ns,dur_ns,actor,event,pid,comm,container\n", e);
	for (int c = 0; c < (with_load ? 2 : 1); c++)
		for (int k = 1; k <= 4; k++) {
			const char *cell = c ? "hdd-1" : "none", *load = c ? "hdd" : "none";
			int64_t total = ((c ? 600 : 300) + 20 * (k - 1)) * MS, at = clock;

			clock += 5000 * MS;
			fprintf(t, "syn,%s,%s,%d,%d,ok,,stdout,%lld,%lld,%lld", cell, load, c, k,
				(long long)total, (long long)at, (long long)(at + total));
			for (int ph = 0; ph < PH_COUNT; ph++)
				fprintf(t, ",%lld", (long long)(total * pct[ph] / 100));
			fputs("\n", t);
			for (int ph = 0; ph < PH_COUNT; ph++) {
				int64_t d = total * pct[ph] / 100;

				fprintf(p,
					"syn,%s,%s,%d,%d,%s,%d,%lld,%lld,%lld,%lld,"
					"%lld,%lld,0,%d\n",
					cell, load, c, k, phase_name(ph), ph, (long long)(at + d),
					(long long)at, (long long)(at + d), (long long)d,
					ph == PH_CREATE ? (long long)(d / 2) : 0LL,
					ph == PH_START ? (long long)(d * 3) : 0LL, ph * 4096);
				at += d;
			}
			fprintf(e, "%s,%d,%lld,%lld,engine,exec,%d,runc,%s\n", cell, k,
				(long long)(clock - 5000 * MS + MS), (long long)(2 * MS), 100 + k,
				k == 2 ? "12345" : "0a1b");
		}
	fclose(t);
	fclose(p);
	fclose(e);
}

/* The report without gnuplot: the scripts and data are written, nothing drawn. */
static char *report(bool with_load)
{
	char *dir = tmpdir(), err[512];
	const char *dirs[] = {dir};
	struct report_opts o = {.gnuplot = "/nonexistent/gnuplot"};

	synth(dir, with_load);
	assert_int_equal(report_dirs(dirs, 1, &o, err, sizeof(err)), 0);
	return dir;
}

static char *figure_file(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/figures", dir);
	return slurp(path, name);
}

/* --- figures --- */

static void cdf_axis_starts_near_the_data(void **state)
{
	char *dir = report(true), *gp = figure_file(dir, "fig3-cdf.gp"), *at;
	double lo = -1, hi = -1;

	(void)state;
	assert_non_null(gp);
	at = strstr(gp, "set xrange [");
	assert_non_null(at);
	assert_int_equal(sscanf(at, "set xrange [%lf:%lf]", &lo, &hi), 2);
	/* Fastest 0.30 s, slowest 0.66 s: the axis hugs them, not 0. */
	assert_true(lo > 0.2 && lo <= 0.30);
	assert_true(hi >= 0.66 && hi < 0.8);
	free(gp);
	rmtree(dir);
}

static void title_drawn_once(void **state)
{
	static const char *const gps[] = {"fig3-cdf.gp", "fig4-medians.gp", "fig5-phases.gp",
					  "fig6-engine-iowait.gp"};
	char *dir = report(true);

	(void)state;
	for (size_t i = 0; i < sizeof(gps) / sizeof(gps[0]); i++) {
		char *gp = figure_file(dir, gps[i]), *png_title;

		assert_non_null(gp);
		/* Into the PNG only: report.html prints the title above the inlined SVG. */
		png_title = strstr(gp, "if (f eq \"png\") { set title \"");
		assert_non_null(png_title);
		assert_null(strstr(png_title + 30, "set title"));
		assert_true(strstr(gp, "set title") == png_title + 18);
		free(gp);
	}
	rmtree(dir);
}

static void shares_labelled(void **state)
{
	char *dir = report(true), *gp = figure_file(dir, "fig5-phases.gp");

	(void)state;
	assert_non_null(gp);
	assert_non_null(strstr(gp, "set xlabel \""));
	assert_non_null(strstr(gp, "set ylabel \"share of the restart window"));
	/* start takes 40 % of each cell, above 60 % of others: its number sits at 80 %. */
	assert_non_null(strstr(gp, "set label \"40%\" at 0, 80.000"));
	assert_non_null(strstr(gp, "set label \"40%\" at 1, 80.000"));
	/* kill's 2 % has no room for a number. */
	assert_null(strstr(gp, "set label \"2.0%\""));
	free(gp);
	rmtree(dir);
}

/* The first column of each data row: the phase. */
static void phases_of(const char *dat, char *out, size_t len)
{
	size_t o = 0;

	for (const char *l = dat; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l))
		if (*l != '#' && *l != '\n')
			o += (size_t)snprintf(out + o, len - o, "%.*s,", (int)strcspn(l, " \n"), l);
}

static void per_phase_figures_line_up(void **state)
{
	char *dir = report(true), *iowait = figure_file(dir, "fig6-engine-iowait.dat"),
	     *blkio = figure_file(dir, "fig7-engine-blkio.dat"),
	     *gp = figure_file(dir, "fig6-engine-iowait.gp");
	char a[256], b[256], want[256] = "";
	size_t o = 0;

	(void)state;
	assert_non_null(iowait);
	assert_non_null(blkio);
	for (int p = 0; p < PH_COUNT; p++)
		o += (size_t)snprintf(want + o, sizeof(want) - o, "%s,", phase_name(p));
	/* iowait is only in create, block I/O in every phase but kill: the same rows anyway. */
	phases_of(iowait, a, sizeof(a));
	phases_of(blkio, b, sizeof(b));
	assert_string_equal(a, want);
	assert_string_equal(b, want);
	assert_non_null(strstr(gp, "summed over threads\" }"));	  /* the title */
	assert_non_null(strstr(gp, "(ms, summed over threads)")); /* the y label */
	free(iowait);
	free(blkio);
	free(gp);
	rmtree(dir);
}

static void missing_figure_says_why(void **state)
{
	char *dir = tmpdir(), err[512], *html, *fig4, *log = NULL;
	const char *dirs[] = {dir};
	size_t len = 0;
	FILE *logf = open_memstream(&log, &len);
	struct report_opts o = {.log = logf}; /* drawn by gnuplot this time */

	(void)state;
	synth(dir, false);
	assert_int_equal(report_dirs(dirs, 1, &o, err, sizeof(err)), 0);
	fclose(logf);
	html = slurp(dir, "report.html");
	assert_non_null(html);
	fig4 = strstr(html, "<figure id=\"fig4-medians\">");
	assert_non_null(fig4);
	assert_non_null(strstr(fig4, "no cell with stressor containers"));
	/* The page says it; the terminal is not told after every baseline-only run. */
	assert_null(strstr(log, "fig4"));
	free(log);
	free(html);
	rmtree(dir);
}

/* --- flame graph --- */

static void flame_has_legend_and_script(void **state)
{
	struct fold *fd = fold_new();
	struct flame_tree *t;
	char *svg = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&svg, &len);

	(void)state;
	assert_int_equal(fold_add(fd, "engine;dockerd;[iowait];io_schedule", 3000), 0);
	assert_int_equal(fold_add(fd, "engine;dockerd;[runq];schedule", 1000), 0);
	t = flame_build(fd, NULL, NULL);
	assert_non_null(t);
	assert_int_equal(flame_svg(f, t, 800, "test", 1), 0);
	fclose(f);
	/* The legend: the states present, not the others. */
	assert_non_null(strstr(svg, "class=\"legend\""));
	assert_non_null(strstr(svg, "[iowait] waiting for I/O"));
	assert_non_null(strstr(svg, "[runq] waiting for a CPU"));
	assert_null(strstr(svg, "[blocked] "));
	assert_non_null(strstr(svg, ">kernel function<"));
	/* Zoom and search: the controls, the graph's span, the boxes, the script last. */
	assert_non_null(strstr(svg, ">Search</text>"));
	assert_non_null(strstr(svg, ">Reset zoom</text>"));
	assert_non_null(strstr(svg, "<g class=\"flame\" data-x=\"10.00\" data-w=\"780.00\""));
	assert_non_null(strstr(svg, "<g class=\"b\"><title>io_schedule"));
	assert_non_null(strstr(svg, "<script type=\"text/javascript\"><![CDATA["));
	assert_non_null(strstr(svg, "addEventListener('click'"));
	assert_non_null(strstr(svg, "]]></script>\n</svg>\n"));
	/* Nothing fetched. */
	assert_null(strstr(svg, "src="));
	assert_null(strstr(svg, "url("));
	free(svg);
	flame_free(t);
	fold_free(fd);
}

/* --- timeline --- */

static json_object *arg(json_object *e, const char *key)
{
	json_object *args, *v = NULL;

	if (json_object_object_get_ex(e, "args", &args))
		json_object_object_get_ex(args, key, &v);
	return v;
}

static void timeline_is_useful(void **state)
{
	char *dir = report(true), path[512];
	json_object *root, *events;
	int ready = 0, iowait = 0, runq = 0, execs = 0, numbers = 0, strings = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/timeline.json", dir);
	root = json_object_from_file(path);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "traceEvents", &events));
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		json_object *e = json_object_array_get_idx(events, i), *v;
		const char *ph, *name;

		json_object_object_get_ex(e, "ph", &v);
		ph = json_object_get_string(v);
		json_object_object_get_ex(e, "name", &v);
		name = json_object_get_string(v);
		if (strcmp(ph, "C") == 0) {
			iowait += strcmp(name, "engine iowait (ms)") == 0;
			runq += strcmp(name, "engine runq (ms)") == 0;
			execs += strcmp(name, "engine execs") == 0;
		}
		if (strcmp(ph, "X") == 0 && strcmp(name, "ready") == 0) {
			json_object_object_get_ex(e, "dur", &v);
			assert_true(json_object_get_double(v) == 0);
			ready++;
		}
		if (strcmp(ph, "X") == 0 && strcmp(name, "create") == 0) {
			/* Numbers from the CSV are JSON numbers, exactly as written. */
			v = arg(e, "engine_iowait_ns");
			assert_true(json_object_is_type(v, json_type_double) ||
				    json_object_is_type(v, json_type_int));
			v = arg(e, "event_ns");
			assert_non_null(strstr(json_object_to_json_string(v), "17000000"));
			assert_false(json_object_is_type(v, json_type_string));
			numbers++;
		}
		if (strcmp(ph, "X") == 0 && strcmp(name, "exec") == 0) {
			assert_false(json_object_is_type(arg(e, "pid"), json_type_string));
			/* A column holding one hex id stays text in every row. */
			assert_true(json_object_is_type(arg(e, "container"), json_type_string));
			assert_true(json_object_is_type(arg(e, "comm"), json_type_string));
			strings++;
		}
	}
	/* Each of the two cells: a ready slice; counters for the columns with values only. */
	assert_int_equal(ready, 2);
	assert_true(iowait > 0 && runq > 0);
	assert_int_equal(execs, 0);
	assert_int_equal(numbers, 2);
	assert_int_equal(strings, 2);
	json_object_put(root);
	rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cdf_axis_starts_near_the_data),
		cmocka_unit_test(title_drawn_once),
		cmocka_unit_test(shares_labelled),
		cmocka_unit_test(per_phase_figures_line_up),
		cmocka_unit_test(missing_figure_says_why),
		cmocka_unit_test(flame_has_legend_and_script),
		cmocka_unit_test(timeline_is_useful),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
