// SPDX-License-Identifier: GPL-2.0-only
#include "report/html_page.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/markup.h"
#include "util/files.h"

#define SVG_LIMIT (16u << 20)

static const char page_css[] =
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
	"color:#222;background:#fff;margin:0 auto;max-width:1180px;padding:0 24px 48px}"
	"h1{font-size:26px;margin:28px 0 2px}h2{font-size:20px;margin:34px 0 10px;"
	"border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-size:16px;margin:22px 0 6px}"
	".sub{color:#666;margin:0 0 12px}nav a{margin-right:14px;color:#1f5fa8}"
	"table{border-collapse:collapse;margin:8px 0 14px;font-size:14px}"
	"th,td{padding:4px 9px;border-bottom:1px solid #e6e6e6;text-align:right;white-space:nowrap}"
	"th{background:#f4f4f4;font-weight:600}td.l,th.l{text-align:left}"
	"table.kv td{text-align:left;white-space:normal}table.kv td:first-child{color:#555;"
	"width:190px}tr.base td{background:#fafafa}.up{color:#b2182b}.down{color:#2166ac}"
	".dim{color:#999}.note{background:#f7f7f2;border-left:4px solid #c9c38f;padding:8px 12px;"
	"margin:10px 0}figure{margin:18px 0 30px}figure svg{width:100%;height:auto;"
	"max-width:1000px;display:block}figcaption{color:#555;font-size:14px;margin-top:4px}"
	".grid{display:grid;gap:18px}.grid>div{min-width:0}code{font-size:13px;background:#f4f4f4;"
	"padding:1px 4px}footer{margin-top:40px;color:#888;font-size:13px}"
	".scroll{overflow-x:auto}td.causes{white-space:normal;overflow-wrap:anywhere;min-width:"
	"420px}#headline{background:#f6f9fc;border:1px solid #d5e1ee;padding:6px 16px;"
	"margin:12px 0}#headline h2{border:0;margin:6px 0;font-size:18px}#headline p{margin:6px 0 "
	"2px}#headline ul{margin:0 0 6px;padding-left:22px}#headline li{margin:1px 0}"
	".helps{color:#2d5a27}details.run summary{cursor:pointer;color:#1f5fa8}"
	".vh{background:#dcefd6;color:#1d4d17}.vx{background:#f6d6d6;color:#7a1414}.vn{color:#555}";

void html_head(FILE *f, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n<title>",
	      f);
	markup_text(f, title, SIZE_MAX);
	fprintf(f, "</title>\n<style>%s</style></head><body>\n", page_css);
}

void html_num(FILE *f, double v, const char *fmt)
{
	if (isnan(v))
		fputs("<td class=\"dim\">-</td>", f);
	else {
		fputs("<td>", f);
		fprintf(f, fmt, v);
		fputs("</td>", f);
	}
}

void html_change(FILE *f, double v)
{
	if (isnan(v))
		fputs("<td class=\"dim\">-</td>", f);
	else
		fprintf(f, "<td class=\"%s\">%+.1f%%</td>", v > 5 ? "up" : v < -5 ? "down" : "", v);
}

int html_inline_svg(FILE *f, int dirfd, const char *name)
{
	char file[96];
	char *buf, *start;
	int rc;

	snprintf(file, sizeof(file), "%s.svg", name);
	rc = file_read_all(dirfd, file, SVG_LIMIT, 0, &buf, NULL);
	if (rc)
		return rc;
	start = strstr(buf, "<svg");
	if (start)
		fputs(start, f);
	else
		rc = -EINVAL;
	free(buf);
	return rc;
}

static void html_figure_links(FILE *f, const char *prefix, const struct figure_out *fo)
{
	static const char *const ext[] = {"png", "svg", "gp", "dat"};
	static const char *const what[] = {"PNG", "SVG", "gnuplot script", "data"};

	for (int i = 0; i < 4; i++) {
		if ((i == 0 && !fo->png) || (i == 1 && !fo->svg) || (i >= 2 && fo->native))
			continue;
		fprintf(f, " · <a href=\"%s%s.%s\">%s</a>", prefix, fo->name, ext[i], what[i]);
	}
}

void html_figure(FILE *f, int figdir, const char *prefix, const struct figure_out *fo)
{
	fprintf(f, "<figure id=\"%s\"><h3>", fo->name);
	markup_text(f, fo->title, SIZE_MAX);
	fputs("</h3>\n", f);
	if (!fo->svg || figdir < 0 || html_inline_svg(f, figdir, fo->name)) {
		fputs("<p class=\"note\">Not rendered", f);
		if (fo->err[0]) {
			fputs(": ", f);
			markup_text(f, fo->err, SIZE_MAX);
		}
		fputs(fo->native
			      ? ".</p>"
			      : ". The data and the gnuplot script are kept; run the script with "
				"gnuplot to draw it.</p>",
		      f);
	}
	fputs("\n<figcaption>", f);
	markup_text(f, fo->caption, SIZE_MAX);
	html_figure_links(f, prefix, fo);
	fputs("</figcaption></figure>\n", f);
}

/* dirfd/figures, never through a symlink; -1 when absent. */
static int html_open_figdir(int dirfd)
{
	return openat(dirfd, FIGURES_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

void html_figures_section(FILE *f, int dirfd, const char *heading, const struct figure_out *figs,
			  size_t n, const char *gnuplot_note, const char *if_none)
{
	int figdir = html_open_figdir(dirfd);

	fprintf(f, "<section id=\"figures\"><h2>%s</h2>\n", heading);
	if (gnuplot_note) {
		fputs("<p class=\"note\">", f);
		markup_text(f, gnuplot_note, SIZE_MAX);
		fputs("</p>\n", f);
	}
	for (size_t i = 0; i < n; i++)
		html_figure(f, figdir, FIGURES_DIR "/", &figs[i]);
	if (!n && if_none)
		fputs(if_none, f);
	fputs("</section>\n", f);
	if (figdir >= 0)
		close(figdir);
}

void html_footer(FILE *f, const struct report_run *r)
{
	fputs("<footer>Made by restartprof report", f);
	if (r && r->info) {
		/* The version has its own parentheses: "0.1.0 (49de31d)". */
		fputs(", version ", f);
		markup_text(f, report_info(r, "tool_version", "?"), SIZE_MAX);
	}
	fputs(".</footer>\n</body></html>\n", f);
}
