/* test_kubelet_parse: the kubelet's command line, config documents and systemd units, read as the kubelet and systemd read them. */
#include "testutil.h"

#include <time.h>

#include "base/confdoc.h"
#include "collect/kubelet/kubelet.h"
#include "base/sdunit.h"
#include "base/util.h"

static cJSON *layer_of(char **argv, size_t argc, cJSON **flag_only, int *rc)
{
        cJSON *l, *fo;
        char *err = NULL;
        *rc = kubelet_flags_layer(argv, argc, &l, &fo, &err);
        free(err);
        if (flag_only)
                *flag_only = fo;
        else
                cJSON_Delete(fo);
        return l;
}

static void test_flag_forms_and_last_wins(void **state)
{
        (void)state;
        char *argv[] = {"kubelet",
                        "--read-only-port",
                        "10255",
                        "--anonymous-auth",
                        "--read-only-port=0",
                        "--authorization-mode=AlwaysAllow",
                        "--authorization-mode",
                        "Webhook",
                        "--protect-kernel-defaults=false",
                        "--config",
                        "/etc/k.json"};
        cJSON *fo;
        int rc;
        cJSON *l = layer_of(argv, ARRAY_SIZE(argv), &fo, &rc);
        assert_int_equal(rc, 0);
        assert_int_equal(confdoc_get(l, "readOnlyPort")->valueint, 0);
        assert_true(cJSON_IsTrue(confdoc_get(l, "authentication.anonymous.enabled")));
        assert_string_equal(confdoc_get(l, "authorization.mode")->valuestring, "Webhook");
        assert_true(cJSON_IsFalse(confdoc_get(l, "protectKernelDefaults")));
        assert_string_equal(cJSON_GetObjectItem(fo, "config")->valuestring, "/etc/k.json");
        cJSON_Delete(l);
        cJSON_Delete(fo);
}

static void test_bool_flag_never_takes_next_argument(void **state)
{
        (void)state;
        /* "--anonymous-auth false" is a bare boolean followed by a stray argument,
         * which the kubelet refuses: that is an error, not anonymous-auth=false. */
        char *argv[] = {"kubelet", "--anonymous-auth", "false"};
        int rc;
        cJSON *l = layer_of(argv, ARRAY_SIZE(argv), NULL, &rc);
        assert_int_equal(rc, -EINVAL);
        assert_true(cJSON_IsTrue(confdoc_get(l, "authentication.anonymous.enabled")));
        cJSON_Delete(l);
}

static void test_list_and_feature_gate_flags_accumulate(void **state)
{
        (void)state;
        char *argv[] = {"kubelet",
                        "--tls-cipher-suites=A,B",
                        "--tls-cipher-suites",
                        "C",
                        "--feature-gates=X=true,RotateKubeletServerCertificate=true",
                        "--feature-gates=RotateKubeletServerCertificate=false"};
        int rc;
        cJSON *l = layer_of(argv, ARRAY_SIZE(argv), NULL, &rc);
        assert_int_equal(rc, 0);
        assert_int_equal(cJSON_GetArraySize(confdoc_get(l, "tlsCipherSuites")), 3);
        assert_true(cJSON_IsTrue(confdoc_get(l, "featureGates.X")));
        assert_true(cJSON_IsFalse(confdoc_get(l, "featureGates.RotateKubeletServerCertificate")));
        cJSON_Delete(l);
}

