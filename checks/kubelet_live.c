/* kubelet_live checks: what the running kubelet answers, from the node and from a pod, and whether that is what its configuration says. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "base/confdoc.h"
#include "base/util.h"
#include "collect/facts.h"
#include "gate.h"

#define HTEXT(h) klive_http_text((h), (char[160]){0}, 160)

/* The node side must have run; false: @r is set. */
static bool live_gate(const struct facts *f, struct result *r)
{
        return fact_gate(f, FACT_KUBELET_LIVE, 0, r);
}

static bool leaked(const struct klive_http *h)
{
        return h->tried && (h->err == 0 || h->err == -EFBIG) && h->status == 200;
}

/* "12 pods", or why there is no number. */
static void pods_text(const struct klive_http *h, struct strbuf *sb)
{
        if (h->pods >= 0)
                sb_printf(sb, "%ld pod(s) would leak", h->pods);
        else if (h->err == -EFBIG)
                sb_puts(sb, "pods would leak (body over the cap, not counted)");
        else
                sb_puts(sb, "the body is not a PodList (not counted)");
}

/* One side's line: "from the node: http://127.0.0.1:10255/pods: 200: 3 pod(s) would leak". */
static void side_text(const char *side, const struct klive_http *h, struct strbuf *sb)
{
        sb_printf(sb, "%sfrom %s: %s: %s", sb->len ? "; " : "", side, h->target, HTEXT(h));
        if (leaked(h)) {
                sb_puts(sb, ": ");
                pods_text(h, sb);
        }
}

/* The pod side: probed, or why not. */
static void pod_side(const struct klive_facts *k, const struct klive_http *h, struct strbuf *sb)
{
        if (k->pod_error)
                sb_printf(sb, "; pod side: %s", k->pod_error);
        else if (!k->have_pod)
                sb_printf(sb, "; pod side not probed: %s", k->pod_absent);
        else if (!k->pod_addr)
                sb_printf(sb, "; pod side not probed: %s", k->pod_addr_why ? k->pod_addr_why : "no address");
        else {
                _cleanup_free_ char *side = xasprintf("%s (%s)", k->pod_ns, k->pod_addr_why);
                side_text(side, h, sb);
        }
}

static bool answered_http(const struct klive_http *h)
{
        return h->tried && (h->err == 0 || h->status);
}

void check_kubelet_live_read_only_port(const struct facts *f, struct result *r)
{
        const struct klive_facts *k = &f->klive;
        if (!live_gate(f, r))
                return;
        struct strbuf sb = {0};
        _cleanup_free_ char *node = k->host_ns ? xasprintf("the node (%s)", k->host_ns) : xstrdup("the node");
        side_text(node, &k->node_ro, &sb);
        pod_side(k, &k->pod_ro, &sb);
        _cleanup_free_ char *ev = sb_steal(&sb);
        if (leaked(&k->node_ro) || leaked(&k->pod_ro))
                result_set(r, ST_FAIL, "GET /pods without authentication answered 200: %s", ev);
        else if (answered_http(&k->node_ro) || answered_http(&k->pod_ro))
                result_set(r, ST_WARN, "something answers HTTP on the read-only port, but not with pods: %s", ev);
        else if (k->pod_error)
                result_set(r, ST_ERROR, "%s", ev);
        else
                result_set(r, ST_PASS, "nothing serves the read-only port: %s", ev);
}

static bool refused_anonymous(const struct klive_http *h)
{
        return h->tried && h->err == 0 && (h->status == 401 || h->status == 403);
}

void check_kubelet_live_anonymous(const struct facts *f, struct result *r)
{
        const struct klive_facts *k = &f->klive;
        if (!live_gate(f, r))
                return;
        struct strbuf sb = {0};
        _cleanup_free_ char *node = k->host_ns ? xasprintf("the node (%s)", k->host_ns) : xstrdup("the node");
        side_text(node, &k->node_api, &sb);
        pod_side(k, &k->pod_api, &sb);
        _cleanup_free_ char *ev = sb_steal(&sb);
        const struct klive_http *n = &k->node_api, *p = &k->pod_api;
        if (leaked(n) || leaked(p))
                result_set(r, ST_FAIL,
                           "the kubelet API serves anonymous requests (anonymous auth on, "
                           "authorization AlwaysAllow): %s",
                           ev);
        else if ((refused_anonymous(n) || !n->connected) && (refused_anonymous(p) || !p->connected) &&
                 (refused_anonymous(n) || refused_anonymous(p)))
                result_set(r, ST_PASS, "anonymous GET /pods is refused: %s", ev);
        else if (!n->connected && !p->connected)
                result_set(r, ST_SKIP, "the kubelet API does not answer: %s", ev);
        else
                result_set(r, ST_WARN, "no usable answer to an anonymous GET /pods: %s", ev);
}

