/* fuzz_sshd_hosts: /etc/hosts text as sshd's ListenAddress names are looked up in it: canonical addresses only. */
/* fuzz-max-len: 1048576 (SSHD_HOSTS_CAP) */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "collect/sshd/sshd_config.h"
#include "collect/sshd/sshd_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > SSHD_HOSTS_CAP)
                return 0;
        char *buf = malloc(size + 1);
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = '\0';
        /* Look up "localhost" and the second word of the text, so names match. */
        char name[64] = "localhost";
        const char *sp = memchr(buf, ' ', size);
        if (sp) {
                size_t n = strcspn(sp + 1, " \t\r\n#");
                if (n > 0 && n < sizeof(name)) {
                        memcpy(name, sp + 1, n);
                        name[n] = '\0';
                }
        }
        static const int afs[] = {AF_ANY_, AF_INET_, AF_INET6_};
        for (size_t a = 0; a < 3; a++) {
                char out[16][64];
                size_t n = sshd_hosts_lookup(buf, name, afs[a], out, 16);
                if (n > 16)
                        abort();
                int seen6 = 0;
                for (size_t i = 0; i < n; i++) {
                        /* An address (an IPv6 one may keep its %scope), IPv4 before IPv6. */
                        if (!memchr(out[i], '\0', 64))
                                abort();
                        char head[64];
                        memcpy(head, out[i], 64);
                        head[strcspn(head, "%")] = '\0';
                        unsigned char bin[16];
                        int v6 = strchr(head, ':') != NULL;
                        if (inet_pton(v6 ? AF_INET6 : AF_INET, head, bin) != 1 || (seen6 && !v6) ||
                            (v6 && afs[a] == AF_INET_) || (!v6 && afs[a] == AF_INET6_) || (!v6 && strchr(out[i], '%')))
                                abort();
                        seen6 |= v6;
                }
        }
        free(buf);
        return 0;
}
