/* test_kubelet_upstream: node roots modelled on real EKS (AL2, AL2023), Bottlerocket and kubeadm nodes, with every kubelet verdict. */
#include "testutil.h"

#include "kubelet_scratch.h"
#include "base/util.h"

/*
 * Acceptance: node roots modelled on the real upstream files (each fixture's SOURCES.md says which),
 * with the verdict the real kubelet and the CIS EKS / Kubernetes benchmarks give for every kubelet
 * check. Extra kubelet checks added later are not asserted here; every one listed is exact.
 * These roots have no proc/: no listener can be read, so kubelet.read-only-port is an error whose
 * evidence still names the resolved readOnlyPort (a port 0 in the files is no proof nothing serves it).
 */

static const struct expect EKS_AL2[] = {
        {"kubelet.anonymous-auth", "pass", "from config file /etc/kubernetes/kubelet/kubelet-config.json"},
        {"kubelet.authorization-mode", "pass", "Webhook"},
        {"kubelet.client-ca-file", "pass", "holds a PEM certificate"},
        {"kubelet.read-only-port", "error", "readOnlyPort=0 from config file"},
        {"kubelet.streaming-idle-timeout", "pass", "4h0m0s from default (absent"},
        {"kubelet.protect-kernel-defaults", "pass", NULL},
        {"kubelet.iptables-util-chains", "pass", "from default (absent"},
        /* bootstrap.sh always adds --hostname-override=$(private-dns-name) (10-kubelet-args.conf). */
        {"kubelet.hostname-override", "fail", "ip-10-0-1-23.us-west-2.compute.internal"},
        {"kubelet.event-qps", "pass", "eventRecordQPS=50 from default"},
        /* templates/al2/runtime/kubelet-kubeconfig: aws-iam-authenticator, no client certificate. */
        {"kubelet.rotate-certificates", "pass",
         "exec credential plugin /usr/bin/aws-iam-authenticator: no client certificate to rotate"},
        {"kubelet.server-cert-rotation", "pass", NULL},
        {"kubelet.tls-cipher-suites", "pass", NULL},
        {"kubelet.config-permissions", "pass", "kubelet-config.json mode 0644"},
        {"kubelet.config-ownership", "pass", NULL},
        {"kubelet.kubeconfig-permissions", "pass", "/var/lib/kubelet/kubeconfig"},
        {"kubelet.kubeconfig-ownership", "pass", NULL},
        {0},
};

static void test_eks_al2_node_verdicts(void **state)
{
        (void)state;
        expect_all("eks-al2-node", EKS_AL2, 1);
}

