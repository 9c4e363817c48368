#include "trace/loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace/pathprobe.h"
#include "trace/progstats.h"

#include "skel/blkio.skel.h"
#include "skel/cgroup.skel.h"
#include "skel/net.skel.h"
#include "skel/ovl.skel.h"
#include "skel/proc.skel.h"
#include "skel/sched.skel.h"
#include "skel/sys.skel.h"
#include "skel/wb.skel.h"

/* One adapter per skeleton, so the loader can treat them alike. */
struct concern_ops {
	const char *name;
	void *(*open)(const struct bpf_object_open_opts *opts);
	struct bpf_object *(*obj)(void *skel);
	struct rp_config *(*cfg)(void *skel);
	void (*destroy)(void *skel);
};

#define CONCERN_OPS(n)                                                                             \
	static void *n##_open(const struct bpf_object_open_opts *opts)                             \
	{                                                                                          \
		return n##_bpf__open_opts(opts);                                                   \
	}                                                                                          \
	static struct bpf_object *n##_obj(void *s)                                                 \
	{                                                                                          \
		return ((struct n##_bpf *)s)->obj;                                                 \
	}                                                                                          \
	static struct rp_config *n##_cfg(void *s)                                                  \
	{                                                                                          \
		return &((struct n##_bpf *)s)->rodata->rp_cfg;                                     \
	}                                                                                          \
	static void n##_destroy(void *s)                                                           \
	{                                                                                          \
		n##_bpf__destroy(s);                                                               \
	}

CONCERN_OPS(proc)
CONCERN_OPS(cgroup)
CONCERN_OPS(sched)
CONCERN_OPS(blkio)
CONCERN_OPS(sys)
CONCERN_OPS(net)
CONCERN_OPS(ovl)
CONCERN_OPS(wb)

#define OPS(n)                                                                                     \
	{                                                                                          \
#n, n##_open, n##_obj, n##_cfg, n##_destroy                                        \
	}
static const struct concern_ops ops[C_COUNT] = {
	[C_PROC] = OPS(proc),	[C_CGROUP] = OPS(cgroup), [C_SCHED] = OPS(sched),
	[C_BLKIO] = OPS(blkio), [C_SYS] = OPS(sys),	  [C_NET] = OPS(net),
	[C_OVL] = OPS(ovl),	[C_WB] = OPS(wb),
};

static const char *const shared_names[SM_COUNT] = {
	[SM_TRACKED] = "rp_tracked",   [SM_CGROUPS] = "rp_cgroups", [SM_STATE] = "rp_state",
	[SM_COUNTERS] = "rp_counters", [SM_EVENTS] = "rp_events",   [SM_AGG0] = "rp_agg0",
	[SM_AGG1] = "rp_agg1",	       [SM_STACKS] = "rp_stacks",
};

#define BIT(p) (1u << (p))
#define TP3    (BIT(PROBE_TP_BTF) | BIT(PROBE_RAW_TP) | BIT(PROBE_TRACEPOINT))
#define FN2    (BIT(PROBE_FENTRY) | BIT(PROBE_KPROBE))

struct probe_def {
	const char *name;
	int concern;
	unsigned paths;
	bool essential;
	const char *what;
	const char *members[4];
};

/* Program names are <member>_<suffix>; the suffixes of each path, the first one probed. */
static const char *const suffixes[PROBE_PATH_COUNT][2] = {
	[PROBE_FENTRY] = {"fentry", "fexit"}, [PROBE_KPROBE] = {"kprobe", "kretprobe"},
	[PROBE_TP_BTF] = {"btf", NULL},	      [PROBE_RAW_TP] = {"raw", NULL},
	[PROBE_TRACEPOINT] = {"tp", NULL},
};

static const struct probe_def defs[] = {
	{"fork",
	 C_PROC,
	 TP3,
	 true,
	 "process and thread creation; tracks the engine's tasks",
	 {"sched_process_fork"}},
	{"exit", C_PROC, TP3, true, "process exit; untracks tasks", {"sched_process_exit"}},
	{"exec", C_PROC, TP3, false, "programs executed", {"sched_process_exec"}},
	{"cgroup_mkdir",
	 C_CGROUP,
	 TP3,
	 false,
	 "cgroups made: the new container's cgroup id",
	 {"cgroup_mkdir"}},
	{"cgroup_rmdir", C_CGROUP, TP3, false, "cgroups removed", {"cgroup_rmdir"}},
	{"cgroup_attach", C_CGROUP, TP3, false, "tasks moved into cgroups", {"cgroup_attach_task"}},
	{"sched",
	 C_SCHED,
	 TP3,
	 false,
	 "off-CPU time (state, stack, waker) and run-queue delay",
	 {"sched_switch", "sched_wakeup", "sched_wakeup_new"}},
	{"block",
	 C_BLKIO,
	 TP3,
	 false,
	 "block I/O: submitter, bytes, queue and device time",
	 {"block_bio_queue", "block_rq_insert", "block_rq_issue", "block_rq_complete"}},
	{"syscalls",
	 C_SYS,
	 TP3,
	 false,
	 "mount, umount, setns, unshare; the engine's fsync, fdatasync, sync, syncfs, "
	 "sync_file_range, rename, unlink, flock with their files",
	 {"sys_enter", "sys_exit"}},
	{"listen",
	 C_NET,
	 TP3,
	 false,
	 "TCP LISTEN: the end of the kernel's restart window",
	 {"inet_sock_set_state"}},
	{"veth_xmit", C_NET, TP3, false, "packets sent on veth devices", {"net_dev_xmit"}},
	{"fdb_add", C_NET, TP3, false, "bridge FDB entries added", {"br_fdb_add"}},
	{"fdb_update", C_NET, TP3, false, "bridge FDB entries learnt", {"br_fdb_update"}},
	{"fdb_delete", C_NET, TP3, false, "bridge FDB entries removed", {"fdb_delete"}},
	{"veth_newlink", C_NET, FN2, false, "veth pairs made", {"veth_newlink"}},
	{"veth_dellink", C_NET, FN2, false, "veth pairs removed", {"veth_dellink"}},
	{"br_add_if", C_NET, FN2, false, "ports added to a bridge", {"br_add_if"}},
	{"br_del_if", C_NET, FN2, false, "ports removed from a bridge", {"br_del_if"}},
	{"ovl_lookup", C_OVL, FN2, false, "overlayfs lookups", {"ovl_lookup"}},
	{"ovl_create", C_OVL, FN2, false, "overlayfs objects created", {"ovl_create_object"}},
	{"ovl_copy_up", C_OVL, FN2, false, "overlayfs copy-ups", {"ovl_copy_up_flags"}},
	{"writeback",
	 C_WB,
	 TP3,
	 false,
	 "pages written back, the reason, and who dirtied them",
	 {"writeback_dirty_inode_enqueue", "writeback_start", "writeback_written",
	  "writeback_single_inode"}},
};

#define N_DEFS (int)(sizeof(defs) / sizeof(defs[0]))
_Static_assert(sizeof(defs) / sizeof(defs[0]) <= LOADER_MAX_PROBES, "too many probes");

/* Paths that failed to load or attach during this run, per probe. */
static unsigned failed_paths[LOADER_MAX_PROBES];

const char *concern_name(int c)
{
	return c >= 0 && c < C_COUNT ? ops[c].name : "?";
}

const char *shared_map_name(int m)
{
	return m >= 0 && m < SM_COUNT ? shared_names[m] : "?";
}

/* libbpf's messages: kept to tell which program failed and why, shown with RESTARTPROF_DEBUG. */
static char logbuf[32768];
static size_t loglen;

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static int debug = -1;
	va_list aq;
	int n;

	if (debug < 0)
		debug = getenv("RESTARTPROF_DEBUG") != NULL;
	if (level == LIBBPF_DEBUG && debug < 1)
		return 0;
	va_copy(aq, ap);
	if (loglen < sizeof(logbuf) - 1) {
		n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen, fmt, ap);
		if (n > 0)
			loglen += (size_t)n < sizeof(logbuf) - loglen ? (size_t)n
								      : sizeof(logbuf) - loglen - 1;
	}
	if (debug > 0)
		vfprintf(stderr, fmt, aq);
	va_end(aq);
	return 0;
}

void loader_init(struct loader *l)
{
	memset(l, 0, sizeof(*l));
	l->allowed = PROBE_PATHS_ALL;
	l->ring_bytes = 4u << 20;
	for (int i = 0; i < SM_COUNT; i++)
		l->shared[i] = -1;
	l->n_probes = N_DEFS;
	for (int i = 0; i < N_DEFS; i++) {
		struct probe_status *p = &l->probes[i];

		snprintf(p->name, sizeof(p->name), "%s", defs[i].name);
		snprintf(p->concern, sizeof(p->concern), "%s", ops[defs[i].concern].name);
		snprintf(p->what, sizeof(p->what), "%s", defs[i].what);
		p->paths = defs[i].paths;
		p->essential = defs[i].essential;
		p->chosen = -1;
		failed_paths[i] = 0;
	}
}

static struct bpf_program *prog_of(struct bpf_object *obj, const char *member, const char *suffix)
{
	char name[96];

	snprintf(name, sizeof(name), "%s_%s", member, suffix);
	return bpf_object__find_program_by_name(obj, name);
}

/* Whether every program of probe i on path passes the path probe; why tells the first that
 * does not. */
static bool path_passes(struct loader *l, int i, struct bpf_object *obj, int path, char *why,
			size_t len)
{
	const struct probe_def *d = &defs[i];

	for (int m = 0; m < 4 && d->members[m]; m++) {
		struct bpf_program *prog = prog_of(obj, d->members[m], suffixes[path][0]);
		const char *sec = prog ? bpf_program__section_name(prog) : NULL;
		const char *target = sec ? strchr(sec, '/') : NULL;

		if (!target) {
			snprintf(why, len, "no program for %s", d->members[m]);
			return false;
		}
		if (pathprobe_try(l->pp, path, target + 1, why, len))
			return false;
	}
	return true;
}

/* Picks the best path of probe i that is allowed, not failed, and passes the path probe. */
static void select_path(struct loader *l, int i, struct bpf_object *obj)
{
	const struct probe_def *d = &defs[i];
	struct probe_status *p = &l->probes[i];

	p->chosen = -1;
	for (int path = 0; path < PROBE_PATH_COUNT; path++) {
		if (!(d->paths & BIT(path)))
			continue;
		if (!(l->allowed & BIT(path))) {
			snprintf(p->why[path], sizeof(p->why[path]), "disabled by --probe-paths");
			continue;
		}
		if (failed_paths[i] & BIT(path))
			continue;
		if (!path_passes(l, i, obj, path, p->why[path], sizeof(p->why[path]))) {
			failed_paths[i] |= BIT(path);
			continue;
		}
		p->chosen = path;
		p->why[path][0] = '\0';
		return;
	}
}

void loader_ask_btf_paths(struct loader *l)
{
	char why[PROBE_WHY_LEN];

	for (int ci = 0; ci < C_COUNT; ci++) {
		LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = l->btf_path);
		void *skel = ops[ci].open(&open_opts);

		if (!skel)
			continue;
		for (int i = 0; i < N_DEFS; i++)
			for (int path = 0; path < PROBE_PATH_COUNT && defs[i].concern == ci; path++)
				if ((path == PROBE_FENTRY || path == PROBE_TP_BTF) &&
				    (defs[i].paths & l->allowed & BIT(path)))
					path_passes(l, i, ops[ci].obj(skel), path, why,
						    sizeof(why));
		ops[ci].destroy(skel);
	}
}

static void set_autoload(struct bpf_object *obj, int i, int path, bool on)
{
	const struct probe_def *d = &defs[i];

	for (int m = 0; m < 4 && d->members[m]; m++)
		for (int s = 0; s < 2 && suffixes[path][s]; s++) {
			struct bpf_program *prog = prog_of(obj, d->members[m], suffixes[path][s]);

			if (prog)
				bpf_program__set_autoload(prog, on);
		}
}

/* The probe and path a program name belongs to; -1 when none of this concern's. */
static int probe_of_prog(int concern, const char *name, int *path)
{
	for (int i = 0; i < N_DEFS; i++) {
		if (defs[i].concern != concern)
			continue;
		for (int m = 0; m < 4 && defs[i].members[m]; m++)
			for (int pa = 0; pa < PROBE_PATH_COUNT; pa++)
				for (int s = 0; s < 2 && suffixes[pa][s]; s++) {
					char want[96];

					snprintf(want, sizeof(want), "%s_%s", defs[i].members[m],
						 suffixes[pa][s]);
					if (strcmp(want, name) == 0) {
						*path = pa;
						return i;
					}
				}
	}
	return -1;
}

/* The verifier's complaint: the last line of its log that is not its statistics. */
static void verifier_word(char *why, size_t wlen)
{
	char *begin = strstr(logbuf, "-- BEGIN PROG LOAD LOG --");
	char *end = begin ? strstr(begin, "-- END PROG LOAD LOG --") : NULL;
	char *e = end, *best = NULL, *best_end = NULL;
	size_t n = strlen(why);

	while (e && e > begin) {
		char *s = e;

		while (s > begin && s[-1] != '\n')
			s--;
		if (e - s > 1 && strncmp(s, "processed ", 10) != 0 &&
		    strncmp(s, "verification time", 17) != 0 &&
		    strncmp(s, "stack depth", 11) != 0 && strncmp(s, "-- ", 3) != 0) {
			best = s;
			best_end = e;
			break;
		}
		e = s > begin ? s - 1 : NULL;
	}
	if (best) {
		while (best_end > best && (best_end[-1] == '\n' || best_end[-1] == ' '))
			best_end--;
		snprintf(why + n, wlen - n, ": %.*s", (int)(best_end - best), best);
	}
}

/* From libbpf's messages: the program whose load failed, and a one-line reason. */
static int failed_prog(char *name, size_t nlen, char *why, size_t wlen)
{
	static const char *const phrases[] = {
		"BPF program load failed: ", "failed to load: ", NULL};
	char *hit = NULL, *q;

	for (int k = 0; phrases[k] && !hit; k++)
		for (char *p = logbuf; (p = strstr(p, "prog '")); p += 6) {
			char *eol = strchr(p, '\n');

			if (eol && memmem(p, (size_t)(eol - p), phrases[k], strlen(phrases[k]))) {
				hit = p;
				break;
			}
		}
	if (!hit)
		return -1;
	hit += 6;
	q = strchr(hit, '\'');
	if (!q)
		return -1;
	snprintf(name, nlen, "%.*s", (int)(q - hit), hit);
	q = strstr(q, "failed") + 6;
	q += strspn(q, ": ");
	snprintf(why, wlen, "%.*s", (int)strcspn(q, "\n"), q);
	verifier_word(why, wlen);
	return 0;
}

static void prepare_shared(struct loader *l, struct bpf_object *obj)
{
	for (int i = 0; i < SM_COUNT; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, shared_names[i]);

		if (!m)
			continue;
		if (l->shared[i] >= 0)
			bpf_map__reuse_fd(m, l->shared[i]);
		else if (i == SM_EVENTS)
			bpf_map__set_max_entries(m, l->ring_bytes);
	}
}

