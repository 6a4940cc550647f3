/* test_kubelet_checks: the kubelet checks and the engine as pure functions of facts. */
#include "testutil.h"
#include "collect/facts.h"

#include "base/confdoc.h"
#include "engine.h"

static void set_field(struct facts *f, enum kfield id, const char *json, enum ksource src, const char *origin)
{
        struct kfield_value *v = &f->kubelet.f[id];
        cJSON_Delete(v->value);
        free(v->origin);
        v->value = json ? cJSON_Parse(json) : NULL;
        v->source = src;
        v->origin = strdup(origin);
}

static struct facts *found_kubelet(void)
{
        struct facts *f = calloc(1, sizeof(*f));
        f->kubelet.found = true;
        f->kubelet.found_by = strdup("process 1 (kubelet)");
        f->kubelet.has_config = true;
        for (int i = 0; i < KF__COUNT; i++)
                set_field(f, (enum kfield)i, kfield_defs[i].cfg_default, kfield_defs[i].cfg_default ? KSRC_DEFAULT : KSRC_UNSET,
                          "default");
        return f;
}

static void drop(struct facts *f)
{
        facts_free(f);
        free(f);
}

static struct result run_one(check_fn fn, const struct facts *f)
{
        struct result r = {0};
        fn(f, &r);
        return r;
}

static void test_read_only_port_nonzero_fails(void **state)
{
        (void)state;
        struct facts *f = found_kubelet();
        struct result r = run_one(check_kubelet_read_only_port, f);
        assert_int_equal(r.status, ST_PASS);
        free(r.evidence);
        set_field(f, KF_READ_ONLY_PORT, "10255", KSRC_FLAG, "flag --read-only-port");
        f->kubelet.f[KF_READ_ONLY_PORT].shadowed = strdup("config file /c says 0");
        r = run_one(check_kubelet_read_only_port, f);
        assert_int_equal(r.status, ST_FAIL);
        assert_non_null(strstr(r.evidence, "readOnlyPort=10255 from flag --read-only-port (config file /c says 0)"));
        free(r.evidence);
        drop(f);
}

static void test_load_error_makes_config_checks_error_only(void **state)
{
        (void)state;
        struct facts *f = found_kubelet();
        f->kubelet.load_error = strdup("/c.json:3:14: invalid JSON");
        struct result r = run_one(check_kubelet_anonymous_auth, f);
        assert_int_equal(r.status, ST_ERROR);
        assert_string_equal(r.evidence, "/c.json:3:14: invalid JSON");
        free(r.evidence);
        r = run_one(check_kubelet_hostname_override, f);
        assert_int_equal(r.status, ST_PASS);
        free(r.evidence);
        drop(f);
}

static void test_absent_kubelet_skips(void **state)
{
        (void)state;
        struct facts *f = calloc(1, sizeof(*f));
        f->kubelet.absent_reason = strdup("no kubelet found");
        struct result r = run_one(check_kubelet_authorization_mode, f);
        assert_int_equal(r.status, ST_SKIP);
        free(r.evidence);
        drop(f);
}

static void test_server_cert_rotation_states(void **state)
{
        (void)state;
        struct facts *f = found_kubelet();
        struct result r = run_one(check_kubelet_server_cert_rotation, f);
        assert_int_equal(r.status, ST_WARN);
        free(r.evidence);
        set_field(f, KF_SERVER_TLS_BOOTSTRAP, "true", KSRC_FILE, "config file /c");
        r = run_one(check_kubelet_server_cert_rotation, f);
        assert_int_equal(r.status, ST_PASS);
        free(r.evidence);
        set_field(f, KF_FG_ROTATE_SERVER_CERT, "false", KSRC_FLAG, "flag --feature-gates");
        r = run_one(check_kubelet_server_cert_rotation, f);
        assert_int_equal(r.status, ST_FAIL);
        free(r.evidence);
        drop(f);
}

