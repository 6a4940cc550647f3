/* test_toml_diff: the TOML reader against Python's tomllib on generated documents and on the real
 * containerd configs of the fixtures, and against the toml-test suite's TOML 1.0 cases. */
#include "testutil.h"

#include <stdbool.h>

static char *helper(const char *name)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s", tu_nodeward());
        char *slash = strrchr(path, '/');
        size_t at = slash ? (size_t)(slash + 1 - path) : 0;
        snprintf(path + at, sizeof(path) - at, "tests/e2e/%s", name);
        return strdup(path);
}

/* tests/toml/ sits beside tests/fixtures/. */
static char *script(const char *name)
{
        char *p = NULL;
        assert_true(asprintf(&p, "%s/../toml/%s", tu_fixtures(), name) > 0);
        return p;
}

static void assert_python3(void)
{
        if (access("/usr/bin/python3", X_OK) != 0)
                fail_msg("python3 is missing: `make deps-test` installs it (TEST_DEB_PACKAGES)");
}

/* The real containerd configuration files: the fixture roots' and tests/toml/containerd-configs/. */
static size_t fixture_configs(char **argv, size_t max)
{
        char *cmd = NULL;
        assert_true(asprintf(&cmd,
                             "{ find '%s' -path '*/etc/containerd/*' -name '*.toml'; "
                             "find '%s/../toml/containerd-configs' -name '*.toml'; } | sort",
                             tu_fixtures(), tu_fixtures()) > 0);
        FILE *f = popen(cmd, "r");
        assert_non_null(f);
        size_t n = 0;
        char line[4096];
        while (n < max && fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\n")] = '\0';
                argv[n++] = strdup(line);
        }
        pclose(f);
        free(cmd);
        return n;
}

static void run_diff(const char *seed, const char *count, bool with_fixtures)
{
        assert_python3();
        char *work = tu_mkdtemp(), *dump = helper("toml_dump"), *py = script("tomldiff.py");
        char *argv[96] = {"/usr/bin/python3", py, dump, work, (char *)count, (char *)seed};
        size_t n = 6, n_fix = 0;
        if (with_fixtures) {
                n_fix = fixture_configs(argv + n, 80);
                assert_true(n_fix >= 12); /* AL2, AL2023 (with hosts.toml), Bottlerocket, and 8 more */
                n += n_fix;
        }
        argv[n] = NULL;
        char *out = NULL, *err = NULL;
        int rc = tu_run_timeout(argv, &out, &err, 300);
        printf("%s%s", out, err);
        assert_int_equal(rc, 0);
        assert_non_null(strstr(out, ", 0 mismatches"));
        /* Both verdicts are exercised: a generator that only made valid (or only broken)
         * documents would prove little. */
        unsigned total, acc, rej;
        const char *tally = strstr(out, "tomldiff: ");
        assert_non_null(tally);
        assert_int_equal(
                sscanf(tally, "tomldiff: %u documents: %u accepted alike, %u rejected alike", &total, &acc, &rej), 3);
        assert_true(acc > total / 4 && rej > total / 4);
        for (size_t i = 6; i < n; i++)
                free(argv[i]);
        free(out);
        free(err);
        free(py);
        free(dump);
        tu_rm_rf(work);
        free(work);
}

static void test_generated_documents_agree_with_tomllib(void **state)
{
        (void)state;
        run_diff("20261202", "6000", true);
}

static void test_second_seed_agrees_with_tomllib(void **state)
{
        (void)state;
        run_diff("7", "4000", false);
}

/* The fixtures' containerd configs must be accepted (the diff above proves the values). */
static void test_fixture_configs_are_accepted(void **state)
{
        (void)state;
        char *argv[96];
        char *dump = helper("toml_dump");
        argv[0] = dump;
        size_t n = 1 + fixture_configs(argv + 1, 80);
        argv[n] = NULL;
        char *out = NULL;
        assert_int_equal(tu_run(argv, &out, NULL), 0);
        assert_null(strstr(out, "error: "));
        for (size_t i = 1; i < n; i++)
                free(argv[i]);
        free(out);
        free(dump);
}

static void test_toml_test_suite_cases(void **state)
{
        (void)state;
        assert_python3();
        char *dump = helper("toml_dump"), *py = script("toml_test_suite.py"), *dir = script("toml-test");
        char *argv[] = {"/usr/bin/python3", py, dump, dir, NULL};
        char *out = NULL, *err = NULL;
        int rc = tu_run_timeout(argv, &out, &err, 300);
        printf("%s%s", out, err);
        assert_int_equal(rc, 0);
        assert_non_null(strstr(out, "toml-test: 709 cases, 0 failed"));
        free(out);
        free(err);
        free(py);
        free(dump);
        free(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_generated_documents_agree_with_tomllib),
                cmocka_unit_test(test_second_seed_agrees_with_tomllib),
                cmocka_unit_test(test_fixture_configs_are_accepted),
                cmocka_unit_test(test_toml_test_suite_cases),
        };
        return cmocka_run_group_tests(tests, NULL, tu_group_teardown);
}
