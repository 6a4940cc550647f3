/* bottlerocket: the settings datastore, the host containers and the admin container's sshd, read under --root. */
#define _GNU_SOURCE
#include "collect/node/bottlerocket.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/procfs.h"
#include "base/util.h"

/* os-release values may be quoted; "" and '' are taken off. VARIANT_ID and VERSION_ID
 * are [a-z0-9._-] (os-release(5)); anything else is dropped rather than printed. */
static char *os_release_value(const char *v)
{
        size_t n = strlen(v);
        if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
                v++;
                n -= 2;
        }
        if (n == 0 || n > 64)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", v[i]))
                        return NULL;
        return xasprintf("%.*s", (int)n, v);
}

char *br_datastore_version(const char *target)
{
        if (target[0] != 'v')
                return NULL;
        size_t n = strspn(target + 1, "0123456789.");
        const char *end = target + 1 + n;
        if (!n || target[1] == '.' || target[n] == '.' || (*end && *end != '_') || strstr(target, ".."))
                return NULL;
        return xasprintf("%.*s", (int)n, target + 1);
}

/* The datastore's current link names its version: current -> v1.20 -> v1.20.3 -> v1.20.3_<random>
 * (sources/api/migration/README.md); the most specific version on the chain wins. */
static char *datastore_version(const struct rootfs *root)
{
        char path[256] = BR_DATASTORE_DIR "/current", target[128];
        char *best = NULL;
        for (int hop = 0; hop < 4 && rootfs_readlink(root, path, target, sizeof(target)) == 0; hop++) {
                char *v = strchr(target, '/') ? NULL : br_datastore_version(target);
                if (!v)
                        break;
                free(best);
                best = v;
                snprintf(path, sizeof(path), "%s/%s", BR_DATASTORE_DIR, target);
        }
        return best;
}

void bottlerocket_detect(const struct rootfs *root, struct br_facts *f)
{
        static const char *const paths[] = {"/etc/os-release", "/usr/lib/os-release"};
        for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
                char *buf, *save = NULL;
                if (rootfs_read_file(root, paths[i], 64 * 1024, &buf, NULL, NULL) < 0)
                        continue;
                _cleanup_free_ char *id = NULL;
                for (char *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                        char **slot = str_startswith(l, "ID=")           ? &id
                                      : str_startswith(l, "VARIANT_ID=") ? &f->variant
                                      : str_startswith(l, "VERSION_ID=") ? &f->version
                                                                         : NULL;
                        if (slot && !*slot)
                                *slot = os_release_value(strchr(l, '=') + 1);
                }
                free(buf);
                f->is_bottlerocket = id && strcmp(id, "bottlerocket") == 0;
                if (f->is_bottlerocket) {
                        f->detected_by = xasprintf("os-release ID=bottlerocket in %s", paths[i]);
                } else {
                        free(f->variant);
                        free(f->version);
                        f->variant = f->version = NULL;
                }
                return;
        }
        /* No os-release (a copy of /var and /etc without /usr, or a root whose os-release
         * was lost): Bottlerocket's settings datastore still says what the node is. */
        struct stat st;
        if (rootfs_stat(root, BR_DATASTORE "/settings", &st) == 0 && S_ISDIR(st.st_mode)) {
                f->is_bottlerocket = true;
                f->version = datastore_version(root);
                f->detected_by = xasprintf("its settings datastore %s (no os-release%s%s)", BR_DATASTORE,
                                           f->version ? "; datastore version " : "", f->version ? f->version : "");
        }
}

char *br_encode_segment(const char *seg)
{
        struct strbuf sb = {0};
        sb_puts(&sb, "");
        for (const unsigned char *p = (const unsigned char *)seg; *p; p++) {
                if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_' ||
                    *p == '-')
                        sb_putc(&sb, (char)*p);
                else
                        sb_printf(&sb, "%%%02X", *p);
        }
        return sb_steal(&sb);
}

int br_value_bool(const char *json, size_t len, bool *ret)
{
        cJSON *v = cJSON_ParseWithLength(json, len);
        int r = v && cJSON_IsBool(v) ? 0 : -EINVAL;
        if (r == 0)
                *ret = cJSON_IsTrue(v);
        cJSON_Delete(v);
        return r;
}

