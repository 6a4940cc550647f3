/* test_worker_node: the worker-node checks and the benchmark mapping, end to end, on the kubeadm-worker
 * fixture (a kubeadm node with kube-proxy in a pod; see tests/fixtures/kubeadm-worker/SOURCES.md).
 * Items from aquasecurity/kube-bench cfg/cis-1.12/node.yaml and cfg/eks-1.8.0/node.yaml. */
#include "fleet.h"

#include <signal.h>
#include <sys/wait.h>

/* Copy the fixture with root owners and mode 0644 (0755 directories), whatever the checkout did. */
static char *scratch_copy(void)
{
        char *dst = tu_mkdtemp(), src[4096], cmd[8192];
        snprintf(src, sizeof(src), "%s/kubeadm-worker", tu_fixtures());
        tu_copy_tree(src, dst);
        snprintf(cmd, sizeof(cmd),
                 "chown -hR 0:0 '%s' && find '%s' -type f -exec chmod 0644 {} + && "
                 "find '%s' -type d -exec chmod 0755 {} +",
                 dst, dst, dst);
        assert_int_equal(system(cmd), 0);
        return dst;
}

static void run_cmd(const char *fmt, const char *root)
{
        char cmd[8192];
        snprintf(cmd, sizeof(cmd), fmt, root, root, root);
        assert_int_equal(system(cmd), 0);
}

static cJSON *check_json(const char *root, const char *bench, int *ret_rc)
{
        char *argv[] = {(char *)tu_nodeward(),
                        "check",
                        "--root",
                        (char *)root,
                        "--format",
                        "json",
                        "--only",
                        "kubelet,kube-proxy",
                        bench ? "--benchmark" : NULL,
                        (char *)bench,
                        NULL};
        char *out, *err;
        int rc = tu_run(argv, &out, &err);
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fail_msg("no JSON (exit %d): %s %s", rc, out, err);
        free(out);
        free(err);
        *ret_rc = rc;
        return j;
}

static const cJSON *bref(const cJSON *report, const char *id)
{
        return cJSON_GetArrayItem(cJSON_GetObjectItem(tu_result(report, id), "benchmark_references"), 0);
}

/* Without --benchmark, kubeadm's files pick CIS Kubernetes, whose worker-node
 * permission items ask 600 where CIS EKS asks 644. */
