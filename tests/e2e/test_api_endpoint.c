/* test_api_endpoint: node.api-endpoint-private reads the kubelet's kubeconfig under --root and judges the addresses. */
#include "testutil.h"

static cJSON *check_with_server(const char *server)
{
        char *root = tu_mkdtemp();
        const char *argv[] = {"/usr/bin/kubelet", "--kubeconfig=/var/lib/kubelet/kubeconfig", NULL};
        tu_write_proc(root, 100, "kubelet", argv);
        char kc[768];
        snprintf(kc, sizeof(kc),
                 "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n"
                 "    certificate-authority: /etc/kubernetes/pki/ca.crt\n"
                 "    server: %s\n  name: kubernetes\n"
                 "contexts:\n- context:\n    cluster: kubernetes\n    user: kubelet\n  name: kubelet\n"
                 "current-context: kubelet\n",
                 server);
        tu_write(root, "var/lib/kubelet/kubeconfig", kc);
        /* In an empty network namespace: a name lookup fails here without leaving the machine. */
        char *argv2[] = {(char *)"/usr/bin/unshare",
                         (char *)"--net",
                         (char *)tu_nodeward(),
                         (char *)"check",
                         (char *)"--probe",
                         (char *)"--root",
                         root,
                         (char *)"--only",
                         (char *)"node.api-endpoint-private",
                         (char *)"--format",
                         (char *)"json",
                         NULL};
        char *out;
        tu_run(argv2, &out, NULL);
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fail_msg("no JSON: %s", out);
        free(out);
        tu_rm_rf(root);
        free(root);
        return j;
}

static void test_private_address_passes(void **state)
{
        (void)state;
        cJSON *j = check_with_server("https://10.0.12.7:443");
        tu_assert_result(j, "node.api-endpoint-private", "pass", "private addresses only: 10.0.12.7");
        cJSON_Delete(j);
        j = check_with_server("https://[fd00:10::1]:6443");
        tu_assert_result(j, "node.api-endpoint-private", "pass", "fd00:10::1");
        cJSON_Delete(j);
}

static void test_public_address_fails(void **state)
{
        (void)state;
        cJSON *j = check_with_server("https://203.0.113.10");
        tu_assert_result(j, "node.api-endpoint-private", "fail", "public address(es): 203.0.113.10");
        cJSON_Delete(j);
}

static void test_unresolvable_host_warns(void **state)
{
        (void)state;
        cJSON *j = check_with_server("https://api.nodeward-test.invalid");
        tu_assert_result(j, "node.api-endpoint-private", "warn", "resolving api.nodeward-test.invalid");
        cJSON_Delete(j);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_private_address_passes),
                cmocka_unit_test(test_public_address_fails),
                cmocka_unit_test(test_unresolvable_host_warns),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
