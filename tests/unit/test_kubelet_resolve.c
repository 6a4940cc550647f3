/* test_kubelet_resolve: defaulting, drop-in merge patches, the --config-dir walk and flag precedence, each as the kubelet does it. */
#include "testutil.h"

#include "base/confdoc.h"
#include "collect/kubelet/kubelet.h"
#include "base/util.h"

/*
 * Upstream semantics pinned here (kubernetes/kubernetes):
 *  - pkg/kubelet/apis/config/v1beta1/defaults.go, SetDefaults_KubeletConfiguration:
 *    "if obj.Port == 0", "if obj.Authorization.Mode == \"\"", "if obj.StreamingConnectionIdleTimeout
 *    == zeroDuration" replace zero values; "if obj.EventRecordQPS == nil", "if obj.MakeIPTablesUtilChains
 *    == nil", "if obj.Authentication.Anonymous.Enabled == nil" only nil pointers; readOnlyPort,
 *    protectKernelDefaults and rotateCertificates are not defaulted at all.
 *  - cmd/kubelet/app/server.go: loadConfigFile (decode + default), then mergeKubeletConfigurations
 *    (filepath.WalkDir over --config-dir, *.conf only, jsonpatch.MergePatch of each drop-in, then
 *    json.Unmarshal over the defaulted struct, no defaulting again), then kubeletConfigFlagPrecedence.
 *  - Go's filepath.WalkDir: os.Lstat on the root, each directory's entries sorted by name, depth
 *    first, symlinks never entered.
 */

struct scene {
        char *dir;
        struct rootfs root, proc;
        struct proc_table procs;
        struct kubelet_facts k;
};

/* A node root whose only process is a kubelet with @argv (NULL-terminated). */
static struct scene *scene_new(void)
{
        struct scene *s = calloc(1, sizeof(*s));
        s->dir = tu_mkdtemp();
        return s;
}

static void scene_collect(struct scene *s, const char *const *argv)
{
        tu_write_proc(s->dir, 700, "kubelet", argv);
        assert_int_equal(rootfs_open_root(s->dir, &s->root), 0);
        assert_int_equal(rootfs_open_subroot(&s->root, "proc", &s->proc), 0);
        assert_int_equal(proc_table_read(&s->proc, &s->procs), 0);
        kubelet_collect(&s->root, &s->proc, &s->procs, &s->k);
        assert_true(s->k.found);
}

static void scene_free(struct scene *s)
{
        kubelet_facts_free(&s->k);
        proc_table_free(&s->procs);
        rootfs_close(&s->proc);
        rootfs_close(&s->root);
        tu_rm_rf(s->dir);
        free(s->dir);
        free(s);
}

static const char *const WITH_CONFIG[] = {"/usr/bin/kubelet", "--config=/etc/kubelet.yaml", NULL};
static const char *const WITH_DIR[] = {"/usr/bin/kubelet", "--config=/etc/kubelet.yaml", "--config-dir=/etc/kubelet.d",
                                       NULL};

#define KIND "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"

static struct scene *collect_config(const char *config, const char *const *argv)
{
        struct scene *s = scene_new();
        tu_write(s->dir, "etc/kubelet.yaml", config);
        scene_collect(s, argv);
        assert_null(s->k.load_error);
        return s;
}

static void assert_field(const struct kubelet_facts *k, enum kfield id, const char *json, enum ksource src,
                         const char *reason)
{
        const struct kfield_value *fv = &k->f[id];
        char *got = fv->value ? cJSON_PrintUnformatted(fv->value) : strdup("(none)");
        if (strcmp(got, json) != 0 || fv->source != src)
                fail_msg("%s: got %s (source %d, origin %s), want %s (source %d)", kfield_defs[id].path, got,
                         fv->source, fv->origin, json, src);
        free(got);
        if (reason && (!fv->default_reason || !strstr(fv->default_reason, reason)))
                fail_msg("%s: default_reason \"%s\", want \"%s\"", kfield_defs[id].path,
                         fv->default_reason ? fv->default_reason : "(none)", reason);
        if (!reason && src != KSRC_DEFAULT)
                assert_null(fv->default_reason);
}

static void assert_origin_has(const struct kubelet_facts *k, enum kfield id, const char *needle)
{
        const struct kfield_value *fv = &k->f[id];
        char both[2048];
        snprintf(both, sizeof(both), "%s | %s", fv->origin, fv->shadowed ? fv->shadowed : "");
        if (!strstr(both, needle))
                fail_msg("%s: \"%s\" lacks \"%s\"", kfield_defs[id].path, both, needle);
}

