/* connwatch: load the connect-attempt probe, keep its first sightings, and read its in-kernel counts. */
#define _GNU_SOURCE
#include "connwatch.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "connwatch.skel.h"
#include "base/util.h"

struct connwatch {
        struct connwatch_bpf *skel;
        struct ring_buffer *rb;
        const char *mode;
        struct connwatch_opts opts;
        struct connwatch_event *seen; /* first sightings (sorted by key at each snapshot) */
        size_t n_seen;
        uint64_t forgotten; /* keys deleted by connwatch_forget(): not evicted */
};

static bool verbose_libbpf;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
        (void)level;
        if (!verbose_libbpf)
                return 0;
        return vfprintf(stderr, fmt, ap);
}

int connwatch_event_decode(const void *data, size_t size, struct connwatch_event *ret)
{
        if (size < sizeof(struct connwatch_event))
                return -EBADMSG;
        memcpy(ret, data, sizeof(*ret));
        return 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
        struct connwatch *w = ctx;
        struct connwatch_event e;
        if (connwatch_event_decode(data, size, &e) < 0)
                return 0;
        if (w->n_seen % 64 == 0)
                w->seen = xrealloc(w->seen, (w->n_seen + 64) * sizeof(*w->seen));
        w->seen[w->n_seen++] = e;
        if (w->opts.on_sighting)
                w->opts.on_sighting(&e, w->opts.data);
        return 0;
}

/* Why the kernel refused, in words an operator can act on. */
static char *explain(const char *what, int err)
{
        struct strbuf sb = {0};
        sb_printf(&sb, "%s: %s", what, strerror(-err));
        if (err == -EPERM || err == -EACCES) {
                char *lock = NULL;
                FILE *f = fopen("/sys/kernel/security/lockdown", "re");
                char buf[128] = "";
                if (f && fgets(buf, sizeof(buf), f) && (lock = strchr(buf, '[')) && strncmp(lock, "[none]", 6) != 0) {
                        buf[strcspn(buf, "\n")] = '\0';
                        sb_printf(&sb, " (kernel lockdown is %s)", lock);
                } else {
                        sb_puts(&sb, " (needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN)");
                }
                if (f)
                        fclose(f);
        }
        return sb_steal(&sb);
}

/* The fallback attaches through tracefs: mount it where libbpf looks if absent.
 * *ret_mounted says whether this call mounted it, so the caller can undo it. */
