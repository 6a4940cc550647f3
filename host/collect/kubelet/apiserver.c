/* apiserver: where the kubelet's kubeconfig points, and whether that resolves to private addresses only. */
#define _GNU_SOURCE
#include "collect/kubelet/apiserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "collect/kubelet/kubeconfig.h"
#include "base/dns.h"
#include "base/redact.h"
#include "base/util.h"

#define RESOLVE_DEADLINE_MS 2000

/* What the evidence shows of the server URL: its scheme and host[:port] only, so no
 * userinfo, path, query or fragment (where a token could be) is ever printed. */
static char *url_origin(const char *url)
{
        const char *sep = strstr(url, "://");
        size_t n;
        const char *auth = url_authority(url, &n);
        return sep ? xasprintf("%.*s://%.*s", (int)(sep - url), url, (int)n, auth) : xasprintf("%.*s", (int)n, auth);
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
        size_t len = 0;
        int r = rootfs_read_file(root, a->kubeconfig, APISERVER_KUBECONFIG_CAP, &buf, &len, NULL);
        if (r < 0) {
                a->error = xasprintf("%s: %s", a->kubeconfig, rootfs_strerror(r));
                return;
        }
        _cleanup_free_ char *server = NULL, *why = NULL;
        if (kubeconfig_server(buf, len, &server, &why) < 0) {
                a->error = xasprintf("%s: %s", a->kubeconfig, why);
                return;
        }
        int hr = url_host(server, &a->host);
        /* Only the host is used; what is kept for the evidence is the origin, redacted
         * again in case a scheme-less value hides a credential in what looks like one. */
        _cleanup_free_ char *origin = url_origin(server);
        a->server = redact_text(origin);
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
