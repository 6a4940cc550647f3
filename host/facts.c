/* facts: run the collectors the selected checks need, once each. */
#define _GNU_SOURCE
#include "facts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "privs.h"
#include "procfs.h"
#include "util.h"

static char *os_release_pretty(const struct rootfs *root)
{
        static const char *const paths[] = {"/etc/os-release", "/usr/lib/os-release"};
        for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
                char *buf;
                if (rootfs_read_file(root, paths[i], 64 * 1024, &buf, NULL, NULL) < 0)
                        continue;
                char *out = NULL;
                for (char *l = strtok(buf, "\n"); l && !out; l = strtok(NULL, "\n")) {
                        if (!str_startswith(l, "PRETTY_NAME="))
                                continue;
                        char *v = l + strlen("PRETTY_NAME=");
                        size_t n = strlen(v);
                        if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
                                v[n - 1] = '\0';
                                v++;
                        }
                        out = xstrdup(v);
                }
                free(buf);
                if (out)
                        return out;
        }
        return xstrdup("unknown");
}

/* A DaemonSet passes spec.nodeName as NODE_NAME: a DNS subdomain (RFC 1123), at
 * most 253 characters. Anything else is ignored rather than printed. */
static char *kubernetes_node_name(void)
{
        const char *v = getenv("NODE_NAME");
        if (!v || !*v || strlen(v) > 253 || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789.-") != strlen(v))
                return NULL;
        return xstrdup(v);
}

static void collect_node(const struct rootfs *root, bool root_is_slash, struct node_info *n)
{
        struct utsname u;
        if (uname(&u) < 0)
                memset(&u, 0, sizeof(u));
        n->kernel = xstrdup(u.release);
        char *buf;
        if (!root_is_slash && rootfs_read_file(root, "/etc/hostname", 4096, &buf, NULL, NULL) == 0) {
                buf[strcspn(buf, " \t\r\n")] = '\0';
                n->hostname = *buf ? buf : (free(buf), xstrdup(u.nodename));
        } else {
                n->hostname = xstrdup(u.nodename);
        }
        n->os = os_release_pretty(root);
        n->name = kubernetes_node_name();
}

void observe_ports_from_sshd(const struct sshd_facts *s, struct observe_opts *oo)
{
        const struct sshd_config *c = &s->cfg;
        if (!c->found || c->error)
                return;
        const int *ports;
        const struct sshd_listen *l;
        size_t n = sshd_config_ports(c, &ports), nl = sshd_config_listen(c, &l);
        for (size_t i = 0; i < n + nl && oo->n_ssh_ports < OBSERVE_MAX_PORTS; i++) {
                int p = i < n ? ports[i] : l[i - n].port;
                bool dup = false;
                for (size_t k = 0; k < oo->n_ssh_ports; k++)
                        dup |= oo->ssh_ports[k] == p;
                if (p > 0 && p < 65536 && !dup)
                        oo->ssh_ports[oo->n_ssh_ports++] = (uint16_t)p;
        }
}

/* The probe is attached first, so the other collectors run while it observes. */
static void start_observing(const struct collect_opts *o, const struct rootfs *root, const struct rootfs *proc,
                            struct facts *f, struct observe_session **ret)
{
        struct observe_opts oo = {.seconds = o->observe_seconds, .verbose = o->verbose,
                                  .force_tracepoint = getenv("NODEWARD_FORCE_TRACEPOINT") != NULL};
        if (f->collected & FACT_SSHD)
                observe_ports_from_sshd(&f->sshd, &oo);
        if (f->collected & FACT_KUBELET)
                klive_observe_ports(&f->kubelet, &oo.kubelet_port, &oo.kubelet_ro_port);
        observe_begin(root, proc, &oo, &f->observe, ret);
        if (o->verbose && !f->observe.error)
                fprintf(stderr, "nodeward: attached (%s)\n", f->observe.mode);
        if (!f->observe.error)
                fprintf(stderr, "nodeward: observing TCP connect attempts for %d s\n", o->observe_seconds);
}

int facts_collect(const struct collect_opts *o, struct facts *f, char **ret_err)
{
        memset(f, 0, sizeof(*f));
        const char *rootp = o->root && *o->root ? o->root : "/";
        struct rootfs root = {.fd = -1}, proc = {.fd = -1};
        int r = rootfs_open_root(rootp, &root);
        if (r < 0) {
                *ret_err = xasprintf("--root %s: %s", rootp, strerror(-r));
                return r;
        }
        f->root_path = xstrdup(rootp);
        unsigned needs = o->needs | FACT_NODE;
        if ((needs & FACT_CONNWATCH) && o->observe_seconds > 0)
                needs |= FACT_SSHD | FACT_KUBELET;
        if (needs & (FACT_APISERVER | FACT_KUBELET_LIVE))
                needs |= FACT_KUBELET;
        if (needs & FACT_POD_SSH)
                needs |= FACT_SSHD; /* the pod probe tries sshd's real ports */
        if (needs & (FACT_KUBELET | FACT_SSHD | FACT_SOCKETS | FACT_CONNWATCH | FACT_KUBE_PROXY | FACT_SYSCTL))
                needs |= FACT_PROCS;

        /* The network probes need --proc too: pid 1's namespace and kubepods processes. */
        if (needs & (FACT_PROCS | FACT_IMDS | FACT_POD_IMDS | FACT_POD_SSH)) {
                r = o->proc ? procfs_open_root(o->proc, &proc) : procfs_open_subroot(&root, "proc", &proc);
                f->proc_path = o->proc ? xstrdup(o->proc) : path_join(rootp, "proc");
                if (r < 0 && o->proc) {
                        *ret_err = xasprintf("--proc %s: %s", o->proc, strerror(-r));
                        rootfs_close(&root);
                        free(f->root_path);
                        free(f->proc_path);
                        memset(f, 0, sizeof(*f));
                        return r;
                }
        }
        if (needs & FACT_PROCS) {
                if (r == 0)
                        r = proc_table_read(&proc, &f->procs);
                if (r < 0)
                        f->procs_error = xasprintf("%s: %s", f->proc_path, rootfs_strerror(r));
                f->collected |= FACT_PROCS;
        }
        /* sshd's effective ports are what the probe watches: resolve them first. */
        if (needs & FACT_SSHD) {
                sshd_collect(&root, &f->procs, &f->sshd);
                f->collected |= FACT_SSHD;
        }
        /* The kubelet's resolved ports are watched too. */
        if (needs & FACT_KUBELET) {
                kubelet_collect(&root, &proc, &f->procs, &f->kubelet);
                f->collected |= FACT_KUBELET;
        }
        struct observe_session *obs = NULL;
        if ((needs & FACT_CONNWATCH) && o->observe_seconds > 0) {
                start_observing(o, &root, &proc, f, &obs);
                f->collected |= FACT_CONNWATCH;
        }
        collect_node(&root, strcmp(rootp, "/") == 0, &f->node);
        f->collected |= FACT_NODE;
        if (needs & FACT_KUBELET_FILES) {
                kubelet_unit_files_collect(&root, &f->kubelet_unit);
                f->collected |= FACT_KUBELET_FILES;
        }
        if (needs & FACT_SYSCTL) {
                sysctl_collect(&proc, f->proc_path, &f->sysctl);
                f->collected |= FACT_SYSCTL;
        }
        if (needs & FACT_KUBE_PROXY) {
                kube_proxy_collect(&root, &proc, f->procs_error ? NULL : &f->procs, &f->kube_proxy);
                f->collected |= FACT_KUBE_PROXY;
        }
        if (needs & FACT_APISERVER) {
                apiserver_collect(&root, &f->kubelet, &f->apiserver);
                f->collected |= FACT_APISERVER;
        }
        if (needs & FACT_KUBELET_LIVE) {
                struct klive_collect_opts ko = {.pod_netns = o->pod_netns};
                klive_opts_from_kubelet(&f->kubelet, &ko);
                klive_collect(&root, &proc, &ko, &f->klive);
                f->collected |= FACT_KUBELET_LIVE;
        }
        if (needs & (FACT_IMDS | FACT_POD_IMDS | FACT_POD_SSH)) {
                struct imds_collect_opts io = {.host = needs & FACT_IMDS, .pod_imds = needs & FACT_POD_IMDS,
                                               .pod_ssh = needs & FACT_POD_SSH, .pod_netns = o->pod_netns};
                if (f->sshd.cfg.found && !f->sshd.cfg.error)
                        io.n_ssh_ports = sshd_config_ports(&f->sshd.cfg, &io.ssh_ports);
                imds_collect(&root, &proc, &io, &f->imds);
                f->collected |= needs & (FACT_IMDS | FACT_POD_IMDS | FACT_POD_SSH);
        }
        if (needs & FACT_SOCKETS) {
                /* The host's namespace is found through PROC/1; never fall back to
                 * nodeward's own when the root has no process table. */
                if (o->sock_handles)
                        sockets_collect_handles(o->sock_handles, o->sock_netns_what, proc.fd >= 0 ? &proc : NULL,
                                                SOCKETS_OWNERS | SOCKETS_ADDRS, &f->sockets);
                else if (proc.fd >= 0 || o->netns)
                        sockets_collect(o->netns, proc.fd >= 0 ? &proc : NULL, SOCKETS_OWNERS | SOCKETS_ADDRS,
                                        &f->sockets);
                else
                        f->sockets.error = xasprintf("%s: no process table, so no network namespace to read",
                                                     f->proc_path);
                f->collected |= FACT_SOCKETS;
        }
        f->allow_listeners = xcalloc(o->n_allow_listeners + 1, sizeof(char *));
        for (size_t i = 0; i < o->n_allow_listeners; i++)
                f->allow_listeners[i] = xstrdup(o->allow_listeners[i]);
        f->n_allow_listeners = o->n_allow_listeners;
        if (obs) {
                /* Attached, and the privileged collectors are done: the wait and the
                 * attribution only read. */
                privs_drop_to_readers(&f->privs_error);
        }
        observe_end(obs, &f->observe);
        observe_session_free(obs);
        rootfs_close(&proc);
        rootfs_close(&root);
        return 0;
}

void facts_free(struct facts *f)
{
        if (!f)
                return;
        free(f->root_path);
        free(f->proc_path);
        free(f->node.hostname);
        free(f->node.name);
        free(f->node.kernel);
        free(f->node.os);
        proc_table_free(&f->procs);
        free(f->procs_error);
        kubelet_facts_free(&f->kubelet);
        sshd_facts_free(&f->sshd);
        imds_facts_free(&f->imds);
        apiserver_facts_free(&f->apiserver);
        klive_facts_free(&f->klive);
        sockets_free(&f->sockets);
        if (f->allow_listeners)
                strv_free(f->allow_listeners, f->n_allow_listeners);
        observe_facts_free(&f->observe);
        kubelet_unit_files_free(&f->kubelet_unit);
        sysctl_facts_free(&f->sysctl);
        kube_proxy_facts_free(&f->kube_proxy);
        free(f->privs_error);
        memset(f, 0, sizeof(*f));
}
