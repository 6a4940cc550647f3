/* test_deadline: a whole check has a deadline. A collector that never returns
 * (the test build's NODEWARD_TEST_STALL hook) makes its checks, and those of the
 * collectors after it, errors that name it; every other check still reports,
 * the report is whole, and the run ends soon after the deadline. */
#include "testutil.h"

#include <stdbool.h>

static const char *demo(void)
{
        static char path[4096];
        snprintf(path, sizeof(path), "%s/demo-node", tu_fixtures());
        return path;
}

/* Every result of @report whose id starts with @prefix has @status; returns how many. */
static int all_with_status(const cJSON *report, const char *prefix, const char *status)
{
        int n = 0;
        const cJSON *r;
        cJSON_ArrayForEach(r, cJSON_GetObjectItem(report, "results"))
        {
                const char *id = cJSON_GetObjectItem(r, "id")->valuestring;
                if (strncmp(id, prefix, strlen(prefix)) != 0)
                        continue;
                const char *st = cJSON_GetObjectItem(r, "status")->valuestring;
                if (strcmp(st, status) != 0)
                        fail_msg("%s is %s, expected %s: %s", id, st, status,
                                 cJSON_GetObjectItem(r, "evidence")->valuestring);
                n++;
        }
        return n;
}

static cJSON *run_stalled(const char *stage, const char *deadline, int *ret_rc, char **ret_err, long *ret_ms)
{
        char *argv[] = {(char *)tu_testhooks(), "check",          "--root", (char *)demo(), "--format", "json",
                        "--deadline",           (char *)deadline, NULL};
        if (stage)
                setenv("NODEWARD_TEST_STALL", stage, 1);
        char *out;
        struct tu_usage u;
        *ret_rc = tu_run_measured(argv, &out, ret_err, 30, &u);
        unsetenv("NODEWARD_TEST_STALL");
        *ret_ms = u.elapsed_ms;
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fail_msg("no JSON (exit %d): %s", *ret_rc, *ret_err);
        free(out);
        return j;
}

/* kube-proxy never returns: its three checks are errors naming it, the kubelet,
 * sshd and host checks collected before it report as usual. */
static void test_stalled_collector_becomes_errors(void **state)
{
        (void)state;
        int rc;
        char *err;
        long ms;
        cJSON *j = run_stalled("kube-proxy", "1", &rc, &err, &ms);
        /* A failure outranks an error in the exit code: the demo node has failures. */
        assert_int_equal(rc, 1);
        if (ms > 10000)
                fail_msg("the run took %ld ms with a 1 s deadline", ms);
        assert_int_equal(all_with_status(j, "kube-proxy.", "error"), 3);
        tu_assert_result(j, "kube-proxy.kubeconfig-permissions", "error",
                         "not evaluated: the run's deadline (1 s) passed while nodeward was reading kube-proxy");
        tu_assert_result(j, "kubelet.read-only-port", "fail", "readOnlyPort=10255 from drop-in");
        tu_assert_result(j, "ssh.password-authentication", "fail", "passwordauthentication yes");
        tu_assert_result(j, "host.time-sync", "fail", "no chrony configuration");
        assert_non_null(strstr(err, "nodeward: error: the run's deadline (1 s) passed while nodeward was reading "
                                    "kube-proxy"));
        /* The sandbox went on every thread, the stalled one included. */
        assert_null(strstr(err, "seccomp"));
        cJSON_Delete(j);
        free(err);
}

/* The first collector never returns: nothing can be judged, every check is an
 * error and the run says so with exit 2, yet the report is whole. */
