/* test_oplist: the operator's list files (listener and registry allowlists, audit watches) read one way. */
#include "testutil.h"

#include <sys/stat.h>

#include "base/oplist.h"
#include "base/util.h"

static bool no_x(const char *e)
{
        return !strchr(e, 'x');
}

static const struct oplist_spec spec = {.cap = 64, .max = 3, .valid = no_x, .expected = "no x"};

static void strv_drop(char **v, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(v[i]);
        free(v);
}

static void test_comments_blanks_and_crlf(void **state)
{
        (void)state;
        char buf[] = "# header\r\n  a  \r\n\n\tb # note\r\n#c\n";
        char **v = NULL, *err = NULL;
        size_t n = 0;
        assert_int_equal(oplist_parse(buf, strlen(buf), "f", &spec, &v, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(v[0], "a");
        assert_string_equal(v[1], "b");
        assert_null(err);
        strv_drop(v, n);
}

/* The line an editor shows, blank and comment lines counted; the entry quoted, cut at 200. */
static void test_error_names_the_line(void **state)
{
        (void)state;
        char buf[400] = "a\n\n# c\n";
        size_t k = strlen(buf);
        memset(buf + k, 'x', 300);
        buf[k + 300] = '\0';
        char **v = NULL, *err = NULL;
        size_t n = 0;
        assert_int_equal(oplist_parse(buf, strlen(buf), "allow.txt", &spec, &v, &n, &err), -EINVAL);
        assert_non_null(strstr(err, "allow.txt line 4: expected no x, got \"xxx"));
        assert_int_equal(strlen(strchr(err, '"') + 1), 200 + 1);
        free(err);
        strv_drop(v, n);
}

static void test_one_past_the_maximum_is_refused(void **state)
{
        (void)state;
        char buf[] = "a\nb\nc\nd\n";
        char **v = NULL, *err = NULL;
        size_t n = 0;
        assert_int_equal(oplist_parse(buf, strlen(buf), "f", &spec, &v, &n, &err), -EINVAL);
        assert_int_equal(n, 3);
        assert_non_null(strstr(err, "f line 4:"));
        free(err);
        strv_drop(v, n);
}

/* A NUL ends nothing but its line's entry: the lines after it are still read. */
static void test_nul_inside_a_line(void **state)
{
        (void)state;
        char buf[] = "a\0junk\nb\n";
        char **v = NULL, *err = NULL;
        size_t n = 0;
        assert_int_equal(oplist_parse(buf, sizeof(buf) - 1, "f", &spec, &v, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_string_equal(v[1], "b");
        strv_drop(v, n);
}

/* Only a regular file, at most the cap: a FIFO is refused at once, never waited on. */
static void test_file_kinds_and_cap(void **state)
{
        (void)state;
        char dir[] = "/tmp/nw-oplist.XXXXXX";
        assert_non_null(mkdtemp(dir));
        char *fifo = xasprintf("%s/fifo", dir), *big = xasprintf("%s/big", dir), *ok = xasprintf("%s/ok", dir);
        assert_int_equal(mkfifo(fifo, 0600), 0);
        char **v = NULL, *err = NULL;
        size_t n = 0;
        assert_int_equal(oplist_load_file(fifo, &spec, &v, &n, &err), -EINVAL);
        assert_non_null(strstr(err, "not a regular file"));
        free(err);
        err = NULL;
        assert_int_equal(oplist_load_file(dir, &spec, &v, &n, &err), -EINVAL);
        free(err);
        err = NULL;
        FILE *f = fopen(big, "w");
        for (int i = 0; i < 40; i++)
                fputs("a\n", f);
        fclose(f);
        assert_true(oplist_load_file(big, &spec, &v, &n, &err) < 0);
        assert_int_equal(n, 0);
        free(err);
        err = NULL;
        f = fopen(ok, "w");
        fputs("one\ntwo\n", f);
        fclose(f);
        assert_int_equal(oplist_load_file(ok, &spec, &v, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_int_equal(oplist_load_file("/nonexistent/nw", &spec, &v, &n, &err), -ENOENT);
        assert_non_null(strstr(err, "/nonexistent/nw: "));
        free(err);
        strv_drop(v, n);
        unlink(fifo);
        unlink(big);
        unlink(ok);
        rmdir(dir);
        free(fifo);
        free(big);
        free(ok);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_comments_blanks_and_crlf),
                cmocka_unit_test(test_error_names_the_line),
                cmocka_unit_test(test_one_past_the_maximum_is_refused),
                cmocka_unit_test(test_nul_inside_a_line),
                cmocka_unit_test(test_file_kinds_and_cap),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
