/* test_bottlerocket: the datastore's value and path rules, base64, admin user-data, and the checks on built facts.
 * Key encoding: bottlerocket-os/bottlerocket sources/api/datastore/src/filesystem.rs (ENCODE_CHARACTERS);
 * user-data keys: bottlerocket-admin-container start_admin.sh (authorized-keys and authorized_keys,
 * trusted-user-ca-keys, authorized-keys-command[-user], user defaulting to ec2-user). */
#include "testutil.h"
#include "collect/facts.h"

#include "collect/node/bottlerocket.h"
#include "check.h"
#include "base/util.h"

static void test_segments_encode_all_but_alnum_dash_underscore(void **state)
{
        (void)state;
        char *s = br_encode_segment("host-containers");
        assert_string_equal(s, "host-containers");
        free(s);
        s = br_encode_segment("a.b/c%");
        assert_string_equal(s, "a%2Eb%2Fc%25");
        free(s);
        s = br_encode_segment("..");
        assert_string_equal(s, "%2E%2E");
        free(s);
        s = br_encode_segment("\xc3\xa4_Z9");
        assert_string_equal(s, "%C3%A4_Z9");
        free(s);
}

static void test_values_are_json_of_the_expected_type(void **state)
{
        (void)state;
        bool b = false;
        assert_int_equal(br_value_bool("true", 4, &b), 0);
        assert_true(b);
        assert_int_equal(br_value_bool(" false\n", 7, &b), 0);
        assert_false(b);
        assert_int_equal(br_value_bool("\"true\"", 6, &b), -EINVAL);
        assert_int_equal(br_value_bool("1", 1, &b), -EINVAL);
        assert_int_equal(br_value_bool("yes", 3, &b), -EINVAL);
        assert_int_equal(br_value_bool("", 0, &b), -EINVAL);
        char *s = NULL;
        assert_int_equal(br_value_string("\"aws\"", 5, &s), 0);
        assert_string_equal(s, "aws");
        free(s);
        assert_int_equal(br_value_string("aws", 3, &s), -EINVAL);
        assert_int_equal(br_value_string("null", 4, &s), -EINVAL);
}

static void expect_b64(const char *in, const char *want)
{
        char *out;
        size_t n;
        assert_int_equal(br_base64_decode(in, strlen(in), &out, &n), 0);
        assert_int_equal(n, strlen(want));
        assert_memory_equal(out, want, n);
        free(out);
}

static void test_base64_is_rfc4648_and_strict(void **state)
{
        (void)state;
        /* RFC 4648 section 10 test vectors. */
        expect_b64("", "");
        expect_b64("Zg==", "f");
        expect_b64("Zm8=", "fo");
        expect_b64("Zm9v", "foo");
        expect_b64("Zm9vYg==", "foob");
        expect_b64("Zm9vYmE=", "fooba");
        expect_b64("Zm9vYmFy", "foobar");
        expect_b64("Zm9v\nYmFy\n", "foobar");
        expect_b64("Zg", "f"); /* padding optional */
        char *out;
        size_t n;
        assert_int_equal(br_base64_decode("Zm9v!", 5, &out, &n), -EINVAL);
        assert_int_equal(br_base64_decode("Z", 1, &out, &n), -EINVAL);
        assert_int_equal(br_base64_decode("Zg==Zg==", 8, &out, &n), -EINVAL);
        assert_int_equal(br_base64_decode("Zg===", 5, &out, &n), -EINVAL);
        assert_int_equal(br_base64_decode("Zm9v\0YmFy", 9, &out, &n), -EINVAL);
}

static struct br_ssh_access parse_ok(const char *json)
{
        struct br_ssh_access a = {0};
        assert_int_equal(br_parse_admin_user_data(json, strlen(json), &a), 0);
        assert_true(a.parsed);
        return a;
}

