/* imds checks: the metadata service, node SSH and the API endpoint as the node and its pods see them. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "base/util.h"
#include "collect/facts.h"
#include "gate.h"

#define V4 "http://" IMDS_V4_ADDR
#define PROBE_TEXT(p) http_probe_text((p), (char[96]){0}, 96)

/* The host-side facts every metadata check stands on. false: @r is already set. */
static bool host_gate(const struct facts *f, struct result *r)
{
        const struct imds_facts *m = &f->imds;
        if (!fact_gate(f, FACT_IMDS, 0, r))
                return false;
        if (!m->reachable && (m->v4.v1_get.connected || m->v6.v1_get.connected)) {
                /* Something holds the metadata address but gave no valid answer: a broken
                 * or hostile endpoint, not the absence of one. */
                result_set(r, ST_ERROR,
                           "the metadata address accepted a connection from the %s but gave no "
                           "valid HTTP answer (%s: %s%s%s)",
                           m->host_ns, IMDS_V4_ADDR, PROBE_TEXT(&m->v4.v1_get),
                           m->v6.v1_get.tried ? "; " IMDS_V6_ADDR ": " : "",
                           m->v6.v1_get.tried ? PROBE_TEXT(&m->v6.v1_get) : "");
                return false;
        }
        if (!m->reachable) {
                result_set(r, ST_SKIP, "not on EC2: no metadata service answered from the %s (%s: %s%s%s)", m->host_ns,
                           IMDS_V4_ADDR, PROBE_TEXT(&m->v4.v1_get), m->v6.v1_get.tried ? "; " IMDS_V6_ADDR ": " : "",
                           m->v6.v1_get.tried ? PROBE_TEXT(&m->v6.v1_get) : "");
                return false;
        }
        return true;
}

void check_imds_v1_enabled(const struct facts *f, struct result *r)
{
        const struct imds_facts *m = &f->imds;
        if (!host_gate(f, r))
                return;
        bool v1 = m->v4.v1_get.status == 200 || m->v6.v1_get.status == 200;
        bool v2_only = m->v4.v1_get.status == 401 &&
                       (!m->v6.v1_get.tried || !http_answered(&m->v6.v1_get) || m->v6.v1_get.status == 401);
        _cleanup_free_ char *v6 = m->v6.v1_get.tried ? xasprintf("; [%s]: %s", IMDS_V6_ADDR, PROBE_TEXT(&m->v6.v1_get))
                                                     : xstrdup("");
        const char *what = v1        ? "IMDSv1 enabled: metadata without a token"
                           : v2_only ? "a token is required (IMDSv2 only)"
                                     : "unexpected answer";
        result_set(r,
                   v1        ? ST_FAIL
                   : v2_only ? ST_PASS
                             : ST_WARN,
                   "GET /latest/meta-data/ without a token from the %s: %s: %s%s; %s", m->host_ns, IMDS_V4_ADDR,
                   PROBE_TEXT(&m->v4.v1_get), v6, what);
}

void check_imds_hop_limit(const struct facts *f, struct result *r)
{
        const struct imds_facts *m = &f->imds;
        if (!host_gate(f, r))
                return;
        if (!m->v4.got_token) {
                result_set(r, ST_WARN,
                           "PUT %s/latest/api/token from the %s: %s, no token; the hop limit "
                           "cannot be measured",
                           V4, m->host_ns, PROBE_TEXT(&m->v4.token_put));
        } else if (http_answered(&m->hop)) {
                result_set(r, ST_FAIL,
                           "the token response (%d) arrived on a socket with IP_MINTTL 2: hop limit "
                           ">= 2, so a pod one hop behind the node gets a token (probed from the %s)",
                           m->hop.status, m->host_ns);
        } else if (m->hop.err == -ETIMEDOUT) {
                result_set(r, ST_PASS,
                           "the token response arrives without IP_MINTTL but not with IP_MINTTL 2 "
                           "(%s): hop limit 1 (probed from the %s)",
                           PROBE_TEXT(&m->hop), m->host_ns);
        } else {
                result_set(r, ST_ERROR, "token PUT with IP_MINTTL 2 from the %s: %s", m->host_ns, PROBE_TEXT(&m->hop));
        }
}

