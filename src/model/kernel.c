// SPDX-License-Identifier: GPL-2.0-only
#include "model/kernel.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/array.h"

#define CLONE_NEWNET_FLAG 0x40000000ULL

/* Appends the elem bytes at item to *arr (n used, cap allocated): 0 or -ENOMEM. */
static int append_copy(void **arr, size_t *cap, size_t *n, const void *item, size_t elem)
{
	if (array_reserve(arr, cap, *n + 1, elem))
		return -ENOMEM;
	memcpy((char *)*arr + *n * elem, item, elem);
	(*n)++;
	return 0;
}

/* Room for n_ev more events and n_agg more aggregates, made at once. */
int trial_kernel_reserve(struct trial_kernel *tk, size_t n_ev, size_t n_agg)
{
	if (array_reserve((void **)&tk->ev, &tk->cap_ev, tk->n_ev + n_ev, sizeof(*tk->ev)) ||
	    array_reserve((void **)&tk->agg, &tk->cap_agg, tk->n_agg + n_agg, sizeof(*tk->agg)))
		return -ENOMEM;
	return 0;
}

int trial_kernel_add_event(struct trial_kernel *tk, const struct kevent *e)
{
	return append_copy((void **)&tk->ev, &tk->cap_ev, &tk->n_ev, e, sizeof(*e));
}

int trial_kernel_add_agg(struct trial_kernel *tk, const struct kagg *a)
{
	return append_copy((void **)&tk->agg, &tk->cap_agg, &tk->n_agg, a, sizeof(*a));
}

int trial_kernel_add_cgroup(struct trial_kernel *tk, const struct kcgroup *c)
{
	return append_copy((void **)&tk->cg, &tk->cap_cg, &tk->n_cg, c, sizeof(*c));
}

int trial_kernel_add_stack(struct trial_kernel *tk, const struct kstack *s)
{
	return append_copy((void **)&tk->stacks, &tk->cap_stacks, &tk->n_stacks, s, sizeof(*s));
}

int trial_kernel_add_mem(struct trial_kernel *tk, const struct kmem_sample *m)
{
	return append_copy((void **)&tk->mem, &tk->cap_mem, &tk->n_mem, m, sizeof(*m));
}

void trial_kernel_free(struct trial_kernel *tk)
{
	if (!tk)
		return;
	for (size_t i = 0; i < tk->n_stacks; i++)
		free(tk->stacks[i].folded);
	for (size_t i = 0; i < tk->n_ustacks; i++)
		free(tk->ustacks[i].folded);
	trial_kernel_drop_joined(tk);
	free(tk->ustacks);
	free(tk->joined);
	free(tk->ev);
	free(tk->agg);
	free(tk->cg);
	free(tk->stacks);
	free(tk->stack_refs);
	free(tk->ustack_refs);
	free(tk->mem);
	free(tk->execs);
	free(tk->progs);
	free(tk->waits);
	free(tk);
}

uint64_t trial_kernel_drops(const struct trial_kernel *tk)
{
	return tk->ring_drops + tk->agg_drops + tk->track_drops;
}

static struct actor_ctx ctx_of(const struct trial_kernel *tk, const char *old_id,
			       const char *new_id)
{
	struct actor_ctx c = {.map = &tk->map, .cg = tk->cg, .n_cg = tk->n_cg};

	c.target[0] = old_id;
	c.target[1] = new_id;
	return c;
}

static bool in_set(const int32_t *set, size_t n, int32_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == pid)
			return true;
	return false;
}

int kernel_restart_window(struct trial_kernel *tk, const char *new_id, pid_t old_pid, pid_t new_pid,
			  struct trial_window *w)
{
	int32_t family[64];
	size_t n_family = 0;
	int64_t exit_ns = 0;

