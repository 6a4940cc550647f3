/* test_benchmarks: the (benchmark, check) -> item table, --benchmark ids, and the benchmark chosen for a node.
 * Item numbers as kube-bench transcribes them: aquasecurity/kube-bench cfg/eks-1.0.1/node.yaml,
 * cfg/eks-1.8.0/node.yaml, cfg/cis-1.10/node.yaml, cfg/cis-1.12/node.yaml. */
#include "testutil.h"
#include "collect/facts.h"

#include "engine.h"

static const struct bench_item *item(const char *bench, const char *check)
{
        const struct benchmark *b = benchmark_find(bench);
        assert_non_null(b);
        return benchmark_item(b, check);
}

static void test_eks_renumbering_between_1_0_1_and_1_8_0(void **state)
{
        (void)state;
        /* 1.0.1: 3.2.6 protect-kernel-defaults, 3.2.7 iptables, 3.2.9 eventRecordQPS, 3.2.10/11 rotation. */
        assert_string_equal(item("cis-eks-1.0.1", "kubelet.protect-kernel-defaults")->item, "3.2.6");
        assert_string_equal(item("cis-eks-1.0.1", "kubelet.iptables-util-chains")->item, "3.2.7");
        assert_string_equal(item("cis-eks-1.0.1", "kubelet.hostname-override")->item, "3.2.8");
        assert_string_equal(item("cis-eks-1.0.1", "kubelet.server-cert-rotation")->item, "3.2.11");
        /* 1.5.0 onwards dropped two items and renumbered the rest. */
        assert_null(item("cis-eks-1.8.0", "kubelet.protect-kernel-defaults"));
        assert_null(item("cis-eks-1.8.0", "kubelet.hostname-override"));
        assert_string_equal(item("cis-eks-1.8.0", "kubelet.iptables-util-chains")->item, "3.2.6");
        assert_string_equal(item("cis-eks-1.8.0", "kubelet.event-qps")->item, "3.2.7");
        assert_string_equal(item("cis-eks-1.8.0", "kubelet.rotate-certificates")->item, "3.2.8");
        assert_string_equal(item("cis-eks-1.8.0", "kubelet.server-cert-rotation")->item, "3.2.9");
        /* Manual in 1.0.1, Automated from 1.5.0. */
        assert_int_equal(item("cis-eks-1.0.1", "kubelet.read-only-port")->assessment, ASSESS_MANUAL);
        assert_int_equal(item("cis-eks-1.8.0", "kubelet.read-only-port")->assessment, ASSESS_AUTOMATED);
        /* Level 2 per ComplianceAsCode controls/cis_eks.yml. */
        assert_int_equal(item("cis-eks-1.8.0", "kubelet.event-qps")->level, 2);
        assert_int_equal(item("cis-eks-1.8.0", "kubelet.anonymous-auth")->level, 1);
}

static void test_kubernetes_worker_items_and_modes(void **state)
{
        (void)state;
        assert_string_equal(item("cis-kubernetes-1.12.0", "kubelet.service-file-permissions")->item, "4.1.1");
        assert_int_equal(item("cis-kubernetes-1.12.0", "kubelet.service-file-permissions")->max_mode, 0600);
        assert_int_equal(item("cis-eks-1.8.0", "kubelet.config-permissions")->max_mode, 0644);
        assert_int_equal(item("cis-kubernetes-1.12.0", "kubelet.config-permissions")->max_mode, 0600);
        /* The CA file: 600 up to 1.10.0, 644 from 1.11.0. */
        assert_int_equal(item("cis-kubernetes-1.10.0", "kubelet.client-ca-permissions")->max_mode, 0600);
        assert_int_equal(item("cis-kubernetes-1.11.0", "kubelet.client-ca-permissions")->max_mode, 0644);
        assert_string_equal(item("cis-kubernetes-1.12.0", "kubelet.pod-pids-limit")->item, "4.2.13");
        assert_string_equal(item("cis-kubernetes-1.12.0", "kubelet.seccomp-default")->item, "4.2.14");
        assert_null(item("cis-kubernetes-1.10.0", "kubelet.seccomp-default")); /* added in 1.11.0 */
        assert_string_equal(item("cis-kubernetes-1.12.0", "kube-proxy.metrics-bind-address")->item, "4.3.1");
        assert_string_equal(item("cis-kubernetes-1.12.0", "kubelet.tls-cert-files")->item, "4.2.9");
        assert_null(item("cis-eks-1.8.0", "kubelet.pod-pids-limit"));
        /* A live probe cites the item whose setting it measures. */
        assert_string_equal(item("cis-eks-1.8.0", "kubelet.live-anonymous")->item, "3.2.1");
        assert_string_equal(item("cis-kubernetes-1.12.0", "kubelet.live-read-only-port")->item, "4.2.4");
        assert_null(item("cis-eks-1.8.0", "kubelet.live-tls"));
}

static void test_every_row_names_a_check_and_a_benchmark(void **state)
{
        (void)state;
        for (size_t i = 0; i < bench_items_len; i++) {
                bool found = false;
                for (size_t k = 0; k < check_catalog_len && !found; k++)
                        found = strcmp(check_catalog[k].id, bench_items[i].check) == 0;
                if (!found)
                        fail_msg("bench_items[%zu] names no check: %s", i, bench_items[i].check);
                assert_true(bench_items[i].in != 0);
                assert_true(bench_items[i].level == 1 || bench_items[i].level == 2);
        }
        /* No check has two items in the same benchmark. */
        for (size_t b = 0; b < benchmarks_len; b++)
                for (size_t i = 0; i < bench_items_len; i++)
                        for (size_t k = i + 1; k < bench_items_len; k++)
                                if ((bench_items[i].in & bench_items[k].in & benchmarks[b].bit) &&
                                    strcmp(bench_items[i].check, bench_items[k].check) == 0)
                                        fail_msg("%s twice in %s", bench_items[i].check, benchmarks[b].id);
}

