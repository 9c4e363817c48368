// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report on synthetic run directories: small CSVs written here, the report code run on
 * them, and what it wrote checked for presence and consistency (summary, figures, timeline,
 * pages, comparison), also without gnuplot, with an older column set and with kernel columns.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <math.h>
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

#include "model/phase.h"
#include "report/figures.h"
#include "report/html.h"
#include "util/markup.h"
#include "report/report.h"
#include "report/report_data.h"
#include "report/timeline.h"
#include "rundir/csv.h"
#include "rundir/run_json.h"
#include "support/harness.h"

#define T0 1700000000000000000LL /* a wall-clock time, ns */
#define MS 1000000LL

/* --- making run directories --- */

static char *tmpdir(void)
{
	char *d = strdup("/tmp/rp-test-report.XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* RP_TEST_KEEP=1 keeps the directories to look at. */
static void rmtree(char *dir)
{
	if (getenv("RP_TEST_KEEP"))
		fprintf(stderr, "kept %s\n", dir);
	else if (strncmp(dir, "/tmp/rp-test-report.", 20) == 0)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static void put(const char *dir, const char *name, const char *text)
{
	assert_int_equal(harness_put_file(dir, name, text), 0);
}

static char *slurp(const char *dir, const char *name, size_t *len)
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
	if (len)
		*len = (size_t)n;
	return buf;
}

static off_t size_of(const char *dir, const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 ? st.st_size : -1;
}

struct synth {
	const char *cell, *load;
	int stressors;
	int trials;
	int64_t base_ms; /* trial k takes base + 10*k ms, the last one fails if fail */
	bool fail_last;
};

/* Phase durations of a trial taking total ns: fixed shares, ready takes the rest. */
static void split(int64_t total, int64_t out[PH_COUNT])
{
	static const int pct[PH_COUNT] = {1, 5, 20, 2, 3, 10, 1, 6, 52, 0}; /* ready: 0 */
	int64_t used = 0;

	for (int p = 0; p < PH_COUNT; p++) {
		out[p] = p == PH_READY ? total - used : total * pct[p] / 100;
		used += out[p];
	}
}

/* Writes trials.csv, phases.csv, api_calls.csv (and with kernel, engine_iowait_ns and
 * events.csv) for the cells. */
static void synth_run(const char *dir, const struct synth *cells, int n, bool kernel)
{
	FILE *t, *p, *a, *e = NULL;
	char path[512];
	int64_t clock = T0;

	snprintf(path, sizeof(path), "%s/trials.csv", dir);
	t = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/phases.csv", dir);
	p = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/api_calls.csv", dir);
	a = fopen(path, "w");
	if (kernel) {
		snprintf(path, sizeof(path), "%s/events.csv", dir);
		e = fopen(path, "w");
		fputs("cell,trial,ts_ns,dur_ns,actor,event,pid,comm\n", e);
	}
	fputs("run_id,cell,load,stressors,trial,status,reason,method,restart_ns,"
	      "restart_stdout_ns,window_begin_ns,window_end_ns,kill_ns,die_ns,disconnect_ns,"
	      "stop_ns,destroy_ns,create_ns,attach_ns,connect_ns,start_ns,ready_ns\n",
	      t);
	fprintf(p,
		"run_id,cell,load,stressors,trial,phase,order,event_ns,start_ns,end_ns,"
		"duration_ns%s\n",
		kernel ? ",engine_iowait_ns,engine_bio_bytes" : "");
	fputs("run_id,cell,trial,seq,call,start_ns,duration_ns,http_status\n", a);
	for (int c = 0; c < n; c++)
		for (int k = 1; k <= cells[c].trials; k++) {
			const struct synth *s = &cells[c];
			int64_t total = (s->base_ms + 10 * k) * MS, d[PH_COUNT], at;
			bool ok = !(s->fail_last && k == s->trials);

			clock += 5000 * MS;
			fprintf(a, "syn,%s,%d,1,stop,%lld,%lld,204\n", s->cell, k,
				(long long)(clock - 2 * MS), (long long)(40 * MS));
			if (!ok) {
				fprintf(t,
					"syn,%s,%s,%d,%d,failed,\"never ready, gave up\",stdout"
					",,,,,,,,,,,,,,\n",
					s->cell, s->load, s->stressors, k);
				continue;
			}
			split(total, d);
			fprintf(t, "syn,%s,%s,%d,%d,ok,,stdout,%lld,%lld,%lld,%lld", s->cell,
				s->load, s->stressors, k, (long long)total, (long long)total,
				(long long)clock, (long long)(clock + total));
			for (int ph = 0; ph < PH_COUNT; ph++)
				fprintf(t, ",%lld", (long long)d[ph]);
			fputs("\n", t);
			at = clock;
			for (int ph = 0; ph < PH_COUNT; ph++) {
				fprintf(p, "syn,%s,%s,%d,%d,%s,%d,%lld,%lld,%lld,%lld", s->cell,
					s->load, s->stressors, k, phase_name(ph), ph,
					(long long)(at + d[ph]), (long long)at,
					(long long)(at + d[ph]), (long long)d[ph]);
				if (kernel)
					fprintf(p, ",%lld,%d", (long long)(d[ph] / 4), ph * 4096);
				fputs("\n", p);
				at += d[ph];
			}
			if (e) {
				fprintf(e, "%s,%d,%lld,%lld,engine,exec,100,runc\n", s->cell, k,
					(long long)(clock + d[0]), (long long)(3 * MS));
				fprintf(e, "%s,%d,%lld,,kernel,block_rq_issue,50,jbd2/vda-8\n",
					s->cell, k, (long long)(clock + 5 * MS));
			}
		}
	fclose(t);
	fclose(p);
	fclose(a);
	if (e)
		fclose(e);
}

/* The data-root's filesystem synth_info records ("" for none). */
static const char *synth_fstype = "";

static void synth_info(const char *dir, const char *host, const struct synth *cells, int n)
{
	struct run_info ri = {0};
	struct cell c[8];
	char *argv[] = {"run", "--matrix", "--quick"};
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	for (int i = 0; i < n; i++) {
		enum load_type l;
		int s, r;

		assert_int_equal(cell_parse_name(cells[i].cell, &l, &s, &r), 0);
		cell_init(&c[i], l, s, r);
	}
	snprintf(ri.run_id, sizeof(ri.run_id), "syn-%s", host);
	snprintf(ri.state, sizeof(ri.state), "done");
	snprintf(ri.hostname, sizeof(ri.hostname), "%s", host);
	snprintf(ri.kernel, sizeof(ri.kernel), "6.1.0-test");
	snprintf(ri.tool_version, sizeof(ri.tool_version), "0.1.0 (test)");
	snprintf(ri.method, sizeof(ri.method), "stdout");
	ri.storage.rotational = 0;
	snprintf(ri.storage.type, sizeof(ri.storage.type), "sd-card");
	snprintf(ri.storage.mount.fstype, sizeof(ri.storage.mount.fstype), "%s", synth_fstype);
	ri.program = "restartprof";
	ri.argc = 3;
	ri.argv = argv;
	ri.start_ns = T0;
	ri.end_ns = T0 + 60 * 1000 * MS;
	ri.matrix = true;
	ri.trials_per_cell = 4;
	ri.cells = c;
	ri.n_cells = n;
	assert_int_equal(run_json_write(fd, &ri), 0);
	close(fd);
}

static const struct synth matrix[] = {
	{"none", "none", 0, 4, 300, false},  {"cpu-1", "cpu", 1, 4, 500, false},
	{"cpu-2", "cpu", 2, 4, 600, true},   {"none#2", "none", 0, 4, 320, false},
	{"hdd-1", "hdd", 1, 3, 1500, false}, {"none#3", "none", 0, 4, 310, false},
};
#define N_MATRIX 6

static int run_report(const char *const *dirs, size_t n, const char *gnuplot, const char *out,
		      char *err)
{
	struct report_opts o = {.gnuplot = gnuplot, .out_dir = out};

	return report_dirs(dirs, n, &o, err, 512);
}

/* A data-root in memory is said in the headline, not only in the folded run facts. */
static void memory_data_root_in_headline(void **state)
{
	char *dir = tmpdir(), err[512], *html, *warning;
	const char *dirs[] = {dir};

	(void)state;
	synth_run(dir, matrix, N_MATRIX, false);
	synth_fstype = "tmpfs";
	synth_info(dir, "pi4", matrix, N_MATRIX);
	synth_fstype = "";
	assert_int_equal(run_report(dirs, 1, NULL, NULL, err), 0);
	html = slurp(dir, "report.html", NULL);
	assert_non_null(html);
	warning = strstr(html, "<strong>WARNING:</strong> the engine&#39;s data-root is on tmpfs");
	assert_non_null(warning);
	assert_true(warning > strstr(html, "<section id=\"headline\">"));
	assert_true(warning < strstr(html, "<section id=\"run\">"));
	free(html);
	rmtree(dir);
}

/* --- checks --- */

static void check_summary(const char *dir)
{
	struct csv_table s, t;
	char path[512];

	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	assert_int_equal(csv_read_file(path, &s), 0);
	snprintf(path, sizeof(path), "%s/trials.csv", dir);
	assert_int_equal(csv_read_file(path, &t), 0);
	assert_int_equal(s.n_rows, N_MATRIX);
	for (size_t r = 0; r < s.n_rows; r++) {
		const char *cell = csv_get(&s, r, csv_col(&s, "cell"));
		double v[8], med;
		size_t n = 0;

		assert_string_equal(cell, matrix[r].cell); /* in run order */
		for (size_t k = 0; k < t.n_rows; k++)
			if (strcmp(csv_get(&t, k, csv_col(&t, "cell")), cell) == 0 &&
			    strcmp(csv_get(&t, k, csv_col(&t, "status")), "ok") == 0)
				v[n++] = (double)csv_get_i64(&t, k, csv_col(&t, "restart_ns"), 0) /
					 1e9;
		/* The synthetic times are increasing: the median is the middle of them. */
		med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
		assert_true(fabs(csv_get_f64(&s, r, csv_col(&s, "median_s"), -1) - med) < 1e-6);
		assert_int_equal(csv_get_i64(&s, r, csv_col(&s, "ok"), -1), (int64_t)n);
	}
	/* cpu-2 lost its last trial. */
	assert_int_equal(csv_get_i64(&s, 2, csv_col(&s, "failures"), -1), 1);
	csv_table_free(&s);
	csv_table_free(&t);
	snprintf(path, sizeof(path), "%s/summary_loads.csv", dir);
	assert_int_equal(csv_read_file(path, &s), 0);
	assert_int_equal(s.n_rows, 3);
	assert_string_equal(csv_get(&s, 0, 0), "none");
	csv_table_free(&s);
	snprintf(path, sizeof(path), "%s/phase_shares.csv", dir);
	assert_int_equal(csv_read_file(path, &s), 0);
	assert_int_equal(s.n_rows, N_MATRIX * PH_COUNT);
	/* Shares of a cell add up to 100 %. */
	double sum = 0;

	for (size_t r = 0; r < PH_COUNT; r++)
		sum += csv_get_f64(&s, r, csv_col(&s, "share_pct"), 0);
	assert_true(fabs(sum - 100) < 0.01);
	csv_table_free(&s);
}

static bool is_png(const char *dir, const char *name)
{
	size_t len;
	char *b = slurp(dir, name, &len);
	bool ok = b && len > 100 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0;

	free(b);
	return ok;
}

static void check_figures(const char *dir, bool rendered, bool kernel)
{
	static const char *const figs[] = {"fig3-cdf", "fig4-medians", "fig5-phases",
					   "fig6-engine-iowait", "fig7-engine-blkio"};
	char fdir[512], name[64];

	snprintf(fdir, sizeof(fdir), "%s/figures", dir);
	for (size_t i = 0; i < 5; i++) {
		bool want = i < 3 || kernel;

		snprintf(name, sizeof(name), "%s.gp", figs[i]);
		assert_int_equal(size_of(fdir, name) > 0, want);
		snprintf(name, sizeof(name), "%s.dat", figs[i]);
		assert_int_equal(size_of(fdir, name) > 0, want);
		snprintf(name, sizeof(name), "%s.svg", figs[i]);
		assert_int_equal(size_of(fdir, name) > 1000, want && rendered);
		snprintf(name, sizeof(name), "%s.png", figs[i]);
		assert_int_equal(is_png(fdir, name), want && rendered);
	}
	/* Figures the run has no data for are left out silently. */
	assert_int_equal(size_of(fdir, "fig8-engine-blkio-latency.gp"), -1);
}

static void check_html(const char *dir, bool rendered, bool kernel)
{
	char *html = slurp(dir, "report.html", NULL);

	assert_non_null(html);
	assert_non_null(strstr(html, "<!DOCTYPE html>"));
	assert_non_null(strstr(html, "</html>"));
	/* Self-contained: no script, no stylesheet or image fetched. */
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, "src="));
	assert_null(strstr(html, "url("));
	assert_non_null(strstr(html, "figures/fig3-cdf.gp"));
	assert_non_null(strstr(html, "figures/fig4-medians.dat"));
	assert_non_null(strstr(html, "figures/fig5-phases.gp"));
	assert_int_equal(strstr(html, "figures/fig6-engine-iowait.gp") != NULL, kernel);
	assert_int_equal(strstr(html, "<svg") != NULL, rendered);
	assert_int_equal(strstr(html, "figures/fig3-cdf.png") != NULL, rendered);
	assert_int_equal(strstr(html, "not installed") != NULL, !rendered);
	/* The answer first: the headline before the run's facts, which fold away. */
	assert_non_null(strstr(html, "<section id=\"headline\">"));
	assert_true(strstr(html, "<section id=\"headline\">") <
		    strstr(html, "<section id=\"run\">"));
	assert_non_null(strstr(html, "median restart"));
	/* Causes wrap their long paths; no nested parentheses in the footer. */
	assert_non_null(strstr(html, "overflow-wrap:anywhere"));
	assert_null(strstr(html, "))"));
	/* Names from the files are escaped. */
	assert_non_null(strstr(html, "none#2"));
	assert_null(strstr(html, "<b>x</b>"));
	free(html);
}

