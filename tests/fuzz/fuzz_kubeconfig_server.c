/* fuzz_kubeconfig_server: the server URL scanned from the kubelet's kubeconfig, its host, and the private-address test. */
/* fuzz-max-len: 1048576 (APISERVER_KUBECONFIG_CAP) */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apiserver.h"

/* The host as Go's net/url finds it, which the kubelet's client parses the URL with:
 * the authority ends at the path, query or fragment, and userinfo runs to its last '@'. */
static int reference_host(const char *url, const char **ret, size_t *ret_n)
{
        const char *p = strstr(url, "://");
        p = p ? p + 3 : url;
        size_t alen = strcspn(p, "/?#");
        for (size_t i = alen; i > 0; i--)
                if (p[i - 1] == '@') {
                        p += i;
                        alen -= i;
                        break;
                }
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
        *ret = p;
        *ret_n = n;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > APISERVER_KUBECONFIG_CAP)
                return 0;
        char *buf = malloc(size + 1);
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = '\0';
        char *server = NULL;
        int r = kubeconfig_server(buf, &server);
        if (r != 0 && r != -ENOENT)
                abort();
        /* A server is a non-empty piece of one line of the file. */
        if (r == 0 && (!*server || strchr(server, '\n') || !strstr(buf, server)))
                abort();
        /* The first line is a URL too: any text can be a server value. */
        char *line = strndup(buf, strcspn(buf, "\n"));
        const char *urls[] = {server, line};
        for (size_t i = 0; i < 2; i++) {
                if (!urls[i])
                        continue;
                char *host = NULL;
                const char *want;
                size_t want_n;
                int hr = url_host(urls[i], &host), wr = reference_host(urls[i], &want, &want_n);
                if ((hr == 0) != (wr == 0) || (hr == 0 && (strlen(host) != want_n || memcmp(host, want, want_n))))
                        abort();
                if (hr == 0)
                        (void)addr_is_private(host);
                free(host);
        }
        free(line);
        free(server);
        free(buf);
        return 0;
}
