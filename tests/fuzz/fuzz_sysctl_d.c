/* fuzz_sysctl_d: sysctl.d file text parsed into assignments, and looked up by name and glob. */
/* fuzz-max-len: 262144 (SYSCTL_D_FILE_CAP) */
#include <stddef.h>
#include <stdint.h>

#include "collect/node/sysctl_d.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct sysctl_boot b = {0};
        sysctl_d_parse((const char *)data, size, "/etc/sysctl.d/fuzz.conf", &b);
        static const char *const names[] = {"net.ipv4.ip_forward", "net.ipv4.conf.all.log_martians",
                                            "fs.suid_dumpable"};
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                const struct sysctl_assign *a = sysctl_boot_find(&b, names[i]);
                if (a)
                        (void)sysctl_value_equal(a->value, "1");
        }
        for (size_t i = 0; i < b.n && i < 8; i++)
                (void)sysctl_boot_find(&b, b.v[i].name);
        sysctl_boot_free(&b);
        return 0;
}
