// SPDX-License-Identifier: GPL-2.0-only
/*
 * The tracer, opened and closed: the kernel's BTF, the cgroup mode, the programs' configuration,
 * the BPF objects loaded and attached (loader.c), the tracked tasks seeded (seed.c), and the
 * reader started (reader.c). Each trial's recording is capture.c's; follow mode's, follow.c's.
 */
#include "trace/tracer.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "model/ksyms.h"
#include "trace/pathprobe.h"
#include "trace/seed.h"
#include "trace/symbols.h"
#include "trace/tracer_internal.h"
#include "trace/usyms.h"
#include "util/heap.h"

#define RING_BYTES	  (1u << 20)
#define RING_BYTES_DETAIL (32u << 20)
#define LONG_SPAN_NS	  (1 * NSEC_PER_MSEC)
#define RUNQ_STACK_NS	  (NSEC_PER_MSEC / 10)

/* ---- opening ---- */

static int block_rq_has_q(const struct btf *btf)
{
	int id = btf__find_by_name_kind(btf, "btf_trace_block_rq_insert", BTF_KIND_TYPEDEF);
	const struct btf_type *t;

	if (id < 0)
		return 0;
	t = btf__type_by_id(btf, id);
	while (t && (btf_is_typedef(t) || btf_is_ptr(t)))
		t = btf__type_by_id(btf, t->type);
	/* (void *data, struct request *rq) from 5.11; (void *, q, rq) before. */
	return t && btf_is_func_proto(t) && btf_vlen(t) == 3;
}

/* The engine's blocking file calls; architectures lack some (arm64 has only the *at ones). */
static void fill_file_calls(struct rp_config *cfg)
{
	static const struct {
		long nr;
		__u8 kind;
	} calls[] = {
#ifdef SYS_fsync
		{SYS_fsync, RP_SYS_FSYNC},
#endif
#ifdef SYS_fdatasync
		{SYS_fdatasync, RP_SYS_FDATASYNC},
#endif
#ifdef SYS_sync
		{SYS_sync, RP_SYS_SYNC},
#endif
#ifdef SYS_syncfs
		{SYS_syncfs, RP_SYS_SYNCFS},
#endif
#ifdef SYS_sync_file_range
		{SYS_sync_file_range, RP_SYS_SYNC_FILE_RANGE},
#endif
#ifdef SYS_rename
		{SYS_rename, RP_SYS_RENAME},
#endif
#ifdef SYS_renameat
		{SYS_renameat, RP_SYS_RENAMEAT},
#endif
#ifdef SYS_renameat2
		{SYS_renameat2, RP_SYS_RENAMEAT},
#endif
#ifdef SYS_unlink
		{SYS_unlink, RP_SYS_UNLINK},
#endif
#ifdef SYS_unlinkat
		{SYS_unlinkat, RP_SYS_UNLINKAT},
#endif
#ifdef SYS_flock
		{SYS_flock, RP_SYS_FLOCK},
#endif
		{-1, 0},
	};

	for (size_t i = 0; calls[i].nr >= 0; i++)
		if (calls[i].nr < RP_SYS_MAX)
			cfg->sys_kind[calls[i].nr] = calls[i].kind;
}

static void fill_config(struct tracer *tr, struct rp_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->cgroup_ssid = tr->cg_mode.v2 ? -1 : tr->cg_mode.ssid;
	cfg->detail = tr->opts.events_detail;
	cfg->long_span_ns = LONG_SPAN_NS;
	cfg->slot_ns = SLOT_NS;
	cfg->stacks = tr->opts.no_stacks
			      ? 0
			      : RP_STACKS_WAITS | (tr->opts.sleep_stacks ? RP_STACKS_SLEEP : 0);
	cfg->stacks_load = !tr->opts.no_stacks;
	cfg->rq_has_q = (__u32)block_rq_has_q(tr->btf);
	cfg->self_tgid = (__u32)getpid();
	cfg->oncpu_period_ns = tr->opts.oncpu_hz ? NSEC_PER_SEC / tr->opts.oncpu_hz : 0;
	cfg->runq_stack_ns = RUNQ_STACK_NS;
#ifdef SYS_mount
	cfg->sys_kind[SYS_mount] = RP_SYS_MOUNT;
#endif
#ifdef SYS_umount2
	cfg->sys_kind[SYS_umount2] = RP_SYS_UMOUNT;
#endif
#ifdef SYS_setns
	cfg->sys_kind[SYS_setns] = RP_SYS_SETNS;
#endif
#ifdef SYS_unshare
	cfg->sys_kind[SYS_unshare] = RP_SYS_UNSHARE;
#endif
	fill_file_calls(cfg);
}