int br_value_string(const char *json, size_t len, char **ret)
{
        cJSON *v = cJSON_ParseWithLength(json, len);
        int r = v && cJSON_IsString(v) && v->valuestring ? 0 : -EINVAL;
        if (r == 0)
                *ret = xstrdup(v->valuestring);
        cJSON_Delete(v);
        return r;
}

static int b64_value(unsigned char c)
{
        if (c >= 'A' && c <= 'Z')
                return c - 'A';
        if (c >= 'a' && c <= 'z')
                return c - 'a' + 26;
        if (c >= '0' && c <= '9')
                return c - '0' + 52;
        return c == '+' ? 62 : c == '/' ? 63 : -1;
}

int br_base64_decode(const char *in, size_t len, char **ret_buf, size_t *ret_len)
{
        char *out = xmalloc(len / 4 * 3 + 4);
        size_t n = 0, pad = 0;
        unsigned acc = 0, bits = 0;
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)in[i];
                if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
                        continue;
                if (c == '=') {
                        pad++;
                        continue;
                }
                int v = b64_value(c);
                if (v < 0 || pad) { /* a foreign byte, or data after padding */
                        free(out);
                        return -EINVAL;
                }
                acc = (acc << 6) | (unsigned)v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[n++] = (char)((acc >> bits) & 0xff);
                }
        }
        /* Six leftover bits cannot encode a byte, and at most two '=' pad a quantum. */
        if (bits >= 6 || pad > 2) {
                free(out);
                return -EINVAL;
        }
        out[n] = '\0';
        *ret_buf = out;
        *ret_len = n;
        return 0;
}

/* Entries of a key list in user-data: an array of strings (anything else counts 0). */
static size_t key_count(const cJSON *ssh, const char *a, const char *b)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(ssh, a);
        if (!cJSON_IsArray(v) && b)
                v = cJSON_GetObjectItemCaseSensitive(ssh, b);
        size_t n = 0;
        const cJSON *e;
        cJSON_ArrayForEach(e, v) n += cJSON_IsString(e) && e->valuestring[0];
        return n;
}

