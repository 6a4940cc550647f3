/* test_publish: the API server address, names, the answers read from the API server, and the ClusterReport body. */
#include "testutil.h"

#include "benchmarks.h"
#include "check.h"
#include "base/kubeapi.h"
#include "render/publish.h"
#include "render/report_fleet.h"

static void test_url(void **state)
{
        (void)state;
        static const struct {
                const char *url, *host;
                unsigned port;
        } good[] = {
                {"https://10.96.0.1", "10.96.0.1", 443},
                {"https://10.96.0.1:6443", "10.96.0.1", 6443},
                {"https://10.96.0.1:443/", "10.96.0.1", 443},
                {"https://[fd00:10:96::1]:443", "fd00:10:96::1", 443},
                {"https://[::1]", "::1", 443},
        };
        for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
                char *h = NULL;
                unsigned p = 0;
                assert_int_equal(kubeapi_parse_url(good[i].url, &h, &p), 0);
                assert_string_equal(h, good[i].host);
                assert_int_equal(p, good[i].port);
                free(h);
        }
        static const char *const bad[] = {
                NULL,
                "",
                "http://10.96.0.1",
                "https://",
                "https://kubernetes.default.svc",
                "https://10.96.0.1:0",
                "https://10.96.0.1:65536",
                "https://10.96.0.1:",
                "https://10.96.0.1:80x",
                "https://10.96.0.1/api",
                "https://user@10.96.0.1",
                "https://[::1",
                "https://[]:443",
                "https://[10.0.0.1]",
                "https://::1",
                "https://10.96.0.1?x",
                "https://10.96.0.1:443:1",
                "HTTPS://10.96.0.1",
                "https://10.96.0.1.5",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
                char *h = NULL;
                unsigned p = 0;
                if (kubeapi_parse_url(bad[i], &h, &p) != -EINVAL)
                        fail_msg("accepted \"%s\"", bad[i] ? bad[i] : "(null)");
                assert_null(h);
        }
}

static void test_in_cluster_config(void **state)
{
        (void)state;
        struct kubeapi_config c;
        char *err = NULL;
        unsetenv("KUBERNETES_SERVICE_HOST");
        assert_int_equal(kubeapi_config_init(NULL, NULL, NULL, &c, &err), -EINVAL);
        assert_non_null(strstr(err, "KUBERNETES_SERVICE_HOST"));
        free(err);
        err = NULL;
        setenv("KUBERNETES_SERVICE_HOST", "fd00:10:96::1", 1);
        setenv("KUBERNETES_SERVICE_PORT", "443", 1);
        assert_int_equal(kubeapi_config_init(NULL, NULL, NULL, &c, &err), 0);
        assert_string_equal(c.host_header, "[fd00:10:96::1]:443");
        assert_string_equal(c.token_file, KUBEAPI_SA_DIR "/token");
        assert_string_equal(c.ca_file, KUBEAPI_SA_DIR "/ca.crt");
        assert_int_equal(c.sa.ss_family, AF_INET6);
        kubeapi_config_free(&c);
        setenv("KUBERNETES_SERVICE_HOST", "kubernetes.default", 1);
        assert_int_equal(kubeapi_config_init(NULL, NULL, NULL, &c, &err), -EINVAL);
        assert_non_null(strstr(err, "https://IP"));
        free(err);
        unsetenv("KUBERNETES_SERVICE_HOST");
        unsetenv("KUBERNETES_SERVICE_PORT");
}

/* The token is read before anything is sent: a missing or unusable one fails locally. */
static void test_token_refused_before_connecting(void **state)
{
        (void)state;
        char *dir = tu_mkdtemp();
        char tok[256], url[] = "https://127.0.0.1:1";
        snprintf(tok, sizeof(tok), "%s/token", dir);
        struct kubeapi_config c;
        char *err = NULL;
        assert_int_equal(kubeapi_config_init(url, tok, "/nonexistent/ca.crt", &c, &err), 0);
        struct kubeapi_response r;
        kubeapi_request(&c, "GET", "/api/v1/nodes/a", NULL, NULL, &r);
        assert_int_equal(r.err, -ENOENT);
        assert_true(r.local);
        assert_non_null(strstr(r.why, "token file"));
        /* A token with a line break would split the header. */
        tu_write(dir, "token", "abc\ndef\n");
        kubeapi_request(&c, "GET", "/api/v1/nodes/a", NULL, NULL, &r);
        assert_int_equal(r.err, -EINVAL);
        assert_true(r.local);
        /* A good token, no CA: still nothing sent. */
        tu_write(dir, "token", "abc.def\n");
        kubeapi_request(&c, "GET", "/api/v1/nodes/a", NULL, NULL, &r);
        assert_true(r.local);
        assert_non_null(strstr(r.why, "CA file"));
        kubeapi_config_free(&c);
        free(dir);
}

