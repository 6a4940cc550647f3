/* test_kubelet_fixtures: every kubelet verdict of the real binary over the fixture node roots (the
 * roots modelled on upstream EKS, Bottlerocket and kubeadm nodes: test_kubelet_upstream.c). */
#include "testutil.h"

#include "kubelet_scratch.h"

static void test_al2_default_passes_everything(void **state)
{
        (void)state;
        static const struct expect e[] = {
                {"kubelet.anonymous-auth", "pass", "kubelet-config.json"},
                {"kubelet.authorization-mode", "pass", "Webhook"},
                {"kubelet.client-ca-file", "pass", "holds a PEM certificate"},
                {"kubelet.read-only-port", "pass", "readOnlyPort=0"},
                {"kubelet.streaming-idle-timeout", "pass", "default"},
                {"kubelet.protect-kernel-defaults", "pass", NULL},
                {"kubelet.iptables-util-chains", "pass", NULL},
                {"kubelet.hostname-override", "pass", "not set"},
                {"kubelet.event-qps", "pass", "eventRecordQPS=50"},
                {"kubelet.rotate-certificates", "pass", NULL},
                {"kubelet.server-cert-rotation", "pass", NULL},
                {"kubelet.tls-cipher-suites", "pass", NULL},
                {"kubelet.config-permissions", "pass", "mode 0644"},
                {"kubelet.config-ownership", "pass", "owner 0:0"},
                {"kubelet.kubeconfig-permissions", "pass", "/var/lib/kubelet/kubeconfig"},
                {"kubelet.kubeconfig-ownership", "pass", NULL},
                {0},
        };
        expect_all("al2-default", e, 0);
}

static void test_al2023_weakening_dropin_is_merged(void **state)
{
        (void)state;
        static const struct expect e[] = {
                {"kubelet.read-only-port", "fail",
                 "readOnlyPort=10255 from drop-in /etc/kubernetes/kubelet/config.json.d/40-debug.conf"},
                {"kubelet.read-only-port", "fail", "config file /etc/kubernetes/kubelet/config.json says 0"},
                {"kubelet.anonymous-auth", "fail", "40-debug.conf"},
                /* The drop-in merges into authentication: webhook and x509 from the file survive. */
                {"kubelet.client-ca-file", "pass", "from config file"},
                /* 90-override.json does not end in .conf: ignored, AlwaysAllow never applies. */
                {"kubelet.authorization-mode", "pass", "Webhook"},
                {"kubelet.config-permissions", "pass", "00-nodeadm.conf"},
                {0},
        };
        expect_all("al2023-dropin", e, 1);
}

static void test_flag_overrides_config_file(void **state)
{
        (void)state;
        static const struct expect e[] = {
                {"kubelet.read-only-port", "fail", "from flag --read-only-port (config file"},
                {"kubelet.anonymous-auth", "fail", "from flag --anonymous-auth"},
                {"kubelet.protect-kernel-defaults", "fail", "flag --protect-kernel-defaults"},
                {"kubelet.server-cert-rotation", "fail", "flag --feature-gates"},
                {"kubelet.authorization-mode", "pass", NULL},
                {0},
        };
        expect_all("flags-override", e, 1);
}

static void test_no_config_uses_flag_defaults(void **state)
{
        (void)state;
        static const struct expect e[] = {
                {"kubelet.anonymous-auth", "fail", "flag default"},
                {"kubelet.authorization-mode", "fail", "AlwaysAllow"},
                {"kubelet.read-only-port", "fail", "readOnlyPort=10255 from default"},
                {"kubelet.client-ca-file", "pass", "flag --client-ca-file"},
                {"kubelet.config-permissions", "skip", "without --config"},
                {"kubelet.kubeconfig-permissions", "pass", NULL},
                {0},
        };
        expect_all("no-config", e, 1);
}

static void test_omitted_fields_take_config_file_defaults(void **state)
{
        (void)state;
        static const struct expect e[] = {
                {"kubelet.anonymous-auth", "pass", "config-file default"},
                {"kubelet.authorization-mode", "pass", "Webhook from default"},
                {"kubelet.read-only-port", "pass", "readOnlyPort=0 from default"},
                {"kubelet.tls-cipher-suites", "warn", "not set"},
                {0},
        };
        expect_all("omitted-fields", e, 1);
}

