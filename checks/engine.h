/* engine: select checks, run them over the facts, summarize, and choose the exit code. */
#pragma once

#include <stdbool.h>

#include "check.h"

/* A pod's connection attempt the eBPF probe saw, as reports and watch lines show it. */
struct run_attempt {
        const char *check_id;              /* the catalog's check for this kind of attempt */
        const char *kind;                  /* metric label: "imds", "ssh" (to an sshd port) or "kubelet" */
        bool pod;                          /* made from a kubelet pod's cgroup */
        char *pod_uid, *pod_ns, *pod_name; /* pod_ns and pod_name NULL when unknown */
        char *container_id, *qos;
        bool host_network;
        char *daddr;
        unsigned dport;
        unsigned long long count;
        unsigned pid;
        char *comm;
};

/* What the reports say about the node, taken from the facts when the checks ran
 * (checks/describe.c), so that renderers read the run and nothing else. */
struct run_node {
        char *hostname;
        char *name; /* the Kubernetes node name, or NULL */
        char *root;
        char *kernel, *os;
        bool bottlerocket;
        char *variant;        /* Bottlerocket's variant, or NULL */
        char *detected_by;    /* how Bottlerocket was recognised, or NULL */
        bool kubelet_missing; /* the kubelet was looked for and is not there */
        /* The instance identity document's (NULL: not read); the instance id also
         * from the metadata service's instance-id alone. */
        char *aws_account, *aws_region, *aws_instance;
        bool observed; /* the eBPF probe watched pods during this run */
        struct run_attempt *attempts;
        size_t n_attempts;
};

struct run {
        struct result *results; /* in catalog order, selected checks only */
        size_t n;
        unsigned summary[ST__COUNT];
        const struct benchmark *benchmark; /* the references are this benchmark's items */
        const char *benchmark_why;         /* how it was chosen */
        struct run_node node;
};

/* @only and @skip: comma-separated ids or areas ("kubelet" selects "kubelet.*").
 * A selector that matches nothing is an error (a typo must not pass silently).
 * *ret_selected has check_catalog_len entries. */
int engine_select(const char *only, const char *skip, bool **ret_selected, char **ret_err);
unsigned engine_needs(const bool *selected);
/* Run the selected checks over @f; the checks that judge against the operator's
 * approvals also get @policy (NULL: nothing approved, no registry allowlist given). */
void engine_run(const struct facts *f, const struct policy *policy, const bool *selected, struct run *ret);
/* engine_run against @bench (NULL: the default benchmark); @why is kept for the report. */
void engine_run_benchmark(const struct facts *f, const struct policy *policy, const bool *selected,
                          const struct benchmark *bench, const char *why, struct run *ret);
void run_free(struct run *r);

/* describe.c: fill @run->node and every result's where from @f (engine_run does). */
void run_describe(struct run *run, const struct facts *f);
/* Where @r's setting lives, into @r->where (replacing what was there). */
void result_locate(const struct facts *f, struct result *r);
/* An attempt the probe reported as reports show it; run_attempt_free() releases it.
 * @of is the observation it belongs to, whose ports tell an SSH attempt's kind;
 * NULL: none known (every attempt not to the metadata service is "kubelet"). */
struct observe_facts;
struct observed_attempt;
void run_attempt_describe(const struct observe_facts *of, const struct observed_attempt *a, struct run_attempt *ret);
void run_attempt_free(struct run_attempt *a);
void run_node_free(struct run_node *n);

/* 1 if a check failed at or above @fail_on, else 2 if any could not be evaluated, else 0. */
int engine_exit_code(const struct run *r, enum severity fail_on);