static void test_report_name(void **state)
{
        (void)state;
        char *n = publish_report_name("ip-10-0-1-7.ec2.internal");
        assert_string_equal(n, "nodeward-ip-10-0-1-7.ec2.internal");
        free(n);
        static const char *const bad[] = {NULL, "", "Node1", "-a", "a-", "a..b", "a.-b", "a_b", "a b", "a/b"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
                assert_null(publish_report_name(bad[i]));
        char longest[245];
        memset(longest, 'a', 244);
        longest[244] = '\0';
        n = publish_report_name(longest); /* 9 + 244 = 253, the limit */
        assert_non_null(n);
        assert_int_equal(strlen(n), 253);
        free(n);
        char too_long[246];
        memset(too_long, 'a', 245);
        too_long[245] = '\0';
        assert_null(publish_report_name(too_long));
}

/* The Node's uid, from a v1 Node (k8s.io/api core/v1 types.go: metadata.uid). */
static void test_node_uid(void **state)
{
        (void)state;
        const char *node = "{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"n1\",\"uid\":"
                           "\"0b6a8c1e-3f4d-4e0a-9d8b-2c7e5f1a9b3c\"},\"status\":{}}";
        char *uid = kubeapi_node_uid(node, strlen(node), "n1");
        assert_string_equal(uid, "0b6a8c1e-3f4d-4e0a-9d8b-2c7e5f1a9b3c");
        free(uid);
        assert_null(kubeapi_node_uid(node, strlen(node), "n2")); /* another node's answer */
        static const char *const bad[] = {
                "",
                "{",
                "[]",
                "{\"kind\":\"Status\",\"metadata\":{\"name\":\"n1\",\"uid\":\"u\"}}",
                "{\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"}}",
                "{\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\",\"uid\":\"\"}}",
                "{\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\",\"uid\":7}}",
                "{\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\",\"uid\":\"a\\\"b\"}}",
                "{\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\",\"uid\":\"a b\"}}",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
                assert_null(kubeapi_node_uid(bad[i], strlen(bad[i]), "n1"));
        /* Bounded by the length given, not by a NUL. */
        assert_null(kubeapi_node_uid(node, 20, "n1"));
}

/* metav1.Status (k8s.io/apimachinery pkg/apis/meta/v1 types.go): its message, made printable. */
static void test_status_message(void **state)
{
        (void)state;
        const char *st = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":"
                         "\"clusterreports.openreports.io \\\"x\\\" is forbidden\\n\\u001b[31m\",\"code\":403}";
        char *m = kubeapi_status_message(st, strlen(st));
        assert_string_equal(m, "clusterreports.openreports.io \"x\" is forbidden??[31m");
        free(m);
        assert_null(kubeapi_status_message("{\"kind\":\"Node\",\"message\":\"m\"}", 30));
        assert_null(kubeapi_status_message("<html>", 6));
        char big[600];
        int n = snprintf(big, sizeof(big), "{\"kind\":\"Status\",\"message\":\"");
        memset(big + n, 'x', 400);
        strcpy(big + n + 400, "\"}");
        m = kubeapi_status_message(big, strlen(big));
        assert_int_equal(strlen(m), 200);
        free(m);
}

static const struct check_def *find(const char *id)
{
        for (size_t i = 0; i < check_catalog_len; i++)
                if (strcmp(check_catalog[i].id, id) == 0)
                        return &check_catalog[i];
        fail_msg("no check %s", id);
        return NULL;
}

static const char *str(const cJSON *j, const char *k)
{
        return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, k));
}

static const char *prop(const cJSON *result, const char *k)
{
        return str(cJSON_GetObjectItemCaseSensitive(result, "properties"), k);
}

static const struct report_meta meta = {
        .started = "2026-01-02T03:04:05Z", .duration_ms = 12, .started_epoch = 1767323045.5, .duration_s = 0.012};

/* The body is what --format openreports prints (report_openreports_build()), named for
 * the publisher's Node, plus what applying needs: the Node's uid in scope and an owner
 * reference. */
