/* test_fleet_reports: the fleet report formats judged by the real consumers: the OpenReports and
 * PolicyReport CRDs' schemas (ajv), botocore's Security Hub model, the OCSF 1.2.0 schema, and
 * JUnit's XSD (xmllint) with a JUnit parser (test-results-parser). */
#include "fleet.h"

static char *root;

static int setup(void **state)
{
        fl_setup(state);
        root = fl_kubelet_root();
        return 0;
}

static int teardown(void **state)
{
        tu_rm_rf(root);
        free(root);
        return fl_teardown(state);
}

static char *path_in_scratch(const char *name)
{
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", scratch, name) > 0);
        return p;
}

static cJSON *read_json(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        char *text = tu_read_fd(fd);
        close(fd);
        cJSON *j = cJSON_Parse(text);
        if (!j)
                fail_msg("%s: not JSON: %.200s", path, text);
        free(text);
        return j;
}

static void sh_ok(const char *cmd)
{
        char *out, *err;
        int rc = fl_sh(cmd, &out, &err);
        if (rc != 0)
                fail_msg("%s: exit %d: %s%s", cmd, rc, out, err);
        free(out);
        free(err);
}

/* The same node's JSON report: what every other format must agree with. */
static cJSON *json_report(void)
{
        _cleanup_free_ char *p = path_in_scratch("report.json");
        assert_int_equal(fl_check(root, NULL, NULL, "--format", "json", "--output", p, NULL), 1);
        tu_keep_report_file(p);
        char cmd[8192];
        snprintf(cmd, sizeof(cmd), "node tests/validate/report.js '%s'", p);
        sh_ok(cmd);
        return read_json(p);
}

static int summary(const cJSON *rep, const char *st)
{
        return cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "summary"), st)->valueint;
}

static const char *str(const cJSON *o, const char *k)
{
        const cJSON *v = cJSON_GetObjectItem(o, k);
        assert_true(cJSON_IsString(v));
        return v->valuestring;
}

static void check_node_report(const char *format, const char *crd, const char *api_version, const char *kind)
{
        fl_need_node_modules();
        _cleanup_free_ char *p = path_in_scratch(format);
        setenv("NODE_NAME", "ip-10-1-2-3.eu-west-1.compute.internal", 1);
        int rc = fl_check(root, NULL, NULL, "--format", format, "--output", p, NULL);
        unsetenv("NODE_NAME");
        assert_int_equal(rc, 1);
        char cmd[8192];
        snprintf(cmd, sizeof(cmd), "node tests/validate/crd.js tests/schemas/%s '%s'", crd, p);
        sh_ok(cmd);
        cJSON *o = read_json(p);
        assert_string_equal(str(o, "apiVersion"), api_version);
        assert_string_equal(str(o, "kind"), kind);
        assert_string_equal(str(cJSON_GetObjectItem(o, "metadata"), "name"),
                            "nodeward-ip-10-1-2-3.eu-west-1.compute.internal");
        const cJSON *scope = cJSON_GetObjectItem(o, "scope");
        assert_string_equal(str(scope, "kind"), "Node");
        assert_string_equal(str(scope, "name"), "ip-10-1-2-3.eu-west-1.compute.internal");
        /* Every result of the JSON report, with its status and severity word for word. */
        cJSON *rep = json_report();
        const cJSON *want = cJSON_GetObjectItem(rep, "results"), *got = cJSON_GetObjectItem(o, "results");
        assert_int_equal(cJSON_GetArraySize(got), cJSON_GetArraySize(want));
        for (int i = 0; i < cJSON_GetArraySize(want); i++) {
                const cJSON *w = cJSON_GetArrayItem(want, i), *g = cJSON_GetArrayItem(got, i);
                assert_string_equal(str(g, "rule"), str(w, "id"));
                assert_string_equal(str(g, "result"), str(w, "status"));
                assert_string_equal(str(g, "severity"), str(w, "severity"));
                const cJSON *props = cJSON_GetObjectItem(g, "properties");
                assert_string_equal(str(props, "remediation"), str(w, "remediation"));
                /* The structured references survive as JSON text in a string-valued map. */
                cJSON *brefs = cJSON_Parse(str(props, "benchmark_references"));
                assert_true(cJSON_Compare(brefs, cJSON_GetObjectItem(w, "benchmark_references"), true));
                cJSON_Delete(brefs);
                if (strcmp(str(w, "id"), "kubelet.read-only-port") == 0) {
                        assert_string_equal(str(g, "policy"), "cis-eks-1.8.0");
                        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(g, "scored")));
                        /* --read-only-port=10255 on the command line: the flag layer. */
                        assert_string_equal(str(props, "source.layer"), "flag");
                }
        }
        const cJSON *sum = cJSON_GetObjectItem(o, "summary");
        assert_int_equal(cJSON_GetObjectItem(sum, "fail")->valueint, summary(rep, "fail"));
        assert_int_equal(cJSON_GetObjectItem(sum, "pass")->valueint, summary(rep, "pass"));
        cJSON_Delete(rep);
        cJSON_Delete(o);
        /* The validator is a real judge: a result outside the CRD's enum is refused. */
        snprintf(cmd, sizeof(cmd),
                 "sed 's/\"result\":\t\"fail\"/\"result\":\t\"failed\"/' '%s' > '%s.bad' && "
                 "node tests/validate/crd.js tests/schemas/%s '%s.bad'",
                 p, p, crd, p);
        char *err;
        assert_int_equal(fl_sh(cmd, NULL, &err), 1);
        assert_non_null(strstr(err, "must be equal to one of the allowed values"));
        free(err);
}