static void test_kubeadm_node_judged_by_cis_kubernetes(void **state)
{
        (void)state;
        char *root = scratch_copy();
        run_cmd("chmod 0600 '%s/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf'", root);
        int rc;
        cJSON *j = check_json(root, NULL, &rc);
        assert_int_equal(rc, 1);
        const cJSON *b = cJSON_GetObjectItem(j, "benchmark");
        assert_string_equal(cJSON_GetObjectItem(b, "id")->valuestring, "cis-kubernetes-1.12.0");
        assert_non_null(strstr(cJSON_GetObjectItem(b, "selected_by")->valuestring, "kubeadm"));
        tu_assert_result(j, "kubelet.service-file-permissions", "fail",
                         "/usr/lib/systemd/system/kubelet.service mode 0644 (want 0600 or stricter)");
        tu_assert_contains_(
                "kubelet.service-file-permissions",
                cJSON_GetObjectItem(tu_result(j, "kubelet.service-file-permissions"), "evidence")->valuestring,
                "want 0600");
        tu_assert_result(j, "kubelet.service-file-ownership", "pass", "10-kubeadm.conf owner 0:0");
        assert_string_equal(cJSON_GetObjectItem(bref(j, "kubelet.service-file-permissions"), "item")->valuestring,
                            "4.1.1");
        assert_string_equal(cJSON_GetObjectItem(bref(j, "kubelet.service-file-permissions"), "assessment")->valuestring,
                            "automated");
        tu_assert_result(j, "kubelet.config-permissions", "fail", "/var/lib/kubelet/config.yaml mode 0644 (want 0600");
        tu_assert_result(j, "kubelet.client-ca-permissions", "pass", "/etc/kubernetes/pki/ca.crt mode 0644");
        tu_assert_result(j, "kubelet.pod-pids-limit", "pass",
                         "podPidsLimit=4096 from config file /var/lib/kubelet/config.yaml");
        tu_assert_result(j, "kubelet.seccomp-default", "pass", "seccompDefault=true");
        assert_string_equal(cJSON_GetObjectItem(bref(j, "kubelet.seccomp-default"), "item")->valuestring, "4.2.14");
        tu_assert_result(j, "kubelet.tls-cert-files", "fail", "self-signed");
        /* setupKernelTunables: protectKernelDefaults with kernel.panic=0 stops the kubelet. */
        tu_assert_result(j, "kubelet.kernel-tunables", "fail",
                         "kernel.panic=0 (want 10): the kubelet refuses to start");
        /* kube-proxy's kubeconfig, found through its mountinfo in the pod's ConfigMap volume. */
        tu_assert_result(
                j, "kube-proxy.kubeconfig-permissions", "fail",
                "volumes/kubernetes.io~configmap/kube-proxy/kubeconfig.conf mode 0644 (want 0600 or stricter)");
        tu_assert_result(
                j, "kube-proxy.kubeconfig-ownership", "pass",
                "/var/lib/kube-proxy/kubeconfig.conf in kube-proxy's mount namespace is /var/lib/kubelet/pods/");
        tu_assert_result(j, "kube-proxy.metrics-bind-address", "fail",
                         "metricsBindAddress=0.0.0.0:10249 from config file /var/lib/kube-proxy/config.conf");
        assert_string_equal(cJSON_GetObjectItem(bref(j, "kube-proxy.metrics-bind-address"), "item")->valuestring,
                            "4.3.1");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

/* The same node against CIS EKS 1.8.0: 644 is enough there, and items EKS lacks say so. */
static void test_benchmark_option_changes_items_and_modes(void **state)
{
        (void)state;
        char *root = scratch_copy();
        int rc;
        cJSON *j = check_json(root, "cis-eks-1.8.0", &rc);
        assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "benchmark"), "selected_by")->valuestring,
                            "--benchmark");
        tu_assert_result(j, "kubelet.service-file-permissions", "pass", "kubelet.service mode 0644");
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(tu_result(j, "kubelet.service-file-permissions"),
                                                                "benchmark_references")),
                         0);
        tu_assert_result(j, "kubelet.config-permissions", "pass", "mode 0644");
        assert_string_equal(cJSON_GetObjectItem(bref(j, "kubelet.config-permissions"), "item")->valuestring, "3.1.3");
        assert_string_equal(cJSON_GetObjectItem(bref(j, "kubelet.iptables-util-chains"), "item")->valuestring, "3.2.6");
        tu_assert_result(j, "kube-proxy.kubeconfig-permissions", "pass", "mode 0644");
        cJSON_Delete(j);
        /* The old numbering is still there for audits against CIS EKS 1.0.1. */
        j = check_json(root, "cis-eks-1.0.1", &rc);
        assert_string_equal(cJSON_GetObjectItem(bref(j, "kubelet.iptables-util-chains"), "item")->valuestring, "3.2.7");
        assert_string_equal(cJSON_GetObjectItem(bref(j, "kubelet.protect-kernel-defaults"), "item")->valuestring,
                            "3.2.6");
        assert_string_equal(cJSON_GetObjectItem(bref(j, "kubelet.read-only-port"), "assessment")->valuestring,
                            "manual");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

/* What the checks read is what is there: fixing the sysctl, the metrics address and
 * the modes turns each verdict; without kube-proxy's mount table its config
 * cannot be found on the host (an error, not a pass). */
