/* test_boot_units: every directive of every unit against the systemd release that
 * introduced it; the systemd 219 variants (Amazon Linux 2) use nothing newer, and
 * `make install` picks the variant the host's systemd can read. */
#include "fleet.h"

#include <dirent.h>

/* The first systemd release that knows each directive (or value), from systemd's
 * NEWS ("CHANGES WITH N", as shipped in /usr/share/doc/systemd/NEWS.gz of
 * systemd 252), where it announces the setting. 1: settings from systemd's first
 * releases, before NEWS announced each one. Marked "man": NEWS does not announce
 * it; the version is the one systemd.exec(5)/systemd.timer(5) give. A directive
 * missing here fails the test: add it with its source. */
static const struct directive {
        const char *key;
        int since;
} directives[] = {
        {"Description", 1},
        {"Documentation", 183},
        {"Wants", 1},
        {"Requires", 1},
        {"After", 1},
        {"Before", 1},
        {"ConditionPathExists", 1},
        {"WantedBy", 1},
        {"Type", 1},
        {"RemainAfterExit", 1},
        {"ExecStart", 1},
        {"Environment", 1},
        {"StandardOutput", 1},
        {"StandardError", 1},
        {"SyslogIdentifier", 1},
        {"UMask", 1},
        {"Nice", 1},
        {"IOSchedulingClass", 1},
        {"CapabilityBoundingSet", 1},
        {"PrivateTmp", 1},
        {"ReadOnlyDirectories", 1},
        {"ReadWriteDirectories", 1},
        {"DevicePolicy", 1},
        {"MemoryLimit", 1},
        {"OnBootSec", 1},
        {"OnUnitActiveSec", 1},
        {"TimeoutStartSec", 188},
        {"SuccessExitStatus", 189},
        {"SystemCallFilter", 187},
        {"NoNewPrivileges", 187}, /* man; NEWS 187 introduces it with SystemCallFilter= only implicitly */
        {"PrivateDevices", 209},
        {"SystemCallArchitectures", 209},
        {"SystemCallErrorNumber", 209},
        {"AccuracySec", 209},
        {"RestrictAddressFamilies", 211},
        {"Persistent", 212}, /* man */
        {"CPUQuota", 213},
        {"ProtectHome", 214},
        {"ProtectSystem", 214},
        {"AmbientCapabilities", 229},
        {"RandomizedDelaySec", 229},
        {"MemoryMax", 231}, /* man: the unified-hierarchy MemoryMax= of 231's cgroup v2 work */
        {"ReadWritePaths", 231},
        {"MemoryDenyWriteExecute", 231},
        {"RestrictRealtime", 231},
        {"RemoveIPC", 232},
        {"ProtectKernelTunables", 232},
        {"ProtectKernelModules", 232},
        {"ProtectControlGroups", 232},
        {"RestrictNamespaces", 233},
        {"StateDirectory", 235},
        {"StateDirectoryMode", 235},
        {"IPAddressAllow", 235},
        {"IPAddressDeny", 235},
        {"KeyringMode", 235},
        {"LockPersonality", 235},
        {"PrivateMounts", 239},
        {"ProtectHostname", 242},
        {"RestrictSUIDSGID", 242},
        {"ProtectKernelLogs", 244},
        {"ProtectClock", 245},
        {"ProcSubset", 247},
        {"PrivateIPC", 248},
};

/* Values newer than their directive (NEWS): syscall groups (231; @swap and @reboot
 * 233; @system-service first named in 241), ProtectSystem=strict (232). */
static int value_since(const char *key, const char *word)
{
        if (strcmp(key, "SystemCallFilter") == 0) {
                const char *w = word[0] == '~' ? word + 1 : word;
                if (strcmp(w, "@system-service") == 0)
                        return 241;
                if (strcmp(w, "@swap") == 0 || strcmp(w, "@reboot") == 0)
                        return 233;
                if (w[0] == '@')
                        return 231;
        }
        if (strcmp(key, "ProtectSystem") == 0 && strcmp(word, "strict") == 0)
                return 232;
        return 0;
}