static void handshake_text(const char *what, const struct klive_handshake *h, int timeout_ms, struct strbuf *sb)
{
        sb_printf(sb, "; %s: ", what);
        if (h->err == 0)
                sb_printf(sb, "accepted (%s %s)", h->version, h->cipher);
        else if (h->err == -EPROTO)
                sb_puts(sb, "refused");
        else if (h->err == -ETIMEDOUT)
                sb_printf(sb, "no answer within %d ms", timeout_ms);
        else
                sb_printf(sb, "%s", strerror(-h->err));
}

void check_kubelet_live_tls(const struct facts *f, struct result *r)
{
        const struct klive_facts *k = &f->klive;
        if (!live_gate(f, r))
                return;
        const struct klive_tls *t = &k->tls;
        if (!t->modern.connected && !t->old.connected && !t->weak.connected) {
                result_set(r, ST_SKIP, "the kubelet API does not answer at %s from the node (%s)", t->target,
                           t->modern.err == -ETIMEDOUT ? "no answer" : strerror(-t->modern.err));
                return;
        }
        struct strbuf sb = {0};
        sb_printf(&sb, "%s", t->target);
        handshake_text("a current client (TLS >= 1.2)", &t->modern, k->timeout_ms, &sb);
        handshake_text("TLS 1.0/1.1", &t->old, k->timeout_ms, &sb);
        handshake_text("TLS 1.2 with only weak suites (CBC, RSA key exchange without GCM, NULL, anonymous)", &t->weak,
                       k->timeout_ms, &sb);
        _cleanup_free_ char *ev = sb_steal(&sb);
        bool old = t->old.err == 0, weak = t->weak.err == 0;
        if (old || weak)
                result_set(r, ST_FAIL, "the kubelet accepts %s%s%s: %s", old ? "TLS < 1.2" : "",
                           old && weak ? " and " : "", weak ? "a weak cipher suite" : "", ev);
        else if (t->modern.err == 0)
                result_set(r, ST_PASS, "only TLS >= 1.2 with strong suites: %s", ev);
        else
                result_set(r, ST_WARN, "no handshake completed: %s", ev);
}

void check_kubelet_live_serving_cert(const struct facts *f, struct result *r)
{
        const struct klive_facts *k = &f->klive;
        if (!live_gate(f, r))
                return;
        const struct klive_cert *c = &k->tls.cert;
        if (!c->have) {
                result_set(r, ST_SKIP, "no serving certificate: no TLS handshake with %s completed", k->tls.target);
                return;
        }
        struct strbuf sb = {0};
        sb_printf(&sb, "%s serves subject %s, issuer %s, %s; ", k->tls.target, c->subject, c->issuer,
                  c->self_signed ? "self-signed" : "not self-signed");
        if (c->days_left < 0)
                sb_printf(&sb, "expired %ld day(s) ago", -c->days_left);
        else
                sb_printf(&sb, "expires in %ld day(s)%s", c->days_left, c->not_yet_valid ? " (not yet valid)" : "");
        if (k->ca_error)
                sb_printf(&sb, "; cluster CA unreadable: %s", k->ca_error);
        else if (c->ca_verdict == 1)
                sb_printf(&sb, "; chains to the cluster CA %s", k->ca_path);
        else if (c->ca_verdict == 0)
                sb_printf(&sb, "; does not chain to the cluster CA %s (%s)", k->ca_path, c->ca_error);
        else
                sb_puts(&sb, "; no cluster CA to compare with (no clientCAFile resolved)");
        _cleanup_free_ char *ev = sb_steal(&sb);
        if (c->days_left < 0 || c->not_yet_valid)
                result_set(r, ST_FAIL, "%s", ev);
        else if (k->ca_error)
                result_set(r, ST_WARN, "%s: the issuer cannot be checked", ev);
        else if (c->self_signed || c->ca_verdict == 0)
                result_set(r, ST_WARN, "%s: clients cannot verify the kubelet; use serverTLSBootstrap", ev);
        else if (c->days_left < 30)
                result_set(r, ST_WARN, "%s: renew or rotate it", ev);
        else
                result_set(r, ST_PASS, "%s", ev);
}

/* "readOnlyPort=0 (from /etc/kubernetes/kubelet/kubelet-config.json)" */
static char *said(const struct kubelet_facts *kf, enum kfield id)
{
        const struct kfield_value *v = &kf->f[id];
        _cleanup_free_ char *val = confdoc_value_str(v->value);
        return xasprintf("%s=%s (%s)", kfield_defs[id].path ? kfield_defs[id].path : kfield_defs[id].flag, val,
                         v->origin ? v->origin : "default");
}

static bool cfg_bool(const struct kubelet_facts *kf, enum kfield id, bool *ret)
{
        const cJSON *v = kf->f[id].value;
        if (kf->f[id].error || !cJSON_IsBool(v))
                return false;
        *ret = cJSON_IsTrue(v);
        return true;
}

