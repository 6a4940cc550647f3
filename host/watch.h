/* watch: observe continuously, re-run the checks every interval, print JSON lines. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct benchmark;

struct watch_opts {
        const char *root, *proc, *netns, *pod_netns;
        const char *const *allow; /* --allow-listener entries */
        size_t n_allow;
        const bool *selected; /* from engine_select() */
        int interval;         /* seconds between check runs */
        const char *textfile; /* Prometheus textfile, or NULL */
        bool verbose;
        FILE *out;
        const struct benchmark *benchmark; /* --benchmark; NULL: chosen for the node each interval */
};

/* Runs until SIGTERM or SIGINT; detaches the probe before returning.
 * Returns 0, or 2 when the root could not be opened. */
int watch_run(const struct watch_opts *o);
