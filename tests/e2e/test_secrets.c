/* test_secrets: secrets planted in every source the kubelet's configuration comes from never reach any output. */
#include "testutil.h"

#include <sys/wait.h>

/* Every planted secret carries one of these markers; none may be printed. */
static const char *const SECRETS[] = {"PODPASS1", "QUERYSIG1", "HEADERTOK1", "ENVHDR1",  "ENVTOK1",  "ENVTOK2",
                                      "KCPASS1",  "KCQUERY1",  "SSHDTOK1",   "SSHDTOK2", "CTRPASS1", "CTRPASS2",
                                      "CTRPASS3", "CTRHDR1",   "UNITTOK1",   "UNITTOK2", "UNITKEY1", "PROCTOK1",
                                      "PROCTOK2", "PROCPASS1", "PROCSIG1"};

/* The systemd-unit fixture (kubelet.service, drop-ins with Environment= and an
 * EnvironmentFile) with secrets in the config file (staticPodURL userinfo and
 * query, staticPodURLHeader: k8s.io/kubelet config/v1beta1 types.go), in flags
 * that come from the EnvironmentFile, and in the kubeconfig's server URL. */
static char *secret_root(void)
{
        char *root = tu_mkdtemp(), src[4096];
        snprintf(src, sizeof(src), "%s/systemd-unit", tu_fixtures());
        tu_copy_tree(src, root);
        tu_write(root, "etc/kubernetes/kubelet/kubelet-config.json",
                 "{\"kind\":\"KubeletConfiguration\",\"apiVersion\":\"kubelet.config.k8s.io/v1beta1\","
                 "\"readOnlyPort\":0,\"staticPodURL\":\"https://podsuser:PODPASS1@pods.example/m?sig=QUERYSIG1\","
                 "\"staticPodURLHeader\":{\"Authorization\":[\"Bearer HEADERTOK1\"]}}\n");
        tu_write(root, "etc/kubernetes/kubelet/extra.env",
                 "KUBELET_ARGS=\"--node-ip=10.0.1.23 --manifest-url-header=X-Auth:ENVHDR1 "
                 "--registry-token ENVTOK2 --bootstrap-token=ENVTOK1\"\n");
        /* The unit's own Environment= line: secret-looking flags in one word and in two, and a
         * variable the kubelet never reads (systemd.exec(5) Environment=). */
        tu_write(root, "etc/systemd/system/kubelet.service.d/30-kubelet-extra-args.conf",
                 "[Service]\nEnvironment='KUBELET_EXTRA_ARGS=--node-labels=team=data --read-only-port=10255 "
                 "--api-token=UNITTOK1 --registry-password UNITTOK2'\n"
                 "Environment=AWS_SECRET_ACCESS_KEY=UNITKEY1\n"
                 "EnvironmentFile=-/etc/kubernetes/kubelet/extra.env\n");
        tu_write(root, "var/lib/kubelet/kubeconfig",
                 "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n"
                 "    certificate-authority: /etc/kubernetes/pki/ca.crt\n"
                 "    server: https://kcuser:KCPASS1@10.0.0.5:6443/?token=KCQUERY1\n"
                 "  name: kubernetes\ncontexts:\n- context:\n    cluster: kubernetes\n    user: kubelet\n"
                 "  name: kubelet\ncurrent-context: kubelet\nusers:\n- name: kubelet\n  user:\n"
                 "    client-certificate: /var/lib/kubelet/pki/kubelet-client-current.pem\n");
        /* sshd: a keys command given a token, an environment variable for sessions
         * (sshd_config(5) AuthorizedKeysCommand, SetEnv). */
        tu_write(root, "etc/ssh/sshd_config",
                 "PermitRootLogin no\nPasswordAuthentication no\n"
                 "AuthorizedKeysCommand /usr/local/bin/keys --token=SSHDTOK1 %u\n"
                 "AuthorizedKeysCommandUser nobody\nSetEnv API_TOKEN=SSHDTOK2\n");
        /* containerd: registry credentials in config.toml (ignored once config_path is
         * set), a plain-HTTP server and a mirror with userinfo, a header with a token
         * (containerd docs/hosts.md). */
        tu_write(root, "etc/containerd/config.toml",
                 "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n"
                 "  config_path = \"/etc/containerd/certs.d\"\n"
                 "[plugins.\"io.containerd.grpc.v1.cri\".registry.configs.\"reg.example\".auth]\n"
                 "  username = \"ctr\"\n  password = \"CTRPASS2\"\n");
        tu_write(root, "etc/containerd/certs.d/reg.example/hosts.toml",
                 "server = \"http://ctruser:CTRPASS1@reg.example:5000\"\n"
                 "[host.\"http://mirror:CTRPASS3@mirror.example\"]\n  capabilities = [\"pull\"]\n"
                 "  [host.\"http://mirror:CTRPASS3@mirror.example\".header]\n"
                 "    Authorization = \"Bearer CTRHDR1\"\n");
        return root;
}

