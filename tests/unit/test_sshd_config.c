/* test_sshd_config: the sshd_config parser resolves like sshd: first value wins, Include, Match, errors. */
#include "testutil.h"

#include "collect/sshd/sshd_config.h"
#include "collect/sshd/sshd_internal.h"
#include "base/util.h"

static char *root;

static int setup(void **state)
{
        (void)state;
        root = tu_mkdtemp();
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        tu_rm_rf(root);
        free(root);
        return 0;
}

/* Load ROOT (after writing @main as its sshd_config) like `explain sshd` does. */
static void load(struct sshd_config *c, const char *main_text)
{
        tu_write(root, "etc/ssh/sshd_config", main_text);
        struct rootfs r;
        assert_int_equal(rootfs_open_root(root, &r), 0);
        assert_int_equal(sshd_config_load(c, &r, NULL), 0);
        c->root = NULL;
        rootfs_close(&r);
}

static void test_first_value_wins(void **state)
{
        (void)state;
        struct sshd_config c;
        load(&c, "PermitRootLogin no\nPermitRootLogin yes\nMaxAuthTries 2\nmaxauthtries 5\n");
        assert_null(c.error);
        assert_int_equal(c.s.v[SO_PERMIT_ROOT_LOGIN].num, PRL_NO);
        assert_int_equal(c.s.v[SO_PERMIT_ROOT_LOGIN].line, 1);
        assert_int_equal(c.s.v[SO_MAX_AUTH_TRIES].num, 2);
        sshd_config_free(&c);
}

static void test_dropin_before_main_file_wins(void **state)
{
        (void)state;
        tu_write(root, "etc/ssh/sshd_config.d/50-cloud-init.conf", "PasswordAuthentication yes\n");
        tu_write(root, "etc/ssh/sshd_config.d/B.conf", "PasswordAuthentication no\n");
        struct sshd_config c;
        load(&c, "Include sshd_config.d/*.conf\nPasswordAuthentication no\n");
        assert_null(c.error);
        /* "50-..." sorts before "B.conf" in byte order. */
        assert_int_equal(c.s.v[SO_PASSWORD_AUTH].num, 1);
        assert_string_equal(c.s.v[SO_PASSWORD_AUTH].file, "/etc/ssh/sshd_config.d/50-cloud-init.conf");
        assert_int_equal(c.n_files, 3);
        sshd_config_free(&c);
        tu_rm_rf(root);
        tu_mkdirs(root);
}

static void test_include_loop_is_an_error(void **state)
{
        (void)state;
        tu_write(root, "etc/ssh/loop.conf", "Include loop.conf\n");
        struct sshd_config c;
        load(&c, "Include loop.conf\n");
        assert_non_null(c.error);
        assert_non_null(strstr(c.error, "/etc/ssh/loop.conf line 1: Too many recursive"));
        sshd_config_free(&c);
}

static void test_match_is_recorded_not_applied(void **state)
{
        (void)state;
        struct sshd_config c;
        load(&c, "Match User bob Address 10.0.0.0/8\n  PermitRootLogin yes\nMatch all\nX11Forwarding yes\n");
        assert_null(c.error);
        assert_int_equal(c.s.v[SO_PERMIT_ROOT_LOGIN].num, PRL_WITHOUT_PASSWORD);
        assert_false(c.s.v[SO_PERMIT_ROOT_LOGIN].set);
        assert_int_equal(c.s.v[SO_X11_FORWARDING].num, 1);
        assert_int_equal(c.n_matches, 2);
        assert_string_equal(c.matches[0].criteria, "User bob Address 10.0.0.0/8");
        assert_int_equal(sshd_match_value(&c.matches[0], SO_PERMIT_ROOT_LOGIN)->num, PRL_YES);
        sshd_config_free(&c);
}

