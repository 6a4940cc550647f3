/* test_kubelet_live: a stand-in kubelet in a node namespace, probed from the node and from a pod behind it. */
#include "testutil.h"

#include <poll.h>
#include <stdbool.h>
#include <sched.h>

static char node_ns[64], pod_ns[64], up_ns[64], pod_path[128], dir[64], root[128], server_log[192];
static pid_t server_pid = -1;
#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
static bool ready;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
        char cmd[4096];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(cmd, sizeof(cmd), fmt, ap);
        va_end(ap);
        int rc = system(cmd);
        return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static bool under_valgrind(void)
{
        return getenv("NODEWARD_UNDER_VALGRIND") != NULL;
}

static const char *server_bin(void)
{
        static char path[4096];
        const char *p = getenv("KUBELET_SERVER");
        if (p)
                return p;
        snprintf(path, sizeof(path), "%s", tu_nodeward());
        char *slash = strrchr(path, '/');
        snprintf(slash ? slash + 1 : path, sizeof(path) - (size_t)(slash ? slash + 1 - path : 0),
                 "tests/e2e/kubelet_server");
        return path;
}

/* The stand-in kubelet in the node namespace; returns once it listens. */
static pid_t start_server(char *const extra[])
{
        char *argv[24], *owned[24];
        int n = 0, n_owned = 0;
        argv[n++] = (char *)server_bin();
        argv[n++] = (char *)"--log";
        argv[n++] = server_log;
        /* "@/name": a file of the scratch directory (the certificates). */
        for (; *extra && n < 23; extra++) {
                if (strncmp(*extra, "@/", 2) == 0 && asprintf(&owned[n_owned], "%s/%s", dir, *extra + 2) > 0)
                        argv[n++] = owned[n_owned++];
                else if (strncmp(*extra, "@/", 2) != 0)
                        argv[n++] = *extra;
        }
        argv[n] = NULL;
        pid_t pid = tu_start_in_netns(node_ns, argv);
        while (n_owned > 0)
                free(owned[--n_owned]);
        return pid;
}

static void stop_server(void)
{
        if (server_pid > 0) {
                kill(server_pid, SIGKILL);
                waitpid(server_pid, NULL, 0);
        }
        server_pid = -1;
}

/* The node: an uplink holds its primary address and a default route to a gateway that
 * never answers (its peer namespace has no address, so ARP goes unanswered and the
 * metadata address never answers either); a pod behind a veth. */
static const char *const setup_cmds[] = {
        "ip netns add @N && ip netns add @P && ip netns add @U",
        "ip -n @N link add pod0 type veth peer name eth0 netns @P",
        "ip -n @N link add uplink0 type veth peer name eth0 netns @U",
        "ip -n @N addr add 10.79.0.1/24 dev pod0 && ip -n @P addr add 10.79.0.2/24 dev eth0",
        "ip -n @N addr add 10.80.0.5/24 dev uplink0",
        "ip -n @N link set lo up && ip -n @P link set lo up && ip -n @U link set eth0 up",
        "ip -n @N link set pod0 up && ip -n @N link set uplink0 up && ip -n @P link set eth0 up",
        "ip -n @P route add default via 10.79.0.1 && ip -n @N route add default via 10.80.0.1 dev uplink0",
        "ip netns exec @N nft add table inet nwklive",
};

/* A cluster CA (EKS names it "kubernetes"); a serving certificate it signs, as
 * serverTLSBootstrap gets one (subject O=system:nodes, CN=system:node:NAME); one it signs
 * that expires in 10 days; and what a kubelet without bootstrap generates: its own
 * "HOST-ca@TS" CA signing "HOST@TS", served as a chain (kubernetes client-go
 * util/cert/cert.go GenerateSelfSignedCertKeyWithFixtures). The kubelet's /pods answers
 * a v1 PodList (pkg/kubelet/server/server.go), on the read-only port without
 * authentication. */
static const char *const cert_cmds[] = {
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 3650 -subj /CN=kubernetes",
        "printf 'subjectAltName=IP:10.80.0.5,IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n' > ext.cnf",
        "openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr "
        "-subj '/O=system:nodes/CN=system:node:ip-10-80-0-5.ec2.internal'",
        "openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out srv.crt -days 365 -extfile ext.cnf",
        "openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out short.crt -days 10 -extfile ext.cnf",
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout selfca.key -out selfca.crt -days 365 "
        "-subj /CN=ip-10-80-0-5-ca@1764640000",
        "openssl req -newkey rsa:2048 -nodes -keyout self.key -out self.csr -subj /CN=ip-10-80-0-5@1764640000",
        "openssl x509 -req -in self.csr -CA selfca.crt -CAkey selfca.key -CAcreateserial -out self.leaf -days 365 "
        "-extfile ext.cnf",
        "cat self.leaf selfca.crt > self.crt",
};

