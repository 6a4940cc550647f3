/* test_bottlerocket: Bottlerocket roots (EKS defaults, admin container enabled, standalone mode) and their verdicts.
 * Semantics pinned here come from bottlerocket-os/bottlerocket (sources/shared-defaults/aws-host-containers.toml,
 * packages/kubernetes-1.30/kubelet-config, sources/api/datastore/src/filesystem.rs), bottlerocket-core-kit
 * (sources/api/shibaken/src/admin_userdata.rs, sources/api/host-containers/src/main.rs) and
 * bottlerocket-admin-container (start_admin.sh, sshd_config); see each fixture's SOURCES.md. */
#include "../testutil.h"

#include <signal.h>
#include <sys/mount.h>

/* The throwaway public key in bottlerocket-admin's user-data: never to be printed. */
#define KEY_MATERIAL "AAAAC3NzaC1lZDI1NTE5AAAAIIC71ZmCyhG69K51Vd6uTKnxDzYCdIP3kS"
#define KEY_COMMENT "nwbr-fixture"
#define LIVE "var/lib/bottlerocket/datastore/v1.20.3_5c2b6e1a/live/settings/"

static char *fixture(const char *name)
{
        static char p[4096];
        snprintf(p, sizeof(p), "%s/%s", tu_fixtures(), name);
        return p;
}

static char *scratch_copy(const char *name)
{
        char *root = tu_mkdtemp();
        tu_copy_tree(fixture(name), root);
        return root;
}

static char *run_text(const char *root, const char *only, int *ret_rc)
{
        char *argv[] = {(char *)tu_nodeward(), "check", "--root", (char *)root, "--only", (char *)only, "--wide", NULL};
        char *out, *err;
        int rc = tu_run(argv, &out, &err);
        if (ret_rc)
                *ret_rc = rc;
        free(err);
        return out;
}

static void test_eks_defaults_node(void **state)
{
        (void)state;
        int rc;
        cJSON *j = tu_check_json(fixture("bottlerocket-node"), "bottlerocket,ssh,kubelet.anonymous-auth", &rc);
        const cJSON *node = cJSON_GetObjectItem(j, "node");
        assert_string_equal(cJSON_GetObjectItem(node, "platform")->valuestring, "bottlerocket");
        assert_string_equal(cJSON_GetObjectItem(node, "variant")->valuestring, "aws-k8s-1.30");
        assert_string_equal(cJSON_GetObjectItem(node, "detected_by")->valuestring,
                            "os-release ID=bottlerocket in /etc/os-release");
        /* aws-host-containers.toml: admin disabled (superpowered once enabled), control enabled. */
        tu_assert_result(j, "bottlerocket.admin-container", "pass", "enabled false, superpowered true");
        /* The root has no proc/: whether an admin sshd runs is unknown, which is not a pass. */
        tu_assert_result(j, "bottlerocket.admin-ssh", "error", "not evaluated: the process table could not be read: ");
        tu_assert_result(j, "bottlerocket.control-container", "pass", "enabled true, superpowered false");
        tu_assert_result(j, "bottlerocket.standalone-mode", "pass", "standalone-mode false");
        tu_assert_result(j, "kubelet.anonymous-auth", "pass", NULL);
        /* No host sshd: never a pass, never an error. */
        tu_assert_result(j, "ssh.permit-root-login", "skip", "Bottlerocket has no host sshd");
        tu_assert_result(j, "ssh.authorized-keys", "skip", "bottlerocket.admin-ssh");
        tu_assert_result(j, "ssh.daemon-enabled", "skip", "Bottlerocket has no host sshd");
        cJSON_Delete(j);
        char *text = run_text(fixture("bottlerocket-node"), "bottlerocket", &rc);
        assert_int_equal(rc, 2); /* bottlerocket.admin-ssh: no process table under this root */
        assert_non_null(strstr(text, "\nplatform Bottlerocket, variant aws-k8s-1.30: "));
        assert_non_null(strstr(text, "; detected by os-release ID=bottlerocket in /etc/os-release\n"));
        free(text);
}

/* A root without os-release (a copy of /etc and /var only) is still Bottlerocket by its settings
 * datastore, and the header says how it was told; the settings-based checks judge as before. */
