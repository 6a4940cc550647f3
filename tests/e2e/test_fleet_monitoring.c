/* test_fleet_monitoring: the PrometheusRule under `promtool test rules`, the Grafana dashboard's
 * queries under promtool, and the manifests that switch watch --publish on. */
#include "fleet.h"

#include "base/kubeapi.h"
#include "manifest.h"

static char *slurp(const char *path)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                fail_msg("%s: %s", path, strerror(errno));
        char *s = tu_read_fd(fd);
        close(fd);
        return s;
}

static int run(const char *cmd, char **ret_out, char **ret_err)
{
        return fl_sh(cmd, ret_out, ret_err);
}

static void must_run(const char *cmd)
{
        char *out = NULL, *err = NULL;
        int rc = run(cmd, &out, &err);
        if (rc != 0)
                fail_msg("%s: exit %d\n%s%s", cmd, rc, out, err);
        free(out);
        free(err);
}

/* The rules of images/prometheus-rules.yaml beside a copy of the unit tests, in @dir. */
static void stage_rules(const char *rules_yaml, const char *dir)
{
        _cleanup_free_ char *cmd = xasprintf(
                "mkdir -p '%s' && node tests/validate/monitoring.js rules '%s' '%s/nodeward-rules.yaml' && "
                "cp tests/prom/nodeward-rules.test.yaml '%s/'",
                dir, rules_yaml, dir, dir);

        must_run(cmd);
}

static void test_alert_rules_pass_their_promtool_unit_tests(void **state)
{
        (void)state;
        fl_need_tool("promtool");
        fl_need_node_modules();
        _cleanup_free_ char *dir = xasprintf("%s/rules", scratch);
        stage_rules("images/prometheus-rules.yaml", dir);
        _cleanup_free_ char *check = xasprintf("promtool check rules '%s/nodeward-rules.yaml'", dir);
        must_run(check);
        _cleanup_free_ char *test = xasprintf("cd '%s' && promtool test rules nodeward-rules.test.yaml", dir);
        must_run(test);
}

/* The unit tests can fail: a staleness bound ten times too loose, or a pod alert on the
 * wrong kind, is caught. */
static void test_alert_unit_tests_catch_a_wrong_rule(void **state)
{
        (void)state;
        fl_need_tool("promtool");
        fl_need_node_modules();
        static const char *const seds[] = {
                "s/nodeward_last_run_timestamp_seconds > 900/nodeward_last_run_timestamp_seconds > 9000/",
                "s/{kind=\"imds\"}/{kind=\"kubelet\"}/",
                "s/severity=\"critical\"} == 1/severity=\"high\"} == 1/",
        };
        for (size_t i = 0; i < sizeof(seds) / sizeof(*seds); i++) {
                char *out = NULL, *err = NULL;
                _cleanup_free_ char *dir = xasprintf("%s/broken%zu", scratch, i);
                _cleanup_free_ char *edit = xasprintf(
                        "mkdir -p '%s' && sed '%s' images/prometheus-rules.yaml > '%s/pr.yaml' && "
                        "cmp -s images/prometheus-rules.yaml '%s/pr.yaml'",
                        dir, seds[i], dir, dir);
                assert_int_equal(run(edit, NULL, NULL), 1); /* the edit changed something */
                _cleanup_free_ char *pr = xasprintf("%s/pr.yaml", dir);
                stage_rules(pr, dir);
                _cleanup_free_ char *cmd = xasprintf("cd '%s' && promtool test rules nodeward-rules.test.yaml", dir);
                int rc = run(cmd, &out, &err);
                if (rc == 0)
                        fail_msg("promtool test rules passed a broken rule (%s)", seds[i]);
                free(out);
                free(err);
        }
}

static void test_prometheus_rule_shape_is_checked(void **state)
{
        (void)state;
        fl_need_node_modules();
        _cleanup_free_ char *cmd = xasprintf(
                "sed 's/^  groups:/  grups:/' images/prometheus-rules.yaml > '%s/g.yaml' && "
                "node tests/validate/monitoring.js rules '%s/g.yaml' '%s/g.out'",
                scratch, scratch, scratch);
        char *err = NULL;
        assert_int_equal(run(cmd, NULL, &err), 1);
        assert_non_null(strstr(err, "spec.grups is not a PrometheusRule field"));
        free(err);
}

