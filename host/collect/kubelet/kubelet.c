/* kubelet: find the kubelet and resolve its effective configuration as the kubelet itself does. */
#define _GNU_SOURCE
#include "collect/kubelet/kubelet.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/node/bottlerocket.h"
#include "base/confdoc.h"
#include "collect/kubelet/kubelet_internal.h"
#include "base/redact.h"
#include "base/sdunit.h"
#include "base/util.h"

struct well_known {
        const char *distro, *config, *config_dir, *kubeconfig;
};

/* Where each node image keeps the kubelet's files when nothing else says. */
static const struct well_known well_known[] = {
        {"Amazon Linux 2023 (nodeadm)", "/etc/kubernetes/kubelet/config.json", "/etc/kubernetes/kubelet/config.json.d",
         "/var/lib/kubelet/kubeconfig"},
        {"Amazon Linux 2", "/etc/kubernetes/kubelet/kubelet-config.json", NULL, "/var/lib/kubelet/kubeconfig"},
        {"Bottlerocket", "/etc/kubernetes/kubelet/config", NULL, "/etc/kubernetes/kubelet/kubeconfig"},
        {"kubeadm", "/var/lib/kubelet/config.yaml", NULL, "/etc/kubernetes/kubelet.conf"},
};

static void set_load_error(struct kubelet_facts *k, char *msg)
{
        if (!k->load_error)
                k->load_error = msg;
        else
                free(msg);
}

/* Read and parse one config file or drop-in. f->err records only whether the file
 * could be read (the permission checks need that); parse errors go to *ret_err. */
static int load_config_doc(const struct rootfs *root, struct kfile *f, cJSON **ret_doc, char **ret_err)
{
        const char *path = f->path;
        char *buf, *perr = NULL;
        size_t len;
        int r = f->err = rootfs_read_file(root, path, ROOTFS_READ_CAP, &buf, &len, &f->st);
        if (r < 0) {
                *ret_err = xasprintf("%s: %s", path, rootfs_strerror(r));
                return r;
        }
        cJSON *doc;
        r = confdoc_parse(buf, len, &doc, &perr);
        free(buf);
        if (r < 0) {
                *ret_err = xasprintf("%s:%s", path, perr);
                free(perr);
                return r;
        }
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");
        if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "KubeletConfiguration") != 0) {
                *ret_err = xasprintf("%s: kind is not KubeletConfiguration (the kubelet refuses "
                                     "this file)",
                                     path);
                cJSON_Delete(doc);
                return -EINVAL;
        }
        *ret_doc = doc;
        return 0;
}

/* Paths on the command line are relative to the kubelet's working directory. */
static char *host_path(const char *cwd, const char *p)
{
        return path_join(cwd && *cwd ? cwd : "/", p);
}

/* Grow @v (of @n elements) so that one more fits; doubling keeps 10,000 drop-ins linear. */
static void *grow(void *v, size_t n, size_t elem)
{
        if (n & (n - 1))
                return v; /* not a power of two: room is left */
        return xrealloc(v, (n ? n * 2 : 1) * elem);
}

/* All drop-ins together: real ones are a few KiB each. */
#define DROPINS_READ_CAP (16u * 1024u * 1024u)

static void load_dropins(const struct rootfs *root, struct kubelet_facts *k, struct layer **layers, size_t *nl)
{
        char *err = NULL;
        /* After a walk error the kubelet stops, and the checks that need the merged
         * configuration say so; the files found until then still get their modes judged. */
        if (kubelet_walk_config_dir(root, k, &err) < 0)
                set_load_error(k, err);
        unsigned long long total = 0;
        for (size_t i = 0; i < k->n_dropins; i++) {
                struct kfile *f = &k->dropins[i];
                cJSON *doc;
                if (total > DROPINS_READ_CAP) {
                        /* Enough read: the rest are only looked at for their modes. */
                        f->err = rootfs_stat(root, f->path, &f->st);
                        continue;
                }
                int r = load_config_doc(root, f, &doc, &err);
                if (f->err == 0)
                        total += (unsigned long long)f->st.st_size;
                if (total > DROPINS_READ_CAP)
                        set_load_error(k, xasprintf("%s: the drop-ins up to here exceed %u MiB together; "
                                                    "nodeward reads no more",
                                                    f->path, DROPINS_READ_CAP >> 20));
                if (r < 0) {
                        set_load_error(k, err);
                        continue;
                }
                *layers = grow(*layers, *nl, sizeof(**layers));
                (*layers)[(*nl)++] = (struct layer){f->path, KSRC_DROPIN, doc};
        }
}