static void test_user_data_counts_keys_by_kind(void **state)
{
        (void)state;
        struct br_ssh_access a = parse_ok("{\"ssh\":{\"authorized-keys\":[\"ssh-ed25519 AAAA a\",\"ssh-rsa AAAA b\"],"
                                          "\"trusted-user-ca-keys\":[\"ssh-ed25519 AAAA ca\"]}}");
        assert_int_equal(a.n_authorized_keys, 2);
        assert_int_equal(a.n_trusted_ca_keys, 1);
        assert_false(a.keys_command);
        assert_string_equal(a.user, "ec2-user");
        br_ssh_access_free(&a);
        /* start_admin.sh also reads the underscore spellings. */
        a = parse_ok("{\"ssh\":{\"authorized_keys\":[\"k\"],\"trusted_user_ca_keys\":[\"c\",\"d\"]}}");
        assert_int_equal(a.n_authorized_keys, 1);
        assert_int_equal(a.n_trusted_ca_keys, 2);
        br_ssh_access_free(&a);
        /* Non-strings and empty strings are not keys. */
        a = parse_ok("{\"ssh\":{\"authorized-keys\":[1,null,\"\",{\"k\":1},\"k\"]}}");
        assert_int_equal(a.n_authorized_keys, 1);
        br_ssh_access_free(&a);
        a = parse_ok("{\"user\":\"ops\",\"password-hash\":\"$6$x$y\",\"ssh\":{\"authorized-keys-command\":\"/x %u\","
                     "\"authorized-keys-command-user\":\"ec2-instance-connect\"}}");
        assert_true(a.keys_command);
        assert_true(a.password_hash);
        assert_string_equal(a.user, "ops");
        assert_string_equal(a.keys_command_user, "ec2-instance-connect");
        br_ssh_access_free(&a);
}

static void test_user_data_names_are_validated_as_start_admin_does(void **state)
{
        (void)state;
        struct br_ssh_access a = parse_ok("{\"user\":\"Root; rm -rf /\",\"ssh\":{\"authorized-keys-command-user\":"
                                          "\"\\u001b[31mx\"}}");
        assert_string_equal(a.user, "ec2-user");
        assert_null(a.keys_command_user);
        br_ssh_access_free(&a);
        a = parse_ok("{\"user\":\"abcdefghijklmnopqrstuvwxyz0123456\"}"); /* 33 characters */
        assert_string_equal(a.user, "ec2-user");
        br_ssh_access_free(&a);
        assert_int_equal(br_parse_admin_user_data("[]", 2, &a), -EINVAL);
        assert_int_equal(br_parse_admin_user_data("{", 1, &a), -EINVAL);
        assert_false(a.parsed);
}

/* Facts of a Bottlerocket node whose datastore was read. */
static struct facts br_node(void)
{
        struct facts f = {0};
        f.root_path = (char *)"/host";
        f.node.os = (char *)"Bottlerocket OS 1.26.1 (aws-k8s-1.31)";
        f.node.br.is_bottlerocket = true;
        f.node.br.datastore_found = true;
        f.node.br.admin.enabled = f.node.br.admin.superpowered = BR_UNSET;
        f.node.br.control.enabled = f.node.br.control.superpowered = BR_UNSET;
        f.node.br.kube.standalone_mode = f.node.br.kube.server_tls_bootstrap = BR_UNSET;
        f.collected = FACT_NODE | FACT_BOTTLEROCKET;
        return f;
}

static enum status run(void (*fn)(const struct facts *, struct result *), const struct facts *f, char **ret_ev)
{
        struct result r = {0};
        fn(f, &r);
        *ret_ev = r.evidence;
        return r.status;
}

static void test_unset_settings_take_the_aws_defaults(void **state)
{
        (void)state;
        struct facts f = br_node();
        char *ev;
        /* aws-host-containers.toml: admin disabled, control enabled and not superpowered. */
        assert_int_equal(run(check_bottlerocket_admin_container, &f, &ev), ST_PASS);
        assert_non_null(strstr(ev, "enabled false (default)"));
        free(ev);
        assert_int_equal(run(check_bottlerocket_control_container, &f, &ev), ST_PASS);
        assert_non_null(strstr(ev, "enabled true (default), superpowered false (default)"));
        free(ev);
        f.node.br.admin.enabled = BR_TRUE; /* superpowered unset: true by default */
        assert_int_equal(run(check_bottlerocket_admin_container, &f, &ev), ST_FAIL);
        assert_non_null(strstr(ev, "superpowered true (default)"));
        free(ev);
}

static void test_disabled_admin_with_a_running_sshd_is_not_applied(void **state)
{
        (void)state;
        struct facts f = br_node();
        f.node.br.admin.enabled = BR_FALSE;
        f.node.br.admin_sshd.pid = 812;
        char *ev;
        assert_int_equal(run(check_bottlerocket_admin_container, &f, &ev), ST_FAIL);
        assert_non_null(strstr(ev, "yet its sshd runs (pid 812)"));
        free(ev);
}