static void test_kubeadm_yaml_with_relative_config(void **state)
{
        (void)state;
        static const struct expect e[] = {
                {"kubelet.anonymous-auth", "pass", "/var/lib/kubelet/config.yaml"},
                /* kubeadm writes 0s; SetDefaults_KubeletConfiguration (kubernetes
                 * pkg/kubelet/apis/config/v1beta1/defaults.go) replaces the zero with 4h. */
                {"kubelet.streaming-idle-timeout", "pass", "config file /var/lib/kubelet/config.yaml says 0s"},
                {"kubelet.rotate-certificates", "pass", NULL},
                {"kubelet.kubeconfig-ownership", "pass", "/etc/kubernetes/kubelet.conf"},
                {0},
        };
        expect_all("kubeadm-yaml", e, 1);
}

static void test_repeated_flag_last_wins(void **state)
{
        (void)state;
        static const struct expect e[] = {
                {"kubelet.read-only-port", "pass", "readOnlyPort=0 from flag"},
                {"kubelet.authorization-mode", "pass", "Webhook from flag"},
                {"kubelet.anonymous-auth", "pass", "enabled=false from flag"},
                {"kubelet.event-qps", "pass", "eventRecordQPS=0"},
                {"kubelet.hostname-override", "fail", "--hostname-override=a"},
                {0},
        };
        expect_all("repeated-flag", e, 1);
}

static void test_dropins_sorted_by_name_and_merged(void **state)
{
        (void)state;
        static const struct expect e[] = {
                /* "9-qps.conf" sorts after "10-qps.conf" in byte order, so it wins. */
                {"kubelet.event-qps", "warn",
                 "eventRecordQPS=2 from drop-in /etc/kubernetes/kubelet/drop-ins/9-qps.conf"},
                {"kubelet.tls-cipher-suites", "pass", "9-qps.conf"},
                /* README and *.conf.disabled are not drop-ins. */
                {"kubelet.read-only-port", "pass", "readOnlyPort=0"},
                {"kubelet.client-ca-file", "pass", NULL},
                {0},
        };
        expect_all("dropin-order", e, 1);
}

static void test_dropin_dir_without_flag_is_ignored(void **state)
{
        (void)state;
        static const struct expect e[] = {
                {"kubelet.read-only-port", "pass", "config.json.d exists but --config-dir is not set"},
                {0},
        };
        expect_all("dropin-dir-no-flag", e, 1);
}

static void test_malformed_file_errors_with_position(void **state)
{
        (void)state;
        static const struct expect e[] = {
                {"kubelet.read-only-port", "error", "kubelet-config.json:3:19:"},
                {"kubelet.anonymous-auth", "error", "kubelet-config.json:3:19:"},
                {"kubelet.hostname-override", "pass", NULL},
                {"kubelet.config-permissions", "pass", NULL},
                {0},
        };
        expect_all("malformed", e, 2);
}

static void test_missing_client_ca_fails(void **state)
{
        (void)state;
        static const struct expect e[] = {
                {"kubelet.client-ca-file", "fail", "/etc/kubernetes/pki/ca.crt does not exist"},
                {0},
        };
        expect_all("missing-client-ca", e, 1);
}

