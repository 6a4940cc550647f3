/* kubeproxy: where kube-proxy's kubeconfig is and where it serves metrics, as the running kube-proxy sees them.
 *
 * kube-proxy runs as a DaemonSet pod on EKS and kubeadm nodes: its --config and
 * kubeconfig are ConfigMap volumes, at paths that exist only in its mount
 * namespace. They are found on the host through PROC/PID/mountinfo and pid 1's. */
#define _GNU_SOURCE
#include "collect/kubelet/kubeproxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/confdoc.h"
#include "base/mountinfo.h"
#include "base/procfs.h"
#include "base/sdunit.h"
#include "base/util.h"

#define MOUNTINFO_CAP (4u * 1024u * 1024u)
#define KUBE_PROXY_CONFIG_CAP (1024u * 1024u)
/* ports.ProxyStatusPort */
#define PROXY_METRICS_PORT "10249"

/* pflag's reading: --name=value or --name value; the last occurrence wins. */
static const char *flag_value(char **argv, size_t argc, const char *name)
{
        const char *v = NULL;
        size_t n = strlen(name);
        for (size_t i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (strcmp(a, "--") == 0)
                        break;
                if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, n) != 0)
                        continue;
                if (a[2 + n] == '=')
                        v = a + 3 + n;
                else if (a[2 + n] == '\0' && i + 1 < argc)
                        v = argv[++i];
        }
        return v;
}

/* proxyutil.AppendPortIfNeeded: a bare IP gets the default port. */
static char *with_port(const char *addr)
{
        unsigned char buf[16];
        if (inet_pton(AF_INET, addr, buf) == 1)
                return xasprintf("%s:%s", addr, PROXY_METRICS_PORT);
        if (inet_pton(AF_INET6, addr, buf) == 1)
                return xasprintf("[%s]:%s", addr, PROXY_METRICS_PORT);
        return xstrdup(addr);
}

void kube_proxy_settings(char **argv, size_t argc, const cJSON *config, const char *config_path, char **ret_metrics,
                         char **ret_metrics_origin, char **ret_kubeconfig, char **ret_kubeconfig_origin)
{
        const char *m = NULL, *kc = NULL;
        char *m_origin = NULL, *kc_origin = NULL;
        if (config) {
                const cJSON *v = confdoc_get(config, "metricsBindAddress");
                if (cJSON_IsString(v) && *v->valuestring) {
                        m = v->valuestring;
                        m_origin = xasprintf("config file %s", config_path);
                }
                v = confdoc_get(config, "clientConnection.kubeconfig");
                if (cJSON_IsString(v) && *v->valuestring) {
                        kc = v->valuestring;
                        kc_origin = xasprintf("clientConnection.kubeconfig in %s", config_path);
                }
        } else {
                if ((m = flag_value(argv, argc, "metrics-bind-address")) && *m)
                        m_origin = xstrdup("flag --metrics-bind-address");
                if ((kc = flag_value(argv, argc, "kubeconfig")) && *kc)
                        kc_origin = xstrdup("flag --kubeconfig");
        }
        if (!m_origin) {
                /* v1alpha1 SetDefaults_KubeProxyConfiguration fills an empty address with loopback. */
                *ret_metrics = xstrdup("127.0.0.1:" PROXY_METRICS_PORT);
                *ret_metrics_origin = xstrdup("default (kube-proxy v1alpha1: loopback when unset)");
        } else {
                *ret_metrics = with_port(m);
                *ret_metrics_origin = m_origin;
        }
        *ret_kubeconfig = kc_origin ? xstrdup(kc) : NULL;
        *ret_kubeconfig_origin = kc_origin;
}

struct ns_map {
        bool have;
        struct mounts proc, host;
};

static int read_mounts(const struct rootfs *proc, const char *rel, struct mounts *ret)
{
        char *buf;
        size_t len;
        int r = procfs_read_file(proc, rel, MOUNTINFO_CAP, &buf, &len);
        if (r < 0)
                return r;
        r = mountinfo_parse(buf, len, ret);
        free(buf);
        return r;
}

/* The host path of a path as kube-proxy sees it; without mount tables (a fixture,
 * or kube-proxy on the host), the path itself. */
static char *host_path_of(const struct ns_map *m, const char *path, char **note)
{
        char *hp = NULL;
        if (m->have && path[0] == '/' && mountinfo_host_path(&m->proc, &m->host, path, &hp) == 0) {
                if (strcmp(hp, path) != 0 && note && !*note)
                        *note = xasprintf("%s in kube-proxy's mount namespace is %s on the host", path, hp);
                return hp;
        }
        return path[0] == '/' ? xstrdup(path) : path_join("/", path);
}

static void load_config(const struct rootfs *root, struct kube_proxy_facts *k, cJSON **ret_doc)
{
        char *buf, *perr = NULL;
        size_t len;
        *ret_doc = NULL;
        int r = rootfs_read_file(root, k->config_host_path, KUBE_PROXY_CONFIG_CAP, &buf, &len, NULL);
        if (r < 0) {
                k->config_error = xasprintf("%s: %s", k->config_host_path, rootfs_strerror(r));
                return;
        }
        cJSON *doc;
        r = confdoc_parse(buf, len, &doc, &perr);
        free(buf);
        if (r < 0) {
                k->config_error = xasprintf("%s:%s", k->config_host_path, perr);
                free(perr);
                return;
        }
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");
        if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "KubeProxyConfiguration") != 0) {
                k->config_error = xasprintf("%s: kind is not KubeProxyConfiguration (kube-proxy refuses this file)",
                                            k->config_host_path);
                cJSON_Delete(doc);
                return;
        }
        *ret_doc = doc;
}

