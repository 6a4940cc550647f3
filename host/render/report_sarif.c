/* report_sarif: render one run as a SARIF 2.1.0 log: one rule per check, one result per check run. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/report.h"
#include "base/util.h"
#include "base/version.h"

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

/* GitHub code scanning ranks security results by this CVSS-like number. */
static const char *security_severity(enum severity s)
{
        static const char *const v[] = {"0.0", "3.0", "5.5", "8.0", "9.5"};
        return v[s];
}

/* SARIF §3.27.10: a level other than "none" is allowed only with kind "fail". */
static const char *fail_level(enum severity s)
{
        if (s >= SEV_HIGH)
                return "error";
        return s == SEV_MEDIUM ? "warning" : "note";
}

static void result_kind_level(const struct result *r, const char **ret_kind, const char **ret_level)
{
        switch (r->status) {
        case ST_PASS:
                *ret_kind = "pass";
                *ret_level = "none";
                break;
        case ST_FAIL:
                *ret_kind = "fail";
                *ret_level = fail_level(r->check->severity);
                break;
        /* A warning is a weaker finding: still a problem a dashboard should show. */
        case ST_WARN:
                *ret_kind = "fail";
                *ret_level = "warning";
                break;
        case ST_SKIP:
                *ret_kind = "notApplicable";
                *ret_level = "none";
                break;
        /* "open": the rule ran but could not decide pass or fail (§3.27.9). */
        default:
                *ret_kind = "open";
                *ret_level = "none";
                break;
        }
}

/* An absolute host path as a file: URI, percent-encoding all but RFC 3986 path characters. */
static char *file_uri(const char *path)
{
        struct strbuf sb = {0};
        sb_puts(&sb, "file://");
        for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
                if (isalnum(*p) || strchr("/-._~!$&'()*+,;=:@", *p))
                        sb_putc(&sb, (char)*p);
                else
                        sb_printf(&sb, "%%%02X", *p);
        }
        return sb_steal(&sb);
}

static cJSON *sarif_location(const struct result_where *w)
{
        cJSON *loc = cJSON_CreateObject();
        cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
        cJSON *art = cJSON_AddObjectToObject(phys, "artifactLocation");
        _cleanup_free_ char *uri = file_uri(w->path);
        cJSON_AddStringToObject(art, "uri", uri);
        /* Without a known line the finding is about the file as a whole (its mode,
         * owner or a setting it lacks): line 1, as code-scanning UIs show a file. */
        cJSON *region = cJSON_AddObjectToObject(phys, "region");
        cJSON_AddNumberToObject(region, "startLine", w->line ? w->line : 1);
        if (w->col)
                cJSON_AddNumberToObject(region, "startColumn", w->col);
        return loc;
}

/* The rule's readable name (§3.49.7): the id in Pascal case, "kubelet.read-only-port"
 * -> "KubeletReadOnlyPort"; the id stays the stable key. */
static char *rule_name(const char *id)
{
        char *s = xstrdup(id);
        size_t n = 0;
        bool up = true;
        for (const char *p = id; *p; p++) {
                if (*p == '.' || *p == '-' || *p == '_') {
                        up = true;
                        continue;
                }
                s[n++] = up ? (char)toupper((unsigned char)*p) : *p;
                up = false;
        }
        s[n] = '\0';
        return s;
}

static cJSON *sarif_rule(const struct run *run, const struct result *r)
{
        const struct check_def *c = r->check;
        cJSON *rule = cJSON_CreateObject();
        cJSON_AddStringToObject(rule, "id", c->id);
        _cleanup_free_ char *name = rule_name(c->id);
        cJSON_AddStringToObject(rule, "name", name);
        cJSON *full = cJSON_AddObjectToObject(rule, "fullDescription");
        cJSON_AddStringToObject(full, "text", c->title);
        cJSON *desc = cJSON_AddObjectToObject(rule, "shortDescription");
        cJSON_AddStringToObject(desc, "text", c->title);
        cJSON *help = cJSON_AddObjectToObject(rule, "help");
        cJSON_AddStringToObject(help, "text", c->remediation);
        cJSON *conf = cJSON_AddObjectToObject(rule, "defaultConfiguration");
        cJSON_AddStringToObject(conf, "level", fail_level(c->severity));
        cJSON *props = cJSON_AddObjectToObject(rule, "properties");
        cJSON_AddStringToObject(props, "severity", severity_name(c->severity));
        cJSON_AddStringToObject(props, "security-severity", security_severity(c->severity));
        cJSON *tags = cJSON_AddArrayToObject(props, "tags");
        cJSON_AddItemToArray(tags, cJSON_CreateString("security"));
        /* Tags are what code-scanning UIs filter on: the item, its level and assessment. */
        if (run->benchmark && r->item) {
                _cleanup_free_ char *ref = benchmark_ref_str(run->benchmark, r->item);
                _cleanup_free_ char *lvl = xasprintf("level-%u", (unsigned)r->item->level);
                cJSON_AddItemToArray(tags, cJSON_CreateString(ref));
                cJSON_AddItemToArray(tags, cJSON_CreateString(lvl));
                cJSON_AddItemToArray(tags, cJSON_CreateString(assessment_name(r->item->assessment)));
        }
        report_add_references(props, run->benchmark, r);
        return rule;
}