static void test_cipher_suites_weak_listed(void **state)
{
        (void)state;
        struct facts *f = found_kubelet();
        set_field(f, KF_TLS_CIPHER_SUITES, "[\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\",\"TLS_RSA_WITH_3DES_EDE_CBC_SHA\"]",
                  KSRC_FILE, "config file /c");
        struct result r = run_one(check_kubelet_tls_cipher_suites, f);
        assert_int_equal(r.status, ST_FAIL);
        assert_non_null(strstr(r.evidence, "weak suites TLS_RSA_WITH_3DES_EDE_CBC_SHA"));
        free(r.evidence);
        drop(f);
}

static void test_streaming_timeout_zero_fails(void **state)
{
        (void)state;
        struct facts *f = found_kubelet();
        set_field(f, KF_STREAMING_IDLE_TIMEOUT, "\"0s\"", KSRC_FILE, "config file /c");
        struct result r = run_one(check_kubelet_streaming_idle_timeout, f);
        assert_int_equal(r.status, ST_FAIL);
        free(r.evidence);
        drop(f);
}

static void test_selection_by_area_and_id(void **state)
{
        (void)state;
        bool *sel;
        char *err = NULL;
        assert_int_equal(engine_select("kubelet.read-only-port,kubelet.anonymous-auth", NULL, &sel, &err), 0);
        size_t n = 0;
        for (size_t i = 0; i < check_catalog_len; i++)
                n += sel[i];
        assert_int_equal(n, 2);
        free(sel);
        assert_int_equal(engine_select("kubelet", "kubelet.read-only-port", &sel, &err), 0);
        n = 0;
        for (size_t i = 0; i < check_catalog_len; i++) {
                n += sel[i];
                if (strcmp(check_catalog[i].id, "kubelet.read-only-port") == 0)
                        assert_false(sel[i]);
        }
        assert_true(n > 10);
        free(sel);
        /* "kube" is not an area: prefixes match whole dotted parts only. */
        assert_int_equal(engine_select("kube", NULL, &sel, &err), -EINVAL);
        assert_non_null(strstr(err, "no check or area named \"kube\""));
        free(err);
}

static void test_exit_code_follows_fail_on(void **state)
{
        (void)state;
        struct check_def hi = {.id = "a.hi", .severity = SEV_HIGH}, lo = {.id = "a.lo", .severity = SEV_LOW};
        struct result res[2] = {{.check = &lo, .status = ST_FAIL}, {.check = &hi, .status = ST_PASS}};
        struct run run = {.results = res, .n = 2};
        run.summary[ST_FAIL] = 1;
        run.summary[ST_PASS] = 1;
        assert_int_equal(engine_exit_code(&run, SEV_LOW), 1);
        assert_int_equal(engine_exit_code(&run, SEV_HIGH), 0);
        res[1].status = ST_ERROR;
        run.summary[ST_ERROR] = 1;
        assert_int_equal(engine_exit_code(&run, SEV_HIGH), 2);
        assert_int_equal(engine_exit_code(&run, SEV_INFO), 1);
}

static void test_catalog_ids_unique_and_well_formed(void **state)
{
        (void)state;
        for (size_t i = 0; i < check_catalog_len; i++) {
                const char *id = check_catalog[i].id;
                assert_non_null(strchr(id, '.'));
                for (const char *p = id; *p; p++)
                        assert_true((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-');
                /* Exactly one way to run it: over the facts, or over the facts and the policy. */
                assert_true(!check_catalog[i].fn != !check_catalog[i].policy_fn);
                assert_non_null(check_catalog[i].references[0]);
                for (size_t k = i + 1; k < check_catalog_len; k++)
                        assert_string_not_equal(id, check_catalog[k].id);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_read_only_port_nonzero_fails),
                cmocka_unit_test(test_load_error_makes_config_checks_error_only),
                cmocka_unit_test(test_absent_kubelet_skips),
                cmocka_unit_test(test_server_cert_rotation_states),
                cmocka_unit_test(test_cipher_suites_weak_listed),
                cmocka_unit_test(test_streaming_timeout_zero_fails),
                cmocka_unit_test(test_selection_by_area_and_id),
                cmocka_unit_test(test_exit_code_follows_fail_on),
                cmocka_unit_test(test_catalog_ids_unique_and_well_formed),
        };
        return cmocka_run_group_tests_name("kubelet checks and engine", tests, NULL, tu_group_teardown);
}
