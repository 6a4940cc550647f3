/* kubelet checks: CIS EKS section 3 judged on the kubelet's effective configuration. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "base/confdoc.h"
#include "base/util.h"
#include "collect/facts.h"
#include "gate.h"

static const char *field_name(enum kfield id)
{
        static char buf[64];
        const struct kfield_def *d = &kfield_defs[id];
        if (d->path)
                return d->path;
        snprintf(buf, sizeof(buf), "--%s", d->flag);
        return buf;
}

/* "readOnlyPort=10255 from flag --read-only-port (config file X says 0)" */
static char *describe(const struct kubelet_facts *k, enum kfield id)
{
        const struct kfield_value *fv = &k->f[id];
        _cleanup_free_ char *v = confdoc_value_str(fv->value);
        struct strbuf sb = {0};
        if (fv->source == KSRC_UNSET)
                sb_printf(&sb, "%s is not set", field_name(id));
        else
                sb_printf(&sb, "%s=%s from %s", field_name(id), v, fv->origin);
        if (fv->shadowed)
                sb_printf(&sb, " (%s)", fv->shadowed);
        if (k->ignored_dropin_dir && fv->source != KSRC_FLAG)
                sb_printf(&sb, "; %s exists but --config-dir is not set, so the kubelet ignores it",
                          k->ignored_dropin_dir);
        if (k->dropin_note && fv->source != KSRC_FLAG)
                sb_printf(&sb, "; %s", k->dropin_note);
        return sb_steal(&sb);
}

/* Common gate: the kubelet must be found and the value known; otherwise the
 * result is set (skip or error) and NULL returned. */
static const struct kfield_value *field_or_result(const struct facts *f, enum kfield id, struct result *r)
{
        const struct kubelet_facts *k = &f->kubelet;
        /* "No kubelet found" holds only when its process could be looked for. */
        if (!fact_gate(f, FACT_KUBELET, 0, r))
                return NULL;
        if (!k->found) {
                result_set(r, ST_SKIP, "%s", k->absent_reason);
                return NULL;
        }
        if (k->flag_error) {
                result_set(r, ST_ERROR, "kubelet command line (%s): %s", k->found_by, k->flag_error);
                return NULL;
        }
        if (k->load_error && kfield_defs[id].path) {
                result_set(r, ST_ERROR, "%s", k->load_error);
                return NULL;
        }
        if (k->f[id].error) {
                result_set(r, ST_ERROR, "%s", k->f[id].error);
                return NULL;
        }
        return &k->f[id];
}

static void bool_check(const struct facts *f, struct result *r, enum kfield id, bool want)
{
        const struct kfield_value *fv = field_or_result(f, id, r);
        if (!fv)
                return;
        _cleanup_free_ char *d = describe(&f->kubelet, id);
        result_set(r, cJSON_IsTrue(fv->value) == want ? ST_PASS : ST_FAIL, "%s", d);
}

void check_kubelet_anonymous_auth(const struct facts *f, struct result *r)
{
        bool_check(f, r, KF_ANONYMOUS_AUTH, false);
        bottlerocket_standalone_note(f, r);
}

void check_kubelet_protect_kernel_defaults(const struct facts *f, struct result *r)
{
        bool_check(f, r, KF_PROTECT_KERNEL_DEFAULTS, true);
}

void check_kubelet_iptables_util_chains(const struct facts *f, struct result *r)
{
        bool_check(f, r, KF_IPTABLES_UTIL_CHAINS, true);
}

/* "kubeconfig /var/lib/kubelet/kubeconfig: context kubelet, user kubelet: exec credential
 * plugin /usr/bin/aws-iam-authenticator" -- paths and the command only, never a secret. */
static char *credentials_str(const struct kubelet_facts *k)
{
        const struct kubeconfig_auth *a = &k->kc_auth;
        return xasprintf("kubeconfig %s: context %.64s, user %.64s: %s%s%s", k->kubeconfig.path, a->context, a->user,
                         kubeconfig_auth_name(a->kind), a->detail ? " " : "", a->detail ? a->detail : "");
}

/* CIS asks for client certificate rotation; a kubelet whose kubeconfig authenticates
 * without a client certificate (EKS: an exec plugin) has nothing to rotate. */