static void test_zero_values_replaced_only_where_defaulting_compares_to_zero(void **state)
{
        (void)state;
        struct scene *s = collect_config(KIND "port: 0\nauthorization:\n  mode: \"\"\n"
                                              "streamingConnectionIdleTimeout: 0s\neventRecordQPS: 0\n"
                                              "readOnlyPort: 0\nmakeIPTablesUtilChains: false\n"
                                              "authentication:\n  anonymous:\n    enabled: false\n",
                                         WITH_CONFIG);
        const struct kubelet_facts *k = &s->k;
        assert_field(k, KF_PORT, "10250", KSRC_DEFAULT, "zero value replaced");
        assert_field(k, KF_AUTHZ_MODE, "\"Webhook\"", KSRC_DEFAULT, "zero value replaced");
        assert_field(k, KF_STREAMING_IDLE_TIMEOUT, "\"4h0m0s\"", KSRC_DEFAULT, "zero value replaced");
        assert_origin_has(k, KF_STREAMING_IDLE_TIMEOUT, "config file /etc/kubelet.yaml says 0s");
        assert_origin_has(k, KF_AUTHZ_MODE, "says \"\"");
        /* Pointer fields keep an explicit zero; readOnlyPort is never defaulted. */
        assert_field(k, KF_EVENT_QPS, "0", KSRC_FILE, NULL);
        assert_field(k, KF_READ_ONLY_PORT, "0", KSRC_FILE, NULL);
        assert_field(k, KF_IPTABLES_UTIL_CHAINS, "false", KSRC_FILE, NULL);
        assert_field(k, KF_ANONYMOUS_AUTH, "false", KSRC_FILE, NULL);
        scene_free(s);
}

static void test_every_zero_duration_spelling_is_zero(void **state)
{
        (void)state;
        const char *zeros[] = {"0", "0s", "0h0m0s", "0.0000000001s", "-0s"};
        for (size_t i = 0; i < ARRAY_SIZE(zeros); i++) {
                char cfg[256];
                snprintf(cfg, sizeof(cfg), KIND "streamingConnectionIdleTimeout: \"%s\"\n", zeros[i]);
                struct scene *s = collect_config(cfg, WITH_CONFIG);
                assert_field(&s->k, KF_STREAMING_IDLE_TIMEOUT, "\"4h0m0s\"", KSRC_DEFAULT, "zero value replaced");
                scene_free(s);
        }
        /* 500us is not zero: it stays (and the kubelet really times out after 500us). */
        struct scene *s = collect_config(KIND "streamingConnectionIdleTimeout: 500us\n", WITH_CONFIG);
        assert_field(&s->k, KF_STREAMING_IDLE_TIMEOUT, "\"500us\"", KSRC_FILE, NULL);
        scene_free(s);
}

static void test_absent_fields_take_defaults_with_reason_absent(void **state)
{
        (void)state;
        struct scene *s = collect_config(KIND, WITH_CONFIG);
        const struct kubelet_facts *k = &s->k;
        assert_field(k, KF_ANONYMOUS_AUTH, "false", KSRC_DEFAULT, "absent");
        assert_field(k, KF_WEBHOOK_AUTHN, "true", KSRC_DEFAULT, "absent");
        assert_field(k, KF_AUTHZ_MODE, "\"Webhook\"", KSRC_DEFAULT, "absent");
        assert_field(k, KF_READ_ONLY_PORT, "0", KSRC_DEFAULT, "absent");
        assert_origin_has(k, KF_READ_ONLY_PORT, "Go's zero value");
        assert_field(k, KF_PORT, "10250", KSRC_DEFAULT, "absent");
        assert_field(k, KF_EVENT_QPS, "50", KSRC_DEFAULT, "absent");
        assert_field(k, KF_IPTABLES_UTIL_CHAINS, "true", KSRC_DEFAULT, "absent");
        assert_field(k, KF_PROTECT_KERNEL_DEFAULTS, "false", KSRC_DEFAULT, "absent");
        assert_field(k, KF_ROTATE_CERTIFICATES, "false", KSRC_DEFAULT, "absent");
        assert_field(k, KF_FG_ROTATE_SERVER_CERT, "true", KSRC_DEFAULT, "absent");
        assert_int_equal(k->f[KF_CLIENT_CA_FILE].source, KSRC_UNSET);
        assert_int_equal(k->f[KF_TLS_CIPHER_SUITES].source, KSRC_UNSET);
        scene_free(s);
}

