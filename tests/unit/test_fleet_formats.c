/* test_fleet_formats: OpenReports, ASFF, OCSF and JUnit rendered from hand-made runs; the
 * identity document parser; the AWS identity's precedence. */
#include "testutil.h"

#include "collect/facts.h"
#include "collect/probes/imds.h"
#include "render/report_fleet.h"
#include "base/util.h"

static const struct check_def *def(const char *id)
{
        for (size_t i = 0; i < check_catalog_len; i++)
                if (strcmp(check_catalog[i].id, id) == 0)
                        return &check_catalog[i];
        fail_msg("no check %s in the catalog", id);
        return NULL;
}

/* A run of @n results given as (id, status, evidence) triples. */
static void make_run(struct run *run, size_t n, const char *const *spec)
{
        memset(run, 0, sizeof(*run));
        run->benchmark = benchmark_default();
        run->benchmark_why = "test";
        run->results = calloc(n, sizeof(struct result));
        for (size_t i = 0; i < n; i++) {
                struct result *r = &run->results[run->n++];
                r->check = def(spec[3 * i]);
                r->item = benchmark_item(run->benchmark, r->check->id);
                for (int s = 0; s < ST__COUNT; s++)
                        if (strcmp(status_name((enum status)s), spec[3 * i + 1]) == 0)
                                r->status = (enum status)s;
                r->evidence = strdup(spec[3 * i + 2]);
                run->summary[r->status]++;
        }
        /* As the engine does: where each result lives, here from no facts at all. */
        static const struct facts no_facts;
        run_describe(run, &no_facts);
}

static struct report_meta meta = {
        .started = "2026-01-02T03:04:05Z", .duration_ms = 12, .started_epoch = 1767323045.5, .duration_s = 0.012};

static const char *s_at(const cJSON *o, const char *k)
{
        const cJSON *v = cJSON_GetObjectItem(o, k);
        assert_true(cJSON_IsString(v));
        return v->valuestring;
}

/* The EC2 User Guide's "Instance identity documents" fields, as the service sends them. */
static const char doc[] = "{\n  \"accountId\" : \"210987654321\",\n  \"architecture\" : \"arm64\",\n"
                          "  \"instanceId\" : \"i-0fedcba9876543210\",\n  \"region\" : \"cn-north-1\",\n"
                          "  \"version\" : \"2017-09-30\"\n}";

