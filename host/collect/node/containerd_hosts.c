/* containerd_hosts: hosts.toml files (containerd docs/hosts.md), certs.d directory names, registry
 * hosts of URLs and image references, and matching a host against registry globs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect/node/containerd.h"
#include "base/rootfs.h"
#include "base/toml.h"
#include "base/util.h"

char *containerd_registry_from_dir(const char *dir)
{
        /* core/remotes/docker/config/hosts.go hostDirectory(): "host:port" is stored as "host_port_". */
        size_t n = strlen(dir);
        if (n > 2 && dir[n - 1] == '_') {
                const char *us = NULL;
                for (const char *p = dir + n - 2; p > dir; p--)
                        if (*p == '_') {
                                us = p;
                                break;
                        }
                if (us && us + 1 < dir + n - 1 && strspn(us + 1, "0123456789") == (size_t)(dir + n - 1 - us - 1))
                        return xasprintf("%.*s:%.*s", (int)(us - dir), dir, (int)(dir + n - 1 - us - 1), us + 1);
        }
        return xstrdup(dir);
}

char *containerd_url_host(const char *s)
{
        if (strstr(s, "://")) {
                /* host[:port]: userinfo is never the host (nor printed). */
                size_t n;
                const char *h = url_authority(s, &n);
                return strndup(h, n);
        }
        /* An image reference: the first path component is a registry only if it looks like one
         * (a dot or port, or localhost), as the distribution reference grammar decides. */
        size_t first = strcspn(s, "/");
        if (!s[first])
                return xstrdup(strchr(s, '.') && !strchr(s, ':') && !strchr(s, '@') ? s : "docker.io");
        if (memchr(s, '.', first) || memchr(s, ':', first) || (first == 9 && strncmp(s, "localhost", 9) == 0))
                return strndup(s, first);
        return xstrdup("docker.io");
}

bool containerd_registry_allowed(const char *host, char *const *patterns, size_t n)
{
        char *h = strstr(host, "://") ? containerd_url_host(host) : xstrdup(host);
        bool ok = false;
        for (size_t i = 0; i < n && !ok; i++)
                ok = fnmatch(patterns[i], h, FNM_CASEFOLD) == 0;
        free(h);
        return ok;
}

/* ---- hosts.toml ---- */

struct host_fields {
        int skip_verify;
        const struct toml_value *skip_verify_v;
        char *capabilities;
        bool has_ca;
};

static const char *const capability_names[] = {"pull", "resolve", "push", "referrers"};

/* The fields parseHostConfig() reads; a wrong type or an unknown capability fails the file. */
static int read_host_fields(const struct toml_value *t, const char *file, struct host_fields *ret, char **ret_err)
{
        *ret = (struct host_fields){.skip_verify = -1};
        const struct toml_value *v = toml_get(t, "skip_verify");
        if (v && v->type != TOML_BOOL) {
                *ret_err = xasprintf("%s line %u: skip_verify must be true or false", file, v->line);
                return -EINVAL;
        }
        if (v) {
                ret->skip_verify = v->u.b;
                ret->skip_verify_v = v;
        }
        v = toml_get(t, "capabilities");
        if (v) {
                if (v->type != TOML_ARRAY)
                        goto bad_caps;
                struct strbuf sb = {0};
                for (size_t i = 0; i < v->u.arr.n; i++) {
                        const char *c = toml_string(v->u.arr.items[i]);
                        bool known = false;
                        for (size_t k = 0; c && k < ARRAY_SIZE(capability_names); k++)
                                known |= strcasecmp(c, capability_names[k]) == 0;
                        if (!known) {
                                sb_free(&sb);
                                goto bad_caps;
                        }
                        sb_printf(&sb, "%s%s", i ? "," : "", c);
                }
                ret->capabilities = sb_steal(&sb);
        }
        v = toml_get(t, "ca");
        if (v && v->type != TOML_STRING && v->type != TOML_ARRAY) {
                /* The caller frees every host's capabilities on failure. */
                *ret_err = xasprintf("%s line %u: ca must be a path or a list of paths", file, v->line);
                return -EINVAL;
        }
        ret->has_ca = v != NULL;
        return 0;
bad_caps:
        *ret_err = xasprintf("%s line %u: capabilities must be a list of pull, resolve, push, referrers", file,
                             v->line);
        return -EINVAL;
}

