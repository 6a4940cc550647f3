/* describe: what the reports say about a run, taken from the facts when the checks
 * run: the node, where each result's setting lives, and the pod attempts seen. */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "collect/facts.h"
#include "base/util.h"

static char *dup_or_null(const char *s)
{
        return s ? xstrdup(s) : NULL;
}

/* "PATH:LINE[:COL]" anywhere in the evidence: parsers report errors that way. */
static bool evidence_position(const char *ev, struct result_where *w)
{
        for (const char *p = ev; (p = strchr(p, '/')); p++) {
                if (p != ev && !isspace((unsigned char)p[-1]) && p[-1] != '(' && p[-1] != '"')
                        continue;
                size_t n = strcspn(p, ": \t\",)");
                if (p[n] != ':' || !isdigit((unsigned char)p[n + 1]))
                        continue;
                char *end;
                unsigned long line = strtoul(p + n + 1, &end, 10);
                if (line == 0 || line > 10000000)
                        continue;
                w->path = xasprintf("%.*s", (int)n, p);
                w->line = (unsigned)line;
                if (*end == ':' && isdigit((unsigned char)end[1]))
                        w->col = (unsigned)strtoul(end + 1, NULL, 10);
                return true;
        }
        return false;
}

/* The file an operator edits to fix a kubelet finding. */
static const char *kubelet_location(const struct kubelet_facts *k, const struct result *r, const char **ret_layer)
{
        if (!k->found)
                return NULL;
        if (strstr(r->check->id, "kubeconfig")) {
                *ret_layer = "kubeconfig";
                return k->has_kubeconfig ? k->kubeconfig.path : NULL;
        }
        /* A flag lives on the command line, not in a file worth pointing at. */
        if (strstr(r->evidence, "from flag --")) {
                *ret_layer = "flag";
                return NULL;
        }
        for (size_t i = 0; i < k->n_dropins; i++)
                if (k->dropins[i].path && strstr(r->evidence, k->dropins[i].path)) {
                        *ret_layer = "drop-in";
                        return k->dropins[i].path;
                }
        *ret_layer = "config";
        return k->has_config ? k->config.path : NULL;
}

/* Checks of a file's mode or owner: their evidence starts with that file. */
static const char *const file_checks[] = {
        "kubelet.service-file-permissions", "kubelet.service-file-ownership",    "kubelet.client-ca-permissions",
        "kubelet.client-ca-ownership",      "kube-proxy.kubeconfig-permissions", "kube-proxy.kubeconfig-ownership",
};

/* "/path mode 0644, ..." or "/path owner 0:0" or "/path: reason": the leading path. */
static char *leading_path(const char *ev)
{
        if (ev[0] != '/')
                return NULL;
        size_t n = strlen(ev);
        static const char *const ends[] = {" mode ", " owner ", ": "};
        for (size_t i = 0; i < ARRAY_SIZE(ends); i++) {
                const char *e = strstr(ev, ends[i]);
                if (e && (size_t)(e - ev) < n)
                        n = (size_t)(e - ev);
        }
        return n > 1 && n < 4096 ? xasprintf("%.*s", (int)n, ev) : NULL;
}

static void result_where_find(const struct facts *f, const struct result *r, struct result_where *w)
{
        if (evidence_position(r->evidence, w)) {
                w->layer = "file";
                return;
        }
        for (size_t i = 0; i < ARRAY_SIZE(file_checks); i++)
                if (strcmp(r->check->id, file_checks[i]) == 0) {
                        w->layer = "file";
                        w->path = leading_path(r->evidence);
                        return;
                }
        if (strcmp(r->check->id, "kube-proxy.metrics-bind-address") == 0 && (f->collected & FACT_KUBE_PROXY) &&
            f->kube_proxy.config_host_path && f->kube_proxy.config_host_path[0] == '/') {
                w->path = xstrdup(f->kube_proxy.config_host_path);
                w->layer = "config";
                return;
        }
        const char *p = NULL;
        if (str_startswith(r->check->id, "kubelet.") && (f->collected & FACT_KUBELET))
                p = kubelet_location(&f->kubelet, r, &w->layer);
        if (p && p[0] == '/')
                w->path = xstrdup(p);
}

void result_locate(const struct facts *f, struct result *r)
{
        free(r->where.path);
        memset(&r->where, 0, sizeof(r->where));
        result_where_find(f, r, &r->where);
}

static const char *attempt_kind(const struct observe_facts *of, const struct observed_attempt *a)
{
        if (a->metadata)
                return "imds";
        for (size_t i = 0; of && i < of->n_ssh_ports; i++)
                if (of->ssh_ports[i] == a->dport)
                        return "ssh";
        return "kubelet";
}

