/* test_fleet_images: the DaemonSet and NPD manifests: strict Kubernetes OpenAPI validation, the NPD config, the settings the fleet relies on. */
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

static void test_manifests_validate_against_kubernetes_openapi(void **state)
{
        (void)state;
        fl_need_node_modules();
        char *out, *err;
        int rc = fl_sh("node tests/validate/k8s.js images/daemonset.yaml images/npd-nodeward.yaml", &out, &err);
        if (rc != 0)
                fail_msg("manifests not valid (exit %d):\n%s%s", rc, out, err);
        static const char *const objs[] = {
                "v1/Namespace nodeward",      "v1/ServiceAccount nodeward", "scheduling.k8s.io/v1/PriorityClass",
                "apps/v1/DaemonSet nodeward", "v1/ConfigMap npd-nodeward",  "apps/v1/DaemonSet node-problem-detector"};
        for (size_t i = 0; i < sizeof(objs) / sizeof(objs[0]); i++)
                if (!strstr(out, objs[i]))
                        fail_msg("validator did not see %s:\n%s", objs[i], out);
        free(out);
        free(err);
        /* The schema is a real judge: a wrong type, or an NPD rule naming an undeclared condition. */
        char cmd[8192];
        snprintf(cmd, sizeof(cmd),
                 "sed 's/hostPID: true/hostPID: \"yes\"/' images/daemonset.yaml > '%s/a.yaml' && "
                 "node tests/validate/k8s.js '%s/a.yaml'",
                 scratch, scratch);
        assert_int_equal(fl_sh(cmd, NULL, &err), 1);
        assert_non_null(strstr(err, "hostPID must be boolean"));
        free(err);
        snprintf(cmd, sizeof(cmd),
                 "sed 's/\"condition\": \"NodeHardening\"/\"condition\": \"Other\"/' "
                 "images/npd-nodeward.yaml > '%s/b.yaml' && node tests/validate/k8s.js '%s/b.yaml'",
                 scratch, scratch);
        assert_int_equal(fl_sh(cmd, NULL, &err), 1);
        assert_non_null(strstr(err, "rule condition Other is not declared"));
        free(err);
}

/* Fields the schema does not declare are errors, as with kubectl --validate=strict:
 * a misspelt hostPID would otherwise be dropped silently and the pod would see no host process. */
static void test_manifest_validation_rejects_unknown_fields(void **state)
{
        (void)state;
        fl_need_node_modules();
        static const struct {
                const char *sed, *file, *want;
        } cases[] = {
                {"s/hostPID: true/hostPid: true/", "daemonset", "unknown field \"spec.template.spec.hostPid\""},
                {"s/      drop: /      dorp: /", "daemonset",
                 "unknown field \"spec.template.spec.containers[0].securityContext.capabilities.dorp\""},
                {"s/mountPropagation: HostToContainer/mountPropagaton: HostToContainer/", "daemonset",
                 "unknown field \"spec.template.spec.containers[0].volumeMounts[0].mountPropagaton\""},
                {"s/^automountServiceAccountToken: false/automountServiceAccountTokens: false/", "daemonset",
                 "v1/ServiceAccount nodeward: unknown field \"automountServiceAccountTokens\""},
                {"s/  namespace: nodeward/  namespaces: nodeward/", "npd-nodeward",
                 "unknown field \"metadata.namespaces\""},
                /* Rules of the API server beyond the schema. */
                {"s/mountPropagation: HostToContainer/mountPropagation: HostToContainer\\n              "
                 "recursiveReadOnly: IfPossible/",
                 "daemonset", "mount /host: recursiveReadOnly IfPossible needs mountPropagation None"},
                {"s/^        - name: run$/        - name: rnu/", "daemonset",
                 "mount /run/nodeward: no volume named run"},
        };
        char cmd[8192], *err;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                snprintf(cmd, sizeof(cmd),
                         "sed '%s' images/%s.yaml > '%s/u.yaml' && cmp -s images/%s.yaml '%s/u.yaml' "
                         "|| node tests/validate/k8s.js '%s/u.yaml'",
                         cases[i].sed, cases[i].file, scratch, cases[i].file, scratch, scratch);
                int rc = fl_sh(cmd, NULL, &err);
                if (rc != 1 || !strstr(err, cases[i].want))
                        fail_msg("%s: exit %d (want 1), stderr lacks \"%s\":\n%s", cases[i].sed, rc, cases[i].want,
                                 err);
                free(err);
        }
}

/* One manifest for Kubernetes 1.28 and later: it must not use a field added since
 * 1.28 (recursiveReadOnly and appArmorProfile: 1.30, supplementalGroupsPolicy: 1.31,
 * seLinuxChangePolicy: 1.32; the API reference of each release lists its fields). */
#define FIELDS_AFTER_1_28                                        \
        "--without recursiveReadOnly --without appArmorProfile " \
        "--without supplementalGroupsPolicy --without seLinuxChangePolicy"

