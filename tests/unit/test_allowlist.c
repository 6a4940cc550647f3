/* test_allowlist: which PROC:PORT entries the listener allowlist accepts, from options and from a file. */
#include "testutil.h"

#include "base/util.h"
#include "policy/allowlist.h"

static void strv_drop(char **v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

static void test_entry_is_proc_colon_port_or_star(void **state)
{
        (void)state;
        static const char *const good[] = {"nginx:8080", "*:22", "sshd:*", "*:*", "kube-proxy:0", "a:65535",
                                           /* the last ':' splits: a name may hold one */
                                           "odd:name:10250"};
        for (size_t i = 0; i < ARRAY_SIZE(good); i++)
                assert_true(allowlist_entry_valid(good[i]));
        static const char *const bad[] = {"nginx",      ":8080",
                                          "nginx:",     "nginx:65536",
                                          "nginx:-1",   "nginx:+80",
                                          "nginx: 80",  "nginx:80x",
                                          "nginx:0x50", "ng inx:80",
                                          "ng\tinx:80", "ng\x7finx:80",
                                          "nginx:**",   "nginx:99999999999999999999"};
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                if (allowlist_entry_valid(bad[i]))
                        fail_msg("\"%s\" accepted", bad[i]);
        }
}

static void test_entry_longer_than_256_refused(void **state)
{
        (void)state;
        char s[300];
        memset(s, 'p', sizeof(s));
        strcpy(s + 256 - 3, ":80"); /* 256 bytes in all */
        assert_true(allowlist_entry_valid(s));
        strcpy(s + 257 - 3, ":80");
        assert_false(allowlist_entry_valid(s));
}

static void test_file_comments_blanks_and_spaces_ignored(void **state)
{
        (void)state;
        char buf[] = "# listeners we expect\n"
                     "\n"
                     "  nginx:8080   \n"
                     "\tsshd:22 # the node's own\r\n"
                     "*:10250\n"
                     "   # indented comment\n"
                     "coredns:53"; /* no final newline */
        char **v = NULL, *err = NULL;
        size_t n = 0;
        assert_int_equal(allowlist_parse(buf, "allow.txt", &v, &n, &err), 0);
        assert_null(err);
        assert_int_equal(n, 4);
        assert_string_equal(v[0], "nginx:8080");
        assert_string_equal(v[1], "sshd:22");
        assert_string_equal(v[2], "*:10250");
        assert_string_equal(v[3], "coredns:53");
        strv_drop(v, n);
}

static void test_file_appends_to_entries_from_options(void **state)
{
        (void)state;
        char **v = xcalloc(1, sizeof(*v));
        v[0] = xstrdup("from-option:1");
        size_t n = 1;
        char buf[] = "from-file:2\n", *err = NULL;
        assert_int_equal(allowlist_parse(buf, "f", &v, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(v[0], "from-option:1");
        assert_string_equal(v[1], "from-file:2");
        strv_drop(v, n);
}

static void test_bad_line_named_by_file_and_editor_line(void **state)
{
        (void)state;
        char buf[] = "nginx:8080\n\n# comment\nnginx 8080\nsshd:22\n";
        char **v = NULL, *err = NULL;
        size_t n = 0;
        assert_int_equal(allowlist_parse(buf, "/etc/nodeward/allow", &v, &n, &err), -EINVAL);
        assert_non_null(err);
        assert_string_equal(err,
                            "/etc/nodeward/allow line 4: expected PROC:PORT (e.g. nginx:8080), got \"nginx 8080\"");
        free(err);
        strv_drop(v, n);
}

static void test_more_than_max_entries_refused(void **state)
{
        (void)state;
        size_t len = (ALLOWLIST_MAX + 1) * 8 + 1;
        char *buf = xmalloc(len), *p = buf;
        for (unsigned i = 0; i <= ALLOWLIST_MAX; i++)
                p += sprintf(p, "p:%u\n", i % 60000);
        char **v = NULL, *err = NULL;
        size_t n = 0;
        assert_int_equal(allowlist_parse(buf, "big", &v, &n, &err), -EINVAL);
        assert_int_equal(n, ALLOWLIST_MAX);
        assert_non_null(strstr(err, "big line 4097:"));
        free(err);
        strv_drop(v, n);
        free(buf);
}

static void test_load_file_reads_regular_files_only(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        tu_write(root, "allow", "# ok\nkubelet:10250\n");
        char path[4096];
        snprintf(path, sizeof(path), "%s/allow", root);
        char **v = NULL, *err = NULL;
        size_t n = 0;
        assert_int_equal(allowlist_load_file(path, &v, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_string_equal(v[0], "kubelet:10250");
        strv_drop(v, n);
        v = NULL;
        n = 0;

        /* A directory or a FIFO is never read (a FIFO would block). */
        assert_int_equal(allowlist_load_file(root, &v, &n, &err), -EINVAL);
        assert_non_null(strstr(err, "not a regular file"));
        free(err);
        snprintf(path, sizeof(path), "%s/fifo", root);
        assert_int_equal(mkfifo(path, 0600), 0);
        assert_int_equal(allowlist_load_file(path, &v, &n, &err), -EINVAL);
        free(err);

        snprintf(path, sizeof(path), "%s/missing", root);
        assert_int_equal(allowlist_load_file(path, &v, &n, &err), -ENOENT);
        assert_true(str_startswith(err, path));
        free(err);
        assert_int_equal(n, 0);
        tu_rm_rf(root);
        free(root);
}

static void test_file_larger_than_cap_refused(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        size_t len = ALLOWLIST_FILE_CAP + 1;
        char *big = xmalloc(len);
        memset(big, '#', len);
        tu_write_bin(root, "allow", big, len, 0644);
        free(big);
        char path[4096];
        snprintf(path, sizeof(path), "%s/allow", root);
        char **v = NULL, *err = NULL;
        size_t n = 0;
        assert_true(allowlist_load_file(path, &v, &n, &err) < 0);
        assert_non_null(err);
        assert_int_equal(n, 0);
        free(err);
        tu_rm_rf(root);
        free(root);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_entry_is_proc_colon_port_or_star),
                cmocka_unit_test(test_entry_longer_than_256_refused),
                cmocka_unit_test(test_file_comments_blanks_and_spaces_ignored),
                cmocka_unit_test(test_file_appends_to_entries_from_options),
                cmocka_unit_test(test_bad_line_named_by_file_and_editor_line),
                cmocka_unit_test(test_more_than_max_entries_refused),
                cmocka_unit_test(test_load_file_reads_regular_files_only),
                cmocka_unit_test(test_file_larger_than_cap_refused),
        };
        return cmocka_run_group_tests_name("allowlist", tests, NULL, tu_group_teardown);
}
