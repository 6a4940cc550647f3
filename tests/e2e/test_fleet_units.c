/* test_fleet_units: make install's tree, the systemd units under systemd-analyze, and the man page under man. */
#include "fleet.h"

/* `make install` with the binary under test (BUILD is its directory, already built). */
static void make_install(const char *vars)
{
        char build[4096], cmd[8192], *err;
        snprintf(build, sizeof(build), "%s", tu_nodeward());
        *strrchr(build, '/') = '\0';
        snprintf(cmd, sizeof(cmd), "make -s --no-print-directory install BUILD='%s' %s", build, vars);
        int rc = fl_sh(cmd, NULL, &err);
        if (rc != 0)
                fail_msg("%s: exit %d: %s", cmd, rc, err);
        free(err);
}

static void assert_file(const char *root, const char *rel, mode_t mode, const char *needle)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s%s", root, rel);
        struct stat st;
        if (stat(path, &st) != 0)
                fail_msg("make install did not create %s", rel);
        if ((st.st_mode & 07777) != mode)
                fail_msg("%s: mode %04o, want %04o", rel, st.st_mode & 07777, mode);
        if (!needle)
                return;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        char *s = tu_read_fd(fd);
        close(fd);
        if (!strstr(s, needle))
                fail_msg("%s lacks \"%s\"", rel, needle);
        free(s);
}

static void test_make_install_destdir_tree(void **state)
{
        (void)state;
        char dest[4200], vars[8400], *out;
        snprintf(dest, sizeof(dest), "%s/destdir", scratch);
        snprintf(vars, sizeof(vars), "DESTDIR='%s' PREFIX=/usr SYSTEMD_VERSION=252", dest);
        make_install(vars);
        assert_file(dest, "/usr/sbin/nodeward", 0755, NULL);
        /* Units name the installed binary, not the default /usr/local one. */
        assert_file(dest, "/usr/lib/systemd/system/nodeward-boot.service", 0644,
                    "ExecStart=/usr/sbin/nodeward check --expect kubelet --format text\n");
        assert_file(dest, "/usr/lib/systemd/system/nodeward-gate.service", 0644,
                    "ExecStart=/usr/sbin/nodeward check --expect kubelet --fail-on high --format text\n");
        assert_file(dest, "/usr/lib/systemd/system/nodeward.service", 0644,
                    "ExecStart=/usr/sbin/nodeward check --format json");
        assert_file(dest, "/usr/lib/systemd/system/nodeward.timer", 0644, "OnUnitActiveSec=");
        assert_file(dest, "/usr/share/man/man8/nodeward.8", 0644, ".TH NODEWARD 8");
        /* The report's JSON Schema, for consumers to validate against. */
        assert_file(dest, "/usr/share/doc/nodeward/nodeward.report.v1.schema.json", 0644, "\"nodeward.report/v1\"");
        assert_file(dest, "/usr/share/doc/nodeward/examples/kubelet.service.d-nodeward-gate.conf", 0644,
                    "Requires=nodeward-gate.service");
        /* Nothing else, nothing outside DESTDIR. */
        char cmd[8400];
        snprintf(cmd, sizeof(cmd), "cd '%s' && find . -type f | sort", dest);
        assert_int_equal(fl_sh(cmd, &out, NULL), 0);
        assert_string_equal(out, "./usr/lib/systemd/system/nodeward-boot.service\n"
                                 "./usr/lib/systemd/system/nodeward-gate.service\n"
                                 "./usr/lib/systemd/system/nodeward.service\n"
                                 "./usr/lib/systemd/system/nodeward.timer\n"
                                 "./usr/sbin/nodeward\n"
                                 "./usr/share/doc/nodeward/examples/kubelet.service.d-nodeward-gate.conf\n"
                                 "./usr/share/doc/nodeward/nodeward.report.v1.schema.json\n"
                                 "./usr/share/man/man8/nodeward.8\n");
        free(out);
}

/* systemd-analyze verify: exit 0 and not one warning (unknown keys only warn). */
static void verify_units(const char *dir, const char *units)
{
        char cmd[8192], *out, *err;
        snprintf(cmd, sizeof(cmd),
                 "cd '%s/lib/systemd/system' && MANPATH='%s/share/man' SYSTEMD_LOG_COLOR=0 "
                 "systemd-analyze verify %s",
                 dir, dir, units);
        int rc = fl_sh(cmd, &out, &err);
        if (rc != 0 || *err)
                fail_msg("systemd-analyze verify %s: exit %d\n%s%s", units, rc, out, err);
        free(out);
        free(err);
}

/* Installed under a scratch PREFIX without DESTDIR, so ExecStart= and man: exist for verify. */
static char *install_prefix(void)
{
        char *prefix, vars[4400];
        assert_true(asprintf(&prefix, "%s/prefix", scratch) > 0);
        snprintf(vars, sizeof(vars), "PREFIX='%s' SYSTEMD_VERSION=252", prefix);
        make_install(vars);
        return prefix;
}

