/* fuzz_kubeapi: libFuzzer harness for what nodeward reads from the API server: the HTTP
 * response (as kubeapi_request parses it, with its caps), the Node and Status bodies, and
 * the --publish-api URL (make fuzz). */
/* fuzz-max-len: 1064960 (KUBEAPI_MAX_HEADER + KUBEAPI_MAX_BODY) */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/http.h"
#include "base/kubeapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_printable(const char *s, size_t max)
{
        if (!s)
                return;
        size_t n = strlen(s);
        if (n == 0 || n > max)
                abort();
        for (size_t i = 0; i < n; i++)
                if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
                        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const struct http_limits lim = {KUBEAPI_MAX_HEADER, KUBEAPI_MAX_BODY};
        const char *buf = (const char *)data;
        struct http_response r;
        if (http_parse_response(buf, size, true, &lim, &r) == 0) {
                char *uid = kubeapi_node_uid(r.body, r.body_len, "n1");
                check_printable(uid, 128);
                free(uid);
                char *msg = kubeapi_status_message(r.body, r.body_len);
                if (msg && strlen(msg) > 200)
                        abort();
                for (char *p = msg; p && *p; p++)
                        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
                                abort();
                free(msg);
                http_response_free(&r);
        }
        /* The same bytes as a body, and as a URL. */
        char *uid = kubeapi_node_uid(buf, size, "n1");
        check_printable(uid, 128);
        free(uid);
        free(kubeapi_status_message(buf, size));
        char *s = strndup(buf, size < 512 ? size : 512);
        char *host = NULL;
        unsigned port = 0;
        if (s && kubeapi_parse_url(s, &host, &port) == 0) {
                if (port == 0 || port > 65535 || !host || !*host)
                        abort();
                free(host);
        }
        free(s);
        return 0;
}
