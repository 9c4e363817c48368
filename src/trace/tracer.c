/*
 * The tracer: loads the BPF objects (loader.c), seeds the tracked tasks (seed.c), reads the
 * ring buffer in a thread, drains the aggregate maps, and at each trial's end converts what
 * was recorded into a struct trial_kernel (convert.c), on the wall clock.
 *
 * Aggregates are double-buffered: the programs add into the map rp_state.gen names; every
 * AGG_PERIOD the reader flips gen and, on its next turn, drains the map just left, which no
 * program writes any more.
 */
#include "trace/tracer.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "model/kernel.h"
#include "model/ksyms.h"
#include "restartprof/kevents.h"
#include "trace/cgroups.h"
#include "trace/convert.h"
#include "trace/loader.h"
#include "trace/pathprobe.h"
#include "trace/progstats.h"
#include "trace/seed.h"
#include "trace/symbols.h"
#include "util/array.h"
#include "util/clock.h"
#include "util/files.h"
#include "util/proc.h"

#define RING_BYTES	  (1u << 20)
#define RING_BYTES_DETAIL (32u << 20)
#define POLL_MS		  20
#define AGG_PERIOD_NS	  (250 * NSEC_PER_MSEC)
#define LONG_SPAN_NS	  (1 * NSEC_PER_MSEC)
#define SLOT_NS		  (1 * NSEC_PER_MSEC)
#define AGG_BATCH	  1024
#define OVL_DIRS_MAX	  256
/* The arena holds [u32 size, pad][record, padded] so every record is 8-byte aligned. */
#define ARENA_HDR     8u
#define ARENA_STEP(n) (ARENA_HDR + (((size_t)(n) + 7) & ~(size_t)7))
#define MEM_PERIOD_NS (10 * NSEC_PER_MSEC)
#define FOLDED_MAX    (KSTACK_DEPTH * 64)

struct raw_aggs {
	struct rp_agg_key *k;
	struct rp_agg_val *v;
	size_t n, cap;
};

struct tracer {
	struct tracer_opts opts;
	struct btf *btf;
	struct pathprobe *pp;
	struct loader ld;
	struct cgroup_mode cg_mode;
	char cg_desc[96];
	struct ring_buffer *rb;
	pthread_t reader;
	bool reader_running;
	atomic_bool stop;

	pthread_mutex_t agg_lock; /* one drain at a time, and its buffers */
	struct rp_agg_key *batch_k;
	struct rp_agg_val *batch_v;
	pthread_mutex_t lock; /* everything below */
	pthread_cond_t cond;
	struct rp_state st;
	uint64_t drain_req, drain_done;
	int pending_gen; /* the map to drain on the reader's next turn, -1 none */
	int64_t last_flip;
	bool recording;
	__u32 epoch; /* the number of the last trial recorded */
	/* The trial being recorded. */
	unsigned char *arena; /* [u32 size, pad][record, padded to 8] ... */
	size_t arena_len, arena_cap;
	uint64_t arena_lost;
	struct raw_aggs aggs;
	struct kmem_sample *mem; /* monotonic times until the trial ends */
	size_t n_mem, cap_mem;
	int64_t last_mem;
	struct rp_counters c_begin;
	int64_t off_begin, err_begin, wall_begin;
	/* Across trials. */
	struct kcgroup *cg;
	size_t n_cg, cap_cg;
	struct actor_map map;
	char *ovl_dirs[OVL_DIRS_MAX];
	int n_ovl_dirs;
	struct ksyms *syms; /* NULL when /proc/kallsyms could not be read */
	bool syms_ok;	    /* stacks can be symbolized */
	char syms_desc[256];
	/* --prog-stats */
	int stats_fd; /* BPF_ENABLE_STATS: statistics stay on while it is open */
	char stats_note[160];
	struct own_prog own[LOADER_MAX_LINKS * C_COUNT];
	size_t n_own;
	struct prog_snaps snap_begin, snap_end;
};

/* ---- small helpers ---- */

