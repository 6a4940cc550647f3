/* bottlerocket checks: a Bottlerocket node's access paths (admin and control containers) and standalone mode. */
#define _GNU_SOURCE
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "base/util.h"
#include "collect/facts.h"
#include "gate.h"

/* Every check here: skip off Bottlerocket, with what os-release said. */
static const struct br_facts *br_or_skip(const struct facts *f, struct result *r)
{
        const struct br_facts *b = &f->node.br;
        if (!b->is_bottlerocket) {
                result_set(r, ST_SKIP, "not a Bottlerocket node (os-release under %s: %s)",
                           f->root_path ? f->root_path : "/", f->node.os ? f->node.os : "unknown");
                return NULL;
        }
        return b;
}

bool bottlerocket_applies(const struct facts *f, struct result *r)
{
        return br_or_skip(f, r) != NULL;
}

static const char *tri_text(enum br_tri t, const char *unset)
{
        return t == BR_TRUE ? "true" : t == BR_FALSE ? "false" : unset;
}

/* The settings as a line: "enabled true, superpowered true (datastore)". A setting
 * the datastore lacks takes the aws variants' default (shared-defaults/aws-host-containers.toml). */
static char *container_text(const struct br_container *c, bool enabled_default, bool superpowered_default)
{
        return xasprintf("enabled %s, superpowered %s",
                         tri_text(c->enabled, enabled_default ? "true (default)" : "false (default)"),
                         tri_text(c->superpowered, superpowered_default ? "true (default)" : "false (default)"));
}

static bool tri_or(enum br_tri t, bool dflt)
{
        return t == BR_UNSET ? dflt : t == BR_TRUE;
}

void check_bottlerocket_admin_container(const struct facts *f, struct result *r)
{
        const struct br_facts *b = br_or_skip(f, r);
        if (!b)
                return;
        if (!b->datastore_found) {
                if (b->admin_sshd.pid)
                        result_set(r, ST_FAIL,
                                   "no settings datastore under %s, but the admin container's sshd runs (pid %d)",
                                   f->root_path, (int)b->admin_sshd.pid);
                else
                        result_set(r, ST_ERROR,
                                   "no settings datastore (%s) under %s: the admin container's settings are unknown",
                                   BR_DATASTORE, f->root_path);
                return;
        }
        if (b->datastore_error) {
                result_set(r, ST_ERROR, "settings datastore: %s", b->datastore_error);
                return;
        }
        _cleanup_free_ char *t = container_text(&b->admin, false, true);
        bool enabled = tri_or(b->admin.enabled, false), super = tri_or(b->admin.superpowered, true);
        if (!enabled && b->admin_sshd.pid)
                result_set(r, ST_FAIL,
                           "settings say %s, yet its sshd runs (pid %d): disabled only in the datastore, "
                           "not yet applied",
                           t, (int)b->admin_sshd.pid);
        else if (!enabled)
                result_set(r, ST_PASS, "admin container disabled (settings.host-containers.admin: %s)", t);
        else if (super)
                result_set(r, ST_FAIL,
                           "admin container enabled and superpowered (%s): its users are root on the host "
                           "with every capability, the host's namespaces and / at /.bottlerocket/rootfs",
                           t);
        else
                result_set(r, ST_WARN,
                           "admin container enabled, not superpowered (%s): a shell on the node, without "
                           "host privileges",
                           t);
}

void check_bottlerocket_control_container(const struct facts *f, struct result *r)
{
        const struct br_facts *b = br_or_skip(f, r);
        if (!b)
                return;
        if (!b->datastore_found || b->datastore_error) {
                result_set(r, ST_ERROR, "settings datastore: %s",
                           b->datastore_error ? b->datastore_error : "not found under the root");
                return;
        }
        _cleanup_free_ char *t = container_text(&b->control, true, false);
        bool enabled = tri_or(b->control.enabled, true), super = tri_or(b->control.superpowered, false);
        if (enabled && super)
                result_set(r, ST_FAIL,
                           "control container enabled and superpowered (%s): every SSM session is root on "
                           "the host",
                           t);
        else if (enabled)
                result_set(r, ST_PASS,
                           "control container enabled, not superpowered (%s): access through SSM Session "
                           "Manager, which reaches the admin container only with enable-admin-container",
                           t);
        else
                result_set(r, ST_PASS, "control container disabled (%s): no SSM access path to this node", t);
}

/* "authorized keys 2, trusted CA keys 0, authorized-keys-command set (as ec2-instance-connect)". */
static char *ssh_access_text(const struct br_ssh_access *a, size_t *ret_methods)
{
        *ret_methods = 0;
        if (a->error)
                return xasprintf("user-data unreadable (%s)", a->error);
        if (!a->parsed)
                return xstrdup("no admin user-data");
        *ret_methods = a->n_authorized_keys + a->n_trusted_ca_keys + (a->keys_command ? 1 : 0);
        return xasprintf("user-data (%s): login %s, authorized keys %zu, trusted user CA keys %zu, "
                         "authorized-keys-command %s%s%s%s",
                         a->from, a->user, a->n_authorized_keys, a->n_trusted_ca_keys,
                         a->keys_command ? "set" : "unset", a->keys_command_user ? " (as " : "",
                         a->keys_command_user ? a->keys_command_user : "", a->keys_command_user ? ")" : "");
}

