/* test_fleet_formats: the fleet formats checked by the real tools: promtool, node_exporter, ajv (SARIF 2.1.0), NPD's contract. */
#include "fleet.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

static char *root, *scratch;

static int setup(void **state)
{
        (void)state;
        root = fl_kubelet_root();
        scratch = tu_mkdtemp();
        return 0;
}

static int teardown(void **state)
{
        (void)state;
        tu_rm_rf(root);
        tu_rm_rf(scratch);
        free(root);
        free(scratch);
        return 0;
}

static cJSON *read_json_file(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        char *text = tu_read_fd(fd);
        close(fd);
        cJSON *j = cJSON_Parse(text);
        if (!j)
                fail_msg("%s: not JSON", path);
        free(text);
        return j;
}

static char *scratch_path(const char *name)
{
        char *p = NULL;
        assert_true(asprintf(&p, "%s/%s", scratch, name) > 0);
        return p;
}

static void test_prometheus_output_passes_promtool(void **state)
{
        (void)state;
        fl_need_tool("promtool");
        char *out, *err;
        _cleanup_free_ char *file = scratch_path("metrics.txt");
        assert_int_equal(fl_check(root, NULL, NULL, "--format", "prometheus", "--output", file, NULL), 1);
        char cmd[8192];
        snprintf(cmd, sizeof(cmd), "promtool check metrics < '%s'", file);
        int rc = fl_sh(cmd, &out, &err);
        if (rc != 0 || *out || *err)
                fail_msg("promtool check metrics: exit %d: %s%s", rc, out, err);
        free(out);
        free(err);
        /* promtool is a real judge: it rejects a counter without _total. */
        snprintf(cmd, sizeof(cmd),
                 "printf '# HELP x_bytes b\\n# TYPE x_bytes counter\\nx_bytes 1\\n' | promtool check metrics");
        assert_int_not_equal(fl_sh(cmd, NULL, NULL), 0);
}

static int free_loopback_port(void)
{
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(a);
        assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
        assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
        close(s);
        return ntohs(a.sin_port);
}

/* GET /metrics over 127.0.0.1; NULL while nothing listens yet. */
static char *http_get_metrics(int port)
{
        int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = {
                .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0) {
                close(s);
                return NULL;
        }
        struct timeval tv = {.tv_sec = 10};
        setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        static const char req[] = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
        assert_int_equal(write(s, req, sizeof(req) - 1), (ssize_t)sizeof(req) - 1);
        char *resp = tu_read_fd(s);
        close(s);
        return resp;
}

static void test_node_exporter_serves_nodeward_textfile(void **state)
{
        (void)state;
        fl_need_tool("prometheus-node-exporter");
        _cleanup_free_ char *dir = scratch_path("textfile");
        _cleanup_free_ char *prom = scratch_path("textfile/nodeward.prom");
        tu_mkdirs(dir);
        assert_int_equal(fl_check(root, NULL, NULL, "--format", "npd", "--textfile", prom, NULL), 1);
        int port = free_loopback_port();
        char listen[64], tdir[4200];
        snprintf(listen, sizeof(listen), "--web.listen-address=127.0.0.1:%d", port);
        snprintf(tdir, sizeof(tdir), "--collector.textfile.directory=%s", dir);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                int devnull = open("/dev/null", O_WRONLY);
                dup2(devnull, 1);
                dup2(devnull, 2);
                execlp("prometheus-node-exporter", "prometheus-node-exporter", listen, "--collector.disable-defaults",
                       "--collector.textfile", tdir, (char *)NULL);
                _exit(127);
        }
        char *resp = NULL;
        for (int i = 0; i < 200 && !resp; i++) {
                resp = http_get_metrics(port);
                if (!resp)
                        usleep(50000);
        }
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
        if (!resp)
                fail_msg("node_exporter never answered on 127.0.0.1:%d", port);
        bool ok =
                strstr(resp, "200 OK") &&
                /* node_exporter serves the labels sorted by name */
                strstr(resp,
                       "nodeward_check_status{assessment=\"automated\",benchmark=\"cis-eks-1.8.0\","
                       "id=\"kubelet.read-only-port\",item=\"3.2.4\",level=\"1\",severity=\"high\",status=\"fail\"} 1") &&
                /* 5 kubelet settings plus podPidsLimit, seccompDefault and no serving certificate */
                strstr(resp, "nodeward_checks{status=\"fail\"} 8") &&
                strstr(resp, "nodeward_last_run_timestamp_seconds ") &&
                /* node_exporter found no fault in the file */
                strstr(resp, "node_textfile_scrape_error 0");
        if (!ok)
                fail_msg("node_exporter did not serve nodeward's metrics:\n%.4000s", resp);
        free(resp);
}