static void test_datastore_without_os_release_is_bottlerocket(void **state)
{
        (void)state;
        char *root = scratch_copy("bottlerocket-node");
        char p[4200];
        snprintf(p, sizeof(p), "%s/etc/os-release", root);
        assert_int_equal(unlink(p), 0);
        int rc;
        cJSON *j = tu_check_json(root, "bottlerocket.admin-container,ssh.permit-root-login,host.auditd", &rc);
        const cJSON *node = cJSON_GetObjectItem(j, "node");
        assert_string_equal(cJSON_GetObjectItem(node, "platform")->valuestring, "bottlerocket");
        assert_null(cJSON_GetObjectItem(node, "variant"));
        assert_string_equal(cJSON_GetObjectItem(node, "detected_by")->valuestring,
                            "its settings datastore /var/lib/bottlerocket/datastore/current/live (no os-release; "
                            "datastore version 1.20.3)");
        tu_assert_result(j, "bottlerocket.admin-container", "pass", "enabled false, superpowered true");
        tu_assert_result(j, "ssh.permit-root-login", "skip", "Bottlerocket has no host sshd");
        tu_assert_result(j, "host.auditd", "skip", "Bottlerocket ships no auditd");
        cJSON_Delete(j);
        char *text = run_text(root, "bottlerocket.admin-container", &rc);
        assert_non_null(strstr(text, "\nplatform Bottlerocket, variant unknown: "));
        assert_non_null(strstr(text,
                               "; detected by its settings datastore /var/lib/bottlerocket/datastore/current/live "
                               "(no os-release; datastore version 1.20.3)\n"));
        free(text);
        tu_rm_rf(root);
        free(root);
}

static void test_admin_container_enabled_superpowered_and_keyed(void **state)
{
        (void)state;
        int rc;
        cJSON *j = tu_check_json(fixture("bottlerocket-admin"), "bottlerocket,ssh", &rc);
        assert_int_equal(rc, 1);
        tu_assert_result(j, "bottlerocket.admin-container", "fail", "enabled true, superpowered true");
        /* shibaken's user-data with one EC2 key; sshd_config from the admin image listens everywhere. */
        tu_assert_result(j, "bottlerocket.admin-ssh", "fail", "authorized keys 1, trusted user CA keys 0");
        tu_assert_result(j, "bottlerocket.admin-ssh", "fail", "user-data (datastore): login ec2-user");
        tu_assert_result(j, "bottlerocket.admin-ssh", "fail", "admin sshd pid 4242");
        tu_assert_result(j, "bottlerocket.admin-ssh", "fail", "0.0.0.0:22");
        tu_assert_result(j, "ssh.daemon-enabled", "skip", "the sshd running is a container's");
        tu_assert_result(j, "ssh.password-authentication", "skip", "Bottlerocket has no host sshd");
        cJSON_Delete(j);
}

static void test_admin_ssh_keys_are_counted_never_printed(void **state)
{
        (void)state;
        static const char *const formats[] = {"json", "text", "sarif", "prometheus", "npd"};
        for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
                char *argv[] = {(char *)tu_nodeward(),
                                "check",
                                "--root",
                                fixture("bottlerocket-admin"),
                                "--wide",
                                "--format",
                                (char *)formats[i],
                                "--fail-on",
                                "info",
                                NULL};
                char *out, *err;
                tu_run(argv, &out, &err);
                if (strstr(out, KEY_MATERIAL) || strstr(err, KEY_MATERIAL) || strstr(out, KEY_COMMENT) ||
                    strstr(err, "ssh-ed25519"))
                        fail_msg("--format %s printed the admin user-data's key:\n%s%s", formats[i], out, err);
                free(out);
                free(err);
        }
        char *argv[] = {(char *)tu_nodeward(), "explain", "sshd", "--root", fixture("bottlerocket-admin"), NULL};
        char *out, *err;
        tu_run(argv, &out, &err);
        assert_null(strstr(out, KEY_MATERIAL));
        free(out);
        free(err);
}