static void test_body_is_the_openreports_report_with_the_node_uid(void **state)
{
        (void)state;
        /* Evidence over the cap, the cut falling inside a UTF-8 sequence ("é" is two bytes). */
        char long_ev[FLEET_EVIDENCE_MAX + 16];
        memset(long_ev, 'e', FLEET_EVIDENCE_MAX - 4);
        strcpy(long_ev + FLEET_EVIDENCE_MAX - 4, "\xc3\xa9tail-past-the-cap");
        const struct benchmark *bench = benchmark_default();
        struct result res[2] = {
                {.check = find("kubelet.anonymous-auth"),
                 .status = ST_FAIL,
                 .evidence = (char *)"anonymous enabled",
                 .item = benchmark_item(bench, "kubelet.anonymous-auth"),
                 .where = {.path = (char *)"/etc/kubernetes/kubelet/config.json", .line = 3, .layer = "config"}},
                {.check = find("ssh.permit-root-login"), .status = ST_SKIP, .evidence = long_ev},
        };
        assert_non_null(res[0].item);
        struct run run = {.results = res,
                          .n = 2,
                          .summary = {[ST_FAIL] = 1, [ST_SKIP] = 1},
                          .benchmark = bench,
                          .node = {.name = (char *)"n1"}};
        cJSON *b = publish_report_body(&run, &meta, "n1", "uid-1");
        assert_string_equal(str(b, "apiVersion"), "openreports.io/v1alpha1");
        assert_string_equal(str(b, "kind"), "ClusterReport");
        cJSON *md = cJSON_GetObjectItemCaseSensitive(b, "metadata");
        assert_string_equal(str(md, "name"), "nodeward-n1");
        const cJSON *ann = cJSON_GetObjectItemCaseSensitive(md, "annotations");
        assert_string_equal(str(ann, "nodeward.io/started"), meta.started);
        assert_string_equal(str(ann, "nodeward.io/benchmark"), bench->id);
        const cJSON *owners = cJSON_GetObjectItemCaseSensitive(md, "ownerReferences");
        assert_int_equal(cJSON_GetArraySize(owners), 1);
        const cJSON *own = cJSON_GetArrayItem(owners, 0);
        assert_string_equal(str(own, "apiVersion"), "v1");
        assert_string_equal(str(own, "kind"), "Node");
        assert_string_equal(str(own, "name"), "n1");
        assert_string_equal(str(own, "uid"), "uid-1");
        cJSON *scope = cJSON_GetObjectItemCaseSensitive(b, "scope");
        assert_string_equal(str(scope, "kind"), "Node");
        assert_string_equal(str(scope, "name"), "n1");
        assert_string_equal(str(scope, "uid"), "uid-1");
        const cJSON *sum = cJSON_GetObjectItemCaseSensitive(b, "summary");
        assert_int_equal(cJSON_GetObjectItemCaseSensitive(sum, "fail")->valueint, 1);
        assert_int_equal(cJSON_GetObjectItemCaseSensitive(sum, "skip")->valueint, 1);
        assert_int_equal(cJSON_GetObjectItemCaseSensitive(sum, "pass")->valueint, 0);
        const cJSON *results = cJSON_GetObjectItemCaseSensitive(b, "results");
        assert_int_equal(cJSON_GetArraySize(results), 2);
        const cJSON *r0 = cJSON_GetArrayItem(results, 0), *r1 = cJSON_GetArrayItem(results, 1);
        /* The policy is the benchmark the check is an item of; the rule is the check. */
        assert_string_equal(str(r0, "policy"), bench->id);
        assert_string_equal(str(r0, "rule"), "kubelet.anonymous-auth");
        assert_string_equal(str(r0, "category"), "kubelet");
        assert_string_equal(str(r0, "severity"), "high");
        assert_string_equal(str(r0, "result"), "fail");
        assert_string_equal(str(r0, "message"), "anonymous enabled");
        assert_string_equal(str(r0, "source"), "nodeward");
        assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r0, "scored")),
                         res[0].item->assessment == ASSESS_AUTOMATED);
        const cJSON *ts = cJSON_GetObjectItemCaseSensitive(r0, "timestamp");
        assert_int_equal((long)cJSON_GetObjectItemCaseSensitive(ts, "seconds")->valuedouble, 1767323045L);
        assert_string_equal(prop(r0, "title"), find("kubelet.anonymous-auth")->title);
        assert_string_equal(prop(r0, "remediation"), result_remediation(&res[0]));
        assert_string_equal(prop(r0, "benchmark"), bench->id);
        assert_string_equal(prop(r0, "benchmark.item"), res[0].item->item);
        assert_string_equal(prop(r0, "source.file"), "/etc/kubernetes/kubelet/config.json");
        assert_string_equal(prop(r0, "source.line"), "3");
        assert_string_equal(prop(r0, "source.layer"), "config");
        /* Every reference (JSON text: the CRD's properties are strings), the benchmark's first. */
        cJSON *refs = cJSON_Parse(prop(r0, "references"));
        assert_true(cJSON_IsArray(refs));
        assert_true(cJSON_GetArraySize(refs) >= 2);
        cJSON_Delete(refs);
        cJSON *brefs = cJSON_Parse(prop(r0, "benchmark_references"));
        assert_int_equal(cJSON_GetArraySize(brefs), 1);
        cJSON_Delete(brefs);
        /* A check outside the benchmark: the area is the policy. */
        assert_string_equal(str(r1, "policy"), "ssh");
        assert_string_equal(str(r1, "rule"), "ssh.permit-root-login");
        assert_string_equal(str(r1, "result"), "skip");
        const char *msg = str(r1, "message");
        assert_int_equal(strlen(msg), FLEET_EVIDENCE_MAX - 1); /* the "é" not split */
        assert_string_equal(msg + strlen(msg) - 4, "e...");

        /* Without the uid and the owner, it is the --format openreports object itself. */
        cJSON_DeleteItemFromObjectCaseSensitive(md, "ownerReferences");
        cJSON_DeleteItemFromObjectCaseSensitive(scope, "uid");
        cJSON *printed = report_openreports_build(&run, &meta, REPORT_API_OPENREPORTS);
        assert_true(cJSON_Compare(b, printed, true));
        cJSON_Delete(printed);
        cJSON_Delete(b);
}