static void keep_shared(struct loader *l, struct bpf_object *obj)
{
	for (int i = 0; i < SM_COUNT; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, shared_names[i]);

		if (m && l->shared[i] < 0 && bpf_map__fd(m) >= 0)
			l->shared[i] = fcntl(bpf_map__fd(m), F_DUPFD_CLOEXEC, 0);
	}
}

static void detach_all(struct loaded_concern *c)
{
	for (int i = 0; i < c->n_links; i++)
		bpf_link__destroy(c->links[i]);
	c->n_links = 0;
}

/* Attaches the chosen programs; on a failure marks that probe's path and returns -1. */
static int attach_chosen(struct loader *l, int ci, struct loaded_concern *c)
{
	for (int i = 0; i < N_DEFS; i++) {
		const struct probe_def *d = &defs[i];
		struct probe_status *p = &l->probes[i];

		if (d->concern != ci || p->chosen < 0)
			continue;
		for (int m = 0; m < 4 && d->members[m]; m++)
			for (int s = 0; s < 2 && suffixes[p->chosen][s]; s++) {
				struct bpf_program *prog =
					prog_of(c->obj, d->members[m], suffixes[p->chosen][s]);
				struct bpf_link *link = prog ? bpf_program__attach(prog) : NULL;
				int err = link ? 0 : errno;

				if (!link || c->n_links >= LOADER_MAX_LINKS) {
					snprintf(p->why[p->chosen], sizeof(p->why[p->chosen]),
						 "loaded, but attaching %s failed: %s%s",
						 d->members[m], err == 524 ? "ENOTSUPP, " : "",
						 strerror(err ? err : E2BIG));
					failed_paths[i] |= BIT(p->chosen);
					bpf_link__destroy(link);
					return -1;
				}
				c->links[c->n_links++] = link;
			}
	}
	return 0;
}

