/* kubelet_flags: the kubelet's command line read as its flag parser reads it. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/confdoc.h"
#include "collect/kubelet/kubelet.h"
#include "base/util.h"

/* The fields nodeward checks, keyed by enum kfield: where they live, both sets of
 * defaults, and when the v1beta1 defaulting fills them. With --config the v1beta1
 * defaults apply; without it the kubelet keeps its legacy flag defaults, which are
 * weaker for exactly the four authn/authz settings.
 *
 * The rules come from SetDefaults_KubeletConfiguration (kubernetes
 * pkg/kubelet/apis/config/v1beta1/defaults.go) and the field types in
 * k8s.io/kubelet/config/v1beta1/types.go: "if obj.Port == 0" replaces a zero,
 * "if obj.EventRecordQPS == nil" only an absent or null pointer; readOnlyPort,
 * protectKernelDefaults, rotateCertificates, serverTLSBootstrap, clientCAFile and
 * tlsCipherSuites are never defaulted. A field's flag reaches the command-line parser
 * from its row here, so it needs no row in flag_maps[]. */
const struct kfield_def kfield_defs[] = {
        [KF_ANONYMOUS_AUTH] = {KF_ANONYMOUS_AUTH, "authentication.anonymous.enabled", "anonymous-auth", KT_BOOL,
                               "false", "true", KDEF_IF_NIL},
        [KF_WEBHOOK_AUTHN] = {KF_WEBHOOK_AUTHN, "authentication.webhook.enabled", "authentication-token-webhook",
                              KT_BOOL, "true", "false", KDEF_IF_NIL},
        [KF_AUTHZ_MODE] = {KF_AUTHZ_MODE, "authorization.mode", "authorization-mode", KT_STRING, "\"Webhook\"",
                           "\"AlwaysAllow\"", KDEF_IF_ZERO},
        [KF_CLIENT_CA_FILE] = {KF_CLIENT_CA_FILE, "authentication.x509.clientCAFile", "client-ca-file", KT_STRING, NULL,
                               NULL, KDEF_NONE},
        [KF_READ_ONLY_PORT] = {KF_READ_ONLY_PORT, "readOnlyPort", "read-only-port", KT_INT, "0", "10255", KDEF_NONE},
        [KF_PORT] = {KF_PORT, "port", "port", KT_INT, "10250", "10250", KDEF_IF_ZERO},
        [KF_STREAMING_IDLE_TIMEOUT] = {KF_STREAMING_IDLE_TIMEOUT, "streamingConnectionIdleTimeout",
                                       "streaming-connection-idle-timeout", KT_DURATION, "\"4h0m0s\"", "\"4h0m0s\"",
                                       KDEF_IF_ZERO},
        [KF_PROTECT_KERNEL_DEFAULTS] = {KF_PROTECT_KERNEL_DEFAULTS, "protectKernelDefaults", "protect-kernel-defaults",
                                        KT_BOOL, "false", "false", KDEF_NONE},
        [KF_IPTABLES_UTIL_CHAINS] = {KF_IPTABLES_UTIL_CHAINS, "makeIPTablesUtilChains", "make-iptables-util-chains",
                                     KT_BOOL, "true", "true", KDEF_IF_NIL},
        [KF_EVENT_QPS] = {KF_EVENT_QPS, "eventRecordQPS", "event-qps", KT_INT, "50", "50", KDEF_IF_NIL},
        [KF_ROTATE_CERTIFICATES] = {KF_ROTATE_CERTIFICATES, "rotateCertificates", "rotate-certificates", KT_BOOL,
                                    "false", "false", KDEF_NONE},
        [KF_SERVER_TLS_BOOTSTRAP] = {KF_SERVER_TLS_BOOTSTRAP, "serverTLSBootstrap", "rotate-server-certificates",
                                     KT_BOOL, "false", "false", KDEF_NONE},
        [KF_FG_ROTATE_SERVER_CERT] = {KF_FG_ROTATE_SERVER_CERT, "featureGates.RotateKubeletServerCertificate", NULL,
                                      KT_BOOL, "true", "true", KDEF_FEATURE_GATE},
        [KF_TLS_CIPHER_SUITES] = {KF_TLS_CIPHER_SUITES, "tlsCipherSuites", "tls-cipher-suites", KT_STRINGLIST, NULL,
                                  NULL, KDEF_NONE},
        [KF_HOSTNAME_OVERRIDE] = {KF_HOSTNAME_OVERRIDE, NULL, "hostname-override", KT_STRING, NULL,
                                  NULL}, /* flag only: never defaulted from a file */
        [KF_KUBECONFIG] = {KF_KUBECONFIG, NULL, "kubeconfig", KT_STRING, NULL,
                           NULL}, /* flag only: never defaulted from a file */
        /* v1beta1 SetDefaults_KubeletConfiguration: podPidsLimit -1 (no limit), seccompDefault false. */
        /* "if obj.PodPidsLimit == nil || *obj.PodPidsLimit < 0": a negative limit is -1 too */
        [KF_POD_PIDS_LIMIT] = {KF_POD_PIDS_LIMIT, "podPidsLimit", "pod-max-pids", KT_INT, "-1", "-1", KDEF_IF_NIL},
        [KF_SECCOMP_DEFAULT] = {KF_SECCOMP_DEFAULT, "seccompDefault", "seccomp-default", KT_BOOL, "false", "false",
                                KDEF_IF_NIL},
        [KF_TLS_CERT_FILE] = {KF_TLS_CERT_FILE, "tlsCertFile", "tls-cert-file", KT_STRING, NULL, NULL, KDEF_NONE},
        [KF_TLS_PRIVATE_KEY_FILE] = {KF_TLS_PRIVATE_KEY_FILE, "tlsPrivateKeyFile", "tls-private-key-file", KT_STRING,
                                     NULL, NULL, KDEF_NONE},
};
/* A field added to enum kfield without a row at the end fails to build; a row left out
 * in the middle (zeros) fails test_every_field_has_a_table_row. */
