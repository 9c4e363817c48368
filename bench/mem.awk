# SPDX-License-Identifier: GPL-2.0-only
# Figures of one process's memory samples (bench/loader.sh mem_sample): input lines
#   t_s vmrss_kib private_kib children_kib stage btf_parses children
# output "key value" lines. The tracer's opening, libbpf's parses of the kernel BTF (the one
# spike the issue allows), is a window: from "before", the lowest VmRSS in the last second of
# stage 0 (the tracer parses the BTF once itself before libbpf's first line), to the last
# sample of stage 1; "after" is the first sample of stage 2. Peaks are given with and without
# that window ("out_*"); *_n is the sample's line number, *_stage its stage.
{
	n++
	t[n] = $1; rss[n] = $2; priv[n] = $3; kids[n] = $4; st[n] = $5; btf[n] = $6; names[n] = $7
	if (st[n] == 1 && !first1) first1 = n
	if (st[n] == 1) last1 = n
	if (st[n] >= 2 && !first2) first2 = n
}
function gaps(lo, hi, want,    i, m, g, j, k, x) {
	m = 0
	for (i = 2; i <= n; i++)
		if (st[i] >= lo && st[i] <= hi && st[i - 1] >= lo && st[i - 1] <= hi) g[++m] = t[i] - t[i - 1]
	if (!m) return 0
	for (j = 2; j <= m; j++) { x = g[j]; for (k = j - 1; k >= 1 && g[k] > x; k--) g[k + 1] = g[k]; g[k + 1] = x }
	return m % 2 ? g[(m + 1) / 2] : (g[m / 2] + g[m / 2 + 1]) / 2
}
END {
	print "samples", n + 0
	print "gap_fast_s", gaps(0, 1)
	print "gap_slow_s", gaps(2, 2)
	w0 = w1 = 0
	if (first1) {
		w0 = first1 - 1
		for (i = first1 - 1; i >= 1 && t[i] >= t[first1] - 1; i--)
			if (rss[i] <= rss[w0]) w0 = i
		if (w0 < 1) w0 = first1
		w1 = last1
		print "before_rss", rss[w0]
		print "before_priv", priv[w0]
		for (i = w0; i <= w1; i++) {
			if (rss[i] > orss) { orss = rss[i]; ot = t[i] }
			if (priv[i] > opriv) opriv = priv[i]
		}
		print "open_rss", orss
		print "open_priv", opriv
		print "open_s", t[w1] - t[w0]
		print "parses", btf[w1]
		if (first2) { print "after_rss", rss[first2]; print "after_priv", priv[first2] }
	}
	for (i = 1; i <= n; i++) {
		if (rss[i] > prss) { prss = rss[i]; prss_n = i }
		if (priv[i] > ppriv) { ppriv = priv[i]; ppriv_n = i }
		if (kids[i] > pk) pk = kids[i]
		if (names[i] != "" && names[i] != "-") { k = split(names[i], nm, ","); for (j = 1; j <= k; j++) if (!(nm[j] in seen)) { seen[nm[j]] = 1; pk_names = pk_names (pk_names == "" ? "" : ",") nm[j] } }
		if (w1 && i >= w0 && i <= w1) continue
		if (rss[i] > xrss) { xrss = rss[i]; xrss_n = i }
		if (priv[i] > xpriv) { xpriv = priv[i]; xpriv_n = i }
	}
	print "peak_rss", prss + 0; print "peak_rss_stage", st[prss_n] + 0
	print "peak_priv", ppriv + 0; print "peak_priv_stage", st[ppriv_n] + 0
	print "out_rss", xrss + 0; print "out_rss_n", xrss_n + 0; print "out_rss_stage", st[xrss_n] + 0
	print "out_priv", xpriv + 0; print "out_priv_n", xpriv_n + 0; print "out_priv_stage", st[xpriv_n] + 0
	print "kids_rss", pk + 0; print "kids_names", (pk_names == "" ? "-" : pk_names)
}