static void test_null_in_config_file_reads_as_absent(void **state)
{
        (void)state;
        /* json.Unmarshal leaves a non-pointer field alone on null and sets a pointer to nil,
         * so the defaulting that follows sees "absent" either way. */
        struct scene *s = collect_config(KIND "readOnlyPort: null\neventRecordQPS: null\n"
                                              "streamingConnectionIdleTimeout: null\nauthentication: null\n"
                                              "authorization:\n  mode: ~\n",
                                         WITH_CONFIG);
        const struct kubelet_facts *k = &s->k;
        assert_field(k, KF_READ_ONLY_PORT, "0", KSRC_DEFAULT, "null in config file");
        assert_field(k, KF_EVENT_QPS, "50", KSRC_DEFAULT, "null in config file");
        assert_field(k, KF_STREAMING_IDLE_TIMEOUT, "\"4h0m0s\"", KSRC_DEFAULT, "null in config file");
        assert_field(k, KF_ANONYMOUS_AUTH, "false", KSRC_DEFAULT, "null in config file");
        assert_field(k, KF_WEBHOOK_AUTHN, "true", KSRC_DEFAULT, "null in config file");
        assert_field(k, KF_AUTHZ_MODE, "\"Webhook\"", KSRC_DEFAULT, "null in config file");
        /* The effective document carries no nulls. */
        assert_null(cJSON_GetObjectItem(k->effective, "authentication"));
        scene_free(s);
}

/* One row per checked field: its Go zero value in the file, and what the kubelet makes of
 * the field absent, zero, null, and given as a flag holding the zero value. */
struct form_row {
        enum kfield id;
        const char *zero;    /* JSON */
        const char *absent;  /* JSON of the value, "" = unset */
        const char *as_zero; /* value when the file holds the zero */
        enum ksource zero_src;
        const char *flag; /* the flag with the zero value */
        const char *as_flag;
};

static const struct form_row FORMS[] = {
        {KF_ANONYMOUS_AUTH, "false", "false", "false", KSRC_FILE, "--anonymous-auth=false", "false"},
        {KF_WEBHOOK_AUTHN, "false", "true", "false", KSRC_FILE, "--authentication-token-webhook=false", "false"},
        {KF_AUTHZ_MODE, "\"\"", "\"Webhook\"", "\"Webhook\"", KSRC_DEFAULT, "--authorization-mode=", "\"\""},
        {KF_CLIENT_CA_FILE, "\"\"", "", "\"\"", KSRC_FILE, "--client-ca-file=", "\"\""},
        {KF_READ_ONLY_PORT, "0", "0", "0", KSRC_FILE, "--read-only-port=0", "0"},
        {KF_PORT, "0", "10250", "10250", KSRC_DEFAULT, "--port=0", "0"},
        {KF_STREAMING_IDLE_TIMEOUT, "\"0s\"", "\"4h0m0s\"", "\"4h0m0s\"", KSRC_DEFAULT,
         "--streaming-connection-idle-timeout=0s", "\"0s\""},
        {KF_PROTECT_KERNEL_DEFAULTS, "false", "false", "false", KSRC_FILE, "--protect-kernel-defaults=false", "false"},
        {KF_IPTABLES_UTIL_CHAINS, "false", "true", "false", KSRC_FILE, "--make-iptables-util-chains=false", "false"},
        {KF_EVENT_QPS, "0", "50", "0", KSRC_FILE, "--event-qps=0", "0"},
        {KF_ROTATE_CERTIFICATES, "false", "false", "false", KSRC_FILE, "--rotate-certificates=false", "false"},
        {KF_SERVER_TLS_BOOTSTRAP, "false", "false", "false", KSRC_FILE, "--rotate-server-certificates=false", "false"},
        {KF_FG_ROTATE_SERVER_CERT, "false", "true", "false", KSRC_FILE,
         "--feature-gates=RotateKubeletServerCertificate=false", "false"},
        {KF_TLS_CIPHER_SUITES, "[]", "", "[]", KSRC_FILE, "--tls-cipher-suites=", "[]"},
};

static struct scene *collect_form(enum kfield id, const char *json_value, const char *flag)
{
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "kind", "KubeletConfiguration");
        if (json_value)
                confdoc_set(doc, kfield_defs[id].path, cJSON_Parse(json_value));
        char *text = cJSON_PrintUnformatted(doc);
        cJSON_Delete(doc);
        const char *argv[] = {"/usr/bin/kubelet", "--config=/etc/kubelet.yaml", flag, NULL};
        struct scene *s = collect_config(text, argv);
        free(text);
        return s;
}

