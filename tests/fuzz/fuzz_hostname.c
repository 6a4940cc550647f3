/* fuzz_hostname: ROOT/etc/hostname text gives one word for the report header (comment lines skipped), or none. */
/* fuzz-max-len: 4096 (NODE_HOSTNAME_CAP) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/facts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > NODE_HOSTNAME_CAP)
                return 0;
        char *buf = malloc(size + 1);
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = '\0';
        char *h = node_hostname_parse(buf);
        /* One word, from the first line that is not a comment (hostname(5)). */
        if (h && (!*h || h[0] == '#' || strpbrk(h, " \t\r\n") || !strstr(buf, h)))
                abort();
        free(h);
        free(buf);
        return 0;
}