static void test_client_ca_without_pem_fails(void **state)
{
        (void)state;
        char *root = scratch_copy("al2-default");
        tu_write(root, "etc/kubernetes/pki/ca.crt", "not a certificate\n");
        cJSON *j = tu_check_json(root, "kubelet.client-ca-file", NULL);
        tu_assert_result(j, "kubelet.client-ca-file", "fail", "holds no PEM certificate");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static void test_systemd_unit_with_extra_args_dropin(void **state)
{
        (void)state;
        static const struct expect e[] = {
                {"kubelet.read-only-port", "fail", "readOnlyPort=10255 from flag --read-only-port"},
                /* EnvironmentFile= wins over Environment= for KUBELET_ARGS. */
                {"kubelet.event-qps", "pass", "eventRecordQPS=0 from flag --event-qps"},
                {"kubelet.client-ca-file", "pass", NULL},
                {0},
        };
        expect_all("systemd-unit", e, 1);
}

static void test_bottlerocket_well_known_yaml(void **state)
{
        (void)state;
        static const struct expect e[] = {
                {"kubelet.anonymous-auth", "pass", "/etc/kubernetes/kubelet/config"},
                /* The root has no proc/: no network namespace to read its listeners in,
                 * and readOnlyPort 0 alone does not show that nothing serves 10255. */
                {"kubelet.read-only-port", "error",
                 "readOnlyPort=0 from config file /etc/kubernetes/kubelet/config; not evaluated: the listening "
                 "sockets could not be read: "},
                {"kubelet.kubeconfig-permissions", "pass", "/etc/kubernetes/kubelet/kubeconfig"},
                {0},
        };
        expect_all("bottlerocket", e, 2);
}

static void test_no_kubelet_skips_with_reason(void **state)
{
        (void)state;
        static const struct expect e[] = {
                {"kubelet.read-only-port", "skip", "no kubelet found"},
                {"kubelet.config-ownership", "skip", "no kubelet found"},
                {0},
        };
        expect_all("no-kubelet", e, 0);
}

static void test_bad_permissions_and_ownership(void **state)
{
        (void)state;
        char *root = scratch_copy("al2023-dropin");
        char p[4096];
        snprintf(p, sizeof(p), "%s/etc/kubernetes/kubelet/config.json.d/40-debug.conf", root);
        assert_int_equal(chmod(p, 0666), 0);
        snprintf(p, sizeof(p), "%s/var/lib/kubelet/kubeconfig", root);
        assert_int_equal(chown(p, 1000, 1000), 0);
        assert_int_equal(chmod(p, 0600), 0);
        cJSON *j = tu_check_json(root, "kubelet", NULL);
        tu_assert_result(j, "kubelet.config-permissions", "fail", "40-debug.conf mode 0666");
        tu_assert_result(j, "kubelet.config-ownership", "pass", NULL);
        tu_assert_result(j, "kubelet.kubeconfig-permissions", "pass", "mode 0600");
        tu_assert_result(j, "kubelet.kubeconfig-ownership", "fail", "owner 1000:1000");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static void test_symlink_to_host_shadow_is_not_followed_out(void **state)
{
        (void)state;
        /* The kubelet config is a link to /etc/shadow and the client CA climbs with "..":
         * both must resolve inside the root, never to this machine's files. */
        char *root = scratch_copy("al2-default");
        tu_symlink(root, "etc/kubernetes/kubelet/kubelet-config.json", "/etc/shadow");
        tu_symlink(root, "etc/kubernetes/pki/ca.crt", "../../../../../../../../etc/ssl/certs/ca-certificates.crt");
        cJSON *j = tu_check_json(root, "kubelet", NULL);
        /* ROOT/etc/shadow does not exist: a read error, not the host's shadow file. */
        tu_assert_result(j, "kubelet.read-only-port", "error", "/etc/kubernetes/kubelet/kubelet-config.json");
        /* Nothing of the host's real shadow file shows up in the report. */
        char line[256] = "";
        FILE *sh = fopen("/etc/shadow", "r");
        if (sh) {
                if (fgets(line, sizeof(line), sh))
                        line[strcspn(line, "\n")] = '\0';
                fclose(sh);
        }
        char *s = cJSON_PrintUnformatted(j);
        if (strlen(line) > 8)
                assert_null(strstr(s, line));
        assert_null(strstr(s, "readOnlyPort="));
        free(s);
        cJSON_Delete(j);
        tu_write(root, "etc/shadow",
                 "{\"kind\":\"KubeletConfiguration\",\"readOnlyPort\":4242,"
                 "\"authentication\":{\"x509\":{\"clientCAFile\":\"/etc/kubernetes/pki/ca.crt\"}}}");
        j = tu_check_json(root, "kubelet", NULL);
        tu_assert_result(j, "kubelet.read-only-port", "fail", "readOnlyPort=4242");
        /* The CA link climbs out and back into ROOT/etc/ssl/...: absent there. */
        tu_assert_result(j, "kubelet.client-ca-file", "fail", "does not exist");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static void test_report_shape_is_v1(void **state)
{
        (void)state;
        char *root = scratch_copy("demo-al2023");
        int rc;
        cJSON *j = tu_check_json(root, NULL, &rc);
        assert_int_equal(rc, 1);
        assert_string_equal(cJSON_GetObjectItem(j, "schema")->valuestring, "nodeward.report/v1");
        assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "tool"), "name")->valuestring, "nodeward");
        const cJSON *node = cJSON_GetObjectItem(j, "node");
        assert_string_equal(cJSON_GetObjectItem(node, "os")->valuestring, "Amazon Linux 2023.6.20241212");
        assert_string_equal(cJSON_GetObjectItem(node, "hostname")->valuestring, "ip-10-0-1-23.demo-al2023.internal");
        assert_true(cJSON_IsNumber(cJSON_GetObjectItem(j, "duration_ms")));
        assert_true(cJSON_IsString(cJSON_GetObjectItem(j, "started")));
        const cJSON *r;
        int n = 0, fails = 0;
        cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "results"))
        {
                n++;
                for (const char *k = "id\0title\0severity\0status\0evidence\0remediation\0"; *k; k += strlen(k) + 1)
                        assert_true(cJSON_IsString(cJSON_GetObjectItem(r, k)));
                assert_true(cJSON_IsArray(cJSON_GetObjectItem(r, "references")));
                fails += strcmp(cJSON_GetObjectItem(r, "status")->valuestring, "fail") == 0;
        }
        const cJSON *sum = cJSON_GetObjectItem(j, "summary");
        assert_int_equal(cJSON_GetObjectItem(sum, "fail")->valueint, fails);
        int total = 0;
        for (const char *k = "pass\0fail\0warn\0skip\0error\0"; *k; k += strlen(k) + 1)
                total += cJSON_GetObjectItem(sum, k)->valueint;
        assert_int_equal(total, n);
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static void test_explain_kubelet_names_each_source(void **state)
{
        (void)state;
        char root[4096];
        snprintf(root, sizeof(root), "%s/al2023-dropin", tu_fixtures());
        char *argv[] = {(char *)tu_nodeward(), "explain", "kubelet", "--root", root, NULL};
        char *out, *err;
        assert_int_equal(tu_run(argv, &out, &err), 0);
        cJSON *j = cJSON_Parse(out);
        assert_non_null(j);
        const cJSON *fields = cJSON_GetObjectItem(j, "fields");
        const cJSON *ro = cJSON_GetObjectItem(fields, "readOnlyPort");
        assert_string_equal(cJSON_GetObjectItem(ro, "source")->valuestring, "drop-in");
        assert_int_equal(cJSON_GetObjectItem(ro, "value")->valueint, 10255);
        assert_non_null(strstr(cJSON_GetObjectItem(ro, "origin")->valuestring, "40-debug.conf"));
        const cJSON *mode = cJSON_GetObjectItem(fields, "authorization.mode");
        assert_string_equal(cJSON_GetObjectItem(mode, "source")->valuestring, "file");
        const cJSON *sit = cJSON_GetObjectItem(fields, "streamingConnectionIdleTimeout");
        assert_string_equal(cJSON_GetObjectItem(sit, "source")->valuestring, "default");
        /* Defaults are filled into the effective configuration; drop-ins are listed in order. */
        const cJSON *eff = cJSON_GetObjectItem(j, "effective");
        assert_string_equal(cJSON_GetObjectItem(eff, "streamingConnectionIdleTimeout")->valuestring, "4h0m0s");
        assert_int_equal(cJSON_GetObjectItem(eff, "maxPods")->valueint, 29);
        const cJSON *d = cJSON_GetObjectItem(j, "drop_ins");
        assert_int_equal(cJSON_GetArraySize(d), 2);
        assert_non_null(strstr(cJSON_GetArrayItem(d, 0)->valuestring, "00-nodeadm.conf"));
        cJSON_Delete(j);
        free(out);
        free(err);

        snprintf(root, sizeof(root), "%s/malformed", tu_fixtures());
        assert_int_equal(tu_run(argv, &out, &err), 2);
        assert_non_null(strstr(err, "kubelet-config.json:3:19:"));
        free(out);
        free(err);
}