/* --- timeline --- */

static json_object *timeline(const char *dir)
{
	char path[512];
	json_object *o;

	snprintf(path, sizeof(path), "%s/timeline.json", dir);
	o = json_object_from_file(path);
	assert_non_null(o);
	return o;
}

static void check_timeline(const char *dir, bool kernel)
{
	json_object *root = timeline(dir), *events, *e, *v;
	double last = -1;
	int slices[8] = {0}, api = 0, engine_track = 0, counters = 0, kernel_instants = 0;

	assert_true(json_object_object_get_ex(root, "traceEvents", &events));
	assert_true(json_object_is_type(events, json_type_array));
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		const char *ph, *name;
		int pid;

		e = json_object_array_get_idx(events, i);
		assert_true(json_object_object_get_ex(e, "ph", &v));
		ph = json_object_get_string(v);
		assert_true(json_object_object_get_ex(e, "ts", &v));
		assert_true(json_object_get_double(v) >= last); /* ordered */
		assert_true(json_object_get_double(v) >= 0);
		last = json_object_get_double(v);
		assert_true(json_object_object_get_ex(e, "pid", &v));
		pid = json_object_get_int(v);
		assert_true(pid >= 1 && pid <= N_MATRIX);
		json_object_object_get_ex(e, "name", &v);
		name = json_object_get_string(v);
		if (strcmp(ph, "X") == 0) {
			json_object *tid, *dur;

			assert_true(json_object_object_get_ex(e, "dur", &dur));
			assert_true(json_object_get_double(dur) >= 0);
			json_object_object_get_ex(e, "tid", &tid);
			if (json_object_get_int(tid) == 1)
				slices[pid]++;
			else if (json_object_get_int(tid) == 2)
				api++;
		}
		if (strcmp(ph, "M") == 0 && strcmp(name, "thread_name") == 0) {
			json_object *args, *n;

			json_object_object_get_ex(e, "args", &args);
			json_object_object_get_ex(args, "name", &n);
			engine_track += strcmp(json_object_get_string(n), "engine") == 0;
		}
		if (strcmp(ph, "M") == 0 && strcmp(name, "process_name") == 0 && pid == 1) {
			json_object *args, *n;

			json_object_object_get_ex(e, "args", &args);
			json_object_object_get_ex(args, "name", &n);
			/* Four trials of none: 0.31, 0.32, 0.33, 0.34 s: the lower middle one. */
			assert_non_null(strstr(json_object_get_string(n), "trial 2, the median"));
		}
		counters += strcmp(ph, "C") == 0;
		kernel_instants += strcmp(ph, "i") == 0;
	}
	/* Every cell: its ten phases (ready, empty here, a zero-length slice), its API call. */
	for (int c = 1; c <= N_MATRIX; c++)
		assert_int_equal(slices[c], PH_COUNT);
	assert_int_equal(api, N_MATRIX);
	assert_int_equal(engine_track, kernel ? N_MATRIX : 0);
	assert_int_equal(kernel_instants, kernel ? N_MATRIX : 0);
	assert_int_equal(counters > 0, kernel);
	json_object_put(root);
}

