/* watch: observe continuously, re-run the checks every interval, print JSON lines. */
#define _GNU_SOURCE
#include "cli/watch.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "engine.h"
#include "expect.h"
#include "base/procfs.h"
#include "base/sandbox.h"
#include "collect/facts.h"
#include "collect/observe/observe.h"
#include "collect/prober.h"
#include "base/privs.h"
#include "render/publish.h"
#include "render/report.h"
#include "base/textfile.h"
#include "base/util.h"

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
        (void)sig;
        exiting = 1;
}

static void emit(FILE *out, cJSON *j)
{
        char *s = cJSON_PrintUnformatted(j);
        fprintf(out, "%s\n", s);
        fflush(out);
        free(s);
        cJSON_Delete(j);
}

static cJSON *line(const char *event)
{
        cJSON *j = cJSON_CreateObject();
        char ts[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
        cJSON_AddStringToObject(j, "event", event);
        cJSON_AddStringToObject(j, "time", ts);
        return j;
}

/* A first sighting by a pod: the finding, as soon as the kernel reports it. */
static void on_sighting(const struct observed_attempt *a, void *data)
{
        FILE *out = data;
        if (!a->pod)
                return;
        struct run_attempt ra;
        run_attempt_describe(NULL, a, &ra); /* the check it is a finding of needs no ports */
        cJSON *j = line("finding");
        report_attempt_finding(j, &ra);
        run_attempt_free(&ra);
        emit(out, j);
}

/* The same metrics `check --textfile` writes, replaced atomically. */
static void write_textfile(const char *path, const struct run *run, const struct report_meta *m)
{
        struct textfile tf = {0};
        if (textfile_begin(path, &tf) < 0)
                return;
        report_prometheus(tf.f, run, m);
        textfile_commit(&tf);
}

/* The collectors that enter other network namespaces, which takes CAP_SYS_ADMIN. */
#define NET_PROBES (FACT_IMDS | FACT_POD_IMDS | FACT_POD_SSH | FACT_KUBELET_LIVE)

/* What the privileged start of a watch hands to its unprivileged loop. */
struct watch_state {
        struct observe_session *s;
        struct observe_facts of;
        struct netns_handles sock; /* netlink handles in the node's namespace, kept open */
        char *sock_what;
        bool have_sock;
        struct imds_facts imds;    /* the namespace probes, run once at the start */
        struct klive_facts klive;
        bool have_imds;
        char *probes_off; /* the probes did not run: why */
        char probed_at[32];
        /* Probes from pod namespaces that appear later (prober.h); NULL: the start's answers stay. */
        struct prober *prober;
        struct collect_opts prober_co;
        struct publisher *pub;     /* --publish */
};

/* The prober's answers become the watch's: they replace the previous ones, and
 * the time they were taken is when the probes ran. */
static void take_answers(struct watch_state *st, struct probe_answers *a)
{
        imds_facts_free(&st->imds);
        klive_facts_free(&st->klive);
        free(st->probes_off);
        st->imds = a->imds;
        st->klive = a->klive;
        st->probes_off = a->probes_off;
        st->have_imds = true;
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(st->probed_at, sizeof(st->probed_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* How long a watch waits for the prober: the probes of a run are bounded by a few
 * of their timeouts, the pod namespace search by the process table. */
static int prober_timeout_ms(void)
{
        return 10000 + 4 * klive_timeout_ms();
}

/* Before privileges go: open what later intervals re-read without privilege, and
 * run the probes that must enter namespaces (their answers describe how the node
 * was launched, so the start is when they are taken; again only when a pod
 * network namespace other than the one probed from appears). */
static void watch_setup(const struct watch_opts *o, const struct rootfs *proc, struct watch_state *st)
{
        unsigned needs = engine_needs(o->selected);
        st->sock = (struct netns_handles){-1, -1, -1, NULL};
        if ((needs & FACT_SOCKETS) && (proc->fd >= 0 || o->collect.netns)) {
                char *err = NULL;
                st->have_sock = netns_open_handles(o->collect.netns, proc->fd >= 0 ? proc : NULL, &st->sock,
                                                   &st->sock_what, &err) == 0;
                free(err); /* each interval then reports the failure itself */
        }
        if (needs & NET_PROBES) {
                struct probe_answers a;
                int r = st->prober ? prober_ask(st->prober, PROBER_NOW, prober_timeout_ms(), &a) : -ENOENT;
                if (r == 1) {
                        take_answers(st, &a);
                } else {
                        /* No prober: probe here, still privileged; later pods are not probed. */
                        struct collect_opts co = {.root = o->collect.root, .proc = o->collect.proc,
                                                  .pod_netns = o->collect.pod_netns,
                                                  .needs = needs & NET_PROBES, .probe = o->collect.probe};
                        struct facts f;
                        char *err = NULL;
                        if (facts_collect(&co, &f, &err) == 0) {
                                struct probe_answers fa = {.imds = f.imds, .klive = f.klive,
                                                           .probes_off = f.probes_off};
                                memset(&f.imds, 0, sizeof(f.imds));
                                memset(&f.klive, 0, sizeof(f.klive));
                                f.probes_off = NULL;
                                take_answers(st, &fa);
                                facts_free(&f);
                        }
                        free(err);
                }
        }
}

static void watch_state_free(struct watch_state *st)
{
        observe_session_free(st->s); /* detaches: no link outlives the process */
        prober_stop(st->prober);
        observe_facts_free(&st->of);
        if (st->have_sock)
                netns_close_handles(&st->sock);
        free(st->sock_what);
        imds_facts_free(&st->imds);
        klive_facts_free(&st->klive);
        publisher_free(st->pub);
        free(st->probes_off);
}

/* --publish: apply the interval's report; one line says what happened. */
static void publish(FILE *out, struct publisher *pub, const struct run *run)
{
        struct publish_outcome po;
        publisher_publish(pub, run, &po);
        cJSON *j = line("publish");
        cJSON_AddStringToObject(j, "report", po.name);
        cJSON_AddStringToObject(j, "result", !po.sent ? "unchanged" : po.ok ? "applied" : "failed");
        if (po.sent) {
                cJSON_AddNumberToObject(j, "attempts", po.attempts);
                if (po.status)
                        cJSON_AddNumberToObject(j, "status", po.status);
        }
        if (po.error[0])
                cJSON_AddStringToObject(j, "error", po.error);
        emit(out, j);
}

/* One interval: collect the other facts afresh, add the observed counts and the
 * start's probe answers, run, print. */
static void interval(const struct watch_opts *o, struct watch_state *st)
{
        struct observe_session *s = st->s;
        struct observe_facts *of = &st->of;
        struct collect_opts co = o->collect;
        co.sock_handles = st->have_sock ? &st->sock : NULL;
        co.sock_netns_what = st->sock_what;
        co.needs = (engine_needs(o->selected) | expect_needs(o->expect) | (o->benchmark ? 0 : FACT_KUBELET)) &
                   ~(unsigned)(FACT_CONNWATCH | NET_PROBES);
        if (st->prober) {
                /* A pod network namespace that appeared since the last probes: probe from it. */
                struct probe_answers a;
                if (prober_ask(st->prober, PROBER_IF_NEW_POD, prober_timeout_ms(), &a) == 1)
                        take_answers(st, &a);
        }
        struct facts f;
        char *err = NULL;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        struct report_meta meta;
        report_meta_start(&meta);
        cJSON *j = line("summary");
        if (facts_collect(&co, &f, &err) < 0) {
                cJSON_AddStringToObject(j, "error", err);
                free(err);
                emit(o->out, j);
                return;
        }
        if (s)
                observe_snapshot(s, of);
        f.observe = *of;
        f.collected |= FACT_CONNWATCH;
        if (st->have_imds) {
                f.imds = st->imds;
                f.klive = st->klive;
                f.collected |= engine_needs(o->selected) & NET_PROBES;
                if (st->probes_off && !f.probes_off)
                        f.probes_off = xstrdup(st->probes_off);
                cJSON_AddStringToObject(j, "network_probes_at", st->probed_at);
        }
        const char *why = "--benchmark";
        const struct benchmark *bench = o->benchmark ? o->benchmark : benchmark_for_node(&f, &why);
        struct run run;
        engine_run_benchmark(&f, o->policy, o->selected, bench, why, &run);
        cJSON_AddStringToObject(j, "benchmark", bench->id);
        expect_apply(o->expect, &f, &run, SEV_LOW);
        report_meta_finish(&meta, &t0);
        report_watch_summary(j, &run);
        emit(o->out, j);
        if (st->pub)
                publish(o->out, st->pub, &run);
        if (o->textfile)
                write_textfile(o->textfile, &run, &meta);
        run_free(&run);
        memset(&f.observe, 0, sizeof(f.observe)); /* owned by the watch state */
        memset(&f.imds, 0, sizeof(f.imds));
        memset(&f.klive, 0, sizeof(f.klive));
        facts_free(&f);
}

/* The readiness state (--state): whether the probe is attached, refreshed every
 * interval so that a watch that stopped looping goes stale. */
static void write_state(const struct watch_opts *o, const struct watch_state *st, bool exiting_now)
{
        if (!o->state)
                return;
        bool wanted = engine_needs(o->selected) & FACT_CONNWATCH;
        enum watch_probe p = exiting_now ? WATCH_PROBE_EXITED
                             : !wanted    ? WATCH_PROBE_OFF
                             : st->of.error ? WATCH_PROBE_ERROR
                                            : WATCH_PROBE_ATTACHED;
        const char *detail = p == WATCH_PROBE_ERROR ? st->of.error : p == WATCH_PROBE_ATTACHED ? st->of.mode : NULL;
        int r = watch_state_write(o->state, p, detail, o->interval, time(NULL));
        if (r < 0)
                fprintf(stderr, "nodeward: --state %s: %s\n", o->state, strerror(-r));
}

int watch_run(const struct watch_opts *o)
{
        struct rootfs root = {.fd = -1}, proc = {.fd = -1};
        const char *rootp = o->collect.root && *o->collect.root ? o->collect.root : "/";
        if (rootfs_open_root(rootp, &root) < 0 ||
            (o->collect.proc ? procfs_open_root(o->collect.proc, &proc) : procfs_open_subroot(&root, "proc", &proc)) < 0) {
                fprintf(stderr, "nodeward: cannot open --root %s or its proc: %s\n", rootp, strerror(errno));
                rootfs_close(&root);
                return 2;
        }
        struct watch_state st = {0};
        if (engine_needs(o->selected) & NET_PROBES) {
                /* First, while this process holds the least it ever will: the prober
                 * inherits no BPF object, netlink handle or API client. */
                st.prober_co = (struct collect_opts){.root = o->collect.root, .proc = o->collect.proc, .pod_netns = o->collect.pod_netns,
                                                     .needs = engine_needs(o->selected) & NET_PROBES,
                                                     .probe = o->collect.probe};
                char *perr = NULL;
                if (prober_start(&st.prober_co, &st.prober, &perr) < 0) {
                        fprintf(stderr, "nodeward: warning: pod network namespaces that appear later will not "
                                        "be probed: %s\n", perr);
                        free(perr);
                }
        }
        if (o->publish) {
                char *perr = NULL;
                struct publish_opts po = *o->publish;
                po.cancel = &exiting; /* SIGTERM ends the retries too */
                if (publisher_new(&po, &st.pub, &perr) < 0) {
                        fprintf(stderr, "nodeward: watch --publish: %s\n", perr);
                        free(perr);
                        rootfs_close(&proc);
                        rootfs_close(&root);
                        return 2;
                }
        }
        struct sigaction sa = {.sa_handler = on_signal};
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        if (engine_needs(o->selected) & FACT_CONNWATCH) {
                struct observe_opts oo = {.seconds = 0, .verbose = o->collect.verbose, .on_sighting = on_sighting,
                                          .data = o->out, .forget_gone = true};
                struct collect_opts sc = {.root = o->collect.root, .proc = o->collect.proc,
                                          .needs = FACT_SSHD | FACT_KUBELET};
                struct facts sf;
                char *err = NULL;
                if (facts_collect(&sc, &sf, &err) == 0) {
                        observe_ports_from_sshd(&sf.sshd, &oo);
                        klive_observe_ports(&sf.kubelet, &oo.kubelet_port, &oo.kubelet_ro_port);
                        facts_free(&sf);
                }
                free(err);
                observe_begin(&root, &proc, &oo, &st.of, &st.s);
                cJSON *j = line(st.of.error ? "error" : "attached");
                cJSON_AddStringToObject(j, st.of.error ? "error" : "mode", st.of.error ? st.of.error : st.of.mode);
                emit(o->out, j);
        }
        write_state(o, &st, false);
        watch_setup(o, &proc, &st);
        /* From here on the loop only reads: files, /proc, open netlink and BPF fds.
         * README promises a loop that cannot change the system: one that would keep
         * CAP_SYS_ADMIN or CAP_BPF does not start. */
        char *perr = NULL;
        int rc = 0;
        if (privs_drop_to_readers(&perr) < 0) {
                fprintf(stderr, "nodeward: error: could not drop capabilities: %s\n", perr);
                cJSON *j = line("error");
                char *msg = xasprintf("could not drop capabilities: %s", perr);
                cJSON_AddStringToObject(j, "error", msg);
                emit(o->out, j);
                free(msg);
                free(perr);
                rc = 2;
        }
        /* The loop keeps what it holds and reads; nothing else is possible from here. */
        int sr = rc == 0 ? sandbox_install(SANDBOX_WATCH, &perr) : 0;
        if (sr == -ENOSYS) {
                fprintf(stderr, "nodeward: warning: no seccomp filter: %s\n", perr);
                free(perr);
        } else if (sr < 0) {
                fprintf(stderr, "nodeward: error: could not install the seccomp filter: %s\n", perr);
                cJSON *j = line("error");
                char *msg = xasprintf("could not install the seccomp filter: %s", perr);
                cJSON_AddStringToObject(j, "error", msg);
                emit(o->out, j);
                free(msg);
                free(perr);
                rc = 2;
        }
        if (rc == 0)
                sandbox_test_hook();
        long long start = mono_ms(), next = start;
        while (rc == 0 && !exiting) {
                if (mono_ms() >= next) {
                        st.of.seconds = (int)((mono_ms() - start) / 1000);
                        interval(o, &st);
                        write_state(o, &st, false);
                        next += (long)o->interval * 1000;
                }
                long long wait = next - mono_ms();
                wait = wait < 0 ? 0 : wait > 200 ? 200 : wait;
                if (st.s)
                        observe_poll(st.s, (int)wait);
                else
                        nanosleep(&(struct timespec){.tv_nsec = wait * 1000000}, NULL);
        }
        write_state(o, &st, true);
        watch_state_free(&st);
        emit(o->out, line("exit"));
        rootfs_close(&proc);
        rootfs_close(&root);
        return rc;
}
