// SPDX-License-Identifier: GPL-2.0-only
/*
 * The pure parts of the trace layer, with synthetic inputs: cgroup v1/v2 detection texts,
 * the engine's processes in a /proc snapshot, containerd's address, raw BPF records into
 * model events, and --probe-paths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "model/probe.h"
#include "restartprof/kevents.h"
#include "trace/cgroups.h"
#include "trace/convert.h"
#include "trace/seed.h"

static const char proc_cgroups[] = "#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
				   "cpuset\t3\t2\t1\n"
				   "cpu\t1\t2\t1\n"
				   "cpuacct\t2\t2\t1\n"
				   "blkio\t7\t2\t1\n"
				   "memory\t4\t17\t1\n"
				   "devices\t5\t2\t1\n"
				   "freezer\t6\t2\t1\n"
				   "net_cls\t0\t2\t1\n"
				   "perf_event\t0\t2\t1\n"
				   "net_prio\t0\t2\t1\n"
				   "hugetlb\t0\t2\t1\n"
				   "pids\t8\t2\t1\n";

static void v1_controller_choice(void **state)
{
	struct cgroup_mode m = {0};
	char text[sizeof(proc_cgroups)];

	(void)state;
	assert_int_equal(cgroup_pick_v1(proc_cgroups, &m), 0);
	assert_string_equal(m.controller, "pids");
	assert_int_equal(m.ssid, 11);
	assert_int_equal(m.root, 8);
	/* pids not mounted (hierarchy 0): the next preferred one. */
	memcpy(text, proc_cgroups, sizeof(text));
	memcpy(strstr(text, "pids\t8"), "pids\t0", 6);
	assert_int_equal(cgroup_pick_v1(text, &m), 0);
	assert_string_equal(m.controller, "memory");
	assert_int_equal(m.ssid, 4);
	assert_int_equal(m.root, 4);
	/* A pure v2 machine lists controllers with hierarchy 0. */
	assert_int_equal(cgroup_pick_v1("#subsys_name\thierarchy\tnum_cgroups\tenabled\n"
					"cpu\t0\t40\t1\npids\t0\t40\t1\n",
					&m),
			 -1);
}

static const char mountinfo[] =
	"22 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
	"25 22 0:21 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755\n"
	"26 25 0:22 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
	"27 25 0:23 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"28 25 0:24 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
	"29 25 0:25 /docker /mnt/inner rw - cgroup cgroup rw,memory\n";

static void mounts_and_paths_v1_and_v2(void **state)
{
	struct cgroup_mode v1 = {.ssid = 11, .root = 8}, cpu = {.ssid = 1, .root = 1};
	struct cgroup_mode mem = {.ssid = 4, .root = 4}, v2 = {.v2 = true, .ssid = -1};
	char out[256];

	(void)state;
	snprintf(v1.controller, sizeof(v1.controller), "pids");
	snprintf(cpu.controller, sizeof(cpu.controller), "cpu");
	snprintf(mem.controller, sizeof(mem.controller), "memory");
	assert_int_equal(cgroup_find_mount(mountinfo, &v1, out, sizeof(out)), 0);
	assert_string_equal(out, "/sys/fs/cgroup/pids");
	assert_int_equal(cgroup_find_mount(mountinfo, &cpu, out, sizeof(out)), 0);
	assert_string_equal(out, "/sys/fs/cgroup/cpu,cpuacct");
	/* Mounted only below its root: not usable to name cgroups by path. */
	assert_int_equal(cgroup_find_mount(mountinfo, &mem, out, sizeof(out)), -1);
	assert_int_equal(cgroup_find_mount(mountinfo, &v2, out, sizeof(out)), 0);
	assert_string_equal(out, "/sys/fs/cgroup/unified");

	const char *pid_v1 = "9:name=systemd:/\n8:pids:/docker/abc\n4:memory:/x\n0::/docker/abc\n";

	assert_int_equal(cgroup_task_path(pid_v1, &v1, out, sizeof(out)), 0);
	assert_string_equal(out, "/docker/abc");
	assert_int_equal(cgroup_task_path(pid_v1, &v2, out, sizeof(out)), 0);
	assert_string_equal(out, "/docker/abc");
	assert_int_equal(
		cgroup_task_path("0::/system.slice/docker-x.scope\n", &v2, out, sizeof(out)), 0);
	assert_string_equal(out, "/system.slice/docker-x.scope");
	assert_int_equal(cgroup_task_path("0::/a\n", &v1, out, sizeof(out)), -1);
	assert_int_equal(cgroup_task_path("8:pids:/docker/abc", &v1, out, 4), -1); /* too long */
}