/* openreports/reports-api config/crd/openreports.io_clusterreports.yaml */
static void test_openreports_cluster_report_fits_the_crd(void **state)
{
        (void)state;
        check_node_report("openreports", "openreports.io_clusterreports.yaml", "openreports.io/v1alpha1",
                          "ClusterReport");
}

/* kubernetes-sigs/wg-policy-prototypes policy-report/crd/v1alpha2/wgpolicyk8s.io_clusterpolicyreports.yaml */
static void test_policyreport_fits_the_v1alpha2_crd(void **state)
{
        (void)state;
        check_node_report("policyreport", "wgpolicyk8s.io_clusterpolicyreports.yaml", "wgpolicyk8s.io/v1alpha2",
                          "ClusterPolicyReport");
}

static const cJSON *finding_for(const cJSON *req, const char *check)
{
        const cJSON *f;
        cJSON_ArrayForEach(f,
                           cJSON_GetObjectItem(req, "Findings")) if (strcmp(str(cJSON_GetObjectItem(f, "ProductFields"),
                                                                                "nodeward/CheckId"),
                                                                            check) == 0) return f;
        fail_msg("no finding for %s", check);
        return NULL;
}

static void test_asff_findings_pass_botocore_and_keep_their_ids(void **state)
{
        (void)state;
        fl_need_tool("/usr/bin/python3");
        _cleanup_free_ char *a = path_in_scratch("a.asff");
        _cleanup_free_ char *b = path_in_scratch("b.asff");
        static const char arn[] = "arn:aws:eks:eu-west-1:123456789012:cluster/prod";
        char *err;
        assert_int_equal(fl_check(root, NULL, &err, "--format", "asff", "--cluster-arn", arn, "--output", a, NULL), 1);
        /* Without the metadata service the instance is the node's name, and it says so. */
        assert_non_null(strstr(err, "placeholders"));
        assert_null(strstr(err, "000000000000"));
        free(err);
        setenv("NODEWARD_CLUSTER_ARN", arn, 1);
        int rc = fl_check(root, NULL, NULL, "--format", "asff", "--output", b, NULL);
        unsetenv("NODEWARD_CLUSTER_ARN");
        assert_int_equal(rc, 1);
        char cmd[8192];
        snprintf(cmd, sizeof(cmd), "/usr/bin/python3 tests/validate/asff.py '%s' '%s'", a, b);
        sh_ok(cmd);
        cJSON *ra = read_json(a), *rb = read_json(b), *rep = json_report();
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(ra, "Findings")),
                         cJSON_GetArraySize(cJSON_GetObjectItem(rep, "results")));
        /* Two runs, the same ids: Security Hub updates instead of adding duplicates. */
        for (int i = 0; i < cJSON_GetArraySize(cJSON_GetObjectItem(ra, "Findings")); i++)
                assert_string_equal(str(cJSON_GetArrayItem(cJSON_GetObjectItem(ra, "Findings"), i), "Id"),
                                    str(cJSON_GetArrayItem(cJSON_GetObjectItem(rb, "Findings"), i), "Id"));
        const cJSON *ro = finding_for(ra, "kubelet.read-only-port");
        assert_true(str_startswith(str(ro, "Id"), "nodeward/eu-west-1/123456789012/"));
        assert_string_equal(str(ro, "ProductArn"),
                            "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default");
        assert_string_equal(str(cJSON_GetObjectItem(ro, "Compliance"), "Status"), "FAILED");
        assert_string_equal(str(cJSON_GetObjectItem(ro, "Severity"), "Label"), "HIGH");
        const cJSON *req = cJSON_GetObjectItem(cJSON_GetObjectItem(ro, "Compliance"), "RelatedRequirements");
        assert_string_equal(cJSON_GetArrayItem(req, 0)->valuestring, "CIS Amazon EKS Benchmark 1.8.0 3.2.4");
        const cJSON *res = cJSON_GetObjectItem(ro, "Resources");
        assert_string_equal(str(cJSON_GetArrayItem(res, 1), "Type"), "AwsEksCluster");
        assert_string_equal(str(cJSON_GetArrayItem(res, 1), "Id"), arn);
        /* A pass is sent too, PASSED, so a fixed item closes. */
        const cJSON *ok = finding_for(ra, "kubelet.event-qps");
        assert_string_equal(str(cJSON_GetObjectItem(ok, "Compliance"), "Status"), "PASSED");
        assert_string_equal(str(cJSON_GetObjectItem(ok, "Severity"), "Label"), "INFORMATIONAL");
        cJSON_Delete(ra);
        cJSON_Delete(rb);
        cJSON_Delete(rep);
        /* botocore's model is a real judge. */
        snprintf(cmd, sizeof(cmd),
                 "sed 's/\"Status\":\t\"FAILED\"/\"Status\":\t\"FAILING\"/' '%s' > '%s.bad' && "
                 "/usr/bin/python3 tests/validate/asff.py '%s.bad'",
                 a, a, a);
        assert_int_equal(fl_sh(cmd, NULL, &err), 1);
        assert_non_null(strstr(err, "FAILING"));
        free(err);
        /* Malformed identities are usage errors, and they belong to asff only. */
        assert_int_equal(fl_check(root, NULL, NULL, "--format", "asff", "--aws-account", "12345", NULL), 2);
        assert_int_equal(fl_check(root, NULL, NULL, "--format", "json", "--aws-region", "eu-west-1", NULL), 2);
}

