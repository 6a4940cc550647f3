/* publish: the node's results as an OpenReports ClusterReport, applied through the API server. */
#define _GNU_SOURCE
#include "render/publish.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "render/report_fleet.h"
#include "base/util.h"

/* @node with @uid as a reference: the shape of an ownerReference and of scope. */
static void add_node_ref(cJSON *o, const char *node, const char *uid)
{
        cJSON_AddStringToObject(o, "apiVersion", "v1");
        cJSON_AddStringToObject(o, "kind", "Node");
        cJSON_AddStringToObject(o, "name", node);
        cJSON_AddStringToObject(o, "uid", uid);
}

cJSON *publish_report_body(const struct run *run, const struct report_meta *m, const char *node, const char *node_uid)
{
        /* What --format openreports prints, so that the report in the cluster says what the
         * node's output says; the builder names the node by NODE_NAME or the hostname, the
         * publisher by the Node it was configured with. */
        cJSON *j = report_openreports_build(run, m, REPORT_API_OPENREPORTS);
        _cleanup_free_ char *name = publish_report_name(node);
        cJSON *md = cJSON_GetObjectItemCaseSensitive(j, "metadata");
        cJSON_ReplaceItemInObjectCaseSensitive(md, "name", cJSON_CreateString(name ? name : ""));
        /* The report goes when its Node goes. */
        cJSON *owners = cJSON_AddArrayToObject(md, "ownerReferences");
        cJSON *own = cJSON_CreateObject();
        add_node_ref(own, node, node_uid);
        cJSON_AddItemToArray(owners, own);
        cJSON *scope = cJSON_CreateObject();
        add_node_ref(scope, node, node_uid);
        cJSON_ReplaceItemInObjectCaseSensitive(j, "scope", scope);
        return j;
}

/* RFC 1123 subdomain: what a Node's name is. */
static bool dns_subdomain(const char *s)
{
        size_t n = strlen(s);
        if (n == 0 || n > 253)
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
                if (alnum)
                        continue;
                if (c != '-' && c != '.')
                        return false;
                /* labels start and end with an alphanumeric character */
                if (i == 0 || i == n - 1 || s[i - 1] == '.' || (c == '.' && s[i - 1] == '-'))
                        return false;
        }
        return true;
}

char *publish_report_name(const char *node)
{
        if (!node || !dns_subdomain(node) || strlen(node) + strlen("nodeward-") > 253)
                return NULL;
        return xasprintf("nodeward-%s", node);
}

struct publisher {
        struct kubeapi_config api;
        char *node, *name, *node_uid;
        int attempts, budget_ms, refresh_s;
        const volatile sig_atomic_t *cancel;
        char *last_digest; /* what the last successful apply said, without its timestamps */
        long long last_ok_ms;
};

int publisher_new(const struct publish_opts *o, struct publisher **ret, char **ret_err)
{
        const char *node = o->node ? o->node : getenv("NODE_NAME");
        if (!node || !*node) {
                *ret_err = xstrdup("no node name: set NODE_NAME (the downward API's spec.nodeName)");
                return -EINVAL;
        }
        char *name = publish_report_name(node);
        if (!name) {
                *ret_err = xasprintf("node name \"%.80s\" is not a valid Kubernetes Node name", node);
                return -EINVAL;
        }
        struct publisher *p = xcalloc(1, sizeof(*p));
        if (kubeapi_config_init(o->api, o->token_file, o->ca_file, &p->api, ret_err) < 0) {
                free(name);
                free(p);
                return -EINVAL;
        }
        p->node = xstrdup(node);
        p->name = name;
        p->attempts = o->attempts > 0 ? o->attempts : 4;
        p->budget_ms = o->budget_ms > 0 ? o->budget_ms : 30000;
        p->refresh_s = o->refresh_s > 0 ? o->refresh_s : 3600;
        p->cancel = o->cancel;
        p->api.cancel = o->cancel;
        *ret = p;
        return 0;
}

void publisher_free(struct publisher *p)
{
        if (!p)
                return;
        kubeapi_config_free(&p->api);
        free(p->node);
        free(p->name);
        free(p->node_uid);
        free(p->last_digest);
        free(p);
}

/* 409 (a conflict), 429 (throttled) and 5xx are worth another try; other answers are final. */
static bool retryable(const struct kubeapi_response *r)
{
        return (r->err != 0 && !r->local) || r->status == 409 || r->status == 429 || r->status >= 500;
}

