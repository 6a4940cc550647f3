/* test_ssh_check: `nodeward check --only ssh --format json` over fixture node roots. */
#include "testutil.h"

static char *root;

static int setup_each(void **state)
{
        (void)state;
        root = tu_mkdtemp();
        return 0;
}

static int teardown_each(void **state)
{
        (void)state;
        tu_rm_rf(root);
        free(root);
        return 0;
}

/* A node where a cloud-init drop-in, included first, turns passwords back on. */
static void write_node(void)
{
        tu_write(root, "etc/ssh/sshd_config",
                 "Include /etc/ssh/sshd_config.d/*.conf\n"
                 "PermitRootLogin no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                 "MaxAuthTries 3\nLoginGraceTime 30\nClientAliveInterval 300\nAllowGroups ops\n"
                 "X11Forwarding no\nAllowTcpForwarding no\n"
                 "Match User deploy\n  PermitRootLogin yes\n");
        tu_write(root, "etc/ssh/sshd_config.d/50-cloud-init.conf", "PasswordAuthentication yes\n");
        tu_write_bin(root, "etc/ssh/ssh_host_ed25519_key", "fixture, not a key\n", 19, 0644);
        tu_write_bin(root, "etc/ssh/ssh_host_rsa_key", "fixture, not a key\n", 19, 0600);
        tu_write(root, "etc/passwd",
                 "root:x:0:0:root:/root:/bin/bash\nec2-user:x:1000:1000::/home/ec2-user:/bin/bash\n");
        tu_write_bin(root, "home/ec2-user/.ssh/authorized_keys", "fixture\n", 8, 0600);
        tu_symlink(root, "etc/systemd/system/multi-user.target.wants/sshd.service",
                   "/usr/lib/systemd/system/sshd.service");
        tu_write(root, "usr/lib/systemd/system/sshd.service", "[Service]\nExecStart=/usr/sbin/sshd -D\n");
        const char *argv[] = {"sshd: /usr/sbin/sshd -D -o LogLevel=VERBOSE [listener] 0 of 10-100 startups", NULL};
        tu_write_proc(root, 811, "sshd", argv);
}

static void test_check_only_ssh_reports_effective_values(void **state)
{
        (void)state;
        write_node();
        int rc;
        cJSON *j = tu_check_json(root, "ssh", &rc);
        assert_int_equal(rc, 1);
        tu_assert_result(j, "ssh.password-authentication", "fail",
                         "passwordauthentication yes (/etc/ssh/sshd_config.d/50-cloud-init.conf line 1)");
        tu_assert_result(j, "ssh.permit-root-login", "pass", "permitrootlogin no (/etc/ssh/sshd_config line 2)");
        tu_assert_result(j, "ssh.log-level", "pass", "loglevel VERBOSE (command-line)");
        tu_assert_result(j, "ssh.max-auth-tries", "pass", "maxauthtries 3");
        tu_assert_result(j, "ssh.login-grace-time", "pass", "logingracetime 30");
        tu_assert_result(j, "ssh.client-alive", "pass", "clientaliveinterval 300");
        tu_assert_result(j, "ssh.access-limited", "pass", "allowgroups ops");
        tu_assert_result(j, "ssh.tcp-forwarding", "pass", NULL);
        tu_assert_result(j, "ssh.match-override", "fail", "Match User deploy (/etc/ssh/sshd_config line 11)");
        tu_assert_result(j, "ssh.host-key-permissions", "fail", "/etc/ssh/ssh_host_ed25519_key mode 0644");
        tu_assert_result(j, "ssh.authorized-keys", "fail", "ec2-user (/home/ec2-user/.ssh/authorized_keys)");
        tu_assert_result(j, "ssh.daemon-enabled", "fail", "sshd running (pid 811)");
        tu_assert_result(j, "ssh.config-permissions", "pass", "2 file(s)");
        /* Every check of this area ran (other areas may add ssh.* ids of their own). */
        static const char *const ids[] = {"ssh.permit-root-login",
                                          "ssh.password-authentication",
                                          "ssh.permit-empty-passwords",
                                          "ssh.hostbased-authentication",
                                          "ssh.permit-user-environment",
                                          "ssh.x11-forwarding",
                                          "ssh.tcp-forwarding",
                                          "ssh.max-auth-tries",
                                          "ssh.login-grace-time",
                                          "ssh.client-alive",
                                          "ssh.log-level",
                                          "ssh.access-limited",
                                          "ssh.match-override",
                                          "ssh.config-permissions",
                                          "ssh.host-key-permissions",
                                          "ssh.authorized-keys",
                                          "ssh.daemon-enabled"};
        for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
                if (!tu_result(j, ids[i]))
                        fail_msg("no result for %s", ids[i]);
        cJSON_Delete(j);
}