void check_kubelet_rotate_certificates(const struct facts *f, struct result *r)
{
        const struct kfield_value *fv = field_or_result(f, KF_ROTATE_CERTIFICATES, r);
        if (!fv)
                return;
        const struct kubelet_facts *k = &f->kubelet;
        _cleanup_free_ char *d = describe(k, KF_ROTATE_CERTIFICATES);
        bool on = cJSON_IsTrue(fv->value);
        if (!k->has_kubeconfig) {
                result_set(r, on ? ST_PASS : ST_SKIP,
                           "%s; the kubelet runs without --kubeconfig (standalone): "
                           "no client credentials",
                           d);
                return;
        }
        if (k->kubeconfig.err == -ENOENT) {
                if (k->bootstrap_kubeconfig)
                        result_set(r, on ? ST_PASS : ST_FAIL,
                                   "%s; %s does not exist yet: the kubelet will "
                                   "bootstrap a client certificate through %s%s",
                                   d, k->kubeconfig.path, k->bootstrap_kubeconfig, on ? "" : " and never renew it");
                else
                        result_set(r, on ? ST_PASS : ST_SKIP, "%s; %s does not exist yet (node not bootstrapped)", d,
                                   k->kubeconfig.path);
                return;
        }
        if (!k->kc_parsed) {
                const char *why = k->kc_error ? k->kc_error : rootfs_strerror(k->kubeconfig.err);
                result_set(r, on ? ST_PASS : ST_ERROR, "%s; which credentials the kubelet uses is unknown: %s", d, why);
                return;
        }
        _cleanup_free_ char *c = credentials_str(k);
        switch (k->kc_auth.kind) {
        case KC_AUTH_CLIENT_CERT:
        case KC_AUTH_CLIENT_CERT_DATA:
                if (on)
                        result_set(r, ST_PASS, "%s; %s%s", d, c,
                                   k->kc_auth.detail && str_endswith(k->kc_auth.detail, "kubelet-client-current.pem")
                                           ? " (the certificate manager's rotated file)"
                                           : "");
                else
                        result_set(r, ST_FAIL, "%s; %s: the client certificate expires and is never renewed", d, c);
                return;
        case KC_AUTH_NONE: result_set(r, on ? ST_PASS : ST_SKIP, "%s; %s: nothing to rotate", d, c); return;
        default:
                if (on)
                        result_set(r, ST_PASS, "%s; %s: no client certificate to rotate", d, c);
                else
                        result_set(r, ST_PASS, "%s: no client certificate to rotate; %s", c, d);
                return;
        }
}

void check_kubelet_authorization_mode(const struct facts *f, struct result *r)
{
        const struct kfield_value *fv = field_or_result(f, KF_AUTHZ_MODE, r);
        if (!fv)
                return;
        _cleanup_free_ char *d = describe(&f->kubelet, KF_AUTHZ_MODE);
        const char *m = fv->value->valuestring;
        if (strcmp(m, "AlwaysAllow") == 0) {
                result_set(r, ST_FAIL, "%s: every request to the kubelet API is authorized", d);
                bottlerocket_standalone_note(f, r);
        } else if (strcmp(m, "Webhook") == 0)
                result_set(r, ST_PASS, "%s", d);
        else
                result_set(r, ST_ERROR, "%s: not a kubelet authorization mode (AlwaysAllow or Webhook)", d);
}

void check_kubelet_client_ca_file(const struct facts *f, struct result *r)
{
        const struct kfield_value *fv = field_or_result(f, KF_CLIENT_CA_FILE, r);
        if (!fv)
                return;
        const struct kubelet_facts *k = &f->kubelet;
        _cleanup_free_ char *d = describe(k, KF_CLIENT_CA_FILE);
        if (!cJSON_IsString(fv->value) || !*fv->value->valuestring) {
                result_set(r, ST_FAIL, "%s: client certificates cannot be verified", d);
                return;
        }
        if (k->client_ca.err == -ENOENT)
                result_set(r, ST_FAIL, "%s, but %s does not exist", d, k->client_ca.path);
        else if (k->client_ca.err < 0)
                result_set(r, ST_ERROR, "%s, but %s: %s", d, k->client_ca.path, rootfs_strerror(k->client_ca.err));
        else if (k->client_ca_pem != 1)
                result_set(r, ST_FAIL, "%s, but %s holds no PEM certificate", d, k->client_ca.path);
        else
                result_set(r, ST_PASS, "%s; %s holds a PEM certificate", d, k->client_ca.path);
}