static void test_stall_before_anything_is_collected(void **state)
{
        (void)state;
        int rc;
        char *err;
        long ms;
        cJSON *j = run_stalled("the process table", "1", &rc, &err, &ms);
        assert_int_equal(rc, 2);
        /* Checks of live facts skip on a fixture root before anything is collected. */
        int errors = 0;
        const cJSON *r;
        cJSON_ArrayForEach(r, cJSON_GetObjectItem(j, "results"))
        {
                const char *st = cJSON_GetObjectItem(r, "status")->valuestring;
                const char *ev = cJSON_GetObjectItem(r, "evidence")->valuestring;
                if (strcmp(st, "skip") == 0 && strstr(ev, "no live network"))
                        continue;
                if (strcmp(st, "error") != 0)
                        fail_msg("%s: %s %s", cJSON_GetObjectItem(r, "id")->valuestring, st, ev);
                errors++;
        }
        assert_true(errors > 50);
        tu_assert_result(j, "kubelet.anonymous-auth", "error", "was reading the process table");
        cJSON_Delete(j);
        free(err);
        /* The text report renders a node it knows nothing of. */
        char *argv[] = {(char *)tu_testhooks(), "check", "--root", (char *)demo(), "--deadline", "1", NULL};
        setenv("NODEWARD_TEST_STALL", "the process table", 1);
        char *out;
        rc = tu_run(argv, &out, &err);
        unsetenv("NODEWARD_TEST_STALL");
        assert_int_equal(rc, 2);
        assert_non_null(strstr(out, "ERROR"));
        assert_non_null(strstr(out, "error"));
        free(out);
        free(err);
}

/* Without a stall the deadline changes nothing: the same verdicts as with none. */
static void test_deadline_without_stall_changes_nothing(void **state)
{
        (void)state;
        int rc0, rc1;
        char *e0, *e1;
        long ms;
        cJSON *a = run_stalled(NULL, "0", &rc0, &e0, &ms);
        cJSON *b = run_stalled(NULL, "30", &rc1, &e1, &ms);
        assert_int_equal(rc0, rc1);
        const cJSON *ra = cJSON_GetObjectItem(a, "results"), *rb = cJSON_GetObjectItem(b, "results");
        assert_int_equal(cJSON_GetArraySize(ra), cJSON_GetArraySize(rb));
        for (int i = 0; i < cJSON_GetArraySize(ra); i++) {
                const cJSON *x = cJSON_GetArrayItem(ra, i), *y = cJSON_GetArrayItem(rb, i);
                assert_string_equal(cJSON_GetObjectItem(x, "id")->valuestring,
                                    cJSON_GetObjectItem(y, "id")->valuestring);
                assert_string_equal(cJSON_GetObjectItem(x, "status")->valuestring,
                                    cJSON_GetObjectItem(y, "status")->valuestring);
                assert_string_equal(cJSON_GetObjectItem(x, "evidence")->valuestring,
                                    cJSON_GetObjectItem(y, "evidence")->valuestring);
        }
        assert_null(strstr(e1, "deadline"));
        cJSON_Delete(a);
        cJSON_Delete(b);
        free(e0);
        free(e1);
}

static void test_deadline_option_is_checked(void **state)
{
        (void)state;
        const char *bad[] = {"-1", "x", "", "86401"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
                char *argv[] = {(char *)tu_nodeward(), "check",        "--root", (char *)demo(),
                                "--deadline",          (char *)bad[i], NULL};
                char *out, *err;
                assert_int_equal(tu_run(argv, &out, &err), 2);
                assert_non_null(strstr(err, "--deadline"));
                free(out);
                free(err);
        }
        char *watch[] = {(char *)tu_nodeward(), "watch", "--root", (char *)demo(), "--deadline", "5", NULL};
        char *out, *err;
        assert_int_equal(tu_run(watch, &out, &err), 2);
        assert_non_null(strstr(err, "--deadline do not apply"));
        free(out);
        free(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_stalled_collector_becomes_errors),
                cmocka_unit_test(test_stall_before_anything_is_collected),
                cmocka_unit_test(test_deadline_without_stall_changes_nothing),
                cmocka_unit_test(test_deadline_option_is_checked),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
