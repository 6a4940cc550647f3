/* observe: watch pod connection attempts with eBPF for a while and attribute each to a pod. */
#define _GNU_SOURCE
#include "collect/observe/observe.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>

#include "connwatch.h"
#include "base/procfs.h"
#include "base/util.h"

struct observe_session {
        const struct rootfs *root;
        struct connwatch *cw;
        struct cgroup_index cg;
        struct timespec deadline;
        struct observe_opts opts;
        uint32_t host_netns;
        uint16_t kubelet_ports[OBSERVE_MAX_KUBELET_PORTS];
        size_t n_kubelet_ports;
};

static const uint8_t md_v4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 169, 254, 169, 254};
static const uint8_t md_v6[16] = {0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};

static void add_port(uint16_t *v, size_t *n, size_t max, unsigned long p)
{
        if (p == 0 || p > 65535 || *n >= max)
                return;
        for (size_t i = 0; i < *n; i++)
                if (v[i] == p)
                        return;
        v[(*n)++] = (uint16_t)p;
}

static uint32_t host_netns_inode(const struct rootfs *proc)
{
        char buf[64];
        unsigned long ino = 0;
        if (proc && proc->fd >= 0 && procfs_readlink(proc, "1/ns/net", buf, sizeof(buf)) >= 0)
                sscanf(buf, "net:[%lu]", &ino);
        return (uint32_t)ino;
}

/* The id of nodeward's own cgroup v2: its probes of the metadata service and of
 * node SSH (and its children's) must not read as a pod's when it runs in a pod.
 * Both /proc/self/cgroup and the local mount are in nodeward's cgroup namespace. */
