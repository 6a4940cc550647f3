/* test_engine: the engine's selection of checks (--only/--skip), its exit codes and the catalog's ids. */
#include "testutil.h"

#include "engine.h"

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
                cmocka_unit_test(test_selection_by_area_and_id),
                cmocka_unit_test(test_exit_code_follows_fail_on),
                cmocka_unit_test(test_catalog_ids_unique_and_well_formed),
        };
        return cmocka_run_group_tests_name("engine", tests, NULL, tu_group_teardown);
}