static void add_host(struct containerd_facts *c, const char *registry, char *url, const char *kind,
                     const struct host_fields *hf, const struct toml_value *where)
{
        c->hosts = xrealloc(c->hosts, (c->n_hosts + 1) * sizeof(*c->hosts));
        const struct toml_value *o = hf->skip_verify_v ? hf->skip_verify_v : where;
        c->hosts[c->n_hosts++] = (struct ctrd_host){
                .registry = xstrdup(registry),
                .url = url,
                .kind = xstrdup(kind),
                .plain_http = str_startswith(url, "http://"),
                .skip_verify = hf->skip_verify,
                .capabilities = hf->capabilities,
                .has_ca = hf->has_ca,
                .origin = {.file = xstrdup(o->file), .line = o->line},
        };
}

/* containerd adds https:// to a server or host written without a scheme. */
static char *with_scheme(const char *s)
{
        return str_startswith(s, "http") ? xstrdup(s) : xasprintf("https://%s", s);
}

int containerd_parse_hosts(const char *buf, size_t len, const char *file, const char *registry,
                           struct containerd_facts *c, char **ret_err)
{
        struct toml_doc *d = NULL;
        int r = toml_parse(buf, len, file, &d, ret_err);
        if (r < 0)
                return r;
        const struct toml_value *server = toml_get(d->root, "server"), *hosts = toml_get(d->root, "host");
        if ((server && server->type != TOML_STRING) || (hosts && hosts->type != TOML_TABLE)) {
                *ret_err = xasprintf("%s line %u: %s has the wrong type", file, (server ? server : hosts)->line,
                                     server && server->type != TOML_STRING ? "server" : "host");
                toml_doc_free(d);
                return -EINVAL;
        }
        /* Check the whole file before adding anything: containerd takes all of it or none. */
        size_t nh = hosts ? hosts->u.tab.n : 0;
        struct host_fields *hf = xcalloc(nh + 1, sizeof(*hf));
        for (size_t i = 0; i < nh && r >= 0; i++) {
                const struct toml_value *t = hosts->u.tab.kv[i].value;
                if (t->type != TOML_TABLE) {
                        *ret_err = xasprintf("%s line %u: host.\"%s\" must be a table", file, t->line,
                                             hosts->u.tab.kv[i].key);
                        r = -EINVAL;
                } else {
                        r = read_host_fields(t, file, &hf[i], ret_err);
                }
        }
        if (r >= 0)
                r = read_host_fields(d->root, file, &hf[nh], ret_err);
        if (r < 0) {
                for (size_t i = 0; i <= nh; i++)
                        free(hf[i].capabilities);
                free(hf);
                toml_doc_free(d);
                return r;
        }
        /* Hosts in file order, then the server (or the registry itself) last: hosts.go parseHostsFile(). */
        for (size_t i = 0; i < nh; i++)
                add_host(c, registry, with_scheme(hosts->u.tab.kv[i].key), "hosts.toml host", &hf[i],
                         hosts->u.tab.kv[i].value);
        const char *srv = toml_string(server);
        if (srv && *srv) {
                add_host(c, registry, with_scheme(srv), "hosts.toml server", &hf[nh], server);
        } else if (hf[nh].skip_verify >= 0 || hf[nh].capabilities) {
                /* No server: the settings apply to the registry itself. */
                char *self = strcmp(registry, "_default") == 0    ? xstrdup("https://(each registry)")
                             : strcmp(registry, "docker.io") == 0 ? xstrdup("https://registry-1.docker.io")
                                                                  : xasprintf("https://%s", registry);
                add_host(c, registry, self, "hosts.toml server", &hf[nh], d->root);
        } else {
                free(hf[nh].capabilities);
        }
        free(hf);
        toml_doc_free(d);
        return 0;
}