static uint64_t self_cgroup_id(void)
{
        static const char *const mounts[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"};
        char line[4096];
        FILE *f = fopen("/proc/self/cgroup", "re");
        uint64_t id = 0;
        while (f && !id && fgets(line, sizeof(line), f)) {
                if (strncmp(line, "0::", 3) != 0)
                        continue;
                line[strcspn(line, "\n")] = '\0';
                for (size_t i = 0; i < ARRAY_SIZE(mounts) && !id; i++) {
                        struct statfs sfs;
                        struct stat st;
                        _cleanup_free_ char *p = xasprintf("%s%s", mounts[i], line + 3);
                        if (statfs(mounts[i], &sfs) == 0 && sfs.f_type == 0x63677270 && stat(p, &st) == 0)
                                id = st.st_ino;
                }
        }
        if (f)
                fclose(f);
        return id;
}

static int64_t mono_to_unix_ms(uint64_t ns)
{
        struct timespec mono, real;
        clock_gettime(CLOCK_MONOTONIC, &mono);
        clock_gettime(CLOCK_REALTIME, &real);
        int64_t now_mono = (int64_t)mono.tv_sec * 1000000000 + mono.tv_nsec;
        int64_t now_real = (int64_t)real.tv_sec * 1000000000 + real.tv_nsec;
        return (now_real - (now_mono - (int64_t)ns)) / 1000000;
}

void observe_describe_key(const struct connwatch_key *k, uint32_t host_netns, const uint16_t *kubelet_ports,
                          size_t n_kubelet_ports, struct observed_attempt *a)
{
        if (memcmp(k->daddr, md_v4, 12) == 0)
                inet_ntop(AF_INET, &k->daddr[12], a->daddr, sizeof(a->daddr));
        else
                inet_ntop(AF_INET6, k->daddr, a->daddr, sizeof(a->daddr));
        a->dport = k->dport;
        a->metadata = memcmp(k->daddr, md_v4, 16) == 0 || memcmp(k->daddr, md_v6, 16) == 0;
        a->host_network = host_netns && k->netns == host_netns;
        for (size_t i = 0; i < n_kubelet_ports; i++)
                a->kubelet |= !a->metadata && k->dport == kubelet_ports[i];
}

static void attribute(struct observe_session *s, const struct connwatch_key *k, struct observed_attempt *a)
{
        observe_describe_key(k, s->host_netns, s->kubelet_ports, s->n_kubelet_ports, a);
        const char *path = cgroup_index_path(s->root, &s->cg, k->cgroup_id);
        if (!path)
                return;
        a->cgroup = xstrdup(path);
        a->pod = cgroup_path_parse_pod(path, &a->ref) == 0;
        if (a->pod)
                pod_lookup_name(s->root, a->ref.uid, &a->pod_ns, &a->pod_name);
}

static void on_sighting(const struct connwatch_event *e, void *data)
{
        struct observe_session *s = data;
        /* Kept now: the cgroup may be gone by the report. */
        cgroup_index_keep(s->root, &s->cg, e->key.cgroup_id);
        if (!s->opts.on_sighting)
                return;
        struct observed_attempt a = {0};
        attribute(s, &e->key, &a);
        a.count = 1;
        a.first_ms = a.last_ms = mono_to_unix_ms(e->ts_ns);
        a.pid = e->pid;
        memcpy(a.comm, e->comm, CONNWATCH_COMM_LEN);
        s->opts.on_sighting(&a, s->opts.data);
        free(a.cgroup);
        free(a.pod_ns);
        free(a.pod_name);
}

/* Pods knock on the configured ports and on the well-known ones alike. */
static void kubelet_ports(const struct observe_opts *o, struct observe_facts *f)
{
        const uint16_t api[] = {o->kubelet_port, 10250}, ro[] = {o->kubelet_ro_port, 10255};
        for (size_t k = 0; k < 4; k++) {
                uint16_t p = k < 2 ? api[k] : ro[k - 2];
                size_t before = f->n_kubelet_ports;
                add_port(f->kubelet_ports, &f->n_kubelet_ports, OBSERVE_MAX_KUBELET_PORTS, p);
                if (f->n_kubelet_ports > before)
                        f->kubelet_ro[before] = k >= 2;
        }
}

void observe_begin(const struct rootfs *root, const struct rootfs *proc, const struct observe_opts *o,
                   struct observe_facts *f, struct observe_session **ret)
{
        *ret = NULL;
        f->requested = true;
        f->seconds = o->seconds;
        if (o->n_ssh_ports) {
                f->n_ssh_ports = o->n_ssh_ports < OBSERVE_MAX_PORTS - OBSERVE_MAX_KUBELET_PORTS
                                         ? o->n_ssh_ports
                                         : OBSERVE_MAX_PORTS - OBSERVE_MAX_KUBELET_PORTS;
                memcpy(f->ssh_ports, o->ssh_ports, f->n_ssh_ports * sizeof(uint16_t));
        } else {
                f->ssh_ports[0] = 22; /* no sshd configuration known: sshd's default */
                f->n_ssh_ports = 1;
        }
        uint16_t ports[OBSERVE_MAX_PORTS];
        size_t n = 0;
        for (size_t i = 0; i < f->n_ssh_ports; i++)
                add_port(ports, &n, OBSERVE_MAX_PORTS, f->ssh_ports[i]);
        kubelet_ports(o, f);
        for (size_t i = 0; i < f->n_kubelet_ports; i++)
                add_port(ports, &n, OBSERVE_MAX_PORTS, f->kubelet_ports[i]);
        struct observe_session *s = xcalloc(1, sizeof(*s));
        s->root = root;
        s->opts = *o;
        memcpy(s->kubelet_ports, f->kubelet_ports, sizeof(s->kubelet_ports));
        s->n_kubelet_ports = f->n_kubelet_ports;
        s->host_netns = host_netns_inode(proc);
        int r = cgroup_index_open(root, &s->cg);
        if (r < 0) {
                /* Root "/" must read "/sys/fs/cgroup", not "//sys/fs/cgroup". */
                _cleanup_free_ char *where = path_join(root->path, "sys/fs/cgroup");
                f->error = xasprintf("no cgroup v2 mount under %s: cannot attribute attempts to pods", where);
                free(s);
                return;
        }
        /* In the root cgroup nodeward shares it with too much to ignore it. */
        uint64_t self = self_cgroup_id();
        struct stat rst;
        _cleanup_close_ int rfd = rootfs_openat(root, s->cg.mount, O_PATH | O_DIRECTORY);
        if (rfd >= 0 && fstat(rfd, &rst) == 0 && rst.st_ino == self)
                self = 0;
        struct connwatch_opts co = {.ports = ports,
                                    .n_ports = n,
                                    .host_netns = s->host_netns,
                                    .self_cgroup = self,
                                    .verbose = o->verbose,
                                    .force_tracepoint = o->force_tracepoint,
                                    .on_sighting = on_sighting,
                                    .data = s};
        if (connwatch_start(&co, &s->cw, &f->error) < 0) {
                cgroup_index_free(&s->cg);
                free(s);
                return;
        }
        f->mode = connwatch_mode(s->cw);
        /* Loading parsed the kernel's BTF (megabytes); give that heap back. */
        malloc_trim(0);
        clock_gettime(CLOCK_MONOTONIC, &s->deadline);
        s->deadline.tv_sec += o->seconds;
        *ret = s;
}

int observe_poll(struct observe_session *s, int timeout_ms)
{
        return connwatch_poll(s->cw, timeout_ms);
}

static void attempts_free(struct observe_facts *f)
{
        for (size_t i = 0; i < f->n; i++) {
                free(f->v[i].cgroup);
                free(f->v[i].pod_ns);
                free(f->v[i].pod_name);
        }
        free(f->v);
        f->v = NULL;
        f->n = 0;
}

void observe_snapshot(struct observe_session *s, struct observe_facts *f)
{
        struct connwatch_attempt *v;
        size_t n;
        attempts_free(f);
        struct connwatch_losses lost;
        if (s->opts.forget_gone)
                cgroup_index_refresh(s->root, &s->cg);
        if (connwatch_snapshot(s->cw, &v, &n, &lost) < 0)
                return;
        f->not_counted = lost.not_counted;
        f->ring_dropped = lost.ring_dropped;
        f->evicted = lost.evicted;
        f->v = xcalloc(n, sizeof(*f->v));
        for (size_t i = 0; i < n; i++) {
                struct observed_attempt *a = &f->v[f->n++];
                attribute(s, &v[i].key, a);
                a->count = v[i].val.count;
                a->first_ms = mono_to_unix_ms(v[i].val.first_ns);
                a->last_ms = mono_to_unix_ms(v[i].val.last_ns);
                a->pid = v[i].pid;
                memcpy(a->comm, v[i].comm, sizeof(a->comm));
        }
        /* This snapshot reports the attempts of cgroups that are gone one last time. */
        for (size_t i = 0; s->opts.forget_gone && i < n; i++) {
                uint64_t id = v[i].key.cgroup_id;
                if (cgroup_index_live(&s->cg, id))
                        continue;
                connwatch_forget(s->cw, &v[i].key);
                cgroup_index_release(&s->cg, id);
        }
        free(v);
}

void observe_end(struct observe_session *s, struct observe_facts *f)
{
        if (!s)
                return;
        for (;;) {
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);
                long ms = (s->deadline.tv_sec - now.tv_sec) * 1000 + (s->deadline.tv_nsec - now.tv_nsec) / 1000000;
                if (ms <= 0)
                        break;
                if (observe_poll(s, ms > 200 ? 200 : (int)ms) < 0)
                        break;
        }
        observe_snapshot(s, f);
}

void observe_session_free(struct observe_session *s)
{
        if (!s)
                return;
        connwatch_stop(s->cw);
        cgroup_index_free(&s->cg);
        free(s);
}

void observe_facts_free(struct observe_facts *f)
{
        attempts_free(f);
        free(f->error);
        memset(f, 0, sizeof(*f));
}