static void assert_form(const struct scene *s, enum kfield id, const char *want, enum ksource src, const char *what)
{
        const struct kfield_value *fv = &s->k.f[id];
        char *got = fv->value ? cJSON_PrintUnformatted(fv->value) : strdup("");
        if (strcmp(got, want) != 0 || fv->source != src)
                fail_msg("%s %s: got %s (source %d: %s), want %s (source %d)", kfield_defs[id].path, what, got,
                         fv->source, fv->origin, want, src);
        free(got);
}

static void test_every_field_absent_zero_null_and_flag_forms(void **state)
{
        (void)state;
        for (size_t i = 0; i < ARRAY_SIZE(FORMS); i++) {
                const struct form_row *r = &FORMS[i];
                enum ksource unset_or_default = *r->absent ? KSRC_DEFAULT : KSRC_UNSET;
                struct scene *s = collect_form(r->id, NULL, NULL);
                assert_form(s, r->id, r->absent, unset_or_default, "absent");
                scene_free(s);
                s = collect_form(r->id, "null", NULL);
                assert_form(s, r->id, r->absent, unset_or_default, "null");
                scene_free(s);
                s = collect_form(r->id, r->zero, NULL);
                assert_form(s, r->id, r->as_zero, r->zero_src, "zero");
                scene_free(s);
                /* The flag is parsed over the defaulted file: the zero stands. */
                s = collect_form(r->id, NULL, r->flag);
                assert_form(s, r->id, r->as_flag, KSRC_FLAG, "flag");
                scene_free(s);
        }
        /* Every field with a path is in the table (hostname-override and kubeconfig are flag-only). */
        for (size_t id = 0; id <= KF_KUBECONFIG; id++) {
                bool listed = !kfield_defs[id].path;
                for (size_t i = 0; i < ARRAY_SIZE(FORMS); i++)
                        listed = listed || FORMS[i].id == (enum kfield)id;
                if (!listed)
                        fail_msg("%s has no row", kfield_defs[id].path);
        }
}

static void test_flags_apply_after_defaulting(void **state)
{
        (void)state;
        const char *argv[] = {"/usr/bin/kubelet",
                              "--config=/etc/kubelet.yaml",
                              "--streaming-connection-idle-timeout=0",
                              "--event-qps=0",
                              "--port=0",
                              NULL};
        struct scene *s = collect_config(KIND "streamingConnectionIdleTimeout: 0s\neventRecordQPS: 7\n", argv);
        const struct kubelet_facts *k = &s->k;
        assert_field(k, KF_STREAMING_IDLE_TIMEOUT, "\"0\"", KSRC_FLAG, NULL);
        assert_origin_has(k, KF_STREAMING_IDLE_TIMEOUT, "config file /etc/kubelet.yaml says 0s");
        assert_field(k, KF_EVENT_QPS, "0", KSRC_FLAG, NULL);
        assert_origin_has(k, KF_EVENT_QPS, "says 7");
        assert_field(k, KF_PORT, "0", KSRC_FLAG, NULL);
        scene_free(s);
}

static struct scene *collect_dropins(const char *config, const char *const *names, const char *const *bodies, size_t n,
                                     const char *const *argv)
{
        struct scene *s = scene_new();
        if (config)
                tu_write(s->dir, "etc/kubelet.yaml", config);
        char p[256];
        tu_write(s->dir, "etc/kubelet.d/.keep", "");
        for (size_t i = 0; i < n; i++) {
                snprintf(p, sizeof(p), "etc/kubelet.d/%.200s", names[i]);
                tu_write(s->dir, p, bodies[i]);
        }
        scene_collect(s, argv);
        return s;
}

static void test_dropin_zero_is_not_defaulted_again(void **state)
{
        (void)state;
        const char *names[] = {"10-timeout.conf"};
        const char *bodies[] = {KIND "streamingConnectionIdleTimeout: 0s\nport: 0\n"};
        struct scene *s = collect_dropins(KIND "streamingConnectionIdleTimeout: 5m\n", names, bodies, 1, WITH_DIR);
        assert_null(s->k.load_error);
        assert_field(&s->k, KF_STREAMING_IDLE_TIMEOUT, "\"0s\"", KSRC_DROPIN, NULL);
        assert_origin_has(&s->k, KF_STREAMING_IDLE_TIMEOUT, "config file /etc/kubelet.yaml says 5m");
        assert_origin_has(&s->k, KF_STREAMING_IDLE_TIMEOUT, "merged after defaulting");
        assert_field(&s->k, KF_PORT, "0", KSRC_DROPIN, NULL);
        scene_free(s);
}

