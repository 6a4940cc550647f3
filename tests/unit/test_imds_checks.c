/* test_imds_checks: verdicts of the metadata, SSH and endpoint checks over hand-made facts; their parsers and runner. */
#include "testutil.h"
#include "collect/facts.h"

#include "check.h"
#include "base/netns.h"

static struct http_probe answered(int status)
{
        return (struct http_probe){.tried = true, .connected = true, .status = status};
}

static struct http_probe failed(int err, bool connected)
{
        return (struct http_probe){.tried = true, .err = err, .connected = connected};
}

/* A node where the service answers: v1 per @v1_status, a token, hop per @hop. */
static void node_facts(struct facts *f, int v1_status, struct http_probe hop)
{
        memset(f, 0, sizeof(*f));
        struct imds_facts *m = &f->imds;
        m->host_ns = (char *)"current network namespace";
        m->reachable = true;
        m->v4.v1_get = answered(v1_status);
        m->v4.token_put = answered(200);
        m->v4.got_token = true;
        m->hop = hop;
}

static enum status run(void (*fn)(const struct facts *, struct result *), const struct facts *f, char **ev)
{
        struct result r = {0};
        fn(f, &r);
        if (ev)
                *ev = r.evidence;
        else
                free(r.evidence);
        return r.status;
}

static void test_v1_and_hop_limit_from_host_probes(void **state)
{
        (void)state;
        struct facts f;
        node_facts(&f, 200, failed(-ETIMEDOUT, true));
        assert_int_equal(run(check_imds_v1_enabled, &f, NULL), ST_FAIL);
        assert_int_equal(run(check_imds_hop_limit, &f, NULL), ST_PASS);
        node_facts(&f, 401, answered(200));
        assert_int_equal(run(check_imds_v1_enabled, &f, NULL), ST_PASS);
        assert_int_equal(run(check_imds_hop_limit, &f, NULL), ST_FAIL);
        f.imds.v4.got_token = false;
        f.imds.v4.token_put = answered(403);
        assert_int_equal(run(check_imds_hop_limit, &f, NULL), ST_WARN);
}

static void test_off_ec2_everything_skips(void **state)
{
        (void)state;
        struct facts f = {0};
        f.imds.host_ns = (char *)"current network namespace";
        f.imds.v4.v1_get = failed(-ETIMEDOUT, false);
        f.imds.have_pod = true;
        f.imds.pod_ns = (char *)"/run/netns/cni-x";
        void (*fns[])(const struct facts *, struct result *) = {check_imds_v1_enabled, check_imds_hop_limit,
                                                                check_imds_pod_reachable, check_imds_pod_token,
                                                                check_node_public_ip};
        for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
                char *ev;
                assert_int_equal(run(fns[i], &f, &ev), ST_SKIP);
                assert_non_null(strstr(ev, "not on EC2"));
                free(ev);
        }
}

static void test_pod_verdicts_from_pod_probes(void **state)
{
        (void)state;
        struct facts f;
        node_facts(&f, 401, failed(-ETIMEDOUT, true));
        f.imds.have_pod = true;
        f.imds.pod_ns = (char *)"/run/netns/cni-x (--pod-netns)";
        f.imds.pod.v1_get = failed(-ETIMEDOUT, false);
        f.imds.pod.token_put = (struct http_probe){0};
        char *ev;
        assert_int_equal(run(check_imds_pod_reachable, &f, &ev), ST_PASS);
        assert_non_null(strstr(ev, "cni-x"));
        free(ev);
        assert_int_equal(run(check_imds_pod_token, &f, NULL), ST_PASS);
        f.imds.pod.v1_get = answered(401);
        f.imds.pod.token_put = failed(-ETIMEDOUT, true);
        assert_int_equal(run(check_imds_pod_reachable, &f, NULL), ST_WARN);
        f.imds.pod.token_put = answered(200);
        f.imds.pod.got_token = true;
        f.imds.pod.token_get = answered(200);
        assert_int_equal(run(check_imds_pod_reachable, &f, NULL), ST_FAIL);
        assert_int_equal(run(check_imds_pod_token, &f, NULL), ST_FAIL);
        f.imds.pod_error = (char *)"probing from the pod namespace: Operation not permitted";
        assert_int_equal(run(check_imds_pod_token, &f, NULL), ST_ERROR);
}