static void read_kubeconfig(const struct rootfs *root, struct kubelet_facts *k)
{
        char *buf, *err = NULL;
        size_t len;
        int r = rootfs_read_file(root, k->kubeconfig.path, KUBECONFIG_READ_CAP, &buf, &len, NULL);
        if (r < 0) {
                k->kc_error = xasprintf("%s: %s", k->kubeconfig.path, rootfs_strerror(r));
                return;
        }
        r = kubeconfig_parse(buf, len, &k->kc_auth, &err);
        /* The buffer may hold a token or a private key: clear it before it goes back. */
        explicit_bzero(buf, len);
        free(buf);
        if (r < 0) {
                k->kc_error = xasprintf("%s:%s%s", k->kubeconfig.path, err && isdigit((unsigned char)*err) ? "" : " ",
                                        err ? err : "invalid");
                free(err);
                return;
        }
        k->kc_parsed = true;
}

static int pem_has_certificate(const char *buf)
{
        const char *b = strstr(buf, "-----BEGIN CERTIFICATE-----");
        if (!b)
                return 0;
        const char *body = b + strlen("-----BEGIN CERTIFICATE-----");
        const char *e = strstr(body, "-----END CERTIFICATE-----");
        if (!e)
                return 0;
        size_t b64 = 0;
        for (const char *p = body; p < e; p++) {
                if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '+' ||
                    *p == '/' || *p == '=')
                        b64++;
                else if (!strchr(" \t\r\n", *p))
                        return 0;
        }
        return b64 >= 64; /* no real DER certificate is shorter than 48 bytes */
}

static void check_client_ca(const struct rootfs *root, struct kubelet_facts *k, const char *cwd)
{
        const struct kfield_value *fv = &k->f[KF_CLIENT_CA_FILE];
        k->client_ca_pem = -1;
        if (!cJSON_IsString(fv->value) || !*fv->value->valuestring)
                return;
        const char *base = cwd;
        _cleanup_free_ char *dir = NULL;
        /* A relative path in a config file is relative to that file, as the kubelet resolves it. */
        if ((fv->source == KSRC_FILE || fv->source == KSRC_DROPIN) && fv->value->valuestring[0] != '/') {
                const char *o = strchr(fv->origin, '/');
                if (o) {
                        dir = xstrdup(o);
                        *strrchr(dir, '/') = '\0';
                        base = *dir ? dir : "/";
                }
        }
        k->client_ca.path = host_path(base, fv->value->valuestring);
        char *buf;
        k->client_ca.err = rootfs_read_file(root, k->client_ca.path, 1024 * 1024, &buf, NULL, &k->client_ca.st);
        if (k->client_ca.err < 0)
                return;
        k->client_ca_pem = pem_has_certificate(buf);
        free(buf);
}

