/* net checks: what really listens on the node, who holds it, and what faces the node's networks. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "base/util.h"
#include "collect/facts.h"
#include "gate.h"
#include "policy/policy.h"

/* At most this many listeners are named in one evidence line. */
#define EVIDENCE_MAX_ITEMS 12

/* What a Kubernetes node is expected to listen on, on every address. */
static const char *const default_allow[] = {
        "kubelet:10250",       "kube-proxy:10256",
        "aws-k8s-agent:61678", "aws-network-policy-agent:8162",
        "cilium-agent:4240",   "cilium-agent:4244",
        "calico-node:9099",    "bird:179",
        "bird6:179",           "antrea-agent:10350",
        "kube-router:20244",   "dhclient:68",
        "systemd-network:68",  "sshd:22",
};

/* Common gate: the inventory must exist; otherwise an error with the reason. */
static bool sockets_or_error(const struct facts *f, struct result *r)
{
        if (!(f->collected & FACT_SOCKETS)) {
                result_set(r, ST_ERROR, "listening sockets were not collected");
                return false;
        }
        return fact_gate(f, FACT_SOCKETS, 0, r);
}

static void describe(const struct sockets *s, const struct listener *l, struct strbuf *sb)
{
        char a[128], o[256];
        listener_str(s, l, a, sizeof(a));
        listener_owners_str(s, l, o, sizeof(o));
        sb_printf(sb, "%s (%s)", a, o);
}

/* Append "; item" to @sb for listeners that match, naming at most a dozen. */
struct picked {
        struct strbuf sb;
        size_t n;
};

static void pick(struct picked *p, const struct sockets *s, const struct listener *l)
{
        if (p->n < EVIDENCE_MAX_ITEMS) {
                if (p->n)
                        sb_puts(&p->sb, "; ");
                describe(s, l, &p->sb);
        }
        p->n++;
}

static char *picked_done(struct picked *p)
{
        if (p->n > EVIDENCE_MAX_ITEMS)
                sb_printf(&p->sb, "; and %zu more", p->n - EVIDENCE_MAX_ITEMS);
        return sb_steal(&p->sb);
}

/* sshd's effective ports when its configuration is known, and 22 always. */
static size_t ssh_ports(const struct facts *f, int *ports, size_t max)
{
        size_t n = 0;
        ports[n++] = 22;
        const int *cfg = NULL;
        size_t nc = 0;
        if ((f->collected & FACT_SSHD) && f->sshd.cfg.found && !f->sshd.cfg.error)
                nc = sshd_config_ports(&f->sshd.cfg, &cfg);
        for (size_t i = 0; i < nc && n < max; i++)
                if (cfg[i] != 22)
                        ports[n++] = cfg[i];
        return n;
}

void check_ssh_exposed(const struct facts *f, struct result *r)
{
        if (!sockets_or_error(f, r))
                return;
        const struct sockets *s = &f->sockets;
        int ports[16];
        size_t np = ssh_ports(f, ports, ARRAY_SIZE(ports));
        struct picked p = {0};
        size_t sshd_local = 0;
        for (size_t i = 0; i < s->n; i++) {
                const struct listener *l = &s->v[i];
                bool on_port = false;
                for (size_t k = 0; k < np; k++)
                        on_port |= l->port == ports[k];
                if (l->proto != IPPROTO_TCP || !(listener_owned_by(s, l, "sshd") || on_port))
                        continue;
                if (listener_is_loopback(l))
                        sshd_local++;
                else
                        pick(&p, s, l);
        }
        _cleanup_free_ char *ev = picked_done(&p);
        if (p.n)
                result_set(r, ST_FAIL, "SSH listens beyond loopback: %s", ev);
        else if (sshd_local)
                result_set(r, ST_PASS, "SSH listens on loopback only");
        else
                result_set(r, ST_PASS, "no sshd process and nothing on sshd's port%s listens (%zu listener%s)",
                           np > 1 ? "s" : " 22", s->n, s->n == 1 ? "" : "s");
}

/* "PROC:PORT", PORT a number or "*", PROC a process name or "*". Names are
 * compared as the kernel keeps them: cut to 15 characters. */
static bool allow_matches(const char *entry, const struct sockets *s, const struct listener *l)
{
        const char *colon = strrchr(entry, ':');
        if (!colon)
                return false;
        const char *port = colon + 1;
        if (strcmp(port, "*") != 0 && strtoul(port, NULL, 10) != l->port)
                return false;
        size_t n = (size_t)(colon - entry);
        if (n == 1 && entry[0] == '*')
                return true;
        if (n > 15)
                n = 15;
        for (size_t i = 0; i < l->n_owners; i++) {
                const char *c = s->owners[l->owner0 + i].comm;
                if (strlen(c) == n && strncmp(c, entry, n) == 0)
                        return true;
        }
        return false;
}

static bool allowed(const struct facts *f, const struct policy *pol, const struct listener *l)
{
        for (size_t i = 0; i < ARRAY_SIZE(default_allow); i++)
                if (allow_matches(default_allow[i], &f->sockets, l))
                        return true;
        for (size_t i = 0; i < pol->n_allow_listeners; i++)
                if (allow_matches(pol->allow_listeners[i], &f->sockets, l))
                        return true;
        return false;
}