/* --- the tests --- */

static void full_report(void **state)
{
	char *dir = tmpdir(), err[512];
	const char *dirs[] = {dir};

	(void)state;
	synth_run(dir, matrix, N_MATRIX, false);
	synth_info(dir, "pi4", matrix, N_MATRIX);
	assert_int_equal(run_report(dirs, 1, NULL, NULL, err), 0);
	check_summary(dir);
	check_figures(dir, true, false);
	check_html(dir, true, false);
	check_timeline(dir, false);
	/* A second report replaces the files (summaries are atomic, nothing is refused). */
	assert_int_equal(run_report(dirs, 1, NULL, NULL, err), 0);
	check_summary(dir);
	rmtree(dir);
}

static void without_gnuplot(void **state)
{
	char *dir = tmpdir(), err[512];
	const char *dirs[] = {dir};
	char *out = NULL;
	size_t len = 0;
	FILE *log = open_memstream(&out, &len);
	struct report_opts o = {.gnuplot = "/nonexistent/gnuplot", .log = log};

	(void)state;
	synth_run(dir, matrix, N_MATRIX, false);
	assert_int_equal(report_dirs(dirs, 1, &o, err, sizeof(err)), 0);
	fclose(log);
	/* One line says so, one where the page is; the tables and scripts are still written. */
	assert_non_null(strstr(out, "gnuplot (/nonexistent/gnuplot) is not installed"));
	assert_non_null(strchr(out, '\n'));
	assert_true(strncmp(strchr(out, '\n') + 1, "restartprof: report in ", 23) == 0);
	assert_non_null(strstr(out, "/report.html\n"));
	assert_null(strchr(strchr(strchr(out, '\n') + 1, '\n') + 1, '\n'));
	check_summary(dir);
	check_figures(dir, false, false);
	check_html(dir, false, false);
	free(out);
	rmtree(dir);
}

