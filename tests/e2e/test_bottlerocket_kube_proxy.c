/* test_bottlerocket_kube_proxy: kube-proxy on a Bottlerocket EKS node, a pod found by its process, and its verdicts. */
#include "../testutil.h"

static char *scratch_copy(const char *name)
{
        char src[4096];
        snprintf(src, sizeof(src), "%s/%s", tu_fixtures(), name);
        char *root = tu_mkdtemp();
        tu_copy_tree(src, root);
        return root;
}

#define KP_POD "var/lib/kubelet/pods/0c6f1e52-8d3a-4b7e-9a41-5f2d7c3e9b10/volumes/kubernetes.io~configmap/"
#define KP_TS "..2026_12_01_06_12_44.2690391711"

/* One key of a ConfigMap volume as the kubelet's atomic writer lays it out: a timestamped
 * directory, ..data pointing at it, and the key a link through ..data. */
static void configmap_key(const char *root, const char *volume, const char *key, const char *text)
{
        char rel[512], target[256];
        snprintf(rel, sizeof(rel), KP_POD "%s/" KP_TS "/%s", volume, key);
        tu_write(root, rel, text);
        snprintf(rel, sizeof(rel), KP_POD "%s/..data", volume);
        tu_symlink(root, rel, KP_TS);
        snprintf(rel, sizeof(rel), KP_POD "%s/%s", volume, key);
        snprintf(target, sizeof(target), "..data/%s", key);
        tu_symlink(root, rel, target);
}

/* kube-proxy on a Bottlerocket EKS node is the EKS add-on's DaemonSet pod, found by its process as on
 * the other EKS nodes: its command as bottlerocket-os/bottlerocket's QUICKSTART-EKS.md (2d4790f, "kube-proxy
 * settings") quotes it, `kube-proxy --v=2 --config=/var/lib/kube-proxy-config/config`; the add-on mounts its
 * ConfigMaps kube-proxy (the kubeconfig) at /var/lib/kube-proxy/ and kube-proxy-config at
 * /var/lib/kube-proxy-config/ (defaultMode 420). The kubelet's pod directories are on Bottlerocket's data
 * partition: packages/release/local.mount mounts BOTTLEROCKET-DATA at /local and var.mount binds /local/var
 * at /var, so the container's mount table names the volumes by their path inside that file system. */
