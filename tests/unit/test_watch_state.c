/* test_watch_state: the readiness state a watch writes, and when `nodeward ready` calls it ready. */
#include "testutil.h"

#include "cli/watch.h"

static char *state_text(const char *dir, enum watch_probe p, const char *detail, int interval, time_t at)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/state.json", dir);
        assert_int_equal(watch_state_write(path, p, detail, interval, at), 0);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        char *s = tu_read_fd(fd);
        close(fd);
        return s;
}

static void test_attached_and_fresh_is_ready(void **state)
{
        (void)state;
        char *dir = tu_mkdtemp(), *why;
        char *s = state_text(dir, WATCH_PROBE_ATTACHED, "tp_btf", 300, 1000000);
        assert_int_equal(watch_state_evaluate(s, 1000000 + 600, &why), 1);
        assert_string_equal(why, "eBPF probe attached tp_btf");
        free(why);
        free(s);
        free(dir);
}

static void test_attach_error_is_not_ready_and_says_why(void **state)
{
        (void)state;
        char *dir = tu_mkdtemp(), *why;
        char *s = state_text(dir, WATCH_PROBE_ERROR, "unavailable: no BTF and no tracefs", 60, 1000000);
        assert_int_equal(watch_state_evaluate(s, 1000000, &why), 0);
        assert_string_equal(why, "eBPF probe error: unavailable: no BTF and no tracefs");
        free(why);
        free(s);
        free(dir);
}

/* Written every interval: two intervals and a minute without a rewrite is a stuck watch. */
static void test_stale_state_is_not_ready(void **state)
{
        (void)state;
        char *dir = tu_mkdtemp(), *why;
        char *s = state_text(dir, WATCH_PROBE_ATTACHED, "tp_btf", 60, 1000000);
        assert_int_equal(watch_state_evaluate(s, 1000000 + 180, &why), 1);
        free(why);
        assert_int_equal(watch_state_evaluate(s, 1000000 + 181, &why), 0);
        assert_non_null(strstr(why, "stale: updated 181 s ago, interval 60 s"));
        free(why);
        /* A clock far behind the file is as suspicious as one far ahead. */
        assert_int_equal(watch_state_evaluate(s, 1000000 - 61, &why), 0);
        free(why);
        free(s);
        free(dir);
}

static void test_probe_not_needed_is_ready_and_exited_is_not(void **state)
{
        (void)state;
        char *dir = tu_mkdtemp(), *why;
        char *s = state_text(dir, WATCH_PROBE_OFF, NULL, 60, 1000000);
        assert_int_equal(watch_state_evaluate(s, 1000000, &why), 1);
        free(why);
        free(s);
        s = state_text(dir, WATCH_PROBE_EXITED, NULL, 60, 1000000);
        assert_int_equal(watch_state_evaluate(s, 1000000, &why), 0);
        assert_string_equal(why, "eBPF probe exited");
        free(why);
        free(s);
        free(dir);
}

static void test_foreign_or_broken_files_are_not_ready(void **state)
{
        (void)state;
        static const char *const bad[] = {
                "",
                "{",
                "null",
                "[]",
                "{\"probe\":\"attached\",\"updated\":1000000,\"interval\":60}",
                "{\"schema\":\"nodeward.watch-state/v1\",\"probe\":\"attached\",\"updated\":\"1000000\",\"interval\":60}",
                "{\"schema\":\"nodeward.watch-state/v1\",\"probe\":\"attached\",\"updated\":1000000,\"interval\":0}",
                "{\"schema\":\"nodeward.watch-state/v1\",\"probe\":\"maybe\",\"updated\":1000000,\"interval\":60}",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char *why = NULL;
                assert_int_equal(watch_state_evaluate(bad[i], 1000000, &why), 0);
                assert_non_null(why);
                free(why);
        }
        char *why;
        assert_int_equal(watch_state_check("/nonexistent/nodeward-state.json", 0, &why), 0);
        assert_non_null(strstr(why, "No such file"));
        free(why);
        /* Larger than any state file: refused without being parsed. */
        char *dir = tu_mkdtemp();
        char *big = malloc(8192);
        memset(big, ' ', 8191);
        big[8191] = '\0';
        tu_write(dir, "big.json", big);
        char path[4096];
        snprintf(path, sizeof(path), "%s/big.json", dir);
        assert_int_equal(watch_state_check(path, 0, &why), 0);
        assert_non_null(strstr(why, "larger than 4096 bytes"));
        free(why);
        free(big);
        free(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_attached_and_fresh_is_ready),
                cmocka_unit_test(test_attach_error_is_not_ready_and_says_why),
                cmocka_unit_test(test_stale_state_is_not_ready),
                cmocka_unit_test(test_probe_not_needed_is_ready_and_exited_is_not),
                cmocka_unit_test(test_foreign_or_broken_files_are_not_ready),
        };
        return cmocka_run_group_tests(tests, NULL, tu_group_teardown);
}