static void test_invalid_flag_values_are_errors(void **state)
{
        (void)state;
        char *a1[] = {"kubelet", "--read-only-port=ten"};
        char *a2[] = {"kubelet", "--anonymous-auth=maybe"};
        char *a3[] = {"kubelet", "--streaming-connection-idle-timeout=5 minutes"};
        char *a4[] = {"kubelet", "--feature-gates=Broken"};
        char *a5[] = {"kubelet", "--read-only-port"};
        int rc;
        cJSON_Delete(layer_of(a1, 2, NULL, &rc));
        assert_int_equal(rc, -EINVAL);
        cJSON_Delete(layer_of(a2, 2, NULL, &rc));
        assert_int_equal(rc, -EINVAL);
        cJSON_Delete(layer_of(a3, 2, NULL, &rc));
        assert_int_equal(rc, -EINVAL);
        cJSON_Delete(layer_of(a4, 2, NULL, &rc));
        assert_int_equal(rc, -EINVAL);
        cJSON_Delete(layer_of(a5, 2, NULL, &rc));
        assert_int_equal(rc, -EINVAL);
}

static void test_go_duration_and_bool(void **state)
{
        (void)state;
        long long ms;
        assert_int_equal(go_duration_ms("4h0m0s", &ms), 0);
        assert_int_equal(ms, 4LL * 3600 * 1000);
        assert_int_equal(go_duration_ms("1h30m", &ms), 0);
        assert_int_equal(ms, 5400000);
        assert_int_equal(go_duration_ms("1.5s", &ms), 0);
        assert_int_equal(ms, 1500);
        assert_int_equal(go_duration_ms("0", &ms), 0);
        assert_int_equal(ms, 0);
        assert_int_equal(go_duration_ms("5", &ms), -EINVAL);
        assert_int_equal(go_duration_ms("", &ms), -EINVAL);
        assert_int_equal(go_duration_ms("1d", &ms), -EINVAL);
        bool b;
        assert_int_equal(go_parse_bool("T", &b), 0);
        assert_true(b);
        assert_int_equal(go_parse_bool("yes", &b), -EINVAL);
}

static cJSON *parse_ok(const char *text)
{
        cJSON *d = NULL;
        char *err = NULL;
        int r = confdoc_parse(text, strlen(text), &d, &err);
        if (r < 0)
                fail_msg("parse failed: %s", err);
        return d;
}

static void test_yaml_scalars_resolve_like_yaml_1_1(void **state)
{
        (void)state;
        cJSON *d = parse_ok("a: yes\nb: off\nc: 0x1F\nd: \"10255\"\ne: 010\nf: 1.5\ng: ~\nh: 'true'\ni: 1_000\n");
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(d, "a")));
        assert_true(cJSON_IsFalse(cJSON_GetObjectItem(d, "b")));
        assert_int_equal(cJSON_GetObjectItem(d, "c")->valueint, 31);
        assert_true(cJSON_IsString(cJSON_GetObjectItem(d, "d")));
        assert_int_equal(cJSON_GetObjectItem(d, "e")->valueint, 8);
        assert_true(cJSON_GetObjectItem(d, "f")->valuedouble == 1.5);
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(d, "g")));
        assert_true(cJSON_IsString(cJSON_GetObjectItem(d, "h")));
        assert_int_equal(cJSON_GetObjectItem(d, "i")->valueint, 1000);
        cJSON_Delete(d);
}

static void test_duplicate_keys_keep_last(void **state)
{
        (void)state;
        cJSON *j = parse_ok("{\"readOnlyPort\": 0, \"x\": 1, \"readOnlyPort\": 10255}");
        assert_int_equal(cJSON_GetArraySize(j), 2);
        assert_int_equal(cJSON_GetObjectItem(j, "readOnlyPort")->valueint, 10255);
        cJSON_Delete(j);
        cJSON *y = parse_ok("readOnlyPort: 10255\nreadOnlyPort: 0\n");
        assert_int_equal(cJSON_GetObjectItem(y, "readOnlyPort")->valueint, 0);
        cJSON_Delete(y);
}

static void expect_parse_error(const char *text, const char *want_prefix)
{
        cJSON *d = NULL;
        char *err = NULL;
        assert_int_equal(confdoc_parse(text, strlen(text), &d, &err), -EINVAL);
        assert_null(d);
        if (!str_startswith(err, want_prefix))
                fail_msg("error \"%s\" does not start with \"%s\"", err, want_prefix);
        free(err);
}

