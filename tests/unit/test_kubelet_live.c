/* test_kubelet_live: the PodList counter, the status peek, and the live kubelet checks over hand-made facts. */
#include "testutil.h"
#include "collect/facts.h"

#include <netinet/in.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "check.h"
#include "base/util.h"

static int count(const char *json, long *n)
{
        return klive_count_items(json, strlen(json), n);
}

/* The kubelet's /pods answers a v1 PodList (pkg/kubelet/server/server.go getPods
 * encodes v1.PodList); only the length of "items" is read. */
static void test_count_items_of_a_podlist(void **state)
{
        (void)state;
        long n = -1;
        assert_int_equal(count("{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{},\"items\":["
                               "{\"metadata\":{\"name\":\"a\"},\"spec\":{\"containers\":[{\"env\":[1,2,3]}]}},"
                               "{\"x\":\"]},{\\\"\"},\n {}, null, 7]}",
                               &n),
                         0);
        assert_int_equal(n, 5);
        assert_int_equal(count(" { \"items\" : [ ] , \"kind\":\"PodList\" } ", &n), 0);
        assert_int_equal(n, 0);
        /* Go encodes a nil slice as null. */
        assert_int_equal(count("{\"kind\":\"PodList\",\"items\":null}", &n), 0);
        assert_int_equal(n, 0);
}

static void test_count_items_rejects_what_is_not_a_podlist(void **state)
{
        (void)state;
        static const char *const bad[] = {
                "",
                "[]",
                "{}",
                "{\"kind\":\"Status\",\"code\":401}",
                "{\"items\":[{}]",
                "{\"items\":[{}]} x",
                "{\"items\":{}}",
                "{\"items\":[{]}",
                "{\"items\":[}]}",
                "{\"items\":[\"\x01\"]}",
                "{\"items\":[,]}",
                "{\"items\" [1]}",
                "{\"items\":[1]",
                "{items:[1]}",
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                long n = 99;
                if (count(bad[i], &n) != -EBADMSG)
                        fail_msg("accepted: %s", bad[i]);
                assert_int_equal(n, 99); /* untouched on failure */
        }
}

/* Nesting is tracked without recursion and refused past a bound. */
static void test_count_items_deep_nesting_refused(void **state)
{
        (void)state;
        struct strbuf sb = {0};
        sb_puts(&sb, "{\"items\":[");
        for (int i = 0; i < 100000; i++)
                sb_puts(&sb, "[");
        long n;
        assert_int_equal(klive_count_items(sb.buf, sb.len, &n), -EBADMSG);
        sb_free(&sb);
}

static void test_status_peek(void **state)
{
        (void)state;
        int st = 0;
        assert_int_equal(klive_status_peek("HTTP/1.1 200 OK\r\n", 17, &st), 0);
        assert_int_equal(st, 200);
        assert_int_equal(klive_status_peek("HTTP/1.0 401", 12, &st), 0);
        assert_int_equal(st, 401);
        assert_int_equal(klive_status_peek("HTTP/1.1 2", 10, &st), -EAGAIN);
        assert_int_equal(klive_status_peek("HTTP/2 200 OK\r\n", 15, &st), -EBADMSG);
        assert_int_equal(klive_status_peek("HTTP/1.1 2x0 OK\r\n", 17, &st), -EBADMSG);
        assert_int_equal(klive_status_peek("HTTP/1.1 2000 OK\r\n", 18, &st), -EBADMSG);
}

static void http(struct klive_http *h, const char *target, int err, int status, long pods)
{
        memset(h, 0, sizeof(*h));
        h->tried = true;
        h->connected = err == 0 || err == -EFBIG;
        h->err = err;
        h->status = status;
        h->pods = pods;
        h->timeout_ms = 1000;
        snprintf(h->target, sizeof(h->target), "%s", target);
}