static void test_identity_document_parses_account_region_instance(void **state)
{
        (void)state;
        struct imds_identity id;
        assert_int_equal(imds_identity_parse(doc, strlen(doc), &id), 0);
        assert_string_equal(id.account, "210987654321");
        assert_string_equal(id.region, "cn-north-1");
        assert_string_equal(id.instance, "i-0fedcba9876543210");
        static const char *const bad[] = {
                "{\"accountId\":\"21098765432\",\"region\":\"eu-west-1\",\"instanceId\":\"i-0abc\"}",
                "{\"accountId\":210987654321,\"region\":\"eu-west-1\",\"instanceId\":\"i-0abc\"}",
                "{\"accountId\":\"210987654321\",\"region\":\"eu-west-1'; rm\",\"instanceId\":\"i-0abc\"}",
                "{\"accountId\":\"210987654321\",\"region\":\"eu-west-1\"}",
                "[\"210987654321\"]",
                "not json",
                "",
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
                assert_int_equal(imds_identity_parse(bad[i], strlen(bad[i]), &id), -EINVAL);
}

static void test_aws_identity_flags_then_document_then_cluster_arn(void **state)
{
        (void)state;
        struct facts f = {0};
        f.node.hostname = "ip-10-0-0-1";
        f.collected = FACT_IMDS;
        assert_int_equal(imds_identity_parse(doc, strlen(doc), &f.imds.v4.identity_value), 0);
        struct aws_identity id = {.region = "eu-central-1",
                                  .cluster_arn = "arn:aws:eks:us-east-2:111122223333:cluster/prod"};
        struct aws_identity_buf buf;
        char *ph = NULL;
        struct run rf = {0};
        run_describe(&rf, &f);
        report_aws_identity_fill(&rf, &id, &buf, &ph);
        assert_null(ph);
        assert_string_equal(id.region, "eu-central-1");  /* the flag */
        assert_string_equal(id.account, "210987654321"); /* the document */
        assert_string_equal(id.instance, "i-0fedcba9876543210");
        /* Without the document: the cluster ARN's account and region, the node's name. */
        struct facts g = {0};
        g.node.name = "node-a";
        struct aws_identity id2 = {.cluster_arn = "arn:aws:eks:us-east-2:111122223333:cluster/prod"};
        struct run rg = {0};
        run_describe(&rg, &g);
        report_aws_identity_fill(&rg, &id2, &buf, &ph);
        assert_string_equal(id2.account, "111122223333");
        assert_string_equal(id2.region, "us-east-2");
        assert_string_equal(id2.instance, "node-a");
        assert_non_null(strstr(ph, "instance \"node-a\""));
        free(ph);
        struct aws_identity id3 = {0};
        report_aws_identity_fill(&rg, &id3, &buf, &ph);
        assert_string_equal(ph, "account 000000000000, region unknown-region, instance \"node-a\" (the node's name)");
        free(ph);
        run_free(&rf);
        run_free(&rg);
}

static void test_asff_partition_resource_and_limits(void **state)
{
        (void)state;
        char long_ev[3000];
        memset(long_ev, 'e', sizeof(long_ev) - 1);
        long_ev[sizeof(long_ev) - 1] = '\0';
        const char *spec[] = {"kubelet.read-only-port", "fail", long_ev, "kubelet.event-qps", "error", "cannot read"};
        struct run run;
        make_run(&run, 2, spec);
        struct facts f = {0};
        f.node.name = "node-a";
        struct aws_identity id = {.account = "210987654321", .region = "cn-north-1", .instance = "i-0fedcba9876543210"};
        run_describe(&run, &f);
        cJSON *req = report_asff(&run, &meta, &id);
        const cJSON *fd = cJSON_GetArrayItem(cJSON_GetObjectItem(req, "Findings"), 0);
        assert_string_equal(s_at(fd, "Id"),
                            "nodeward/cn-north-1/210987654321/i-0fedcba9876543210/kubelet.read-only-port");
        assert_string_equal(s_at(fd, "ProductArn"),
                            "arn:aws-cn:securityhub:cn-north-1:210987654321:product/210987654321/default");
        const cJSON *res = cJSON_GetArrayItem(cJSON_GetObjectItem(fd, "Resources"), 0);
        assert_string_equal(s_at(res, "Type"), "AwsEc2Instance");
        assert_string_equal(s_at(res, "Id"), "arn:aws-cn:ec2:cn-north-1:210987654321:instance/i-0fedcba9876543210");
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(fd, "Resources")), 1);
        assert_int_equal(strlen(s_at(fd, "Description")), 1024);
        const cJSON *err = cJSON_GetArrayItem(cJSON_GetObjectItem(req, "Findings"), 1);
        assert_string_equal(s_at(cJSON_GetObjectItem(err, "Compliance"), "Status"), "NOT_AVAILABLE");
        assert_string_equal(s_at(cJSON_GetObjectItem(err, "Severity"), "Label"), "INFORMATIONAL");
        cJSON_Delete(req);
        run_free(&run);
}

static void test_openreports_name_from_a_hostname_is_a_dns_subdomain(void **state)
{
        (void)state;
        const char *spec[] = {"kubelet.anonymous-auth", "warn", "x"};
        struct run run;
        make_run(&run, 1, spec);
        struct facts f = {0};
        f.node.hostname = "Build_Host.Example.";
        run_describe(&run, &f);
        cJSON *o = report_openreports_build(&run, &meta, REPORT_API_POLICYREPORT);
        assert_string_equal(s_at(cJSON_GetObjectItem(o, "metadata"), "name"), "nodeward-build-host.example");
        assert_null(cJSON_GetObjectItem(o, "source")); /* v1alpha2 has no report-level source */
        const cJSON *r = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "results"), 0);
        assert_string_equal(s_at(r, "result"), "warn");
        const cJSON *ts = cJSON_GetObjectItem(r, "timestamp");
        assert_int_equal((long)cJSON_GetObjectItem(ts, "seconds")->valuedouble, 1767323045L);
        assert_int_equal((long)cJSON_GetObjectItem(ts, "nanos")->valuedouble, 500000000L);
        cJSON_Delete(o);
        run_free(&run);
}