/* The node's kubelet config, modelled on the EKS AMI's AL2 template
 * (awslabs/amazon-eks-ami templates/al2/runtime/kubelet-config.json at commit 02a26d4d,
 * without its cgroup, swap and image-pull fields): read-only port off, anonymous off,
 * Webhook, the cluster CA as client CA, server TLS bootstrap, its eight cipher suites. */
static const char kubelet_config[] =
        "{\n  \"kind\": \"KubeletConfiguration\",\n  \"apiVersion\": \"kubelet.config.k8s.io/v1beta1\",\n"
        "  \"address\": \"0.0.0.0\",\n"
        "  \"authentication\": {\"anonymous\": {\"enabled\": false}, \"webhook\": {\"cacheTTL\": \"2m0s\", "
        "\"enabled\": true}, \"x509\": {\"clientCAFile\": \"/etc/kubernetes/pki/ca.crt\"}},\n"
        "  \"authorization\": {\"mode\": \"Webhook\", \"webhook\": {\"cacheAuthorizedTTL\": \"5m0s\", "
        "\"cacheUnauthorizedTTL\": \"30s\"}},\n"
        "  \"clusterDomain\": \"cluster.local\",\n  \"hairpinMode\": \"hairpin-veth\",\n  \"readOnlyPort\": 0,\n"
        "  \"featureGates\": {\"RotateKubeletServerCertificate\": true},\n  \"serverTLSBootstrap\": true,\n"
        "  \"tlsCipherSuites\": [\"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256\", \"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\", "
        "\"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305\", \"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305\", "
        "\"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\", \"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\", "
        "\"TLS_RSA_WITH_AES_256_GCM_SHA384\", \"TLS_RSA_WITH_AES_128_GCM_SHA256\"]\n}\n";

static int group_teardown(void **state)
{
        (void)state;
        stop_server();
        sh("ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null; ip netns del %s 2>/dev/null", node_ns, pod_ns,
           up_ns);
        if (*dir)
                tu_rm_rf(dir);
        return 0;
}

static int run_list(const char *const *cmds, size_t n, const char *cwd)
{
        for (size_t i = 0; i < n; i++) {
                char cmd[2048];
                size_t k = 0;
                for (const char *c = cmds[i]; *c && k < sizeof(cmd) - 80; c++) {
                        const char *sub = c[0] != '@'   ? NULL
                                          : c[1] == 'N' ? node_ns
                                          : c[1] == 'P' ? pod_ns
                                          : c[1] == 'U' ? up_ns
                                                        : NULL;
                        if (sub) {
                                k += (size_t)snprintf(cmd + k, sizeof(cmd) - k, "%s", sub);
                                c++;
                        } else {
                                cmd[k++] = *c;
                        }
                }
                cmd[k] = '\0';
                if (sh("cd %s && ( %s ) >/dev/null 2>&1", cwd, cmd) != 0) {
                        printf("# setup failed: %s\n", cmd);
                        return -1;
                }
        }
        return 0;
}