/* An account name as start_admin.sh accepts it: ^[a-z_][a-z0-9_-]{0,31}$. */
static bool account_name_ok(const char *s)
{
        size_t n = strlen(s);
        return n >= 1 && n <= 32 && ((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_') &&
               strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

int br_parse_admin_user_data(const char *json, size_t len, struct br_ssh_access *a)
{
        cJSON *doc = cJSON_ParseWithLength(json, len);
        if (!cJSON_IsObject(doc)) {
                cJSON_Delete(doc);
                return -EINVAL;
        }
        const cJSON *user = cJSON_GetObjectItemCaseSensitive(doc, "user");
        /* start_admin.sh falls back to ec2-user for an invalid name. */
        a->user = xstrdup(cJSON_IsString(user) && account_name_ok(user->valuestring) ? user->valuestring : "ec2-user");
        const cJSON *ph = cJSON_GetObjectItemCaseSensitive(doc, "password-hash");
        a->password_hash = cJSON_IsString(ph) && ph->valuestring[0];
        const cJSON *ssh = cJSON_GetObjectItemCaseSensitive(doc, "ssh");
        if (cJSON_IsObject(ssh)) {
                a->n_authorized_keys = key_count(ssh, "authorized-keys", "authorized_keys");
                a->n_trusted_ca_keys = key_count(ssh, "trusted-user-ca-keys", "trusted_user_ca_keys");
                const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(ssh, "authorized-keys-command");
                a->keys_command = cJSON_IsString(cmd) && cmd->valuestring[0];
                const cJSON *cu = cJSON_GetObjectItemCaseSensitive(ssh, "authorized-keys-command-user");
                if (cJSON_IsString(cu) && account_name_ok(cu->valuestring))
                        a->keys_command_user = xstrdup(cu->valuestring);
        }
        a->parsed = true;
        cJSON_Delete(doc);
        return 0;
}

void br_ssh_access_free(struct br_ssh_access *a)
{
        if (!a)
                return;
        free(a->error);
        free(a->keys_command_user);
        free(a->user);
        memset(a, 0, sizeof(*a));
}

/* The file of key "settings.A.B..." (segments given) under the live datastore. */
static char *setting_path(const char *const *segs)
{
        struct strbuf sb = {0};
        sb_puts(&sb, BR_DATASTORE);
        for (; *segs; segs++) {
                _cleanup_free_ char *e = br_encode_segment(*segs);
                sb_printf(&sb, "/%s", e);
        }
        return sb_steal(&sb);
}

static int read_setting(const struct rootfs *root, const char *const *segs, char **ret_buf, size_t *ret_len)
{
        _cleanup_free_ char *path = setting_path(segs);
        return rootfs_read_file(root, path, BR_VALUE_CAP, ret_buf, ret_len, NULL);
}

/* Record the first unreadable value; a missing key is simply unset. */
static void note_error(struct br_facts *f, const char *const *segs, const char *what)
{
        if (f->datastore_error)
                return;
        struct strbuf sb = {0};
        for (size_t i = 0; segs[i]; i++)
                sb_printf(&sb, "%s%s", i ? "." : "", segs[i]);
        _cleanup_free_ char *key = sb_steal(&sb);
        f->datastore_error = xasprintf("%s: %s", key, what);
}

static enum br_tri setting_bool(const struct rootfs *root, struct br_facts *f, const char *const *segs)
{
        char *buf;
        size_t len;
        int r = read_setting(root, segs, &buf, &len);
        if (r < 0) {
                if (r != -ENOENT)
                        note_error(f, segs, rootfs_strerror(r));
                return BR_UNSET;
        }
        bool b = false;
        r = br_value_bool(buf, len, &b);
        free(buf);
        if (r < 0) {
                note_error(f, segs, "not a JSON boolean");
                return BR_UNSET;
        }
        return b ? BR_TRUE : BR_FALSE;
}

static char *setting_string(const struct rootfs *root, struct br_facts *f, const char *const *segs)
{
        char *buf, *s = NULL;
        size_t len;
        int r = read_setting(root, segs, &buf, &len);
        if (r < 0) {
                if (r != -ENOENT)
                        note_error(f, segs, rootfs_strerror(r));
                return NULL;
        }
        if (br_value_string(buf, len, &s) < 0)
                note_error(f, segs, "not a JSON string");
        free(buf);
        return s;
}

#define KEY(...) ((const char *const[]){"settings", __VA_ARGS__, NULL})

static void collect_container(const struct rootfs *root, struct br_facts *f, const char *name, struct br_container *c)
{
        c->enabled = setting_bool(root, f, KEY("host-containers", name, "enabled"));
        c->superpowered = setting_bool(root, f, KEY("host-containers", name, "superpowered"));
        c->source = setting_string(root, f, KEY("host-containers", name, "source"));
        char *buf;
        size_t len;
        if (read_setting(root, KEY("host-containers", name, "user-data"), &buf, &len) == 0) {
                c->has_user_data = true;
                free(buf);
        }
}

/* The admin container's user-data: the datastore's base64 value, else the decoded
 * copy host-containers wrote to the container's persistent storage. */
static void collect_admin_user_data(const struct rootfs *root, struct br_facts *f)
{
        struct br_ssh_access *a = &f->admin_ssh;
        _cleanup_free_ char *b64 = setting_string(root, f, KEY("host-containers", "admin", "user-data"));
        char *json = NULL;
        size_t len = 0;
        if (b64) {
                a->from = "datastore";
                if (br_base64_decode(b64, strlen(b64), &json, &len) < 0) {
                        a->error = xstrdup("settings.host-containers.admin.user-data: not base64");
                        return;
                }
        } else {
                int r = rootfs_read_file(root, BR_HOST_CONTAINERS "/admin/user-data", BR_VALUE_CAP, &json, &len, NULL);
                if (r == -ENOENT)
                        return;
                a->from = "persistent storage";
                if (r < 0) {
                        a->error = xasprintf(BR_HOST_CONTAINERS "/admin/user-data: %s", rootfs_strerror(r));
                        return;
                }
        }
        if (len > 0 && br_parse_admin_user_data(json, len, a) < 0)
                a->error = xstrdup("admin user-data is not a JSON object");
        free(json);
}

/* start_admin.sh keeps the container's persistent storage at this path inside it. */
#define ADMIN_STORAGE "/.bottlerocket/host-containers/current"

/* The admin container's sshd: an sshd whose root holds the admin container's
 * persistent storage. Its configuration is resolved inside that root only. */
static void collect_admin_sshd(const struct rootfs *proc, const struct proc_table *procs, struct br_facts *f)
{
        struct br_admin_sshd *s = &f->admin_sshd;
        for (size_t i = 0; i < procs->n; i++) {
                const struct proc_entry *e = &procs->v[i];
                if (strcmp(e->comm, "sshd") != 0 && !(e->argc && strcmp(path_basename(e->argv[0]), "sshd") == 0))
                        continue;
                struct rootfs croot = {.fd = -1};
                int r = procfs_open_pid_root(proc, e->pid, &croot);
                if (r < 0) {
                        if (!s->root_error)
                                s->root_error = xasprintf("%s/%d/root: %s", proc->path, (int)e->pid,
                                                          rootfs_strerror(r));
                        continue;
                }
                struct stat st;
                if (rootfs_stat(&croot, ADMIN_STORAGE, &st) < 0 || !S_ISDIR(st.st_mode)) {
                        rootfs_close(&croot);
                        continue;
                }
                struct proc_table one = {.v = (struct proc_entry *)e, .n = 1};
                s->pid = e->pid;
                sshd_config_load(&s->cfg, &croot, &one);
                s->cfg.root = NULL;
                rootfs_close(&croot);
                free(s->root_error);
                s->root_error = NULL;
                return;
        }
}

void bottlerocket_collect(const struct rootfs *root, const struct rootfs *proc, const struct proc_table *procs,
                          struct br_facts *f)
{
        struct stat st;
        f->datastore_found = rootfs_stat(root, BR_DATASTORE "/settings", &st) == 0 && S_ISDIR(st.st_mode);
        if (f->datastore_found) {
                collect_container(root, f, "admin", &f->admin);
                collect_container(root, f, "control", &f->control);
                f->kube.standalone_mode = setting_bool(root, f, KEY("kubernetes", "standalone-mode"));
                f->kube.authentication_mode = setting_string(root, f, KEY("kubernetes", "authentication-mode"));
                f->kube.server_tls_bootstrap = setting_bool(root, f, KEY("kubernetes", "server-tls-bootstrap"));
                f->kube.cluster_name = setting_string(root, f, KEY("kubernetes", "cluster-name"));
                char *buf;
                size_t len;
                if (read_setting(root, KEY("kubernetes", "api-server"), &buf, &len) == 0) {
                        f->kube.has_api_server = true;
                        free(buf);
                }
        } else {
                f->admin.enabled = f->admin.superpowered = BR_UNSET;
                f->control.enabled = f->control.superpowered = BR_UNSET;
                f->kube.standalone_mode = f->kube.server_tls_bootstrap = BR_UNSET;
        }
        collect_admin_user_data(root, f);
        if (proc && proc->fd >= 0 && procs)
                collect_admin_sshd(proc, procs, f);
}

/* A datastore value as parsed JSON, NULL when unset or unreadable. */
static cJSON *setting_json(const struct rootfs *root, const char *const *segs)
{
        char *buf;
        size_t len;
        if (read_setting(root, segs, &buf, &len) < 0)
                return NULL;
        cJSON *v = cJSON_ParseWithLength(buf, len);
        free(buf);
        return v;
}

/* A string setting longer than "" -- stat'ed, never read. */
static bool setting_nonempty(const struct rootfs *root, const char *const *segs)
{
        _cleanup_free_ char *path = setting_path(segs);
        struct stat st;
        return rootfs_stat(root, path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 2;
}

/* Copy a numeric setting into @doc as @field, else @dflt (NAN: leave it out). */
static void render_number(const struct rootfs *root, cJSON *doc, const char *const *segs, const char *field,
                          double dflt)
{
        cJSON *v = setting_json(root, segs);
        double d = cJSON_IsNumber(v) ? v->valuedouble : dflt;
        cJSON_Delete(v);
        if (d == d)
                cJSON_AddNumberToObject(doc, field, d);
}

int bottlerocket_kubelet_from_settings(const struct rootfs *root, cJSON **ret_doc)
{
        struct br_facts f = {0};
        bottlerocket_detect(root, &f);
        bool br = f.is_bottlerocket;
        struct stat st;
        if (!br || rootfs_stat(root, BR_DATASTORE "/settings/kubernetes", &st) < 0 || !S_ISDIR(st.st_mode)) {
                bottlerocket_facts_free(&f);
                return -ENOENT;
        }
        enum br_tri standalone = setting_bool(root, &f, KEY("kubernetes", "standalone-mode"));
        enum br_tri bootstrap = setting_bool(root, &f, KEY("kubernetes", "server-tls-bootstrap"));
        bool seccomp = setting_bool(root, &f, KEY("kubernetes", "seccomp-default")) == BR_TRUE;
        /* The key is a secret: only its size says whether the template sees it set. */
        bool own_cert = setting_nonempty(root, KEY("kubernetes", "server-certificate")) &&
                        setting_nonempty(root, KEY("kubernetes", "server-key"));
        bottlerocket_facts_free(&f);

        /* packages/kubernetes-1.30/kubelet-config: the fields the checks read, branch by branch. */
        cJSON *doc = cJSON_CreateObject();
        cJSON *authn = cJSON_CreateObject(), *authz = cJSON_CreateObject();
        if (standalone == BR_TRUE) {
                cJSON_AddStringToObject(doc, "address", "127.0.0.1");
                cJSON_AddBoolToObject(cJSON_AddObjectToObject(authn, "anonymous"), "enabled", true);
                cJSON_AddBoolToObject(cJSON_AddObjectToObject(authn, "webhook"), "enabled", false);
                cJSON_AddStringToObject(authz, "mode", "AlwaysAllow");
        } else {
                cJSON_AddStringToObject(doc, "address", "0.0.0.0");
                cJSON_AddBoolToObject(cJSON_AddObjectToObject(authn, "anonymous"), "enabled", false);
                cJSON_AddBoolToObject(cJSON_AddObjectToObject(authn, "webhook"), "enabled", true);
                cJSON_AddStringToObject(cJSON_AddObjectToObject(authn, "x509"), "clientCAFile",
                                        "/etc/kubernetes/pki/ca.crt");
                cJSON_AddStringToObject(authz, "mode", "Webhook");
        }
        cJSON_AddItemToObject(doc, "authentication", authn);
        cJSON_AddItemToObject(doc, "authorization", authz);
        render_number(root, doc, KEY("kubernetes", "event-qps"), "eventRecordQPS", NAN);
        render_number(root, doc, KEY("kubernetes", "pod-pids-limit"), "podPidsLimit", 1048576);
        cJSON_AddNumberToObject(doc, "readOnlyPort", 0);
        cJSON_AddBoolToObject(doc, "protectKernelDefaults", true);
        cJSON_AddBoolToObject(doc, "seccompDefault", seccomp);
        if (own_cert) {
                cJSON_AddStringToObject(doc, "tlsCertFile", "/etc/kubernetes/pki/kubelet-server.crt");
                cJSON_AddStringToObject(doc, "tlsPrivateKeyFile", "/etc/kubernetes/pki/private/kubelet-server.key");
        } else if (bootstrap != BR_UNSET) {
                cJSON_AddBoolToObject(doc, "serverTLSBootstrap", bootstrap == BR_TRUE);
        }
        cJSON_AddItemToObject(
                doc, "tlsCipherSuites",
                cJSON_CreateStringArray((const char *const[]){"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}, 1));
        *ret_doc = doc;
        return 0;
}

void bottlerocket_facts_free(struct br_facts *f)
{
        if (!f)
                return;
        free(f->variant);
        free(f->version);
        free(f->detected_by);
        free(f->datastore_error);
        free(f->admin.source);
        free(f->control.source);
        br_ssh_access_free(&f->admin_ssh);
        free(f->admin_sshd.root_error);
        sshd_config_free(&f->admin_sshd.cfg);
        free(f->kube.authentication_mode);
        free(f->kube.cluster_name);
        memset(f, 0, sizeof(*f));
}