/* secret_root() with a running kubelet whose command line carries tokens and a URL with
 * userinfo and a query (the kubelet's --manifest-url overrides staticPodURL). */
static char *secret_root_running(void)
{
        char *root = secret_root();
        const char *argv[] = {"/usr/bin/kubelet",
                              "--config",
                              "/etc/kubernetes/kubelet/kubelet-config.json",
                              "--kubeconfig",
                              "/var/lib/kubelet/kubeconfig",
                              "--bootstrap-token=PROCTOK1",
                              "--registry-token",
                              "PROCTOK2",
                              "--manifest-url=https://u:PROCPASS1@pods.example/m?sig=PROCSIG1",
                              "--node-ip=10.0.1.77",
                              NULL};
        tu_write_proc(root, 4242, "kubelet", argv);
        return root;
}

/* explain kubelet's command_line, as one line of JSON. */
static char *command_line_of(const char *explain_out)
{
        cJSON *j = cJSON_Parse(explain_out);
        assert_non_null(j);
        char *line = cJSON_PrintUnformatted(cJSON_GetObjectItem(j, "command_line"));
        cJSON_Delete(j);
        return line;
}

static void assert_no_secret(const char *what, const char *out)
{
        for (size_t i = 0; i < sizeof(SECRETS) / sizeof(SECRETS[0]); i++)
                if (strstr(out, SECRETS[i]))
                        fail_msg("%s prints %s:\n%s", what, SECRETS[i], out);
}

static char *run_out(char *const *argv)
{
        char *out, *err;
        int rc = tu_run(argv, &out, &err);
        if (rc > 2)
                fail_msg("nodeward exited %d: %s", rc, err);
        assert_no_secret("stderr", err);
        free(err);
        return out;
}

static void test_explain_kubelet_redacts_urls_headers_and_flags(void **state)
{
        (void)state;
        char *root = secret_root();
        char *argv[] = {(char *)tu_nodeward(), "explain", "kubelet", "--root", root, NULL};
        char *out = run_out(argv);
        assert_no_secret("explain kubelet", out);
        cJSON *j = cJSON_Parse(out);
        assert_non_null(j);
        /* The values were read (so the test sees them) and shown blanked. */
        const cJSON *eff = cJSON_GetObjectItem(j, "effective");
        assert_string_equal(cJSON_GetObjectItem(eff, "staticPodURL")->valuestring,
                            "https://<redacted>@pods.example/m?<redacted>");
        const cJSON *auth = cJSON_GetObjectItem(cJSON_GetObjectItem(eff, "staticPodURLHeader"), "Authorization");
        assert_string_equal(cJSON_GetArrayItem(auth, 0)->valuestring, "<redacted>");
        char *line = cJSON_PrintUnformatted(cJSON_GetObjectItem(j, "command_line"));
        assert_non_null(strstr(line, "\"--bootstrap-token=<redacted>\""));
        assert_non_null(strstr(line, "\"--registry-token\",\"<redacted>\""));
        assert_non_null(strstr(line, "\"--manifest-url-header=<redacted>\""));
        assert_non_null(strstr(line, "\"--node-ip=10.0.1.23\""));
        free(line);
        cJSON_Delete(j);
        free(out);
        tu_rm_rf(root);
        free(root);
}

