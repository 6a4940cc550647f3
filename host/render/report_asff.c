/* report_asff: a run as an AWS Security Finding Format BatchImportFindings request, one
 * finding per check, with ids stable across runs so a re-run updates, and a pass closes. */
#define _GNU_SOURCE
#include <ctype.h>
#include <string.h>

#include "render/report_fleet.h"
#include "base/util.h"
#include "base/version.h"

#define ASFF_SCHEMA_VERSION "2018-10-08"
/* The AwsSecurityFinding limits nodeward's text could reach (Security Hub's API reference). */
#define ASFF_TITLE_MAX 256
#define ASFF_DESC_MAX 1024
#define ASFF_RECOMMENDATION_MAX 512
#define ASFF_REQUIREMENTS_MAX 32

#define PLACEHOLDER_ACCOUNT "000000000000"
#define PLACEHOLDER_REGION "unknown-region"

/* "arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME": copy REGION and ACCOUNT out. */
static void parse_cluster_arn(const char *arn, struct aws_identity_buf *buf, bool *ret_region, bool *ret_account)
{
        *ret_region = *ret_account = false;
        if (!arn || !str_startswith(arn, "arn:"))
                return;
        const char *f[6] = {0};
        size_t n = 0;
        for (const char *p = arn; n < 6; n++) {
                f[n] = p;
                const char *c = strchr(p, ':');
                if (!c)
                        break;
                p = c + 1;
        }
        if (n < 5 || strncmp(f[2], "eks:", 4) != 0)
                return;
        size_t rl = (size_t)(f[4] - f[3] - 1), al = (size_t)(f[5] ? f[5] - f[4] - 1 : 0);
        if (rl > 0 && rl < sizeof(buf->region)) {
                memcpy(buf->region, f[3], rl);
                buf->region[rl] = '\0';
                *ret_region = true;
        }
        if (al == 12) {
                memcpy(buf->account, f[4], al);
                buf->account[al] = '\0';
                *ret_account = true;
        }
}

void report_aws_identity_fill(const struct run *run, struct aws_identity *id, struct aws_identity_buf *buf,
                              char **ret_placeholders)
{
        /* The flags first, then the instance's identity document, then the cluster ARN. */
        const struct run_node *n = &run->node;
        if (n->aws_account) {
                if (!id->account)
                        id->account = n->aws_account;
                if (!id->region)
                        id->region = n->aws_region;
                if (!id->instance)
                        id->instance = n->aws_instance;
        }
        bool region = false, account = false;
        parse_cluster_arn(id->cluster_arn, buf, &region, &account);
        if (!id->region && region)
                id->region = buf->region;
        if (!id->account && account)
                id->account = buf->account;
        if (!id->instance && n->aws_instance)
                id->instance = n->aws_instance;
        struct strbuf sb = {0};
        if (!id->account) {
                id->account = PLACEHOLDER_ACCOUNT;
                sb_puts(&sb, "account " PLACEHOLDER_ACCOUNT);
        }
        if (!id->region) {
                id->region = PLACEHOLDER_REGION;
                sb_printf(&sb, "%sregion " PLACEHOLDER_REGION, sb.len ? ", " : "");
        }
        if (!id->instance) {
                /* The node's name keeps the finding ids of one node stable without an instance id. */
                id->instance = fleet_node_name(run);
                sb_printf(&sb, "%sinstance \"%s\" (the node's name)", sb.len ? ", " : "", id->instance);
        }
        *ret_placeholders = sb.len ? sb_steal(&sb) : NULL;
        sb_free(&sb);
}

static const char *partition(const char *region)
{
        if (str_startswith(region, "cn-"))
                return "aws-cn";
        if (str_startswith(region, "us-gov-"))
                return "aws-us-gov";
        return "aws";
}

static const char *severity_label(enum severity s)
{
        static const char *const v[] = {"INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"};
        return v[s];
}

/* Security Hub closes a finding whose compliance status is PASSED; what could not be
 * decided is NOT_AVAILABLE, as is a check that does not apply to this node. */
static const char *compliance_status(enum status s)
{
        switch (s) {
        case ST_PASS: return "PASSED";
        case ST_FAIL: return "FAILED";
        case ST_WARN: return "WARNING";
        default: return "NOT_AVAILABLE";
        }
}

static bool is_instance_id(const char *s)
{
        if (!str_startswith(s, "i-") || strlen(s) < 10 || strlen(s) > 19)
                return false;
        for (const char *p = s + 2; *p; p++)
                if (!isxdigit((unsigned char)*p))
                        return false;
        return true;
}

static cJSON *resources(const struct aws_identity *id, const char *node)
{
        cJSON *arr = cJSON_CreateArray();
        cJSON *r = cJSON_CreateObject();
        const char *part = partition(id->region);
        if (is_instance_id(id->instance)) {
                _cleanup_free_ char *arn = xasprintf("arn:%s:ec2:%s:%s:instance/%s", part, id->region, id->account,
                                                     id->instance);
                cJSON_AddStringToObject(r, "Type", "AwsEc2Instance");
                cJSON_AddStringToObject(r, "Id", arn);
        } else {
                cJSON_AddStringToObject(r, "Type", "Other");
                cJSON_AddStringToObject(r, "Id", id->instance);
        }
        cJSON_AddStringToObject(r, "Partition", part);
        cJSON_AddStringToObject(r, "Region", id->region);
        cJSON *tags = cJSON_AddObjectToObject(r, "Tags");
        cJSON_AddStringToObject(tags, "kubernetes.io/node", node);
        cJSON_AddItemToArray(arr, r);
        if (id->cluster_arn && *id->cluster_arn) {
                cJSON *c = cJSON_CreateObject();
                cJSON_AddStringToObject(c, "Type", "AwsEksCluster");
                cJSON_AddStringToObject(c, "Id", id->cluster_arn);
                cJSON_AddStringToObject(c, "Partition", part);
                cJSON_AddStringToObject(c, "Region", id->region);
                cJSON_AddItemToArray(arr, c);
        }
        return arr;
}