static void note_load_failure(struct loader *l, int ci)
{
	char name[96], why[PROBE_WHY_LEN];
	int path, i = -1;

	if (failed_prog(name, sizeof(name), why, sizeof(why)) == 0)
		i = probe_of_prog(ci, name, &path);
	if (i >= 0) {
		snprintf(l->probes[i].why[path], sizeof(l->probes[i].why[path]), "load failed: %s",
			 why);
		failed_paths[i] |= BIT(path);
		return;
	}
	/* Not told which: every chosen path of this object is suspect. */
	for (int k = 0; k < N_DEFS; k++)
		if (defs[k].concern == ci && l->probes[k].chosen >= 0) {
			snprintf(l->probes[k].why[l->probes[k].chosen], sizeof(l->probes[k].why[0]),
				 "the %s object failed to load", ops[ci].name);
			failed_paths[k] |= BIT(l->probes[k].chosen);
		}
}

static int load_concern(struct loader *l, int ci)
{
	struct loaded_concern *c = &l->c[ci];

	for (int attempt = 0; attempt < 2 * PROBE_PATH_COUNT * 4; attempt++) {
		LIBBPF_OPTS(bpf_object_open_opts, open_opts, .btf_custom_path = l->btf_path);
		void *skel = ops[ci].open(&open_opts);
		struct bpf_program *prog;
		bool any = false;
		int err;

		if (!skel) {
			snprintf(c->why, sizeof(c->why), "cannot open the %s object: %s",
				 ops[ci].name, strerror(errno));
			return -1;
		}
		c->obj = ops[ci].obj(skel);
		*ops[ci].cfg(skel) = l->cfg;
		bpf_object__for_each_program(prog, c->obj) bpf_program__set_autoload(prog, false);
		for (int i = 0; i < N_DEFS; i++) {
			if (defs[i].concern != ci)
				continue;
			select_path(l, i, c->obj);
			if (l->probes[i].chosen >= 0) {
				set_autoload(c->obj, i, l->probes[i].chosen, true);
				any = true;
			}
		}
		if (!any) {
			ops[ci].destroy(skel);
			c->obj = NULL;
			return 0;
		}
		prepare_shared(l, c->obj);
		loglen = 0;
		logbuf[0] = '\0';
		err = bpf_object__load(c->obj);
		if (err) {
			note_load_failure(l, ci);
			ops[ci].destroy(skel);
			continue;
		}
		keep_shared(l, c->obj);
		if (attach_chosen(l, ci, c)) {
			detach_all(c);
			ops[ci].destroy(skel);
			continue;
		}
		c->skel = skel;
		return 0;
	}
	snprintf(c->why, sizeof(c->why), "gave up after repeated failures");
	c->obj = NULL;
	return -1;
}

