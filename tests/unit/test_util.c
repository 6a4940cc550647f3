/* test_util: the string, path, buffer, text-position, clock and URL helpers every layer shares. */
#include "testutil.h"

#include "base/util.h"

static void test_prefix_and_suffix_match_whole_strings_only(void **state)
{
        (void)state;
        assert_true(str_startswith("kubelet.read-only-port", "kubelet."));
        assert_true(str_startswith("abc", ""));
        assert_false(str_startswith("kube", "kubelet"));
        assert_false(str_startswith("Kubelet", "kubelet"));
        assert_true(str_endswith("config.yaml", ".yaml"));
        assert_true(str_endswith("abc", ""));
        assert_true(str_endswith(".conf", ".conf"));
        assert_false(str_endswith("conf", ".conf"));
        assert_false(str_endswith("config.yml", ".yaml"));
}

static void test_strbuf_grows_and_stays_nul_terminated(void **state)
{
        (void)state;
        struct strbuf sb = {0};
        /* Past the first 64-byte allocation, several doublings. */
        for (int i = 0; i < 1000; i++)
                sb_putc(&sb, (char)('a' + i % 26));
        assert_int_equal(sb.len, 1000);
        assert_true(sb.cap > 1000);
        assert_int_equal(sb.buf[1000], '\0');
        assert_int_equal(sb.buf[999], 'a' + 999 % 26);
        sb_free(&sb);
        assert_null(sb.buf);
        assert_int_equal(sb.len, 0);

        sb_puts(&sb, "port ");
        sb_printf(&sb, "%d of %s", 10255, "kubelet");
        sb_putn(&sb, "!?", 1);
        assert_int_equal(sb.len, strlen("port 10255 of kubelet!"));
        char *s = sb_steal(&sb);
        assert_string_equal(s, "port 10255 of kubelet!");
        /* Stolen: the buffer is the caller's, @sb is empty and reusable. */
        assert_null(sb.buf);
        assert_int_equal(sb.len, 0);
        assert_int_equal(sb.cap, 0);
        free(s);
}

static void test_strbuf_putn_keeps_embedded_bytes(void **state)
{
        (void)state;
        struct strbuf sb = {0};
        sb_putn(&sb, "a\0b", 3);
        assert_int_equal(sb.len, 3);
        assert_memory_equal(sb.buf, "a\0b", 4);
        sb_free(&sb);
}

static void test_strbuf_steal_of_nothing_is_empty_string(void **state)
{
        (void)state;
        struct strbuf sb = {0};
        char *s = sb_steal(&sb);
        assert_non_null(s);
        assert_string_equal(s, "");
        free(s);
        sb_free(&sb); /* twice, and on an empty buffer: harmless */
        sb_free(&sb);
}