static void test_kube_proxy_found_by_its_process(void **state)
{
        (void)state;
        char *root = scratch_copy("bottlerocket-admin");
        static const char *const argv[] = {"kube-proxy", "--v=2", "--config=/var/lib/kube-proxy-config/config", NULL};
        tu_write_proc(root, 5120, "kube-proxy", argv);
        tu_write(root, "proc/5120/mountinfo",
                 "2101 2090 0:210 / / rw,relatime master:411 - overlay overlay rw,lowerdir=/var/lib/containerd/"
                 "io.containerd.snapshotter.v1.overlayfs/snapshots/88/fs,upperdir=/var/lib/containerd/"
                 "io.containerd.snapshotter.v1.overlayfs/snapshots/93/fs,workdir=/var/lib/containerd/"
                 "io.containerd.snapshotter.v1.overlayfs/snapshots/93/work\n"
                 "2102 2101 0:212 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw\n"
                 "2110 2101 259:3 /var/lib/kubelet/pods/0c6f1e52-8d3a-4b7e-9a41-5f2d7c3e9b10/volumes/"
                 "kubernetes.io~configmap/kubeconfig /var/lib/kube-proxy ro,nosuid,nodev,noatime - ext4 "
                 "/dev/nvme1n1p1 rw\n"
                 "2111 2101 259:3 /var/lib/kubelet/pods/0c6f1e52-8d3a-4b7e-9a41-5f2d7c3e9b10/volumes/"
                 "kubernetes.io~configmap/config /var/lib/kube-proxy-config ro,nosuid,nodev,noatime - ext4 "
                 "/dev/nvme1n1p1 rw\n"
                 "2112 2101 0:61 / /var/run/secrets/kubernetes.io/serviceaccount ro,relatime - tmpfs tmpfs rw\n");
        tu_write(root, "proc/1/mountinfo",
                 "22 1 253:0 / / ro,relatime shared:1 - ext4 /dev/dm-0 ro\n"
                 "23 22 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
                 "40 22 259:3 / /local rw,nosuid,nodev,noatime - ext4 /dev/nvme1n1p1 rw\n"
                 "41 22 259:3 /var /var rw,nosuid,nodev,noatime shared:20 - ext4 /dev/nvme1n1p1 rw\n");
        configmap_key(root, "config", "config",
                      "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nbindAddress: 0.0.0.0\nclientConnection:\n"
                      "  acceptContentTypes: \"\"\n  burst: 10\n  contentType: application/vnd.kubernetes.protobuf\n"
                      "  kubeconfig: /var/lib/kube-proxy/kubeconfig\n  qps: 5\nclusterCIDR: \"\"\n"
                      "configSyncPeriod: 15m0s\nconntrack:\n  maxPerCore: 32768\n  min: 131072\n"
                      "  tcpCloseWaitTimeout: 1h0m0s\n  tcpEstablishedTimeout: 24h0m0s\nenableProfiling: false\n"
                      "healthzBindAddress: 0.0.0.0:10256\nhostnameOverride: \"\"\niptables:\n  masqueradeAll: false\n"
                      "  masqueradeBit: 14\n  minSyncPeriod: 0s\n  syncPeriod: 30s\nkind: KubeProxyConfiguration\n"
                      "metricsBindAddress: 0.0.0.0:10249\nmode: \"iptables\"\nnodePortAddresses: null\n"
                      "oomScoreAdj: -998\nportRange: \"\"\n");
        configmap_key(root, "kubeconfig", "kubeconfig",
                      "kind: Config\napiVersion: v1\nclusters:\n- cluster:\n"
                      "    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt\n"
                      "    server: https://0123456789ABCDEF0123456789ABCDEF.gr7.us-west-2.eks.amazonaws.com\n"
                      "  name: default\ncontexts:\n- context:\n    cluster: default\n    namespace: default\n"
                      "    user: default\n  name: default\ncurrent-context: default\nusers:\n- name: default\n"
                      "  user:\n    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token\n");
        char cmd[8300];
        snprintf(cmd, sizeof(cmd), "chown -hR 0:0 '%s'", root);
        assert_int_equal(system(cmd), 0);

        cJSON *j = tu_check_json(root, "kube-proxy", NULL);
        const char *kc = "/var/lib/kube-proxy/kubeconfig in kube-proxy's mount namespace is "
                         "/var/lib/kubelet/pods/0c6f1e52-8d3a-4b7e-9a41-5f2d7c3e9b10/volumes/kubernetes.io~configmap/"
                         "kubeconfig/kubeconfig on the host";
        /* CIS EKS 3.1.1 asks 644 or stricter: the ConfigMap's defaultMode 420 is 0644. */
        tu_assert_result(j, "kube-proxy.kubeconfig-permissions", "pass", "mode 0644");
        tu_assert_result(j, "kube-proxy.kubeconfig-permissions", "pass", kc);
        tu_assert_result(j, "kube-proxy.kubeconfig-ownership", "pass", "owner 0:0");
        tu_assert_result(j, "kube-proxy.metrics-bind-address", "fail",
                         "metricsBindAddress=0.0.0.0:10249 from config file /var/lib/kube-proxy-config/config");
        cJSON_Delete(j);

        /* Tightened as CIS EKS 3.1.1 allows and metrics on loopback: both turn. */
        char p[8300];
        snprintf(p, sizeof(p), "%s/" KP_POD "kubeconfig/" KP_TS "/kubeconfig", root);
        assert_int_equal(chmod(p, 0600), 0);
        snprintf(cmd, sizeof(cmd),
                 "sed -i 's/^metricsBindAddress: 0.0.0.0:10249/metricsBindAddress: 127.0.0.1:10249/' "
                 "'%s/" KP_POD "config/" KP_TS "/config'",
                 root);
        assert_int_equal(system(cmd), 0);
        j = tu_check_json(root, "kube-proxy", NULL);
        tu_assert_result(j, "kube-proxy.kubeconfig-permissions", "pass", "mode 0600");
        tu_assert_result(j, "kube-proxy.metrics-bind-address", "pass", "metricsBindAddress=127.0.0.1:10249");
        cJSON_Delete(j);

        /* Without the process, a Bottlerocket root shows no kube-proxy: no host unit, no host kubeconfig. */
        snprintf(cmd, sizeof(cmd), "rm -rf '%s/proc/5120'", root);
        assert_int_equal(system(cmd), 0);
        j = tu_check_json(root, "kube-proxy", NULL);
        tu_assert_result(j, "kube-proxy.metrics-bind-address", "skip", "no kube-proxy: no process named kube-proxy");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kube_proxy_found_by_its_process),
        };
        return cmocka_run_group_tests_name("kube-proxy on Bottlerocket", tests, NULL, tu_group_teardown);
}