static void test_without_pod_the_host_estimate_decides(void **state)
{
        (void)state;
        struct facts f;
        node_facts(&f, 401, failed(-ETIMEDOUT, true));
        f.imds.pod_absent = (char *)"no pod network namespace found";
        char *ev;
        assert_int_equal(run(check_imds_pod_token, &f, &ev), ST_PASS);
        assert_non_null(strstr(ev, "no pod network namespace"));
        assert_non_null(strstr(ev, "estimated from the host side"));
        free(ev);
        assert_int_equal(run(check_imds_pod_reachable, &f, NULL), ST_WARN);
        assert_int_equal(run(check_ssh_pod_reachable, &f, NULL), ST_SKIP);
        node_facts(&f, 401, answered(200));
        f.imds.pod_absent = (char *)"none";
        assert_int_equal(run(check_imds_pod_token, &f, NULL), ST_FAIL);
        assert_int_equal(run(check_imds_pod_reachable, &f, NULL), ST_FAIL);
}

static void test_ssh_fails_when_any_port_accepts(void **state)
{
        (void)state;
        struct tcp_probe t[2] = {{"10.0.0.1", 22, -ETIMEDOUT}, {"fd00::1", 22, -ECONNREFUSED}};
        struct facts f = {0};
        f.imds.have_pod = true;
        f.imds.pod_ns = (char *)"pod";
        f.imds.ssh_probed = true;
        f.imds.ssh = t;
        f.imds.n_ssh = 2;
        char *ev;
        assert_int_equal(run(check_ssh_pod_reachable, &f, &ev), ST_PASS);
        assert_non_null(strstr(ev, "[fd00::1]:22 (Connection refused)"));
        free(ev);
        t[1].err = 0;
        assert_int_equal(run(check_ssh_pod_reachable, &f, &ev), ST_FAIL);
        assert_non_null(strstr(ev, "accepts connections: [fd00::1]:22"));
        free(ev);
        int ports[4];
        struct imds_collect_opts none = {0};
        assert_int_equal(ssh_ports_for_pod_probe(&none, ports, 4), 1);
        assert_int_equal(ports[0], 22);
        const int configured[] = {2222, 22022};
        struct imds_collect_opts some = {.ssh_ports = configured, .n_ssh_ports = 2};
        assert_int_equal(ssh_ports_for_pod_probe(&some, ports, 4), 2);
        assert_int_equal(ports[0], 2222);
        assert_int_equal(ports[1], 22022);
}

static void test_public_ip_from_metadata(void **state)
{
        (void)state;
        struct facts f;
        node_facts(&f, 401, answered(200));
        f.imds.v4.public_ipv4 = answered(200);
        assert_int_equal(run(check_node_public_ip, &f, NULL), ST_FAIL);
        f.imds.v4.public_ipv4 = answered(404);
        assert_int_equal(run(check_node_public_ip, &f, NULL), ST_PASS);
}

