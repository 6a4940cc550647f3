/* test_toml: the strict TOML reader: values and their origins, what it rejects, and its limits. */
#include "testutil.h"

#include <time.h>

#include "base/rootfs.h"
#include "base/toml.h"
#include "base/util.h"

static struct toml_doc *parse_ok(const char *text)
{
        struct toml_doc *d = NULL;
        char *err = NULL;
        int r = toml_parse(text, strlen(text), "t.toml", &d, &err);
        if (r < 0)
                fail_msg("rejected: %s", err);
        return d;
}

static char *parse_err(const char *text, size_t len)
{
        struct toml_doc *d = NULL;
        char *err = NULL;
        assert_true(toml_parse(text, len, "t.toml", &d, &err) < 0);
        assert_null(d);
        assert_non_null(err);
        return err;
}

static void assert_rejected(const char *text, const char *needle)
{
        char *err = parse_err(text, strlen(text));
        if (!strstr(err, needle))
                fail_msg("error \"%s\" lacks \"%s\"", err, needle);
        free(err);
}

static void test_values_keep_file_and_line(void **state)
{
        (void)state;
        struct toml_doc *d = parse_ok("version = 2\n\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n"
                                      "  config_path = \"/etc/containerd/certs.d\"\n");
        const char *path[] = {"plugins", "io.containerd.grpc.v1.cri", "registry", "config_path"};
        const struct toml_value *v = toml_get_path(d->root, path, 4);
        assert_string_equal(toml_string(v), "/etc/containerd/certs.d");
        assert_int_equal(v->line, 4);
        assert_string_equal(v->file, "t.toml");
        const struct toml_value *reg = toml_get_path(d->root, path, 3);
        assert_int_equal(reg->line, 3);
        assert_int_equal(toml_get(d->root, "version")->u.i, 2);
        toml_doc_free(d);
}

static void test_integers_in_every_base_and_the_64_bit_edges(void **state)
{
        (void)state;
        struct toml_doc *d = parse_ok("a = 0xdead_BEEF\nb = 0o755\nc = 0b1010\nd = -9223372036854775808\n"
                                      "e = 9_223_372_036_854_775_807\nf = 0x00000000000000000001\n");
        assert_int_equal(toml_get(d->root, "a")->u.i, 0xdeadbeefLL);
        assert_int_equal(toml_get(d->root, "b")->u.i, 0755);
        assert_int_equal(toml_get(d->root, "c")->u.i, 10);
        assert_true(toml_get(d->root, "d")->u.i == INT64_MIN);
        assert_true(toml_get(d->root, "e")->u.i == INT64_MAX);
        assert_int_equal(toml_get(d->root, "f")->u.i, 1);
        toml_doc_free(d);
        assert_rejected("a = 9223372036854775808\n", "64-bit");
        assert_rejected("a = 0x8000000000000000\n", "64-bit");
        assert_rejected("a = 1__0\n", "line 1");
        assert_rejected("a = 012\n", "line 1");
        assert_rejected("a = _1\n", "expected a value");
}

static void test_strings_escapes_and_multiline_forms(void **state)
{
        (void)state;
        struct toml_doc *d = parse_ok("a = \"t\\u00e9\\U0001F600\\\"\"\n"
                                      "b = '''\nraw \\n ''it'''''\n"
                                      "c = \"\"\"\\\n   folded \\\n  line\"\"\"\n"
                                      "d = \"\\u0000x\"\n");
        assert_string_equal(toml_string(toml_get(d->root, "a")), "t\xc3\xa9\xf0\x9f\x98\x80\"");
        assert_string_equal(toml_string(toml_get(d->root, "b")), "raw \\n ''it''");
        assert_string_equal(toml_string(toml_get(d->root, "c")), "folded line");
        const struct toml_value *nul = toml_get(d->root, "d");
        assert_int_equal(nul->u.str.len, 2);
        assert_memory_equal(nul->u.str.s, "\0x", 2);
        toml_doc_free(d);
        assert_rejected("a = \"\\uD800\"\n", "scalar");
        assert_rejected("a = \"\\x41\"\n", "escape");
        assert_rejected("a = \"tab\x01\"\n", "control");
        assert_rejected("a = \"open\n", "control");
        assert_rejected("a = 'x\rb'\n", "control");
}

static void test_redefinitions_are_rejected(void **state)
{
        (void)state;
        assert_rejected("a = 1\na = 2\n", "duplicate");
        assert_rejected("[t]\n[t]\n", "twice");
        assert_rejected("[t]\nx.y = 1\n[t.x]\n", "twice");
        assert_rejected("t = {a = 1}\n[t]\n", "twice");
        assert_rejected("t = {a = 1}\nt.b = 2\n", "reopens");
        assert_rejected("a = []\n[[a]]\n", "array of tables");
        assert_rejected("[a]\n[[a]]\n", "array of tables");
        assert_rejected("[a.b]\n[a]\nb.c = 1\n", "reopens");
        assert_rejected("[tbl.$]\n", "expected a key"); /* a header key failing after its first part */
        assert_rejected("[host.\"https:]\n", "control");
        /* What the specification allows. */
        struct toml_doc *d = parse_ok("[a.b.c]\n[a]\nx = 1\n[[p]]\nn = 1\n[p.q]\n[[p]]\nn = 2\n[p.q]\n"
                                      "[t]\ns.u = 1\ns.v = 2\n[t.s.w]\n");
        const struct toml_value *p = toml_get(d->root, "p");
        assert_int_equal(p->type, TOML_ARRAY);
        assert_int_equal(p->u.arr.n, 2);
        assert_int_equal(toml_get(p->u.arr.items[1], "n")->u.i, 2);
        toml_doc_free(d);
}

