// SPDX-License-Identifier: GPL-2.0-only
/* The names on disk of a run directory: its files and the columns of its CSVs, defined once. */
#ifndef RP_RUNDIR_COLUMNS_H
#define RP_RUNDIR_COLUMNS_H

/* Files a run writes. */
#define RUN_JSON    "run.json"
#define TRIALS_CSV  "trials.csv"
#define PHASES_CSV  "phases.csv"
#define API_CSV	    "api_calls.csv"
#define EXECS_CSV   "execs.csv"
#define EVENTS_CSV  "events.csv"
#define PROBES_CSV  "probes.csv"
#define SYMBOLS_CSV "symbols.csv"
#define PROGS_CSV   "progstats.csv"
#define WAITS_CSV   "waits.csv"
#define STACKS_CSV  "stacks.csv"

/* Files and folders report and explain write. */
#define SUMMARY_CSV	  "summary.csv"
#define SUMMARY_LOADS_CSV "summary_loads.csv"
#define PHASE_SHARES_CSV  "phase_shares.csv"
#define COMPARE_CSV	  "compare.csv"
#define COMPARISON_CSV	  "comparison.csv" /* try: remedy off (A) against on (B) */
#define TIMELINE_JSON	  "timeline.json"
#define REPORT_HTML	  "report.html"
#define COMPARE_HTML	  "compare.html"
#define FIGURES_DIR	  "figures"
#define FOLDED_DIR	  "folded"

/*
 * Columns, each defined where it first appears; later files reuse the names. Names made at
 * run time are not here: phases.csv's <actor>_<metric> (rundir/kernel_csv.c), and what older
 * trials.csv files have, <phase>_ns per phase and restart_<method>_ns.
 */

/* trials.csv (written by rundir/run_csv.c) */
#define COL_RUN_ID	      "run_id"
#define COL_CELL	      "cell"
#define COL_LOAD	      "load"
#define COL_STRESSORS	      "stressors"
#define COL_TRIAL	      "trial"
#define COL_STATUS	      "status"
#define COL_REASON	      "reason"
#define COL_METHOD	      "method"
#define COL_RESTART_NS	      "restart_ns"
#define COL_RESTART_STDOUT_NS "restart_stdout_ns"
#define COL_RESTART_TCP_NS    "restart_tcp_ns"
#define COL_RESTART_LOG_NS    "restart_log_ns"
#define COL_RESTART_EVENTS_NS "restart_events_ns"
#define COL_RESTART_KERNEL_NS "restart_kernel_ns"
#define COL_RESTART_HEALTH_NS "restart_health_ns"
#define COL_WINDOW_BEGIN_NS   "window_begin_ns"
#define COL_WINDOW_END_NS     "window_end_ns"
#define COL_KILL_NS	      "kill_ns"
#define COL_DIE_NS	      "die_ns"
#define COL_DISCONNECT_NS     "disconnect_ns"
#define COL_STOP_NS	      "stop_ns"
#define COL_DESTROY_NS	      "destroy_ns"
#define COL_CREATE_NS	      "create_ns"
#define COL_ATTACH_NS	      "attach_ns"
#define COL_CONNECT_NS	      "connect_ns"
#define COL_START_NS	      "start_ns"
#define COL_READY_NS	      "ready_ns"
#define COL_API_CALLS	      "api_calls"
#define COL_API_TOTAL_NS      "api_total_ns"
#define COL_OLD_CONTAINER     "old_container"
#define COL_NEW_CONTAINER     "new_container"
#define COL_KERNEL_DROPS      "kernel_drops"
#define COL_CLOCK_ERROR_NS    "clock_error_ns"
#define COL_STACKS	      "stacks"
#define COL_STACK_NS	      "stack_ns"
#define COL_STACK_DROPS	      "stack_drops"
#define COL_VARIANT	      "variant"
#define COL_KIND	      "kind" /* watch: policy, restart, replace */

/* phases.csv, after cell, load, stressors, trial; per-actor columns: rundir/kernel_csv.h */
#define COL_PHASE	"phase"
#define COL_ORDER	"order"
#define COL_EVENT_NS	"event_ns"
#define COL_END_NS	"end_ns"
#define COL_DURATION_NS "duration_ns"

/* api_calls.csv: run_id, cell, trial, then */
#define COL_SEQ		"seq"
#define COL_CALL	"call"
#define COL_HTTP_STATUS "http_status"

/* execs.csv */
#define COL_ACTOR     "actor"
#define COL_PID	      "pid"
#define COL_PPID      "ppid"
#define COL_NAME      "name"
#define COL_FILENAME  "filename"
#define COL_LIVED_NS  "lived_ns"
#define COL_EXIT_CODE "exit_code"

/* progstats.csv */
#define COL_RECORD_NS	"record_ns"
#define COL_PROG_ID	"prog_id"
#define COL_PROGRAM	"program"
#define COL_TYPE	"type"
#define COL_OWNER	"owner"
#define COL_RUN_CNT	"run_cnt"
#define COL_RUN_TIME_NS "run_time_ns"

