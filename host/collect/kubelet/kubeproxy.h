/* kubeproxy: where kube-proxy's kubeconfig is and where it serves metrics, as the running kube-proxy sees them. */
#pragma once

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "collect/kubelet/kubelet.h"
#include "base/proc.h"
#include "base/rootfs.h"

struct kube_proxy_facts {
        bool found;
        char *absent_reason;     /* when !found */
        char *found_by;          /* "process 900 (kube-proxy)", "systemd unit ..." */
        char *config_path;       /* --config as kube-proxy sees it; NULL without */
        char *config_host_path;  /* the same file on the host (under --root) */
        char *config_error;      /* the config could not be read or is not a KubeProxyConfiguration */
        char *metrics_bind;      /* effective metricsBindAddress, port added as kube-proxy adds it; NULL when
                                  * only a kubeconfig at a well-known path was found */
        char *metrics_origin;    /* "config file X", "flag --metrics-bind-address", "default ..." */
        char *kubeconfig_origin; /* "flag --kubeconfig", "clientConnection.kubeconfig in X"; NULL: none */
        bool has_kubeconfig;
        struct kfile kubeconfig;  /* .path is the host path */
        char *kubeconfig_mapping; /* how a container path was mapped to the host, or NULL */
};

/* The effective settings from a command line and an optional parsed config: with
 * --config the file alone decides (kube-proxy ignores the other flags then; see
 * Options.Complete in cmd/kube-proxy/app/server.go); without it the flags do.
 * Exposed for tests and fuzzing. */
void kube_proxy_settings(char **argv, size_t argc, const cJSON *config, const char *config_path, char **ret_metrics,
                         char **ret_metrics_origin, char **ret_kubeconfig, char **ret_kubeconfig_origin);

/* Find kube-proxy (process under --proc, else a kube-proxy.service unit, else a kubeconfig at a
 * well-known host path) and stat its kubeconfig. */
void kube_proxy_collect(const struct rootfs *root, const struct rootfs *proc, const struct proc_table *procs,
                        struct kube_proxy_facts *ret);
void kube_proxy_facts_free(struct kube_proxy_facts *k);
