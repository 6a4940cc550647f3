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
#include "base/sandbox.h"
#include "collect/facts.h"
#include "collect/session.h"
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
        const struct watch_opts *o = data;
        FILE *out = o->out;
        if (!a->pod)
                return;
        struct run_attempt ra;
        run_attempt_describe(NULL, a, &ra); /* the check it is a finding of needs no ports */
        cJSON *j = line("finding");
        report_attempt_finding(j, &ra);
        run_attempt_free(&ra);
        emit(out, j);
}

/* The same metrics `check --textfile` writes, replaced atomically. A failure is an error line:
 * the exporter would otherwise serve the last interval's metrics as if they were current. */
static void write_textfile(FILE *out, const char *path, const struct run *run, const struct report_meta *m)
{
        struct textfile tf = {0};
        int r = textfile_begin(path, &tf);
        if (r == 0) {
                report_prometheus(tf.f, run, m);
                r = textfile_commit(&tf);
        }
        if (r < 0) {
                cJSON *j = line("error");
                char *msg = xasprintf("--textfile %s: %s", path, strerror(-r));
                cJSON_AddStringToObject(j, "error", msg);
                emit(out, j);
                free(msg);
        }
}

/* What the privileged start of a watch hands to its unprivileged loop. */
struct watch_state {
        struct collect_session *cs;
        struct publisher *pub; /* --publish */
};

/* --publish: apply the interval's report; one line says what happened. */
static void publish(FILE *out, struct publisher *pub, const struct run *run, const struct report_meta *m)
{
        struct publish_outcome po;
        publisher_publish(pub, run, m, &po);
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

/* One interval: the session's facts (the probe's counts and its latest probe
 * answers among them), run, print. */
static void interval(const struct watch_opts *o, struct watch_state *st)
{
        unsigned needs = engine_needs(o->selected) | expect_needs(o->expect) | (o->benchmark ? 0 : FACT_KUBELET);
        struct facts f;
        char *err = NULL;
        struct timespec t0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        struct report_meta meta;
        report_meta_start(&meta);
        cJSON *j = line("summary");
        if (collect_session_collect(st->cs, needs, &f, &err) < 0) {
                cJSON_AddStringToObject(j, "error", err);
                free(err);
                emit(o->out, j);
                return;
        }
        const char *probed_at = collect_session_probed_at(st->cs);
        if (probed_at)
                cJSON_AddStringToObject(j, "network_probes_at", probed_at);
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
                publish(o->out, st->pub, &run, &meta);
        if (o->textfile)
                write_textfile(o->out, o->textfile, &run, &meta);
        run_free(&run);
        facts_free(&f);
}

/* The readiness state (--state): whether the probe is attached, refreshed every
 * interval so that a watch that stopped looping goes stale. */
static void write_state(const struct watch_opts *o, const struct observe_facts *of, bool exiting_now)
{
        if (!o->state)
                return;
        bool wanted = engine_needs(o->selected) & FACT_CONNWATCH;
        enum watch_probe p = exiting_now ? WATCH_PROBE_EXITED
                             : !wanted   ? WATCH_PROBE_OFF
                             : of->error ? WATCH_PROBE_ERROR
                                         : WATCH_PROBE_ATTACHED;
        const char *detail = p == WATCH_PROBE_ERROR ? of->error : p == WATCH_PROBE_ATTACHED ? of->mode : NULL;
        int r = watch_state_write(o->state, p, detail, o->interval, time(NULL));
        if (r < 0)
                fprintf(stderr, "nodeward: --state %s: %s\n", o->state, strerror(-r));
}

/* The probe is attached (or could not be): say so before the probes, which may take seconds. */
static void on_attached(const struct observe_facts *of, void *data)
{
        const struct watch_opts *o = data;
        if (engine_needs(o->selected) & FACT_CONNWATCH) {
                cJSON *j = line(of->error ? "error" : "attached");
                cJSON_AddStringToObject(j, of->error ? "error" : "mode", of->error ? of->error : of->mode);
                emit(o->out, j);
        }
        write_state(o, of, false);
}

/* Drop to the readers and install the seccomp filter; 0, or 2 with the error said. */
static int confine(const struct watch_opts *o)
{
        /* From here on the loop only reads: files, /proc, open netlink and BPF fds.
         * README promises a loop that cannot change the system: one that would keep
         * CAP_SYS_ADMIN or CAP_BPF does not start. */
        char *perr = NULL;
        const char *what = "could not drop capabilities";
        int r = privs_drop_to_readers(&perr);
        if (r == 0) {
                /* The loop keeps what it holds and reads; nothing else is possible from here. */
                what = "could not install the seccomp filter";
                r = sandbox_install(SANDBOX_WATCH, &perr);
                if (r == -ENOSYS) {
                        fprintf(stderr, "nodeward: warning: no seccomp filter: %s\n", perr);
                        free(perr);
                        r = 0;
                }
        }
        if (r < 0) {
                fprintf(stderr, "nodeward: error: %s: %s\n", what, perr);
                cJSON *j = line("error");
                char *msg = xasprintf("%s: %s", what, perr);
                cJSON_AddStringToObject(j, "error", msg);
                emit(o->out, j);
                free(msg);
                free(perr);
                return 2;
        }
        sandbox_test_hook();
        return 0;
}

int watch_run(const struct watch_opts *o)
{
        struct watch_state st = {0};
        struct collect_session_opts so = {.needs = engine_needs(o->selected),
                                          .on_sighting = on_sighting,
                                          .on_attached = on_attached,
                                          .data = (void *)o};
        /* First, while this process holds the least it ever will: the session forks
         * its prober, which inherits no BPF object, netlink handle or API client. */
        char *warn = NULL, *err = NULL;
        if (o->textfile) {
                /* Refused now, as check refuses it: a directory reached through a link, or none. */
                struct textfile tf;
                int r = textfile_begin(o->textfile, &tf);
                if (r < 0) {
                        fprintf(stderr, "nodeward: --textfile %s: %s\n", o->textfile, strerror(-r));
                        return 2;
                }
                textfile_abort(&tf);
        }
        if (collect_session_open(&o->collect, &so, &st.cs, &warn, &err) < 0) {
                fprintf(stderr, "nodeward: %s\n", err);
                free(err);
                return 2;
        }
        if (warn) {
                fprintf(stderr, "nodeward: warning: %s\n", warn);
                free(warn);
        }
        if (o->publish) {
                char *perr = NULL;
                struct publish_opts po = *o->publish;
                po.cancel = &exiting; /* SIGTERM ends the retries too */
                if (publisher_new(&po, &st.pub, &perr) < 0) {
                        fprintf(stderr, "nodeward: watch --publish: %s\n", perr);
                        free(perr);
                        collect_session_close(st.cs);
                        return 2;
                }
        }
        struct sigaction sa = {.sa_handler = on_signal};
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        /* Before privileges go: attach, open what later intervals re-read without
         * privilege, run the probes that must enter namespaces. */
        collect_session_start(st.cs);
        int rc = confine(o);
        long long next = mono_ms();
        while (rc == 0 && !exiting) {
                if (mono_ms() >= next) {
                        interval(o, &st);
                        write_state(o, collect_session_observe(st.cs), false);
                        next += (long)o->interval * 1000;
                }
                long long wait = next - mono_ms();
                wait = wait < 0 ? 0 : wait > 200 ? 200 : wait;
                collect_session_poll(st.cs, (int)wait);
        }
        write_state(o, collect_session_observe(st.cs), true);
        collect_session_close(st.cs);
        publisher_free(st.pub);
        emit(o->out, line("exit"));
        return rc;
}