static void find_kubelet(const struct rootfs *root, const struct rootfs *proc, const struct proc_table *procs,
                         struct kubelet_facts *k, char **ret_cwd)
{
        const struct proc_entry *p = proc_table_find(procs, "kubelet");
        if (p && p->argc > 0) {
                char cwd[4096];
                k->found = true;
                k->pid = p->pid;
                k->found_by = xasprintf("process %d (%s)", (int)p->pid, p->argv[0]);
                k->argv = xcalloc(p->argc + 1, sizeof(char *));
                for (size_t i = 0; i < p->argc; i++)
                        k->argv[i] = xstrdup(p->argv[i]);
                k->argc = p->argc;
                *ret_cwd = xstrdup(proc_read_cwd(proc, p->pid, cwd, sizeof(cwd)) == 0 ? cwd : "/");
                return;
        }
        struct sdunit u;
        char *err = NULL;
        int r = sdunit_load(root, "kubelet.service", &u, &err);
        if (r == 0) {
                k->found = true;
                struct strbuf sb = {0};
                sb_printf(&sb, "systemd unit %s", u.path);
                for (size_t i = 0; i < u.n_dropins; i++)
                        sb_printf(&sb, "%s%s", i ? ", " : " with drop-ins ", u.dropins[i]);
                sb_puts(&sb, " (no kubelet process running)");
                k->found_by = sb_steal(&sb);
                k->argv = u.argv;
                k->argc = u.argc;
                u.argv = NULL;
                u.argc = 0;
                *ret_cwd = xstrdup(u.working_dir ? u.working_dir : "/");
                sdunit_free(&u);
                return;
        }
        if (r != -ENOENT) {
                k->found = true;
                k->found_by = xstrdup("systemd unit kubelet.service (unreadable)");
                set_load_error(k, err ? err : xasprintf("kubelet.service: %s", rootfs_strerror(r)));
                k->argv = xcalloc(2, sizeof(char *));
                k->argv[0] = xstrdup("kubelet");
                k->argc = 1;
                *ret_cwd = xstrdup("/");
                return;
        }
        for (size_t i = 0; i < ARRAY_SIZE(well_known); i++) {
                const struct well_known *w = &well_known[i];
                struct stat st;
                if (rootfs_stat(root, w->config, &st) < 0)
                        continue;
                k->found = true;
                k->found_by = xasprintf("well-known %s path %s (no kubelet process or kubelet.service unit)", w->distro,
                                        w->config);
                k->argv = xcalloc(5, sizeof(char *));
                k->argv[k->argc++] = xstrdup("kubelet");
                k->argv[k->argc++] = xasprintf("--config=%s", w->config);
                if (w->config_dir && rootfs_stat(root, w->config_dir, &st) == 0 && S_ISDIR(st.st_mode))
                        k->argv[k->argc++] = xasprintf("--config-dir=%s", w->config_dir);
                k->argv[k->argc++] = xasprintf("--kubeconfig=%s", w->kubeconfig);
                *ret_cwd = xstrdup("/");
                return;
        }
        k->absent_reason = xstrdup("no kubelet found: no process named kubelet, no kubelet.service "
                                   "unit, and none of the well-known kubelet config files");
}

void kubelet_collect(const struct rootfs *root, const struct rootfs *proc, const struct proc_table *procs,
                     struct kubelet_facts *k)
{
        memset(k, 0, sizeof(*k));
        k->client_ca_pem = -1;
        _cleanup_free_ char *cwd = NULL;
        find_kubelet(root, proc, procs, k, &cwd);
        if (!k->found)
                return;

        cJSON *flags = NULL, *flag_only = NULL;
        kubelet_flags_layer(k->argv, k->argc, &flags, &flag_only, &k->flag_error);

