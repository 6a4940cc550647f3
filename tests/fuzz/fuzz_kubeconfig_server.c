/* fuzz_kubeconfig_server: the current context's server URL of the kubelet's kubeconfig, its host, and the private-address test. */
/* fuzz-max-len: 1048576 (APISERVER_KUBECONFIG_CAP) */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/kubelet/apiserver.h"
#include "collect/kubelet/kubeconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > APISERVER_KUBECONFIG_CAP)
                return 0;
        char *buf = malloc(size + 1);
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = '\0';
        char *server = NULL, *why = NULL;
        int r = kubeconfig_server(buf, size, &server, &why);
        /* A server, or a reason; never both, never neither. */
        if ((r == 0) != (server != NULL) || (r == 0) == (why != NULL))
                abort();
        if (r == 0 && !*server)
                abort();
        free(why);
        /* The first line is a URL too: any text can be a server value. */
        char *line = strndup(buf, strcspn(buf, "\n"));
        const char *urls[] = {server, line};
        for (size_t i = 0; i < 2; i++) {
                if (!urls[i])
                        continue;
                char *host = NULL;
                int hr = url_host(urls[i], &host);
                /* Go's net/url: a host is non-empty, lies inside the URL, and never holds
                 * userinfo, a path, a query or a fragment (so 'a?x@evil' is host 'a'). */
                if (hr != 0 && hr != -EINVAL && hr != -ENOMEM)
                        abort();
                if (hr == 0 && (!*host || strpbrk(host, "@/?#") || !strstr(urls[i], host)))
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