static void test_parse_errors_carry_line_and_column(void **state)
{
        (void)state;
        expect_parse_error("{\n  \"a\": 1,\n  \"b\": ]\n}", "3:8:");
        expect_parse_error("{\"a\": 1} trailing", "1:10:");
        expect_parse_error("a: 1\n b: 2\n", "2:3:");
        expect_parse_error("- a\n- b\n", "1:1: top level is not a mapping");
        expect_parse_error("a: &x [*x, *x]\nb: [*x]\n", "");
}

/* Flow nesting past 64 levels is refused before libyaml sees it (its scanner is
 * quadratic in flow depth); brackets in quoted scalars and comments do not count. */
static void test_flow_nesting_refused_before_parsing(void **state)
{
        (void)state;
        struct strbuf sb = {0};
        sb_puts(&sb, "a: ");
        for (int i = 0; i < 65; i++)
                sb_putc(&sb, '[');
        expect_parse_error(sb.buf, "1:68: nesting deeper than 64 levels");
        sb_free(&sb);
        sb_puts(&sb, "{\"a\": ");
        for (int i = 0; i < 100; i++)
                sb_puts(&sb, "{\"b\":");
        expect_parse_error(sb.buf, "1:322: nesting deeper than 64 levels");
        sb_free(&sb);
        /* Within quotes (with escapes and YAML's '' ) and comments: plain text. */
        sb_puts(&sb, "a: \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\\"[\"\n"
                     "b: 'it''s [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[['\n"
                     "c: don't # [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n"
                     "d: [1, [2, {e: 3}]]\n");
        cJSON *d = parse_ok(sb.buf);
        assert_string_equal(confdoc_get(d, "c")->valuestring, "don't");
        assert_int_equal(cJSON_GetArraySize(confdoc_get(d, "d")), 2);
        cJSON_Delete(d);
        sb_free(&sb);
}

/* Block nesting ("- - x", "? ? x", indentation) is refused at its first node
 * deeper than 64 levels, and a document past 200,000 nodes at its first node too
 * many, before libyaml's loader builds a tree. */
static void test_block_nesting_and_size_refused_before_loading(void **state)
{
        (void)state;
        struct strbuf sb = {0};
        sb_puts(&sb, "a:\n");
        for (int i = 0; i < 63; i++)
                sb_puts(&sb, "- ");
        sb_puts(&sb, "x\n");
        cJSON *d = parse_ok(sb.buf);
        const cJSON *v = confdoc_get(d, "a");
        for (int i = 0; i < 63; i++) {
                assert_true(cJSON_IsArray(v));
                v = v->child;
        }
        assert_string_equal(v->valuestring, "x");
        cJSON_Delete(d);
        sb_free(&sb);
        sb_puts(&sb, "a:\n");
        for (int i = 0; i < 64; i++)
                sb_puts(&sb, "- ");
        sb_puts(&sb, "x\n");
        expect_parse_error(sb.buf, "2:129: nesting deeper than 64 levels");
        sb_free(&sb);
        for (int i = 0; i < 1000; i++)
                sb_puts(&sb, "? ");
        sb_puts(&sb, "x\n");
        expect_parse_error(sb.buf, "1:131: nesting deeper than 64 levels");
        sb_free(&sb);
        for (int i = 0; i < 70; i++)
                sb_printf(&sb, "%*sk%d:\n", i, "", i);
        expect_parse_error(sb.buf, "65:65: nesting deeper than 64 levels");
        sb_free(&sb);
        sb_puts(&sb, "a:\n");
        for (int i = 0; i < 200000; i++)
                sb_puts(&sb, "- 1\n");
        expect_parse_error(sb.buf, "199999:3: document larger than 200000 nodes");
        sb_free(&sb);
}

static void test_alias_bomb_is_bounded(void **state)
{
        (void)state;
        struct strbuf sb = {0};
        sb_puts(&sb, "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 12; i++)
                sb_printf(&sb, "a%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i, i - 1,
                          i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
        cJSON *d = NULL;
        char *err = NULL;
        assert_int_equal(confdoc_parse(sb.buf, sb.len, &d, &err), -EINVAL);
        assert_non_null(strstr(err, "too large"));
        free(err);
        sb_free(&sb);
}

static void test_merge_objects_recursively_lists_replace(void **state)
{
        (void)state;
        cJSON *base = parse_ok(
                "{\"authentication\":{\"anonymous\":{\"enabled\":false},\"x509\":{\"clientCAFile\":\"/ca\"}},"
                "\"tlsCipherSuites\":[\"A\",\"B\"]}");
        cJSON *over = parse_ok("{\"authentication\":{\"anonymous\":{\"enabled\":true}},\"tlsCipherSuites\":[\"C\"]}");
        confdoc_merge(base, over);
        assert_true(cJSON_IsTrue(confdoc_get(base, "authentication.anonymous.enabled")));
        assert_string_equal(confdoc_get(base, "authentication.x509.clientCAFile")->valuestring, "/ca");
        assert_int_equal(cJSON_GetArraySize(confdoc_get(base, "tlsCipherSuites")), 1);
        cJSON_Delete(base);
        cJSON_Delete(over);
}

static void test_systemd_words_and_expansion(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        tu_write(root, "usr/lib/systemd/system/kubelet.service",
                 "[Unit]\nDescription=x\n[Service]\nEnvironment=\"A=--a=1 --b=2\" B=--solo\n"
                 "ExecStart=/usr/bin/kubelet $A ${B} \"--q=x y\" $UNSET \\\n  --tail\n");
        tu_write(root, "etc/systemd/system/kubelet.service.d/20-b.conf", "[Service]\nEnvironment=B=--from-dropin\n");
        tu_write(root, "usr/lib/systemd/system/kubelet.service.d/20-b.conf", "[Service]\nEnvironment=B=--shadowed\n");
        tu_write(root, "usr/lib/systemd/system/kubelet.service.d/10-a.conf",
                 "[Service]\nEnvironmentFile=-/etc/missing.env\nEnvironmentFile=/etc/a.env\n");
        tu_write(root, "etc/a.env", "# comment\nA=\"--from-file=1\"\n");
        struct rootfs r;
        assert_int_equal(rootfs_open_root(root, &r), 0);
        struct sdunit u;
        char *err = NULL;
        assert_int_equal(sdunit_load(&r, "kubelet.service", &u, &err), 0);
        /* 10-a.conf then 20-b.conf (the /etc copy masks the /usr/lib one). */
        assert_int_equal(u.n_dropins, 2);
        assert_string_equal(u.dropins[1], "/etc/systemd/system/kubelet.service.d/20-b.conf");
        const char *want[] = {"/usr/bin/kubelet", "--from-file=1", "--from-dropin", "--q=x y", "--tail"};
        assert_int_equal(u.argc, ARRAY_SIZE(want));
        for (size_t i = 0; i < ARRAY_SIZE(want); i++)
                assert_string_equal(u.argv[i], want[i]);
        assert_int_equal(u.n_env_files_missing, 1);
        sdunit_free(&u);
        rootfs_close(&r);
        tu_rm_rf(root);
        free(root);
}

static void test_systemd_exec_start_reset_and_mask(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        tu_write(root, "lib/systemd/system/kubelet.service", "[Service]\nExecStart=/usr/bin/kubelet --old\n");
        tu_write(root, "etc/systemd/system/kubelet.service.d/10-kubeadm.conf",
                 "[Service]\nExecStart=\nExecStart=/usr/bin/kubelet --new\n");
        struct rootfs r;
        assert_int_equal(rootfs_open_root(root, &r), 0);
        struct sdunit u;
        char *err = NULL;
        assert_int_equal(sdunit_load(&r, "kubelet.service", &u, &err), 0);
        assert_int_equal(u.argc, 2);
        assert_string_equal(u.argv[1], "--new");
        sdunit_free(&u);
        tu_symlink(root, "etc/systemd/system/kubelet.service", "/dev/null");
        assert_int_equal(sdunit_load(&r, "kubelet.service", &u, &err), -ENOENT);
        rootfs_close(&r);
        tu_rm_rf(root);
        free(root);
}

/* Each "$A" or "${A}" copies A again: a short line over a long variable must cost
 * no more than a command line Linux would start (found by fuzz_sdunit: thousands
 * of references to a megabyte variable took gigabytes and minutes). */
static void test_expansion_is_bounded_by_what_linux_would_start(void **state)
{
        (void)state;
        size_t vlen = 512 * 1024;
        char *env = malloc(vlen + 8);
        memcpy(env, "A=", 2);
        /* 4096 words: within the word cap, so the byte budget is what stops it. */
        for (size_t i = 0; i < vlen; i++)
                env[2 + i] = i % 128 == 127 ? ' ' : 'x';
        env[2 + vlen] = '\0';
        struct strbuf unit = {0};
        sb_puts(&unit, "[Service]\nExecStart=/usr/bin/kubelet");
        for (int i = 0; i < 4000; i++)
                sb_puts(&unit, i % 2 ? " $A" : " x${A}y");
        sb_puts(&unit, "\n");
        char *text = sb_steal(&unit);
        char **argv = NULL;
        size_t argc = 0;
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        assert_int_equal(sdunit_exec_from_text(text, env, &argv, &argc), -EOVERFLOW);
        clock_gettime(CLOCK_MONOTONIC, &b);
        assert_true((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 < 5000);
        free(text);
        /* Within the budget, unchanged: one reference of each kind. */
        assert_int_equal(sdunit_exec_from_text("[Service]\nExecStart=/k $A --x=${A}\n", "A=1 2\n", &argv, &argc), 0);
        assert_int_equal(argc, 4);
        assert_string_equal(argv[1], "1");
        assert_string_equal(argv[2], "2");
        assert_string_equal(argv[3], "--x=1 2");
        strv_free(argv, argc);
        free(env);
}

/* A variable of more words than a command line may have is refused, not cut
 * short: the flag at its end would otherwise go unseen. */
static void test_variable_past_the_word_cap_is_an_error(void **state)
{
        (void)state;
        struct strbuf env = {0};
        sb_puts(&env, "A=");
        for (int i = 0; i < 8192; i++)
                sb_puts(&env, "--v=2 ");
        sb_puts(&env, "--read-only-port=10255\n");
        char **argv = NULL;
        size_t argc = 0;
        assert_int_equal(sdunit_exec_from_text("[Service]\nExecStart=/k $A\n", env.buf, &argv, &argc), -E2BIG);
        sb_free(&env);
        sb_puts(&env, "A=");
        for (int i = 0; i < 8190; i++)
                sb_puts(&env, "--v=2 ");
        sb_puts(&env, "--read-only-port=10255\n");
        assert_int_equal(sdunit_exec_from_text("[Service]\nExecStart=/k $A\n", env.buf, &argv, &argc), 0);
        assert_int_equal(argc, 8192);
        assert_string_equal(argv[8191], "--read-only-port=10255");
        strv_free(argv, argc);
        sb_free(&env);
}

static void test_missing_required_environment_file_is_not_a_missing_unit(void **state)
{
        (void)state;
        char *root = tu_mkdtemp();
        tu_write(root, "etc/systemd/system/kubelet.service",
                 "[Service]\nEnvironmentFile=/etc/sysconfig/kubelet\nExecStart=/usr/bin/kubelet $KUBELET_ARGS\n");
        struct rootfs r;
        assert_int_equal(rootfs_open_root(root, &r), 0);
        struct sdunit u;
        char *err = NULL;
        /* systemd would refuse to start it: an error naming the file, not "no unit". */
        assert_int_equal(sdunit_load(&r, "kubelet.service", &u, &err), -ENOEXEC);
        assert_non_null(err);
        assert_non_null(strstr(err, "EnvironmentFile=/etc/sysconfig/kubelet: "));
        free(err);
        rootfs_close(&r);
        tu_rm_rf(root);
        free(root);
}

/* kubelet.service in a fresh root with @dropin as its one drop-in (and @envfile as
 * /etc/sysconfig/kubelet when not NULL): sdunit_load()'s result, and what
 * kubelet discovery (no kubelet running) makes of it in *@ret_load_error. */
static int load_padded_unit(const char *dropin, const char *envfile, char **ret_err, char **ret_load_error)
{
        char *root = tu_mkdtemp();
        tu_write(root, "etc/systemd/system/kubelet.service",
                 "[Service]\nExecStart=/usr/bin/kubelet $KUBELET_EXTRA_ARGS\n");
        tu_write(root, "etc/systemd/system/kubelet.service.d/10-pad.conf", dropin);
        if (envfile)
                tu_write(root, "etc/sysconfig/kubelet", envfile);
        tu_write(root, "proc/.keep", "");
        struct rootfs r, proc;
        assert_int_equal(rootfs_open_root(root, &r), 0);
        struct sdunit u;
        *ret_err = NULL;
        int rc = sdunit_load(&r, "kubelet.service", &u, ret_err);
        if (rc == 0)
                sdunit_free(&u);
        assert_int_equal(rootfs_open_subroot(&r, "proc", &proc), 0);
        struct proc_table procs;
        assert_int_equal(proc_table_read(&proc, &procs), 0);
        struct kubelet_facts k;
        kubelet_collect(&r, &proc, &procs, &k);
        *ret_load_error = k.load_error ? strdup(k.load_error) : NULL;
        kubelet_facts_free(&k);
        proc_table_free(&procs);
        rootfs_close(&proc);
        rootfs_close(&r);
        tu_rm_rf(root);
        free(root);
        return rc;
}

static void assert_padded_unit_refused(const char *dropin, const char *envfile, const char *why)
{
        char *err, *load_error;
        assert_int_equal(load_padded_unit(dropin, envfile, &err, &load_error), -E2BIG);
        if (!err || !strstr(err, why) || !load_error || !strstr(load_error, why))
                fail_msg("want \"%s\"; sdunit_load: %s; kubelet discovery: %s", why, err ? err : "(none)",
                         load_error ? load_error : "(none)");
        free(err);
        free(load_error);
}

/* Padding a unit past what nodeward holds must not hide a later
 * KUBELET_EXTRA_ARGS: an Environment= line of more words than nodeward splits,
 * more assignments than it keeps (in Environment= lines or in an
 * EnvironmentFile=), and more EnvironmentFile= lines than it reads are errors
 * that reach kubelet discovery, never dropped. */
static void test_padded_unit_environment_is_an_error(void **state)
{
        (void)state;
        struct strbuf sb = {0};
        sb_puts(&sb, "[Service]\nEnvironment=");
        for (int i = 0; i < 8192; i++)
                sb_puts(&sb, "x ");
        sb_puts(&sb, "KUBELET_EXTRA_ARGS=--read-only-port=10255\n");
        assert_padded_unit_refused(sb.buf, NULL, "10-pad.conf: Environment=: more than 8192 words on one line");
        sb_free(&sb);
        sb_puts(&sb, "[Service]\n");
        for (int i = 0; i < 4096; i++)
                sb_printf(&sb, "Environment=P%d=1\n", i);
        sb_puts(&sb, "Environment=KUBELET_EXTRA_ARGS=--read-only-port=10255\n");
        assert_padded_unit_refused(sb.buf, NULL, "10-pad.conf: Environment=: more than 4096 variables");
        sb_free(&sb);
        sb_puts(&sb, "[Service]\n");
        for (int i = 0; i < 64; i++)
                sb_puts(&sb, "EnvironmentFile=-/etc/sysconfig/none\n");
        sb_puts(&sb, "EnvironmentFile=/etc/sysconfig/kubelet\n");
        assert_padded_unit_refused(sb.buf, "KUBELET_EXTRA_ARGS=--read-only-port=10255\n",
                                   "10-pad.conf: more than 64 EnvironmentFile= lines");
        sb_free(&sb);
        for (int i = 0; i < 4096; i++)
                sb_printf(&sb, "P%d=1\n", i);
        sb_puts(&sb, "KUBELET_EXTRA_ARGS=--read-only-port=10255\n");
        assert_padded_unit_refused("[Service]\nEnvironment=A=1\nEnvironmentFile=/etc/sysconfig/kubelet\n", sb.buf,
                                   "EnvironmentFile=/etc/sysconfig/kubelet: more than 4096 variables");
        sb_free(&sb);
}

/* At the caps, nothing is refused: 4096 variables and 64 EnvironmentFile= lines. */
static void test_unit_environment_at_its_caps_is_read(void **state)
{
        (void)state;
        struct strbuf sb = {0}, env = {0};
        sb_puts(&sb, "[Service]\nEnvironment=A=1\n");
        for (int i = 0; i < 63; i++)
                sb_puts(&sb, "EnvironmentFile=-/etc/sysconfig/none\n");
        sb_puts(&sb, "EnvironmentFile=/etc/sysconfig/kubelet\n");
        for (int i = 0; i < 4094; i++)
                sb_printf(&env, "P%d=1\n", i);
        sb_puts(&env, "KUBELET_EXTRA_ARGS=--read-only-port=10255\n");
        char *err, *load_error;
        assert_int_equal(load_padded_unit(sb.buf, env.buf, &err, &load_error), 0);
        assert_null(err);
        assert_null(load_error);
        char **argv = NULL;
        size_t argc = 0;
        assert_int_equal(sdunit_exec_from_text("[Service]\nExecStart=/k $KUBELET_EXTRA_ARGS\n", env.buf, &argv, &argc),
                         0);
        assert_int_equal(argc, 2);
        assert_string_equal(argv[1], "--read-only-port=10255");
        strv_free(argv, argc);
        sb_free(&sb);
        sb_free(&env);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_flag_forms_and_last_wins),
                cmocka_unit_test(test_bool_flag_never_takes_next_argument),
                cmocka_unit_test(test_list_and_feature_gate_flags_accumulate),
                cmocka_unit_test(test_invalid_flag_values_are_errors),
                cmocka_unit_test(test_go_duration_and_bool),
                cmocka_unit_test(test_yaml_scalars_resolve_like_yaml_1_1),
                cmocka_unit_test(test_duplicate_keys_keep_last),
                cmocka_unit_test(test_parse_errors_carry_line_and_column),
                cmocka_unit_test(test_flow_nesting_refused_before_parsing),
                cmocka_unit_test(test_block_nesting_and_size_refused_before_loading),
                cmocka_unit_test(test_alias_bomb_is_bounded),
                cmocka_unit_test(test_merge_objects_recursively_lists_replace),
                cmocka_unit_test(test_systemd_words_and_expansion),
                cmocka_unit_test(test_systemd_exec_start_reset_and_mask),
                cmocka_unit_test(test_missing_required_environment_file_is_not_a_missing_unit),
                cmocka_unit_test(test_expansion_is_bounded_by_what_linux_would_start),
                cmocka_unit_test(test_variable_past_the_word_cap_is_an_error),
                cmocka_unit_test(test_padded_unit_environment_is_an_error),
                cmocka_unit_test(test_unit_environment_at_its_caps_is_read),
        };
        return cmocka_run_group_tests_name("kubelet parsing", tests, NULL, tu_group_teardown);
}