        struct layer *layers = NULL;
        size_t nl = 0;
        const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(flag_only, "config");
        if (cJSON_IsString(cfg) && *cfg->valuestring) {
                k->has_config = true;
                k->config.path = host_path(cwd, cfg->valuestring);
                cJSON *doc;
                char *err = NULL;
                if (load_config_doc(root, &k->config, &doc, &err) == 0) {
                        layers = grow(layers, nl, sizeof(*layers));
                        layers[nl++] = (struct layer){k->config.path, KSRC_FILE, doc};
                } else if (k->config.err == -ENOENT && bottlerocket_kubelet_from_settings(root, &doc) == 0) {
                        /* Bottlerocket renders the file from its settings: they are the truth. */
                        free(err);
                        layers = grow(layers, nl, sizeof(*layers));
                        layers[nl++] = (struct layer){BR_SETTINGS_ORIGIN, KSRC_FILE, doc};
                } else {
                        set_load_error(k, err);
                }
        }
        const cJSON *dir = cJSON_GetObjectItemCaseSensitive(flag_only, "config-dir");
        if (cJSON_IsString(dir) && *dir->valuestring) {
                k->config_dir = host_path(cwd, dir->valuestring);
                load_dropins(root, k, &layers, &nl);
        } else if (k->has_config) {
                _cleanup_free_ char *cand = xasprintf("%s.d", k->config.path);
                struct stat st;
                if (rootfs_stat(root, cand, &st) == 0 && S_ISDIR(st.st_mode))
                        k->ignored_dropin_dir = xstrdup(cand);
        }
        layers = grow(layers, nl, sizeof(*layers));
        layers[nl++] = (struct layer){"flag", KSRC_FLAG, flags};

        kubelet_resolve(k, layers, nl, flag_only);

        const struct kfield_value *kc = &k->f[KF_KUBECONFIG];
        if (cJSON_IsString(kc->value) && *kc->value->valuestring) {
                k->has_kubeconfig = true;
                k->kubeconfig.path = host_path(cwd, kc->value->valuestring);
                k->kubeconfig.err = rootfs_stat(root, k->kubeconfig.path, &k->kubeconfig.st);
                if (k->kubeconfig.err == 0)
                        read_kubeconfig(root, k);
        }
        const cJSON *boot = cJSON_GetObjectItemCaseSensitive(flag_only, "bootstrap-kubeconfig");
        if (cJSON_IsString(boot) && *boot->valuestring)
                k->bootstrap_kubeconfig = host_path(cwd, boot->valuestring);
        check_client_ca(root, k, cwd);

        for (size_t i = 0; i < nl; i++)
                cJSON_Delete(layers[i].doc);
        free(layers);
        cJSON_Delete(flag_only);
}

static void kfile_free(struct kfile *f)
{
        free(f->path);
}

void kubelet_facts_free(struct kubelet_facts *k)
{
        if (!k)
                return;
        free(k->absent_reason);
        free(k->found_by);
        strv_free(k->argv, k->argc);
        kfile_free(&k->config);
        free(k->config_dir);
        for (size_t i = 0; i < k->n_dropins; i++)
                kfile_free(&k->dropins[i]);
        free(k->dropins);
        free(k->ignored_dropin_dir);
        free(k->dropin_note);
        free(k->load_error);
        free(k->flag_error);
        kfile_free(&k->kubeconfig);
        free(k->bootstrap_kubeconfig);
        kubeconfig_auth_free(&k->kc_auth);
        free(k->kc_error);
        kfile_free(&k->client_ca);
        for (size_t i = 0; i < KF__COUNT; i++) {
                cJSON_Delete(k->f[i].value);
                free(k->f[i].origin);
                free(k->f[i].shadowed);
                free(k->f[i].error);
                free(k->f[i].default_reason);
        }
        cJSON_Delete(k->effective);
        memset(k, 0, sizeof(*k));
}

static const char *source_name(enum ksource s)
{
        static const char *const n[] = {"unset", "default", "file", "drop-in", "flag"};
        return n[s];
}

/* Which credentials the kubeconfig uses: names, the file or command, never a secret. */
static cJSON *credentials_json(const struct kubelet_facts *k)
{
        cJSON *c = cJSON_CreateObject();
        cJSON_AddStringToObject(c, "kubeconfig", k->kubeconfig.path);
        cJSON_AddStringToObject(c, "context", k->kc_auth.context);
        cJSON_AddStringToObject(c, "user", k->kc_auth.user);
        cJSON_AddStringToObject(c, "kind", kubeconfig_auth_name(k->kc_auth.kind));
        if (k->kc_auth.detail)
                cJSON_AddStringToObject(c, "detail", k->kc_auth.detail);
        return c;
}

