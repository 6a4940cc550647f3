/* publish: the node's results as an OpenReports ClusterReport, applied through the API server. */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "engine.h"
#include "base/kubeapi.h"
#include "render/report.h"

#define PUBLISH_RESOURCE "/apis/openreports.io/v1alpha1/clusterreports"
#define PUBLISH_FIELD_MANAGER "nodeward"

struct publish_opts {
        const char *api;                     /* --publish-api URL, or NULL (in-cluster) */
        const char *token_file;              /* --publish-token-file, or NULL */
        const char *ca_file;                 /* --publish-ca, or NULL */
        const char *node;                    /* the Node this pod runs on ($NODE_NAME), or NULL */
        int attempts;                        /* tries of each request (0: 4) */
        int budget_ms;                       /* all tries of one publish, backoff included (0: 30 s) */
        int refresh_s;                       /* publish an unchanged report again after this long (0: 1 h) */
        const volatile sig_atomic_t *cancel; /* nonzero: no further try (SIGTERM) */
};

/* The ClusterReport for @run (started as @m says) on Node @node (uid @node_uid):
 * report_openreports_build()'s object, what --format openreports prints, named for
 * @node, with scope.uid and an owner reference to the Node added. The object server-side
 * apply sends; the caller owns it. */
cJSON *publish_report_body(const struct run *run, const struct report_meta *m, const char *node, const char *node_uid);
/* "nodeward-NODE", or NULL when @node is not a valid Node name (DNS-1123 subdomain)
 * or the report name would be too long. */
char *publish_report_name(const char *node);

struct publisher;

/* The configuration checked and kept; nothing is sent yet. Returns 0, or -EINVAL with
 * *ret_err saying why (no node name, not in a cluster, a bad URL). */
int publisher_new(const struct publish_opts *o, struct publisher **ret, char **ret_err);
void publisher_free(struct publisher *p);

/* What one publish did, for the watch's JSON line. */
struct publish_outcome {
        bool sent; /* false: unchanged since the last success and not yet due */
        bool ok;
        int attempts; /* requests sent, every try of each */
        int status;   /* the last HTTP status, 0 when none */
        char error[256];
        char name[256]; /* the report's name */
};

/* Apply the report for @run (its start in @m) unless it is unchanged since the last success and
 * younger than refresh_s: the Node's uid first (GET, once), then server-side apply,
 * retried with backoff on connection errors, 409, 429 and 5xx, within the attempt and
 * time budget. Never exits; failures are in *ret. */
void publisher_publish(struct publisher *p, const struct run *run, const struct report_meta *m,
                       struct publish_outcome *ret);