_Static_assert(ARRAY_SIZE(kfield_defs) == KF__COUNT, "kfield_defs[] needs one row per enum kfield");

struct flag_map {
        const char *flag;
        const char *path; /* NULL: flag-only */
        enum ktype type;
};

/* Flags that map onto KubeletConfiguration fields or whose type matters for parsing,
 * beyond the checked ones (their rows in kfield_defs[] say it). Boolean flags never
 * take the next argument as a value. */
static const struct flag_map flag_maps[] = {
        {"address", "address", KT_STRING},
        {"healthz-port", "healthzPort", KT_INT},
        {"event-burst", "eventBurst", KT_INT},
        {"tls-min-version", "tlsMinVersion", KT_STRING},
        {"feature-gates", "featureGates", KT_MAP_BOOL},
        {"cgroup-driver", "cgroupDriver", KT_STRING},
        {"cluster-dns", "clusterDNS", KT_STRINGLIST},
        {"cluster-domain", "clusterDomain", KT_STRING},
        {"max-pods", "maxPods", KT_INT},
        {"serialize-image-pulls", "serializeImagePulls", KT_BOOL},
        {"fail-swap-on", "failSwapOn", KT_BOOL},
        {"cgroups-per-qos", "cgroupsPerQOS", KT_BOOL},
        {"enable-debugging-handlers", "enableDebuggingHandlers", KT_BOOL},
        {"enable-server", "enableServer", KT_BOOL},
        {"bootstrap-kubeconfig", NULL, KT_STRING},
        {"config", NULL, KT_STRING},
        {"config-dir", NULL, KT_STRING},
        {"node-ip", NULL, KT_STRING},
        {"cloud-provider", NULL, KT_STRING},
        {"container-runtime-endpoint", NULL, KT_STRING},
        {"node-labels", NULL, KT_STRING},
        {"register-node", NULL, KT_BOOL},
        {"register-schedulable", NULL, KT_BOOL},
        {"exit-on-lock-contention", NULL, KT_BOOL},
        {"keep-terminated-pod-volumes", NULL, KT_BOOL},
        {"experimental-mounter-path", NULL, KT_STRING},
        {"logtostderr", NULL, KT_BOOL},
        {"alsologtostderr", NULL, KT_BOOL},
        {"add-dir-header", NULL, KT_BOOL},
        {"skip-headers", NULL, KT_BOOL},
        {"skip-log-headers", NULL, KT_BOOL},
        {"one-output", NULL, KT_BOOL},
        {"help", NULL, KT_BOOL},
        {"local-storage-capacity-isolation", "localStorageCapacityIsolation", KT_BOOL},
        {"cpu-cfs-quota", "cpuCFSQuota", KT_BOOL},
        {"kernel-memcg-notification", "kernelMemcgNotification", KT_BOOL},
        {"fail-cgroupv1", "failCgroupV1", KT_BOOL},
};

