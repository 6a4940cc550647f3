/* fuzz_http: libFuzzer harness for the HTTP response parser (make fuzz). */
/* fuzz-max-len: 73728 (HTTP_MAX_HEADER + HTTP_MAX_BODY: the most a probe reads of an answer) */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const struct http_limits lim = {512, 1024};
        for (int eof = 0; eof < 2; eof++) {
                struct http_response r;
                int e = http_parse_response((const char *)data, size, eof, &lim, &r);
                if (e == 0) {
                        if (r.body_len > lim.max_body || r.body[r.body_len] != '\0' || r.status < 200 || r.status > 599)
                                abort();
                        http_response_free(&r);
                } else if (e != -EAGAIN && e != -EBADMSG && e != -EFBIG) {
                        abort();
                } else if (e == -EAGAIN && eof) {
                        abort(); /* at EOF the parser must decide */
                }
        }
        return 0;
}