/* "@head; <r's evidence>": the gate's reason after what the check did read. */
static void prefix_evidence(struct result *r, const char *head)
{
        _cleanup_free_ char *why = xstrdup(r->evidence);
        result_set(r, r->status, "%s; %s", head, why);
}

/* The port as configured when known; -1 otherwise. */
static long configured_read_only_port(const struct facts *f)
{
        const struct kubelet_facts *k = &f->kubelet;
        if (!k->found || k->flag_error || k->load_error || k->f[KF_READ_ONLY_PORT].error ||
            !cJSON_IsNumber(k->f[KF_READ_ONLY_PORT].value))
                return -1;
        return (long)k->f[KF_READ_ONLY_PORT].value->valuedouble;
}

/* Reality beats configuration: whatever the files say, a socket on the
 * read-only port (the configured one, or the well-known 10255) fails. */
void check_kubelet_read_only_port(const struct facts *f, struct result *r)
{
        if (!fact_gate(f, FACT_KUBELET, FACT_SOCKETS | FACT_OWNERS_KUBELET, r))
                return;
        long cfg = configured_read_only_port(f);
        const struct listener *l = cfg > 0 ? net_read_only_listener(f, cfg) : NULL;
        if (!l)
                l = net_read_only_listener(f, 10255);
        char live[512] = "";
        if (l) {
                char a[128], o[256];
                listener_str(&f->sockets, l, a, sizeof(a));
                listener_owners_str(&f->sockets, l, o, sizeof(o));
                snprintf(live, sizeof(live), "%s listening (%s)", a, o);
        }
        const struct kfield_value *fv = field_or_result(f, KF_READ_ONLY_PORT, r);
        if (!fv) {
                if (l) {
                        _cleanup_free_ char *why = r->evidence ? xstrdup(r->evidence) : xstrdup("");
                        result_set(r, ST_FAIL, "%s: unauthenticated read-only API reachable (%s)", live, why);
                }
                return;
        }
        _cleanup_free_ char *d = describe(&f->kubelet, KF_READ_ONLY_PORT);
        double port = fv->value->valuedouble;
        if (l)
                result_set(r, ST_FAIL, "%s; %s: unauthenticated read-only API enabled", d, live);
        else if (port != 0)
                result_set(r, ST_FAIL, "%s: unauthenticated read-only API enabled", d);
        /* Port 0 in the files passes only if the listeners could be read, or are not
         * this root's to read (a copied root: the evidence says so). */
        else if (!fact_gate_pass(f, FACT_SOCKETS | FACT_OWNERS_KUBELET, r))
                prefix_evidence(r, d);
        else if ((f->collected & FACT_SOCKETS) && f->sockets.error) /* not live */
                result_set(r, ST_PASS, "%s; listeners not inspected: %s", d, f->sockets.error);
        else if (f->collected & FACT_SOCKETS)
                result_set(r, ST_PASS, "%s; nothing listens on 10255", d);
        else
                result_set(r, ST_PASS, "%s", d);
}

void check_kubelet_streaming_idle_timeout(const struct facts *f, struct result *r)
{
        const struct kfield_value *fv = field_or_result(f, KF_STREAMING_IDLE_TIMEOUT, r);
        if (!fv)
                return;
        long long ns = 0;
        go_duration_ns(fv->value->valuestring, &ns);
        _cleanup_free_ char *d = describe(&f->kubelet, KF_STREAMING_IDLE_TIMEOUT);
        result_set(r, ns > 0 ? ST_PASS : ST_FAIL, "%s%s", d,
                   ns > 0 ? "" : ": idle streaming connections never time out");
}

void check_kubelet_hostname_override(const struct facts *f, struct result *r)
{
        const struct kfield_value *fv = field_or_result(f, KF_HOSTNAME_OVERRIDE, r);
        if (!fv)
                return;
        _cleanup_free_ char *d = describe(&f->kubelet, KF_HOSTNAME_OVERRIDE);
        result_set(r, fv->source == KSRC_UNSET ? ST_PASS : ST_FAIL, "%s", d);
}

