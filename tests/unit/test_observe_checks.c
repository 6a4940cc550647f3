/* test_observe_checks: observed attempts become fail/pass/skip/error exactly as the catalog promises. */
#include "testutil.h"
#include "collect/facts.h"

#include "check.h"
#include "base/util.h"

static struct observed_attempt attempt(const char *daddr, uint16_t port, bool pod, bool hostnet, uint64_t count)
{
        struct observed_attempt a = {.dport = port,
                                     .pod = pod,
                                     .host_network = hostnet,
                                     .count = count,
                                     .first_ms = 1700000000123,
                                     .last_ms = 1700000001456,
                                     .pid = 42};
        snprintf(a.daddr, sizeof(a.daddr), "%s", daddr);
        snprintf(a.comm, sizeof(a.comm), "curl");
        a.metadata = strcmp(daddr, "169.254.169.254") == 0 || strcmp(daddr, "fd00:ec2::254") == 0;
        if (pod) {
                snprintf(a.ref.uid, sizeof(a.ref.uid), "uid-%s-%u", hostnet ? "hn" : "pod", port);
                snprintf(a.ref.container_id, sizeof(a.ref.container_id), "c0ffee");
        }
        return a;
}

static void observed_facts(struct facts *f, struct observed_attempt *v, size_t n)
{
        memset(f, 0, sizeof(*f));
        f->collected = FACT_CONNWATCH;
        f->observe.requested = true;
        f->observe.seconds = 3;
        f->observe.mode = "tp_btf";
        f->observe.ssh_ports[0] = 22;
        f->observe.ssh_ports[1] = 2222;
        f->observe.n_ssh_ports = 2;
        f->observe.v = v;
        f->observe.n = n;
}

static void test_not_observed_is_skip(void **state)
{
        (void)state;
        struct facts f = {0};
        struct result r = {0};
        check_ssh_pod_attempts(&f, &r);
        assert_int_equal(r.status, ST_SKIP);
        assert_string_equal(r.evidence, "not observed: use --observe SECONDS");
        free(r.evidence);
}

static void test_bpf_unavailable_is_error_with_reason(void **state)
{
        (void)state;
        struct facts f;
        observed_facts(&f, NULL, 0);
        f.observe.error = (char *)"eBPF unavailable: loading tp_btf/inet_sock_set_state: Operation not permitted";
        struct result r = {0};
        check_imds_pod_attempts(&f, &r);
        assert_int_equal(r.status, ST_ERROR);
        assert_string_equal(r.evidence, "not evaluated: pod connection attempts (eBPF) could not be read: eBPF "
                                        "unavailable: loading tp_btf/inet_sock_set_state: Operation not permitted");
        free(r.evidence);
}

static void test_pod_ssh_attempt_fails_host_attempt_does_not(void **state)
{
        (void)state;
        struct observed_attempt v[] = {attempt("10.0.0.1", 2222, true, false, 5),
                                       attempt("10.0.0.1", 22, false, true, 7),
                                       attempt("10.0.0.1", 10250, true, false, 9)};
        struct facts f;
        observed_facts(&f, v, ARRAY_SIZE(v));
        struct result r = {0};
        check_ssh_pod_attempts(&f, &r);
        assert_int_equal(r.status, ST_FAIL);
        assert_non_null(strstr(r.evidence, "1 pod attempt(s)"));
        assert_non_null(strstr(r.evidence,
                               "pod uid-pod-2222 container c0ffee -> 10.0.0.1:2222 x5, "
                               "first 2023-11-14T22:13:20.123Z, last 2023-11-14T22:13:21.456Z (pid 42 curl)"));
        assert_non_null(strstr(r.evidence, "7 attempts by host processes not counted"));
        assert_null(strstr(r.evidence, "10250"));
        free(r.evidence);
}

static void test_only_host_attempts_pass(void **state)
{
        (void)state;
        struct observed_attempt v[] = {attempt("127.0.0.1", 22, false, true, 3)};
        struct facts f;
        observed_facts(&f, v, ARRAY_SIZE(v));
        struct result r = {0};
        check_ssh_pod_attempts(&f, &r);
        assert_int_equal(r.status, ST_PASS);
        assert_non_null(strstr(r.evidence, "3 attempts by host processes"));
        free(r.evidence);
}

static void test_imds_from_pod_network_fails_host_network_pod_does_not(void **state)
{
        (void)state;
        struct observed_attempt v[] = {attempt("169.254.169.254", 80, true, true, 4),
                                       attempt("fd00:ec2::254", 80, true, false, 2)};
        struct facts f;
        observed_facts(&f, v, ARRAY_SIZE(v));
        struct result r = {0};
        check_imds_pod_attempts(&f, &r);
        assert_int_equal(r.status, ST_FAIL);
        assert_non_null(strstr(r.evidence, "-> [fd00:ec2::254]:80 x2"));
        assert_null(strstr(r.evidence, "uid-hn"));
        free(r.evidence);
        r.evidence = NULL;
        v[1].host_network = true;
        check_imds_pod_attempts(&f, &r);
        assert_int_equal(r.status, ST_PASS);
        free(r.evidence);
}

static void test_watched_ssh_ports_come_from_sshd_config_and_dropins(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        struct rootfs r;
        assert_int_equal(rootfs_open_root(root, &r), 0);
        struct sshd_facts sf;
        struct observe_opts oo = {0};
        /* No config at all: nothing added, and the probe falls back to sshd's 22. */
        sshd_collect(&r, NULL, false, &sf);
        observe_ports_from_sshd(&sf, &oo);
        assert_int_equal(oo.n_ssh_ports, 0);
        sshd_facts_free(&sf);
        /* As sshd resolves it: the drop-in Included first wins for single values, Port
         * lines accumulate, and a ListenAddress with its own port adds that port. */
        tu_write(root, "etc/ssh/sshd_config",
                 "Include /etc/ssh/sshd_config.d/*.conf\n# Port 99\nPort 2222\nPort=2200\n"
                 "ListenAddress 127.0.0.1:2022\nListenAddress 0.0.0.0\n");
        tu_write(root, "etc/ssh/sshd_config.d/10-extra.conf", "Port 22\n");
        tu_write(root, "etc/ssh/sshd_config.d/ignored.txt", "Port 9999\n");
        sshd_collect(&r, NULL, false, &sf);
        observe_ports_from_sshd(&sf, &oo);
        bool has[4] = {false};
        for (size_t i = 0; i < oo.n_ssh_ports; i++) {
                assert_true(oo.ssh_ports[i] != 99 && oo.ssh_ports[i] != 9999);
                has[0] |= oo.ssh_ports[i] == 22;
                has[1] |= oo.ssh_ports[i] == 2222;
                has[2] |= oo.ssh_ports[i] == 2200;
                has[3] |= oo.ssh_ports[i] == 2022;
        }
        assert_true(has[0] && has[1] && has[2] && has[3]);
        sshd_facts_free(&sf);
        rootfs_close(&r);
        tu_rm_rf(root);
        free(root);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_not_observed_is_skip),
                cmocka_unit_test(test_bpf_unavailable_is_error_with_reason),
                cmocka_unit_test(test_pod_ssh_attempt_fails_host_attempt_does_not),
                cmocka_unit_test(test_only_host_attempts_pass),
                cmocka_unit_test(test_imds_from_pod_network_fails_host_network_pod_does_not),
                cmocka_unit_test(test_watched_ssh_ports_come_from_sshd_config_and_dropins),
        };
        return cmocka_run_group_tests_name("observe_checks", tests, NULL, NULL);
}