static bool hop_two_or_more(const struct imds_facts *m)
{
        return m->v4.got_token && http_answered(&m->hop);
}

/* Gate for the pod-side checks; false: @r is set. */
static bool pod_gate(const struct facts *f, struct result *r)
{
        return host_gate(f, r) && fact_gate(f, FACT_IMDS | FACT_POD_IMDS, 0, r);
}

void check_imds_pod_reachable(const struct facts *f, struct result *r)
{
        const struct imds_facts *m = &f->imds;
        if (!pod_gate(f, r))
                return;
        const struct imds_session *p = &m->pod;
        if (!m->have_pod) {
                bool v1 = m->v4.v1_get.status == 200;
                result_set(r, v1 || hop_two_or_more(m) ? ST_FAIL : ST_WARN, "%s; estimated from the host side: %s",
                           m->pod_absent,
                           v1 ? "IMDSv1 is enabled, so a pod that routes to " IMDS_V4_ADDR " reads metadata"
                           : hop_two_or_more(m)
                                   ? "the hop limit is >= 2, so a pod gets a token and metadata"
                                   : "IMDSv2 with hop limit 1: a pod can likely connect but gets no metadata");
        } else if (!p->v1_get.connected) {
                result_set(r, ST_PASS, "from %s: %s:80: %s", m->pod_ns, IMDS_V4_ADDR, PROBE_TEXT(&p->v1_get));
        } else if (p->v1_get.status == 200) {
                result_set(r, ST_FAIL,
                           "from %s: GET %s/latest/meta-data/ without a token answered 200: "
                           "the pod reads instance metadata",
                           m->pod_ns, V4);
        } else if (p->got_token && p->token_get.status == 200) {
                result_set(r, ST_FAIL,
                           "from %s: the pod obtained a token and GET /latest/meta-data/ with it "
                           "answered 200: the pod reads instance metadata",
                           m->pod_ns);
        } else {
                result_set(r, ST_WARN,
                           "from %s: TCP to %s:80 connects; GET without a token: %s; token PUT: %s; "
                           "no metadata returned",
                           m->pod_ns, IMDS_V4_ADDR, PROBE_TEXT(&p->v1_get), PROBE_TEXT(&p->token_put));
        }
}

void check_imds_pod_token(const struct facts *f, struct result *r)
{
        const struct imds_facts *m = &f->imds;
        if (!pod_gate(f, r))
                return;
        const struct imds_session *p = &m->pod;
        if (!m->have_pod) {
                if (hop_two_or_more(m))
                        result_set(r, ST_FAIL, "%s; estimated from the host side: hop limit >= 2, a pod gets a token",
                                   m->pod_absent);
                else if (m->v4.got_token && m->hop.err == -ETIMEDOUT)
                        result_set(r, ST_PASS,
                                   "%s; estimated from the host side: hop limit 1, the token response "
                                   "does not reach a pod",
                                   m->pod_absent);
                else
                        result_set(r, ST_WARN, "%s; the host side could not estimate the hop limit", m->pod_absent);
        } else if (p->got_token) {
                result_set(r, ST_FAIL, "from %s: PUT %s/latest/api/token answered 200 with a token", m->pod_ns, V4);
        } else if (!p->token_put.tried) {
                result_set(r, ST_PASS, "from %s: %s:80: %s; no token", m->pod_ns, IMDS_V4_ADDR, PROBE_TEXT(&p->v1_get));
        } else {
                result_set(r, ST_PASS, "from %s: PUT %s/latest/api/token: %s, no token", m->pod_ns, V4,
                           PROBE_TEXT(&p->token_put));
        }
}

