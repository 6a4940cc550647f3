/* fuzz_hostname: ROOT/etc/hostname text gives a valid host name for the report header, or none. */
/* fuzz-max-len: 4096 (NODE_HOSTNAME_CAP) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"

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
        /* hostname(5): comment lines are ignored; a name is at most 64 letters, digits,
         * hyphens and dots (HOST_NAME_MAX). */
        if (h && (!*h || strlen(h) > 64 || h[0] == '#' ||
                  strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") != strlen(h)))
                abort();
        free(h);
        free(buf);
        return 0;
}
