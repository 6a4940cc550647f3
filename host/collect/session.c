/* session: what a watch keeps across its intervals, and the facts of one interval that borrow from it. */
#define _GNU_SOURCE
#include "collect/session.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/netns.h"
#include "base/procfs.h"
#include "base/util.h"
#include "collect/prober.h"
#include "collect/probes/probe_wire.h"

struct collect_session {
        const struct collect_opts *base;
        const struct collect_session_opts *so;
        struct rootfs root, proc;
        struct observe_session *obs;
        struct observe_facts of;
        long long first_ms; /* the first interval: the probe's seconds count from it */
        bool counting;
        struct netns_handles sock; /* in the node's namespace, opened while privileged */
        char *sock_what;
        bool have_sock;
        /* The latest namespace probes' answers; they replace each other whole. */
        struct imds_facts imds;
        struct klive_facts klive;
        char *probes_off; /* the probes did not run: why */
        bool have_answers;
        char probed_at[32];
        /* Probes from pod namespaces that appear later (prober.h); NULL: the start's answers stay. */
        struct prober *prober;
        struct collect_opts prober_co;
};

/* The probes of a run are bounded by a few of their timeouts, the pod namespace
 * search by the process table. */
static int prober_timeout_ms(void)
{
        return 10000 + 4 * klive_timeout_ms();
}

static unsigned probe_needs(const struct collect_session *s)
{
        return s->so->needs & COLLECT_SESSION_PROBES;
}

int collect_session_open(const struct collect_opts *base, const struct collect_session_opts *so,
                         struct collect_session **ret, char **ret_warning, char **ret_err)
{
        struct collect_session *s = xcalloc(1, sizeof(*s));
        s->base = base;
        s->so = so;
        s->root.fd = s->proc.fd = -1;
        s->sock = (struct netns_handles){-1, -1, -1, NULL};
        const char *rootp = base->root && *base->root ? base->root : "/";
        int r = rootfs_open_root(rootp, &s->root);
        if (r >= 0)
                r = base->proc ? procfs_open_root(base->proc, &s->proc)
                               : procfs_open_subroot(&s->root, "proc", &s->proc);
        if (r < 0) {
                *ret_err = xasprintf("cannot open --root %s or its proc: %s", rootp, strerror(-r));
                rootfs_close(&s->root);
                free(s);
                return r;
        }
        if (probe_needs(s)) {
                s->prober_co = (struct collect_opts){.root = base->root,
                                                     .proc = base->proc,
                                                     .pod_netns = base->pod_netns,
                                                     .needs = probe_needs(s),
                                                     .probe = base->probe};
                char *perr = NULL;
                if (prober_start(&s->prober_co, &s->prober, &perr) < 0) {
                        *ret_warning = xasprintf("pod network namespaces that appear later will not be probed: %s",
                                                 perr);
                        free(perr);
                }
        }
        *ret = s;
        return 0;
}

/* The answers replace the previous ones, and the time they were taken is when
 * the probes ran. */