static void test_admin_ssh_error_when_the_container_root_is_unreadable(void **state)
{
        (void)state;
        struct facts f = br_node();
        f.node.br.admin.enabled = BR_TRUE;
        f.node.br.admin_sshd.root_error = (char *)"/host/proc/812/root: Permission denied";
        char *ev;
        assert_int_equal(run(check_bottlerocket_admin_ssh, &f, &ev), ST_ERROR);
        assert_non_null(strstr(ev, "its root is unreadable: /host/proc/812/root"));
        free(ev);
        f.node.br.admin_sshd.root_error = NULL;
        f.node.br.admin_ssh.error = (char *)"settings.host-containers.admin.user-data: not base64";
        assert_int_equal(run(check_bottlerocket_admin_ssh, &f, &ev), ST_ERROR);
        assert_non_null(strstr(ev, "user-data unreadable (settings.host-containers.admin.user-data: not base64)"));
        free(ev);
}

static void test_admin_ssh_is_an_error_without_the_listeners(void **state)
{
        (void)state;
        /* A running admin sshd whose listeners could not be read: where it listens
         * is unknown, not the ListenAddress of its configuration. */
        struct facts f = br_node();
        f.collected |= FACT_SOCKETS;
        f.sockets.error = (char *)"/host/proc/1/ns/net: Permission denied";
        f.node.br.admin.enabled = BR_TRUE;
        f.node.br.admin_sshd.pid = 812;
        f.node.br.admin_sshd.cfg.found = true;
        f.node.br.admin_sshd.cfg.main_path = (char *)"/etc/ssh/sshd_config";
        f.node.br.admin_ssh.parsed = true;
        f.node.br.admin_ssh.from = (char *)"datastore";
        f.node.br.admin_ssh.user = (char *)"ec2-user";
        f.node.br.admin_ssh.n_authorized_keys = 1;
        char *ev;
        assert_int_equal(run(check_bottlerocket_admin_ssh, &f, &ev), ST_ERROR);
        assert_non_null(strstr(ev, "authorized keys 1"));
        assert_non_null(strstr(ev, "; not evaluated: the listening sockets could not be read: /host/proc/1/ns/net: "
                                   "Permission denied"));
        free(ev);
}

static void test_checks_skip_off_bottlerocket(void **state)
{
        (void)state;
        struct facts f = {0};
        f.node.os = (char *)"Amazon Linux 2023.6.20241212";
        void (*fns[])(const struct facts *,
                      struct result *) = {check_bottlerocket_admin_container, check_bottlerocket_admin_ssh,
                                          check_bottlerocket_control_container, check_bottlerocket_standalone_mode};
        for (size_t i = 0; i < ARRAY_SIZE(fns); i++) {
                char *ev;
                assert_int_equal(run(fns[i], &f, &ev), ST_SKIP);
                assert_non_null(strstr(ev, "Amazon Linux 2023"));
                free(ev);
        }
}

static void detect_in(const char *os_release, struct br_facts *ret)
{
        char *root = tu_mkdtemp();
        tu_write(root, "etc/os-release", os_release);
        struct rootfs r = {.fd = -1};
        assert_int_equal(rootfs_open_root(root, &r), 0);
        memset(ret, 0, sizeof(*ret));
        bottlerocket_detect(&r, ret);
        rootfs_close(&r);
        tu_rm_rf(root);
        free(root);
}

static void test_detect_reads_id_and_keeps_only_well_formed_variants(void **state)
{
        (void)state;
        struct br_facts f;
        detect_in("NAME=Bottlerocket\nID=bottlerocket\nVERSION_ID=1.26.1\nVARIANT_ID=aws-k8s-1.31\n", &f);
        assert_true(f.is_bottlerocket);
        assert_string_equal(f.variant, "aws-k8s-1.31");
        assert_string_equal(f.version, "1.26.1");
        bottlerocket_facts_free(&f);
        detect_in("ID=\"bottlerocket\"\nVARIANT_ID=\"aws\x1b[2Jk8s\"\n", &f);
        assert_true(f.is_bottlerocket);
        assert_null(f.variant); /* an escape sequence is never printed */
        bottlerocket_facts_free(&f);
        detect_in("ID=amzn\nID_LIKE=\"centos rhel fedora\"\nVARIANT_ID=bottlerocket\n", &f);
        assert_false(f.is_bottlerocket);
        assert_null(f.variant);
        bottlerocket_facts_free(&f);
}