/* The name and scope are the publisher's Node, whatever the run took for the node's name. */
static void test_body_names_the_publishers_node(void **state)
{
        (void)state;
        struct result res = {.check = find("kubelet.anonymous-auth"), .status = ST_PASS, .evidence = (char *)"off"};
        struct run run = {.results = &res, .n = 1, .summary = {[ST_PASS] = 1}, .node = {.hostname = (char *)"Host_1"}};
        cJSON *b = publish_report_body(&run, &meta, "ip-10-0-1-7.ec2.internal", "uid-2");
        assert_string_equal(str(cJSON_GetObjectItemCaseSensitive(b, "metadata"), "name"),
                            "nodeward-ip-10-0-1-7.ec2.internal");
        const cJSON *scope = cJSON_GetObjectItemCaseSensitive(b, "scope");
        assert_string_equal(str(scope, "name"), "ip-10-0-1-7.ec2.internal");
        assert_string_equal(str(scope, "uid"), "uid-2");
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(b, "scope")), 4);
        cJSON_Delete(b);
}

static void test_publisher_needs_a_node(void **state)
{
        (void)state;
        struct publisher *p = NULL;
        char *err = NULL;
        unsetenv("NODE_NAME");
        struct publish_opts o = {.api = "https://10.96.0.1"};
        assert_int_equal(publisher_new(&o, &p, &err), -EINVAL);
        assert_non_null(strstr(err, "NODE_NAME"));
        free(err);
        o.node = "Bad_Name";
        assert_int_equal(publisher_new(&o, &p, &err), -EINVAL);
        assert_non_null(strstr(err, "not a valid"));
        free(err);
        o.node = "n1";
        o.api = "https://kubernetes";
        assert_int_equal(publisher_new(&o, &p, &err), -EINVAL);
        free(err);
        o.api = "https://10.96.0.1";
        assert_int_equal(publisher_new(&o, &p, &err), 0);
        publisher_free(p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_url),
                cmocka_unit_test(test_in_cluster_config),
                cmocka_unit_test(test_token_refused_before_connecting),
                cmocka_unit_test(test_report_name),
                cmocka_unit_test(test_node_uid),
                cmocka_unit_test(test_status_message),
                cmocka_unit_test(test_body_is_the_openreports_report_with_the_node_uid),
                cmocka_unit_test(test_body_names_the_publishers_node),
                cmocka_unit_test(test_publisher_needs_a_node),
        };
        return cmocka_run_group_tests(tests, NULL, tu_group_teardown);
}
