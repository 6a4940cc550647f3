/* test_redact: secrets in URLs, header values and secret-named flags and fields never reach output. */
#include "testutil.h"

#include "base/redact.h"
#include "base/rootfs.h"
#include "base/util.h"

#include <time.h>

static void expect_text(const char *in, const char *want)
{
        char *got = redact_text(in);
        assert_string_equal(got, want);
        free(got);
}

static void test_url_userinfo_and_query_blanked(void **state)
{
        (void)state;
        expect_text("https://admin:hunter2@api.example.com:443/k8s?token=abc#frag",
                    "https://" REDACTED "@api.example.com:443/k8s?" REDACTED);
        expect_text("https://api.example.com/path", "https://api.example.com/path");
        expect_text("http://h/p#access_token=x", "http://h/p#" REDACTED);
        /* A '/' inside a password does not end the part that is blanked. */
        expect_text("https://u:pa/ss@host/x", "https://" REDACTED "@host/x");
}

static void test_urls_inside_prose_each_blanked(void **state)
{
        (void)state;
        expect_text("config file says https://a:b@one/x?q=1, flag says \"http://c@two/\"",
                    /* the query runs to the white space: the comma is a query character */
                    "config file says https://" REDACTED "@one/x?" REDACTED " flag says \"http://" REDACTED "@two/\"");
        expect_text("no scheme ://user@host", "no scheme ://user@host");
        expect_text("", "");
}

static void test_secret_names_any_case_but_not_file_paths(void **state)
{
        (void)state;
        const char *secret[] = {"token",  "bootstrap-token",       "Password",           "db_passwd", "clientSecret",
                                "apiKey", "AWS_SECRET_ACCESS_KEY", "registry-credential"};
        for (size_t i = 0; i < ARRAY_SIZE(secret); i++)
                assert_true(redact_name_is_secret(secret[i]));
        const char *plain[] = {"tls-private-key-file",
                               "tlsPrivateKeyFile",
                               "image-credential-provider-config",
                               "image-credential-provider-bin-dir",
                               "readOnlyPort",
                               "node-ip",
                               "",
                               NULL};
        for (size_t i = 0; i < ARRAY_SIZE(plain); i++)
                assert_false(redact_name_is_secret(plain[i]));
}

static void test_flags_joined_and_split(void **state)
{
        (void)state;
        char *in[] = {"/usr/bin/kubelet",
                      "--bootstrap-token=abc.def",
                      "--registry-password",
                      "s3cr3t",
                      "--manifest-url=https://u:p@h/pods?sig=1",
                      "--authentication-token-webhook=true",
                      "--node-ip=10.0.0.1",
                      "--api-key"};
        char **out = redact_argv(in, ARRAY_SIZE(in));
        assert_string_equal(out[0], "/usr/bin/kubelet");
        assert_string_equal(out[1], "--bootstrap-token=" REDACTED);
        assert_string_equal(out[2], "--registry-password");
        assert_string_equal(out[3], REDACTED);
        assert_string_equal(out[4], "--manifest-url=https://" REDACTED "@h/pods?" REDACTED);
        assert_string_equal(out[5], "--authentication-token-webhook=true");
        assert_string_equal(out[6], "--node-ip=10.0.0.1");
        assert_string_equal(out[7], "--api-key");
        strv_free(out, ARRAY_SIZE(in));
}

/* staticPodURLHeader is a map of header name to values (k8s.io/kubelet
 * config/v1beta1 types.go: StaticPodURLHeader map[string][]string). */