static bool flag_lookup(const char *name, size_t n, struct flag_map *ret)
{
        for (int f = 0; f < KF__COUNT; f++) {
                const struct kfield_def *d = &kfield_defs[f];
                if (d->flag && strlen(d->flag) == n && strncmp(d->flag, name, n) == 0) {
                        *ret = (struct flag_map){d->flag, d->path, d->type};
                        return true;
                }
        }
        for (size_t i = 0; i < ARRAY_SIZE(flag_maps); i++)
                if (strlen(flag_maps[i].flag) == n && strncmp(flag_maps[i].flag, name, n) == 0) {
                        *ret = flag_maps[i];
                        return true;
                }
        return false;
}

int go_parse_bool(const char *s, bool *ret)
{
        static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True"};
        static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False"};
        for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
                if (strcmp(s, t[i]) == 0) {
                        *ret = true;
                        return 0;
                }
                if (strcmp(s, f[i]) == 0) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

int go_duration_ns(const char *s, long long *ret_ns)
{
        const char *p = s;
        bool neg = false;
        if (*p == '-' || *p == '+')
                neg = *p++ == '-';
        if (strcmp(p, "0") == 0) {
                *ret_ns = 0;
                return 0;
        }
        if (!*p)
                return -EINVAL;
        double total = 0;
        while (*p) {
                char *end;
                if (!((*p >= '0' && *p <= '9') || *p == '.'))
                        return -EINVAL;
                errno = 0;
                double v = strtod(p, &end);
                if (end == p || errno)
                        return -EINVAL;
                p = end;
                double unit;
                if (str_startswith(p, "ns"))
                        unit = 1, p += 2;
                else if (str_startswith(p, "us"))
                        unit = 1e3, p += 2;
                else if (str_startswith(p, "\xc2\xb5s"))
                        unit = 1e3, p += 3;
                else if (str_startswith(p, "ms"))
                        unit = 1e6, p += 2;
                else if (*p == 's')
                        unit = 1e9, p++;
                else if (*p == 'm')
                        unit = 60e9, p++;
                else if (*p == 'h')
                        unit = 3600e9, p++;
                else
                        return -EINVAL;
                /* Go truncates each component to whole nanoseconds. */
                total += trunc(v * unit);
                if (total > 9.2e18)
                        return -ERANGE;
        }
        *ret_ns = (long long)(neg ? -total : total);
        return 0;
}

int go_duration_ms(const char *s, long long *ret_ms)
{
        long long ns;
        int r = go_duration_ns(s, &ns);
        if (r < 0)
                return r;
        *ret_ms = ns / 1000000;
        return 0;
}

/* pflag's StringSlice reads CSV: split on commas, trim nothing, quotes allowed. */
static void add_list_values(cJSON *arr, const char *v)
{
        if (!*v)
                return;
        const char *p = v;
        for (;;) {
                const char *c = strchrnul(p, ',');
                char *item = strndup(p, (size_t)(c - p));
                if (!item)
                        abort();
                size_t l = strlen(item);
                if (l >= 2 && item[0] == '"' && item[l - 1] == '"') {
                        memmove(item, item + 1, l - 2);
                        item[l - 2] = '\0';
                }
                cJSON_AddItemToArray(arr, cJSON_CreateString(item));
                free(item);
                if (!*c)
                        break;
                p = c + 1;
        }
}

static int add_map_values(cJSON *obj, const char *v, char **ret_err)
{
        const char *p = v;
        while (*p) {
                const char *c = strchrnul(p, ',');
                _cleanup_free_ char *kv = strndup(p, (size_t)(c - p));
                if (!kv)
                        abort();
                char *eq = strchr(kv, '=');
                bool b;
                if (!eq || go_parse_bool(eq + 1, &b) < 0) {
                        *ret_err = xasprintf("--feature-gates: \"%s\" is not KEY=BOOL", kv);
                        return -EINVAL;
                }
                *eq = '\0';
                char *k = kv;
                while (*k == ' ')
                        k++;
                cJSON *old = cJSON_GetObjectItemCaseSensitive(obj, k);
                if (old)
                        cJSON_ReplaceItemInObjectCaseSensitive(obj, k, cJSON_CreateBool(b));
                else
                        cJSON_AddBoolToObject(obj, k, b);
                p = *c ? c + 1 : c;
        }
        return 0;
}

static cJSON *flag_value_json(enum ktype t, const char *flag, const char *v, char **ret_err)
{
        bool b;
        long long ms;
        char *end;
        switch (t) {
        case KT_BOOL:
                if (go_parse_bool(v, &b) < 0)
                        break;
                return cJSON_CreateBool(b);
        case KT_INT: {
                errno = 0;
                long long n = strtoll(v, &end, 0);
                if (!*v || *end || errno)
                        break;
                return cJSON_CreateNumber((double)n);
        }
        case KT_DURATION:
                if (go_duration_ms(v, &ms) < 0)
                        break;
                return cJSON_CreateString(v);
        default: return cJSON_CreateString(v);
        }
        *ret_err = xasprintf("--%s=%s: invalid value", flag, v);
        return NULL;
}

static int apply_flag(cJSON *layer, cJSON *flag_only, const struct flag_map *m, const char *name, const char *value,
                      char **ret_err)
{
        if (m && m->type == KT_STRINGLIST && m->path) {
                /* Repeated list flags append (pflag StringSlice). */
                cJSON *arr = (cJSON *)confdoc_get(layer, m->path);
                if (!arr) {
                        arr = cJSON_CreateArray();
                        confdoc_set(layer, m->path, arr);
                }
                add_list_values(arr, value);
                return 0;
        }
        if (m && m->type == KT_MAP_BOOL) {
                /* Repeated --feature-gates accumulate; later keys win. */
                cJSON *obj = (cJSON *)confdoc_get(layer, m->path);
                if (!obj) {
                        obj = cJSON_CreateObject();
                        confdoc_set(layer, m->path, obj);
                }
                return add_map_values(obj, value, ret_err);
        }
        if (!m || !m->path) {
                cJSON *old = cJSON_GetObjectItemCaseSensitive(flag_only, name);
                cJSON *nv = cJSON_CreateString(value);
                if (m && m->type == KT_BOOL) {
                        bool b;
                        if (go_parse_bool(value, &b) < 0) {
                                cJSON_Delete(nv);
                                *ret_err = xasprintf("--%s=%s: invalid boolean", name, value);
                                return -EINVAL;
                        }
                        cJSON_Delete(nv);
                        nv = cJSON_CreateBool(b);
                }
                if (old)
                        cJSON_ReplaceItemInObjectCaseSensitive(flag_only, name, nv);
                else
                        cJSON_AddItemToObject(flag_only, name, nv);
                return 0;
        }
        cJSON *v = flag_value_json(m->type, name, value, ret_err);
        if (!v)
                return -EINVAL;
        confdoc_set(layer, m->path, v); /* the last occurrence wins */
        return 0;
}

int kubelet_flags_layer(char **argv, size_t argc, cJSON **ret_layer, cJSON **ret_flag_only, char **ret_err)
{
        cJSON *layer = cJSON_CreateObject(), *flag_only = cJSON_CreateObject();
        char *err = NULL;
        for (size_t i = 1; i < argc; i++) {
                const char *a = argv[i];
                if (strcmp(a, "--") == 0)
                        break;
                if (a[0] != '-' || strcmp(a, "-") == 0) {
                        if (!err)
                                err = xasprintf("unexpected argument \"%s\" (the kubelet takes no "
                                                "positional arguments)",
                                                a);
                        continue;
                }
                if (a[1] != '-') {
                        /* Shorthands: only -v and -h exist; -v takes a value. */
                        if (str_startswith(a, "-v") && !a[2] && i + 1 < argc)
                                i++;
                        continue;
                }
                const char *name = a + 2;
                const char *eq = strchr(name, '=');
                size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
                struct flag_map found;
                const struct flag_map *m = flag_lookup(name, nlen, &found) ? &found : NULL;
                _cleanup_free_ char *fname = strndup(name, nlen);
                const char *value;
                if (eq) {
                        value = eq + 1;
                } else if (m && m->type == KT_BOOL) {
                        value = "true";
                } else if (m) {
                        if (i + 1 >= argc) {
                                if (!err)
                                        err = xasprintf("--%s: flag needs an argument", fname);
                                continue;
                        }
                        value = argv[++i];
                } else if (i + 1 < argc && argv[i + 1][0] != '-') {
                        value = argv[++i]; /* an unknown flag followed by its value */
                } else {
                        value = "true";
                }
                char *e = NULL;
                if (apply_flag(layer, flag_only, m, fname, value, &e) < 0) {
                        if (!err)
                                err = e;
                        else
                                free(e);
                }
        }
        *ret_layer = layer;
        *ret_flag_only = flag_only;
        if (err) {
                if (ret_err)
                        *ret_err = err;
                else
                        free(err);
                return -EINVAL;
        }
        return 0;
}