static void test_manifests_use_no_field_newer_than_kubernetes_1_28(void **state)
{
        (void)state;
        fl_need_node_modules();
        char *out, *err;
        int rc = fl_sh("node tests/validate/k8s.js " FIELDS_AFTER_1_28
                       " images/daemonset.yaml images/npd-nodeward.yaml",
                       &out, &err);
        if (rc != 0)
                fail_msg("a manifest uses a field newer than Kubernetes 1.28 (exit %d):\n%s", rc, err);
        free(out);
        free(err);
        char cmd[8192];
        snprintf(cmd, sizeof(cmd),
                 "sed 's/type: RuntimeDefault/type: RuntimeDefault\\n        appArmorProfile:\\n"
                 "          type: RuntimeDefault/' images/daemonset.yaml > '%s/n.yaml' && "
                 "node tests/validate/k8s.js " FIELDS_AFTER_1_28 " '%s/n.yaml'",
                 scratch, scratch);
        assert_int_equal(fl_sh(cmd, NULL, &err), 1);
        assert_non_null(strstr(err, "field \"spec.template.spec.securityContext.appArmorProfile\" is not available"));
        free(err);
}

/* The ConfigMap must carry npd-nodeward-monitor.json byte for byte (4-space indented). */
static void test_npd_configmap_matches_the_monitor_file(void **state)
{
        (void)state;
        char *yaml = slurp("images/npd-nodeward.yaml"), *json = slurp("images/npd-nodeward-monitor.json");
        const char *p = strstr(yaml, "  npd-nodeward-monitor.json: |\n");
        assert_non_null(p);
        p = strchr(p, '\n') + 1;
        struct strbuf sb = {0};
        while (str_startswith(p, "    ") || *p == '\n') {
                const char *nl = strchr(p, '\n');
                sb_putn(&sb, *p == '\n' ? p : p + 4, (size_t)(nl - p) + 1 - (*p == '\n' ? 0 : 4));
                p = nl + 1;
        }
        char *embedded = sb_steal(&sb);
        assert_string_equal(embedded, json);
        cJSON *mon = cJSON_Parse(json);
        assert_non_null(mon);
        const cJSON *rule = cJSON_GetArrayItem(cJSON_GetObjectItem(mon, "rules"), 0);
        assert_string_equal(cJSON_GetObjectItem(rule, "condition")->valuestring, "NodeHardening");
        const cJSON *cond = cJSON_GetArrayItem(cJSON_GetObjectItem(mon, "conditions"), 0);
        assert_string_equal(cJSON_GetObjectItem(cond, "type")->valuestring, "NodeHardening");
        assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(mon, "pluginConfig"), "max_output_length")->valueint,
                         80);
        /* The plugin's arguments are ones nodeward accepts, in npd format. */
        const cJSON *args = cJSON_GetObjectItem(rule, "args");
        char *argv[12] = {(char *)tu_nodeward()};
        int n = 1;
        const cJSON *a;
        cJSON_ArrayForEach(a, args)
        {
                assert_true(n < 10);
                argv[n++] = str_startswith(a->valuestring, "--root=") ? (char *)"--root=/" : a->valuestring;
        }
        argv[n] = NULL;
        char *out;
        int rc = tu_run(argv, &out, NULL);
        assert_true(rc >= 0 && rc <= 2);
        assert_true(strlen(out) <= 81);
        free(out);
        cJSON_Delete(mon);
        free(embedded);
        free(yaml);
        free(json);
}

static void test_daemonset_keeps_its_security_promises(void **state)
{
        (void)state;
        char *y = slurp("images/daemonset.yaml");
        static const char *const must[] = {
                "pod-security.kubernetes.io/enforce: privileged",
                "automountServiceAccountToken: false\n---",
                "hostPID: true",
                "hostNetwork: false",
                "mountPath: /host\n              readOnly: true",
                "path: /\n            type: Directory",
                "privileged: false",
                "allowPrivilegeEscalation: false",
                "readOnlyRootFilesystem: true",
                "drop: [\"ALL\"]",
                "type: RuntimeDefault",
                "priorityClassName: nodeward-node-agent",
                "kind: PriorityClass",
                "- operator: Exists",
                "requests:",
                "limits:",
        };
        for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
                if (!strstr(y, must[i]))
                        fail_msg("daemonset.yaml lacks \"%s\"", must[i]);
        assert_null(strstr(y, "privileged: true"));
        assert_null(strstr(y, "hostNetwork: true"));
        free(y);
}

