// SPDX-License-Identifier: GPL-2.0-only
/*
 * Network work of connect/disconnect: packets sent on veth devices and bridge FDB changes
 * (counted per slot, streamed with --events), veth and bridge port creation and removal where
 * fentry or kprobes are allowed (streamed), and the first TCP LISTEN of the new service
 * (inet_sock_set_state to TCP_LISTEN, streamed: the end of the kernel's restart window).
 */
#include "fn.bpf.h"

static __always_inline void net_event(__u32 kind, __u64 ts, __u64 end, long ret, __u32 ifindex,
				      __u32 len, const char *dev, bool stream)
{
	struct rp_net_rec *r;

	if (!stream && !rp_cfg.detail) {
		struct rp_agg_key k;
		struct rp_who w;

		rp_fill_who(&w, rp_current());
		rp_agg_key_of(&k, RP_AGG_NET, ts, &w, kind);
		rp_agg(&k, end > ts ? end - ts : 0, len, 0);
		return;
	}
	r = rp_reserve(struct rp_net_rec);
	if (!r)
		return;
	rp_hdr(&r->h, RP_REC_NET, kind, ts, rp_current());
	r->end = end;
	r->ret = ret;
	r->ifindex = ifindex;
	r->len = len;
	if (dev)
		bpf_probe_read_kernel_str(r->dev, sizeof(r->dev), dev);
	else
		r->dev[0] = '\0';
	rp_submit(r);
}

/* LISTEN */

static __always_inline int on_listen(int newstate, __u16 port, __u16 family)
{
	struct rp_listen_rec *r;

	if (newstate != TCP_LISTEN_STATE || !rp_recording())
		return 0;
	r = rp_reserve(struct rp_listen_rec);
	if (!r)
		return 0;
	rp_hdr(&r->h, RP_REC_LISTEN, 0, bpf_ktime_get_ns(), rp_current());
	r->port = port;
	r->family = family;
	r->pad = 0;
	rp_submit_now(r);
	return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(inet_sock_set_state_btf, const struct sock *sk, int oldstate, int newstate)
{
	if (newstate != TCP_LISTEN_STATE)
		return 0;
	return on_listen(newstate, BPF_CORE_READ(sk, __sk_common.skc_num),
			 BPF_CORE_READ(sk, __sk_common.skc_family));
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(inet_sock_set_state_raw, const struct sock *sk, int oldstate, int newstate)
{
	if (newstate != TCP_LISTEN_STATE)
		return 0;
	return on_listen(newstate, BPF_CORE_READ(sk, __sk_common.skc_num),
			 BPF_CORE_READ(sk, __sk_common.skc_family));
}

SEC("tracepoint/sock/inet_sock_set_state")
int inet_sock_set_state_tp(struct trace_event_raw_inet_sock_set_state *ctx)
{
	return on_listen(ctx->newstate, ctx->sport, ctx->family);
}

/* veth transmits: by the device's link kind; the classic record has its name only. */

static __always_inline int btf_xmit(struct net_device *dev, unsigned int len)
{
	char kind[5] = {};
	const char *k;

	if (!rp_recording())
		return 0;
	k = BPF_CORE_READ(dev, rtnl_link_ops, kind);
	if (!k || bpf_probe_read_kernel_str(kind, sizeof(kind), k) != 5 || kind[0] != 'v' ||
	    kind[1] != 'e' || kind[2] != 't' || kind[3] != 'h')
		return 0;
	__u64 now = bpf_ktime_get_ns();

	net_event(RP_NET_VETH_XMIT, now, now, 0, BPF_CORE_READ(dev, ifindex), len, dev->name,
		  false);
	return 0;
}

SEC("tp_btf/net_dev_xmit")
int BPF_PROG(net_dev_xmit_btf, struct sk_buff *skb, int rc, struct net_device *dev,
	     unsigned int len)
{
	return btf_xmit(dev, len);
}

SEC("raw_tp/net_dev_xmit")
int BPF_PROG(net_dev_xmit_raw, struct sk_buff *skb, int rc, struct net_device *dev,
	     unsigned int len)
{
	return btf_xmit(dev, len);
}

SEC("tracepoint/net/net_dev_xmit")
int net_dev_xmit_tp(struct trace_event_raw_net_dev_xmit *ctx)
{
	char name[RP_COMM_LEN];
	__u64 now;

	if (!rp_recording())
		return 0;
	rp_tp_str(name, ctx, ctx->__data_loc_name);
	if (name[0] != 'v' || name[1] != 'e' || name[2] != 't' || name[3] != 'h')
		return 0;
	now = bpf_ktime_get_ns();
	net_event(RP_NET_VETH_XMIT, now, now, 0, 0, ctx->len, NULL, false);
	return 0;
}

/* Bridge forwarding database. */

static __always_inline int fdb(__u32 kind)
{
	__u64 now;

	if (!rp_recording())
		return 0;
	now = bpf_ktime_get_ns();
	net_event(kind, now, now, 0, 0, 0, NULL, false);
	return 0;
}

SEC("tp_btf/br_fdb_add")
int BPF_PROG(br_fdb_add_btf)
{
	return fdb(RP_NET_FDB_ADD);
}

SEC("raw_tp/br_fdb_add")
int BPF_PROG(br_fdb_add_raw)
{
	return fdb(RP_NET_FDB_ADD);
}

SEC("tracepoint/bridge/br_fdb_add")
int br_fdb_add_tp(void *ctx)
{
	return fdb(RP_NET_FDB_ADD);
}

SEC("tp_btf/br_fdb_update")
int BPF_PROG(br_fdb_update_btf)
{
	return fdb(RP_NET_FDB_UPDATE);
}

SEC("raw_tp/br_fdb_update")
int BPF_PROG(br_fdb_update_raw)
{
	return fdb(RP_NET_FDB_UPDATE);
}

SEC("tracepoint/bridge/br_fdb_update")
int br_fdb_update_tp(void *ctx)
{
	return fdb(RP_NET_FDB_UPDATE);
}

SEC("tp_btf/fdb_delete")
int BPF_PROG(fdb_delete_btf)
{
	return fdb(RP_NET_FDB_DELETE);
}

SEC("raw_tp/fdb_delete")
int BPF_PROG(fdb_delete_raw)
{
	return fdb(RP_NET_FDB_DELETE);
}

SEC("tracepoint/bridge/fdb_delete")
int fdb_delete_tp(void *ctx)
{
	return fdb(RP_NET_FDB_DELETE);
}

/* veth and bridge ports made and removed: fentry/fexit, else kprobes. */

static __always_inline int link_done(__u32 kind, __u64 entry, long ret)
{
	if (!entry)
		return 0;
	net_event(kind, entry, bpf_ktime_get_ns(), ret, 0, 0, NULL, true);
	return 0;
}

FN_PROBES(veth_newlink, RP_NET_VETH_NEWLINK, link_done)
FN_PROBES(veth_dellink, RP_NET_VETH_DELLINK, link_done)
FN_PROBES(br_add_if, RP_NET_BR_ADD_IF, link_done)
FN_PROBES(br_del_if, RP_NET_BR_DEL_IF, link_done)