static void kernel_columns(void **state)
{
	char *dir = tmpdir(), err[512];
	const char *dirs[] = {dir};
	char *dat;

	(void)state;
	synth_run(dir, matrix, N_MATRIX, true);
	assert_int_equal(run_report(dirs, 1, NULL, NULL, err), 0);
	check_figures(dir, true, true);
	check_html(dir, true, true);
	check_timeline(dir, true);
	/* The engine's I/O wait per phase and load: a quarter of each phase, in ms. The none
	 * cells' trials take 0.31-0.34, 0.33-0.36 and 0.32-0.35 s (mean 0.335 s); create is 10 %
	 * of that, 33.5 ms, so 8.375 ms of I/O wait. */
	dat = slurp(dir, "figures/fig6-engine-iowait.dat", NULL);
	assert_non_null(dat);
	assert_non_null(strstr(dat, "# phase none cpu hdd\n"));
	assert_non_null(strstr(dat, "\ncreate 8.375 "));
	/* Every phase, in order, on every per-phase figure: ready (0 ms here) too. */
	assert_non_null(strstr(dat, "\nready 0 0 0\n"));
	free(dat);
	rmtree(dir);
}

/* trials.csv of an older restartprof, nothing else: no phases.csv, api_calls.csv, run.json. */
static void older_run(void **state)
{
	char *dir = tmpdir(), err[512];
	const char *dirs[] = {dir};
	char *html;
	json_object *root;

	(void)state;
	put(dir, "trials.csv",
	    "cell,trial,method,restart_stdout_ns,kill_ns,die_ns,disconnect_ns,stop_ns,destroy_ns,"
	    "create_ns,attach_ns,connect_ns,start_ns,ready_ns\n"
	    "none,1,stdout,300000000,1,1,1,1,1,1,1,1,299999992,0\n"
	    "\"hdd-2\",1,stdout,900000000,1,1,1,1,1,1,1,1,899999992,0\n"
	    "\"hdd-2\",2,stdout,,,,,,,,,,,\n");
	assert_int_equal(run_report(dirs, 1, NULL, NULL, err), 0);
	html = slurp(dir, "report.html", NULL);
	assert_non_null(strstr(html, "no run.json"));
	assert_non_null(strstr(html, "+200.0%"));
	free(html);
	assert_true(size_of(dir, "figures/fig5-phases.svg") > 0);
	assert_true(size_of(dir, "figures/fig4-medians.svg") > 0);
	root = timeline(dir); /* valid, even with nothing to place on a clock */
	json_object_put(root);
	rmtree(dir);
}