static void test_verdicts_follow_the_node(void **state)
{
        (void)state;
        char *root = scratch_copy();
        run_cmd("printf '10\\n' > '%s/proc/sys/kernel/panic' && "
                "sed -i 's/^metricsBindAddress: .*/metricsBindAddress: 127.0.0.1:10249/' "
                "'%s'/var/lib/kubelet/pods/*/volumes/kubernetes.io~configmap/kube-proxy/..2026*/config.conf && "
                "chmod 0600 '%s'/var/lib/kubelet/pods/*/volumes/kubernetes.io~configmap/kube-proxy/..2026*/kubeconfig.conf",
                root);
        run_cmd("chmod 0600 '%s/usr/lib/systemd/system/kubelet.service' '%s/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf'",
                root);
        int rc;
        cJSON *j = check_json(root, NULL, &rc);
        tu_assert_result(j, "kubelet.kernel-tunables", "pass", "kernel.panic=10");
        tu_assert_result(j, "kube-proxy.metrics-bind-address", "pass", "127.0.0.1:10249");
        tu_assert_result(j, "kube-proxy.kubeconfig-permissions", "pass", "kubeconfig.conf mode 0600");
        tu_assert_result(j, "kubelet.service-file-permissions", "pass", "10-kubeadm.conf mode 0600");
        cJSON_Delete(j);
        /* Without protectKernelDefaults the kubelet rewrites the settings itself. */
        run_cmd("sed -i 's/^protectKernelDefaults: true/protectKernelDefaults: false/' '%s/var/lib/kubelet/config.yaml' && "
                "printf '0\\n' > '%s/proc/sys/kernel/panic'",
                root);
        run_cmd("rm '%s/proc/1034/mountinfo' && chmod 0640 '%s/usr/lib/systemd/system/kubelet.service'", root);
        j = check_json(root, NULL, &rc);
        tu_assert_result(j, "kubelet.kernel-tunables", "skip", "the kubelet sets the kernel settings itself");
        tu_assert_result(j, "kube-proxy.kubeconfig-permissions", "error",
                         "/var/lib/kube-proxy/config.conf: No such file");
        tu_assert_result(j, "kube-proxy.metrics-bind-address", "error", "/var/lib/kube-proxy/config.conf");
        tu_assert_result(j, "kubelet.service-file-permissions", "fail", "kubelet.service mode 0640");
        cJSON_Delete(j);
        /* No kube-proxy process or unit: a kubeconfig at a well-known host path (kops'
         * static pod mounts /var/lib/kube-proxy/kubeconfig) is still judged. */
        run_cmd("rm -r '%s/proc/1034' && mkdir -p '%s/var/lib/kube-proxy' && "
                "printf 'apiVersion: v1\\nkind: Config\\n' > '%s/var/lib/kube-proxy/kubeconfig'",
                root);
        run_cmd("chmod 0600 '%s/var/lib/kube-proxy/kubeconfig'", root);
        j = check_json(root, NULL, &rc);
        tu_assert_result(j, "kube-proxy.kubeconfig-permissions", "pass",
                         "/var/lib/kube-proxy/kubeconfig mode 0600; well-known path /var/lib/kube-proxy/kubeconfig");
        tu_assert_result(j, "kube-proxy.metrics-bind-address", "skip", "not running");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static void test_list_and_formats_carry_the_items(void **state)
{
        (void)state;
        char *out, *err;
        char *list[] = {(char *)tu_nodeward(), "list", "--benchmark", "cis-kubernetes-1.12.0", NULL};
        assert_int_equal(tu_run(list, &out, NULL), 0);
        assert_non_null(strstr(out, "CIS Kubernetes Benchmark 1.12.0"));
        assert_non_null(strstr(out, "\nkubelet.service-file-permissions   medium   4.1.1 L1 auto "));
        assert_non_null(strstr(out, "\nkubelet.event-qps                  low      4.2.8 L2 manual "));
        assert_non_null(strstr(out, "\nssh.permit-root-login              high     not in it "));
        free(out);
        char *bad[] = {(char *)tu_nodeward(), "list", "--benchmark", "cis-eks-0.9", NULL};
        assert_int_equal(tu_run(bad, NULL, &err), 2);
        assert_non_null(strstr(err, "unknown benchmark \"cis-eks-0.9\""));
        free(err);
        char *watch[] = {(char *)tu_nodeward(), "watch", "--benchmark", "nope", NULL};
        assert_int_equal(tu_run(watch, NULL, NULL), 2);
        char *root = scratch_copy();
        char *prom[] = {(char *)tu_nodeward(),
                        "check",
                        "--root",
                        root,
                        "--only",
                        "kubelet.service-file-permissions",
                        "--format",
                        "prometheus",
                        NULL};
        assert_int_equal(tu_run(prom, &out, NULL), 1);
        assert_non_null(strstr(out, "nodeward_check_status{id=\"kubelet.service-file-permissions\",severity=\"medium\","
                                    "status=\"fail\",benchmark=\"cis-kubernetes-1.12.0\",item=\"4.1.1\",level=\"1\","
                                    "assessment=\"automated\"} 1\n"));
        free(out);
        char *text[] = {(char *)tu_nodeward(), "check", "--root", root, "--only", "kube-proxy", NULL};
        assert_int_equal(tu_run(text, &out, NULL), 1);
        assert_non_null(strstr(out, "\nbenchmark CIS Kubernetes Benchmark 1.12.0 (kubeadm"));
        free(out);
        tu_rm_rf(root);
        free(root);
        /* The EKS demo node keeps the default, the newest CIS EKS. */
        char demo[4096];
        snprintf(demo, sizeof(demo), "%s/demo-al2023", tu_fixtures());
        int rc;
        cJSON *j = check_json(demo, NULL, &rc);
        assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "benchmark"), "id")->valuestring,
                            "cis-eks-1.8.0");
        cJSON_Delete(j);
}

/* Reports with benchmark references keep to the v1 schema (tests/schemas/nodeward-report-v1.json);
 * the validator rejects a level that is neither 1 nor 2. */