static void live_facts(struct facts *f)
{
        memset(f, 0, sizeof(*f));
        f->collected = FACT_KUBELET_LIVE | FACT_KUBELET;
        f->klive.host_ns = (char *)"current network namespace";
        f->klive.have_pod = true;
        f->klive.pod_ns = (char *)"/run/netns/p (--pod-netns)";
        f->klive.pod_addr = (char *)"10.0.0.5";
        f->klive.pod_addr_why = (char *)"the node's primary address";
        f->klive.node_addr = (char *)"127.0.0.1";
        f->klive.ro_port = 10255;
        http(&f->klive.node_ro, "http://127.0.0.1:10255/pods", -ECONNREFUSED, 0, -1);
        http(&f->klive.pod_ro, "http://10.0.0.5:10255/pods", -ETIMEDOUT, 0, -1);
        f->klive.pod_ro.connected = false;
        http(&f->klive.node_api, "https://127.0.0.1:10250/pods", 0, 401, -1);
        http(&f->klive.pod_api, "https://10.0.0.5:10250/pods", 0, 403, -1);
        snprintf(f->klive.tls.target, sizeof(f->klive.tls.target), "127.0.0.1:10250");
}

static struct result run(check_fn fn, const struct facts *f)
{
        struct result r = {0};
        fn(f, &r);
        return r;
}

static void test_read_only_port_fails_with_the_pod_count(void **state)
{
        (void)state;
        struct facts f;
        live_facts(&f);
        struct result r = run(check_kubelet_live_read_only_port, &f);
        assert_int_equal(r.status, ST_PASS);
        assert_non_null(strstr(r.evidence, "http://10.0.0.5:10255/pods: no answer within 1000 ms"));
        free(r.evidence);
        http(&f.klive.pod_ro, "http://10.0.0.5:10255/pods", 0, 200, 31);
        r = run(check_kubelet_live_read_only_port, &f);
        assert_int_equal(r.status, ST_FAIL);
        assert_non_null(strstr(r.evidence, "http://10.0.0.5:10255/pods: 200: 31 pod(s) would leak"));
        free(r.evidence);
        /* Too big to count is still a leak. */
        http(&f.klive.pod_ro, "http://10.0.0.5:10255/pods", -EFBIG, 200, -1);
        r = run(check_kubelet_live_read_only_port, &f);
        assert_int_equal(r.status, ST_FAIL);
        assert_non_null(strstr(r.evidence, "body over the cap, not counted"));
        free(r.evidence);
}

static void test_anonymous_refused_passes_served_fails(void **state)
{
        (void)state;
        struct facts f;
        live_facts(&f);
        struct result r = run(check_kubelet_live_anonymous, &f);
        assert_int_equal(r.status, ST_PASS);
        free(r.evidence);
        http(&f.klive.node_api, "https://127.0.0.1:10250/pods", 0, 200, 4);
        r = run(check_kubelet_live_anonymous, &f);
        assert_int_equal(r.status, ST_FAIL);
        assert_non_null(strstr(r.evidence, "4 pod(s) would leak"));
        free(r.evidence);
        /* A redirect is an answer nodeward does not follow, and no verdict. */
        http(&f.klive.node_api, "https://127.0.0.1:10250/pods", 0, 302, -1);
        r = run(check_kubelet_live_anonymous, &f);
        assert_int_equal(r.status, ST_WARN);
        free(r.evidence);
        http(&f.klive.node_api, "https://127.0.0.1:10250/pods", -ECONNREFUSED, 0, -1);
        http(&f.klive.pod_api, "https://10.0.0.5:10250/pods", -ETIMEDOUT, 0, -1);
        f.klive.pod_api.connected = false;
        r = run(check_kubelet_live_anonymous, &f);
        assert_int_equal(r.status, ST_SKIP);
        free(r.evidence);
}

static void handshake(struct klive_handshake *h, int err, const char *version, const char *cipher)
{
        *h = (struct klive_handshake){.tried = true, .err = err, .connected = true};
        snprintf(h->version, sizeof(h->version), "%s", version);
        snprintf(h->cipher, sizeof(h->cipher), "%s", cipher);
}