	tk->old_exit_ns = tk->new_exec_ns = tk->new_listen_ns = 0;
	if (old_pid <= 0)
		return -1;
	trial_kernel_sort(tk);
	if (new_pid > 0)
		family[n_family++] = new_pid;
	for (size_t i = 0; i < tk->n_ev; i++) {
		const struct kevent *e = &tk->ev[i];

		if (!exit_ns) {
			if (e->type == KEV_EXIT && e->who.pid == old_pid && e->who.tid == old_pid)
				exit_ns = e->ts;
			continue;
		}
		if (e->type == KEV_FORK && !e->fork.thread &&
		    in_set(family, n_family, e->who.pid) &&
		    n_family < sizeof(family) / sizeof(family[0]))
			family[n_family++] = e->fork.child_pid;
		if (e->type == KEV_EXEC && !tk->new_exec_ns && new_pid > 0 && e->who.pid == new_pid)
			tk->new_exec_ns = e->ts;
		if (e->type == KEV_LISTEN) {
			const struct kcgroup *cg =
				kcgroup_find(tk->cg, tk->n_cg, tk->map.root, e->who.cgid);
			bool mine =
				in_set(family, n_family, e->who.pid) ||
				(cg && new_id && new_id[0] && strcmp(cg->container, new_id) == 0);

			if (mine) {
				tk->new_listen_ns = e->ts;
				break;
			}
		}
	}
	tk->old_exit_ns = exit_ns;
	if (!exit_ns || !tk->new_listen_ns)
		return -1;
	w->begin_ns = exit_ns;
	w->end_ns = tk->new_listen_ns;
	return 0;
}

int phase_at(const struct trial *t, int64_t ts)
{
	for (int p = 0; p < PH_COUNT; p++)
		if (t->phases[p].start_ns <= ts && ts < t->phases[p].end_ns)
			return p;
	return -1;
}

/* Adds the overlap of [a, b) with each phase into the field at `off` of that phase's stats. */
static void add_phase_overlaps(struct trial_kernel *tk, const struct trial *t, int actor, int64_t a,
			       int64_t b, size_t off)
{
	if (b <= a)
		return;
	for (int p = 0; p < PH_COUNT; p++) {
		int64_t s = t->phases[p].start_ns > a ? t->phases[p].start_ns : a;
		int64_t e = t->phases[p].end_ns < b ? t->phases[p].end_ns : b;

		if (e > s)
			*(int64_t *)((char *)&tk->by[p][actor] + off) += e - s;
	}
}

#define ADD_PHASE_OVERLAPS(tk, t, actor, a, b, field)                                              \
	add_phase_overlaps(tk, t, actor, a, b, offsetof(struct kphase_stats, field))

/*
 * The program's name: the file given to execve, unless that is an alias (/proc/self/exe,
 * /proc/PID/exe, /dev/fd/N, as runc and dockerd re-exec themselves): then the name of the
 * file run, and for a memfd copy ("memfd:runc_cloned:/proc/self/exe") its first word.
 */
static void exec_name(const struct kevent *e, char *out, size_t len)
{
	const char *f = e->exec.filename, *x = e->exec.exe, *slash = strrchr(f, '/');

	if (f[0] && strncmp(f, "/proc/", 6) != 0 && strncmp(f, "/dev/fd/", 8) != 0) {
		snprintf(out, len, "%s", slash ? slash + 1 : f);
		return;
	}
	if (strncmp(x, "memfd:", 6) == 0) {
		x += 6;
		snprintf(out, len, "%.*s", (int)strcspn(x, ":_"), x);
		return;
	}
	snprintf(out, len, "%s", x[0] ? x : e->who.comm);
}

static void append_exec_name(char *list, size_t len, const char *name)
{
	size_t n = strlen(list), need = strlen(name) + (n ? 1 : 0);

	if (n >= 3 && strcmp(list + n - 3, "...") == 0)
		return;
	if (n + need + 4 > len) {
		snprintf(list + n, len - n, "%s...", n ? ";" : "");
		return;
	}
	snprintf(list + n, len - n, "%s%s", n ? ";" : "", name);
}

static void add_bio(struct kphase_stats *s, int64_t reqs, int64_t bytes, int64_t dev_sum,
		    int64_t dev_max, int64_t queue)
{
	s->bio_reqs += reqs;
	s->bio_bytes += bytes;
	s->bio_dev_ns_sum += dev_sum;
	if (dev_max > s->bio_dev_ns_max)
		s->bio_dev_ns_max = dev_max;
	s->bio_queue_ns += queue;
}

static void attribute_call(struct trial_kernel *tk, const struct trial *t, const struct kevent *e,
			   struct kphase_stats *s)
{
	int a = e->actor, k = e->sys.kind;

