/* test_boot_drop: what the boot check and the kubelet gate rely on: a capability drop
 * that a seccomp filter refuses is an error (never a silent keep), and --expect kubelet
 * turns "no kubelet found" into an error instead of sixteen skips. */
#include "testutil.h"

#include <stdbool.h>

/* The seccomp helper beside the test binaries (tests/e2e/deny_capset.c): capset
 * fails with EPERM, as under systemd's SystemCallFilter=~@privileged. */
static const char *deny_capset(void)
{
        static char path[4096];
        snprintf(path, sizeof(path), "%s", tu_nodeward());
        char *slash = strrchr(path, '/');
        snprintf(slash ? slash + 1 : path, sizeof(path) - (size_t)(slash ? slash + 1 - path : 0),
                 "tests/e2e/deny_capset");
        return path;
}

static char *demo_root(void)
{
        char *p;
        assert_true(asprintf(&p, "%s/demo-al2023", tu_fixtures()) > 0);
        return p;
}

static void assert_loud_drop_failure(const char *err)
{
        if (!strstr(err, "nodeward: error: could not drop capabilities: capset: Operation not permitted") ||
            !strstr(err, "still holding") || !strstr(err, "cap_sys_admin"))
                fail_msg("no loud capability-drop failure on stderr: %s", err);
}

static void test_check_fails_when_capset_is_denied(void **state)
{
        (void)state;
        if (geteuid() != 0)
                skip(); /* without capabilities there is nothing to drop */
        char *root = demo_root(), *out, *err;
        char *argv[] = {(char *)deny_capset(),
                        (char *)tu_nodeward(),
                        "check",
                        "--root",
                        root,
                        "--only",
                        "kubelet",
                        "--format",
                        "json",
                        NULL};
        int rc = tu_run(argv, &out, &err);
        /* The demo root fails high checks (exit 1 otherwise): the failed drop wins. */
        assert_int_equal(rc, 2);
        assert_loud_drop_failure(err);
        cJSON *j = cJSON_Parse(out);
        assert_non_null(j); /* the report is still written */
        cJSON_Delete(j);
        free(out);
        free(err);
        /* The same run without the filter drops quietly and exits as the findings say. */
        char *plain[] = {(char *)tu_nodeward(), "check", "--root", root, "--only", "kubelet", NULL};
        assert_int_equal(tu_run(plain, &out, &err), 1);
        assert_null(strstr(err, "could not drop"));
        free(out);
        free(err);
        free(root);
}

static void test_watch_refuses_to_run_holding_capabilities(void **state)
{
        (void)state;
        if (geteuid() != 0)
                skip();
        char *root = demo_root(), *out, *err;
        char *argv[] = {(char *)deny_capset(),
                        (char *)tu_nodeward(),
                        "watch",
                        "--root",
                        root,
                        "--only",
                        "kubelet",
                        "--interval",
                        "1",
                        NULL};
        /* It must end by itself, long before the timeout, and before any summary. */
        int rc = tu_run_timeout(argv, &out, &err, 60);
        assert_int_equal(rc, 2);
        assert_loud_drop_failure(err);
        if (!strstr(out, "\"event\":\"error\"") || !strstr(out, "could not drop capabilities") ||
            strstr(out, "\"summary\""))
                fail_msg("watch output: %s", out);
        free(out);
        free(err);
        free(root);
}

static void test_explain_and_sockets_fail_when_capset_is_denied(void **state)
{
        (void)state;
        if (geteuid() != 0)
                skip();
        char *root = demo_root(), *out, *err;
        char *explain[] = {(char *)deny_capset(), (char *)tu_nodeward(), "explain", "kubelet", "--root", root, NULL};
        assert_int_equal(tu_run(explain, &out, &err), 2);
        assert_loud_drop_failure(err);
        free(out);
        free(err);
        char *sockets[] = {(char *)deny_capset(), (char *)tu_nodeward(), "sockets", "--no-owners", NULL};
        assert_int_equal(tu_run(sockets, &out, &err), 2);
        assert_loud_drop_failure(err);
        free(out);
        free(err);
        free(root);
}

/* @expect: NULL or "kubelet"; returns the parsed report and the exit code. */
static cJSON *check_empty(const char *root, const char *only, const char *expect, int *ret_rc, char **ret_err)
{
        char *argv[16];
        int n = 0;
        argv[n++] = (char *)tu_nodeward();
        argv[n++] = "check";
        argv[n++] = "--root";
        argv[n++] = (char *)root;
        argv[n++] = "--format";
        argv[n++] = "json";
        argv[n++] = "--only";
        argv[n++] = (char *)only;
        if (expect) {
                argv[n++] = "--expect";
                argv[n++] = (char *)expect;
        }
        argv[n] = NULL;
        char *out;
        *ret_rc = tu_run(argv, &out, ret_err);
        cJSON *j = cJSON_Parse(out);
        if (!j)
                fail_msg("no JSON (exit %d): %s %s", *ret_rc, out, *ret_err);
        free(out);
        return j;
}

