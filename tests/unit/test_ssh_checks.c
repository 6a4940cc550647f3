/* test_ssh_checks: each ssh check judges the resolved sshd settings, with origin in its evidence. */
#include "testutil.h"
#include "collect/facts.h"

#include "check.h"

static struct facts F;

/* Facts whose sshd config is @text (as /etc/ssh/sshd_config), defaults filled. */
static void with_config(const char *text)
{
        facts_free(&F);
        memset(&F, 0, sizeof(F));
        F.root_path = strdup("/fixture");
        F.sshd.cfg.found = true;
        F.sshd.cfg.main_path = strdup("/etc/ssh/sshd_config");
        if (sshd_config_parse_string(&F.sshd.cfg, NULL, "/etc/ssh/sshd_config", text) == 0)
                sshd_config_fill_defaults(&F.sshd.cfg);
}

static void expect(check_fn fn, enum status want, const char *needle)
{
        struct result r = {0};
        fn(&F, &r);
        if (r.status != want || (needle && !strstr(r.evidence, needle)))
                fail_msg("status %s (want %s), evidence: %s", status_name(r.status), status_name(want), r.evidence);
        free(r.evidence);
}

static int teardown(void **state)
{
        (void)state;
        facts_free(&F);
        return 0;
}

static void test_permit_root_login(void **state)
{
        (void)state;
        with_config("");
        expect(check_ssh_permit_root_login, ST_FAIL, "permitrootlogin without-password (default)");
        with_config("PermitRootLogin no\n");
        expect(check_ssh_permit_root_login, ST_PASS, "(/etc/ssh/sshd_config line 1)");
}

static void test_password_authentication_covers_kbd_interactive(void **state)
{
        (void)state;
        with_config("PasswordAuthentication no\n");
        expect(check_ssh_password_authentication, ST_FAIL, "kbdinteractiveauthentication yes (default)");
        with_config("PasswordAuthentication no\nChallengeResponseAuthentication no\n");
        expect(check_ssh_password_authentication, ST_PASS,
               "kbdinteractiveauthentication no (/etc/ssh/sshd_config line 2)");
}

static void test_simple_flags(void **state)
{
        (void)state;
        with_config("PermitEmptyPasswords yes\nPermitUserEnvironment LANG\nX11Forwarding yes\n");
        expect(check_ssh_permit_empty_passwords, ST_FAIL, "permitemptypasswords yes");
        expect(check_ssh_permit_user_environment, ST_FAIL, "permituserenvironment LANG");
        expect(check_ssh_x11_forwarding, ST_FAIL, "x11forwarding yes");
        with_config("");
        expect(check_ssh_permit_empty_passwords, ST_PASS, NULL);
        expect(check_ssh_permit_user_environment, ST_PASS, NULL);
        expect(check_ssh_x11_forwarding, ST_PASS, NULL);
}

static void test_hostbased_with_ignore_rhosts(void **state)
{
        (void)state;
        with_config("IgnoreRhosts no\n");
        expect(check_ssh_hostbased_authentication, ST_FAIL, "ignorerhosts no");
        with_config("");
        expect(check_ssh_hostbased_authentication, ST_PASS, "hostbasedauthentication no (default)");
}

static void test_tcp_forwarding_and_disable_forwarding(void **state)
{
        (void)state;
        with_config("AllowTcpForwarding local\n");
        expect(check_ssh_tcp_forwarding, ST_FAIL, "allowtcpforwarding local");
        with_config("DisableForwarding yes\n");
        expect(check_ssh_tcp_forwarding, ST_PASS, "disableforwarding yes");
}

static void test_limits(void **state)
{
        (void)state;
        with_config("MaxAuthTries 5\nLoginGraceTime 1m1s\nClientAliveInterval 0\nLogLevel QUIET\n");
        expect(check_ssh_max_auth_tries, ST_FAIL, "maxauthtries 5");
        expect(check_ssh_login_grace_time, ST_FAIL, "logingracetime 61");
        expect(check_ssh_client_alive, ST_FAIL, "clientaliveinterval 0");
        expect(check_ssh_log_level, ST_FAIL, "loglevel QUIET");
        with_config("MaxAuthTries 4\nLoginGraceTime 1m\nClientAliveInterval 5m\nLogLevel verbose\n");
        expect(check_ssh_max_auth_tries, ST_PASS, NULL);
        expect(check_ssh_login_grace_time, ST_PASS, "logingracetime 60");
        expect(check_ssh_client_alive, ST_PASS, "clientaliveinterval 300");
        expect(check_ssh_log_level, ST_PASS, "loglevel VERBOSE");
}

static void test_access_limited(void **state)
{
        (void)state;
        with_config("");
        expect(check_ssh_access_limited, ST_FAIL, "every account");
        with_config("AllowGroups ops admins\n");
        expect(check_ssh_access_limited, ST_PASS, "allowgroups ops admins");
}

static void test_match_override_names_block_and_line(void **state)
{
        (void)state;
        with_config("PermitRootLogin no\nX11Forwarding no\nMatch Address 10.0.0.0/8\n  X11Forwarding no\n"
                    "Match User deploy\n  PermitRootLogin yes\n");
        expect(check_ssh_match_override, ST_FAIL,
               "Match User deploy (/etc/ssh/sshd_config line 5) sets permitrootlogin yes (line 6)");
        with_config("PermitRootLogin no\nMatch User deploy\n  PermitRootLogin no\n");
        expect(check_ssh_match_override, ST_PASS, "1 Match block");
}