static void test_refused_config_makes_config_checks_error(void **state)
{
        (void)state;
        tu_write(root, "etc/ssh/sshd_config", "PermitRootLogin no\nInclude extra.conf\n");
        tu_write(root, "etc/ssh/extra.conf", "\nPermitRootLogin perhaps\n");
        int rc;
        cJSON *j = tu_check_json(root, "ssh", &rc);
        tu_assert_result(j, "ssh.permit-root-login", "error",
                         "/etc/ssh/extra.conf line 2: unsupported option \"perhaps\"");
        /* The root has no proc/: whether sshd runs is unknown, which is not a pass. */
        tu_assert_result(j, "ssh.daemon-enabled", "error", "not evaluated: the process table could not be read: ");
        assert_int_equal(rc, 2);
        cJSON_Delete(j);
        char *argv[] = {(char *)tu_nodeward(), "explain", "sshd", "--root", root, NULL};
        char *out, *err;
        assert_int_equal(tu_run(argv, &out, &err), 2);
        assert_non_null(strstr(err, "/etc/ssh/extra.conf line 2: unsupported option"));
        assert_string_equal(out, "");
        free(out);
        free(err);
}

static void test_no_config_skips_config_checks(void **state)
{
        (void)state;
        tu_write(root, "etc/hostname", "node\n");
        tu_write(root, "proc/.keep", ""); /* a process table with no sshd in it */
        int rc;
        cJSON *j = tu_check_json(root, "ssh.permit-root-login,ssh.config-permissions,ssh.daemon-enabled", &rc);
        tu_assert_result(j, "ssh.permit-root-login", "skip", "no sshd_config under");
        tu_assert_result(j, "ssh.config-permissions", "skip", "no sshd_config under");
        tu_assert_result(j, "ssh.daemon-enabled", "pass", NULL);
        assert_int_equal(rc, 0);
        cJSON_Delete(j);
}

static void test_explain_prints_sshd_T_lines(void **state)
{
        (void)state;
        write_node();
        char *argv[] = {(char *)tu_nodeward(), "explain", "sshd", "--root", root, NULL};
        char *out, *err;
        assert_int_equal(tu_run(argv, &out, &err), 0);
        assert_non_null(strstr(out, "port 22\naddressfamily any\nlistenaddress [::]:22\nlistenaddress 0.0.0.0:22\n"));
        assert_non_null(strstr(out, "\npasswordauthentication yes\n"));
        assert_non_null(strstr(out, "\nloglevel VERBOSE\n"));
        assert_non_null(strstr(out, "\nallowgroups ops\n"));
        free(out);
        free(err);
}

static char *explain_out(void)
{
        char *argv[] = {(char *)tu_nodeward(), "explain", "sshd", "--root", root, NULL};
        char *out, *err;
        assert_int_equal(tu_run(argv, &out, &err), 0);
        free(err);
        return out;
}

/* A second listener, named by the pid file: explain takes its flags without reading
 * the process table; check still reads the table and names the lowest listener. */
static void test_explain_takes_the_sshd_its_pid_file_names(void **state)
{
        (void)state;
        write_node();
        const char *second[] = {"/usr/sbin/sshd", "-D", "-o", "PermitRootLogin=yes", "-p", "2222", NULL};
        tu_write_proc(root, 900, "sshd", second);
        tu_symlink(root, "var/run", "../run");
        tu_write(root, "run/sshd.pid", "900\n");
        char *out = explain_out();
        assert_non_null(strstr(out, "port 2222\n"));
        assert_non_null(strstr(out, "\npermitrootlogin yes\n"));
        assert_null(strstr(out, "\nloglevel VERBOSE\n")); /* 811's flag */
        free(out);
        int rc;
        cJSON *j = tu_check_json(root, "ssh.daemon-enabled", &rc);
        tu_assert_result(j, "ssh.daemon-enabled", "fail", "sshd running (pid 811)");
        cJSON_Delete(j);
}

