/* test_kubelet_checks: the kubelet checks as pure functions of facts. */
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
                set_field(f, (enum kfield)i, kfield_defs[i].cfg_default,
                          kfield_defs[i].cfg_default ? KSRC_DEFAULT : KSRC_UNSET, "default");
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

static void test_absent_kubelet_is_an_error_without_the_process_table(void **state)
{
        (void)state;
        /* No process named kubelet could be looked for: "no kubelet found" is no
         * finding, and the checks say why they did not judge. */
        struct facts *f = calloc(1, sizeof(*f));
        f->collected = FACT_PROCS | FACT_KUBELET;
        f->procs_error = strdup("/host/proc: Permission denied");
        f->kubelet.absent_reason = strdup("no kubelet found");
        check_fn fns[] = {check_kubelet_authorization_mode, check_kubelet_read_only_port,
                          check_kubelet_config_permissions, check_kubelet_kubeconfig_ownership};
        for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
                struct result r = run_one(fns[i], f);
                assert_int_equal(r.status, ST_ERROR);
                assert_string_equal(r.evidence, "not evaluated: the process table the kubelet is found in could not "
                                                "be read: /host/proc: Permission denied");
                free(r.evidence);
        }
        /* Found another way (its unit or a well-known path): the checks judge it. */
        drop(f);
        f = found_kubelet();
        f->procs_error = strdup("/host/proc: Permission denied");
        struct result r = run_one(check_kubelet_authorization_mode, f);
        assert_int_not_equal(r.status, ST_ERROR);
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
        set_field(f, KF_TLS_CIPHER_SUITES,
                  "[\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\",\"TLS_RSA_WITH_3DES_EDE_CBC_SHA\"]", KSRC_FILE,
                  "config file /c");
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

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_read_only_port_nonzero_fails),
                cmocka_unit_test(test_load_error_makes_config_checks_error_only),
                cmocka_unit_test(test_absent_kubelet_skips),
                cmocka_unit_test(test_absent_kubelet_is_an_error_without_the_process_table),
                cmocka_unit_test(test_server_cert_rotation_states),
                cmocka_unit_test(test_cipher_suites_weak_listed),
                cmocka_unit_test(test_streaming_timeout_zero_fails),
        };
        return cmocka_run_group_tests_name("kubelet checks", tests, NULL, tu_group_teardown);
}