/* Compliance.RelatedRequirements: the benchmark item, then the catalog's references. */
static cJSON *requirements(const struct run *run, const struct result *r)
{
        cJSON *arr = cJSON_CreateArray();
        fleet_add_reference_strings(arr, run, r);
        while (cJSON_GetArraySize(arr) > ASFF_REQUIREMENTS_MAX)
                cJSON_DeleteItemFromArray(arr, ASFF_REQUIREMENTS_MAX);
        return arr;
}

static cJSON *finding(const struct run *run, const struct result *r, const struct report_meta *m,
                      const struct aws_identity *id)
{
        const struct check_def *c = r->check;
        const char *node = fleet_node_name(run);
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "SchemaVersion", ASFF_SCHEMA_VERSION);
        _cleanup_free_ char *fid = xasprintf("nodeward/%s/%s/%s/%s", id->region, id->account, id->instance, c->id);
        cJSON_AddStringToObject(j, "Id", fid);
        _cleanup_free_ char *parn = xasprintf("arn:%s:securityhub:%s:%s:product/%s/default", partition(id->region),
                                              id->region, id->account, id->account);
        cJSON_AddStringToObject(j, "ProductArn", parn);
        cJSON_AddStringToObject(j, "ProductName", "nodeward");
        cJSON_AddStringToObject(j, "CompanyName", "nodeward");
        _cleanup_free_ char *gen = xasprintf("nodeward/%s", c->id);
        cJSON_AddStringToObject(j, "GeneratorId", gen);
        cJSON_AddStringToObject(j, "AwsAccountId", id->account);
        cJSON_AddStringToObject(j, "Region", id->region);
        cJSON *types = cJSON_AddArrayToObject(j, "Types");
        cJSON_AddItemToArray(
                types,
                cJSON_CreateString(
                        r->item ? "Software and Configuration Checks/Industry and Regulatory Standards/CIS Host Hardening Benchmarks"
                                : "Software and Configuration Checks"));
        cJSON_AddStringToObject(j, "FirstObservedAt", m->started);
        cJSON_AddStringToObject(j, "LastObservedAt", m->started);
        cJSON_AddStringToObject(j, "CreatedAt", m->started);
        cJSON_AddStringToObject(j, "UpdatedAt", m->started);
        /* A closed finding is informational, as Security Hub's own controls report a pass. */
        cJSON *sev = cJSON_AddObjectToObject(j, "Severity");
        cJSON_AddStringToObject(sev, "Label",
                                r->status == ST_FAIL || r->status == ST_WARN ? severity_label(c->severity)
                                                                             : "INFORMATIONAL");
        cJSON_AddStringToObject(sev, "Original", severity_name(c->severity));
        _cleanup_free_ char *title = fleet_cap(c->title, ASFF_TITLE_MAX);
        cJSON_AddStringToObject(j, "Title", title);
        _cleanup_free_ char *desc = fleet_cap(r->evidence[0] ? r->evidence : c->title, ASFF_DESC_MAX);
        cJSON_AddStringToObject(j, "Description", desc);
        cJSON *rec = cJSON_AddObjectToObject(cJSON_AddObjectToObject(j, "Remediation"), "Recommendation");
        _cleanup_free_ char *fix = fleet_cap(result_remediation(r), ASFF_RECOMMENDATION_MAX);
        cJSON_AddStringToObject(rec, "Text", fix);
        cJSON *pf = cJSON_AddObjectToObject(j, "ProductFields");
        cJSON_AddStringToObject(pf, "nodeward/CheckId", c->id);
        cJSON_AddStringToObject(pf, "nodeward/Status", status_name(r->status));
        cJSON_AddStringToObject(pf, "nodeward/Node", node);
        cJSON_AddStringToObject(pf, "nodeward/Version", NODEWARD_VERSION);
        if (run->benchmark && r->item) {
                cJSON_AddStringToObject(pf, "nodeward/Benchmark", run->benchmark->id);
                cJSON_AddStringToObject(pf, "nodeward/BenchmarkItem", r->item->item);
        }
        cJSON_AddItemToObject(j, "Resources", resources(id, node));
        cJSON *comp = cJSON_AddObjectToObject(j, "Compliance");
        cJSON_AddStringToObject(comp, "Status", compliance_status(r->status));
        cJSON_AddItemToObject(comp, "RelatedRequirements", requirements(run, r));
        cJSON_AddStringToObject(j, "RecordState", "ACTIVE");
        return j;
}

cJSON *report_asff(const struct run *run, const struct report_meta *m, const struct aws_identity *id)
{
        cJSON *o = cJSON_CreateObject();
        cJSON *arr = cJSON_AddArrayToObject(o, "Findings");
        for (size_t i = 0; i < run->n; i++)
                cJSON_AddItemToArray(arr, finding(run, &run->results[i], m, id));
        return o;
}
