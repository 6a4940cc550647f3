/* fuzz_dns_conf: libFuzzer harness for the resolv.conf and /etc/hosts readers (make fuzz). */
/* fuzz-max-len: 1048576 (HOSTS_CAP (resolv.conf: 64 KiB)) */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *buf = malloc(size + 1);
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = '\0';
        struct dns_conf c;
        dns_conf_parse(buf, &c);
        if (c.n_servers < 1 || c.n_servers > DNS_MAX_SERVERS || c.n_search > DNS_MAX_SEARCH || c.ndots < 0 ||
            c.ndots > 15 || c.timeout_s < 1 || c.timeout_s > 30 || c.attempts < 1 || c.attempts > 5)
                abort();
        for (size_t i = 0; i < c.n_search; i++)
                if (strnlen(c.search[i], DNS_NAME_MAX) >= DNS_NAME_MAX)
                        abort();
        /* The first name-looking token is looked up, so matches happen too. */
        char name[64] = "localhost";
        const char *sp = memchr(buf, ' ', size);
        if (sp) {
                size_t n = strcspn(sp + 1, " \t\r\n#");
                if (n > 0 && n < sizeof(name)) {
                        memcpy(name, sp + 1, n);
                        name[n] = '\0';
                }
        }
        char addrs[4][INET6_ADDRSTRLEN];
        size_t n = dns_hosts_lookup(buf, name, addrs, 4);
        if (n > 4)
                abort();
        for (size_t i = 0; i < n; i++) {
                unsigned char bin[16];
                if (inet_pton(strchr(addrs[i], ':') ? AF_INET6 : AF_INET, addrs[i], bin) != 1)
                        abort();
        }
        free(buf);
        return 0;
}