static int group_setup(void **state)
{
        (void)state;
        if (geteuid() != 0 || sh("command -v ip nft unshare openssl >/dev/null") != 0) {
                printf("# kubelet live e2e needs root, ip, nft, unshare and openssl (make deps-test); not run\n");
                return -1;
        }
        /* Under valgrind each probe child translates OpenSSL's handshake anew: far over
         * the 1 s bound. Verdicts are still asserted, with a longer bound. */
        if (under_valgrind())
                setenv("NODEWARD_PROBE_TIMEOUT_MS", "10000", 1);
        snprintf(node_ns, sizeof(node_ns), "nw-klive-node-%d", getpid());
        snprintf(pod_ns, sizeof(pod_ns), "nw-klive-pod-%d", getpid());
        snprintf(up_ns, sizeof(up_ns), "nw-klive-up-%d", getpid());
        snprintf(pod_path, sizeof(pod_path), "/run/netns/%s", pod_ns);
        snprintf(dir, sizeof(dir), "/tmp/nw-klive-XXXXXX");
        if (!mkdtemp(dir)) {
                *dir = '\0';
                return -1;
        }
        snprintf(root, sizeof(root), "%s/root", dir);
        snprintf(server_log, sizeof(server_log), "%s/server.log", dir);
        if (run_list(setup_cmds, N_OF(setup_cmds), dir) < 0 || run_list(cert_cmds, N_OF(cert_cmds), dir) < 0) {
                group_teardown(NULL);
                return -1;
        }
        tu_write(root, "etc/os-release", "PRETTY_NAME=\"kubelet live e2e\"\n");
        tu_write(root, "sys/class/dmi/id/sys_vendor", "Amazon EC2\n");
        tu_write(root, "etc/kubernetes/kubelet/kubelet-config.json", kubelet_config);
        char *ca = NULL;
        char path[256];
        snprintf(path, sizeof(path), "%s/ca.crt", dir);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        ca = tu_read_fd(fileno(f));
        fclose(f);
        tu_write(root, "etc/kubernetes/pki/ca.crt", ca);
        free(ca);
        ready = true;
        return 0;
}

/* nodeward in the node namespace, in a pid namespace of its own (no kubelet process:
 * the config comes from the AL2 well-known path under the root), the pod side
 * through --pod-netns. */
static cJSON *run_check(const char *only, const char *node_root, long *ret_ms)
{
        char *argv[24];
        int n = 0;
        argv[n++] = (char *)"/usr/bin/env";
        argv[n++] = (char *)"ip";
        argv[n++] = (char *)"netns";
        argv[n++] = (char *)"exec";
        argv[n++] = node_ns;
        argv[n++] = (char *)"unshare";
        argv[n++] = (char *)"--pid";
        argv[n++] = (char *)"--fork";
        argv[n++] = (char *)"--mount-proc";
        argv[n++] = (char *)tu_nodeward();
        argv[n++] = (char *)"check";
        if (only) {
                argv[n++] = (char *)"--only";
                argv[n++] = (char *)only;
        }
        argv[n++] = (char *)"--format";
        argv[n++] = (char *)"json";
        argv[n++] = (char *)"--root";
        argv[n++] = (char *)node_root;
        argv[n++] = (char *)"--proc";
        argv[n++] = (char *)"/proc";
        argv[n++] = (char *)"--pod-netns";
        argv[n++] = pod_path;
        argv[n] = NULL;
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        char *out, *err;
        int rc = tu_run_timeout(argv, &out, &err, 60);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        assert_int_not_equal(rc, 99); /* valgrind found an error (make valgrind) */
        *ret_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fail_msg("nodeward printed no JSON (exit %d): %s / %s", rc, out, err);
        free(out);
        free(err);
        return j;
}

#define LIVE                                                                                             \
        "kubelet.live-read-only-port,kubelet.live-anonymous,kubelet.live-tls,kubelet.live-serving-cert," \
        "kubelet.live-config-drift"
static const char *const live_ids[5] = {"kubelet.live-read-only-port", "kubelet.live-anonymous", "kubelet.live-tls",
                                        "kubelet.live-serving-cert", "kubelet.live-config-drift"};

struct scene {
        const char *name;
        const char *address; /* the kubelet config's address; NULL: 0.0.0.0 */
        const char *server[12];
        const char *nft;         /* a rule set added to table inet nwklive in the node namespace */
        const char *want[5];     /* in live_ids order */
        const char *evidence[5]; /* a substring each evidence must hold, or NULL */
};

/* nodeward never sends credentials: every request the server saw had none. */
static void assert_no_credentials_sent(void)
{
        FILE *f = fopen(server_log, "r");
        if (!f)
                return;
        char line[512];
        while (fgets(line, sizeof(line), f))
                if (strstr(line, "creds=yes"))
                        fail_msg("a request carried credentials: %s", line);
        fclose(f);
}

static long report_ms(const cJSON *j)
{
        const cJSON *d = cJSON_GetObjectItem(j, "duration_ms");
        return cJSON_IsNumber(d) ? (long)d->valuedouble : -1;
}