/* The engine's tasks (dockerd, containerd, shims) into the tracked-task map. */
static void seed_engine_tasks(struct tracer *tr)
{
	pid_t *tids = NULL;
	size_t n = 0;
	__u32 hint = RP_HINT_ENGINE;

	if (tr->opts.engine_pid <= 0 || seed_engine_tids(tr->opts.engine_pid, &tids, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		__u32 tid = (__u32)tids[i];

		bpf_map_update_elem(tr->ld.shared[SHARED_MAP_TRACKED], &tid, &hint, BPF_ANY);
	}
	free(tids);
}

static void open_prog_stats(struct tracer *tr)
{
	char on[8] = "";
	FILE *f;

	tr->n_own = loader_programs(&tr->ld, tr->own, sizeof(tr->own) / sizeof(tr->own[0]));
	tr->stats_fd = prog_stats_enable();
	if (tr->stats_fd >= 0)
		return;
	f = fopen("/proc/sys/kernel/bpf_stats_enabled", "r");
	if (f) {
		if (!fgets(on, sizeof(on), f))
			on[0] = '\0';
		fclose(f);
	}
	if (on[0] != '1')
		snprintf(tr->stats_note, sizeof(tr->stats_note),
			 "BPF statistics are off and cannot be turned on (%s): run times will be "
			 "0 (sysctl -w kernel.bpf_stats_enabled=1)",
			 strerror(-tr->stats_fd));
}

const char *tracer_prog_stats_note(const struct tracer *tr)
{
	return tr->stats_note;
}

/*
 * The kernel's own BTF names what the kernel can attach to; a --btf file stands in for it only
 * when the kernel has none (libbpf relocates with the file in any case).
 */
static int open_kernel_btf(struct tracer *tr, char *err, size_t errlen)
{
	const char *path = tr->opts.btf_path;

	if (path) {
		struct btf *given = btf__parse(path, NULL);

		if (!given) {
			snprintf(err, errlen, "cannot read BTF from %s: %s", path, strerror(errno));
			return -1;
		}
		tr->btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0 ? btf__load_vmlinux_btf()
								       : NULL;
		if (tr->btf)
			btf__free(given);
		else
			tr->btf = given;
	} else if (access("/sys/kernel/btf/vmlinux", R_OK) == 0) {
		tr->btf = btf__load_vmlinux_btf();
	}
	if (!tr->btf) {
		snprintf(err, errlen,
			 "the kernel has no BTF (/sys/kernel/btf/vmlinux): the BPF "
			 "programs cannot be relocated (give --btf PATH)");
		return -1;
	}
	return 0;
}

/* The cgroup hierarchy that tells containers apart, and its description for check. */
static int detect_cgroups(struct tracer *tr, char *err, size_t errlen)
{
	char why[256];

	if (cgroup_mode_detect(&tr->cg_mode, tr->btf, why, sizeof(why))) {
		snprintf(err, errlen, "cgroups: %s", why);
		return -1;
	}
	if (tr->cg_mode.v2)
		snprintf(tr->cg_desc, sizeof(tr->cg_desc), "v2 (default hierarchy at %s)",
			 tr->cg_mode.mount);
	else
		snprintf(tr->cg_desc, sizeof(tr->cg_desc),
			 "v1, controller %s (hierarchy %d, "
			 "subsystem %d) at %s",
			 tr->cg_mode.controller, tr->cg_mode.root, tr->cg_mode.ssid,
			 tr->cg_mode.mount);
	return 0;
}

/* Chooses each probe's path, then loads and attaches the objects; the kernel symbols after. */
static int load_programs(struct tracer *tr, char *err, size_t errlen)
{
	tr->pp = pathprobe_new(tr->btf);
	if (!tr->pp) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	tr->ld.pp = tr->pp;
	tr->ld.allowed =
		tr->opts.probe_paths ? tr->opts.probe_paths & PROBE_PATHS_ALL : PROBE_PATHS_ALL;
	tr->ld.ring_bytes = tr->opts.events_detail ? RING_BYTES_DETAIL : RING_BYTES;
	tr->ld.btf_path = tr->opts.btf_path;
	tr->ld.oncpu_hz = tr->opts.oncpu_hz;
	fill_config(tr, &tr->ld.cfg);
	/*
	 * The kernel's BTF, parsed, is some 6 MiB here, and libbpf parses a copy of its own
	 * (twice that while it reads it) for each object it loads: ours goes once the path
	 * probe has its answers, so that the two are never held at once.
	 */
	loader_ask_btf_paths(&tr->ld);
	pathprobe_drop_btf(tr->pp);
	btf__free(tr->btf);
	tr->btf = NULL;
	heap_give_back();
	if (loader_run(&tr->ld, err, errlen))
		return -1;
	/* After loading: the symbols then name our own programs, whose frames are cut. */
	{
		int e = ksyms_load(KALLSYMS_PATH, &tr->syms);

		tr->syms_ok =
			ksyms_describe(tr->syms, e, tr->syms_desc, sizeof(tr->syms_desc)) == 0;
	}
	return 0;
}

/* Waits on it (tracer_wait_listen) give a CLOCK_MONOTONIC deadline. */
static void init_cond_monotonic(pthread_cond_t *cond)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
}