/* Where the admin sshd listens: the socket inventory when it was read (the gate
 * made an unreadable one an error; what is left unread is a copied root's), else
 * the ListenAddress of its configuration (the container shares the host's network). */
static bool admin_listens_beyond_loopback(const struct facts *f, const struct br_admin_sshd *s, struct strbuf *ev)
{
        bool beyond = false;
        if ((f->collected & FACT_SOCKETS) && !f->sockets.error) {
                const struct sockets *so = &f->sockets;
                size_t shown = 0;
                for (size_t i = 0; i < so->n_owners; i++) {
                        const struct listener *l = &so->v[so->owners[i].listener];
                        if (so->owners[i].pid != s->pid || l->proto != IPPROTO_TCP)
                                continue;
                        char buf[128];
                        listener_str(so, l, buf, sizeof(buf));
                        sb_printf(ev, "%s%s", shown++ ? ", " : "; listening: ", buf);
                        beyond |= !listener_is_loopback(l);
                }
                if (!shown)
                        sb_puts(ev, "; no listening socket of that sshd");
                return beyond;
        }
        for (size_t i = 0; i < s->cfg.n_listen; i++) {
                const struct sshd_listen *l = &s->cfg.listen[i];
                bool lo = strcmp(l->addr, "127.0.0.1") == 0 || strcmp(l->addr, "::1") == 0 ||
                          strcmp(l->addr, "localhost") == 0;
                sb_printf(ev, "%s%s%s%s:%d", i ? ", " : "; configured to listen on ", l->family == AF_INET6 ? "[" : "",
                          l->addr, l->family == AF_INET6 ? "]" : "", l->port);
                beyond |= !lo;
        }
        return beyond;
}

/* The admin sshd's own effective settings that let more than keys in. */
static bool admin_sshd_weak(const struct sshd_config *c, const struct br_ssh_access *a, struct strbuf *ev)
{
        bool weak = false;
        if (c->s.v[SO_PERMIT_ROOT_LOGIN].num != PRL_NO) {
                sb_puts(ev, "; permitrootlogin is not no");
                weak = true;
        }
        if (c->s.v[SO_PASSWORD_AUTH].num || c->s.v[SO_KBD_INTERACTIVE_AUTH].num) {
                sb_printf(ev, "; password or keyboard-interactive logins accepted%s",
                          a->password_hash ? " and a password-hash is set" : "");
                weak = true;
        }
        return weak;
}

void check_bottlerocket_admin_ssh(const struct facts *f, struct result *r)
{
        const struct br_facts *b = br_or_skip(f, r);
        /* Whether the admin sshd runs is the process table's to say: unread, no
         * verdict. Its listeners are checked where a verdict rests on them. */
        if (!b || !fact_gate(f, FACT_BOTTLEROCKET | FACT_PROCS, FACT_SOCKETS | FACT_OWNERS_SSH, r))
                return;
        const struct br_admin_sshd *s = &b->admin_sshd;
        bool enabled = b->datastore_found && tri_or(b->admin.enabled, false);
        if (!enabled && !s->pid) {
                if (!b->datastore_found)
                        result_set(r, ST_ERROR,
                                   "no settings datastore under %s and no admin sshd running: whether "
                                   "SSH can be enabled is unknown",
                                   f->root_path);
                else
                        result_set(r, ST_PASS, "admin container disabled and no admin sshd runs: no SSH on this node");
                return;
        }
        size_t methods;
        _cleanup_free_ char *access = ssh_access_text(&b->admin_ssh, &methods);
        struct strbuf ev = {0};
        sb_puts(&ev, access);
        if (!s->pid) {
                _cleanup_free_ char *e = sb_steal(&ev);
                if (s->root_error)
                        result_set(r, ST_ERROR, "%s; an sshd runs but its root is unreadable: %s", e, s->root_error);
                else if (b->admin_ssh.error)
                        result_set(r, ST_ERROR, "%s: who may log in once its sshd starts is unknown", e);
                else
                        result_set(r, methods ? ST_WARN : ST_PASS,
                                   "%s; admin container enabled but its sshd is not "
                                   "running (yet)",
                                   e);
                return;
        }
        sb_printf(&ev, "; admin sshd pid %d", (int)s->pid);
        if (!s->cfg.found || s->cfg.error) {
                _cleanup_free_ char *e = sb_steal(&ev);
                result_set(r, ST_ERROR, "%s: %s", e, s->cfg.error ? s->cfg.error : "no sshd_config in its root");
                return;
        }
        sb_printf(&ev, " (config %s inside the container)", s->cfg.main_path);
        bool weak = admin_sshd_weak(&s->cfg, &b->admin_ssh, &ev);
        /* Keys that admit logins fail only beyond loopback: where it listens is the
         * socket inventory's to say, not a guess from ListenAddress on a live node. */
        if (!weak && methods && !fact_gate_pass(f, FACT_SOCKETS | FACT_OWNERS_SSH, r)) {
                _cleanup_free_ char *e = sb_steal(&ev), *why = xstrdup(r->evidence);
                result_set(r, ST_ERROR, "%s; %s", e, why);
                return;
        }
        bool beyond = admin_listens_beyond_loopback(f, s, &ev);
        _cleanup_free_ char *e = sb_steal(&ev);
        if (!weak && b->admin_ssh.error)
                result_set(r, ST_ERROR, "%s: who may log in is unknown", e);
        else if (weak || (methods && beyond))
                result_set(r, ST_FAIL, "SSH into the admin container is open from the network: %s", e);
        else if (methods)
                result_set(r, ST_WARN, "SSH keys admit logins, on loopback only: %s", e);
        else
                result_set(r, ST_PASS, "the admin sshd admits no one (no key, CA or command): %s", e);
}

