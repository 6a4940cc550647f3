/* fuzz_services: /etc/services text looked up for sshd's Port names; a port is -1 or 1..65535. */
/* fuzz-max-len: 1048576 (the cap service_port() reads with) */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/sshd/sshd_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > (1u << 20)) /* the cap service_port() reads with */
                return 0;
        char *buf = malloc(size + 1);
        memcpy(buf, data, size);
        buf[size] = '\0';
        int port = sshd_services_port(buf, "ssh");
        if (port != -1 && (port < 1 || port > 65535))
                abort();
        free(buf);
        return 0;
}