static void test_dropin_null_removes_only_earlier_dropin_values(void **state)
{
        (void)state;
        const char *names[] = {"10-open.conf", "20-close.conf"};
        const char *bodies[] = {KIND "readOnlyPort: 10255\neventRecordQPS: 3\n",
                                KIND "readOnlyPort: null\neventRecordQPS: null\nprotectKernelDefaults: null\n"};
        struct scene *s = collect_dropins(KIND "eventRecordQPS: 9\nprotectKernelDefaults: true\n", names, bodies, 2,
                                          WITH_DIR);
        const struct kubelet_facts *k = &s->k;
        /* The file never set readOnlyPort: the default comes back, and says why. */
        assert_field(k, KF_READ_ONLY_PORT, "0", KSRC_DEFAULT,
                     "null in drop-in /etc/kubelet.d/20-close.conf removed it");
        assert_origin_has(k, KF_READ_ONLY_PORT, "removed 10255 from drop-in /etc/kubelet.d/10-open.conf");
        /* The file's value is the base the drop-ins patch: null brings it back, not the default. */
        assert_field(k, KF_EVENT_QPS, "9", KSRC_FILE, NULL);
        assert_origin_has(k, KF_EVENT_QPS, "null in drop-in /etc/kubelet.d/20-close.conf removed 3");
        /* A null with no earlier drop-in value removes nothing: the file's true stays. */
        assert_field(k, KF_PROTECT_KERNEL_DEFAULTS, "true", KSRC_FILE, NULL);
        assert_origin_has(k, KF_PROTECT_KERNEL_DEFAULTS, "leaves it");
        scene_free(s);
}

static void test_nested_null_and_whole_object_null(void **state)
{
        (void)state;
        const char *names[] = {"10-weak.conf", "20-anon-back.conf", "30-auth-gone.conf"};
        const char *bodies[] = {
                KIND "authentication:\n  anonymous:\n    enabled: true\n  webhook:\n    enabled: false\n",
                KIND "authentication:\n  anonymous:\n    enabled: null\n",
                KIND "authentication: null\n",
        };
        struct scene *s = collect_dropins(KIND, names, bodies, 2, WITH_DIR);
        assert_field(&s->k, KF_ANONYMOUS_AUTH, "false", KSRC_DEFAULT,
                     "null in drop-in /etc/kubelet.d/20-anon-back.conf");
        assert_field(&s->k, KF_WEBHOOK_AUTHN, "false", KSRC_DROPIN, NULL);
        scene_free(s);
        s = collect_dropins(KIND, names, bodies, 3, WITH_DIR);
        assert_field(&s->k, KF_WEBHOOK_AUTHN, "true", KSRC_DEFAULT, "null in drop-in /etc/kubelet.d/30-auth-gone.conf");
        assert_field(&s->k, KF_ANONYMOUS_AUTH, "false", KSRC_DEFAULT, "20-anon-back.conf");
        /* The merged drop-ins hold no trace of the removed object, not even a null. */
        assert_null(cJSON_GetObjectItem(s->k.effective, "authentication"));
        scene_free(s);
}

static void test_lists_replace_objects_and_gates_merge(void **state)
{
        (void)state;
        const char *names[] = {"10.conf", "20.conf"};
        const char *bodies[] = {KIND "tlsCipherSuites: [TLS_AES_128_GCM_SHA256]\n"
                                     "featureGates:\n  RotateKubeletServerCertificate: false\n",
                                KIND "authentication:\n  webhook:\n    cacheTTL: 1m\n"};
        struct scene *s = collect_dropins(KIND "tlsCipherSuites: [A, B]\nfeatureGates:\n  Other: true\n"
                                               "authentication:\n  x509:\n    clientCAFile: /ca.crt\n",
                                          names, bodies, 2, WITH_DIR);
        const struct kubelet_facts *k = &s->k;
        assert_field(k, KF_TLS_CIPHER_SUITES, "[\"TLS_AES_128_GCM_SHA256\"]", KSRC_DROPIN, NULL);
        assert_field(k, KF_FG_ROTATE_SERVER_CERT, "false", KSRC_DROPIN, NULL);
        assert_true(cJSON_IsTrue(confdoc_get(k->effective, "featureGates.Other")));
        assert_field(k, KF_CLIENT_CA_FILE, "\"/ca.crt\"", KSRC_FILE, NULL);
        assert_string_equal(confdoc_get(k->effective, "authentication.webhook.cacheTTL")->valuestring, "1m");
        scene_free(s);
}