/* The newest release any line of @path needs; fails on an unknown directive. */
static int unit_needs(const char *path, char *ret_newest, size_t n)
{
        FILE *f = fopen(path, "r");
        if (!f)
                fail_msg("%s: %s", path, strerror(errno));
        char line[4096];
        int newest = 0, lineno = 0;
        while (fgets(line, sizeof(line), f)) {
                lineno++;
                line[strcspn(line, "\n")] = '\0';
                if (!line[0] || line[0] == '#' || line[0] == ';' || line[0] == '[')
                        continue;
                char *eq = strchr(line, '=');
                if (!eq)
                        fail_msg("%s:%d: not KEY=VALUE: %s", path, lineno, line);
                *eq = '\0';
                int since = -1;
                for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]); i++)
                        if (strcmp(directives[i].key, line) == 0)
                                since = directives[i].since;
                if (since < 0)
                        fail_msg("%s:%d: %s= is not in the table of introduction versions", path, lineno, line);
                char *save = NULL;
                for (char *w = strtok_r(eq + 1, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                        int v = value_since(line, w);
                        since = v > since ? v : since;
                }
                if (since > newest) {
                        newest = since;
                        snprintf(ret_newest, n, "%s:%d %s=", path, lineno, line);
                }
        }
        fclose(f);
        return newest;
}

/* The newest release needed by the units in @dir (*.service, *.timer, *.example). */
static int dir_needs(const char *dir, char *ret_newest, size_t n)
{
        DIR *d = opendir(dir);
        assert_non_null(d);
        int newest = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
                size_t l = strlen(e->d_name);
                if (e->d_type != DT_REG || l < 6 || e->d_name[l - 1] == '8')
                        continue;
                char path[4096], which[8400];
                snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
                int v = unit_needs(path, which, sizeof(which));
                if (v > newest) {
                        newest = v;
                        snprintf(ret_newest, n, "%s", which);
                }
        }
        closedir(d);
        return newest;
}

static int makefile_units_min(void)
{
        char *out;
        assert_int_equal(fl_sh("sed -n 's/^SYSTEMD_UNITS_MIN *:= *\\([0-9]*\\)$/\\1/p' Makefile", &out, NULL), 0);
        int v = atoi(out);
        free(out);
        return v;
}

static void test_al2_units_need_nothing_newer_than_219(void **state)
{
        (void)state;
        char which[8400] = "";
        int v = dir_needs("systemd/systemd219", which, sizeof(which));
        printf("systemd/systemd219 needs systemd %d (%s)\n", v, which);
        if (v > 219)
                fail_msg("%s needs systemd %d; Amazon Linux 2 has 219", which, v);
        /* The kubelet drop-in is installed on every host, AL2 included. */
        v = dir_needs("systemd/kubelet.service.d", which, sizeof(which));
        assert_true(v <= 219);
}

static void test_install_threshold_is_what_the_units_need(void **state)
{
        (void)state;
        char which[8400] = "";
        int v = dir_needs("systemd", which, sizeof(which));
        printf("systemd/ needs systemd %d (%s)\n", v, which);
        assert_int_equal(v, makefile_units_min());
}

/* A line of @path must contain @needle. */
static void assert_line(const char *path, const char *needle)
{
        char cmd[4096];
        snprintf(cmd, sizeof(cmd), "grep -qxF -- '%s' '%s'", needle, path);
        if (fl_sh(cmd, NULL, NULL) != 0)
                fail_msg("%s lacks the line %s", path, needle);
}

static void test_units_order_after_the_kubelet_config_writers(void **state)
{
        (void)state;
        static const char *const boot[] = {"systemd/nodeward-boot.service", "systemd/systemd219/nodeward-boot.service"};
        for (size_t i = 0; i < 2; i++)
                assert_line(boot[i], "After=network-online.target local-fs.target nodeadm-config.service "
                                     "cloud-final.service");
        static const char *const gate[] = {"systemd/nodeward-gate.service", "systemd/systemd219/nodeward-gate.service"};
        for (size_t i = 0; i < 2; i++) {
                assert_line(gate[i], "After=network-online.target local-fs.target nodeadm-config.service");
                assert_line(gate[i], "Before=kubelet.service");
                assert_line(gate[i], "ExecStart=/usr/local/sbin/nodeward check --expect kubelet --fail-on high "
                                     "--format text");
                /* Exit 2 must fail the gate: nothing may declare it a success. */
                char cmd[512];
                snprintf(cmd, sizeof(cmd), "grep -q '^SuccessExitStatus=' '%s'", gate[i]);
                assert_int_not_equal(fl_sh(cmd, NULL, NULL), 0);
        }
}

