/* watch: observe continuously, re-run the checks every interval, print JSON lines. */
#define _GNU_SOURCE
#include "watch.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "engine.h"
#include "facts.h"
#include "observe.h"
#include "privs.h"
#include "report.h"
#include "textfile.h"
#include "util.h"

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
        cJSON *j = line("finding");
        cJSON_AddStringToObject(j, "check", a->metadata ? "imds.pod-attempts" : "ssh.pod-attempts");
        cJSON *pod = cJSON_AddObjectToObject(j, "pod");
        cJSON_AddStringToObject(pod, "uid", a->ref.uid);
        if (a->pod_name) {
                cJSON_AddStringToObject(pod, "namespace", a->pod_ns);
                cJSON_AddStringToObject(pod, "name", a->pod_name);
        }
        cJSON_AddStringToObject(pod, "container", a->ref.container_id);
        cJSON_AddStringToObject(pod, "qos", a->ref.qos);
        cJSON_AddBoolToObject(j, "host_network", a->host_network);
        cJSON_AddStringToObject(j, "daddr", a->daddr);
        cJSON_AddNumberToObject(j, "dport", a->dport);
        cJSON_AddNumberToObject(j, "pid", a->pid);
        cJSON_AddStringToObject(j, "comm", a->comm);
        emit(out, j);
}

/* The same metrics `check --textfile` writes, replaced atomically. */
static void write_textfile(const char *path, const struct facts *f, const struct run *run,
                           const struct report_meta *m)
{
        struct textfile tf = {0};
        if (textfile_begin(path, &tf) < 0)
                return;
        report_prometheus(tf.f, f, run, m);
        textfile_commit(&tf);
}

/* One interval: collect the other facts afresh, add the observed counts, run, print. */
static void interval(const struct watch_opts *o, struct observe_session *s, struct observe_facts *of)
{
        struct collect_opts co = {.root = o->root, .proc = o->proc, .netns = o->netns, .pod_netns = o->pod_netns,
                                  .allow_listeners = o->allow, .n_allow_listeners = o->n_allow,
                                  .needs = engine_needs(o->selected) & ~(unsigned)FACT_CONNWATCH};
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
        struct run run;
        engine_run(&f, o->selected, &run);
        report_meta_finish(&meta, &t0);
        cJSON *sum = cJSON_AddObjectToObject(j, "summary");
        for (int st = 0; st < ST__COUNT; st++)
                cJSON_AddNumberToObject(sum, status_name((enum status)st), run.summary[st]);
        cJSON *res = cJSON_AddArrayToObject(j, "results");
        for (size_t i = 0; i < run.n; i++) {
                cJSON *r = cJSON_CreateObject();
                cJSON_AddStringToObject(r, "id", run.results[i].check->id);
                cJSON_AddStringToObject(r, "status", status_name(run.results[i].status));
                cJSON_AddStringToObject(r, "evidence", run.results[i].evidence);
                cJSON_AddItemToArray(res, r);
        }
        emit(o->out, j);
        if (o->textfile)
                write_textfile(o->textfile, &f, &run, &meta);
        run_free(&run);
        memset(&f.observe, 0, sizeof(f.observe)); /* owned by the caller */
        facts_free(&f);
}

static long mono_ms(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int watch_run(const struct watch_opts *o)
{
        struct rootfs root = {.fd = -1}, proc = {.fd = -1};
        const char *rootp = o->root && *o->root ? o->root : "/";
        if (rootfs_open_root(rootp, &root) < 0 ||
            (o->proc ? rootfs_open_root(o->proc, &proc) : rootfs_open_subroot(&root, "proc", &proc)) < 0) {
                fprintf(stderr, "nodeward: cannot open --root %s or its proc: %s\n", rootp, strerror(errno));
                rootfs_close(&root);
                return 2;
        }
        struct sigaction sa = {.sa_handler = on_signal};
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        struct observe_facts of = {0};
        struct observe_session *s = NULL;
        if (engine_needs(o->selected) & FACT_CONNWATCH) {
                struct observe_opts oo = {.seconds = 0, .verbose = o->verbose, .on_sighting = on_sighting,
                                          .data = o->out};
                observe_begin(&root, &proc, &oo, &of, &s);
                cJSON *j = line(of.error ? "error" : "attached");
                cJSON_AddStringToObject(j, of.error ? "error" : "mode", of.error ? of.error : of.mode);
                emit(o->out, j);
        }
        /* The network probes and the socket inventory enter namespaces again at every interval. */
        int r = privs_drop_to_readers(engine_needs(o->selected) &
                                       (FACT_IMDS | FACT_POD_IMDS | FACT_POD_SSH | FACT_SOCKETS));
        if (r < 0 && r != -EPERM)
                fprintf(stderr, "nodeward: warning: could not drop capabilities: %s\n", strerror(-r));
        long start = mono_ms(), next = start;
        while (!exiting) {
                if (mono_ms() >= next) {
                        of.seconds = (int)((mono_ms() - start) / 1000);
                        interval(o, s, &of);
                        next += (long)o->interval * 1000;
                }
                long wait = next - mono_ms();
                wait = wait < 0 ? 0 : wait > 200 ? 200 : wait;
                if (s)
                        observe_poll(s, (int)wait);
                else
                        nanosleep(&(struct timespec){.tv_nsec = wait * 1000000}, NULL);
        }
        observe_session_free(s); /* detaches: no link outlives the process */
        observe_facts_free(&of);
        emit(o->out, line("exit"));
        rootfs_close(&proc);
        rootfs_close(&root);
        return 0;
}