static struct proc_info pi(pid_t pid, pid_t ppid, const char *comm, const char *addr)
{
	struct proc_info p = {.pid = pid, .ppid = ppid};

	snprintf(p.comm, sizeof(p.comm), "%s", comm);
	snprintf(p.addr, sizeof(p.addr), "%s", addr);
	return p;
}

static bool marked(const struct proc_info *p, size_t n, pid_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].pid == pid)
			return p[i].engine;
	return false;
}

static void the_engine_among_others(void **state)
{
	struct proc_info p[] = {
		pi(1, 0, "init", ""),
		pi(100, 1, "dockerd", ""),
		pi(101, 100, "containerd", "/e1/containerd.sock"),
		pi(200, 1, "containerd-shim", "/e1/containerd.sock"),
		pi(201, 200, "node", ""),
		pi(202, 201, "sh", ""),
		/* Another engine on the same machine, and its containers. */
		pi(300, 1, "dockerd", ""),
		pi(301, 300, "containerd", "/e2/containerd.sock"),
		pi(400, 1, "containerd-shim", "/e2/containerd.sock"),
		pi(401, 400, "nginx", ""),
		pi(500, 1, "bash", ""),
		pi(501, 100, "docker-proxy", ""),
	};
	size_t n = sizeof(p) / sizeof(p[0]);

	(void)state;
	assert_int_equal(seed_select(p, n, 100), 6);
	assert_true(marked(p, n, 100) && marked(p, n, 101) && marked(p, n, 200));
	assert_true(marked(p, n, 201) && marked(p, n, 202) && marked(p, n, 501));
	assert_false(marked(p, n, 300) || marked(p, n, 301) || marked(p, n, 400));
	assert_false(marked(p, n, 401) || marked(p, n, 500) || marked(p, n, 1));
}

static void a_system_containerd(void **state)
{
	struct proc_info p[] = {
		pi(1, 0, "systemd", ""),
		pi(90, 1, "containerd", "/run/containerd/containerd.sock"),
		pi(100, 1, "dockerd", ""),
		pi(200, 1, "containerd-shim", "/run/containerd/containerd.sock"),
		pi(201, 200, "node", ""),
	};

	(void)state;
	assert_int_equal(seed_select(p, 5, 100), 4);
	assert_false(p[0].engine);
}

/* A Podman service: conmon and aardvark-dns left its lineage (init adopted them). */
static void a_podman_service(void **state)
{
	struct proc_info p[] = {
		pi(1, 0, "init", ""),
		pi(100, 1, "podman", ""),
		pi(101, 100, "netavark", ""),
		pi(200, 1, "conmon", ""),
		pi(201, 200, "restartprof-svc", ""),
		pi(202, 200, "podman", ""), /* container cleanup */
		pi(300, 1, "aardvark-dns", ""),
		pi(400, 1, "bash", ""),
	};
	struct proc_info d[] = {
		pi(100, 1, "dockerd", ""),
		pi(200, 1, "conmon", ""), /* another engine's: not Docker's */
	};
	size_t n = sizeof(p) / sizeof(p[0]);

	(void)state;
	assert_int_equal(seed_select(p, n, 100), 6);
	assert_true(marked(p, n, 200) && marked(p, n, 201) && marked(p, n, 202));
	assert_true(marked(p, n, 101) && marked(p, n, 300));
	assert_false(marked(p, n, 400) || marked(p, n, 1));
	assert_int_equal(seed_select(d, 2, 100), 1);
}