static void test_standalone_mode_is_judged_as_a_loopback_kubelet(void **state)
{
        (void)state;
        cJSON *j = tu_check_json(fixture("bottlerocket-standalone"),
                                 "bottlerocket,kubelet.anonymous-auth,"
                                 "kubelet.authorization-mode",
                                 NULL);
        /* kubelet-config's standalone branch: anonymous + AlwaysAllow, address 127.0.0.1. */
        tu_assert_result(j, "bottlerocket.standalone-mode", "warn", "bound to 127.0.0.1 only");
        tu_assert_result(j, "bottlerocket.standalone-mode", "warn", "standalone-mode true");
        tu_assert_result(j, "kubelet.anonymous-auth", "fail", "anonymous.enabled=true");
        tu_assert_result(j, "kubelet.authorization-mode", "fail", "AlwaysAllow");
        /* CIS's verdict stands; the evidence says what kind of kubelet this is. */
        tu_assert_result(j, "kubelet.anonymous-auth", "fail",
                         "Bottlerocket standalone kubelet (no --kubeconfig) on 127.0.0.1, loopback only");
        tu_assert_result(j, "kubelet.authorization-mode", "fail", "see bottlerocket.standalone-mode");
        tu_assert_result(j, "bottlerocket.admin-container", "pass", NULL);
        cJSON_Delete(j);
}