static cJSON *sarif_result(const struct result *r, size_t index)
{
        const char *kind, *level;
        result_kind_level(r, &kind, &level);
        cJSON *j = cJSON_CreateObject();
        cJSON_AddStringToObject(j, "ruleId", r->check->id);
        cJSON_AddNumberToObject(j, "ruleIndex", (double)index);
        cJSON_AddStringToObject(j, "kind", kind);
        cJSON_AddStringToObject(j, "level", level);
        cJSON *msg = cJSON_AddObjectToObject(j, "message");
        cJSON_AddStringToObject(msg, "text", r->evidence[0] ? r->evidence : r->check->title);
        if (r->where.path) {
                cJSON *locs = cJSON_AddArrayToObject(j, "locations");
                cJSON_AddItemToArray(locs, sarif_location(&r->where));
        }
        cJSON *props = cJSON_AddObjectToObject(j, "properties");
        cJSON_AddStringToObject(props, "status", status_name(r->status));
        cJSON_AddStringToObject(props, "severity", severity_name(r->check->severity));
        /* The rule's help is the generic remedy; this one names the place on this node. */
        if (r->remediation)
                cJSON_AddStringToObject(props, "remediation", r->remediation);
        return j;
}

/* A check that could not be evaluated is also a tool execution problem (§3.58). */
static void add_notification(cJSON *notes, const struct result *r, size_t index)
{
        cJSON *n = cJSON_CreateObject();
        cJSON_AddStringToObject(n, "level", "error");
        cJSON *msg = cJSON_AddObjectToObject(n, "message");
        cJSON_AddStringToObject(msg, "text", r->evidence);
        cJSON *rule = cJSON_AddObjectToObject(n, "associatedRule");
        cJSON_AddStringToObject(rule, "id", r->check->id);
        cJSON_AddNumberToObject(rule, "index", (double)index);
        cJSON_AddItemToArray(notes, n);
}

static cJSON *sarif_invocation(const struct run *run, const struct report_meta *m, int exit_code)
{
        cJSON *inv = cJSON_CreateObject();
        cJSON_AddBoolToObject(inv, "executionSuccessful", true);
        cJSON_AddNumberToObject(inv, "exitCode", exit_code);
        cJSON_AddStringToObject(inv, "startTimeUtc", m->started);
        cJSON *notes = cJSON_AddArrayToObject(inv, "toolExecutionNotifications");
        for (size_t i = 0; i < run->n; i++)
                if (run->results[i].status == ST_ERROR)
                        add_notification(notes, &run->results[i], i);
        return inv;
}

cJSON *report_sarif(const struct run *run, const struct report_meta *m, int exit_code)
{
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "$schema", SARIF_SCHEMA);
        cJSON_AddStringToObject(o, "version", "2.1.0");
        cJSON *runs = cJSON_AddArrayToObject(o, "runs");
        cJSON *sr = cJSON_CreateObject();
        cJSON_AddItemToArray(runs, sr);
        cJSON *driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(sr, "tool"), "driver");
        cJSON_AddStringToObject(driver, "name", "nodeward");
        cJSON_AddStringToObject(driver, "version", NODEWARD_VERSION);
        cJSON_AddStringToObject(driver, "semanticVersion", NODEWARD_VERSION);
        cJSON_AddStringToObject(driver, "informationUri", NODEWARD_URL);
        /* Rules are the checks that ran, so ruleIndex equals the result's position. */
        cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
        cJSON *results = cJSON_CreateArray();
        for (size_t i = 0; i < run->n; i++) {
                cJSON_AddItemToArray(rules, sarif_rule(run, &run->results[i]));
                cJSON_AddItemToArray(results, sarif_result(&run->results[i], i));
        }
        /* §3.17.3 "category/instance": one category per node, one instance per run. */
        const char *node = run->node.name ? run->node.name : run->node.hostname ? run->node.hostname : "";
        _cleanup_free_ char *auto_id = xasprintf("nodeward/%s/%s", node, m->started);
        cJSON_AddStringToObject(cJSON_AddObjectToObject(sr, "automationDetails"), "id", auto_id);
        cJSON *invs = cJSON_AddArrayToObject(sr, "invocations");
        cJSON_AddItemToArray(invs, sarif_invocation(run, m, exit_code));
        cJSON_AddItemToObject(sr, "results", results);
        cJSON *props = cJSON_AddObjectToObject(sr, "properties");
        cJSON_AddStringToObject(props, "hostname", run->node.hostname ? run->node.hostname : "");
        if (run->node.name)
                cJSON_AddStringToObject(props, "nodeName", run->node.name);
        cJSON_AddStringToObject(props, "root", run->node.root ? run->node.root : "/");
        if (run->benchmark)
                cJSON_AddStringToObject(props, "benchmark", run->benchmark->id);
        return o;
}