static void take_answers(struct collect_session *s, struct probe_answers *a)
{
        imds_facts_free(&s->imds);
        klive_facts_free(&s->klive);
        free(s->probes_off);
        s->imds = a->imds;
        s->klive = a->klive;
        s->probes_off = a->probes_off;
        s->have_answers = true;
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(s->probed_at, sizeof(s->probed_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The ports the probe watches are the ones sshd and the kubelet resolve to now. */
static void attach(struct collect_session *s)
{
        struct observe_opts oo = {.seconds = 0,
                                  .verbose = s->base->verbose,
                                  .on_sighting = s->so->on_sighting,
                                  .data = s->so->data,
                                  .forget_gone = true};
        struct collect_opts sc = {.root = s->base->root, .proc = s->base->proc, .needs = FACT_SSHD | FACT_KUBELET};
        struct facts sf;
        char *err = NULL;
        if (facts_collect(&sc, &sf, &err) == 0) {
                observe_ports_from_sshd(&sf.sshd, &oo);
                klive_observe_ports(&sf.kubelet, &oo.kubelet_port, &oo.kubelet_ro_port);
                facts_free(&sf);
        }
        free(err);
        observe_begin(&s->root, &s->proc, &oo, &s->of, &s->obs);
}

/* Without a prober the probes run here, still privileged, and later pods are not probed. */
static void probe_here(struct collect_session *s)
{
        struct collect_opts co = {.root = s->base->root,
                                  .proc = s->base->proc,
                                  .pod_netns = s->base->pod_netns,
                                  .needs = probe_needs(s),
                                  .probe = s->base->probe};
        struct facts f;
        char *err = NULL;
        if (facts_collect(&co, &f, &err) == 0) {
                struct probe_answers a = {.imds = f.imds, .klive = f.klive, .probes_off = f.probes_off};
                f.probes_off = NULL;
                f.borrowed |= COLLECT_SESSION_PROBES; /* the session's from here */
                take_answers(s, &a);
                facts_free(&f);
        }
        free(err);
}

void collect_session_start(struct collect_session *s)
{
        if (s->so->needs & FACT_CONNWATCH)
                attach(s);
        if (s->so->on_attached)
                s->so->on_attached(&s->of, s->so->data);
        if ((s->so->needs & FACT_SOCKETS) && (s->proc.fd >= 0 || s->base->netns)) {
                char *err = NULL;
                s->have_sock = netns_open_handles(s->base->netns, s->proc.fd >= 0 ? &s->proc : NULL, &s->sock,
                                                  &s->sock_what, &err) == 0;
                free(err); /* each interval then reports the failure itself */
        }
        if (probe_needs(s)) {
                struct probe_answers a;
                int r = s->prober ? prober_ask(s->prober, PROBER_NOW, prober_timeout_ms(), &a) : -ENOENT;
                if (r == 1)
                        take_answers(s, &a);
                else
                        probe_here(s);
        }
}

int collect_session_collect(struct collect_session *s, unsigned needs, struct facts *ret, char **ret_err)
{
        long long now = mono_ms();
        if (!s->counting) {
                s->first_ms = now;
                s->counting = true;
        }
        s->of.seconds = (int)((now - s->first_ms) / 1000);
        struct collect_opts co = *s->base;
        co.sock_handles = s->have_sock ? &s->sock : NULL;
        co.sock_netns_what = s->sock_what;
        co.needs = needs & ~(unsigned)(FACT_CONNWATCH | COLLECT_SESSION_PROBES);
        if (s->prober) {
                /* A pod network namespace that appeared since the last probes: probe from it. */
                struct probe_answers a;
                if (prober_ask(s->prober, PROBER_IF_NEW_POD, prober_timeout_ms(), &a) == 1)
                        take_answers(s, &a);
        }
        struct facts f;
        int r = facts_collect(&co, &f, ret_err);
        if (r < 0)
                return r;
        if (s->obs)
                observe_snapshot(s->obs, &s->of);
        f.observe = s->of;
        f.collected |= FACT_CONNWATCH;
        f.borrowed |= FACT_CONNWATCH;
        if (s->have_answers) {
                f.imds = s->imds;
                f.klive = s->klive;
                f.collected |= probe_needs(s);
                f.borrowed |= COLLECT_SESSION_PROBES;
                if (s->probes_off && !f.probes_off)
                        f.probes_off = xstrdup(s->probes_off);
        }
        *ret = f;
        return 0;
}

const struct observe_facts *collect_session_observe(const struct collect_session *s)
{
        return &s->of;
}

const char *collect_session_probed_at(const struct collect_session *s)
{
        return s->have_answers ? s->probed_at : NULL;
}

void collect_session_poll(struct collect_session *s, int timeout_ms)
{
        if (s->obs)
                observe_poll(s->obs, timeout_ms);
        else
                nanosleep(&(struct timespec){.tv_nsec = timeout_ms * 1000000L}, NULL);
}

void collect_session_close(struct collect_session *s)
{
        if (!s)
                return;
        observe_session_free(s->obs); /* detaches: no link outlives the process */
        prober_stop(s->prober);
        observe_facts_free(&s->of);
        if (s->have_sock)
                netns_close_handles(&s->sock);
        free(s->sock_what);
        imds_facts_free(&s->imds);
        klive_facts_free(&s->klive);
        free(s->probes_off);
        rootfs_close(&s->proc);
        rootfs_close(&s->root);
        free(s);
}
