/* apiserver: where the kubelet's kubeconfig points, and whether that resolves to private addresses only. */
#define _GNU_SOURCE
#include "collect/kubelet/apiserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "base/dns.h"
#include "base/redact.h"
#include "base/util.h"

#define RESOLVE_DEADLINE_MS 2000

int kubeconfig_server(const char *buf, char **ret_server)
{
        /* The kubelet's kubeconfig names one cluster; a key scan reads both YAML
         * ("server: URL") and JSON ("server": "URL") without a full parser. */
        for (const char *p = buf; (p = strstr(p, "server")); p += 6) {
                bool quoted = p > buf && p[-1] == '"';
                const char *q = p + 6 + (quoted && p[6] == '"');
                if (p > buf && !quoted && !strchr(" \t\n-", p[-1]))
                        continue; /* part of another key, e.g. tls-server-name */
                if (quoted && p[6] != '"')
                        continue;
                while (*q == ' ' || *q == '\t')
                        q++;
                if (*q++ != ':')
                        continue;
                while (*q == ' ' || *q == '\t')
                        q++;
                char quote = (*q == '"' || *q == '\'') ? *q++ : 0;
                size_t n = quote ? strcspn(q, quote == '"' ? "\"\n" : "'\n") : strcspn(q, " \t\r\n#,}");
                if (n == 0)
                        continue;
                *ret_server = strndup(q, n);
                return *ret_server ? 0 : -ENOMEM;
        }
        return -ENOENT;
}

int url_host(const char *url, char **ret_host)
{
        /* As Go's net/url reads it (the kubelet's client does). */
        size_t alen;
        const char *p = url_authority(url, &alen);
        size_t n;
        if (alen && *p == '[') {
                const char *close = memchr(p, ']', alen);
                if (!close)
                        return -EINVAL;
                p++;
                n = (size_t)(close - p);
        } else {
                n = strcspn(p, ":");
                if (n > alen)
                        n = alen;
        }
        if (n == 0)
                return -EINVAL;
        *ret_host = strndup(p, n);
        return *ret_host ? 0 : -ENOMEM;
}

bool addr_is_private(const char *text)
{
        struct in_addr a4;
        struct in6_addr a6;
        if (inet_pton(AF_INET, text, &a4) == 1) {
                uint32_t a = ntohl(a4.s_addr);
                return (a >> 24) == 10 || (a >> 20) == 0xac1 || (a >> 16) == 0xc0a8 || (a >> 22) == (100u << 2 | 1) ||
                       (a >> 24) == 127 || (a >> 16) == 0xa9fe;
        }
        if (inet_pton(AF_INET6, text, &a6) == 1) {
                if (IN6_IS_ADDR_V4MAPPED(&a6)) {
                        char v4[INET_ADDRSTRLEN];
                        inet_ntop(AF_INET, &a6.s6_addr[12], v4, sizeof(v4));
                        return addr_is_private(v4);
                }
                return (a6.s6_addr[0] & 0xfe) == 0xfc || IN6_IS_ADDR_LOOPBACK(&a6) || IN6_IS_ADDR_LINKLOCAL(&a6);
        }
        return false;
}

void apiserver_collect(const struct rootfs *root, const struct kubelet_facts *k, struct apiserver_facts *a)
{
        memset(a, 0, sizeof(*a));
        if (!k->found || !k->has_kubeconfig || !k->kubeconfig.path)
                return;
        a->have_kubeconfig = true;
        a->kubeconfig = xstrdup(k->kubeconfig.path);
        _cleanup_free_ char *buf = NULL;
        int r = rootfs_read_file(root, a->kubeconfig, APISERVER_KUBECONFIG_CAP, &buf, NULL, NULL);
        if (r < 0) {
                a->error = xasprintf("%s: %s", a->kubeconfig, rootfs_strerror(r));
                return;
        }
        if (kubeconfig_server(buf, &a->server) < 0) {
                a->error = xasprintf("%s: no clusters[].cluster.server", a->kubeconfig);
                return;
        }
        int hr = url_host(a->server, &a->host);
        /* Only the host is used; what is kept for the evidence has no userinfo or query. */
        char *shown = redact_text(a->server);
        free(a->server);
        a->server = shown;
        if (hr < 0) {
                a->error = xasprintf("%s: server \"%s\" has no host", a->kubeconfig, a->server);
                return;
        }
        struct dns_answer ans;
        r = dns_resolve(root, a->host, RESOLVE_DEADLINE_MS, &ans);
        if (r < 0) {
                a->resolve_error = xasprintf("resolving %s%s%s: %s", a->host, ans.via[0] ? " via " : "", ans.via,
                                             r == -ETIMEDOUT ? "no answer within 2 s" : dns_strerror(r));
                return;
        }
        a->n_addrs = ans.n < APISERVER_MAX_ADDRS ? ans.n : APISERVER_MAX_ADDRS;
        memcpy(a->addrs, ans.addrs, a->n_addrs * sizeof(a->addrs[0]));
}

void apiserver_facts_free(struct apiserver_facts *a)
{
        if (!a)
                return;
        free(a->kubeconfig);
        free(a->server);
        free(a->host);
        free(a->error);
        free(a->resolve_error);
        memset(a, 0, sizeof(*a));
}