static void test_usage_errors_exit_2(void **state)
{
        (void)state;
        char *a1[] = {(char *)tu_nodeward(), "check", "--only", "kubelet.no-such-check", NULL};
        char *a2[] = {(char *)tu_nodeward(), "check", "--format", "xml", NULL};
        char *a3[] = {(char *)tu_nodeward(), "check", "--root", "/nonexistent/root", NULL};
        char *a4[] = {(char *)tu_nodeward(), "frobnicate", NULL};
        char *a5[] = {(char *)tu_nodeward(), "check", "--fail-on", "severe", NULL};
        char **all[] = {a1, a2, a3, a4, a5};
        for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
                char *out, *err;
                assert_int_equal(tu_run(all[i], &out, &err), 2);
                assert_true(strlen(err) > 0);
                free(out);
                free(err);
        }
        char *h[] = {(char *)tu_nodeward(), "check", "--help", NULL};
        char *out;
        assert_int_equal(tu_run(h, &out, NULL), 0);
        assert_non_null(strstr(out, "--fail-on"));
        free(out);
}

static void test_fail_on_and_output_file(void **state)
{
        (void)state;
        char *dir = tu_mkdtemp(), root[4096], outp[4096];
        snprintf(root, sizeof(root), "%s/demo-al2023", tu_fixtures());
        snprintf(outp, sizeof(outp), "%s/report.json", dir);
        /* The demo fails only medium/high/low checks: nothing critical. A fixture
         * root has no network namespace, so the socket checks (ssh.exposed, net) would be
         * errors (exit 2); they are left out here, and so are the host hardening checks. */
        char *argv[] = {(char *)tu_nodeward(),
                        "check",
                        "--root",
                        root,
                        "--fail-on",
                        "critical",
                        "--format",
                        "json",
                        "--output",
                        outp,
                        "--skip",
                        "ssh.exposed,net,host",
                        NULL};
        char *out;
        assert_int_equal(tu_run(argv, &out, NULL), 0);
        assert_string_equal(out, "");
        free(out);
        tu_keep_report_file(outp);
        FILE *f = fopen(outp, "r");
        assert_non_null(f);
        char *buf = tu_read_fd(fileno(f));
        fclose(f);
        cJSON *j = cJSON_Parse(buf);
        assert_non_null(j);
        /* 4 kubelet settings, plus podPidsLimit and seccompDefault left at their defaults */
        assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "summary"), "fail")->valueint, 6);
        cJSON_Delete(j);
        free(buf);
        argv[5] = "high";
        assert_int_equal(tu_run(argv, NULL, NULL), 1);
        tu_rm_rf(dir);
        free(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_al2_default_passes_everything),
                cmocka_unit_test(test_al2023_weakening_dropin_is_merged),
                cmocka_unit_test(test_flag_overrides_config_file),
                cmocka_unit_test(test_no_config_uses_flag_defaults),
                cmocka_unit_test(test_omitted_fields_take_config_file_defaults),
                cmocka_unit_test(test_kubeadm_yaml_with_relative_config),
                cmocka_unit_test(test_repeated_flag_last_wins),
                cmocka_unit_test(test_dropins_sorted_by_name_and_merged),
                cmocka_unit_test(test_dropin_dir_without_flag_is_ignored),
                cmocka_unit_test(test_malformed_file_errors_with_position),
                cmocka_unit_test(test_missing_client_ca_fails),
                cmocka_unit_test(test_client_ca_without_pem_fails),
                cmocka_unit_test(test_systemd_unit_with_extra_args_dropin),
                cmocka_unit_test(test_bottlerocket_well_known_yaml),
                cmocka_unit_test(test_no_kubelet_skips_with_reason),
                cmocka_unit_test(test_bad_permissions_and_ownership),
                cmocka_unit_test(test_symlink_to_host_shadow_is_not_followed_out),
                cmocka_unit_test(test_report_shape_is_v1),
                cmocka_unit_test(test_explain_kubelet_names_each_source),
                cmocka_unit_test(test_usage_errors_exit_2),
                cmocka_unit_test(test_fail_on_and_output_file),
        };
        return cmocka_run_group_tests_name("kubelet fixtures (end to end)", tests, NULL, tu_group_teardown);
}