void check_kubelet_event_qps(const struct facts *f, struct result *r)
{
        const struct kfield_value *fv = field_or_result(f, KF_EVENT_QPS, r);
        if (!fv)
                return;
        _cleanup_free_ char *d = describe(&f->kubelet, KF_EVENT_QPS);
        double q = fv->value->valuedouble;
        if (q < 0)
                result_set(r, ST_ERROR, "%s: negative, the kubelet rejects it", d);
        else if (q == 0 || q >= 5)
                result_set(r, ST_PASS, "%s%s", d, q == 0 ? " (no limit: every event is recorded)" : "");
        else
                result_set(r, ST_WARN, "%s: below 5 events/s, events may be dropped under load", d);
}

void check_kubelet_server_cert_rotation(const struct facts *f, struct result *r)
{
        const struct kfield_value *boot = field_or_result(f, KF_SERVER_TLS_BOOTSTRAP, r);
        if (!boot)
                return;
        const struct kfield_value *gate = field_or_result(f, KF_FG_ROTATE_SERVER_CERT, r);
        if (!gate)
                return;
        _cleanup_free_ char *db = describe(&f->kubelet, KF_SERVER_TLS_BOOTSTRAP);
        _cleanup_free_ char *dg = describe(&f->kubelet, KF_FG_ROTATE_SERVER_CERT);
        if (!cJSON_IsTrue(gate->value))
                result_set(r, ST_FAIL, "%s: serving certificate rotation is disabled; %s", dg, db);
        else if (cJSON_IsTrue(boot->value))
                result_set(r, ST_PASS, "%s; %s", db, dg);
        else
                result_set(r, ST_WARN, "%s: the serving certificate is self-signed and never rotated; %s", db, dg);
}

/* Suites with forward secrecy and AEAD; the rest (CBC, RC4, 3DES, static RSA key
 * exchange without GCM) are weak. */
static bool cipher_strong(const char *s)
{
        static const char *const strong[] = {
                "TLS_AES_128_GCM_SHA256",
                "TLS_AES_256_GCM_SHA384",
                "TLS_CHACHA20_POLY1305_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
                "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
                "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
                "TLS_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_RSA_WITH_AES_256_GCM_SHA384",
        };
        for (size_t i = 0; i < ARRAY_SIZE(strong); i++)
                if (strcmp(s, strong[i]) == 0)
                        return true;
        return false;
}

void check_kubelet_tls_cipher_suites(const struct facts *f, struct result *r)
{
        const struct kfield_value *fv = field_or_result(f, KF_TLS_CIPHER_SUITES, r);
        if (!fv)
                return;
        _cleanup_free_ char *d = describe(&f->kubelet, KF_TLS_CIPHER_SUITES);
        if (!fv->value || cJSON_GetArraySize(fv->value) == 0) {
                result_set(r, ST_WARN, "%s: the Go runtime's defaults apply, which include CBC suites", d);
                return;
        }
        struct strbuf weak = {0};
        const cJSON *c;
        cJSON_ArrayForEach(c, fv->value) if (!cipher_strong(c->valuestring))
                sb_printf(&weak, "%s%s", weak.len ? "," : "", c->valuestring);
        if (weak.len)
                result_set(r, ST_FAIL, "weak suites %s; %s", weak.buf, d);
        else
                result_set(r, ST_PASS, "%s", d);
        sb_free(&weak);
}

/* The files the kubelet reads its configuration from: the file and its drop-ins. */
static size_t config_files(const struct kubelet_facts *k, const struct kfile **out, size_t max)
{
        size_t n = 0;
        if (k->has_config && n < max)
                out[n++] = &k->config;
        for (size_t i = 0; i < k->n_dropins && n < max; i++)
                out[n++] = &k->dropins[i];
        return n;
}

enum file_rule {
        RULE_MODE,
        RULE_OWNER
};

/* Evidence names at most this many files of each kind, then counts the rest. */
#define FILES_NAMED 6

struct file_list {
        struct strbuf sb;
        size_t n;
};

