/* report_openreports: a node's run as one cluster-scoped OpenReports ClusterReport or
 * wgpolicyk8s.io v1alpha2 ClusterPolicyReport, scoped to the Node. */
#define _GNU_SOURCE
#include <ctype.h>
#include <math.h>
#include <string.h>

#include "render/report_fleet.h"
#include "base/util.h"
#include "base/version.h"

/* "nodeward-" and the node's name as a DNS subdomain (RFC 1123): NODE_NAME already is
 * one; a hostname is lowered and anything else becomes '-'. At most 253 bytes. */
static char *report_name(const char *node)
{
        struct strbuf sb = {0};
        sb_puts(&sb, "nodeward-");
        for (const char *p = node; *p && sb.len < 253; p++) {
                char c = (char)tolower((unsigned char)*p);
                sb_putc(&sb, (isalnum((unsigned char)c) || c == '.' || c == '-') && (unsigned char)c < 0x80 ? c : '-');
        }
        char *s = sb_steal(&sb);
        /* A subdomain ends with an alphanumeric character. */
        for (size_t n = strlen(s); n > 0 && !isalnum((unsigned char)s[n - 1]); n--)
                s[n - 1] = '\0';
        return s;
}

/* The CRDs keep properties as a map of strings: structured values go in as JSON text. */
static void add_json_property(cJSON *props, const char *key, cJSON *value)
{
        char *s = cJSON_PrintUnformatted(value);
        cJSON_AddStringToObject(props, key, s);
        free(s);
        cJSON_Delete(value);
}

static cJSON *result_properties(const struct run *run, const struct result *r)
{
        cJSON *props = cJSON_CreateObject();
        cJSON_AddStringToObject(props, "title", r->check->title);
        cJSON_AddStringToObject(props, "remediation", result_remediation(r));
        if (run->benchmark && r->item) {
                cJSON_AddStringToObject(props, "benchmark", run->benchmark->id);
                cJSON_AddStringToObject(props, "benchmark.item", r->item->item);
                char lvl[4];
                snprintf(lvl, sizeof(lvl), "%u", (unsigned)r->item->level);
                cJSON_AddStringToObject(props, "benchmark.level", lvl);
                cJSON_AddStringToObject(props, "benchmark.assessment", assessment_name(r->item->assessment));
        }
        cJSON *refs = cJSON_CreateArray();
        fleet_add_reference_strings(refs, run, r);
        add_json_property(props, "references", refs);
        cJSON *brefs = cJSON_CreateArray();
        if (run->benchmark && r->item)
                cJSON_AddItemToArray(brefs, report_benchmark_ref(run->benchmark, r->item));
        add_json_property(props, "benchmark_references", brefs);
        const struct result_where *w = &r->where;
        if (w->path) {
                cJSON_AddStringToObject(props, "source.file", w->path);
                if (w->line) {
                        char line[16];
                        snprintf(line, sizeof(line), "%u", w->line);
                        cJSON_AddStringToObject(props, "source.line", line);
                }
        }
        if (w->layer)
                cJSON_AddStringToObject(props, "source.layer", w->layer);
        return props;
}

static cJSON *report_result(const struct run *run, const struct result *r, const struct report_meta *m)
{
        const struct check_def *c = r->check;
        cJSON *j = cJSON_CreateObject();
        _cleanup_free_ char *area = fleet_area(c->id);
        cJSON_AddStringToObject(j, "source", "nodeward");
        /* The policy is the benchmark the check is an item of, else the check's area. */
        cJSON_AddStringToObject(j, "policy", run->benchmark && r->item ? run->benchmark->id : area);
        cJSON_AddStringToObject(j, "rule", c->id);
        cJSON_AddStringToObject(j, "category", area);
        /* Both APIs name the same five severities and five results as nodeward. */
        cJSON_AddStringToObject(j, "severity", severity_name(c->severity));
        cJSON_AddStringToObject(j, "result", status_name(r->status));
        /* CIS scores the automated items; manual ones and checks outside it are not scored. */
        cJSON_AddBoolToObject(j, "scored", r->item && r->item->assessment == ASSESS_AUTOMATED);
        _cleanup_free_ char *msg = fleet_cap(r->evidence[0] ? r->evidence : c->title, FLEET_EVIDENCE_MAX);
        cJSON_AddStringToObject(j, "message", msg);
        cJSON *ts = cJSON_AddObjectToObject(j, "timestamp");
        double sec = floor(m->started_epoch);
        cJSON_AddNumberToObject(ts, "seconds", sec);
        cJSON_AddNumberToObject(ts, "nanos", floor((m->started_epoch - sec) * 1e9));
        cJSON_AddItemToObject(j, "properties", result_properties(run, r));
        return j;
}

cJSON *report_openreports_build(const struct run *run, const struct report_meta *m, enum report_api api)
{
        const char *node = fleet_node_name(run);
        cJSON *o = cJSON_CreateObject();
        bool orep = api == REPORT_API_OPENREPORTS;
        cJSON_AddStringToObject(o, "apiVersion", orep ? "openreports.io/v1alpha1" : "wgpolicyk8s.io/v1alpha2");
        cJSON_AddStringToObject(o, "kind", orep ? "ClusterReport" : "ClusterPolicyReport");
        cJSON *meta = cJSON_AddObjectToObject(o, "metadata");
        _cleanup_free_ char *name = report_name(node);
        cJSON_AddStringToObject(meta, "name", name);
        cJSON *labels = cJSON_AddObjectToObject(meta, "labels");
        cJSON_AddStringToObject(labels, "app.kubernetes.io/managed-by", "nodeward");
        cJSON *ann = cJSON_AddObjectToObject(meta, "annotations");
        cJSON_AddStringToObject(ann, "nodeward.io/version", NODEWARD_VERSION);
        cJSON_AddStringToObject(ann, "nodeward.io/started", m->started);
        if (run->benchmark)
                cJSON_AddStringToObject(ann, "nodeward.io/benchmark", run->benchmark->id);
        cJSON *scope = cJSON_AddObjectToObject(o, "scope");
        cJSON_AddStringToObject(scope, "apiVersion", "v1");
        cJSON_AddStringToObject(scope, "kind", "Node");
        cJSON_AddStringToObject(scope, "name", node);
        if (orep)
                cJSON_AddStringToObject(o, "source", "nodeward");
        cJSON *sum = cJSON_AddObjectToObject(o, "summary");
        for (int s = 0; s < ST__COUNT; s++)
                cJSON_AddNumberToObject(sum, status_name((enum status)s), run->summary[s]);
        cJSON *results = cJSON_AddArrayToObject(o, "results");
        for (size_t i = 0; i < run->n; i++)
                cJSON_AddItemToArray(results, report_result(run, &run->results[i], m));
        return o;
}