/* What the fleet relies on, read from the manifest as data. */
static void test_daemonset_names_the_node_probes_readiness_and_follows_host_mounts(void **state)
{
        (void)state;
        cJSON *docs = mf_load("images/daemonset.yaml");
        const cJSON *ds = mf_find(docs, "DaemonSet", "nodeward");
        const cJSON *pod = mf_get(ds, "spec.template.spec");
        const cJSON *c = mf_named(cJSON_GetObjectItem(pod, "containers"), "nodeward");
        assert_non_null(c);
        const cJSON *env = mf_named(cJSON_GetObjectItem(c, "env"), "NODE_NAME");
        assert_string_equal(mf_str(env, "valueFrom.fieldRef.fieldPath"), "spec.nodeName");
        /* The host's / follows the host's later mounts (rslave) and is read-only. */
        const cJSON *host = mf_mount(c, "/host");
        assert_non_null(host);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(host, "readOnly")));
        assert_string_equal(mf_str(host, "mountPropagation"), "HostToContainer");
        assert_string_equal(
                mf_str(mf_named(cJSON_GetObjectItem(pod, "volumes"), mf_str(host, "name")), "hostPath.path"), "/");
        /* watch keeps --state=FILE current; the readiness probe asks `nodeward ready` about the same FILE,
         * which lies on an emptyDir of this pod (not on the host, not on the read-only root). */
        const char *state_arg = NULL;
        const cJSON *a;
        cJSON_ArrayForEach(a, cJSON_GetObjectItem(c, "args")) if (str_startswith(a->valuestring, "--state="))
                state_arg = a->valuestring;
        assert_non_null(state_arg);
        assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(c, "args"), 0)->valuestring, "watch");
        const cJSON *probe = mf_get(c, "readinessProbe.exec.command");
        assert_int_equal(cJSON_GetArraySize(probe), 3);
        assert_string_equal(cJSON_GetArrayItem(probe, 1)->valuestring, "ready");
        assert_string_equal(cJSON_GetArrayItem(probe, 2)->valuestring, state_arg);
        const char *file = state_arg + strlen("--state=");
        const cJSON *m, *best = NULL;
        cJSON_ArrayForEach(m, cJSON_GetObjectItem(c, "volumeMounts"))
        {
                const char *mp = mf_str(m, "mountPath");
                if (str_startswith(file, mp) && file[strlen(mp)] == '/' &&
                    (!best || strlen(mp) > strlen(mf_str(best, "mountPath"))))
                        best = m;
        }
        assert_non_null(best);
        assert_non_null(mf_get(mf_named(cJSON_GetObjectItem(pod, "volumes"), mf_str(best, "name")), "emptyDir"));
        /* Both architectures of the image, and only Linux nodes. */
        const cJSON *term = cJSON_GetArrayItem(
                mf_get(pod, "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"),
                0);
        bool arch = false, os = false;
        const cJSON *e;
        cJSON_ArrayForEach(e, cJSON_GetObjectItem(term, "matchExpressions"))
        {
                if (strcmp(mf_str(e, "key"), "kubernetes.io/arch") == 0)
                        arch = strcmp(mf_str(e, "operator"), "In") == 0 && mf_has(mf_get(e, "values"), "amd64") &&
                               mf_has(mf_get(e, "values"), "arm64") && cJSON_GetArraySize(mf_get(e, "values")) == 2;
                if (strcmp(mf_str(e, "key"), "kubernetes.io/os") == 0)
                        os = strcmp(mf_str(e, "operator"), "In") == 0 && mf_has(mf_get(e, "values"), "linux");
        }
        assert_true(arch && os);
        cJSON_Delete(docs);
}

/* FROM scratch: nothing is pulled, and only what make image stages enters the build context. */
static void test_containerfile_is_from_scratch_and_its_context_only_the_staged_binaries(void **state)
{
        (void)state;
        char *cf = slurp("images/Containerfile"), *ci = slurp(".containerignore");
        int from = 0;
        for (char *line = strtok(cf, "\n"); line; line = strtok(NULL, "\n")) {
                if (str_startswith(line, "FROM ")) {
                        assert_string_equal(line, "FROM scratch");
                        from++;
                }
                assert_false(str_startswith(line, "RUN "));
                if (str_startswith(line, "COPY ") || str_startswith(line, "ADD "))
                        assert_true(str_startswith(line, "COPY build/image/${TARGETARCH}/"));
        }
        assert_int_equal(from, 1);
        /* Everything ignored but the staging directory (the last matching line wins). */
        assert_non_null(strstr(ci, "\n*\n!build/image/\n"));
        free(cf);
        free(ci);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_manifests_validate_against_kubernetes_openapi),
                cmocka_unit_test(test_manifest_validation_rejects_unknown_fields),
                cmocka_unit_test(test_manifests_use_no_field_newer_than_kubernetes_1_28),
                cmocka_unit_test(test_npd_configmap_matches_the_monitor_file),
                cmocka_unit_test(test_daemonset_keeps_its_security_promises),
                cmocka_unit_test(test_daemonset_names_the_node_probes_readiness_and_follows_host_mounts),
                cmocka_unit_test(test_containerfile_is_from_scratch_and_its_context_only_the_staged_binaries),
        };
        return cmocka_run_group_tests(tests, fl_setup, fl_teardown);
}