static void test_expect_kubelet_makes_a_missing_kubelet_an_error(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        tu_write(root, "etc/hostname", "node\n");
        /* A process table that can be read and holds no kubelet: a machine without one
         * (an unreadable table would make "not found" an error by itself). */
        static const char *const init_argv[] = {"/sbin/init", NULL};
        tu_write_proc(root, 1, "systemd", init_argv);
        int rc;
        char *err;
        /* Without the option: every config check skips and exit 0, the boot check's old "OK". */
        cJSON *j = check_empty(root, "kubelet", NULL, &rc, &err);
        assert_int_equal(rc, 0);
        int skipped = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "summary"), "skip")->valueint;
        assert_true(skipped >= 16);
        tu_assert_result(j, "kubelet.read-only-port", "skip", "no kubelet found");
        cJSON_Delete(j);
        free(err);
        j = check_empty(root, "kubelet", "kubelet", &rc, &err);
        assert_int_equal(rc, 2);
        /* Each skip for want of a kubelet is an error now; the checks that judge something
         * else (the live port probes, the unit files, pods' attempts) keep their status. */
        const cJSON *sum = cJSON_GetObjectItem(j, "summary");
        int errors = cJSON_GetObjectItem(sum, "error")->valueint;
        assert_true(errors >= 16);
        assert_int_equal(errors, skipped - cJSON_GetObjectItem(sum, "skip")->valueint);
        tu_assert_result(j, "kubelet.read-only-port", "error", "--expect kubelet, but under");
        tu_assert_result(j, "kubelet.read-only-port", "error", "no process named kubelet");
        if (!strstr(err, "nodeward: error: --expect kubelet, but under"))
                fail_msg("no message on stderr: %s", err);
        cJSON_Delete(j);
        free(err);
        /* No kubelet check selected: the exit code still says it. */
        j = check_empty(root, "ssh", "kubelet", &rc, &err);
        assert_int_equal(rc, 2);
        cJSON_Delete(j);
        free(err);
        free(root);
}

static void test_expect_kubelet_changes_nothing_when_found(void **state)
{
        (void)state;
        char *root = demo_root(), *err;
        int rc_plain, rc;
        cJSON *a = check_empty(root, "kubelet", NULL, &rc_plain, &err);
        free(err);
        cJSON *b = check_empty(root, "kubelet", "kubelet", &rc, &err);
        assert_int_equal(rc, rc_plain);
        assert_null(strstr(err, "--expect"));
        char *sa = cJSON_PrintUnformatted(cJSON_GetObjectItem(a, "summary"));
        char *sb = cJSON_PrintUnformatted(cJSON_GetObjectItem(b, "summary"));
        assert_string_equal(sa, sb);
        free(sa);
        free(sb);
        cJSON_Delete(a);
        cJSON_Delete(b);
        free(err);
        char *bad[] = {(char *)tu_nodeward(), "check", "--root", root, "--expect", "kubelett", NULL};
        char *out;
        assert_int_equal(tu_run(bad, &out, &err), 2);
        assert_non_null(strstr(err, "--expect: unknown component \"kubelett\""));
        free(out);
        free(err);
        free(root);
}

static void test_watch_expect_kubelet_reports_errors(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        tu_write(root, "etc/hostname", "node\n");
        tu_write(root, "proc/.empty", ""); /* a process table without a kubelet */
        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                dup2(p[1], 1);
                execl(tu_nodeward(), tu_nodeward(), "watch", "--root", root, "--only", "kubelet", "--expect", "kubelet",
                      "--interval", "60", (char *)NULL);
                _exit(127);
        }
        close(p[1]);
        FILE *f = fdopen(p[0], "r");
        char line[1 << 16];
        bool seen = false;
        while (!seen && fgets(line, sizeof(line), f))
                seen = strstr(line, "\"event\":\"summary\"") != NULL;
        kill(pid, SIGTERM);
        int status;
        waitpid(pid, &status, 0);
        fclose(f);
        assert_true(seen);
        cJSON *sj = cJSON_Parse(line);
        const cJSON *errs = sj ? cJSON_GetObjectItem(cJSON_GetObjectItem(sj, "summary"), "error") : NULL;
        if (!cJSON_IsNumber(errs) || errs->valueint < 16 || !strstr(line, "--expect kubelet, but under"))
                fail_msg("summary: %s", line);
        cJSON_Delete(sj);
        free(root);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_check_fails_when_capset_is_denied),
                cmocka_unit_test(test_watch_refuses_to_run_holding_capabilities),
                cmocka_unit_test(test_explain_and_sockets_fail_when_capset_is_denied),
                cmocka_unit_test(test_expect_kubelet_makes_a_missing_kubelet_an_error),
                cmocka_unit_test(test_expect_kubelet_changes_nothing_when_found),
                cmocka_unit_test(test_watch_expect_kubelet_reports_errors),
        };
        return cmocka_run_group_tests(tests, NULL, tu_group_teardown);
}