static void test_sarif_validates_against_the_2_1_0_schema(void **state)
{
        (void)state;
        fl_need_node_modules();
        _cleanup_free_ char *fail = scratch_path("fail.sarif");
        _cleanup_free_ char *err = scratch_path("error.sarif");
        _cleanup_free_ char *bad = scratch_path("bad.sarif");
        assert_int_equal(fl_check(root, NULL, NULL, "--format", "sarif", "--output", fail, NULL), 1);
        /* A broken config: every kubelet check is "open" with a line-precise location. */
        char *broken = tu_mkdtemp();
        tu_copy_tree(root, broken);
        tu_write(broken, "etc/kubernetes/kubelet/config.json",
                 "{\"kind\":\"KubeletConfiguration\",\n \"readOnlyPort\": }");
        assert_int_equal(fl_check(broken, NULL, NULL, "--format", "sarif", "--output", err, NULL), 2);
        tu_rm_rf(broken);
        free(broken);
        char cmd[16384], *out, *e;
        snprintf(cmd, sizeof(cmd), "node tests/validate/sarif.js '%s' '%s'", fail, err);
        int rc = fl_sh(cmd, &out, &e);
        if (rc != 0)
                fail_msg("SARIF not valid (exit %d): %s%s", rc, out, e);
        free(out);
        free(e);
        /* Microsoft's SARIF Multitool: no error and no warning (readable rule names,
         * informationUri, a region in every location, automationDetails). */
        snprintf(cmd, sizeof(cmd), "node tests/validate/sarif-multitool.js '%s' '%s'", fail, err);
        rc = fl_sh(cmd, &out, &e);
        if (rc != 0)
                fail_msg("SARIF Multitool validate (exit %d): %s%s", rc, out, e);
        free(out);
        free(e);
        /* ... and it is a real judge: a rule named by its id is a warning (SARIF1001). */
        snprintf(cmd, sizeof(cmd),
                 "sed 's/\"name\":\t\"KubeletAnonymousAuth\"/\"name\":\t\"kubelet.anonymous-auth\"/' '%s' > '%s' && "
                 "node tests/validate/sarif-multitool.js '%s'",
                 fail, bad, bad);
        rc = fl_sh(cmd, &out, &e);
        assert_int_equal(rc, 1);
        assert_non_null(strstr(e, "SARIF1001"));
        free(out);
        free(e);
        cJSON *log = read_json_file(fail);
        const cJSON *run0 = cJSON_GetArrayItem(cJSON_GetObjectItem(log, "runs"), 0);
        const cJSON *ad = cJSON_GetObjectItem(cJSON_GetObjectItem(run0, "automationDetails"), "id");
        assert_true(cJSON_IsString(ad) && str_startswith(ad->valuestring, "nodeward/"));
        cJSON_Delete(log);
        snprintf(cmd, sizeof(cmd), "grep -q '\"startLine\":\t2' '%s'", err);
        assert_int_equal(fl_sh(cmd, NULL, NULL), 0);
        /* The validator does reject a log that breaks the schema. */
        snprintf(cmd, sizeof(cmd),
                 "sed 's/\"kind\":\t\"fail\"/\"kind\":\t\"failed\"/' '%s' > '%s' && node tests/validate/sarif.js '%s'",
                 fail, bad, bad);
        rc = fl_sh(cmd, NULL, &e);
        assert_int_equal(rc, 1);
        assert_non_null(strstr(e, "not valid SARIF 2.1.0"));
        free(e);
}

static void assert_npd_line(const char *out, const char *prefix)
{
        const char *nl = strchr(out, '\n');
        assert_non_null(nl);
        assert_string_equal(nl + 1, "");
        assert_true(nl - out <= 80);
        if (!str_startswith(out, prefix))
                fail_msg("npd line \"%s\" does not start with \"%s\"", out, prefix);
}

static void test_npd_exit_codes_follow_the_plugin_contract(void **state)
{
        (void)state;
        char *out;
        assert_int_equal(fl_check(root, &out, NULL, "--format", "npd", NULL), 1);
        assert_npd_line(out, "NonOK: 8 failed: kubelet.anonymous-auth kubelet.client-ca-file");
        free(out);
        assert_int_equal(fl_check(root, &out, NULL, "--format", "npd", "--only",
                                  "kubelet.event-qps,kubelet.hostname-override", NULL),
                         0);
        assert_npd_line(out, "OK: 2 checks, 2 pass");
        free(out);
        char *broken = tu_mkdtemp();
        tu_copy_tree(root, broken);
        tu_write(broken, "etc/kubernetes/kubelet/config.json", "{");
        assert_int_equal(fl_check(broken, &out, NULL, "--format", "npd", "--fail-on", "critical", NULL), 2);
        assert_npd_line(out, "Unknown: ");
        free(out);
        tu_rm_rf(broken);
        free(broken);
}

static void test_textfile_holds_the_prometheus_report(void **state)
{
        (void)state;
        _cleanup_free_ char *prom = scratch_path("t.prom");
        char *out;
        assert_int_equal(fl_check(root, &out, NULL, "--format", "json", "--textfile", prom, NULL), 1);
        assert_non_null(strstr(out, "\"schema\":\t\"nodeward.report/v1\""));
        /* The textfile counts what the JSON report counts (whatever areas the catalog holds). */
        cJSON *rep = cJSON_Parse(out);
        assert_non_null(rep);
        char want_pass[64];
        snprintf(want_pass, sizeof(want_pass), "nodeward_checks{status=\"pass\"} %d\n",
                 cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "summary"), "pass")->valueint);
        cJSON_Delete(rep);
        free(out);
        int fd = open(prom, O_RDONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        char *m = tu_read_fd(fd);
        close(fd);
        assert_true(str_startswith(m, "# HELP nodeward_check_status "));
        assert_non_null(strstr(m, want_pass));
        free(m);
        /* An unwritable place is a usage error before anything runs, and leaves nothing. */
        assert_int_equal(fl_check(root, NULL, &out, "--textfile", "/nonexistent-nw-fleet/x.prom", NULL), 2);
        assert_non_null(strstr(out, "--textfile /nonexistent-nw-fleet/x.prom"));
        free(out);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_prometheus_output_passes_promtool),
                cmocka_unit_test(test_node_exporter_serves_nodeward_textfile),
                cmocka_unit_test(test_sarif_validates_against_the_2_1_0_schema),
                cmocka_unit_test(test_npd_exit_codes_follow_the_plugin_contract),
                cmocka_unit_test(test_textfile_holds_the_prometheus_report),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
