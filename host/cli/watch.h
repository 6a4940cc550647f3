/* watch: observe continuously, re-run the checks every interval, print JSON lines. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "collect/facts.h"

struct benchmark;
struct policy;
struct publish_opts;

struct watch_opts {
        /* What every interval collects with: root, proc, namespaces, the audit watch
         * list, --probe and --verbose (the caller's run preparation); needs is set here. */
        struct collect_opts collect;
        const struct policy *policy; /* the operator's approvals, for the checks that judge by them */
        const bool *selected;        /* from engine_select() */
        int interval;                /* seconds between check runs */
        const char *textfile;        /* Prometheus textfile, or NULL */
        const char *state;           /* readiness state file (watch_state.c), or NULL */
        FILE *out;
        const struct benchmark *benchmark;  /* --benchmark; NULL: chosen for the node each interval */
        unsigned expect;                    /* EXPECT_* (expect.h): missing components are errors */
        const struct publish_opts *publish; /* --publish (publish.h), or NULL */
};

/* Runs until SIGTERM or SIGINT; detaches the probe before returning.
 * Returns 0, or 2 when the root could not be opened, capabilities could not be
 * dropped, or the --publish configuration is unusable. */
int watch_run(const struct watch_opts *o);

/* watch_state.c: the readiness state file. */
enum watch_probe {
        WATCH_PROBE_ATTACHED,
        WATCH_PROBE_ERROR,
        WATCH_PROBE_OFF,
        WATCH_PROBE_EXITED
};

/* Replace @path atomically with the probe's state at @now; @detail is the mode
 * (attached) or the reason (error). Returns 0 or -errno. */
int watch_state_write(const char *path, enum watch_probe probe, const char *detail, int interval, time_t now);
/* 1 when @text says a watch is ready at @now, else 0; *ret_reason says why either way. */
int watch_state_evaluate(const char *text, time_t now, char **ret_reason);
/* watch_state_evaluate() on the file at @path (read capped at 4 KiB); a missing or
 * unreadable file is not ready. */
int watch_state_check(const char *path, time_t now, char **ret_reason);