/* events.csv */
#define COL_TS_NS     "ts_ns"
#define COL_TID	      "tid"
#define COL_COMM      "comm"
#define COL_CGROUP_ID "cgroup_id"
#define COL_CONTAINER "container"
#define COL_WHAT      "what"
#define COL_DETAIL    "detail"

/* probes.csv */
#define COL_PROBE      "probe"
#define COL_OBJECT     "object"
#define COL_PATH       "path"
#define COL_FENTRY     "fentry"
#define COL_KPROBE     "kprobe"
#define COL_TP_BTF     "tp_btf"
#define COL_RAW_TP     "raw_tp"
#define COL_TRACEPOINT "tracepoint"
#define COL_PERF_EVENT "perf_event"
#define COL_ESSENTIAL  "essential"

/* symbols.csv: path, method, then */
#define COL_GO_LAYOUT	     "go_layout"
#define COL_NAMED_FRAMES     "named_frames"
#define COL_UNNAMED_FRAMES   "unnamed_frames"
#define COL_TABLE_PEAK_BYTES "table_peak_bytes"
#define COL_KEPT_BYTES	     "kept_bytes"

/* waits.csv */
#define COL_STATE     "state"
#define COL_STACK     "stack"
#define COL_FILE      "file"
#define COL_DELETED   "deleted"
#define COL_WAKER     "waker"
#define COL_COUNT     "count"
#define COL_OFFCPU_NS "offcpu_ns"
#define COL_WALL_NS   "wall_ns"

/* stacks.csv: stack, then */
#define COL_FRAMES "frames"
#define COL_FOLDED "folded"

/* phases.csv: the writeback context of each phase */
#define COL_DIRTY_KIB_BEGIN	     "dirty_kib_begin"
#define COL_DIRTY_KIB_END	     "dirty_kib_end"
#define COL_WRITEBACK_KIB_BEGIN	     "writeback_kib_begin"
#define COL_WRITEBACK_KIB_END	     "writeback_kib_end"
#define COL_WB_PAGES_BACKGROUND	     "wb_pages_background"
#define COL_WB_PAGES_PERIODIC	     "wb_pages_periodic"
#define COL_WB_PAGES_SYNC	     "wb_pages_sync"
#define COL_WB_PAGES_RECLAIM	     "wb_pages_reclaim"
#define COL_WB_PAGES_OTHER	     "wb_pages_other"
#define COL_WB_PAGES_UNKNOWN_DIRTIER "wb_pages_unknown_dirtier"

/* summary.csv (written by report/summary.c) */
#define COL_REPEAT		"repeat"
#define COL_TRIALS		"trials"
#define COL_OK			"ok"
#define COL_FAILURES		"failures"
#define COL_MEDIAN_S		"median_s"
#define COL_MIN_S		"min_s"
#define COL_MAX_S		"max_s"
#define COL_P5_S		"p5_s"
#define COL_P95_S		"p95_s"
#define COL_MEAN_S		"mean_s"
#define COL_STDDEV_S		"stddev_s"
#define COL_CHANGE_PCT		"change_pct"
#define COL_CHANGE_ADJACENT_PCT "change_adjacent_pct"

/* summary_loads.csv */
#define COL_CELLS	    "cells"
#define COL_MIN_STRESSORS   "min_stressors"
#define COL_MAX_STRESSORS   "max_stressors"
#define COL_MEAN_MEDIAN_S   "mean_median_s"
#define COL_POOLED_MEDIAN_S "pooled_median_s"
#define COL_POOLED_P5_S	    "pooled_p5_s"
#define COL_POOLED_P95_S    "pooled_p95_s"

/* phase_shares.csv */
#define COL_SHARE_PCT "share_pct"
#define COL_MEAN_MS   "mean_ms"

/* compare.csv */
#define COL_RUN		"run"
#define COL_DIR		"dir"
#define COL_LABEL	"label"
#define COL_VS_RUN1_PCT "vs_run1_pct"

/* comparison.csv (written by try): cell, phase ("restart" for the whole restart), then */
#define COL_N_A	       "n_a"
#define COL_N_B	       "n_b"
#define COL_MEDIAN_A_S "median_a_s"
#define COL_MEDIAN_B_S "median_b_s"
#define COL_DIFF_S     "diff_s" /* median B - median A */
#define COL_LO_S       "lo_s"	/* the 95 % interval of diff_s */
#define COL_HI_S       "hi_s"
#define COL_VERDICT    "verdict" /* helps, hurts, no measurable effect, too few trials */

/* read only: event columns of other or older files (report/timeline.c) */
#define COL_TIME_NS	 "time_ns"
#define COL_TIMESTAMP_NS "timestamp_ns"
#define COL_DUR_NS	 "dur_ns"
#define COL_EVENT	 "event"
#define COL_KIND	 "kind"

#endif