/* Detect on a root made by @setup (a function of the root's path), with no os-release unless it writes one. */
static void detect_root(void (*setup)(const char *root), struct br_facts *ret)
{
        char *root = tu_mkdtemp();
        setup(root);
        struct rootfs r = {.fd = -1};
        assert_int_equal(rootfs_open_root(root, &r), 0);
        memset(ret, 0, sizeof(*ret));
        bottlerocket_detect(&r, ret);
        rootfs_close(&r);
        tu_rm_rf(root);
        free(root);
}

/* The datastore as the migrator leaves it (bottlerocket-os/bottlerocket sources/api/migration/README.md):
 * current -> v1.20 -> v1.20.3 -> v1.20.3_<random>, settings under live/. */
static void datastore_chain(const char *root)
{
        tu_write(root, "var/lib/bottlerocket/datastore/v1.20.3_5c2b6e1a/live/settings/kubernetes/standalone-mode",
                 "false");
        tu_symlink(root, "var/lib/bottlerocket/datastore/v1.20.3", "v1.20.3_5c2b6e1a");
        tu_symlink(root, "var/lib/bottlerocket/datastore/v1.20", "v1.20.3");
        tu_symlink(root, "var/lib/bottlerocket/datastore/current", "v1.20");
}

static void datastore_and_amzn_os_release(const char *root)
{
        datastore_chain(root);
        tu_write(root, "usr/lib/os-release", "NAME=\"Amazon Linux\"\nID=\"amzn\"\n");
}

static void datastore_without_settings(const char *root)
{
        tu_write(root, "var/lib/bottlerocket/datastore/v1.20.3_5c2b6e1a/live/os/stray", "1");
        tu_symlink(root, "var/lib/bottlerocket/datastore/current", "v1.20.3_5c2b6e1a");
}

static void test_detect_by_the_datastore_without_os_release(void **state)
{
        (void)state;
        struct br_facts f;
        detect_root(datastore_chain, &f);
        assert_true(f.is_bottlerocket);
        assert_null(f.variant);
        assert_string_equal(f.version, "1.20.3"); /* the most specific link on the chain */
        assert_string_equal(f.detected_by, "its settings datastore /var/lib/bottlerocket/datastore/current/live "
                                           "(no os-release; datastore version 1.20.3)");
        bottlerocket_facts_free(&f);
        /* An os-release that names another OS wins over a datastore. */
        detect_root(datastore_and_amzn_os_release, &f);
        assert_false(f.is_bottlerocket);
        assert_null(f.detected_by);
        bottlerocket_facts_free(&f);
        detect_root(datastore_without_settings, &f);
        assert_false(f.is_bottlerocket);
        bottlerocket_facts_free(&f);
        detect_in("ID=bottlerocket\nVARIANT_ID=aws-k8s-1.30\n", &f);
        assert_string_equal(f.detected_by, "os-release ID=bottlerocket in /etc/os-release");
        bottlerocket_facts_free(&f);

        char *v = br_datastore_version("v1.20.3_5c2b6e1a");
        assert_string_equal(v, "1.20.3");
        free(v);
        v = br_datastore_version("v1.20");
        assert_string_equal(v, "1.20");
        free(v);
        assert_null(br_datastore_version("v1.20.3-rc_x"));
        assert_null(br_datastore_version("v.1"));
        assert_null(br_datastore_version("v1..2"));
        assert_null(br_datastore_version("live"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_segments_encode_all_but_alnum_dash_underscore),
                cmocka_unit_test(test_values_are_json_of_the_expected_type),
                cmocka_unit_test(test_base64_is_rfc4648_and_strict),
                cmocka_unit_test(test_user_data_counts_keys_by_kind),
                cmocka_unit_test(test_user_data_names_are_validated_as_start_admin_does),
                cmocka_unit_test(test_unset_settings_take_the_aws_defaults),
                cmocka_unit_test(test_disabled_admin_with_a_running_sshd_is_not_applied),
                cmocka_unit_test(test_admin_ssh_error_when_the_container_root_is_unreadable),
                cmocka_unit_test(test_admin_ssh_is_an_error_without_the_listeners),
                cmocka_unit_test(test_checks_skip_off_bottlerocket),
                cmocka_unit_test(test_detect_reads_id_and_keeps_only_well_formed_variants),
                cmocka_unit_test(test_detect_by_the_datastore_without_os_release),
        };
        return cmocka_run_group_tests_name("Bottlerocket settings and checks", tests, NULL, tu_group_teardown);
}
