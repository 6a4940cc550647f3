/* fuzz_kubelet_live: libFuzzer harness for what nodeward reads of the kubelet's answers: the HTTP
 * response (as the /pods probe parses it), its status line, and the PodList item count. */
/* fuzz-max-len: 73728 (HTTP_MAX_HEADER + HTTP_MAX_BODY: the most a probe reads of an answer) */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/http.h"
#include "collect/probes/kubelet_live.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count(const char *s, size_t n)
{
        long items = -7;
        int r = klive_count_items(s, n, &items);
        if ((r == 0 && (items < 0 || (size_t)items > n)) || (r != 0 && (r != -EBADMSG || items != -7)))
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *s = (const char *)data;
        /* Small caps so that the fuzzer reaches them. */
        static const struct http_limits lim = {1024, 8192};
        int st = 0;
        int r = klive_status_peek(s, size, &st);
        if ((r == 0 && (st < 100 || st > 599)) || (r != 0 && r != -EAGAIN && r != -EBADMSG))
                abort();
        for (int eof = 0; eof < 2; eof++) {
                struct http_response resp;
                if (http_parse_response(s, size, eof, &lim, &resp) == 0) {
                        count(resp.body, resp.body_len);
                        http_response_free(&resp);
                }
        }
        count(s, size);
        return 0;
}