static void test_check_formats_redact_api_server_url(void **state)
{
        (void)state;
        char *root = secret_root();
        /* Without its copied process table the root counts as live, so
         * node.api-endpoint-private judges (and prints) the server URL. */
        char proc[4200];
        snprintf(proc, sizeof(proc), "%s/proc", root);
        tu_rm_rf(proc);
        const char *formats[] = {"text",        "json",         "sarif", "prometheus", "npd",
                                 "openreports", "policyreport", "asff",  "ocsf",       "junit"};
        for (size_t i = 0; i < sizeof(formats) / sizeof(*formats); i++) {
                /* --wide: the text report otherwise shortens evidence to a terminal's width. */
                /* --probe: the API server's address is judged by the probing check. */
                char *argv[] = {
                        (char *)tu_nodeward(),    "check", "--probe", "--root", root, "--format", (char *)formats[i],
                        i == 0 ? "--wide" : NULL, NULL};
                char *out = run_out(argv);
                assert_no_secret(formats[i], out);
                /* The values were judged, and shown blanked where a format shows evidence. */
                if (i < 3 || (i >= 5 && i < 9)) { /* prometheus, npd and junit carry no passing evidence */
                        /* The server as its origin: no userinfo, path or query at all. */
                        if (!strstr(out, "API server https://10.0.0.5:6443 "))
                                fail_msg("%s: no server origin:\n%s", formats[i], out);
                        if (!strstr(out, "http://<redacted>@reg.example:5000"))
                                fail_msg("%s: no redacted registry URL:\n%s", formats[i], out);
                }
                free(out);
        }
        tu_rm_rf(root);
        free(root);
}

/* The registry allowlist judges hosts, never userinfo: the host it names is the
 * registry's, and no password reaches the evidence. */
static void test_registry_allowlist_names_hosts_without_userinfo(void **state)
{
        (void)state;
        char *root = secret_root();
        tu_write(root, "allow-registries", "registry.k8s.io\n");
        char allow[4200];
        snprintf(allow, sizeof(allow), "%s/allow-registries", root);
        char *argv[] = {(char *)tu_nodeward(), "check", "--root",   root,   "--only", "containerd",
                        "--allow-registries",  allow,   "--format", "json", NULL};
        char *out = run_out(argv);
        assert_no_secret("containerd.registry-allowlist", out);
        cJSON *j = cJSON_Parse(out);
        assert_non_null(j);
        tu_assert_result(j, "containerd.registry-allowlist", "fail", "reg.example:5000");
        cJSON_Delete(j);
        free(out);
        tu_rm_rf(root);
        free(root);
}

/* explain sshd and explain containerd go out through the same redaction. */
static void test_explain_sshd_and_containerd_redact(void **state)
{
        (void)state;
        char *root = secret_root();
        char *sshd[] = {(char *)tu_nodeward(), "explain", "sshd", "--root", root, NULL};
        char *out = run_out(sshd);
        assert_no_secret("explain sshd", out);
        assert_non_null(strstr(out, "authorizedkeyscommand /usr/local/bin/keys --token=<redacted> %u"));
        assert_non_null(strstr(out, "pubkeyauthentication yes")); /* keywords with "key" are kept */
        free(out);
        char *ctrd[] = {(char *)tu_nodeward(), "explain", "containerd", "--root", root, NULL};
        out = run_out(ctrd);
        assert_no_secret("explain containerd", out);
        assert_non_null(strstr(out, "http://<redacted>@reg.example:5000"));
        free(out);
        tu_rm_rf(root);
        free(root);
}

/* The Environment= line of the kubelet's unit: its flags are read (the command line shows them)
 * and their values blanked, and a variable the kubelet never reads is never printed. */
static void test_unit_environment_line_is_redacted(void **state)
{
        (void)state;
        char *root = secret_root();
        char *argv[] = {(char *)tu_nodeward(), "explain", "kubelet", "--root", root, NULL};
        char *out = run_out(argv);
        assert_no_secret("explain kubelet", out);
        char *line = command_line_of(out);
        assert_non_null(strstr(line, "\"--api-token=<redacted>\""));
        assert_non_null(strstr(line, "\"--registry-password\",\"<redacted>\""));
        assert_non_null(strstr(line, "\"--read-only-port=10255\""));
        free(line);
        free(out);
        for (int i = 0; i < 2; i++) {
                char *chk[] = {(char *)tu_nodeward(), "check", "--root", root, "--format", i ? "json" : "text",
                               i ? NULL : "--wide",   NULL};
                out = run_out(chk);
                assert_no_secret(i ? "check --format json" : "check --format text", out);
                /* The flag from the Environment= line was judged. */
                assert_non_null(strstr(out, "readOnlyPort=10255 from flag --read-only-port"));
                free(out);
        }
        tu_rm_rf(root);
        free(root);
}

/* A running kubelet's /proc/PID/cmdline is the command line nodeward judges: every token in it
 * is blanked in explain and in every report. */
