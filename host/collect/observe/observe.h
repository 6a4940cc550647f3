/* observe: watch pod connection attempts with eBPF for a while and attribute each to a pod. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "collect/observe/podattr.h"
#include "base/rootfs.h"

#define OBSERVE_MAX_PORTS 16
#define OBSERVE_MAX_KUBELET_PORTS 4

struct observed_attempt {
        char daddr[48];
        uint16_t dport;
        bool metadata;     /* 169.254.169.254 or fd00:ec2::254 */
        bool kubelet;      /* to one of the watched kubelet ports */
        bool host_network; /* made from the host network namespace */
        uint64_t count;
        int64_t first_ms, last_ms; /* Unix time */
        uint32_t pid;              /* of the first sighting, 0 if it was dropped */
        char comm[17];
        char *cgroup; /* path under the cgroup v2 mount; NULL when gone */
        bool pod;     /* the cgroup is a kubelet pod's */
        struct pod_ref ref;
        char *pod_ns, *pod_name; /* NULL when the pod's log directory is absent */
};

struct observe_facts {
        bool requested; /* --observe given */
        char *error;    /* eBPF could not be used: exactly why */
        int seconds;
        const char *mode; /* "tp_btf" or "tracepoint" */
        uint16_t ssh_ports[OBSERVE_MAX_PORTS];
        size_t n_ssh_ports;
        /* The kubelet's ports watched: resolved port and read-only port, and the
         * well-known 10250 and 10255 whatever the configuration says. */
        uint16_t kubelet_ports[OBSERVE_MAX_KUBELET_PORTS];
        bool kubelet_ro[OBSERVE_MAX_KUBELET_PORTS]; /* the read-only (unauthenticated) port */
        size_t n_kubelet_ports;
        struct observed_attempt *v;
        size_t n;
        /* What the counts do not show (connwatch_losses): attempts no key could
         * be made for, first sightings dropped, keys evicted with their counts. */
        uint64_t not_counted, ring_dropped, evicted;
};

struct observe_opts {
        int seconds;
        /* sshd's effective ports (the sshd area's resolution); none: read the Port lines here */
        uint16_t ssh_ports[OBSERVE_MAX_PORTS];
        size_t n_ssh_ports;
        /* The kubelet's resolved port and read-only port; 0: 10250 / 10255 (or disabled). */
        uint16_t kubelet_port, kubelet_ro_port;
        bool verbose;
        bool force_tracepoint;
        /* watch: after each snapshot, forget the attempts of cgroups that are gone
         * (reported once more, then deleted), so memory follows the live pods. */
        bool forget_gone;
        /* Called for each first sighting, already attributed (watch mode). */
        void (*on_sighting)(const struct observed_attempt *a, void *data);
        void *data;
};

struct observe_session;
struct connwatch_key;

/* The parts of @a a probe key gives without I/O: the address as text, the port,
 * and whether it is the metadata service, one of @kubelet_ports, or made from
 * the host namespace (@host_netns, 0: unknown). */
void observe_describe_key(const struct connwatch_key *k, uint32_t host_netns, const uint16_t *kubelet_ports,
                          size_t n_kubelet_ports, struct observed_attempt *a);

/* Load and attach the probe. On failure f->error is set and *ret is NULL; the
 * run goes on without it. Reads sshd's ports and the host netns under @root/@proc. */
void observe_begin(const struct rootfs *root, const struct rootfs *proc, const struct observe_opts *o,
                   struct observe_facts *f, struct observe_session **ret);
/* Consume sightings for up to @timeout_ms. */
int observe_poll(struct observe_session *s, int timeout_ms);
/* Fill f->v from the kernel's counts (replacing what was there). */
void observe_snapshot(struct observe_session *s, struct observe_facts *f);
/* Wait out the rest of the observation time, take the counts, detach. */
void observe_end(struct observe_session *s, struct observe_facts *f);
void observe_session_free(struct observe_session *s);
void observe_facts_free(struct observe_facts *f);
