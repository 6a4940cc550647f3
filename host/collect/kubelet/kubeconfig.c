/* kubeconfig: which credentials a kubeconfig's current context uses, never their contents. */
#define _GNU_SOURCE
#include "collect/kubelet/kubeconfig.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/confdoc.h"
#include "base/util.h"

const char *kubeconfig_auth_name(enum kc_auth k)
{
        static const char *const n[] = {
                "no credentials",
                "client certificate file",
                "inline client certificate (client-certificate-data)",
                "exec credential plugin",
                "auth-provider plugin",
                "bearer token file (tokenFile)",
                "inline bearer token",
                "basic authentication",
        };
        return n[k];
}

static const char *str_member(const cJSON *o, const char *key)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

/* The entry named @name in a kubeconfig list ("users", "contexts"): {name, @inner: {...}}.
 * client-go keeps the last of duplicate names, as a map would. */
static const cJSON *named(const cJSON *doc, const char *list, const char *inner, const char *name)
{
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(doc, list), *e, *found = NULL;
        if (!cJSON_IsArray(l))
                return NULL;
        cJSON_ArrayForEach(e, l)
        {
                const char *n = str_member(e, "name");
                if (n && strcmp(n, name) == 0)
                        found = cJSON_GetObjectItemCaseSensitive(e, inner);
        }
        return found;
}

static void classify(const cJSON *u, struct kubeconfig_auth *a)
{
        const char *s;
        const cJSON *exec = cJSON_GetObjectItemCaseSensitive(u, "exec");
        if ((s = str_member(u, "client-certificate"))) {
                a->kind = KC_AUTH_CLIENT_CERT;
                a->detail = xstrdup(s);
        } else if (str_member(u, "client-certificate-data")) {
                a->kind = KC_AUTH_CLIENT_CERT_DATA;
        } else if (cJSON_IsObject(exec)) {
                a->kind = KC_AUTH_EXEC;
                s = str_member(exec, "command");
                a->detail = xstrdup(s ? s : "(no command)");
        } else if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(u, "auth-provider"))) {
                a->kind = KC_AUTH_PROVIDER;
                s = str_member(cJSON_GetObjectItemCaseSensitive(u, "auth-provider"), "name");
                a->detail = s ? xstrdup(s) : NULL;
        } else if ((s = str_member(u, "tokenFile"))) {
                a->kind = KC_AUTH_TOKEN_FILE;
                a->detail = xstrdup(s);
        } else if (str_member(u, "token")) {
                a->kind = KC_AUTH_TOKEN;
        } else if (str_member(u, "username") || str_member(u, "password")) {
                a->kind = KC_AUTH_BASIC;
        } else {
                a->kind = KC_AUTH_NONE;
        }
}

int kubeconfig_parse(const char *buf, size_t len, struct kubeconfig_auth *ret, char **ret_err)
{
        cJSON *doc;
        char *perr = NULL;
        int r = confdoc_parse(buf, len, &doc, &perr);
        if (r < 0) {
                *ret_err = perr;
                return r;
        }
        struct kubeconfig_auth a = {0};
        const char *cur = str_member(doc, "current-context");
        const cJSON *ctx = NULL, *user;
        const char *un = NULL;
        if (cur)
                ctx = named(doc, "contexts", "context", cur);
        if (cJSON_IsObject(ctx))
                un = str_member(ctx, "user");
        if (!cur) {
                *ret_err = xstrdup("no current-context: the kubelet cannot tell which user to be");
                r = -EINVAL;
        } else if (!cJSON_IsObject(ctx)) {
                *ret_err = xasprintf("current-context \"%.64s\" is not among the contexts", cur);
                r = -EINVAL;
        } else if (!un) {
                *ret_err = xasprintf("context \"%.64s\" names no user", cur);
                r = -EINVAL;
        } else if (!cJSON_IsObject(user = named(doc, "users", "user", un))) {
                *ret_err = xasprintf("user \"%.64s\" of context \"%.64s\" is not among the users", un, cur);
                r = -EINVAL;
        } else {
                a.context = xstrdup(cur);
                a.user = xstrdup(un);
                classify(user, &a);
        }
        cJSON_Delete(doc);
        if (r < 0) {
                kubeconfig_auth_free(&a);
                return r;
        }
        *ret = a;
        return 0;
}

int kubeconfig_server(const char *buf, size_t len, char **ret_server, char **ret_err)
{
        cJSON *doc;
        char *perr = NULL;
        int r = confdoc_parse(buf, len, &doc, &perr);
        if (r < 0) {
                *ret_err = perr;
                return r;
        }
        const char *cur = str_member(doc, "current-context");
        const cJSON *ctx = cur ? named(doc, "contexts", "context", cur) : NULL;
        const char *name = cJSON_IsObject(ctx) ? str_member(ctx, "cluster") : NULL;
        const cJSON *cluster = name ? named(doc, "clusters", "cluster", name) : NULL;
        const char *server = cJSON_IsObject(cluster) ? str_member(cluster, "server") : NULL;
        if (server)
                *ret_server = xstrdup(server);
        else if (!cur)
                *ret_err = xstrdup("no current-context: the kubelet cannot tell which cluster to use");
        else if (!cJSON_IsObject(ctx))
                *ret_err = xasprintf("current-context \"%.64s\" is not among the contexts", cur);
        else if (!name)
                *ret_err = xasprintf("context \"%.64s\" names no cluster", cur);
        else if (!cJSON_IsObject(cluster))
                *ret_err = xasprintf("cluster \"%.64s\" of context \"%.64s\" is not among the clusters", name, cur);
        else
                *ret_err = xasprintf("cluster \"%.64s\" has no server", name);
        cJSON_Delete(doc);
        return server ? 0 : -ENOENT;
}

void kubeconfig_auth_free(struct kubeconfig_auth *a)
{
        if (!a)
                return;
        free(a->context);
        free(a->user);
        free(a->detail);
        memset(a, 0, sizeof(*a));
}