static void test_units_pass_systemd_analyze_verify(void **state)
{
        (void)state;
        fl_need_tool("systemd-analyze");
        fl_need_tool("man");
        _cleanup_free_ char *prefix = install_prefix();
        verify_units(prefix, "nodeward-boot.service nodeward-gate.service nodeward.service nodeward.timer");
        /* verify is a real judge: a misspelt key in a drop-in makes it speak. */
        char cmd[8192], *err;
        snprintf(cmd, sizeof(cmd),
                 "cd '%s/lib/systemd/system' && mkdir -p nodeward.service.d && "
                 "printf '[Service]\\nProtectSystem=strictest\\n' > nodeward.service.d/bad.conf && "
                 "MANPATH='%s/share/man' systemd-analyze verify nodeward.service; rm -r nodeward.service.d",
                 prefix, prefix);
        fl_sh(cmd, NULL, &err);
        assert_non_null(strstr(err, "bad.conf:2: "));
        free(err);
}

static void test_kubelet_gate_dropins_pass_verify(void **state)
{
        (void)state;
        fl_need_tool("systemd-analyze");
        _cleanup_free_ char *prefix = install_prefix();
        char cmd[16384];
        /* The drop-ins as the operator installs them, beside a stand-in kubelet.service. */
        snprintf(
                cmd, sizeof(cmd),
                "set -e; cd '%s/lib/systemd/system'; ex='%s/share/doc/nodeward/examples';"
                "mkdir -p kubelet.service.d;"
                "cp \"$ex/kubelet.service.d-nodeward-gate.conf\" kubelet.service.d/nodeward-gate.conf;"
                "printf '[Unit]\\nDescription=stand-in kubelet\\n[Service]\\nExecStart=/bin/true\\n' > kubelet.service",
                prefix, prefix);
        assert_int_equal(fl_sh(cmd, NULL, NULL), 0);
        verify_units(prefix, "nodeward-gate.service kubelet.service");
        char *out;
        snprintf(cmd, sizeof(cmd),
                 "cd '%s/lib/systemd/system' && grep -h -e '^Before=' -e '^Requires=' -e '^After=nodeward' "
                 "nodeward-gate.service kubelet.service.d/*.conf",
                 prefix);
        assert_int_equal(fl_sh(cmd, &out, NULL), 0);
        assert_string_equal(out,
                            "Before=kubelet.service\nRequires=nodeward-gate.service\nAfter=nodeward-gate.service\n");
        free(out);
        /* The gate is never ordered after cloud-final.service: on AL2 the kubelet is
         * started from inside it (bootstrap.sh's `systemctl start kubelet`). */
        snprintf(cmd, sizeof(cmd), "grep -l '^After=.*cloud-final' '%s/lib/systemd/system/nodeward-gate.service'",
                 prefix);
        assert_int_not_equal(fl_sh(cmd, NULL, NULL), 0);
}

static void test_boot_unit_security_is_ok_or_better(void **state)
{
        (void)state;
        fl_need_tool("systemd-analyze");
        char *out, *err;
        int rc = fl_sh("systemd-analyze security --offline=true --no-pager systemd/nodeward-boot.service", &out, &err);
        const char *verdict = strstr(out, "Overall exposure level for nodeward-boot.service: ");
        if (rc != 0 || !verdict)
                fail_msg("systemd-analyze security: exit %d\n%s%s", rc, out, err);
        double score = 10;
        char level[32] = "";
        assert_int_equal(sscanf(verdict + strlen("Overall exposure level for nodeward-boot.service: "), "%lf %31s",
                                &score, level),
                         2);
        printf("nodeward-boot.service exposure %.1f %s\n", score, level);
        if (strcmp(level, "OK") && strcmp(level, "SAFE") && strcmp(level, "PERFECT"))
                fail_msg("exposure %.1f %s: want OK or better", score, level);
        assert_true(score < 5.0);
        free(out);
        free(err);
}

static void test_man_page_renders_cleanly(void **state)
{
        (void)state;
        fl_need_tool("man");
        char *out, *err;
        int rc = fl_sh("MANWIDTH=80 MAN_KEEP_FORMATTING=0 man --warnings -l systemd/nodeward.8 | col -b", &out, &err);
        if (rc != 0 || *err)
                fail_msg("man -l: exit %d: %s", rc, err);
        static const char *const want[] = {"NODEWARD(8)", "SYNOPSIS", "EXIT STATUS", "never exits 194",
                                           "--textfile PATH", "sarif", "prometheus", "npd", "SEE ALSO",
                                           /* every command, and Debian's name for node_exporter's page */
                                           "--interval SECONDS", "nodeward help [COMMAND]",
                                           "nodeward fix --dry-run [--root DIR] [--proc DIR] [--out DIR]",
                                           "prometheus-node-exporter(1)"};
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
                if (!strstr(out, want[i]))
                        fail_msg("the rendered page lacks \"%s\"", want[i]);
        assert_null(strstr(out, " node_exporter(1)"));
        free(out);
        free(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_make_install_destdir_tree),
                cmocka_unit_test(test_units_pass_systemd_analyze_verify),
                cmocka_unit_test(test_kubelet_gate_dropins_pass_verify),
                cmocka_unit_test(test_boot_unit_security_is_ok_or_better),
                cmocka_unit_test(test_man_page_renders_cleanly),
        };
        return cmocka_run_group_tests(tests, fl_setup, fl_teardown);
}