static char *render_to_string(void (*fn)(FILE *, const struct run *, const struct report_meta *), const struct facts *f,
                              struct run *run)
{
        run_describe(run, f);
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        fn(m, run, &meta);
        fclose(m);
        return buf;
}

static void test_junit_escapes_and_maps_statuses(void **state)
{
        (void)state;
        const char *spec[] = {"kubelet.read-only-port",    "fail",  "a<b & \"c\"\x01 \xc3\xa9",
                              "kubelet.event-qps",         "skip",  "n/a",
                              "kubelet.client-ca-file",    "error", "cannot read",
                              "kubelet.tls-cipher-suites", "warn",  "w"};
        struct run run;
        make_run(&run, 4, spec);
        struct facts f = {0};
        f.node.hostname = "h";
        char *x = render_to_string(report_junit, &f, &run);
        assert_non_null(strstr(x, "<testsuites name=\"nodeward\" tests=\"4\" failures=\"1\" errors=\"1\""));
        assert_non_null(strstr(x, "message=\"a&lt;b &amp; &quot;c&quot;\xef\xbf\xbd \xc3\xa9\" type=\"high\""));
        assert_non_null(strstr(x, "<skipped message=\"n/a\" type=\"skip\">"));
        assert_non_null(strstr(x, "<error message=\"cannot read\" type=\"error\">"));
        assert_non_null(strstr(x, "<system-out>warn: w</system-out>"));
        assert_null(strchr(x, '\x01'));
        free(x);
        run_free(&run);
}

static void test_ocsf_one_line_per_result_with_status_ids(void **state)
{
        (void)state;
        const char *spec[] = {"kubelet.read-only-port", "fail",  "f", "kubelet.event-qps",         "pass", "p",
                              "kubelet.client-ca-file", "error", "e", "kubelet.tls-cipher-suites", "warn", "w"};
        struct run run;
        make_run(&run, 4, spec);
        struct facts f = {0};
        char *x = render_to_string(report_ocsf, &f, &run);
        static const int want[] = {3, 1, 2, 99};
        char *save = NULL;
        int n = 0;
        for (char *line = strtok_r(x, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
                cJSON *j = cJSON_Parse(line);
                assert_non_null(j);
                assert_int_equal(cJSON_GetObjectItem(j, "class_uid")->valueint, 2003);
                assert_int_equal(cJSON_GetObjectItem(j, "time")->valuedouble, 1767323045500.0);
                assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "compliance"), "status_id")->valueint,
                                 want[n]);
                cJSON_Delete(j);
        }
        assert_int_equal(n, 4);
        free(x);
        run_free(&run);
}

static void test_cap_keeps_utf8_whole(void **state)
{
        (void)state;
        char *s = fleet_cap("abc\xc3\xa9\xc3\xa9xyz", 7);
        assert_string_equal(s, "abc...");
        free(s);
        s = fleet_cap("short", 7);
        assert_string_equal(s, "short");
        free(s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_identity_document_parses_account_region_instance),
                cmocka_unit_test(test_aws_identity_flags_then_document_then_cluster_arn),
                cmocka_unit_test(test_asff_partition_resource_and_limits),
                cmocka_unit_test(test_openreports_name_from_a_hostname_is_a_dns_subdomain),
                cmocka_unit_test(test_junit_escapes_and_maps_statuses),
                cmocka_unit_test(test_ocsf_one_line_per_result_with_status_ids),
                cmocka_unit_test(test_cap_keeps_utf8_whole),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