static void test_eks_al2_outpost_bootstraps_a_client_certificate(void **state)
{
        (void)state;
        /* bootstrap.sh on a local-cluster Outpost: the kubeconfig becomes the bootstrap
         * kubeconfig and the kubelet obtains a client certificate it never renews, because the
         * AL2 template sets no rotateCertificates. */
        char *root = scratch_copy("eks-al2-node"), a[4096], b[4096];
        snprintf(a, sizeof(a), "%s/var/lib/kubelet/kubeconfig", root);
        snprintf(b, sizeof(b), "%s/var/lib/kubelet/bootstrap-kubeconfig", root);
        assert_int_equal(rename(a, b), 0);
        tu_write(
                root, "etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf",
                "[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--bootstrap-kubeconfig /var/lib/kubelet/bootstrap-kubeconfig '\n");
        cJSON *j = tu_check_json(root, "kubelet", NULL);
        tu_assert_result(
                j, "kubelet.rotate-certificates", "fail",
                "bootstrap a client certificate through /var/lib/kubelet/bootstrap-kubeconfig and never renew it");
        tu_assert_result(j, "kubelet.kubeconfig-permissions", "skip", "does not exist yet");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static const struct expect EKS_AL2023[] = {
        {"kubelet.anonymous-auth", "pass", "from config file /etc/kubernetes/kubelet/config.json"},
        {"kubelet.authorization-mode", "pass", "Webhook"},
        {"kubelet.client-ca-file", "pass", "holds a PEM certificate"},
        /* hardening/90-cis.conf (a subdirectory, walked after 40-nodeadm.conf) nulls the 10255
         * 40-nodeadm.conf set; config.json's 0 is what the drop-ins were patched over. */
        {"kubelet.read-only-port", "error",
         "readOnlyPort=0 from config file /etc/kubernetes/kubelet/config.json "
         "(null in drop-in /etc/kubernetes/kubelet/config.json.d/hardening/90-cis.conf "
         "removed 10255 from drop-in /etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf)"},
        /* A drop-in is merged after defaulting (server.go mergeKubeletConfigurations): 0s stays 0. */
        {"kubelet.streaming-idle-timeout", "fail",
         "streamingConnectionIdleTimeout=0s from drop-in /etc/kubernetes/kubelet/config.json.d/40-nodeadm.conf"},
        {"kubelet.protect-kernel-defaults", "pass", NULL},
        {"kubelet.iptables-util-chains", "pass", NULL},
        {"kubelet.hostname-override", "fail", "from flag --hostname-override"},
        {"kubelet.event-qps", "pass", "eventRecordQPS=50 from default"},
        {"kubelet.rotate-certificates", "pass", "exec credential plugin aws: no client certificate to rotate"},
        {"kubelet.server-cert-rotation", "pass", NULL},
        {"kubelet.tls-cipher-suites", "pass", NULL},
        {"kubelet.config-permissions", "pass", "/etc/kubernetes/kubelet/config.json.d/hardening/90-cis.conf mode 0644"},
        {"kubelet.config-ownership", "pass", "hardening/90-cis.conf owner 0:0"},
        {"kubelet.kubeconfig-permissions", "pass", NULL},
        {"kubelet.kubeconfig-ownership", "pass", NULL},
        {0},
};

static void test_eks_al2023_nodeadm_node_verdicts(void **state)
{
        (void)state;
        expect_all("eks-al2023-node", EKS_AL2023, 1);
}

static void test_eks_al2023_subdirectory_dropin_is_permission_checked(void **state)
{
        (void)state;
        char *root = scratch_copy("eks-al2023-node"), p[4096];
        snprintf(p, sizeof(p), "%s/etc/kubernetes/kubelet/config.json.d/hardening/90-cis.conf", root);
        assert_int_equal(chmod(p, 0666), 0);
        assert_int_equal(chown(p, 1000, 0), 0);
        cJSON *j = tu_check_json(root, "kubelet", NULL);
        tu_assert_result(j, "kubelet.config-permissions", "fail", "config.json.d/hardening/90-cis.conf mode 0666");
        tu_assert_result(j, "kubelet.config-ownership", "fail", "config.json.d/hardening/90-cis.conf owner 1000:0");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static const struct expect BOTTLEROCKET[] = {
        {"kubelet.anonymous-auth", "pass", "from config file /etc/kubernetes/kubelet/config"},
        {"kubelet.authorization-mode", "pass", "Webhook"},
        {"kubelet.client-ca-file", "pass", "holds a PEM certificate"},
        {"kubelet.read-only-port", "error", "readOnlyPort=0 from config file"},
        {"kubelet.streaming-idle-timeout", "pass", "4h0m0s from default (absent"},
        {"kubelet.protect-kernel-defaults", "pass", NULL},
        {"kubelet.iptables-util-chains", "pass", NULL},
        {"kubelet.hostname-override", "pass", "not set"},
        {"kubelet.event-qps", "pass", "eventRecordQPS=50 from default"},
        {"kubelet.rotate-certificates", "pass", "exec credential plugin /usr/bin/aws-iam-authenticator"},
        {"kubelet.server-cert-rotation", "pass", "serverTLSBootstrap=true from config file"},
        {"kubelet.tls-cipher-suites", "pass", NULL},
        {"kubelet.config-permissions", "pass", "/etc/kubernetes/kubelet/config mode"},
        {"kubelet.config-ownership", "pass", NULL},
        {"kubelet.kubeconfig-permissions", "pass", "/etc/kubernetes/kubelet/kubeconfig"},
        {"kubelet.kubeconfig-ownership", "pass", NULL},
        {0},
};

static void test_bottlerocket_node_verdicts(void **state)
{
        (void)state;
        /* Every listed check passes; the exit code is left to checks other areas add. */
        expect_all("bottlerocket-node", BOTTLEROCKET, -1);
}

static void test_bottlerocket_tls_mode_never_rotates_its_client_certificate(void **state)
{
        (void)state;
        /* kubelet-kubeconfig and kubelet-exec-start-conf rendered for authentication-mode "tls". */
        char *root = scratch_copy("bottlerocket-node"), p[4096], *text;
        tu_write(
                root, "etc/kubernetes/kubelet/kubeconfig",
                "---\napiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority: \"/etc/kubernetes/pki/ca.crt\"\n"
                "    server: \"https://10.0.0.10:6443\"\n  name: kubernetes\ncontexts:\n- context:\n    cluster: kubernetes\n"
                "    user: kubelet\n  name: kubelet\ncurrent-context: kubelet\nusers:\n- name: kubelet\n  user:\n"
                "    client-certificate: \"/var/lib/kubelet/pki/kubelet-client-current.pem\"\n"
                "    client-key: \"/var/lib/kubelet/pki/kubelet-client-current.pem\"\n");
        snprintf(p, sizeof(p), "%s/etc/systemd/system/kubelet.service.d/exec-start.conf", root);
        FILE *f = fopen(p, "r");
        assert_non_null(f);
        text = tu_read_fd(fileno(f));
        fclose(f);
        char *at = strstr(text, "    --config ");
        assert_non_null(at);
        struct strbuf sb = {0};
        sb_putn(&sb, text, (size_t)(at - text));
        sb_puts(&sb, "    --bootstrap-kubeconfig /etc/kubernetes/kubelet/bootstrap-kubeconfig \\\n");
        sb_puts(&sb, at);
        tu_write(root, "etc/systemd/system/kubelet.service.d/exec-start.conf", sb.buf);
        sb_free(&sb);
        free(text);
        cJSON *j = tu_check_json(root, "kubelet", NULL);
        tu_assert_result(
                j, "kubelet.rotate-certificates", "fail",
                "client certificate file /var/lib/kubelet/pki/kubelet-client-current.pem: the client certificate expires and is never renewed");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static const struct expect KUBEADM[] = {
        {"kubelet.anonymous-auth", "pass", "from config file /var/lib/kubelet/config.yaml"},
        {"kubelet.authorization-mode", "pass", "Webhook"},
        {"kubelet.client-ca-file", "pass", "holds a PEM certificate"},
        {"kubelet.read-only-port", "error", "readOnlyPort=0 from default (absent"},
        /* kubeadm writes 0s; SetDefaults_KubeletConfiguration makes it 4h (CIS 3.2.5 passes). */
        {"kubelet.streaming-idle-timeout", "pass",
         "streamingConnectionIdleTimeout=4h0m0s from default (config file "
         "/var/lib/kubelet/config.yaml says 0s; the kubelet replaces a zero"},
        {"kubelet.protect-kernel-defaults", "fail", "protectKernelDefaults=false from default (absent"},
        {"kubelet.iptables-util-chains", "pass", NULL},
        {"kubelet.hostname-override", "pass", "not set"},
        {"kubelet.event-qps", "pass", "eventRecordQPS=50 from default"},
        {"kubelet.rotate-certificates", "pass", "kubelet-client-current.pem (the certificate manager's rotated file)"},
        {"kubelet.server-cert-rotation", "warn", "serverTLSBootstrap=false"},
        {"kubelet.tls-cipher-suites", "warn", "is not set"},
        /* A kubeadm node is judged by CIS Kubernetes (chosen for kubeadm's files), whose 4.1.9 and
         * 4.1.5 ask 600 (kube-bench cfg/cis-1.12/node.yaml); the scratch copy is 0644. */
        {"kubelet.config-permissions", "fail", "/var/lib/kubelet/config.yaml mode 0644 (want 0600 or stricter)"},
        {"kubelet.config-ownership", "pass", NULL},
        {"kubelet.kubeconfig-permissions", "fail", "/etc/kubernetes/kubelet.conf mode 0644 (want 0600 or stricter)"},
        {"kubelet.kubeconfig-ownership", "pass", NULL},
        {0},
};

static void test_kubeadm_node_verdicts(void **state)
{
        (void)state;
        expect_all("kubeadm-node", KUBEADM, 1);
}

static void test_kubeadm_flag_zero_is_applied_after_defaulting(void **state)
{
        (void)state;
        /* /etc/default/kubelet (10-kubeadm.conf's last EnvironmentFile): the flag is parsed over the
         * defaulted configuration (server.go kubeletConfigFlagPrecedence), so 0 really is 0. */
        char *root = scratch_copy("kubeadm-node");
        tu_write(root, "etc/default/kubelet", "KUBELET_EXTRA_ARGS=--streaming-connection-idle-timeout=0\n");
        cJSON *j = tu_check_json(root, "kubelet", NULL);
        tu_assert_result(j, "kubelet.streaming-idle-timeout", "fail",
                         "streamingConnectionIdleTimeout=0 from flag --streaming-connection-idle-timeout "
                         "(config file /var/lib/kubelet/config.yaml says 0s)");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static const cJSON *explain_field(const cJSON *j, const char *path)
{
        const cJSON *f = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "fields"), path);
        if (!f)
                fail_msg("explain has no field %s", path);
        return f;
}

static void test_explain_says_why_each_default_applied(void **state)
{
        (void)state;
        char root[4096];
        snprintf(root, sizeof(root), "%s/kubeadm-node", tu_fixtures());
        char *argv[] = {(char *)tu_nodeward(), "explain", "kubelet", "--root", root, NULL};
        char *out, *err;
        assert_int_equal(tu_run(argv, &out, &err), 0);
        cJSON *j = cJSON_Parse(out);
        assert_non_null(j);
        const cJSON *sit = explain_field(j, "streamingConnectionIdleTimeout");
        assert_string_equal(cJSON_GetObjectItem(sit, "value")->valuestring, "4h0m0s");
        assert_string_equal(cJSON_GetObjectItem(sit, "default_reason")->valuestring, "zero value replaced");
        assert_string_equal(
                cJSON_GetObjectItem(explain_field(j, "protectKernelDefaults"), "default_reason")->valuestring,
                "absent");
        assert_null(cJSON_GetObjectItem(explain_field(j, "authorization.mode"), "default_reason"));
        const cJSON *kc = cJSON_GetObjectItem(j, "kubeconfig_credentials");
        assert_string_equal(cJSON_GetObjectItem(kc, "kind")->valuestring, "client certificate file");
        cJSON_Delete(j);
        free(out);
        free(err);

        snprintf(root, sizeof(root), "%s/eks-al2023-node", tu_fixtures());
        assert_int_equal(tu_run(argv, &out, &err), 0);
        j = cJSON_Parse(out);
        assert_non_null(j);
        const cJSON *d = cJSON_GetObjectItem(j, "drop_ins");
        assert_int_equal(cJSON_GetArraySize(d), 2);
        assert_string_equal(cJSON_GetArrayItem(d, 1)->valuestring,
                            "/etc/kubernetes/kubelet/config.json.d/hardening/90-cis.conf");
        const cJSON *ro = explain_field(j, "readOnlyPort");
        assert_string_equal(cJSON_GetObjectItem(ro, "source")->valuestring, "file");
        assert_non_null(strstr(cJSON_GetObjectItem(ro, "overrides")->valuestring, "null in drop-in"));
        assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "effective"), "readOnlyPort")->valueint, 0);
        cJSON_Delete(j);
        free(out);
        free(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_eks_al2_node_verdicts),
                cmocka_unit_test(test_eks_al2_outpost_bootstraps_a_client_certificate),
                cmocka_unit_test(test_eks_al2023_nodeadm_node_verdicts),
                cmocka_unit_test(test_eks_al2023_subdirectory_dropin_is_permission_checked),
                cmocka_unit_test(test_bottlerocket_node_verdicts),
                cmocka_unit_test(test_bottlerocket_tls_mode_never_rotates_its_client_certificate),
                cmocka_unit_test(test_kubeadm_node_verdicts),
                cmocka_unit_test(test_kubeadm_flag_zero_is_applied_after_defaulting),
                cmocka_unit_test(test_explain_says_why_each_default_applied),
        };
        return cmocka_run_group_tests_name("kubelet on upstream node roots (end to end)", tests, NULL,
                                           tu_group_teardown);
}