static void test_without_config_dropins_patch_the_flag_defaults(void **state)
{
        (void)state;
        /* kubernetes issue #131355: --config-dir alone merges onto the legacy flag defaults. */
        const char *argv[] = {"/usr/bin/kubelet", "--config-dir=/etc/kubelet.d", NULL};
        const char *names[] = {"10.conf"};
        const char *bodies[] = {KIND "authentication:\n  anonymous:\n    enabled: false\n"};
        struct scene *s = collect_dropins(NULL, names, bodies, 1, argv);
        assert_field(&s->k, KF_ANONYMOUS_AUTH, "false", KSRC_DROPIN, NULL);
        assert_field(&s->k, KF_READ_ONLY_PORT, "10255", KSRC_DEFAULT, "no --config");
        assert_field(&s->k, KF_AUTHZ_MODE, "\"AlwaysAllow\"", KSRC_DEFAULT, "no --config");
        scene_free(s);
}

static void assert_dropins(const struct kubelet_facts *k, const char *const *want, size_t n)
{
        if (k->n_dropins != n)
                fail_msg("%zu drop-ins, want %zu (first %s)", k->n_dropins, n, k->n_dropins ? k->dropins[0].path : "-");
        for (size_t i = 0; i < n; i++)
                assert_string_equal(k->dropins[i].path, want[i]);
}

static void test_walk_is_depth_first_in_name_order_like_walkdir(void **state)
{
        (void)state;
        /* Sorting full paths would give a-b.conf, a.conf, a/x.conf; WalkDir sorts each
         * directory's names ("a" < "a-b.conf" < "a.conf") and enters "a" where it stands. */
        const char *names[] = {"a.conf", "a-b.conf",        "a/x.conf",     "a/sub/y.conf",
                               "README", "b.conf.disabled", "d.conf/z.conf"};
        const char *bodies[] = {KIND "eventRecordQPS: 3\n",
                                KIND "eventRecordQPS: 2\n",
                                KIND "eventRecordQPS: 1\n",
                                KIND "eventRecordQPS: 4\n",
                                "not yaml: [",
                                "also: [",
                                KIND "eventRecordQPS: 6\n"};
        struct scene *s = collect_dropins(KIND, names, bodies, ARRAY_SIZE(names), WITH_DIR);
        assert_null(s->k.load_error);
        const char *want[] = {"/etc/kubelet.d/a/sub/y.conf", "/etc/kubelet.d/a/x.conf", "/etc/kubelet.d/a-b.conf",
                              "/etc/kubelet.d/a.conf", "/etc/kubelet.d/d.conf/z.conf"};
        assert_dropins(&s->k, want, ARRAY_SIZE(want));
        assert_field(&s->k, KF_EVENT_QPS, "6", KSRC_DROPIN, NULL);
        scene_free(s);
}

static void test_walk_never_enters_symlinked_dirs_but_reads_symlinked_files(void **state)
{
        (void)state;
        struct scene *s = scene_new();
        tu_write(s->dir, "etc/kubelet.yaml", KIND);
        tu_write(s->dir, "etc/kubelet.d/real/10.conf", KIND "eventRecordQPS: 10\n");
        tu_write(s->dir, "elsewhere/20.conf", KIND "eventRecordQPS: 20\n");
        tu_write(s->dir, "etc/target.yaml", KIND "eventRecordQPS: 30\n");
        tu_symlink(s->dir, "etc/kubelet.d/linked", "/elsewhere");
        /* An absolute target resolves inside the root, never on this machine. */
        tu_symlink(s->dir, "etc/kubelet.d/zz.conf", "/etc/target.yaml");
        scene_collect(s, WITH_DIR);
        assert_null(s->k.load_error);
        const char *want[] = {"/etc/kubelet.d/real/10.conf", "/etc/kubelet.d/zz.conf"};
        assert_dropins(&s->k, want, ARRAY_SIZE(want));
        assert_field(&s->k, KF_EVENT_QPS, "30", KSRC_DROPIN, NULL);
        scene_free(s);
}