int tracer_open(const struct tracer_opts *opts, struct tracer **out, char *err, size_t errlen)
{
	struct tracer *tr = calloc(1, sizeof(*tr));
	int rc;

	*out = NULL;
	if (!tr) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	tr->opts = *opts;
	tr->pending_gen = -1;
	tr->stats_fd = -1;
	tr->wake_fd = tr->wait_fd = -1;
	pthread_mutex_init(&tr->lock, NULL);
	pthread_mutex_init(&tr->agg_lock, NULL);
	pthread_mutex_init(&tr->flip_lock, NULL);
	init_cond_monotonic(&tr->cond);
	tr->batch_k = calloc(AGG_BATCH, sizeof(*tr->batch_k));
	tr->batch_v = calloc(AGG_BATCH, sizeof(*tr->batch_v));
	loader_init(&tr->ld);
	if (open_kernel_btf(tr, err, errlen) || detect_cgroups(tr, err, errlen))
		goto fail;
	tr->map.root = tr->cg_mode.root;
	if (load_programs(tr, err, errlen))
		goto fail;
	/* libbpf's copies of the BTF, freed, sit below the symbols on the heap: give the pages
	 * back. */
	heap_give_back();
	rc = tracer_ring_open(tr);
	if (rc) {
		snprintf(err, errlen, "cannot read the ring buffer: %s", strerror(-rc));
		goto fail;
	}
	/* Twice: a task forked by one not yet seeded while the first scan ran is caught. */
	seed_engine_tasks(tr);
	seed_engine_tasks(tr);
	if (opts->prog_stats)
		open_prog_stats(tr);
	if (usyms_new(&tr->usyms) == 0)
		ustacks_register_engine(tr->usyms, &tr->ufiles, tr->opts.engine_pid);
	if (tracer_reader_start(tr)) {
		snprintf(err, errlen, "cannot start the reader thread");
		goto fail;
	}
	*out = tr;
	return 0;
fail:
	tracer_close(tr);
	return -EIO;
}

void tracer_close(struct tracer *tr)
{
	if (!tr)
		return;
	tracer_reader_stop(tr);
	loader_destroy(&tr->ld);
	if (tr->stats_fd >= 0)
		close(tr->stats_fd);
	prog_snaps_free(&tr->snap_begin);
	prog_snaps_free(&tr->snap_end);
	pathprobe_free(tr->pp);
	btf__free(tr->btf);
	for (int i = 0; i < tr->n_ovl_dirs; i++)
		free(tr->ovl_dirs[i]);
	free(tr->arena);
	free(tr->mem);
	ksyms_free(tr->syms);
	if (tr->usyms)
		usyms_free(tr->usyms);
	ustack_files_free(&tr->ufiles);
	free(tr->aggs.k);
	free(tr->aggs.v);
	free(tr->cg);
	free(tr->batch_k);
	free(tr->batch_v);
	for (int k = 0; k < 2; k++) {
		struct stack_refs *s = k ? &tr->fl.us : &tr->fl.ks;

		free(s->refs);
		free(s->unused_since);
		free(s->gone_at);
	}
	free(tr->fl.rm);
	pthread_mutex_destroy(&tr->agg_lock);
	pthread_mutex_destroy(&tr->flip_lock);
	pthread_mutex_destroy(&tr->lock);
	pthread_cond_destroy(&tr->cond);
	free(tr);
}

const struct probe_status *tracer_probes(const struct tracer *tr, int *n)
{
	*n = tr->ld.n_probes;
	return tr->ld.probes;
}

const char *tracer_cgroup_desc(const struct tracer *tr)
{
	return tr->cg_desc;
}

int tracer_usyms_stats(const struct tracer *tr, size_t i, struct usym_file_stats *out)
{
	return tr->usyms ? usyms_file_stats(tr->usyms, i, out) : -1;
}