static void run_scene(const struct scene *sc)
{
        if (!ready)
                skip();
        stop_server();
        sh("ip netns exec %s nft flush table inet nwklive", node_ns);
        if (sc->server[0])
                server_pid = start_server((char *const *)sc->server);
        if (sc->nft)
                assert_int_equal(sh("ip netns exec %s nft -f - <<'EOF'\n%s\nEOF", node_ns, sc->nft), 0);
        long ms;
        char alt[256];
        if (sc->address) {
                /* The same node, its kubelet bound to one address. */
                snprintf(alt, sizeof(alt), "%s/root-%s", dir, sc->address);
                char *cfg = strdup(kubelet_config), *a = strstr(cfg, "0.0.0.0");
                assert_non_null(a);
                char *full;
                assert_true(asprintf(&full, "%.*s%s%s", (int)(a - cfg), cfg, sc->address, a + 7) > 0);
                tu_write(alt, "etc/kubernetes/kubelet/kubelet-config.json", full);
                assert_int_equal(
                        sh("mkdir -p %s/etc/kubernetes/pki && cp %s/ca.crt %s/etc/kubernetes/pki/", alt, dir, alt), 0);
                free(full);
                free(cfg);
        }
        cJSON *j = run_check(LIVE, sc->address ? alt : root, &ms);
        printf("# %s: %ld ms (report duration %ld ms)\n", sc->name, ms, report_ms(j));
        for (int i = 0; i < 5; i++) {
                const cJSON *r = tu_result(j, live_ids[i]);
                if (!r)
                        fail_msg("no result for %s", live_ids[i]);
                const char *st = cJSON_GetObjectItem(r, "status")->valuestring;
                const char *ev = cJSON_GetObjectItem(r, "evidence")->valuestring;
                if (strcmp(st, sc->want[i]) != 0)
                        fail_msg("%s: %s: status %s, want %s; evidence: %s", sc->name, live_ids[i], st, sc->want[i],
                                 ev);
                if (sc->evidence[i] && !strstr(ev, sc->evidence[i]))
                        fail_msg("%s: %s: evidence lacks \"%s\": %s", sc->name, live_ids[i], sc->evidence[i], ev);
        }
        /* Every probe is bounded by 1 s and they run together. */
        if (!under_valgrind())
                assert_true(report_ms(j) < 2000);
        assert_no_credentials_sent();
        cJSON_Delete(j);
        stop_server();
        sh("ip netns exec %s nft flush table inet nwklive", node_ns);
}

static void test_hardened_kubelet_passes(void **state)
{
        (void)state;
        struct scene sc = {"hardened: 401, TLS >= 1.2 strong suites, CA-signed",
                           NULL,
                           {"--cert", "@/srv.crt", "--key", "@/srv.key", "--tls", "strong", NULL},
                           NULL,
                           {"pass", "pass", "pass", "pass", "pass"},
                           {"nothing serves the read-only port", "https://10.80.0.5:10250/pods: 401", "only TLS >= 1.2",
                            "chains to the cluster CA /etc/kubernetes/pki/ca.crt", "live answers agree"}};
        run_scene(&sc);
}

static void test_open_kubelet_fails_and_disagrees_with_config(void **state)
{
        (void)state;
        struct scene sc = {"anonymous + AlwaysAllow, read-only port with 7 pods, TLS 1.0, kubelet self-signed",
                           NULL,
                           {"--cert", "@/self.crt", "--key", "@/self.key", "--tls", "weak", "--anonymous", "--pods",
                            "7", "--ro-port", "10255", NULL},
                           NULL,
                           {"fail", "fail", "fail", "warn", "fail"},
                           {"http://127.0.0.1:10255/pods: 200: 7 pod(s) would leak",
                            "https://10.80.0.5:10250/pods: 200: 7 pod(s) would leak", "TLS < 1.2",
                            "issuer /CN=ip-10-80-0-5-ca@1764640000", "readOnlyPort=0"}};
        run_scene(&sc);
}

/* The pod side is judged on its own: the read-only port answers the pod too. */
static void test_read_only_port_counted_from_the_pod(void **state)
{
        (void)state;
        struct scene sc = {"read-only port open, API strong",
                           NULL,
                           {"--cert", "@/srv.crt", "--key", "@/srv.key", "--pods", "12", "--ro-port", "10255", NULL},
                           NULL,
                           {"fail", "pass", "pass", "pass", "fail"},
                           {"http://10.80.0.5:10255/pods: 200: 12 pod(s) would leak", NULL, NULL, NULL,
                            "readOnlyPort=0 (config file /etc/kubernetes/kubelet/kubelet-config.json), but"}};
        run_scene(&sc);
}

