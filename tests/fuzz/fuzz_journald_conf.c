/* fuzz_journald_conf: journald.conf text parsed for Storage= under [Journal]. */
/* fuzz-max-len: 262144 (JOURNALD_CONF_CAP) */
#include <stddef.h>
#include <stdint.h>

#include "collect/node/journald_conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        struct journald_conf c = {0};
        journald_conf_parse((const char *)data, size, "/etc/systemd/journald.conf", &c);
        journald_conf_parse((const char *)data, size, "/etc/systemd/journald.conf.d/again.conf", &c);
        journald_conf_free(&c);
        return 0;
}