int loader_run(struct loader *l, char *err, size_t len)
{
	libbpf_print_fn_t old = libbpf_set_print(print_fn);

	for (int ci = 0; ci < C_COUNT; ci++)
		load_concern(l, ci);
	libbpf_set_print(old);
	for (int i = 0; i < N_DEFS; i++) {
		const struct probe_status *p = &l->probes[i];

		if (p->essential && p->chosen < 0) {
			const char *why = "";

			for (int path = PROBE_PATH_COUNT - 1; path >= 0 && !why[0]; path--)
				why = p->why[path];
			snprintf(err, len, "the %s probe cannot run: %s", p->name,
				 why[0] ? why : l->c[defs[i].concern].why);
			return -1;
		}
	}
	return 0;
}

void loader_destroy(struct loader *l)
{
	for (int ci = 0; ci < C_COUNT; ci++) {
		struct loaded_concern *c = &l->c[ci];

		detach_all(c);
		if (c->skel)
			ops[ci].destroy(c->skel);
		c->skel = NULL;
		c->obj = NULL;
	}
	for (int i = 0; i < SM_COUNT; i++) {
		if (l->shared[i] >= 0)
			close(l->shared[i]);
		l->shared[i] = -1;
	}
}

bool loader_attached(const struct loader *l)
{
	for (int ci = 0; ci < C_COUNT; ci++)
		if (l->c[ci].n_links)
			return true;
	return false;
}

