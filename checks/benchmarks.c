/* benchmarks: the CIS benchmarks nodeward maps its checks to, and which item each check is in each.
 *
 * Item numbers and Automated/Manual come from the benchmark texts as kube-bench
 * (aquasecurity/kube-bench cfg/eks-<version>/node.yaml, managedservices.yaml and
 * cfg/cis-<version>/node.yaml) transcribes them. Profile levels for CIS EKS come
 * from ComplianceAsCode controls/cis_eks.yml (EKS 1.0.1), carried over to the
 * later versions by the item's text; CIS Kubernetes worker-node items are Level 1
 * except eventRecordQPS (Level 2, as in EKS). */
#define _GNU_SOURCE
#include "benchmarks.h"

#include <string.h>

#include "collect/facts.h"
#include "base/util.h"

enum {
        EKS101 = 1u << 0,
        EKS110 = 1u << 1,
        EKS120 = 1u << 2,
        EKS150 = 1u << 3,
        EKS170 = 1u << 4,
        EKS180 = 1u << 5,
        K18 = 1u << 6,
        K19 = 1u << 7,
        K110 = 1u << 8,
        K111 = 1u << 9,
        K112 = 1u << 10,
};
/* EKS 1.5.0 dropped protect-kernel-defaults and hostname-override and renumbered 3.2.6-3.2.9. */
#define EKS_OLD (EKS101 | EKS110 | EKS120)
#define EKS_NEW (EKS150 | EKS170 | EKS180)
#define EKS_ALL (EKS_OLD | EKS_NEW)
#define K_ALL (K18 | K19 | K110 | K111 | K112)

#define EKS "CIS Amazon EKS Benchmark"
#define K8S "CIS Kubernetes Benchmark"

/* Newest first within each family: the first of a family is its default. */
const struct benchmark benchmarks[] = {
        {"cis-eks-1.8.0", EKS, "1.8.0", EKS180},        {"cis-eks-1.7.0", EKS, "1.7.0", EKS170},
        {"cis-eks-1.5.0", EKS, "1.5.0", EKS150},        {"cis-eks-1.2.0", EKS, "1.2.0", EKS120},
        {"cis-eks-1.1.0", EKS, "1.1.0", EKS110},        {"cis-eks-1.0.1", EKS, "1.0.1", EKS101},
        {"cis-kubernetes-1.12.0", K8S, "1.12.0", K112}, {"cis-kubernetes-1.11.0", K8S, "1.11.0", K111},
        {"cis-kubernetes-1.10.0", K8S, "1.10.0", K110}, {"cis-kubernetes-1.9.0", K8S, "1.9.0", K19},
        {"cis-kubernetes-1.8.0", K8S, "1.8.0", K18},
};
const size_t benchmarks_len = ARRAY_SIZE(benchmarks);

#define A ASSESS_AUTOMATED
#define M ASSESS_MANUAL