/* A pid file naming a connection's child, or a process gone, or a link out of the
 * root: the scan finds the listener, 811, as it did before there was a pid file. */
static void test_explain_stale_pid_file_falls_back_to_the_scan(void **state)
{
        (void)state;
        write_node();
        const char *child[] = {"sshd: ec2-user [priv]", NULL};
        tu_write_proc(root, 4242, "sshd", child);
        char *outside = tu_mkdtemp(), target[4096];
        const char *second[] = {"/usr/sbin/sshd", "-D", "-p", "2222", NULL};
        tu_write_proc(outside, 900, "sshd", second);
        tu_write(outside, "sshd.pid", "900\n");
        snprintf(target, sizeof(target), "%s/sshd.pid", outside);
        static const char *const texts[] = {"4242\n", "31337\n", NULL};
        for (size_t i = 0; i < 3; i++) {
                if (texts[i])
                        tu_write(root, "run/sshd.pid", texts[i]);
                else
                        tu_symlink(root, "run/sshd.pid", target);
                char *out = explain_out();
                assert_non_null(strstr(out, "port 22\n"));
                assert_non_null(strstr(out, "\nloglevel VERBOSE\n"));
                free(out);
        }
        tu_rm_rf(outside);
        free(outside);
}

/* The checked-in AL2023-style root: the cloud-init drop-in is read before the main file. */
static void test_al2023_fixture_cloud_init_dropin_wins(void **state)
{
        (void)state;
        char src[4096];
        snprintf(src, sizeof(src), "%s/ssh-al2023", tu_fixtures());
        tu_copy_tree(src, root);
        tu_write(root, "proc/.keep", ""); /* a process table with no sshd in it */
        int rc;
        cJSON *j = tu_check_json(root, "ssh", &rc);
        assert_int_equal(rc, 1);
        tu_assert_result(j, "ssh.password-authentication", "fail",
                         "passwordauthentication yes (/etc/ssh/sshd_config.d/50-cloud-init.conf line 2); "
                         "kbdinteractiveauthentication no (/etc/ssh/sshd_config.d/50-redhat.conf line 5)");
        tu_assert_result(j, "ssh.x11-forwarding", "fail",
                         "x11forwarding yes (/etc/ssh/sshd_config.d/50-redhat.conf line 9)");
        tu_assert_result(j, "ssh.permit-root-login", "fail",
                         "permitrootlogin forced-commands-only (/etc/ssh/sshd_config line 13)");
        tu_assert_result(j, "ssh.authorized-keys", "fail",
                         "AuthorizedKeysCommand /opt/aws/bin/eic_run_authorized_keys %u %f (as ec2-instance-connect)");
        tu_assert_result(j, "ssh.host-key-permissions", "skip", "no private host key files");
        tu_assert_result(j, "ssh.daemon-enabled", "pass", NULL);
        cJSON_Delete(j);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_check_only_ssh_reports_effective_values, setup_each,
                                                teardown_each),
                cmocka_unit_test_setup_teardown(test_refused_config_makes_config_checks_error, setup_each,
                                                teardown_each),
                cmocka_unit_test_setup_teardown(test_no_config_skips_config_checks, setup_each, teardown_each),
                cmocka_unit_test_setup_teardown(test_explain_prints_sshd_T_lines, setup_each, teardown_each),
                cmocka_unit_test_setup_teardown(test_al2023_fixture_cloud_init_dropin_wins, setup_each, teardown_each),
                cmocka_unit_test_setup_teardown(test_explain_takes_the_sshd_its_pid_file_names, setup_each,
                                                teardown_each),
                cmocka_unit_test_setup_teardown(test_explain_stale_pid_file_falls_back_to_the_scan, setup_each,
                                                teardown_each),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