static void test_kubeconfig_server_and_private_addresses(void **state)
{
        (void)state;
        char *s = NULL, *h = NULL;
        char *why = NULL;
        /* The current context's cluster, as client-go picks it, not the first server in
         * the file (a kubeconfig may name several clusters). */
        const char *two = "apiVersion: v1\nkind: Config\nclusters:\n"
                          "- name: old\n  cluster:\n    server: https://old.example.com\n"
                          "- name: eks\n  cluster:\n    certificate-authority: /x\n    tls-server-name: nope\n"
                          "    server: https://abc.eks.amazonaws.com\n"
                          "contexts:\n- name: kubelet\n  context:\n    cluster: eks\n    user: kubelet\n"
                          "current-context: kubelet\n";
        assert_int_equal(kubeconfig_server(two, strlen(two), &s, &why), 0);
        assert_string_equal(s, "https://abc.eks.amazonaws.com");
        free(s);
        const char *json = "{\"clusters\":[{\"name\":\"c\",\"cluster\":{\"server\":\"https://[fd00::5]:6443\"}}],"
                           "\"contexts\":[{\"name\":\"x\",\"context\":{\"cluster\":\"c\"}}],"
                           "\"current-context\":\"x\"}";
        assert_int_equal(kubeconfig_server(json, strlen(json), &s, &why), 0);
        assert_int_equal(url_host(s, &h), 0);
        assert_string_equal(h, "fd00::5");
        free(s);
        free(h);
        static const char *const none[][2] = {
                {"kind: Config\n", "no current-context"},
                {"current-context: a\ncontexts: []\n", "\"a\" is not among the contexts"},
                {"current-context: a\ncontexts:\n- name: a\n  context: {user: u}\n", "names no cluster"},
                {"current-context: a\ncontexts:\n- name: a\n  context: {cluster: c}\n", "not among the clusters"},
                {"current-context: a\ncontexts:\n- name: a\n  context: {cluster: c}\nclusters:\n- name: c\n  "
                 "cluster: {insecure-skip-tls-verify: true}\n",
                 "has no server"},
        };
        for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
                assert_int_equal(kubeconfig_server(none[i][0], strlen(none[i][0]), &s, &why), -ENOENT);
                if (!strstr(why, none[i][1]))
                        fail_msg("case %zu: \"%s\" lacks \"%s\"", i, why, none[i][1]);
                free(why);
                why = NULL;
        }
        assert_true(kubeconfig_server("a: [", 4, &s, &why) < 0);
        free(why);
        assert_int_equal(url_host("https://10.0.0.1:443/", &h), 0);
        assert_string_equal(h, "10.0.0.1");
        free(h);
        /* The host the kubelet connects to (Go's net/url): userinfo up to the last '@',
         * and an '@' in the query or path is not userinfo. */
        static const char *const urls[][2] = {
                {"https://user:pass@10.0.0.2:6443", "10.0.0.2"},
                {"https://u@x@api.example.com/", "api.example.com"},
                {"https://10.0.0.3?next=a@evil.example", "10.0.0.3"},
                {"https://10.0.0.4#frag@evil.example", "10.0.0.4"},
                {"https://10.0.0.5/path@evil.example", "10.0.0.5"},
                {"https://u@[fd00::6]:443", "fd00::6"},
        };
        for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
                assert_int_equal(url_host(urls[i][0], &h), 0);
                assert_string_equal(h, urls[i][1]);
                free(h);
        }
        assert_int_equal(url_host("https://u@/x", &h), -EINVAL);
        assert_int_equal(url_host("https://[fd00::7?]", &h), -EINVAL);
        assert_true(addr_is_private("10.1.2.3") && addr_is_private("172.31.0.1") && addr_is_private("192.168.1.1"));
        assert_true(addr_is_private("100.64.0.1") && addr_is_private("127.0.0.1") && addr_is_private("fd12::1"));
        assert_false(addr_is_private("172.32.0.1") || addr_is_private("8.8.8.8") || addr_is_private("2600::1"));
        assert_false(addr_is_private("::ffff:203.0.113.9"));
}

static void test_endpoint_check_verdicts(void **state)
{
        (void)state;
        struct facts f = {0};
        f.apiserver.have_kubeconfig = true;
        f.apiserver.kubeconfig = (char *)"/var/lib/kubelet/kubeconfig";
        f.apiserver.server = (char *)"https://api";
        f.apiserver.n_addrs = 2;
        strcpy(f.apiserver.addrs[0], "10.0.1.5");
        strcpy(f.apiserver.addrs[1], "10.0.2.5");
        assert_int_equal(run(check_node_api_endpoint_private, &f, NULL), ST_PASS);
        strcpy(f.apiserver.addrs[1], "198.51.100.20");
        char *ev;
        assert_int_equal(run(check_node_api_endpoint_private, &f, &ev), ST_FAIL);
        assert_non_null(strstr(ev, "198.51.100.20"));
        free(ev);
        f.apiserver.resolve_error = (char *)"resolving api: Name or service not known";
        assert_int_equal(run(check_node_api_endpoint_private, &f, NULL), ST_WARN);
}

static void slow_job(void *arg, void *out)
{
        (void)arg;
        sleep(10);
        *(int *)out = 1;
}

static void quick_job(void *arg, void *out)
{
        *(int *)out = *(int *)arg * 2;
}

