/* connwatch: the records the kernel side and the loader share (keys, counts, first sightings). */
#pragma once

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define CONNWATCH_MAX_PORTS 16
#define CONNWATCH_MAX_ENTRIES 16384
#define CONNWATCH_COMM_LEN 16

/* Per-CPU counters of the kernel side. */
enum connwatch_stat {
        CONNWATCH_STAT_NOT_COUNTED = 0, /* an attempt no key could be made for */
        CONNWATCH_STAT_RING_DROPPED,    /* a first sighting the ring buffer had no room for */
        CONNWATCH_STAT_INSERTED,        /* keys inserted: minus the keys present, the keys evicted */
        CONNWATCH_N_STATS,
};

/* One distinct attempt: who (netns, cgroup) tried to reach what (address, port).
 * IPv4 addresses are stored v4-mapped (::ffff:a.b.c.d) so one key covers both
 * families and a v4-mapped IPv6 connect counts as the IPv4 address it reaches. */
struct connwatch_key {
        __u64 cgroup_id;
        __u32 netns;
        __u16 dport; /* host byte order */
        __u16 pad;
        __u8 daddr[16];
};

struct connwatch_val {
        __u64 count;
        __u64 first_ns; /* bpf_ktime_get_ns() */
        __u64 last_ns;
};

/* Sent once per new key: the process seen first, for the report. */
struct connwatch_event {
        struct connwatch_key key;
        __u64 ts_ns;
        __u32 pid;
        __u32 host_netns; /* 1 when key.netns is the host network namespace */
        char comm[CONNWATCH_COMM_LEN];
};

#ifndef __VMLINUX_H__
/* The loader's interface (user space only). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct connwatch;

struct connwatch_opts {
        const uint16_t *ports; /* destination ports to count, besides the metadata addresses */
        size_t n_ports;
        uint32_t host_netns;   /* inode of the host network namespace, 0 if unknown */
        uint64_t self_cgroup;  /* attempts from this cgroup (nodeward's own) are ignored; 0: none */
        bool verbose;          /* show libbpf's messages on stderr */
        bool force_tracepoint; /* skip tp_btf (tests the fallback) */
        /* Called from connwatch_poll() for each first sighting. */
        void (*on_sighting)(const struct connwatch_event *e, void *data);
        void *data;
};

struct connwatch_attempt {
        struct connwatch_key key;
        struct connwatch_val val;
        bool seen; /* a first sighting arrived: pid and comm are known */
        uint32_t pid;
        bool host_netns;
        char comm[CONNWATCH_COMM_LEN + 1];
};

/* A ring-buffer record as a first sighting: 0, or -EBADMSG when it is shorter
 * than struct connwatch_event (longer ones are cut to it). Pure: no I/O. */
int connwatch_event_decode(const void *data, size_t size, struct connwatch_event *ret);

/* open -> configure the rodata filters -> load -> attach. On failure *ret_err
 * says exactly why (no BTF, no CAP_BPF, lockdown...). Returns 0 or -errno. */
int connwatch_start(const struct connwatch_opts *o, struct connwatch **ret, char **ret_err);
/* "tp_btf" or "tracepoint": how the program is attached. */
const char *connwatch_mode(const struct connwatch *w);
/* Consume first sightings for up to @timeout_ms. Returns how many or -errno. */
int connwatch_poll(struct connwatch *w, int timeout_ms);
/* What the counts do not show. */
struct connwatch_losses {
        uint64_t not_counted;  /* attempts no key could be made for */
        uint64_t ring_dropped; /* first sightings dropped (pid and comm unknown) */
        uint64_t evicted;      /* keys the LRU map evicted, with their counts, since the start */
};

/* Every counted attempt still in the map, joined with its first sighting; first
 * sightings of evicted keys are forgotten, so memory stays bounded by the map. */
int connwatch_snapshot(struct connwatch *w, struct connwatch_attempt **ret, size_t *ret_n,
                       struct connwatch_losses *ret_lost);
/* Delete one key (its attempts were reported and whoever made them is gone). */
int connwatch_forget(struct connwatch *w, const struct connwatch_key *k);
/* Detach and free; accepts NULL. */
void connwatch_stop(struct connwatch *w);
#endif