static void test_symlinked_config_dir_is_not_walked(void **state)
{
        (void)state;
        struct scene *s = scene_new();
        tu_write(s->dir, "etc/kubelet.yaml", KIND);
        tu_write(s->dir, "etc/real.d/10.conf", KIND "readOnlyPort: 10255\n");
        tu_symlink(s->dir, "etc/kubelet.d", "real.d");
        scene_collect(s, WITH_DIR);
        assert_null(s->k.load_error);
        assert_int_equal(s->k.n_dropins, 0);
        assert_non_null(strstr(s->k.dropin_note, "symbolic link"));
        assert_field(&s->k, KF_READ_ONLY_PORT, "0", KSRC_DEFAULT, "absent");
        scene_free(s);
        /* With a trailing slash os.Lstat resolves the link, and the target is walked. */
        s = scene_new();
        tu_write(s->dir, "etc/kubelet.yaml", KIND);
        tu_write(s->dir, "etc/real.d/10.conf", KIND "readOnlyPort: 10255\n");
        tu_symlink(s->dir, "etc/kubelet.d", "real.d");
        scene_collect(s, (const char *const[]){"kubelet", "--config=/etc/kubelet.yaml", "--config-dir=/etc/kubelet.d/",
                                               NULL});
        assert_null(s->k.dropin_note);
        const char *want[] = {"/etc/kubelet.d/10.conf"};
        assert_dropins(&s->k, want, 1);
        assert_field(&s->k, KF_READ_ONLY_PORT, "10255", KSRC_DROPIN, NULL);
        scene_free(s);
}

static void test_walk_is_bounded_and_errors_stop_it(void **state)
{
        (void)state;
        struct scene *s = scene_new();
        tu_write(s->dir, "etc/kubelet.yaml", KIND);
        char rel[128] = "etc/kubelet.d";
        for (int i = 0; i < 18; i++)
                strcat(rel, "/d");
        strcat(rel, "/deep.conf");
        tu_write(s->dir, rel, KIND);
        scene_collect(s, WITH_DIR);
        assert_non_null(s->k.load_error);
        assert_non_null(strstr(s->k.load_error, "nested deeper than 16"));
        scene_free(s);
        /* A missing --config-dir stops the kubelet ("failed to walk through kubelet dropin directory"). */
        s = scene_new();
        tu_write(s->dir, "etc/kubelet.yaml", KIND);
        scene_collect(s, WITH_DIR);
        assert_non_null(strstr(s->k.load_error, "--config-dir"));
        scene_free(s);
}

static void test_dropins_are_read_up_to_a_total_cap(void **state)
{
        (void)state;
        /* Each under the 4 MiB per-file cap, together over the 16 MiB one. */
        struct scene *s = scene_new();
        tu_write(s->dir, "etc/kubelet.yaml", KIND);
        size_t n = 3500u * 1024u;
        char *big = malloc(n + 1);
        int k = snprintf(big, n, "{\"kind\":\"KubeletConfiguration\",\"eventRecordQPS\":7,\"pad\":\"");
        memset(big + k, 'a', n - (size_t)k - 2);
        memcpy(big + n - 2, "\"}", 2);
        big[n] = '\0';
        char rel[64];
        for (int i = 0; i < 6; i++) {
                snprintf(rel, sizeof(rel), "etc/kubelet.d/%02d.conf", i);
                tu_write(s->dir, rel, big);
        }
        free(big);
        scene_collect(s, WITH_DIR);
        assert_non_null(s->k.load_error);
        assert_non_null(strstr(s->k.load_error, "/etc/kubelet.d/04.conf: the drop-ins up to here exceed 16 MiB"));
        /* All six are still judged for their modes. */
        assert_int_equal(s->k.n_dropins, 6);
        assert_int_equal(s->k.dropins[5].err, 0);
        assert_int_equal(s->k.dropins[5].st.st_size, 3500 * 1024);
        scene_free(s);
}

static void test_explain_names_the_default_reason(void **state)
{
        (void)state;
        const char *names[] = {"10.conf", "20.conf"};
        const char *bodies[] = {KIND "readOnlyPort: 10255\n", KIND "readOnlyPort: null\n"};
        struct scene *s = collect_dropins(KIND "streamingConnectionIdleTimeout: 0s\n", names, bodies, 2, WITH_DIR);
        cJSON *j = kubelet_explain_json(&s->k);
        const cJSON *fields = cJSON_GetObjectItem(j, "fields");
        const cJSON *sit = cJSON_GetObjectItem(fields, "streamingConnectionIdleTimeout");
        assert_string_equal(cJSON_GetObjectItem(sit, "default_reason")->valuestring, "zero value replaced");
        assert_string_equal(cJSON_GetObjectItem(sit, "source")->valuestring, "default");
        const cJSON *ro = cJSON_GetObjectItem(fields, "readOnlyPort");
        assert_string_equal(cJSON_GetObjectItem(ro, "default_reason")->valuestring,
                            "null in drop-in /etc/kubelet.d/20.conf removed it");
        const cJSON *ev = cJSON_GetObjectItem(fields, "eventRecordQPS");
        assert_string_equal(cJSON_GetObjectItem(ev, "default_reason")->valuestring, "absent");
        assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(fields, "authorization.mode"), "error"));
        const cJSON *eff = cJSON_GetObjectItem(j, "effective");
        assert_string_equal(cJSON_GetObjectItem(eff, "streamingConnectionIdleTimeout")->valuestring, "4h0m0s");
        assert_int_equal(cJSON_GetObjectItem(eff, "readOnlyPort")->valueint, 0);
        cJSON_Delete(j);
        scene_free(s);
}