static void containerd_addresses(void **state)
{
	static const char cmd[] = "containerd\0--config\0/x/containerd.toml\0--log-level\0info";
	static const char shim[] = "containerd-shim-runc-v2\0-namespace\0moby\0-id\0abc\0-address\0"
				   "/e1/containerd.sock";
	static const char eq[] = "containerd\0--address=/run/c.sock";
	static const char *const cfg_opts[] = {"--config", "-c", NULL};
	static const char *const addr_opts[] = {"--address", "-address", NULL};
	char out[256];

	(void)state;
	assert_int_equal(cmdline_option(cmd, sizeof(cmd), cfg_opts, out, sizeof(out)), 0);
	assert_string_equal(out, "/x/containerd.toml");
	assert_int_equal(cmdline_option(shim, sizeof(shim), addr_opts, out, sizeof(out)), 0);
	assert_string_equal(out, "/e1/containerd.sock");
	assert_int_equal(cmdline_option(eq, sizeof(eq), addr_opts, out, sizeof(out)), 0);
	assert_string_equal(out, "/run/c.sock");
	assert_int_equal(cmdline_option(cmd, sizeof(cmd), addr_opts, out, sizeof(out)), -1);
	assert_int_equal(containerd_config_address("root = \"/r\"\n"
						   "[debug]\n  address = \"/e1/debug.sock\"\n"
						   "[grpc]\n  address = \"/e1/containerd.sock\"\n"
						   "  tcp_address = \"\"\n",
						   out, sizeof(out)),
			 0);
	assert_string_equal(out, "/e1/containerd.sock");
	assert_int_equal(
		containerd_config_address("[debug]\n address = \"/d\"\n", out, sizeof(out)), -1);
}

static void fill_hdr(struct rp_hdr *h, int type, int sub, uint64_t ts)
{
	h->ts = ts;
	h->type = (uint32_t)type;
	h->sub = (uint32_t)sub;
	h->who.cgid = 42;
	h->who.pid = 7;
	h->who.tid = 8;
	h->who.ppid = 1;
	h->who.hint = RP_HINT_ENGINE;
	h->who.flags = RP_TF_TRACKED | RP_TF_RUNC;
	memcpy(h->who.comm, "runc:[2:INIT]\0\0\0", 16);
}

static void records_into_events(void **state)
{
	struct rp_exec_rec ex = {0};
	struct rp_offcpu_rec off = {0};
	struct rp_bio_rec bio = {0};
	struct rp_syscall_rec sys = {0};
	struct kevent e;
	const int64_t offset = 1000000;

	(void)state;
	fill_hdr(&ex.h, RP_REC_EXEC, 0, 500);
	memset(ex.filename, 'x', sizeof(ex.filename)); /* not terminated: cut, not overrun */
	memcpy(ex.exe, "runc", 5);
	assert_int_equal(convert_record(&ex, sizeof(ex), offset, &e), 0);
	assert_int_equal(e.type, KEV_EXEC);
	assert_int_equal(e.ts, 1000500);
	assert_int_equal(e.end, e.ts);
	assert_int_equal(e.who.pid, 7);
	assert_int_equal(e.who.flags, KT_TRACKED | KT_RUNC);
	assert_int_equal(e.who.hint, KH_ENGINE);
	assert_string_equal(e.who.comm, "runc:[2:INIT]");
	assert_int_equal(strlen(e.exec.filename), KEV_NAME_LEN - 1);
	assert_string_equal(e.exec.exe, "runc");
	assert_int_equal(convert_record(&ex, sizeof(ex) - 1, offset, &e), -1);

	fill_hdr(&off.h, RP_REC_OFFCPU, RP_OFF_IOWAIT, 100);
	off.wake = 300;
	off.end = 350;
	off.stackid = 5;
	assert_int_equal(convert_record(&off, sizeof(off), offset, &e), 0);
	assert_int_equal(e.type, KEV_OFFCPU);
	assert_int_equal(e.off.state, KOFF_IOWAIT);
	assert_int_equal(e.off.wake, 1000300);
	assert_int_equal(e.end, 1000350);
	assert_int_equal(e.off.stackid, 5);

	fill_hdr(&bio.h, RP_REC_BIO, RP_BIO_WRITE, 10);
	bio.issue = 20;
	bio.complete = 90;
	bio.insert = 0;
	bio.bytes = 4096;
	bio.dev = (254u << 20) | 0;
	assert_int_equal(convert_record(&bio, sizeof(bio), offset, &e), 0);
	assert_int_equal(e.bio.insert, 0); /* "not inserted" survives the clock shift */
	assert_int_equal(e.bio.issue - e.ts, 10);
	assert_int_equal(e.end - e.bio.issue, 70);

	fill_hdr(&sys.h, RP_REC_SYSCALL, RP_SYS_MOUNT, 10);
	sys.end = 30;
	memcpy(sys.fstype, "overlay", 8);
	memcpy(sys.path, "/x/merged", 10);
	assert_int_equal(convert_record(&sys, sizeof(sys), offset, &e), 0);
	assert_int_equal(e.sys.kind, KSYS_MOUNT);
	assert_true(e.sys.overlay);
	assert_string_equal(e.sys.path, "/x/merged");

	ex.h.type = 99;
	assert_int_equal(convert_record(&ex, sizeof(ex), offset, &e), -1);
}