static void add_cgroup_locked(struct tracer *tr, uint64_t id, int root, const char *path)
{
	struct kcgroup c;

	if (root != tr->cg_mode.root)
		return;
	kcgroup_init(&c, id, root, path);
	/* Only containers' cgroups tell actors apart; the others would only grow the table. */
	if (!c.container[0] ||
	    array_reserve((void **)&tr->cg, &tr->cap_cg, tr->n_cg + 1, sizeof(*tr->cg)))
		return;
	tr->cg[tr->n_cg++] = c;
}

static void write_state_locked(struct tracer *tr)
{
	__u32 zero = 0;

	bpf_map_update_elem(tr->ld.shared[SM_STATE], &zero, &tr->st, BPF_ANY);
}

static void read_counters(struct tracer *tr, struct rp_counters *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct rp_counters *per;
	__u32 zero = 0;

	memset(sum, 0, sizeof(*sum));
	if (ncpu <= 0 || !(per = calloc((size_t)ncpu, sizeof(*per))))
		return;
	if (bpf_map_lookup_elem(tr->ld.shared[SM_COUNTERS], &zero, per) == 0)
		for (int i = 0; i < ncpu; i++) {
			sum->ring_drops += per[i].ring_drops;
			sum->agg_drops += per[i].agg_drops;
			sum->stack_drops += per[i].stack_drops;
			sum->track_drops += per[i].track_drops;
			sum->stacks += per[i].stacks;
			sum->stack_ns += per[i].stack_ns;
		}
	free(per);
}

/* ---- the ring buffer ---- */

static int on_record(void *ctx, void *data, size_t size)
{
	struct tracer *tr = ctx;
	const struct rp_hdr *h = data;
	__u32 sz = (__u32)size;

	if (size < sizeof(*h))
		return 0;
	pthread_mutex_lock(&tr->lock);
	if (h->type == RP_REC_CGROUP && h->sub == RP_CG_MKDIR &&
	    size >= sizeof(struct rp_cgroup_rec)) {
		const struct rp_cgroup_rec *r = data;
		char path[RP_NAME_LEN + 1];

		memcpy(path, r->path, RP_NAME_LEN);
		path[RP_NAME_LEN] = '\0';
		add_cgroup_locked(tr, r->id, r->root, path);
	}
	if (tr->recording) {
		if (array_reserve((void **)&tr->arena, &tr->arena_cap,
				  tr->arena_len + ARENA_STEP(size), 1)) {
			tr->arena_lost++;
		} else {
			memcpy(tr->arena + tr->arena_len, &sz, sizeof(sz));
			memcpy(tr->arena + tr->arena_len + ARENA_HDR, data, size);
			tr->arena_len += ARENA_STEP(size);
		}
	}
	pthread_mutex_unlock(&tr->lock);
	return 0;
}

/* ---- the aggregate maps ---- */

static int append_aggs(struct tracer *tr, const struct rp_agg_key *k, const struct rp_agg_val *v,
		       size_t n)
{
	struct raw_aggs *a = &tr->aggs;
	size_t cap_k = a->cap, cap_v = a->cap;

	if (array_reserve((void **)&a->k, &cap_k, a->n + n, sizeof(*k)) ||
	    array_reserve((void **)&a->v, &cap_v, a->n + n, sizeof(*v)))
		return -ENOMEM;
	a->cap = cap_k < cap_v ? cap_k : cap_v;
	memcpy(a->k + a->n, k, n * sizeof(*k));
	memcpy(a->v + a->n, v, n * sizeof(*v));
	a->n += n;
	return 0;
}

/* One by one, for kernels without batch operations on hash maps (before 5.6). */
static void drain_slow(struct tracer *tr, int fd)
{
	struct rp_agg_key k, next;
	struct rp_agg_val v;
	bool first = true;

	while (bpf_map_get_next_key(fd, first ? NULL : &k, &next) == 0) {
		first = false;
		if (bpf_map_lookup_elem(fd, &next, &v) == 0) {
			pthread_mutex_lock(&tr->lock);
			append_aggs(tr, &next, &v, 1);
			pthread_mutex_unlock(&tr->lock);
		}
		bpf_map_delete_elem(fd, &next);
		first = true; /* the deleted key cannot lead on: start over */
	}
}