/* A run whose every trial failed still gets its tables, an empty timeline and a page. */
static void all_failed(void **state)
{
	char *dir = tmpdir(), err[512];
	const char *dirs[] = {dir};
	char *html;
	json_object *root, *events;
	struct csv_table t;
	char path[512];

	(void)state;
	put(dir, "trials.csv",
	    "cell,load,stressors,trial,status,reason,restart_ns\n"
	    "none,none,0,1,failed,never ready,\n"
	    "none,none,0,2,interrupted,signal 2,\n");
	assert_int_equal(run_report(dirs, 1, NULL, NULL, err), 0);
	snprintf(path, sizeof(path), "%s/summary.csv", dir);
	assert_int_equal(csv_read_file(path, &t), 0);
	assert_int_equal(t.n_rows, 1);
	assert_int_equal(csv_get_i64(&t, 0, csv_col(&t, "failures"), -1), 2);
	assert_string_equal(csv_get(&t, 0, csv_col(&t, "median_s")), "");
	csv_table_free(&t);
	root = timeline(dir);
	assert_true(json_object_object_get_ex(root, "traceEvents", &events));
	assert_int_equal(json_object_array_length(events), 0);
	json_object_put(root);
	html = slurp(dir, "report.html", NULL);
	assert_non_null(strstr(html, "no ok trial to draw"));
	free(html);
	assert_int_equal(size_of(dir, "figures/fig3-cdf.gp"), -1);
	rmtree(dir);
}