static void test_standalone_kubelet_on_every_address_fails(void **state)
{
        (void)state;
        char *root = scratch_copy("bottlerocket-standalone"), p[4096];
        snprintf(p, sizeof(p), "%s/etc/kubernetes/kubelet/config", root);
        char cmd[8192];
        snprintf(cmd, sizeof(cmd), "sed -i 's/^address: 127.0.0.1$/address: 0.0.0.0/' '%s'", p);
        assert_int_equal(system(cmd), 0);
        cJSON *j = tu_check_json(root, "bottlerocket.standalone-mode", NULL);
        tu_assert_result(j, "bottlerocket.standalone-mode", "fail", "on 0.0.0.0 (not loopback)");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static void test_settings_judge_when_the_kubelet_config_is_not_rendered(void **state)
{
        (void)state;
        char *root = scratch_copy("bottlerocket-standalone"), p[4096];
        snprintf(p, sizeof(p), "%s/etc/kubernetes/kubelet/config", root);
        assert_int_equal(unlink(p), 0);
        cJSON *j = tu_check_json(root, "bottlerocket.standalone-mode,kubelet", NULL);
        tu_assert_result(j, "bottlerocket.standalone-mode", "warn", "settings.kubernetes.standalone-mode true");
        /* The kubelet checks judge the template rendered from the settings. */
        tu_assert_result(j, "kubelet.anonymous-auth", "fail",
                         "anonymous.enabled=true from config file settings.kubernetes (Bottlerocket datastore");
        tu_assert_result(j, "kubelet.authorization-mode", "fail", "AlwaysAllow");
        tu_assert_result(j, "kubelet.config-permissions", "error", "No such file or directory");
        cJSON_Delete(j);
        tu_write(root, LIVE "kubernetes/standalone-mode", "false");
        tu_write(root, LIVE "kubernetes/pod-pids-limit", "-1");
        tu_write(root, LIVE "kubernetes/seccomp-default", "true");
        j = tu_check_json(root, "bottlerocket.standalone-mode,kubelet", NULL);
        tu_assert_result(j, "bottlerocket.standalone-mode", "pass", "standalone-mode false");
        tu_assert_result(j, "kubelet.anonymous-auth", "pass", "Bottlerocket datastore");
        tu_assert_result(j, "kubelet.client-ca-file", "pass", "/etc/kubernetes/pki/ca.crt");
        tu_assert_result(j, "kubelet.pod-pids-limit", "fail", "podPidsLimit=-1");
        tu_assert_result(j, "kubelet.seccomp-default", "pass", "Bottlerocket datastore");
        tu_assert_result(j, "kubelet.server-cert-rotation", "pass", "serverTLSBootstrap=true");
        cJSON_Delete(j);
        /* Its own serving certificate: the template names the files and drops serverTLSBootstrap. */
        tu_write(root, LIVE "kubernetes/server-certificate", "\"LS0tLS1CRUdJTg==\"");
        tu_write(root, LIVE "kubernetes/server-key", "\"LS0tLS1CRUdJTg==\"");
        j = tu_check_json(root, "kubelet.tls-cert-files", NULL);
        tu_assert_result(j, "kubelet.tls-cert-files", "pass", "/etc/kubernetes/pki/kubelet-server.crt");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static void test_user_data_from_persistent_storage_when_the_datastore_has_none(void **state)
{
        (void)state;
        char *root = scratch_copy("bottlerocket-admin"), p[4096];
        snprintf(p, sizeof(p), "%s/" LIVE "host-containers/admin/user-data", root);
        assert_int_equal(unlink(p), 0);
        cJSON *j = tu_check_json(root, "bottlerocket.admin-ssh", NULL);
        tu_assert_result(j, "bottlerocket.admin-ssh", "fail", "user-data (persistent storage)");
        tu_assert_result(j, "bottlerocket.admin-ssh", "fail", "authorized keys 1");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

/* base64 of {"user":"ops","ssh":{"authorized-keys-command":"/opt/aws/bin/eic_run_authorized_keys %u %f",
 * "authorized-keys-command-user":"ec2-instance-connect","trusted-user-ca-keys":["ssh-ed25519 AAAA ca"]}} */
#define EIC_USER_DATA                                                                                            \
        "\"eyJ1c2VyIjoib3BzIiwic3NoIjp7ImF1dGhvcml6ZWQta2V5cy1jb21tYW5kIjoiL29wdC9hd3MvYmluL2VpY19ydW5fYXV0aG9y" \
        "aXplZF9rZXlzICV1ICVmIiwiYXV0aG9yaXplZC1rZXlzLWNvbW1hbmQtdXNlciI6ImVjMi1pbnN0YW5jZS1jb25uZWN0IiwidHJ1c3" \
        "RlZC11c2VyLWNhLWtleXMiOlsic3NoLWVkMjU1MTkgQUFBQSBjYSJdfX0=\""

static void test_instance_connect_and_ca_keys_are_named_by_kind(void **state)
{
        (void)state;
        char *root = scratch_copy("bottlerocket-admin");
        tu_write(root, LIVE "host-containers/admin/user-data", EIC_USER_DATA);
        cJSON *j = tu_check_json(root, "bottlerocket.admin-ssh", NULL);
        tu_assert_result(j, "bottlerocket.admin-ssh", "fail", "login ops, authorized keys 0, trusted user CA keys 1");
        tu_assert_result(j, "bottlerocket.admin-ssh", "fail", "authorized-keys-command set (as ec2-instance-connect)");
        const char *ev = cJSON_GetObjectItem(tu_result(j, "bottlerocket.admin-ssh"), "evidence")->valuestring;
        assert_null(strstr(ev, "eic_run_authorized_keys"));
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static void test_admin_sshd_without_any_key_admits_no_one(void **state)
{
        (void)state;
        char *root = scratch_copy("bottlerocket-admin");
        /* shibaken's user-data for an instance without a key pair. */
        tu_write(root, LIVE "host-containers/admin/user-data", "\"eyJzc2giOnsiYXV0aG9yaXplZC1rZXlzIjpbXX19\"");
        tu_write(root, LIVE "host-containers/admin/superpowered", "false");
        cJSON *j = tu_check_json(root, "bottlerocket", NULL);
        tu_assert_result(j, "bottlerocket.admin-ssh", "pass", "admits no one");
        tu_assert_result(j, "bottlerocket.admin-container", "warn", "not superpowered");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static void test_admin_sshd_config_is_read_inside_its_root(void **state)
{
        (void)state;
        char *root = scratch_copy("bottlerocket-admin");
        /* A weaker config in the container's root is what counts; the host has none. */
        tu_write(root, "proc/4242/root/etc/ssh/sshd_config",
                 "PasswordAuthentication yes\nPermitRootLogin no\nListenAddress 127.0.0.1\n");
        cJSON *j = tu_check_json(root, "bottlerocket.admin-ssh", NULL);
        tu_assert_result(j, "bottlerocket.admin-ssh", "fail", "password or keyboard-interactive logins accepted");
        tu_assert_result(j, "bottlerocket.admin-ssh", "fail", "configured to listen on 127.0.0.1:22");
        cJSON_Delete(j);
        tu_write(root, "proc/4242/root/etc/ssh/sshd_config",
                 "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin no\n"
                 "ListenAddress 127.0.0.1\n");
        j = tu_check_json(root, "bottlerocket.admin-ssh", NULL);
        tu_assert_result(j, "bottlerocket.admin-ssh", "warn", "on loopback only");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static void test_planted_process_root_link_stays_inside_proc(void **state)
{
        (void)state;
        char *root = scratch_copy("bottlerocket-admin"), p[4096];
        snprintf(p, sizeof(p), "%s/proc/4242/root", root);
        tu_rm_rf(p);
        /* In a fixture, PID/root resolves inside --proc: this link reaches PROC itself,
         * not the host's /, so no admin storage and no sshd_config are found there. */
        tu_symlink(root, "proc/4242/root", "/../../../../../../..");
        cJSON *j = tu_check_json(root, "bottlerocket.admin-ssh", NULL);
        tu_assert_result(j, "bottlerocket.admin-ssh", "warn", "its sshd is not running");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static void test_datastore_problems_are_errors_not_passes(void **state)
{
        (void)state;
        char *root = scratch_copy("bottlerocket-node"), p[4096];
        tu_write(root, LIVE "host-containers/admin/enabled", "yes");
        cJSON *j = tu_check_json(root, "bottlerocket.admin-container", NULL);
        tu_assert_result(j, "bottlerocket.admin-container", "error",
                         "settings.host-containers.admin.enabled: not a JSON boolean");
        cJSON_Delete(j);
        snprintf(p, sizeof(p), "%s/var/lib/bottlerocket", root);
        tu_rm_rf(p);
        /* A copied process table (no admin sshd in it): the datastore is what is missing. */
        tu_write(root, "proc/1/cmdline", "/sbin/init");
        int rc;
        j = tu_check_json(root, "bottlerocket", &rc);
        assert_int_equal(rc, 2);
        tu_assert_result(j, "bottlerocket.admin-container", "error", "no settings datastore");
        tu_assert_result(j, "bottlerocket.admin-ssh", "error", "no settings datastore");
        tu_assert_result(j, "bottlerocket.control-container", "error", "not found");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static void test_superpowered_control_container_fails(void **state)
{
        (void)state;
        char *root = scratch_copy("bottlerocket-node");
        tu_write(root, LIVE "host-containers/control/superpowered", "true");
        cJSON *j = tu_check_json(root, "bottlerocket.control-container", NULL);
        tu_assert_result(j, "bottlerocket.control-container", "fail", "every SSM session is root on the host");
        cJSON_Delete(j);
        tu_write(root, LIVE "host-containers/control/enabled", "false");
        j = tu_check_json(root, "bottlerocket.control-container", NULL);
        tu_assert_result(j, "bottlerocket.control-container", "pass", "no SSM access path");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

static void test_other_nodes_skip_and_keep_their_ssh_verdicts(void **state)
{
        (void)state;
        cJSON *j = tu_check_json(fixture("ssh-al2023"), "bottlerocket,ssh.permit-root-login", NULL);
        tu_assert_result(j, "bottlerocket.admin-container", "skip", "not a Bottlerocket node");
        tu_assert_result(j, "bottlerocket.standalone-mode", "skip", "not a Bottlerocket node");
        const char *st = cJSON_GetObjectItem(tu_result(j, "ssh.permit-root-login"), "status")->valuestring;
        assert_string_not_equal(st, "skip");
        assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "node"), "platform"));
        cJSON_Delete(j);
}

/* Rows of the README's comparison with `apiclient report cis-k8s`, which reads the rendered file
 * with serde (bottlerocket-core-kit a10182f, sources/bloodhound/src/bin/kubernetes-cis-checks/checks.rs):
 * k8s04020500 reads streamingConnectionIdleTimeout as an i32, so the duration "0s" fails to parse
 * and passes by accident (the kubelet's v1beta1 defaulting replaces a zero duration with 4h: a pass
 * for the right reason here), while a bare 0 fails there and stops the kubelet (a duration must be a
 * string); k8s04020900 reads tlsCertFile/tlsPrivateKeyFile as required strings, so without them it
 * passes whatever serverTLSBootstrap says. */
static void test_verdicts_that_differ_from_apiclient_report_cis_k8s(void **state)
{
        (void)state;
        char *root = scratch_copy("bottlerocket-node"), p[4096], cmd[8192];
        snprintf(p, sizeof(p), "%s/etc/kubernetes/kubelet/config", root);
        snprintf(cmd, sizeof(cmd),
                 "sed -i -e 's/^serverTLSBootstrap: true$/serverTLSBootstrap: false/' "
                 "-e 's/^readOnlyPort: 0$/readOnlyPort: 0\\nstreamingConnectionIdleTimeout: 0s/' '%s'",
                 p);
        assert_int_equal(system(cmd), 0);
        cJSON *j = tu_check_json(root, "kubelet.streaming-idle-timeout,kubelet.tls-cert-files", NULL);
        tu_assert_result(j, "kubelet.streaming-idle-timeout", "pass",
                         "config file /etc/kubernetes/kubelet/config says 0s");
        tu_assert_result(j, "kubelet.tls-cert-files", "fail", NULL);
        cJSON_Delete(j);
        snprintf(cmd, sizeof(cmd),
                 "sed -i 's/^streamingConnectionIdleTimeout: 0s$/streamingConnectionIdleTimeout: 0/' '%s'", p);
        assert_int_equal(system(cmd), 0);
        j = tu_check_json(root, "kubelet.streaming-idle-timeout", NULL);
        tu_assert_result(j, "kubelet.streaming-idle-timeout", "error", "must be a duration, found 0");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

/* Bottlerocket's SELinux policy keeps container_t from its datastore; the manifests ask for spc_t. */
static void test_manifests_carry_the_selinux_label_bottlerocket_needs(void **state)
{
        (void)state;
        static const char *const files[] = {"images/daemonset.yaml", "images/npd-nodeward.yaml"};
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                int fd = open(files[i], O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        fail_msg("%s: %s (run from the source tree)", files[i], strerror(errno));
                char *y = tu_read_fd(fd);
                close(fd);
                if (!strstr(y, "      securityContext:\n        seccompProfile:\n          type: RuntimeDefault\n") ||
                    !strstr(y, "\n        seLinuxOptions:\n          type: spc_t\n"))
                        fail_msg("%s: the pod's securityContext lacks seLinuxOptions type spc_t", files[i]);
                assert_null(strstr(y, "super_t"));
                free(y);
        }
}

/* A real listener in a network namespace of this test plays the admin sshd's socket: the
 * fixture's PROC/1/ns/net is that namespace (bind-mounted) and PROC/4242/fd/3 names the socket. */
#define SCENE_NS "nwbr-br0"
static char scene_ns_file[4096];

static int scene_setup(void **state)
{
        (void)state;
        if (system("ip netns del " SCENE_NS " 2>/dev/null; ip netns add " SCENE_NS " && "
                   "ip -n " SCENE_NS " link set lo up") != 0)
                fail_msg("ip netns add " SCENE_NS " failed (iproute2 is in TEST_DEB_PACKAGES: make deps-test)");
        return 0;
}

static int scene_teardown(void **state)
{
        if (scene_ns_file[0])
                umount2(scene_ns_file, MNT_DETACH);
        scene_ns_file[0] = '\0';
        if (system("ip netns del " SCENE_NS " 2>/dev/null") != 0)
                fprintf(stderr, "ip netns del " SCENE_NS " failed\n");
        return tu_group_teardown(state);
}

static unsigned long socket_inode_of(pid_t pid, int skip)
{
        for (int fd = 3; fd < 64; fd++) {
                char p[64], l[64];
                snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)pid, fd);
                ssize_t n = readlink(p, l, sizeof(l) - 1);
                if (n <= 0)
                        continue;
                l[n] = '\0';
                unsigned long ino;
                if (sscanf(l, "socket:[%lu]", &ino) == 1 && skip-- == 0)
                        return ino;
        }
        fail_msg("no socket among the fds of pid %d", (int)pid);
        return 0;
}

static void test_admin_sshd_sockets_from_the_inventory(void **state)
{
        (void)state;
        char *py[] = {
                "/usr/bin/python3", "-c",
                "import os,socket,time\n"
                "a=socket.socket(); a.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); a.bind(('0.0.0.0',22)); a.listen()\n"
                "b=socket.socket(); b.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); b.bind(('127.0.0.1',2222)); b.listen()\n"
                "os.write(1, b'ready\\n'); time.sleep(60)\n",
                NULL};
        pid_t pid = tu_start_in_netns(SCENE_NS, py);
        char *root = scratch_copy("bottlerocket-admin"), lnk[64];
        snprintf(lnk, sizeof(lnk), "socket:[%lu]", socket_inode_of(pid, 0));
        tu_symlink(root, "proc/4242/fd/3", lnk);
        snprintf(lnk, sizeof(lnk), "socket:[%lu]", socket_inode_of(pid, 1));
        tu_symlink(root, "proc/4242/fd/4", lnk);
        tu_write(root, "proc/1/ns/net", "");
        tu_write(root, "proc/1/comm", "systemd\n");
        snprintf(scene_ns_file, sizeof(scene_ns_file), "%s/proc/1/ns/net", root);
        if (mount("/run/netns/" SCENE_NS, scene_ns_file, "none", MS_BIND, NULL) < 0)
                fail_msg("bind mount of the namespace: %s", strerror(errno));
        cJSON *j = tu_check_json(root, "bottlerocket.admin-ssh,ssh.exposed", NULL);
        umount2(scene_ns_file, MNT_DETACH);
        scene_ns_file[0] = '\0';
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        tu_assert_result(j, "bottlerocket.admin-ssh", "fail", "listening: tcp 0.0.0.0:22, tcp 127.0.0.1:2222");
        tu_assert_result(j, "ssh.exposed", "fail", "0.0.0.0:22");
        cJSON_Delete(j);
        tu_rm_rf(root);
        free(root);
}

/* A Bottlerocket report, node.platform and node.variant included, is valid nodeward.report/v1;
 * a platform the schema does not know is not. */
static void test_bottlerocket_report_matches_the_schema(void **state)
{
        (void)state;
        char *dir = tu_mkdtemp(), a[4096], cmd[16384];
        snprintf(a, sizeof(a), "%s/br.json", dir);
        char *argv[] = {(char *)tu_nodeward(),
                        "check",
                        "--root",
                        fixture("bottlerocket-admin"),
                        "--format",
                        "json",
                        "--output",
                        a,
                        NULL};
        assert_int_equal(tu_run(argv, NULL, NULL), 1);
        tu_keep_report_file(a); /* before the sed below breaks it */
        snprintf(cmd, sizeof(cmd), "node tests/validate/report.js '%s' 2>&1", a);
        if (system(cmd) != 0)
                fail_msg("%s is not a valid nodeward.report/v1 (npm ci in tests/ is part of make deps-test)", a);
        snprintf(cmd, sizeof(cmd),
                 "sed -i 's/\"bottlerocket\"/\"flatcar\"/' '%s' && "
                 "node tests/validate/report.js '%s' 2>&1",
                 a, a);
        FILE *pp = popen(cmd, "r");
        assert_non_null(pp);
        char *out = tu_read_fd(fileno(pp));
        assert_int_not_equal(pclose(pp), 0);
        if (!strstr(out, "platform"))
                fail_msg("the schema did not name node.platform: %s", out);
        free(out);
        tu_rm_rf(dir);
        free(dir);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_eks_defaults_node),
                cmocka_unit_test(test_datastore_without_os_release_is_bottlerocket),
                cmocka_unit_test(test_admin_container_enabled_superpowered_and_keyed),
                cmocka_unit_test(test_admin_ssh_keys_are_counted_never_printed),
                cmocka_unit_test(test_standalone_mode_is_judged_as_a_loopback_kubelet),
                cmocka_unit_test(test_standalone_kubelet_on_every_address_fails),
                cmocka_unit_test(test_settings_judge_when_the_kubelet_config_is_not_rendered),
                cmocka_unit_test(test_user_data_from_persistent_storage_when_the_datastore_has_none),
                cmocka_unit_test(test_instance_connect_and_ca_keys_are_named_by_kind),
                cmocka_unit_test(test_admin_sshd_without_any_key_admits_no_one),
                cmocka_unit_test(test_admin_sshd_config_is_read_inside_its_root),
                cmocka_unit_test(test_planted_process_root_link_stays_inside_proc),
                cmocka_unit_test(test_datastore_problems_are_errors_not_passes),
                cmocka_unit_test(test_superpowered_control_container_fails),
                cmocka_unit_test(test_other_nodes_skip_and_keep_their_ssh_verdicts),
                cmocka_unit_test(test_verdicts_that_differ_from_apiclient_report_cis_k8s),
                cmocka_unit_test(test_manifests_carry_the_selinux_label_bottlerocket_needs),
                cmocka_unit_test(test_admin_sshd_sockets_from_the_inventory),
                cmocka_unit_test(test_bottlerocket_report_matches_the_schema),
        };
        return cmocka_run_group_tests_name("Bottlerocket nodes (end to end)", tests, scene_setup, scene_teardown);
}