static void test_units_let_capset_and_the_metadata_and_dns_addresses_through(void **state)
{
        (void)state;
        static const char *const modern[] = {"systemd/nodeward-boot.service", "systemd/nodeward-gate.service",
                                             "systemd/nodeward.service"};
        for (size_t i = 0; i < 3; i++) {
                /* After the deny list, so it adds capset back (systemd.exec(5): later
                 * assignments of the other kind edit the list). */
                char cmd[1024], *out;
                snprintf(cmd, sizeof(cmd), "grep -n '^SystemCallFilter=' '%s' | cut -d: -f2-", modern[i]);
                assert_int_equal(fl_sh(cmd, &out, NULL), 0);
                assert_non_null(strstr(out, "SystemCallFilter=~@privileged"));
                if (!strstr(out, "SystemCallFilter=capset\n") ||
                    strstr(out, "SystemCallFilter=capset\n") < strstr(out, "~@privileged"))
                        fail_msg("%s: capset is not allowed after the deny list:\n%s", modern[i], out);
                free(out);
                assert_line(modern[i], "IPAddressDeny=any");
                assert_line(modern[i], "IPAddressAllow=localhost link-local fd00:ec2::253 fd00:ec2::254");
                assert_line(modern[i], "IPAddressAllow=10.0.0.0/8 172.16.0.0/12 192.168.0.0/16 100.64.0.0/10");
        }
        int rc = fl_sh("grep -h '^SystemCallFilter=' systemd/systemd219/*.service | grep -w capset", NULL, NULL);
        assert_int_not_equal(rc, 0);
}

/* `make install` of the units for systemd @version into a scratch DESTDIR. */
static char *install_for(const char *version)
{
        char build[4096], *dest, cmd[16384], *err;
        snprintf(build, sizeof(build), "%s", tu_nodeward());
        *strrchr(build, '/') = '\0';
        assert_true(asprintf(&dest, "%s/v%s", scratch, version) > 0);
        snprintf(cmd, sizeof(cmd),
                 "make -s --no-print-directory install BUILD='%s' DESTDIR='%s' PREFIX=/usr "
                 "SYSTEMD_VERSION=%s",
                 build, dest, version);
        int rc = fl_sh(cmd, NULL, &err);
        if (rc != 0)
                fail_msg("%s: exit %d: %s", cmd, rc, err);
        free(err);
        return dest;
}

static void test_make_install_picks_the_variant_the_host_can_read(void **state)
{
        (void)state;
        static const struct {
                const char *version;
                bool legacy;
        } cases[] = {{"219", true}, {"247", true}, {"248", false}, {"252", false}};
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                _cleanup_free_ char *dest = install_for(cases[i].version);
                char path[8192], which[8400];
                snprintf(path, sizeof(path), "%s/usr/lib/systemd/system", dest);
                int v = dir_needs(path, which, sizeof(which));
                printf("SYSTEMD_VERSION=%s: installed units need systemd %d\n", cases[i].version, v);
                assert_true(v <= atoi(cases[i].version));
                snprintf(path, sizeof(path), "%s/var/lib/nodeward", dest);
                struct stat st;
                /* Only the 219 units rely on the state directory existing. */
                assert_int_equal(stat(path, &st) == 0, cases[i].legacy);
                snprintf(path, sizeof(path), "%s/usr/lib/systemd/system/nodeward-boot.service", dest);
                assert_line(path, "ExecStart=/usr/sbin/nodeward check --expect kubelet --format text");
        }
}

/* systemd-analyze verify accepts the 219 variants (on this host's newer systemd,
 * which only notes that MemoryLimit= has a newer name). */
static void test_al2_units_pass_systemd_analyze_verify(void **state)
{
        (void)state;
        fl_need_tool("systemd-analyze");
        _cleanup_free_ char *dest = install_for("219");
        char cmd[16384], *out, *err;
        snprintf(
                cmd, sizeof(cmd),
                "cd '%s/usr/lib/systemd/system' && sed -i 's|/usr/sbin/nodeward|/bin/true|' *.service &&"
                " SYSTEMD_LOG_COLOR=0 MANPATH=/nonexistent systemd-analyze verify --man=no nodeward-boot.service"
                " nodeward-gate.service nodeward.service nodeward.timer 2>&1 | grep -v 'Unit uses MemoryLimit=; please use MemoryMax='",
                dest);
        fl_sh(cmd, &out, &err);
        if (*out)
                fail_msg("systemd-analyze verify: %s", out);
        free(out);
        free(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_al2_units_need_nothing_newer_than_219),
                cmocka_unit_test(test_install_threshold_is_what_the_units_need),
                cmocka_unit_test(test_units_order_after_the_kubelet_config_writers),
                cmocka_unit_test(test_units_let_capset_and_the_metadata_and_dns_addresses_through),
                cmocka_unit_test(test_make_install_picks_the_variant_the_host_can_read),
                cmocka_unit_test(test_al2_units_pass_systemd_analyze_verify),
        };
        return cmocka_run_group_tests(tests, fl_setup, fl_teardown);
}
