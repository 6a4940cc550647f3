/* report_ocsf: a run as OCSF Compliance Finding (class 2003) records, one JSON line per check. */
#define _GNU_SOURCE
#include <math.h>
#include <string.h>

#include "render/report_fleet.h"
#include "base/util.h"
#include "base/version.h"

/* The OCSF schema version these records follow (ocsf-schema, events/findings/compliance_finding.json). */
#define OCSF_VERSION "1.2.0"
#define OCSF_CATEGORY_FINDINGS 2
#define OCSF_CLASS_COMPLIANCE_FINDING 2003
#define OCSF_ACTIVITY_CREATE 1

/* severity_id: 1 Informational, 2 Low, 3 Medium, 4 High, 5 Critical (dictionary.json). */
static int severity_id(enum severity s)
{
        return (int)s + 1;
}

static const char *severity_caption(enum severity s)
{
        static const char *const v[] = {"Informational", "Low", "Medium", "High", "Critical"};
        return v[s];
}

/* compliance.status_id: 1 Pass, 2 Warning ("did not yield a result due to missing
 * information": nodeward's error), 3 Fail, 99 Other (warn, skip); status_detail keeps
 * nodeward's own word, so nothing is lost. */
static void compliance_status(enum status s, int *ret_id, const char **ret_caption)
{
        switch (s) {
        case ST_PASS:
                *ret_id = 1;
                *ret_caption = "Pass";
                break;
        case ST_FAIL:
                *ret_id = 3;
                *ret_caption = "Fail";
                break;
        case ST_ERROR:
                *ret_id = 2;
                *ret_caption = "Warning";
                break;
        default:
                *ret_id = 99;
                *ret_caption = s == ST_WARN ? "Warn" : "Not applicable";
                break;
        }
}

static cJSON *metadata(const struct run *run)
{
        cJSON *md = cJSON_CreateObject();
        cJSON_AddStringToObject(md, "version", OCSF_VERSION);
        cJSON *prod = cJSON_AddObjectToObject(md, "product");
        cJSON_AddStringToObject(prod, "name", "nodeward");
        cJSON_AddStringToObject(prod, "vendor_name", "nodeward");
        cJSON_AddStringToObject(prod, "version", NODEWARD_VERSION);
        cJSON_AddStringToObject(prod, "url_string", NODEWARD_URL);
        if (run->benchmark) {
                cJSON *labels = cJSON_AddArrayToObject(md, "labels");
                cJSON_AddItemToArray(labels, cJSON_CreateString(run->benchmark->id));
        }
        return md;
}

static cJSON *compliance(const struct run *run, const struct result *r)
{
        cJSON *c = cJSON_CreateObject();
        int sid;
        const char *cap;
        compliance_status(r->status, &sid, &cap);
        cJSON_AddStringToObject(c, "control", r->check->id);
        cJSON_AddNumberToObject(c, "status_id", sid);
        cJSON_AddStringToObject(c, "status", cap);
        cJSON_AddStringToObject(c, "status_detail", status_name(r->status));
        cJSON *std = cJSON_AddArrayToObject(c, "standards");
        if (run->benchmark && r->item) {
                _cleanup_free_ char *s = xasprintf("%s %s", run->benchmark->name, run->benchmark->version);
                cJSON_AddItemToArray(std, cJSON_CreateString(s));
                cJSON *req = cJSON_AddArrayToObject(c, "requirements");
                cJSON_AddItemToArray(req, cJSON_CreateString(r->item->item));
        } else {
                cJSON_AddItemToArray(std, cJSON_CreateString("nodeward"));
        }
        return c;
}

static cJSON *record(const struct run *run, const struct result *r, const struct report_meta *m)
{
        const struct check_def *c = r->check;
        const char *node = fleet_node_name(run);
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "category_uid", OCSF_CATEGORY_FINDINGS);
        cJSON_AddStringToObject(j, "category_name", "Findings");
        cJSON_AddNumberToObject(j, "class_uid", OCSF_CLASS_COMPLIANCE_FINDING);
        cJSON_AddStringToObject(j, "class_name", "Compliance Finding");
        cJSON_AddNumberToObject(j, "activity_id", OCSF_ACTIVITY_CREATE);
        cJSON_AddStringToObject(j, "activity_name", "Create");
        cJSON_AddNumberToObject(j, "type_uid", OCSF_CLASS_COMPLIANCE_FINDING * 100 + OCSF_ACTIVITY_CREATE);
        cJSON_AddStringToObject(j, "type_name", "Compliance Finding: Create");
        cJSON_AddNumberToObject(j, "time", floor(m->started_epoch * 1000));
        cJSON_AddNumberToObject(j, "severity_id", severity_id(c->severity));
        cJSON_AddStringToObject(j, "severity", severity_caption(c->severity));
        _cleanup_free_ char *msg = fleet_cap(r->evidence[0] ? r->evidence : c->title, FLEET_EVIDENCE_MAX);
        cJSON_AddStringToObject(j, "message", msg);
        cJSON_AddItemToObject(j, "metadata", metadata(run));
        cJSON *fi = cJSON_AddObjectToObject(j, "finding_info");
        _cleanup_free_ char *uid = xasprintf("nodeward/%s/%s", node, c->id);
        cJSON_AddStringToObject(fi, "uid", uid);
        cJSON_AddStringToObject(fi, "title", c->title);
        cJSON_AddStringToObject(fi, "desc", msg);
        cJSON *types = cJSON_AddArrayToObject(fi, "types");
        cJSON_AddItemToArray(types, cJSON_CreateString(c->id));
        cJSON_AddItemToObject(j, "compliance", compliance(run, r));
        cJSON *rem = cJSON_AddObjectToObject(j, "remediation");
        cJSON_AddStringToObject(rem, "desc", result_remediation(r));
        cJSON *refs = cJSON_AddArrayToObject(rem, "references");
        fleet_add_reference_strings(refs, run, r);
        /* "resource" (one resource_details): defined by the class since 1.0. */
        cJSON *nd = cJSON_AddObjectToObject(j, "resource");
        cJSON_AddStringToObject(nd, "type", "Kubernetes Node");
        cJSON_AddStringToObject(nd, "name", node);
        if (run->node.hostname && *run->node.hostname && strcmp(run->node.hostname, node) != 0) {
                cJSON *labels = cJSON_AddArrayToObject(nd, "labels");
                _cleanup_free_ char *h = xasprintf("hostname=%s", run->node.hostname);
                cJSON_AddItemToArray(labels, cJSON_CreateString(h));
        }
        return j;
}

void report_ocsf(FILE *out, const struct run *run, const struct report_meta *m)
{
        for (size_t i = 0; i < run->n; i++) {
                cJSON *j = record(run, &run->results[i], m);
                char *s = cJSON_PrintUnformatted(j);
                fprintf(out, "%s\n", s);
                free(s);
                cJSON_Delete(j);
        }
}
