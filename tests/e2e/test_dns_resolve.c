/* test_dns_resolve: names resolved through the node's own resolver configuration, against a real dnsmasq in a private network namespace: answer, NXDOMAIN, no address, a silent server, the deadline. */
#include "testutil.h"

#include <arpa/inet.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include "base/dns.h"

/* Addresses on this test's own loopback: the namespace is private, so nothing collides. */
#define DNS_OK "10.53.0.1"     /* dnsmasq */
#define DNS_SILENT "10.53.0.2" /* a socket that reads nothing */

static pid_t dnsmasq = -1;
static int silent_fd = -1;

static bool slow(void)
{
        return getenv("NODEWARD_UNDER_VALGRIND") || getenv("TEST_WRAPPER");
}

static long now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sh(const char *cmd)
{
        if (system(cmd) != 0)
                fail_msg("failed: %s", cmd);
}

/* A node root whose resolv.conf is @resolv (NULL: none) and whose hosts file is @hosts. */
static char *node_root(const char *resolv, const char *hosts)
{
        char *root = tu_mkdtemp();
        tu_mkdirs(root);
        if (resolv)
                tu_write(root, "etc/resolv.conf", resolv);
        if (hosts)
                tu_write(root, "etc/hosts", hosts);
        return root;
}

static int resolve(const char *root_dir, const char *name, int deadline_ms, struct dns_answer *ans, long *ret_ms)
{
        struct rootfs root;
        assert_int_equal(rootfs_open_root(root_dir, &root), 0);
        long t0 = now_ms();
        int r = dns_resolve(&root, name, deadline_ms, ans);
        *ret_ms = now_ms() - t0;
        rootfs_close(&root);
        return r;
}

