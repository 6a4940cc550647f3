/* observe checks: what pods really attempted, seen by eBPF: SSH to nodes, the kubelet and the metadata service. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "base/util.h"
#include "collect/facts.h"
#include "gate.h"

static void rfc3339_ms(int64_t ms, char *buf, size_t size)
{
        time_t t = (time_t)(ms / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        size_t n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(buf + n, size - n, ".%03dZ", (int)(ms % 1000));
}

/* "pod 1f2e... (ns/name) container abc... -> 10.0.0.1:22 x5 first ... last ... (pid 42 curl)" */
static void describe(struct strbuf *sb, const struct observed_attempt *a)
{
        char first[40], last[40];
        rfc3339_ms(a->first_ms, first, sizeof(first));
        rfc3339_ms(a->last_ms, last, sizeof(last));
        sb_printf(sb, "pod %s", a->ref.uid);
        if (a->pod_name)
                sb_printf(sb, " (%s/%s)", a->pod_ns, a->pod_name);
        sb_printf(sb, " container %s%s -> %s%s%s:%u x%llu, first %s, last %s",
                  a->ref.container_id[0] ? a->ref.container_id : "(pod cgroup)",
                  a->host_network ? " [hostNetwork]" : "", strchr(a->daddr, ':') ? "[" : "", a->daddr,
                  strchr(a->daddr, ':') ? "]" : "", a->dport, (unsigned long long)a->count, first, last);
        if (a->pid)
                sb_printf(sb, " (pid %u %s)", a->pid, a->comm);
}

static bool is_ssh_port(const struct observe_facts *o, uint16_t port)
{
        for (size_t i = 0; i < o->n_ssh_ports; i++)
                if (o->ssh_ports[i] == port)
                        return true;
        return false;
}

/* The common gates: not observed, or eBPF unavailable. */
static bool observed(const struct facts *f, struct result *r)
{
        const struct observe_facts *o = &f->observe;
        if (!(f->collected & FACT_CONNWATCH) || !o->requested) {
                result_set(r, ST_SKIP, "not observed: use --observe SECONDS");
                return false;
        }
        return fact_gate(f, FACT_CONNWATCH, 0, r);
}

/* Pod attempts named one by one in the evidence (each about 230 bytes, within
 * the 4 KiB an evidence line keeps); the rest are counted. */
#define OBSERVE_LISTED 8

typedef bool (*attempt_filter)(const struct observe_facts *o, const struct observed_attempt *a);

/* Fail listing every pod attempt the filter keeps; pass saying what was ignored. */
static void judge(const struct facts *f, struct result *r, attempt_filter keep, const char *what)
{
        const struct observe_facts *o = &f->observe;
        struct strbuf sb = {0};
        size_t hits = 0;
        unsigned long long host = 0;
        for (size_t i = 0; i < o->n; i++) {
                const struct observed_attempt *a = &o->v[i];
                if (!keep(o, a))
                        continue;
                if (!a->pod) {
                        host += a->count;
                        continue;
                }
                if (hits++ < OBSERVE_LISTED) {
                        sb_puts(&sb, hits > 1 ? "; " : "");
                        describe(&sb, a);
                }
        }
        if (hits > OBSERVE_LISTED)
                sb_printf(&sb, "; and %zu more", hits - OBSERVE_LISTED);
        _cleanup_free_ char *detail = sb_steal(&sb);
        struct strbuf lost = {0};
        if (o->evicted)
                sb_printf(&lost,
                          "; %llu attempt keys evicted to make room (least recently used: their counts are "
                          "lost, each was reported while kept)",
                          (unsigned long long)o->evicted);
        if (o->not_counted)
                sb_printf(&lost, "; %llu attempts not counted", (unsigned long long)o->not_counted);
        if (o->ring_dropped)
                sb_printf(&lost, "; %llu first sightings dropped (pid unknown)", (unsigned long long)o->ring_dropped);
        _cleanup_free_ char *lost_s = sb_steal(&lost);
        _cleanup_free_ char *tail = xasprintf("observed %d s (%s)%s; %llu attempts by host processes not counted",
                                              o->seconds, o->mode, lost_s ? lost_s : "", host);
        if (hits)
                result_set(r, ST_FAIL, "%zu pod attempt(s) %s: %s; %s", hits, what, detail, tail);
        else
                result_set(r, ST_PASS, "no pod attempted %s; %s", what, tail);
}

static bool ssh_attempt(const struct observe_facts *o, const struct observed_attempt *a)
{
        return is_ssh_port(o, a->dport);
}

static bool imds_attempt(const struct observe_facts *o, const struct observed_attempt *a)
{
        (void)o;
        /* A hostNetwork pod reaches the metadata service as the node does. */
        return a->metadata && !(a->pod && a->host_network);
}

void check_ssh_pod_attempts(const struct facts *f, struct result *r)
{
        if (!observed(f, r))
                return;
        _cleanup_free_ char *what = NULL;
        struct strbuf sb = {0};
        sb_puts(&sb, "to reach SSH (port");
        for (size_t i = 0; i < f->observe.n_ssh_ports; i++)
                sb_printf(&sb, "%s %u", i ? "," : "", f->observe.ssh_ports[i]);
        sb_puts(&sb, ")");
        what = sb_steal(&sb);
        judge(f, r, ssh_attempt, what);
}

void check_imds_pod_attempts(const struct facts *f, struct result *r)
{
        if (!observed(f, r))
                return;
        judge(f, r, imds_attempt, "to reach the metadata service (169.254.169.254, fd00:ec2::254)");
}

static bool kubelet_attempt(const struct observe_facts *o, const struct observed_attempt *a)
{
        for (size_t i = 0; i < o->n_kubelet_ports; i++)
                if (o->kubelet_ports[i] == a->dport)
                        return true;
        return false;
}

static bool kubelet_ro_attempt(const struct observe_facts *o, const struct observed_attempt *a)
{
        for (size_t i = 0; i < o->n_kubelet_ports; i++)
                if (o->kubelet_ports[i] == a->dport && o->kubelet_ro[i])
                        return true;
        return false;
}

/* The read-only port has no business with any pod: a fail. The authenticated port is
 * where metrics-server and monitoring agents scrape, so attempts there alone warn. */
void check_kubelet_pod_attempts(const struct facts *f, struct result *r)
{
        if (!observed(f, r))
                return;
        const struct observe_facts *o = &f->observe;
        struct strbuf sb = {0};
        sb_puts(&sb, "to reach the kubelet (port");
        for (size_t i = 0; i < o->n_kubelet_ports; i++)
                sb_printf(&sb, "%s %u%s", i ? "," : "", o->kubelet_ports[i], o->kubelet_ro[i] ? " read-only" : "");
        sb_puts(&sb, ")");
        _cleanup_free_ char *what = sb_steal(&sb);
        judge(f, r, kubelet_attempt, what);
        if (r->status != ST_FAIL)
                return;
        bool ro = false;
        for (size_t i = 0; i < o->n; i++)
                ro |= o->v[i].pod && kubelet_ro_attempt(o, &o->v[i]);
        if (!ro)
                r->status = ST_WARN; /* authenticated port only: name them, let the operator judge */
}