void run_attempt_describe(const struct observe_facts *of, const struct observed_attempt *a, struct run_attempt *ret)
{
        const struct check_def *c = check_for_attempt(a->metadata  ? ATTEMPT_IMDS
                                                      : a->kubelet ? ATTEMPT_KUBELET
                                                                   : ATTEMPT_SSH);
        *ret = (struct run_attempt){
                .check_id = c ? c->id : NULL,
                .kind = attempt_kind(of, a),
                .pod = a->pod,
                .pod_uid = xstrdup(a->ref.uid),
                .pod_ns = dup_or_null(a->pod_ns),
                .pod_name = dup_or_null(a->pod_name),
                .container_id = xstrdup(a->ref.container_id),
                .qos = xstrdup(a->ref.qos),
                .host_network = a->host_network,
                .daddr = xstrdup(a->daddr),
                .dport = a->dport,
                .count = (unsigned long long)a->count,
                .pid = a->pid,
                .comm = xstrdup(a->comm),
        };
}

void run_attempt_free(struct run_attempt *a)
{
        if (!a)
                return;
        free(a->pod_uid);
        free(a->pod_ns);
        free(a->pod_name);
        free(a->container_id);
        free(a->qos);
        free(a->daddr);
        free(a->comm);
        memset(a, 0, sizeof(*a));
}

static void describe_aws(const struct facts *f, struct run_node *n)
{
        if (!(f->collected & FACT_IMDS))
                return;
        const struct imds_identity *doc = f->imds.v4.identity_value.account[0]   ? &f->imds.v4.identity_value
                                          : f->imds.v6.identity_value.account[0] ? &f->imds.v6.identity_value
                                                                                 : NULL;
        if (doc) {
                n->aws_account = xstrdup(doc->account);
                n->aws_region = xstrdup(doc->region);
                n->aws_instance = xstrdup(doc->instance);
        } else if (f->imds.v4.instance_id_value[0]) {
                n->aws_instance = xstrdup(f->imds.v4.instance_id_value);
        }
}

static void describe_node(const struct facts *f, struct run_node *n)
{
        n->hostname = dup_or_null(f->node.hostname);
        n->name = dup_or_null(f->node.name);
        n->root = dup_or_null(f->root_path);
        n->kernel = dup_or_null(f->node.kernel);
        n->os = dup_or_null(f->node.os);
        n->bottlerocket = f->node.br.is_bottlerocket;
        n->variant = dup_or_null(f->node.br.variant);
        n->detected_by = dup_or_null(f->node.br.detected_by);
        n->kubelet_missing = (f->collected & FACT_KUBELET) && !f->kubelet.found;
        describe_aws(f, n);
        const struct observe_facts *of = &f->observe;
        n->observed = (f->collected & FACT_CONNWATCH) && !of->error;
        if (!n->observed || !of->n)
                return;
        n->attempts = xcalloc(of->n, sizeof(*n->attempts));
        for (size_t i = 0; i < of->n; i++)
                run_attempt_describe(of, &of->v[i], &n->attempts[n->n_attempts++]);
}

/* @r skipped on a node without a kubelet, because of it: a kubelet check (none
 * applies, whatever else it says), a kube-proxy check with no kube-proxy, or one
 * whose evidence is the kubelet's absence (net.policy-engine). */
static bool skipped_for_no_kubelet(const struct facts *f, const struct result *r)
{
        const char *why = f->kubelet.absent_reason;
        if (r->status != ST_SKIP || !(f->collected & FACT_KUBELET) || f->kubelet.found)
                return false;
        return str_startswith(r->check->id, "kubelet.") ||
               (str_startswith(r->check->id, "kube-proxy.") && !f->kube_proxy.found) ||
               (why && r->evidence && strstr(r->evidence, why));
}

void run_describe(struct run *run, const struct facts *f)
{
        run_node_free(&run->node);
        describe_node(f, &run->node);
        for (size_t i = 0; i < run->n; i++) {
                result_locate(f, &run->results[i]);
                run->results[i].kubelet_absent = skipped_for_no_kubelet(f, &run->results[i]);
        }
}

void run_node_free(struct run_node *n)
{
        if (!n)
                return;
        free(n->hostname);
        free(n->name);
        free(n->root);
        free(n->kernel);
        free(n->os);
        free(n->variant);
        free(n->detected_by);
        free(n->aws_account);
        free(n->aws_region);
        free(n->aws_instance);
        for (size_t i = 0; i < n->n_attempts; i++)
                run_attempt_free(&n->attempts[i]);
        free(n->attempts);
        memset(n, 0, sizeof(*n));
}
