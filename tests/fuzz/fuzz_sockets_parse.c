/* fuzz_sockets_parse: libFuzzer harness for the sock_diag and RTM_GETADDR reply parsers. */
/* fuzz-max-len: 65536 (one netlink receive buffer) */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <netinet/in.h>

#include "collect/net/sockets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* The first byte picks the parser and the sequence number the walk expects. */
        if (size < 1)
                return 0;
        uint8_t sel = data[0];
        struct sockets s = {0};
        if (sel & 1)
                (void)sockets_parse_addrs(data + 1, size - 1, sel >> 1, &s);
        else
                (void)sockets_parse_diag(data + 1, size - 1, sel >> 1, (sel & 2) ? IPPROTO_UDP : IPPROTO_TCP, &s);
        sockets_free(&s);
        return 0;
}