static void test_tls_old_protocol_or_weak_suite_fails(void **state)
{
        (void)state;
        struct facts f;
        live_facts(&f);
        handshake(&f.klive.tls.modern, 0, "TLSv1.3", "TLS_AES_128_GCM_SHA256");
        handshake(&f.klive.tls.old, -EPROTO, "", "");
        handshake(&f.klive.tls.weak, -EPROTO, "", "");
        struct result r = run(check_kubelet_live_tls, &f);
        assert_int_equal(r.status, ST_PASS);
        free(r.evidence);
        handshake(&f.klive.tls.weak, 0, "TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
        r = run(check_kubelet_live_tls, &f);
        assert_int_equal(r.status, ST_FAIL);
        assert_non_null(strstr(r.evidence, "a weak cipher suite"));
        free(r.evidence);
        handshake(&f.klive.tls.old, 0, "TLSv1", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
        r = run(check_kubelet_live_tls, &f);
        assert_int_equal(r.status, ST_FAIL);
        assert_non_null(strstr(r.evidence, "TLS < 1.2 and a weak cipher suite"));
        free(r.evidence);
}

static void test_serving_cert_verdicts(void **state)
{
        (void)state;
        struct facts f;
        live_facts(&f);
        struct klive_cert *c = &f.klive.tls.cert;
        *c = (struct klive_cert){.have = true, .ca_verdict = 1, .days_left = 300};
        f.klive.ca_path = (char *)"/etc/kubernetes/pki/ca.crt";
        struct result r = run(check_kubelet_live_serving_cert, &f);
        assert_int_equal(r.status, ST_PASS);
        free(r.evidence);
        c->days_left = -3;
        r = run(check_kubelet_live_serving_cert, &f);
        assert_int_equal(r.status, ST_FAIL);
        assert_non_null(strstr(r.evidence, "expired 3 day(s) ago"));
        free(r.evidence);
        *c = (struct klive_cert){.have = true, .self_signed = true, .ca_verdict = 0, .days_left = 300};
        r = run(check_kubelet_live_serving_cert, &f);
        assert_int_equal(r.status, ST_WARN);
        free(r.evidence);
        /* A cluster CA that cannot be read leaves the issuer unjudged: never a pass. */
        *c = (struct klive_cert){.have = true, .ca_verdict = -1, .days_left = 300};
        f.klive.ca_error = (char *)"/etc/kubernetes/pki/ca.crt: No such file or directory";
        r = run(check_kubelet_live_serving_cert, &f);
        assert_int_equal(r.status, ST_WARN);
        assert_non_null(strstr(r.evidence, "cluster CA unreadable"));
        free(r.evidence);
}

/* Config layer as kubelet_collect leaves it: found, readOnlyPort 0 from the file. */
static void test_drift_read_only_port_zero_but_answering(void **state)
{
        (void)state;
        struct facts f;
        live_facts(&f);
        f.kubelet.found = true;
        f.kubelet.f[KF_READ_ONLY_PORT].value = cJSON_CreateNumber(0);
        f.kubelet.f[KF_READ_ONLY_PORT].origin = (char *)"config file /etc/kubernetes/kubelet/kubelet-config.json";
        f.kubelet.f[KF_ANONYMOUS_AUTH].value = cJSON_CreateFalse();
        struct result r = run(check_kubelet_live_config_drift, &f);
        assert_int_equal(r.status, ST_PASS);
        free(r.evidence);
        http(&f.klive.node_ro, "http://127.0.0.1:10255/pods", 0, 200, 2);
        http(&f.klive.pod_api, "https://10.0.0.5:10250/pods", 0, 200, 2);
        r = run(check_kubelet_live_config_drift, &f);
        assert_int_equal(r.status, ST_FAIL);
        assert_non_null(strstr(r.evidence, "readOnlyPort=0 (config file /etc/kubernetes/kubelet/kubelet-config.json), "
                                           "but http://127.0.0.1:10255/pods answers 200"));
        assert_non_null(strstr(r.evidence, "authentication.anonymous.enabled=false"));
        free(r.evidence);
        cJSON_Delete(f.kubelet.f[KF_READ_ONLY_PORT].value);
        cJSON_Delete(f.kubelet.f[KF_ANONYMOUS_AUTH].value);
}

static struct observed_attempt attempt(uint16_t port, bool pod, uint64_t count)
{
        struct observed_attempt a = {.dport = port,
                                     .pod = pod,
                                     .count = count,
                                     .first_ms = 1700000000123,
                                     .last_ms = 1700000001456,
                                     .pid = 42};
        snprintf(a.daddr, sizeof(a.daddr), "10.0.0.5");
        snprintf(a.comm, sizeof(a.comm), "curl");
        if (pod)
                snprintf(a.ref.uid, sizeof(a.ref.uid), "uid-%u", port);
        return a;
}

static void observed(struct facts *f, struct observed_attempt *v, size_t n)
{
        memset(f, 0, sizeof(*f));
        f->collected = FACT_CONNWATCH;
        f->observe = (struct observe_facts){.requested = true,
                                            .seconds = 2,
                                            .mode = "tp_btf",
                                            .v = v,
                                            .n = n,
                                            .kubelet_ports = {10250, 10255},
                                            .kubelet_ro = {false, true},
                                            .n_kubelet_ports = 2};
}

/* The read-only port fails; the authenticated port alone (metrics-server's) warns. */
static void test_pod_attempts_read_only_fails_api_warns(void **state)
{
        (void)state;
        struct observed_attempt v[] = {attempt(10250, true, 3), attempt(22, true, 1), attempt(10255, false, 9)};
        struct facts f;
        observed(&f, v, ARRAY_SIZE(v));
        struct result r = run(check_kubelet_pod_attempts, &f);
        assert_int_equal(r.status, ST_WARN);
        assert_non_null(strstr(r.evidence, "1 pod attempt(s)"));
        assert_non_null(strstr(r.evidence, "-> 10.0.0.5:10250 x3"));
        assert_non_null(strstr(r.evidence, "9 attempts by host processes not counted"));
        free(r.evidence);
        v[2] = attempt(10255, true, 9);
        r = run(check_kubelet_pod_attempts, &f);
        assert_int_equal(r.status, ST_FAIL);
        assert_non_null(strstr(r.evidence, "-> 10.0.0.5:10255 x9"));
        free(r.evidence);
        observed(&f, v, 1);
        v[0] = attempt(22, true, 1);
        r = run(check_kubelet_pod_attempts, &f);
        assert_int_equal(r.status, ST_PASS);
        free(r.evidence);
}

/* A loopback port nothing listens on: bound, named, closed. */
static long closed_port(void)
{
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t l = sizeof(a);
        assert_true(fd >= 0);
        assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
        assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
        close(fd);
        return ntohs(a.sin_port);
}

/* Ports that refuse on this host are answered without a probe child: in a test
 * child that cannot fork (nobody, with RLIMIT_NPROC 0; the limit also binds under
 * qemu-user, where a seccomp filter would not), both GETs and the three handshakes
 * still read "refused", not "probing from the host namespace: ...". */
static void test_refused_ports_need_no_probe_child(void **state)
{
        (void)state;
        long port = closed_port(), ro_port = closed_port();
        fflush(NULL);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                struct rlimit none = {0, 0};
                if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0 ||
                    setrlimit(RLIMIT_NPROC, &none) < 0)
                        _exit(10);
                char dir[] = "/tmp/nwkl.XXXXXX";
                struct rootfs root, proc = {.fd = -1};
                if (!mkdtemp(dir) || rootfs_open_root(dir, &root) < 0)
                        _exit(11);
                struct klive_collect_opts o = {.port = port, .ro_port = ro_port, .address = "127.0.0.1"};
                struct klive_facts f;
                klive_collect(&root, &proc, &o, &f);
                if (f.host_error)
                        fprintf(stderr, "host side: %s\n", f.host_error);
                int rc = f.host_error                            ? 12
                         : f.node_ro.err != -ECONNREFUSED        ? 13
                         : f.node_api.err != -ECONNREFUSED       ? 14
                         : f.tls.modern.err != -ECONNREFUSED     ? 15
                         : f.tls.old.err != -ECONNREFUSED        ? 16
                         : f.tls.weak.err != -ECONNREFUSED       ? 17
                         : !f.node_ro.tried || !f.tls.weak.tried ? 18
                                                                 : 0;
                klive_facts_free(&f);
                rootfs_close(&root);
                rmdir(dir);
                _exit(rc);
        }
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_count_items_of_a_podlist),
                cmocka_unit_test(test_count_items_rejects_what_is_not_a_podlist),
                cmocka_unit_test(test_count_items_deep_nesting_refused),
                cmocka_unit_test(test_status_peek),
                cmocka_unit_test(test_read_only_port_fails_with_the_pod_count),
                cmocka_unit_test(test_anonymous_refused_passes_served_fails),
                cmocka_unit_test(test_tls_old_protocol_or_weak_suite_fails),
                cmocka_unit_test(test_serving_cert_verdicts),
                cmocka_unit_test(test_drift_read_only_port_zero_but_answering),
                cmocka_unit_test(test_pod_attempts_read_only_fails_api_warns),
                cmocka_unit_test(test_refused_ports_need_no_probe_child),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
