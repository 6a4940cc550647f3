/* connwatch.bpf: count TCP connect attempts (CLOSE -> SYN_SENT) to SSH, kubelet and metadata endpoints. */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "connwatch.h"

#define AF_INET 2
#define AF_INET6 10
#define TCP_SYN_SENT 2

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Filters, written by the loader between open and load. */
const volatile __u16 watch_ports[CONNWATCH_MAX_PORTS] = {};
const volatile __u32 n_watch_ports = 0;
const volatile __u8 metadata_v4[16] = {}; /* v4-mapped */
const volatile __u8 metadata_v6[16] = {};
const volatile __u32 host_netns_ino = 0;
const volatile __u64 self_cgroup_id = 0; /* nodeward's own probes are not the pods' */

/* Least recently used keys make room for new ones: a node with churning pods
 * never stops counting. Each key's insertion is counted (stats), so user space
 * knows how many were evicted with their counts. */
struct {
        __uint(type, BPF_MAP_TYPE_LRU_HASH);
        __uint(max_entries, CONNWATCH_MAX_ENTRIES);
        __type(key, struct connwatch_key);
        __type(value, struct connwatch_val);
} attempts SEC(".maps");

struct {
        __uint(type, BPF_MAP_TYPE_RINGBUF);
        __uint(max_entries, 256 * 1024);
} sightings SEC(".maps");

/* Indexed by enum connwatch_stat. */
struct {
        __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
        __uint(max_entries, CONNWATCH_N_STATS);
        __type(key, __u32);
        __type(value, __u64);
} stats SEC(".maps");

static __always_inline void count_stat(__u32 which)
{
        __u64 *v = bpf_map_lookup_elem(&stats, &which);
        if (v)
                *v += 1;
}

static __always_inline bool addr_eq(const __u8 *a, const volatile __u8 *b)
{
        for (int i = 0; i < 16; i++)
                if (a[i] != b[i])
                        return false;
        return true;
}

static __always_inline bool wanted(const struct connwatch_key *k)
{
        for (__u32 i = 0; i < CONNWATCH_MAX_PORTS; i++) {
                if (i >= n_watch_ports)
                        break;
                if (watch_ports[i] == k->dport)
                        return true;
        }
        return addr_eq(k->daddr, metadata_v4) || addr_eq(k->daddr, metadata_v6);
}

static __always_inline void sighting(const struct connwatch_key *k, __u64 now)
{
        struct connwatch_event *e = bpf_ringbuf_reserve(&sightings, sizeof(*e), 0);
        if (!e) {
                count_stat(CONNWATCH_STAT_RING_DROPPED);
                return;
        }
        e->key = *k;
        e->ts_ns = now;
        e->pid = bpf_get_current_pid_tgid() >> 32;
        e->host_netns = k->netns == host_netns_ino;
        bpf_get_current_comm(e->comm, sizeof(e->comm));
        bpf_ringbuf_submit(e, 0);
}

static __always_inline void record(struct connwatch_key *k)
{
        __u64 now = bpf_ktime_get_ns();
        struct connwatch_val *v = bpf_map_lookup_elem(&attempts, k);
        if (v) {
                __sync_fetch_and_add(&v->count, 1);
                v->last_ns = now;
                return;
        }
        struct connwatch_val init = {.count = 1, .first_ns = now, .last_ns = now};
        long err = bpf_map_update_elem(&attempts, k, &init, BPF_NOEXIST);
        if (err == 0) {
                count_stat(CONNWATCH_STAT_INSERTED);
                sighting(k, now);
                return;
        }
        /* Another CPU inserted the same key first: count into its entry. */
        v = bpf_map_lookup_elem(&attempts, k);
        if (v) {
                __sync_fetch_and_add(&v->count, 1);
                v->last_ns = now;
        } else {
                count_stat(CONNWATCH_STAT_NOT_COUNTED);
        }
}

/* The socket's fields: read directly where the program is given a typed pointer
 * (tp_btf: plain loads the verifier checks), through bpf_probe_read_kernel() where it is
 * not (the tracefs tracepoint's skaddr). @typed is a constant: one branch is compiled. */
#define SK_READ(typed, sk, field) ((typed) ? (sk)->field : BPF_CORE_READ((sk), field))

static __always_inline int handle(const struct sock *sk, int newstate, const bool typed)
{
        if (newstate != TCP_SYN_SENT)
                return 0;
        struct connwatch_key k = {};
        __u16 family = SK_READ(typed, sk, __sk_common.skc_family);
        if (family == AF_INET) {
                __u32 d = SK_READ(typed, sk, __sk_common.skc_daddr);
                k.daddr[10] = 0xff;
                k.daddr[11] = 0xff;
                __builtin_memcpy(&k.daddr[12], &d, 4);
        } else if (family == AF_INET6) {
                if (typed)
                        __builtin_memcpy(k.daddr, sk->__sk_common.skc_v6_daddr.in6_u.u6_addr8, 16);
                else
                        BPF_CORE_READ_INTO(&k.daddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
        } else {
                return 0;
        }
        k.dport = bpf_ntohs(SK_READ(typed, sk, __sk_common.skc_dport));
        if (!wanted(&k))
                return 0;
        k.cgroup_id = bpf_get_current_cgroup_id();
        if (self_cgroup_id && k.cgroup_id == self_cgroup_id)
                return 0;
        k.netns = typed ? sk->__sk_common.skc_net.net->ns.inum : BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
        record(&k);
        return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(connwatch_btf, const struct sock *sk, int oldstate, int newstate)
{
        return handle(sk, newstate, true);
}

/* For kernels where tp_btf cannot load: the same event through tracefs. */
SEC("tracepoint/sock/inet_sock_set_state")
int connwatch_tp(struct trace_event_raw_inet_sock_set_state *ctx)
{
        if (ctx->protocol != IPPROTO_TCP)
                return 0;
        return handle((const struct sock *)ctx->skaddr, ctx->newstate, false);
}
