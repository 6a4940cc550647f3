/* containerd checks: registry TLS verification, plain-HTTP endpoints, the operator's registry
 * allowlist, the CRI socket's mode and owner, and the unprivileged ports/ICMP settings. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "check.h"
#include "base/util.h"
#include "collect/facts.h"
#include "policy/policy.h"

#define HOSTS_NAMED 4

static void origin_str(char *buf, size_t n, const struct ctrd_origin *o)
{
        if (o->file)
                snprintf(buf, n, "%s line %u", o->file, o->line);
        else
                snprintf(buf, n, "default");
}

/* Skip where there is no containerd configuration; error where containerd could not load it. */
static bool config_usable(const struct facts *f, struct result *r)
{
        const struct containerd_facts *c = &f->containerd;
        if (c->error) {
                result_set(r, ST_ERROR, "%s", c->error);
                return false;
        }
        if (!c->found) {
                result_set(r, ST_SKIP, "no %s under %s (containerd is not configured here)", CONTAINERD_CONFIG,
                           f->root_path);
                return false;
        }
        return true;
}

static void add_item(struct strbuf *sb, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_item(struct strbuf *sb, size_t *n, const char *fmt, ...)
{
        if ((*n)++ >= HOSTS_NAMED)
                return;
        if (sb->len)
                sb_puts(sb, "; ");
        va_list ap;
        va_start(ap, fmt);
        sb_vprintf(sb, fmt, ap);
        va_end(ap);
}

static const char *items_str(struct strbuf *sb, size_t n)
{
        if (n > HOSTS_NAMED)
                sb_printf(sb, "; and %zu more", n - HOSTS_NAMED);
        return sb->buf ? sb->buf : "";
}

/* Where registry settings come from, for a passing verdict's evidence. */
static void source_str(const struct containerd_facts *c, char *buf, size_t n)
{
        char o[512];
        origin_str(o, sizeof(o), &c->config_path_origin);
        if (c->config_path)
                snprintf(buf, n, "config_path %s (%s)", c->config_path, o);
        else
                snprintf(buf, n, "registry section of plugin %s", c->registry_plugin);
        /* Imports merge by the containerd major's rules: say which was assumed. */
        if (c->n_files > 1 && c->semantics) {
                size_t k = strlen(buf);
                snprintf(buf + k, n - k, "; %zu files merged, %s", c->n_files, c->semantics);
        }
}

static void warnings_suffix(const struct containerd_facts *c, struct strbuf *sb)
{
        for (size_t i = 0; i < c->n_warnings; i++)
                if (strstr(c->warnings[i], "ignores the file"))
                        sb_printf(sb, "; %s", c->warnings[i]);
}

void check_containerd_registry_tls_verify(const struct facts *f, struct result *r)
{
        const struct containerd_facts *c = &f->containerd;
        if (!config_usable(f, r))
                return;
        struct strbuf bad = {0}, warn = {0};
        size_t nb = 0;
        for (size_t i = 0; i < c->n_hosts; i++) {
                const struct ctrd_host *h = &c->hosts[i];
                if (h->skip_verify != 1)
                        continue;
                char o[512];
                origin_str(o, sizeof(o), &h->origin);
                add_item(&bad, &nb, "%s for %s skips TLS verification (%s, %s)", h->url, h->registry, h->kind, o);
        }
        warnings_suffix(c, &warn);
        if (nb)
                result_set(r, ST_FAIL, "%s%s", items_str(&bad, nb), warn.buf ? warn.buf : "");
        else if (warn.len)
                result_set(r, ST_WARN, "no registry host skips TLS verification%s", warn.buf);
        else {
                char src[1024];
                source_str(c, src, sizeof(src));
                result_set(r, ST_PASS, "%zu registry host(s) configured, none skips TLS verification (%s)", c->n_hosts,
                           src);
        }
        sb_free(&bad);
        sb_free(&warn);
}

void check_containerd_registry_plain_http(const struct facts *f, struct result *r)
{
        const struct containerd_facts *c = &f->containerd;
        if (!config_usable(f, r))
                return;
        struct strbuf bad = {0};
        size_t nb = 0;
        for (size_t i = 0; i < c->n_hosts; i++) {
                const struct ctrd_host *h = &c->hosts[i];
                if (!h->plain_http)
                        continue;
                char o[512];
                origin_str(o, sizeof(o), &h->origin);
                add_item(&bad, &nb, "%s for %s is plain HTTP (%s, %s)", h->url, h->registry, h->kind, o);
        }
        if (nb) {
                result_set(r, ST_FAIL, "%s", items_str(&bad, nb));
        } else {
                char src[1024];
                source_str(c, src, sizeof(src));
                result_set(r, ST_PASS, "%zu registry host(s) configured, none is plain http:// (%s)", c->n_hosts, src);
        }
        sb_free(&bad);
}

void check_containerd_registry_allowlist(const struct facts *f, const struct policy *p, struct result *r)
{
        const struct containerd_facts *c = &f->containerd;
        if (!p->allow_registries) {
                result_set(r, ST_SKIP, "no --allow-registries FILE given");
                return;
        }
        if (!config_usable(f, r))
                return;
        struct strbuf bad = {0};
        size_t nb = 0, seen = 0;
        for (size_t i = 0; i < c->n_hosts; i++) {
                const struct ctrd_host *h = &c->hosts[i];
                char o[512];
                origin_str(o, sizeof(o), &h->origin);
                bool self = strstr(h->url, "(each registry)") != NULL;
                if (!self) {
                        seen++;
                        if (!containerd_registry_allowed(h->url, p->allow_registries, p->n_allow_registries))
                                add_item(&bad, &nb, "%s (%s for %s, %s)", h->url, h->kind, h->registry, o);
                }
                if (strcmp(h->registry, "_default") != 0 && strcmp(h->registry, "*") != 0 &&
                    !containerd_registry_allowed(h->registry, p->allow_registries, p->n_allow_registries) &&
                    (i == 0 || strcmp(c->hosts[i - 1].registry, h->registry) != 0))
                        add_item(&bad, &nb, "registry %s (configured at %s)", h->registry, o);
        }
        /* The sandbox (pause) image is pulled by every node; unset, containerd uses registry.k8s.io. */
        char *sandbox = containerd_url_host(c->sandbox_image ? c->sandbox_image : "registry.k8s.io/pause");
        seen++;
        if (!containerd_registry_allowed(sandbox, p->allow_registries, p->n_allow_registries)) {
                char o[512];
                origin_str(o, sizeof(o), &c->sandbox_origin);
                add_item(&bad, &nb, "sandbox image %s from %s (%s)", c->sandbox_image ? c->sandbox_image : "(default)",
                         sandbox, o);
        }
        if (nb)
                result_set(r, ST_FAIL, "not in the allowlist: %s", items_str(&bad, nb));
        else
                result_set(r, ST_PASS, "%zu registry endpoint(s) incl. the sandbox image's %s, all in the allowlist",
                           seen, sandbox);
        free(sandbox);
        sb_free(&bad);
}

void check_containerd_socket_permissions(const struct facts *f, struct result *r)
{
        const struct containerd_facts *c = &f->containerd;
        if (c->socket_error) {
                result_set(r, ST_ERROR, "%s", c->socket_error);
                return;
        }
        if (!c->socket_found) {
                result_set(r, ST_SKIP, "no %s under %s (containerd is not running here)", c->socket_path, f->root_path);
                return;
        }
        unsigned mode = c->socket_mode & 07777;
        char o[512];
        origin_str(o, sizeof(o), &c->socket_origin);
        if (!S_ISSOCK(c->socket_mode)) {
                result_set(r, ST_FAIL, "%s (from %s) is not a socket (mode %06o)", c->socket_path, o,
                           (unsigned)c->socket_mode);
                return;
        }
        /* Access to the socket is root on the node: only root, and a root group, may use it. */
        bool ok = c->socket_uid == 0 && (mode & 0007) == 0 && (c->socket_gid == 0 || (mode & 0070) == 0);
        result_set(r, ok ? ST_PASS : ST_FAIL, "%s mode %04o owner %u:%u%s", c->socket_path, mode,
                   (unsigned)c->socket_uid, (unsigned)c->socket_gid,
                   ok ? "" : " (want owner root, no access for others, group access only for group root)");
}

void check_containerd_unprivileged_ports(const struct facts *f, struct result *r)
{
        const struct containerd_facts *c = &f->containerd;
        if (!config_usable(f, r))
                return;
        char op[512], oi[512];
        origin_str(op, sizeof(op), &c->unpriv_ports.origin);
        origin_str(oi, sizeof(oi), &c->unpriv_icmp.origin);
        const char *ver = c->major >= 2 ? "containerd 2.x" : "containerd 1.x";
        result_set(r, ST_PASS,
                   "enable_unprivileged_ports=%s (%s%s%s), enable_unprivileged_icmp=%s (%s%s%s): pods may %sbind "
                   "ports below 1024 and %suse ICMP sockets without privilege (%s)",
                   c->unpriv_ports.value ? "true" : "false", op, c->unpriv_ports.set ? "" : " of ",
                   c->unpriv_ports.set ? "" : ver, c->unpriv_icmp.value ? "true" : "false", oi,
                   c->unpriv_icmp.set ? "" : " of ", c->unpriv_icmp.set ? "" : ver, c->unpriv_ports.value ? "" : "not ",
                   c->unpriv_icmp.value ? "" : "not ", c->semantics);
}