static void aggregates_into_slots(void **state)
{
	struct rp_agg_key k = {.slot = 7, .cgid = 3, .tgid = 0, .stackid = -1};
	struct rp_agg_val v = {
		.count = 2, .sum_ns = 30, .max_ns = 20, .bytes = 8192, .queue_ns = 4};
	struct kagg a;

	(void)state;
	k.kind = RP_AGG_BIO_WRITE;
	k.flags = RP_TF_LOADCG;
	assert_int_equal(convert_agg(&k, &v, 1000, 50, &a), 0);
	assert_int_equal(a.kind, KAGG_BIO_WRITE);
	assert_int_equal(a.slot_start, 7050);
	assert_int_equal(a.slot_ns, 1000);
	assert_int_equal(a.who.flags, KT_LOADCG);
	assert_int_equal(a.count, 2);
	assert_int_equal(a.bytes, 8192);
	k.kind = RP_AGG_OFF_IOWAIT;
	assert_int_equal(convert_agg(&k, &v, 1000, 0, &a), 0);
	assert_int_equal(a.kind, KAGG_OFF_IOWAIT);
	k.kind = 0;
	assert_int_equal(convert_agg(&k, &v, 1000, 0, &a), -1);
	k.kind = RP_AGG_KIND_COUNT;
	assert_int_equal(convert_agg(&k, &v, 1000, 0, &a), -1);
}

static void probe_paths_option(void **state)
{
	unsigned m;
	char err[200];

	(void)state;
	assert_int_equal(probe_paths_parse("all", &m, err, sizeof(err)), 0);
	assert_int_equal(m, PROBE_PATHS_ALL);
	assert_int_equal(probe_paths_parse("tracepoint", &m, err, sizeof(err)), 0);
	assert_int_equal(m, 1u << PROBE_TRACEPOINT);
	assert_int_equal(probe_paths_parse("tp_btf,raw_tp", &m, err, sizeof(err)), 0);
	assert_int_equal(m, (1u << PROBE_TP_BTF) | (1u << PROBE_RAW_TP));
	assert_int_equal(probe_paths_parse("fentry,", &m, err, sizeof(err)), 0);
	assert_int_equal(probe_paths_parse("kprobes", &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "kprobes"));
	assert_int_equal(probe_paths_parse(",", &m, err, sizeof(err)), -1);
	assert_int_equal(probe_paths_parse("", &m, err, sizeof(err)), -1);
	assert_string_equal(probe_path_name(PROBE_RAW_TP), "raw_tp");
	assert_string_equal(probe_path_name(-1), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(v1_controller_choice),
		cmocka_unit_test(mounts_and_paths_v1_and_v2),
		cmocka_unit_test(the_engine_among_others),
		cmocka_unit_test(a_system_containerd),
		cmocka_unit_test(a_podman_service),
		cmocka_unit_test(containerd_addresses),
		cmocka_unit_test(records_into_events),
		cmocka_unit_test(aggregates_into_slots),
		cmocka_unit_test(probe_paths_option),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