/* sshd takes a keyword's first value among the blocks a connection matches: a later
 * block of the same criteria is shadowed by an earlier one that sets it safely,
 * whatever blocks lie between them, and not by one that sets it weakly too. */
static void test_match_override_skips_shadowed_blocks(void **state)
{
        (void)state;
        with_config("PermitRootLogin no\nPasswordAuthentication no\n"
                    "Match User a\n PermitRootLogin no\nMatch User b\n X11Forwarding no\n"
                    "Match User a\n PermitRootLogin yes\nMatch User c\n PasswordAuthentication yes\n"
                    "Match User d\n PermitRootLogin yes\nMatch User d\n PermitRootLogin forced-commands-only\n");
        struct result r = {0};
        check_ssh_match_override(&F, &r);
        assert_int_equal(r.status, ST_FAIL);
        assert_string_equal(r.evidence,
                            "Match User c (/etc/ssh/sshd_config line 9) sets passwordauthentication yes (line 10); "
                            "Match User d (/etc/ssh/sshd_config line 11) sets permitrootlogin yes (line 12); "
                            "Match User d (/etc/ssh/sshd_config line 13) sets permitrootlogin forced-commands-only "
                            "(line 14)");
        free(r.evidence);
}

static void test_config_checks_skip_without_config_and_error_when_refused(void **state)
{
        (void)state;
        facts_free(&F);
        memset(&F, 0, sizeof(F));
        F.root_path = strdup("/fixture");
        expect(check_ssh_permit_root_login, ST_SKIP, "no sshd_config under /fixture");
        expect(check_ssh_match_override, ST_SKIP, NULL);
        expect(check_ssh_daemon_enabled, ST_PASS, "neither running nor enabled");
        with_config("PermitRootLogin no\nBogus 1\n");
        expect(check_ssh_permit_root_login, ST_ERROR, "/etc/ssh/sshd_config line 2: Bad configuration option: Bogus");
}

static void test_file_modes(void **state)
{
        (void)state;
        with_config("");
        F.sshd.cfg.files[0].st.st_mode = S_IFREG | 0666;
        expect(check_ssh_config_permissions, ST_FAIL, "/etc/ssh/sshd_config mode 0666 uid 0");
        F.sshd.cfg.files[0].st.st_mode = S_IFREG | 0600;
        expect(check_ssh_config_permissions, ST_PASS, NULL);
        expect(check_ssh_host_key_permissions, ST_SKIP, "no private host key");
        struct sshd_keyfile k = {.path = strdup("/etc/ssh/ssh_host_ed25519_key")};
        k.st.st_mode = S_IFREG | 0644;
        F.sshd.host_keys = calloc(1, sizeof(k));
        F.sshd.host_keys[0] = k;
        F.sshd.n_host_keys = 1;
        expect(check_ssh_host_key_permissions, ST_FAIL, "ssh_host_ed25519_key mode 0644");
        F.sshd.host_keys[0].st.st_mode = S_IFREG | 0600;
        expect(check_ssh_host_key_permissions, ST_PASS, NULL);
}

static void test_authorized_keys_and_daemon(void **state)
{
        (void)state;
        with_config("AuthorizedKeysCommand /usr/bin/keys %u\nAuthorizedKeysCommandUser nobody\n");
        expect(check_ssh_authorized_keys, ST_FAIL, "AuthorizedKeysCommand /usr/bin/keys %u (as nobody)");
        F.sshd.running_pid = 811;
        F.sshd.enabled_units = calloc(1, sizeof(char *));
        F.sshd.enabled_units[0] = strdup("/etc/systemd/system/multi-user.target.wants/ssh.service");
        F.sshd.n_enabled_units = 1;
        expect(check_ssh_daemon_enabled, ST_FAIL, "sshd running (pid 811); enabled: /etc/systemd/system/multi-user");
}

/* Without the process table a running sshd would go unseen: that is not a pass. An enabled
 * unit still fails, as it needs no process table to show. */
static void test_daemon_enabled_is_an_error_without_the_process_table(void **state)
{
        (void)state;
        with_config("");
        F.procs_error = strdup("/fixture/proc: Permission denied");
        expect(check_ssh_daemon_enabled, ST_ERROR,
               "the process table could not be read: /fixture/proc: Permission denied");
        F.sshd.enabled_units = calloc(1, sizeof(char *));
        F.sshd.enabled_units[0] = strdup("/etc/systemd/system/multi-user.target.wants/sshd.service");
        F.sshd.n_enabled_units = 1;
        expect(check_ssh_daemon_enabled, ST_FAIL, "enabled: /etc/systemd/system/multi-user.target.wants/sshd");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_permit_root_login),
                cmocka_unit_test(test_password_authentication_covers_kbd_interactive),
                cmocka_unit_test(test_simple_flags),
                cmocka_unit_test(test_hostbased_with_ignore_rhosts),
                cmocka_unit_test(test_tcp_forwarding_and_disable_forwarding),
                cmocka_unit_test(test_limits),
                cmocka_unit_test(test_access_limited),
                cmocka_unit_test(test_match_override_names_block_and_line),
                cmocka_unit_test(test_match_override_skips_shadowed_blocks),
                cmocka_unit_test(test_config_checks_skip_without_config_and_error_when_refused),
                cmocka_unit_test(test_file_modes),
                cmocka_unit_test(test_authorized_keys_and_daemon),
                cmocka_unit_test(test_daemon_enabled_is_an_error_without_the_process_table),
        };
        return cmocka_run_group_tests(tests, NULL, teardown);
}