static void refuses_what_is_no_run(void **state)
{
	char *dir = tmpdir(), err[512];
	const char *dirs[] = {dir};

	(void)state;
	assert_int_equal(run_report(dirs, 1, NULL, NULL, err), REPORT_BAD_INPUT);
	assert_non_null(strstr(err, "trials.csv"));
	put(dir, "trials.csv", "a,b\n1,2\n");
	assert_int_equal(run_report(dirs, 1, NULL, NULL, err), REPORT_BAD_INPUT);
	assert_non_null(strstr(err, "lacks the columns"));
	rmtree(dir);
}

static void comparison(void **state)
{
	char *a = tmpdir(), *b = tmpdir(), *out = tmpdir(), err[512];
	const char *dirs[] = {a, b};
	struct csv_table t;
	char path[512], *html;

	(void)state;
	synth_run(a, matrix, N_MATRIX, false);
	synth_info(a, "pi3", matrix, N_MATRIX);
	synth_run(b, matrix, 3, false); /* the second run has fewer cells */
	synth_info(b, "pi4", matrix, 3);
	assert_int_equal(run_report(dirs, 2, NULL, out, err), 0);
	/* Each run has its own report; the comparison went into out. */
	assert_true(size_of(a, "report.html") > 0 && size_of(b, "report.html") > 0);
	assert_int_equal(size_of(a, "compare.html"), -1);
	assert_true(size_of(out, "figures/compare-medians.svg") > 1000);
	snprintf(path, sizeof(path), "%s/compare.csv", out);
	assert_int_equal(csv_read_file(path, &t), 0);
	assert_int_equal(t.n_rows, N_MATRIX + 3);
	assert_string_equal(csv_get(&t, N_MATRIX, csv_col(&t, "vs_run1_pct")), "0.00");
	csv_table_free(&t);
	html = slurp(out, "compare.html", NULL);
	assert_non_null(strstr(html, "pi3 (6.1.0-test)"));
	assert_non_null(strstr(html, "pi4 (6.1.0-test)"));
	assert_non_null(strstr(html, "Figures of each run, side by side"));
	assert_null(strstr(html, "src="));
	free(html);
	/* Without -o, into the first directory. */
	assert_int_equal(run_report(dirs, 2, NULL, NULL, err), 0);
	assert_true(size_of(a, "compare.html") > 0);
	rmtree(a);
	rmtree(b);
	rmtree(out);
}