static void test_ids_and_aliases(void **state)
{
        (void)state;
        assert_ptr_equal(benchmark_find("cis-eks"), benchmark_default());
        assert_string_equal(benchmark_default()->id, "cis-eks-1.8.0");
        assert_string_equal(benchmark_find("cis-kubernetes")->id, "cis-kubernetes-1.12.0");
        assert_null(benchmark_find("cis-eks-9.9.9"));
        assert_null(benchmark_find(""));
}

static struct facts *node(const char *os, const char *const *argv, const char *found_by)
{
        struct facts *f = calloc(1, sizeof(*f));
        f->node.os = strdup(os);
        f->collected = FACT_KUBELET;
        f->kubelet.found = argv != NULL;
        f->kubelet.found_by = strdup(found_by);
        size_t n = 0;
        while (argv && argv[n])
                n++;
        f->kubelet.argv = calloc(n + 1, sizeof(char *));
        for (size_t i = 0; i < n; i++)
                f->kubelet.argv[i] = strdup(argv[i]);
        f->kubelet.argc = n;
        return f;
}

static void test_auto_pick_by_node(void **state)
{
        (void)state;
        const char *why;
        /* kubeadm's drop-in passes --bootstrap-kubeconfig and --kubeconfig=/etc/kubernetes/kubelet.conf. */
        static const char *const kubeadm[] = {
                "/usr/bin/kubelet", "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf",
                "--kubeconfig=/etc/kubernetes/kubelet.conf", "--config=/var/lib/kubelet/config.yaml", NULL};
        struct facts *f = node("Debian GNU/Linux 12 (bookworm)", kubeadm, "process 1 (kubelet)");
        assert_string_equal(benchmark_for_node(f, &why)->id, "cis-kubernetes-1.12.0");
        assert_non_null(strstr(why, "kubeadm"));
        facts_free(f);
        free(f);
        static const char *const br[] = {"kubelet", "--config=/etc/kubernetes/kubelet/config", NULL};
        f = node("Bottlerocket OS 1.29.0 (aws-k8s-1.31)", br, "process 1 (kubelet)");
        assert_string_equal(benchmark_for_node(f, &why)->id, "cis-eks-1.8.0");
        assert_non_null(strstr(why, "Bottlerocket"));
        facts_free(f);
        free(f);
        static const char *const al[] = {"/usr/bin/kubelet", "--config=/etc/kubernetes/kubelet/config.json", NULL};
        f = node("Amazon Linux 2023.6.20241212", al, "process 1 (kubelet)");
        assert_string_equal(benchmark_for_node(f, &why)->id, "cis-eks-1.8.0");
        assert_non_null(strstr(why, "EKS"));
        facts_free(f);
        free(f);
        f = node("Ubuntu 24.04", NULL, "none");
        assert_string_equal(benchmark_for_node(f, &why)->id, "cis-eks-1.8.0");
        assert_non_null(strstr(why, "default"));
        facts_free(f);
        free(f);
}

/* The engine hands each check its item, so a permission check judges by the
 * selected benchmark: 0644 passes CIS EKS and fails CIS Kubernetes (600). */
static void test_engine_judges_modes_by_selected_benchmark(void **state)
{
        (void)state;
        struct facts f = {0};
        f.kubelet.found = true;
        f.kubelet.found_by = strdup("process 1 (kubelet)");
        f.kubelet.has_config = true;
        f.kubelet.config.path = strdup("/var/lib/kubelet/config.yaml");
        f.kubelet.config.st.st_mode = S_IFREG | 0644;
        bool *sel = NULL;
        char *err = NULL;
        assert_int_equal(engine_select("kubelet.config-permissions", NULL, &sel, &err), 0);
        struct run run;
        engine_run_benchmark(&f, NULL, sel, benchmark_find("cis-eks-1.8.0"), "test", &run);
        assert_int_equal(run.n, 1);
        assert_int_equal(run.results[0].status, ST_PASS);
        assert_string_equal(run.results[0].item->item, "3.1.3");
        run_free(&run);
        engine_run_benchmark(&f, NULL, sel, benchmark_find("cis-kubernetes-1.12.0"), "test", &run);
        assert_int_equal(run.results[0].status, ST_FAIL);
        assert_string_equal(run.results[0].item->item, "4.1.9");
        assert_non_null(strstr(run.results[0].evidence, "want 0600 or stricter"));
        run_free(&run);
        free(sel);
        facts_free(&f);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_eks_renumbering_between_1_0_1_and_1_8_0),
                cmocka_unit_test(test_kubernetes_worker_items_and_modes),
                cmocka_unit_test(test_every_row_names_a_check_and_a_benchmark),
                cmocka_unit_test(test_ids_and_aliases),
                cmocka_unit_test(test_auto_pick_by_node),
                cmocka_unit_test(test_engine_judges_modes_by_selected_benchmark),
        };
        return cmocka_run_group_tests_name("benchmarks", tests, NULL, tu_group_teardown);
}