/* check, item, level, assessment, max mode, benchmarks */
const struct bench_item bench_items[] = {
        {"kubelet.kubeconfig-permissions", "3.1.1", 1, M, 0644, EKS_OLD},
        {"kubelet.kubeconfig-permissions", "3.1.1", 1, A, 0644, EKS_NEW},
        {"kubelet.kubeconfig-permissions", "4.1.5", 1, A, 0600, K_ALL},
        {"kubelet.kubeconfig-ownership", "3.1.2", 1, M, 0, EKS_OLD},
        {"kubelet.kubeconfig-ownership", "3.1.2", 1, A, 0, EKS_NEW},
        {"kubelet.kubeconfig-ownership", "4.1.6", 1, A, 0, K_ALL},
        {"kubelet.config-permissions", "3.1.3", 1, M, 0644, EKS_OLD},
        {"kubelet.config-permissions", "3.1.3", 1, A, 0644, EKS_NEW},
        {"kubelet.config-permissions", "4.1.9", 1, A, 0600, K_ALL},
        {"kubelet.config-ownership", "3.1.4", 1, M, 0, EKS_OLD},
        {"kubelet.config-ownership", "3.1.4", 1, A, 0, EKS_NEW},
        {"kubelet.config-ownership", "4.1.10", 1, A, 0, K_ALL},
        {"kubelet.service-file-permissions", "4.1.1", 1, A, 0600, K_ALL},
        {"kubelet.service-file-ownership", "4.1.2", 1, A, 0, K_ALL},
        {"kube-proxy.kubeconfig-permissions", "4.1.3", 1, M, 0600, K_ALL},
        {"kube-proxy.kubeconfig-ownership", "4.1.4", 1, M, 0, K_ALL},
        /* 1.8.0-1.10.0 ask 600 for the CA file; 1.11.0 relaxed it to 644. */
        {"kubelet.client-ca-permissions", "4.1.7", 1, M, 0600, K18 | K19 | K110},
        {"kubelet.client-ca-permissions", "4.1.7", 1, M, 0644, K111 | K112},
        {"kubelet.client-ca-ownership", "4.1.8", 1, M, 0, K_ALL},
        {"kubelet.anonymous-auth", "3.2.1", 1, A, 0, EKS_ALL},
        {"kubelet.anonymous-auth", "4.2.1", 1, A, 0, K_ALL},
        {"kubelet.authorization-mode", "3.2.2", 1, A, 0, EKS_ALL},
        {"kubelet.authorization-mode", "4.2.2", 1, A, 0, K_ALL},
        {"kubelet.client-ca-file", "3.2.3", 1, M, 0, EKS_OLD},
        {"kubelet.client-ca-file", "3.2.3", 1, A, 0, EKS_NEW},
        {"kubelet.client-ca-file", "4.2.3", 1, A, 0, K_ALL},
        {"kubelet.read-only-port", "3.2.4", 1, M, 0, EKS_OLD},
        {"kubelet.read-only-port", "3.2.4", 1, A, 0, EKS_NEW},
        {"kubelet.read-only-port", "4.2.4", 1, M, 0, K_ALL},
        {"kubelet.streaming-idle-timeout", "3.2.5", 1, M, 0, EKS101 | EKS110},
        {"kubelet.streaming-idle-timeout", "3.2.5", 1, A, 0, EKS120 | EKS_NEW},
        {"kubelet.streaming-idle-timeout", "4.2.5", 1, M, 0, K_ALL},
        {"kubelet.protect-kernel-defaults", "3.2.6", 1, A, 0, EKS_OLD},
        {"kubelet.iptables-util-chains", "3.2.7", 1, A, 0, EKS_OLD},
        {"kubelet.iptables-util-chains", "3.2.6", 1, A, 0, EKS_NEW},
        {"kubelet.iptables-util-chains", "4.2.6", 1, A, 0, K_ALL},
        {"kubelet.hostname-override", "3.2.8", 1, M, 0, EKS_OLD},
        {"kubelet.hostname-override", "4.2.7", 1, M, 0, K_ALL},
        {"kubelet.event-qps", "3.2.9", 2, A, 0, EKS_OLD},
        {"kubelet.event-qps", "3.2.7", 2, A, 0, EKS_NEW},
        {"kubelet.event-qps", "4.2.8", 2, M, 0, K_ALL},
        {"kubelet.tls-cert-files", "4.2.9", 1, M, 0, K_ALL},
        {"kubelet.rotate-certificates", "3.2.10", 2, M, 0, EKS_OLD},
        {"kubelet.rotate-certificates", "3.2.8", 2, A, 0, EKS_NEW},
        {"kubelet.rotate-certificates", "4.2.10", 1, A, 0, K_ALL},
        {"kubelet.server-cert-rotation", "3.2.11", 1, M, 0, EKS_OLD},
        {"kubelet.server-cert-rotation", "3.2.9", 1, A, 0, EKS_NEW},
        {"kubelet.server-cert-rotation", "4.2.11", 1, M, 0, K_ALL},
        {"kubelet.tls-cipher-suites", "4.2.12", 1, M, 0, K_ALL},
        {"kubelet.pod-pids-limit", "4.2.13", 1, M, 0, K_ALL},
        {"kubelet.seccomp-default", "4.2.14", 1, M, 0, K111 | K112},
        {"kube-proxy.metrics-bind-address", "4.3.1", 1, A, 0, K_ALL},
        /* The live probes measure the same items the settings checks read: what answers
         * on the read-only port, whether anonymous requests are served, which ciphers. */
        {"kubelet.live-read-only-port", "3.2.4", 1, M, 0, EKS_OLD},
        {"kubelet.live-read-only-port", "3.2.4", 1, A, 0, EKS_NEW},
        {"kubelet.live-read-only-port", "4.2.4", 1, M, 0, K_ALL},
        {"kubelet.live-anonymous", "3.2.1", 1, A, 0, EKS_ALL},
        {"kubelet.live-anonymous", "4.2.1", 1, A, 0, K_ALL},
        {"kubelet.live-tls", "4.2.12", 1, M, 0, K_ALL},
        {"node.api-endpoint-private", "5.4.2", 2, M, 0, EKS101 | EKS110 | EKS120 | EKS170 | EKS180},
        {"node.api-endpoint-private", "5.4.2", 2, A, 0, EKS150},
        {"node.public-ip", "5.4.3", 1, M, 0, EKS101 | EKS110 | EKS120 | EKS170 | EKS180},
        {"node.public-ip", "5.4.3", 1, A, 0, EKS150},
        {"net.policy-engine", "5.4.4", 1, M, 0, EKS101 | EKS110 | EKS120 | EKS170 | EKS180},
        {"net.policy-engine", "5.4.4", 1, A, 0, EKS150},
};
const size_t bench_items_len = ARRAY_SIZE(bench_items);