/* The kubelet's address from its resolved configuration (default 0.0.0.0). */
static const char *kubelet_address(const struct kubelet_facts *k)
{
        const cJSON *a = k->effective ? cJSON_GetObjectItemCaseSensitive(k->effective, "address") : NULL;
        return cJSON_IsString(a) ? a->valuestring : "0.0.0.0";
}

static bool is_loopback_text(const char *a)
{
        return str_startswith(a, "127.") || strcmp(a, "::1") == 0 || strcmp(a, "localhost") == 0;
}

void check_bottlerocket_standalone_mode(const struct facts *f, struct result *r)
{
        const struct br_facts *b = br_or_skip(f, r);
        if (!b)
                return;
        const struct kubelet_facts *k = &f->kubelet;
        bool rendered = k->found && k->has_config && k->config.err == 0 && !k->load_error;
        const cJSON *anon = k->f[KF_ANONYMOUS_AUTH].value, *mode = k->f[KF_AUTHZ_MODE].value;
        bool open_api = rendered && cJSON_IsTrue(anon) && cJSON_IsString(mode) &&
                        strcmp(mode->valuestring, "AlwaysAllow") == 0;
        const char *setting = tri_text(b->kube.standalone_mode, "unset");
        if (!rendered) {
                /* The rendered file is missing: the settings are what the kubelet will get. */
                if (b->kube.standalone_mode == BR_TRUE)
                        result_set(r, ST_WARN,
                                   "kubelet config not rendered (%s); settings.kubernetes.standalone-mode "
                                   "true: the template serves anonymous, AlwaysAllow on 127.0.0.1",
                                   k->absent_reason ? k->absent_reason
                                   : k->load_error  ? k->load_error
                                                    : "unreadable");
                else if (b->kube.standalone_mode == BR_FALSE)
                        result_set(r, ST_PASS,
                                   "kubelet config not rendered; settings.kubernetes.standalone-mode false: "
                                   "the template authenticates with Webhook and the cluster CA");
                else
                        result_set(r, ST_ERROR,
                                   "neither a rendered kubelet config nor settings.kubernetes.standalone-mode "
                                   "under %s",
                                   f->root_path);
                return;
        }
        const char *addr = kubelet_address(k);
        if (!open_api) {
                result_set(r, ST_PASS,
                           "standalone-mode %s; the kubelet API authenticates (anonymous %s, authorization %s)",
                           setting, cJSON_IsTrue(anon) ? "enabled" : "disabled",
                           cJSON_IsString(mode) ? mode->valuestring : "unset");
                return;
        }
        if (!is_loopback_text(addr))
                result_set(r, ST_FAIL,
                           "standalone-mode %s: anonymous, AlwaysAllow kubelet API on %s (not loopback): "
                           "anyone who reaches the node runs commands in its pods",
                           setting, addr);
        else
                result_set(r, ST_WARN,
                           "standalone-mode %s: anonymous, AlwaysAllow kubelet API bound to %s only; no "
                           "cluster, but every process on the node (hostNetwork pods too) controls its pods",
                           setting, addr);
}

void bottlerocket_standalone_note(const struct facts *f, struct result *r)
{
        const struct kubelet_facts *k = &f->kubelet;
        if (!f->node.br.is_bottlerocket || r->status != ST_FAIL || !r->evidence || !k->found || k->has_kubeconfig)
                return;
        const char *addr = kubelet_address(k);
        _cleanup_free_ char *old = r->evidence;
        r->evidence = NULL;
        result_set(r, ST_FAIL,
                   "%s; Bottlerocket standalone kubelet (no --kubeconfig) on %s%s: see "
                   "bottlerocket.standalone-mode",
                   old, addr, is_loopback_text(addr) ? ", loopback only" : "");
}
