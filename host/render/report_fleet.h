/* report_fleet: the formats fleet tooling ingests: OpenReports/PolicyReport, ASFF, OCSF and JUnit. */
#pragma once

#include <stdio.h>

#include "render/report.h"

/* Evidence in a fleet record is cut to this many bytes (on a UTF-8 boundary, "..." added). */
#define FLEET_EVIDENCE_MAX 1024

/* The Kubernetes API a node report is written for. */
enum report_api {
        REPORT_API_OPENREPORTS,  /* openreports.io/v1alpha1 ClusterReport */
        REPORT_API_POLICYREPORT, /* wgpolicyk8s.io/v1alpha2 ClusterPolicyReport */
};

/* One cluster-scoped report for this node: scope is the Node (NODE_NAME, else the
 * hostname), one result per check. The object is ready to create or replace with the
 * API server as it is (metadata.name "nodeward-NODE"); the caller owns it. */
cJSON *report_openreports_build(const struct run *run, const struct report_meta *m, enum report_api api);

/* Who the node is to AWS, for ASFF. Any field may be NULL: report_aws_identity_fill()
 * completes it from the instance identity document (when the metadata probe read it),
 * then the cluster ARN, then with stable placeholders (and says which in
 * *ret_placeholders, malloc'ed, NULL if none). The strings point into @run, @buf or @id. */
struct aws_identity {
        const char *account;     /* 12 digits */
        const char *region;      /* "eu-west-1" */
        const char *instance;    /* "i-0123456789abcdef0" */
        const char *cluster_arn; /* "arn:aws:eks:REGION:ACCOUNT:cluster/NAME"; NULL: no cluster resource */
};
/* @buf holds strings parsed out of the ARN; keep it as long as @id. */
struct aws_identity_buf {
        char account[16];
        char region[32];
};
void report_aws_identity_fill(const struct run *run, struct aws_identity *id, struct aws_identity_buf *buf,
                              char **ret_placeholders);

/* A BatchImportFindings request: {"Findings": [...]}, one finding per check with a
 * stable Id per (region, account, instance, check). */
cJSON *report_asff(const struct run *run, const struct report_meta *m, const struct aws_identity *id);

/* OCSF Compliance Finding (class 2003) records, one JSON object per line. */
void report_ocsf(FILE *out, const struct run *run, const struct report_meta *m);

/* JUnit XML: one testcase per check. */
void report_junit(FILE *out, const struct run *run, const struct report_meta *m);

/* Shared by the fleet renderers (report_fleet.c). */
/* The node's name for reports: NODE_NAME, else the hostname, else "unknown". */
const char *fleet_node_name(const struct run *run);
/* The area of a check id: "kubelet" of "kubelet.read-only-port" (malloc'ed). */
char *fleet_area(const char *check_id);
/* @s cut to FLEET_EVIDENCE_MAX bytes (malloc'ed). */
char *fleet_cap(const char *s, size_t max);
/* The check's references, the benchmark item first, as strings in @arr. */
void fleet_add_reference_strings(cJSON *arr, const struct run *run, const struct result *r);