static void test_dashboard_queries_parse_with_promtool(void **state)
{
        (void)state;
        fl_need_tool("promtool");
        fl_need_node_modules();
        char *cmd = xasprintf(
                "node tests/validate/monitoring.js dashboard images/grafana-dashboard.json '%s/dash.yaml' && "
                "promtool check rules '%s/dash.yaml'",
                scratch, scratch);
        must_run(cmd);
        free(cmd);
        cmd = xasprintf("%s/dash.yaml", scratch);
        char *y = slurp(cmd);
        free(cmd);
        int n = 0;
        for (const char *p = y; (p = strstr(p, "record: ")); p++)
                n++;
        assert_true(n >= 10);
        free(y);
        /* A query promtool cannot parse fails the check. */
        cmd = xasprintf("sed 's/count(nodeward_node_info/count(nodeward_node_info{/' images/grafana-dashboard.json > "
                        "'%s/bad.json' && node tests/validate/monitoring.js dashboard '%s/bad.json' '%s/bad.yaml' && "
                        "promtool check rules '%s/bad.yaml'",
                        scratch, scratch, scratch, scratch);
        assert_int_not_equal(run(cmd, NULL, NULL), 0);
        free(cmd);
        /* So does a panel on top of another. */
        cmd = xasprintf(
                "node -e 'const d=require(\"./images/grafana-dashboard.json\");d.panels[1].gridPos=d.panels[0].gridPos;"
                "console.log(JSON.stringify(d))' > '%s/ov.json' && "
                "node tests/validate/monitoring.js dashboard '%s/ov.json' '%s/ov.yaml'",
                scratch, scratch, scratch);
        char *err = NULL;
        assert_int_equal(run(cmd, NULL, &err), 1);
        free(cmd);
        assert_non_null(strstr(err, "overlaps"));
        free(err);
}

/* Every metric the alerts and the dashboard query is one nodeward writes. */
static void test_rules_and_dashboard_use_metrics_nodeward_writes(void **state)
{
        (void)state;
        fl_need_node_modules();
        char *names = NULL;
        assert_int_equal(run("node tests/validate/monitoring.js metrics images/prometheus-rules.yaml "
                             "images/grafana-dashboard.json",
                             &names, NULL),
                         0);
        char *src = slurp("host/render/report_metrics.c");
        int n = 0;
        for (char *save = NULL, *l = strtok_r(names, "\n", &save); l; l = strtok_r(NULL, "\n", &save), n++) {
                char quoted[256];
                snprintf(quoted, sizeof(quoted), "\"%s", l);
                if (!strstr(src, quoted))
                        fail_msg("%s is queried but host/render/report_metrics.c writes no such metric", l);
        }
        assert_true(n >= 6);
        free(src);
        free(names);
}

/* The RBAC publishing needs, exactly: get nodes (the Node's uid); patch
 * clusterreports.openreports.io (server-side apply), and create, which the API server
 * also checks when an apply makes the report (k8s.io/apiserver
 * pkg/endpoints/handlers/patch.go: the apply's createValidation is authorized as
 * "create"). No get, list or update: the publisher never reads or PUTs a report. Bound
 * to the DaemonSet's service account. */
static void test_publish_rbac_is_minimal(void **state)
{
        (void)state;
        cJSON *docs = mf_load("images/daemonset.yaml");
        const cJSON *role = mf_find(docs, "ClusterRole", "nodeward-publish");
        assert_non_null(role);
        const cJSON *rules = cJSON_GetObjectItem(role, "rules");
        assert_int_equal(cJSON_GetArraySize(rules), 2);
        const cJSON *r0 = cJSON_GetArrayItem(rules, 0), *r1 = cJSON_GetArrayItem(rules, 1);
        assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(r0, "apiGroups"), 0)->valuestring, "");
        assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(r0, "resources"), 0)->valuestring, "nodes");
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r0, "verbs")), 1);
        assert_true(mf_has(cJSON_GetObjectItem(r0, "verbs"), "get"));
        assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(r1, "apiGroups"), 0)->valuestring, "openreports.io");
        assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(r1, "resources"), 0)->valuestring, "clusterreports");
        assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r1, "verbs")), 2);
        assert_true(mf_has(cJSON_GetObjectItem(r1, "verbs"), "create"));
        assert_true(mf_has(cJSON_GetObjectItem(r1, "verbs"), "patch"));
        const cJSON *rb = mf_find(docs, "ClusterRoleBinding", "nodeward-publish");
        assert_non_null(rb);
        assert_string_equal(mf_str(rb, "roleRef.name"), "nodeward-publish");
        const cJSON *subj = cJSON_GetArrayItem(cJSON_GetObjectItem(rb, "subjects"), 0);
        assert_string_equal(mf_str(subj, "kind"), "ServiceAccount");
        const cJSON *ds = mf_find(docs, "DaemonSet", "nodeward");
        assert_string_equal(mf_str(subj, "name"), mf_str(ds, "spec.template.spec.serviceAccountName"));
        assert_string_equal(mf_str(subj, "namespace"), mf_str(ds, "metadata.namespace"));
        cJSON_Delete(docs);
}