static void test_dates_are_validated(void **state)
{
        (void)state;
        struct toml_doc *d = parse_ok("a = 2024-02-29T10:00:00+01:00\nb = 1979-05-27 07:32:00\nc = 07:32:00.5\n");
        assert_int_equal(toml_get(d->root, "a")->type, TOML_DATETIME);
        assert_string_equal(toml_get(d->root, "a")->u.str.s, "2024-02-29T10:00:00+01:00");
        assert_int_equal(toml_get(d->root, "b")->type, TOML_DATETIME_LOCAL);
        assert_int_equal(toml_get(d->root, "c")->type, TOML_TIME_LOCAL);
        toml_doc_free(d);
        assert_rejected("a = 2023-02-29\n", "invalid date");
        assert_rejected("a = 0000-01-01\n", "invalid date");
        assert_rejected("a = 2023-01-01T25:00:00\n", "line 1");
}

static void test_utf8_is_strict(void **state)
{
        (void)state;
        assert_rejected("a = \"\xc0\xaf\"\n", "UTF-8");     /* overlong */
        assert_rejected("a = \"\xed\xa0\x80\"\n", "UTF-8"); /* a surrogate */
        assert_rejected("# \xf4\x90\x80\x80\n", "UTF-8");   /* above U+10FFFF */
        char *err = parse_err("a = 1\n\0", 7);
        assert_non_null(strstr(err, "line 2"));
        free(err);
}

static void test_depth_and_size_are_capped(void **state)
{
        (void)state;
        struct strbuf sb = {0};
        sb_puts(&sb, "a = ");
        for (int i = 0; i < TOML_MAX_DEPTH + 1; i++)
                sb_putc(&sb, '[');
        for (int i = 0; i < TOML_MAX_DEPTH + 1; i++)
                sb_putc(&sb, ']');
        sb_putc(&sb, '\n');
        char *err = parse_err(sb.buf, sb.len);
        assert_non_null(strstr(err, "nested deeper"));
        free(err);
        sb_free(&sb);
        for (int i = 0; i < TOML_MAX_DEPTH + 1; i++)
                sb_puts(&sb, i ? ".k" : "k");
        sb_puts(&sb, " = 1\n");
        err = parse_err(sb.buf, sb.len);
        assert_non_null(strstr(err, "parts"));
        free(err);
        sb_free(&sb);
        char *big = calloc(1, ROOTFS_READ_CAP + 2);
        memset(big, '#', ROOTFS_READ_CAP + 1);
        err = parse_err(big, ROOTFS_READ_CAP + 1);
        assert_non_null(strstr(err, "larger than"));
        free(err);
        free(big);
}

static long parse_cpu_ms(size_t units)
{
        struct strbuf sb = {0};
        for (size_t i = 0; i < units; i++)
                sb_printf(&sb, "k%zu = %zu\n", i, i);
        for (size_t i = 0; i < units; i++)
                sb_printf(&sb, "[t%zu]\n", i);
        long best = -1;
        for (int run = 0; run < 2; run++) {
                struct timespec t0, t1;
                clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
                struct toml_doc *d = NULL;
                char *err = NULL;
                assert_int_equal(toml_parse(sb.buf, sb.len, "big.toml", &d, &err), 0);
                clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
                char last[32];
                snprintf(last, sizeof(last), "t%zu", units - 1);
                assert_int_equal(toml_get(d->root, last)->line, 2 * units);
                toml_doc_free(d);
                long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
                if (best < 0 || ms < best)
                        best = ms;
        }
        sb_free(&sb);
        return best;
}

/* 150,000 keys in one table and 150,000 tables take about four times as long as a quarter of
 * them; a reader quadratic in either would take sixteen times as long. CPU time, best of two,
 * so that a loaded machine, valgrind or qemu change both sides alike. */
static void test_large_tables_parse_in_linear_time(void **state)
{
        (void)state;
        long small = parse_cpu_ms(37500), big = parse_cpu_ms(150000);
        print_message("TOML parse CPU time: %ld ms for 75,000 entries, %ld ms for 300,000\n", small, big);
        if (big > 10 * small + 50)
                fail_msg("4x the entries took %ld ms against %ld ms: not linear", big, small);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_values_keep_file_and_line),
                cmocka_unit_test(test_integers_in_every_base_and_the_64_bit_edges),
                cmocka_unit_test(test_strings_escapes_and_multiline_forms),
                cmocka_unit_test(test_redefinitions_are_rejected),
                cmocka_unit_test(test_dates_are_validated),
                cmocka_unit_test(test_utf8_is_strict),
                cmocka_unit_test(test_depth_and_size_are_capped),
                cmocka_unit_test(test_large_tables_parse_in_linear_time),
        };
        return cmocka_run_group_tests(tests, NULL, tu_group_teardown);
}