static void test_ocsf_records_fit_compliance_finding(void **state)
{
        (void)state;
        fl_need_node_modules();
        _cleanup_free_ char *p = path_in_scratch("o.ocsf");
        assert_int_equal(fl_check(root, NULL, NULL, "--format", "ocsf", "--output", p, NULL), 1);
        char cmd[8192];
        snprintf(cmd, sizeof(cmd), "node tests/validate/ocsf.js '%s'", p);
        sh_ok(cmd);
        cJSON *rep = json_report();
        snprintf(cmd, sizeof(cmd), "grep -c '\"class_uid\":2003,' '%s'", p);
        char *out;
        assert_int_equal(fl_sh(cmd, &out, NULL), 0);
        assert_int_equal(atoi(out), cJSON_GetArraySize(cJSON_GetObjectItem(rep, "results")));
        free(out);
        snprintf(cmd, sizeof(cmd), "grep -c '\"status_id\":3,\"status\":\"Fail\"' '%s'", p);
        assert_int_equal(fl_sh(cmd, &out, NULL), 0);
        assert_int_equal(atoi(out), summary(rep, "fail"));
        free(out);
        cJSON_Delete(rep);
}

static void test_junit_is_read_by_a_junit_consumer(void **state)
{
        (void)state;
        fl_need_node_modules();
        fl_need_tool("xmllint");
        _cleanup_free_ char *p = path_in_scratch("junit.xml");
        assert_int_equal(fl_check(root, NULL, NULL, "--format", "junit", "--output", p, NULL), 1);
        char cmd[8192];
        /* Jenkins xunit-plugin's junit-10.xsd (tests/schemas/SOURCES.md). */
        snprintf(cmd, sizeof(cmd), "xmllint --noout --schema tests/schemas/junit-10.xsd '%s'", p);
        sh_ok(cmd);
        snprintf(cmd, sizeof(cmd), "node tests/validate/junit.js '%s'", p);
        char *out, *err;
        int rc = fl_sh(cmd, &out, &err);
        if (rc != 0)
                fail_msg("junit.js: %s%s", out, err);
        free(err);
        cJSON *got = cJSON_Parse(out);
        assert_non_null(got);
        cJSON *rep = json_report();
        int n = cJSON_GetArraySize(cJSON_GetObjectItem(rep, "results"));
        assert_int_equal(cJSON_GetObjectItem(got, "total")->valueint, n);
        assert_int_equal(cJSON_GetObjectItem(got, "cases")->valueint, n);
        assert_int_equal(cJSON_GetObjectItem(got, "failed")->valueint, summary(rep, "fail"));
        assert_int_equal(cJSON_GetObjectItem(got, "errors")->valueint, summary(rep, "error"));
        assert_int_equal(cJSON_GetObjectItem(got, "case_skipped")->valueint, summary(rep, "skip"));
        /* It reads failures and errors as failed cases; passes and warns pass. */
        assert_int_equal(cJSON_GetObjectItem(got, "case_failed")->valueint,
                         summary(rep, "fail") + summary(rep, "error"));
        assert_int_equal(cJSON_GetObjectItem(got, "case_passed")->valueint,
                         summary(rep, "pass") + summary(rep, "warn"));
        assert_non_null(strstr(out, "\"kubelet.read-only-port\""));
        free(out);
        cJSON_Delete(got);
        cJSON_Delete(rep);
        /* The XSD is a real judge: a testcase without a name is refused. */
        snprintf(cmd, sizeof(cmd),
                 "sed 's/ name=\"kubelet.read-only-port\"//' '%s' > '%s.bad' && "
                 "xmllint --noout --schema tests/schemas/junit-10.xsd '%s.bad'",
                 p, p, p);
        assert_int_not_equal(fl_sh(cmd, NULL, NULL), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_openreports_cluster_report_fits_the_crd),
                cmocka_unit_test(test_policyreport_fits_the_v1alpha2_crd),
                cmocka_unit_test(test_asff_findings_pass_botocore_and_keep_their_ids),
                cmocka_unit_test(test_ocsf_records_fit_compliance_finding),
                cmocka_unit_test(test_junit_is_read_by_a_junit_consumer),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