/* images/daemonset-publish.json applied as `kubectl patch --type=json` would: the result
 * still validates strictly, runs watch --publish, and mounts a projected token and the
 * cluster CA where nodeward looks by default. */
static void test_publish_patch_switches_publishing_on(void **state)
{
        (void)state;
        fl_need_node_modules();
        _cleanup_free_ char *path = xasprintf("%s/patched.yaml", scratch);
        char *cmd = xasprintf(
                "node tests/validate/jsonpatch.js images/daemonset.yaml images/daemonset-publish.json DaemonSet nodeward "
                "> '%s' && node tests/validate/k8s.js '%s'",
                path, path);
        must_run(cmd);
        free(cmd);
        cJSON *docs = mf_load(path);
        const cJSON *ds = mf_find(docs, "DaemonSet", "nodeward");
        const cJSON *pod = mf_get(ds, "spec.template.spec");
        const cJSON *c = mf_named(cJSON_GetObjectItem(pod, "containers"), "nodeward");
        assert_true(mf_has(cJSON_GetObjectItem(c, "args"), "--publish"));
        assert_string_equal(
                mf_str(mf_named(cJSON_GetObjectItem(c, "env"), "NODE_NAME"), "valueFrom.fieldRef.fieldPath"),
                "spec.nodeName");
        const cJSON *m = mf_mount(c, KUBEAPI_SA_DIR);
        assert_non_null(m);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(m, "readOnly")));
        const cJSON *vol = mf_named(cJSON_GetObjectItem(pod, "volumes"), mf_str(m, "name"));
        const cJSON *src = mf_get(vol, "projected.sources");
        assert_string_equal(mf_str(cJSON_GetArrayItem(src, 0), "serviceAccountToken.path"), "token");
        assert_string_equal(mf_str(cJSON_GetArrayItem(src, 1), "configMap.name"), "kube-root-ca.crt");
        assert_string_equal(
                mf_str(cJSON_GetArrayItem(cJSON_GetObjectItem(mf_get(cJSON_GetArrayItem(src, 1), "configMap"), "items"),
                                          0),
                       "path"),
                "ca.crt");
        cJSON_Delete(docs);
        /* The patch's guard: on another container layout it does not apply. */
        cmd = xasprintf(
                "sed 's/^        - name: nodeward$/        - name: other/' images/daemonset.yaml > '%s/o.yaml' && "
                "node tests/validate/jsonpatch.js '%s/o.yaml' images/daemonset-publish.json DaemonSet nodeward",
                scratch, scratch);
        char *err = NULL;
        assert_int_equal(run(cmd, NULL, &err), 1);
        free(cmd);
        assert_non_null(strstr(err, "test /spec/template/spec/containers/0/name failed"));
        free(err);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_alert_rules_pass_their_promtool_unit_tests),
                cmocka_unit_test(test_alert_unit_tests_catch_a_wrong_rule),
                cmocka_unit_test(test_prometheus_rule_shape_is_checked),
                cmocka_unit_test(test_dashboard_queries_parse_with_promtool),
                cmocka_unit_test(test_rules_and_dashboard_use_metrics_nodeward_writes),
                cmocka_unit_test(test_publish_rbac_is_minimal),
                cmocka_unit_test(test_publish_patch_switches_publishing_on),
        };
        return cmocka_run_group_tests(tests, fl_setup, fl_teardown);
}