static cJSON *redacted_string(const char *s)
{
        _cleanup_free_ char *r = redact_text(s);
        return cJSON_CreateString(r);
}

cJSON *kubelet_explain_json(const struct kubelet_facts *k)
{
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "found", k->found);
        if (!k->found) {
                cJSON_AddStringToObject(o, "reason", k->absent_reason);
                return o;
        }
        cJSON_AddStringToObject(o, "found_by", k->found_by);
        if (k->pid)
                cJSON_AddNumberToObject(o, "pid", k->pid);
        cJSON *argv = cJSON_AddArrayToObject(o, "command_line");
        char **shown = redact_argv(k->argv, k->argc);
        for (size_t i = 0; i < k->argc; i++)
                cJSON_AddItemToArray(argv, cJSON_CreateString(shown[i]));
        strv_free(shown, k->argc);
        if (k->has_config)
                cJSON_AddStringToObject(o, "config", k->config.path);
        else
                cJSON_AddNullToObject(o, "config");
        if (k->config_dir)
                cJSON_AddStringToObject(o, "config_dir", k->config_dir);
        else
                cJSON_AddNullToObject(o, "config_dir");
        cJSON *d = cJSON_AddArrayToObject(o, "drop_ins");
        for (size_t i = 0; i < k->n_dropins; i++)
                cJSON_AddItemToArray(d, cJSON_CreateString(k->dropins[i].path));
        if (k->ignored_dropin_dir)
                cJSON_AddStringToObject(o, "ignored_drop_in_dir", k->ignored_dropin_dir);
        if (k->dropin_note)
                cJSON_AddStringToObject(o, "drop_in_note", k->dropin_note);
        if (k->kc_parsed)
                cJSON_AddItemToObject(o, "kubeconfig_credentials", credentials_json(k));
        cJSON *errs = cJSON_AddArrayToObject(o, "errors");
        if (k->load_error)
                cJSON_AddItemToArray(errs, redacted_string(k->load_error));
        if (k->flag_error)
                cJSON_AddItemToArray(errs, redacted_string(k->flag_error));

        /* The effective configuration: what the layers say, with defaults filled in
         * for every field nodeward checks. */
        cJSON *eff = cJSON_Duplicate(k->effective, 1);
        cJSON *fields = cJSON_CreateObject();
        for (size_t i = 0; i < KF__COUNT; i++) {
                const struct kfield_def *def = &kfield_defs[i];
                const struct kfield_value *fv = &k->f[i];
                if (def->path && fv->source == KSRC_DEFAULT && fv->value)
                        confdoc_set(eff, def->path, cJSON_Duplicate(fv->value, 1));
                cJSON *f = cJSON_CreateObject();
                cJSON *value = fv->value ? cJSON_Duplicate(fv->value, 1) : cJSON_CreateNull();
                redact_json(def->path ? def->path : def->flag, value);
                cJSON_AddItemToObject(f, "value", value);
                cJSON_AddStringToObject(f, "source", source_name(fv->source));
                cJSON_AddItemToObject(f, "origin", redacted_string(fv->origin ? fv->origin : ""));
                if (fv->shadowed)
                        cJSON_AddItemToObject(f, "overrides", redacted_string(fv->shadowed));
                if (fv->default_reason)
                        cJSON_AddStringToObject(f, "default_reason", fv->default_reason);
                if (fv->error)
                        cJSON_AddStringToObject(f, "error", fv->error);
                if (def->path) {
                        cJSON_AddItemToObject(fields, def->path, f);
                } else {
                        _cleanup_free_ char *name = xasprintf("--%s", def->flag);
                        cJSON_AddItemToObject(fields, name, f);
                }
        }
        /* Secrets leave only through here: staticPodURL userinfo and query,
         * staticPodURLHeader values, secret-named fields. */
        redact_json(NULL, eff);
        cJSON_AddItemToObject(o, "effective", eff);
        cJSON_AddItemToObject(o, "fields", fields);
        return o;
}