static int setup(void **state)
{
        (void)state;
        if (unshare(CLONE_NEWNET) < 0) {
                fprintf(stderr, "test_dns_resolve: unshare(CLONE_NEWNET): %s (run as root)\n", strerror(errno));
                return -1;
        }
        if (system("ip link set lo up && ip addr add " DNS_OK "/32 dev lo && ip addr add " DNS_SILENT "/32 dev lo") !=
            0) {
                fprintf(stderr, "test_dns_resolve: ip (iproute2) could not configure the namespace\n");
                return -1;
        }
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(53)};
        inet_pton(AF_INET, DNS_SILENT, &sa.sin_addr);
        silent_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (silent_fd < 0 || bind(silent_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return -1;
        dnsmasq = fork();
        if (dnsmasq == 0) {
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                int null = open("/dev/null", O_WRONLY);
                dup2(null, 1);
                execl("/usr/sbin/dnsmasq", "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
                      "--no-hosts", "--bind-interfaces", "--listen-address=" DNS_OK, "--port=53", "--user=root",
                      "--pid-file", "--local=/nodeward.test/", "--local=/invalid/",
                      "--host-record=api.nodeward.test,10.1.2.3,fd00:53::3",
                      "--txt-record=txtonly.nodeward.test,no-address-here", (char *)NULL);
                fprintf(stderr, "test_dns_resolve: cannot run /usr/sbin/dnsmasq (dnsmasq-base): %s\n", strerror(errno));
                _exit(127);
        }
        /* Ready when it answers. */
        char *root = node_root("nameserver " DNS_OK "\n", NULL);
        struct dns_answer ans;
        long ms;
        int r = -1;
        for (int i = 0; i < 100 && r < 0; i++) {
                if (resolve(root, "api.nodeward.test", 200, &ans, &ms) == 0)
                        r = 0;
                else if (waitpid(dnsmasq, NULL, WNOHANG) == dnsmasq) {
                        dnsmasq = -1;
                        break;
                } else
                        usleep(50 * 1000);
        }
        free(root);
        if (r < 0)
                fprintf(stderr, "test_dns_resolve: dnsmasq never answered\n");
        return r;
}

static int teardown(void **state)
{
        if (dnsmasq > 0) {
                kill(dnsmasq, SIGTERM);
                waitpid(dnsmasq, NULL, 0);
        }
        if (silent_fd >= 0)
                close(silent_fd);
        return tu_group_teardown(state);
}

static void test_answer_comes_from_the_nodes_nameserver(void **state)
{
        (void)state;
        char *root = node_root("# the VPC resolver\nnameserver " DNS_OK "\noptions timeout:1\n", NULL);
        struct dns_answer ans;
        long ms;
        assert_int_equal(resolve(root, "api.nodeward.test", 2000, &ans, &ms), 0);
        assert_int_equal(ans.n, 2);
        assert_string_equal(ans.addrs[0], "10.1.2.3");
        assert_string_equal(ans.addrs[1], "fd00:53::3");
        assert_string_equal(ans.via, "DNS " DNS_OK " (/etc/resolv.conf)");
        free(root);
}

static void test_nxdomain_is_no_such_host_at_once(void **state)
{
        (void)state;
        char *root = node_root("nameserver " DNS_OK "\n", NULL);
        struct dns_answer ans;
        long ms;
        assert_int_equal(resolve(root, "missing.nodeward.test", 2000, &ans, &ms), -ENOENT);
        assert_int_equal(ans.n, 0);
        if (ms > 1000)
                fail_msg("NXDOMAIN took %ld ms: it must not wait for the deadline", ms);
        assert_int_equal(resolve(root, "txtonly.nodeward.test", 2000, &ans, &ms), -ENODATA);
        free(root);
}

static void test_silent_server_is_cut_at_the_deadline(void **state)
{
        (void)state;
        /* resolv.conf would allow 30 s x 5 attempts; the deadline is what counts. */
        char *root = node_root("nameserver " DNS_SILENT "\noptions timeout:30 attempts:5\n", NULL);
        struct dns_answer ans;
        long ms;
        assert_int_equal(resolve(root, "api.nodeward.test", 2000, &ans, &ms), -ETIMEDOUT);
        if (ms < 1900 || ms > (slow() ? 4000 : 2500))
                fail_msg("gave up after %ld ms, not at the 2000 ms deadline", ms);
        assert_string_equal(ans.via, "DNS " DNS_SILENT " (/etc/resolv.conf)");
        free(root);
}

static void test_silent_first_server_leaves_time_for_the_second(void **state)
{
        (void)state;
        char *root = node_root("nameserver " DNS_SILENT "\nnameserver " DNS_OK "\n", NULL);
        struct dns_answer ans;
        long ms;
        assert_int_equal(resolve(root, "api.nodeward.test", 2000, &ans, &ms), 0);
        assert_string_equal(ans.addrs[0], "10.1.2.3");
        if (ms < 900 || ms >= 2000)
                fail_msg("answered after %ld ms: the silent server should cost one try of 1000 ms", ms);
        free(root);
}

static void test_search_list_completes_a_short_name(void **state)
{
        (void)state;
        char *root = node_root("search corp.invalid nodeward.test\nnameserver " DNS_OK "\n", NULL);
        struct dns_answer ans;
        long ms;
        assert_int_equal(resolve(root, "api", 2000, &ans, &ms), 0);
        assert_string_equal(ans.addrs[0], "10.1.2.3");
        free(root);
}

static void test_hosts_file_answers_before_dns(void **state)
{
        (void)state;
        char *root = node_root("nameserver " DNS_OK "\n", "127.0.0.1 localhost\n10.9.9.9 api.nodeward.test\n");
        struct dns_answer ans;
        long ms;
        assert_int_equal(resolve(root, "api.nodeward.test", 2000, &ans, &ms), 0);
        assert_int_equal(ans.n, 1);
        assert_string_equal(ans.addrs[0], "10.9.9.9");
        assert_string_equal(ans.via, "/etc/hosts");
        free(root);
}

/* Without ROOT/etc/resolv.conf the node's default (127.0.0.1) is asked, never this machine's file. */
static void test_this_machines_resolver_is_never_read(void **state)
{
        (void)state;
        char *root = node_root(NULL, NULL);
        struct dns_answer ans;
        long ms;
        assert_int_equal(resolve(root, "api.nodeward.test", 2000, &ans, &ms), -ECONNREFUSED);
        assert_non_null(strstr(ans.via, "DNS 127.0.0.1 (/etc/resolv.conf: "));
        free(root);
}

/* A node root with a kubelet whose kubeconfig names @server. */
static char *kubelet_root(const char *resolv, const char *server)
{
        char *root = node_root(resolv, NULL);
        const char *argv[] = {"/usr/bin/kubelet", "--kubeconfig=/var/lib/kubelet/kubeconfig", NULL};
        tu_write_proc(root, 100, "kubelet", argv);
        char kc[512];
        snprintf(kc, sizeof(kc),
                 "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: %s\n  name: k\n"
                 "contexts:\n- context:\n    cluster: k\n  name: k\ncurrent-context: k\n",
                 server);
        tu_write(root, "var/lib/kubelet/kubeconfig", kc);
        return root;
}

static const cJSON *endpoint_result(char *const *argv, cJSON **ret_report, long *ret_ms)
{
        char *out, *err;
        long t0 = now_ms();
        tu_run(argv, &out, &err);
        *ret_ms = now_ms() - t0;
        *ret_report = cJSON_Parse(out);
        if (!*ret_report)
                fail_msg("no JSON: %s / %s", out, err);
        free(out), free(err);
        const cJSON *r = tu_result(*ret_report, "node.api-endpoint-private");
        assert_non_null(r);
        return r;
}

static void test_api_endpoint_check_resolves_through_the_node(void **state)
{
        (void)state;
        char *ok = kubelet_root("nameserver " DNS_OK "\n", "https://api.nodeward.test:443");
        char *argv[] = {(char *)tu_nodeward(),
                        (char *)"check",
                        (char *)"--probe",
                        (char *)"--root",
                        ok,
                        (char *)"--only",
                        (char *)"node.api-endpoint-private",
                        (char *)"--format",
                        (char *)"json",
                        NULL};
        cJSON *j;
        long ms;
        endpoint_result(argv, &j, &ms);
        tu_assert_result(j, "node.api-endpoint-private", "pass", "private addresses only: 10.1.2.3, fd00:53::3");
        cJSON_Delete(j);
        char *silent = kubelet_root("nameserver " DNS_SILENT "\n", "https://api.nodeward.test:443");
        argv[4] = silent;
        endpoint_result(argv, &j, &ms);
        tu_assert_result(j, "node.api-endpoint-private", "warn",
                         "resolving api.nodeward.test via DNS " DNS_SILENT " (/etc/resolv.conf): no answer within 2 s");
        if (ms > (slow() ? 20000 : 4000))
                fail_msg("nodeward check took %ld ms with a silent resolver", ms);
        cJSON_Delete(j);
        free(ok), free(silent);
}

/* The static binary, in a chroot holding only itself and the node root: no NSS, no /etc of its own. */
static void test_static_binary_resolves_in_an_empty_chroot(void **state)
{
        (void)state;
        const char *bin = getenv("NODEWARD_STATIC") ? getenv("NODEWARD_STATIC") : "build/nodeward-static";
        if (access(bin, X_OK) != 0)
                fail_msg("%s is not there: build it with make static", bin);
        char *jail = tu_mkdtemp();
        char *node = kubelet_root("nameserver " DNS_OK "\n", "https://api.nodeward.test:443");
        char cmd[2048];
        snprintf(cmd, sizeof(cmd), "cp '%s' '%s/nodeward' && mkdir '%s/node' && cp -a '%s/.' '%s/node/'", bin, jail,
                 jail, node, jail);
        sh(cmd);
        char *argv[] = {(char *)"/usr/sbin/chroot",
                        jail,
                        (char *)"/nodeward",
                        (char *)"check",
                        (char *)"--probe",
                        (char *)"--root",
                        (char *)"/node",
                        (char *)"--only",
                        (char *)"node.api-endpoint-private",
                        (char *)"--format",
                        (char *)"json",
                        NULL};
        cJSON *j;
        long ms;
        endpoint_result(argv, &j, &ms);
        tu_assert_result(j, "node.api-endpoint-private", "pass", "private addresses only: 10.1.2.3, fd00:53::3");
        cJSON_Delete(j);
        free(jail), free(node);
}

/* Datagrams the silent server got since the last call (it never answers). */
static int silent_queries(void)
{
        char b[1500];
        int n = 0;
        while (recv(silent_fd, b, sizeof(b), MSG_DONTWAIT) >= 0)
                n++;
        return n;
}

/* A fixture root (its proc is a plain directory) sends no DNS query unless --probe
 * asks: the check skips at once and says why; with --probe the same root queries. */
static void test_fixture_root_sends_no_query_unless_asked(void **state)
{
        (void)state;
        char *root = kubelet_root("nameserver " DNS_SILENT "\n", "https://api.nodeward.test:443");
        char *argv[] = {(char *)tu_nodeward(),
                        (char *)"check",
                        (char *)"--root",
                        root,
                        (char *)"--only",
                        (char *)"node.api-endpoint-private",
                        (char *)"--format",
                        (char *)"json",
                        NULL,
                        NULL};
        silent_queries();
        cJSON *j;
        long ms;
        endpoint_result(argv, &j, &ms);
        tu_assert_result(j, "node.api-endpoint-private", "skip", "not probed: ");
        tu_assert_result(j, "node.api-endpoint-private", "skip", "--probe sends the network probes");
        cJSON_Delete(j);
        assert_int_equal(silent_queries(), 0);
        if (ms > (slow() ? 10000 : 1000))
                fail_msg("a fixture root without --probe took %ld ms", ms);
        argv[8] = (char *)"--probe";
        endpoint_result(argv, &j, &ms);
        tu_assert_result(j, "node.api-endpoint-private", "warn", "no answer within 2 s");
        cJSON_Delete(j);
        assert_true(silent_queries() > 0);
        free(root);
}

static long run_ms(char *const *argv)
{
        char *out, *err;
        long t0 = now_ms();
        tu_run(argv, &out, &err);
        long ms = now_ms() - t0;
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fail_msg("no JSON: %s / %s", out, err);
        cJSON_Delete(j);
        free(out), free(err);
        return ms;
}

/* A silent metadata service and a silent resolver: the run waits for the longer
 * of the two probes, not for both one after the other. */
static void test_probes_of_a_run_wait_for_the_longest_not_the_sum(void **state)
{
        (void)state;
        if (system("ip addr add 169.254.169.254/32 dev lo 2>/dev/null || true") != 0)
                fail_msg("ip addr add");
        /* Connections complete in the kernel's backlog; no request is ever read. */
        int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(80)};
        inet_pton(AF_INET, "169.254.169.254", &sa.sin_addr);
        int one = 1;
        setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
        assert_int_equal(listen(l, 128), 0);
        char *root = kubelet_root("nameserver " DNS_SILENT "\n", "https://api.nodeward.test:443");
        tu_write(root, "sys/class/dmi/id/sys_vendor", "Amazon EC2\n");
        char *argv[] = {(char *)tu_nodeward(),
                        (char *)"check",
                        (char *)"--probe",
                        (char *)"--root",
                        root,
                        (char *)"--only",
                        NULL,
                        (char *)"--format",
                        (char *)"json",
                        NULL};
        argv[6] = (char *)"node.public-ip";
        long imds = run_ms(argv);
        argv[6] = (char *)"node.api-endpoint-private";
        long dns = run_ms(argv);
        argv[6] = (char *)"node.public-ip,node.api-endpoint-private";
        long both = run_ms(argv);
        close(l);
        long longest = imds > dns ? imds : dns;
        fprintf(stderr, "silent metadata %ld ms, silent resolver %ld ms, both in one run %ld ms\n", imds, dns, both);
        if (imds < 800 || dns < 1500)
                fail_msg("the probes did not wait for their deadlines (%ld ms, %ld ms)", imds, dns);
        if (both > longest + 700)
                fail_msg("one run with both probes took %ld ms: the longest alone took %ld ms", both, longest);
        free(root);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_answer_comes_from_the_nodes_nameserver),
                cmocka_unit_test(test_nxdomain_is_no_such_host_at_once),
                cmocka_unit_test(test_silent_server_is_cut_at_the_deadline),
                cmocka_unit_test(test_silent_first_server_leaves_time_for_the_second),
                cmocka_unit_test(test_search_list_completes_a_short_name),
                cmocka_unit_test(test_hosts_file_answers_before_dns),
                cmocka_unit_test(test_this_machines_resolver_is_never_read),
                cmocka_unit_test(test_api_endpoint_check_resolves_through_the_node),
                cmocka_unit_test(test_fixture_root_sends_no_query_unless_asked),
                cmocka_unit_test(test_probes_of_a_run_wait_for_the_longest_not_the_sum),
                cmocka_unit_test(test_static_binary_resolves_in_an_empty_chroot),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
