// SPDX-License-Identifier: GPL-2.0-only
#include "trace/convert.h"

#include <stdio.h>
#include <string.h>

#include "model/actor.h"

/* The model's enums mirror the BPF side's; these keep them honest. */
#define SAME(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME(KCG_MKDIR, RP_CG_MKDIR) && SAME(KCG_ATTACH, RP_CG_ATTACH), "cgroup ops");
_Static_assert(SAME(KSYS_MOUNT, RP_SYS_MOUNT) && SAME(KSYS_UNSHARE, RP_SYS_UNSHARE) &&
		       SAME(KSYS_FSYNC, RP_SYS_FSYNC) && SAME(KSYS_FLOCK, RP_SYS_FLOCK) &&
		       SAME(KSYS_KIND_COUNT, RP_SYS_KIND_COUNT),
	       "syscalls");
_Static_assert(KSYSF_DELETED == RP_SYSF_DELETED && KSYSF_TRUNCATED == RP_SYSF_TRUNCATED &&
		       KSYSF_RELATIVE == RP_SYSF_RELATIVE && KEV_PATH_LEN == RP_PATH_LEN,
	       "syscall flags and paths");
_Static_assert(SAME(KWB_OTHER, RP_WB_OTHER) && SAME(KWB_RECLAIM, RP_WB_RECLAIM) &&
		       SAME(KWB_REASON_COUNT, RP_WB_REASON_COUNT),
	       "writeback reasons");
_Static_assert(SAME(KOFF_RUNQ, RP_OFF_RUNQ) && SAME(KOFF_SLEEP, RP_OFF_SLEEP), "off-CPU states");
_Static_assert(SAME(KBIO_READ, RP_BIO_READ) && SAME(KBIO_OTHER, RP_BIO_OTHER), "bio ops");
_Static_assert(SAME(KNET_VETH_XMIT, RP_NET_VETH_XMIT) && SAME(KNET_KIND_COUNT, RP_NET_KIND_COUNT),
	       "net kinds");
_Static_assert(SAME(KOVL_LOOKUP, RP_OVL_LOOKUP) && SAME(KOVL_FN_COUNT, RP_OVL_FN_COUNT), "ovl");
_Static_assert(SAME(KAGG_OFF_IOWAIT, RP_AGG_OFF_IOWAIT - 1) && SAME(KAGG_WB, RP_AGG_WB - 1) &&
		       SAME(KAGG_ONCPU, RP_AGG_ONCPU - 1) &&
		       SAME(KAGG_KIND_COUNT, RP_AGG_KIND_COUNT - 1),
	       "aggregate kinds");
_Static_assert(KT_KTHREAD == RP_TF_KTHREAD && KT_RUNC == RP_TF_RUNC && KT_LOADCG == RP_TF_LOADCG &&
		       KT_TRACKED == RP_TF_TRACKED,
	       "task flags");
_Static_assert(KH_ENGINE == RP_HINT_ENGINE, "hints");
_Static_assert(KSTACK_DEPTH == RP_STACK_DEPTH && KBUILD_ID_LEN == 20, "stack depth, build ID");
/* The BPF side is a 64-bit target: a 32-bit userspace (armhf) must see the same layouts. */
_Static_assert(sizeof(struct rp_who) == 40 && sizeof(struct rp_hdr) == 56, "record header");
_Static_assert(sizeof(struct rp_agg_key) == 48 && sizeof(struct rp_agg_val) == 40, "aggregates");
_Static_assert(sizeof(struct rp_syscall_rec) == 360 && sizeof(struct rp_counters) == 56,
	       "syscall record and counters");
_Static_assert(sizeof(struct rp_bio_rec) == 112 && sizeof(struct rp_config) == 568, "layouts");