static void test_errors_name_file_and_line(void **state)
{
        (void)state;
        static const struct {
                const char *text, *want;
        } cases[] = {
                {"Port 22\nFrobnicate 1\n", "/etc/ssh/sshd_config line 2: Bad configuration option: Frobnicate"},
                {"PermitRootLogin maybe\n", "line 1: unsupported option \"maybe\""},
                {"\n\nMaxAuthTries\n", "line 3: no argument after keyword \"MaxAuthTries\""},
                {"Match Color x\n", "line 1: Bad Match condition: Unsupported Match attribute Color"},
                {"Match User x\nPort 2\n", "line 2: Directive 'Port' is not allowed within a Match block"},
                {"LoginGraceTime 1x\n", "line 1: invalid time value."},
                {"PermitRootLogin yes no\n", "line 1: keyword PermitRootLogin extra arguments at end of line"},
                {"AllowUsers \"x\n", "line 1: invalid quotes"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct sshd_config c;
                load(&c, cases[i].text);
                if (!c.error || !strstr(c.error, cases[i].want))
                        fail_msg("%s: got %s, want %s", cases[i].text, c.error ? c.error : "(none)", cases[i].want);
                sshd_config_free(&c);
        }
}

static void test_listen_addresses_take_every_port(void **state)
{
        (void)state;
        struct sshd_config c;
        load(&c, "ListenAddress 1.2.3.4\nListenAddress [::0001]:2222\nPort 22\nPort 2200\n");
        assert_null(c.error);
        const int *ports;
        assert_int_equal(sshd_config_ports(&c, &ports), 2);
        assert_int_equal(ports[1], 2200);
        const struct sshd_listen *l;
        assert_int_equal(sshd_config_listen(&c, &l), 3);
        assert_string_equal(l[0].addr, "1.2.3.4");
        assert_int_equal(l[1].port, 2200);
        assert_string_equal(l[2].addr, "::1");
        assert_int_equal(l[2].port, 2222);
        sshd_config_free(&c);
}

static void test_running_sshd_flags_count_first(void **state)
{
        (void)state;
        struct proc_entry e = {.pid = 812, .comm = "sshd"};
        char *argv[] = {
                (char *)"sshd: /usr/sbin/sshd -D -o PermitRootLogin=yes -p 2201 [listener] 0 of 10-100 startups", NULL};
        e.argv = argv;
        e.argc = 1;
        struct proc_table t = {.v = &e, .n = 1};
        tu_write(root, "etc/ssh/sshd_config", "PermitRootLogin no\nPort 22\n");
        struct rootfs r;
        assert_int_equal(rootfs_open_root(root, &r), 0);
        struct sshd_config c;
        assert_int_equal(sshd_config_load(&c, &r, &t), 0);
        rootfs_close(&r);
        assert_null(c.error);
        assert_int_equal(c.pid, 812);
        assert_int_equal(c.s.v[SO_PERMIT_ROOT_LOGIN].num, PRL_YES);
        assert_string_equal(c.s.v[SO_PERMIT_ROOT_LOGIN].file, "command-line");
        assert_int_equal(c.n_ports, 1);
        assert_int_equal(c.ports[0], 2201);
        sshd_config_free(&c);
}

static void test_convtime_and_tokenizer(void **state)
{
        (void)state;
        assert_int_equal(sshd_convtime("1h30s"), 3630);
        assert_int_equal(sshd_convtime("5M"), 300);
        assert_int_equal(sshd_convtime("90"), 90);
        assert_int_equal(sshd_convtime("1x"), -1);
        assert_int_equal(sshd_convtime(""), -1);
        char **av;
        size_t ac;
        assert_int_equal(sshd_argv_split("a \"b c\" 'd' e\\ f #x", &av, &ac), 0);
        assert_int_equal(ac, 4);
        assert_string_equal(av[1], "b c");
        assert_string_equal(av[3], "e f");
        strv_free(av, ac);
        assert_int_equal(sshd_argv_split("\"open", &av, &ac), -EINVAL);
}

/* sshd's strdelim() on quotes: the quoted word unquoted in place, the rest of the
 * line after the closing quote left as it was for the next call. */
static void test_strdelim_quoted_words(void **state)
{
        (void)state;
        char line[] = "User \"a b\"  x\"y z\"w =v", *cp = line;
        assert_string_equal(sshd_strdelim(&cp), "User");
        assert_string_equal(sshd_strdelim(&cp), "a b");
        assert_string_equal(sshd_strdelim(&cp), "xy z");
        assert_string_equal(sshd_strdelim(&cp), "w");
        assert_string_equal(sshd_strdelim(&cp), "v");
        char open[] = "a \"b c", *op = open;
        assert_string_equal(sshd_strdelim(&op), "a");
        assert_null(sshd_strdelim(&op));
        char empty[] = "\"\"", *ep = empty;
        assert_string_equal(sshd_strdelim(&ep), "");
        assert_string_equal(ep, "");
}

/* Every word at its own length, the vector NULL-terminated, for many words. */
static void test_argv_split_many_words(void **state)
{
        (void)state;
        size_t n = 100000;
        char *line = malloc(2 * n + 1);
        for (size_t i = 0; i < n; i++)
                memcpy(line + 2 * i, i % 2 ? "v " : "u ", 2);
        line[2 * n] = '\0';
        char **av;
        size_t ac;
        assert_int_equal(sshd_argv_split(line, &av, &ac), 0);
        assert_int_equal(ac, n);
        assert_string_equal(av[0], "u");
        assert_string_equal(av[n - 1], "v");
        assert_null(av[n]);
        strv_free(av, ac);
        assert_int_equal(sshd_argv_split("'' \"\" x", &av, &ac), 0);
        assert_int_equal(ac, 3);
        assert_string_equal(av[0], "");
        assert_string_equal(av[1], "");
        assert_null(av[3]);
        strv_free(av, ac);
        assert_int_equal(sshd_argv_split("", &av, &ac), 0);
        assert_int_equal(ac, 0);
        assert_null(av[0]);
        strv_free(av, ac);
        free(line);
}

static void test_glob_stays_inside_root(void **state)
{
        (void)state;
        tu_write(root, "etc/ssh/d/a.conf", "x");
        tu_write(root, "etc/ssh/d/.h.conf", "x");
        tu_symlink(root, "etc/ssh/d/up.conf", "../../../../../../../../etc/passwd");
        struct rootfs r;
        assert_int_equal(rootfs_open_root(root, &r), 0);
        char **p;
        size_t n;
        assert_int_equal(sshd_glob(&r, "/etc/ssh/d/*.conf", 100, &p, &n), 0);
        assert_int_equal(n, 2);
        assert_string_equal(p[0], "/etc/ssh/d/a.conf");
        assert_string_equal(p[1], "/etc/ssh/d/up.conf");
        strv_free(p, n);
        /* The escaping link resolves inside the root, where there is no etc/passwd: had it
         * been read on the host, its lines would be bad configuration options. */
        struct sshd_config c;
        load(&c, "Include d/up.conf\n");
        assert_null(c.error);
        assert_int_equal(c.n_files, 1);
        sshd_config_free(&c);
        rootfs_close(&r);
}

/* Valid for sshd (it caches includes), but unbounded work: refused at 4096 files. */
static void test_include_fanout_bomb_is_bounded(void **state)
{
        (void)state;
        char rel[64], body[64];
        for (int i = 0; i < 14; i++) {
                snprintf(rel, sizeof(rel), "etc/ssh/b/%d.conf", i);
                snprintf(body, sizeof(body), "Include b/%d.conf b/%d.conf\n", i + 1, i + 1);
                tu_write(root, rel, body);
        }
        tu_write(root, "etc/ssh/b/14.conf", "MaxSessions 2\n");
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        struct sshd_config c;
        load(&c, "Include b/0.conf\n");
        clock_gettime(CLOCK_MONOTONIC, &t1);
        assert_non_null(c.error);
        assert_non_null(strstr(c.error, "too many included files"));
        assert_true(t1.tv_sec - t0.tv_sec < 60); /* unbounded, 2^14 files would take far longer */
        sshd_config_free(&c);
}

/* Debian ships an empty sshd_config.d: listing it must be fine (and UBSan-clean). */
static void test_include_of_empty_directory(void **state)
{
        (void)state;
        tu_mkdirs(root);
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s/etc/ssh/empty.d", root);
        tu_mkdirs(dir);
        struct sshd_config c;
        load(&c, "Include /etc/ssh/empty.d/*.conf\nMaxSessions 3\n");
        assert_null(c.error);
        assert_int_equal(c.s.v[SO_MAX_SESSIONS].num, 3);
        sshd_config_free(&c);
}

/* A setting added to enum sshd_opt with its row left out in the middle of sshd_opt_defs[]
 * compiles (the row is zeros); this is where that shows. */
static void test_every_setting_has_a_table_row(void **state)
{
        (void)state;
        for (int o = 0; o < SO__COUNT; o++) {
                const struct sshd_opt_def *d = &sshd_opt_defs[o];
                assert_non_null(d->name);
                struct sshd_keyword k;
                assert_int_equal(sshd_keyword_find(d->name, &k), 0);
                assert_int_equal(k.opt, o);
                for (size_t a = 0; a < ARRAY_SIZE(d->aliases) && d->aliases[a].name; a++) {
                        assert_int_equal(sshd_keyword_find(d->aliases[a].name, &k), 0);
                        assert_int_equal(k.opt, o);
                }
                if (d->type == KW_FLAG || d->type == KW_MULTI)
                        assert_non_null(d->multi);
        }
}

/* servconf.c allows ChallengeResponseAuthentication in a Match block but not its sibling
 * alias DSAAuthentication: an alias carries its own flags. */
static void test_alias_keeps_its_own_match_flag(void **state)
{
        (void)state;
        struct sshd_config c;
        load(&c, "Match User bob\nChallengeResponseAuthentication no\n");
        assert_null(c.error);
        assert_int_equal(sshd_match_value(&c.matches[0], SO_KBD_INTERACTIVE_AUTH)->num, 0);
        sshd_config_free(&c);
        load(&c, "Match User bob\nDSAAuthentication no\n");
        assert_non_null(c.error);
        sshd_config_free(&c);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_first_value_wins),
                cmocka_unit_test(test_strdelim_quoted_words),
                cmocka_unit_test(test_argv_split_many_words),
                cmocka_unit_test(test_dropin_before_main_file_wins),
                cmocka_unit_test(test_include_loop_is_an_error),
                cmocka_unit_test(test_match_is_recorded_not_applied),
                cmocka_unit_test(test_errors_name_file_and_line),
                cmocka_unit_test(test_listen_addresses_take_every_port),
                cmocka_unit_test(test_running_sshd_flags_count_first),
                cmocka_unit_test(test_convtime_and_tokenizer),
                cmocka_unit_test(test_glob_stays_inside_root),
                cmocka_unit_test(test_include_fanout_bomb_is_bounded),
                cmocka_unit_test(test_include_of_empty_directory),
                cmocka_unit_test(test_every_setting_has_a_table_row),
                cmocka_unit_test(test_alias_keeps_its_own_match_flag),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