/* Moves every entry of one aggregate map into the trial's list; no program may write it. */
static void drain_aggs(struct tracer *tr, int which)
{
	int fd = tr->ld.shared[which ? SM_AGG1 : SM_AGG0];
	struct rp_agg_key *keys = tr->batch_k;
	struct rp_agg_val *vals = tr->batch_v;
	__u64 in = 0, out = 0;
	bool first = true;

	if (fd < 0 || !keys || !vals)
		return;
	pthread_mutex_lock(&tr->agg_lock);
	for (;;) {
		__u32 count = AGG_BATCH;
		int err = bpf_map_lookup_and_delete_batch(fd, first ? NULL : &in, &out, keys, vals,
							  &count, NULL);

		if (err && errno != ENOENT) {
			if (first && (errno == EINVAL || errno == ENOTSUP || errno == 524))
				drain_slow(tr, fd);
			break;
		}
		if (count) {
			pthread_mutex_lock(&tr->lock);
			append_aggs(tr, keys, vals, count);
			pthread_mutex_unlock(&tr->lock);
		}
		if (err) /* ENOENT: that was the last batch */
			break;
		in = out;
		first = false;
	}
	pthread_mutex_unlock(&tr->agg_lock);
}

/* During a trial: flip the map the programs fill, drain the one left on the next turn. */
static void rotate_aggs(struct tracer *tr)
{
	int drain = -1;

	pthread_mutex_lock(&tr->lock);
	if (tr->st.recording) {
		if (tr->pending_gen >= 0) {
			drain = tr->pending_gen;
			tr->pending_gen = -1;
		} else if (mono_ns() - tr->last_flip >= AGG_PERIOD_NS) {
			tr->pending_gen = (int)(tr->st.gen & 1);
			tr->st.gen ^= 1;
			write_state_locked(tr);
			tr->last_flip = mono_ns();
		}
	}
	pthread_mutex_unlock(&tr->lock);
	if (drain >= 0)
		drain_aggs(tr, drain);
}

/* Dirty and Writeback of /proc/meminfo now, into the trial's samples. */
static void sample_mem(struct tracer *tr, bool force)
{
	char text[8192];
	long long dirty, wb;
	int64_t now = mono_ns();
	ssize_t n;

	pthread_mutex_lock(&tr->lock);
	if (!tr->recording || (!force && now - tr->last_mem < MEM_PERIOD_NS)) {
		pthread_mutex_unlock(&tr->lock);
		return;
	}
	tr->last_mem = now;
	pthread_mutex_unlock(&tr->lock);
	n = file_read_small("/proc/meminfo", text, sizeof(text));
	if (n <= 0 || meminfo_parse(text, (size_t)n, &dirty, &wb))
		return;
	pthread_mutex_lock(&tr->lock);
	if (tr->recording &&
	    !array_reserve((void **)&tr->mem, &tr->cap_mem, tr->n_mem + 1, sizeof(*tr->mem)))
		tr->mem[tr->n_mem++] = (struct kmem_sample){now, dirty, wb};
	pthread_mutex_unlock(&tr->lock);
}

static void *reader_main(void *arg)
{
	struct tracer *tr = arg;

	while (!atomic_load(&tr->stop)) {
		uint64_t req;

		/*
		 * Records are submitted without a wake-up (rp_submit) until the ring is a quarter
		 * full, so the poll mostly just times out: read what is there on every turn, or a
		 * trial's LISTEN would wait for the end of the trial (tracer_wait_listen would
		 * always wait its whole timeout).
		 */
		ring_buffer__poll(tr->rb, POLL_MS / 2);
		ring_buffer__consume(tr->rb);
		sample_mem(tr, false);
		rotate_aggs(tr);
		pthread_mutex_lock(&tr->lock);
		req = tr->drain_req;
		pthread_mutex_unlock(&tr->lock);
		if (req != tr->drain_done) {
			ring_buffer__consume(tr->rb);
			pthread_mutex_lock(&tr->lock);
			tr->drain_done = req;
			pthread_cond_broadcast(&tr->cond);
			pthread_mutex_unlock(&tr->lock);
		}
	}
	return NULL;
}