/* Whose mounts say where the host's files are: with --root this process's own "/"
 * (a node checked by hand, or from a chroot) its own; otherwise (the DaemonSet's
 * /host) pid 1's, whose root --root is. */
static const char *host_view(const struct rootfs *root)
{
        struct stat a, b;
        if (fstat(root->fd, &a) == 0 && stat("/", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
                return "self/mountinfo";
        return "1/mountinfo";
}

/* The command line: the running process, else what kube-proxy.service would start. */
static bool find_kube_proxy(const struct rootfs *root, const struct rootfs *proc, const struct proc_table *procs,
                            struct kube_proxy_facts *k, char ***ret_argv, size_t *ret_argc, struct ns_map *m)
{
        const struct proc_entry *p = procs ? proc_table_find(procs, "kube-proxy") : NULL;
        if (p && p->argc > 0) {
                k->found_by = xasprintf("process %d (%s)", (int)p->pid, p->argv[0]);
                *ret_argv = xcalloc(p->argc + 1, sizeof(char *));
                for (size_t i = 0; i < p->argc; i++)
                        (*ret_argv)[i] = xstrdup(p->argv[i]);
                *ret_argc = p->argc;
                char rel[64];
                snprintf(rel, sizeof(rel), "%d/mountinfo", (int)p->pid);
                m->have = proc && proc->fd >= 0 && read_mounts(proc, rel, &m->proc) == 0 &&
                          read_mounts(proc, host_view(root), &m->host) == 0;
                return true;
        }
        struct sdunit u;
        char *err = NULL;
        if (sdunit_load(root, "kube-proxy.service", &u, &err) == 0) {
                k->found_by = xasprintf("systemd unit %s (no kube-proxy process running)", u.path);
                *ret_argv = u.argv;
                *ret_argc = u.argc;
                u.argv = NULL;
                u.argc = 0;
                sdunit_free(&u);
                return true;
        }
        free(err);
        return false;
}

/* Host files a kube-proxy that is not running (yet) would use: kops' static pod and
 * hand-made installs mount /var/lib/kube-proxy/kubeconfig from the host, kube-bench's
 * default is /etc/kubernetes/proxy.conf. On EKS and kubeadm nodes the kubeconfig is a
 * ConfigMap volume that exists only while the pod runs. */
static bool well_known_kubeconfig(const struct rootfs *root, struct kube_proxy_facts *k)
{
        static const char *const paths[] = {"/var/lib/kube-proxy/kubeconfig", "/var/lib/kube-proxy/kubeconfig.conf",
                                            "/etc/kubernetes/proxy.conf"};
        for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
                struct stat st;
                int r = rootfs_stat(root, paths[i], &st);
                if (r == -ENOENT)
                        continue;
                k->found = true;
                k->found_by = xasprintf("well-known path %s (no kube-proxy process or unit)", paths[i]);
                k->has_kubeconfig = true;
                k->kubeconfig_origin = xstrdup("well-known path");
                k->kubeconfig.path = xstrdup(paths[i]);
                k->kubeconfig.err = r;
                k->kubeconfig.st = st;
                return true;
        }
        return false;
}

void kube_proxy_collect(const struct rootfs *root, const struct rootfs *proc, const struct proc_table *procs,
                        struct kube_proxy_facts *k)
{
        memset(k, 0, sizeof(*k));
        char **argv = NULL;
        size_t argc = 0;
        struct ns_map m = {0};
        if (!find_kube_proxy(root, proc, procs, k, &argv, &argc, &m)) {
                if (!well_known_kubeconfig(root, k))
                        k->absent_reason = xstrdup("no kube-proxy: no process named kube-proxy, no kube-proxy.service "
                                                   "unit, no kubeconfig at a well-known path (a CNI that replaces "
                                                   "kube-proxy, or a node without one)");
                return;
        }
        k->found = true;
        cJSON *doc = NULL;
        const char *cfg = flag_value(argv, argc, "config");
        if (cfg && *cfg) {
                k->config_path = xstrdup(cfg);
                k->config_host_path = host_path_of(&m, cfg, NULL);
                load_config(root, k, &doc);
        }
        if (!k->config_error) {
                char *kc = NULL;
                kube_proxy_settings(argv, argc, doc, k->config_path, &k->metrics_bind, &k->metrics_origin, &kc,
                                    &k->kubeconfig_origin);
                if (kc) {
                        k->has_kubeconfig = true;
                        k->kubeconfig.path = host_path_of(&m, kc, &k->kubeconfig_mapping);
                        k->kubeconfig.err = rootfs_stat(root, k->kubeconfig.path, &k->kubeconfig.st);
                        free(kc);
                }
        }
        cJSON_Delete(doc);
        strv_free(argv, argc);
        mounts_free(&m.proc);
        mounts_free(&m.host);
}

void kube_proxy_facts_free(struct kube_proxy_facts *k)
{
        if (!k)
                return;
        free(k->absent_reason);
        free(k->found_by);
        free(k->config_path);
        free(k->config_host_path);
        free(k->config_error);
        free(k->metrics_bind);
        free(k->metrics_origin);
        free(k->kubeconfig_origin);
        free(k->kubeconfig.path);
        free(k->kubeconfig_mapping);
        memset(k, 0, sizeof(*k));
}