static void copy_str(char *dst, size_t dlen, const char *src, size_t slen)
{
	size_t n = strnlen(src, slen);

	if (n >= dlen)
		n = dlen - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

#define COPY(dst, src) copy_str(dst, sizeof(dst), src, sizeof(src))

void convert_who(const struct rp_who *w, struct kev_task *t)
{
	memset(t, 0, sizeof(*t));
	t->pid = (int32_t)w->pid;
	t->tid = (int32_t)w->tid;
	t->ppid = (int32_t)w->ppid;
	t->cgid = w->cgid;
	t->hint = w->hint;
	t->flags = w->flags & (KT_KTHREAD | KT_RUNC | KT_LOADCG | KT_TRACKED);
	COPY(t->comm, w->comm);
}

static int64_t mono_to_wall(uint64_t mono, int64_t offset)
{
	return mono ? (int64_t)mono + offset : 0;
}

#define NEED(type)                                                                                 \
	do {                                                                                       \
		if (size < sizeof(type))                                                           \
			return -1;                                                                 \
	} while (0)

int convert_record(const void *data, size_t size, int64_t offset, struct kevent *e)
{
	const struct rp_hdr *h = data;

	if (size < sizeof(*h))
		return -1;
	memset(e, 0, sizeof(*e));
	e->ts = e->end = mono_to_wall(h->ts, offset);
	e->actor = -1;
	convert_who(&h->who, &e->who);
	switch (h->type) {
	case RP_REC_EXEC: {
		const struct rp_exec_rec *r = data;

		NEED(*r);
		e->type = KEV_EXEC;
		e->exec.old_tid = (int32_t)r->old_tid;
		COPY(e->exec.filename, r->filename);
		COPY(e->exec.exe, r->exe);
		return 0;
	}
	case RP_REC_FORK: {
		const struct rp_fork_rec *r = data;

		NEED(*r);
		e->type = KEV_FORK;
		e->fork.child_pid = (int32_t)r->child_pid;
		e->fork.child_tid = (int32_t)r->child_tid;
		e->fork.thread = r->is_thread != 0;
		return 0;
	}
	case RP_REC_EXIT: {
		const struct rp_exit_rec *r = data;

		NEED(*r);
		e->type = KEV_EXIT;
		e->exit.code = r->exit_code;
		e->exit.group_dead = r->group_dead != 0;
		e->exit.start = mono_to_wall(r->start_ns, offset);
		return 0;
	}
	case RP_REC_CGROUP: {
		const struct rp_cgroup_rec *r = data;

		NEED(*r);
		e->type = KEV_CGROUP;
		e->cgroup.op = (int)h->sub;
		e->cgroup.root = r->root;
		e->cgroup.level = r->level;
		e->cgroup.task_tid = (int32_t)r->task_tid;
		e->cgroup.id = r->id;
		COPY(e->cgroup.path, r->path);
		return 0;
	}
	case RP_REC_SYSCALL: {
		const struct rp_syscall_rec *r = data;

		NEED(*r);
		e->type = KEV_SYSCALL;
		e->end = mono_to_wall(r->end, offset);
		e->sys.kind = (int)h->sub;
		e->sys.nr = (int)r->nr;
		e->sys.ret = r->ret;
		e->sys.arg = r->arg;
		e->sys.flags = (int)r->flags;
		COPY(e->sys.fstype, r->fstype);
		COPY(e->sys.path, r->path);
		e->sys.overlay = strcmp(e->sys.fstype, "overlay") == 0;
		return 0;
	}
	case RP_REC_LISTEN: {
		const struct rp_listen_rec *r = data;

		NEED(*r);
		e->type = KEV_LISTEN;
		e->listen.port = r->port;
		e->listen.family = r->family;
		return 0;
	}
	case RP_REC_BIO: {
		const struct rp_bio_rec *r = data;

		NEED(*r);
		e->type = KEV_BIO;
		e->end = mono_to_wall(r->complete, offset);
		e->bio.insert = mono_to_wall(r->insert, offset);
		e->bio.issue = mono_to_wall(r->issue, offset);
		e->bio.sector = r->sector;
		e->bio.dev = r->dev;
		e->bio.bytes = r->bytes;
		e->bio.op = (int)r->op;
		e->bio.flags = (int)r->flags;
		e->bio.error = r->error;
		return 0;
	}
	case RP_REC_OFFCPU: {
		const struct rp_offcpu_rec *r = data;

		NEED(*r);
		e->type = KEV_OFFCPU;
		e->end = mono_to_wall(r->end, offset);
		e->off.state = (int)h->sub;
		e->off.wake = mono_to_wall(r->wake, offset);
		e->off.stackid = r->stackid;
		e->off.waker_pid = (int32_t)r->waker_pid;
		e->off.waker_tid = (int32_t)r->waker_tid;
		COPY(e->off.waker_comm, r->waker_comm);
		return 0;
	}
	case RP_REC_NET: {
		const struct rp_net_rec *r = data;

		NEED(*r);
		e->type = KEV_NET;
		e->end = mono_to_wall(r->end, offset);
		e->net.kind = (int)h->sub;
		e->net.ifindex = r->ifindex;
		e->net.len = r->len;
		e->net.ret = r->ret;
		COPY(e->net.dev, r->dev);
		return 0;
	}
	case RP_REC_OVL: {
		const struct rp_ovl_rec *r = data;

		NEED(*r);
		e->type = KEV_OVL;
		e->end = mono_to_wall(r->end, offset);
		e->ovl.fn = (int)h->sub;
		e->ovl.ret = r->ret;
		return 0;
	}
	default:
		return -1;
	}
}

int convert_agg(const struct rp_agg_key *k, const struct rp_agg_val *v, uint64_t slot_ns,
		int64_t offset, struct kagg *a)
{
	struct rp_who w = {0};

	if (k->kind < RP_AGG_OFF_IOWAIT || k->kind >= RP_AGG_KIND_COUNT || !slot_ns)
		return -1;
	memset(a, 0, sizeof(*a));
	a->kind = k->kind - RP_AGG_OFF_IOWAIT;
	a->slot_ns = (int64_t)slot_ns;
	a->slot_start = (int64_t)(k->slot * slot_ns) + offset;
	w.cgid = k->cgid;
	w.pid = k->tgid;
	w.hint = k->hint;
	w.flags = k->flags;
	memcpy(w.comm, k->comm, sizeof(w.comm));
	convert_who(&w, &a->who);
	a->sub = k->stackid;
	a->ustackid = k->kind == RP_AGG_ONCPU ? k->ustackid : -1;
	a->count = v->count;
	a->sum_ns = v->sum_ns;
	a->max_ns = v->max_ns;
	a->bytes = v->bytes;
	a->queue_ns = v->queue_ns;
	a->actor = -1;
	return 0;
}
