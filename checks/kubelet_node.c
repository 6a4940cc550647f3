/* kubelet_node: worker-node items beyond the kubelet's own settings: its unit files, client CA and
 * serving certificate, pod limits, the kernel settings it protects, and kube-proxy. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "base/confdoc.h"
#include "base/util.h"
#include "collect/facts.h"
#include "gate.h"

enum file_rule {
        RULE_MODE,
        RULE_OWNER
};

/* Evidence names at most this many files, then counts the rest. */
#define FILES_NAMED 6

static void list_add(struct strbuf *sb, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void list_add(struct strbuf *sb, size_t *n, const char *fmt, ...)
{
        if ((*n)++ >= FILES_NAMED)
                return;
        va_list ap;
        va_start(ap, fmt);
        if (sb->len)
                sb_puts(sb, ", ");
        sb_vprintf(sb, fmt, ap);
        va_end(ap);
}

static const char *list_str(struct strbuf *sb, size_t n)
{
        if (n > FILES_NAMED)
                sb_printf(sb, " and %zu more", n - FILES_NAMED);
        return sb->buf ? sb->buf : "";
}

/* Fail on any file breaking the rule, else error on any unreadable, else pass.
 * @suffix (may be "") ends the evidence, e.g. where the path came from. */
static void judge(struct result *r, const struct kfile *files, size_t n, enum file_rule rule, const char *suffix)
{
        struct strbuf bad = {0}, good = {0}, errs = {0};
        size_t nb = 0, ng = 0, ne = 0;
        unsigned max = check_max_mode(r);
        for (size_t i = 0; i < n; i++) {
                const struct kfile *f = &files[i];
                if (f->err < 0) {
                        list_add(&errs, &ne, "%s: %s", f->path, rootfs_strerror(f->err));
                        continue;
                }
                unsigned mode = f->st.st_mode & 07777;
                bool ok = rule == RULE_MODE ? (mode & ~max) == 0 : f->st.st_uid == 0 && f->st.st_gid == 0;
                if (rule == RULE_MODE)
                        list_add(ok ? &good : &bad, ok ? &ng : &nb, "%s mode %04o", f->path, mode);
                else
                        list_add(ok ? &good : &bad, ok ? &ng : &nb, "%s owner %u:%u", f->path, (unsigned)f->st.st_uid,
                                 (unsigned)f->st.st_gid);
        }
        char want[64];
        if (rule == RULE_MODE)
                snprintf(want, sizeof(want), "%04o or stricter", max);
        else
                snprintf(want, sizeof(want), "root:root");
        if (nb)
                result_set(r, ST_FAIL, "%s (want %s)%s", list_str(&bad, nb), want, suffix);
        else if (ne)
                result_set(r, ST_ERROR, "%s%s", list_str(&errs, ne), suffix);
        else
                result_set(r, ST_PASS, "%s%s", list_str(&good, ng), suffix);
        sb_free(&bad);
        sb_free(&good);
        sb_free(&errs);
}

static void unit_files_check(const struct facts *f, struct result *r, enum file_rule rule)
{
        const struct kubelet_unit_files *u = &f->kubelet_unit;
        if (!u->found)
                result_set(r, ST_SKIP, "%s", u->absent_reason ? u->absent_reason : "kubelet.service not inspected");
        else if (fact_gate(f, FACT_KUBELET_FILES, 0, r))
                judge(r, u->files, u->n, rule, "");
}

void check_kubelet_service_file_permissions(const struct facts *f, struct result *r)
{
        unit_files_check(f, r, RULE_MODE);
}

void check_kubelet_service_file_ownership(const struct facts *f, struct result *r)
{
        unit_files_check(f, r, RULE_OWNER);
}

/* The kubelet must be found and its configuration readable; else skip or error. */
static bool kubelet_usable(const struct facts *f, struct result *r)
{
        const struct kubelet_facts *k = &f->kubelet;
        /* "No kubelet found" holds only when its process could be looked for. */
        if (!fact_gate(f, FACT_KUBELET, 0, r))
                return false;
        if (!k->found) {
                result_set(r, ST_SKIP, "%s", k->absent_reason ? k->absent_reason : "no kubelet found");
                return false;
        }
        if (k->flag_error) {
                result_set(r, ST_ERROR, "kubelet command line (%s): %s", k->found_by, k->flag_error);
                return false;
        }
        if (k->load_error) {
                result_set(r, ST_ERROR, "%s", k->load_error);
                return false;
        }
        return true;
}

/* "podPidsLimit=-1 from default (...)" */
static char *describe(const struct kubelet_facts *k, enum kfield id)
{
        const struct kfield_value *fv = &k->f[id];
        if (fv->source == KSRC_UNSET || !fv->value)
                return xasprintf("%s is not set", kfield_defs[id].path);
        _cleanup_free_ char *v = confdoc_value_str(fv->value);
        return xasprintf("%s=%s from %s", kfield_defs[id].path, v, fv->origin ? fv->origin : "?");
}

static const struct kfield_value *field(const struct facts *f, enum kfield id, struct result *r)
{
        if (!kubelet_usable(f, r))
                return NULL;
        if (f->kubelet.f[id].error) {
                result_set(r, ST_ERROR, "%s", f->kubelet.f[id].error);
                return NULL;
        }
        return &f->kubelet.f[id];
}

static void client_ca_check(const struct facts *f, struct result *r, enum file_rule rule)
{
        const struct kfield_value *fv = field(f, KF_CLIENT_CA_FILE, r);
        if (!fv)
                return;
        const struct kubelet_facts *k = &f->kubelet;
        if (!cJSON_IsString(fv->value) || !*fv->value->valuestring || !k->client_ca.path) {
                result_set(r, ST_SKIP, "authentication.x509.clientCAFile is not set (kubelet.client-ca-file fails)");
                return;
        }
        if (k->client_ca.err == -ENOENT) {
                result_set(r, ST_SKIP, "%s does not exist (kubelet.client-ca-file fails)", k->client_ca.path);
                return;
        }
        judge(r, &k->client_ca, 1, rule, "");
}

void check_kubelet_client_ca_permissions(const struct facts *f, struct result *r)
{
        client_ca_check(f, r, RULE_MODE);
}

void check_kubelet_client_ca_ownership(const struct facts *f, struct result *r)
{
        client_ca_check(f, r, RULE_OWNER);
}

void check_kubelet_pod_pids_limit(const struct facts *f, struct result *r)
{
        const struct kfield_value *fv = field(f, KF_POD_PIDS_LIMIT, r);
        if (!fv)
                return;
        _cleanup_free_ char *d = describe(&f->kubelet, KF_POD_PIDS_LIMIT);
        double v = cJSON_IsNumber(fv->value) ? fv->value->valuedouble : -1;
        if (v > 0)
                result_set(r, ST_PASS, "%s", d);
        else
                result_set(r, ST_FAIL, "%s: a pod can fork until the node runs out of process ids", d);
}

void check_kubelet_seccomp_default(const struct facts *f, struct result *r)
{
        const struct kfield_value *fv = field(f, KF_SECCOMP_DEFAULT, r);
        if (!fv)
                return;
        _cleanup_free_ char *d = describe(&f->kubelet, KF_SECCOMP_DEFAULT);
        if (cJSON_IsTrue(fv->value))
                result_set(r, ST_PASS, "%s", d);
        else
                result_set(r, ST_FAIL, "%s: containers without a seccompProfile run Unconfined", d);
}

static bool set_string(const struct kfield_value *fv)
{
        return fv && cJSON_IsString(fv->value) && *fv->value->valuestring;
}

/* CIS: a serving certificate is configured (tlsCertFile + tlsPrivateKeyFile), or
 * the cluster issues one (serverTLSBootstrap). Otherwise the kubelet serves a
 * self-signed certificate nobody can verify. */
void check_kubelet_tls_cert_files(const struct facts *f, struct result *r)
{
        const struct kfield_value *cert = field(f, KF_TLS_CERT_FILE, r);
        if (!cert)
                return;
        const struct kfield_value *key = field(f, KF_TLS_PRIVATE_KEY_FILE, r);
        if (!key)
                return;
        const struct kfield_value *boot = field(f, KF_SERVER_TLS_BOOTSTRAP, r);
        if (!boot)
                return;
        const struct kubelet_facts *k = &f->kubelet;
        _cleanup_free_ char *dc = describe(k, KF_TLS_CERT_FILE);
        _cleanup_free_ char *dk = describe(k, KF_TLS_PRIVATE_KEY_FILE);
        _cleanup_free_ char *db = describe(k, KF_SERVER_TLS_BOOTSTRAP);
        bool c = set_string(cert), p = set_string(key);
        if (c && p)
                result_set(r, ST_PASS, "%s; %s", dc, dk);
        else if (cJSON_IsTrue(boot->value))
                result_set(r, ST_PASS, "%s: the serving certificate is issued by the cluster; %s", db, dc);
        else if (c != p)
                result_set(r, ST_FAIL, "%s; %s: both are needed (the kubelet refuses one without the other)", dc, dk);
        else
                result_set(r, ST_FAIL, "%s; %s; %s: the kubelet serves a self-signed certificate", dc, dk, db);
}

/* Where the boot files (sysctl.d, /etc/sysctl.conf) set @name, when the host facts were collected. */
static void boot_origin(const struct facts *f, const char *name, struct strbuf *sb)
{
        const struct sysctl_assign *a = sysctl_boot_find(&f->host.boot, name);
        if (a)
                sb_printf(sb, " %s:%u sets %s=%s", a->file, a->line, name, a->value);
        else
                sb_printf(sb, " no boot file sets %s", name);
}

/* For the settings with no live value: what the boot files set (@set), and the values among them
 * the kubelet would refuse once they are applied (@refused), each with its file and line. */
static void boot_tunables(const struct facts *f, struct strbuf *set, struct strbuf *refused)
{
        if (!(f->collected & FACT_HOST))
                return;
        for (size_t i = 0; i < KSYS__COUNT; i++) {
                const struct ksysctl_def *def = &ksysctl_defs[i];
                const struct sysctl_assign *a = sysctl_boot_find(&f->host.boot, def->name);
                if (f->sysctl.v[i].err != -ENOENT || !a)
                        continue;
                sb_printf(set, "%s%s=%s (%s:%u)", set->len ? ", " : "", def->name, a->value, a->file, a->line);
                char want[32];
                snprintf(want, sizeof(want), "%ld", def->want);
                if (!sysctl_value_equal(a->value, want))
                        sb_printf(refused, "%s%s:%u sets %s=%s (want %ld)", refused->len ? ", " : "", a->file, a->line,
                                  def->name, a->value, def->want);
        }
}

/* setupKernelTunables (pkg/kubelet/cm/container_manager_linux.go): with
 * protectKernelDefaults the kubelet refuses to start when a value differs; without
 * it the kubelet rewrites them itself, so there is nothing to protect. */
void check_kubelet_kernel_tunables(const struct facts *f, struct result *r)
{
        const struct kfield_value *fv = field(f, KF_PROTECT_KERNEL_DEFAULTS, r);
        if (!fv)
                return;
        _cleanup_free_ char *d = describe(&f->kubelet, KF_PROTECT_KERNEL_DEFAULTS);
        struct strbuf diff = {0}, same = {0}, errs = {0}, boot = {0}, bootdiff = {0}, refused = {0};
        size_t missing = 0;
        for (size_t i = 0; i < KSYS__COUNT; i++) {
                const struct sysctl_value *v = &f->sysctl.v[i];
                const struct ksysctl_def *def = &ksysctl_defs[i];
                missing += v->err == -ENOENT;
                if (v->err < 0)
                        sb_printf(&errs, "%s%s: %s", errs.len ? ", " : "", def->name,
                                  v->err == -EINVAL ? "not an integer" : rootfs_strerror(v->err));
                else if (v->value != def->want) {
                        sb_printf(&diff, "%s%s=%ld (want %ld)", diff.len ? ", " : "", def->name, v->value, def->want);
                        sb_printf(&bootdiff, "%s%s", bootdiff.len ? "," : "; at boot:", "");
                        boot_origin(f, def->name, &bootdiff);
                } else {
                        sb_printf(&same, "%s%s=%ld", same.len ? ", " : "", def->name, v->value);
                }
        }
        boot_tunables(f, &boot, &refused);
        const char *where = f->sysctl.proc_path ? f->sysctl.proc_path : "/proc";
        while (where[0] == '/' && where[1] == '/') /* "//proc" when the root is "/" */
                where++;
        if (!cJSON_IsTrue(fv->value))
                result_set(r, ST_SKIP, "%s: the kubelet sets the kernel settings itself%s%s", d,
                           diff.len ? "; differing now: " : "", diff.len ? diff.buf : "");
        else if (diff.len)
                result_set(r, ST_FAIL, "%s, but %s/sys has %s: the kubelet refuses to start%s", d, where, diff.buf,
                           (f->collected & FACT_HOST) && bootdiff.len ? bootdiff.buf : "");
        else if (missing == KSYS__COUNT && refused.len) /* a copied root: what the next boot applies */
                result_set(r, ST_FAIL,
                           "%s, but %s: once the boot files are applied the kubelet refuses to start (%s/sys holds no "
                           "live value: a copied root)",
                           d, refused.buf, where);
        else if (missing == KSYS__COUNT) /* a fixture root, not a running node: nothing to compare */
                result_set(r, ST_SKIP, "%s; %s/sys holds none of the kernel settings (not a live process table)%s%s", d,
                           where, boot.len ? "; the boot files set " : "", boot.len ? boot.buf : "");
        else if (errs.len)
                result_set(r, ST_ERROR, "%s; %s/sys: %s", d, where, errs.buf);
        else
                result_set(r, ST_PASS, "%s; %s/sys has %s", d, where, same.buf);
        sb_free(&diff);
        sb_free(&same);
        sb_free(&errs);
        sb_free(&boot);
        sb_free(&bootdiff);
        sb_free(&refused);
}

static bool kube_proxy_usable(const struct facts *f, struct result *r)
{
        const struct kube_proxy_facts *k = &f->kube_proxy;
        if (!fact_gate(f, FACT_KUBE_PROXY, 0, r))
                return false;
        if (!k->found) {
                result_set(r, ST_SKIP, "%s", k->absent_reason ? k->absent_reason : "kube-proxy not inspected");
                return false;
        }
        if (k->config_error) {
                result_set(r, ST_ERROR, "%s", k->config_error);
                return false;
        }
        return true;
}

static void kube_proxy_kubeconfig_check(const struct facts *f, struct result *r, enum file_rule rule)
{
        if (!kube_proxy_usable(f, r))
                return;
        const struct kube_proxy_facts *k = &f->kube_proxy;
        if (!k->has_kubeconfig) {
                result_set(r, ST_SKIP, "%s has no kubeconfig file: it uses its pod's service account", k->found_by);
                return;
        }
        _cleanup_free_ char *suffix = !k->metrics_bind
                                              ? xasprintf("; %s", k->found_by)
                                              : xasprintf("; used by %s (%s)%s%s", k->found_by, k->kubeconfig_origin,
                                                          k->kubeconfig_mapping ? "; " : "",
                                                          k->kubeconfig_mapping ? k->kubeconfig_mapping : "");
        judge(r, &k->kubeconfig, 1, rule, suffix);
}

void check_kube_proxy_kubeconfig_permissions(const struct facts *f, struct result *r)
{
        kube_proxy_kubeconfig_check(f, r, RULE_MODE);
}

void check_kube_proxy_kubeconfig_ownership(const struct facts *f, struct result *r)
{
        kube_proxy_kubeconfig_check(f, r, RULE_OWNER);
}

/* The host part of "HOST:PORT" / "[V6]:PORT"; "" for ":PORT". */
static void host_part(const char *a, char *buf, size_t size)
{
        const char *end;
        if (a[0] == '[') {
                a++;
                end = strchr(a, ']');
        } else {
                end = strrchr(a, ':');
        }
        size_t n = end ? (size_t)(end - a) : strlen(a);
        snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), a);
}

void check_kube_proxy_metrics_bind_address(const struct facts *f, struct result *r)
{
        if (!kube_proxy_usable(f, r))
                return;
        const struct kube_proxy_facts *k = &f->kube_proxy;
        if (!k->metrics_bind) {
                result_set(r, ST_SKIP, "kube-proxy is not running and has no unit (%s): its settings are unknown",
                           k->found_by);
                return;
        }
        char host[128];
        host_part(k->metrics_bind, host, sizeof(host));
        if (!*host || strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0)
                result_set(r, ST_FAIL, "metricsBindAddress=%s from %s: metrics served on every address",
                           k->metrics_bind, k->metrics_origin);
        else if (str_startswith(host, "127.") || strcmp(host, "::1") == 0 || strcmp(host, "localhost") == 0)
                result_set(r, ST_PASS, "metricsBindAddress=%s from %s", k->metrics_bind, k->metrics_origin);
        else
                result_set(r, ST_WARN, "metricsBindAddress=%s from %s: reachable on that address, not loopback only",
                           k->metrics_bind, k->metrics_origin);
}