	if (k == KSYS_MOUNT || k == KSYS_UMOUNT) {
		if (s)
			s->mounts++;
		ADD_PHASE_OVERLAPS(tk, t, a, e->ts, e->end, mount_ns);
		if (e->sys.overlay) {
			if (s)
				s->ovl_mounts++;
			ADD_PHASE_OVERLAPS(tk, t, a, e->ts, e->end, ovl_mount_ns);
		}
	} else if (k == KSYS_SETNS || k == KSYS_UNSHARE) {
		if (s && (e->sys.arg == 0 || (e->sys.arg & CLONE_NEWNET_FLAG)))
			s->net_events++;
	} else if (kev_sys_is_sync(k)) {
		if (s)
			s->syncs++;
		ADD_PHASE_OVERLAPS(tk, t, a, e->ts, e->end, sync_ns);
	} else if (k == KSYS_RENAME || k == KSYS_RENAMEAT) {
		if (s)
			s->renames++;
	} else if (k == KSYS_UNLINK || k == KSYS_UNLINKAT) {
		if (s)
			s->unlinks++;
	} else if (k == KSYS_FLOCK) {
		if (s)
			s->flocks++;
		ADD_PHASE_OVERLAPS(tk, t, a, e->ts, e->end, flock_ns);
	}
}

static void attribute_event(struct trial_kernel *tk, const struct trial *t, const struct kevent *e)
{
	int a = e->actor, p = phase_at(t, e->ts);
	struct kphase_stats *s = p >= 0 ? &tk->by[p][a] : NULL;

	switch (e->type) {
	case KEV_EXEC:
		if (s) {
			char name[KEV_EXE_LEN];

			exec_name(e, name, sizeof(name));
			s->execs++;
			append_exec_name(s->exec_names, sizeof(s->exec_names), name);
		}
		break;
	case KEV_FORK:
		if (s && !e->fork.thread)
			s->forks++;
		break;
	case KEV_EXIT:
		if (s && (e->who.tid == e->who.pid || e->exit.group_dead))
			s->exits++;
		break;
	case KEV_BIO:
		if (s)
			add_bio(s, 1, e->bio.bytes, e->end - e->bio.issue, e->end - e->bio.issue,
				e->bio.issue - e->ts);
		break;
	case KEV_OFFCPU:
		if (e->off.state == KOFF_IOWAIT)
			ADD_PHASE_OVERLAPS(tk, t, a, e->ts, e->off.wake, iowait_ns);
		else if (e->off.state == KOFF_BLOCKED)
			ADD_PHASE_OVERLAPS(tk, t, a, e->ts, e->off.wake, blocked_ns);
		else if (e->off.state == KOFF_SLEEP)
			ADD_PHASE_OVERLAPS(tk, t, a, e->ts, e->off.wake, sleep_ns);
		ADD_PHASE_OVERLAPS(tk, t, a, e->off.state == KOFF_RUNQ ? e->ts : e->off.wake,
				   e->end, runq_ns);
		break;
	case KEV_SYSCALL:
		attribute_call(tk, t, e, s);
		break;
	case KEV_NET:
		if (s)
			s->net_events++;
		break;
	default:
		break;
	}
}

static void attribute_agg(struct trial_kernel *tk, const struct trial *t, const struct kagg *g)
{
	int p = phase_at(t, g->slot_start + g->slot_ns / 2);
	struct kphase_stats *s;

	if (p < 0)
		return;
	s = &tk->by[p][g->actor];
	switch (g->kind) {
	case KAGG_OFF_IOWAIT:
		s->iowait_ns += (int64_t)g->sum_ns;
		break;
	case KAGG_OFF_BLOCKED:
		s->blocked_ns += (int64_t)g->sum_ns;
		break;
	case KAGG_OFF_SLEEP:
		s->sleep_ns += (int64_t)g->sum_ns;
		break;
	case KAGG_WB:
		if (g->sub >= 0 && g->sub < KWB_REASON_COUNT)
			tk->wb[p].pages[g->sub] += (int64_t)g->bytes;
		if (!g->who.cgid && !g->who.pid)
			tk->wb[p].pages_unknown += (int64_t)g->bytes;
		else
			s->wb_pages += (int64_t)g->bytes;
		break;
	case KAGG_RUNQ:
		s->runq_ns += (int64_t)g->sum_ns;
		break;
	case KAGG_BIO_READ:
	case KAGG_BIO_WRITE:
	case KAGG_BIO_OTHER:
		add_bio(s, (int64_t)g->count, (int64_t)g->bytes, (int64_t)g->sum_ns,
			(int64_t)g->max_ns, (int64_t)g->queue_ns);
		break;
	case KAGG_EXEC:
		s->execs += (int64_t)g->count;
		break;
	case KAGG_FORK:
		s->forks += (int64_t)g->count;
		break;
	case KAGG_NET:
		s->net_events += (int64_t)g->count;
		break;
	default:
		break;
	}
}