static void test_cbc_suite_and_short_lived_certificate(void **state)
{
        (void)state;
        struct scene sc = {"a CBC suite accepted (Go's defaults), certificate 10 days from expiry",
                           NULL,
                           {"--cert", "@/short.crt", "--key", "@/srv.key", "--tls", "cbc", NULL},
                           NULL,
                           {"pass", "pass", "fail", "warn", "fail"},
                           {NULL, NULL, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "renew or rotate it",
                            "accepts TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}};
        run_scene(&sc);
}

static void test_ports_that_drop_packets_are_bounded(void **state)
{
        (void)state;
        struct scene sc = {"both kubelet ports drop every packet",
                           NULL,
                           {"--cert", "@/self.crt", "--key", "@/self.key", "--tls", "weak", "--anonymous", "--ro-port",
                            "10255", NULL},
                           "add chain inet nwklive in { type filter hook input priority 0; "
                           "tcp dport { 10250, 10255 } drop; }",
                           {"pass", "skip", "skip", "skip", "pass"},
                           {"no answer within ", "no answer within ", NULL, NULL, NULL}};
        run_scene(&sc);
}

/* A kubelet bound to one address is probed there from both sides. */
static void test_bound_address_probed_from_node_and_pod(void **state)
{
        (void)state;
        struct scene sc = {"kubelet bound to the pod-facing 10.79.0.1, anonymous",
                           "10.79.0.1",
                           {"--addr", "10.79.0.1", "--cert", "@/srv.crt", "--key", "@/srv.key", "--anonymous", "--pods",
                            "2", NULL},
                           NULL,
                           {"pass", "fail", "pass", "pass", "fail"},
                           {"http://10.79.0.1:10255/pods: Connection refused",
                            "(the kubelet's bind address 10.79.0.1): https://10.79.0.1:10250/pods: 200: 2 pod(s)",
                            "10.79.0.1:10250", "chains to the cluster CA",
                            "but anonymous https://10.79.0.1:10250/pods"}};
        run_scene(&sc);
}

/* Bound to loopback, no pod can reach it: the pod side says so instead of probing. */
static void test_loopback_kubelet_not_probed_from_pod(void **state)
{
        (void)state;
        struct scene sc = {"kubelet bound to 127.0.0.1 with a read-only port",
                           "127.0.0.1",
                           {"--addr", "127.0.0.1", "--cert", "@/srv.crt", "--key", "@/srv.key", "--ro-port", "10255",
                            "--pods", "4", NULL},
                           NULL,
                           {"fail", "pass", "pass", "pass", "fail"},
                           {"pod side not probed: the kubelet binds 127.0.0.1 only", NULL, NULL, NULL, NULL}};
        run_scene(&sc);
}

/* Nothing answers anywhere: the kubelet ports drop, the metadata address leads into a
 * dummy uplink. A whole `check` (every check) still ends well within 5 s. */
static void test_whole_check_bounded_when_nothing_answers(void **state)
{
        (void)state;
        if (!ready)
                skip();
        stop_server();
        assert_int_equal(sh("ip netns exec %s nft 'add chain inet nwklive in { type filter hook input priority 0; "
                            "tcp dport { 10250, 10255 } drop; }'",
                            node_ns),
                         0);
        char *args[] = {(char *)"--cert", (char *)"@/srv.crt", (char *)"--key", (char *)"@/srv.key", NULL};
        server_pid = start_server(args);
        long ms;
        cJSON *j = run_check(NULL, root, &ms);
        printf("# whole check, nothing answers: %ld ms (report duration %ld ms)\n", ms, report_ms(j));
        tu_assert_result(j, "kubelet.live-anonymous", "skip", "no answer within ");
        tu_assert_result(j, "imds.v1-enabled", "skip", "no answer within");
        assert_true(ms < (under_valgrind() ? 60000 : 5000));
        cJSON_Delete(j);
        stop_server();
        sh("ip netns exec %s nft flush table inet nwklive", node_ns);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_hardened_kubelet_passes),
                cmocka_unit_test(test_open_kubelet_fails_and_disagrees_with_config),
                cmocka_unit_test(test_read_only_port_counted_from_the_pod),
                cmocka_unit_test(test_cbc_suite_and_short_lived_certificate),
                cmocka_unit_test(test_ports_that_drop_packets_are_bounded),
                cmocka_unit_test(test_bound_address_probed_from_node_and_pod),
                cmocka_unit_test(test_loopback_kubelet_not_probed_from_pod),
                cmocka_unit_test(test_whole_check_bounded_when_nothing_answers),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