void loader_detach(struct loader *l)
{
	for (int ci = 0; ci < C_COUNT; ci++)
		detach_all(&l->c[ci]);
}

int loader_attach(struct loader *l, char *err, size_t len)
{
	for (int ci = 0; ci < C_COUNT; ci++) {
		struct loaded_concern *c = &l->c[ci];

		if (!c->skel || c->n_links)
			continue;
		if (attach_chosen(l, ci, c)) {
			int i;

			for (i = 0; i < N_DEFS; i++)
				if (defs[i].concern == ci && l->probes[i].chosen >= 0 &&
				    l->probes[i].why[l->probes[i].chosen][0])
					break;
			snprintf(err, len, "%s",
				 i < N_DEFS ? l->probes[i].why[l->probes[i].chosen]
					    : "attaching failed");
			/* attach_chosen marked it failed; this run keeps the path it chose. */
			if (i < N_DEFS)
				l->probes[i].why[l->probes[i].chosen][0] = '\0';
			loader_detach(l);
			return -1;
		}
	}
	return 0;
}

size_t loader_programs(const struct loader *l, struct own_prog *out, size_t max)
{
	size_t n = 0;

	for (int ci = 0; ci < C_COUNT; ci++) {
		struct bpf_program *prog;

		if (!l->c[ci].skel)
			continue;
		bpf_object__for_each_program(prog, l->c[ci].obj)
		{
			struct bpf_prog_info info;
			__u32 len = sizeof(info);
			int fd = bpf_program__fd(prog);

			if (fd < 0 || n == max)
				continue;
			memset(&info, 0, sizeof(info));
			if (bpf_obj_get_info_by_fd(fd, &info, &len))
				continue;
			out[n].id = info.id;
			snprintf(out[n].name, sizeof(out[n].name), "%s", bpf_program__name(prog));
			n++;
		}
	}
	return n;
}