static void test_runner_returns_results_and_kills_stragglers(void **state)
{
        (void)state;
        int in = 21, out1 = 0, out2 = 0;
        struct ns_job jobs[2] = {{.ns_fd = -1, .fn = quick_job, .arg = &in, .out = &out1, .out_size = sizeof(int)},
                                 {.ns_fd = -1, .fn = slow_job, .out = &out2, .out_size = sizeof(int)}};
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        ns_jobs_run(jobs, 2, 300);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        assert_int_equal(jobs[0].err, 0);
        assert_int_equal(out1, 42);
        assert_int_equal(jobs[1].err, -ETIMEDOUT);
        assert_int_equal(out2, 0);
        assert_true(t1.tv_sec - t0.tv_sec < 2);
}

static void test_kubepods_process_found_outside_host_netns(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        tu_write(root, "1/cgroup", "0::/init.scope\n");
        tu_symlink(root, "1/ns/net", "net:[100]");
        tu_write(root, "50/cgroup", "0::/kubepods.slice/kubepods-pod1.slice/cri-containerd-a.scope\n");
        tu_symlink(root, "50/ns/net", "net:[100]"); /* hostNetwork pod */
        tu_write(root, "700/cgroup", "0::/kubepods.slice/kubepods-besteffort.slice/x.scope\n");
        tu_symlink(root, "700/ns/net", "net:[200]");
        tu_write(root, "90/cgroup", "0::/kubepods/burstable/pod2/c\n");
        tu_symlink(root, "90/ns/net", "net:[300]");
        struct rootfs proc;
        assert_int_equal(rootfs_open_root(root, &proc), 0);
        int pid = 0;
        assert_int_equal(netns_find_kubepods_pid(&proc, "net:[100]", &pid), 0);
        assert_int_equal(pid, 90);
        assert_int_equal(netns_find_kubepods_pid(&proc, "net:[300]", &pid), 0);
        assert_int_equal(pid, 50);
        tu_rm_rf(root); /* no kubepods process at all */
        tu_write(root, "1/cgroup", "0::/init.scope\n");
        tu_symlink(root, "1/ns/net", "net:[100]");
        rootfs_close(&proc);
        assert_int_equal(rootfs_open_root(root, &proc), 0);
        assert_int_equal(netns_find_kubepods_pid(&proc, "net:[100]", &pid), -ENOENT);
        rootfs_close(&proc);
        tu_rm_rf(root);
        free(root);
}

static void test_ec2_signature_gates_metadata_probes(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        struct rootfs r;
        assert_int_equal(rootfs_open_root(root, &r), 0);
        char *why = NULL;
        assert_false(imds_ec2_hint(&r, &why));
        assert_non_null(strstr(why, "not on EC2"));
        struct facts f = {0};
        f.imds.not_ec2 = why;
        assert_int_equal(run(check_imds_v1_enabled, &f, NULL), ST_SKIP);
        assert_int_equal(run(check_imds_pod_token, &f, NULL), ST_SKIP);
        free(why);
        tu_write(root, "sys/hypervisor/uuid", "ec2e1916-9099-7caf-fd21-012345abcdef\n");
        assert_true(imds_ec2_hint(&r, &why));
        tu_write(root, "sys/hypervisor/uuid", "4c4c4544-0000\n");
        tu_write(root, "sys/class/dmi/id/sys_vendor", "Amazon EC2\n");
        assert_true(imds_ec2_hint(&r, &why));
        rootfs_close(&r);
        tu_rm_rf(root);
        free(root);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_v1_and_hop_limit_from_host_probes),
                cmocka_unit_test(test_off_ec2_everything_skips),
                cmocka_unit_test(test_pod_verdicts_from_pod_probes),
                cmocka_unit_test(test_without_pod_the_host_estimate_decides),
                cmocka_unit_test(test_ssh_fails_when_any_port_accepts),
                cmocka_unit_test(test_public_ip_from_metadata),
                cmocka_unit_test(test_kubeconfig_server_and_private_addresses),
                cmocka_unit_test(test_endpoint_check_verdicts),
                cmocka_unit_test(test_runner_returns_results_and_kills_stragglers),
                cmocka_unit_test(test_kubepods_process_found_outside_host_netns),
                cmocka_unit_test(test_ec2_signature_gates_metadata_probes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