/* Names in the files reach gnuplot scripts and pages only in a harmless form. */
static void hostile_names(void **state)
{
	char *dir = tmpdir(), err[512];
	const char *dirs[] = {dir};
	char *gp, *html;

	(void)state;
	put(dir, "trials.csv",
	    "cell,load,stressors,status,restart_ns\n"
	    "none,none,0,ok,300000000\n"
	    "\"<b>x</b>\",\"`touch /tmp/rp-test-pwned`\\\"\"\",1,ok,400000000\n");
	assert_int_equal(run_report(dirs, 1, NULL, NULL, err), 0);
	assert_int_equal(access("/tmp/rp-test-pwned", F_OK), -1);
	gp = slurp(dir, "figures/fig3-cdf.gp", NULL);
	assert_null(strchr(gp, '`'));
	free(gp);
	html = slurp(dir, "report.html", NULL);
	assert_null(strstr(html, "<b>x</b>"));
	assert_non_null(strstr(html, "&lt;b&gt;x&lt;/b&gt;"));
	free(html);
	rmtree(dir);
}

/* A figure that is not gnuplot's: an SVG written by the spec's own render function. */
static int flame_render(const struct figure_spec *fs, const struct report_run *r, int dirfd,
			struct figure_out *fo)
{
	static const char svg[] = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/"
				  "svg\" viewBox=\"0 0 10 10\"><rect id=\"flame-test\" "
				  "width=\"10\" height=\"5\"/></svg>\n";
	char name[96];
	int fd;

	(void)r;
	snprintf(name, sizeof(name), "%s.svg", fs->name);
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -errno;
	assert_int_equal(write(fd, svg, sizeof(svg) - 1), (ssize_t)sizeof(svg) - 1);
	close(fd);
	fo->svg = true;
	return 1;
}

static int no_data(const struct figure_spec *fs, const struct report_run *r, int dirfd,
		   struct figure_out *fo)
{
	(void)fs, (void)r, (void)dirfd, (void)fo;
	return 0;
}

static void figure_extension(void **state)
{
	const struct figure_spec specs[] = {
		{.name = "fig10-offcpu",
		 .title = "Off-CPU",
		 .caption = "c",
		 .render = flame_render},
		{.name = "fig11-none", .title = "Nothing", .caption = "c", .render = no_data},
		figure_specs[0],
	};
	char *dir = tmpdir(), err[512], fdir[600];
	struct report_run r;
	struct figure_opts o = {.render = true};
	struct figure_out out[FIGURE_MAX];
	size_t n;
	int dfd, ffd;
	char *html;

	(void)state;
	synth_run(dir, matrix, N_MATRIX, false);
	assert_int_equal(report_run_load(dir, &r, err, sizeof(err)), 0);
	snprintf(fdir, sizeof(fdir), "%s/figures", dir);
	assert_int_equal(mkdir(fdir, 0755), 0);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	ffd = open(fdir, O_RDONLY | O_DIRECTORY);
	assert_int_equal(figures_write_specs(specs, 3, &r, ffd, &o, out, &n), 0);
	assert_int_equal(n, 2); /* the one without data is left out */
	assert_string_equal(out[0].name, "fig10-offcpu");
	assert_string_equal(out[1].name, "fig3-cdf");
	assert_true(out[1].svg && out[1].png);
	assert_int_equal(html_write_report(&r, dfd, out, n, NULL), 0);
	html = slurp(dir, "report.html", NULL);
	assert_non_null(strstr(html, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox"));
	assert_non_null(strstr(html, "id=\"flame-test\""));
	assert_null(strstr(html, "<?xml"));
	free(html);
	close(ffd);
	close(dfd);
	report_run_free(&r);
	rmtree(dir);
}

static char *markup_of(const char *s, size_t max)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	markup_text(f, s, max);
	fclose(f);
	return buf;
}

static void markup_escapes_and_drops_controls(void **state)
{
	char *t;

	(void)state;
	t = markup_of("a<b>&\"c'\x01\x1b[0m\td\n", SIZE_MAX);
	assert_string_equal(t, "a&lt;b&gt;&amp;&quot;c&#39;[0m\td\n");
	free(t);
	t = markup_of("<<<<", 2);
	assert_string_equal(t, "&lt;&lt;");
	free(t);
	t = markup_of(NULL, SIZE_MAX);
	assert_string_equal(t, "");
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_report),
		cmocka_unit_test(memory_data_root_in_headline),
		cmocka_unit_test(without_gnuplot),
		cmocka_unit_test(kernel_columns),
		cmocka_unit_test(older_run),
		cmocka_unit_test(all_failed),
		cmocka_unit_test(refuses_what_is_no_run),
		cmocka_unit_test(comparison),
		cmocka_unit_test(hostile_names),
		cmocka_unit_test(figure_extension),
		cmocka_unit_test(markup_escapes_and_drops_controls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