static void test_wrong_types_are_errors_wherever_they_sit(void **state)
{
        (void)state;
        const char *names[] = {"10.conf"};
        const char *bodies[] = {KIND "authentication: 5\n"};
        struct scene *s = collect_dropins(KIND "readOnlyPort: \"10255\"\n", names, bodies, 1,
                                          (const char *const[]){"kubelet", "--config=/etc/kubelet.yaml",
                                                                "--config-dir=/etc/kubelet.d", "--read-only-port=0",
                                                                NULL});
        /* The kubelet fails to decode the file even though a flag would override it. */
        assert_non_null(s->k.f[KF_READ_ONLY_PORT].error);
        assert_non_null(strstr(s->k.f[KF_ANONYMOUS_AUTH].error, "where an object is needed"));
        scene_free(s);
}

static void test_merge_patch_rfc7386(void **state)
{
        (void)state;
        /* The RFC's own example (section 3), plus a list and a null inside a new object. */
        cJSON *t = cJSON_Parse("{\"title\":\"Goodbye!\",\"author\":{\"givenName\":\"John\",\"familyName\":\"Doe\"},"
                               "\"tags\":[\"example\",\"sample\"],\"content\":\"This will be unchanged\"}");
        cJSON *p = cJSON_Parse(
                "{\"title\":\"Hello!\",\"phoneNumber\":\"+01-123-456-7890\",\"author\":{\"familyName\":null},"
                "\"tags\":[\"example\"],\"n\":{\"a\":null,\"b\":1},\"content\":{\"x\":null}}");
        confdoc_merge_patch(t, p);
        char *s = cJSON_PrintUnformatted(t);
        assert_string_equal(s, "{\"title\":\"Hello!\",\"author\":{\"givenName\":\"John\"},\"tags\":[\"example\"],"
                               "\"content\":{},\"phoneNumber\":\"+01-123-456-7890\",\"n\":{\"b\":1}}");
        free(s);
        cJSON_Delete(t);
        cJSON_Delete(p);
}

/* A field added to enum kfield with its row left out in the middle of kfield_defs[]
 * compiles (the row is zeros: no path, no flag); this is where that shows. */
static void test_every_field_has_a_table_row(void **state)
{
        (void)state;
        for (int i = 0; i < KF__COUNT; i++) {
                const struct kfield_def *d = &kfield_defs[i];
                if ((int)d->id != i || (!d->path && !d->flag))
                        fail_msg("kfield_defs[%d] is empty or out of place (id %d)", i, (int)d->id);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_field_has_a_table_row),
                cmocka_unit_test(test_zero_values_replaced_only_where_defaulting_compares_to_zero),
                cmocka_unit_test(test_every_zero_duration_spelling_is_zero),
                cmocka_unit_test(test_absent_fields_take_defaults_with_reason_absent),
                cmocka_unit_test(test_null_in_config_file_reads_as_absent),
                cmocka_unit_test(test_flags_apply_after_defaulting),
                cmocka_unit_test(test_every_field_absent_zero_null_and_flag_forms),
                cmocka_unit_test(test_dropin_zero_is_not_defaulted_again),
                cmocka_unit_test(test_dropin_null_removes_only_earlier_dropin_values),
                cmocka_unit_test(test_nested_null_and_whole_object_null),
                cmocka_unit_test(test_lists_replace_objects_and_gates_merge),
                cmocka_unit_test(test_without_config_dropins_patch_the_flag_defaults),
                cmocka_unit_test(test_walk_is_depth_first_in_name_order_like_walkdir),
                cmocka_unit_test(test_walk_never_enters_symlinked_dirs_but_reads_symlinked_files),
                cmocka_unit_test(test_symlinked_config_dir_is_not_walked),
                cmocka_unit_test(test_walk_is_bounded_and_errors_stop_it),
                cmocka_unit_test(test_dropins_are_read_up_to_a_total_cap),
                cmocka_unit_test(test_explain_names_the_default_reason),
                cmocka_unit_test(test_wrong_types_are_errors_wherever_they_sit),
                cmocka_unit_test(test_merge_patch_rfc7386),
        };
        return cmocka_run_group_tests_name("kubelet resolution", tests, NULL, tu_group_teardown);
}