static int ensure_tracefs(bool *ret_mounted)
{
        *ret_mounted = false;
        if (access("/sys/kernel/tracing/events", F_OK) == 0 || access("/sys/kernel/debug/tracing/events", F_OK) == 0)
                return 0;
        if (mount("tracefs", "/sys/kernel/tracing", "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return -errno;
        *ret_mounted = true;
        return 0;
}

/* libbpf needs tracefs only to look up the tracepoint's id; the perf event it
 * opened stays attached without it, so the mount nodeward made goes at once. */
static void release_tracefs(bool mounted)
{
        if (mounted)
                (void)umount2("/sys/kernel/tracing", MNT_DETACH);
}

static void configure(struct connwatch_bpf *s, const struct connwatch_opts *o)
{
        size_t n = o->n_ports < CONNWATCH_MAX_PORTS ? o->n_ports : CONNWATCH_MAX_PORTS;
        for (size_t i = 0; i < n; i++)
                s->rodata->watch_ports[i] = o->ports[i];
        s->rodata->n_watch_ports = (uint32_t)n;
        static const uint8_t v4[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 169, 254, 169, 254};
        static const uint8_t v6[16] = {0xfd, 0, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54};
        memcpy((void *)s->rodata->metadata_v4, v4, 16);
        memcpy((void *)s->rodata->metadata_v6, v6, 16);
        s->rodata->host_netns_ino = o->host_netns;
        s->rodata->self_cgroup_id = o->self_cgroup;
}

/* One try with one of the two programs. Returns 0 or -errno with *ret_err set. */
static int try_load(const struct connwatch_opts *o, bool tracepoint, struct connwatch_bpf **ret, char **ret_err)
{
        struct connwatch_bpf *s = connwatch_bpf__open();
        if (!s) {
                int err = -errno;
                *ret_err = explain("opening the BPF object", err);
                return err;
        }
        configure(s, o);
        bpf_program__set_autoload(s->progs.connwatch_btf, !tracepoint);
        bpf_program__set_autoload(s->progs.connwatch_tp, tracepoint);
        int err = connwatch_bpf__load(s);
        if (err < 0) {
                *ret_err = explain(tracepoint ? "loading tracepoint/sock/inet_sock_set_state"
                                              : "loading tp_btf/inet_sock_set_state",
                                   err);
                connwatch_bpf__destroy(s);
                return err;
        }
        struct bpf_link *l = tracepoint ? bpf_program__attach(s->progs.connwatch_tp)
                                        : bpf_program__attach(s->progs.connwatch_btf);
        if (!l) {
                err = -errno;
                *ret_err = explain(tracepoint ? "attaching tracepoint/sock/inet_sock_set_state"
                                              : "attaching tp_btf/inet_sock_set_state",
                                   err);
                connwatch_bpf__destroy(s);
                return err;
        }
        if (tracepoint)
                s->links.connwatch_tp = l;
        else
                s->links.connwatch_btf = l;
        *ret = s;
        return 0;
}

static int load_either(const struct connwatch_opts *o, struct connwatch *w, char **ret_err)
{
        _cleanup_free_ char *btf_err = NULL;
        int r = -EOPNOTSUPP;
        if (access("/sys/kernel/btf/vmlinux", R_OK) < 0)
                btf_err = xasprintf("no kernel BTF (/sys/kernel/btf/vmlinux: %s)", strerror(errno));
        else if (o->force_tracepoint)
                btf_err = xstrdup("tp_btf skipped on request");
        else if ((r = try_load(o, false, &w->skel, &btf_err)) == 0) {
                w->mode = "tp_btf";
                return 0;
        }
        bool mounted;
        int tr = ensure_tracefs(&mounted);
        _cleanup_free_ char *tp_err = NULL;
        if (tr < 0)
                tp_err = xasprintf("mounting tracefs on /sys/kernel/tracing: %s", strerror(-tr));
        else {
                tr = try_load(o, true, &w->skel, &tp_err);
                release_tracefs(mounted);
                if (tr == 0) {
                        w->mode = "tracepoint";
                        return 0;
                }
        }
        *ret_err = xasprintf("eBPF unavailable: %s; fallback: %s", btf_err, tp_err);
        return r == -EPERM || tr == -EPERM ? -EPERM : tr;
}

int connwatch_start(const struct connwatch_opts *o, struct connwatch **ret, char **ret_err)
{
        verbose_libbpf = o->verbose;
        libbpf_set_print(libbpf_print);
        struct connwatch *w = xcalloc(1, sizeof(*w));
        w->opts = *o;
        int r = load_either(o, w, ret_err);
        if (r < 0) {
                free(w);
                return r;
        }
        w->rb = ring_buffer__new(bpf_map__fd(w->skel->maps.sightings), on_event, w, NULL);
        if (!w->rb) {
                r = -errno;
                *ret_err = explain("opening the ring buffer", r);
                connwatch_stop(w);
                return r;
        }
        *ret = w;
        return 0;
}

const char *connwatch_mode(const struct connwatch *w)
{
        return w->mode;
}

int connwatch_poll(struct connwatch *w, int timeout_ms)
{
        int n = ring_buffer__poll(w->rb, timeout_ms);
        return n == -EINTR ? 0 : n;
}

static int cmp_event_key(const void *a, const void *b)
{
        return memcmp(&((const struct connwatch_event *)a)->key, &((const struct connwatch_event *)b)->key,
                      sizeof(struct connwatch_key));
}

/* @w->seen must be sorted by key (connwatch_snapshot does it). */
static const struct connwatch_event *find_seen(const struct connwatch *w, const struct connwatch_key *k)
{
        struct connwatch_event probe = {.key = *k};
        return w->n_seen ? bsearch(&probe, w->seen, w->n_seen, sizeof(*w->seen), cmp_event_key) : NULL;
}

static void read_stats(const struct connwatch *w, uint64_t out[CONNWATCH_N_STATS])
{
        memset(out, 0, CONNWATCH_N_STATS * sizeof(uint64_t));
        int ncpu = libbpf_num_possible_cpus();
        if (ncpu <= 0)
                return;
        uint64_t *vals = xcalloc((size_t)ncpu, sizeof(uint64_t));
        for (uint32_t k = 0; k < CONNWATCH_N_STATS; k++)
                if (bpf_map_lookup_elem(bpf_map__fd(w->skel->maps.stats), &k, vals) == 0)
                        for (int c = 0; c < ncpu; c++)
                                out[k] += vals[c];
        free(vals);
}

static uint64_t mono_ns(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t); /* bpf_ktime_get_ns()'s clock */
        return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

int connwatch_snapshot(struct connwatch *w, struct connwatch_attempt **ret, size_t *ret_n,
                       struct connwatch_losses *ret_lost)
{
        connwatch_poll(w, 0);
        if (w->n_seen > 1)
                qsort(w->seen, w->n_seen, sizeof(*w->seen), cmp_event_key);
        /* Keys inserted by t0 are in the counter read after it; those of them not
         * in the map now were evicted. Later ones may or may not be seen. */
        uint64_t t0 = mono_ns(), st[CONNWATCH_N_STATS];
        read_stats(w, st);
        int fd = bpf_map__fd(w->skel->maps.attempts);
        struct connwatch_attempt *v = NULL;
        size_t n = 0, n_before_t0 = 0;
        bool *kept = w->n_seen ? xcalloc(w->n_seen, sizeof(bool)) : NULL;
        struct connwatch_key key, next;
        const void *prev = NULL;
        while (bpf_map_get_next_key(fd, prev, &next) == 0 && n < CONNWATCH_MAX_ENTRIES) {
                key = next;
                prev = &key;
                struct connwatch_val val;
                if (bpf_map_lookup_elem(fd, &key, &val) < 0)
                        continue;
                if (n % 64 == 0)
                        v = xrealloc(v, (n + 64) * sizeof(*v));
                struct connwatch_attempt *a = &v[n++];
                memset(a, 0, sizeof(*a));
                a->key = key;
                a->val = val;
                n_before_t0 += val.first_ns <= t0;
                a->host_netns = w->opts.host_netns && key.netns == w->opts.host_netns;
                const struct connwatch_event *e = find_seen(w, &key);
                if (e) {
                        kept[e - w->seen] = true;
                        a->seen = true;
                        a->pid = e->pid;
                        memcpy(a->comm, e->comm, CONNWATCH_COMM_LEN);
                }
        }
        /* Forget the sightings of evicted keys (a sighting newer than t0 may
         * belong to a key the walk missed: it stays). */
        size_t k = 0;
        for (size_t i = 0; i < w->n_seen; i++)
                if (kept[i] || w->seen[i].ts_ns > t0)
                        w->seen[k++] = w->seen[i];
        w->n_seen = k;
        free(kept);
        *ret = v;
        *ret_n = n;
        ret_lost->not_counted = st[CONNWATCH_STAT_NOT_COUNTED];
        ret_lost->ring_dropped = st[CONNWATCH_STAT_RING_DROPPED];
        uint64_t accounted = n_before_t0 + w->forgotten;
        ret_lost->evicted = st[CONNWATCH_STAT_INSERTED] > accounted ? st[CONNWATCH_STAT_INSERTED] - accounted : 0;
        return 0;
}

int connwatch_forget(struct connwatch *w, const struct connwatch_key *k)
{
        if (bpf_map_delete_elem(bpf_map__fd(w->skel->maps.attempts), k) < 0)
                return -errno;
        w->forgotten++;
        return 0;
}

void connwatch_stop(struct connwatch *w)
{
        if (!w)
                return;
        ring_buffer__free(w->rb);
        connwatch_bpf__destroy(w->skel);
        free(w->seen);
        free(w);
}