static void test_printf_longer_than_the_buffer_is_whole(void **state)
{
        (void)state;
        char big[5000];
        memset(big, 'x', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        struct strbuf sb = {0};
        sb_puts(&sb, "<");
        sb_printf(&sb, "%s>", big);
        assert_int_equal(sb.len, 1 + 4999 + 1);
        assert_int_equal(sb.buf[0], '<');
        assert_int_equal(sb.buf[5000], '>');
        assert_int_equal(sb.buf[5001], '\0');
        sb_free(&sb);
        char *s = xasprintf("%s/%d", "net", 7);
        assert_string_equal(s, "net/7");
        free(s);
}

static void expect_join(const char *dir, const char *rel, const char *want)
{
        char *got = path_join(dir, rel);
        assert_string_equal(got, want);
        free(got);
}

static void test_path_join_one_slash_and_absolute_wins(void **state)
{
        (void)state;
        expect_join("/", "proc", "/proc");
        expect_join("/host", "proc", "/host/proc");
        expect_join("/host/", "proc", "/host/proc");
        expect_join("/host///", "etc/kubernetes", "/host/etc/kubernetes");
        expect_join("/host", "/etc/ssh/sshd_config", "/etc/ssh/sshd_config");
        expect_join("", "rel", "rel");
        expect_join(NULL, "rel", "rel");
        expect_join("dir", "", "dir/");
}

static void test_basename_after_last_slash(void **state)
{
        (void)state;
        assert_string_equal(path_basename("/usr/bin/kubelet"), "kubelet");
        assert_string_equal(path_basename("kubelet"), "kubelet");
        assert_string_equal(path_basename("/usr/bin/"), "");
        assert_string_equal(path_basename("/"), "");
}

static void test_text_position_counts_lines_and_columns_from_one(void **state)
{
        (void)state;
        const char *t = "ab\ncd\n\nxyz";
        unsigned line, col;
        text_position(t, strlen(t), 0, &line, &col);
        assert_int_equal(line, 1);
        assert_int_equal(col, 1);
        text_position(t, strlen(t), 2, &line, &col); /* the first newline itself */
        assert_int_equal(line, 1);
        assert_int_equal(col, 3);
        text_position(t, strlen(t), 4, &line, &col); /* 'd' */
        assert_int_equal(line, 2);
        assert_int_equal(col, 2);
        text_position(t, strlen(t), 8, &line, &col); /* 'y' after a blank line */
        assert_int_equal(line, 4);
        assert_int_equal(col, 2);
        /* An offset past the end stops at the end. */
        text_position(t, 5, 1000, &line, &col);
        assert_int_equal(line, 2);
        assert_int_equal(col, 3);
}

static void test_mono_ms_never_goes_back(void **state)
{
        (void)state;
        long long a = mono_ms();
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
        long long b = mono_ms();
        assert_true(a > 0);
        assert_true(b - a >= 19);
        assert_true(b - a < 5000);
}

static void test_fd_wait_ready_or_times_out_at_deadline(void **state)
{
        (void)state;
        int p[2];
        assert_int_equal(pipe(p), 0);
        long long start = mono_ms();
        assert_int_equal(fd_wait(p[0], POLLIN, start + 50), -ETIMEDOUT);
        long long took = mono_ms() - start;
        assert_true(took >= 49);
        assert_true(took < 2000);
        assert_int_equal(write(p[1], "x", 1), 1);
        assert_int_equal(fd_wait(p[0], POLLIN, mono_ms() + 1000), 0);
        /* A deadline already passed: no poll at all. */
        assert_int_equal(fd_wait(p[0], POLLIN, mono_ms() - 1), -ETIMEDOUT);
        close(p[0]);
        close(p[1]);
}

static void expect_authority(const char *url, const char *want)
{
        size_t n;
        const char *a = url_authority(url, &n);
        assert_true(a >= url && a + n <= url + strlen(url));
        char got[256];
        snprintf(got, sizeof(got), "%.*s", (int)n, a);
        assert_string_equal(got, want);
}

static void test_url_authority_as_go_reads_it(void **state)
{
        (void)state;
        expect_authority("https://api.example.com:6443/api/v1", "api.example.com:6443");
        expect_authority("https://10.0.0.1", "10.0.0.1");
        expect_authority("https://[fd00::1]:443/", "[fd00::1]:443");
        expect_authority("api.example.com:6443", "api.example.com:6443");
        expect_authority("http://h?x=1", "h");
        expect_authority("http://h#frag", "h");
        /* userinfo runs to the last '@' of the authority, not into the path. */
        expect_authority("https://user:p@ss@registry.example:5000/v2", "registry.example:5000");
        expect_authority("https://registry.example/v2/a@b", "registry.example");
        expect_authority("https:///path", "");
}

/* Lines as an editor counts them: empty ones included, a last one without '\n' too. */
static void test_line_next_counts_every_line(void **state)
{
        (void)state;
        const char *buf = "a\n\nbc\r\nlast";
        size_t off = 0, n;
        const char *want[] = {"a", "", "bc\r", "last"};
        size_t i = 0;
        for (const char *l; (l = line_next(buf, strlen(buf), &off, &n)); i++) {
                assert_true(i < 4);
                assert_int_equal(n, strlen(want[i]));
                assert_memory_equal(l, want[i], n);
        }
        assert_int_equal(i, 4);
        off = 0;
        assert_null(line_next("", 0, &off, &n));
        assert_non_null(line_next("\n", 1, &off, &n));
        assert_int_equal(n, 0);
        assert_null(line_next("\n", 1, &off, &n));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_line_next_counts_every_line),
                cmocka_unit_test(test_prefix_and_suffix_match_whole_strings_only),
                cmocka_unit_test(test_strbuf_grows_and_stays_nul_terminated),
                cmocka_unit_test(test_strbuf_putn_keeps_embedded_bytes),
                cmocka_unit_test(test_strbuf_steal_of_nothing_is_empty_string),
                cmocka_unit_test(test_printf_longer_than_the_buffer_is_whole),
                cmocka_unit_test(test_path_join_one_slash_and_absolute_wins),
                cmocka_unit_test(test_basename_after_last_slash),
                cmocka_unit_test(test_text_position_counts_lines_and_columns_from_one),
                cmocka_unit_test(test_mono_ms_never_goes_back),
                cmocka_unit_test(test_fd_wait_ready_or_times_out_at_deadline),
                cmocka_unit_test(test_url_authority_as_go_reads_it),
        };
        return cmocka_run_group_tests_name("util", tests, NULL, tu_group_teardown);
}