static void describe_failure(const struct kubeapi_response *r, const char *what, struct publish_outcome *ret)
{
        if (r->err) {
                snprintf(ret->error, sizeof(ret->error), "%s: %s", what, r->why[0] ? r->why : strerror(-r->err));
                return;
        }
        _cleanup_free_ char *msg = r->body ? kubeapi_status_message(r->body, r->body_len) : NULL;
        snprintf(ret->error, sizeof(ret->error), "%s: HTTP %d%s%s", what, r->status, msg ? ": " : "", msg ? msg : "");
}

/* One request, tried up to p->attempts times within the budget: 0.5 s, 1 s, 2 s... between tries, never
 * past the deadline. Returns with *r holding the last answer. */
static void request_retrying(struct publisher *p, long long deadline, const char *method, const char *path,
                             const char *ctype, const char *body, struct kubeapi_response *r,
                             struct publish_outcome *ret)
{
        long long backoff = 500;
        for (int tries = 1;; tries++) {
                ret->attempts++;
                /* No try outlives the budget: its own timeout shrinks to what is left. */
                int full = p->api.timeout_ms;
                long long left = deadline - mono_ms();
                if (left < full)
                        p->api.timeout_ms = left < 1000 ? 1000 : (int)left;
                kubeapi_request(&p->api, method, path, ctype, body, r);
                p->api.timeout_ms = full;
                ret->status = r->err ? 0 : r->status;
                if (!retryable(r) || tries >= p->attempts || (p->cancel && *p->cancel))
                        return;
                long long now = mono_ms();
                if (now + backoff + p->api.timeout_ms / 4 > deadline)
                        return;
                kubeapi_response_free(r);
                nanosleep(&(struct timespec){.tv_sec = backoff / 1000, .tv_nsec = (backoff % 1000) * 1000000}, NULL);
                if (p->cancel && *p->cancel)
                        return; /* r was freed: an answer of none */
                backoff *= 2;
        }
}

/* The results as the digest of what changes: id and status of each. */
static char *digest(const struct run *run)
{
        struct strbuf sb = {0};
        for (size_t i = 0; i < run->n; i++)
                sb_printf(&sb, "%s=%s;", run->results[i].check->id, status_name(run->results[i].status));
        return sb.len ? sb_steal(&sb) : xstrdup("");
}

void publisher_publish(struct publisher *p, const struct run *run, const struct report_meta *m,
                       struct publish_outcome *ret)
{
        memset(ret, 0, sizeof(*ret));
        snprintf(ret->name, sizeof(ret->name), "%s", p->name);
        _cleanup_free_ char *d = digest(run);
        long long now = mono_ms();
        if (p->last_digest && strcmp(d, p->last_digest) == 0 && now - p->last_ok_ms < (long long)p->refresh_s * 1000) {
                ret->ok = true;
                return;
        }
        ret->sent = true;
        long long deadline = now + p->budget_ms;
        struct kubeapi_response r;
        if (!p->node_uid) {
                _cleanup_free_ char *path = xasprintf("/api/v1/nodes/%s", p->node);
                request_retrying(p, deadline, "GET", path, NULL, NULL, &r, ret);
                if (r.err == 0 && r.status == 200) {
                        p->node_uid = kubeapi_node_uid(r.body, r.body_len, p->node);
                        if (!p->node_uid)
                                snprintf(ret->error, sizeof(ret->error), "GET %s: the answer is not Node %s with a uid",
                                         path, p->node);
                } else {
                        describe_failure(&r, "GET node", ret);
                }
                kubeapi_response_free(&r);
                if (!p->node_uid)
                        return;
        }
        cJSON *body = publish_report_body(run, m, p->node, p->node_uid);
        char *text = cJSON_PrintUnformatted(body);
        cJSON_Delete(body);
        _cleanup_free_ char *path = xasprintf(PUBLISH_RESOURCE "/%s?fieldManager=" PUBLISH_FIELD_MANAGER "&force=true",
                                              p->name);
        request_retrying(p, deadline, "PATCH", path, "application/apply-patch+yaml", text, &r, ret);
        free(text);
        if (r.err == 0 && (r.status == 200 || r.status == 201)) {
                ret->ok = true;
                free(p->last_digest);
                p->last_digest = xstrdup(d);
                p->last_ok_ms = mono_ms();
        } else {
                describe_failure(&r, "apply", ret);
                if (r.err == 0 && r.status == 404)
                        snprintf(ret->error + strlen(ret->error), sizeof(ret->error) - strlen(ret->error),
                                 " (is the OpenReports ClusterReport CRD installed?)");
                /* A Node replaced under the same name has a new uid: ask again next time. */
                if (r.err == 0 && (r.status == 404 || r.status == 422)) {
                        free(p->node_uid);
                        p->node_uid = NULL;
                }
        }
        kubeapi_response_free(&r);
}