static void test_json_report_validates_against_the_v1_schema(void **state)
{
        (void)state;
        fl_need_node_modules();
        char *root = scratch_copy();
        char a[4096], b[4096], bad[4096], demo[4096], cmd[16384];
        snprintf(a, sizeof(a), "%s/kubeadm.json", scratch);
        snprintf(b, sizeof(b), "%s/demo.json", scratch);
        snprintf(bad, sizeof(bad), "%s/bad.json", scratch);
        snprintf(demo, sizeof(demo), "%s/demo-al2023", tu_fixtures());
        char *argv1[] = {(char *)tu_nodeward(), "check", "--root", root, "--format", "json", "--output", a, NULL};
        assert_int_equal(tu_run(argv1, NULL, NULL), 1);
        char *argv2[] = {(char *)tu_nodeward(),
                         "check",
                         "--root",
                         demo,
                         "--format",
                         "json",
                         "--output",
                         b,
                         "--skip",
                         "ssh.exposed,net,imds,node",
                         "--benchmark",
                         "cis-eks-1.0.1",
                         NULL};
        assert_int_equal(tu_run(argv2, NULL, NULL), 1);
        tu_keep_report_file(a);
        tu_keep_report_file(b);
        snprintf(cmd, sizeof(cmd), "node tests/validate/report.js '%s' '%s'", a, b);
        char *out, *err;
        int rc = fl_sh(cmd, &out, &err);
        if (rc != 0)
                fail_msg("report not valid (exit %d): %s%s", rc, out, err);
        free(out), free(err);
        snprintf(cmd, sizeof(cmd),
                 "sed 's/\"level\":\t1/\"level\":\t3/' '%s' > '%s' && node tests/validate/report.js '%s'", a, bad, bad);
        assert_int_equal(fl_sh(cmd, NULL, &err), 1);
        assert_non_null(strstr(err, "benchmark_references/0/level must be equal to one of the allowed values"));
        free(err);
        tu_rm_rf(root);
        free(root);
}

/* A real process named kube-proxy in its own mount namespace, its kubeconfig on a bind
 * mount (as a ConfigMap volume is): nodeward reads the kernel's mountinfo of that process
 * and of pid 1, and stats the file behind the mount, not the empty mount point. */
static void test_real_mount_namespace_is_followed(void **state)
{
        (void)state;
        char *dir = tu_mkdtemp(), path[4096], cmd[16384];
        snprintf(
                cmd, sizeof(cmd),
                "mkdir -p '%s/cm' '%s/in/kube-proxy' && printf 'apiVersion: v1\nkind: Config\n' > '%s/cm/kubeconfig' && "
                "chmod 0666 '%s/cm/kubeconfig' && printf '#!/bin/sh\nsleep 60\n' > '%s/kube-proxy' && chmod 0755 '%s/kube-proxy'",
                dir, dir, dir, dir, dir, dir);
        assert_int_equal(system(cmd), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                setpgid(0, 0); /* its own group, so the sleep under it goes too */
                snprintf(
                        cmd, sizeof(cmd),
                        "mount --bind '%s/cm' '%s/in/kube-proxy' && exec '%s/kube-proxy' --metrics-bind-address=0.0.0.0 "
                        "--kubeconfig='%s/in/kube-proxy/kubeconfig'",
                        dir, dir, dir, dir);
                execl("/usr/bin/unshare", "unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", cmd,
                      (char *)NULL);
                _exit(127);
        }
        /* Wait until the script runs under its own name in the new namespace. */
        char comm[64] = "";
        for (int i = 0; i < 200 && strcmp(comm, "kube-proxy\n") != 0; i++) {
                usleep(50000);
                snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
                FILE *f = fopen(path, "r");
                if (f) {
                        if (!fgets(comm, sizeof(comm), f))
                                comm[0] = '\0';
                        fclose(f);
                }
        }
        char *argv[] = {(char *)tu_nodeward(), "check",       "--root",  "/", "--format", "json", "--only",
                        "kube-proxy",          "--benchmark", "cis-eks", NULL};
        char *out, *err;
        int rc = tu_run(argv, &out, &err);
        kill(-pid, SIGKILL);
        waitpid(pid, NULL, 0);
        cJSON *j = cJSON_Parse(out);
        if (!j || strcmp(comm, "kube-proxy\n") != 0)
                fail_msg("exit %d, comm \"%s\": %s %s", rc, comm, out, err);
        snprintf(path, sizeof(path), "%s/cm/kubeconfig mode 0666 (want 0644 or stricter)", dir);
        const char *want = path;
        tu_assert_result(j, "kube-proxy.kubeconfig-permissions", "fail", want);
        snprintf(cmd, sizeof(cmd),
                 "%s/in/kube-proxy/kubeconfig in kube-proxy's mount namespace is %s/cm/kubeconfig on the host", dir,
                 dir);
        want = cmd;
        tu_assert_result(j, "kube-proxy.kubeconfig-permissions", "fail", want);
        tu_assert_result(j, "kube-proxy.metrics-bind-address", "fail", "metricsBindAddress=0.0.0.0:10249 from flag");
        cJSON_Delete(j);
        free(out), free(err);
        tu_rm_rf(dir);
        free(dir);
}