static void test_running_kubelet_cmdline_is_redacted(void **state)
{
        (void)state;
        char *root = secret_root_running();
        char *argv[] = {(char *)tu_nodeward(), "explain", "kubelet", "--root", root, NULL};
        char *out = run_out(argv);
        assert_no_secret("explain kubelet", out);
        char *line = command_line_of(out);
        assert_non_null(strstr(line, "\"--bootstrap-token=<redacted>\""));
        assert_non_null(strstr(line, "\"--registry-token\",\"<redacted>\""));
        assert_non_null(strstr(line, "\"--manifest-url=https://<redacted>@pods.example/m?<redacted>\""));
        assert_non_null(strstr(line, "\"--node-ip=10.0.1.77\"")); /* the process's, not the unit's */
        free(line);
        free(out);
        const char *formats[] = {"text", "json", "sarif", "ocsf"};
        for (size_t i = 0; i < sizeof(formats) / sizeof(*formats); i++) {
                char *chk[] = {(char *)tu_nodeward(),    "check", "--root", root, "--format", (char *)formats[i],
                               i == 0 ? "--wide" : NULL, NULL};
                out = run_out(chk);
                assert_no_secret(formats[i], out);
                free(out);
        }
        tu_rm_rf(root);
        free(root);
}

/* `watch` for a few intervals (JSON lines; it has no --format) and its --textfile. */
static void watch_assert_no_secret(const char *root)
{
        char *dir = tu_mkdtemp(), outp[4200], errp[4200], tf[4200];
        snprintf(outp, sizeof(outp), "%s/out", dir);
        snprintf(errp, sizeof(errp), "%s/err", dir);
        snprintf(tf, sizeof(tf), "%s/nodeward.prom", dir);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int fo = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0600), fe = open(errp, O_WRONLY | O_CREAT, 0600);
                dup2(fo, 1);
                dup2(fe, 2);
                execl(tu_nodeward(), tu_nodeward(), "watch", "--root", root, "--interval", "1", "--textfile", tf,
                      (char *)NULL);
                _exit(127);
        }
        char *out = NULL;
        int st = 0, summaries = 0;
        for (int i = 0; i < 300 && summaries < 2; i++) {
                usleep(100 * 1000);
                if (waitpid(pid, &st, WNOHANG) == pid)
                        fail_msg("watch ended (status 0x%x)", st);
                int fd = open(outp, O_RDONLY | O_CLOEXEC);
                free(out);
                out = tu_read_fd(fd);
                close(fd);
                summaries = 0;
                for (const char *p = out; (p = strstr(p, "\"event\":\"summary\"")); p++)
                        summaries++;
        }
        kill(pid, SIGTERM);
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(summaries >= 2);
        int fd = open(outp, O_RDONLY | O_CLOEXEC);
        free(out);
        out = tu_read_fd(fd);
        close(fd);
        assert_no_secret("watch", out);
        /* The intervals judged the planted values (their evidence is in the summary). */
        assert_non_null(strstr(out, "http://<redacted>@reg.example:5000"));
        free(out);
        fd = open(errp, O_RDONLY | O_CLOEXEC);
        out = tu_read_fd(fd);
        close(fd);
        assert_no_secret("watch stderr", out);
        free(out);
        fd = open(tf, O_RDONLY | O_CLOEXEC);
        out = tu_read_fd(fd);
        close(fd);
        assert_no_secret("watch --textfile", out);
        free(out);
        tu_rm_rf(dir);
        free(dir);
}

static void test_watch_lines_and_textfile_redact(void **state)
{
        (void)state;
        char *root = secret_root(); /* the kubelet from its unit */
        watch_assert_no_secret(root);
        tu_rm_rf(root);
        free(root);
        root = secret_root_running(); /* the kubelet from its process */
        watch_assert_no_secret(root);
        tu_rm_rf(root);
        free(root);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_explain_kubelet_redacts_urls_headers_and_flags),
                cmocka_unit_test(test_check_formats_redact_api_server_url),
                cmocka_unit_test(test_explain_sshd_and_containerd_redact),
                cmocka_unit_test(test_registry_allowlist_names_hosts_without_userinfo),
                cmocka_unit_test(test_unit_environment_line_is_redacted),
                cmocka_unit_test(test_running_kubelet_cmdline_is_redacted),
                cmocka_unit_test(test_watch_lines_and_textfile_redact),
        };
        return cmocka_run_group_tests_name("secrets", tests, NULL, tu_group_teardown);
}