/* Shell-style: the exit code, or 128 + the signal that ended it. */
static int exit_status(int wait_status)
{
	if (wait_status & 0x7f)
		return 128 + (wait_status & 0x7f);
	return (wait_status >> 8) & 0xff;
}

static int build_execs(struct trial_kernel *tk, const struct trial *t, bool tiled)
{
	size_t n = 0;

	for (size_t i = 0; i < tk->n_ev; i++)
		n += tk->ev[i].type == KEV_EXEC;
	free(tk->execs);
	tk->execs = NULL;
	tk->n_execs = 0;
	if (!n)
		return 0;
	tk->execs = calloc(n, sizeof(*tk->execs));
	if (!tk->execs)
		return -ENOMEM;
	for (size_t i = 0; i < tk->n_ev; i++) {
		const struct kevent *e = &tk->ev[i];
		struct kexec *x;

		if (e->type != KEV_EXEC)
			continue;
		x = &tk->execs[tk->n_execs++];
		x->start = e->ts;
		x->end = -1;
		x->exit_code = -1;
		x->phase = tiled ? phase_at(t, e->ts) : -1;
		x->actor = e->actor;
		x->pid = e->who.pid;
		x->ppid = e->who.ppid;
		exec_name(e, x->comm, sizeof(x->comm));
		snprintf(x->filename, sizeof(x->filename), "%s", e->exec.filename);
		for (size_t j = i + 1; j < tk->n_ev; j++) {
			const struct kevent *f = &tk->ev[j];

			if (f->who.pid != e->who.pid)
				continue;
			if (f->type == KEV_EXEC) {
				x->end = f->ts;
				break;
			}
			if (f->type == KEV_EXIT &&
			    (f->who.tid == f->who.pid || f->exit.group_dead)) {
				x->end = f->ts;
				x->exit_code = exit_status(f->exit.code);
				break;
			}
		}
	}
	return 0;
}

/* The last sample at or before ts, else the first after it; NULL without samples. */
static const struct kmem_sample *mem_at(const struct trial_kernel *tk, int64_t ts)
{
	const struct kmem_sample *best = NULL;

	for (size_t i = 0; i < tk->n_mem && tk->mem[i].ts <= ts; i++)
		best = &tk->mem[i];
	return best ? best : tk->n_mem ? &tk->mem[0] : NULL;
}

static void memory_context(struct trial_kernel *tk, const struct trial *t)
{
	for (int p = 0; p < PH_COUNT; p++) {
		const struct kmem_sample *b = mem_at(tk, t->phases[p].start_ns);
		const struct kmem_sample *e = mem_at(tk, t->phases[p].end_ns);

		tk->wb[p].dirty_kib_begin = b ? b->dirty_kib : -1;
		tk->wb[p].writeback_kib_begin = b ? b->writeback_kib : -1;
		tk->wb[p].dirty_kib_end = e ? e->dirty_kib : -1;
		tk->wb[p].writeback_kib_end = e ? e->writeback_kib : -1;
	}
}

int kernel_attribute(struct trial_kernel *tk, const struct trial *t)
{
	struct actor_ctx c = ctx_of(tk, t->old_id, t->new_id);
	bool tiled = t->status == TRIAL_OK;

	trial_kernel_sort(tk);
	memset(tk->by, 0, sizeof(tk->by));
	memset(tk->wb, 0, sizeof(tk->wb));
	for (size_t i = 0; i < tk->n_ev; i++)
		tk->ev[i].actor = actor_of(&c, &tk->ev[i].who);
	for (size_t i = 0; i < tk->n_agg; i++)
		tk->agg[i].actor = actor_of(&c, &tk->agg[i].who);
	if (tiled) {
		for (size_t i = 0; i < tk->n_ev; i++)
			attribute_event(tk, t, &tk->ev[i]);
		for (size_t i = 0; i < tk->n_agg; i++)
			attribute_agg(tk, t, &tk->agg[i]);
		memory_context(tk, t);
	}
	tk->attributed = tiled;
	return build_execs(tk, t, tiled);
}