static void file_list_add(struct file_list *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void file_list_add(struct file_list *l, const char *fmt, ...)
{
        if (l->n++ >= FILES_NAMED)
                return;
        va_list ap;
        va_start(ap, fmt);
        if (l->sb.len)
                sb_puts(&l->sb, ", ");
        sb_vprintf(&l->sb, fmt, ap);
        va_end(ap);
}

static const char *file_list_str(struct file_list *l)
{
        if (l->n > FILES_NAMED)
                sb_printf(&l->sb, " and %zu more", l->n - FILES_NAMED);
        return l->sb.buf ? l->sb.buf : "";
}

static void judge_files(struct result *r, const struct kfile *const *files, size_t n, enum file_rule rule)
{
        struct file_list bad = {0}, good = {0}, errs = {0};
        for (size_t i = 0; i < n; i++) {
                const struct kfile *fl = files[i];
                if (fl->err < 0) {
                        file_list_add(&errs, "%s: %s", fl->path, rootfs_strerror(fl->err));
                        continue;
                }
                unsigned mode = fl->st.st_mode & 07777;
                bool ok = rule == RULE_MODE ? (mode & ~check_max_mode(r)) == 0
                                            : fl->st.st_uid == 0 && fl->st.st_gid == 0;
                struct file_list *l = ok ? &good : &bad;
                if (rule == RULE_MODE)
                        file_list_add(l, "%s mode %04o", fl->path, mode);
                else
                        file_list_add(l, "%s owner %u:%u", fl->path, (unsigned)fl->st.st_uid, (unsigned)fl->st.st_gid);
        }
        char want[32] = "root:root";
        if (rule == RULE_MODE) /* the selected benchmark's item decides: EKS 644, CIS Kubernetes 600 */
                snprintf(want, sizeof(want), "%04o or stricter", check_max_mode(r));
        if (bad.n)
                result_set(r, ST_FAIL, "%s (want %s)", file_list_str(&bad), want);
        else if (errs.n)
                result_set(r, ST_ERROR, "%s", file_list_str(&errs));
        else
                result_set(r, ST_PASS, "%s", file_list_str(&good));
        sb_free(&bad.sb);
        sb_free(&good.sb);
        sb_free(&errs.sb);
}

static void config_files_check(const struct facts *f, struct result *r, enum file_rule rule)
{
        const struct kubelet_facts *k = &f->kubelet;
        if (!fact_gate(f, FACT_KUBELET, 0, r))
                return;
        if (!k->found) {
                result_set(r, ST_SKIP, "%s", k->absent_reason);
                return;
        }
        if (!k->has_config && k->n_dropins == 0) {
                result_set(r, ST_SKIP, "the kubelet runs without --config (%s)", k->found_by);
                return;
        }
        size_t max = 1 + k->n_dropins;
        const struct kfile **files = xcalloc(max, sizeof(*files));
        size_t n = config_files(k, files, max);
        judge_files(r, files, n, rule);
        free(files);
}

void check_kubelet_config_permissions(const struct facts *f, struct result *r)
{
        config_files_check(f, r, RULE_MODE);
}

void check_kubelet_config_ownership(const struct facts *f, struct result *r)
{
        config_files_check(f, r, RULE_OWNER);
}

static void kubeconfig_check(const struct facts *f, struct result *r, enum file_rule rule)
{
        const struct kubelet_facts *k = &f->kubelet;
        if (!fact_gate(f, FACT_KUBELET, 0, r))
                return;
        if (!k->found) {
                result_set(r, ST_SKIP, "%s", k->absent_reason);
                return;
        }
        if (!k->has_kubeconfig) {
                result_set(r, ST_SKIP, "the kubelet runs without --kubeconfig (standalone mode)");
                return;
        }
        if (k->kubeconfig.err == -ENOENT) {
                result_set(r, ST_SKIP, "%s does not exist yet (node not bootstrapped)", k->kubeconfig.path);
                return;
        }
        const struct kfile *files[1] = {&k->kubeconfig};
        judge_files(r, files, 1, rule);
}

void check_kubelet_kubeconfig_permissions(const struct facts *f, struct result *r)
{
        kubeconfig_check(f, r, RULE_MODE);
}

void check_kubelet_kubeconfig_ownership(const struct facts *f, struct result *r)
{
        kubeconfig_check(f, r, RULE_OWNER);
}