static void test_json_headers_urls_and_secret_fields(void **state)
{
        (void)state;
        cJSON *j = cJSON_Parse("{\"staticPodURL\":\"https://user:pass@pods.example/m?sig=x\","
                               "\"staticPodURLHeader\":{\"Authorization\":[\"Bearer tok1\"],\"X-N\":[\"v\",7]},"
                               "\"providers\":[{\"apiToken\":\"tok2\",\"nested\":{\"secretKey\":12345}}],"
                               "\"featureGates\":{\"ServiceAccountTokenNodeBinding\":true},"
                               "\"readOnlyPort\":0,\"tlsPrivateKeyFile\":\"/etc/k.key\"}");
        assert_non_null(j);
        redact_json(NULL, j);
        char *s = cJSON_PrintUnformatted(j);
        assert_null(strstr(s, "pass"));
        assert_null(strstr(s, "tok1"));
        assert_null(strstr(s, "tok2"));
        assert_null(strstr(s, "12345"));
        assert_null(strstr(s, "sig=x"));
        assert_non_null(strstr(s, "\"staticPodURL\":\"https://" REDACTED "@pods.example/m?" REDACTED "\""));
        assert_non_null(strstr(s, "\"Authorization\":[\"" REDACTED "\"]"));
        assert_non_null(strstr(s, "\"secretKey\":\"" REDACTED "\""));
        assert_non_null(strstr(s, "\"ServiceAccountTokenNodeBinding\":true"));
        assert_non_null(strstr(s, "\"readOnlyPort\":0"));
        assert_non_null(strstr(s, "\"tlsPrivateKeyFile\":\"/etc/k.key\""));
        free(s);
        cJSON_Delete(j);
        /* A value judged by the field name it came from. */
        cJSON *v = cJSON_CreateString("abc");
        redact_json("token", v);
        assert_string_equal(v->valuestring, REDACTED);
        cJSON_Delete(v);
}

/* Evidence is prose: a secret-named assignment or a credential header loses its
 * value wherever it stands; limits, booleans, ports and paths stay. */
static void test_assignments_and_headers_in_prose(void **state)
{
        (void)state;
        expect_text("flags --bootstrap-token=abc.def --node-ip=10.0.0.1",
                    "flags --bootstrap-token=" REDACTED " --node-ip=10.0.0.1");
        expect_text("password=hunter2; apiKey: s3cr3t, x=1", "password=" REDACTED "; apiKey: " REDACTED ", x=1");
        expect_text("{\"clientSecret\":\"abc\",\"name\":\"n\"}", "{\"clientSecret\":\"" REDACTED "\",\"name\":\"n\"}");
        expect_text("header Authorization: Bearer eyJhbGciOi.x.y; next", "header Authorization: " REDACTED "; next");
        expect_text("Cookie:session=1", "Cookie:" REDACTED);
        /* Kept: a boolean, a plain number (kernel.keys.* are limits), a *File path, host:port. */
        expect_text("authentication-token-webhook=true kernel.keys.root_maxkeys=1000000",
                    "authentication-token-webhook=true kernel.keys.root_maxkeys=1000000");
        expect_text("tlsPrivateKeyFile=/var/lib/kubelet/pki/k.key listens on token:10250",
                    "tlsPrivateKeyFile=/var/lib/kubelet/pki/k.key listens on token:10250");
        expect_text("secret=" REDACTED " twice", "secret=" REDACTED " twice");
        expect_text("=x :y token= key:", "=x :y token= key:");
}

/* Cost stays linear: a megabyte of URL starts and '@'s. */
static void test_megabyte_of_urls_is_linear(void **state)
{
        (void)state;
        size_t n = 1 << 20;
        char *big = malloc(n + 1);
        for (size_t i = 0; i < n; i++)
                big[i] = "a://@?"[i % 6];
        big[n] = '\0';
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        char *r = redact_text(big);
        clock_gettime(CLOCK_MONOTONIC, &b);
        assert_null(strstr(r, "@a"));
        long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
        assert_true(ms < 2000);
        free(r);
        /* And of assignments: long names, many separators, secret names with values. */
        const char *unit = "token=v aaaaaaaaaaa:b.c.d= key: ";
        for (size_t i = 0; i < n; i++)
                big[i] = unit[i % strlen(unit)];
        clock_gettime(CLOCK_MONOTONIC, &a);
        r = redact_text(big);
        clock_gettime(CLOCK_MONOTONIC, &b);
        assert_null(strstr(r, "token=v "));
        ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
        assert_true(ms < 2000);
        free(r);
        free(big);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_url_userinfo_and_query_blanked),
                cmocka_unit_test(test_urls_inside_prose_each_blanked),
                cmocka_unit_test(test_secret_names_any_case_but_not_file_paths),
                cmocka_unit_test(test_flags_joined_and_split),
                cmocka_unit_test(test_json_headers_urls_and_secret_fields),
                cmocka_unit_test(test_assignments_and_headers_in_prose),
                cmocka_unit_test(test_megabyte_of_urls_is_linear),
        };
        return cmocka_run_group_tests_name("redact", tests, NULL, NULL);
}