const struct benchmark *benchmark_find(const char *id)
{
        if (strcmp(id, "cis-eks") == 0)
                return benchmark_default();
        for (size_t i = 0; i < benchmarks_len; i++)
                if (strcmp(id, benchmarks[i].id) == 0 ||
                    (strcmp(id, "cis-kubernetes") == 0 && strcmp(benchmarks[i].name, K8S) == 0))
                        return &benchmarks[i];
        return NULL;
}

const struct benchmark *benchmark_default(void)
{
        return &benchmarks[0];
}

const struct bench_item *benchmark_item(const struct benchmark *b, const char *check_id)
{
        if (!b)
                return NULL;
        for (size_t i = 0; i < bench_items_len; i++)
                if ((bench_items[i].in & b->bit) && strcmp(bench_items[i].check, check_id) == 0)
                        return &bench_items[i];
        return NULL;
}

const char *assessment_name(enum assessment a)
{
        return a == ASSESS_AUTOMATED ? "automated" : "manual";
}

char *benchmark_ref_str(const struct benchmark *b, const struct bench_item *it)
{
        return xasprintf("%s %s %s", b->name, b->version, it->item);
}

static bool argv_mentions(const struct kubelet_facts *k, const char *s)
{
        for (size_t i = 0; i < k->argc; i++)
                if (strstr(k->argv[i], s))
                        return true;
        return false;
}

/* kubeadm's own file names: its systemd drop-in, its bootstrap and final
 * kubeconfigs, and the config file `kubeadm join` writes. */
static bool kubeadm_node(const struct kubelet_facts *k)
{
        return (k->found_by && strstr(k->found_by, "10-kubeadm.conf")) ||
               argv_mentions(k, "/etc/kubernetes/bootstrap-kubelet.conf") ||
               argv_mentions(k, "/etc/kubernetes/kubelet.conf") ||
               (k->has_config && k->config.path && strcmp(k->config.path, "/var/lib/kubelet/config.yaml") == 0);
}

const struct benchmark *benchmark_for_node(const struct facts *f, const char **ret_why)
{
        const char *os = f->node.os ? f->node.os : "";
        const struct kubelet_facts *k = &f->kubelet;
        if (f->node.br.is_bottlerocket || strstr(os, "Bottlerocket")) {
                /* The CIS Bottlerocket Benchmark judges the OS image; its kubelet is EKS's. */
                *ret_why = "Bottlerocket node: its kubelet is judged by CIS EKS section 3";
                return benchmark_default();
        }
        if ((f->collected & FACT_KUBELET) && k->found && kubeadm_node(k)) {
                *ret_why = "kubeadm node (kubeadm's kubelet files)";
                return benchmark_find("cis-kubernetes");
        }
        if (strstr(os, "Amazon Linux") ||
            ((f->collected & FACT_KUBELET) && k->found && argv_mentions(k, "/etc/kubernetes/kubelet/"))) {
                *ret_why = "EKS node (Amazon Linux or the EKS AMI's kubelet paths)";
                return benchmark_default();
        }
        *ret_why = "default (no kubeadm or Bottlerocket signature)";
        return benchmark_default();
}