void check_net_wildcard_listeners(const struct facts *f, const struct policy *pol, struct result *r)
{
        if (!sockets_or_error(f, r))
                return;
        const struct sockets *s = &f->sockets;
        struct picked p = {0};
        size_t wild = 0;
        for (size_t i = 0; i < s->n; i++) {
                const struct listener *l = &s->v[i];
                if (!listener_is_wildcard(l) || l->ifindex)
                        continue;
                wild++;
                if (!allowed(f, pol, l))
                        pick(&p, s, l);
        }
        _cleanup_free_ char *ev = picked_done(&p);
        if (p.n)
                result_set(r, ST_FAIL, "%zu listener%s on every address outside the allowlist: %s", p.n,
                           p.n == 1 ? "" : "s", ev);
        else
                result_set(r, ST_PASS, "%zu listener%s on every address, all in the allowlist", wild,
                           wild == 1 ? "" : "s");
}

/* Which node addresses a listener answers on: all of a family for a wildcard. */
static void faces(const struct sockets *s, const struct listener *l, struct strbuf *sb)
{
        size_t n = 0;
        for (size_t i = 0; i < s->n_addrs; i++) {
                const struct node_addr *a = &s->addrs[i];
                bool v4 = a->family == AF_INET;
                if ((v4 && a->addr[0] == 127) || (!v4 && a->addr[15] == 1 && !memcmp(a->addr, (uint8_t[15]){0}, 15)))
                        continue;
                if (l->ifindex && l->ifindex != a->ifindex)
                        continue;
                if (listener_is_wildcard(l)) {
                        if (l->family == AF_INET ? !v4 : (v4 && l->v6only))
                                continue;
                } else if (memcmp(l->addr, a->addr, v4 ? 4 : 16) != 0 || (l->family == AF_INET) != v4) {
                        continue;
                }
                char t[INET6_ADDRSTRLEN];
                inet_ntop(a->family, a->addr, t, sizeof(t));
                sb_printf(sb, "%s%s/%u (%s)", n++ ? ", " : "", t, a->prefixlen, sockets_ifname(s, a->ifindex));
        }
        if (!n)
                sb_puts(sb, s->addrs_error ? s->addrs_error : "no node address");
}

static long kubelet_port(const struct facts *f, enum kfield id, long dflt)
{
        const struct kubelet_facts *k = &f->kubelet;
        if (!(f->collected & FACT_KUBELET) || !k->found || k->flag_error || k->load_error || k->f[id].error ||
            !cJSON_IsNumber(k->f[id].value))
                return dflt;
        return (long)k->f[id].value->valuedouble;
}

void check_net_kubelet_api_exposed(const struct facts *f, struct result *r)
{
        if (!sockets_or_error(f, r))
                return;
        const struct sockets *s = &f->sockets;
        long port = kubelet_port(f, KF_PORT, 10250);
        struct strbuf sb = {0};
        size_t n = 0, exposed = 0;
        for (size_t i = 0; i < s->n; i++) {
                const struct listener *l = &s->v[i];
                if (l->proto != IPPROTO_TCP || l->port != port)
                        continue;
                sb_puts(&sb, n++ ? "; " : "");
                describe(s, l, &sb);
                if (!listener_is_loopback(l)) {
                        exposed++;
                        sb_puts(&sb, " answers on ");
                        faces(s, l, &sb);
                }
        }
        _cleanup_free_ char *ev = sb_steal(&sb);
        if (!n)
                result_set(r, ST_PASS, "nothing listens on the kubelet API port %ld", port);
        else
                result_set(r, exposed ? ST_FAIL : ST_PASS, "%s", ev);
}

void check_net_policy_engine(const struct facts *f, struct result *r)
{
        /* The enforcers are processes, and so is the kubelet that says this is a node. */
        if (!fact_gate(f, FACT_PROCS | FACT_KUBELET, 0, r))
                return;
        /* No kubelet, no pods: without an enforcer there is nothing it would have stopped. */
        if ((f->collected & FACT_KUBELET) && !f->kubelet.found) {
                result_set(r, ST_SKIP, "not a Kubernetes node: %s",
                           f->kubelet.absent_reason ? f->kubelet.absent_reason : "no kubelet found");
                return;
        }
        for (size_t i = 0; i < facts_n_policy_engines; i++) {
                const struct proc_entry *e = proc_table_find(&f->procs, facts_policy_engines[i]);
                if (e) {
                        result_set(r, ST_PASS, "%s runs (pid %d): network policy is enforced on this node",
                                   facts_policy_engines[i], (int)e->pid);
                        return;
                }
        }
        struct strbuf sb = {0};
        for (size_t i = 0; i < facts_n_policy_engines; i++)
                sb_printf(&sb, "%s%s", i ? ", " : "", facts_policy_engines[i]);
        _cleanup_free_ char *names = sb_steal(&sb);
        result_set(r, ST_FAIL,
                   "no network policy enforcer among %zu process%s (looked for %s): every pod can "
                   "reach every port of every pod and of the node, SSH included",
                   f->procs.n, f->procs.n == 1 ? "" : "es", names);
}

/* A listener on the read-only port, whatever the configuration says; NULL if none. */
const struct listener *net_read_only_listener(const struct facts *f, long port)
{
        if (!(f->collected & FACT_SOCKETS) || f->sockets.error)
                return NULL;
        for (size_t i = 0; i < f->sockets.n; i++) {
                const struct listener *l = &f->sockets.v[i];
                if (l->proto == IPPROTO_TCP && l->port == port)
                        return l;
        }
        return NULL;
}