/* Waits until the reader has consumed everything the ring holds now. */
static void drain_ring(struct tracer *tr)
{
	pthread_mutex_lock(&tr->lock);
	uint64_t want = ++tr->drain_req;

	while (tr->reader_running && tr->drain_done < want)
		pthread_cond_wait(&tr->cond, &tr->lock);
	pthread_mutex_unlock(&tr->lock);
}

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

static void seed(struct tracer *tr)
{
	pid_t *tids = NULL;
	size_t n = 0;
	__u32 hint = RP_HINT_ENGINE;

	if (tr->opts.engine_pid <= 0 || seed_engine_tids(tr->opts.engine_pid, &tids, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		__u32 tid = (__u32)tids[i];

		bpf_map_update_elem(tr->ld.shared[SM_TRACKED], &tid, &hint, BPF_ANY);
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

int tracer_open(const struct tracer_opts *opts, struct tracer **out, char *err, size_t errlen)
{
	struct tracer *tr = calloc(1, sizeof(*tr));
	char why[256];

	*out = NULL;
	if (!tr) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	tr->opts = *opts;
	tr->pending_gen = -1;
	tr->stats_fd = -1;
	pthread_mutex_init(&tr->lock, NULL);
	pthread_mutex_init(&tr->agg_lock, NULL);
	pthread_cond_init(&tr->cond, NULL);
	tr->batch_k = calloc(AGG_BATCH, sizeof(*tr->batch_k));
	tr->batch_v = calloc(AGG_BATCH, sizeof(*tr->batch_v));
	loader_init(&tr->ld);
	/* The kernel's own BTF names what the kernel can attach to; a --btf file stands in for
	 * it only when the kernel has none (libbpf relocates with the file in any case). */
	if (opts->btf_path) {
		struct btf *given = btf__parse(opts->btf_path, NULL);

		if (!given) {
			snprintf(err, errlen, "cannot read BTF from %s: %s", opts->btf_path,
				 strerror(errno));
			goto fail;
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
		goto fail;
	}
	if (cgroup_mode_detect(&tr->cg_mode, tr->btf, why, sizeof(why))) {
		snprintf(err, errlen, "cgroups: %s", why);
		goto fail;
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
	tr->map.root = tr->cg_mode.root;
	tr->pp = pathprobe_new(tr->btf);
	if (!tr->pp) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	tr->ld.pp = tr->pp;
	tr->ld.allowed = opts->probe_paths ? opts->probe_paths & PROBE_PATHS_ALL : PROBE_PATHS_ALL;
	tr->ld.ring_bytes = opts->events_detail ? RING_BYTES_DETAIL : RING_BYTES;
	tr->ld.btf_path = opts->btf_path;
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
	malloc_trim(0);
	if (loader_run(&tr->ld, err, errlen))
		goto fail;
	/* After loading: the symbols then name our own programs, whose frames are cut. */
	{
		int e = ksyms_load(KALLSYMS_PATH, &tr->syms);

		tr->syms_ok =
			ksyms_describe(tr->syms, e, tr->syms_desc, sizeof(tr->syms_desc)) == 0;
	}
	/* libbpf's copies of the BTF, freed, sit below the symbols on the heap: give the pages
	 * back. */
	malloc_trim(0);
	tr->rb = ring_buffer__new(tr->ld.shared[SM_EVENTS], on_record, tr, NULL);
	if (!tr->rb) {
		snprintf(err, errlen, "cannot read the ring buffer: %s", strerror(errno));
		goto fail;
	}
	/* Twice: a task forked by one not yet seeded while the first scan ran is caught. */
	seed(tr);
	seed(tr);
	if (opts->prog_stats)
		open_prog_stats(tr);
	if (pthread_create(&tr->reader, NULL, reader_main, tr)) {
		snprintf(err, errlen, "cannot start the reader thread");
		goto fail;
	}
	tr->reader_running = true;
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
	if (tr->reader_running) {
		atomic_store(&tr->stop, true);
		pthread_join(tr->reader, NULL);
	}
	ring_buffer__free(tr->rb);
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
	free(tr->aggs.k);
	free(tr->aggs.v);
	free(tr->cg);
	free(tr->batch_k);
	free(tr->batch_v);
	pthread_mutex_destroy(&tr->agg_lock);
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

const char *tracer_symbols_desc(const struct tracer *tr, bool *ok)
{
	if (ok)
		*ok = tr->syms_ok;
	return tr->syms_desc;
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
	if (role && bpf_map_update_elem(tr->ld.shared[SM_CGROUPS], &id, &role, BPF_ANY))
		return -errno;
	pthread_mutex_lock(&tr->lock);
	for (size_t i = 0; i < tr->n_cg; i++)
		if (tr->cg[i].id == id) {
			pthread_mutex_unlock(&tr->lock);
			return 0;
		}
	add_cgroup_locked(tr, id, tr->cg_mode.root, path);
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
	int fd = tr->ld.shared[SM_TRACKED];
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
	seed(tr);
	seed(tr);
	return 0;
}

void tracer_set_stacks(struct tracer *tr, bool on)
{
	pthread_mutex_lock(&tr->lock);
	if (on)
		tr->st.flags &= ~(__u32)RP_STATE_NO_STACKS;
	else
		tr->st.flags |= RP_STATE_NO_STACKS;
	write_state_locked(tr);
	pthread_mutex_unlock(&tr->lock);
}

/* ---- trials ---- */

static bool listen_seen_locked(struct tracer *tr, uint64_t cgid, pid_t pid, size_t *pos)
{
	while (*pos + ARENA_HDR <= tr->arena_len) {
		const struct rp_hdr *h;
		__u32 sz;

		memcpy(&sz, tr->arena + *pos, sizeof(sz));
		h = (const void *)(tr->arena + *pos + ARENA_HDR);
		*pos += ARENA_STEP(sz);
		if (sz >= sizeof(*h) && h->type == RP_REC_LISTEN &&
		    ((pid > 0 && (h->who.pid == (__u32)pid || h->who.ppid == (__u32)pid)) ||
		     (cgid && h->who.cgid == cgid)))
			return true;
	}
	return false;
}

int tracer_wait_listen(struct tracer *tr, const char *container_id, pid_t pid, int64_t timeout_ns)
{
	int64_t deadline = mono_ns() + timeout_ns;
	uint64_t cgid = 0;
	size_t pos = 0;
	bool seen = false, recording;

	for (;;) {
		pthread_mutex_lock(&tr->lock);
		for (size_t i = 0; !cgid && container_id && i < tr->n_cg; i++)
			if (strcmp(tr->cg[i].container, container_id) == 0)
				cgid = tr->cg[i].id;
		recording = tr->recording;
		if (recording)
			seen = listen_seen_locked(tr, cgid, pid, &pos);
		pthread_mutex_unlock(&tr->lock);
		if (seen || !recording || mono_ns() >= deadline)
			break;
		sleep_ns(5 * NSEC_PER_MSEC);
	}
	return seen ? 0 : -ETIMEDOUT;
}

int tracer_trial_begin(struct tracer *tr)
{
	int64_t err;
	int64_t off = clock_offset_ns(&err);

	if (tr->opts.prog_stats)
		prog_snaps_read(&tr->snap_begin);
	read_counters(tr, &tr->c_begin);
	pthread_mutex_lock(&tr->lock);
	tr->arena_len = 0;
	tr->arena_lost = 0;
	tr->aggs.n = 0;
	tr->n_mem = 0;
	tr->last_mem = 0;
	tr->off_begin = off;
	tr->err_begin = err;
	tr->wall_begin = wall_ns();
	/*
	 * The trial's number, from a counter of its own: st.recording is 0 between trials, so
	 * counting on it would give every trial the number 1, and a sleep begun in one trial
	 * would be taken for one of the next (sched.bpf.c tells them apart by this number).
	 */
	if (!++tr->epoch) /* wrapped: 0 means "not recording" */
		tr->epoch = 1;
	tr->st.recording = tr->epoch;
	tr->st.gen = 0;
	tr->pending_gen = -1;
	tr->last_flip = mono_ns();
	tr->recording = true;
	write_state_locked(tr);
	pthread_mutex_unlock(&tr->lock);
	sample_mem(tr, true);
	return 0;
}

static bool ovl_dir_take(struct tracer *tr, const char *dir, bool add)
{
	for (int i = 0; i < tr->n_ovl_dirs; i++)
		if (strcmp(tr->ovl_dirs[i], dir) == 0) {
			if (!add) {
				free(tr->ovl_dirs[i]);
				tr->ovl_dirs[i] = tr->ovl_dirs[--tr->n_ovl_dirs];
			}
			return true;
		}
	if (add) {
		if (tr->n_ovl_dirs == OVL_DIRS_MAX) {
			free(tr->ovl_dirs[0]);
			tr->ovl_dirs[0] = tr->ovl_dirs[--tr->n_ovl_dirs];
		}
		tr->ovl_dirs[tr->n_ovl_dirs] = strdup(dir);
		if (tr->ovl_dirs[tr->n_ovl_dirs])
			tr->n_ovl_dirs++;
	}
	return false;
}

/* Unmounts of a directory an overlay was mounted on (in any earlier trial) are overlay's. */
static void mark_overlay(struct tracer *tr, struct kevent *e)
{
	if (e->type != KEV_SYSCALL || e->sys.ret != 0)
		return;
	if (e->sys.kind == KSYS_MOUNT && e->sys.overlay)
		ovl_dir_take(tr, e->sys.path, true);
	else if (e->sys.kind == KSYS_UMOUNT && e->sys.path[0])
		e->sys.overlay = ovl_dir_take(tr, e->sys.path, false);
}

static int add_stack(struct trial_kernel *tk, int fd, int32_t id)
{
	struct kstack s = {.id = id};

	if (id < 0)
		return 0;
	for (size_t i = 0; i < tk->n_stacks; i++)
		if (tk->stacks[i].id == id)
			return 0;
	if (bpf_map_lookup_elem(fd, &id, s.ip))
		return 0;
	while (s.depth < KSTACK_DEPTH && s.ip[s.depth])
		s.depth++;
	return trial_kernel_add_stack(tk, &s);
}

/* Stacks the trial's events name, read from the stack map and then removed from it. */
static void collect_stacks(struct tracer *tr, struct trial_kernel *tk)
{
	int fd = tr->ld.shared[SM_STACKS];

	if (fd < 0)
		return;
	for (size_t i = 0; i < tk->n_ev; i++)
		if (tk->ev[i].type == KEV_OFFCPU)
			add_stack(tk, fd, tk->ev[i].off.stackid);
	for (size_t i = 0; i < tk->n_agg; i++)
		if (tk->agg[i].kind <= KAGG_RUNQ)
			add_stack(tk, fd, tk->agg[i].sub);
	for (size_t i = 0; i < tk->n_stacks; i++)
		bpf_map_delete_elem(fd, &tk->stacks[i].id);
}

/* Names for every stack (raw addresses when the symbols are not usable). */
static void symbolize(struct tracer *tr, struct trial_kernel *tk)
{
	char buf[FOLDED_MAX];
	size_t wanted = 0;

	/* The table holds addresses only: the names of this trial's frames are read now (on a
	 * read error those not found stay addresses, as with unreadable symbols). */
	for (size_t i = 0; tr->syms_ok && i < tk->n_stacks; i++)
		wanted = ksyms_want(tr->syms, tk->stacks[i].ip, tk->stacks[i].depth);
	if (wanted)
		ksyms_load_names(tr->syms, KALLSYMS_PATH);
	for (size_t i = 0; i < tk->n_stacks; i++) {
		struct kstack *s = &tk->stacks[i];

		ksyms_fold(tr->syms_ok ? tr->syms : NULL, s->ip, s->depth, buf, sizeof(buf));
		free(s->folded);
		s->folded = strdup(buf);
	}
}

static int move_mem(struct tracer *tr, struct trial_kernel *tk, int64_t off)
{
	for (size_t i = 0; i < tr->n_mem; i++) {
		struct kmem_sample m = tr->mem[i];

		m.ts += off;
		if (trial_kernel_add_mem(tk, &m))
			return -ENOMEM;
	}
	return 0;
}

static int build(struct tracer *tr, struct trial_kernel *tk, int64_t off)
{
	size_t pos = 0;

	while (pos + ARENA_HDR <= tr->arena_len) {
		__u32 sz;
		struct kevent e;

		memcpy(&sz, tr->arena + pos, sizeof(sz));
		if (pos + ARENA_HDR + sz > tr->arena_len)
			break;
		if (convert_record(tr->arena + pos + ARENA_HDR, sz, off, &e) == 0) {
			mark_overlay(tr, &e);
			if (trial_kernel_add_event(tk, &e))
				return -ENOMEM;
		}
		pos += ARENA_STEP(sz);
	}
	for (size_t i = 0; i < tr->aggs.n; i++) {
		struct kagg a;

		if (convert_agg(&tr->aggs.k[i], &tr->aggs.v[i], SLOT_NS, off, &a) == 0 &&
		    trial_kernel_add_agg(tk, &a))
			return -ENOMEM;
	}
	for (size_t i = 0; i < tr->n_cg; i++)
		if (trial_kernel_add_cgroup(tk, &tr->cg[i]))
			return -ENOMEM;
	tk->map = tr->map;
	trial_kernel_sort(tk);
	return 0;
}

int tracer_trial_end(struct tracer *tr, struct trial_kernel **out)
{
	struct trial_kernel *tk = calloc(1, sizeof(*tk));
	struct rp_counters c_end;
	int64_t err_end, off_end, off, diff;
	int rc;

	*out = NULL;
	pthread_mutex_lock(&tr->lock);
	tr->st.recording = 0;
	write_state_locked(tr);
	pthread_mutex_unlock(&tr->lock);
	/* Programs that saw recording on finish within microseconds; then empty the ring. */
	sleep_ns(2 * NSEC_PER_MSEC);
	drain_ring(tr);
	drain_aggs(tr, 0);
	drain_aggs(tr, 1);
	sample_mem(tr, true);
	read_counters(tr, &c_end);
	if (tr->opts.prog_stats)
		prog_snaps_read(&tr->snap_end);
	off_end = clock_offset_ns(&err_end);
	pthread_mutex_lock(&tr->lock);
	tr->recording = false;
	pthread_mutex_unlock(&tr->lock);
	if (!tk)
		return -ENOMEM;
	diff = off_end > tr->off_begin ? off_end - tr->off_begin : tr->off_begin - off_end;
	off = tr->off_begin + (off_end - tr->off_begin) / 2;
	tk->wall_minus_mono_ns = off;
	tk->clock_error_ns = (tr->err_begin > err_end ? tr->err_begin : err_end) + diff;
	tk->record_begin_ns = tr->wall_begin;
	tk->record_end_ns = wall_ns();
	tk->ring_drops = c_end.ring_drops - tr->c_begin.ring_drops + tr->arena_lost;
	tk->agg_drops = c_end.agg_drops - tr->c_begin.agg_drops;
	tk->stack_drops = c_end.stack_drops - tr->c_begin.stack_drops;
	tk->track_drops = c_end.track_drops - tr->c_begin.track_drops;
	tk->stacks_captured = c_end.stacks - tr->c_begin.stacks;
	tk->stack_ns = c_end.stack_ns - tr->c_begin.stack_ns;
	tk->page_size = sysconf(_SC_PAGESIZE);
	rc = build(tr, tk, off);
	if (!rc)
		rc = move_mem(tr, tk, off);
	if (!rc && tr->opts.prog_stats)
		rc = prog_snaps_delta(&tr->snap_begin, &tr->snap_end, tr->own, tr->n_own,
				      &tk->progs, &tk->n_progs);
	if (rc) {
		trial_kernel_free(tk);
		return rc;
	}
	collect_stacks(tr, tk);
	symbolize(tr, tk);
	*out = tk;
	return 0;
}