static void drift_read_only(const struct kubelet_facts *kf, const struct klive_facts *k, struct strbuf *sb)
{
        const cJSON *v = kf->f[KF_READ_ONLY_PORT].value;
        if (kf->f[KF_READ_ONLY_PORT].error || !cJSON_IsNumber(v) || v->valuedouble != 0)
                return;
        if (!answered_http(&k->node_ro) && !answered_http(&k->pod_ro))
                return;
        _cleanup_free_ char *s = said(kf, KF_READ_ONLY_PORT);
        sb_printf(sb, "%s%s, but %s answers %s", sb->len ? "; " : "", s,
                  answered_http(&k->node_ro) ? k->node_ro.target : k->pod_ro.target,
                  answered_http(&k->node_ro) ? HTEXT(&k->node_ro) : HTEXT(&k->pod_ro));
}

static void drift_anonymous(const struct kubelet_facts *kf, const struct klive_facts *k, struct strbuf *sb)
{
        bool anon = true;
        const cJSON *mode = kf->f[KF_AUTHZ_MODE].value;
        bool locked = (cfg_bool(kf, KF_ANONYMOUS_AUTH, &anon) && !anon) ||
                      (cJSON_IsString(mode) && strcmp(mode->valuestring, "AlwaysAllow") != 0);
        const struct klive_http *h = leaked(&k->node_api) ? &k->node_api : leaked(&k->pod_api) ? &k->pod_api : NULL;
        if (!locked || !h)
                return;
        _cleanup_free_ char *a = said(kf, KF_ANONYMOUS_AUTH), *m = said(kf, KF_AUTHZ_MODE);
        sb_printf(sb, "%s%s and %s, but anonymous %s answers 200", sb->len ? "; " : "", a, m, h->target);
}

static void drift_tls(const struct kubelet_facts *kf, const struct klive_facts *k, struct strbuf *sb)
{
        bool boot = false;
        if (cfg_bool(kf, KF_SERVER_TLS_BOOTSTRAP, &boot) && boot && k->tls.cert.have && k->tls.cert.self_signed) {
                _cleanup_free_ char *s = said(kf, KF_SERVER_TLS_BOOTSTRAP);
                sb_printf(sb, "%s%s, but %s serves a self-signed certificate", sb->len ? "; " : "", s, k->tls.target);
        }
        const cJSON *min = kf->effective ? cJSON_GetObjectItemCaseSensitive(kf->effective, "tlsMinVersion") : NULL;
        if (cJSON_IsString(min) &&
            (strcmp(min->valuestring, "VersionTLS12") == 0 || strcmp(min->valuestring, "VersionTLS13") == 0) &&
            k->tls.old.err == 0)
                sb_printf(sb, "%stlsMinVersion=%s, but %s completes a %s handshake", sb->len ? "; " : "",
                          min->valuestring, k->tls.target, k->tls.old.version);
        const cJSON *suites = kf->f[KF_TLS_CIPHER_SUITES].value;
        if (cJSON_IsArray(suites) && cJSON_GetArraySize(suites) > 0 && k->tls.weak.err == 0) {
                _cleanup_free_ char *s = said(kf, KF_TLS_CIPHER_SUITES);
                bool listed = false;
                const cJSON *c;
                cJSON_ArrayForEach(c, suites)
                        listed |= cJSON_IsString(c) && strcmp(c->valuestring, k->tls.weak.cipher) == 0;
                if (!listed)
                        sb_printf(sb, "%s%s, but %s accepts %s", sb->len ? "; " : "", s, k->tls.target,
                                  k->tls.weak.cipher);
        }
}

void check_kubelet_live_config_drift(const struct facts *f, struct result *r)
{
        const struct kubelet_facts *kf = &f->kubelet;
        const struct klive_facts *k = &f->klive;
        if (!fact_gate(f, FACT_KUBELET | FACT_KUBELET_LIVE, 0, r))
                return;
        if (!kf->found) {
                result_set(r, ST_SKIP, "no kubelet configuration to compare with: %s", kf->absent_reason);
                return;
        }
        if (kf->flag_error || kf->load_error) {
                result_set(r, ST_ERROR, "the kubelet's configuration does not resolve: %s",
                           kf->flag_error ? kf->flag_error : kf->load_error);
                return;
        }
        if (!live_gate(f, r))
                return;
        struct strbuf sb = {0};
        drift_read_only(kf, k, &sb);
        drift_anonymous(kf, k, &sb);
        drift_tls(kf, k, &sb);
        _cleanup_free_ char *ev = sb_steal(&sb);
        if (ev && *ev) {
                result_set(r, ST_FAIL,
                           "the running kubelet is not what its configuration says: %s; the process "
                           "may predate a config change, or another server holds the port",
                           ev);
                return;
        }
        _cleanup_free_ char *ro = said(kf, KF_READ_ONLY_PORT), *an = said(kf, KF_ANONYMOUS_AUTH);
        result_set(r, ST_PASS, "live answers agree with the resolved configuration (%s; %s; %s:%ld %s; %s %s)", ro, an,
                   k->node_addr, k->ro_port, HTEXT(&k->node_ro), k->node_api.target, HTEXT(&k->node_api));
}