const char *kev_type_name(int type)
{
	static const char *const n[KEV_TYPE_COUNT] = {
		[KEV_EXEC] = "exec",	 [KEV_FORK] = "fork",	    [KEV_EXIT] = "exit",
		[KEV_CGROUP] = "cgroup", [KEV_SYSCALL] = "syscall", [KEV_LISTEN] = "listen",
		[KEV_BIO] = "bio",	 [KEV_OFFCPU] = "offcpu",   [KEV_NET] = "net",
		[KEV_OVL] = "ovl",
	};
	return type >= 0 && type < KEV_TYPE_COUNT ? n[type] : "?";
}

const char *kev_off_state_name(int state)
{
	static const char *const n[] = {"runq", "iowait", "blocked", "sleep"};

	return state >= 0 && state < 4 ? n[state] : "?";
}

const char *kev_bio_op_name(int op)
{
	static const char *const n[] = {"read", "write", "flush", "discard", "other"};

	return op >= 0 && op < 5 ? n[op] : "?";
}

const char *kev_net_kind_name(int kind)
{
	static const char *const n[KNET_KIND_COUNT] = {
		[KNET_VETH_XMIT] = "veth_xmit",	      [KNET_BRIDGE_XMIT] = "bridge_xmit",
		[KNET_FDB_ADD] = "fdb_add",	      [KNET_FDB_UPDATE] = "fdb_update",
		[KNET_FDB_DELETE] = "fdb_delete",     [KNET_VETH_NEWLINK] = "veth_newlink",
		[KNET_VETH_DELLINK] = "veth_dellink", [KNET_BR_ADD_IF] = "br_add_if",
		[KNET_BR_DEL_IF] = "br_del_if",
	};
	return kind > 0 && kind < KNET_KIND_COUNT ? n[kind] : "?";
}

const char *kev_ovl_fn_name(int fn)
{
	static const char *const n[KOVL_FN_COUNT] = {
		[KOVL_LOOKUP] = "ovl_lookup",
		[KOVL_CREATE] = "ovl_create_object",
		[KOVL_COPY_UP] = "ovl_copy_up_flags",
	};
	return fn > 0 && fn < KOVL_FN_COUNT ? n[fn] : "?";
}

const char *kev_sys_kind_name(int kind)
{
	static const char *const n[KSYS_KIND_COUNT] = {
		[KSYS_MOUNT] = "mount",
		[KSYS_UMOUNT] = "umount",
		[KSYS_SETNS] = "setns",
		[KSYS_UNSHARE] = "unshare",
		[KSYS_FSYNC] = "fsync",
		[KSYS_FDATASYNC] = "fdatasync",
		[KSYS_SYNC] = "sync",
		[KSYS_SYNCFS] = "syncfs",
		[KSYS_SYNC_FILE_RANGE] = "sync_file_range",
		[KSYS_RENAME] = "rename",
		[KSYS_RENAMEAT] = "renameat",
		[KSYS_UNLINK] = "unlink",
		[KSYS_UNLINKAT] = "unlinkat",
		[KSYS_FLOCK] = "flock",
	};
	return kind > 0 && kind < KSYS_KIND_COUNT ? n[kind] : "?";
}

bool kev_sys_is_sync(int kind)
{
	return kind == KSYS_FSYNC || kind == KSYS_FDATASYNC || kind == KSYS_SYNC ||
	       kind == KSYS_SYNCFS || kind == KSYS_SYNC_FILE_RANGE;
}

bool kev_sys_has_path(int kind)
{
	return kind > 0 && kind < KSYS_KIND_COUNT && kind != KSYS_SETNS && kind != KSYS_UNSHARE &&
	       kind != KSYS_SYNC;
}

const char *kwb_reason_name(int reason)
{
	static const char *const n[KWB_REASON_COUNT] = {
		[KWB_OTHER] = "other", [KWB_BACKGROUND] = "background", [KWB_PERIODIC] = "periodic",
		[KWB_SYNC] = "sync",   [KWB_RECLAIM] = "reclaim",
	};
	return reason >= 0 && reason < KWB_REASON_COUNT ? n[reason] : "?";
}

const char *kev_cgroup_op_name(int op)
{
	static const char *const n[] = {"?", "mkdir", "rmdir", "attach"};

	return op > 0 && op < 4 ? n[op] : "?";
}