uint64_t tracer_ustack_ip_frames(const struct tracer *tr)
{
	return tr->ustack_ip_frames;
}

bool tracer_oncpu_on(const struct tracer *tr)
{
	return tr->ld.objs[BPF_OBJ_ONCPU].skel != NULL;
}

const char *tracer_symbols_desc(const struct tracer *tr, bool *ok)
{
	if (ok)
		*ok = tr->syms_ok;
	return tr->syms_desc;
}

/*
 * The programs keep what they read of a task until rp_whogen moves; a cgroup's new role
 * moves it by 1 << 32, past any count the programs may have added since it was read.
 */
static void whos_changed(struct tracer *tr)
{
	int fd = tr->ld.shared[SHARED_MAP_WHOGEN];
	__u32 zero = 0;
	__u64 gen = 0;

	if (fd < 0 || bpf_map_lookup_elem(fd, &zero, &gen))
		return;
	gen += 1ULL << 32;
	bpf_map_update_elem(fd, &zero, &gen, BPF_ANY);
}

/* The cgroup of a running container's process, into the table (and its role into the map). */
static int note_container(struct tracer *tr, pid_t pid, __u32 role)
{
	char path[KCG_PATH_LEN];
	uint64_t id;
	int err;

	err = cgroup_of_pid(&tr->cg_mode, pid, &id, path, sizeof(path));
	if (err)
		return err;
	if (role && bpf_map_update_elem(tr->ld.shared[SHARED_MAP_CGROUPS], &id, &role, BPF_ANY))
		return -errno;
	if (role)
		whos_changed(tr);
	pthread_mutex_lock(&tr->lock);
	for (size_t i = 0; i < tr->n_cg; i++)
		if (tr->cg[i].id == id) {
			pthread_mutex_unlock(&tr->lock);
			return 0;
		}
	tracer_note_cgroup_locked(tr, id, tr->cg_mode.root, path);
	pthread_mutex_unlock(&tr->lock);
	return 0;
}

int tracer_add_load(struct tracer *tr, const char *container_id, pid_t pid)
{
	pthread_mutex_lock(&tr->lock);
	if (tr->map.n_load < KLOAD_MAX)
		snprintf(tr->map.load[tr->map.n_load++], sizeof(tr->map.load[0]), "%s",
			 container_id);
	pthread_mutex_unlock(&tr->lock);
	return note_container(tr, pid, RP_CG_LOAD);
}

int tracer_add_container(struct tracer *tr, pid_t pid)
{
	return note_container(tr, pid, 0);
}

int tracer_set_engine(struct tracer *tr, pid_t engine_pid)
{
	if (engine_pid <= 0)
		return -EINVAL;
	tr->opts.engine_pid = engine_pid;
	/* As at start: twice, for a task forked by one not yet seeded during the first scan. */
	seed_engine_tasks(tr);
	seed_engine_tasks(tr);
	return 0;
}

/* ---- A/B within a run (--alternate) ---- */

bool tracer_attached(const struct tracer *tr)
{
	return loader_attached(&tr->ld);
}

void tracer_detach(struct tracer *tr)
{
	loader_detach(&tr->ld);
}

/* Empties the tracked-task map: while detached, exits were not seen and tids get reused. */
static void clear_tracked(struct tracer *tr)
{
	int fd = tr->ld.shared[SHARED_MAP_TRACKED];
	__u32 key;

	while (fd >= 0 && bpf_map_get_next_key(fd, NULL, &key) == 0)
		if (bpf_map_delete_elem(fd, &key))
			break;
}

int tracer_attach(struct tracer *tr, char *err, size_t len)
{
	if (tracer_attached(tr))
		return 0;
	clear_tracked(tr);
	if (loader_attach(&tr->ld, err, len))
		return -EIO;
	/* As at start: twice, for a task forked by one not yet seeded during the first scan. */
	seed_engine_tasks(tr);
	seed_engine_tasks(tr);
	return 0;
}

static void set_state_flag(struct tracer *tr, __u32 flag, bool set)
{
	pthread_mutex_lock(&tr->lock);
	if (set)
		tr->st.flags |= flag;
	else
		tr->st.flags &= ~flag;
	tracer_write_state_locked(tr);
	pthread_mutex_unlock(&tr->lock);
}

void tracer_set_stacks(struct tracer *tr, bool on)
{
	set_state_flag(tr, RP_STATE_NO_STACKS, !on);
}

void tracer_set_oncpu(struct tracer *tr, bool on)
{
	set_state_flag(tr, RP_STATE_NO_ONCPU, !on);
}