void check_ssh_pod_reachable(const struct facts *f, struct result *r)
{
        const struct imds_facts *m = &f->imds;
        if (!fact_gate(f, FACT_POD_SSH, 0, r))
                return;
        if (!m->have_pod) {
                result_set(r, ST_SKIP, "%s", m->pod_absent);
                return;
        }
        if (m->host_error || !m->ssh_probed || m->n_ssh == 0) {
                result_set(r, m->host_error ? ST_ERROR : ST_SKIP, "%s",
                           m->host_error ? m->host_error : "no node address to probe");
                return;
        }
        struct strbuf open = {0}, closed = {0};
        for (size_t i = 0; i < m->n_ssh; i++) {
                const struct tcp_probe *t = &m->ssh[i];
                bool v6 = strchr(t->addr, ':');
                struct strbuf *sb = t->err == 0 ? &open : &closed;
                sb_printf(sb, "%s%s%s%s:%d", sb->len ? ", " : "", v6 ? "[" : "", t->addr, v6 ? "]" : "", t->port);
                if (t->err)
                        sb_printf(sb, " (%s)", t->err == -ETIMEDOUT ? "no answer" : strerror(-t->err));
        }
        if (open.len)
                result_set(r, ST_FAIL, "from %s: node SSH accepts connections: %s", m->pod_ns, open.buf);
        else
                result_set(r, ST_PASS, "from %s: no connection to node SSH: %s", m->pod_ns, closed.buf);
        sb_free(&open);
        sb_free(&closed);
}

void check_node_public_ip(const struct facts *f, struct result *r)
{
        const struct imds_facts *m = &f->imds;
        if (!host_gate(f, r))
                return;
        const struct imds_session *s = &m->v4;
        const char *id = *s->instance_id_value ? s->instance_id_value : "id unknown";
        if (!s->public_ipv4.tried)
                result_set(r, ST_WARN, "instance %s: metadata unreadable from the %s (no token, IMDSv1 off)", id,
                           m->host_ns);
        else if (s->public_ipv4.status == 200)
                result_set(r, ST_FAIL,
                           "instance %s: meta-data/public-ipv4 answered 200: the node has a public "
                           "IPv4 address",
                           id);
        else if (s->public_ipv4.status == 404)
                result_set(r, ST_PASS, "instance %s: meta-data/public-ipv4 answered 404: no public IPv4 address", id);
        else
                result_set(r, ST_WARN, "instance %s: meta-data/public-ipv4: %s", id, PROBE_TEXT(&s->public_ipv4));
}

void check_node_api_endpoint_private(const struct facts *f, struct result *r)
{
        const struct apiserver_facts *a = &f->apiserver;
        if (!a->have_kubeconfig) {
                result_set(r, ST_SKIP, "the kubelet has no kubeconfig (%s)",
                           f->kubelet.found ? "no --kubeconfig" : f->kubelet.absent_reason);
                return;
        }
        if (a->error) {
                result_set(r, ST_ERROR, "%s", a->error);
                return;
        }
        if (a->resolve_error || a->n_addrs == 0) {
                result_set(r, ST_WARN, "API server %s (from %s): %s", a->server, a->kubeconfig,
                           a->resolve_error ? a->resolve_error : "no address");
                return;
        }
        struct strbuf pub = {0}, all = {0};
        for (size_t i = 0; i < a->n_addrs; i++) {
                struct strbuf *sb = addr_is_private(a->addrs[i]) ? &all : &pub;
                sb_printf(sb, "%s%s", sb->len ? ", " : "", a->addrs[i]);
        }
        if (pub.len)
                result_set(r, ST_FAIL, "API server %s (from %s) resolves to public address(es): %s", a->server,
                           a->kubeconfig, pub.buf);
        else
                result_set(r, ST_PASS, "API server %s (from %s) resolves to private addresses only: %s", a->server,
                           a->kubeconfig, all.buf);
        sb_free(&pub);
        sb_free(&all);
}
