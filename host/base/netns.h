/* netns: run probes in child processes, each inside a chosen network namespace, and find a pod's namespace. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "base/rootfs.h"

/* A probe that runs in a child; it fills @out (out_size bytes, zeroed first). */
struct ns_job {
        int ns_fd; /* a network namespace to setns() into; -1: stay in the current one */
        void (*fn)(void *arg, void *out);
        void *arg;
        void *out;
        size_t out_size;
        /* Run by the parent on a copied result: the child parsed untrusted data, so its
         * bytes are made valid (bools, terminated strings, counts within arrays) here. */
        void (*check)(void *out);
        int err; /* after the run: 0 result in @out; -ETIMEDOUT killed at the deadline;
                  * else the child's -errno (e.g. setns refused) */
};

/* Start every job at once and return when all have reported or @deadline_ms has
 * passed; stragglers are killed and reaped. */
void ns_jobs_run(struct ns_job *jobs, size_t n, int deadline_ms);

/* Where the node's and a pod's network namespaces are. fds are -1 for "the current one". */
struct netns_plan {
        int host_fd;
        char *host_desc;
        bool have_pod;
        int pod_fd;
        char *pod_desc;   /* which namespace, found how */
        char *pod_absent; /* why there is none (!have_pod, no error) */
        char *pod_error;  /* the namespace could not be opened */
        char *host_error;
};

/* @pod_netns: --pod-netns PATH or NULL. @proc may have fd -1 (no process table). */
void netns_plan_make(const struct rootfs *root, const struct rootfs *proc, const char *pod_netns,
                     struct netns_plan *ret);
void netns_plan_free(struct netns_plan *p);

/* The pid of the first process (lowest pid) whose cgroup file names a kubepods cgroup
 * and whose network namespace is not @host_ns_link ("net:[N]"); -ENOENT if none. */
int netns_find_kubepods_pid(const struct rootfs *proc, const char *host_ns_link, int *ret_pid);