/* watch judges each interval by the benchmark given (or chosen): its summary names it. */
static void test_watch_summary_names_the_benchmark(void **state)
{
        (void)state;
        char *root = scratch_copy();
        /* valgrind makes each interval take seconds: wait longer for two summaries */
        const char *secs = getenv("NODEWARD_UNDER_VALGRIND") ? "25" : "4";
        char *argv[] = {(char *)"/usr/bin/timeout",
                        (char *)"-s",
                        (char *)"TERM",
                        (char *)secs,
                        (char *)tu_nodeward(),
                        (char *)"watch",
                        (char *)"--root",
                        root,
                        (char *)"--interval",
                        (char *)"1",
                        (char *)"--only",
                        (char *)"kubelet.config-permissions",
                        (char *)"--benchmark",
                        (char *)"cis-eks-1.0.1",
                        NULL};
        char *out, *err;
        tu_run_timeout(argv, &out, &err, 120);
        size_t rounds = 0;
        for (const char *p = out; (p = strstr(p, "\"event\":\"summary\"")); p++)
                rounds++;
        /* 644 passes CIS EKS 1.0.1 3.1.3; every summary names that benchmark. */
        if (rounds < 1 || !strstr(out, "\"benchmark\":\"cis-eks-1.0.1\"") ||
            !strstr(out, "/var/lib/kubelet/config.yaml mode 0644\"") || strstr(out, "\"status\":\"fail\""))
                fail_msg("watch: %zu summaries\n%s\n%s", rounds, out, err);
        free(out), free(err);
        tu_rm_rf(root);
        free(root);
}

/* The SARIF log of this node, with the item tags and file locations, is valid SARIF 2.1.0. */
static void test_sarif_with_items_validates(void **state)
{
        (void)state;
        fl_need_node_modules();
        char *root = scratch_copy();
        char sarif[4096], cmd[8400];
        snprintf(sarif, sizeof(sarif), "%s/report.sarif", scratch);
        char *argv[] = {(char *)tu_nodeward(),
                        "check",
                        "--root",
                        root,
                        "--only",
                        "kubelet,kube-proxy",
                        "--format",
                        "sarif",
                        "--output",
                        sarif,
                        NULL};
        assert_int_equal(tu_run(argv, NULL, NULL), 1);
        snprintf(cmd, sizeof(cmd), "node tests/validate/sarif.js '%s'", sarif);
        char *out, *err;
        int rc = fl_sh(cmd, &out, &err);
        if (rc != 0)
                fail_msg("SARIF not valid (exit %d): %s%s", rc, out, err);
        free(out);
        free(err);
        snprintf(cmd, sizeof(cmd),
                 "grep -q '\"CIS Kubernetes Benchmark 1.12.0 4.1.1\"' '%s' && "
                 "grep -q '\"uri\":\t\"file:///usr/lib/systemd/system/kubelet.service\"' '%s'",
                 sarif, sarif);
        assert_int_equal(fl_sh(cmd, NULL, NULL), 0);
        tu_rm_rf(root);
        free(root);
}

/* The fleet scratch directory, then any fixture copy a failed test left behind. */
static int teardown(void **state)
{
        fl_teardown(state);
        return tu_group_teardown(state);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_kubeadm_node_judged_by_cis_kubernetes),
                cmocka_unit_test(test_benchmark_option_changes_items_and_modes),
                cmocka_unit_test(test_verdicts_follow_the_node),
                cmocka_unit_test(test_list_and_formats_carry_the_items),
                cmocka_unit_test(test_real_mount_namespace_is_followed),
                cmocka_unit_test(test_sarif_with_items_validates),
                cmocka_unit_test(test_json_report_validates_against_the_v1_schema),
                cmocka_unit_test(test_watch_summary_names_the_benchmark),
        };
        return cmocka_run_group_tests_name("worker-node checks and benchmarks, end to end", tests, fl_setup, teardown);
}
